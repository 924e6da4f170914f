//! Test support shared by the integration tests: a server on 127.0.0.1:0 and small clients
//! that speak raw HTTP/1.1 (for exact bytes) or go through hyper (HTTP/1.1 and h2c).
#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod event_stream;
pub mod system;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use sisk::{HttpServer, HttpServerBuilder, Router, RunningServer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long any single wait in a test may take before the test fails instead of hanging.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Starts `router` on 127.0.0.1:0 with default limits.
pub async fn start(router: Router) -> RunningServer {
    start_with(HttpServer::builder().router(router)).await
}

/// Starts a server from `builder` on 127.0.0.1:0.
pub async fn start_with(builder: HttpServerBuilder) -> RunningServer {
    builder
        .listen("127.0.0.1:0")
        .build()
        .expect("server builds")
        .start()
        .await
        .expect("server starts")
}

/// Starts `router` on 127.0.0.1:0 with `timeout` as its header-read timeout.
pub async fn start_with_header_timeout(router: Router, timeout: Duration) -> RunningServer {
    start_with(
        HttpServer::builder()
            .router(router)
            .header_read_timeout(timeout),
    )
    .await
}

/// Awaits `fut`, failing the test after [`PATIENCE`].
pub async fn within<F: std::future::Future>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(PATIENCE, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// A response read off the wire: status line, headers (names lower-cased), body bytes.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }
}

/// One HTTP/1.1 connection written to and read from by hand.
pub struct RawConn {
    reader: BufReader<TcpStream>,
}

impl RawConn {
    pub async fn connect(addr: SocketAddr) -> Self {
        let stream = within("connect", TcpStream::connect(addr))
            .await
            .expect("connect");
        Self {
            reader: BufReader::new(stream),
        }
    }

    /// Writes raw bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).await.expect("write");
    }

    /// Reads a response head; the body is left for `read_body`/`next_chunk`.
    pub async fn read_head(&mut self) -> RawResponse {
        within("a response head", async {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.expect("status line");
            assert!(line.starts_with("HTTP/1.1 "), "not a status line: {line:?}");
            let status = line[9..12].parse().expect("status code");
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                self.reader.read_line(&mut line).await.expect("header line");
                let line = line.trim_end_matches(['\r', '\n']);
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').expect("header colon");
                headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
            RawResponse {
                status,
                headers,
                body: Vec::new(),
            }
        })
        .await
    }

    /// Reads a whole response (content-length, chunked, or none for 1xx/204/304/HEAD).
    pub async fn read_response(&mut self, head_request: bool) -> RawResponse {
        let mut res = self.read_head().await;
        if head_request || matches!(res.status, 100..=199 | 204 | 304) {
            return res;
        }
        if res.header("transfer-encoding") == Some("chunked") {
            while let Some(chunk) = self.next_chunk().await {
                res.body.extend_from_slice(&chunk);
            }
        } else if let Some(len) = res.header("content-length") {
            let mut body = vec![0; len.parse().expect("content-length")];
            within("a body", self.reader.read_exact(&mut body))
                .await
                .expect("body");
            res.body = body;
        }
        res
    }

    /// The next chunk of a chunked body, exactly as sent; `None` at the last chunk.
    pub async fn next_chunk(&mut self) -> Option<Vec<u8>> {
        within("a chunk", async {
            let mut size_line = String::new();
            self.reader
                .read_line(&mut size_line)
                .await
                .expect("chunk size");
            let size = usize::from_str_radix(size_line.trim_end(), 16)
                .unwrap_or_else(|_| panic!("bad chunk size line {size_line:?}"));
            let mut data = vec![0; size + 2];
            self.reader.read_exact(&mut data).await.expect("chunk data");
            assert_eq!(&data[size..], b"\r\n", "chunk not terminated by CRLF");
            data.truncate(size);
            (size > 0).then_some(data)
        })
        .await
    }

    /// Whether the server closed the connection (reads EOF) within [`PATIENCE`].
    pub async fn closed_by_peer(&mut self) -> bool {
        let mut buf = [0u8; 1];
        matches!(
            tokio::time::timeout(PATIENCE, self.reader.read(&mut buf)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    /// Everything the server sends until it closes the connection (a reset counts as the
    /// close), within [`PATIENCE`].
    pub async fn read_to_close(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        within("the server to close the connection", async {
            let mut buf = [0u8; 4096];
            loop {
                match self.reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => rest.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        rest
    }

    pub fn into_inner(self) -> TcpStream {
        self.reader.into_inner()
    }
}

/// Sends `request` on a new connection and reads one response.
pub async fn raw_request(addr: SocketAddr, request: &str) -> RawResponse {
    let mut conn = RawConn::connect(addr).await;
    conn.send(request.as_bytes()).await;
    conn.read_response(request.starts_with("HEAD ")).await
}

/// `GET path` over HTTP/1.1, closing the connection after.
pub async fn get(addr: SocketAddr, path: &str) -> RawResponse {
    raw_request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"),
    )
    .await
}

/// `method path` with `body` over HTTP/1.1, closing the connection after.
pub async fn send(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> RawResponse {
    let mut conn = RawConn::connect(addr).await;
    conn.send(
        format!(
            "{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    conn.send(body).await;
    conn.read_response(method == "HEAD").await
}

/// `GET path` over HTTP/2 with prior knowledge (h2c), through hyper's client.
pub async fn get_h2(addr: SocketAddr, path: &str) -> (http::Response<()>, Bytes) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("h2 handshake");
    tokio::spawn(conn);
    let req = http::Request::get(format!("http://{addr}{path}"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let res = within("an h2 response", sender.send_request(req))
        .await
        .expect("h2 response");
    let (parts, body) = res.into_parts();
    let bytes = within("an h2 body", body.collect())
        .await
        .expect("h2 body")
        .to_bytes();
    (http::Response::from_parts(parts, ()), bytes)
}

/// A value a `Fn` handler hands out once, such as one end of a oneshot channel: handlers are
/// `Fn`, so they cannot move a captured value out without this.
pub struct TakeOnce<T>(std::sync::Mutex<Option<T>>);

impl<T> TakeOnce<T> {
    pub fn new(value: T) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self(std::sync::Mutex::new(Some(value))))
    }

    /// The value; panics (failing the test) when it was already taken.
    pub fn take(&self) -> T {
        self.0
            .lock()
            .unwrap()
            .take()
            .expect("the value is taken only once")
    }
}
