//! Request handlers: Sisk's `IRequestHandler`, code that runs before or after a route.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use super::handler::BoxFuture;
use crate::{HttpRequest, HttpResponse};

type BeforeFn = dyn Fn(HttpRequest) -> BoxFuture<'static, Option<HttpResponse>> + Send + Sync;
type AfterFn = dyn Fn(HttpRequest, HttpResponse) -> BoxFuture<'static, HttpResponse> + Send + Sync;

/// Code that runs around route handlers (Sisk's `IRequestHandler`): before the route, where it
/// may answer early, or after it, where it may change the response.
///
/// Order for a matched route, as in Sisk: global "before" handlers, the route's "before"
/// handlers, the route handler, global "after" handlers, the route's "after" handlers. The first
/// "before" handler that returns `Some(response)` answers the request and nothing later in the
/// "before" chain or the route runs; the "after" handlers still see that response. For a
/// streamed response (SSE), "after" handlers run when the handler returns, but the response
/// they get back is ignored: its head is already on the wire.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, HttpResponse, RequestHandler, Router, StatusCode};
///
/// let auth = RequestHandler::before(|req: HttpRequest| async move {
///     match req.headers().get("authorization") {
///         Some(_) => None,
///         None => Some(HttpResponse::new().with_status(StatusCode::UNAUTHORIZED)),
///     }
/// });
/// let stamp = RequestHandler::after(|_req: HttpRequest, res: HttpResponse| async move {
///     res.with_header("x-served-by", "sisk").unwrap_or_else(|e| e.into())
/// });
///
/// let mut router = Router::new();
/// router.add_request_handler(auth);
/// router.add_request_handler(stamp);
/// ```
#[derive(Clone)]
pub struct RequestHandler {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Before(Arc<BeforeFn>),
    After(Arc<AfterFn>),
}

/// When a [`RequestHandler`] runs (Sisk's `RequestHandlerExecutionMode`).
///
/// # Examples
///
/// ```
/// use sisk_core::{ExecutionMode, HttpRequest, HttpResponse, RequestHandler};
///
/// let before = RequestHandler::before(|_req: HttpRequest| async { None });
/// let after = RequestHandler::after(|_req: HttpRequest, res: HttpResponse| async { res });
/// assert_eq!(before.execution_mode(), ExecutionMode::BeforeResponse);
/// assert_eq!(after.execution_mode(), ExecutionMode::AfterResponse);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionMode {
    /// Before the route handler; may answer early.
    BeforeResponse,
    /// After the route handler; may replace the response.
    AfterResponse,
}

impl RequestHandler {
    /// A handler that runs before the route; `Some(response)` answers the request at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse, RequestHandler, Route, StatusCode};
    ///
    /// let require_key = RequestHandler::before(|req: HttpRequest| async move {
    ///     match req.header("x-api-key") {
    ///         Some(_) => None, // go on to the route
    ///         None => Some(HttpResponse::new().with_status(StatusCode::UNAUTHORIZED)),
    ///     }
    /// });
    /// let route = Route::get("/secret", || async { "42" }).with_request_handler(require_key);
    /// ```
    pub fn before<F, Fut>(f: F) -> Self
    where
        F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<HttpResponse>> + Send + 'static,
    {
        Self {
            kind: Kind::Before(Arc::new(move |req| Box::pin(f(req)))),
        }
    }

    /// A handler that runs after the route and returns the response to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse, RequestHandler, Router};
    ///
    /// let stamp_id = RequestHandler::after(|req: HttpRequest, res: HttpResponse| async move {
    ///     let id = req.request_id().to_string();
    ///     res.with_header("x-request-id", id).unwrap_or_else(Into::into)
    /// });
    /// let mut router = Router::new();
    /// router.add_request_handler(stamp_id);
    /// ```
    pub fn after<F, Fut>(f: F) -> Self
    where
        F: Fn(HttpRequest, HttpResponse) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HttpResponse> + Send + 'static,
    {
        Self {
            kind: Kind::After(Arc::new(move |req, res| Box::pin(f(req, res)))),
        }
    }

    /// When this handler runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{ExecutionMode, HttpRequest, RequestHandler};
    ///
    /// let handler = RequestHandler::before(|_req: HttpRequest| async { None });
    /// assert_eq!(handler.execution_mode(), ExecutionMode::BeforeResponse);
    /// ```
    pub fn execution_mode(&self) -> ExecutionMode {
        match self.kind {
            Kind::Before(_) => ExecutionMode::BeforeResponse,
            Kind::After(_) => ExecutionMode::AfterResponse,
        }
    }

    pub(crate) fn as_before(&self) -> Option<&Arc<BeforeFn>> {
        match &self.kind {
            Kind::Before(f) => Some(f),
            Kind::After(_) => None,
        }
    }

    pub(crate) fn as_after(&self) -> Option<&Arc<AfterFn>> {
        match &self.kind {
            Kind::After(f) => Some(f),
            Kind::Before(_) => None,
        }
    }
}

impl fmt::Debug for RequestHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHandler")
            .field("execution_mode", &self.execution_mode())
            .finish_non_exhaustive()
    }
}
