//! The page's markup: the connectors with their one button each, and the
//! user's open tasks (or one calm sentence on why they are not shown).

use leptos::prelude::*;
use time::OffsetDateTime;

use super::{Listing, MAX_LISTED, SIGN_IN, Tasks, is_name};
use crate::gateway::ConnectorState;
use crate::pages::forms;

pub(super) fn connectors(listing: Listing, csrf: &str) -> AnyView {
    match listing {
        Listing::SignedOut => view! {
            <p class="notice-calm">
                "Sign in to connect your services. "
                <a href=SIGN_IN>"Sign in"</a>
            </p>
        }
        .into_any(),
        Listing::SlowDown => view! {
            <p class="notice-calm" data-notice="slow-down">
                "Lots of requests right now, so we are pausing for a moment. "
                "Reload this page in a minute to see your connectors."
            </p>
        }
        .into_any(),
        Listing::Unavailable => view! {
            <p class="notice-calm" data-notice="unavailable">
                "Your connectors cannot be shown just now. Please try again in a moment."
            </p>
        }
        .into_any(),
        Listing::Shown(list) => {
            let rows = list
                .into_iter()
                .filter(|c| is_name(&c.name))
                .map(|c| connector_row(c, csrf))
                .collect_view();
            view! { <ul class="connectors">{rows}</ul> }.into_any()
        }
    }
}

/// One connector: its name, its state, and the one button that fits.
fn connector_row(c: ConnectorState, csrf: &str) -> impl IntoView + use<> {
    let field = forms::csrf_field(csrf);
    let data_state = if c.connected {
        "connected"
    } else {
        "disconnected"
    };
    let state_text = if c.connected {
        match c.connected_at.and_then(since) {
            Some((datetime, shown)) => view! {
                <span class="connector-state">
                    "connected since " <time datetime=datetime>{shown}</time>
                </span>
            }
            .into_any(),
            None => view! { <span class="connector-state">"connected"</span> }.into_any(),
        }
    } else {
        view! { <span class="connector-state">"not connected"</span> }.into_any()
    };
    let button = if c.connected {
        let action = format!("/connect/{}/disconnect", c.name);
        view! {
            <form method="post" action=action>
                {field}
                <button class="button button-quiet" type="submit">"Disconnect"</button>
            </form>
        }
        .into_any()
    } else {
        // A POST, not a link: starting to connect changes state (an OAuth
        // state is stored), and forms post to web.
        let action = format!("/connect/{}", c.name);
        let label = format!("Connect {}", c.display_name);
        view! {
            <form method="post" action=action>
                {field}
                <button class="button" type="submit">{label}</button>
            </form>
        }
        .into_any()
    };
    let name = c.name;
    view! {
        <li class="connector" data-connector=name data-state=data_state>
            <div class="connector-text">
                <span class="connector-name">{c.display_name}</span>
                {state_text}
            </div>
            {button}
        </li>
    }
}

/// Epoch milliseconds as (`datetime` attribute, shown text), in UTC.
fn since(epoch_ms: i64) -> Option<(String, String)> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000).ok()?;
    let datetime = t
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    let shown = format!(
        "{}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    );
    Some((datetime, shown))
}

/// The tasks section when they cannot be listed: one calm sentence.
fn notice(kind: &'static str, text: &'static str) -> AnyView {
    view! {
        <section class="tasks">
            <h2>"Your open tasks"</h2>
            <p class="notice-calm" data-notice=kind>{text}</p>
        </section>
    }
    .into_any()
}

pub(super) fn tasks(tasks: Tasks) -> AnyView {
    match tasks {
        Tasks::SlowDown => notice(
            "slow-down",
            "Todoist asks us to slow down for a moment. \
             Your tasks will show again shortly: reload this page in a minute.",
        ),
        Tasks::Reconnect => notice(
            "reconnect",
            "The connection no longer works, so your tasks cannot be read. \
             Disconnect, then connect again.",
        ),
        Tasks::Unavailable => notice(
            "unavailable",
            "Your tasks cannot be shown just now. Please try again in a moment.",
        ),
        Tasks::Shown(tasks) => {
            let total = tasks.len();
            let count = match total {
                0 => "No open tasks: nothing to do right now.".to_owned(),
                1 => "1 open task.".to_owned(),
                n if n > MAX_LISTED => format!("{n} open tasks; the first {MAX_LISTED} below."),
                n => format!("{n} open tasks."),
            };
            let items = tasks
                .into_iter()
                .take(MAX_LISTED)
                .map(|t| {
                    let due = t.due.map(|d| view! { <span class="task-due">{d}</span> });
                    view! {
                        <li class="task" data-source=t.source data-task-id=t.id>
                            <span class="task-title">{t.title}</span>
                            {due}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="tasks">
                    <h2>"Your open tasks"</h2>
                    <p id="task-count" data-count=total.to_string()>{count}</p>
                    <ul id="tasks" class="task-list">{items}</ul>
                </section>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_times_read_as_utc() {
        let (datetime, shown) = since(1_764_158_400_000).unwrap();
        assert_eq!(datetime, "2025-11-26T12:00:00Z");
        assert_eq!(shown, "2025-11-26 12:00 UTC");
    }
}
