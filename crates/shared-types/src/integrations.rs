//! What integrations answers about a user's connected sources: the
//! candidate list with a status per source, and the outcome of completing
//! or reopening an item.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::events::NormalizedEvent;

/// `GET /api/integrations/tasks`: the user's open items from every source,
/// and how each source answered, so "not connected", "no tasks" and
/// "Todoist is down" are told apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Candidates {
    /// `task.open` events; each payload is a [`TaskPayload`].
    pub items: Vec<NormalizedEvent>,
    /// One entry per connector, connected or not.
    #[serde(default)]
    pub sources: Vec<SourceReport>,
}

/// How one source answered the candidate listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SourceReport {
    /// The connector's name: `todoist`.
    pub source: String,
    pub status: SourceStatus,
    /// When the items given for this source were fetched (RFC 3339, UTC);
    /// `null` when none were.
    pub as_of: Option<String>,
}

/// `ok`: current (younger than the cache TTL, or being refreshed with no
/// failure yet); `stale`: the last good list (up to 24 h old) while the
/// provider fails, or a list over 5 minutes old; `failed`: nothing usable
/// (the provider failed, or was still answering after about a second);
/// `not_connected`; `reconnect_required`: the provider no longer accepts
/// our tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    Ok,
    Stale,
    Failed,
    NotConnected,
    ReconnectRequired,
}

impl SourceStatus {
    /// Whether the source's items can be offered.
    pub fn has_items(self) -> bool {
        matches!(self, Self::Ok | Self::Stale)
    }
}

/// A task's due date, as Todoist gives it (kept whole so that a recurring
/// task's undo restores it, recurrence included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaskDue {
    /// `YYYY-MM-DD`, floating `YYYY-MM-DDTHH:MM:SS`, or UTC `…Z`.
    pub date: String,
    #[serde(default)]
    pub timezone: Option<String>,
    /// How the user wrote it: `every monday`.
    #[serde(default)]
    pub string: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub is_recurring: bool,
}

/// The payload of a `task.open` event: what a policy may score and a page
/// may show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskPayload {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Todoist's API priority: 1 normal … 4 urgent (shown as P1 in its app).
    #[serde(default = "normal_priority")]
    pub priority: u8,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub section_id: Option<String>,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub due: Option<TaskDue>,
    /// A hard deadline date (`YYYY-MM-DD`), apart from the due date.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Estimated duration in minutes.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub is_recurring: bool,
    /// The item's page at its provider.
    #[serde(default)]
    pub deep_link: Option<String>,
    /// When the task was added (RFC 3339).
    #[serde(default)]
    pub added_at: Option<String>,
    /// True when the task is assigned to someone other than the user.
    #[serde(default)]
    pub assigned_to_other: bool,
}

fn normal_priority() -> u8 {
    1
}

/// `POST /api/integrations/items/{connector}/{item}/complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CompleteOutcome {
    pub outcome: CompletionKind,
    /// The due date before the close: what an undo of a recurring task
    /// restores. `null` when the task had none.
    pub previous_due: Option<TaskDue>,
    /// A recurring task's next occurrence, when known.
    pub next_due: Option<TaskDue>,
}

/// `completed`: a one-off task is done; `advanced`: a recurring task moved
/// to its next occurrence and stays active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompletionKind {
    Completed,
    Advanced,
}

/// `POST /api/integrations/items/{connector}/{item}/reopen`'s body: what
/// the complete answered, so a recurring task gets its due date back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReopenRequest {
    #[serde(default)]
    pub previous_due: Option<TaskDue>,
}

/// The reopen's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReopenOutcome {
    pub outcome: ReopenKind,
}

/// `reopened`: a one-off task is active again; `restored`: a recurring
/// task has its previous due date back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReopenKind {
    Reopened,
    Restored,
}

/// `GET /api/connectors`: one connector and the user's connection to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConnectorState {
    /// The stable name used in URLs: `todoist`.
    pub name: String,
    /// The name people see: `Todoist`.
    pub display_name: String,
    pub connected: bool,
    /// When the user connected (epoch ms).
    pub connected_at: Option<i64>,
    /// The granted scopes, comma-joined.
    pub scope: Option<String>,
}

/// `POST /api/connectors/{name}/connect`: where to send the user to approve
/// the connection (the same URL as the answer's `Location`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConnectStart {
    pub redirect_url: String,
}

/// Declares [`ConnectError`] from one list, so that every variant is in
/// `ALL` (which the web page's sentence test walks) and has its code: a new
/// code cannot be left out of either.
macro_rules! connect_errors {
    (
        $(#[$enum_doc:meta])*
        pub enum ConnectError { $($(#[$doc:meta])* $variant:ident = $code:literal,)* }
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ConnectError {
            $($(#[$doc])* $variant,)*
        }

        impl ConnectError {
            /// Every code, in the order they are declared.
            pub const ALL: [Self; [$($code),*].len()] = [$(Self::$variant),*];

            /// The code as the query string carries it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

connect_errors! {
    /// Why connecting (or disconnecting) did not work, as
    /// `/connect?connector={name}&error={code}` carries it to the web page,
    /// which has one sentence for each. The OAuth callback sends most of them;
    /// `start_failed` and `disconnect_failed` are the web app's own.
    pub enum ConnectError {
        /// The user said no on the provider's page.
        AccessDenied = "access_denied",
        /// The provider came back without our `state`.
        StateMissing = "state_missing",
        /// The `state` is unknown or was already used.
        StateUnknown = "state_unknown",
        StateExpired = "state_expired",
        /// Started by another user.
        StateForeign = "state_foreign",
        /// The `state` was made for another connector.
        WrongProvider = "wrong_provider",
        /// The provider refused to exchange the code.
        CodeRejected = "code_rejected",
        RateLimited = "rate_limited",
        ProviderFailed = "provider_failed",
        NotSignedIn = "not_signed_in",
        UnknownConnector = "unknown_connector",
        StartFailed = "start_failed",
        DisconnectFailed = "disconnect_failed",
        Internal = "internal",
    }
}

impl ConnectError {
    /// The code a query string names, if it is one of ours.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connect_error_code_reads_back_as_itself_and_serde_agrees() {
        let mut seen = std::collections::HashSet::new();
        for code in ConnectError::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(ConnectError::parse(code.as_str()), Some(code));
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
        assert_eq!(ConnectError::parse("no-such-code"), None);
    }
}
