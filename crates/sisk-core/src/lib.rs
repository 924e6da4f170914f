//! sisk-core: the HTTP server, Sisk's routing model, requests, responses and the streaming
//! take-over that Server-Sent Events are built on.
//!
//! Most applications depend on the `sisk` facade crate and write `use sisk::prelude::*;`;
//! this crate is what it re-exports.
//!
//! # Layout
//!
//! - [`server`](HttpServer): binding, the connection cap, hyper-util's HTTP/1.1 + HTTP/2
//!   connections, graceful shutdown, and the request pipeline.
//! - [`router`](Router): Sisk paths (`/users/<id>`) on a `matchit` table, the method set,
//!   request handlers, CORS.
//! - [`request`](HttpRequest): what a handler reads; the body is lazy and bounded.
//! - [`response`](HttpResponse): what a handler returns, and [`ResponseStream`], the
//!   streaming take-over.
//!
//! # Example
//!
//! ```no_run
//! use sisk_core::{HttpRequest, HttpServer, Route, RouteMethod, Router};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), sisk_core::Error> {
//!     let mut router = Router::new();
//!     router += Route::new(RouteMethod::Get, "/hello/<name>", |req: HttpRequest| async move {
//!         format!("Hello, {}!", req.route_parameters().get_str("name").unwrap_or_default())
//!     });
//!     HttpServer::builder()
//!         .listen("127.0.0.1:5555")
//!         .router(router)
//!         .build()?
//!         .run()
//!         .await
//! }
//! ```

mod error;
mod request;
mod response;
mod router;
mod server;

pub use bytes::Bytes;
pub use cookie::Cookie;
#[doc(no_inline)]
pub use http;
#[doc(no_inline)]
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

pub use self::error::Error;
pub use self::request::{Bag, HttpRequest, Query, RouteParameters};
pub use self::response::{HttpResponse, IntoResponse, ResponseStream, StreamEnd, TryWriteError};
pub use self::router::{
    BoxFuture, CorsPolicy, ExecutionMode, Handler, PathError, PathErrorKind, PathPattern,
    RequestHandler, Route, RouteMethod, Router, Segment,
};
pub use self::server::{Extensions, HttpServer, HttpServerBuilder, Limits, RunningServer};
