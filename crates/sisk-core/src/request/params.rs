//! Route parameters and the query string.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Kind};

/// The `<name>` values of the matched route, URL-decoded (Sisk's `RouteParameters`).
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, HttpResponse};
///
/// // GET /users/<id>
/// async fn user(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
///     let id: u64 = req.route_parameters().get("id")?; // 400 naming `id` if not a number
///     Ok(HttpResponse::text(format!("user {id}")))
/// }
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RouteParameters {
    values: Vec<(Arc<str>, String)>,
}

impl RouteParameters {
    pub(crate) fn new(values: Vec<(Arc<str>, String)>) -> Self {
        Self { values }
    }

    /// The value of `name` parsed as `T`.
    ///
    /// # Errors
    ///
    /// An [`Error`] that names the parameter and answers 400: when the route has no such
    /// parameter, or when the value does not parse as `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/users/<id>", |req: HttpRequest| async move {
    ///     // `/users/x` answers 400 "route parameter `id` has an invalid value `x`".
    ///     let id: u64 = req.route_parameters().get("id")?;
    ///     Ok::<_, sisk_core::Error>(format!("user {id}"))
    /// });
    /// ```
    pub fn get<T: FromStr>(&self, name: &str) -> Result<T, Error> {
        let value = self.get_str(name).ok_or_else(|| {
            Error::new(Kind::MissingParameter {
                name: name.to_owned(),
            })
        })?;
        value.parse().map_err(|_| {
            Error::new(Kind::InvalidParameter {
                name: name.to_owned(),
                value: value.to_owned(),
            })
        })
    }

    /// The decoded text of `name`, if the route has that parameter.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/hello/<name>", |req: HttpRequest| async move {
    ///     let name = req.route_parameters().get_str("name").unwrap_or("stranger");
    ///     format!("Hello, {name}!") // `/hello/J%C3%BCrgen` greets Jürgen, decoded
    /// });
    /// ```
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter, in path order.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/<lang>/docs/<page>", |req: HttpRequest| async move {
    ///     // "lang=en page=intro" for /en/docs/intro
    ///     let params = req.route_parameters();
    ///     let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    ///     pairs.join(" ")
    /// });
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(n, v)| (&**n, v.as_str()))
    }

    /// How many parameters the route has.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/a/<x>/b/<y>", |req: HttpRequest| async move {
    ///     assert_eq!(req.route_parameters().len(), 2);
    ///     "two parameters"
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the route has no parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// // A request that matched no parameterised route (here: a detached one) has none.
    /// let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// assert!(req.route_parameters().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl fmt::Debug for RouteParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The query string, decoded (`+` is a space) — Sisk's `Query`.
///
/// # Examples
///
/// ```
/// use sisk_core::HttpRequest;
///
/// // GET /items?page=2&tag=a&tag=b
/// async fn items(req: HttpRequest) -> Result<String, sisk_core::Error> {
///     let page: u32 = req.query().get_as("page")?.unwrap_or(1); // 400 if `page=x`
///     let tags: Vec<&str> = req.query().get_all("tag").collect();
///     Ok(format!("page {page}, tags {tags:?}, raw {:?}", req.query().get("page")))
/// }
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Self { pairs }
    }

    /// The first value of `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/search?q=rust+sse&q=other").body(Bytes::new())?;
    /// let query = HttpRequest::detached(&server, req).query().clone();
    /// assert_eq!(query.get("q"), Some("rust sse")); // the first one, `+` decoded
    /// assert_eq!(query.get("page"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` parsed as `T`; `Ok(None)` when absent.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the parameter (answering 400) when the value does not parse.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?page=2&size=big").body(Bytes::new())?;
    /// let query = HttpRequest::detached(&server, req).query().clone();
    /// assert_eq!(query.get_as::<u32>("page")?, Some(2));
    /// assert_eq!(query.get_as::<u32>("missing")?, None);
    /// assert_eq!(query.get_as::<u32>("size").unwrap_err().parameter(), Some("size"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_as<T: FromStr>(&self, name: &str) -> Result<Option<T>, Error> {
        self.get(name)
            .map(|value| {
                value.parse().map_err(|_| {
                    Error::new(Kind::InvalidQuery {
                        name: name.to_owned(),
                        value: value.to_owned(),
                    })
                })
            })
            .transpose()
    }

    /// Every value of `name`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?tag=a&tag=b&page=1").body(Bytes::new())?;
    /// let query = HttpRequest::detached(&server, req).query().clone();
    /// assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present (with or without a value).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?debug&page=1").body(Bytes::new())?;
    /// let query = HttpRequest::detached(&server, req).query().clone();
    /// assert!(query.contains("debug")); // no value needed
    /// assert!(!query.contains("verbose"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    /// Every pair, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?b=2&a=1").body(Bytes::new())?;
    /// let query = HttpRequest::detached(&server, req).query().clone();
    /// assert_eq!(query.iter().collect::<Vec<_>>(), [("b", "2"), ("a", "1")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether the query string is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/items?").body(Bytes::new())?;
    /// let query = HttpRequest::detached(&server, req).query().clone();
    /// assert!(query.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_parameters_name_themselves_in_errors() {
        let p = RouteParameters::new(vec![(Arc::from("id"), "x7".to_owned())]);
        let err = p.get::<u64>("id").unwrap_err();
        assert_eq!(err.parameter(), Some("id"));
        assert!(err.to_string().contains("x7"));
        assert_eq!(p.get::<String>("id").unwrap(), "x7");
        assert!(p
            .get::<u8>("nope")
            .unwrap_err()
            .to_string()
            .contains("`nope`"));
    }

    #[test]
    fn query_is_decoded_and_typed() {
        let q = Query::parse(Some("a=1&b=h%C3%A9+llo&a=2&flag"));
        assert_eq!(q.get("b"), Some("hé llo"));
        assert_eq!(q.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(q.get_as::<u8>("a").unwrap(), Some(1));
        assert_eq!(q.get_as::<u8>("zz").unwrap(), None);
        assert!(q.get_as::<u8>("b").is_err());
        assert!(q.contains("flag"));
    }
}
