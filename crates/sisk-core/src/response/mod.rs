//! `HttpResponse` and the ways to build one: `IntoResponse`, and streaming take-over.

pub(crate) mod body;
mod into_response;
pub(crate) mod stream;

use std::fmt;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::StatusCode;

pub use self::into_response::IntoResponse;
pub use self::stream::{ResponseStream, StreamEnd, TryWriteError};
use crate::error::Error;

// Content types as values made at compile time: `HeaderValue::from_static` checks every byte,
// which at run time cost a tenth of a small request's framework work.
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const TEXT_HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");
#[cfg(feature = "json")]
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// An HTTP response (Sisk's `HttpResponse`): status, headers and content.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpResponse, StatusCode};
///
/// let res = HttpResponse::text("created")
///     .with_status(StatusCode::CREATED)
///     .with_header("location", "/items/7")?;
/// assert_eq!(res.status(), StatusCode::CREATED);
/// assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
/// # Ok::<(), sisk_core::Error>(())
/// ```
#[must_use]
pub struct HttpResponse {
    /// Status and headers, kept as hyper's response head so the answer is handed over
    /// without being taken apart and put together again.
    head: http::response::Parts,
    content: Content,
    /// The error this response was made from, so the router's error handler can see it.
    pub(crate) error: Option<Box<Error>>,
}

/// What the response carries after its head.
pub(crate) enum Content {
    Empty,
    Bytes(Bytes),
    /// The response returned by [`ResponseStream::close`]: the body is the stream.
    StreamEnd,
}

impl Default for HttpResponse {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpResponse {
    /// `200 OK` with no content.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpResponse, StatusCode};
    ///
    /// let res = HttpResponse::new();
    /// assert_eq!(res.status(), StatusCode::OK);
    /// assert!(res.body().is_none() && res.headers().is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            head: http::Response::new(()).into_parts().0,
            content: Content::Empty,
            error: None,
        }
    }

    /// `text`, for text that lives as long as the program: sent as is, without a copy.
    pub(crate) fn static_text(text: &'static str) -> Self {
        Self::with_content(TEXT_PLAIN, Bytes::from_static(text.as_bytes()))
    }

    fn with_content(content_type: HeaderValue, bytes: Bytes) -> Self {
        let mut res = Self::new();
        res.head.headers.insert(header::CONTENT_TYPE, content_type);
        res.content = Content::Bytes(bytes);
        res
    }

    /// `200 OK` with `text/plain; charset=utf-8` content.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// let res = HttpResponse::text(format!("{} items", 3));
    /// assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    /// assert_eq!(res.body().map(|b| &b[..]), Some(&b"3 items"[..]));
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        Self::with_content(TEXT_PLAIN, Bytes::from(text.into()))
    }

    /// `200 OK` with `text/html; charset=utf-8` content.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// let res = HttpResponse::html("<h1>Hello</h1>");
    /// assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    /// ```
    pub fn html(html: impl Into<String>) -> Self {
        Self::with_content(TEXT_HTML, Bytes::from(html.into()))
    }

    /// `200 OK` with `application/octet-stream` content.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// let res = HttpResponse::bytes(vec![0x89, b'P', b'N', b'G']);
    /// assert_eq!(res.headers()["content-type"], "application/octet-stream");
    /// assert_eq!(res.body().map(|b| b.len()), Some(4));
    /// ```
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Self::with_content(OCTET_STREAM, bytes.into())
    }

    /// `200 OK` with `value` as `application/json` content.
    ///
    /// # Errors
    ///
    /// A 500 [`Error`] if `value` cannot be serialised.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// #[derive(serde::Serialize)]
    /// struct Item {
    ///     id: u64,
    /// }
    ///
    /// let res = HttpResponse::json(&Item { id: 7 })?;
    /// assert_eq!(res.headers()["content-type"], "application/json");
    /// assert_eq!(res.body().map(|b| &b[..]), Some(&br#"{"id":7}"#[..]));
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            Error::new(crate::error::Kind::Config(
                "JSON serialisation failed".into(),
            ))
            .with_source(e)
        })?;
        Ok(Self::with_content(JSON, Bytes::from(bytes)))
    }

    pub(crate) fn stream_end() -> Self {
        let mut res = Self::new();
        res.content = Content::StreamEnd;
        res
    }

    /// Sets the status.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpResponse, StatusCode};
    ///
    /// let res = HttpResponse::text("no such item").with_status(StatusCode::NOT_FOUND);
    /// assert_eq!(res.status(), StatusCode::NOT_FOUND);
    /// ```
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.head.status = status;
        self
    }

    /// Appends a header.
    ///
    /// # Errors
    ///
    /// [`Error::is_header`] when the name or value is invalid (a line break in a value, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// let res = HttpResponse::text("hi")
    ///     .with_header("cache-control", "no-store")?
    ///     .with_header("x-tag", "a")?
    ///     .with_header("x-tag", "b")?; // appended, not replaced
    /// assert_eq!(res.headers().get_all("x-tag").iter().count(), 2);
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn with_header<N, V>(mut self, name: N, value: V) -> Result<Self, Error>
    where
        N: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
        Error: From<N::Error> + From<V::Error>,
    {
        self.head
            .headers
            .append(name.try_into()?, value.try_into()?);
        Ok(self)
    }

    /// Appends a `Set-Cookie` header for `cookie` (its value percent-encoded).
    ///
    /// # Errors
    ///
    /// [`Error::is_header`] when the cookie's name cannot appear in a header.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Cookie, HttpResponse};
    /// let res = HttpResponse::new().with_cookie(&Cookie::build(("session", "a b")).path("/").build())?;
    /// assert_eq!(res.headers()["set-cookie"], "session=a%20b; Path=/");
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn with_cookie(mut self, cookie: &cookie::Cookie<'_>) -> Result<Self, Error> {
        let value = HeaderValue::from_str(&cookie.encoded().to_string())?;
        self.head.headers.append(header::SET_COOKIE, value);
        Ok(self)
    }

    /// The status.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpResponse, IntoResponse, StatusCode};
    ///
    /// assert_eq!(HttpResponse::new().status(), StatusCode::OK);
    /// assert_eq!(StatusCode::NO_CONTENT.into_response().status(), StatusCode::NO_CONTENT);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.head.status
    }

    /// The headers.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// let res = HttpResponse::html("<p>hi</p>");
    /// assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// The headers, to change them.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HeaderValue, HttpResponse};
    ///
    /// let mut res = HttpResponse::text("hi");
    /// res.headers_mut().insert("content-type", HeaderValue::from_static("text/markdown"));
    /// assert_eq!(res.headers()["content-type"], "text/markdown");
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
    }

    /// The content bytes, if the response has any (a streamed response has none here).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpResponse;
    ///
    /// assert_eq!(HttpResponse::text("hi").body().map(|b| &b[..]), Some(&b"hi"[..]));
    /// assert!(HttpResponse::new().body().is_none());
    /// ```
    pub fn body(&self) -> Option<&Bytes> {
        match &self.content {
            Content::Bytes(b) => Some(b),
            Content::Empty | Content::StreamEnd => None,
        }
    }

    /// Whether this is the response [`ResponseStream::close`] returns.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// use sisk_core::HttpResponse;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// assert!(stream.close().is_stream_end());
    /// assert!(!HttpResponse::text("hi").is_stream_end());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_stream_end(&self) -> bool {
        matches!(self.content, Content::StreamEnd)
    }

    pub(crate) fn into_parts(self) -> (http::response::Parts, Content) {
        (self.head, self.content)
    }
}

impl From<Error> for HttpResponse {
    /// The error's status; 4xx answers carry the message as text, 5xx answers say nothing
    /// about internals.
    fn from(error: Error) -> Self {
        let status = error.status();
        let mut res = if status.is_client_error() {
            HttpResponse::text(error.to_string())
        } else {
            HttpResponse::new()
        };
        res.head.status = status;
        res.error = Some(Box::new(error));
        res
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let content = match &self.content {
            Content::Empty => "empty".to_owned(),
            Content::Bytes(b) => format!("{} bytes", b.len()),
            Content::StreamEnd => "stream end".to_owned(),
        };
        f.debug_struct("HttpResponse")
            .field("status", &self.head.status)
            .field("headers", &self.head.headers)
            .field("content", &content)
            .finish()
    }
}
