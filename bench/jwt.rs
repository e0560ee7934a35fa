//! What checking an access token costs at every hop: EdDSA verification
//! with every claim check, against the baseline of merely parsing the same
//! claims from JSON, and against signing, in the same run.
//!
//! Run with `cargo bench --bench jwt`.

use std::time::{Duration, Instant};

use platform::jwt::{AccessClaims, Jwks, SigningKey, Verifier};

const N: u32 = 20_000;
const ISSUER: &str = "https://onetip.bench";

fn per_op(started: Instant) -> Duration {
    started.elapsed() / N
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let key = SigningKey::generate();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = AccessClaims {
        iss: ISSUER.into(),
        aud: platform::jwt::AUDIENCE.into(),
        sub: uuid::Uuid::new_v4().to_string(),
        sid: uuid::Uuid::new_v4().to_string(),
        iat: now,
        exp: now + 300,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let verifier = Verifier::with_keys(
        ISSUER,
        &Jwks {
            keys: vec![key.public_jwk()],
        },
    );
    let json = serde_json::to_vec(&claims).unwrap();

    let started = Instant::now();
    for _ in 0..N {
        let parsed: AccessClaims = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed.iss, ISSUER);
    }
    let baseline = per_op(started);

    let started = Instant::now();
    let mut token = String::new();
    for _ in 0..N {
        token = key.sign(&claims);
    }
    let sign = per_op(started);

    let started = Instant::now();
    for _ in 0..N {
        verifier.verify(&token).await.unwrap();
    }
    let verify = per_op(started);

    let ratio = |d: Duration| d.as_secs_f64() / baseline.as_secs_f64();
    println!("jwt bench ({N} tokens each, EdDSA / Ed25519)");
    println!("  parse claims only  {baseline:>10.2?}  (baseline)");
    println!(
        "  sign               {sign:>10.2?}  ratio {:.0}",
        ratio(sign)
    );
    println!(
        "  verify             {verify:>10.2?}  ratio {:.0}",
        ratio(verify)
    );
}
