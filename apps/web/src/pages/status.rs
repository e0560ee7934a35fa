//! `/status`: the health dashboard. It asks the gateway for the fleet's
//! health on every request and shows one row per component, green or red.
//!
//! It keeps itself fresh with `/static/status.js`, which reloads it every
//! few seconds and offers to pause that (a `<meta http-equiv="refresh">`
//! cannot be paused, which fails WCAG 2.2.1 and axe's `meta-refresh`).
//! Without JavaScript the page is simply reloaded by hand.
//!
//! The markup is a contract the end-to-end tests rely on: each row carries
//! `data-component="<name>"` and `data-status="ok|down"`, and the overall
//! verdict is `id="overall"` with `data-status="ok|degraded"`. A component
//! with an outbox (integrations) shows its backlog in a `class="outbox"`
//! line with `data-waiting="<rows>"`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use leptos::prelude::*;
use shared_types::health::OutboxBacklog;
use shared_types::{Check, HealthReport};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::account::Viewer;
use super::{Head, framed};
use crate::app::AppState;
use crate::assets::STATUS_JS_HREF;

/// The dashboard reloads itself this often (status.js).
const REFRESH_SECS: u32 = 5;

/// `GET /status`. Always answers 200: the page is how people learn that
/// something is wrong, so it renders even when the gateway does not answer.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Html<String> {
    let request_id = headers.get(platform::http::REQUEST_ID);
    let report = match state.gateway.health(request_id).await {
        Ok(report) => Some(report),
        Err(e) => {
            tracing::warn!(error = %e, "gateway health unavailable");
            None
        }
    };
    framed(
        Head::titled("Onetip status"),
        &viewer,
        view! {
            {dashboard(report)}
            <p id="refresh" class="checked" data-refresh-secs=REFRESH_SECS.to_string() hidden>
                "This page updates itself every few seconds. "
                <button id="refresh-toggle" class="link-button" type="button">
                    "Pause updates"
                </button>
            </p>
            <script src=STATUS_JS_HREF.as_str() defer></script>
        },
    )
}

/// The page's body; `None` when the gateway gave no usable report.
fn dashboard(report: Option<HealthReport>) -> impl IntoView {
    let Some(report) = report else {
        return view! {
            <h1>"Onetip status"</h1>
            <p id="overall" class="overall" data-status="degraded">"Status unknown"</p>
            <p class="notice">
                "The gateway is unreachable, so the state of the services is unknown. "
                "Reload the page to try again."
            </p>
        }
        .into_any();
    };
    // Degraded unless the gateway says ok AND every row agrees: a report
    // that contradicts itself must not show green.
    let all_ok = report.status.is_ok() && report.components.iter().all(|c| c.status.is_ok());
    let (overall, verdict) = if all_ok {
        ("ok", "All systems ok")
    } else {
        ("degraded", "Degraded: something is down")
    };
    let checked_at = when(&report.checked_at);
    let rows = report
        .components
        .into_iter()
        .map(|check| view! { <Row check=check /> })
        .collect_view();
    view! {
        <h1>"Onetip status"</h1>
        <p id="overall" class="overall" data-status=overall>{verdict}</p>
        <ul class="components">{rows}</ul>
        <p class="checked">
            "Checked at "
            <time datetime=report.checked_at>{checked_at}</time>
        </p>
    }
    .into_any()
}

/// One component: name, green or red, latency, why when it is down, and
/// its outbox's backlog when it has one.
#[component]
fn Row(check: Check) -> impl IntoView {
    // Anything but ok is red: the contract knows only `ok` and `down`.
    let status = if check.status.is_ok() { "ok" } else { "down" };
    let detail = check
        .detail
        .filter(|_| status == "down")
        .map(|detail| view! { <p class="detail">{detail}</p> });
    let outbox = check.outbox.map(|b| {
        let waiting = b.waiting.to_string();
        view! { <p class="outbox" data-waiting=waiting>{outbox_line(b)}</p> }
    });
    // The view takes its children before its attributes: two owned copies.
    let name = check.name;
    let data_component = name.clone();
    view! {
        <li class="component" data-component=data_component data-status=status>
            <span class="name">{name}</span>
            <span class="state">{status}</span>
            <span class="latency">{format!("{} ms", check.latency_ms)}</span>
            {detail}
            {outbox}
        </li>
    }
}

/// A component's outbox, in words: how many events wait to be sent and
/// how long the oldest has waited.
fn outbox_line(b: OutboxBacklog) -> String {
    let secs = b.oldest_age_ms / 1000;
    let age = if secs < 120 {
        format!("{secs} s")
    } else if secs < 2 * 3600 {
        format!("{} min", secs / 60)
    } else {
        format!("{} h", secs / 3600)
    };
    match b.waiting {
        0 => "Events: none waiting to be sent".to_owned(),
        1 => format!("Events: 1 waiting to be sent, for {age}"),
        n => format!("Events: {n} waiting to be sent, the oldest for {age}"),
    }
}

/// `2025-01-02T03:04:05.678Z` as `2025-01-02 03:04:05 UTC`; anything that
/// does not parse is shown as it came (escaped, like all text).
fn when(rfc3339: &str) -> String {
    match OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!(
                "{}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{OutboxBacklog, outbox_line, when};

    #[test]
    fn check_times_read_as_utc_and_odd_ones_pass_through() {
        assert_eq!(
            when("2025-01-02T04:04:05.5+01:00"),
            "2025-01-02 03:04:05 UTC"
        );
        assert_eq!(when("yesterday"), "yesterday");
    }

    #[test]
    fn an_outbox_backlog_reads_as_the_rows_waiting_and_the_oldest_age() {
        let line = |waiting, oldest_age_ms| {
            outbox_line(OutboxBacklog {
                waiting,
                oldest_age_ms,
            })
        };
        assert_eq!(line(0, 0), "Events: none waiting to be sent");
        assert_eq!(line(1, 4_200), "Events: 1 waiting to be sent, for 4 s");
        assert_eq!(
            line(37, 600_000),
            "Events: 37 waiting to be sent, the oldest for 10 min"
        );
        assert_eq!(
            line(2, 3 * 3600 * 1000),
            "Events: 2 waiting to be sent, the oldest for 3 h"
        );
    }
}
