//! Unit tests of the tip page's states: each rendered from a recommendation
//! as the recommender writes it, and checked by its text and `data-state`
//! (never by CSS class names).

use shared_types::integrations::{SourceReport, SourceStatus};
use shared_types::recommender::{DegradedReason, Recommendation, Tip, TipKind, TipMeta, UndoOffer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::view::{FormKeys, Loaded};
use super::{Notice, render};
use crate::gateway::User;
use crate::pages::account::Viewer;

fn now() -> OffsetDateTime {
    OffsetDateTime::parse("2026-12-01T21:30:00Z", &Rfc3339).unwrap()
}
const DECISION: &str = "0193a000-0000-7000-8000-000000000001";

fn viewer() -> Viewer {
    Viewer::SignedIn {
        me: User {
            id: shared_types::UserId::new(uuid::Uuid::nil()),
            email: "ada@example.test".into(),
            name: Some("Ada".into()),
            picture: None,
            time_zone: "UTC".into(),
            created_at: "2026-12-01T21:00:00Z".into(),
            updated_at: "2026-12-01T21:00:00Z".into(),
        },
        csrf: "the-csrf-token".into(),
    }
}

fn todo(title: &str) -> Tip {
    Tip {
        id: "todoist:42".into(),
        kind: TipKind::Todo,
        title: title.into(),
        body: "Ask about Thursday".into(),
        source: "todoist".into(),
        deep_link: Some("https://app.todoist.com/app/task/42".into()),
        meta: TipMeta {
            reason: "2 days overdue · P1".into(),
            why: "picked at random from 14 tasks".into(),
        },
    }
}

fn advice() -> Tip {
    Tip {
        id: "advice:breathe".into(),
        kind: TipKind::Advice,
        title: "Take three slow breaths".into(),
        body: "In through the nose, out through the mouth.".into(),
        source: "onetip".into(),
        deep_link: None,
        meta: TipMeta {
            reason: String::new(),
            why: "an advice card".into(),
        },
    }
}

fn rec(tip: Tip, reason: Option<DegradedReason>) -> Recommendation {
    Recommendation {
        decision_id: DECISION.parse().unwrap(),
        tip,
        reused: false,
        degraded: reason.is_some(),
        degraded_reason: reason,
        sources: vec![SourceReport {
            source: "todoist".into(),
            status: SourceStatus::Ok,
            as_of: Some("2026-12-01T21:29:00Z".into()),
        }],
        undo: None,
    }
}

fn page(loaded: &Loaded, notice: Option<Notice>) -> String {
    let mut n = 0;
    let mut mint = || {
        n += 1;
        format!("key-{n}")
    };
    let mut keys = FormKeys {
        csrf: "the-csrf-token",
        mint: &mut mint,
    };
    render(&viewer(), loaded, notice, now(), &mut keys)
}

fn shown(r: Recommendation) -> String {
    page(&Loaded::Tip(Box::new(r)), None)
}

/// The value of `data-state` on the stage.
fn state(html: &str) -> &str {
    let at = html.find("id=\"stage\"").expect("the stage");
    let rest = &html[at..];
    let start = rest.find("data-state=\"").expect("a data-state") + "data-state=\"".len();
    let end = start + rest[start..].find('"').unwrap();
    &rest[start..end]
}

/// The text of `html` without its tags, whitespace collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_tip_is_one_button_in_a_form_posted_to_web_with_its_key_and_token() {
    let html = shown(rec(todo("Call the plumber"), None));

    assert_eq!(state(&html), "tip");
    assert_eq!(html.matches("id=\"tip\"").count(), 1, "exactly one tip");
    let t = text(&html);
    assert!(t.contains("Call the plumber"));
    assert!(t.contains("Ask about Thursday"));
    assert!(t.contains("Todoist"));
    assert!(t.contains("2 days overdue · P1"));
    assert!(t.contains("Why this tip? picked at random from 14 tasks"));
    assert!(html.contains(&format!("action=\"/tip/{DECISION}/done\"")));
    assert!(html.contains(&format!("action=\"/tip/{DECISION}/skip\"")));
    assert!(html.contains("<button id=\"tip\""));
    assert!(html.contains("autofocus"));
    assert!(html.contains("data-tip-id=\"todoist:42\""));
    // Every form carries the session's token and a key of its own.
    assert_eq!(
        html.matches("name=\"csrf\" value=\"the-csrf-token\"")
            .count(),
        3
    );
    assert!(html.contains("name=\"key\" value=\"key-1\""));
    assert!(html.contains("name=\"key\" value=\"key-2\""));
    // The skip reasons, all optional.
    for reason in ["Not now", "Too big", "Blocked", "Not relevant", "No reason"] {
        assert!(t.contains(reason), "{reason}");
    }
    assert!(
        !html.contains("id=\"undo\""),
        "no undo bar without an offer"
    );
    assert!(!html.contains("id=\"degraded\""));
    assert!(html.contains("<title>Call the plumber · Onetip</title>"));
}

#[test]
fn not_connected_leads_to_connect() {
    let html = shown(rec(advice(), Some(DegradedReason::NotConnected)));

    assert_eq!(state(&html), "not-connected");
    assert!(text(&html).contains("Connect Todoist to see your next task"));
    assert!(html.contains("href=\"/connect\""));
    assert!(!html.contains("id=\"done-form\""));
}

#[test]
fn reconnect_needed_says_so_and_still_offers_the_tip() {
    let html = shown(rec(advice(), Some(DegradedReason::ReconnectRequired)));

    assert_eq!(state(&html), "reconnect");
    let t = text(&html);
    assert!(t.contains("Todoist needs to be connected again"));
    assert!(t.contains("Reconnect Todoist"));
    assert!(html.contains("href=\"/connect\""));
    assert!(t.contains("Take three slow breaths"));
}

#[test]
fn nothing_to_do_says_so_then_shows_an_advice_card_tapped_like_a_task() {
    let html = shown(rec(advice(), Some(DegradedReason::NoEligibleTasks)));

    assert_eq!(state(&html), "empty");
    let t = text(&html);
    assert!(t.contains("Nothing to do in your tasks right now"));
    assert!(t.contains("Take three slow breaths"));
    assert!(html.contains("data-tip-kind=\"advice\""));
    assert!(html.contains(&format!("action=\"/tip/{DECISION}/done\"")));
}

#[test]
fn degraded_with_the_stale_list_says_when_it_was_had() {
    let mut r = rec(todo("Water the plants"), Some(DegradedReason::Stale));
    r.sources[0].status = SourceStatus::Stale;
    r.sources[0].as_of = Some("2026-12-01T20:58:31Z".into());
    let html = shown(r);

    assert_eq!(state(&html), "degraded");
    let t = text(&html);
    assert!(
        t.contains("Todoist is not answering just now; this is what we had at 20:58 UTC"),
        "{t}"
    );
    assert!(html.contains("datetime=\"2026-12-01T20:58:31Z\""));
    assert!(t.contains("Water the plants"));
}

#[test]
fn degraded_without_a_list_offers_an_advice_card() {
    let mut r = rec(advice(), Some(DegradedReason::SourcesFailed));
    r.sources[0].status = SourceStatus::Failed;
    r.sources[0].as_of = None;
    let html = shown(r);

    assert_eq!(state(&html), "degraded");
    let t = text(&html);
    assert!(t.contains("Todoist is not answering just now, so here is a thought instead"));
    assert!(t.contains("Take three slow breaths"));
}

#[test]
fn the_undo_bar_names_what_was_done_and_fades_when_undo_ends() {
    let mut r = rec(todo("Buy milk"), None);
    r.undo = Some(UndoOffer {
        decision_id: "0193a000-0000-7000-8000-000000000000".parse().unwrap(),
        title: "Call the plumber".into(),
        undo_until: "2026-12-01T21:30:07.200Z".into(),
    });
    let html = shown(r);

    assert_eq!(state(&html), "tip");
    let at = html.find("id=\"undo\"").expect("an undo bar");
    let bar = &html[at..];
    assert!(
        text(bar).contains("Done: Call the plumber · Undo"),
        "{}",
        text(bar)
    );
    // 7.2 s left: the fade lasts 7 whole seconds, ending by undo_until.
    assert!(html.contains("data-left=\"7\""));
    assert!(html.contains("action=\"/tip/0193a000-0000-7000-8000-000000000000/undo\""));
    assert!(text(&html).contains("Buy milk"));
}

#[test]
fn an_expired_undo_offer_shows_no_bar() {
    let mut r = rec(todo("Buy milk"), None);
    r.undo = Some(UndoOffer {
        decision_id: uuid::Uuid::nil(),
        title: "Call the plumber".into(),
        undo_until: "2026-12-01T21:29:59Z".into(),
    });

    assert!(!shown(r).contains("id=\"undo\""));
}

#[test]
fn an_unreachable_recommender_is_one_calm_line() {
    let html = page(&Loaded::Unavailable, None);

    assert_eq!(state(&html), "unavailable");
    let t = text(&html);
    assert!(t.contains("Your tip cannot be shown just now"));
    for raw in ["error", "Error", "500", "503", "panic"] {
        assert!(!t.contains(raw), "{raw} in {t}");
    }
}

#[test]
fn each_notice_is_its_own_calm_sentence() {
    let mut seen = std::collections::HashSet::new();
    for notice in Notice::ALL {
        assert_eq!(Notice::parse(notice.code()), Some(notice));
        let html = page(
            &Loaded::Tip(Box::new(rec(todo("Buy milk"), None))),
            Some(notice),
        );
        assert!(html.contains(&format!("data-notice=\"{}\"", notice.code())));
        assert!(text(&html).contains(notice.sentence()));
        assert!(seen.insert(notice.sentence()));
    }
    assert_eq!(Notice::parse("<script>"), None);
    let html = page(
        &Loaded::Tip(Box::new(rec(todo("Buy milk"), None))),
        Some(Notice::UndoExpired),
    );
    assert!(text(&html).contains("too late to undo"));
}

#[test]
fn the_tip_is_escaped_and_only_http_links_are_offered() {
    let mut tip = todo("<script>alert(1)</script>");
    tip.deep_link = Some("javascript:alert(1)".into());
    let html = shown(rec(tip, None));

    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("javascript:"));
}
