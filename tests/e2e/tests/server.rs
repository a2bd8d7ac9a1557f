//! The static server the end-to-end tests load the app from: what it serves,
//! what it refuses, and that dropping it takes the site offline.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use e2e::{content_type, StaticServer};

/// A directory with a few files, removed when dropped.
struct Site(PathBuf);

impl Site {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "durable-dungeon-server-test-{test}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("assets")).expect("create the site");
        std::fs::write(dir.join("index.html"), "<h1>hi</h1>").expect("write index.html");
        std::fs::write(dir.join("app.wasm"), b"\0asm\x01\0\0\0").expect("write app.wasm");
        std::fs::write(dir.join("assets/a b.css"), "h1{}").expect("write a css file");
        Self(dir)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sends one raw request; returns the status line, the headers and the body.
fn request(server: &StaticServer, raw: &str) -> (String, String, Vec<u8>) {
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.write_all(raw.as_bytes()).expect("send the request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("read the response");
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8(response[..split].to_vec()).expect("an ASCII head");
    let body = response[split + 4..].to_vec();
    let (status, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    (status.to_owned(), headers.to_owned(), body)
}

fn get(server: &StaticServer, path: &str) -> (String, String, Vec<u8>) {
    request(server, &format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"))
}

#[test]
fn serves_files_with_their_mime_types() {
    let site = Site::new("mime");
    let server = StaticServer::start(&site.0).expect("start");

    let (status, headers, body) = get(&server, "/app.wasm");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("Content-Type: application/wasm"),
        "{headers}"
    );
    assert_eq!(body, b"\0asm\x01\0\0\0");

    let (status, headers, body) = get(&server, "/assets/a%20b.css?v=1");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("Content-Type: text/css"), "{headers}");
    assert_eq!(body, b"h1{}");
}

#[test]
fn the_root_serves_index_html() {
    let site = Site::new("index");
    let server = StaticServer::start(&site.0).expect("start");

    let (status, headers, body) = get(&server, "/");

    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("Content-Type: text/html"), "{headers}");
    assert_eq!(body, b"<h1>hi</h1>");
}

#[test]
fn head_sends_no_body() {
    let site = Site::new("head");
    let server = StaticServer::start(&site.0).expect("start");

    let (status, headers, body) = request(&server, "HEAD /index.html HTTP/1.1\r\n\r\n");

    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("Content-Length: 11"), "{headers}");
    assert!(body.is_empty());
}

#[test]
fn missing_files_and_escapes_from_the_root_are_not_found() {
    let site = Site::new("missing");
    let server = StaticServer::start(site.0.join("assets")).expect("start");

    for path in [
        "/nothing.js",
        "/../index.html",
        "/%2e%2e/index.html",
        "/a%2F..%2F..%2Findex.html",
    ] {
        let (status, _, _) = get(&server, path);
        assert_eq!(status, "HTTP/1.1 404 Not Found", "{path}");
    }
}

#[test]
fn other_methods_are_refused() {
    let site = Site::new("method");
    let server = StaticServer::start(&site.0).expect("start");

    let (status, _, _) = request(&server, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");

    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
}

#[test]
fn dropping_the_server_takes_the_site_offline() {
    let site = Site::new("offline");
    let server = StaticServer::start(&site.0).expect("start");
    let addr = server.addr();
    assert_eq!(get(&server, "/").0, "HTTP/1.1 200 OK");

    drop(server);

    assert!(
        TcpStream::connect(addr).is_err(),
        "{addr} still accepts connections"
    );
}

#[test]
fn mime_types_cover_what_the_app_ships() {
    let cases = [
        ("index.html", "text/html; charset=utf-8"),
        ("app-1a2b.js", "text/javascript; charset=utf-8"),
        ("main.css", "text/css; charset=utf-8"),
        ("app_bg.wasm", "application/wasm"),
        ("icon.svg", "image/svg+xml"),
        ("data.json", "application/json"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("unknown.bin", "application/octet-stream"),
    ];
    for (file, expected) in cases {
        assert_eq!(content_type(Path::new(file)), expected, "{file}");
    }
}
