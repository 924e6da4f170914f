//! Attribute routes and router modules for sisk-rs: Sisk's `[RouteGet("/path")]`,
//! `[Route(RouteMethod.Any, "/path")]` and `RouterModule` + `[RoutePrefix]`, in Rust.
//!
//! Use them through the `sisk` facade (`use sisk::prelude::*;`); the generated code names
//! `::sisk::__private` and needs nothing else in scope.
//!
//! ```
//! use sisk::prelude::*;
//!
//! #[route_get("/hello/<name>")]
//! async fn hello(req: HttpRequest) -> String {
//!     format!("Hello, {}!", req.route_parameters().get_str("name").unwrap_or("world"))
//! }
//!
//! #[route(RouteMethod::Post | RouteMethod::Put, "/echo", name = "echo")]
//! async fn echo(req: HttpRequest) -> Result<String, sisk::Error> {
//!     req.body_text().await
//! }
//!
//! struct Chat {
//!     greeting: String,
//! }
//!
//! #[router_module(prefix = "/chat")]
//! impl Chat {
//!     #[route_get("/<room>")]
//!     async fn room(&self, req: HttpRequest) -> String {
//!         format!("{} {}", self.greeting, req.route_parameters().get_str("room").unwrap_or(""))
//!     }
//!
//!     #[route_get("/ping")]
//!     async fn ping() -> &'static str {
//!         "pong"
//!     }
//! }
//!
//! let mut router = Router::new();
//! router += hello;                                            // a #[route_*] function is a route
//! router += echo;
//! router.set_object(Chat { greeting: "welcome to".into() }); // Sisk's SetObject
//! let paths: Vec<_> = router.routes().iter().map(|r| r.path()).collect();
//! assert_eq!(paths, ["/hello/<name>", "/echo", "/chat/<room>", "/chat/ping"]);
//! ```
//!
//! # Attribute routes on functions
//!
//! `#[route_get]`, `#[route_post]`, `#[route_put]`, `#[route_patch]` and `#[route_delete]` take
//! an optional path (Sisk's default is `/`); `#[route(METHODS, "path")]` takes any expression of
//! type `RouteMethod`, such as `RouteMethod::Post | RouteMethod::Put` or `RouteMethod::Any`.
//! After the path, each attribute takes these keys:
//!
//! | key | value | what it does |
//! | --- | --- | --- |
//! | `name` | a string | `Route::with_name` (Sisk's `Route.Name`) |
//! | `request_handlers` | `[expr, ...]`, each a `RequestHandler` | `Route::with_request_handler` for each, in order |
//! | `cors` | `true` or `false` | `Route::with_cors` (Sisk's `UseCors`, on by default) |
//!
//! The expressions in `request_handlers` run when the route is built (at `router += f` or
//! `set_object`), in a nested item: they may call functions and name constants and statics,
//! but not local variables.
//!
//! ## How `router += events` works, and why `events` is still a function
//!
//! A function item's type cannot be named, so no trait can be implemented for it. Its return
//! type can be, though: the attribute rewrites
//!
//! ```text
//! #[route_get("/sse")]
//! async fn events(req: HttpRequest) -> HttpResponse { .. }
//! ```
//!
//! into `fn events(req: HttpRequest) -> impl RouteFuture<Output = HttpResponse>`, with your
//! `async fn` nested inside it, unchanged. The future's type also names the route's method,
//! path, name and request handlers, and sisk-core implements `From<F> for Route` for every
//! `F: Fn(HttpRequest) -> impl RouteFuture`, so `router += events` goes through the router's
//! `AddAssign<impl Into<Route>>`. Nothing is boxed or registered globally.
//!
//! `events` stays an ordinary function: `events(req).await` returns your `HttpResponse`, and
//! `Route::get("/other", events)` works too. To test a handler without a server, build a
//! request with `HttpRequest::detached`:
//!
//! ```
//! use sisk::{http, prelude::*};
//!
//! #[route_get("/hello")]
//! async fn hello(req: HttpRequest) -> String {
//!     format!("hello from {}", req.path())
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let server = HttpServer::builder().router(Router::new()).build()?;
//! let req = HttpRequest::detached(&server, http::Request::get("/hello").body(Default::default())?);
//! assert_eq!(hello(req).await, "hello from /hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! What this design costs:
//! - a free `#[route_*]` function takes the request (`_req: HttpRequest` if it does not read
//!   it). One blanket `From` impl can only name one function shape, and a second one for
//!   `Fn()` would overlap it. Parameterless handlers are fine on router-module methods and with
//!   `Route::get(path, handler)`;
//! - the function's future is boxed once per call (sisk-core forbids `unsafe`, so no pin
//!   projection); the router boxes handler futures anyway;
//! - attributes other than docs, `cfg`, lint levels and `deprecated` (for example
//!   `#[tracing::instrument]`) go on your nested `async fn`, where the body is.
//!
//! # Router modules
//!
//! `#[router_module]` on an inherent `impl` block makes the type a `RouterModule` (Sisk's
//! `RouterModule`); add it with `router.set_object(value)` (Sisk's `SetObject`, also
//! `map_instance`), or `router.set_object_arc(arc)` to keep a handle. The value goes into one
//! `Arc` that all its routes share. It takes these keys, all optional:
//!
//! | key | value | what it does |
//! | --- | --- | --- |
//! | `prefix` | a path string | put in front of every route path of the block (Sisk's `[RoutePrefix]`) |
//! | `request_handlers` | `[expr, ...]`, each a `RequestHandler` | run for every route of the block, before the route's own |
//! | `on_setup` | the name of a method of the block | called once with `&mut Router` before the routes are added |
//!
//! Without `on_setup = ..`, a method named `on_setup` with the signature
//! `fn on_setup(&self, router: &mut Router)` is the hook (Sisk's overridable `OnSetup`).
//!
//! Each method with route attributes becomes a route (several attributes make several routes);
//! the attributes are taken off, so the methods stay ordinary methods you can call. A route
//! method is an `async fn` that takes `&self`, `self: Arc<Self>` (to move the module into a
//! task) or no receiver, then optionally one `HttpRequest`, and returns anything that
//! implements `IntoResponse`.
//!
//! Request handlers run in this order for a route of a module (Sisk's order): the router's
//! global handlers, the module's `request_handlers`, the route's own `request_handlers`.
//! "Before" handlers run in that order before the handler; "after" handlers in that order after
//! it.
//!
//! # Compile-time checks
//!
//! Every mistake is an error at the token that shows it, saying what to write instead: a handler
//! that is not `async`, generic, `const`/`unsafe`/`extern`, with `&mut self` or `self`, with a
//! parameter that is not `HttpRequest` (sisk's own message on the parameter), with more than one
//! parameter, or returning a type that is not `IntoResponse`; a path that does not start with
//! `/`, with unbalanced `<`/`>`, an empty or repeated parameter name, or a parameter that
//! repeats one of the module prefix's; an unknown or repeated key; an empty method set
//! (`RouteMethod::empty()`) or a missing one (`#[route("/path")]`); a route attribute on a
//! method whose impl has no `#[router_module]`. Paths are checked by
//! `sisk_core::PathPattern::parse`, the parser the router itself runs when the server is built.
//! On stable Rust the error points at the whole path literal and draws a caret under the
//! character at fault.
//!
//! On an error the item is still emitted (the function unchanged, or the impl block without its
//! route attributes), so the rest of the crate compiles and reports nothing more.
//!
//! # Seeing the expansion
//!
//! Set `SISK_MACROS_DEBUG=1` while building to print every expansion on standard error:
//!
//! ```text
//! touch src/main.rs && SISK_MACROS_DEBUG=1 cargo build
//! ```
//!
//! (The `touch` makes cargo run the macros again; they do not run for a crate that is up to
//! date.)

mod attr;
mod diagnostics;
mod entry;
mod route;
mod router_module;

use proc_macro::TokenStream;

/// A `GET` route (Sisk's `[RouteGet]`); it also answers `HEAD`, without a body.
///
/// `#[route_get]`, `#[route_get("/path")]`, `#[route_get("/path", name = "..",
/// request_handlers = [..], cors = false)]`. The path defaults to `/`. See the
/// [crate docs](crate) for the keys and for what the function becomes.
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// #[route_get]
/// async fn index(_req: HttpRequest) -> &'static str {
///     "home"
/// }
///
/// #[route_get("/users/<id>", name = "user")]
/// async fn user(req: HttpRequest) -> String {
///     format!("user {}", req.route_parameters().get_str("id").unwrap_or("?"))
/// }
///
/// let mut router = Router::new();
/// router += index;
/// router += user;
/// assert_eq!(router.routes()[0].path(), "/");
/// assert_eq!(router.routes()[1].name(), Some("user"));
/// ```
#[proc_macro_attribute]
pub fn route_get(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("route_get", attr, item, route::get)
}

/// A `POST` route (Sisk's `[RoutePost]`). Same arguments as [`route_get`](macro@route_get).
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// #[route_post("/users/<id>", name = "update-user")]
/// async fn update(req: HttpRequest) -> Result<HttpResponse, sisk::Error> {
///     let body = req.body_text().await?;
///     Ok(HttpResponse::text(format!("updated with {body}")))
/// }
///
/// let mut router = Router::new();
/// router += update;
/// assert_eq!(router.routes()[0].method(), RouteMethod::Post);
/// ```
#[proc_macro_attribute]
pub fn route_post(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("route_post", attr, item, route::post)
}

/// A `PUT` route (Sisk's `[RoutePut]`). Same arguments as [`route_get`](macro@route_get).
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// #[route_put("/files/<name>")]
/// async fn store(_req: HttpRequest) -> StatusCode {
///     StatusCode::CREATED
/// }
///
/// let mut router = Router::new();
/// router += store;
/// ```
#[proc_macro_attribute]
pub fn route_put(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("route_put", attr, item, route::put)
}

/// A `PATCH` route (Sisk's `[RoutePatch]`). Same arguments as [`route_get`](macro@route_get).
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// #[route_patch("/users/<id>")]
/// async fn rename(_req: HttpRequest) -> StatusCode {
///     StatusCode::NO_CONTENT
/// }
///
/// let mut router = Router::new();
/// router += rename;
/// ```
#[proc_macro_attribute]
pub fn route_patch(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("route_patch", attr, item, route::patch)
}

/// A `DELETE` route (Sisk's `[RouteDelete]`). Same arguments as [`route_get`](macro@route_get).
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// #[route_delete("/users/<id>")]
/// async fn remove(_req: HttpRequest) -> StatusCode {
///     StatusCode::NO_CONTENT
/// }
///
/// let mut router = Router::new();
/// router += remove;
/// ```
#[proc_macro_attribute]
pub fn route_delete(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("route_delete", attr, item, route::delete)
}

/// A route for any set of methods (Sisk's `[Route(RouteMethod, "path")]`):
/// `#[route(METHODS, "/path", name = .., request_handlers = [..], cors = ..)]`.
///
/// `METHODS` is any expression of type `RouteMethod`; the path is required. Sisk has no
/// `[RouteAny]`, `[RouteHead]` or `[RouteOptions]`: write `#[route(RouteMethod::Any, "/path")]`.
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// #[route(RouteMethod::Post | RouteMethod::Put, "/items/<id>")]
/// async fn upsert(req: HttpRequest) -> String {
///     format!("{} {}", req.method(), req.route_parameters().get_str("id").unwrap_or(""))
/// }
///
/// // Sisk's `Route.AnyPath`: answers every path no other route takes.
/// #[route(RouteMethod::Any, "/<<ANY>>")]
/// async fn fallback(_req: HttpRequest) -> StatusCode {
///     StatusCode::NOT_FOUND
/// }
///
/// let mut router = Router::new();
/// router += upsert;
/// router += fallback;
/// assert_eq!(router.routes()[0].method(), RouteMethod::Post | RouteMethod::Put);
/// ```
#[proc_macro_attribute]
pub fn route(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("route", attr, item, route::any)
}

/// Makes an inherent `impl` block a router module (Sisk's `RouterModule` + `[RoutePrefix]`):
/// its methods marked `#[route_*]` become routes sharing one `Arc` of the value.
///
/// `#[router_module]`, `#[router_module(prefix = "/chat", request_handlers = [..],
/// on_setup = setup)]`. See the [crate docs](crate#router-modules) for the keys, the handler
/// shapes and the order request handlers run in.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use sisk::prelude::*;
///
/// #[derive(Default)]
/// struct Counter {
///     hits: AtomicU64,
/// }
///
/// fn stamp() -> RequestHandler {
///     RequestHandler::after(|_req: HttpRequest, res: HttpResponse| async move {
///         res.with_header("x-module", "counter").unwrap_or_else(|e| e.into())
///     })
/// }
///
/// #[router_module(prefix = "/counter", request_handlers = [stamp()])]
/// impl Counter {
///     #[route_post("/hit")]
///     async fn hit(&self) -> String {
///         (self.hits.fetch_add(1, Ordering::Relaxed) + 1).to_string()
///     }
///
///     #[route_get]
///     async fn current(&self, _req: HttpRequest) -> String {
///         self.hits.load(Ordering::Relaxed).to_string()
///     }
///
///     fn on_setup(&self, router: &mut Router) {
///         router.map_get("/health", || async { "ok" });
///     }
/// }
///
/// let mut router = Router::new();
/// router.set_object(Counter::default());
/// let paths: Vec<_> = router.routes().iter().map(|r| r.path()).collect();
/// assert_eq!(paths, ["/health", "/counter/hit", "/counter"]);
/// ```
#[proc_macro_attribute]
pub fn router_module(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute("router_module", attr, item, router_module::router_module)
}
