//! `random`: every candidate equally likely, propensity 1/K (the plan's v0,
//! and the baseline every later policy is measured against).

use serde_json::Value;
use shared_types::TipKind;

use super::Policy;
use crate::domain::Features;
use crate::domain::describe::counted;

#[derive(Debug, Clone, Copy)]
pub struct Random;

impl Policy for Random {
    fn name(&self) -> &'static str {
        "random"
    }

    fn version(&self) -> String {
        "1".into()
    }

    fn distribution(&self, candidates: &[Features], _context: &Value) -> Vec<f64> {
        let k = candidates.len();
        vec![1.0 / k as f64; k]
    }

    fn why(&self, _chosen: usize, distribution: &[f64], kind: TipKind) -> String {
        match distribution.len() {
            1 => format!("the only one of your {} on offer", counted(1, kind)),
            n => format!("picked at random from {}", counted(n, kind)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::draw::Draw;
    use crate::policy::testing::{assert_valid, features};

    #[test]
    fn random_is_uniform_over_ten_thousand_draws_by_chi_squared() {
        let k = 8;
        let p = Random.distribution(&features(k), &Value::Null);
        assert_valid(&p, 1.0 / k as f64);
        let draws = 10_000;
        let mut counts = vec![0usize; k];
        for seed in 0..draws {
            counts[Draw::from_seed(seed as u64, &p).index] += 1;
        }
        let expected = draws as f64 / k as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        // The 99.9th percentile of chi-squared with 7 degrees of freedom.
        assert!(chi2 < 24.32, "chi2 = {chi2}, counts {counts:?}");
    }
}
