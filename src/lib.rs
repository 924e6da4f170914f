//! # sisk
//!
//! A Rust port of [Sisk](https://www.sisk-framework.org), the C# web framework, with
//! Server-Sent Events done right. This facade crate is the one to depend on: it re-exports
//! the server, router, request and response of `sisk-core`, and its [`prelude`] brings in
//! everything an application names.
//!
//! ```no_run
//! use sisk::prelude::*;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), sisk::Error> {
//!     let mut router = Router::new();
//!     router += Route::new(RouteMethod::Get, "/hello/<name>", |req: HttpRequest| async move {
//!         format!("Hello, {}!", req.route_parameters().get_str("name").unwrap_or("world"))
//!     });
//!     HttpServer::builder()
//!         .listen("127.0.0.1:5555")
//!         .router(router)
//!         .build()?
//!         .run()
//!         .await
//! }
//! ```

pub use sisk_core::*;
pub use sisk_macros::{
    route, route_delete, route_get, route_patch, route_post, route_put, router_module,
};

#[doc(hidden)]
pub mod __private;

/// Server-Sent Events: the whole `sisk-sse` crate (its error type is `sisk::sse::Error`).
pub use sisk_sse as sse;
pub use sisk_sse::{
    BroadcastReport, CloseReason, Event, EventSourceRequestExt, EventSourceServerExt,
    HttpEventSourceCollection, HttpRequestEventSource, HttpStreamPingPolicy, SlowClientPolicy,
};

/// Everything an application names, in one `use sisk::prelude::*;`.
///
/// # Examples
///
/// ```
/// use sisk::prelude::*;
///
/// let mut router = Router::new();
/// router.map_get("/events", |req: HttpRequest| async move {
///     let sse = req.get_event_source(None)?;
///     sse.send_event(Event::new().event("greet").data("Hello!"))?;
///     Ok::<HttpResponse, sisk::sse::Error>(sse.close())
/// });
/// let server = HttpServer::builder().router(router).build()?;
/// # Ok::<(), sisk::Error>(())
/// ```
pub mod prelude {
    pub use sisk_core::{
        Bytes, Cookie, CorsPolicy, Error, HttpRequest, HttpResponse, HttpServer, IntoResponse,
        Method, RequestHandler, ResponseStream, Route, RouteMethod, Router, RouterModule,
        StatusCode, StreamEnd,
    };
    pub use sisk_macros::{
        route, route_delete, route_get, route_patch, route_post, route_put, router_module,
    };
    pub use sisk_sse::{
        CloseReason, Event, EventSourceRequestExt, EventSourceServerExt, HttpEventSourceCollection,
        HttpRequestEventSource, HttpStreamPingPolicy,
    };
}

/// Compiles every Rust snippet of the README as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
