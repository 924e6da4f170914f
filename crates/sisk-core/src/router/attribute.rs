//! What makes a `#[route_get]` function a route value: `router += events` with `events` still a
//! plain, callable `fn`.
//!
//! A function item's type cannot be named, so no trait can be implemented for it directly. Its
//! *return type* can carry information, though. `sisk-macros` turns
//!
//! ```text
//! #[route_get("/sse")]
//! async fn events(req: HttpRequest) -> HttpResponse { ... }
//! ```
//!
//! into a plain `fn events(req: HttpRequest) -> impl RouteFuture<Output = HttpResponse>` whose
//! future type knows the route's method, path, name and request handlers. Then one blanket
//! `impl From<F> for Route` (for every `F: Fn(HttpRequest) -> impl RouteFuture`) lets
//! `router += events` work through the router's `AddAssign<impl Into<Route>>`, and
//! `events(req).await` still gives the handler's own output.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::handler::Handler;
use super::Route;
use crate::{HttpRequest, IntoResponse};

/// The future returned by a `#[route_*]` function: it runs the handler and also names, at the
/// type level, the route the function was declared as.
///
/// You never implement or name it; it is why `router += events` works for a function
/// `events` marked `#[route_get("/sse")]`. Awaiting it gives what the handler returns, so the
/// function stays testable as a plain async function: build a request with
/// [`HttpRequest::detached`] and write `events(req).await`. The `sisk` facade's `route_get`
/// docs show both in a runnable example.
///
/// # Examples
///
/// ```
/// # use sisk_core::{HttpRequest, IntoResponse, Route, RouteFuture};
/// /// The route a `#[route_*]` function was declared as (what `router += f` adds).
/// fn route_of<F, Fut>(f: F) -> Route
/// where
///     F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
///     Fut: RouteFuture,
///     Fut::Output: IntoResponse,
/// {
///     Route::from(f)
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the future of a `#[route_*]` function",
    label = "a plain handler, not an attribute route",
    note = "`router += f` takes a `Route` or a function marked `#[route_get(\"/path\")]` (or `#[route_post]`, `#[route(..)]`, ...); for a plain handler write `router += Route::get(\"/path\", f)`"
)]
pub trait RouteFuture: Future + Send + 'static {
    /// Builds the route this future's function was declared as, run by `handler`.
    #[doc(hidden)]
    fn __sisk_route<H: Handler<A>, A>(handler: H) -> Route;
}

/// The route an attribute declared: implemented by a marker type the macro generates inside
/// the function body.
#[doc(hidden)]
pub trait RouteAttribute: 'static {
    /// `Route::new(method, path, handler)` plus the attribute's name and request handlers.
    fn route<H: Handler<A>, A>(handler: H) -> Route;
}

/// The concrete [`RouteFuture`]: the handler's own future, tagged with the marker `M`.
///
/// The inner future is boxed so this type is `Unpin` and needs no pin projection (the crate
/// forbids `unsafe`); the router boxes handler futures anyway.
#[doc(hidden)]
pub struct AttributedFuture<M, F> {
    inner: Pin<Box<F>>,
    marker: PhantomData<fn() -> M>,
}

/// Tags `future` with the route marker `M` (called by generated code).
#[doc(hidden)]
pub fn route_future<M: RouteAttribute, F: Future>(future: F) -> AttributedFuture<M, F> {
    AttributedFuture {
        inner: Box::pin(future),
        marker: PhantomData,
    }
}

impl<M, F: Future> Future for AttributedFuture<M, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<M, F> RouteFuture for AttributedFuture<M, F>
where
    M: RouteAttribute,
    F: Future + Send + 'static,
{
    fn __sisk_route<H: Handler<A>, A>(handler: H) -> Route {
        M::route(handler)
    }
}

impl<M, F> fmt::Debug for AttributedFuture<M, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttributedFuture").finish_non_exhaustive()
    }
}

/// `router += events` for a function marked `#[route_get]` and friends.
impl<F, Fut> From<F> for Route
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: RouteFuture,
    Fut::Output: IntoResponse,
{
    fn from(handler: F) -> Route {
        Fut::__sisk_route(handler)
    }
}

/// A type a route handler may take as its parameter (only [`HttpRequest`]).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a route handler's parameter",
    label = "expected `HttpRequest`",
    note = "a route handler takes one `HttpRequest` (or nothing, on a `#[router_module]` method); read route parameters, the query, headers and the body from it"
)]
pub trait RequestParam {
    /// The parameter, from the request.
    fn from_request(req: HttpRequest) -> Self;
}

impl RequestParam for HttpRequest {
    fn from_request(req: HttpRequest) -> Self {
        req
    }
}

/// Compiles only if `T` is a handler parameter type (generated code spans it on the user's
/// parameter, so the error lands there).
#[doc(hidden)]
#[inline(always)]
pub const fn assert_request_param<T: RequestParam + ?Sized>() {}

/// Compiles only if `T` can be returned from a handler (spanned on the user's return type).
#[doc(hidden)]
#[inline(always)]
pub const fn assert_into_response<T: IntoResponse + ?Sized>() {}
