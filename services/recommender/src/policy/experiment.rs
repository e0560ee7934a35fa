//! Which policy a user gets: the configured one, or an A/B experiment
//! `name:salt:random=50,urgency=50` that puts each user in an arm by a hash
//! of the salt and their id: deterministic, so a user keeps their arm.

use sha2::{Digest, Sha256};

use super::PolicyFactory;

/// `RECOMMENDER_EXPERIMENT`, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub name: String,
    salt: String,
    /// (policy, weight), weights above 0.
    arms: Vec<(String, u64)>,
}

/// The policy a user gets, and the experiment and arm that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub policy: String,
    pub experiment: Option<String>,
    pub bucket: Option<String>,
}

impl Experiment {
    /// `name:salt:policy=weight,policy=weight`, every policy known.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.trim().splitn(3, ':');
        let (Some(name), Some(salt), Some(arms)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(
                "expected name:salt:policy=weight,… (e.g. tips-1:s3:random=50,urgency=50)".into(),
            );
        };
        if name.is_empty() || salt.is_empty() {
            return Err("the experiment needs a name and a salt".into());
        }
        let arms = arms
            .split(',')
            .map(|arm| {
                let (policy, weight) = arm
                    .trim()
                    .split_once('=')
                    .ok_or_else(|| format!("arm `{arm}` is not policy=weight"))?;
                if !PolicyFactory::NAMES.contains(&policy) {
                    return Err(format!("no policy named `{policy}`"));
                }
                let weight: u64 = weight.parse().ok().filter(|w| *w > 0).ok_or_else(|| {
                    format!("the weight of `{policy}` must be a whole number above 0")
                })?;
                Ok((policy.to_owned(), weight))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            name: name.to_owned(),
            salt: salt.to_owned(),
            arms,
        })
    }

    /// The arm `user` falls in.
    pub fn assign(&self, user: &uuid::Uuid) -> Assignment {
        let total: u64 = self.arms.iter().map(|(_, w)| w).sum();
        let digest = Sha256::new()
            .chain_update(self.salt.as_bytes())
            .chain_update(b":")
            .chain_update(user.as_hyphenated().to_string().as_bytes())
            .finalize();
        let mut head = [0u8; 8];
        head.copy_from_slice(&digest[..8]);
        let mut point = u64::from_be_bytes(head) % total;
        let mut policy = &self.arms[0].0;
        for (name, weight) in &self.arms {
            if point < *weight {
                policy = name;
                break;
            }
            point -= weight;
        }
        Assignment {
            policy: policy.clone(),
            experiment: Some(self.name.clone()),
            bucket: Some(policy.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_deterministic_and_split_100000_ids_within_one_percent() {
        let exp = Experiment::parse("tips-1:salt-a:random=30,urgency=70").unwrap();
        let mut urgency = 0usize;
        for i in 0..100_000u128 {
            let user =
                uuid::Uuid::from_u128(i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835));
            let a = exp.assign(&user);
            assert_eq!(a, exp.assign(&user), "the same user, the same arm");
            if a.policy == "urgency" {
                urgency += 1;
            }
        }
        let share = urgency as f64 / 100_000.0;
        assert!((share - 0.70).abs() < 0.01, "urgency share {share}");
    }

    #[test]
    fn another_salt_reshuffles_the_users() {
        let a = Experiment::parse("e:one:random=50,urgency=50").unwrap();
        let b = Experiment::parse("e:two:random=50,urgency=50").unwrap();
        let moved = (0..1000u128)
            .map(uuid::Uuid::from_u128)
            .filter(|u| a.assign(u).policy != b.assign(u).policy)
            .count();
        assert!((350..650).contains(&moved), "{moved} of 1000 moved");
    }

    #[test]
    fn bad_experiments_say_what_is_wrong() {
        assert!(Experiment::parse("only-a-name").is_err());
        assert!(
            Experiment::parse("e:s:greedy=50")
                .unwrap_err()
                .contains("greedy")
        );
        assert!(Experiment::parse("e:s:random=0").is_err());
        assert!(Experiment::parse("e:s:random").is_err());
    }
}
