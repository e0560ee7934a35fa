//! `GET /auth/jwks.json`: the public keys that verify access tokens.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use platform::jwt::Jwks;

use crate::AppState;

/// The public halves of every signing key, newest first.
#[utoipa::path(get, path = "/auth/jwks.json", tag = "auth",
    responses((status = 200, description = "The JSON Web Key Set", body = Jwks)))]
pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(http::header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.jwks.as_ref().clone()),
    )
}
