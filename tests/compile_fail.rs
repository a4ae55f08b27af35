//! `set` cannot be combined with `add` or `remove`: the builder changes type
//! on the first tag call, so the other kind of call does not compile.
//!
//! Refresh the expected compiler output after a deliberate change with
//! `TRYBUILD=overwrite cargo test --test compile_fail`, and review it.

#[test]
fn set_and_add_or_remove_cannot_be_combined() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/set_tags_after_add_tag.rs");
    cases.compile_fail("tests/ui/clear_tags_after_remove_tag.rs");
    cases.compile_fail("tests/ui/add_tag_after_set_tags.rs");
    cases.compile_fail("tests/ui/remove_tag_after_clear_tags.rs");
}
