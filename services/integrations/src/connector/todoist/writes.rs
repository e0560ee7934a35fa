//! Completing and reopening a Todoist task.
//!
//! Every write carries `X-Request-Id` = UUIDv5(user, task, action, the
//! caller's idempotency key), so a retry or a double tap is discarded by
//! Todoist while done → undo → done (new keys) is not. The same key is
//! also answered here from a receipt (kept an hour, in memory), so a
//! repeated complete answers the same `previous_due` instead of reading the
//! task again after it moved; calls with one key run one at a time.
//!
//! Undo: a one-off task is reopened; a recurring one gets its previous due
//! object back through the Sync command `item_update_date_complete` (whose
//! `uuid` is the derived request id), never a bare date.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shared_types::integrations::{CompletionKind, ReopenKind, TaskDue};
use uuid::Uuid;

use super::events::{with_due, with_task, without_closed};
use super::{Completion, ConnectorError, TodoistConnector};
use crate::domain::{IdempotencyKey, UserId};
use crate::todoist::{is_plain_id, request_id};

/// How long a write's answer is remembered.
const RECEIPT_TTL: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone)]
enum Receipt {
    Completed(Box<Completion>),
    Reopened(ReopenKind),
}

/// The answers of recent writes, by request id, and the last completion of
/// each (user, task), so an undo without `previous_due` still restores it.
#[derive(Default)]
pub(super) struct Receipts {
    by_request: Mutex<HashMap<Uuid, (Receipt, Instant)>>,
    last_completion: Mutex<HashMap<(UserId, String), (Completion, Instant)>>,
    running: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl Receipts {
    fn get(&self, id: &Uuid) -> Option<Receipt> {
        let map = self.by_request.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id)
            .filter(|(_, at)| at.elapsed() < RECEIPT_TTL)
            .map(|(r, _)| r.clone())
    }

    fn put(&self, id: Uuid, receipt: Receipt) {
        let mut map = self.by_request.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(id, (receipt, Instant::now()));
    }

    fn last_completion(&self, user: &UserId, item: &str) -> Option<Completion> {
        let map = self
            .last_completion
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.get(&(*user, item.to_owned()))
            .filter(|(_, at)| at.elapsed() < RECEIPT_TTL)
            .map(|(c, _)| c.clone())
    }

    fn remember_completion(&self, user: &UserId, item: &str, completion: &Completion) {
        let mut map = self
            .last_completion
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.insert(
            (*user, item.to_owned()),
            (completion.clone(), Instant::now()),
        );
    }

    /// Serialises the calls that share a request id.
    async fn one_at_a_time(&self, id: Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.entry(id).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// Forgets old receipts and idle locks (bounded memory).
    pub(super) fn prune(&self) {
        let fresh = |at: &Instant| at.elapsed() < RECEIPT_TTL;
        self.by_request
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, at)| fresh(at));
        self.last_completion
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, at)| fresh(at));
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, lock| Arc::strong_count(lock) > 1);
    }
}

impl TodoistConnector {
    pub(super) async fn complete_item(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Completion, ConnectorError> {
        if !is_plain_id(item_id) {
            return Err(ConnectorError::NotFound);
        }
        let id = request_id(user, item_id, "close", key.as_str());
        let _running = self.receipts.one_at_a_time(id).await;
        if let Some(Receipt::Completed(done)) = self.receipts.get(&id) {
            return Ok(*done);
        }
        let inner = &self.inner;
        let deadline = inner.deadline();
        let get = || {
            inner.with_token(user, |token| {
                let client = inner.client.clone();
                async move { client.get_task(user, &token, item_id, deadline).await }
            })
        };
        // The task as it is now: its due date is what an undo restores.
        let before = match get().await {
            Ok(task) => task,
            Err(ConnectorError::NotFound) => {
                // Gone at Todoist: not a candidate any more either.
                self.tasks
                    .patch(user, |tasks| without_closed(tasks, item_id));
                return Err(ConnectorError::NotFound);
            }
            Err(e) => return Err(e),
        };
        let completion = if before.checked {
            // Done already (in Todoist's app, or by a try whose answer was
            // lost): nothing to close.
            Completion {
                outcome: CompletionKind::Completed,
                previous_due: before.due.clone(),
                next_due: None,
            }
        } else {
            inner
                .with_token(user, |token| {
                    let client = inner.client.clone();
                    async move { client.close_task(user, &token, item_id, id, deadline).await }
                })
                .await?;
            if before.is_recurring() {
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
                    previous_due: before.due.clone(),
                    next_due,
                }
            } else {
                Completion {
                    outcome: CompletionKind::Completed,
                    previous_due: before.due.clone(),
                    next_due: None,
                }
            }
        };
        match (&completion.outcome, &completion.next_due) {
            (CompletionKind::Advanced, Some(next)) => self
                .tasks
                .patch(user, |tasks| with_due(tasks, item_id, next)),
            _ => self
                .tasks
                .patch(user, |tasks| without_closed(tasks, item_id)),
        };
        self.receipts
            .put(id, Receipt::Completed(Box::new(completion.clone())));
        self.receipts
            .remember_completion(user, item_id, &completion);
        Ok(completion)
    }

    pub(super) async fn reopen_item(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        previous_due: Option<TaskDue>,
    ) -> Result<ReopenKind, ConnectorError> {
        if !is_plain_id(item_id) {
            return Err(ConnectorError::NotFound);
        }
        let id = request_id(user, item_id, "reopen", key.as_str());
        let _running = self.receipts.one_at_a_time(id).await;
        if let Some(Receipt::Reopened(kind)) = self.receipts.get(&id) {
            return Ok(kind);
        }
        let previous_due = previous_due.or_else(|| {
            self.receipts
                .last_completion(user, item_id)
                .and_then(|c| c.previous_due)
        });
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
                    .patch(user, |tasks| with_due(tasks, item_id, &due));
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
                        self.tasks.patch(user, |tasks| with_task(tasks, &task));
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reading a task after its reopen"),
                }
                ReopenKind::Reopened
            }
        };
        self.receipts.put(id, Receipt::Reopened(kind));
        Ok(kind)
    }
}
