//! Streaming take-over: a handler sends the response head and then chunks while it keeps
//! running (DESIGN §3). sisk-sse builds Server-Sent Events on top of this.
//!
//! The handler writes into a bounded queue shared with the response body; the body hands
//! chunks to hyper as the connection takes them. The stream ends once, for one reason
//! ([`StreamEnd`]): the server closed it, the peer went away (hyper dropped the body after a
//! failed write or a hang-up), or the server is shutting down. Every waiter learns the same.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::task::AtomicWaker;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::StatusCode;
use parking_lot::Mutex;
use tokio::sync::Notify;

use super::HttpResponse;
use crate::error::{Error, Kind};
use crate::server::activity::Activity;
use crate::HttpServer;

/// A response taken over by its handler: head first, then chunks, while the handler runs on.
///
/// Get one with [`HttpRequest::response_stream`](crate::HttpRequest::response_stream). It is a
/// cheap `Clone` handle, `Send + Sync`: write from the handler, from other requests, from
/// background tasks. Writes go into a bounded queue (the server's
/// [`stream_buffer`](crate::HttpServerBuilder::stream_buffer), changeable per stream with
/// [`set_capacity`](Self::set_capacity)); [`try_write`](Self::try_write) never waits and says
/// when the queue is full, [`write`](Self::write) waits for room. A chunk is never split or
/// interleaved with another.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sisk_core::{HttpRequest, HttpResponse};
///
/// async fn ticks(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
///     let stream = req.response_stream()?;
///     stream.append_header("content-type", "text/plain")?;
///     stream.commit()?; // the client sees the head now
///     for i in 0..3 {
///         tokio::time::sleep(Duration::from_millis(10)).await;
///         stream.write(format!("tick {i}\n")).await?;
///     }
///     Ok(stream.close()) // code after this still runs; the client sees the end now
/// }
/// ```
#[derive(Clone)]
pub struct ResponseStream {
    shared: Arc<Shared>,
}

/// Why a stream ended.
///
/// # Examples
///
/// ```
/// use sisk_core::{ResponseStream, StreamEnd};
///
/// async fn watch(stream: ResponseStream) {
///     match stream.closed().await {
///         StreamEnd::Disconnected => println!("the client left"),
///         StreamEnd::Shutdown => println!("the server is stopping"),
///         other => println!("ended: {other:?}"),
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamEnd {
    /// The server side closed it: [`ResponseStream::close`], or its handler returned.
    Closed,
    /// The peer went away: a write failed or the connection was closed.
    Disconnected,
    /// The server is shutting down.
    Shutdown,
}

/// Why [`ResponseStream::try_write`] did not take a chunk.
///
/// # Examples
///
/// ```
/// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
/// # let server = HttpServer::builder().build()?;
/// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
/// use sisk_core::TryWriteError;
///
/// let stream = req.response_stream()?;
/// stream.set_capacity(4);
/// stream.try_write("abcd")?;
/// assert_eq!(stream.try_write("e"), Err(TryWriteError::Full)); // the peer has not read yet
/// let _ = stream.close();
/// assert_eq!(stream.try_write("e"), Err(TryWriteError::Closed));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TryWriteError {
    /// The queue is full: the peer reads slower than the stream is written (see
    /// [`ResponseStream::set_capacity`]).
    #[error("the stream's queue is full")]
    Full,
    /// The stream has ended.
    #[error("the stream is closed")]
    Closed,
}

pub(crate) struct Shared {
    id: u64,
    state: Mutex<State>,
    /// Wakes writers waiting for room (and tells them when the stream ends).
    room: Notify,
    /// Writers waiting in `write`; the body notifies `room` only when one waits, so the
    /// common path (nobody waits) takes no extra lock per chunk.
    room_waiters: AtomicUsize,
    /// Wakes tasks waiting in `closed()`.
    ended: Notify,
    /// The service future of the request, waiting to learn that the head is committed.
    service: AtomicWaker,
    committed: AtomicBool,
    /// Set by `abort` (under the state lock): the body fails instead of ending, so the
    /// connection is dropped. Atomic so the body can check it on every frame without the lock.
    aborted: AtomicBool,
    registry: Weak<StreamRegistry>,
    /// Run once, when the stream ends (see [`ResponseStream::on_end`]).
    on_end: Mutex<Vec<EndCallback>>,
    /// The connection's report, when it makes one (HTTP/1.1): whether the client reads.
    connection: Option<Arc<Activity>>,
}

type EndCallback = Box<dyn FnOnce(StreamEnd) + Send>;

/// How many times its capacity the queue of a client that is still reading may hold while
/// the connection catches up; a client whose socket is full gets its capacity only.
const READING_SLACK: usize = 8;

struct State {
    status: StatusCode,
    headers: HeaderMap,
    committed: bool,
    chunks: VecDeque<Bytes>,
    queued: usize,
    capacity: usize,
    written: u64,
    end: Option<StreamEnd>,
    body: Option<Waker>,
}

impl ResponseStream {
    pub(crate) fn new(server: &HttpServer, connection: Option<Arc<Activity>>) -> Self {
        let registry = server.stream_registry();
        Self {
            shared: Arc::new(Shared {
                id: registry.next_id(),
                state: Mutex::new(State {
                    status: StatusCode::OK,
                    headers: HeaderMap::new(),
                    committed: false,
                    chunks: VecDeque::new(),
                    queued: 0,
                    capacity: server.limits().stream_buffer,
                    written: 0,
                    end: None,
                    body: None,
                }),
                room: Notify::new(),
                room_waiters: AtomicUsize::new(0),
                ended: Notify::new(),
                service: AtomicWaker::new(),
                committed: AtomicBool::new(false),
                aborted: AtomicBool::new(false),
                registry: Arc::downgrade(registry),
                on_end: Mutex::new(Vec::new()),
                connection,
            }),
        }
    }

    /// Sets the status of the head (200 unless changed).
    ///
    /// # Errors
    ///
    /// [`Error::is_head_already_sent`] once the head is committed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// use sisk_core::StatusCode;
    ///
    /// let stream = req.response_stream()?;
    /// stream.set_status(StatusCode::ACCEPTED)?;
    /// stream.commit()?;
    /// assert!(stream.set_status(StatusCode::OK).is_err()); // the head is on its way
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_status(&self, status: StatusCode) -> Result<(), Error> {
        let mut state = self.shared.state.lock();
        if state.committed {
            return Err(Error::new(Kind::HeadAlreadySent));
        }
        state.status = status;
        Ok(())
    }

    /// Appends a header to the head (Sisk's `AppendHeader`: it adds, never replaces).
    ///
    /// # Errors
    ///
    /// [`Error::is_head_already_sent`] once the head is committed; [`Error::is_header`] for an
    /// invalid name or value (a line break in a value, say).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// stream.append_header("content-type", "text/plain; charset=utf-8")?;
    /// stream.append_header("x-tag", "a")?;
    /// stream.append_header("x-tag", "b")?; // both are sent
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append_header<N, V>(&self, name: N, value: V) -> Result<(), Error>
    where
        N: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
        Error: From<N::Error> + From<V::Error>,
    {
        let name = name.try_into()?;
        let value = value.try_into()?;
        let mut state = self.shared.state.lock();
        if state.committed {
            return Err(Error::new(Kind::HeadAlreadySent));
        }
        state.headers.append(name, value);
        Ok(())
    }

    /// Sets how many bytes may wait in the queue before [`try_write`](Self::try_write) reports
    /// [`TryWriteError::Full`]. A single chunk larger than this is still taken when the queue
    /// is empty, so no chunk is ever refused for its size alone.
    ///
    /// On HTTP/1.1 a client that is still reading (its socket took the connection's last
    /// write) may have up to eight times this queued: what waits then waits on the server,
    /// busy with other connections for a moment, and the client is not at fault. A client
    /// whose socket is full gets this capacity only.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// stream.set_capacity(1024 * 1024); // this client may fall 1 MiB behind
    /// stream.try_write(vec![0u8; 64 * 1024])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_capacity(&self, bytes: usize) {
        self.shared.state.lock().capacity = bytes;
        self.shared.room.notify_waiters();
    }

    /// Sends the head now, if it was not sent yet.
    ///
    /// # Errors
    ///
    /// [`Error::is_stream_closed`] when the stream ended before its head was committed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// stream.append_header("content-type", "text/plain")?;
    /// stream.commit()?; // the client gets the head now, before any chunk
    /// assert!(stream.is_committed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn commit(&self) -> Result<(), Error> {
        let mut state = self.shared.state.lock();
        if state.committed {
            return Ok(());
        }
        if state.end.is_some() {
            return Err(Error::new(Kind::StreamClosed));
        }
        let tracked = self.shared.commit_locked(&mut state);
        drop(state);
        self.shared.service.wake();
        if !tracked {
            self.shared.end(StreamEnd::Shutdown, false);
        }
        Ok(())
    }

    /// Whether the head was committed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// assert!(!stream.is_committed());
    /// stream.try_write("first chunk")?; // commits the head
    /// assert!(stream.is_committed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_committed(&self) -> bool {
        self.shared.committed.load(Ordering::Acquire)
    }

    /// Queues `chunk` without waiting, committing the head first if needed.
    ///
    /// # Errors
    ///
    /// [`TryWriteError::Full`] when the queue has no room (the peer reads too slowly),
    /// [`TryWriteError::Closed`] when the stream has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// use sisk_core::TryWriteError;
    ///
    /// let stream = req.response_stream()?;
    /// match stream.try_write("tick\n") {
    ///     Ok(()) => {}
    ///     Err(TryWriteError::Full) => println!("slow client: skip this tick"),
    ///     Err(TryWriteError::Closed) => println!("the stream has ended"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_write(&self, chunk: impl Into<Bytes>) -> Result<(), TryWriteError> {
        self.shared.try_write(chunk.into())
    }

    /// Queues `chunk`, waiting for room; commits the head first if needed.
    ///
    /// # Errors
    ///
    /// [`Error::is_stream_closed`] when the stream has ended (before or while waiting).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// for line in ["one\n", "two\n"] {
    ///     stream.write(line).await?; // waits while the queue is full
    /// }
    /// assert_eq!(stream.queued_bytes(), 8);
    /// # Ok(()) }
    /// ```
    pub async fn write(&self, chunk: impl Into<Bytes>) -> Result<(), Error> {
        let chunk = chunk.into();
        match self.shared.try_write(chunk.clone()) {
            Ok(()) => return Ok(()),
            Err(TryWriteError::Closed) => return Err(Error::new(Kind::StreamClosed)),
            Err(TryWriteError::Full) => {}
        }
        // Counted before the retry, so a chunk the body takes after it sees a waiter.
        self.shared.room_waiters.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            let room = self.shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            match self.shared.try_write(chunk.clone()) {
                Ok(()) => break Ok(()),
                Err(TryWriteError::Closed) => break Err(Error::new(Kind::StreamClosed)),
                Err(TryWriteError::Full) => room.await,
            }
        };
        self.shared.room_waiters.fetch_sub(1, Ordering::SeqCst);
        result
    }

    /// Ends the stream from the server side and returns the response the handler returns
    /// (Sisk's `Close`). Chunks already queued are still delivered; the head is committed if
    /// it was not. Calling it again does nothing more.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse};
    ///
    /// async fn once(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
    ///     let stream = req.response_stream()?;
    ///     stream.write("the only chunk").await?;
    ///     let response = stream.close(); // the client sees the end now
    ///     println!("cleaning up"); // still runs
    ///     Ok(response)
    /// }
    /// ```
    pub fn close(&self) -> HttpResponse {
        self.shared.end(StreamEnd::Closed, true);
        HttpResponse::stream_end()
    }

    /// Ends the stream and drops the connection without delivering what is still queued:
    /// for a peer that stopped reading, whose queue would otherwise wait forever. Waiters see
    /// [`StreamEnd::Closed`] (unless the stream had already ended).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// use sisk_core::StreamEnd;
    ///
    /// let stream = req.response_stream()?;
    /// stream.try_write("queued, never delivered")?;
    /// stream.abort();
    /// assert_eq!(stream.end_reason(), Some(StreamEnd::Closed));
    /// assert_eq!(stream.queued_bytes(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn abort(&self) {
        self.shared.end(StreamEnd::Closed, false);
        let body = {
            let mut state = self.shared.state.lock();
            self.shared.aborted.store(true, Ordering::Release);
            state.chunks.clear();
            state.queued = 0;
            state.body.take()
        };
        if let Some(body) = body {
            body.wake();
        }
    }

    /// Whether the stream has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// assert!(!stream.is_closed());
    /// let _ = stream.close();
    /// assert!(stream.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().end.is_some()
    }

    /// Why the stream ended, once it has.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// use sisk_core::StreamEnd;
    ///
    /// let stream = req.response_stream()?;
    /// assert_eq!(stream.end_reason(), None);
    /// let _ = stream.close();
    /// assert_eq!(stream.end_reason(), Some(StreamEnd::Closed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn end_reason(&self) -> Option<StreamEnd> {
        self.shared.state.lock().end
    }

    /// Waits until the stream ends, and says why. Any number of tasks may wait.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// use sisk_core::StreamEnd;
    ///
    /// let stream = req.response_stream()?;
    /// let watcher = tokio::spawn({
    ///     let stream = stream.clone();
    ///     async move { stream.closed().await }
    /// });
    /// let _ = stream.close();
    /// assert_eq!(watcher.await?, StreamEnd::Closed);
    /// # Ok(()) }
    /// ```
    pub async fn closed(&self) -> StreamEnd {
        loop {
            let ended = self.shared.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if let Some(end) = self.end_reason() {
                return end;
            }
            ended.await;
        }
    }

    /// Runs `callback` once when the stream ends, with the reason; at once if it already
    /// ended. It runs on whatever task ends the stream (possibly the connection's, as it
    /// drops the body), so it must be quick and must not block.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{HttpRequest, HttpResponse};
    ///
    /// async fn watched(req: HttpRequest) -> Result<HttpResponse, sisk_core::Error> {
    ///     let stream = req.response_stream()?;
    ///     stream.on_end(|reason| println!("stream ended: {reason:?}"));
    ///     stream.write("hello").await?;
    ///     Ok(stream.close())
    /// }
    /// ```
    pub fn on_end(&self, callback: impl FnOnce(StreamEnd) + Send + 'static) {
        let end = {
            let state = self.shared.state.lock();
            match state.end {
                Some(end) => end,
                None => {
                    // Registered under the state lock, so `end` cannot slip in between.
                    self.shared.on_end.lock().push(Box::new(callback));
                    return;
                }
            }
        };
        callback(end);
    }

    /// Bytes waiting in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// stream.try_write("hello")?;
    /// assert_eq!(stream.queued_bytes(), 5); // until the connection takes them
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn queued_bytes(&self) -> usize {
        self.shared.state.lock().queued
    }

    /// Bytes handed to the connection so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// stream.try_write("hello")?;
    /// // A detached request has no connection: nothing is handed over.
    /// assert_eq!(stream.written_bytes(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn written_bytes(&self) -> u64 {
        self.shared.state.lock().written
    }

    /// Whether two handles are the same stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// let stream = req.response_stream()?;
    /// let handle = stream.clone();
    /// assert!(handle.same_stream(&stream));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn same_stream(&self, other: &ResponseStream) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Shared {
    /// Marks the head committed and tracks the stream for shutdown. Returns `false` when
    /// the server is shutting down: the caller ends the stream once the lock is released.
    fn commit_locked(self: &Arc<Self>, state: &mut State) -> bool {
        state.committed = true;
        self.committed.store(true, Ordering::Release);
        self.registry
            .upgrade()
            .is_none_or(|registry| registry.insert(self))
    }

    fn try_write(self: &Arc<Self>, chunk: Bytes) -> Result<(), TryWriteError> {
        let mut state = self.state.lock();
        if state.end.is_some() {
            return Err(TryWriteError::Closed);
        }
        let queued = state.queued + chunk.len();
        if !state.chunks.is_empty() && queued > state.capacity {
            // Over the bound. A client whose socket took the last write is reading: the
            // queue waits on this server, busy elsewhere for a moment (a burst of writes to
            // other connections), not on the client. It may stretch, within a hard limit.
            let reading = self
                .connection
                .as_ref()
                .is_some_and(|c| c.client_takes_writes());
            if !reading || queued > state.capacity.saturating_mul(READING_SLACK) {
                return Err(TryWriteError::Full);
            }
        }
        let newly_committed = !state.committed;
        let tracked = !newly_committed || self.commit_locked(&mut state);
        state.queued += chunk.len();
        state.chunks.push_back(chunk);
        let body = state.body.take();
        drop(state);
        self.wake(body, newly_committed);
        if !tracked {
            // Committed during shutdown: this chunk is still delivered, then the stream ends.
            self.end(StreamEnd::Shutdown, false);
        }
        Ok(())
    }

    /// Ends the stream for `reason` unless it already ended; `commit` sends the head first
    /// (a closed stream still answers, with whatever was queued).
    pub(crate) fn end(self: &Arc<Self>, reason: StreamEnd, commit: bool) {
        let mut state = self.state.lock();
        if state.end.is_some() {
            return;
        }
        state.end = Some(reason);
        let newly_committed = commit && !state.committed;
        if newly_committed {
            // Ending anyway: whether shutdown tracks it no longer matters.
            let _ = self.commit_locked(&mut state);
        }
        if reason == StreamEnd::Disconnected {
            state.chunks.clear();
            state.queued = 0;
        }
        let body = state.body.take();
        drop(state);
        self.wake(body, newly_committed);
        self.room.notify_waiters();
        self.ended.notify_waiters();
        let callbacks = std::mem::take(&mut *self.on_end.lock());
        for callback in callbacks {
            callback(reason);
        }
    }

    /// Wakes the body (a chunk or the end is ready) and, after a commit, the service future
    /// waiting to send the head. Called with the state lock released.
    fn wake(&self, body: Option<Waker>, committed: bool) {
        if let Some(body) = body {
            body.wake();
        }
        if committed {
            self.service.wake();
        }
    }

    pub(crate) fn register_service(&self, waker: &Waker) {
        self.service.register(waker);
    }

    pub(crate) fn is_committed(&self) -> bool {
        self.committed.load(Ordering::Acquire)
    }

    /// The head to send; called once, by the service, after the commit.
    pub(crate) fn take_head(&self) -> (StatusCode, HeaderMap) {
        let mut state = self.state.lock();
        (state.status, std::mem::take(&mut state.headers))
    }

    /// Moves every queued chunk into `batch` at once (one lock per burst, not per chunk):
    /// `Some(Ok(()))` when chunks were moved, `None` at the end of the body, `Err` when aborted.
    /// `batch` must be empty; it and the queue swap their allocations.
    pub(crate) fn poll_batch(
        &self,
        cx: &mut Context<'_>,
        batch: &mut VecDeque<Bytes>,
    ) -> Poll<Option<Result<(), Aborted>>> {
        let mut state = self.state.lock();
        // Checked again under the lock: an abort since the body's own check has cleared the
        // queue and ended the stream, which must not read as a clean end.
        if self.is_aborted() {
            return Poll::Ready(Some(Err(Aborted)));
        }
        if !state.chunks.is_empty() {
            std::mem::swap(&mut state.chunks, batch);
            state.written += state.queued as u64;
            state.queued = 0;
            drop(state);
            if self.room_waiters.load(Ordering::SeqCst) > 0 {
                self.room.notify_waiters();
            }
            return Poll::Ready(Some(Ok(())));
        }
        if state.end.is_some() {
            return Poll::Ready(None);
        }
        if !state.body.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            state.body = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Whether `abort` was called: checked on every frame without the lock.
    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// The connection let go of the body: whatever it was doing, the peer is no longer read to.
    pub(crate) fn body_dropped(self: &Arc<Self>) {
        self.end(StreamEnd::Disconnected, false);
        if let Some(registry) = self.registry.upgrade() {
            registry.remove(self.id);
        }
    }
}

impl fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("ResponseStream")
            .field("committed", &state.committed)
            .field("queued", &state.queued)
            .field("capacity", &state.capacity)
            .field("end", &state.end)
            .finish_non_exhaustive()
    }
}

/// The body error that makes hyper drop an aborted stream's connection.
#[derive(Debug, thiserror::Error)]
#[error("the response stream was aborted")]
pub(crate) struct Aborted;

/// The server's open streams, so a shutdown can end them instead of waiting on them forever.
#[derive(Default)]
pub(crate) struct StreamRegistry {
    streams: Mutex<HashMap<u64, Weak<Shared>>>,
    next: AtomicU64,
    /// Set by `shutdown_all`: a stream committed afterwards ends at once.
    closing: AtomicBool,
}

impl StreamRegistry {
    fn next_id(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Tracks a committed stream; `false` when the server is shutting down (the caller then
    /// ends the stream).
    fn insert(&self, stream: &Arc<Shared>) -> bool {
        let mut streams = self.streams.lock();
        if self.closing.load(Ordering::Acquire) {
            return false;
        }
        streams.insert(stream.id, Arc::downgrade(stream));
        true
    }

    fn remove(&self, id: u64) {
        self.streams.lock().remove(&id);
    }

    /// Ends every open stream with [`StreamEnd::Shutdown`], and every stream committed from
    /// now on as soon as it is.
    pub(crate) fn shutdown_all(&self) {
        let streams: Vec<_> = {
            let mut streams = self.streams.lock();
            self.closing.store(true, Ordering::Release);
            streams.drain().filter_map(|(_, s)| s.upgrade()).collect()
        };
        for stream in streams {
            stream.end(StreamEnd::Shutdown, true);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.streams.lock().len()
    }
}

impl fmt::Debug for StreamRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamRegistry")
            .field("open", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPACITY: usize = 100;

    fn stream(connection: Option<Arc<Activity>>) -> ResponseStream {
        let server = HttpServer::builder()
            .stream_buffer(CAPACITY)
            .build()
            .unwrap();
        ResponseStream::new(&server, connection)
    }

    /// Queues 10-byte chunks until one is refused; returns the bytes queued.
    fn fill(stream: &ResponseStream) -> usize {
        while stream.try_write(vec![b'x'; 10]).is_ok() {}
        stream.queued_bytes()
    }

    #[test]
    fn a_stream_without_a_connection_report_holds_its_capacity() {
        assert_eq!(fill(&stream(None)), CAPACITY);
    }

    #[test]
    fn a_client_whose_socket_is_full_gets_its_capacity_only() {
        let connection = Activity::new(tokio::time::Instant::now());
        connection.note_write(false);
        assert_eq!(fill(&stream(Some(connection))), CAPACITY);
    }

    #[test]
    fn a_client_still_reading_may_fall_further_behind_within_the_hard_limit() {
        let connection = Activity::new(tokio::time::Instant::now());
        connection.note_write(true);
        let stream = stream(Some(connection.clone()));
        assert_eq!(fill(&stream), CAPACITY * READING_SLACK);
        // Once its socket refuses a write, the client is behind for good: nothing more fits.
        connection.note_write(false);
        assert_eq!(stream.try_write("x"), Err(TryWriteError::Full));
    }
}
