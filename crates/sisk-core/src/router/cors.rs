//! Cross-origin resource sharing: Sisk's `CrossOriginResourceSharingHeaders`.

use std::time::Duration;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::Method;

use crate::error::{Error, Kind};

/// A CORS policy for the whole server (Sisk's `UseCors`), applied to normal responses, to
/// streamed (SSE) responses and to `OPTIONS` preflight answers. A route opts out with
/// [`Route::with_cors(false)`](crate::Route::with_cors).
///
/// With [`allow_any_origin`](Self::allow_any_origin), `Access-Control-Allow-Origin: *` is sent
/// on every response (as Sisk does); with a list of origins, a request's `Origin` is echoed back
/// when it is in the list (and `Vary: Origin` is added). With credentials allowed, the origin
/// is always echoed, because browsers refuse `*` with credentials.
///
/// Values are checked when the server is built: a value that is not a valid header value
/// (a line break, say) makes `build()` fail.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sisk_core::{CorsPolicy, HttpServer, Method, Router};
///
/// let cors = CorsPolicy::new()
///     .allow_origins(["https://app.example"])
///     .allow_methods([Method::GET, Method::POST])
///     .allow_headers(["content-type", "authorization"])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600));
/// let server = HttpServer::builder().router(Router::new()).cors(cors).build()?;
/// # Ok::<(), sisk_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CorsPolicy {
    any_origin: bool,
    origins: Vec<String>,
    methods: Vec<Method>,
    headers: Vec<String>,
    expose: Vec<String>,
    credentials: bool,
    max_age: Option<Duration>,
}

impl CorsPolicy {
    /// A policy that allows nothing yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// // Nothing is allowed until a method says so: no CORS header is sent yet.
    /// let cors = CorsPolicy::new();
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows every origin (`Access-Control-Allow-Origin: *`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// // A public API: every response carries `Access-Control-Allow-Origin: *`.
    /// let cors = CorsPolicy::new().allow_any_origin();
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self
    }

    /// Allows these origins (`"*"` among them means any origin).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// let cors = CorsPolicy::new().allow_origins(["https://app.example", "https://b.example"]);
    /// let server = HttpServer::builder().cors(cors).build()?;
    ///
    /// // Values are checked when the server is built.
    /// let bad = CorsPolicy::new().allow_origins(["https://a.example\r\nx-injected: 1"]);
    /// assert!(HttpServer::builder().cors(bad).build().unwrap_err().is_config());
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn allow_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for origin in origins {
            let origin = origin.into();
            if origin == "*" {
                self.any_origin = true;
            } else {
                self.origins.push(origin);
            }
        }
        self
    }

    /// The methods a preflight allows; by default, the methods of the matched path.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer, Method};
    ///
    /// let cors = CorsPolicy::new()
    ///     .allow_any_origin()
    ///     .allow_methods([Method::GET, Method::POST, Method::DELETE]);
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn allow_methods<I: IntoIterator<Item = Method>>(mut self, methods: I) -> Self {
        self.methods.extend(methods);
        self
    }

    /// The request headers a preflight allows; by default, those the preflight asks for.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// let cors = CorsPolicy::new()
    ///     .allow_any_origin()
    ///     .allow_headers(["content-type", "authorization"]);
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn allow_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.headers.extend(headers.into_iter().map(Into::into));
        self
    }

    /// Response headers scripts may read (`Access-Control-Expose-Headers`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// // Lets `fetch(...).then(r => r.headers.get("x-request-id"))` see the value.
    /// let cors = CorsPolicy::new().allow_any_origin().expose_headers(["x-request-id"]);
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn expose_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expose.extend(headers.into_iter().map(Into::into));
        self
    }

    /// Whether cookies and credentials may be sent (`Access-Control-Allow-Credentials`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// // Cookies cross origins: the request's origin is echoed back, never `*`.
    /// let cors = CorsPolicy::new()
    ///     .allow_origins(["https://app.example"])
    ///     .allow_credentials(true);
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long a browser may cache a preflight answer (`Access-Control-Max-Age`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_core::{CorsPolicy, HttpServer};
    ///
    /// // Browsers skip the preflight for 10 minutes after one answer.
    /// let cors = CorsPolicy::new().allow_any_origin().max_age(Duration::from_secs(600));
    /// let server = HttpServer::builder().cors(cors).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    pub(crate) fn compile(&self) -> Result<CompiledCors, Error> {
        fn value(s: &str) -> Result<HeaderValue, Error> {
            HeaderValue::from_str(s)
                .map_err(|_| Error::new(Kind::Config(format!("invalid CORS value `{s}`"))))
        }
        fn list(items: &[String]) -> Result<Option<HeaderValue>, Error> {
            if items.is_empty() {
                return Ok(None);
            }
            for item in items {
                HeaderName::from_bytes(item.as_bytes()).map_err(|_| {
                    Error::new(Kind::Config(format!("invalid CORS header name `{item}`")))
                })?;
            }
            value(&items.join(", ")).map(Some)
        }
        let origins = self
            .origins
            .iter()
            .map(|o| value(o))
            .collect::<Result<Vec<_>, _>>()?;
        let methods = if self.methods.is_empty() {
            None
        } else {
            let joined: Vec<&str> = self.methods.iter().map(Method::as_str).collect();
            Some(value(&joined.join(", "))?)
        };
        Ok(CompiledCors {
            any_origin: self.any_origin,
            origins,
            methods,
            headers: list(&self.headers)?,
            expose: list(&self.expose)?,
            credentials: self.credentials,
            max_age: self.max_age.map(|d| HeaderValue::from(d.as_secs())),
        })
    }
}

/// A [`CorsPolicy`] with its header values built once, when the server is built.
#[derive(Debug)]
pub(crate) struct CompiledCors {
    any_origin: bool,
    origins: Vec<HeaderValue>,
    methods: Option<HeaderValue>,
    headers: Option<HeaderValue>,
    expose: Option<HeaderValue>,
    credentials: bool,
    max_age: Option<HeaderValue>,
}

impl CompiledCors {
    /// Adds the headers every response of a CORS-enabled route carries.
    pub(crate) fn apply(&self, request: &HeaderMap, response: &mut HeaderMap) {
        let origin = request.get(header::ORIGIN);
        let allowed = match origin {
            Some(o) if self.credentials || !self.any_origin => {
                if self.any_origin || self.origins.iter().any(|a| a == o) {
                    response.append(header::VARY, HeaderValue::from_static("origin"));
                    Some(o.clone())
                } else {
                    None
                }
            }
            _ if self.any_origin => Some(HeaderValue::from_static("*")),
            _ => None,
        };
        let Some(allowed) = allowed else { return };
        response.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        if self.credentials {
            response.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(expose) = &self.expose {
            response.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
        }
    }

    /// Adds the preflight headers to an automatic `OPTIONS` answer.
    pub(crate) fn apply_preflight(
        &self,
        request: &HeaderMap,
        path_methods: HeaderValue,
        response: &mut HeaderMap,
    ) {
        self.apply(request, response);
        if !response.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
            return;
        }
        let methods = self.methods.clone().unwrap_or(path_methods);
        response.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods);
        let headers = self
            .headers
            .clone()
            .or_else(|| request.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned());
        if let Some(headers) = headers {
            response.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, headers);
        }
        if let Some(max_age) = &self.max_age {
            response.insert(header::ACCESS_CONTROL_MAX_AGE, max_age.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn any_origin_sends_a_star_even_without_origin() {
        let cors = CorsPolicy::new().allow_any_origin().compile().unwrap();
        let mut res = HeaderMap::new();
        cors.apply(&HeaderMap::new(), &mut res);
        assert_eq!(res[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }

    #[test]
    fn listed_origins_are_echoed_and_others_get_nothing() {
        let cors = CorsPolicy::new()
            .allow_origins(["https://a.test"])
            .compile()
            .unwrap();
        let mut res = HeaderMap::new();
        cors.apply(&headers(&[("origin", "https://a.test")]), &mut res);
        assert_eq!(res[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://a.test");
        assert_eq!(res[header::VARY], "origin");
        let mut res = HeaderMap::new();
        cors.apply(&headers(&[("origin", "https://b.test")]), &mut res);
        assert!(res.is_empty());
    }

    #[test]
    fn credentials_echo_the_origin_instead_of_star() {
        let cors = CorsPolicy::new()
            .allow_any_origin()
            .allow_credentials(true)
            .compile()
            .unwrap();
        let mut res = HeaderMap::new();
        cors.apply(&headers(&[("origin", "https://b.test")]), &mut res);
        assert_eq!(res[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://b.test");
        assert_eq!(res[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    }

    #[test]
    fn preflight_echoes_requested_headers_and_path_methods() {
        let cors = CorsPolicy::new()
            .allow_any_origin()
            .max_age(Duration::from_secs(60))
            .compile()
            .unwrap();
        let req = headers(&[
            ("origin", "https://a.test"),
            ("access-control-request-headers", "x-a"),
        ]);
        let mut res = HeaderMap::new();
        cors.apply_preflight(&req, HeaderValue::from_static("GET, POST"), &mut res);
        assert_eq!(res[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, POST");
        assert_eq!(res[header::ACCESS_CONTROL_ALLOW_HEADERS], "x-a");
        assert_eq!(res[header::ACCESS_CONTROL_MAX_AGE], "60");
    }

    #[test]
    fn a_line_break_in_a_value_is_a_build_error() {
        let err = CorsPolicy::new()
            .allow_origins(["https://a\r\nx: y"])
            .compile()
            .unwrap_err();
        assert!(err.is_config());
    }
}
