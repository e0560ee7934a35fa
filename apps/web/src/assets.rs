//! The static files (stylesheet, the tip page's script, icons, the web app
//! manifest), compiled into the binary and served as files: the CSP forbids
//! inline styles and scripts, and embedding keeps the binary self-contained
//! (no asset folder to deploy next to it). Everything under `/static/` is
//! public at the gateway: browsers fetch the manifest and icons without
//! cookies.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

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

/// Where the tip page's script is served (linked with a content hash).
pub const TIP_JS_PATH: &str = "/static/tip.js";
const TIP_JS: &str = include_str!("../static/tip.js");

/// The script's link, versioned like the stylesheet's.
pub static TIP_JS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("{TIP_JS_PATH}?v={:016x}", fnv1a(TIP_JS.as_bytes())));

/// Where the status page's script is served.
pub const STATUS_JS_PATH: &str = "/static/status.js";
const STATUS_JS: &str = include_str!("../static/status.js");

/// The status script's link, versioned.
pub static STATUS_JS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("{STATUS_JS_PATH}?v={:016x}", fnv1a(STATUS_JS.as_bytes())));

/// The web app manifest: what makes the site installable.
pub const MANIFEST_PATH: &str = "/static/manifest.webmanifest";
const MANIFEST: &str = include_str!("../static/manifest.webmanifest");

/// The icon iOS puts on the home screen (180 px).
pub const APPLE_TOUCH_ICON_PATH: &str = "/static/apple-touch-icon.png";

/// The PNG icons, made by `scripts/make-icons.py`: (path, bytes).
const PNGS: [(&str, &[u8]); 4] = [
    (
        "/static/icon-192.png",
        include_bytes!("../static/icon-192.png"),
    ),
    (
        "/static/icon-512.png",
        include_bytes!("../static/icon-512.png"),
    ),
    (
        "/static/icon-maskable-512.png",
        include_bytes!("../static/icon-maskable-512.png"),
    ),
    (
        APPLE_TOUCH_ICON_PATH,
        include_bytes!("../static/apple-touch-icon.png"),
    ),
];

/// The routes of the script, the manifest and the PNG icons.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let script = |body: &'static str| {
        get(move || async move {
            (
                [
                    (CONTENT_TYPE, "text/javascript; charset=utf-8"),
                    (CACHE_CONTROL, "public, max-age=31536000, immutable"),
                ],
                body,
            )
        })
    };
    let mut router = Router::new()
        .route(TIP_JS_PATH, script(TIP_JS))
        .route(STATUS_JS_PATH, script(STATUS_JS))
        .route(
            MANIFEST_PATH,
            get(|| async {
                (
                    [
                        (CONTENT_TYPE, "application/manifest+json"),
                        (CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    MANIFEST,
                )
            }),
        );
    for (path, bytes) in PNGS {
        router = router.route(
            path,
            get(move || async move {
                (
                    [
                        (CONTENT_TYPE, "image/png"),
                        (CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    bytes,
                )
            }),
        );
    }
    router
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
