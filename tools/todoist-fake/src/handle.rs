//! [`FakeTodoist`]: the fake as a value. Tests of other crates start it on
//! 127.0.0.1:0, point their Todoist URLs at it, queue faults and read what
//! it saw; the launcher and the binary serve its router.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Query;
use axum::http::Uri;
use platform::{Server, Shutdown};

use crate::config::FakeConfig;
use crate::faults::{FaultSpec, QueuedFault};
use crate::model::Task;
use crate::oauth::{AuthorizeParams, Refusal, decide};
use crate::state::{self, IssuedTokens, Shared, State, Stats, UserStats, lock};

/// A fake Todoist: its state, and where it serves once started. Clones
/// share the state.
#[derive(Clone)]
pub struct FakeTodoist {
    pub(crate) shared: Shared,
    running: Option<(SocketAddr, Shutdown)>,
}

impl FakeTodoist {
    /// A fake with `config`, not serving yet.
    pub fn new(config: FakeConfig) -> Self {
        Self {
            shared: Arc::new(Mutex::new(State::new(config))),
            running: None,
        }
    }

    /// Binds 127.0.0.1:0 and serves in the background until [`stop`](Self::stop)
    /// or the end of the runtime.
    pub async fn start(config: FakeConfig) -> anyhow::Result<Self> {
        let mut fake = Self::new(config);
        let server = fake.bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let shutdown = Shutdown::new();
        fake.running = Some((server.local_addr(), shutdown.clone()));
        tokio::spawn(async move {
            if let Err(e) = server.serve(shutdown).await {
                tracing::error!(error = %format!("{e:#}"), "todoist-fake stopped");
            }
        });
        Ok(fake)
    }

    /// The router, bound to `addr`, for the caller to serve.
    pub async fn bind(&self, addr: SocketAddr) -> anyhow::Result<Server> {
        Server::bind("todoist-fake", addr, self.router()).await
    }

    /// Stops a fake begun with [`start`](Self::start).
    pub fn stop(&self) {
        if let Some((_, shutdown)) = &self.running {
            shutdown.trigger();
        }
    }

    /// Where a started fake listens.
    pub fn addr(&self) -> SocketAddr {
        self.running
            .as_ref()
            .map(|(addr, _)| *addr)
            .expect("FakeTodoist::start was not called")
    }

    /// `http://127.0.0.1:PORT`: the OAuth host (`/oauth/…`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The API base, like `https://api.todoist.com/api/v1`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v1", self.url())
    }

    pub fn authorize_url(&self) -> String {
        format!("{}/oauth/authorize", self.url())
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth/access_token", self.url())
    }

    pub fn revoke_url(&self) -> String {
        format!("{}/api/v1/revoke", self.url())
    }

    /// A detached handle on the same state (no server of its own).
    pub(crate) fn state_only(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            running: None,
        }
    }

    /// Queues `fault` for its route's next answers.
    pub fn queue_fault(&self, fault: FaultSpec) -> Result<(), String> {
        fault.validate()?;
        let remaining = fault.times;
        lock(&self.shared).faults.push(QueuedFault {
            spec: fault,
            remaining,
        });
        Ok(())
    }

    /// Faults not yet served.
    pub fn pending_faults(&self) -> Vec<QueuedFault> {
        lock(&self.shared).faults.clone()
    }

    pub fn stats(&self) -> Stats {
        lock(&self.shared).stats.clone()
    }

    /// One account's counters (zeros when it was never seen).
    pub fn user_stats(&self, account: &str) -> UserStats {
        lock(&self.shared).user_stats(account).clone()
    }

    /// Back to seeded tasks, with no tokens, codes, faults or counters.
    pub fn reset(&self) {
        lock(&self.shared).reset();
    }

    /// Tokens for `account` without the OAuth dance.
    pub fn issue_token(&self, account: &str, scopes: &[&str]) -> IssuedTokens {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        lock(&self.shared).issue(account, "fake-client", scopes, None)
    }

    /// Every access token expires now (refresh tokens still work).
    pub fn expire_access_tokens(&self) {
        let now = std::time::Instant::now();
        for token in lock(&self.shared).access.values_mut() {
            token.expires_at = now;
        }
    }

    /// Whether `token` is a live access token.
    pub fn token_is_active(&self, token: &str) -> bool {
        lock(&self.shared).token_is_active(token)
    }

    /// All of `account`'s tasks, completed ones included, in list order.
    pub fn tasks(&self, account: &str) -> Vec<Task> {
        let mut state = lock(&self.shared);
        state
            .account(account)
            .tasks
            .iter()
            .map(|t| t.task.clone())
            .collect()
    }

    /// Changes one of `account`'s tasks in place (a test's setup: assign
    /// it to someone else, give it a due date…); false when there is none.
    pub fn edit_task(&self, account: &str, id: &str, edit: impl FnOnce(&mut Task)) -> bool {
        let mut state = lock(&self.shared);
        match state
            .account(account)
            .tasks
            .iter_mut()
            .find(|t| t.task.id == id)
        {
            Some(stored) => {
                edit(&mut stored.task);
                true
            }
            None => false,
        }
    }

    /// Keeps only `account`'s tasks that `keep` keeps (an empty list is
    /// `|_| false`).
    pub fn retain_tasks(&self, account: &str, keep: impl Fn(&Task) -> bool) {
        lock(&self.shared)
            .account(account)
            .tasks
            .retain(|t| keep(&t.task));
    }

    /// Makes `account` hold exactly `count` open tasks, all top-level and
    /// not recurring: the seeded ones first, then copies of them under new
    /// ids (a benchmark's setup: a user with 10 or 5,000 open tasks).
    pub fn set_open_tasks(&self, account: &str, count: usize) {
        let mut fake = lock(&self.shared);
        let tasks = &mut fake.account(account).tasks;
        tasks.retain(|t| !t.task.checked && t.task.parent_id.is_none() && t.recurrence.is_none());
        tasks.truncate(count);
        let templates: Vec<Task> = tasks.iter().map(|t| t.task.clone()).collect();
        let last = tasks.last().map_or(0, |t| t.seq);
        if templates.is_empty() {
            return;
        }
        let have = tasks.len();
        for n in have..count {
            let template = &templates[n % templates.len()];
            let mut task = template.clone();
            task.id = crate::model::opaque_id(&format!("copy:{account}:{n}"));
            task.content = format!("{} ({n})", template.content);
            tasks.push(state::StoredTask {
                seq: last + (n - have) as u64 + 1,
                task,
                recurrence: None,
            });
        }
    }

    /// `account`'s active tasks, as the listing shows them.
    pub fn active_tasks(&self, account: &str) -> Vec<Task> {
        self.tasks(account)
            .into_iter()
            .filter(|t| !t.checked)
            .collect()
    }

    /// The Todoist user id of `account`.
    pub fn user_id(account: &str) -> String {
        state::user_id(account)
    }

    /// Approves `authorize_url` as `account`, as the consent page would:
    /// the URL the browser is sent to (with `code` and `state`).
    pub fn approve(&self, authorize_url: &str, account: &str) -> Result<String, Refusal> {
        let params = params_of(authorize_url)?;
        decide(&mut lock(&self.shared), &params, true, account)
    }

    /// Denies `authorize_url`: the redirect with `error=access_denied`.
    pub fn deny(&self, authorize_url: &str) -> Result<String, Refusal> {
        let params = params_of(authorize_url)?;
        decide(&mut lock(&self.shared), &params, false, "")
    }
}

fn params_of(url: &str) -> Result<AuthorizeParams, Refusal> {
    let uri: Uri = url
        .parse()
        .map_err(|_| Refusal::Page("not a URL".to_owned()))?;
    Query::<AuthorizeParams>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .map_err(|e| Refusal::Page(e.to_string()))
}
