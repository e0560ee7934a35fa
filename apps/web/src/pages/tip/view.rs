//! How `/` looks in each of its states: a pure function of what was loaded,
//! so every state is rendered and checked in unit tests (tests.rs).
//!
//! The markup is a contract the tests rely on: the stage is `id="stage"`
//! with `data-state="tip|empty|degraded|not-connected|reconnect|unavailable"`;
//! the tip is the button `id="tip"` (`data-tip-id`, `data-tip-kind`) inside
//! the form `id="done-form"`; skip is `id="skip-form"` (select `id="skip-reason"`,
//! button `id="skip"`); the undo bar is `id="undo"` with the form
//! `id="undo-form"`; a calm line about the last action is `id="notice"`
//! (`data-notice`), the line about a degraded answer `id="degraded"`.

use leptos::prelude::*;
use shared_types::recommender::{DegradedReason, Recommendation, SkipReason, Tip, UndoOffer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Notice;

/// The longest fade the stylesheet has a class for (`data-left`, seconds).
pub const MAX_UNDO_SECS: i64 = 30;

/// What `/` could load.
#[derive(Debug, Clone)]
pub enum Loaded {
    Tip(Box<Recommendation>),
    /// The recommender could not be reached (or answered nonsense) in time.
    Unavailable,
}

/// The page's state, as `data-state` says it.
pub fn state_of(loaded: &Loaded) -> &'static str {
    let Loaded::Tip(rec) = loaded else {
        return "unavailable";
    };
    match rec.degraded_reason {
        Some(DegradedReason::NotConnected) => "not-connected",
        Some(DegradedReason::ReconnectRequired) => "reconnect",
        Some(DegradedReason::NoEligibleTasks) => "empty",
        Some(DegradedReason::SourcesFailed | DegradedReason::Stale) => "degraded",
        None if rec.degraded => "degraded",
        None => "tip",
    }
}

/// What the forms of one rendering carry: the CSRF token and a fresh key
/// per form (the `Idempotency-Key` web passes on).
pub struct FormKeys<'a> {
    pub csrf: &'a str,
    pub mint: &'a mut dyn FnMut() -> String,
}

fn hidden(csrf: &str, key: String) -> impl IntoView + use<> {
    let csrf = csrf.to_owned();
    view! {
        <input type="hidden" name="csrf" value=csrf />
        <input type="hidden" name="key" value=key />
    }
}

/// How a source is named to people.
fn source_label(source: &str) -> String {
    match source {
        "todoist" => "Todoist".to_owned(),
        "onetip" => "Onetip".to_owned(),
        other => other.to_owned(),
    }
}

/// `HH:MM UTC` and the `datetime` of an RFC 3339 time.
fn clock(rfc3339: &str) -> Option<(String, String)> {
    let t = OffsetDateTime::parse(rfc3339, &Rfc3339).ok()?;
    let t = t.to_offset(time::UtcOffset::UTC);
    Some((
        t.format(&Rfc3339).ok()?,
        format!("{:02}:{:02} UTC", t.hour(), t.minute()),
    ))
}

/// The one quiet line above the tip, when the answer is not the plain case.
fn state_line(rec: &Recommendation, state: &'static str) -> Option<AnyView> {
    let tip_is_todo = rec.tip.kind == shared_types::TipKind::Todo;
    let line = match state {
        "reconnect" => view! {
            <p id="degraded" class="tip-line" data-degraded="reconnect_required">
                "Todoist needs to be connected again before your tasks can show. "
                <a href="/connect">"Reconnect Todoist"</a>
            </p>
        }
        .into_any(),
        "empty" => view! {
            <p id="degraded" class="tip-line" data-degraded="no_eligible_tasks">
                "Nothing to do in your tasks right now. Here is a thought instead."
            </p>
        }
        .into_any(),
        "degraded" => {
            let reason = match rec.degraded_reason {
                Some(DegradedReason::Stale) => "stale",
                _ => "sources_failed",
            };
            let as_of = rec
                .sources
                .iter()
                .filter_map(|s| s.as_of.as_deref())
                .filter_map(clock)
                .next();
            match as_of {
                Some((datetime, shown)) if tip_is_todo => view! {
                    <p id="degraded" class="tip-line" data-degraded=reason>
                        "Todoist is not answering just now; this is what we had at "
                        <time datetime=datetime>{shown}</time> "."
                    </p>
                }
                .into_any(),
                _ => view! {
                    <p id="degraded" class="tip-line" data-degraded=reason>
                        "Todoist is not answering just now, so here is a thought instead."
                    </p>
                }
                .into_any(),
            }
        }
        _ => return None,
    };
    Some(line)
}

/// The tip itself: one button filling the tip's area, in a plain form.
fn tip_form(rec: &Recommendation, keys: &mut FormKeys<'_>) -> impl IntoView + use<> {
    let Tip {
        id,
        kind,
        title,
        body,
        source,
        ..
    } = rec.tip.clone();
    let kind = match kind {
        shared_types::TipKind::Todo => "todo",
        shared_types::TipKind::Advice => "advice",
    };
    let action = format!("/tip/{}/done", rec.decision_id);
    let body = (!body.trim().is_empty()).then(|| view! { <span class="tip-body">{body}</span> });
    let reason = rec.tip.meta.reason.clone();
    let reason =
        (!reason.trim().is_empty()).then(|| view! { <span class="tip-reason">{reason}</span> });
    let source = source_label(&source);
    let hidden = hidden(keys.csrf, (keys.mint)());
    view! {
        <form id="done-form" class="tip-form" method="post" action=action>
            {hidden}
            <button
                id="tip"
                class="tip"
                type="submit"
                autofocus
                data-tip-id=id
                data-tip-kind=kind
                aria-describedby="tip-hint"
            >
                <span class="tip-title">{title}</span>
                {body}
                <span class="tip-source">{source}</span>
                {reason}
            </button>
        </form>
        <p id="tip-hint" class="tip-hint">"Tap the tip when it is done."</p>
    }
}

/// "Why this tip?", and the item's own page when it has one.
fn why(rec: &Recommendation) -> impl IntoView + use<> {
    let why = rec.tip.meta.why.clone();
    let link = rec
        .tip
        .deep_link
        .clone()
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .map(|href| {
            let label = format!("Open in {}", source_label(&rec.tip.source));
            view! { <p><a href=href rel="noreferrer">{label}</a></p> }
        });
    (!why.trim().is_empty() || link.is_some()).then(|| {
        view! {
            <details class="tip-why">
                <summary>"Why this tip?"</summary>
                <p>{why}</p>
                {link}
            </details>
        }
    })
}

/// The quieter way past a tip, with an optional reason.
fn skip_form(rec: &Recommendation, keys: &mut FormKeys<'_>) -> impl IntoView + use<> {
    let action = format!("/tip/{}/skip", rec.decision_id);
    let options = SkipReason::ALL
        .into_iter()
        .filter(|r| *r != SkipReason::Other)
        .map(|r| view! { <option value=r.as_str()>{r.label()}</option> })
        .collect_view();
    let hidden = hidden(keys.csrf, (keys.mint)());
    view! {
        <form id="skip-form" class="skip-form" method="post" action=action>
            {hidden}
            <label for="skip-reason" class="skip-label">"Reason (optional)"</label>
            <select id="skip-reason" name="reason" class="skip-reason">
                <option value="">"No reason"</option>
                {options}
            </select>
            <button id="skip" class="skip-button" type="submit">"Skip"</button>
        </form>
    }
}

/// "Done: <title> · Undo", while undo is still possible. It fades out by
/// CSS alone at `undo_until`: the stylesheet has one duration per whole
/// second left (`data-left`), since the CSP allows no inline style.
pub fn undo_bar(
    offer: &UndoOffer,
    now: OffsetDateTime,
    keys: &mut FormKeys<'_>,
) -> Option<impl IntoView + use<>> {
    let until = OffsetDateTime::parse(&offer.undo_until, &Rfc3339).ok()?;
    let left_ms = (until - now).whole_milliseconds();
    if left_ms <= 0 {
        return None;
    }
    // Whole seconds, rounded down: the bar is gone by the time the server
    // would refuse the undo, never after.
    let left = (left_ms / 1000).clamp(1, i128::from(MAX_UNDO_SECS));
    let action = format!("/tip/{}/undo", offer.decision_id);
    let title = offer.title.clone();
    let hidden = hidden(keys.csrf, (keys.mint)());
    Some(view! {
        <div
            id="undo"
            class="undo-bar"
            role="status"
            data-left=left.to_string()
            data-undo-until=offer.undo_until.clone()
        >
            <form id="undo-form" class="undo-form" method="post" action=action>
                {hidden}
                <span class="undo-text">"Done: " <span class="undo-title">{title}</span></span>
                <span class="undo-sep" aria-hidden="true">" · "</span>
                <button id="undo-button" class="undo-button" type="submit">"Undo"</button>
            </form>
        </div>
    })
}

/// The calm line about the last action.
fn notice_line(notice: Notice) -> impl IntoView {
    view! {
        <p id="notice" class="tip-notice" role="status" data-notice=notice.code()>
            {notice.sentence()}
        </p>
    }
}

/// The keyboard help, shown by tip.js on `?`.
fn help() -> impl IntoView {
    view! {
        <div id="help" class="help" hidden role="dialog" aria-labelledby="help-title">
            <h2 id="help-title">"Keys"</h2>
            <dl>
                <dt><kbd>"Enter"</kbd>" or "<kbd>"Space"</kbd></dt><dd>"Done"</dd>
                <dt><kbd>"s"</kbd></dt><dd>"Skip"</dd>
                <dt><kbd>"u"</kbd></dt><dd>"Undo the last done"</dd>
                <dt><kbd>"?"</kbd></dt><dd>"This help (Escape closes it)"</dd>
            </dl>
        </div>
    }
}

/// Everything inside `<main>` and after it, for `loaded`.
pub fn stage(
    loaded: &Loaded,
    notice: Option<Notice>,
    now: OffsetDateTime,
    keys: &mut FormKeys<'_>,
) -> AnyView {
    let state = state_of(loaded);
    let notice = notice.map(notice_line);
    let Loaded::Tip(rec) = loaded else {
        return view! {
            <main id="stage" class="tip-stage" data-state=state>
                <h1 class="visually-hidden">"Your tip"</h1>
                {notice}
                <div class="tip tip-card">
                    <p class="tip-title">"Your tip cannot be shown just now"</p>
                    <p class="tip-body">"It will be back in a moment."</p>
                    <a class="tip-action" href="/">"Try again"</a>
                </div>
            </main>
        }
        .into_any();
    };
    if state == "not-connected" {
        return view! {
            <main id="stage" class="tip-stage" data-state=state>
                <h1 class="visually-hidden">"Your tip"</h1>
                {notice}
                <div class="tip tip-card" data-tip-kind="advice">
                    <p class="tip-title">"Connect Todoist to see your next task"</p>
                    <p class="tip-body">
                        "Onetip shows one thing at a time, taken from your own tasks."
                    </p>
                    <a class="tip-action" href="/connect">"Connect Todoist"</a>
                </div>
            </main>
        }
        .into_any();
    }
    let line = state_line(rec, state);
    let tip = tip_form(rec, keys);
    let why = why(rec);
    let skip = skip_form(rec, keys);
    let undo = rec.undo.as_ref().and_then(|o| undo_bar(o, now, keys));
    view! {
        <main id="stage" class="tip-stage" data-state=state>
            <h1 class="visually-hidden">"Your tip"</h1>
            {notice}
            {line}
            {tip}
            {why}
            {skip}
        </main>
        {undo}
        {help()}
    }
    .into_any()
}
