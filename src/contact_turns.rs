//! One contact, one update at a time: within a batch, an update of a contact
//! starts only once every earlier update of the same contact has finished,
//! retries included.
//!
//! Two updates of one contact that overlap race at the server: a `set`
//! followed by an `add`, or two notes, would end in whichever order the
//! server happened to apply them, and a retry of the first could land after
//! the second. Updates of different contacts do not touch each other and
//! stay concurrent.
//!
//! Each update takes a [`Turn`] when the batch takes it from its input,
//! which is in input order; the turn waits for the one before it of the same
//! contact, and hands on how its own update went. Only contacts with an
//! update in the batch's hands are remembered, so the memory is bounded by
//! the batch's window, not by its input; and, when a failure holds back the
//! contact's later updates, the contacts whose update failed, so that an
//! update of such a contact that comes after its line emptied is held back
//! too.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::ids::ContactId;

/// How an update of a contact ended, as the next update of that contact
/// learns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// Applied, or at least not known to have failed.
    Applied,
    /// Failed; `first` is the input index of the first update of the contact
    /// that failed (this one, or one before it that held this one back).
    Failed { first: usize },
}

/// The latest update of each contact that the batch holds.
#[derive(Debug, Default)]
pub(crate) struct ContactTurns {
    latest: Mutex<HashMap<ContactId, Latest>>,
    /// The first failed update of each contact that had one, when failures
    /// are remembered: `None` when they are not.
    failed: Option<Mutex<HashMap<ContactId, usize>>>,
}

#[derive(Debug)]
struct Latest {
    /// The input index of that update: who the entry belongs to.
    index: usize,
    /// Where it will say how it ended.
    ended: oneshot::Receiver<Ended>,
}

impl ContactTurns {
    /// Turns that remember each contact's first failure for as long as the
    /// batch runs, when `remember_failures`.
    pub(crate) fn new(remember_failures: bool) -> Self {
        Self {
            latest: Mutex::default(),
            failed: remember_failures.then(Mutex::default),
        }
    }

    fn failed(&self) -> Option<MutexGuard<'_, HashMap<ContactId, usize>>> {
        let failed = self.failed.as_ref()?;
        Some(failed.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn latest(&self) -> MutexGuard<'_, HashMap<ContactId, Latest>> {
        // Nothing panics while holding the lock; a batch must keep going.
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The turn of the update at `index` of `contact`, behind the latest
    /// one of the same contact. Called in input order.
    pub(crate) fn enter(self: &Arc<Self>, contact: &ContactId, index: usize) -> Turn {
        let (tell, ended) = oneshot::channel();
        let mine = Latest { index, ended };
        let before = match self.latest().entry(contact.clone()) {
            Entry::Occupied(mut entry) => Some(std::mem::replace(entry.get_mut(), mine).ended),
            Entry::Vacant(entry) => {
                entry.insert(mine);
                None
            }
        };
        let failed_before = self
            .failed()
            .and_then(|failed| failed.get(contact).copied());
        Turn {
            turns: Arc::clone(self),
            contact: contact.clone(),
            index,
            before,
            failed_before,
            tell: Some(tell),
        }
    }
}

/// An update's place in its contact's line.
#[derive(Debug)]
pub(crate) struct Turn {
    turns: Arc<ContactTurns>,
    contact: ContactId,
    index: usize,
    before: Option<oneshot::Receiver<Ended>>,
    /// The contact's first failed update, when one had failed by the time
    /// this one entered.
    failed_before: Option<usize>,
    tell: Option<oneshot::Sender<Ended>>,
}

impl Turn {
    /// Waits until the update before this one of the same contact has ended,
    /// and says how; `None` when there was none, or it was abandoned (its
    /// batch is being dropped).
    pub(crate) async fn wait(&mut self) -> Option<Ended> {
        let failed_before = self.failed_before.map(|first| Ended::Failed { first });
        match self.before.take() {
            Some(before) => before.await.ok().or(failed_before),
            None => failed_before,
        }
    }

    /// Hands on how this update ended to the next one of the contact, and
    /// forgets the contact when no later update of it has come.
    pub(crate) fn end(mut self, ended: Ended) {
        if let Ended::Failed { first } = ended
            && let Some(mut failed) = self.turns.failed()
        {
            failed.entry(self.contact.clone()).or_insert(first);
        }
        if let Some(tell) = self.tell.take() {
            // The next update may be gone with its batch; nothing to tell.
            let _ = tell.send(ended);
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut latest = self.turns.latest();
        if let Entry::Occupied(entry) = latest.entry(self.contact.clone())
            && entry.get().index == self.index
        {
            entry.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ContactId {
        ContactId::new(text).unwrap()
    }

    #[tokio::test]
    async fn a_turn_waits_for_the_one_before_of_its_contact_only() {
        let turns = Arc::new(ContactTurns::default());
        let mut first = turns.enter(&id("1"), 0);
        let mut other = turns.enter(&id("2"), 1);
        let mut second = turns.enter(&id("1"), 2);
        assert_eq!(first.wait().await, None);
        assert_eq!(other.wait().await, None);
        let waiting = tokio::spawn(async move { second.wait().await });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        first.end(Ended::Failed { first: 0 });
        assert_eq!(waiting.await.unwrap(), Some(Ended::Failed { first: 0 }));
        other.end(Ended::Applied);
    }

    #[tokio::test]
    async fn contacts_are_forgotten_once_their_last_update_ends() {
        let turns = Arc::new(ContactTurns::default());
        let first = turns.enter(&id("1"), 0);
        let mut second = turns.enter(&id("1"), 1);
        first.end(Ended::Applied);
        assert_eq!(turns.latest().len(), 1, "the second is still the latest");
        assert_eq!(second.wait().await, Some(Ended::Applied));
        second.end(Ended::Applied);
        assert!(turns.latest().is_empty());
    }

    #[tokio::test]
    async fn a_failure_is_remembered_after_the_line_empties_when_asked() {
        for remember in [true, false] {
            let turns = Arc::new(ContactTurns::new(remember));
            let first = turns.enter(&id("1"), 0);
            first.end(Ended::Failed { first: 0 });
            assert!(turns.latest().is_empty(), "the line is empty");
            let mut later = turns.enter(&id("1"), 5);
            let expected = remember.then_some(Ended::Failed { first: 0 });
            assert_eq!(later.wait().await, expected, "remember: {remember}");
            let mut other = turns.enter(&id("2"), 6);
            assert_eq!(other.wait().await, None);
        }
    }

    #[tokio::test]
    async fn an_abandoned_turn_lets_the_next_one_go() {
        let turns = Arc::new(ContactTurns::default());
        let first = turns.enter(&id("1"), 0);
        let mut second = turns.enter(&id("1"), 1);
        drop(first);
        assert_eq!(second.wait().await, None);
    }
}
