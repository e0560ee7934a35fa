//! Done, skip and undo. Each is idempotent by (decision, action, key): the
//! same key again answers what the first answered. A done is recorded as
//! pending, written to the provider through integrations, then marked done
//! and emitted; a crash in between, retried with the same key, sends the
//! provider the same request id, so the task is completed once.

use std::collections::HashSet;

use serde_json::{Value, json};
use shared_types::TipKind;
use shared_types::recommender::{DecisionStatus, SkipReason, TipActionAnswer};
use uuid::Uuid;

use super::{Caller, Recommender, TipError};
use crate::clock::rfc3339;
use crate::integrations::WriteError;
use crate::store::{ActionState, DecisionRow};

impl Recommender {
    async fn owned(&self, caller: &Caller, id: Uuid) -> Result<DecisionRow, TipError> {
        self.store
            .decision(caller.user, id)
            .await?
            .ok_or(TipError::NotFound)
    }

    /// The stored answer of (decision, action, key), when finished.
    async fn replay(
        &self,
        id: Uuid,
        action: &str,
        key: &str,
    ) -> Result<Option<(TipActionAnswer, bool)>, TipError> {
        match self.store.action(id, action, key).await? {
            Some(ActionState::Finished(answer)) => Ok(Some((
                serde_json::from_value(answer).map_err(|_| {
                    TipError::Store(crate::store::StoreError::Corrupt("tip_actions.answer"))
                })?,
                true,
            ))),
            Some(ActionState::Pending) => Ok(Some((placeholder(), false))),
            None => Ok(None),
        }
    }

    async fn finish(
        &self,
        id: Uuid,
        action: &str,
        key: &str,
        answer: &TipActionAnswer,
    ) -> Result<(), TipError> {
        let value = serde_json::to_value(answer).unwrap_or(Value::Null);
        self.store.finish_action(id, action, key, &value).await?;
        Ok(())
    }

    /// `POST /api/tips/{id}/done`.
    pub async fn done(
        &self,
        caller: &Caller,
        id: Uuid,
        key: &str,
    ) -> Result<TipActionAnswer, TipError> {
        let _one_at_a_time = self.lock(caller.user).await;
        let decision = self.owned(caller, id).await?;
        let retrying = match self.replay(id, "done", key).await? {
            Some((answer, true)) => return Ok(answer),
            Some((_, false)) => true,
            None => false,
        };
        match decision.status {
            DecisionStatus::Open => {}
            // A pending done is finished by the retry that carries its key.
            DecisionStatus::Pending if retrying => {}
            DecisionStatus::Pending | DecisionStatus::Done | DecisionStatus::Undone => {
                return Err(TipError::AlreadyDone);
            }
            _ => return Err(TipError::NotOpen),
        }
        let now = self.clock.now_millis();
        self.store.begin_action(id, "done", key, now).await?;
        self.store
            .set_status(
                id,
                &[DecisionStatus::Open, DecisionStatus::Pending],
                DecisionStatus::Pending,
                now,
            )
            .await?;
        let completion = match decision.tip.kind {
            TipKind::Advice => None,
            TipKind::Todo => {
                let result = self
                    .integrations
                    .complete(
                        &caller.token,
                        caller.request_id.as_deref(),
                        &decision.tip.source,
                        item_id(&decision),
                        key,
                        id,
                    )
                    .await;
                match result {
                    Ok(outcome) => Some(outcome),
                    Err(e) => {
                        // Nothing was completed: the decision stays open.
                        let back = if matches!(e, WriteError::NotFound) {
                            DecisionStatus::Superseded
                        } else {
                            DecisionStatus::Open
                        };
                        self.store
                            .set_status(
                                id,
                                &[DecisionStatus::Pending],
                                back,
                                self.clock.now_millis(),
                            )
                            .await?;
                        self.store.drop_action(id, "done", key).await?;
                        return Err(write_error(e));
                    }
                }
            }
        };
        let at = self.clock.now_millis();
        let undo_until = at + self.params.undo_window.as_millis() as i64;
        let event = self.feedback(
            caller,
            &decision,
            shared_types::events::kinds::TIP_DONE,
            json!({ "idempotency_key": key, "completion": completion }),
        );
        if self.local_events {
            // The decision is done exactly when its event is stored.
            self.store
                .mark_done_with(id, at, undo_until, completion.as_ref(), Some(&event))
                .await?;
        } else {
            self.store
                .mark_done(id, at, undo_until, completion.as_ref())
                .await?;
            platform::events::emit_logged(self.events.as_ref(), event).await;
        }
        let next = self.recommend_locked(caller, Value::Null, false).await?;
        let answer = TipActionAnswer {
            status: DecisionStatus::Done,
            undo_until: Some(rfc3339(undo_until)),
            next: Some(next),
        };
        self.finish(id, "done", key, &answer).await?;
        Ok(answer)
    }

    /// `POST /api/tips/{id}/skip`.
    pub async fn skip(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: Option<SkipReason>,
        key: &str,
    ) -> Result<TipActionAnswer, TipError> {
        let _one_at_a_time = self.lock(caller.user).await;
        let decision = self.owned(caller, id).await?;
        if let Some((answer, true)) = self.replay(id, "skip", key).await? {
            return Ok(answer);
        }
        let now = self.clock.now_millis();
        self.store.begin_action(id, "skip", key, now).await?;
        if !self
            .store
            .mark_skipped(id, now, reason.map(SkipReason::as_str))
            .await?
        {
            self.store.drop_action(id, "skip", key).await?;
            return Err(match decision.status {
                DecisionStatus::Done | DecisionStatus::Pending => TipError::AlreadyDone,
                _ => TipError::NotOpen,
            });
        }
        self.emit(
            caller,
            &decision,
            shared_types::events::kinds::TIP_SKIPPED,
            json!({ "reason": reason.map(SkipReason::as_str) }),
        )
        .await;
        let next = self.recommend_locked(caller, Value::Null, false).await?;
        let answer = TipActionAnswer {
            status: DecisionStatus::Skipped,
            undo_until: None,
            next: Some(next),
        };
        self.finish(id, "skip", key, &answer).await?;
        Ok(answer)
    }

    /// `POST /api/tips/{id}/undo`: within the undo window of a done, the
    /// item is reopened (a recurring task gets its previous due back) and
    /// shown again.
    pub async fn undo(
        &self,
        caller: &Caller,
        id: Uuid,
        key: &str,
    ) -> Result<TipActionAnswer, TipError> {
        let _one_at_a_time = self.lock(caller.user).await;
        let decision = self.owned(caller, id).await?;
        if let Some((answer, true)) = self.replay(id, "undo", key).await? {
            return Ok(answer);
        }
        if decision.status != DecisionStatus::Done {
            return Err(TipError::NotDone);
        }
        let now = self.clock.now_millis();
        if decision.undo_until.is_none_or(|until| now > until) {
            return Err(TipError::UndoExpired);
        }
        self.store.begin_action(id, "undo", key, now).await?;
        if decision.tip.kind == TipKind::Todo {
            let previous_due = decision
                .completion
                .as_ref()
                .and_then(|c| c.previous_due.clone());
            let result = self
                .integrations
                .reopen(
                    &caller.token,
                    caller.request_id.as_deref(),
                    &decision.tip.source,
                    item_id(&decision),
                    key,
                    id,
                    previous_due,
                )
                .await;
            if let Err(e) = result {
                self.store.drop_action(id, "undo", key).await?;
                return Err(write_error(e));
            }
        }
        self.store
            .set_status(
                id,
                &[DecisionStatus::Done],
                DecisionStatus::Undone,
                self.clock.now_millis(),
            )
            .await?;
        self.emit(
            caller,
            &decision,
            shared_types::events::kinds::TIP_UNDONE,
            json!({ "idempotency_key": key }),
        )
        .await;
        // Whatever was drawn after the done gives way to the undone tip.
        if let Some(open) = self.store.open_decision(caller.user).await?
            && self
                .store
                .set_status(
                    open.id,
                    &[DecisionStatus::Open],
                    DecisionStatus::Superseded,
                    self.clock.now_millis(),
                )
                .await?
        {
            self.emit(
                caller,
                &open,
                shared_types::events::kinds::TIP_SUPERSEDED,
                json!({ "reason": "undo" }),
            )
            .await;
        }
        let restored = self.restore(caller, &decision).await?;
        self.emit(
            caller,
            &restored,
            shared_types::events::kinds::TIP_SHOWN,
            json!({ "reused": false, "restores": decision.id }),
        )
        .await;
        let situation = super::Situation {
            list: Default::default(),
            today: self.clock.today(),
            sources: restored.sources.clone(),
            fetched: true,
            open: None,
            acted: HashSet::new(),
            undoable: self
                .store
                .undoable(caller.user, self.clock.now_millis())
                .await?,
        };
        let next = self.answer(caller, restored, false, &situation).await?;
        let answer = TipActionAnswer {
            status: DecisionStatus::Undone,
            undo_until: None,
            next: Some(next),
        };
        self.finish(id, "undo", key, &answer).await?;
        Ok(answer)
    }
}

/// The item's id at its source: the chosen id without its `source:` prefix.
fn item_id(decision: &DecisionRow) -> &str {
    decision
        .chosen_id
        .split_once(':')
        .map_or(decision.chosen_id.as_str(), |(_, id)| id)
}

fn write_error(e: WriteError) -> TipError {
    match e {
        WriteError::Unavailable { retry_after } => TipError::Unavailable { retry_after },
        WriteError::UndoUnavailable => TipError::UndoUnavailable,
        WriteError::NotFound => TipError::ItemGone,
        WriteError::Reconnect => TipError::Reconnect,
        WriteError::Status(s) => TipError::Upstream(format!("integrations answered {s}")),
    }
}

/// Stands in for the answer of a pending action; never returned.
fn placeholder() -> TipActionAnswer {
    TipActionAnswer {
        status: DecisionStatus::Pending,
        undo_until: None,
        next: None,
    }
}
