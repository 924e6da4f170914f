//! The `Handler` trait: what a route runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{HttpRequest, HttpResponse, IntoResponse};

/// A boxed, sendable future, as handlers and request handlers return them.
///
/// # Examples
///
/// ```
/// use sisk_core::{BoxFuture, HttpResponse};
///
/// fn answer(text: &'static str) -> BoxFuture<'static, HttpResponse> {
///     Box::pin(async move { HttpResponse::text(text) })
/// }
/// # #[tokio::main] async fn main() {
/// assert_eq!(answer("hi").await.body().map(|b| &b[..]), Some(&b"hi"[..]));
/// # }
/// ```
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The erased form a route keeps its handler in.
pub(crate) type BoxHandler =
    Arc<dyn Fn(HttpRequest) -> BoxFuture<'static, HttpResponse> + Send + Sync>;

/// Something a route can run: an `async fn(HttpRequest) -> impl IntoResponse`, an
/// `async fn() -> impl IntoResponse`, or a closure returning such a future.
///
/// `Args` only tells the two shapes apart; you never name it.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, HttpResponse, Route, RouteMethod};
///
/// async fn hello(req: HttpRequest) -> String {
///     format!("Hello, {}!", req.route_parameters().get_str("name").unwrap_or("world"))
/// }
/// async fn ping() -> &'static str {
///     "pong"
/// }
///
/// let _ = Route::new(RouteMethod::Get, "/hello/<name>", hello);
/// let _ = Route::get("/ping", ping);
/// let _ = Route::get("/closure", |_req: HttpRequest| async { HttpResponse::text("hi") });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sisk route handler",
    label = "not a handler",
    note = "a handler is an `async fn(HttpRequest) -> impl IntoResponse` or an `async fn() -> impl IntoResponse` (or a closure returning such a future) that is `Send + Sync + 'static`, and whose future is `Send`"
)]
pub trait Handler<Args>: Send + Sync + 'static {
    /// Runs the handler for one request.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{http, Bytes, Handler, HttpRequest, HttpServer, StatusCode};
    ///
    /// async fn ping() -> &'static str {
    ///     "pong"
    /// }
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = HttpServer::builder().build()?;
    /// let req = HttpRequest::detached(&server, http::Request::get("/ping").body(Bytes::new())?);
    /// let res = ping.call(req).await; // what the router does for a route
    /// assert_eq!(res.status(), StatusCode::OK);
    /// # Ok(()) }
    /// ```
    fn call(&self, req: HttpRequest) -> BoxFuture<'static, HttpResponse>;
}

impl<F, Fut> Handler<(HttpRequest,)> for F
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn call(&self, req: HttpRequest) -> BoxFuture<'static, HttpResponse> {
        let fut = self(req);
        Box::pin(async move { fut.await.into_response() })
    }
}

impl<F, Fut> Handler<()> for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn call(&self, _req: HttpRequest) -> BoxFuture<'static, HttpResponse> {
        let fut = self();
        Box::pin(async move { fut.await.into_response() })
    }
}

pub(crate) fn boxed<H: Handler<A>, A>(handler: H) -> BoxHandler {
    Arc::new(move |req| handler.call(req))
}
