//! One contact, one update at a time: in a batch, the updates of a contact
//! apply in input order, whatever the latency, while other contacts' go on;
//! and with `stop_contact_on_failure`, a failed update holds back the later
//! ones of its contact.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use talktohumans::mock::{Fault, MockContact, MockServer, RandomFaults};
use talktohumans::{BulkOptions, Error, NotSent, Tag, UpdateContactInput};

const ACCOUNT: &str = "42";

/// A small seeded generator, so that each run's rows can be told by its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

fn contact_ids(contacts: u32) -> Vec<String> {
    (1..=contacts).map(|i| (9100 + i).to_string()).collect()
}

async fn mock_of(ids: &[String]) -> MockServer {
    support::start(
        MockServer::builder()
            .without_default_seed()
            .contacts(ids.iter().map(|id| MockContact::new(id, ACCOUNT))),
    )
    .await
}

/// `rows` updates over `ids`, each a `set`, an `add`, a `remove`, new notes,
/// or an `add` with notes, drawn from `seed`.
fn rows(seed: u64, ids: &[String], rows: usize) -> Vec<UpdateContactInput> {
    const NAMES: [&str; 5] = ["Hot lead", "Q4", "Partner", "Renewal", "Churn risk"];
    const COLORS: [&str; 3] = ["red", "green", "blue"];
    let mut rng = Rng(seed);
    (0..rows)
        .map(|row| {
            let id = &ids[rng.below(ids.len() as u64) as usize];
            let first = rng.below(NAMES.len() as u64) as usize;
            // A different name: one name twice in a list may not have two colors.
            let second = (first + 1 + rng.below(NAMES.len() as u64 - 1) as usize) % NAMES.len();
            let mut tag_named = |name: usize| {
                let tag = Tag::new(NAMES[name]);
                match rng.below(4) {
                    0 => tag,
                    color => tag.with_color(COLORS[color as usize - 1]),
                }
            };
            let mut tag = || tag_named(first);
            let builder = UpdateContactInput::builder(id);
            let builder = match row % 5 {
                0 => builder.set_tags([tag_named(first), tag_named(second)]),
                1 => builder.add_tag(tag()),
                2 => builder.remove_tag(tag().name()),
                3 => builder.notes(&serde_json::json!({"row": row})),
                _ => builder
                    .add_tag(tag())
                    .notes(&serde_json::json!({"row": row, "with": "tag"})),
            };
            builder.build().unwrap()
        })
        .collect()
}

/// The updates of one contact never overlap and land in input order: over
/// 100 seeded runs of 60 rows over 6 contacts, at concurrency 8 against a
/// mock that answers each request after 0 to 20 ms at random, every
/// contact ends as the rows applied one by one, in order, leave it.
#[tokio::test]
async fn a_contacts_updates_apply_in_input_order_whatever_the_latency() {
    // Twenty runs at a time: each waits mostly on the mock's latency.
    for seeds in (0..100u64).collect::<Vec<_>>().chunks(20) {
        futures_util::future::join_all(seeds.iter().map(|&seed| one_run(seed))).await;
    }
}

async fn one_run(seed: u64) {
    let ids = contact_ids(6);
    let inputs = rows(seed, &ids, 60);

    let expected = mock_of(&ids).await;
    let client = expected.client_builder().build().unwrap();
    for input in &inputs {
        client.send(input).await.unwrap();
    }

    let mock = mock_of(&ids).await;
    let mut faults = RandomFaults::new(seed, 1.0);
    for latency in [0, 5, 10, 15, 20] {
        faults = faults.fault(Fault::delay(Duration::from_millis(latency)));
    }
    mock.random_faults(faults);
    let client = mock.client_builder().build().unwrap();
    let mut batch = client.update_contacts_with(
        BulkOptions::default().concurrency(8).unordered(),
        futures_util::stream::iter(inputs),
    );
    while let Some(item) = batch.next().await {
        item.result.unwrap();
    }
    for id in &ids {
        assert_eq!(
            mock.contact(id),
            expected.contact(id),
            "seed {seed}: contact {id} does not end as its rows in order leave it"
        );
    }
}

/// While one contact's long line of updates goes one at a time, the other
/// contacts' updates do not wait behind it.
#[tokio::test]
async fn a_contacts_line_does_not_hold_back_other_contacts() {
    let ids = contact_ids(21);
    let mock = mock_of(&ids).await;
    // Long, so that a loaded machine's slowness is never taken for the line
    // holding the others back: a pass takes well under a second.
    let stall = Duration::from_secs(60);
    // The first request, the first of contact 0's updates, stalls.
    mock.delay_next(1, stall);
    let (first, others) = ids.split_first().unwrap();
    let inputs: Vec<_> = (0..20)
        .map(|i| {
            UpdateContactInput::builder(first)
                .add_tag(format!("Line {i}"))
                .build()
                .unwrap()
        })
        .chain(others.iter().map(|id| {
            UpdateContactInput::builder(id)
                .add_tag("Q4")
                .build()
                .unwrap()
        }))
        .collect();
    let client = mock.client_builder().build().unwrap();
    let mut batch = client.update_contacts_with(
        // A fixed limit: the adaptive one may lower itself to the single
        // slot the stalled head holds when a loaded machine answers slowly.
        BulkOptions::default()
            .concurrency(2)
            .adaptive(false)
            .unordered(),
        futures_util::stream::iter(inputs),
    );
    // The 20 other contacts are updated while the line waits for its head.
    let started = Instant::now();
    let mut others_done = 0;
    while others_done < 20 {
        let item = tokio::time::timeout(stall / 2, batch.next())
            .await
            .expect("the other contacts were held back")
            .unwrap();
        assert_ne!(item.contact_id.as_str(), first, "the line went on early");
        item.result.unwrap();
        others_done += 1;
    }
    assert!(started.elapsed() < stall);
    // One request of the line so far: its head.
    assert_eq!(mock.request_count(), 21);
}

/// With `stop_contact_on_failure`, the updates of a contact after one that
/// failed are not sent, and say which one failed; other contacts go on,
/// and so does a contact whose update failed without the option.
#[tokio::test]
async fn a_failed_update_holds_back_its_contacts_later_updates() {
    let ids = contact_ids(2);
    let (held, free) = (&ids[0], &ids[1]);
    // Account 77 is not the contact's: the mock answers 404.
    let failing = UpdateContactInput::builder(held)
        .account_id("77")
        .add_tag("A")
        .build()
        .unwrap();
    let later = |id: &str, tag: &str| {
        UpdateContactInput::builder(id)
            .add_tag(tag)
            .build()
            .unwrap()
    };
    let inputs = vec![
        later(held, "Before"),
        failing,
        later(free, "B"),
        later(held, "C"),
        later(held, "D"),
    ];

    let mock = mock_of(&ids).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    let options = BulkOptions::default().stop_contact_on_failure(true);
    let items: Vec<_> = client
        .update_contacts_with(options, futures_util::stream::iter(inputs.clone()))
        .collect()
        .await;
    assert!(items[0].result.is_ok());
    assert_eq!(items[1].result.as_ref().unwrap_err().status().unwrap(), 404);
    assert!(items[2].result.is_ok());
    for item in &items[3..] {
        match &item.result {
            Err(Error::NotSent(NotSent::EarlierUpdateFailed { index: 1 })) => {}
            other => panic!("update {} was not held back: {other:?}", item.index),
        }
        let error = item.result.as_ref().unwrap_err();
        assert_eq!(error.attempts(), 0);
        assert!(!error.applied());
    }
    assert_eq!(mock.request_count(), 3);
    assert_eq!(mock.contact(held).unwrap().tag_names(), ["Before"]);

    // Without the option, the later updates go out.
    let mock = mock_of(&ids).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    let items: Vec<_> = client.update_contacts(inputs).collect().await;
    assert!(items[3].result.is_ok() && items[4].result.is_ok());
    assert_eq!(mock.request_count(), 5);
    assert_eq!(
        mock.contact(held).unwrap().tag_names(),
        ["Before", "C", "D"]
    );
}

/// A failure holds back its contact's later updates also when the line had
/// emptied in between: an update that comes only after the failed one has
/// ended (here, fed once its result is out) is held back all the same.
#[tokio::test]
async fn a_failure_holds_back_an_update_that_comes_after_its_line_emptied() {
    let ids = contact_ids(2);
    let (held, free) = (&ids[0], &ids[1]);
    let mock = mock_of(&ids).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    let (feed, fed) = tokio::sync::mpsc::unbounded_channel();
    let inputs = futures_util::stream::unfold(fed, |mut fed| async move {
        fed.recv().await.map(|input| (input, fed))
    });
    let options = BulkOptions::default()
        .stop_contact_on_failure(true)
        .unordered();
    let mut batch = client.update_contacts_with(options, inputs);
    // Account 77 is not the contact's: the mock answers 404.
    let failing = UpdateContactInput::builder(held)
        .account_id("77")
        .add_tag("A")
        .build()
        .unwrap();
    feed.send(failing).unwrap();
    let first = batch.next().await.unwrap();
    assert_eq!(first.result.unwrap_err().status().unwrap(), 404);
    for id in [free, held] {
        let later = UpdateContactInput::builder(id)
            .add_tag("B")
            .build()
            .unwrap();
        feed.send(later).unwrap();
    }
    drop(feed);
    let rest: Vec<_> = batch.collect().await;
    let held_result = rest.iter().find(|item| item.index == 2).unwrap();
    match &held_result.result {
        Err(Error::NotSent(NotSent::EarlierUpdateFailed { index: 0 })) => {}
        other => panic!("the later update was sent: {other:?}"),
    }
    assert!(
        rest.iter()
            .find(|item| item.index == 1)
            .unwrap()
            .result
            .is_ok()
    );
    assert_eq!(mock.request_count(), 2);
}

/// An update the server applied but whose answer could not be read is not a
/// failure that holds back the contact's later updates.
#[tokio::test]
async fn an_applied_update_with_an_unreadable_answer_holds_nothing_back() {
    let ids = contact_ids(1);
    let mock = mock_of(&ids).await;
    mock.inject(
        1,
        Fault::status(http::StatusCode::OK).raw_body("text/html", "<h1>done</h1>"),
    );
    let client = mock.client_builder().max_retries(0).build().unwrap();
    let inputs = ["A", "B"].map(|tag| {
        UpdateContactInput::builder(&ids[0])
            .add_tag(tag)
            .build()
            .unwrap()
    });
    let options = BulkOptions::default().stop_contact_on_failure(true);
    let items: Vec<_> = client
        .update_contacts_with(options, futures_util::stream::iter(inputs))
        .collect()
        .await;
    assert!(items[0].result.as_ref().unwrap_err().applied());
    assert!(items[1].result.is_ok());
    assert_eq!(mock.request_count(), 2);
}
