//! Who is calling: the peer's address, or, when the peer is a proxy we
//! trust (`TRUSTED_PROXIES`, loopback by default, such as Caddy on the same
//! host), the address that proxy says it forwarded for.
//!
//! A browser's own `X-Forwarded-For`, `X-Forwarded-Proto`,
//! `X-Forwarded-Host`, `X-Real-Ip` and `Forwarded` never reach a service:
//! the gateway strips them and sets its own.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use platform::{ConfigError, Env};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");
const FORWARDED: HeaderName = HeaderName::from_static("forwarded");

/// One `TRUSTED_PROXIES` entry: an address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    base: IpAddr,
    prefix: u8,
}

impl Block {
    fn parse(raw: &str) -> Option<Self> {
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (raw.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { base: addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.base, ip) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-*` the gateway believes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Block>);

impl Default for TrustedProxies {
    /// Loopback: a proxy on the same host.
    fn default() -> Self {
        Self(vec![
            Block::parse("127.0.0.0/8").expect("static"),
            Block::parse("::1").expect("static"),
        ])
    }
}

impl TrustedProxies {
    /// `TRUSTED_PROXIES`: addresses or CIDR blocks, comma-separated;
    /// `none` trusts no one; unset means loopback.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        const NAME: &str = "TRUSTED_PROXIES";
        let Some(raw) = env.get(NAME) else {
            return Ok(Self::default());
        };
        if raw.trim().eq_ignore_ascii_case("none") {
            return Ok(Self(Vec::new()));
        }
        raw.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
            .map(|(i, e)| {
                Block::parse(e).ok_or_else(|| {
                    ConfigError::new(NAME, format!("entry {i} is not an address or CIDR block"))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|b| b.contains(ip))
    }
}

/// The caller as the gateway sees it, kept in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The hops of an `X-Forwarded-For` chain, oldest first; `None` when any
/// is not an address (then the chain is not believed at all).
fn forwarded_chain(headers: &HeaderMap) -> Option<Vec<IpAddr>> {
    let mut hops = Vec::new();
    for value in headers.get_all(&X_FORWARDED_FOR) {
        for hop in value.to_str().ok()?.split(',') {
            hops.push(hop.trim().parse::<IpAddr>().ok()?);
        }
    }
    Some(hops)
}

/// Strips the caller's proxy headers from `req` and sets the gateway's
/// own; answers the client's address (also stored as [`ClientAddr`]).
pub fn rewrite<B>(req: &mut Request<B>, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let headers = req.headers_mut();
    let via_proxy = peer.is_some_and(|p| trusted.contains(p));
    let mut chain = if via_proxy {
        forwarded_chain(headers).unwrap_or_default()
    } else {
        Vec::new()
    };
    let proto = headers
        .get(&X_FORWARDED_PROTO)
        .and_then(|v| v.to_str().ok())
        .filter(|p| via_proxy && matches!(*p, "http" | "https"))
        .unwrap_or("http")
        .to_owned();
    for name in [
        &X_FORWARDED_FOR,
        &X_FORWARDED_PROTO,
        &X_FORWARDED_HOST,
        &X_REAL_IP,
        &FORWARDED,
    ] {
        headers.remove(name);
    }
    chain.extend(peer);
    // The client: the nearest hop that is not one of our proxies.
    let client = chain
        .iter()
        .rev()
        .find(|ip| !trusted.contains(**ip))
        .or(chain.first())
        .copied();
    if !chain.is_empty() {
        let list = chain
            .iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        headers.insert(
            X_FORWARDED_FOR,
            HeaderValue::from_str(&list).expect("addresses are ASCII"),
        );
    }
    headers.insert(
        X_FORWARDED_PROTO,
        HeaderValue::from_str(&proto).expect("static"),
    );
    req.extensions_mut().insert(ClientAddr(client));
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut req = Request::builder().uri("/").body(()).unwrap();
        for (k, v) in headers {
            req.headers_mut().append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        req
    }

    #[test]
    fn an_untrusted_peers_forwarding_headers_are_replaced() {
        let mut req = request(
            "203.0.113.7:5000",
            &[
                ("x-forwarded-for", "6.6.6.6"),
                ("x-forwarded-proto", "https"),
                ("forwarded", "for=6.6.6.6;proto=https"),
                ("x-real-ip", "6.6.6.6"),
            ],
        );
        let client = rewrite(&mut req, &TrustedProxies::default());
        assert_eq!(client, Some("203.0.113.7".parse().unwrap()));
        let h = req.headers();
        assert_eq!(h["x-forwarded-for"], "203.0.113.7");
        assert_eq!(h["x-forwarded-proto"], "http");
        assert!(h.get("forwarded").is_none() && h.get("x-real-ip").is_none());
    }

    #[test]
    fn a_trusted_proxy_says_who_it_forwarded_for() {
        let mut req = request(
            "127.0.0.1:5000",
            &[
                ("x-forwarded-for", "6.6.6.6, 198.51.100.2"),
                ("x-forwarded-proto", "https"),
            ],
        );
        let client = rewrite(&mut req, &TrustedProxies::default());
        // 6.6.6.6 is what the client claimed to Caddy; Caddy saw 198.51.100.2.
        assert_eq!(client, Some("198.51.100.2".parse().unwrap()));
        assert_eq!(
            req.headers()["x-forwarded-for"],
            "6.6.6.6, 198.51.100.2, 127.0.0.1"
        );
        assert_eq!(req.headers()["x-forwarded-proto"], "https");
        let mut garbage = request("127.0.0.1:5000", &[("x-forwarded-for", "<script>")]);
        assert_eq!(
            rewrite(&mut garbage, &TrustedProxies::default()),
            Some("127.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn trusted_proxies_read_addresses_blocks_and_none() {
        let env = Env::from_pairs([("TRUSTED_PROXIES", "10.0.0.0/8, 172.17.0.1,fd00::/8")]);
        let t = TrustedProxies::from_env(&env).unwrap();
        for ip in ["10.1.2.3", "172.17.0.1", "fd00::1", "::ffff:10.0.0.1"] {
            assert!(t.contains(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["127.0.0.1", "172.17.0.2", "11.0.0.1"] {
            assert!(!t.contains(ip.parse().unwrap()), "{ip}");
        }
        let none = TrustedProxies::from_env(&Env::from_pairs([("TRUSTED_PROXIES", "none")]));
        assert!(!none.unwrap().contains("127.0.0.1".parse().unwrap()));
        let bad = TrustedProxies::from_env(&Env::from_pairs([("TRUSTED_PROXIES", "10.0.0.0/33")]));
        assert_eq!(bad.unwrap_err().name, "TRUSTED_PROXIES");
        assert!(TrustedProxies::default().contains("::1".parse().unwrap()));
    }
}
