//! `hamstride serve` end to end, as the binary: the URL with its secret is the first line of
//! standard output, the port is free unless given, the secret opens the app and nothing else
//! does, a foreign Host is refused, `--listen` warns, no browser is started without a desktop,
//! and Ctrl-C (SIGINT) stops it cleanly with exit 0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The server, killed if a test fails before it stops it.
struct Server {
    child: Child,
    url: String,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> (Server, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("serve")
        .args(args)
        // No desktop: the command must not try to start a browser.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    out.read_line(&mut url).unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(err).read_to_string(&mut s);
        let _ = tx.send(s);
    });
    (
        Server {
            child,
            url: url.trim().to_string(),
            stderr: rx,
        },
        data,
    )
}

/// One raw HTTP/1.1 request; the response's head and body as text.
fn request(addr: &str, head: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn stop(mut server: Server) -> (std::process::ExitStatus, String) {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.child.wait().unwrap();
    let stderr = server
        .stderr
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_default();
    (status, stderr)
}

#[test]
fn serve_prints_its_url_first_lets_only_the_secret_in_and_stops_on_ctrl_c() {
    let (server, _data) = start(&["--no-open"]);
    let url = server.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let token = url.split("?token=").nth(1).unwrap().to_string();
    assert_eq!(token.len(), 64, "a 256-bit secret");
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);

    let res = request(
        &addr,
        &format!("GET /?token={token} HTTP/1.1\r\nHost: {addr}"),
    );
    assert!(res.starts_with("HTTP/1.1 303"), "{res}");
    let res_lower = res.to_lowercase();
    assert!(res_lower.contains("set-cookie: hamstride_"), "{res}");
    assert!(res_lower.contains("httponly"));
    let res = request(&addr, &format!("GET / HTTP/1.1\r\nHost: {addr}"));
    assert!(res.starts_with("HTTP/1.1 403"), "{res}");
    let res = request(
        &addr,
        &format!(
            "GET / HTTP/1.1\r\nHost: rebound.example:{port}\r\nCookie: hamstride_{port}={token}"
        ),
    );
    assert!(res.starts_with("HTTP/1.1 421"), "{res}");
    let res = request(
        &addr,
        &format!(
            "GET /assess HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: hamstride_{port}={token}"
        ),
    );
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(res.contains("Warning-sign check 1 of"));

    let (status, stderr) = stop(server);
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("Press Ctrl-C to stop"), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
    assert!(
        !stderr.contains(&token),
        "the secret is printed once, on stdout"
    );
}

#[test]
fn serve_without_a_desktop_says_so_and_listen_warns() {
    // Another address (a loopback alias here, as a LAN address would be): served, by its own
    // name, with a warning.
    let (server, _data) = start(&["--listen", "127.0.0.2"]);
    assert!(
        server.url.starts_with("http://127.0.0.2:"),
        "{}",
        server.url
    );
    let addr = server
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let token = server.url.split("?token=").nth(1).unwrap().to_string();
    let res = request(
        &addr,
        &format!("GET /?token={token} HTTP/1.1\r\nHost: {addr}"),
    );
    assert!(res.starts_with("HTTP/1.1 303"), "{res}");
    let (status, stderr) = stop(server);
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("WARNING"), "{stderr}");
    assert!(stderr.contains("no desktop"), "{stderr}");
}

#[test]
fn every_address_at_once_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--no-open", "--listen", "0.0.0.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--listen 0.0.0.0"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_port_in_use_is_a_bad_input_exit() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--no-open", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen"), "{err}");
    assert!(out.stdout.is_empty());
}
