//! `HttpServer`: binding, accepting, serving, shutting down.

pub(crate) mod activity;
mod builder;
mod extensions;
mod header_timeout;
mod listener;
mod rewind;
mod service;

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use self::builder::{HttpServerBuilder, Limits};
pub use self::extensions::Extensions;
use self::listener::Shutdown;
use crate::error::{Error, Kind};
use crate::response::stream::StreamRegistry;
use crate::router::{CompiledCors, CompiledRouter};

/// An HTTP server: HTTP/1.1 with keep-alive and HTTP/2 (prior knowledge, h2c) on the same
/// port, Sisk's routing, bounded by its [`Limits`].
///
/// Build one with [`HttpServer::builder`], then [`start`](Self::start) it (or
/// [`run`](Self::run) it until Ctrl-C). It is a cheap `Clone` handle: requests reach it with
/// [`HttpRequest::server`](crate::HttpRequest::server), other crates hang server-wide state on
/// its [`extensions`](Self::extensions).
///
/// # Examples
///
/// ```no_run
/// use sisk_core::{HttpServer, Router};
///
/// #[tokio::main]
/// async fn main() -> Result<(), sisk_core::Error> {
///     let mut router = Router::new();
///     router.map_get("/", || async { "Hello, world!" });
///     HttpServer::builder()
///         .listen("127.0.0.1:5555")
///         .router(router)
///         .build()?
///         .run()
///         .await
/// }
/// ```
#[derive(Clone)]
pub struct HttpServer {
    inner: Arc<Inner>,
}

struct Inner {
    listen: Vec<String>,
    limits: Limits,
    cors: Option<CompiledCors>,
    router: CompiledRouter,
    extensions: Extensions,
    request_ids: AtomicU64,
    streams: Arc<StreamRegistry>,
}

impl HttpServer {
    /// A builder for a server.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/", || async { "Hello, world!" });
    /// let server = HttpServer::builder().listen("127.0.0.1:5555").router(router).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn builder() -> HttpServerBuilder {
        HttpServerBuilder::default()
    }

    fn from_parts(
        listen: Vec<String>,
        limits: Limits,
        cors: Option<CompiledCors>,
        router: CompiledRouter,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                listen,
                limits,
                cors,
                router,
                extensions: Extensions::default(),
                request_ids: AtomicU64::new(1),
                streams: Arc::new(StreamRegistry::default()),
            }),
        }
    }

    /// Server-wide typed state (see [`Extensions`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// struct AppName(&'static str);
    ///
    /// let server = HttpServer::builder().build()?;
    /// server.extensions().insert(AppName("shop"));
    /// assert_eq!(server.extensions().get::<AppName>().map(|n| n.0), Some("shop"));
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// The limits this server keeps to.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder().max_request_body(1024).build()?;
    /// assert_eq!(server.limits().max_request_body, 1024);
    /// assert_eq!(server.limits().max_connections, 25_000); // the default
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// How many response streams a connection still carries: committed, and not yet fully
    /// sent or dropped (an ended stream counts until its last queued bytes are out).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    ///
    /// let server = HttpServer::builder().build()?;
    /// assert_eq!(server.open_streams(), 0);
    /// let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// stream.commit()?;
    /// assert_eq!(server.open_streams(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_streams(&self) -> usize {
        self.inner.streams.len()
    }

    /// Whether two handles are the same server.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder().build()?;
    /// let other = HttpServer::builder().build()?;
    /// assert!(server.clone().same_server(&server));
    /// assert!(!server.same_server(&other));
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn same_server(&self, other: &HttpServer) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn next_request_id(&self) -> u64 {
        self.inner.request_ids.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn stream_registry(&self) -> &Arc<StreamRegistry> {
        &self.inner.streams
    }

    pub(crate) fn router(&self) -> &CompiledRouter {
        &self.inner.router
    }

    pub(crate) fn cors(&self) -> Option<&CompiledCors> {
        self.inner.cors.as_ref()
    }

    /// Binds every listen address and starts serving in background tasks.
    ///
    /// # Errors
    ///
    /// [`Error::is_bind`] when an address does not resolve or cannot be bound (in use, not
    /// permitted); nothing stays bound then.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_core::{HttpServer, Router};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
    /// let running = HttpServer::builder().router(Router::new()).build()?.start().await?;
    /// println!("listening on {}", running.url());
    /// running.shutdown(Duration::from_secs(5)).await;
    /// # Ok(()) }
    /// ```
    pub async fn start(&self) -> Result<RunningServer, Error> {
        let listeners = listener::bind_all(&self.inner.listen).await?;
        let addrs = listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect::<Vec<_>>();
        let (tx, rx) = watch::channel(None);
        let tasks = listeners
            .into_iter()
            .map(|l| tokio::spawn(listener::serve(self.clone(), l, Shutdown::new(rx.clone()))))
            .collect();
        tracing::info!(addrs = ?addrs, "sisk server listening");
        Ok(RunningServer {
            server: self.clone(),
            addrs,
            shutdown: tx,
            tasks,
        })
    }

    /// Starts the server and serves until Ctrl-C, then shuts down gracefully (10 s deadline).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sisk_core::{HttpServer, Router};
    ///
    /// #[tokio::main]
    /// async fn main() -> Result<(), sisk_core::Error> {
    ///     let mut router = Router::new();
    ///     router.map_get("/", || async { "Hello, world!" });
    ///     // Serves until Ctrl-C, then shuts down gracefully.
    ///     HttpServer::builder().listen("127.0.0.1:5555").router(router).build()?.run().await
    /// }
    /// ```
    pub async fn run(&self) -> Result<(), Error> {
        let running = self.start().await?;
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl-C; serving until the process ends");
            std::future::pending::<()>().await;
        }
        running.shutdown(Duration::from_secs(10)).await;
        Ok(())
    }
}

impl fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpServer")
            .field("listen", &self.inner.listen)
            .field("limits", &self.inner.limits)
            .field("open_streams", &self.open_streams())
            .finish_non_exhaustive()
    }
}

/// A started server: its bound addresses, and the way to stop it.
///
/// Dropping it without [`shutdown`](Self::shutdown) stops accepting at once and closes
/// connections without waiting.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sisk_core::HttpServer;
///
/// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
/// let running = HttpServer::builder().listen("127.0.0.1:0").build()?.start().await?;
/// println!("listening on {}", running.url()); // http://127.0.0.1:<a free port>
/// running.shutdown(Duration::from_secs(5)).await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RunningServer {
    server: HttpServer,
    addrs: Vec<SocketAddr>,
    shutdown: watch::Sender<Option<Instant>>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningServer {
    /// The bound addresses, in the order they were given.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
    /// let server = HttpServer::builder().listen("127.0.0.1:0").listen("127.0.0.1:0").build()?;
    /// let running = server.start().await?;
    /// assert_eq!(running.local_addrs().len(), 2);
    /// assert!(running.local_addrs().iter().all(|a| a.port() != 0)); // the ports actually bound
    /// # running.shutdown(std::time::Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The first bound address.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
    /// let running = HttpServer::builder().listen("127.0.0.1:0").build()?.start().await?;
    /// let addr = running.local_addr();
    /// assert!(addr.ip().is_loopback() && addr.port() != 0);
    /// # running.shutdown(std::time::Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    /// `http://` and the first bound address.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
    /// let running = HttpServer::builder().listen("127.0.0.1:0").build()?.start().await?;
    /// assert_eq!(running.url(), format!("http://127.0.0.1:{}", running.local_addr().port()));
    /// # running.shutdown(std::time::Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr())
    }

    /// The server, to reach its extensions and state.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
    /// let server = HttpServer::builder().build()?;
    /// let running = server.start().await?;
    /// assert!(running.server().same_server(&server));
    /// # running.shutdown(std::time::Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn server(&self) -> &HttpServer {
        &self.server
    }

    /// Stops gracefully: stops accepting, ends open response streams (their handlers see
    /// [`StreamEnd::Shutdown`](crate::StreamEnd::Shutdown)), lets in-flight requests finish,
    /// and after `deadline` closes whatever is left.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_core::HttpServer;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), sisk_core::Error> {
    /// let running = HttpServer::builder().build()?.start().await?;
    /// // ... serve for a while, then:
    /// running.shutdown(Duration::from_secs(10)).await; // open streams see `StreamEnd::Shutdown`
    /// # Ok(()) }
    /// ```
    pub async fn shutdown(mut self, deadline: Duration) {
        self.shutdown.send_replace(Some(Instant::now() + deadline));
        self.server.inner.streams.shutdown_all();
        for task in self.tasks.drain(..) {
            if let Err(err) = task.await {
                tracing::error!(%err, "a listener task failed");
            }
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if !self.tasks.is_empty() {
            self.shutdown.send_replace(Some(Instant::now()));
            self.server.inner.streams.shutdown_all();
        }
    }
}

pub(crate) fn bind_error(addr: &str, err: std::io::Error) -> Error {
    Error::new(Kind::Bind(addr.to_owned())).with_source(err)
}
