//! The tip through the gateway: `POST /api/recommend` for the one tip, and
//! `POST /api/tips/{decision_id}/done|skip|undo` for what the user did.
//!
//! The wire types are the recommender's own, from `shared-types`.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use shared_types::ErrorBody;
use shared_types::recommender::{
    RecommendRequest, Recommendation, SkipReason, SkipRequest, TipActionAnswer,
};

use super::{GatewayClient, GatewayError, unreachable};

/// What the user did with a tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipAction {
    Done,
    Skip(Option<SkipReason>),
    Undo,
}

impl TipAction {
    pub fn path(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Skip(_) => "skip",
            Self::Undo => "undo",
        }
    }
}

/// Why an action was not taken: what the page says calmly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// 409 `already_done`: a second tap, or another tab.
    #[error("already done")]
    AlreadyDone,
    /// 409 `undo_expired`: too late to undo.
    #[error("undo expired")]
    UndoExpired,
    /// 409 `undo_unavailable`: the provider refused to reopen.
    #[error("undo unavailable")]
    UndoUnavailable,
    /// Another 409: the decision moved on (skipped, superseded…).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 404: unknown, or someone else's decision.
    #[error("no such decision")]
    NotFound,
    /// 503: the provider (Todoist) is not answering; the decision stays open.
    #[error("provider unavailable")]
    ProviderDown,
    /// 401: the session is gone.
    #[error("refused the token")]
    Unauthorized,
    /// No usable answer (unreachable, timed out, garbage, another status).
    #[error("failed: {0}")]
    Failed(String),
}

impl GatewayClient {
    /// `POST /api/recommend` for `user_id`, waiting at most `wait`.
    #[tracing::instrument(skip_all)]
    pub async fn recommend(
        &self,
        user_id: uuid::Uuid,
        wait: Duration,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<Recommendation, GatewayError> {
        let body = RecommendRequest {
            user_id: user_id.into(),
            context: None,
            new: false,
        };
        let request = self
            .http
            .post(format!("{}/api/recommend", self.base))
            .json(&body)
            .timeout(wait);
        let response = self
            .for_user(request, authorization, request_id)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => return Err(GatewayError::Unauthorized),
            status => return Err(GatewayError::Status(status)),
        }
        response
            .json::<Recommendation>()
            .await
            .map_err(|_| GatewayError::Garbage)
    }

    /// `POST /api/tips/{decision_id}/{action}` with `Idempotency-Key: key`.
    #[tracing::instrument(skip_all, fields(action = action.path()))]
    pub async fn tip_action(
        &self,
        decision_id: uuid::Uuid,
        action: TipAction,
        key: &str,
        wait: Duration,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<TipActionAnswer, ActionError> {
        let url = format!("{}/api/tips/{decision_id}/{}", self.base, action.path());
        let mut request = self
            .http
            .post(url)
            .header("idempotency-key", key)
            .timeout(wait);
        if let TipAction::Skip(reason) = action {
            request = request.json(&SkipRequest { reason });
        }
        let response = self
            .for_user(request, authorization, request_id)
            .send()
            .await
            .map_err(|e| ActionError::Failed(unreachable(&e).to_string()))?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<TipActionAnswer>()
                .await
                .map_err(|_| ActionError::Failed("a body that is not an answer".into()));
        }
        Err(match status {
            StatusCode::UNAUTHORIZED => ActionError::Unauthorized,
            StatusCode::NOT_FOUND => ActionError::NotFound,
            StatusCode::SERVICE_UNAVAILABLE => ActionError::ProviderDown,
            StatusCode::CONFLICT => {
                let code = response
                    .json::<ErrorBody>()
                    .await
                    .map(|b| b.error)
                    .unwrap_or_default();
                match code.as_str() {
                    "already_done" => ActionError::AlreadyDone,
                    "undo_expired" => ActionError::UndoExpired,
                    "undo_unavailable" => ActionError::UndoUnavailable,
                    _ => ActionError::Conflict(code),
                }
            }
            status => ActionError::Failed(format!("answered {status}")),
        })
    }
}
