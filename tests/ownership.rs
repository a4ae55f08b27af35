//! Builders own what they need: an update, its send future and a bulk stream
//! can outlive the scope of the client that made them, and move between
//! threads.

use std::future::Future;

use futures_util::StreamExt;
use talktohumans::mock::{MockServer, seed};
use talktohumans::{BulkUpdates, Client, UpdateContactFluentBuilder, UpdateContactInput};

fn owned<T: Send + 'static>(value: T) -> T {
    value
}

/// The client is a local: what it returns outlives it.
async fn update_for(mock: &MockServer) -> UpdateContactFluentBuilder {
    let client: Client = mock.client_builder().build().unwrap();
    client
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag("Spawned")
}

fn batch_for(client: Client) -> BulkUpdates {
    let inputs = ["Batch 1", "Batch 2"].map(|tag| {
        UpdateContactInput::builder(seed::MAYA_CHEN)
            .add_tag(tag)
            .build()
            .unwrap()
    });
    client.update_contacts(inputs)
}

struct Job {
    update: UpdateContactFluentBuilder,
}

#[tokio::test]
async fn an_update_built_from_a_local_client_is_sent_from_a_task() {
    let mock = MockServer::start().await.unwrap();
    let job = owned(Job {
        update: update_for(&mock).await,
    });
    let future = owned(job.update.send());
    let output = tokio::spawn(future).await.unwrap().unwrap();
    assert!(
        output
            .contact
            .tags
            .unwrap()
            .iter()
            .any(|t| t.name.as_deref() == Some("Spawned"))
    );
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn a_bulk_stream_runs_in_a_task_after_its_client_is_dropped() {
    let mock = MockServer::start().await.unwrap();
    let results = owned(batch_for(mock.client_builder().build().unwrap()));
    let outcomes = tokio::spawn(async move {
        let mut results = results;
        let mut ok = 0;
        while let Some(item) = results.next().await {
            ok += usize::from(item.result.is_ok());
        }
        (ok, results.summary().clone())
    })
    .await
    .unwrap();
    assert_eq!(outcomes.0, 2);
    assert_eq!(outcomes.1.succeeded, 2);
    let tags = mock.contact(seed::MAYA_CHEN).unwrap().tag_names().join(",");
    assert!(tags.ends_with("Batch 1,Batch 2"), "{tags}");
}

/// Compiles only while the send future of `Client::send` is `Send`.
fn _client_send_is_send(client: &Client, input: &UpdateContactInput) -> impl Future + Send {
    client.send(input)
}
