//! `Route`: a method set, a path and a handler.

use std::fmt;

use super::handler::{boxed, BoxHandler, Handler};
use super::path::ANY_PATH;
use super::{RequestHandler, RouteMethod};

/// One route: the methods it answers, its Sisk path (`/users/<id>`), and its handler.
///
/// Add routes to a [`Router`](crate::Router) with `router += route` (Sisk's `r += new Route(...)`).
/// The path is checked when the server is built, so a bad path or two colliding routes make
/// [`HttpServerBuilder::build`](crate::HttpServerBuilder::build) fail instead of surprising
/// a request later.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, Route, RouteMethod, Router};
///
/// let mut router = Router::new();
/// router += Route::new(RouteMethod::Get, "/hello/<name>", |req: HttpRequest| async move {
///     format!("Hello, {}!", req.route_parameters().get_str("name").unwrap_or_default())
/// });
/// router += Route::new(RouteMethod::Get | RouteMethod::Post, "/echo", |req: HttpRequest| async move {
///     req.body_text().await
/// })
/// .with_name("echo");
/// ```
pub struct Route {
    pub(crate) method: RouteMethod,
    pub(crate) path: String,
    pub(crate) name: Option<String>,
    pub(crate) handler: BoxHandler,
    pub(crate) request_handlers: Vec<RequestHandler>,
    pub(crate) use_cors: bool,
}

impl Route {
    /// Sisk's `Route.AnyPath`: a route with this path answers every path no other route takes.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, Router};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/", || async { "home" });
    /// router += Route::any(Route::ANY_PATH, || async { "the fallback for every other path" });
    /// ```
    pub const ANY_PATH: &'static str = ANY_PATH;

    /// A route for `method` on `path`, run by `handler`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Route, RouteMethod};
    ///
    /// let methods = RouteMethod::Put | RouteMethod::Patch;
    /// let route = Route::new(methods, "/items/<id>", |req: HttpRequest| async move {
    ///     req.body_text().await
    /// });
    /// assert_eq!(route.to_string(), "PUT, PATCH /items/<id>");
    /// ```
    pub fn new<H, A>(method: RouteMethod, path: impl Into<String>, handler: H) -> Self
    where
        H: Handler<A>,
    {
        Self {
            method,
            path: path.into(),
            name: None,
            handler: boxed(handler),
            request_handlers: Vec::new(),
            use_cors: true,
        }
    }

    /// A `GET` route (it also answers `HEAD`, without a body).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// let route = Route::get("/items", || async { "all items" });
    /// assert_eq!(route.method(), RouteMethod::Get);
    /// ```
    pub fn get<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Get, path, handler)
    }

    /// A `POST` route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Route, RouteMethod};
    ///
    /// let route = Route::post("/items", |req: HttpRequest| async move { req.body_bytes().await });
    /// assert_eq!(route.method(), RouteMethod::Post);
    /// ```
    pub fn post<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Post, path, handler)
    }

    /// A `PUT` route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Route, RouteMethod};
    ///
    /// let route = Route::put("/items/<id>", |req: HttpRequest| async move {
    ///     req.body_bytes().await
    /// });
    /// assert_eq!(route.method(), RouteMethod::Put);
    /// ```
    pub fn put<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Put, path, handler)
    }

    /// A `PATCH` route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// let route = Route::patch("/items/<id>", || async { "patched" });
    /// assert_eq!(route.method(), RouteMethod::Patch);
    /// ```
    pub fn patch<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Patch, path, handler)
    }

    /// A `DELETE` route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// let route = Route::delete("/items/<id>", || async { "deleted" });
    /// assert_eq!(route.method(), RouteMethod::Delete);
    /// ```
    pub fn delete<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Delete, path, handler)
    }

    /// A `HEAD` route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// let route = Route::head("/items", || async {});
    /// assert_eq!(route.method(), RouteMethod::Head);
    /// ```
    pub fn head<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Head, path, handler)
    }

    /// An `OPTIONS` route (replaces the automatic `OPTIONS` answer for its path).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// let route = Route::options("/items", || async { "GET, POST" });
    /// assert_eq!(route.method(), RouteMethod::Options);
    /// ```
    pub fn options<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Options, path, handler)
    }

    /// A route for every method.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, Route, RouteMethod};
    ///
    /// let route = Route::any("/echo", |req: HttpRequest| async move { req.method().to_string() });
    /// assert_eq!(route.method(), RouteMethod::Any);
    /// ```
    pub fn any<H: Handler<A>, A>(path: impl Into<String>, handler: H) -> Self {
        Self::new(RouteMethod::Any, path, handler)
    }

    /// Names the route (Sisk's `Route.Name`), for logs and diagnostics.
    #[must_use]
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::Route;
    ///
    /// let route = Route::get("/users/<id>", || async { "a user" }).with_name("user");
    /// assert_eq!(route.name(), Some("user"));
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a request handler that runs for this route only, after the global ones.
    #[must_use]
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse, RequestHandler, Route, StatusCode};
    ///
    /// let admin_only = RequestHandler::before(|req: HttpRequest| async move {
    ///     let ok = req.header("x-role") == Some("admin");
    ///     (!ok).then(|| HttpResponse::new().with_status(StatusCode::FORBIDDEN))
    /// });
    /// let route = Route::delete("/users/<id>", || async { "deleted" })
    ///     .with_request_handler(admin_only);
    /// assert_eq!(route.request_handlers().len(), 1);
    /// ```
    pub fn with_request_handler(mut self, handler: RequestHandler) -> Self {
        self.request_handlers.push(handler);
        self
    }

    /// Whether the server's CORS policy applies to this route (Sisk's `UseCors`, on by default).
    #[must_use]
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::Route;
    ///
    /// // An internal endpoint that browsers on other origins must not read.
    /// let route = Route::get("/internal/metrics", || async { "..." }).with_cors(false);
    /// assert!(!route.use_cors());
    /// ```
    pub fn with_cors(mut self, use_cors: bool) -> Self {
        self.use_cors = use_cors;
        self
    }

    /// The methods this route answers.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// let route = Route::new(RouteMethod::Get | RouteMethod::Post, "/search", || async { "" });
    /// assert!(route.method().contains(RouteMethod::Post));
    /// ```
    pub fn method(&self) -> RouteMethod {
        self.method
    }

    /// The path as written.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::Route;
    ///
    /// let route = Route::get("/users/<id>/", || async { "" });
    /// assert_eq!(route.path(), "/users/<id>/"); // not normalised until the server is built
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The route's name, if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::Route;
    ///
    /// assert_eq!(Route::get("/", || async { "" }).name(), None);
    /// assert_eq!(Route::get("/", || async { "" }).with_name("home").name(), Some("home"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The route's own request handlers.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{ExecutionMode, HttpRequest, RequestHandler, Route};
    ///
    /// let log = RequestHandler::before(|req: HttpRequest| async move {
    ///     println!("{} {}", req.method(), req.path());
    ///     None
    /// });
    /// let route = Route::get("/", || async { "" }).with_request_handler(log);
    /// assert_eq!(route.request_handlers()[0].execution_mode(), ExecutionMode::BeforeResponse);
    /// ```
    pub fn request_handlers(&self) -> &[RequestHandler] {
        &self.request_handlers
    }

    /// Whether the server's CORS policy applies to this route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::Route;
    ///
    /// let route = Route::get("/", || async { "" });
    /// assert!(route.use_cors()); // on by default
    /// assert!(!route.with_cors(false).use_cors());
    /// ```
    pub fn use_cors(&self) -> bool {
        self.use_cors
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("name", &self.name)
            .field("request_handlers", &self.request_handlers.len())
            .field("use_cors", &self.use_cors)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An empty method set (a build error) would otherwise print as a lone leading space.
        if !self.method.is_empty() {
            write!(f, "{} ", self.method)?;
        }
        f.write_str(&self.path)?;
        if let Some(name) = &self.name {
            write!(f, " ({name})")?;
        }
        Ok(())
    }
}
