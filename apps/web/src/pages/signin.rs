//! `/signin`: the way in. For now a skeleton: the button leads to auth's
//! Google sign-in, which a later issue fills in.

use axum::response::Html;
use leptos::prelude::*;

use super::{Head, framed};

/// `GET /signin`.
pub async fn page() -> Html<String> {
    framed(
        Head::titled("Sign in · Onetip"),
        view! {
            <section class="panel signin">
                <h1>"Sign in"</h1>
                <p>"One tip at a time, from your own tasks."</p>
                // A plain link, not a form: the start of the OpenID Connect
                // dance is a GET that auth answers with a redirect.
                <a class="button" href="/auth/google/start">"Sign in with Google"</a>
            </section>
        },
    )
}
