//! `/`: the tip page. Full black, one tip in the centre, and in a corner,
//! discreetly, who is signed in and the way out. Until tips come from the
//! recommender it shows one fixed advice card.

use axum::response::Html;
use leptos::prelude::*;

use super::account::{Viewer, account};
use super::{Head, document};

/// `GET /`.
pub async fn page(viewer: Viewer) -> Html<String> {
    let corner = account(&viewer, Some("Signed in as "));
    document(
        Head::titled("Onetip"),
        "tip-page",
        view! {
            <header class="tip-corner">{corner}</header>
            <main class="tip-stage">
                <article class="tip" data-tip-kind="advice">
                    <h1 class="tip-title">"Connect Todoist to see your next task"</h1>
                    <p class="tip-body">
                        "Onetip shows one thing at a time, taken from your own tasks."
                    </p>
                    <a class="tip-action" href="/connect">"Connect Todoist"</a>
                </article>
            </main>
        },
    )
}
