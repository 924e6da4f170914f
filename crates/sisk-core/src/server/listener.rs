//! Accepting connections: the connection cap, telling HTTP/2 (prior knowledge) from
//! HTTP/1.1 by the first bytes, hyper's connection for each, and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulConnection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::activity::Activity;
use super::header_timeout::HeaderTimeout;
use super::rewind::Rewind;
use super::service::ConnService;
use super::{bind_error, HttpServer, Limits};
use crate::error::{Error, Kind};

/// The answer to a connection over the cap: clear, and cheap to send.
const OVER_CAPACITY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

/// Tells listener and connection tasks that the server is stopping, and by when.
#[derive(Clone)]
pub(super) struct Shutdown {
    rx: watch::Receiver<Option<Instant>>,
}

impl Shutdown {
    pub(super) fn new(rx: watch::Receiver<Option<Instant>>) -> Self {
        Self { rx }
    }

    /// Resolves with the deadline once shutdown starts (or at once if the sender is gone).
    async fn started(&mut self) -> Instant {
        loop {
            if let Some(deadline) = *self.rx.borrow_and_update() {
                return deadline;
            }
            if self.rx.changed().await.is_err() {
                return Instant::now();
            }
        }
    }
}

pub(super) async fn bind_all(addrs: &[String]) -> Result<Vec<TcpListener>, Error> {
    let mut listeners = Vec::new();
    for addr in addrs {
        let resolved: Vec<_> = tokio::net::lookup_host(addr.as_str())
            .await
            .map_err(|e| bind_error(addr, e))?
            .collect();
        if resolved.is_empty() {
            return Err(Error::new(Kind::Bind(addr.clone())));
        }
        for socket_addr in resolved {
            listeners.push(
                TcpListener::bind(socket_addr)
                    .await
                    .map_err(|e| bind_error(&socket_addr.to_string(), e))?,
            );
        }
    }
    Ok(listeners)
}

/// The HTTP/2 connection preface (prior knowledge, h2c); anything else is HTTP/1.1.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How each connection is served, built once per listener.
struct Protocols {
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
}

impl Protocols {
    fn new(limits: &Limits) -> Self {
        let mut http1 = http1::Builder::new();
        http1
            // Kept per connection by `drive` instead (see `header_timeout`).
            .header_read_timeout(None)
            .max_buf_size(limits.max_header_bytes)
            // Flatten queued body frames into one buffer: every event a stream queued while
            // the socket was busy goes out in one write (hyper's vectored mode stops at 16
            // buffers, three per chunked event), and each event stays its own HTTP chunk.
            .writev(false)
            .keep_alive(true);
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        http2
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
        Self { http1, http2 }
    }
}

/// Tells HTTP/2's preface from an HTTP/1.1 request line by the first bytes, and returns the
/// bytes it had to take off the socket to do so (to be read again by the connection).
///
/// It peeks first: in the usual case the first segment decides, nothing is taken, and hyper
/// reads the whole request head in its first read. (Handing hyper a few bytes first made it
/// grow its read buffer to 16 KiB for every connection.)
async fn read_preface(stream: &mut TcpStream) -> std::io::Result<(bool, Bytes)> {
    let mut buf = [0u8; H2_PREFACE.len()];
    let peeked = stream.peek(&mut buf).await?;
    if peeked == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    if buf[..peeked] != H2_PREFACE[..peeked] {
        return Ok((false, Bytes::new()));
    }
    if peeked == H2_PREFACE.len() {
        return Ok((true, Bytes::new()));
    }
    // A preface cut short: peeking again would return at once with the same bytes, so read
    // them off and wait for the rest.
    let mut n = 0;
    loop {
        let read = stream.read(&mut buf[n..]).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        n += read;
        if buf[..n] != H2_PREFACE[..n] {
            return Ok((false, Bytes::copy_from_slice(&buf[..n])));
        }
        if n == H2_PREFACE.len() {
            return Ok((true, Bytes::copy_from_slice(&buf)));
        }
    }
}

/// Serves one accepted connection until it ends, or gracefully once shutdown starts.
async fn serve_connection(
    _permit: OwnedSemaphorePermit,
    mut stream: TcpStream,
    peer: SocketAddr,
    service: ConnService,
    protocols: Arc<Protocols>,
    mut shutdown: Shutdown,
    header_read_timeout: Duration,
) {
    // A client that connects and sends nothing (or not even a whole preface) gets the same
    // limit as one that sends part of a request head.
    let accepted = Instant::now();
    let detected = tokio::select! {
        biased;
        _ = shutdown.started() => return,
        detected = tokio::time::timeout_at(accepted + header_read_timeout, read_preface(&mut stream)) => detected,
    };
    let Ok(Ok((is_http2, prefix))) = detected else {
        tracing::debug!(%peer, "no request head before the header read timeout");
        return;
    };
    let result = if is_http2 {
        let io = TokioIo::new(Rewind::new(prefix, stream));
        // Boxed: HTTP/2 state is large, and most connections are HTTP/1.1.
        Box::pin(drive(
            protocols.http2.serve_connection(io, service),
            shutdown,
            None,
        ))
        .await
    } else {
        let activity = Activity::new(accepted);
        let io = TokioIo::new(Rewind::new(prefix, stream).reporting_to(activity.clone()));
        let service = service.reporting_to(&activity);
        let timeout = HeaderTimeout::new(activity, header_read_timeout);
        drive(
            protocols.http1.serve_connection(io, service),
            shutdown,
            Some(timeout),
        )
        .await
    };
    if let Err(err) = result {
        tracing::debug!(%peer, %err, "connection ended with an error");
    }
}

/// Runs `conn`, asking it to finish gracefully once shutdown starts; closes it when its
/// header-read timeout, if it has one, expires.
async fn drive<C>(
    conn: C,
    mut shutdown: Shutdown,
    mut header_timeout: Option<HeaderTimeout>,
) -> Result<(), C::Error>
where
    C: GracefulConnection,
{
    tokio::pin!(conn);
    let probe = shutdown.rx.clone();
    let started = shutdown.started();
    tokio::pin!(started);
    // The connection task is polled for every read and write. Polling the shutdown future each
    // time would only register the same waker again; while the waker is the one it holds and
    // the channel has not changed (one atomic load), there is nothing to look at.
    let mut registered: Option<Waker> = None;
    let ended = std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = conn.as_mut().poll(cx) {
            return Poll::Ready(Ended::Finished(result));
        }
        if let Some(timeout) = header_timeout.as_mut() {
            if timeout.poll_expired(cx).is_ready() {
                return Poll::Ready(Ended::TimedOut);
            }
        }
        let same_waker = registered.as_ref().is_some_and(|w| w.will_wake(cx.waker()));
        if same_waker && !probe.has_changed().unwrap_or(true) {
            return Poll::Pending;
        }
        match started.as_mut().poll(cx) {
            Poll::Ready(_) => Poll::Ready(Ended::ShutdownStarted),
            Poll::Pending => {
                registered = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await;
    match ended {
        Ended::Finished(result) => result,
        Ended::TimedOut => {
            // Dropping the connection closes it without an answer, as hyper's own timeout does.
            tracing::debug!("no whole request head before the header read timeout");
            Ok(())
        }
        Ended::ShutdownStarted => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    }
}

/// Why `drive` stopped polling a connection.
enum Ended<E> {
    Finished(Result<(), E>),
    TimedOut,
    ShutdownStarted,
}

/// Accepts on one listener until shutdown, then drains its connections.
pub(super) async fn serve(server: HttpServer, listener: TcpListener, mut shutdown: Shutdown) {
    let protocols = Arc::new(Protocols::new(server.limits()));
    let permits = Arc::new(Semaphore::new(server.limits().max_connections));
    let mut connections = JoinSet::new();
    let deadline = loop {
        tokio::select! {
            // Shutdown first: once it has started, no connection waiting to be accepted is.
            biased;
            deadline = shutdown.started() => break deadline,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    tokio::spawn(refuse(stream));
                    continue;
                };
                let _ = stream.set_nodelay(true);
                connections.spawn(serve_connection(
                    permit,
                    stream,
                    peer,
                    ConnService::new(server.clone(), peer),
                    protocols.clone(),
                    shutdown.clone(),
                    server.limits().header_read_timeout,
                ));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    };
    drop(listener);
    let drained = tokio::time::timeout_at(deadline, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            left = connections.len(),
            "shutdown deadline passed; closing connections"
        );
        connections.shutdown().await;
    }
}

async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(OVER_CAPACITY).await?;
        stream.shutdown().await
    })
    .await;
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;
    use tokio::net::TcpListener;

    use super::*;

    /// A connected pair: the client's end and the server's.
    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (client, server)
    }

    /// Writes `first` and waits until the server's end can see it.
    async fn send_first(client: &mut TcpStream, server: &TcpStream, first: &[u8]) {
        client.write_all(first).await.unwrap();
        let mut seen = vec![0u8; first.len()];
        assert_eq!(server.peek(&mut seen).await.unwrap(), first.len());
    }

    #[tokio::test]
    async fn a_request_line_is_told_by_a_peek_and_left_in_the_socket() {
        let (mut client, mut server) = pair().await;
        send_first(&mut client, &server, b"GET / HTTP/1.1\r\n").await;
        assert_eq!(
            read_preface(&mut server).await.unwrap(),
            (false, Bytes::new())
        );
        let mut line = [0u8; 16];
        server.read_exact(&mut line).await.unwrap();
        assert_eq!(&line, b"GET / HTTP/1.1\r\n");
    }

    #[tokio::test]
    async fn a_whole_preface_is_told_by_a_peek() {
        let (mut client, mut server) = pair().await;
        send_first(&mut client, &server, H2_PREFACE).await;
        assert_eq!(
            read_preface(&mut server).await.unwrap(),
            (true, Bytes::new())
        );
    }

    #[tokio::test]
    async fn a_preface_cut_short_is_read_off_and_handed_back_whole() {
        let (mut client, mut server) = pair().await;
        send_first(&mut client, &server, &H2_PREFACE[..16]).await;
        let mut telling = Box::pin(read_preface(&mut server));
        // It has read the first part off and waits for the rest.
        assert!((&mut telling).now_or_never().is_none());
        client.write_all(&H2_PREFACE[16..]).await.unwrap();
        let (is_http2, taken) = telling.await.unwrap();
        assert!(is_http2);
        assert_eq!(taken, H2_PREFACE);
    }

    #[tokio::test]
    async fn a_request_that_starts_like_the_preface_is_handed_back_as_read() {
        let (mut client, mut server) = pair().await;
        // `P` could begin `PRI * HTTP/2.0`; `PUT` cannot.
        send_first(&mut client, &server, b"P").await;
        let mut telling = Box::pin(read_preface(&mut server));
        assert!((&mut telling).now_or_never().is_none());
        client.write_all(b"UT / HTTP/1.1\r\n").await.unwrap();
        let (is_http2, taken) = telling.await.unwrap();
        assert!(!is_http2);
        assert!(b"PUT / HTTP/1.1\r\n".starts_with(&taken) && taken.len() > 1);
    }

    #[tokio::test]
    async fn a_client_that_leaves_before_telling_is_an_error() {
        let (mut client, mut server) = pair().await;
        send_first(&mut client, &server, b"PRI").await;
        drop(client);
        let err = read_preface(&mut server).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
