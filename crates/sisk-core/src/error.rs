//! The one error type of sisk-core.
//!
//! [`Error`] is opaque on purpose (in the manner of `hyper::Error`): callers ask questions with
//! the `is_*` predicates and [`Error::status`], so new kinds can be added without breaking
//! anyone. Request-level failures (a bad route parameter, a body over the limit, invalid UTF-8)
//! carry the HTTP status they answer with, and [`Error`] converts into an
//! [`HttpResponse`](crate::HttpResponse) on its own, so a handler can simply use `?`.

use std::fmt;

use http::StatusCode;

use crate::router::PathError;

/// Everything that can go wrong in sisk-core, from binding a port to reading a request body.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, HttpResponse};
///
/// // `?` on a request error answers with the error's status (here 400 or 413).
/// async fn echo(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
///     let text = req.body_text().await?;
///     Ok(HttpResponse::text(text))
/// }
/// ```
pub struct Error {
    inner: Box<ErrorImpl>,
}

struct ErrorImpl {
    kind: Kind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Kind {
    #[error("invalid listen address `{0}`")]
    ListenAddress(String),
    #[error("could not bind {0}")]
    Bind(String),
    #[error("invalid route path `{path}`: {error}")]
    RoutePath { path: String, error: PathError },
    #[error("route `{new}` collides with route `{existing}` (same path shape and an overlapping method)")]
    RouteCollision { existing: String, new: String },
    #[error("route `{0}` has an empty method set")]
    EmptyMethodSet(String),
    #[error("invalid server configuration: {0}")]
    Config(String),
    #[error("invalid header: {0}")]
    Header(String),
    #[error("the response head was already sent; headers and status can no longer change")]
    HeadAlreadySent,
    #[error("this request is already streaming its response")]
    AlreadyStreaming,
    #[error("the response stream is closed")]
    StreamClosed,
    #[error("the request body was larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: u64 },
    #[error("could not read the request body")]
    BodyRead,
    #[error("the request body is not valid UTF-8")]
    BodyUtf8,
    #[cfg(feature = "json")]
    #[error("the request body is not valid JSON for the expected type")]
    BodyJson,
    #[error("route parameter `{name}` is missing")]
    MissingParameter { name: String },
    #[error("route parameter `{name}` has an invalid value `{value}`")]
    InvalidParameter { name: String, value: String },
    #[error("query parameter `{name}` has an invalid value `{value}`")]
    InvalidQuery { name: String, value: String },
    #[error("the request path is not valid percent-encoded UTF-8")]
    InvalidPath,
    #[error("the handler panicked: {0}")]
    HandlerPanicked(String),
}

impl Error {
    pub(crate) fn new(kind: Kind) -> Self {
        Self {
            inner: Box::new(ErrorImpl { kind, source: None }),
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn kind(&self) -> &Kind {
        &self.inner.kind
    }

    /// The HTTP status this error answers with when a handler returns it.
    ///
    /// Request-level errors are 4xx (400 for bad parameters, UTF-8 or JSON, 413 for a body over
    /// the limit); everything else is 500.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn f(req: sisk_core::HttpRequest) {
    /// if let Err(err) = req.route_parameters().get::<u64>("id") {
    ///     assert_eq!(err.status(), sisk_core::StatusCode::BAD_REQUEST);
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> StatusCode {
        match self.kind() {
            Kind::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::BodyRead
            | Kind::BodyUtf8
            | Kind::MissingParameter { .. }
            | Kind::InvalidParameter { .. }
            | Kind::InvalidQuery { .. }
            | Kind::InvalidPath => StatusCode::BAD_REQUEST,
            #[cfg(feature = "json")]
            Kind::BodyJson => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether the error comes from the request (a 4xx): bad input the client can fix.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteParameters;
    ///
    /// let err = RouteParameters::default().get::<u64>("id").unwrap_err();
    /// assert!(err.is_request_error()); // a missing parameter answers 400
    /// ```
    pub fn is_request_error(&self) -> bool {
        self.status().is_client_error()
    }

    /// Whether a port could not be bound or a listen address was invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// // No port: the address is refused when the server is built.
    /// let err = HttpServer::builder().listen("localhost").build().unwrap_err();
    /// assert!(err.is_bind());
    /// ```
    pub fn is_bind(&self) -> bool {
        matches!(self.kind(), Kind::Bind(_) | Kind::ListenAddress(_))
    }

    /// Whether the router was invalid: a bad path, an empty method set or two routes colliding.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("no-leading-slash", || async { "hi" });
    /// let err = HttpServer::builder().router(router).build().unwrap_err();
    /// assert!(err.is_route());
    /// ```
    pub fn is_route(&self) -> bool {
        matches!(
            self.kind(),
            Kind::RoutePath { .. } | Kind::RouteCollision { .. } | Kind::EmptyMethodSet(_)
        )
    }

    /// Whether the error is a route collision found by `build()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/users/<id>", || async { "by id" });
    /// router.map_get("/users/<name>", || async { "by name" }); // same shape, same method
    /// let err = HttpServer::builder().router(router).build().unwrap_err();
    /// assert!(err.is_route_collision());
    /// ```
    pub fn is_route_collision(&self) -> bool {
        matches!(self.kind(), Kind::RouteCollision { .. })
    }

    /// Whether a header name or value was invalid (for example a value with a line break).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// let err = HttpResponse::new().with_header("x-note", "a\r\nx-injected: 1").unwrap_err();
    /// assert!(err.is_header());
    /// ```
    pub fn is_header(&self) -> bool {
        matches!(self.kind(), Kind::Header(_))
    }

    /// Whether headers or status were changed after the response head was sent.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, HttpRequest, HttpServer};
    /// use sisk_core::StatusCode;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/x").body(Default::default())?);
    /// let stream = req.response_stream()?;
    /// stream.commit()?; // the head is sent
    /// let err = stream.set_status(StatusCode::NOT_FOUND).unwrap_err();
    /// assert!(err.is_head_already_sent());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_head_already_sent(&self) -> bool {
        matches!(self.kind(), Kind::HeadAlreadySent)
    }

    /// Whether the request already streams its response (a second take-over was asked for).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/x").body(Default::default())?);
    /// let _stream = req.response_stream()?;
    /// let err = req.response_stream().unwrap_err();
    /// assert!(err.is_already_streaming());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_already_streaming(&self) -> bool {
        matches!(self.kind(), Kind::AlreadyStreaming)
    }

    /// Whether a write went to a response stream that was already closed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, HttpRequest, HttpServer};
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/x").body(Default::default())?);
    /// let stream = req.response_stream()?;
    /// let _response = stream.close();
    /// let err = stream.write("too late").await.unwrap_err();
    /// assert!(err.is_stream_closed());
    /// # Ok(()) }
    /// ```
    pub fn is_stream_closed(&self) -> bool {
        matches!(self.kind(), Kind::StreamClosed)
    }

    /// Whether the request body was over the configured limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{http, HttpRequest, HttpServer};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = HttpServer::builder().max_request_body(4).build()?;
    /// let req = HttpRequest::detached(&server, http::Request::post("/").body("too long".into())?);
    /// let err = req.body_bytes().await.unwrap_err();
    /// assert!(err.is_body_too_large());
    /// # Ok(()) }
    /// ```
    pub fn is_body_too_large(&self) -> bool {
        matches!(self.kind(), Kind::BodyTooLarge { .. })
    }

    /// Whether a handler panicked (the server answered 500 and went on).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpResponse, Router, StatusCode};
    ///
    /// let mut router = Router::new();
    /// router.set_error_handler(|err, _req| {
    ///     let text = if err.is_handler_panic() { "a bug, sorry" } else { "server error" };
    ///     HttpResponse::text(text).with_status(StatusCode::INTERNAL_SERVER_ERROR)
    /// });
    /// ```
    pub fn is_handler_panic(&self) -> bool {
        matches!(self.kind(), Kind::HandlerPanicked(_))
    }

    /// Whether the server configuration given to the builder was invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let err = HttpServer::builder().max_connections(0).build().unwrap_err();
    /// assert!(err.is_config());
    /// ```
    pub fn is_config(&self) -> bool {
        matches!(self.kind(), Kind::Config(_))
    }

    /// The name of the route or query parameter this error is about, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn f(req: sisk_core::HttpRequest) {
    /// if let Err(err) = req.route_parameters().get::<u64>("id") {
    ///     assert_eq!(err.parameter(), Some("id"));
    /// }
    /// # }
    /// ```
    pub fn parameter(&self) -> Option<&str> {
        match self.kind() {
            Kind::MissingParameter { name }
            | Kind::InvalidParameter { name, .. }
            | Kind::InvalidQuery { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The path error behind an invalid route path, if that is what this is.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, PathErrorKind, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/users/<id", || async { "" });
    /// let err = HttpServer::builder().router(router).build().unwrap_err();
    /// assert_eq!(err.path_error().map(|e| &e.kind), Some(&PathErrorKind::UnclosedParameter));
    /// ```
    pub fn path_error(&self) -> Option<&PathError> {
        match self.kind() {
            Kind::RoutePath { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("sisk_core::Error");
        d.field(&self.inner.kind);
        if let Some(source) = &self.inner.source {
            d.field(source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner.kind, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| &**s as &(dyn std::error::Error + 'static))
    }
}

impl From<std::convert::Infallible> for Error {
    /// Lets APIs that take `TryInto<HeaderName>` accept a `HeaderName` itself.
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<http::header::InvalidHeaderName> for Error {
    fn from(err: http::header::InvalidHeaderName) -> Self {
        Error::new(Kind::Header(err.to_string()))
    }
}

impl From<http::header::InvalidHeaderValue> for Error {
    fn from(err: http::header::InvalidHeaderValue) -> Self {
        Error::new(Kind::Header(err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_errors_answer_4xx_and_name_the_parameter() {
        let err = Error::new(Kind::InvalidParameter {
            name: "id".into(),
            value: "x".into(),
        });
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(err.parameter(), Some("id"));
        assert!(err.to_string().contains("`id`"));
        let err = Error::new(Kind::BodyTooLarge { limit: 10 });
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(Error::new(Kind::Bind("x".into())).is_bind());
    }
}
