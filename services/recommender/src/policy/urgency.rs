//! `urgency`: ε-greedy over a score of how pressing a task is (days
//! overdue, due today, deadline nearness, Todoist priority, age). The most
//! pressing gets 1 − ε on top of its share of ε; every candidate keeps at
//! least ε/K, so the log can still evaluate any other policy.

use serde_json::Value;
use shared_types::TipKind;

use super::Policy;
use crate::domain::Features;
use crate::domain::describe::counted;

#[derive(Debug, Clone, Copy)]
pub struct Urgency {
    epsilon: f64,
}

impl Urgency {
    /// `epsilon` is clamped to (0, 1]: 0 would give most candidates a
    /// probability of 0, which the decision log must never hold.
    pub fn new(epsilon: f64) -> Self {
        Self {
            epsilon: epsilon.clamp(1e-6, 1.0),
        }
    }

    /// How pressing one task is. Weights are plain and few on purpose: a
    /// learnt policy replaces them, evaluated against this log.
    pub fn score(f: &Features) -> f64 {
        let overdue = if f.overdue_days > 0 {
            4.0 + 0.2 * f.overdue_days.min(30) as f64
        } else {
            0.0
        };
        let today = if f.due_today == 1 { 3.0 } else { 0.0 };
        let deadline = match f.deadline_in_days {
            Some(d) if d <= 0 => 3.0,
            Some(d) => 3.0 / (1.0 + d as f64),
            None => 0.0,
        };
        // API priority 4 (P1 in Todoist's app) adds 3, priority 1 adds 0.
        let priority = f64::from(f.priority.clamp(1, 4) - 1);
        let age = 0.5 * (f.age_days.clamp(0, 90) as f64 / 90.0);
        overdue + today + deadline + priority + age
    }

    fn best(&self, scores: &[f64]) -> Vec<usize> {
        let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (0..scores.len())
            .filter(|&i| (scores[i] - top).abs() < 1e-12)
            .collect()
    }
}

impl Policy for Urgency {
    fn name(&self) -> &'static str {
        "urgency"
    }

    fn version(&self) -> String {
        format!("1;epsilon={}", self.epsilon)
    }

    fn scores(&self, candidates: &[Features], _context: &Value) -> Vec<f64> {
        candidates.iter().map(Self::score).collect()
    }

    fn distribution(&self, candidates: &[Features], context: &Value) -> Vec<f64> {
        let k = candidates.len();
        let scores = self.scores(candidates, context);
        let best = self.best(&scores);
        let floor = self.epsilon / k as f64;
        // Ties share the greedy mass, so the same inputs always give the
        // same distribution whatever their order.
        let share = (1.0 - self.epsilon) / best.len() as f64;
        let mut p = vec![floor; k];
        for i in best {
            p[i] += share;
        }
        p
    }

    fn why(&self, chosen: usize, distribution: &[f64], kind: TipKind) -> String {
        let k = distribution.len();
        let floor = self.epsilon / k as f64;
        if k == 1 {
            format!("the only one of your {} on offer", counted(1, kind))
        } else if distribution[chosen] > floor + 1e-12 {
            format!(
                "the most pressing of {}: overdue days, due dates, deadlines and priority weighed",
                counted(k, kind)
            )
        } else {
            format!(
                "picked at random from {} to explore (a {:.0}% chance each time)",
                counted(k, kind),
                self.epsilon * 100.0
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::testing::{assert_valid, features};

    #[test]
    fn every_candidate_keeps_at_least_epsilon_over_k_and_the_sum_is_one() {
        for epsilon in [0.01, 0.2, 0.5, 1.0] {
            for k in [1, 2, 7, 50] {
                let p = Urgency::new(epsilon).distribution(&features(k), &Value::Null);
                assert_eq!(p.len(), k);
                assert_valid(&p, epsilon / k as f64);
            }
        }
    }

    #[test]
    fn the_most_pressing_task_gets_the_greedy_share() {
        let mut f = features(5);
        f[3].overdue_days = 20;
        f[3].priority = 4;
        let p = Urgency::new(0.2).distribution(&f, &Value::Null);
        assert!((p[3] - (0.8 + 0.2 / 5.0)).abs() < 1e-12);
        assert!(
            p.iter()
                .enumerate()
                .all(|(i, x)| i == 3 || (*x - 0.04).abs() < 1e-12)
        );
    }

    #[test]
    fn the_same_inputs_always_give_the_same_distribution() {
        let f = features(13);
        let policy = Urgency::new(0.2);
        let first = policy.distribution(&f, &Value::Null);
        for _ in 0..100 {
            assert_eq!(policy.distribution(&f, &Value::Null), first);
        }
        // Ties split evenly, whatever the order.
        let same = vec![f[0].clone(), f[0].clone()];
        assert_eq!(policy.distribution(&same, &Value::Null), [0.5, 0.5]);
    }

    #[test]
    fn overdue_beats_due_today_beats_a_bare_priority() {
        let base = Features::default();
        let overdue = Features {
            overdue_days: 1,
            priority: 1,
            ..base.clone()
        };
        let today = Features {
            due_today: 1,
            priority: 1,
            ..base.clone()
        };
        let p1 = Features {
            priority: 4,
            ..base.clone()
        };
        let none = Features {
            priority: 1,
            ..base
        };
        assert!(Urgency::score(&overdue) > Urgency::score(&today));
        assert!(Urgency::score(&today) > Urgency::score(&none));
        assert!(Urgency::score(&p1) > Urgency::score(&none));
    }
}
