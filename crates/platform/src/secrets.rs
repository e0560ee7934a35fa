//! Secrets every service handles the same way: random tokens from the OS,
//! secrets kept under `DATA_DIR` in development (generated once, shared by
//! the services of one machine), and the shared `INTERNAL_API_TOKEN` that
//! guards `/internal/*`, compared in constant time.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::{CommonSettings, ConfigError, Env};

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf).expect("the OS random source works");
    buf
}

/// A URL-safe token of 256 random bits.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// The contents of `path`, created with `generate()` when missing. Creation
/// is atomic (a temporary file hard-linked into place), so services starting
/// together in one process or several agree on one value.
pub fn load_or_generate(path: &Path, generate: impl FnOnce() -> String) -> std::io::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return Ok(existing.trim().to_owned());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let value = generate();
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(value.as_bytes())?;
        file.sync_all()?;
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(value),
        // Someone else won the race: theirs is the value.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(path)?.trim().to_owned())
        }
        Err(e) => Err(e),
    }
}

/// A secret setting, read the one way every service reads its keys: `name`
/// from the environment when set; unset, refused in production ("required
/// in production"), and in development the value kept under
/// `DATA_DIR/<file>`, made by `generate()` the first time
/// ([`load_or_generate`]), so every process of the machine shares it.
pub fn required_in_production(
    env: &Env,
    common: &CommonSettings,
    name: &'static str,
    file: &str,
    generate: impl FnOnce() -> String,
) -> Result<String, ConfigError> {
    match env.get(name) {
        Some(value) => Ok(value),
        None if common.is_production() => Err(ConfigError::new(name, "required in production")),
        None => load_or_generate(&common.data_dir.join(file), generate).map_err(|e| {
            ConfigError::new(name, format!("generating under DATA_DIR: {}", e.kind()))
        }),
    }
}

/// `INTERNAL_API_TOKEN`: required in production (at least 32 characters);
/// in development generated once under `DATA_DIR/internal_api_token`.
/// In production it must also pass [`check_strong`]: every service that
/// reads the token refuses a weak one, here, in one place.
pub fn internal_api_token(env: &Env, common: &CommonSettings) -> Result<SecretString, ConfigError> {
    const NAME: &str = "INTERNAL_API_TOKEN";
    let token = required_in_production(env, common, NAME, "internal_api_token", random_token)?;
    let token = token.trim();
    if token.len() < 32 {
        return Err(ConfigError::new(NAME, "must be at least 32 characters"));
    }
    let token = SecretString::from(token.to_owned());
    require_strong_in_production(common, NAME, &token)?;
    Ok(token)
}

/// How many bits of randomness a secret must carry in production: 32 bytes.
pub const STRONG_SECRET_BITS: f64 = 256.0;

/// Whether `secret` looks like at least 32 random bytes: long enough for
/// 256 bits in its alphabet (hex 4 bits a character, base64 6, other
/// printable text 6.5) *and* random-looking, so that length alone cannot
/// pass: as many distinct characters as random text of that length and
/// alphabet would almost surely have, no repeating period, no runs of
/// consecutive characters. An estimate that refuses what is plainly weak
/// (`aaaa…`, `password1password1…`, words, `abcd…`) and accepts what
/// `openssl rand -hex 32` / `-base64 32` or [`random_token`] make.
pub fn check_strong(secret: &str) -> Result<(), &'static str> {
    let text = secret.trim().trim_end_matches('=');
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let alphabet: f64 = if chars.iter().all(char::is_ascii_hexdigit) {
        16.0
    } else if chars
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_'))
    {
        64.0
    } else {
        94.0
    };
    if (n as f64) * alphabet.log2() < STRONG_SECRET_BITS {
        return Err("too short for 32 random bytes (openssl rand -base64 32 makes one)");
    }
    let distinct = chars
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len() as f64;
    let expected = alphabet * (1.0 - (1.0 - 1.0 / alphabet).powi(n as i32));
    if distinct < 0.65 * expected {
        return Err("too few distinct characters to be random");
    }
    for period in 1..=n / 2 {
        let same = (0..n - period)
            .filter(|&i| chars[i] == chars[i + period])
            .count();
        if same * 2 >= n - period {
            return Err("repeats itself");
        }
    }
    let steps = chars
        .windows(2)
        .filter(|w| (w[1] as i64 - w[0] as i64).abs() == 1)
        .count();
    if steps * 2 >= n {
        return Err("runs of consecutive characters");
    }
    Ok(())
}

/// In production, `name`'s value must pass [`check_strong`].
pub fn require_strong_in_production(
    common: &CommonSettings,
    name: &str,
    secret: &SecretString,
) -> Result<(), ConfigError> {
    if !common.is_production() {
        return Ok(());
    }
    check_strong(secret.expose_secret())
        .map_err(|why| ConfigError::new(name, format!("not a strong secret in production: {why}")))
}

/// True when `headers` carry `Authorization: Bearer <expected>`, compared in
/// constant time.
pub fn bearer_matches(headers: &HeaderMap, expected: &SecretString) -> bool {
    let Some(given) = bearer(headers) else {
        return false;
    };
    given
        .as_bytes()
        .ct_eq(expected.expose_secret().as_bytes())
        .into()
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_kept_and_read_back() {
        let dir = std::env::temp_dir().join(format!("onetip-secret-{}", uuid::Uuid::new_v4()));
        let path = dir.join("s");
        let first = load_or_generate(&path, random_token).unwrap();
        let second = load_or_generate(&path, || "other".into()).unwrap();
        assert_eq!(first, second);
        assert_eq!(URL_SAFE_NO_PAD.decode(&first).unwrap().len(), 32);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_secret_setting_is_required_in_production_and_kept_under_data_dir_in_development() {
        let dir = std::env::temp_dir().join(format!("onetip-secret-{}", uuid::Uuid::new_v4()));
        let dev = Env::from_pairs([("DATA_DIR", dir.display().to_string())]);
        let common = CommonSettings::from_env(&dev).unwrap();
        let read = |env: &Env, common: &CommonSettings| {
            required_in_production(env, common, "SOME_KEYS", "some_keys", || "made".into())
        };
        assert_eq!(read(&dev, &common).unwrap(), "made");
        assert_eq!(
            std::fs::read_to_string(dir.join("some_keys")).unwrap(),
            "made"
        );
        let set = dev.with([("SOME_KEYS", "given")]);
        assert_eq!(read(&set, &common).unwrap(), "given");
        let production = dev.with([("APP_ENV", "production")]);
        let common = CommonSettings::from_env(&production).unwrap();
        let err = read(&production, &common).unwrap_err();
        assert_eq!(err.name, "SOME_KEYS");
        assert!(err.to_string().contains("required in production"), "{err}");
        let set = production.with([("SOME_KEYS", "given")]);
        assert_eq!(read(&set, &common).unwrap(), "given");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn production_requires_the_internal_token() {
        let env = Env::from_pairs([("APP_ENV", "production")]);
        let common = CommonSettings::from_env(&env).unwrap();
        assert_eq!(
            internal_api_token(&env, &common).unwrap_err().name,
            "INTERNAL_API_TOKEN"
        );
        let env = env.with([("INTERNAL_API_TOKEN", "short")]);
        assert!(internal_api_token(&env, &common).is_err());
    }

    #[test]
    fn strong_secrets_are_random_not_just_long() {
        use base64::engine::general_purpose::STANDARD;
        for _ in 0..200 {
            let bytes = random_bytes::<32>();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            for good in [random_token(), STANDARD.encode(bytes), hex] {
                assert_eq!(check_strong(&good), Ok(()), "{good}");
            }
        }
        for weak in [
            "t".repeat(40),
            "a".repeat(100),
            "internal-token-for-tests-0123456789abcdef".to_owned(),
            "password1".repeat(6),
            "0123456789abcdef".repeat(4),
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".to_owned(),
            "correct horse battery staple and then some more words".to_owned(),
            random_token()[..30].to_owned(),
        ] {
            assert!(check_strong(&weak).is_err(), "{weak} passed");
        }
    }

    #[test]
    fn production_refuses_a_weak_internal_token_naming_it() {
        let env = Env::from_pairs([("APP_ENV", "production")]);
        let common = CommonSettings::from_env(&env).unwrap();
        let weak = SecretString::from("t".repeat(40));
        let err = require_strong_in_production(&common, "INTERNAL_API_TOKEN", &weak).unwrap_err();
        assert!(err.to_string().contains("INTERNAL_API_TOKEN"), "{err}");
        assert!(!err.to_string().contains("tttt"));
        let strong = SecretString::from(random_token());
        assert!(require_strong_in_production(&common, "INTERNAL_API_TOKEN", &strong).is_ok());
        let dev = CommonSettings::from_env(&Env::default()).unwrap();
        assert!(require_strong_in_production(&dev, "INTERNAL_API_TOKEN", &weak).is_ok());
    }

    #[test]
    fn the_bearer_must_match_exactly() {
        let expected = SecretString::from("s3cret-token".to_owned());
        let mut headers = HeaderMap::new();
        assert!(!bearer_matches(&headers, &expected));
        headers.insert("authorization", "Bearer s3cret-token".parse().unwrap());
        assert!(bearer_matches(&headers, &expected));
        headers.insert("authorization", "Bearer s3cret-tokem".parse().unwrap());
        assert!(!bearer_matches(&headers, &expected));
        headers.insert("authorization", "Basic s3cret-token".parse().unwrap());
        assert!(!bearer_matches(&headers, &expected));
    }
}
