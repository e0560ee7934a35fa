//! The recommender service's settings, read once at start.

use std::time::Duration;

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};
use secrecy::SecretString;

use crate::policy::experiment::Experiment;
use crate::policy::{PolicyFactory, UnknownPolicy};

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// Where integrations is (the candidates, completing and reopening).
    pub integrations_url: String,
    /// auth's JWKS, whose keys verify access tokens.
    pub jwks_url: String,
    /// Guards `/internal/events`.
    pub internal_token: SecretString,
    /// `RECOMMENDER_POLICY`: the policy when no experiment is set.
    pub policy: String,
    /// `RECOMMENDER_EXPERIMENT`: an A/B split over policies.
    pub experiment: Option<Experiment>,
    /// `RECOMMENDER_EPSILON`: ε of `urgency`.
    pub epsilon: f64,
    /// `RECOMMENDER_CANDIDATE_BUDGET`: how long to wait for candidates.
    pub candidate_budget: Duration,
    /// `DECISION_TTL`: how long a decision stays open (sticky).
    pub decision_ttl: Duration,
    /// `UNDO_WINDOW`: how long undo is offered after done.
    pub undo_window: Duration,
    /// The stream and durable consumer events arrive by (`EVENT_BUS=nats`).
    pub nats: platform::events::NatsSettings,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::from_env(env, ServiceName::Recommender)?;
        let epsilon: f64 = env.parse("RECOMMENDER_EPSILON")?.unwrap_or(0.2);
        if !(epsilon > 0.0 && epsilon <= 1.0) {
            return Err(ConfigError::new(
                "RECOMMENDER_EPSILON",
                "must be above 0 and at most 1",
            ));
        }
        let policy = env.get_or("RECOMMENDER_POLICY", "random");
        PolicyFactory::new(epsilon)
            .get(&policy)
            .map_err(|UnknownPolicy(_)| {
                ConfigError::new("RECOMMENDER_POLICY", "expected `random` or `urgency`")
            })?;
        let experiment = env
            .get("RECOMMENDER_EXPERIMENT")
            .map(|text| Experiment::parse(&text))
            .transpose()
            .map_err(|reason| ConfigError::new("RECOMMENDER_EXPERIMENT", reason))?;
        Ok(Self {
            integrations_url: ServiceName::Integrations.url(env)?,
            jwks_url: platform::jwt::jwks_url(&ServiceName::Auth.url(env)?),
            internal_token: platform::secrets::internal_api_token(env, &service.common)?,
            policy,
            experiment,
            epsilon,
            candidate_budget: env
                .duration("RECOMMENDER_CANDIDATE_BUDGET", Duration::from_millis(1200))?,
            decision_ttl: env.duration("DECISION_TTL", Duration::from_secs(30 * 60))?,
            undo_window: env.duration("UNDO_WINDOW", Duration::from_secs(10))?,
            nats: platform::events::NatsSettings::from_env(env, &service.common)?,
            service,
        })
    }
}

platform::service_settings!(Settings);

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        let dir = std::env::temp_dir().join(format!("onetip-rec-{}", uuid::Uuid::new_v4()));
        let mut all = vec![("DATA_DIR".to_owned(), dir.display().to_string())];
        all.extend(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Env::from_pairs(all)
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(s.policy, "random");
        assert_eq!(s.epsilon, 0.2);
        assert!(s.experiment.is_none());
        assert_eq!(s.candidate_budget, Duration::from_millis(1200));
        assert_eq!(s.decision_ttl, Duration::from_secs(1800));
        assert_eq!(s.undo_window, Duration::from_secs(10));
        assert_eq!(s.integrations_url, "http://127.0.0.1:8083");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("RECOMMENDER_POLICY", "greedy"),
            ("RECOMMENDER_EPSILON", "0"),
            ("RECOMMENDER_EPSILON", "1.5"),
            ("RECOMMENDER_EXPERIMENT", "e:s:nope=1"),
            ("RECOMMENDER_CANDIDATE_BUDGET", "soon"),
            ("DECISION_TTL", "0m"),
            ("UNDO_WINDOW", "ten"),
        ] {
            let err = Settings::from_env(&env(&[(name, value)])).unwrap_err();
            assert_eq!(err.name, name, "{name}={value}");
        }
    }

    #[test]
    fn production_refuses_a_weak_internal_token_naming_it() {
        let weak = "a".repeat(40);
        let err = Settings::from_env(&env(&[
            ("APP_ENV", "production"),
            ("INTERNAL_API_TOKEN", &weak),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "INTERNAL_API_TOKEN");
        assert!(!err.to_string().contains(&weak));
        let strong = platform::secrets::random_token();
        let ok = Settings::from_env(&env(&[
            ("APP_ENV", "production"),
            ("INTERNAL_API_TOKEN", &strong),
        ]));
        assert!(ok.is_ok(), "{ok:?}");
    }
}
