//! The lean hand-rolled hyper 1.x baseline: HTTP/1.1 only, a bounded `mpsc` of `Bytes` per
//! connection, every broadcast frame encoded once and shared.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Frames a connection may have queued before a broadcast skips it.
pub const QUEUE_CAPACITY: usize = 1024;

/// The open streams: one sender per connection.
#[derive(Debug, Default)]
pub struct Hub {
    clients: Mutex<Vec<mpsc::Sender<Bytes>>>,
}

impl Hub {
    /// Registers a new stream and returns its body.
    pub fn subscribe(&self) -> SseBody {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        SseBody { rx }
    }

    /// Hands `frame` to every open stream; closed ones leave. Returns how many took it.
    pub fn broadcast(&self, frame: Bytes) -> usize {
        let mut delivered = 0;
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| match tx.try_send(frame.clone()) {
                Ok(()) => {
                    delivered += 1;
                    true
                }
                Err(mpsc::error::TrySendError::Full(_)) => true,
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
        delivered
    }
}

/// A stream's body: the frames of its queue, as they come.
#[derive(Debug)]
pub struct SseBody {
    rx: mpsc::Receiver<Bytes>,
}

impl Body for SseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx
            .poll_recv(cx)
            .map(|frame| frame.map(|bytes| Ok(Frame::data(bytes))))
    }
}

/// A response body: whole bytes or an event stream.
#[derive(Debug)]
pub enum ServerBody {
    /// A complete body.
    Full(Option<Bytes>),
    /// An event stream.
    Stream(SseBody),
}

impl Body for ServerBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ServerBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            ServerBody::Stream(stream) => Pin::new(stream).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ServerBody::Full(None))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            ServerBody::Full(bytes) => {
                http_body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            ServerBody::Stream(_) => http_body::SizeHint::default(),
        }
    }
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<ServerBody> {
    let mut res = Response::new(ServerBody::Full(Some(body.into())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

async fn handle(hub: Arc<Hub>, req: Request<Incoming>) -> Response<ServerBody> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/hello") => text(StatusCode::OK, "Hello, world!"),
        (&Method::GET, "/sse") => {
            let mut res = Response::new(ServerBody::Stream(hub.subscribe()));
            let headers = res.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/event-stream"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-cache"),
            );
            res
        }
        (&Method::POST, "/broadcast") => match req.into_body().collect().await {
            Ok(body) => {
                let body = body.to_bytes();
                let text_body = String::from_utf8_lossy(&body);
                let frame = Bytes::from(super::encode_frame(&text_body));
                text(StatusCode::OK, hub.broadcast(frame).to_string())
            }
            Err(_) => text(StatusCode::BAD_REQUEST, "bad body"),
        },
        _ => text(StatusCode::NOT_FOUND, "not found"),
    }
}

/// Serves the contract on `listener` until the process ends.
///
/// # Errors
///
/// When accepting fails for good.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    let hub = Arc::new(Hub::default());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors and the like: try again shortly rather than give up.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let hub = hub.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let hub = hub.clone();
                async move { Ok::<_, Infallible>(handle(hub, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
