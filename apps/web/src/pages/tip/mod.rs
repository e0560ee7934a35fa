//! `/`: the tip page. Full black, one tip in the centre; the whole tip is a
//! button in a plain form (`POST /tip/{decision_id}/done`), with a quieter
//! skip form and, after a done, an undo bar. Everything works without
//! JavaScript: web calls the recommender through the gateway and answers
//! `303 /`, which shows the next tip. `/static/tip.js` only adds keys.
//!
//! The page answers within [`PAGE_BUDGET`] whatever the services do: the
//! profile and the recommendation are each bounded, and a failure is one
//! calm line, never an error page.

mod view;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;
use shared_types::recommender::SkipReason;
use time::OffsetDateTime;

pub use self::view::Loaded;
use self::view::{FormKeys, stage};
use super::account::{Viewer, account};
use super::{Head, document, forms};
use crate::app::AppState;
use crate::assets::TIP_JS_HREF;
use crate::gateway::GatewayError;
use crate::gateway::tips::{ActionError, TipAction};

/// The page answers within this, whatever the services do.
pub const PAGE_BUDGET: Duration = Duration::from_millis(4_500);
/// The longest web waits for a recommendation (the recommender itself
/// gives its sources 1.2 s before it falls back to what it has).
const RECOMMEND_WAIT: Duration = Duration::from_millis(2_500);
/// The longest web waits for done, skip or undo (a done writes to Todoist).
const ACTION_WAIT: Duration = Duration::from_secs(4);
/// Where a signed-out post or page is sent.
const SIGN_IN: &str = "/signin?return_to=%2F";

/// The calm line about the last action, carried in `/?n=…` after a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Todoist did not answer the done: the tip stays.
    DoneLater,
    AlreadyDone,
    UndoExpired,
    UndoUnavailable,
    /// The decision moved on (another tab, expired): here is the current tip.
    Moved,
    Failed,
}

impl Notice {
    const ALL: [Notice; 6] = [
        Self::DoneLater,
        Self::AlreadyDone,
        Self::UndoExpired,
        Self::UndoUnavailable,
        Self::Moved,
        Self::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DoneLater => "done_later",
            Self::AlreadyDone => "already_done",
            Self::UndoExpired => "undo_expired",
            Self::UndoUnavailable => "undo_unavailable",
            Self::Moved => "moved",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    pub fn sentence(self) -> &'static str {
        match self {
            Self::DoneLater => {
                "Todoist is not answering, so this is not marked done yet. \
                 Try again in a moment."
            }
            Self::AlreadyDone => "That one is already done.",
            Self::UndoExpired => "It is too late to undo that one, so it stays done.",
            Self::UndoUnavailable => {
                "Todoist would not bring that task back, so it stays done. \
                 You can reopen it in Todoist."
            }
            Self::Moved => "That tip has moved on; here is the current one.",
            Self::Failed => "That did not go through. Please try again.",
        }
    }

    fn of(error: &ActionError) -> Self {
        match error {
            ActionError::ProviderDown => Self::DoneLater,
            ActionError::AlreadyDone => Self::AlreadyDone,
            ActionError::UndoExpired => Self::UndoExpired,
            ActionError::UndoUnavailable => Self::UndoUnavailable,
            ActionError::NotFound | ActionError::Conflict(_) => Self::Moved,
            ActionError::Unauthorized | ActionError::Failed(_) => Self::Failed,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    n: Option<String>,
}

/// A fresh key for one form: the `Idempotency-Key` of what it posts.
fn mint_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The whole document of `/`.
pub fn render(
    viewer: &Viewer,
    loaded: &Loaded,
    notice: Option<Notice>,
    now: OffsetDateTime,
    keys: &mut FormKeys<'_>,
) -> String {
    let corner = account(viewer, Some("Signed in as "));
    let stage = stage(loaded, notice, now, keys);
    let title = match loaded {
        Loaded::Tip(rec) => format!("{} · Onetip", rec.tip.title),
        Loaded::Unavailable => "Onetip".to_owned(),
    };
    document(
        Head::tip(title),
        "tip-page",
        view! {
            <header class="tip-corner">{corner}</header>
            {stage}
            <script src=TIP_JS_HREF.as_str() defer></script>
        },
    )
    .0
}

/// `GET /`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let started = Instant::now();
    let notice = query
        .ok()
        .and_then(|Query(q)| q.n)
        .and_then(|n| Notice::parse(&n));
    let request_id = headers.get(platform::http::REQUEST_ID);
    let (me, token) = match (&viewer, headers.get(AUTHORIZATION)) {
        (Viewer::SignedOut, _) | (_, None) => return Redirect::to(SIGN_IN).into_response(),
        (Viewer::SignedIn { me, .. }, Some(token)) => (Some(me), token),
        (Viewer::Unknown { .. }, Some(token)) => (None, token),
    };
    let loaded = match me {
        None => Loaded::Unavailable,
        Some(me) => {
            let wait = PAGE_BUDGET
                .saturating_sub(started.elapsed())
                .min(RECOMMEND_WAIT);
            match state
                .gateway
                .recommend(me.id.as_uuid(), wait, token, request_id)
                .await
            {
                Ok(rec) => Loaded::Tip(Box::new(rec)),
                Err(GatewayError::Unauthorized) => {
                    return Redirect::to(SIGN_IN).into_response();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "no recommendation for the tip page");
                    Loaded::Unavailable
                }
            }
        }
    };
    let csrf = viewer.csrf().unwrap_or_default().to_owned();
    let mut mint = mint_key;
    let mut keys = FormKeys {
        csrf: &csrf,
        mint: &mut mint,
    };
    let html = render(
        &viewer,
        &loaded,
        notice,
        OffsetDateTime::now_utc(),
        &mut keys,
    );
    let mut response = axum::response::Html(html).into_response();
    // Each rendering mints its own form keys: never serve one from a cache.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The fields of the tip's forms.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    key: Option<String>,
    reason: Option<String>,
}

/// The form's key when it is one a header may carry (≤ 64 visible ASCII
/// characters); otherwise one derived from the decision and the action,
/// so that a resubmitted keyless form is still one event.
fn idempotency_key(given: Option<&str>, decision: uuid::Uuid, action: TipAction) -> String {
    match given.map(str::trim) {
        Some(k) if !k.is_empty() && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_graphic()) => {
            k.to_owned()
        }
        _ => format!("web-{}-{}", decision.simple(), action.path()),
    }
}

async fn act(
    state: AppState,
    decision: String,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
    action: impl FnOnce(&ActionForm) -> TipAction,
) -> Response {
    let Some(token) = headers.get(AUTHORIZATION) else {
        return Redirect::to(SIGN_IN).into_response();
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if !forms::session_ok(&state, &headers, form.csrf.as_deref()) {
        return forms::forbidden();
    }
    let Ok(decision) = uuid::Uuid::parse_str(&decision) else {
        return Redirect::to(&format!("/?n={}", Notice::Moved.code())).into_response();
    };
    let action = action(&form);
    let key = idempotency_key(form.key.as_deref(), decision, action);
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state
        .gateway
        .tip_action(decision, action, &key, ACTION_WAIT, token, request_id)
        .await
    {
        Ok(_) => Redirect::to("/").into_response(),
        Err(ActionError::Unauthorized) => Redirect::to(SIGN_IN).into_response(),
        Err(e) => {
            let notice = Notice::of(&e);
            if notice == Notice::Failed {
                tracing::warn!(error = %e, action = action.path(), "a tip action failed");
            }
            Redirect::to(&format!("/?n={}", notice.code())).into_response()
        }
    }
}

/// `POST /tip/{decision_id}/done`.
pub async fn done(
    State(state): State<AppState>,
    Path(decision): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    act(state, decision, headers, form, |_| TipAction::Done).await
}

/// `POST /tip/{decision_id}/skip`, with an optional `reason`.
pub async fn skip(
    State(state): State<AppState>,
    Path(decision): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    act(state, decision, headers, form, |f| {
        TipAction::Skip(f.reason.as_deref().and_then(SkipReason::parse))
    })
    .await
}

/// `POST /tip/{decision_id}/undo`.
pub async fn undo(
    State(state): State<AppState>,
    Path(decision): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    act(state, decision, headers, form, |_| TipAction::Undo).await
}
