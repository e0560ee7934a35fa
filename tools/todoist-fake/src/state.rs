//! The fake's whole state behind one mutex: accounts and their tasks, OAuth
//! grants and tokens, idempotency records, queued faults and counters.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};

use crate::config::FakeConfig;
use crate::errors::ApiError;
use crate::faults::QueuedFault;
use crate::model::{Recurrence, Task, opaque_id, random_token};

pub(crate) type Shared = Arc<Mutex<State>>;

/// Locks the state; a panic in another request does not poison the fake.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) struct State {
    pub config: FakeConfig,
    pub accounts: HashMap<String, Account>,
    pub grants: HashMap<String, Grant>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    /// (account, X-Request-Id) → the first answer to that write.
    pub replays: HashMap<(String, String), Replay>,
    /// (account, sync command uuid) → its `sync_status` entry.
    pub sync_seen: HashMap<(String, String), serde_json::Value>,
    pub faults: Vec<QueuedFault>,
    pub stats: Stats,
}

pub(crate) struct Account {
    pub tasks: Vec<StoredTask>,
    /// When this account's recent API requests came, for the rate limit.
    pub recent: VecDeque<Instant>,
}

pub(crate) struct StoredTask {
    /// Position in the account's list; cursors point after one.
    pub seq: u64,
    pub task: Task,
    pub recurrence: Option<Recurrence>,
}

/// An authorization code, waiting for its one exchange.
pub(crate) struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub account: String,
    pub code_challenge: Option<String>,
    pub state: String,
    pub expires_at: Instant,
}

pub(crate) struct AccessToken {
    pub account: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
    pub refresh_token: String,
}

pub(crate) struct RefreshToken {
    pub account: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub access_token: String,
}

/// What a write answered the first time, and what it was.
pub(crate) struct Replay {
    pub action: &'static str,
    pub task_id: String,
    pub outcome: Result<(), ApiError>,
}

/// What the fake saw, for tests to assert on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests per fault route (`tasks`, `close`, `token`…), faulted or not.
    pub requests: BTreeMap<String, u64>,
    /// Answers that were injected faults.
    pub faults_served: u64,
    /// Per account (the name approved on the consent page).
    pub users: BTreeMap<String, UserStats>,
}

/// One account's counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserStats {
    pub user_id: String,
    /// Pages of `GET /api/v1/tasks` and `/tasks/filter` answered.
    pub task_listings: u64,
    /// Close requests received, replays included.
    pub close_requests: u64,
    /// Tasks really closed (a replayed `X-Request-Id` does not count).
    pub closes: u64,
    /// Tasks really reopened.
    pub reopens: u64,
    /// Reopen requests received, replays included.
    pub reopen_requests: u64,
    /// Ids of the tasks closed, in order.
    pub closed_task_ids: Vec<String>,
    /// The `X-Request-Id` of every close and reopen request, in order.
    pub request_ids: Vec<String>,
    /// Every write request (close, reopen, sync command) in order, with the
    /// id it carried and whether it changed anything: which `X-Request-Id`
    /// went with which close.
    pub writes: Vec<WriteRecord>,
    /// Sync commands received (`POST /api/v1/sync`), replays included.
    pub sync_commands: u64,
    /// The `uuid` of every sync command received, in order.
    pub sync_uuids: Vec<String>,
    /// `item_update_date_complete` commands that put a due date back.
    pub date_restores: u64,
    pub tokens_issued: u64,
    pub refreshes: u64,
    pub revocations: u64,
}

/// One write as the fake saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteRecord {
    /// `close`, `reopen`, or the sync command's type.
    pub action: String,
    pub task_id: String,
    /// The `X-Request-Id` (or the sync command's `uuid`).
    pub request_id: Option<String>,
    /// False for a replay, a refusal or an error: nothing changed.
    pub applied: bool,
}

/// Which scopes an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Read,
    Write,
}

impl Need {
    fn satisfied_by(self, scopes: &[String]) -> bool {
        let has = |s: &str| scopes.iter().any(|x| x == s);
        match self {
            Need::Read => has("data:read") || has("data:read_write") || has("data:delete"),
            Need::Write => has("data:read_write") || has("data:delete"),
        }
    }
}

/// The answer of the token endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedTokens {
    pub access_token: String,
    pub token_type: String,
    pub state: Option<String>,
    pub refresh_token: String,
    pub expires_in: u64,
    /// Comma-joined, as asked for.
    pub scope: String,
}

impl State {
    pub fn new(config: FakeConfig) -> Self {
        Self {
            config,
            accounts: HashMap::new(),
            grants: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            replays: HashMap::new(),
            sync_seen: HashMap::new(),
            faults: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Back to a fresh start (seeded tasks, no tokens, faults or counters).
    pub fn reset(&mut self) {
        *self = Self::new(self.config.clone());
    }

    /// The account, seeded with its task list on first use.
    pub fn account(&mut self, name: &str) -> &mut Account {
        self.accounts
            .entry(name.to_owned())
            .or_insert_with(|| Account {
                tasks: crate::seed::tasks_for(name),
                recent: VecDeque::new(),
            })
    }

    pub fn user_stats(&mut self, account: &str) -> &mut UserStats {
        self.stats
            .users
            .entry(account.to_owned())
            .or_insert_with(|| UserStats {
                user_id: user_id(account),
                ..UserStats::default()
            })
    }

    /// A new access and refresh token pair for `account`.
    pub fn issue(
        &mut self,
        account: &str,
        client_id: &str,
        scopes: Vec<String>,
        state: Option<String>,
    ) -> IssuedTokens {
        let access_token = random_token();
        let refresh_token = random_token();
        let ttl = self.config.access_token_ttl;
        let scope = scopes.join(",");
        self.access.insert(
            access_token.clone(),
            AccessToken {
                account: account.to_owned(),
                scopes: scopes.clone(),
                expires_at: Instant::now() + ttl,
                refresh_token: refresh_token.clone(),
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                account: account.to_owned(),
                client_id: client_id.to_owned(),
                scopes,
                access_token: access_token.clone(),
            },
        );
        self.user_stats(account).tokens_issued += 1;
        IssuedTokens {
            access_token,
            token_type: "Bearer".to_owned(),
            state,
            refresh_token,
            expires_in: ttl.as_secs(),
            scope,
        }
    }

    /// Revokes `token` (access or refresh) and the other half of its pair.
    /// Unknown tokens are fine (RFC 7009).
    pub fn revoke(&mut self, token: &str) {
        let (account, access, refresh) = if let Some(a) = self.access.remove(token) {
            (a.account, token.to_owned(), a.refresh_token)
        } else if let Some(r) = self.refresh.remove(token) {
            (r.account, r.access_token, token.to_owned())
        } else {
            return;
        };
        self.access.remove(&access);
        self.refresh.remove(&refresh);
        self.user_stats(&account).revocations += 1;
    }

    /// The account behind the request's Bearer token, when it may do `need`
    /// and is within its rate limit.
    pub fn authenticate(&mut self, headers: &HeaderMap, need: Need) -> Result<String, ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(ApiError::unauthorized)?;
        let grant = self
            .access
            .get(token)
            .filter(|t| Instant::now() < t.expires_at)
            .ok_or_else(ApiError::unauthorized)?;
        if !need.satisfied_by(&grant.scopes) {
            return Err(ApiError::insufficient_scope());
        }
        let account = grant.account.clone();
        if let Some(limit) = self.config.rate_limit {
            let now = Instant::now();
            let recent = &mut self.account(&account).recent;
            while recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limit.window)
            {
                recent.pop_front();
            }
            if recent.len() >= limit.requests as usize {
                let oldest = recent.front().copied().unwrap_or(now);
                let wait = limit.window.saturating_sub(now.duration_since(oldest));
                return Err(ApiError::limits_reached(wait.as_secs().max(1), true, true));
            }
            recent.push_back(now);
        }
        Ok(account)
    }

    /// Whether `token` is a live access token (not revoked nor expired).
    pub fn token_is_active(&self, token: &str) -> bool {
        self.access
            .get(token)
            .is_some_and(|t| Instant::now() < t.expires_at)
    }
}

/// The Todoist user id of an account: opaque, and the same every run.
pub fn user_id(account: &str) -> String {
    opaque_id(&format!("user:{account}"))
}
