//! The mock's dropped connections and seeded random faults, which the
//! bulk-under-faults benchmark relies on.

mod support;

use std::time::Duration;

use http::StatusCode;
use support::client;
use talktohumans::ErrorKind;
use talktohumans::mock::{Fault, MockServer, RandomFaults, seed};

#[tokio::test]
async fn a_disconnect_before_handling_leaves_the_contact_as_it_was() {
    let mock = MockServer::start().await.unwrap();
    mock.inject(1, Fault::disconnect());
    let error = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .add_tag("Dropped")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert!(
        !mock
            .contact(seed::MAYA_CHEN)
            .unwrap()
            .tag_names()
            .contains(&"Dropped")
    );
    assert_eq!(mock.contact(seed::MAYA_CHEN).unwrap().update_count(), 0);
}

#[tokio::test]
async fn a_disconnect_after_applying_loses_only_the_answer() {
    let mock = MockServer::start().await.unwrap();
    mock.inject(1, Fault::disconnect_after_applying());
    let error = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .add_tag("Applied")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert!(
        mock.contact(seed::MAYA_CHEN)
            .unwrap()
            .tag_names()
            .contains(&"Applied")
    );
    // A retry converges: adding a present tag changes nothing more.
    let output = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .add_tag("Applied")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = output
        .contact
        .tags
        .unwrap()
        .into_iter()
        .filter_map(|t| t.name)
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "Applied").count(), 1);
}

/// Which of `n` sequential requests fail, as a string of `x` and `.`.
async fn pattern(mock: &MockServer, n: usize) -> String {
    let client = client(mock);
    let mut seen = String::new();
    for i in 0..n {
        let result = client
            .update_contact(seed::MAYA_CHEN)
            .add_tag(format!("Tag {i}"))
            .send()
            .await;
        seen.push(if result.is_ok() { '.' } else { 'x' });
    }
    seen
}

fn unavailable(seed: u64, rate: f64) -> RandomFaults {
    RandomFaults::new(seed, rate).fault(Fault::status(StatusCode::SERVICE_UNAVAILABLE))
}

#[tokio::test]
async fn random_faults_follow_their_rate_and_repeat_with_their_seed() {
    let mock = MockServer::start().await.unwrap();
    mock.random_faults(unavailable(7, 0.3));
    let first = pattern(&mock, 200).await;
    let failed = first.matches('x').count();
    assert!((30..=90).contains(&failed), "{failed} of 200 at a 30% rate");

    mock.random_faults(unavailable(7, 0.3));
    assert_eq!(pattern(&mock, 200).await, first, "the same seed repeats");
    mock.random_faults(unavailable(8, 0.3));
    assert_ne!(pattern(&mock, 200).await, first, "another seed differs");

    mock.random_faults(unavailable(7, 1.0));
    assert_eq!(pattern(&mock, 5).await, "xxxxx");
    mock.random_faults(unavailable(7, 0.0));
    assert_eq!(pattern(&mock, 5).await, ".....");
}

#[tokio::test]
async fn queued_faults_come_first_and_clearing_ends_random_ones() {
    let mock = MockServer::start().await.unwrap();
    mock.random_faults(unavailable(1, 1.0));
    mock.inject(1, Fault::delay(Duration::from_millis(1)));
    assert_eq!(pattern(&mock, 3).await, ".xx");
    mock.clear_faults();
    assert_eq!(pattern(&mock, 3).await, "...");
}
