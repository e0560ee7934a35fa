//! The web app's settings.

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};

use crate::csrf::CsrfKey;

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// Where web reaches the gateway's JSON API: `GATEWAY_URL`.
    pub gateway_url: String,
    /// Whether `/signin` offers the development form: no Google client
    /// (`GOOGLE_CLIENT_ID` unset) and not production, the same rule auth
    /// follows when it decides whether `/auth/dev/signin` exists.
    pub dev_sign_in: bool,
    /// Where the connect forms may lead besides this site: the origins of
    /// the providers' consent pages. The form posts to web, which answers
    /// with a redirect to the provider, and browsers hold that redirect to
    /// the page's CSP `form-action` (see [`connect_form_targets`]).
    pub connect_form_targets: Vec<String>,
    /// The key of the forms' CSRF tokens: `WEB_CSRF_KEY` (base64 of at
    /// least 32 bytes), required in production; generated and kept under
    /// `DATA_DIR` in development.
    pub csrf_key: CsrfKey,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::without_database(env, ServiceName::Web)?;
        // Only whether it is set: web never needs (nor keeps) the value.
        let google_configured = env.get("GOOGLE_CLIENT_ID").is_some();
        let connect_form_targets = connect_form_targets(env, service.common.is_production())?;
        let csrf_key = CsrfKey::from_env(env, &service.common)?;
        Ok(Self {
            csrf_key,
            connect_form_targets,
            dev_sign_in: !google_configured && !service.common.is_production(),
            gateway_url: ServiceName::Gateway.url(env)?,
            service,
        })
    }

    pub fn from_process() -> Result<Self, ConfigError> {
        Self::from_env(&Env::from_process())
    }
}

/// The origins Todoist's consent page is served from, found the way
/// integrations finds its authorize URL: `TODOIST_AUTH_URL` when set; else
/// the sandbox on `TODOIST_SANDBOX_ADDR` when `TODOIST_CLIENT_ID` is unset
/// outside production; else `https://todoist.com`. Only the names are read
/// here, never a secret.
///
/// Chromium checks `form-action` on every hop of a form's redirect chain,
/// so a public host also allows its subdomains (`todoist.com`'s consent
/// may move the browser on to `app.todoist.com`).
fn connect_form_targets(env: &Env, production: bool) -> Result<Vec<String>, ConfigError> {
    let sandbox = platform::config::uses_todoist_sandbox(env, production);
    let auth_url = match env.get("TODOIST_AUTH_URL") {
        Some(url) => url.trim().to_owned(),
        None if sandbox => {
            let addr = platform::config::todoist_sandbox_addr(env)?;
            format!("http://{addr}/oauth/authorize")
        }
        None => "https://todoist.com/oauth/authorize".to_owned(),
    };
    let (scheme, host) = origin_of(&auth_url)
        .ok_or_else(|| ConfigError::new("TODOIST_AUTH_URL", "must be an http(s) URL"))?;
    let mut targets = vec![format!("{scheme}://{host}")];
    let bare_host = host.split(':').next().unwrap_or_default();
    let is_name = bare_host.contains('.')
        && !bare_host.starts_with('[')
        && bare_host.parse::<std::net::Ipv4Addr>().is_err();
    if is_name && scheme == "https" {
        targets.push(format!("https://*.{host}"));
    }
    Ok(targets)
}

/// `("https", "host[:port]")` of an http(s) URL whose host is plain (only
/// characters a CSP source may carry).
fn origin_of(url: &str) -> Option<(&'static str, String)> {
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        ("http", rest)
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let plain = !host.is_empty()
        && !host.contains('@')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plain.then(|| (scheme, host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test key, so that no test writes one under `./data`.
    const KEY: (&str, &str) = (
        crate::csrf::KEY_VAR,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs([KEY].into_iter().chain(pairs.iter().copied()))
    }

    fn targets(pairs: &[(&str, &str)]) -> Vec<String> {
        Settings::from_env(&env(pairs))
            .unwrap()
            .connect_form_targets
    }

    #[test]
    fn connect_forms_may_lead_to_the_todoist_integrations_uses() {
        assert_eq!(targets(&[]), ["http://127.0.0.1:8090"]);
        assert_eq!(
            targets(&[("TODOIST_SANDBOX_ADDR", "127.0.0.1:18090")]),
            ["http://127.0.0.1:18090"]
        );
        assert_eq!(
            targets(&[("TODOIST_CLIENT_ID", "id")]),
            ["https://todoist.com", "https://*.todoist.com"]
        );
        assert_eq!(
            targets(&[("TODOIST_AUTH_URL", "http://127.0.0.1:9/oauth/authorize?x=1")]),
            ["http://127.0.0.1:9"]
        );
        // Nothing that could smuggle another CSP source or directive in.
        let bad = env(&[("TODOIST_AUTH_URL", "https://a.example; script-src *")]);
        assert!(Settings::from_env(&bad).is_err());
        let bad = env(&[("TODOIST_AUTH_URL", "javascript:alert(1)")]);
        assert!(Settings::from_env(&bad).is_err());
    }

    #[test]
    fn development_sign_in_only_without_google_and_outside_production() {
        let dev = |pairs: &[(&str, &str)]| Settings::from_env(&env(pairs)).unwrap().dev_sign_in;
        assert!(dev(&[]));
        assert!(dev(&[
            ("APP_ENV", "development"),
            ("GOOGLE_CLIENT_ID", " ")
        ]));
        assert!(!dev(&[("GOOGLE_CLIENT_ID", "id.apps.example")]));
        assert!(!dev(&[("APP_ENV", "production")]));
    }

    #[test]
    fn the_google_client_id_is_not_kept() {
        let env = env(&[("GOOGLE_CLIENT_ID", "client-id-value-42")]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(!format!("{settings:?}").contains("client-id-value-42"));
        assert!(env.names_read().contains("GOOGLE_CLIENT_ID"));
    }

    #[test]
    fn the_csrf_key_is_generated_under_data_dir_in_development_and_kept() {
        let dir = std::env::temp_dir().join(format!("onetip-web-{}", uuid::Uuid::new_v4()));
        let data_dir = dir.to_str().unwrap();
        let env = Env::from_pairs([("DATA_DIR", data_dir)]);
        let first = Settings::from_env(&env).unwrap().csrf_key;
        let second = Settings::from_env(&env).unwrap().csrf_key;
        let binding = crate::csrf::Binding::Session("s");
        assert!(second.verify(binding, &first.token(binding)));
        assert!(dir.join("web_csrf_key").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
