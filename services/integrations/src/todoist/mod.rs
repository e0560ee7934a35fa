//! The Todoist API v1 client: OAuth (PKCE S256, `state`), refresh with
//! rotation, revocation, every page of active tasks, one task, and the
//! writes (close, reopen, the Sync command that puts a recurring task's due
//! back) with a deterministic `X-Request-Id`.
//!
//! Every call has a timeout and a deadline; retries follow [`http`]'s rules;
//! every call made for a user spends from that user's [`budget`].

pub mod budget;
pub mod error;
pub mod http;
pub mod oauth;
pub mod types;

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use uuid::Uuid;

pub use budget::{Budget, BudgetConfig};
pub use error::{RateLimiter, TodoistError};
pub use http::{RetryPolicy, Safety};
pub use oauth::{AuthorizeRequest, TokenGrant};
pub use types::{Due, Task};

use crate::domain::UserId;
use types::{Page, SyncAnswer};

/// The scope Onetip asks for: list and close tasks.
pub const SCOPE: &str = "data:read_write";
/// The most tasks Todoist returns per page.
pub const MAX_PAGE_LIMIT: u32 = 200;
/// A listing longer than this many pages is cut (a broken cursor).
const MAX_PAGES: usize = 200;

/// Where Todoist is and how to call it.
#[derive(Clone)]
pub struct TodoistConfig {
    /// `https://api.todoist.com/api/v1`.
    pub api_url: String,
    /// `https://todoist.com/oauth/authorize`.
    pub auth_url: String,
    /// `https://todoist.com/oauth/access_token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// `${PUBLIC_URL}/connect/todoist/callback`.
    pub redirect_url: String,
    /// The longest one attempt may take.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub budget: BudgetConfig,
    /// Tasks per page (at most 200).
    pub page_limit: u32,
}

impl std::fmt::Debug for TodoistConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TodoistConfig")
            .field("api_url", &self.api_url)
            .field("auth_url", &self.auth_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl TodoistConfig {
    /// The real Todoist's endpoints with our defaults.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_url: impl Into<String>,
    ) -> Self {
        Self {
            api_url: "https://api.todoist.com/api/v1".into(),
            auth_url: "https://todoist.com/oauth/authorize".into(),
            token_url: "https://todoist.com/oauth/access_token".into(),
            client_id: client_id.into(),
            client_secret,
            redirect_url: redirect_url.into(),
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            budget: BudgetConfig::default(),
            page_limit: MAX_PAGE_LIMIT,
        }
    }
}

/// The client. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct TodoistClient {
    config: TodoistConfig,
    http: reqwest::Client,
    oauth: oauth::OAuthClient,
    budget: Budget,
}

impl TodoistClient {
    pub fn new(mut config: TodoistConfig) -> Result<Self, TodoistError> {
        config.api_url = config.api_url.trim_end_matches('/').to_owned();
        config.page_limit = config.page_limit.clamp(1, MAX_PAGE_LIMIT);
        let http = platform::client::http_client(config.timeout);
        let oauth = oauth::client(&config)?;
        Ok(Self {
            budget: Budget::new(config.budget),
            config,
            http,
            oauth,
        })
    }

    pub fn config(&self) -> &TodoistConfig {
        &self.config
    }

    /// Forgets users whose budget is full again (bounded memory).
    pub fn forget_idle_budgets(&self) {
        self.budget.forget_idle();
    }

    /// Every active task of the user, following `next_cursor` to the end.
    pub async fn list_active_tasks(
        &self,
        user: &UserId,
        token: &SecretString,
        deadline: Instant,
    ) -> Result<Vec<Task>, TodoistError> {
        let url = format!("{}/tasks", self.config.api_url);
        let limit = self.config.page_limit.to_string();
        let mut tasks = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let response = self
                .send(Some(user), Safety::Repeatable, deadline, || {
                    let mut query = vec![("limit", limit.as_str())];
                    if let Some(c) = cursor.as_deref() {
                        query.push(("cursor", c));
                    }
                    self.http
                        .get(&url)
                        .bearer_auth(token.expose_secret())
                        .query(&query)
                })
                .await?;
            let page: Page<Task> = response.json().await.map_err(|e| {
                TodoistError::InvalidResponse(format!("task page: {}", http::describe(&e)))
            })?;
            tasks.extend(page.results);
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    return Err(TodoistError::InvalidResponse(
                        "the cursor did not advance".into(),
                    ));
                }
                Some(next) => cursor = Some(next),
                None => return Ok(tasks),
            }
        }
        Err(TodoistError::InvalidResponse(format!(
            "more than {MAX_PAGES} pages of tasks"
        )))
    }

    /// Closes a task. `request_id` makes the write idempotent at Todoist:
    /// pass [`request_id`]'s value, the same on every retry and double tap.
    pub async fn close_task(
        &self,
        user: &UserId,
        token: &SecretString,
        task_id: &str,
        request_id: Uuid,
        deadline: Instant,
    ) -> Result<(), TodoistError> {
        if !is_plain_id(task_id) {
            return Err(TodoistError::NotFound);
        }
        let url = format!("{}/tasks/{task_id}/close", self.config.api_url);
        let request_id = request_id.hyphenated().to_string();
        self.send(Some(user), Safety::Repeatable, deadline, || {
            self.http
                .post(&url)
                .bearer_auth(token.expose_secret())
                .header("X-Request-Id", &request_id)
        })
        .await?;
        Ok(())
    }
}

impl TodoistClient {
    /// One task, active or completed (`GET /api/v1/tasks/{id}`).
    pub async fn get_task(
        &self,
        user: &UserId,
        token: &SecretString,
        task_id: &str,
        deadline: Instant,
    ) -> Result<Task, TodoistError> {
        if !is_plain_id(task_id) {
            return Err(TodoistError::NotFound);
        }
        let url = format!("{}/tasks/{task_id}", self.config.api_url);
        let response = self
            .send(Some(user), Safety::Repeatable, deadline, || {
                self.http.get(&url).bearer_auth(token.expose_secret())
            })
            .await?;
        response
            .json()
            .await
            .map_err(|e| TodoistError::InvalidResponse(format!("task: {}", http::describe(&e))))
    }

    /// Reopens a completed one-off task (and its parents), idempotent by
    /// `request_id` like [`close_task`](Self::close_task).
    pub async fn reopen_task(
        &self,
        user: &UserId,
        token: &SecretString,
        task_id: &str,
        request_id: Uuid,
        deadline: Instant,
    ) -> Result<(), TodoistError> {
        if !is_plain_id(task_id) {
            return Err(TodoistError::NotFound);
        }
        let url = format!("{}/tasks/{task_id}/reopen", self.config.api_url);
        let request_id = request_id.hyphenated().to_string();
        self.send(Some(user), Safety::Repeatable, deadline, || {
            self.http
                .post(&url)
                .bearer_auth(token.expose_secret())
                .header("X-Request-Id", &request_id)
        })
        .await?;
        Ok(())
    }

    /// Puts a recurring task's due object back (the undo of its close):
    /// the Sync command `item_update_date_complete {id, due, is_forward: 0}`
    /// with `uuid = request_id`, which Todoist runs at most once. The whole
    /// due object goes, never a bare date, so the recurrence survives.
    pub async fn restore_due(
        &self,
        user: &UserId,
        token: &SecretString,
        task_id: &str,
        due: &Due,
        request_id: Uuid,
        deadline: Instant,
    ) -> Result<(), TodoistError> {
        if !is_plain_id(task_id) {
            return Err(TodoistError::NotFound);
        }
        let url = format!("{}/sync", self.config.api_url);
        let uuid = request_id.hyphenated().to_string();
        let body = serde_json::json!({
            "commands": [{
                "type": "item_update_date_complete",
                "uuid": uuid,
                "args": {"id": task_id, "due": due, "is_forward": 0},
            }]
        });
        let response = self
            .send(Some(user), Safety::Repeatable, deadline, || {
                self.http
                    .post(&url)
                    .bearer_auth(token.expose_secret())
                    .header("X-Request-Id", &uuid)
                    .json(&body)
            })
            .await?;
        let answer: SyncAnswer = response.json().await.map_err(|e| {
            TodoistError::InvalidResponse(format!("sync answer: {}", http::describe(&e)))
        })?;
        match answer.sync_status.get(&uuid) {
            Some(serde_json::Value::String(ok)) if ok == "ok" => Ok(()),
            Some(error) => {
                let text = |name: &str| {
                    error
                        .get(name)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .chars()
                        .take(200)
                        .collect::<String>()
                };
                if error.get("http_code").and_then(|c| c.as_u64()) == Some(404) {
                    return Err(TodoistError::NotFound);
                }
                Err(TodoistError::CommandRefused {
                    tag: text("error_tag"),
                    message: text("error"),
                })
            }
            None => Err(TodoistError::InvalidResponse(
                "the sync answer lacks our command".into(),
            )),
        }
    }
}

/// Todoist ids are opaque but plain: refuse anything that could change the
/// path of the URL it is put into.
pub fn is_plain_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The namespace of our idempotency keys (a fixed random UUID).
const REQUEST_ID_NAMESPACE: Uuid = Uuid::from_u128(0x7d0c_9a4e_51b3_4f7a_9e2d_64c1_08f3_b2a5);

/// The `X-Request-Id` of a write: a UUIDv5 of (user, task, action, the
/// caller's idempotency key), so a retry or a double tap sends the same id
/// while done → undo → done (new keys) sends new ones.
pub fn request_id(user: &UserId, task_id: &str, action: &str, key: &str) -> Uuid {
    let user = user.to_string();
    let mut name = Vec::new();
    for field in [user.as_str(), task_id, action, key] {
        name.extend_from_slice(&(field.len() as u32).to_be_bytes());
        name.extend_from_slice(field.as_bytes());
    }
    Uuid::new_v5(&REQUEST_ID_NAMESPACE, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_id_is_a_function_of_user_task_action_and_decision() {
        let user = UserId::new(Uuid::new_v4());
        let a = request_id(&user, "6X7rM8997g3RQmvh", "close", "rec-1");
        assert_eq!(a, request_id(&user, "6X7rM8997g3RQmvh", "close", "rec-1"));
        assert_ne!(a, request_id(&user, "6X7rM8997g3RQmvh", "close", "rec-2"));
        assert_ne!(a, request_id(&user, "6X7rM8997g3RQmvh", "reopen", "rec-1"));
        let other = UserId::new(Uuid::new_v4());
        assert_ne!(a, request_id(&other, "6X7rM8997g3RQmvh", "close", "rec-1"));
        assert_eq!(a.get_version_num(), 5);
    }

    #[test]
    fn ids_that_could_change_the_path_are_refused() {
        assert!(is_plain_id("6X7rM8997g3RQmvh"));
        assert!(!is_plain_id("../projects"));
        assert!(!is_plain_id("a/b"));
        assert!(!is_plain_id(""));
        assert!(!is_plain_id("a?b"));
    }
}
