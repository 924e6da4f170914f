//! Just enough raw HTTP/1.1 for the load generator: keep-alive requests, response heads,
//! bodies with a length or chunked.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::event_stream::Dechunker;

/// Largest response head accepted.
const MAX_HEAD: usize = 16 * 1024;

/// The source address of connection number `index`: `127.{block}.x.y`, `per_source`
/// connections per address, so that more than one address's ~28 000 ephemeral ports can be
/// used and consecutive runs (different `block`s) never meet each other's `TIME_WAIT`s.
pub fn source_ip(block: u8, index: usize, per_source: usize) -> IpAddr {
    let n = index / per_source.max(1);
    let third = u8::try_from(n / 250).unwrap_or(u8::MAX);
    let fourth = u8::try_from(n % 250 + 1).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, block, third, fourth))
}

/// Opens a TCP connection to `addr` from `source` (port chosen by the kernel), no Nagle.
///
/// # Errors
///
/// When binding or connecting fails.
pub async fn connect(addr: SocketAddr, source: IpAddr) -> io::Result<TcpStream> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if addr.ip().is_loopback() && addr.is_ipv4() {
        socket.bind(SocketAddr::new(source, 0))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A response head.
#[derive(Debug, Clone, Default)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// `Content-Length`, when given.
    pub content_length: Option<usize>,
    /// Whether the body is chunked.
    pub chunked: bool,
    /// `Content-Type`, when given.
    pub content_type: Option<String>,
}

/// A whole response.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

/// A keep-alive HTTP/1.1 connection with its read buffer.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` read but not yet consumed.
    filled: usize,
}

impl Conn {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream) -> Self {
        Conn {
            stream,
            buf: vec![0; 8 * 1024],
            filled: 0,
        }
    }

    /// Sends a request: a GET without a body (`GET /sse` with the headers a browser's
    /// `EventSource` sends), any other method with `body` and its `Content-Length`.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub async fn send(&mut self, method: &str, path: &str, body: &[u8]) -> io::Result<()> {
        let mut req = Vec::with_capacity(96 + body.len());
        req.extend_from_slice(method.as_bytes());
        req.push(b' ');
        req.extend_from_slice(path.as_bytes());
        req.extend_from_slice(b" HTTP/1.1\r\nHost: bench\r\n");
        if method == "GET" && path == "/sse" {
            // What a browser's `EventSource` sends.
            req.extend_from_slice(b"Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n");
        } else if method == "GET" {
            req.extend_from_slice(b"Accept: */*\r\n\r\n");
        } else {
            req.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            req.extend_from_slice(body);
        }
        self.stream.write_all(&req).await
    }

    /// Sends a request and reads the whole response.
    ///
    /// # Errors
    ///
    /// When the connection fails or the response is malformed.
    pub async fn request(&mut self, method: &str, path: &str, body: &[u8]) -> io::Result<Response> {
        self.send(method, path, body).await?;
        let head = self.read_head().await?;
        let body = self.read_body(&head).await?;
        Ok(Response {
            status: head.status,
            body,
        })
    }

    /// Reads a response head.
    ///
    /// # Errors
    ///
    /// When the connection fails or the head is malformed or too large.
    pub async fn read_head(&mut self) -> io::Result<Head> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut res = httparse::Response::new(&mut headers);
            match res.parse(&self.buf[..self.filled]) {
                Ok(httparse::Status::Complete(len)) => {
                    let mut head = Head {
                        status: res.code.unwrap_or(0),
                        ..Head::default()
                    };
                    for h in res.headers.iter() {
                        let value = String::from_utf8_lossy(h.value);
                        if h.name.eq_ignore_ascii_case("content-length") {
                            head.content_length = value.trim().parse().ok();
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                            head.chunked = value.to_ascii_lowercase().contains("chunked");
                        } else if h.name.eq_ignore_ascii_case("content-type") {
                            head.content_type = Some(value.into_owned());
                        }
                    }
                    self.consume(len);
                    return Ok(head);
                }
                Ok(httparse::Status::Partial) => {
                    if self.filled >= MAX_HEAD {
                        return Err(invalid("response head too large"));
                    }
                    self.fill().await?;
                }
                Err(err) => return Err(invalid(&format!("bad response head: {err}"))),
            }
        }
    }

    async fn read_body(&mut self, head: &Head) -> io::Result<Vec<u8>> {
        if let Some(len) = head.content_length {
            while self.filled < len {
                self.fill().await?;
            }
            let body = self.buf[..len].to_vec();
            self.consume(len);
            return Ok(body);
        }
        if !head.chunked {
            return Ok(Vec::new());
        }
        let mut body = Vec::new();
        let mut chunks = Dechunker::default();
        loop {
            // Feed one byte at a time past the end: the next response may follow directly.
            let mut used = 0;
            while used < self.filled && !chunks.is_done() {
                chunks
                    .feed(&self.buf[used..used + 1], |b| body.extend_from_slice(b))
                    .map_err(|_| invalid("bad chunked body"))?;
                used += 1;
            }
            self.consume(used);
            if chunks.is_done() {
                // The final CRLF after the last chunk (no trailers from our servers).
                while self.filled < 2 {
                    self.fill().await?;
                }
                self.consume(2);
                return Ok(body);
            }
            self.fill().await?;
        }
    }

    /// The stream and the bytes already read past the head.
    pub fn into_parts(self) -> (TcpStream, Vec<u8>) {
        let rest = self.buf[..self.filled].to_vec();
        (self.stream, rest)
    }

    async fn fill(&mut self) -> io::Result<()> {
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = self.stream.read(&mut self.buf[self.filled..]).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed by the server",
            ));
        }
        self.filled += n;
        Ok(())
    }

    fn consume(&mut self, len: usize) {
        self.buf.copy_within(len..self.filled, 0);
        self.filled -= len;
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_addresses_spread_over_blocks() {
        assert_eq!(source_ip(3, 0, 5000).to_string(), "127.3.0.1");
        assert_eq!(source_ip(3, 4999, 5000).to_string(), "127.3.0.1");
        assert_eq!(source_ip(3, 5000, 5000).to_string(), "127.3.0.2");
        assert_eq!(source_ip(3, 250 * 5000, 5000).to_string(), "127.3.1.1");
    }
}
