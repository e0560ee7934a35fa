//! The draw: a seeded, reproducible pick from a distribution. The seed and
//! the uniform number it gave are logged with the decision, so anyone can
//! check which candidate a distribution and a draw lead to.

/// One draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    pub seed: u64,
    /// Uniform in [0, 1), from the seed.
    pub u: f64,
    /// The candidate the draw landed on.
    pub index: usize,
}

impl Draw {
    /// A draw with a fresh seed from the operating system.
    pub fn fresh(distribution: &[f64]) -> Self {
        Self::from_seed(
            u64::from_le_bytes(platform::secrets::random_bytes()),
            distribution,
        )
    }

    /// The draw `seed` gives on `distribution` (inverse CDF).
    pub fn from_seed(seed: u64, distribution: &[f64]) -> Self {
        let u = uniform(seed);
        Self {
            seed,
            u,
            index: pick(u, distribution),
        }
    }
}

/// SplitMix64's finaliser, then the top 53 bits as a float in [0, 1): one
/// well-mixed uniform number per seed (also for seeds counting up).
pub fn uniform(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The first index whose cumulative probability passes `u`.
pub fn pick(u: f64, distribution: &[f64]) -> usize {
    let mut acc = 0.0;
    for (i, p) in distribution.iter().enumerate() {
        acc += p;
        if u < acc {
            return i;
        }
    }
    // Rounding can leave the sum a hair under 1.
    distribution.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_always_gives_the_same_draw() {
        let p = [0.2, 0.3, 0.5];
        assert_eq!(Draw::from_seed(42, &p), Draw::from_seed(42, &p));
        assert_eq!(pick(0.0, &p), 0);
        assert_eq!(pick(0.25, &p), 1);
        assert_eq!(pick(0.999_999, &p), 2);
        for seed in 0..1000 {
            let u = uniform(seed);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
