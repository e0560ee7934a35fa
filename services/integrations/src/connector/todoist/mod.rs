//! The Todoist connector: OAuth with PKCE and a user-bound `state`, tokens
//! refreshed (and the rotated refresh token stored) before they expire or
//! after a 401, the user's active tasks served stale-while-revalidate
//! ([`super::cache`]), and the writes ([`writes`]) with a deterministic
//! `X-Request-Id`.

mod events;
mod writes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use secrecy::SecretString;
use shared_types::NormalizedEvent;
use shared_types::integrations::{ReopenKind, SourceReport, SourceStatus, TaskDue};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::time::Instant;

use super::answer::{Items, SourceAnswer};
use super::cache::{CachePolicy, Lookup, SwrCache};
use super::credentials::{Credentials, OpenCredential};
use super::{Completion, Connector, ConnectorError, EventOf, StoredCredential};
use crate::domain::{IdempotencyKey, UserId};
use crate::todoist::{Task, TodoistClient, TodoistError};
use crate::vault::TokenSecrets;
use events::{changed_since, to_event};
use writes::Receipts;

const NAME: &str = "todoist";
/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The cached list of a user, and why the last fetch failed (shared).
type TaskCache = SwrCache<TaskList, Arc<ConnectorError>>;

/// A user's active tasks as last fetched (or patched by our own writes),
/// and their candidate items, serialized on first use and kept for as long
/// as this list is cached: a fetch or a patch makes a new `TaskList`, so
/// the items (and their event ids) change exactly when the list does.
#[derive(Debug)]
pub struct TaskList {
    pub tasks: Vec<Task>,
    items: OnceLock<Arc<Items>>,
}

impl From<Vec<Task>> for TaskList {
    fn from(tasks: Vec<Task>) -> Self {
        Self {
            tasks,
            items: OnceLock::new(),
        }
    }
}

impl TaskList {
    /// The open tasks as `task.open` events of `user`, serialized once.
    fn items(&self, user: &UserId) -> Arc<Items> {
        self.items
            .get_or_init(|| {
                Arc::new(Items::serialize(
                    self.tasks
                        .iter()
                        .filter(|t| !t.checked && !t.is_deleted)
                        .map(|t| to_event(user, t)),
                ))
            })
            .clone()
    }
}

/// Todoist, behind the [`Connector`] trait.
pub struct TodoistConnector {
    inner: Arc<Inner>,
    tasks: Arc<TaskCache>,
    receipts: Receipts,
}

/// What a background refresh needs, shared with it.
struct Inner {
    client: Arc<TodoistClient>,
    credentials: Credentials,
    /// How long one connector call may take, waits and retries included.
    call_deadline: Duration,
    /// One refresh at a time per user: a refresh token is single use.
    refreshing: Mutex<HashMap<UserId, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for TodoistConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TodoistConnector")
            .field("client", &self.inner.client)
            .field("cache", &self.tasks)
            .finish_non_exhaustive()
    }
}

impl TodoistConnector {
    pub fn new(
        client: Arc<TodoistClient>,
        credentials: Credentials,
        cache_ttl: Duration,
        call_deadline: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                credentials,
                call_deadline,
                refreshing: Mutex::default(),
            }),
            tasks: TaskCache::with_wait_hint(CachePolicy::new(cache_ttl), wait_hint),
            receipts: Receipts::default(),
        }
    }

    /// The same connector with another cache policy (tests shorten it).
    pub fn with_cache_policy(mut self, policy: CachePolicy) -> Self {
        self.tasks = TaskCache::with_wait_hint(policy, wait_hint);
        self
    }

    /// The user's active tasks, waiting for the fetch when nothing usable
    /// is cached (stale lists are answered at once and refreshed behind).
    pub async fn active_tasks(&self, user: &UserId) -> Result<Arc<TaskList>, ConnectorError> {
        match self.lookup(user, None).await {
            Lookup::Fresh(c) | Lookup::Stale { cached: c, .. } => Ok(c.value),
            Lookup::Failed(e) => Err(clone_error(&e)),
            Lookup::Pending => Err(map_error(TodoistError::Timeout)),
        }
    }

    async fn lookup(
        &self,
        user: &UserId,
        wait: Option<Duration>,
    ) -> Lookup<TaskList, Arc<ConnectorError>> {
        let inner = self.inner.clone();
        let owner = *user;
        self.tasks
            .get(user, wait, move || async move {
                inner
                    .list_tasks(&owner)
                    .await
                    .map(TaskList::from)
                    .map_err(Arc::new)
            })
            .await
    }
}

impl Inner {
    fn deadline(&self) -> Instant {
        Instant::now() + self.call_deadline
    }

    async fn list_tasks(&self, user: &UserId) -> Result<Vec<Task>, ConnectorError> {
        let deadline = self.deadline();
        self.with_token(user, |token| {
            let client = self.client.clone();
            async move { client.list_active_tasks(user, &token, deadline).await }
        })
        .await
    }

    /// Runs `call` with a usable access token: refreshed first when it is
    /// about to expire, and once more after a 401 when a refresh token is
    /// there.
    async fn with_token<T, F, Fut>(&self, user: &UserId, call: F) -> Result<T, ConnectorError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: std::future::Future<Output = Result<T, TodoistError>>,
    {
        let mut credential = self
            .credentials
            .load(user, NAME)
            .await?
            .ok_or(ConnectorError::NotConnected(NAME))?;
        let now = platform::db::now_millis();
        if credential.expires_within(REFRESH_MARGIN, now) {
            match self.refresh(user, &credential).await {
                Ok(fresh) => credential = fresh,
                // Refreshing early failed for a passing reason: the current
                // token still has a few seconds, use them.
                Err(e) if !credential.expires_within(Duration::ZERO, now) && is_transient(&e) => {
                    tracing::warn!(error = %e, "early refresh failed; using the current token");
                }
                Err(e) => return Err(e),
            }
        }
        match call(credential.tokens.access.clone()).await {
            Err(TodoistError::Unauthorized) if credential.tokens.refresh.is_some() => {
                let refreshed = self.refresh(user, &credential).await?;
                call(refreshed.tokens.access.clone())
                    .await
                    .map_err(map_error)
            }
            other => other.map_err(map_error),
        }
    }

    /// Refreshes the user's tokens and stores the rotated pair. Concurrent
    /// callers wait for one refresh and use its result.
    async fn refresh(
        &self,
        user: &UserId,
        stale: &OpenCredential,
    ) -> Result<OpenCredential, ConnectorError> {
        let lock = {
            let mut locks = self.refreshing.lock().expect("refresh lock");
            locks.entry(*user).or_default().clone()
        };
        let _one_at_a_time = lock.lock().await;
        let current = self
            .credentials
            .load(user, NAME)
            .await?
            .ok_or(ConnectorError::NotConnected(NAME))?;
        if current.row.sealed != stale.row.sealed {
            // Someone refreshed while we waited.
            return Ok(current);
        }
        let Some(refresh_token) = current.tokens.refresh.clone() else {
            return Err(ConnectorError::Reconnect(NAME));
        };
        let grant = self
            .client
            .refresh(&refresh_token)
            .await
            .map_err(|e| match e {
                TodoistError::GrantRefused(_) | TodoistError::Unauthorized => {
                    ConnectorError::Reconnect(NAME)
                }
                other => map_error(other),
            })?;
        let tokens = TokenSecrets {
            access: grant.access,
            // Rotation: the new refresh token replaces the spent one; keep
            // the old only if Todoist sent none.
            refresh: grant.refresh.or(Some(refresh_token)),
        };
        let scope = grant.scope.or(current.row.scope.clone());
        self.credentials
            .save(user, NAME, &tokens, scope, grant.expires_in)
            .await?;
        tracing::info!("Todoist tokens refreshed");
        self.credentials
            .load(user, NAME)
            .await?
            .ok_or(ConnectorError::NotConnected(NAME))
    }
}

/// A rate limit's wait: no listing is tried again before it.
fn wait_hint(e: &Arc<ConnectorError>) -> Option<Duration> {
    match **e {
        ConnectorError::RateLimited { retry_after } => Some(retry_after),
        _ => None,
    }
}

fn is_transient(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::RateLimited { .. } | ConnectorError::Upstream { .. }
    )
}

/// Todoist no longer accepts our tokens: only the user can fix it.
fn needs_reconnect(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Reconnect(_) | ConnectorError::InsufficientScope(_)
    )
}

fn map_error(e: TodoistError) -> ConnectorError {
    match e {
        TodoistError::Unauthorized => ConnectorError::Reconnect(NAME),
        TodoistError::Forbidden(_) => ConnectorError::InsufficientScope(NAME),
        TodoistError::NotFound => ConnectorError::NotFound,
        TodoistError::RateLimited { retry_after, .. } => {
            ConnectorError::RateLimited { retry_after }
        }
        TodoistError::CommandRefused { message, .. } => ConnectorError::UndoUnavailable {
            provider: NAME,
            reason: message,
        },
        other => ConnectorError::Upstream {
            provider: NAME,
            source: Box::new(other),
        },
    }
}

/// A shared fetch error as an owned one, for callers that want the error.
fn clone_error(e: &ConnectorError) -> ConnectorError {
    match e {
        ConnectorError::NotConnected(p) => ConnectorError::NotConnected(p),
        ConnectorError::Reconnect(p) => ConnectorError::Reconnect(p),
        ConnectorError::InsufficientScope(p) => ConnectorError::InsufficientScope(p),
        ConnectorError::NotFound => ConnectorError::NotFound,
        ConnectorError::RateLimited { retry_after } => ConnectorError::RateLimited {
            retry_after: *retry_after,
        },
        other => ConnectorError::Upstream {
            provider: NAME,
            source: format!("{other}").into(),
        },
    }
}

fn report(status: SourceStatus, as_of: Option<OffsetDateTime>) -> SourceReport {
    SourceReport {
        source: NAME.to_owned(),
        status,
        as_of: as_of.and_then(|t| t.format(&Rfc3339).ok()),
    }
}

#[async_trait::async_trait]
impl Connector for TodoistConnector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn display_name(&self) -> &'static str {
        "Todoist"
    }

    async fn begin_oauth(&self, user: &UserId) -> Result<String, ConnectorError> {
        let request = self.inner.client.authorize();
        self.inner
            .credentials
            .start_flow(user, NAME, request.state, request.pkce_verifier)
            .await?;
        Ok(request.url)
    }

    async fn finish_oauth(
        &self,
        user: &UserId,
        code: &str,
        state: &str,
    ) -> Result<StoredCredential, ConnectorError> {
        let verifier = self.inner.credentials.take_flow(user, NAME, state).await?;
        if code.is_empty() || code.len() > 2048 {
            return Err(ConnectorError::CodeRejected {
                provider: NAME,
                reason: "empty or oversized code".into(),
            });
        }
        let grant = self
            .inner
            .client
            .exchange_code(code, &verifier)
            .await
            .map_err(|e| match e {
                TodoistError::GrantRefused(reason) => ConnectorError::CodeRejected {
                    provider: NAME,
                    reason,
                },
                other => map_error(other),
            })?;
        let tokens = TokenSecrets {
            access: grant.access,
            refresh: grant.refresh,
        };
        let stored = self
            .inner
            .credentials
            .save(user, NAME, &tokens, grant.scope, grant.expires_in)
            .await?;
        self.tasks.invalidate(user);
        tracing::info!("Todoist connected");
        Ok(stored)
    }

    async fn fetch_signals(
        &self,
        user: &UserId,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<NormalizedEvent>, ConnectorError> {
        let tasks = self.active_tasks(user).await?;
        Ok(tasks
            .tasks
            .iter()
            .filter(|t| !t.checked && !t.is_deleted && changed_since(t, since))
            .map(|t| to_event(user, t))
            .collect())
    }

    async fn candidates(&self, user: &UserId) -> SourceAnswer {
        let none = |status| SourceAnswer::without_items(report(status, None));
        match self.inner.credentials.status(user, NAME).await {
            Ok(Some(_)) => {}
            Ok(None) => return none(SourceStatus::NotConnected),
            Err(e) => {
                tracing::error!(error = %e, "reading the Todoist connection");
                return none(SourceStatus::Failed);
            }
        }
        let wait = self.tasks.policy().cold_wait;
        let (status, cached) = match self.lookup(user, Some(wait)).await {
            Lookup::Fresh(cached) => (SourceStatus::Ok, cached),
            Lookup::Stale { error: Some(e), .. } if needs_reconnect(&e) => {
                return none(SourceStatus::ReconnectRequired);
            }
            Lookup::Stale { cached, error } => {
                let age = cached.fetched_at.elapsed();
                let status = match error {
                    Some(e) => {
                        tracing::warn!(error = %e, "Todoist failed; answering the last good list");
                        SourceStatus::Stale
                    }
                    // Past its TTL and being refreshed, nothing failed yet.
                    None if age < self.tasks.policy().ok_while_revalidating => SourceStatus::Ok,
                    None => SourceStatus::Stale,
                };
                (status, cached)
            }
            Lookup::Failed(e) if needs_reconnect(&e) => {
                return none(SourceStatus::ReconnectRequired);
            }
            Lookup::Failed(e) if matches!(*e, ConnectorError::NotConnected(_)) => {
                return none(SourceStatus::NotConnected);
            }
            Lookup::Failed(e) => {
                tracing::warn!(error = %e, "Todoist failed and nothing is cached");
                return none(SourceStatus::Failed);
            }
            Lookup::Pending => {
                tracing::info!("Todoist is slow: answering without it, the fetch goes on");
                return none(SourceStatus::Failed);
            }
        };
        SourceAnswer {
            report: report(status, Some(cached.as_of)),
            items: cached.value.items(user),
        }
    }

    async fn complete(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        event: EventOf<'_, Completion>,
    ) -> Result<Completion, ConnectorError> {
        self.complete_item(user, item_id, key, event).await
    }

    async fn reopen(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        previous_due: Option<TaskDue>,
        event: EventOf<'_, ReopenKind>,
    ) -> Result<ReopenKind, ConnectorError> {
        self.reopen_item(user, item_id, key, previous_due, event)
            .await
    }

    async fn status(&self, user: &UserId) -> Result<Option<StoredCredential>, ConnectorError> {
        self.inner.credentials.status(user, NAME).await
    }

    async fn disconnect(&self, user: &UserId) -> Result<bool, ConnectorError> {
        let credential = match self.inner.credentials.load(user, NAME).await {
            Ok(c) => c,
            // Unreadable tokens cannot be revoked, but the row still goes.
            Err(ConnectorError::Vault(e)) => {
                tracing::warn!(error = %e, "disconnecting a credential that does not open");
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(credential) = credential
            && let Err(e) = self
                .inner
                .client
                .revoke(&credential.tokens.access, self.inner.deadline())
                .await
        {
            // The user asked to disconnect: the row goes regardless.
            tracing::warn!(error = %e, "revoking the Todoist token failed");
        }
        let deleted = self.inner.credentials.delete(user, NAME).await?;
        self.tasks.invalidate(user);
        Ok(deleted)
    }

    fn sweep(&self) {
        self.tasks.evict_stale();
        self.receipts.prune();
        let store = self.inner.credentials.store().clone();
        let before = platform::db::now_millis() - writes::RECEIPT_TTL.as_millis() as i64;
        tokio::spawn(async move {
            if let Err(e) = store.purge_receipts(before).await {
                tracing::warn!(error = %e, "purging write receipts");
            }
        });
        self.inner.client.forget_idle_budgets();
        self.inner
            .refreshing
            .lock()
            .expect("refresh lock")
            .retain(|_, lock| Arc::strong_count(lock) > 1);
    }
}
