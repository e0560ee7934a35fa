//! The Todoist connector: OAuth with PKCE and a user-bound `state`, tokens
//! refreshed (and the rotated refresh token stored) before they expire or
//! after a 401, the user's active tasks cached per user, and completion
//! with a deterministic `X-Request-Id`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use shared_types::NormalizedEvent;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::time::Instant;

use super::cache::UserCache;
use super::credentials::{Credentials, OpenCredential};
use super::{Connector, ConnectorError, StoredCredential};
use crate::domain::UserId;
use crate::todoist::{Task, TodoistClient, TodoistError, request_id};
use crate::vault::TokenSecrets;

const NAME: &str = "todoist";
/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Todoist, behind the [`Connector`] trait.
pub struct TodoistConnector {
    client: Arc<TodoistClient>,
    credentials: Credentials,
    tasks: UserCache<Vec<Task>>,
    /// How long one connector call may take, waits and retries included.
    call_deadline: Duration,
    /// One refresh at a time per user: a refresh token is single use.
    refreshing: Mutex<HashMap<UserId, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for TodoistConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TodoistConnector")
            .field("client", &self.client)
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
            client,
            credentials,
            tasks: UserCache::new(cache_ttl),
            call_deadline,
            refreshing: Mutex::default(),
        }
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.call_deadline
    }

    /// The user's active tasks, from the cache when fresh.
    pub async fn active_tasks(&self, user: &UserId) -> Result<Arc<Vec<Task>>, ConnectorError> {
        self.tasks
            .get_or_fetch(user, || async {
                let deadline = self.deadline();
                self.with_token(user, |token| {
                    let client = self.client.clone();
                    async move { client.list_active_tasks(user, &token, deadline).await }
                })
                .await
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

fn is_transient(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::RateLimited { .. } | ConnectorError::Upstream { .. }
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
        other => ConnectorError::Upstream {
            provider: NAME,
            source: Box::new(other),
        },
    }
}

/// A task as a `task.open` event.
fn to_event(user: &UserId, task: &Task) -> NormalizedEvent {
    let occurred_at = task
        .updated_at
        .clone()
        .or_else(|| task.added_at.clone())
        .unwrap_or_else(|| {
            OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default()
        });
    NormalizedEvent {
        id: uuid::Uuid::now_v7(),
        user_id: user.as_uuid(),
        source: NAME.into(),
        kind: "task.open".into(),
        subject_id: task.id.clone(),
        occurred_at,
        trace_id: None,
        payload: serde_json::json!({
            "title": task.content,
            "description": task.description,
            "priority": task.priority,
            "labels": task.labels,
            "project_id": task.project_id,
            "section_id": task.section_id,
            "parent_id": task.parent_id,
            "due": task.due,
            "deadline": task.deadline,
            "duration": task.duration,
            "is_recurring": task.due.as_ref().is_some_and(|d| d.is_recurring),
            "deep_link": task.web_url(),
        }),
    }
}

fn changed_since(task: &Task, since: Option<OffsetDateTime>) -> bool {
    let Some(since) = since else {
        return true;
    };
    task.updated_at
        .as_deref()
        .or(task.added_at.as_deref())
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        // Unknown times count as changed: better shown than lost.
        .is_none_or(|t| t >= since)
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
        let request = self.client.authorize();
        self.credentials
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
        let verifier = self.credentials.take_flow(user, NAME, state).await?;
        if code.is_empty() || code.len() > 2048 {
            return Err(ConnectorError::CodeRejected {
                provider: NAME,
                reason: "empty or oversized code".into(),
            });
        }
        let grant = self
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
            .iter()
            .filter(|t| !t.checked && !t.is_deleted && changed_since(t, since))
            .map(|t| to_event(user, t))
            .collect())
    }

    async fn complete(
        &self,
        user: &UserId,
        item_id: &str,
        decision: &str,
    ) -> Result<(), ConnectorError> {
        let id = request_id(user, item_id, "close", decision);
        let deadline = self.deadline();
        let result = self
            .with_token(user, |token| {
                let client = self.client.clone();
                async move { client.close_task(user, &token, item_id, id, deadline).await }
            })
            .await;
        if matches!(result, Ok(()) | Err(ConnectorError::NotFound)) {
            // Our change (or a task gone): the cached list is stale now.
            self.tasks.invalidate(user);
        }
        result
    }

    async fn status(&self, user: &UserId) -> Result<Option<StoredCredential>, ConnectorError> {
        self.credentials.status(user, NAME).await
    }

    async fn disconnect(&self, user: &UserId) -> Result<bool, ConnectorError> {
        let credential = match self.credentials.load(user, NAME).await {
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
                .client
                .revoke(&credential.tokens.access, self.deadline())
                .await
        {
            // The user asked to disconnect: the row goes regardless.
            tracing::warn!(error = %e, "revoking the Todoist token failed");
        }
        let deleted = self.credentials.delete(user, NAME).await?;
        self.tasks.invalidate(user);
        Ok(deleted)
    }

    fn sweep(&self) {
        self.tasks.evict_stale();
        self.client.forget_idle_budgets();
        self.refreshing
            .lock()
            .expect("refresh lock")
            .retain(|_, lock| Arc::strong_count(lock) > 1);
    }
}
