//! Bodies full of values that do not fit, which the tolerant reading must
//! read in time linear in their size or refuse: its work (the decodes it
//! runs, each of one value of the body) stays within a constant per byte,
//! and past 1,000 repairs the body is refused.
//!
//! Run with `cargo +nightly fuzz run misfits` from the repository root.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use talktohumans::fuzzing;

/// The decodes allowed per byte of the body: a value is asked at most a few
/// times at each level of the contact's types (itself, the place probes, a
/// lossless reading, what it expects), and every value takes a byte.
const DECODES_PER_BYTE: usize = 8;

/// A list of the contact repeated from one item, around other fields: the
/// shape of a body that costs the most repairs for its size.
#[derive(Arbitrary, Debug)]
struct Misfits<'a> {
    list: List,
    item: &'a str,
    repeat: u16,
    other_fields: &'a str,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum List {
    Tags,
    Experiences,
    Educations,
    Languages,
    Locations,
    CompanyIndustries,
}

impl Misfits<'_> {
    fn body(&self) -> Vec<u8> {
        let items = vec![self.item; usize::from(self.repeat)].join(",");
        let list = match self.list {
            List::Tags => format!(r#""tags":[{items}]"#),
            List::Experiences => format!(r#""experiences":[{items}]"#),
            List::Educations => format!(r#""educations":[{items}]"#),
            List::Languages => format!(r#""languages":[{items}]"#),
            List::Locations => format!(r#""locations":[{items}]"#),
            List::CompanyIndustries => format!(r#""company":{{"industries":[{items}]}}"#),
        };
        format!(
            r#"{{"data":{{"contact":{{{list},{}}}}}}}"#,
            self.other_fields
        )
        .into_bytes()
    }
}

fuzz_target!(|input: Misfits<'_>| {
    let body = input.body();
    let (result, decodes) = fuzzing::tolerant_work(&body);
    assert!(
        decodes <= DECODES_PER_BYTE * body.len(),
        "{decodes} decodes for {} bytes",
        body.len()
    );
    match result {
        Ok(paths) => assert!(paths.len() <= 1_000, "{} repairs", paths.len()),
        Err(reason) => assert!(!reason.is_empty()),
    }
});
