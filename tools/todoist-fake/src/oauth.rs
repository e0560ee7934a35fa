//! `GET /oauth/authorize` shows the consent page; the page's form posts back
//! to the same path, and the person is sent to `redirect_uri` with `code`
//! and `state`, or with `error=access_denied`.

use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::consent;
use crate::model::random_token;
use crate::state::{Grant, Shared, State as FakeState, lock};

/// Every scope Todoist knows.
pub const SCOPES: [&str; 6] = [
    "task:add",
    "data:read",
    "data:read_write",
    "data:delete",
    "project:delete",
    "backups:read",
];

/// The authorize query, and the consent form's fields (which repeat it).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AuthorizeParams {
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    /// Form only: `approve` or `deny`.
    pub decision: Option<String>,
    /// Form only: the sandbox account to sign in as.
    pub account: Option<String>,
}

/// Why an authorization request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Shown on a page: the client or redirect cannot be trusted.
    Page(String),
    /// Sent back to the client's redirect URI with `error=…`.
    Redirect(String),
}

/// A request that passed the checks, ready to show or decide.
pub(crate) struct Checked {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: String,
    pub code_challenge: Option<String>,
}

pub(crate) fn check(state: &FakeState, p: &AuthorizeParams) -> Result<Checked, Refusal> {
    let client_id = p.client_id.clone().filter(|c| !c.is_empty());
    let Some(client_id) = client_id else {
        return Err(Refusal::Page("client_id is missing.".to_owned()));
    };
    if state
        .config
        .client_id
        .as_ref()
        .is_some_and(|want| *want != client_id)
    {
        return Err(Refusal::Page(format!("Unknown client_id {client_id:?}.")));
    }
    let registered = state.config.redirect_uri.as_ref();
    let redirect_uri = p.redirect_uri.clone().filter(|r| !r.is_empty());
    if let (Some(registered), Some(given)) = (registered, &redirect_uri)
        && registered != given
    {
        return Err(Refusal::Page(format!(
            "redirect_uri {given:?} is not the app's registered one."
        )));
    }
    let redirect_uri = redirect_uri
        .or_else(|| registered.cloned())
        .unwrap_or_default();
    if !(redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://")) {
        return Err(Refusal::Page(
            "redirect_uri is missing or not an http(s) URL (this fake has no registered one)."
                .to_owned(),
        ));
    }
    let back = |error: &str| {
        let mut pairs = vec![("error", error.to_owned())];
        pairs.extend(p.state.clone().map(|s| ("state", s)));
        Refusal::Redirect(with_query(&redirect_uri, &pairs))
    };
    if p.response_type.as_deref().is_some_and(|r| r != "code") {
        return Err(back("unsupported_response_type"));
    }
    let Some(state_param) = p.state.clone().filter(|s| !s.is_empty()) else {
        return Err(back("invalid_request"));
    };
    // Scopes are comma-joined; a space-joined list is not Todoist's and fails.
    let scopes: Vec<String> = p
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    if scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(back("invalid_scope"));
    }
    if p.code_challenge.is_some() && p.code_challenge_method.as_deref() != Some("S256") {
        return Err(back("invalid_request"));
    }
    Ok(Checked {
        client_id,
        redirect_uri,
        scopes,
        state: state_param,
        code_challenge: p.code_challenge.clone(),
    })
}

/// The consent decision: where the person's browser goes next.
pub(crate) fn decide(
    state: &mut FakeState,
    p: &AuthorizeParams,
    approve: bool,
    account: &str,
) -> Result<String, Refusal> {
    let checked = check(state, p)?;
    if !approve {
        let pairs = [
            ("error", "access_denied".to_owned()),
            ("state", checked.state),
        ];
        return Ok(with_query(&checked.redirect_uri, &pairs));
    }
    if !valid_account(account) {
        return Err(Refusal::Page(
            "The account name must be 1–64 letters, digits or . _ @ + -".to_owned(),
        ));
    }
    let code = random_token();
    let location = with_query(
        &checked.redirect_uri,
        &[("code", code.clone()), ("state", checked.state.clone())],
    );
    state.grants.insert(
        code,
        Grant {
            client_id: checked.client_id,
            redirect_uri: checked.redirect_uri,
            scopes: checked.scopes,
            account: account.to_owned(),
            code_challenge: checked.code_challenge,
            state: checked.state,
            expires_at: Instant::now() + state.config.code_ttl,
        },
    );
    Ok(location)
}

fn valid_account(account: &str) -> bool {
    (1..=64).contains(&account.len())
        && account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c))
}

pub(crate) async fn consent_page(
    State(shared): State<Shared>,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    let state = lock(&shared);
    match check(&state, &p) {
        Ok(checked) => Html(consent::page(&state.config, &p, &checked)).into_response(),
        Err(refusal) => refused(&state, refusal),
    }
}

pub(crate) async fn consent_answer(
    State(shared): State<Shared>,
    Form(p): Form<AuthorizeParams>,
) -> Response {
    let mut state = lock(&shared);
    let approve = p.decision.as_deref() == Some("approve");
    let account = p
        .account
        .clone()
        .map(|a| a.trim().to_owned())
        .unwrap_or_else(|| state.config.default_account.clone());
    match decide(&mut state, &p, approve, &account) {
        Ok(location) => see_other(&location),
        Err(refusal) => refused(&state, refusal),
    }
}

fn refused(state: &FakeState, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Redirect(location) => see_other(&location),
        Refusal::Page(message) => (
            StatusCode::BAD_REQUEST,
            Html(consent::error_page(&state.config, &message)),
        )
            .into_response(),
    }
}

fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// `url` with `pairs` added to its query.
pub(crate) fn with_query(url: &str, pairs: &[(&str, String)]) -> String {
    let mut out = url.to_owned();
    for (i, (name, value)) in pairs.iter().enumerate() {
        let sep = if i == 0 && !url.contains('?') {
            '?'
        } else {
            '&'
        };
        out.push(sep);
        out.push_str(name);
        out.push('=');
        out.push_str(&platform::http::query_value(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_query;

    #[test]
    fn query_values_are_encoded_and_appended() {
        let pairs = [("code", "a b&c".to_owned()), ("state", "x/y".to_owned())];
        assert_eq!(
            with_query("http://h/cb", &pairs),
            "http://h/cb?code=a%20b%26c&state=x%2Fy"
        );
        assert_eq!(
            with_query("http://h/cb?k=1", &pairs[..1]),
            "http://h/cb?k=1&code=a%20b%26c"
        );
    }
}
