//! Every mutation under "Our own JWTs" in security.md, refused.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header};

use super::*;
use serde_json::{Value, json};

const ISS: &str = "https://onetip.test";

fn key() -> SigningKey {
    SigningKey::from_seed("k1", [7u8; 32])
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn claims() -> Value {
    json!({
        "iss": ISS, "aud": AUDIENCE, "sub": "0190c0de-0000-7000-8000-000000000001",
        "sid": "s1", "iat": now(), "exp": now() + 300, "jti": "j1",
    })
}

fn header() -> Value {
    json!({"alg": "EdDSA", "typ": ACCESS_TOKEN_TYPE, "kid": "k1"})
}

// Signs arbitrary header and claims with a seed, the way an attacker who
// controls the bytes would (the test kit's forger).
use crate::testing::forge as forge_with;

fn forge(header: &Value, claims: &Value) -> String {
    forge_with([7u8; 32], header, claims)
}

fn verifier() -> Verifier {
    Verifier::with_keys(
        ISS,
        &Jwks {
            keys: vec![key().public_jwk()],
        },
    )
}

async fn verify(token: &str) -> Result<AccessClaims, JwtError> {
    verifier().verify(token).await
}

fn without(mut v: Value, field: &str) -> Value {
    v.as_object_mut().unwrap().remove(field);
    v
}

fn with(mut v: Value, field: &str, value: Value) -> Value {
    v.as_object_mut().unwrap().insert(field.into(), value);
    v
}

#[tokio::test]
async fn a_token_signed_by_the_signer_verifies() {
    let claims: AccessClaims = serde_json::from_value(claims()).unwrap();
    let token = key().sign(&claims);
    assert_eq!(verify(&token).await.unwrap(), claims);
    // The forging helper makes the same kind of token.
    assert!(verify(&forge(&header(), &self::claims())).await.is_ok());
}

#[tokio::test]
async fn alg_none_is_refused() {
    let h = with(header(), "alg", json!("none"));
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(h.to_string()),
        URL_SAFE_NO_PAD.encode(claims().to_string())
    );
    assert_eq!(verify(&unsigned).await, Err(JwtError::Malformed));
    let token = forge(&h, &claims());
    assert_eq!(verify(&token).await, Err(JwtError::Algorithm));
}

#[tokio::test]
async fn hs256_signed_with_our_public_key_is_refused() {
    let jwk = key().public_jwk();
    let public = URL_SAFE_NO_PAD.decode(&jwk.x).unwrap();
    for secret in [public.clone(), jwk.x.clone().into_bytes()] {
        let mut h = Header::new(Algorithm::HS256);
        h.typ = Some(ACCESS_TOKEN_TYPE.into());
        h.kid = Some("k1".into());
        let token = jsonwebtoken::encode(
            &h,
            &claims(),
            &jsonwebtoken::EncodingKey::from_secret(&secret),
        )
        .unwrap();
        assert_eq!(verify(&token).await, Err(JwtError::Algorithm));
    }
}

#[tokio::test]
async fn other_algorithms_are_refused() {
    for alg in ["ES256", "RS256", "PS256", "HS512", "EdDSA "] {
        let token = forge(&with(header(), "alg", json!(alg)), &claims());
        assert_eq!(verify(&token).await, Err(JwtError::Algorithm), "{alg}");
    }
}

#[tokio::test]
async fn unknown_missing_or_odd_kids_are_refused() {
    for kid in [
        json!("k2"),
        json!(""),
        json!("../../etc/passwd"),
        json!(7),
        json!("k".repeat(65)),
    ] {
        let token = forge(&with(header(), "kid", kid.clone()), &claims());
        assert_eq!(verify(&token).await, Err(JwtError::UnknownKey), "{kid}");
    }
    let token = forge(&without(header(), "kid"), &claims());
    assert_eq!(verify(&token).await, Err(JwtError::UnknownKey));
}

#[tokio::test]
async fn key_pointing_headers_are_refused_and_never_fetched() {
    for (name, value) in [
        ("jku", json!("https://evil.test/jwks.json")),
        ("x5u", json!("https://evil.test/cert.pem")),
        ("jwk", json!(key().public_jwk())),
        ("x5c", json!(["MIIB"])),
    ] {
        let token = forge(&with(header(), name, value), &claims());
        assert!(
            matches!(verify(&token).await, Err(JwtError::ForbiddenHeader(n)) if n == name),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_token_signed_by_another_key_with_our_kid_is_refused() {
    let token = forge_with([8u8; 32], &header(), &claims());
    assert!(matches!(verify(&token).await, Err(JwtError::Invalid(_))));
}

#[tokio::test]
async fn any_flipped_bit_is_refused() {
    let token = forge(&header(), &claims());
    let bytes = token.as_bytes();
    // Every character position of the token, one bit each.
    for i in 0..bytes.len() {
        if bytes[i] == b'.' {
            continue;
        }
        let mut mutated = bytes.to_vec();
        mutated[i] ^= 0x01;
        let Ok(mutated) = String::from_utf8(mutated) else {
            continue;
        };
        assert!(verify(&mutated).await.is_err(), "flip at {i} accepted");
    }
}

#[tokio::test]
async fn a_wrong_segment_count_is_refused() {
    let token = forge(&header(), &claims());
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        parts[..2].join("."),
        format!("{token}.{}", parts[2]),
        parts[0].to_owned(),
        String::new(),
        format!("{}..{}", parts[0], parts[2]),
    ] {
        assert_eq!(verify(&bad).await, Err(JwtError::Malformed), "{bad}");
    }
}

#[tokio::test]
async fn an_oversized_token_is_refused_before_parsing() {
    let padded = with(claims(), "pad", json!("x".repeat(MAX_TOKEN_LEN)));
    assert_eq!(
        verify(&forge(&header(), &padded)).await,
        Err(JwtError::TooLarge)
    );
}

#[tokio::test]
async fn every_required_claim_must_be_present() {
    for field in ["exp", "iat", "iss", "aud", "sub", "sid"] {
        let token = forge(&header(), &without(claims(), field));
        assert!(verify(&token).await.is_err(), "missing {field} accepted");
    }
    for (field, value) in [("sub", json!("")), ("sid", json!(""))] {
        let token = forge(&header(), &with(claims(), field, value));
        assert!(verify(&token).await.is_err(), "empty {field} accepted");
    }
}

#[tokio::test]
async fn a_foreign_issuer_or_audience_is_refused() {
    for (field, value) in [
        ("iss", json!("https://evil.test")),
        ("aud", json!("someone-else")),
        ("aud", json!(["someone-else"])),
        ("iss", json!(format!("{ISS}/"))),
    ] {
        let token = forge(&header(), &with(claims(), field, value.clone()));
        assert!(verify(&token).await.is_err(), "{field}={value}");
    }
}

#[tokio::test]
async fn expiry_allows_at_most_the_leeway() {
    let late = LEEWAY_SECS as i64;
    let just_expired = with(claims(), "exp", json!(now() - late + 5));
    assert!(verify(&forge(&header(), &just_expired)).await.is_ok());
    let expired = with(claims(), "exp", json!(now() - late - 5));
    assert_eq!(
        verify(&forge(&header(), &expired)).await,
        Err(JwtError::Expired)
    );
    let future_iat = with(claims(), "iat", json!(now() + late + 60));
    assert!(verify(&forge(&header(), &future_iat)).await.is_err());
    let not_yet = with(claims(), "nbf", json!(now() + 600));
    assert!(verify(&forge(&header(), &not_yet)).await.is_err());
}

#[tokio::test]
async fn a_token_of_another_type_is_refused() {
    // Google's ID tokens are RS256 with typ JWT; the type check comes after the algorithm.
    let id_token = forge(
        &json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
        &claims(),
    );
    assert_eq!(verify(&id_token).await, Err(JwtError::Algorithm));
    for typ in [json!("JWT"), json!("refresh+jwt"), json!(null)] {
        let token = forge(&with(header(), "typ", typ.clone()), &claims());
        assert_eq!(verify(&token).await, Err(JwtError::Type), "{typ}");
    }
    let token = forge(&without(header(), "typ"), &claims());
    assert_eq!(verify(&token).await, Err(JwtError::Type));
    // Our refresh tokens are opaque random strings, not JWTs.
    assert_eq!(
        verify(&crate::secrets::random_token()).await,
        Err(JwtError::Malformed)
    );
}

#[test]
fn a_kid_twice_in_the_signing_keys_is_refused() {
    let a = SigningKey::from_seed("k1", [1u8; 32]).to_entry();
    let b = SigningKey::from_seed("k1", [2u8; 32]).to_entry();
    let err = SigningKey::parse_ring(&format!("{a},{b}")).unwrap_err();
    assert!(err.contains("k1") && err.contains("twice"), "{err}");
    let c = SigningKey::from_seed("k2", [2u8; 32]).to_entry();
    assert_eq!(
        SigningKey::parse_ring(&format!("{a},{c}")).unwrap().len(),
        2
    );
}

#[test]
fn tokens_signed_by_hand_are_what_jsonwebtoken_would_sign() {
    // The signer no longer keeps a jsonwebtoken EncodingKey (a copy of the
    // seed that nothing zeroizes): the same bytes must come out.
    let claims = AccessClaims {
        iss: ISS.into(),
        aud: AUDIENCE.into(),
        sub: "u".into(),
        sid: "s".into(),
        iat: 1,
        exp: 2,
        jti: "j".into(),
    };
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[7u8; 32]);
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(ACCESS_TOKEN_TYPE.into());
    header.kid = Some("k1".into());
    let expected = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ed_der(&der),
    )
    .unwrap();
    assert_eq!(key().sign(&claims), expected);
}

#[test]
fn keys_round_trip_through_their_entries_and_hide_their_seed() {
    let k = SigningKey::generate();
    let ring = SigningKey::parse_ring(&format!("{},{}", k.to_entry(), key().to_entry())).unwrap();
    assert_eq!(ring.len(), 2);
    assert_eq!(ring[0].public_jwk(), k.public_jwk());
    let seed = k.to_entry().split_once(':').unwrap().1.to_owned();
    assert!(!format!("{k:?}").contains(&seed));
    assert!(SigningKey::parse_ring("k1:AAAA").is_err());
    assert!(SigningKey::parse_ring("").is_err());
    let err = SigningKey::parse_ring("bad kid:AAAA").unwrap_err();
    assert!(!err.contains("AAAA"));
}

#[test]
fn malformed_jwks_entries_are_ignored() {
    let good = key().public_jwk();
    let short = PublicJwk {
        x: URL_SAFE_NO_PAD.encode([1u8; 16]),
        ..good.clone()
    };
    let rsa = PublicJwk {
        kty: "RSA".into(),
        ..good.clone()
    };
    let keys = KeySet::from_jwks(&Jwks {
        keys: vec![short, rsa],
    });
    assert!(keys.is_empty());
    assert_eq!(KeySet::from_jwks(&Jwks { keys: vec![good] }).len(), 1);
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_jwks_once_within_the_interval() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let old = key();
    let new = SigningKey::from_seed("k2", [9u8; 32]);
    // First fetch: only the old key; every later one: both.
    Mock::given(method("GET"))
        .and(path("/auth/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Jwks {
            keys: vec![old.public_jwk()],
        }))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/auth/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Jwks {
            keys: vec![new.public_jwk(), old.public_jwk()],
        }))
        .expect(0)
        .mount(&server)
        .await;
    let verifier = Verifier::remote(ISS, format!("{}/auth/jwks.json", server.uri()));
    let c: AccessClaims = serde_json::from_value(claims()).unwrap();
    assert!(verifier.verify(&old.sign(&c)).await.is_ok());
    // The new key appeared within the refetch interval: refused, not fetched.
    assert_eq!(
        verifier.verify(&new.sign(&c)).await,
        Err(JwtError::UnknownKey)
    );
    let unknown = SigningKey::from_seed("k3", [3u8; 32]);
    for _ in 0..5 {
        assert_eq!(
            verifier.verify(&unknown.sign(&c)).await,
            Err(JwtError::UnknownKey)
        );
    }
    server.verify().await;
}

#[tokio::test]
async fn a_rotated_key_is_found_by_one_refetch() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let new = SigningKey::from_seed("k2", [9u8; 32]);
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Jwks {
            keys: vec![new.public_jwk()],
        }))
        .expect(1)
        .mount(&server)
        .await;
    let verifier = Verifier::remote(ISS, format!("{}/jwks", server.uri()));
    let c: AccessClaims = serde_json::from_value(claims()).unwrap();
    for _ in 0..3 {
        assert!(verifier.verify(&new.sign(&c)).await.is_ok());
    }
    server.verify().await;
}

#[tokio::test]
async fn a_failed_jwks_fetch_is_retried_after_a_second() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Jwks {
            keys: vec![key().public_jwk()],
        }))
        .mount(&server)
        .await;
    let verifier = Verifier::remote(ISS, format!("{}/jwks", server.uri()));
    let c: AccessClaims = serde_json::from_value(claims()).unwrap();
    let token = key().sign(&c);
    assert_eq!(verifier.verify(&token).await, Err(JwtError::UnknownKey));
    assert_eq!(
        verifier.verify(&token).await,
        Err(JwtError::UnknownKey),
        "not at once"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(verifier.verify(&token).await.is_ok());
}
