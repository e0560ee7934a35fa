//! The recommender's use cases, between the routes and the store:
//! [`Recommender::recommend`] (sticky decisions, a logged draw) and, in
//! [`tips`], done, skip and undo.

pub mod candidates;
pub mod draw;
pub mod tips;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::events::EventSink;
use serde_json::{Value, json};
use shared_types::events::{SOURCE_ONETIP, kinds};
use shared_types::integrations::{SourceReport, SourceStatus};
use shared_types::recommender::{DecisionStatus, DegradedReason, Recommendation, UndoOffer};
use shared_types::{NormalizedEvent, TipKind};
use uuid::Uuid;

use crate::clock::{Clock, rfc3339};
use crate::domain::Candidate;
use crate::domain::eligibility::RECENTLY_ACTED;
use crate::integrations::{Fetched, IntegrationsClient};
use crate::policy::PolicyFactory;
use crate::policy::experiment::{Assignment, Experiment};
use crate::store::{DecisionRow, Store, StoreError};
use candidates::{CandidateCache, Parsed};

/// Why a use case failed, in domain terms; `error.rs` maps them to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum TipError {
    #[error("no such decision")]
    NotFound,
    #[error("the tip is already done")]
    AlreadyDone,
    #[error("the tip is no longer open")]
    NotOpen,
    #[error("the tip is not done, so there is nothing to undo")]
    NotDone,
    #[error("the undo window has passed")]
    UndoExpired,
    #[error("the provider refused the undo")]
    UndoUnavailable,
    #[error("the item no longer exists at its source")]
    ItemGone,
    #[error("the source must be connected again")]
    Reconnect,
    #[error("the provider is unavailable")]
    Unavailable { retry_after: u64 },
    #[error("integrations failed: {0}")]
    Upstream(String),
    #[error("a policy gave an invalid distribution: {0}")]
    Policy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who is asking, and the request's ids.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Uuid,
    /// The user's access token, passed on to integrations.
    pub token: String,
    pub request_id: Option<String>,
}

/// The service's parameters.
#[derive(Debug, Clone)]
pub struct Params {
    pub policy: String,
    pub experiment: Option<Experiment>,
    pub factory: PolicyFactory,
    pub candidate_budget: Duration,
    pub decision_ttl: Duration,
    pub undo_window: Duration,
}

/// Everything the use cases need.
#[derive(Clone)]
pub struct Recommender {
    pub store: Store,
    pub integrations: IntegrationsClient,
    pub events: Arc<dyn EventSink>,
    /// True when `events` is this service's own event table
    /// ([`crate::StoreSink`]): a state change then stores its event in the
    /// same transaction instead of emitting it after.
    pub local_events: bool,
    pub clock: Clock,
    pub params: Params,
    /// One action at a time per user in this process: a sticky decision
    /// and a done cannot race each other into two open decisions.
    locks: Arc<Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>>,
    /// Each user's candidate list as last parsed, revalidated by its ETag.
    candidates: Arc<CandidateCache>,
}

/// What a fresh look at the user's sources and recent decisions gave.
struct Situation {
    /// The user's candidate list (shared with the cache while unchanged).
    list: Arc<Parsed>,
    today: time::Date,
    sources: Vec<SourceReport>,
    /// Whether the list could be fetched at all.
    fetched: bool,
    /// The user's open (or pending) decision, if any.
    open: Option<DecisionRow>,
    /// Candidate ids done or skipped lately: not offered again yet.
    acted: HashSet<String>,
    /// The newest done decision that can still be undone.
    undoable: Option<DecisionRow>,
}

impl Situation {
    /// The candidates on offer now, most pressing first: the eligibility
    /// rules over the list, with what the user acted on lately and today.
    fn eligible(&self) -> Vec<&Candidate> {
        self.list.ranked.eligible(&self.acted, self.today)
    }
}

impl Recommender {
    pub fn new(
        store: Store,
        integrations: IntegrationsClient,
        events: Arc<dyn EventSink>,
        clock: Clock,
        params: Params,
    ) -> Self {
        Self {
            store,
            integrations,
            events,
            local_events: false,
            clock,
            params,
            locks: Arc::default(),
            candidates: Arc::new(CandidateCache::new(candidates::CAPACITY)),
        }
    }

    /// Holds the user's lock for as long as the guard lives.
    async fn lock(&self, user: Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().expect("user locks");
            if locks.len() > 10_000 {
                locks.retain(|_, l| Arc::strong_count(l) > 1);
            }
            locks.entry(user).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// `POST /api/recommend`: the open decision again while it is open and
    /// its item still eligible, or a new draw.
    pub async fn recommend(
        &self,
        caller: &Caller,
        context: Value,
        new: bool,
    ) -> Result<Recommendation, TipError> {
        let _one_at_a_time = self.lock(caller.user).await;
        self.recommend_locked(caller, context, new).await
    }

    async fn recommend_locked(
        &self,
        caller: &Caller,
        context: Value,
        new: bool,
    ) -> Result<Recommendation, TipError> {
        let situation = self.situation(caller).await?;
        let now = self.clock.now_millis();
        if let Some(open) = situation.open.clone() {
            let age = Duration::from_millis((now - open.created_at).max(0) as u64);
            if age >= self.params.decision_ttl {
                self.store
                    .set_status(
                        open.id,
                        &[DecisionStatus::Open],
                        DecisionStatus::Expired,
                        now,
                    )
                    .await?;
            } else if !new && still_offered(&open, &situation) {
                self.emit(caller, &open, kinds::TIP_SHOWN, json!({ "reused": true }))
                    .await;
                return self.answer(caller, open, true, &situation).await;
            } else if self
                .store
                .set_status(
                    open.id,
                    &[DecisionStatus::Open],
                    DecisionStatus::Superseded,
                    now,
                )
                .await?
            {
                let why = if new {
                    "asked for another"
                } else {
                    "no longer eligible"
                };
                self.emit(
                    caller,
                    &open,
                    kinds::TIP_SUPERSEDED,
                    json!({ "reason": why }),
                )
                .await;
            }
        }
        let decision = self.decide(caller, context, &situation).await?;
        self.emit(
            caller,
            &decision,
            kinds::TIP_SHOWN,
            json!({ "reused": false }),
        )
        .await;
        self.answer(caller, decision, false, &situation).await
    }

    /// The user's candidates now and their recent decisions: the candidate
    /// call and one query, together. The list is parsed only when
    /// integrations says it changed (its ETag); otherwise the one parsed
    /// before is used again.
    async fn situation(&self, caller: &Caller) -> Result<Situation, TipError> {
        let now = self.clock.now_millis();
        let since = now - RECENTLY_ACTED.as_millis() as i64;
        let today = self.clock.today();
        let known = self.candidates.get(caller.user, today);
        let (fetched, recent) = tokio::join!(
            self.integrations.candidates_if_changed(
                &caller.token,
                caller.request_id.as_deref(),
                self.params.candidate_budget,
                known.as_ref().map(|k| k.etag.as_str()),
            ),
            self.store.recent(caller.user, since, now)
        );
        let recent = recent?;
        let (list, fetched) = match (fetched, known) {
            (Ok(Fetched::NotModified), Some(known)) => (known.list, true),
            (Ok(Fetched::List { candidates, etag }), _) => {
                let list = Arc::new(Parsed::new(candidates, today));
                match etag {
                    Some(etag) => self.candidates.put(caller.user, etag, today, list.clone()),
                    None => self.candidates.forget(caller.user),
                }
                (list, true)
            }
            (Ok(Fetched::NotModified), None) => {
                tracing::warn!("integrations answered 304 to a request without a tag");
                (Arc::default(), false)
            }
            (Err(e), _) => {
                tracing::warn!(error = %e, "no candidates; falling back to advice");
                (Arc::default(), false)
            }
        };
        let acted: HashSet<String> = recent
            .iter()
            .filter(|d| {
                matches!(
                    d.status,
                    DecisionStatus::Done | DecisionStatus::Pending | DecisionStatus::Skipped
                ) && d.status_at >= since
            })
            .map(|d| d.chosen_id.clone())
            .collect();
        let open = recent
            .iter()
            .find(|d| matches!(d.status, DecisionStatus::Open | DecisionStatus::Pending))
            .cloned();
        let undoable = recent
            .iter()
            .filter(|d| d.status == DecisionStatus::Done && d.undo_until.is_some_and(|u| u > now))
            .max_by_key(|d| d.status_at)
            .cloned();
        Ok(Situation {
            sources: list.sources.clone(),
            list,
            today,
            fetched,
            open,
            acted,
            undoable,
        })
    }

    /// The wire answer for a decision, with the undo offer if any.
    async fn answer(
        &self,
        _caller: &Caller,
        decision: DecisionRow,
        reused: bool,
        situation: &Situation,
    ) -> Result<Recommendation, TipError> {
        let now = self.clock.now_millis();
        let undo = situation
            .undoable
            .as_ref()
            .filter(|d| d.id != decision.id)
            .map(|d| UndoOffer {
                decision_id: d.id,
                title: d.tip.title.clone(),
                undo_until: rfc3339(d.undo_until.unwrap_or(now)),
            });
        // A reused tip says how things stand now, not when it was drawn.
        let degraded_reason = if reused {
            current_reason(&decision, situation)
        } else {
            decision.degraded_reason
        };
        Ok(Recommendation {
            decision_id: decision.id,
            tip: decision.tip,
            reused,
            degraded: degraded_reason.is_some(),
            degraded_reason,
            sources: if reused && situation.fetched {
                situation.sources.clone()
            } else {
                decision.sources
            },
            undo,
        })
    }

    /// Emits a feedback event about `decision`; never fails the caller.
    async fn emit(&self, caller: &Caller, decision: &DecisionRow, kind: &str, extra: Value) {
        let event = self.feedback(caller, decision, kind, extra);
        platform::events::emit_logged(self.events.as_ref(), event).await;
    }

    /// A feedback event about `decision`.
    fn feedback(
        &self,
        caller: &Caller,
        decision: &DecisionRow,
        kind: &str,
        extra: Value,
    ) -> NormalizedEvent {
        let mut payload = json!({
            "decision_id": decision.id,
            "policy": decision.policy,
            "policy_version": decision.policy_version,
        });
        if let (Some(map), Value::Object(extra)) = (payload.as_object_mut(), extra) {
            map.extend(extra);
        }
        NormalizedEvent {
            id: Uuid::now_v7(),
            user_id: caller.user,
            source: SOURCE_ONETIP.into(),
            kind: kind.into(),
            subject_id: decision.chosen_id.clone(),
            occurred_at: rfc3339(self.clock.now_millis()),
            trace_id: platform::trace::event_trace_id(caller.request_id.as_deref()),
            payload,
        }
    }
}

/// Whether an open decision may be shown again: its task is still among
/// the eligible ones (or the list cannot be had right now); an advice card
/// while there is still no eligible task.
fn still_offered(open: &DecisionRow, situation: &Situation) -> bool {
    if !situation.fetched {
        return true;
    }
    let eligible = situation.eligible();
    match open.tip.kind {
        TipKind::Todo => eligible.iter().any(|c| c.id == open.chosen_id),
        TipKind::Advice => eligible.is_empty(),
    }
}

/// How degraded a reused decision is now: a task whose source cannot be
/// read fresh right now is stale; an advice card keeps the fresh reason no
/// task is on offer.
fn current_reason(decision: &DecisionRow, situation: &Situation) -> Option<DegradedReason> {
    match decision.tip.kind {
        TipKind::Advice => Some(degraded_reason(situation)),
        TipKind::Todo if !situation.fetched => Some(DegradedReason::Stale),
        TipKind::Todo => situation
            .sources
            .iter()
            .any(|s| {
                s.source == decision.tip.source
                    && matches!(s.status, SourceStatus::Stale | SourceStatus::Failed)
            })
            .then_some(DegradedReason::Stale),
    }
}

/// Why an answer without an eligible task is degraded.
fn degraded_reason(situation: &Situation) -> DegradedReason {
    let any = |status: SourceStatus| situation.sources.iter().any(|s| s.status == status);
    if !situation.fetched {
        DegradedReason::SourcesFailed
    } else if any(SourceStatus::Ok) || any(SourceStatus::Stale) {
        DegradedReason::NoEligibleTasks
    } else if any(SourceStatus::ReconnectRequired) {
        DegradedReason::ReconnectRequired
    } else if any(SourceStatus::Failed) {
        DegradedReason::SourcesFailed
    } else {
        DegradedReason::NotConnected
    }
}

/// Which policy `user` gets.
fn assignment(params: &Params, user: &Uuid) -> Assignment {
    match &params.experiment {
        Some(experiment) => experiment.assign(user),
        None => Assignment {
            policy: params.policy.clone(),
            experiment: None,
            bucket: None,
        },
    }
}
