//! [`StaticServer`]: serves a directory over HTTP on 127.0.0.1, on a port the
//! OS picks, until its handle is dropped.
//!
//! Deliberately small: `GET` and `HEAD`, one request per connection, no
//! caching, no directory listings. Browsers need correct MIME types (a wasm
//! module must come as `application/wasm` to be compiled while streaming), so
//! those are covered by [`content_type`].

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The longest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// How long a connection may stay silent before it is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A running static file server. Dropping it stops accepting connections and
/// closes the port, as if the site went offline.
#[derive(Debug)]
pub struct StaticServer {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    /// The path of every GET served, in order (what the site sent).
    served: Arc<Mutex<Vec<String>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Starts serving `root` on `127.0.0.1` at a free port.
    pub fn start(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = root.as_ref().canonicalize()?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let served = Arc::new(Mutex::new(Vec::new()));
        let acceptor = thread::Builder::new()
            .name(format!("static-server-{}", addr.port()))
            .spawn({
                let stopping = Arc::clone(&stopping);
                let served = Arc::clone(&served);
                move || accept_loop(&listener, &root, &stopping, &served)
            })?;
        Ok(Self {
            addr,
            stopping,
            served,
            acceptor: Some(acceptor),
        })
    }

    /// The path (without the query) of every file sent with a 200, in
    /// order: what a visit downloaded.
    pub fn served(&self) -> Vec<String> {
        self.served.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An absolute URL for `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor, which is blocked in accept(), so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    root: &Path,
    stopping: &AtomicBool,
    served: &Arc<Mutex<Vec<String>>>,
) {
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let root = root.to_path_buf();
        let served = Arc::clone(served);
        // One thread per connection: browsers open several at once.
        let _ = thread::Builder::new()
            .name("static-server-conn".to_owned())
            .spawn(move || {
                let _ = serve_connection(stream, &root, &served);
            });
    }
}

fn serve_connection(stream: TcpStream, root: &Path, served: &Mutex<Vec<String>>) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;

    let Some(request_line) = read_head(&mut reader)? else {
        return respond_text(&mut writer, 400, "Bad Request", "bad request\n", true);
    };
    let mut parts = request_line.split_ascii_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond_text(&mut writer, 400, "Bad Request", "bad request\n", true);
    };
    let with_body = match method {
        "GET" => true,
        "HEAD" => false,
        _ => {
            return respond_text(
                &mut writer,
                405,
                "Method Not Allowed",
                "method not allowed\n",
                true,
            )
        }
    };
    match resolve(root, target).and_then(|path| std::fs::read(&path).ok().map(|b| (path, b))) {
        Some((path, body)) => {
            if with_body {
                if let Ok(mut log) = served.lock() {
                    log.push(
                        target
                            .split(['?', '#'])
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
            }
            respond(
                &mut writer,
                200,
                "OK",
                content_type(&path),
                &body,
                with_body,
            )
        }
        None => respond_text(&mut writer, 404, "Not Found", "not found\n", with_body),
    }
}

/// Reads the request head and returns its first line, or `None` if the
/// client sent something that is not an HTTP request head.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut request_line = String::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line)?;
        total += read;
        if read == 0 || total > MAX_HEAD_BYTES {
            return Ok(None);
        }
        if line == "\r\n" || line == "\n" {
            return Ok(Some(request_line));
        }
        if request_line.is_empty() {
            request_line = line.trim_end().to_owned();
        }
    }
}

/// Maps a request target to a file under `root`; `None` for targets that
/// try to leave it or cannot be decoded. A directory maps to its `index.html`.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let path = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            segment if segment.contains('\\') || segment.contains('\0') => return None,
            segment => file.push(segment),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The `Content-Type` to send for `path`, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond_text(
    writer: &mut impl Write,
    status: u16,
    reason: &str,
    text: &str,
    with_body: bool,
) -> io::Result<()> {
    respond(
        writer,
        status,
        reason,
        "text/plain; charset=utf-8",
        text.as_bytes(),
        with_body,
    )
}

fn respond(
    writer: &mut impl Write,
    status: u16,
    reason: &str,
    content_type: &str,
    body: &[u8],
    with_body: bool,
) -> io::Result<()> {
    // no-cache: every test sees the build on disk, never a stale copy.
    write!(
        writer,
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: {content_type}\r\n\
         Content-Length: {}\r\n\
         Cache-Control: no-cache\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )?;
    if with_body {
        writer.write_all(body)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_handles_escapes_and_rejects_bad_ones() {
        assert_eq!(percent_decode("/a%20b.js").as_deref(), Some("/a b.js"));
        assert_eq!(percent_decode("/plain").as_deref(), Some("/plain"));
        assert_eq!(percent_decode("/bad%2"), None);
        assert_eq!(percent_decode("/bad%zz"), None);
    }
}
