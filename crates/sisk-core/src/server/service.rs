//! One request's way through: route lookup, request handlers, the route handler (with panic
//! catching and the streaming take-over), then the response to hyper.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, BufMut, BytesMut};
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use hyper::body::Incoming;

use super::activity::{Activity, InFlight};
use super::HttpServer;
use crate::error::{Error, Kind};
use crate::request::body::BodySource;
use crate::request::{RequestParts, RouteParameters};
use crate::response::body::{ResponseBody, StreamBody};
use crate::response::stream::StreamEnd;
use crate::response::Content;
use crate::router::table::{CompiledRoute, Lookup};
use crate::router::BoxFuture;
use crate::{HttpRequest, HttpResponse, ResponseStream, RouteMethod};

/// The hyper service of one connection.
#[derive(Clone)]
pub(super) struct ConnService {
    server: HttpServer,
    peer: SocketAddr,
    /// What an HTTP/1.1 connection reports on itself: told of each request's time in flight
    /// (for its header-read timeout), and handed to each request (for its streams).
    activity: Option<Arc<Activity>>,
}

impl ConnService {
    pub(super) fn new(server: HttpServer, peer: SocketAddr) -> Self {
        Self {
            server,
            peer,
            activity: None,
        }
    }

    /// Reports each request's time in flight to `activity`.
    pub(super) fn reporting_to(mut self, activity: &Arc<Activity>) -> Self {
        self.activity = Some(activity.clone());
        self
    }
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Respond;

    fn call(&self, request: Request<Incoming>) -> Respond {
        // Everything up to the handler runs here; what is left is a plain state machine, not
        // one more boxed future per request.
        Respond {
            state: prepare(&self.server, self.peer, self.activity.as_ref(), request),
        }
    }
}

/// The answer to one request, as hyper polls it.
pub(super) struct Respond {
    state: State,
}

enum State {
    /// Answered without a handler (a declared body over the limit); boxed, as it is rare and
    /// would otherwise make every answer's state that large.
    Answered(Box<Response<ResponseBody>>),
    /// A route's handlers are running.
    Route {
        handlers: Guarded,
        finish: Finish,
    },
    /// No route: the router's not-found, method-not-allowed or OPTIONS answer (rare, boxed).
    Fallback(BoxFuture<'static, Response<ResponseBody>>),
    Done,
}

impl State {
    /// The running route's handlers and what finishes its answer, leaving `Done`.
    fn take_route(&mut self) -> (Guarded, Finish) {
        match std::mem::replace(self, State::Done) {
            State::Route { handlers, finish } => (handlers, finish),
            _ => unreachable!("taken only while a route runs"),
        }
    }
}

impl Future for Respond {
    type Output = Result<Response<ResponseBody>, Infallible>;

    /// # Panics
    ///
    /// When polled again after it gave its answer (hyper does not).
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let res = match &mut this.state {
            State::Route { handlers, finish } => {
                if let Poll::Ready(res) = Pin::new(handlers).poll(cx) {
                    let (_, finish) = this.state.take_route();
                    finish.done(res)
                } else {
                    // A handler that committed a stream head keeps running while the head goes
                    // out (DESIGN §3).
                    let Some(stream) = finish.req.stream() else {
                        return Poll::Pending;
                    };
                    stream.shared().register_service(cx.waker());
                    if !stream.shared().is_committed() {
                        return Poll::Pending;
                    }
                    let (handlers, finish) = this.state.take_route();
                    finish.streaming(&stream, handlers)
                }
            }
            State::Fallback(fut) => {
                let res = std::task::ready!(fut.as_mut().poll(cx));
                this.state = State::Done;
                res
            }
            State::Answered(_) | State::Done => {
                match std::mem::replace(&mut this.state, State::Done) {
                    State::Answered(res) => *res,
                    _ => panic!("a request's answer was polled after it was given"),
                }
            }
        };
        Poll::Ready(Ok(res))
    }
}

/// What turns the handler's response into hyper's.
struct Finish {
    req: HttpRequest,
    fallback: Fallback,
    use_cors: bool,
    head_only: bool,
    /// Handed on to the response body.
    in_flight: Option<InFlight>,
}

/// Looks the request up, builds it, and starts its handlers (or answers it at once).
fn prepare(
    server: &HttpServer,
    peer: SocketAddr,
    activity: Option<&Arc<Activity>>,
    request: Request<Incoming>,
) -> State {
    let in_flight = activity.map(Activity::begin);
    let (mut parts, body) = request.into_parts();
    // hyper has parsed `content-length` already (and refused a request whose length it could
    // not read); its body knows the length.
    let declared = http_body::Body::size_hint(&body).exact();
    if declared.is_some_and(|len| len > server.limits().max_request_body) {
        let err = Error::new(Kind::BodyTooLarge {
            limit: server.limits().max_request_body,
        });
        let mut res = HttpResponse::from(err);
        // The body will not be read; do not keep the connection for it.
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return State::Answered(Box::new(to_hyper(res, false, in_flight)));
    }
    let head_only = parts.method == Method::HEAD;
    let (route, params, fallback) = match server
        .router()
        .table
        .lookup(&parts.method, parts.uri.path())
    {
        Lookup::Route { route, params } => (Some(route), params, Fallback::None),
        Lookup::AutoOptions { allow, use_cors } => (
            None,
            RouteParameters::default(),
            Fallback::Options { allow, use_cors },
        ),
        Lookup::MethodNotAllowed { allow } => (
            None,
            RouteParameters::default(),
            Fallback::MethodNotAllowed(allow),
        ),
        Lookup::NotFound => (None, RouteParameters::default(), Fallback::NotFound),
        Lookup::BadPath => (None, RouteParameters::default(), Fallback::BadPath),
    };
    if route
        .as_ref()
        .is_some_and(|r| r.streams.load(Ordering::Relaxed))
    {
        // Only for routes that stream: the copy is not free, and a request that is answered
        // at once lets go of hyper's buffer anyway.
        detach_from_read_buffer(&mut parts);
    }
    let use_cors = match (&route, fallback) {
        (Some(route), _) => route.use_cors,
        (None, Fallback::Options { use_cors, .. }) => use_cors,
        (None, _) => true,
    };
    let req = HttpRequest::new(
        RequestParts {
            method: parts.method,
            uri: parts.uri,
            version: parts.version,
            headers: parts.headers,
            params,
            route: route.cloned(),
            peer,
            connection: activity.cloned(),
        },
        BodySource::Incoming(body),
        server.clone(),
    );
    let finish = Finish {
        req,
        fallback,
        use_cors,
        head_only,
        in_flight,
    };
    let handlers = finish
        .req
        .compiled_route()
        .map(|route| start_handlers(route, &finish.req));
    match handlers {
        Some(handlers) => State::Route { handlers, finish },
        None => State::Fallback(Box::pin(async move {
            let res = finish.fallback.answer(&finish.req).await;
            finish.response(res)
        })),
    }
}

/// Copies the request target and header values, which hyper hands out as slices of its read
/// buffer, into one buffer of their own.
///
/// It must run in `call`, before hyper reads again: hyper reuses its read buffer only when
/// nothing else refers to it, and allocates another one otherwise. An event stream keeps its
/// request for its whole life, so without this every stream held two read buffers. Which
/// requests will stream is known only once their handler runs, so it is done for the
/// requests of routes that have streamed before.
fn detach_from_read_buffer(parts: &mut http::request::Parts) {
    let target = parts.uri.path_and_query().map_or("", |pq| pq.as_str());
    let len = target.len() + parts.headers.values().map(|v| v.len()).sum::<usize>();
    let mut owned = BytesMut::with_capacity(len);
    owned.put_slice(target.as_bytes());
    for value in parts.headers.values() {
        owned.put_slice(value.as_bytes());
    }
    let mut owned = owned.freeze();
    if parts.uri.scheme().is_none() && parts.uri.authority().is_none() {
        // Origin form, by far the usual case; absolute and authority forms keep hyper's copy.
        let target = owned.split_to(target.len());
        if let Ok(uri) = Uri::from_maybe_shared(target) {
            parts.uri = uri;
        }
    } else {
        owned.advance(target.len());
    }
    for value in parts.headers.values_mut() {
        let bytes = owned.split_to(value.len());
        if let Ok(mut copy) = HeaderValue::from_maybe_shared(bytes) {
            copy.set_sensitive(value.is_sensitive());
            *value = copy;
        }
    }
}

impl Finish {
    /// The route's handlers finished with `res`.
    fn done(self, res: HttpResponse) -> Response<ResponseBody> {
        // Once a request took its response over, the stream is its response (as in Sisk,
        // where the event-stream head is set up the moment the source is created).
        let Some(stream) = self.req.stream() else {
            return self.response(res);
        };
        if !res.is_stream_end() {
            tracing::warn!(
                path = self.req.path(),
                "a streaming handler returned a response other than its stream's `close()`; it is ignored"
            );
        }
        stream.shared().end(StreamEnd::Closed, true);
        self.stream_response(&stream)
    }

    /// The route's handlers committed `stream`'s head and are still running: they go on in a
    /// task of their own, and the stream ends when they do.
    fn streaming(self, stream: &ResponseStream, handlers: Guarded) -> Response<ResponseBody> {
        let ending = stream.clone();
        tokio::spawn(async move {
            let _ = handlers.await;
            ending.shared().end(StreamEnd::Closed, true);
        });
        self.stream_response(stream)
    }

    /// The response whose body is `stream`, with the head its handler set.
    fn stream_response(self, stream: &ResponseStream) -> Response<ResponseBody> {
        if let Some(route) = self.req.compiled_route() {
            route.streams.store(true, Ordering::Relaxed);
        }
        let (status, mut headers) = stream.shared().take_head();
        if let (true, Some(cors)) = (self.use_cors, self.req.server().cors()) {
            cors.apply(self.req.headers(), &mut headers);
        }
        let mut res = Response::new(ResponseBody::stream(
            StreamBody::new(stream.shared().clone()),
            self.in_flight,
        ));
        *res.status_mut() = status;
        *res.headers_mut() = headers;
        res
    }

    /// The error handler, CORS, and the conversion to hyper's response.
    fn response(self, mut res: HttpResponse) -> Response<ResponseBody> {
        let Finish {
            req,
            fallback,
            use_cors,
            head_only,
            in_flight,
        } = self;
        let server = req.server();
        if let Some(error) = res.error.take() {
            if let Some(handler) = &server.router().error_handler {
                if error.status().is_server_error() {
                    res = handler(&error, &req);
                }
            }
        }
        if let (true, Some(cors)) = (use_cors, server.cors()) {
            if let Fallback::Options { allow, .. } = fallback {
                cors.apply_preflight(req.headers(), allow_value(allow), res.headers_mut());
            } else {
                cors.apply(req.headers(), res.headers_mut());
            }
        }
        if req.body_stopped_at_limit() {
            // hyper closes a connection whose request body was left unread after this answer;
            // say so, as for a declared length over the limit.
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        to_hyper(res, head_only, in_flight)
    }
}

/// What answers a request no route takes.
#[derive(Clone, Copy)]
enum Fallback {
    None,
    Options { allow: RouteMethod, use_cors: bool },
    MethodNotAllowed(RouteMethod),
    NotFound,
    BadPath,
}

impl Fallback {
    async fn answer(self, req: &HttpRequest) -> HttpResponse {
        let router = req.server().router();
        match self {
            Fallback::None => HttpResponse::new(),
            Fallback::Options { allow, .. } => with_allow(HttpResponse::new(), allow),
            Fallback::MethodNotAllowed(allow) => {
                let res = match &router.method_not_allowed {
                    Some(handler) => Guarded(handler(req.clone())).await,
                    None => HttpResponse::new().with_status(StatusCode::METHOD_NOT_ALLOWED),
                };
                with_allow(res, allow)
            }
            Fallback::NotFound => match &router.not_found {
                Some(handler) => Guarded(handler(req.clone())).await,
                None => HttpResponse::new().with_status(StatusCode::NOT_FOUND),
            },
            Fallback::BadPath => HttpResponse::from(Error::new(Kind::InvalidPath)),
        }
    }
}

fn allow_value(allow: RouteMethod) -> HeaderValue {
    HeaderValue::from_str(&allow.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn with_allow(mut res: HttpResponse, allow: RouteMethod) -> HttpResponse {
    res.headers_mut().insert(header::ALLOW, allow_value(allow));
    res
}

/// Sisk's order: global before, route before, the route, global after, route after.
async fn pipeline(route: Arc<CompiledRoute>, req: HttpRequest) -> HttpResponse {
    let global = &req.server().router().request_handlers;
    let before = global
        .iter()
        .chain(&route.request_handlers)
        .filter_map(|h| h.as_before());
    let mut early = None;
    for handler in before {
        if let Some(res) = handler(req.clone()).await {
            early = Some(res);
            break;
        }
    }
    let mut res = match early {
        Some(res) => res,
        None => (route.handler)(req.clone()).await,
    };
    let after = global
        .iter()
        .chain(&route.request_handlers)
        .filter_map(|h| h.as_after());
    for handler in after {
        res = handler(req.clone(), res).await;
    }
    res
}

/// A handler future whose panic becomes a 500 (with the error for the router's error
/// handler); the connection and the server go on. `Unpin`, so it can be moved into a task of
/// its own once a stream took the response over.
struct Guarded(BoxFuture<'static, HttpResponse>);

impl Future for Guarded {
    type Output = HttpResponse;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<HttpResponse> {
        let handler = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| handler.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(panic_to_response(&*panic)),
        }
    }
}

fn panic_to_response(panic: &(dyn std::any::Any + Send)) -> HttpResponse {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned());
    tracing::error!(%message, "handler panicked");
    HttpResponse::from(Error::new(Kind::HandlerPanicked(message)))
}

/// Starts the request handlers and the route's handler.
fn start_handlers(route: &Arc<CompiledRoute>, req: &HttpRequest) -> Guarded {
    if route.request_handlers.is_empty() && req.server().router().request_handlers.is_empty() {
        // The usual case: the route's own (already boxed) future, not a second box around it.
        Guarded((route.handler)(req.clone()))
    } else {
        Guarded(Box::pin(pipeline(route.clone(), req.clone())))
    }
}

impl Drop for Respond {
    fn drop(&mut self) {
        // Dropped mid-handler: the connection went away before any head was sent.
        if let State::Route { finish, .. } = &self.state {
            if let Some(stream) = finish.req.stream() {
                stream.shared().end(StreamEnd::Disconnected, false);
            }
        }
    }
}

fn to_hyper(
    res: HttpResponse,
    head_only: bool,
    in_flight: Option<InFlight>,
) -> Response<ResponseBody> {
    let (mut head, content) = res.into_parts();
    let bytes = match content {
        Content::Bytes(bytes) => Some(bytes),
        Content::Empty | Content::StreamEnd => None,
    };
    let body = if head_only {
        if let Some(bytes) = &bytes {
            head.headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        }
        ResponseBody::full(None, in_flight)
    } else {
        ResponseBody::full(bytes, in_flight)
    };
    Response::from_parts(head, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detached_request_keeps_its_target_and_headers() {
        let request = Request::get("/a%20b/c?x=1&y=%C3%A9")
            .header("host", "example.test")
            .header("x-empty", "")
            .header("x-many", "one")
            .header("x-many", "two")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        parts.headers.get_mut("host").unwrap().set_sensitive(true);
        let before = parts.clone();
        detach_from_read_buffer(&mut parts);
        assert_eq!(parts.uri, before.uri);
        assert_eq!(parts.headers, before.headers);
        assert!(parts.headers["host"].is_sensitive());
        assert!(!parts.headers["x-empty"].is_sensitive());
    }

    #[test]
    fn absolute_form_target_is_left_as_is() {
        let (mut parts, ()) = Request::get("http://example.test/p?q")
            .body(())
            .unwrap()
            .into_parts();
        detach_from_read_buffer(&mut parts);
        assert_eq!(parts.uri, "http://example.test/p?q");
    }
}
