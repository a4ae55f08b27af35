//! A success body full of values that do not fit is read in time linear in
//! its size, and refused past 1,000 repairs: no response can hold a worker
//! for long. The update was applied all the same, and the error says so.

use talktohumans::{Error, fuzzing};

fn misfitting_tags(n: usize) -> Vec<u8> {
    let tags = vec!["1"; n].join(",");
    format!(r#"{{"data":{{"contact":{{"contact_id":"1","tags":[{tags}]}}}}}}"#).into_bytes()
}

async fn decode(body: &[u8]) -> Result<talktohumans::UpdateContactOutput, Error> {
    fuzzing::decode(200, &[], body)
        .await
        .expect("a valid status")
}

#[tokio::test]
async fn up_to_a_thousand_repairs_the_contact_is_read() {
    let output = decode(&misfitting_tags(999)).await.expect("the contact");
    assert_eq!(output.contact.contact_id.as_deref(), Some("1"));
    assert_eq!(output.drift.len(), 999);
    assert_eq!(output.drift[998].path(), "/data/contact/tags/998");
}

#[tokio::test]
async fn past_a_thousand_repairs_the_body_is_undecodable_and_applied() {
    let body = misfitting_tags(2_000);
    let error = decode(&body).await.unwrap_err();
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}");
    };
    assert!(error.applied(), "{error:?}");
    assert_eq!(undecodable.response().body().as_ref(), body.as_slice());
    assert!(
        undecodable.reason().contains("more than 1000 values"),
        "{error}"
    );
    assert!(error.to_string().contains("accepted the update"), "{error}");
}

/// 4 MiB of misfitting tags, about two million: before, each repair decoded
/// the whole contact again, for hours of work. The walk's work is counted,
/// not timed.
#[tokio::test]
async fn four_mebibytes_of_misfits_stop_at_the_limit() {
    let body = misfitting_tags(2 * 1024 * 1024 - 32);
    assert!(body.len() <= 4 * 1024 * 1024);
    let (result, decodes) = fuzzing::tolerant_work(&body);
    assert!(result.unwrap_err().contains("more than 1000 values"));
    assert!(decodes < 10_000, "{decodes} decodes");
    assert!(matches!(
        decode(&body).await,
        Err(Error::UndecodableResponse(_))
    ));
}
