//! Who is calling, decided the same way in every service: the session
//! cookies' names and how they are read ([`cookies`]), the signed-in user
//! an access token names and the internal caller holding the shared token
//! ([`extract`]), and where a browser may be sent back to after signing in
//! ([`is_local_path`]).
//!
//! These rules were once written in each service that needed them; a copy
//! that drifted (a cookie name, a `return_to` check) would be a hole no
//! single service's tests could see.

pub mod cookies;
pub mod extract;

pub use cookies::{SessionCookies, cookie};
pub use extract::{CurrentUser, InternalCaller, InternalToken, TokenVerifier, Unauthenticated};

/// The longest `return_to` path carried through a sign-in.
pub const MAX_RETURN_TO: usize = 512;

/// A path on this site, never another: `https://evil`, `//evil` and
/// `/\evil` are refused, and so is anything with a control character or a
/// backslash, or longer than [`MAX_RETURN_TO`].
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= MAX_RETURN_TO
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

/// Where to go after sign-in: `raw` when it is a local path, `/` otherwise.
pub fn safe_return_to(raw: Option<&str>) -> String {
    match raw {
        Some(path) if is_local_path(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_places_to_return_to() {
        for evil in [
            "https://evil",
            "//evil",
            "/\\evil",
            "\\\\evil",
            "evil",
            "/%0d\n",
            "/a\nb",
            "http:/x",
            "/a\\b",
            "",
        ] {
            assert!(!is_local_path(evil), "{evil:?}");
            assert_eq!(safe_return_to(Some(evil)), "/", "{evil:?}");
        }
        for fine in ["/", "/connect", "/connect?x=1#y", "/a/b%2Fc"] {
            assert!(is_local_path(fine), "{fine:?}");
            assert_eq!(safe_return_to(Some(fine)), fine);
        }
        assert!(!is_local_path(&format!("/{}", "a".repeat(MAX_RETURN_TO))));
        assert_eq!(safe_return_to(None), "/");
    }
}
