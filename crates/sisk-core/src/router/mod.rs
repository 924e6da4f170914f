//! Routing: Sisk's `Router`, `Route`, `RouteMethod` and path syntax, on a `matchit` table.

pub(crate) mod attribute;
mod cors;
mod handler;
mod method;
mod module;
mod path;
mod request_handler;
mod route;
pub(crate) mod table;

use std::fmt;
use std::ops::AddAssign;
use std::sync::Arc;

pub use self::attribute::RouteFuture;
pub(crate) use self::cors::CompiledCors;
pub use self::cors::CorsPolicy;
pub(crate) use self::handler::BoxHandler;
pub use self::handler::{BoxFuture, Handler};
pub use self::method::RouteMethod;
pub use self::module::RouterModule;
pub use self::path::{PathError, PathErrorKind, PathPattern, Segment};
pub use self::request_handler::{ExecutionMode, RequestHandler};
pub use self::route::Route;
use self::table::RouteTable;
use crate::error::Error;
use crate::{HttpRequest, HttpResponse};

pub(crate) type ErrorHandler = Arc<dyn Fn(&Error, &HttpRequest) -> HttpResponse + Send + Sync>;

/// The routes of a server, with Sisk's conveniences: `router += route`, `map_get`, a prefix,
/// case-insensitive matching, global request handlers and custom 404/405/500 answers.
///
/// A router is checked when the server is built: bad paths and colliding routes are errors
/// then, never silent shadowing. Matching follows Sisk: empty path segments and trailing
/// slashes are ignored, `<name>` parameters take one whole segment and are URL-decoded, a
/// literal segment wins over a parameter. A path that matches with the wrong method answers
/// `405` with an `Allow` header; `OPTIONS` is answered automatically; `HEAD` is served by
/// `GET` routes without a body.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, HttpResponse, Route, RouteMethod, Router, StatusCode};
///
/// let mut router = Router::new().with_prefix("/api");
/// router += Route::new(RouteMethod::Get, "/hello", || async { "Hello, world!" });
/// router.map_post("/echo", |req: HttpRequest| async move { req.body_bytes().await });
/// router.set_not_found_handler(|| async {
///     HttpResponse::text("nothing here").with_status(StatusCode::NOT_FOUND)
/// });
/// ```
#[must_use]
pub struct Router {
    routes: Vec<Route>,
    prefix: String,
    ignore_case: bool,
    request_handlers: Vec<RequestHandler>,
    not_found: Option<BoxHandler>,
    method_not_allowed: Option<BoxHandler>,
    error_handler: Option<ErrorHandler>,
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! map_methods {
    ($($(#[$doc:meta])* $name:ident => $method:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name<H: Handler<A>, A>(&mut self, path: impl Into<String>, handler: H) -> &mut Self {
                self.map(Route::new(RouteMethod::$method, path, handler))
            }
        )*
    };
}

impl Router {
    /// An empty router.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::Router;
    ///
    /// let router = Router::new();
    /// assert!(router.routes().is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            routes: Vec::new(),
            prefix: String::new(),
            ignore_case: false,
            request_handlers: Vec::new(),
            not_found: None,
            method_not_allowed: None,
            error_handler: None,
        }
    }

    /// Puts `prefix` in front of every route path (Sisk's `Router.Prefix`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # use sisk_core::HttpServer;
    /// use sisk_core::Router;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut router = Router::new().with_prefix("/api/v1");
    /// router.map_get("/status", || async { "up" }); // served at /api/v1/status
    /// # let running = HttpServer::builder().router(router).build()?.start().await?;
    /// # let mut tcp = tokio::net::TcpStream::connect(running.local_addr()).await?;
    /// # tcp.write_all(b"GET /api/v1/status HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await?;
    /// # let mut answer = String::new();
    /// # tcp.read_to_string(&mut answer).await?;
    /// # assert!(answer.ends_with("up"), "{answer}");
    /// # running.shutdown(Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the prefix of every route path (Sisk's `Router.Prefix`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpServer, Router};
    ///
    /// let mut router = Router::new();
    /// router.set_prefix("/api").map_get("/status", || async { "up" }); // GET /api/status
    /// let server = HttpServer::builder().router(router).build()?;
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn set_prefix(&mut self, prefix: impl Into<String>) -> &mut Self {
        self.prefix = prefix.into();
        self
    }

    /// Matches literal path segments ignoring ASCII case (Sisk's `MatchRoutesIgnoreCase`).
    /// Parameter values keep their case.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # use sisk_core::HttpServer;
    /// use sisk_core::Router;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut router = Router::new();
    /// router.set_match_ignore_case(true);
    /// router.map_get("/Users/<name>", || async { "found" }); // also answers /users/Ada
    /// # let running = HttpServer::builder().router(router).build()?.start().await?;
    /// # let mut tcp = tokio::net::TcpStream::connect(running.local_addr()).await?;
    /// # tcp.write_all(b"GET /USERS/Ada HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await?;
    /// # let mut answer = String::new();
    /// # tcp.read_to_string(&mut answer).await?;
    /// # assert!(answer.ends_with("found"), "{answer}");
    /// # running.shutdown(Duration::from_secs(1)).await;
    /// # Ok(()) }
    /// ```
    pub fn set_match_ignore_case(&mut self, ignore_case: bool) -> &mut Self {
        self.ignore_case = ignore_case;
        self
    }

    /// Adds a route (Sisk's `Map`; `router += route` does the same).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod, Router};
    ///
    /// let mut router = Router::new();
    /// router
    ///     .map(Route::new(RouteMethod::Get | RouteMethod::Post, "/echo", || async { "echo" }))
    ///     .map(Route::get("/ping", || async { "pong" }));
    /// assert_eq!(router.routes().len(), 2);
    /// ```
    pub fn map(&mut self, route: impl Into<Route>) -> &mut Self {
        self.routes.push(route.into());
        self
    }

    map_methods! {
        /// Adds a `GET` route (Sisk's `MapGet`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_get("/items/<id>", |req: HttpRequest| async move { req.path().to_owned() });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Get);
        /// ```
        map_get => Get;
        /// Adds a `POST` route (Sisk's `MapPost`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_post("/items", |req: HttpRequest| async move { req.body_text().await });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Post);
        /// ```
        map_post => Post;
        /// Adds a `PUT` route (Sisk's `MapPut`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_put("/items/<id>", |req: HttpRequest| async move { req.body_bytes().await });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Put);
        /// ```
        map_put => Put;
        /// Adds a `PATCH` route (Sisk's `MapPatch`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_patch("/items/<id>", |_req: HttpRequest| async { "patched" });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Patch);
        /// ```
        map_patch => Patch;
        /// Adds a `DELETE` route (Sisk's `MapDelete`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_delete("/items/<id>", |_req: HttpRequest| async { "deleted" });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Delete);
        /// ```
        map_delete => Delete;
        /// Adds a `HEAD` route (Sisk's `MapHead`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_head("/items", |_req: HttpRequest| async {});
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Head);
        /// ```
        map_head => Head;
        /// Adds an `OPTIONS` route (Sisk's `MapOptions`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_options("/items", |_req: HttpRequest| async { "GET, POST" });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Options);
        /// ```
        map_options => Options;
        /// Adds a route for every method (Sisk's `MapAny`).
        ///
        /// # Examples
        ///
        /// ```
        /// use sisk_core::{HttpRequest, RouteMethod, Router};
        ///
        /// let mut router = Router::new();
        /// router.map_any("/echo", |req: HttpRequest| async move { req.method().to_string() });
        /// assert_eq!(router.routes()[0].method(), RouteMethod::Any);
        /// ```
        map_any => Any;
    }

    /// Adds a global request handler; they run in the order added, around every route.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse, RequestHandler, Router};
    ///
    /// let mut router = Router::new();
    /// let stamp = RequestHandler::after(|_req: HttpRequest, res: HttpResponse| async {
    ///     res.with_header("x-powered-by", "sisk").unwrap_or_else(Into::into)
    /// });
    /// router.add_request_handler(stamp);
    /// router.map_get("/", || async { "every route gets the header" });
    /// ```
    pub fn add_request_handler(&mut self, handler: RequestHandler) -> &mut Self {
        self.request_handlers.push(handler);
        self
    }

    /// Answers requests no route path matches (Sisk's `NotFoundErrorHandler`; default: empty 404).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse, Router, StatusCode};
    ///
    /// let mut router = Router::new();
    /// router.set_not_found_handler(|req: HttpRequest| async move {
    ///     let text = format!("no page at {}", req.path());
    ///     HttpResponse::text(text).with_status(StatusCode::NOT_FOUND)
    /// });
    /// ```
    pub fn set_not_found_handler<H: Handler<A>, A>(&mut self, handler: H) -> &mut Self {
        self.not_found = Some(handler::boxed(handler));
        self
    }

    /// Answers requests whose path matches but whose method does not (Sisk's
    /// `MethodNotAllowedErrorHandler`; default: empty 405). The `Allow` header is added to
    /// whatever it returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpResponse, Router, StatusCode};
    ///
    /// let mut router = Router::new();
    /// router.map_get("/items", || async { "items" });
    /// router.set_method_not_allowed_handler(|| async {
    ///     // `Allow: GET, HEAD, OPTIONS` is added for `POST /items`.
    ///     HttpResponse::text("read-only").with_status(StatusCode::METHOD_NOT_ALLOWED)
    /// });
    /// ```
    pub fn set_method_not_allowed_handler<H: Handler<A>, A>(&mut self, handler: H) -> &mut Self {
        self.method_not_allowed = Some(handler::boxed(handler));
        self
    }

    /// Answers handlers that panicked or returned a 5xx [`Error`] (Sisk's
    /// `CallbackErrorHandler`; default: empty 500).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpResponse, Router, StatusCode};
    ///
    /// let mut router = Router::new();
    /// router.set_error_handler(|err, req| {
    ///     HttpResponse::text(format!("{} failed: {err}", req.path()))
    ///         .with_status(StatusCode::INTERNAL_SERVER_ERROR)
    /// });
    /// ```
    pub fn set_error_handler<F>(&mut self, handler: F) -> &mut Self
    where
        F: Fn(&Error, &HttpRequest) -> HttpResponse + Send + Sync + 'static,
    {
        self.error_handler = Some(Arc::new(handler));
        self
    }

    /// The routes added so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, Router};
    ///
    /// let mut router = Router::new();
    /// router += Route::get("/a", || async { "a" }).with_name("first");
    /// router.map_post("/b", || async { "b" });
    /// let names: Vec<_> = router.routes().iter().map(|r| r.to_string()).collect();
    /// assert_eq!(names, ["GET /a (first)", "POST /b"]);
    /// ```
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    pub(crate) fn compile(self) -> Result<CompiledRouter, Error> {
        Ok(CompiledRouter {
            table: RouteTable::build(self.routes, &self.prefix, self.ignore_case)?,
            request_handlers: self.request_handlers,
            not_found: self.not_found,
            method_not_allowed: self.method_not_allowed,
            error_handler: self.error_handler,
        })
    }
}

impl<R: Into<Route>> AddAssign<R> for Router {
    /// Sisk's `router += route`.
    fn add_assign(&mut self, route: R) {
        self.map(route);
    }
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("prefix", &self.prefix)
            .field("routes", &self.routes)
            .field("ignore_case", &self.ignore_case)
            .field("request_handlers", &self.request_handlers)
            .finish_non_exhaustive()
    }
}

/// A router after `build()`: the table plus what runs around it.
pub(crate) struct CompiledRouter {
    pub(crate) table: RouteTable,
    pub(crate) request_handlers: Vec<RequestHandler>,
    pub(crate) not_found: Option<BoxHandler>,
    pub(crate) method_not_allowed: Option<BoxHandler>,
    pub(crate) error_handler: Option<ErrorHandler>,
}
