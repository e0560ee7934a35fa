//! Installable to a home screen: the manifest and its icons, reachable
//! signed out (browsers fetch them without cookies), and the tip page's
//! script.

use serde_json::Value;

use crate::helpers::{closed_port_url, spawn_app};

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

async fn fetch(url: String) -> (u16, String, Vec<u8>) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_manifest_and_every_icon_answer_signed_out_with_their_stated_sizes() {
    let app = spawn_app(&closed_port_url()).await;

    let (status, kind, body) = fetch(format!("{}/static/manifest.webmanifest", app.address)).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "application/manifest+json");
    let manifest: Value = serde_json::from_slice(&body).expect("valid JSON");
    assert_eq!(manifest["name"], "Onetip");
    assert!(
        manifest["short_name"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["background_color"], "#000000");
    assert_eq!(manifest["theme_color"], "#000000");

    let icons = manifest["icons"].as_array().unwrap();
    let mut purposes = Vec::new();
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let (status, kind, bytes) = fetch(format!("{}{src}", app.address)).await;
        assert_eq!(status, 200, "{src}");
        assert_eq!(kind, "image/png", "{src}");
        assert_eq!(icon["type"], "image/png");
        let (w, h) = png_size(&bytes);
        assert_eq!(format!("{w}x{h}"), icon["sizes"].as_str().unwrap(), "{src}");
        purposes.push((w, icon["purpose"].as_str().unwrap_or("any").to_owned()));
    }
    assert!(purposes.contains(&(192, "any".into())));
    assert!(purposes.contains(&(512, "any".into())));
    assert!(purposes.contains(&(512, "maskable".into())));

    let (status, kind, bytes) = fetch(format!("{}/static/apple-touch-icon.png", app.address)).await;
    assert_eq!((status, kind.as_str()), (200, "image/png"));
    assert_eq!(png_size(&bytes), (180, 180));
}

#[tokio::test]
async fn every_page_links_the_manifest_the_touch_icon_and_a_black_theme() {
    let app = spawn_app(&closed_port_url()).await;

    for path in ["/signin", "/status", "/connect"] {
        let html = app.get(path).await.body;
        assert!(
            html.contains(r#"<link rel="manifest" href="/static/manifest.webmanifest">"#),
            "{path}"
        );
        assert!(
            html.contains(r#"<link rel="apple-touch-icon" href="/static/apple-touch-icon.png">"#),
            "{path}"
        );
        assert!(
            html.contains(r##"<meta name="theme-color" content="#000000">"##),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_tip_script_is_served_as_javascript() {
    let app = spawn_app(&closed_port_url()).await;

    let (status, kind, body) = fetch(format!("{}/static/tip.js", app.address)).await;

    assert_eq!(status, 200);
    assert_eq!(kind, "text/javascript; charset=utf-8");
    let js = String::from_utf8(body).unwrap();
    for key in ["'s'", "'u'", "'?'", "Escape"] {
        assert!(js.contains(key), "{key}");
    }
}
