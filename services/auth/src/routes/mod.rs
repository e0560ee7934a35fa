//! The auth service's routes, each module beside its handlers.

pub mod dev;
pub mod google;
pub mod internal;
pub mod keys;
pub mod session;

/// Where to go after sign-in: only a local path, never another site.
/// `https://evil`, `//evil` and `/\evil` all become `/`.
pub fn safe_return_to(raw: Option<&str>) -> String {
    let Some(path) = raw else {
        return "/".into();
    };
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 512
        && !path.chars().any(|c| c.is_control() || c == '\\');
    if ok { path.to_owned() } else { "/".into() }
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn only_local_paths_survive() {
        for evil in [
            "https://evil",
            "//evil",
            "/\\evil",
            "\\\\evil",
            "evil",
            "/%0d\n",
            "http:/x",
            "/a\\b",
        ] {
            assert_eq!(safe_return_to(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_return_to(None), "/");
        assert_eq!(safe_return_to(Some("/connect?x=1")), "/connect?x=1");
    }
}
