//! What the type system refuses: an update reaches the wire only through the
//! checks of `UpdateContactInputBuilder::build`, and the generated client is
//! out of reach.
//!
//! Refresh the expected compiler output after a deliberate change with
//! `TRYBUILD=overwrite cargo test --test compile_fail`, and review it.

#[test]
fn the_checks_cannot_be_bypassed() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/input_without_the_builder.rs");
    cases.compile_fail("tests/ui/generated_client_is_private.rs");
    cases.compile_fail("tests/ui/output_is_not_constructible.rs");
}
