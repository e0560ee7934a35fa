//! What sealing provider tokens costs: XChaCha20-Poly1305 with bound
//! associated data and a fresh OS nonce, against the baseline of encoding
//! the same token pair as JSON without encryption, in the same run.
//!
//! Run with `cargo bench --bench vault`.

use std::time::{Duration, Instant};

use integrations::UserId;
use integrations::vault::{KeyRing, TokenSecrets, Vault, VaultKey};
use secrecy::{ExposeSecret, SecretString};

const N: u32 = 100_000;

fn per_op(started: Instant) -> Duration {
    started.elapsed() / N
}

fn main() {
    let vault = Vault::new(KeyRing::new(vec![VaultKey::generate()]).unwrap());
    let user = UserId::new(uuid::Uuid::new_v4());
    let tokens = TokenSecrets {
        access: SecretString::from("access-0f1e2d3c4b5a69788796a5b4c3d2e1f0".to_owned()),
        refresh: Some(SecretString::from(
            "refresh-a5b4c3d2e1f00f1e2d3c4b5a6978".to_owned(),
        )),
    };

    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..N {
        let json = serde_json::json!({
            "access": tokens.access.expose_secret(),
            "refresh": tokens.refresh.as_ref().map(|r| r.expose_secret()),
        });
        bytes += serde_json::to_vec(&json).unwrap().len();
    }
    let baseline = per_op(started);
    assert!(bytes > 0);

    let started = Instant::now();
    let mut sealed = None;
    for _ in 0..N {
        sealed = Some(vault.seal_tokens(&user, "todoist", &tokens).unwrap());
    }
    let seal = per_op(started);
    let sealed = sealed.unwrap();

    let started = Instant::now();
    for _ in 0..N {
        vault.open_tokens(&user, "todoist", &sealed).unwrap();
    }
    let open = per_op(started);

    let ratio = |d: Duration| d.as_secs_f64() / baseline.as_secs_f64();
    println!("vault bench ({N} token pairs each)");
    println!("  JSON encode only   {baseline:>10.2?}  (baseline)");
    println!(
        "  seal               {seal:>10.2?}  ratio {:.1}",
        ratio(seal)
    );
    println!(
        "  open               {open:>10.2?}  ratio {:.1}",
        ratio(open)
    );
}
