//! Policies: which candidate to show, as a probability for each. A policy's
//! scoring is a pure function of (candidates' features, context), with no
//! I/O, so it can move to another process or language as a file move. The
//! draw happens outside it ([`draw`]), from a seeded generator, and is
//! logged with every probability: what off-policy evaluation needs.

pub mod draw;
pub mod experiment;
pub mod random;
pub mod urgency;

use serde_json::Value;
use shared_types::TipKind;

use crate::domain::Features;
use crate::domain::describe::counted;

/// One way to choose.
pub trait Policy: Send + Sync {
    fn name(&self) -> &'static str;
    /// Changes whenever the same inputs could give another distribution.
    fn version(&self) -> String;
    /// A score per candidate (logged; 0 for a policy that does not score).
    fn scores(&self, candidates: &[Features], _context: &Value) -> Vec<f64> {
        vec![0.0; candidates.len()]
    }
    /// The probability of each candidate: every one above 0, summing to 1.
    fn distribution(&self, candidates: &[Features], context: &Value) -> Vec<f64>;
    /// `meta.why`: how `chosen` came to be picked, honestly.
    fn why(&self, chosen: usize, distribution: &[f64], kind: TipKind) -> String {
        let _ = (chosen, distribution);
        format!(
            "picked by {} from {}",
            self.name(),
            counted(distribution.len(), kind)
        )
    }
}

/// A policy name that no policy answers to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no policy named `{0}` (known: random, urgency)")]
pub struct UnknownPolicy(pub String);

/// Makes policies by name with the service's parameters.
#[derive(Debug, Clone, Copy)]
pub struct PolicyFactory {
    /// ε of `urgency`.
    pub epsilon: f64,
}

impl PolicyFactory {
    pub const NAMES: [&'static str; 2] = ["random", "urgency"];

    pub fn new(epsilon: f64) -> Self {
        Self { epsilon }
    }

    pub fn get(&self, name: &str) -> Result<Box<dyn Policy>, UnknownPolicy> {
        match name {
            "random" => Ok(Box::new(random::Random)),
            "urgency" => Ok(Box::new(urgency::Urgency::new(self.epsilon))),
            other => Err(UnknownPolicy(other.to_owned())),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::domain::Features;

    /// A varied candidate set: overdue, due today, future, undated.
    pub fn features(n: usize) -> Vec<Features> {
        (0..n)
            .map(|i| Features {
                kind: "todo".into(),
                source: "todoist".into(),
                priority: (i % 4) as u8 + 1,
                overdue_days: if i % 5 == 0 { i as i64 } else { 0 },
                due_today: u8::from(i % 7 == 1),
                due_in_days: (i % 3 == 2).then_some(i as i64),
                deadline_in_days: (i % 6 == 3).then_some(2),
                age_days: i as i64 * 3,
                is_recurring: u8::from(i % 2 == 0),
                duration_minutes: None,
            })
            .collect()
    }

    /// Every probability above `floor`, all summing to 1 within 1e-9.
    pub fn assert_valid(p: &[f64], floor: f64) {
        assert!(!p.is_empty());
        let sum: f64 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-9, "sum {sum}");
        for (i, x) in p.iter().enumerate() {
            assert!(
                *x > 0.0 && *x >= floor - 1e-12,
                "p[{i}] = {x} below {floor}"
            );
        }
    }
}
