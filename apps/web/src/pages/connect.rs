//! `/connect`: the connectors, one button each, with their state. For now a
//! skeleton: Todoist, not connected; the connecting itself comes later.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use leptos::prelude::*;

use super::account::Viewer;
use super::{Head, framed};

/// `GET /connect`.
pub async fn page(viewer: Viewer) -> Html<String> {
    framed(
        Head::titled("Connectors · Onetip"),
        &viewer,
        view! {
            <h1>"Connectors"</h1>
            <p>"Connect a service so that your tips come from your own tasks."</p>
            <ul class="connectors">
                <li class="connector" data-connector="todoist" data-state="disconnected">
                    <div class="connector-text">
                        <span class="connector-name">"Todoist"</span>
                        <span class="connector-state">"not connected"</span>
                    </div>
                    // A POST, not a link: starting to connect changes state
                    // (an OAuth state is stored), and forms post to web.
                    <form method="post" action="/connect/todoist">
                        <button class="button" type="submit">"Connect Todoist"</button>
                    </form>
                </li>
            </ul>
        },
    )
}

/// `POST /connect/todoist`: not built yet, and says so plainly.
pub async fn start_todoist(viewer: Viewer) -> impl IntoResponse {
    let page = framed(
        Head::titled("Not available yet · Onetip"),
        &viewer,
        view! {
            <h1>"Not available yet"</h1>
            <p>"Connecting Todoist is not available yet."</p>
            <p><a href="/connect">"Back to the connectors"</a></p>
        },
    );
    (StatusCode::NOT_IMPLEMENTED, page)
}
