//! `HttpRequestEventSource`: one Server-Sent Events connection.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use parking_lot::Mutex;
use sisk_core::{HttpRequest, HttpResponse, ResponseStream, TryWriteError};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::collection::HttpEventSourceCollection;
use crate::ping::{HttpStreamPingPolicy, PingState};
use crate::{encode, CloseReason, Error, Event, SlowClientPolicy};

/// One Server-Sent Events connection (Sisk's `HttpRequestEventSource`).
///
/// Get one from a request with
/// [`req.get_event_source(None)`](crate::EventSourceRequestExt::get_event_source), or
/// `req.get_event_source("an-identifier")` to find it later through
/// [`server.event_sources()`](crate::EventSourceServerExt::event_sources). It is a cheap
/// `Clone` handle, `Send + Sync`: send from the handler, from other requests, from
/// background tasks. Dropping the last handle of a source that was not closed closes it
/// (Sisk's `using var sse = …`).
///
/// Sends never block and never panic: each event is encoded once and queued whole (one
/// event, one write, one chunk), and the call says whether the connection took it. The
/// queue is bounded; when a client stops reading, the [`SlowClientPolicy`] decides.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// // Sisk: var sse = req.GetEventSource(); sse.Send("Hello, world!"); return sse.Close();
/// async fn hello(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
///     let sse = req.get_event_source(None)?;
///     sse.send("Hello, world!");
///     Ok(sse.close())
/// }
/// ```
pub struct HttpRequestEventSource {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    identifier: Option<Arc<str>>,
    request: HttpRequest,
    stream: ResponseStream,
    collection: HttpEventSourceCollection,
    end: OnceLock<CloseReason>,
    ended: Notify,
    /// User handles alive; the last one dropped closes the source. The collection and the
    /// ping ticker hold the source without counting.
    handles: AtomicUsize,
    /// Whether the source is in the collection's map, so "unregistered" fires exactly once.
    registered: AtomicBool,
    sent: AtomicU64,
    /// When the source was made; `last_frame` counts from here.
    epoch: Instant,
    /// Nanoseconds after `epoch` of the last frame the application sent (pings excluded),
    /// recorded only while an idle wait runs: the clock is not read on every send.
    last_frame: AtomicU64,
    /// `wait_for_fail(idle)` calls in progress.
    idle_waiters: AtomicUsize,
    pub(crate) ping: Mutex<PingState>,
    slow_policy: Mutex<Option<SlowClientPolicy>>,
}

/// What happened to one frame handed to a connection.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Accepted,
    /// The queue was full and the policy kept the connection.
    Dropped,
    /// The source is closed (now, or before).
    Closed,
}

/// What kind of frame a send is, for the idle timer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameKind {
    Application,
    Ping,
}

impl HttpRequestEventSource {
    /// Takes `req`'s response over as an event stream and registers it (if identified).
    pub(crate) fn open(req: &HttpRequest, identifier: Option<&str>) -> Result<Self, Error> {
        let stream = req.response_stream()?;
        stream.append_header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        )?;
        stream.append_header(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        )?;
        stream.append_header(
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        )?;
        let collection = HttpEventSourceCollection::of(req.server());
        let inner = Arc::new(Inner {
            identifier: identifier.map(Arc::from),
            request: req.clone(),
            stream: stream.clone(),
            collection: collection.clone(),
            end: OnceLock::new(),
            ended: Notify::new(),
            handles: AtomicUsize::new(1),
            registered: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            epoch: Instant::now(),
            last_frame: AtomicU64::new(0),
            idle_waiters: AtomicUsize::new(0),
            ping: Mutex::new(PingState::default()),
            slow_policy: Mutex::new(None),
        });
        let weak = Arc::downgrade(&inner);
        stream.on_end(move |end| {
            if let Some(inner) = weak.upgrade() {
                inner.finish(CloseReason::from(end));
            }
        });
        collection.opened(&inner);
        Ok(Self { inner })
    }

    /// A counted handle to an existing source (for lookups and callbacks).
    pub(crate) fn from_inner(inner: &Arc<Inner>) -> Self {
        inner.handles.fetch_add(1, Ordering::Relaxed);
        Self {
            inner: inner.clone(),
        }
    }

    /// The identifier given at creation (Sisk's `Identifier`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source("user-7")?;
    /// assert_eq!(sse.identifier(), Some("user-7"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn identifier(&self) -> Option<&str> {
        self.inner.identifier.as_deref()
    }

    /// Whether the connection is still open for events (Sisk's `IsActive`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// assert!(sse.is_active());
    /// let _ = sse.close();
    /// assert!(!sse.is_active() && !sse.send("too late"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_active(&self) -> bool {
        self.inner.is_active()
    }

    /// How the source ended, once it has.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// assert_eq!(sse.close_reason(), None);
    /// let _ = sse.close();
    /// assert_eq!(sse.close_reason(), Some(CloseReason::Closed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.inner.end.get().copied()
    }

    /// Bytes of event-stream text the connection took, pings included (Sisk's
    /// `SentContentLength`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// sse.send("hi");
    /// assert_eq!(sse.sent_content_length(), "data: hi\n\n".len() as u64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sent_content_length(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    /// The request that opened this source (Sisk's `HttpRequest`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// assert_eq!(sse.http_request().path(), "/sse");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_request(&self) -> &HttpRequest {
        &self.inner.request
    }

    /// Appends a response header (Sisk's `AppendHeader`); only before the head is sent, which
    /// happens at the first event, ping, wait or close.
    ///
    /// # Errors
    ///
    /// [`Error::Http`] when the head was already sent
    /// ([`is_head_already_sent`](sisk_core::Error::is_head_already_sent)) or the name or value
    /// is invalid (a line break in a value, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::prelude::*;
    ///
    /// async fn with_header(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
    ///     let sse = req.get_event_source(None)?;
    ///     sse.append_header("Header-Key", "Header-value")?;
    ///     sse.send("Hello!");
    ///     Ok(sse.close())
    /// }
    /// ```
    pub fn append_header<N, V>(&self, name: N, value: V) -> Result<(), Error>
    where
        N: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
        sisk_core::Error: From<N::Error> + From<V::Error>,
    {
        Ok(self.inner.stream.append_header(name, value)?)
    }

    /// Sends `data` as one message event (Sisk's `Send`): `data: text\n\n` for one line, one
    /// `data:` line per line otherwise. Returns whether the connection took it; never blocks.
    ///
    /// `false` means the source is closed, or its queue was full (the client reads too
    /// slowly) and the [`SlowClientPolicy`] applied.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// assert!(sse.send("Hello, world!")); // data: Hello, world!\n\n
    /// assert!(sse.send("two\nlines")); // data: two\ndata: lines\n\n
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&self, data: impl AsRef<str>) -> bool {
        self.inner
            .push(encode::message(data.as_ref()), FrameKind::Application)
    }

    /// Sends `data`, waiting for room in the queue instead of applying the slow-client
    /// policy. Returns whether the connection took it (`false` once the source is closed).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// for n in 0..3 {
    ///     // Waits while the client is behind, instead of dropping or closing.
    ///     assert!(sse.send_async(format!("event {n}")).await);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_async(&self, data: impl AsRef<str>) -> bool {
        self.inner.push_async(encode::message(data.as_ref())).await
    }

    /// Sends a whole [`Event`] (type, id, retry, comments, multi-line data).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when the event has an invalid value; nothing is sent then.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::prelude::*;
    ///
    /// # fn f(sse: &HttpRequestEventSource) -> Result<(), sisk_sse::Error> {
    /// sse.send_event(Event::new().event("greet").id("42").data("Hello!"))?;
    /// # Ok(()) }
    /// ```
    pub fn send_event(&self, event: Event) -> Result<bool, Error> {
        Ok(self.inner.push(event.to_bytes()?, FrameKind::Application))
    }

    /// [`send_event`](Self::send_event), waiting for room in the queue.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when the event has an invalid value.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// let sent = sse.send_event_async(Event::new().event("report").data("done")).await?;
    /// assert!(sent);
    /// # Ok(()) }
    /// ```
    pub async fn send_event_async(&self, event: Event) -> Result<bool, Error> {
        Ok(self.inner.push_async(event.to_bytes()?).await)
    }

    /// Sends a comment (`: text`), which clients ignore.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// assert!(sse.send_comment("padding for old proxies"));
    /// assert_eq!(sse.sent_content_length(), ": padding for old proxies\n\n".len() as u64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_comment(&self, text: impl AsRef<str>) -> bool {
        self.inner
            .push(encode::comment(text.as_ref()), FrameKind::Application)
    }

    /// Configures and starts the ping policy (Sisk's `WithPing`): the callback gets the
    /// policy to change; `ping.start()` sends the first ping at once, then one per interval.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_sse::prelude::*;
    ///
    /// async fn events(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
    ///     let sse = req.get_event_source(None)?;
    ///     sse.with_ping(|ping| {
    ///         ping.data_message = "ping-message".into();
    ///         ping.interval = Duration::from_secs(5);
    ///         ping.start();
    ///     });
    ///     sse.keep_alive().await;
    ///     Ok(sse.close())
    /// }
    /// ```
    pub fn with_ping(&self, configure: impl FnOnce(&mut HttpStreamPingPolicy)) {
        let mut policy = HttpStreamPingPolicy::of(&self.inner);
        configure(&mut policy);
        policy.store();
    }

    /// Sets how many bytes may wait for this client before the slow-client policy applies
    /// (a client still reading may have up to eight times this, see
    /// [`ResponseStream::set_capacity`](sisk_core::ResponseStream::set_capacity)).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// sse.set_queue_capacity(1024 * 1024); // a client that may fall 1 MiB behind
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_queue_capacity(&self, bytes: usize) {
        self.inner.stream.set_capacity(bytes);
    }

    /// Overrides the collection's [`SlowClientPolicy`] for this source.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// use sisk_sse::SlowClientPolicy;
    ///
    /// let sse = req.get_event_source(None)?;
    /// sse.set_slow_client_policy(SlowClientPolicy::DropEvents); // this one only
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_slow_client_policy(&self, policy: SlowClientPolicy) {
        *self.inner.slow_policy.lock() = Some(policy);
    }

    /// Waits until the connection ends, or until `idle` passes with no event sent — then it
    /// closes the connection (Sisk's `WaitForFail`, in the documented meaning: the timer
    /// restarts at every event sent; pings keep the connection alive but do not count as
    /// activity). Sends the response head first, so a browser's `open` fires now.
    ///
    /// Returns how the connection ended; never panics, never fails. Several tasks may wait.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source("my-index-connection")?;
    /// let reason = sse.wait_for_fail(Duration::from_secs(15)).await; // nothing is sent for 15 s
    /// assert_eq!(reason, CloseReason::IdleTimeout);
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_fail(&self, idle: Duration) -> CloseReason {
        self.inner.wait(Some(idle)).await
    }

    /// Waits until the connection ends, with no time limit (Sisk's `KeepAlive()`). Sends the
    /// response head first, so a browser's `open` fires now.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source(None)?;
    /// let other = sse.clone();
    /// tokio::spawn(async move {
    ///     other.send("the last event");
    ///     let _ = other.close(); // from another task
    /// });
    /// assert_eq!(sse.keep_alive().await, CloseReason::Closed);
    /// # Ok(()) }
    /// ```
    pub async fn keep_alive(&self) -> CloseReason {
        self.inner.wait(None).await
    }

    /// Closes the connection from the server side and returns the response the handler
    /// returns (Sisk's `Close`). Callable from any task, any number of times: waiters wake
    /// with [`CloseReason::Closed`], the source leaves the collection, events already queued
    /// are still delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::prelude::*;
    ///
    /// async fn hello(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
    ///     let sse = req.get_event_source(None)?;
    ///     sse.send("Hello, world!");
    ///     Ok(sse.close()) // delivered, then the stream ends
    /// }
    /// ```
    pub fn close(&self) -> HttpResponse {
        self.inner.finish(CloseReason::Closed);
        self.inner.stream.close()
    }
}

impl Clone for HttpRequestEventSource {
    fn clone(&self) -> Self {
        Self::from_inner(&self.inner)
    }
}

impl Drop for HttpRequestEventSource {
    fn drop(&mut self) {
        if self.inner.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.inner.finish(CloseReason::Closed);
        }
    }
}

impl fmt::Debug for HttpRequestEventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequestEventSource")
            .field("identifier", &self.identifier())
            .field("active", &self.is_active())
            .field("sent_content_length", &self.sent_content_length())
            .finish_non_exhaustive()
    }
}

impl Inner {
    pub(crate) fn identifier(&self) -> Option<&Arc<str>> {
        self.identifier.as_ref()
    }

    pub(crate) fn is_active(&self) -> bool {
        self.end.get().is_none()
    }

    pub(crate) fn collection(&self) -> &HttpEventSourceCollection {
        &self.collection
    }

    pub(crate) fn set_registered(&self, registered: bool) -> bool {
        self.registered.swap(registered, Ordering::AcqRel)
    }

    /// Queues one encoded frame; whether the connection took it.
    pub(crate) fn push(self: &Arc<Self>, frame: Bytes, kind: FrameKind) -> bool {
        self.deliver(frame, kind) == Delivery::Accepted
    }

    /// Queues one encoded frame; the slow-client policy applies when the queue is full.
    pub(crate) fn deliver(self: &Arc<Self>, frame: Bytes, kind: FrameKind) -> Delivery {
        if !self.is_active() {
            return Delivery::Closed;
        }
        let len = frame.len() as u64;
        match self.stream.try_write(frame) {
            Ok(()) => {
                self.sent(len, kind);
                Delivery::Accepted
            }
            Err(TryWriteError::Full) => {
                let policy = self
                    .slow_policy
                    .lock()
                    .unwrap_or_else(|| self.collection.slow_client_policy());
                if policy == SlowClientPolicy::DropEvents {
                    self.collection.count_dropped();
                    return Delivery::Dropped;
                }
                if self.finish(CloseReason::SlowClient) {
                    self.collection.count_slow_closed();
                }
                Delivery::Closed
            }
            Err(_) => Delivery::Closed,
        }
    }

    async fn push_async(&self, frame: Bytes) -> bool {
        if !self.is_active() {
            return false;
        }
        let len = frame.len() as u64;
        let accepted = self.stream.write(frame).await.is_ok();
        if accepted {
            self.sent(len, FrameKind::Application);
        }
        accepted
    }

    fn sent(&self, len: u64, kind: FrameKind) {
        self.sent.fetch_add(len, Ordering::Relaxed);
        if kind == FrameKind::Application && self.idle_waiters.load(Ordering::Acquire) > 0 {
            let nanos = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.last_frame.store(nanos, Ordering::Relaxed);
        }
    }

    fn last_frame_at(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_frame.load(Ordering::Relaxed))
    }

    async fn wait(self: &Arc<Self>, idle: Option<Duration>) -> CloseReason {
        let _ = self.stream.commit();
        let Some(idle) = idle else {
            return self.ended().await;
        };
        self.idle_waiters.fetch_add(1, Ordering::AcqRel);
        // Frames sent before this call do not matter: the idle period starts now at the
        // earliest.
        let started = Instant::now();
        let reason = loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if let Some(reason) = self.end.get() {
                break *reason;
            }
            let deadline = self.last_frame_at().max(started) + idle;
            if Instant::now() >= deadline {
                self.finish(CloseReason::IdleTimeout);
                continue;
            }
            tokio::select! {
                () = &mut ended => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        };
        self.idle_waiters.fetch_sub(1, Ordering::AcqRel);
        reason
    }

    /// Resolves once the source has ended, with the reason.
    async fn ended(&self) -> CloseReason {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if let Some(reason) = self.end.get() {
                return *reason;
            }
            ended.await;
        }
    }

    /// Ends the source for `reason` unless it already ended; returns whether this call did.
    /// Every way a source ends comes through here, so all of them behave the same.
    pub(crate) fn finish(self: &Arc<Self>, reason: CloseReason) -> bool {
        if self.end.set(reason).is_err() {
            return false;
        }
        match reason {
            CloseReason::SlowClient => self.stream.abort(),
            _ => {
                let _ = self.stream.close();
            }
        }
        self.collection.closed(self);
        self.ended.notify_waiters();
        true
    }
}
