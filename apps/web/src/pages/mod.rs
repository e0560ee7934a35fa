//! The pages, and the document they share.
//!
//! Why not `leptos_axum`'s routes: its streaming renderer appends small
//! inline scripts after `</html>` (resource data, hydration bootstrapping)
//! that a CSP without `'unsafe-inline'` would block, and this app has no
//! Wasm bundle to hydrate anyway. Instead each handler loads what it needs
//! first, then renders a Leptos view to a string with
//! [`RenderHtml::to_html`]. That yields the markup in the `view!` and
//! nothing else: no script, text and attributes escaped (the few hydration
//! placeholder comments it leaves are dropped in [`document`]).

pub mod account;
pub mod connect;
pub mod forms;
pub mod signin;
pub mod status;
pub mod tip;

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use leptos::prelude::*;

use self::account::{Viewer, account};
use crate::assets::{APPLE_TOUCH_ICON_PATH, CSS_HREF, ICON_PATH, MANIFEST_PATH};

/// What a page puts in its `<head>` besides what every page has.
pub struct Head {
    pub title: Cow<'static, str>,
}

impl Head {
    pub fn titled(title: &'static str) -> Self {
        Self {
            title: Cow::Borrowed(title),
        }
    }

    /// The tip page's head: the tip's own title.
    pub fn tip(title: String) -> Self {
        Self {
            title: Cow::Owned(title),
        }
    }
}

/// A whole HTML document: the shared head, `body` inside `<body>`.
pub fn document(
    head: Head,
    body_class: &'static str,
    body: impl IntoView + 'static,
) -> Html<String> {
    let html = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="dark" />
                <meta name="theme-color" content="#000000" />
                <title>{head.title.into_owned()}</title>
                <link rel="stylesheet" href=CSS_HREF.as_str() />
                <link rel="icon" type="image/svg+xml" href=ICON_PATH />
                <link rel="manifest" href=MANIFEST_PATH />
                <link rel="apple-touch-icon" href=APPLE_TOUCH_ICON_PATH />
            </head>
            <body class=body_class>{body}</body>
        </html>
    }
    .to_html();
    // Tachys still leaves `<!>` placeholders where an `Option` is `None` and
    // after a list, for a hydration that never comes here. They are harmless
    // but noise; dropping them is safe because every `<` in text and in
    // attribute values is escaped, so `<!>` can only be such a marker.
    Html(format!("<!DOCTYPE html>{}", html.replace("<!>", "")))
}

/// The frame of the ordinary pages: a small bar (home, the other pages,
/// the signed-in user and "Sign out"), then the content.
pub fn framed(head: Head, viewer: &Viewer, content: impl IntoView + 'static) -> Html<String> {
    document(
        head,
        "framed",
        view! {
            <header class="bar">
                <a class="brand" href="/">"Onetip"</a>
                <nav>
                    <a href="/connect">"Connectors"</a>
                    <a href="/status">"Status"</a>
                </nav>
                {account(viewer, None)}
            </header>
            <main class="content">{content}</main>
        },
    )
}

/// Any path no page answers: a plain 404 page.
pub async fn not_found(viewer: Viewer) -> impl IntoResponse {
    let page = framed(
        Head::titled("Not found · Onetip"),
        &viewer,
        view! {
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><a href="/">"Back to your tip"</a></p>
        },
    );
    (StatusCode::NOT_FOUND, page)
}
