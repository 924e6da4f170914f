//! Accepting connections: the connection cap, hyper-util's auto (h1 + h2) connection, and
//! graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

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

fn connection_builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes)
        // Flatten queued body frames into one buffer: every event a stream queued while the
        // socket was busy goes out in one write (hyper's vectored mode caps a write at 16
        // buffers, about five chunked frames), and each event stays its own HTTP chunk.
        .writev(false)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    builder
}

/// Accepts on one listener until shutdown, then drains its connections.
pub(super) async fn serve(server: HttpServer, listener: TcpListener, mut shutdown: Shutdown) {
    let builder = Arc::new(connection_builder(server.limits()));
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
                let service = ConnService::new(server.clone(), peer);
                let builder = builder.clone();
                let mut shutdown = shutdown.clone();
                let first_bytes_timeout = server.limits().header_read_timeout;
                connections.spawn(async move {
                    let _permit = permit;
                    // hyper-util reads the first bytes (to tell HTTP/1.1 from HTTP/2) before
                    // hyper's header read timeout starts, so a client that connects and sends
                    // nothing would hold its slot forever: it gets the same timeout.
                    let mut first = [0u8; 1];
                    tokio::select! {
                        biased;
                        _ = shutdown.started() => return,
                        peeked = tokio::time::timeout(first_bytes_timeout, stream.peek(&mut first)) => {
                            if peeked.is_err() {
                                tracing::debug!(%peer, "no request bytes before the header read timeout");
                                return;
                            }
                        }
                    }
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        result = conn.as_mut() => {
                            if let Err(err) = result {
                                tracing::debug!(%peer, %err, "connection ended with an error");
                            }
                        }
                        _ = shutdown.started() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
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
