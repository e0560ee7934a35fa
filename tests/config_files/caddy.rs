//! The Caddy front: both Caddyfiles validate, and the test one, run in
//! front of a stand-in gateway, adds the security headers, drops `Server`
//! and compresses.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use platform::testing::free_port;

use crate::tools::{INSTALL_CADDY, assert_success, caddy_command, run};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; form-action 'self' https://todoist.com; frame-ancestors 'none'; base-uri 'none'";

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("onetip-caddy-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Caddy process, stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn caddy_validates_the_production_and_the_test_caddyfile() {
    let scratch = Scratch::new();
    for file in ["Caddyfile", "deploy/Caddyfile.test"] {
        let output = run(
            caddy_command(&scratch.0).args([
                "validate",
                "--config",
                file,
                "--adapter",
                "caddyfile",
            ]),
            INSTALL_CADDY,
        );
        assert_success(&output, &format!("caddy validate --config {file}"));
    }
}

/// A stand-in gateway: answers every request with a page big enough to be
/// compressed, and headers Caddy must replace or remove.
fn stand_in_gateway() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the stand-in");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer(stream);
        }
    });
    port
}

fn answer(mut stream: TcpStream) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    let body = "<!doctype html><p>one tip</p>".repeat(200);
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nServer: stand-in\r\nContent-Security-Policy: default-src *\r\n\
         Content-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// `GET /` through Caddy: the status line and the headers, names lower-cased.
fn get(port: u16) -> std::io::Result<(String, Vec<(String, String)>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(
        b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok((status, headers))
}

#[test]
fn caddy_in_front_of_the_gateway_adds_the_security_headers_and_compresses() {
    let scratch = Scratch::new();
    let upstream = stand_in_gateway();
    let port = free_port();
    let log = std::fs::File::create(scratch.0.join("caddy.log")).expect("a log file");
    let child = caddy_command(&scratch.0)
        .args([
            "run",
            "--config",
            "deploy/Caddyfile.test",
            "--adapter",
            "caddyfile",
        ])
        .env("CADDY_HTTP_PORT", port.to_string())
        .env("GATEWAY_UPSTREAM", format!("127.0.0.1:{upstream}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn();
    let mut caddy = match child {
        Ok(child) => Running(child),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("caddy is not installed; install it with: {INSTALL_CADDY}")
        }
        Err(e) => panic!("starting caddy: {e}"),
    };

    let started = Instant::now();
    let (status, headers) = loop {
        match get(port) {
            Ok(answer) if !answer.0.is_empty() => break answer,
            _ if started.elapsed() > Duration::from_secs(15) => panic!(
                "caddy did not answer on {port}:\n{}",
                std::fs::read_to_string(scratch.0.join("caddy.log")).unwrap_or_default()
            ),
            _ => {
                if let Ok(Some(exit)) = caddy.0.try_wait() {
                    panic!(
                        "caddy exited ({exit}):\n{}",
                        std::fs::read_to_string(scratch.0.join("caddy.log")).unwrap_or_default()
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    assert!(status.contains(" 200 "), "status: {status}");
    assert_eq!(header("content-security-policy"), Some(CSP));
    assert!(
        header("strict-transport-security").is_some_and(|v| v.starts_with("max-age=")),
        "no HSTS: {headers:?}"
    );
    assert_eq!(header("x-content-type-options"), Some("nosniff"));
    assert!(header("referrer-policy").is_some(), "no Referrer-Policy");
    assert_eq!(header("server"), None, "the Server header must be removed");
    assert_eq!(header("content-encoding"), Some("gzip"));
    drop(caddy);
}
