//! What `GET /api/integrations/tasks` answers, built so that a page view
//! costs nothing per task: each source's items are serialized once per
//! cached list ([`Items`]), and the whole answer has a strong validator
//! ([`CandidateList::etag`]) made of their digests, so a caller that holds
//! the same answer gets `304 Not Modified` instead of the list again.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use shared_types::NormalizedEvent;
use shared_types::integrations::SourceReport;

use crate::domain::UserId;

/// One source's part of the candidate list.
#[derive(Debug, Clone)]
pub struct SourceAnswer {
    pub report: SourceReport,
    /// `task.open` events; empty unless the status has items.
    pub items: Arc<Items>,
}

impl SourceAnswer {
    /// A report with no items (not connected, failed…).
    pub fn without_items(report: SourceReport) -> Self {
        Self {
            report,
            items: Arc::new(Items::serialize(Vec::new())),
        }
    }
}

/// A source's items as JSON, serialized once: the events comma-separated
/// (the inside of a JSON array), how many, and the SHA-256 of those bytes.
#[derive(Debug)]
pub struct Items {
    json: Vec<u8>,
    count: usize,
    digest: [u8; 32],
}

impl Items {
    pub fn serialize(events: impl IntoIterator<Item = NormalizedEvent>) -> Self {
        let mut json = Vec::new();
        let mut count = 0;
        for event in events {
            if count > 0 {
                json.push(b',');
            }
            serde_json::to_writer(&mut json, &event).expect("an event serializes");
            count += 1;
        }
        let digest = Sha256::digest(&json).into();
        Self {
            json,
            count,
            digest,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// One user's answer: every source's items and report, in the registry's
/// order.
#[derive(Debug)]
pub struct CandidateList {
    user: UserId,
    answers: Vec<SourceAnswer>,
}

impl CandidateList {
    pub fn new(user: &UserId, answers: Vec<SourceAnswer>) -> Self {
        Self {
            user: *user,
            answers,
        }
    }

    /// The answer's strong validator, a quoted `ETag`: a digest of the
    /// user, each source's items (by their digest) and each report (status
    /// and `as_of`), so any change to the body changes it. It does not
    /// depend on when it is asked or by which process.
    pub fn etag(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.user.as_uuid().as_bytes());
        for answer in &self.answers {
            hash.update(answer.items.digest);
            hash.update(serde_json::to_vec(&answer.report).expect("a report serializes"));
            hash.update([0]);
        }
        let digest = hash.finalize();
        format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]))
    }

    /// The JSON body, `{"items": [...], "sources": [...]}` (a
    /// [`shared_types::integrations::Candidates`]), copied from the
    /// serialized items.
    pub fn body(&self) -> Vec<u8> {
        let size: usize = self.answers.iter().map(|a| a.items.json.len() + 1).sum();
        let mut body = Vec::with_capacity(size + 64 + 128 * self.answers.len());
        body.extend_from_slice(b"{\"items\":[");
        let mut first = true;
        for items in self
            .answers
            .iter()
            .map(|a| &a.items)
            .filter(|i| !i.is_empty())
        {
            if !first {
                body.push(b',');
            }
            body.extend_from_slice(&items.json);
            first = false;
        }
        body.extend_from_slice(b"],\"sources\":");
        let reports: Vec<&SourceReport> = self.answers.iter().map(|a| &a.report).collect();
        serde_json::to_writer(&mut body, &reports).expect("reports serialize");
        body.push(b'}');
        body
    }
}

/// Whether an `If-None-Match` value names `etag` (RFC 9110 §13.1.2: `*`,
/// or a list of tags compared weakly, so `W/"x"` matches `"x"`).
pub fn none_match(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let etag = bare(etag);
    if_none_match
        .split(',')
        .any(|tag| tag.trim() == "*" || bare(tag) == etag)
}

#[cfg(test)]
mod tests {
    use shared_types::integrations::{Candidates, SourceStatus};

    use super::*;

    fn event(subject: &str) -> NormalizedEvent {
        NormalizedEvent {
            id: uuid::Uuid::now_v7(),
            user_id: uuid::Uuid::nil(),
            source: "todoist".into(),
            kind: "task.open".into(),
            subject_id: subject.into(),
            occurred_at: "2026-12-01T00:00:00Z".into(),
            trace_id: None,
            payload: serde_json::json!({"title": subject}),
        }
    }

    fn report(status: SourceStatus, as_of: &str) -> SourceReport {
        SourceReport {
            source: "todoist".into(),
            status,
            as_of: Some(as_of.into()),
        }
    }

    fn list(user: &UserId, events: Arc<Items>, report: SourceReport) -> CandidateList {
        CandidateList::new(
            user,
            vec![
                SourceAnswer {
                    report,
                    items: events,
                },
                SourceAnswer::without_items(SourceReport {
                    source: "other".into(),
                    status: SourceStatus::NotConnected,
                    as_of: None,
                }),
            ],
        )
    }

    #[test]
    fn the_body_is_the_candidate_list_and_the_etag_follows_every_part_of_it() {
        let user = UserId::new(uuid::Uuid::new_v4());
        let items = Arc::new(Items::serialize(vec![event("a"), event("b")]));
        let ok = report(SourceStatus::Ok, "2026-12-01T00:00:00Z");
        let answer = list(&user, items.clone(), ok.clone());
        let parsed: Candidates = serde_json::from_slice(&answer.body()).unwrap();
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.items[1].subject_id, "b");
        assert_eq!(parsed.sources.len(), 2);

        let etag = answer.etag();
        assert_eq!(list(&user, items.clone(), ok.clone()).etag(), etag);
        let stale = report(SourceStatus::Stale, "2026-12-01T00:00:00Z");
        let later = report(SourceStatus::Ok, "2026-12-01T00:00:30Z");
        let other_items = Arc::new(Items::serialize(vec![event("a")]));
        let someone_else = UserId::new(uuid::Uuid::new_v4());
        for changed in [
            list(&user, items.clone(), stale),
            list(&user, items.clone(), later),
            list(&user, other_items, ok.clone()),
            list(&someone_else, items, ok),
        ] {
            assert_ne!(changed.etag(), etag);
        }
    }

    #[test]
    fn an_empty_list_is_valid_json() {
        let user = UserId::new(uuid::Uuid::new_v4());
        let answer = CandidateList::new(&user, Vec::new());
        let parsed: Candidates = serde_json::from_slice(&answer.body()).unwrap();
        assert!(parsed.items.is_empty() && parsed.sources.is_empty());
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_as_a_list() {
        let etag = "\"abc\"";
        assert!(none_match("\"abc\"", etag));
        assert!(none_match("W/\"abc\"", etag));
        assert!(none_match("\"x\", \"abc\"", etag));
        assert!(none_match("*", etag));
        assert!(!none_match("\"abd\"", etag));
        assert!(!none_match("abc", etag));
        assert!(!none_match("", etag));
    }
}
