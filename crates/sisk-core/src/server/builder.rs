//! `HttpServerBuilder` and the server's `Limits`.

use std::time::Duration;

use super::HttpServer;
use crate::error::{Error, Kind};
use crate::{CorsPolicy, Router};

/// hyper refuses a header buffer smaller than this.
const MIN_HEADER_BYTES: usize = 8192;

/// The bounds a server keeps to, whatever its clients send.
///
/// # Examples
///
/// ```
/// use sisk_core::Limits;
/// let limits = Limits::default();
/// assert_eq!(limits.max_request_body, 4 * 1024 * 1024);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request body read, in bytes; more answers 413. Default 4 MiB.
    pub max_request_body: u64,
    /// Largest request head (request line and headers), in bytes; more answers 431.
    /// Default 16 KiB, at least 8 KiB.
    pub max_header_bytes: usize,
    /// How long a client may take to send a whole request head, counted from when it
    /// connected or from its last response, before the connection is closed without an
    /// answer (against slow-loris clients; it also ends idle keep-alive connections). A
    /// request in flight, however slow its handler or long its stream, does not count.
    /// Checked once per period, not per request: a connection is closed one timeout after
    /// its accept if it sends nothing, and between one and two timeouts after its last
    /// response. Default 10 s.
    pub header_read_timeout: Duration,
    /// Most connections served at once; more are answered 503 and closed. Default 25 000.
    pub max_connections: usize,
    /// Bytes a response stream may queue for a slow peer before writes report it full.
    /// Default 256 KiB: sixteen 16 KiB events of slack for a reader that falls behind for a
    /// moment during a burst. On HTTP/1.1 a peer that is still reading (its socket took the
    /// last write) may fall up to eight times this behind while the server, busy with other
    /// connections, catches up; a peer that stopped reading is held to this bound (see
    /// [`ResponseStream::set_capacity`](crate::ResponseStream::set_capacity)). A broadcast
    /// frame is shared by every queue it is in, so the memory a full queue holds is usually
    /// far less than this.
    pub stream_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_body: 4 * 1024 * 1024,
            max_header_bytes: 16 * 1024,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 25_000,
            stream_buffer: 256 * 1024,
        }
    }
}

/// Configures and builds an [`HttpServer`] (Sisk's `HttpServer.CreateBuilder()`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sisk_core::{HttpServer, Router};
///
/// let mut router = Router::new();
/// router.map_get("/", || async { "Hello, world!" });
///
/// let server = HttpServer::builder()
///     .listen("127.0.0.1:0")
///     .router(router)
///     .max_request_body(1024 * 1024)
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(10_000)
///     .build()?;
/// # Ok::<(), sisk_core::Error>(())
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct HttpServerBuilder {
    listen: Vec<String>,
    router: Option<Router>,
    limits: Limits,
    cors: Option<CorsPolicy>,
}

impl HttpServerBuilder {
    /// Adds an address to listen on: `"127.0.0.1:5555"`, `"localhost:8080"`,
    /// `"http://localhost:5555/"` or `"[::1]:0"`. May be called several times. With none, the
    /// server listens on a random free port of 127.0.0.1, as Sisk does.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder()
    ///     .listen("127.0.0.1:5555")
    ///     .listen("http://localhost:8080/") // Sisk's prefix form works too
    ///     .build()?;
    /// assert!(HttpServer::builder().listen("localhost").build().is_err()); // no port
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen.push(addr.into());
        self
    }

    /// The routes to serve.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/", || async { "home" });
    /// let server = HttpServer::builder().router(router).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn router(mut self, router: Router) -> Self {
        self.router = Some(router);
        self
    }

    /// All limits at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_core::{HttpServer, Limits};
    ///
    /// let mut limits = Limits::default();
    /// limits.max_request_body = 64 * 1024;
    /// limits.header_read_timeout = Duration::from_secs(3);
    /// let server = HttpServer::builder().limits(limits).build()?;
    /// assert_eq!(server.limits().max_request_body, 64 * 1024);
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// See [`Limits::max_request_body`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// // Uploads over 1 MiB answer 413.
    /// let server = HttpServer::builder().max_request_body(1024 * 1024).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn max_request_body(mut self, bytes: u64) -> Self {
        self.limits.max_request_body = bytes;
        self
    }

    /// See [`Limits::max_header_bytes`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder().max_header_bytes(32 * 1024).build()?;
    /// assert!(HttpServer::builder().max_header_bytes(1024).build().unwrap_err().is_config());
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_header_bytes = bytes;
        self
    }

    /// See [`Limits::header_read_timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder().header_read_timeout(Duration::from_secs(5)).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// See [`Limits::max_connections`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder().max_connections(100_000).build()?;
    /// assert!(HttpServer::builder().max_connections(0).build().unwrap_err().is_config());
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections;
        self
    }

    /// See [`Limits::stream_buffer`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// // Each response stream (each SSE client) may fall 256 KiB behind.
    /// let server = HttpServer::builder().stream_buffer(256 * 1024).build()?;
    /// assert_eq!(server.limits().stream_buffer, 256 * 1024);
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn stream_buffer(mut self, bytes: usize) -> Self {
        self.limits.stream_buffer = bytes;
        self
    }

    /// The CORS policy (Sisk's `UseCors`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// let server = HttpServer::builder().cors(CorsPolicy::new().allow_any_origin()).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn cors(mut self, policy: CorsPolicy) -> Self {
        self.cors = Some(policy);
        self
    }

    /// Checks everything and builds the server (nothing is bound yet; see
    /// [`HttpServer::start`]).
    ///
    /// # Errors
    ///
    /// An invalid route path, two colliding routes, an empty method set
    /// ([`Error::is_route`]), an unparsable listen address ([`Error::is_bind`]), or limits out
    /// of range / an invalid CORS value ([`Error::is_config`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/users/<id>", || async { "a user" });
    /// let server = HttpServer::builder().router(router).build()?; // nothing is bound yet
    ///
    /// let mut bad = Router::new();
    /// bad.map_get("/users/<id", || async { "" });
    /// assert!(HttpServer::builder().router(bad).build().unwrap_err().is_route());
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn build(self) -> Result<HttpServer, Error> {
        if self.limits.max_header_bytes < MIN_HEADER_BYTES {
            return Err(Error::new(Kind::Config(format!(
                "max_header_bytes must be at least {MIN_HEADER_BYTES}"
            ))));
        }
        if self.limits.max_connections == 0 {
            return Err(Error::new(Kind::Config(
                "max_connections must be at least 1".into(),
            )));
        }
        let mut listen = Vec::with_capacity(self.listen.len().max(1));
        for addr in &self.listen {
            listen.push(normalize_listen(addr)?);
        }
        if listen.is_empty() {
            listen.push("127.0.0.1:0".to_owned());
        }
        let cors = self.cors.as_ref().map(CorsPolicy::compile).transpose()?;
        let router = self.router.unwrap_or_default().compile()?;
        Ok(HttpServer::from_parts(listen, self.limits, cors, router))
    }
}

/// `http://host:port/` and `host:port` both become `host:port`; a missing port is an error.
fn normalize_listen(addr: &str) -> Result<String, Error> {
    let bad = || Error::new(Kind::ListenAddress(addr.to_owned()));
    let rest = addr
        .strip_prefix("http://")
        .unwrap_or(addr)
        .trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    if host.is_empty() || port.parse::<u16>().is_err() || rest.contains('/') {
        return Err(bad());
    }
    Ok(rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_are_normalised() {
        assert_eq!(
            normalize_listen("http://localhost:5555/").unwrap(),
            "localhost:5555"
        );
        assert_eq!(normalize_listen("[::1]:0").unwrap(), "[::1]:0");
        assert!(normalize_listen("localhost").unwrap_err().is_bind());
        assert!(normalize_listen("localhost:99999").is_err());
        assert!(normalize_listen("https://x:1/a").is_err());
    }

    #[test]
    fn out_of_range_limits_fail_to_build() {
        let err = HttpServer::builder()
            .max_header_bytes(100)
            .build()
            .unwrap_err();
        assert!(err.is_config());
        let err = HttpServer::builder()
            .max_connections(0)
            .build()
            .unwrap_err();
        assert!(err.is_config());
    }
}
