//! `HttpRequest`: what a handler gets.

mod bag;
pub(crate) mod body;
mod params;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, Method, Uri, Version};

pub use self::bag::Bag;
use self::body::{BodySource, RequestBody};
pub use self::params::{Query, RouteParameters};
use crate::error::{Error, Kind};
use crate::response::stream::ResponseStream;
use crate::router::table::CompiledRoute;
use crate::server::activity::Activity;
use crate::HttpServer;

/// An HTTP request, as a handler sees it (Sisk's `HttpRequest`).
///
/// A cheap handle (`Clone` shares it): give it to tasks, keep it in an event source. The body
/// is read lazily and at most once, within the server's body limit; later reads return the
/// same bytes.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, HttpResponse};
///
/// async fn show(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
///     let id: u64 = req.route_parameters().get("id")?;
///     let page = req.query().get("page").unwrap_or("1");
///     let agent = req.headers().get("user-agent").and_then(|v| v.to_str().ok());
///     let body = req.body_text().await?;
///     Ok(HttpResponse::text(format!(
///         "{} {} id={id} page={page} agent={agent:?} from {} body={body}",
///         req.method(),
///         req.path(),
///         req.remote_address(),
///     )))
/// }
/// ```
#[derive(Clone)]
pub struct HttpRequest {
    inner: Arc<Inner>,
}

struct Inner {
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
    params: RouteParameters,
    route: Option<Arc<CompiledRoute>>,
    peer: SocketAddr,
    connection: Option<Arc<Activity>>,
    /// Taken from the server's counter on first use: most requests never ask.
    id: OnceLock<u64>,
    query: OnceLock<Query>,
    cookies: OnceLock<Vec<(String, String)>>,
    bag: Bag,
    body: RequestBody,
    server: HttpServer,
    /// The response stream this request took over, if any (at most one, as in Sisk).
    stream: OnceLock<ResponseStream>,
}

/// What the service knows about a request before the handler runs.
pub(crate) struct RequestParts {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) params: RouteParameters,
    pub(crate) route: Option<Arc<CompiledRoute>>,
    pub(crate) peer: SocketAddr,
    /// What the connection reports (HTTP/1.1), for the response stream.
    pub(crate) connection: Option<Arc<Activity>>,
}

impl HttpRequest {
    pub(crate) fn new(parts: RequestParts, body: BodySource, server: HttpServer) -> Self {
        let limit = server.limits().max_request_body;
        Self {
            inner: Arc::new(Inner {
                method: parts.method,
                uri: parts.uri,
                version: parts.version,
                headers: parts.headers,
                params: parts.params,
                route: parts.route,
                peer: parts.peer,
                connection: parts.connection,
                id: OnceLock::new(),
                query: OnceLock::new(),
                cookies: OnceLock::new(),
                bag: Bag::default(),
                body: RequestBody::new(body, limit),
                server,
                stream: OnceLock::new(),
            }),
        }
    }

    /// A request that did not come from a socket, for testing handlers as plain functions.
    ///
    /// It belongs to `server` (so `server()`, its limits and its extensions work), comes from
    /// `127.0.0.1:0`, has no route parameters, and carries `body` as its body.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{http, HttpRequest, HttpServer, Router};
    ///
    /// async fn echo(req: HttpRequest) -> String {
    ///     req.body_text().await.unwrap_or_default()
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = HttpServer::builder().router(Router::new()).build()?;
    /// let req = http::Request::post("/echo").body("hi".into())?;
    /// assert_eq!(echo(HttpRequest::detached(&server, req)).await, "hi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn detached(server: &HttpServer, request: http::Request<Bytes>) -> Self {
        let (parts, body) = request.into_parts();
        Self::new(
            RequestParts {
                method: parts.method,
                uri: parts.uri,
                version: parts.version,
                headers: parts.headers,
                params: RouteParameters::default(),
                route: None,
                peer: SocketAddr::from(([127, 0, 0, 1], 0)),
                connection: None,
            },
            BodySource::Bytes(body),
            server.clone(),
        )
    }

    /// The request method.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::delete("/items/7").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.method(), sisk_core::Method::DELETE);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn method(&self) -> &Method {
        &self.inner.method
    }

    /// The absolute path, still percent-encoded (Sisk's `Path`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/caf%C3%A9?page=2").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.path(), "/caf%C3%A9");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &str {
        self.inner.uri.path()
    }

    /// The request target as sent: path and query (Sisk's `FullPath`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?page=2").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.uri().path(), "/items");
    /// assert_eq!(req.uri().query(), Some("page=2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn uri(&self) -> &Uri {
        &self.inner.uri
    }

    /// The full URL, built from the `Host` header (or the URI authority) and the target
    /// (Sisk's `FullUrl`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?page=2").header("host", "example.com");
    /// let req = HttpRequest::detached(&server, req.body(Bytes::new())?);
    /// assert_eq!(req.full_url(), "http://example.com/items?page=2");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn full_url(&self) -> String {
        let target = self
            .inner
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str());
        let host = self
            .inner
            .uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .or_else(|| self.header("host").map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        format!("http://{host}{target}")
    }

    /// The HTTP version of the request.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.version(), sisk_core::http::Version::HTTP_11);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version(&self) -> Version {
        self.inner.version
    }

    /// The request headers.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").header("accept", "text/html").header("accept", "*/*");
    /// let req = HttpRequest::detached(&server, req.body(Bytes::new())?);
    /// assert_eq!(req.headers().get_all("accept").iter().count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The first value of header `name`, if present and visible ASCII.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").header("user-agent", "curl/8");
    /// let req = HttpRequest::detached(&server, req.body(Bytes::new())?);
    /// assert_eq!(req.header("User-Agent"), Some("curl/8"));
    /// assert_eq!(req.header("referer"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded query string (Sisk's `Query`), parsed on first use.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/search?q=caf%C3%A9+au+lait&page=2").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.query().get("q"), Some("café au lait"));
    /// assert_eq!(req.query().get_as::<u32>("page")?, Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query(&self) -> &Query {
        self.inner
            .query
            .get_or_init(|| Query::parse(self.inner.uri.query()))
    }

    /// The matched route's `<name>` parameters (Sisk's `RouteParameters`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// use sisk_core::{HttpRequest, HttpServer, Router};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut router = Router::new();
    /// router.map_get("/users/<id>/posts/<post>", |req: HttpRequest| async move {
    ///     let id: u64 = req.route_parameters().get("id")?;
    ///     let post = req.route_parameters().get_str("post").unwrap_or_default().to_owned();
    ///     Ok::<_, sisk_core::Error>(format!("user {id}, post {post}"))
    /// });
    /// # let running = HttpServer::builder().router(router).build()?.start().await?;
    /// # let mut tcp = tokio::net::TcpStream::connect(running.local_addr()).await?;
    /// # tcp.write_all(b"GET /users/7/posts/hello%20world HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await?;
    /// # let mut answer = String::new();
    /// # tcp.read_to_string(&mut answer).await?;
    /// # assert!(answer.ends_with("user 7, post hello world"), "{answer}");
    /// # running.shutdown(Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn route_parameters(&self) -> &RouteParameters {
        &self.inner.params
    }

    /// The name of the matched route, if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// use sisk_core::{HttpRequest, HttpServer, Route, Router};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut router = Router::new();
    /// router += Route::get("/users/<id>", |req: HttpRequest| async move {
    ///     format!("served by {}", req.route_name().unwrap_or("an unnamed route"))
    /// })
    /// .with_name("user");
    /// # let running = HttpServer::builder().router(router).build()?.start().await?;
    /// # let mut tcp = tokio::net::TcpStream::connect(running.local_addr()).await?;
    /// # tcp.write_all(b"GET /users/7 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await?;
    /// # let mut answer = String::new();
    /// # tcp.read_to_string(&mut answer).await?;
    /// # assert!(answer.ends_with("served by user"), "{answer}");
    /// # running.shutdown(Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn route_name(&self) -> Option<&str> {
        self.inner.route.as_ref().and_then(|r| r.name.as_deref())
    }

    /// The request cookies, in order (Sisk's `Cookies`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").header("cookie", "theme=dark; lang=fr");
    /// let req = HttpRequest::detached(&server, req.body(Bytes::new())?);
    /// let cookies: Vec<(&str, &str)> = req.cookies().collect();
    /// assert_eq!(cookies, [("theme", "dark"), ("lang", "fr")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.inner
            .cookies
            .get_or_init(|| {
                self.inner
                    .headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(cookie::Cookie::split_parse_encoded)
                    .filter_map(Result::ok)
                    .map(|c| (c.name().to_owned(), c.value().to_owned()))
                    .collect()
            })
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of cookie `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").header("cookie", "session=a%20b; theme=dark");
    /// let req = HttpRequest::detached(&server, req.body(Bytes::new())?);
    /// assert_eq!(req.cookie("session"), Some("a b")); // percent-decoded
    /// assert_eq!(req.cookie("missing"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The address of the peer (Sisk's `RemoteAddress`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// // A detached request comes from 127.0.0.1:0; a real one from its peer.
    /// assert!(req.remote_address().ip().is_loopback());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remote_address(&self) -> SocketAddr {
        self.inner.peer
    }

    /// A number unique to this request within its server (Sisk's `RequestId`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let get = || http::Request::get("/").body(Bytes::new());
    /// let first = HttpRequest::detached(&server, get()?);
    /// let second = HttpRequest::detached(&server, get()?);
    /// assert_ne!(first.request_id(), second.request_id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_id(&self) -> u64 {
        *self
            .inner
            .id
            .get_or_init(|| self.inner.server.next_request_id())
    }

    /// Typed values for this request only (Sisk's `Bag`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct UserId(u64);
    ///
    /// req.bag().set(UserId(7)); // in a "before" request handler, say
    /// assert_eq!(req.bag().get::<UserId>(), Some(UserId(7))); // in the route
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bag(&self) -> &Bag {
        &self.inner.bag
    }

    /// The server that received the request.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert!(req.server().same_server(&server));
    /// assert_eq!(req.server().limits().max_request_body, 4 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn server(&self) -> &HttpServer {
        &self.inner.server
    }

    /// The whole body, read on first call within the server's limit.
    ///
    /// # Errors
    ///
    /// An [`Error`] answering 413 when the body is over the limit, or 400 when it could not be
    /// read. Every later call returns the same result.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{http, HttpRequest, HttpServer};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = HttpServer::builder().build()?;
    /// let req = http::Request::post("/").body(vec![1u8, 2, 3].into())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.body_bytes().await?, [1u8, 2, 3].as_slice());
    /// assert_eq!(req.body_bytes().await?.len(), 3); // later reads get the same bytes
    /// # Ok(()) }
    /// ```
    pub async fn body_bytes(&self) -> Result<Bytes, Error> {
        self.inner.body.bytes().await
    }

    /// The body as UTF-8 text (Sisk's `Body`).
    ///
    /// # Errors
    ///
    /// As [`body_bytes`](Self::body_bytes), and 400 when the body is not valid UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{http, HttpRequest, HttpServer};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = HttpServer::builder().build()?;
    /// let req = http::Request::post("/").body("héllo".into())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.body_text().await?, "héllo");
    /// # Ok(()) }
    /// ```
    pub async fn body_text(&self) -> Result<String, Error> {
        let bytes = self.body_bytes().await?;
        String::from_utf8(bytes.to_vec()).map_err(|e| Error::new(Kind::BodyUtf8).with_source(e))
    }

    /// The body parsed as JSON (Sisk's `GetJsonContent<T>`).
    ///
    /// # Errors
    ///
    /// As [`body_bytes`](Self::body_bytes), and 400 when the body is not JSON for `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, HttpRequest, HttpServer};
    /// #[derive(serde::Deserialize)]
    /// struct Login {
    ///     user: String,
    /// }
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::post("/login").body(r#"{"user": "ada"}"#.into())?;
    /// # let req = HttpRequest::detached(&server, req);
    /// let login: Login = req.json().await?;
    /// assert_eq!(login.user, "ada");
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "json")]
    pub async fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let bytes = self.body_bytes().await?;
        serde_json::from_slice(&bytes).map_err(|e| Error::new(Kind::BodyJson).with_source(e))
    }

    /// Takes the response over as a stream (Sisk's `GetResponseStream`): status and headers
    /// first, then chunks written while the handler goes on running.
    ///
    /// The head is sent at the first write, at [`ResponseStream::commit`], at
    /// [`ResponseStream::close`], or when the handler returns. From this call on, the stream
    /// is the response: whatever else the handler returns is ignored (with a warning).
    ///
    /// # Errors
    ///
    /// [`Error::is_already_streaming`] when this request already took its response over.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse};
    ///
    /// async fn countdown(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
    ///     let stream = req.response_stream()?;
    ///     stream.append_header("content-type", "text/plain")?;
    ///     for n in (1..=3).rev() {
    ///         stream.write(format!("{n}\n")).await?;
    ///     }
    ///     Ok(stream.close())
    /// }
    /// ```
    pub fn response_stream(&self) -> Result<ResponseStream, Error> {
        let mut created = None;
        self.inner.stream.get_or_init(|| {
            let stream = ResponseStream::new(&self.inner.server, self.inner.connection.clone());
            created = Some(stream.clone());
            stream
        });
        created.ok_or_else(|| Error::new(Kind::AlreadyStreaming))
    }

    /// Whether reading the body stopped at the limit (the rest is still on the connection).
    pub(crate) fn body_stopped_at_limit(&self) -> bool {
        self.inner.body.stopped_at_limit()
    }

    /// The stream this request took over, if it did.
    pub(crate) fn stream(&self) -> Option<ResponseStream> {
        self.inner.stream.get().cloned()
    }

    /// The route that took this request, if one did.
    pub(crate) fn compiled_route(&self) -> Option<&Arc<CompiledRoute>> {
        self.inner.route.as_ref()
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            // The id if one was taken: formatting should not take one from the server.
            .field("id", &self.inner.id.get())
            .field("method", &self.inner.method)
            .field("uri", &self.inner.uri)
            .field("params", &self.inner.params)
            .field("peer", &self.inner.peer)
            .finish_non_exhaustive()
    }
}
