//! The static files (stylesheet, icon), compiled into the binary and served
//! as files: the CSP forbids inline styles, and embedding keeps the binary
//! self-contained (no asset folder to deploy next to it).

use std::sync::LazyLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

/// Where the stylesheet is served.
pub const CSS_PATH: &str = "/static/app.css";

const CSS: &str = include_str!("../static/app.css");

/// Where the icon is served. Linked from every page, and also answered at
/// `/favicon.ico`, so browsers never log a 404 for a missing favicon.
pub const ICON_PATH: &str = "/static/icon.svg";

const ICON: &str = include_str!("../static/icon.svg");

/// The link pages use: the path plus a hash of the content, so browsers may
/// cache it for a year and still see a new stylesheet after a deploy.
pub static CSS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("{CSS_PATH}?v={:016x}", fnv1a(CSS.as_bytes())));

/// `GET /static/app.css`.
pub async fn css() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
}

/// `GET /static/icon.svg` and `GET /favicon.ico`.
pub async fn icon() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}

/// FNV-1a: stable across builds and Rust versions, unlike `DefaultHasher`,
/// and plenty for telling two versions of one file apart.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_link_changes_with_its_content() {
        assert_ne!(fnv1a(b"body{}"), fnv1a(b"body{ }"));
        assert!(CSS_HREF.starts_with("/static/app.css?v="));
    }
}
