//! `/`: the tip page. Full black, one tip in the centre. Until tips come
//! from the recommender it shows one fixed advice card.

use axum::response::Html;
use leptos::prelude::*;

use super::{Head, document};

/// `GET /`.
pub async fn page() -> Html<String> {
    document(
        Head::titled("Onetip"),
        "tip-page",
        view! {
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
