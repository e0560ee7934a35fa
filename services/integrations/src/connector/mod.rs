//! Connectors to outside services behind one trait, and their registry.
//!
//! A connector runs the OAuth dance for a user, keeps the user's tokens
//! sealed, turns what the service holds into [`NormalizedEvent`]s and writes
//! back a completion. Todoist is the first; the next (Google Calendar,
//! Linear…) is a new file implementing [`Connector`], registered in
//! [`Registry`].

pub mod answer;
pub mod cache;
pub mod credentials;
pub mod todoist;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use shared_types::NormalizedEvent;
use shared_types::integrations::{CompleteOutcome, ReopenKind, TaskDue};
use time::OffsetDateTime;

pub use answer::{CandidateList, Items, SourceAnswer};
pub use cache::CachePolicy;
pub use credentials::Credentials;
pub use todoist::TodoistConnector;

use crate::domain::{IdempotencyKey, UserId};

/// What a completion did: `completed`, or `advanced` (a recurring task
/// moved on), with the due date before and after.
pub type Completion = CompleteOutcome;

/// Builds the event a write causes from what the write did (the caller
/// says what else it carries). The connector calls it once it knows the
/// answer and records the event in the outbox in the same transaction as
/// the answer, so a completion and its `task.completed` exist together or
/// not at all.
pub type EventOf<'a, T> = &'a (dyn Fn(&T) -> NormalizedEvent + Send + Sync);

use crate::store::{CredentialRow, StoreError};
use crate::vault::VaultError;

/// What is known about a user's connection, without any token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredCredential {
    pub user_id: uuid::Uuid,
    pub provider: String,
    /// The granted scopes, comma-joined.
    pub scope: Option<String>,
    /// When the access token expires (epoch ms), if it does.
    pub expires_at: Option<i64>,
    /// The vault key the tokens are sealed with.
    pub key_id: String,
    /// When the user first connected (epoch ms).
    pub connected_at: i64,
}

impl StoredCredential {
    pub fn from_row(row: &CredentialRow) -> Self {
        Self {
            user_id: row.user.as_uuid(),
            provider: row.provider.clone(),
            scope: row.scope.clone(),
            expires_at: row.expires_at,
            key_id: row.sealed.key_id.clone(),
            connected_at: row.created_at,
        }
    }
}

/// Why a connector call failed, in terms the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("not connected to {0}")]
    NotConnected(&'static str),
    #[error("the OAuth state is missing, unknown or already used")]
    UnknownState,
    #[error("the OAuth state has expired")]
    ExpiredState,
    #[error("the OAuth state belongs to another user")]
    ForeignState,
    #[error("the OAuth state was started for another provider")]
    WrongProvider,
    #[error("{provider} refused the authorization code ({reason})")]
    CodeRejected {
        provider: &'static str,
        reason: String,
    },
    #[error("{0} no longer accepts our tokens: the user must connect again")]
    Reconnect(&'static str),
    #[error("{0} refused: the token lacks a scope")]
    InsufficientScope(&'static str),
    #[error("no such item")]
    NotFound,
    /// The provider refused to undo this completion (a recurring task
    /// whose due date it will not put back).
    #[error("{provider} cannot undo this completion: {reason}")]
    UndoUnavailable {
        provider: &'static str,
        reason: String,
    },
    #[error("rate limited, retry after {} s", crate::todoist::error::retry_after_secs(*.retry_after))]
    RateLimited { retry_after: Duration },
    #[error("{provider} failed")]
    Upstream {
        provider: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("credentials: {0}")]
    Store(#[from] StoreError),
    #[error("the token vault: {0}")]
    Vault(#[from] VaultError),
}

/// One outside service.
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    /// The stable name in URLs and rows: `todoist`.
    fn name(&self) -> &'static str;

    /// The name people see: `Todoist`.
    fn display_name(&self) -> &'static str;

    /// Starts the OAuth dance for `user`; returns where to send them.
    async fn begin_oauth(&self, user: &UserId) -> Result<String, ConnectorError>;

    /// Ends the dance at the callback. `user` is whoever is signed in at the
    /// callback: a `state` started by anyone else is refused.
    async fn finish_oauth(
        &self,
        user: &UserId,
        code: &str,
        state: &str,
    ) -> Result<StoredCredential, ConnectorError>;

    /// The user's current items as events, changed at or after `since`
    /// (all when `None`). May be served from a short cache.
    async fn fetch_signals(
        &self,
        user: &UserId,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<NormalizedEvent>, ConnectorError>;

    /// The user's candidates and how the source answered: never an error
    /// (a failing provider is a `failed` or `stale` report), and quick (a
    /// cold cache waits about a second at most). The items are the same
    /// [`Items`] (same bytes, same event ids) for as long as the source's
    /// cached list is unchanged.
    async fn candidates(&self, user: &UserId) -> SourceAnswer;

    /// Marks an item done at the provider, recording the completion and
    /// `event` of it in one transaction. The same (user, item, key) is the
    /// same write, however often it is sent, and has one event.
    async fn complete(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        event: EventOf<'_, Completion>,
    ) -> Result<Completion, ConnectorError>;

    /// Undoes a completion: a one-off item is reopened; a recurring one
    /// gets `previous_due` (what `complete` answered) back. The undo and
    /// `event` of it are recorded in one transaction.
    async fn reopen(
        &self,
        user: &UserId,
        item_id: &str,
        key: &IdempotencyKey,
        previous_due: Option<TaskDue>,
        event: EventOf<'_, ReopenKind>,
    ) -> Result<ReopenKind, ConnectorError>;

    /// The user's connection, if any.
    async fn status(&self, user: &UserId) -> Result<Option<StoredCredential>, ConnectorError>;

    /// Revokes the user's token at the provider and deletes it here; true
    /// when there was one.
    async fn disconnect(&self, user: &UserId) -> Result<bool, ConnectorError>;

    /// Forgets per-user state nobody used lately (caches, budgets), so
    /// memory stays bounded. Called every minute or so.
    fn sweep(&self) {}
}

/// The connectors this service offers, by name.
#[derive(Clone, Default)]
pub struct Registry {
    connectors: Vec<Arc<dyn Connector>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.connectors.iter().map(|c| c.name()))
            .finish()
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a connector; a later one with the same name replaces it.
    pub fn with(mut self, connector: Arc<dyn Connector>) -> Self {
        self.connectors.retain(|c| c.name() != connector.name());
        self.connectors.push(connector);
        self
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Connector>> {
        self.connectors.iter().find(|c| c.name() == name).cloned()
    }

    pub fn all(&self) -> &[Arc<dyn Connector>] {
        &self.connectors
    }

    /// Sweeps every connector every `period`, while the runtime lives.
    pub fn spawn_sweeper(&self, period: Duration) {
        let connectors = self.connectors.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                for connector in &connectors {
                    connector.sweep();
                }
            }
        });
    }
}
