//! Completing and reopening a Todoist task.
//!
//! Every write carries `X-Request-Id` = UUIDv5(user, task, action, the
//! caller's idempotency key), so a retry or a double tap is discarded by
//! Todoist while done → undo → done (new keys) is not. Each write is also
//! recorded in `write_receipts` before it is sent (with the due date an undo
//! needs) and answered there after, in one transaction with the write's
//! event (into the outbox): the same key, even after a crash or a restart,
//! gets the first answer, not a re-read of a task that has moved since, and
//! the write has exactly one event. Calls with one key run one at a time in
//! a process.
//!
//! Undo: a one-off task is reopened; a recurring one gets its previous due
//! object back through the Sync command `item_update_date_complete` (whose
//! `uuid` is the derived request id), never a bare date.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shared_types::integrations::{CompletionKind, ReopenKind, TaskDue};
use uuid::Uuid;

use super::events::{with_due, with_task, without_closed};
use super::{Completion, ConnectorError, EventOf, NAME, TodoistConnector};
use crate::domain::{IdempotencyKey, UserId};
use crate::store::{Store, StoreError, WriteReceipt};
use crate::todoist::{is_plain_id, request_id};

/// How long a write's receipt is kept.
pub(super) const RECEIPT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// One write at a time per request id, in this process.
#[derive(Default)]
pub(super) struct Receipts {
    running: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl Receipts {
    /// Serialises the calls that share a request id.
    async fn one_at_a_time(&self, id: Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.entry(id).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// Forgets idle locks (bounded memory).
    pub(super) fn prune(&self) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, lock| Arc::strong_count(lock) > 1);
    }
}

fn corrupt(_: serde_json::Error) -> ConnectorError {
    ConnectorError::Store(StoreError::Corrupt("write_receipts"))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ConnectorError> {
    serde_json::to_string(value).map_err(corrupt)
}

fn due_of(receipt: &WriteReceipt) -> Result<Option<TaskDue>, ConnectorError> {
    receipt
        .previous_due
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(corrupt)
}

/// A receipt about to be sent.
fn pending(
    id: Uuid,
    user: &UserId,
    item_id: &str,
    action: &str,
    previous_due: &Option<TaskDue>,
) -> Result<WriteReceipt, ConnectorError> {
    Ok(WriteReceipt {
        request_id: id.hyphenated().to_string(),
        user: *user,
        provider: NAME.to_owned(),
        item_id: item_id.to_owned(),
        action: action.to_owned(),
        previous_due: previous_due.as_ref().map(to_json).transpose()?,
        answer: None,
        created_at: platform::db::now_millis(),
    })
}

/// Records the write's answer and its event, in one transaction.
async fn finish<T: serde::Serialize>(
    store: &Store,
    id: Uuid,
    answer: &T,
    event: EventOf<'_, T>,
) -> Result<(), ConnectorError> {
    let text = to_json(answer)?;
    store
        .finish_receipt(
            &id.hyphenated().to_string(),
            &text,
            platform::db::now_millis(),
            Some(&event(answer)),
        )
        .await?;
    Ok(())
}

impl TodoistConnector {
    pub(super) async fn complete_item(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        event: EventOf<'_, Completion>,
    ) -> Result<Completion, ConnectorError> {
        if !is_plain_id(item_id) {
            return Err(ConnectorError::NotFound);
        }
        let id = request_id(user, item_id, "close", key.as_str());
        let _running = self.receipts.one_at_a_time(id).await;
        let store = self.inner.credentials.store();
        let receipt = store.get_receipt(&id.hyphenated().to_string()).await?;
        if let Some(answer) = receipt.as_ref().and_then(|r| r.answer.as_deref()) {
            return serde_json::from_str(answer).map_err(corrupt);
        }
        let inner = &self.inner;
        let deadline = inner.deadline();
        let get = || {
            inner.with_token(user, |token| {
                let client = inner.client.clone();
                async move { client.get_task(user, &token, item_id, deadline).await }
            })
        };
        let before = match get().await {
            Ok(task) => task,
            Err(ConnectorError::NotFound) => {
                // Gone at Todoist: not a candidate any more either.
                self.tasks
                    .patch(user, |list| without_closed(&list.tasks, item_id).into());
                return Err(ConnectorError::NotFound);
            }
            Err(e) => return Err(e),
        };
        // What an undo restores: the due date before the first try, which a
        // pending receipt (a try that crashed or lost its answer) kept.
        let previous_due = match &receipt {
            Some(r) => due_of(r)?,
            None => {
                let due = before.due.clone();
                store
                    .begin_receipt(&pending(id, user, item_id, "close", &due)?)
                    .await?;
                due
            }
        };
        let recurring =
            before.is_recurring() || previous_due.as_ref().is_some_and(|d| d.is_recurring);
        let completion = if before.checked {
            // Done already (in Todoist's app, or by a try whose answer was
            // lost): nothing to close.
            Completion {
                outcome: CompletionKind::Completed,
                previous_due,
                next_due: None,
            }
        } else {
            inner
                .with_token(user, |token| {
                    let client = inner.client.clone();
                    async move { client.close_task(user, &token, item_id, id, deadline).await }
                })
                .await?;
            if recurring {
                // Where it moved, when Todoist says; the close stands anyway.
                let next_due = match get().await {
                    Ok(after) => after.due,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading a recurring task after its close");
                        None
                    }
                };
                Completion {
                    outcome: CompletionKind::Advanced,
                    previous_due,
                    next_due,
                }
            } else {
                Completion {
                    outcome: CompletionKind::Completed,
                    previous_due,
                    next_due: None,
                }
            }
        };
        finish(store, id, &completion, event).await?;
        match (&completion.outcome, &completion.next_due) {
            (CompletionKind::Advanced, Some(next)) => self
                .tasks
                .patch(user, |list| with_due(&list.tasks, item_id, next).into()),
            _ => self
                .tasks
                .patch(user, |list| without_closed(&list.tasks, item_id).into()),
        };
        Ok(completion)
    }

    pub(super) async fn reopen_item(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        previous_due: Option<TaskDue>,
        event: EventOf<'_, ReopenKind>,
    ) -> Result<ReopenKind, ConnectorError> {
        if !is_plain_id(item_id) {
            return Err(ConnectorError::NotFound);
        }
        let id = request_id(user, item_id, "reopen", key.as_str());
        let _running = self.receipts.one_at_a_time(id).await;
        let store = self.inner.credentials.store();
        let receipt = store.get_receipt(&id.hyphenated().to_string()).await?;
        if let Some(answer) = receipt.as_ref().and_then(|r| r.answer.as_deref()) {
            return serde_json::from_str(answer).map_err(corrupt);
        }
        // Without one from the caller: the one a first try of this undo
        // kept, else the due date kept at the item's last close.
        let previous_due = match (previous_due, &receipt) {
            (Some(due), _) => Some(due),
            (None, Some(pending)) => due_of(pending)?,
            (None, None) => match store.last_receipt(user, NAME, item_id, "close").await? {
                Some(close) => due_of(&close)?,
                None => None,
            },
        };
        if receipt.is_none() {
            store
                .begin_receipt(&pending(id, user, item_id, "reopen", &previous_due)?)
                .await?;
        }
        let inner = &self.inner;
        let deadline = inner.deadline();
        let kind = match previous_due.filter(|d| d.is_recurring) {
            Some(due) => {
                inner
                    .with_token(user, |token| {
                        let client = inner.client.clone();
                        let due = due.clone();
                        async move {
                            client
                                .restore_due(user, &token, item_id, &due, id, deadline)
                                .await
                        }
                    })
                    .await?;
                self.tasks
                    .patch(user, |list| with_due(&list.tasks, item_id, &due).into());
                ReopenKind::Restored
            }
            None => {
                inner
                    .with_token(user, |token| {
                        let client = inner.client.clone();
                        async move {
                            client
                                .reopen_task(user, &token, item_id, id, deadline)
                                .await
                        }
                    })
                    .await?;
                // Put it back in the cached list, as Todoist now has it.
                let task = inner
                    .with_token(user, |token| {
                        let client = inner.client.clone();
                        async move { client.get_task(user, &token, item_id, deadline).await }
                    })
                    .await;
                match task {
                    Ok(task) if !task.checked => {
                        self.tasks
                            .patch(user, |list| with_task(&list.tasks, &task).into());
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reading a task after its reopen"),
                }
                ReopenKind::Reopened
            }
        };
        finish(store, id, &kind, event).await?;
        Ok(kind)
    }
}
