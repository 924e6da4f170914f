//! `HttpEventSourceCollection`: the server's live, identified event sources.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use sisk_core::HttpServer;

use crate::encode;
use crate::ping::PingScheduler;
use crate::source::{Delivery, FrameKind, HttpRequestEventSource, Inner};
use crate::SlowClientPolicy;

type Callback = Arc<dyn Fn(&HttpRequestEventSource) + Send + Sync>;

/// The server's live event sources (Sisk's `HttpServer.EventSources`): look one up by
/// identifier, find several by a predicate, broadcast, count.
///
/// Only sources opened with an identifier are listed; every source that ends, for whatever
/// reason, leaves at once (Sisk keeps failed ones as stale entries; this does not). Lookups
/// return snapshots and never hold a lock a sender needs: sending touches no collection lock
/// at all, and predicates and callbacks run with no lock held.
///
/// A new source with an identifier already in use replaces the old one (Sisk's rule): the old
/// one ends with [`CloseReason::Replaced`](crate::CloseReason::Replaced), its "unregistered"
/// callbacks run, then the new one's "registered" callbacks.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// fn notify(server: &HttpServer) {
///     let sources = server.event_sources();
///     // Sisk: server.EventSources.GetByIdentifier("my-index-connection")?.Send("Hello again!")
///     if let Some(sse) = sources.get_by_identifier("my-index-connection") {
///         sse.send("Hello again!");
///     }
///     // Sisk: foreach (var e in server.EventSources.Find(id => id.StartsWith("my-connection-")))
///     for sse in sources.find(|id| id.starts_with("my-connection-")) {
///         sse.send("Broadcasting to all event sources that starts with 'my-connection-'");
///     }
///     println!("{} identified, {} open", sources.len(), sources.active_connections());
/// }
/// ```
#[derive(Clone)]
pub struct HttpEventSourceCollection {
    inner: Arc<Shared>,
}

struct Shared {
    sources: RwLock<HashMap<Arc<str>, Arc<Inner>>>,
    /// Open sources, identified or not.
    active: AtomicUsize,
    on_registered: RwLock<Vec<Callback>>,
    on_unregistered: RwLock<Vec<Callback>>,
    pings: Arc<PingScheduler>,
    slow_policy: Mutex<SlowClientPolicy>,
    slow_closed: AtomicU64,
    dropped: AtomicU64,
}

/// What a broadcast did, connection by connection.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// # fn f(server: &HttpServer) {
/// let report = server.event_sources().broadcast("tick");
/// println!("{} delivered, {} not", report.delivered, report.not_delivered());
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BroadcastReport {
    /// Connections that took the event.
    pub delivered: usize,
    /// Connections whose queue was full and that kept the connection
    /// ([`SlowClientPolicy::DropEvents`]).
    pub dropped: usize,
    /// Connections that were closed, or that the slow-client policy closed now.
    pub closed: usize,
}

impl BroadcastReport {
    /// Connections that did not take the event.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _fast = open(Some("fast"))?;
    /// let slow = open(Some("slow"))?;
    /// slow.set_queue_capacity(8);
    /// slow.send("a backlog the client never reads");
    /// let report = server.event_sources().broadcast("tick");
    /// assert_eq!(report.delivered, 1);
    /// assert_eq!(report.not_delivered(), 1); // the slow one, closed by the default policy
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn not_delivered(&self) -> usize {
        self.dropped + self.closed
    }
}

impl HttpEventSourceCollection {
    /// The collection of `server` (one per server, made on first use).
    pub(crate) fn of(server: &HttpServer) -> Self {
        server
            .extensions()
            .get_or_insert_with(|| HttpEventSourceCollection {
                inner: Arc::new(Shared {
                    sources: RwLock::new(HashMap::new()),
                    active: AtomicUsize::new(0),
                    on_registered: RwLock::new(Vec::new()),
                    on_unregistered: RwLock::new(Vec::new()),
                    pings: Arc::new(PingScheduler::default()),
                    slow_policy: Mutex::new(SlowClientPolicy::default()),
                    slow_closed: AtomicU64::new(0),
                    dropped: AtomicU64::new(0),
                }),
            })
            .as_ref()
            .clone()
    }

    /// The open source registered under `identifier` (Sisk's `GetByIdentifier`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _sse = open(Some("user-7"))?;
    /// let sources = server.event_sources();
    /// if let Some(sse) = sources.get_by_identifier("user-7") {
    ///     assert!(sse.send("you have mail"));
    /// }
    /// assert!(sources.get_by_identifier("user-8").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_by_identifier(&self, identifier: &str) -> Option<HttpRequestEventSource> {
        let source = self.inner.sources.read().get(identifier).cloned()?;
        source
            .is_active()
            .then(|| HttpRequestEventSource::from_inner(&source))
    }

    /// The open sources whose identifier satisfies `predicate` (Sisk's `Find`), as a snapshot.
    /// The predicate runs with no lock held, so it may use the collection itself.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _a = open(Some("room-1/ada"))?;
    /// let _b = open(Some("room-1/bob"))?;
    /// let _c = open(Some("room-2/cy"))?;
    /// let room = server.event_sources().find(|id| id.starts_with("room-1/"));
    /// assert_eq!(room.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn find(&self, mut predicate: impl FnMut(&str) -> bool) -> Vec<HttpRequestEventSource> {
        self.snapshot()
            .into_iter()
            .filter(|s| s.identifier().is_some_and(|id| predicate(id)))
            .map(|s| HttpRequestEventSource::from_inner(&s))
            .collect()
    }

    /// Every open identified source (Sisk's `All()`), as a snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _a = open(Some("a"))?;
    /// let _anonymous = open(None)?; // never listed
    /// let all = server.event_sources().all();
    /// assert_eq!(all.iter().map(|s| s.identifier()).collect::<Vec<_>>(), [Some("a")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn all(&self) -> Vec<HttpRequestEventSource> {
        self.snapshot()
            .iter()
            .map(HttpRequestEventSource::from_inner)
            .collect()
    }

    /// How many identified sources are open (those `all()` lists).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let a = open(Some("a"))?;
    /// let _b = open(Some("b"))?;
    /// assert_eq!(server.event_sources().len(), 2);
    /// let _ = a.close(); // leaves at once
    /// assert_eq!(server.event_sources().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.inner.sources.read().len()
    }

    /// Whether no identified source is open.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// assert!(server.event_sources().is_empty());
    /// let _anonymous = open(None)?;
    /// assert!(server.event_sources().is_empty()); // only identified sources are listed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many event-source connections are open, identified or not (Sisk's
    /// `ActiveConnections`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _named = open(Some("named"))?;
    /// let _anonymous = open(None)?;
    /// assert_eq!(server.event_sources().active_connections(), 2);
    /// assert_eq!(server.event_sources().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn active_connections(&self) -> usize {
        self.inner.active.load(Ordering::Relaxed)
    }

    /// Sends `data` to every open identified source, encoding it once.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _a = open(Some("a"))?;
    /// let _b = open(Some("b"))?;
    /// let report = server.event_sources().broadcast("the server restarts in 5 minutes");
    /// assert_eq!(report.delivered, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn broadcast(&self, data: impl AsRef<str>) -> BroadcastReport {
        self.broadcast_where(|_| true, data)
    }

    /// Sends `data` to the open identified sources whose identifier satisfies `predicate`,
    /// encoding it once.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let _ada = open(Some("room-1/ada"))?;
    /// let _cy = open(Some("room-2/cy"))?;
    /// let sources = server.event_sources();
    /// let report = sources.broadcast_where(|id| id.starts_with("room-1/"), "hi, room 1");
    /// assert_eq!(report.delivered, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn broadcast_where(
        &self,
        mut predicate: impl FnMut(&str) -> bool,
        data: impl AsRef<str>,
    ) -> BroadcastReport {
        let frame = encode::message(data.as_ref());
        let mut report = BroadcastReport::default();
        for source in self.snapshot() {
            if !source.identifier().is_some_and(|id| predicate(id)) {
                continue;
            }
            match source.deliver(frame.clone(), FrameKind::Application) {
                Delivery::Accepted => report.delivered += 1,
                Delivery::Dropped => report.dropped += 1,
                Delivery::Closed => report.closed += 1,
            }
        }
        report
    }

    /// Closes every open identified source (Sisk's `DropAll`, but closing for real: each
    /// leaves the collection and its waiters wake with `Closed`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let a = open(Some("a"))?;
    /// server.event_sources().drop_all();
    /// assert_eq!(a.close_reason(), Some(CloseReason::Closed));
    /// assert!(server.event_sources().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drop_all(&self) {
        for source in self.snapshot() {
            source.finish(crate::CloseReason::Closed);
        }
    }

    /// Runs `callback` for each source added to the collection (Sisk's
    /// `OnEventSourceRegistered`), with no lock held.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// server.event_sources().on_registered(|sse| {
    ///     println!("{} connected", sse.identifier().unwrap_or("?"));
    ///     sse.send("welcome");
    /// });
    /// let sse = open(Some("ada"))?;
    /// assert!(sse.sent_content_length() > 0); // the welcome
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_registered(
        &self,
        callback: impl Fn(&HttpRequestEventSource) + Send + Sync + 'static,
    ) {
        self.inner.on_registered.write().push(Arc::new(callback));
    }

    /// Runs `callback` for each source that leaves the collection, whatever the reason
    /// (Sisk's `OnEventSourceUnregistration`), with no lock held.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// # use std::sync::Arc;
    ///
    /// let left = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&left);
    /// server.event_sources().on_unregistered(move |_sse| {
    ///     counter.fetch_add(1, Ordering::Relaxed);
    /// });
    /// let _ = open(Some("ada"))?.close();
    /// assert_eq!(left.load(Ordering::Relaxed), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_unregistered(
        &self,
        callback: impl Fn(&HttpRequestEventSource) + Send + Sync + 'static,
    ) {
        self.inner.on_unregistered.write().push(Arc::new(callback));
    }

    /// The policy for clients that read too slowly (default [`SlowClientPolicy::Close`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::prelude::*;
    /// use sisk_sse::SlowClientPolicy;
    ///
    /// let server = HttpServer::builder().build()?;
    /// // Live prices: a slow client may miss ticks, but keeps its connection.
    /// server.event_sources().set_slow_client_policy(SlowClientPolicy::DropEvents);
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn set_slow_client_policy(&self, policy: SlowClientPolicy) {
        *self.inner.slow_policy.lock() = policy;
    }

    /// The current slow-client policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::prelude::*;
    /// use sisk_sse::SlowClientPolicy;
    ///
    /// let server = HttpServer::builder().build()?;
    /// assert_eq!(server.event_sources().slow_client_policy(), SlowClientPolicy::Close);
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn slow_client_policy(&self) -> SlowClientPolicy {
        *self.inner.slow_policy.lock()
    }

    /// How many connections the slow-client policy closed so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// let sse = open(Some("slow"))?;
    /// sse.set_queue_capacity(8);
    /// sse.send("first"); // taken: the queue was empty
    /// assert!(!sse.send("second")); // the client read nothing: the queue is full
    /// assert_eq!(sse.close_reason(), Some(CloseReason::SlowClient));
    /// assert_eq!(server.event_sources().slow_clients_closed(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn slow_clients_closed(&self) -> u64 {
        self.inner.slow_closed.load(Ordering::Relaxed)
    }

    /// How many events were dropped for slow clients under [`SlowClientPolicy::DropEvents`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let open = |id: Option<&str>| -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(id)?)
    /// # };
    /// # use sisk_sse::SlowClientPolicy;
    /// server.event_sources().set_slow_client_policy(SlowClientPolicy::DropEvents);
    /// let sse = open(Some("slow"))?;
    /// sse.set_queue_capacity(8);
    /// sse.send("first"); // taken: the queue was empty
    /// assert!(!sse.send("second")); // dropped; the connection stays open
    /// assert!(sse.is_active());
    /// assert_eq!(server.event_sources().dropped_events(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dropped_events(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// How many ping timer tasks run: one per distinct ping interval in use, however many
    /// sources ping.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = HttpServer::builder().build()?;
    /// # let open = || -> Result<HttpRequestEventSource, Box<dyn std::error::Error>> {
    /// #     let req = http::Request::get("/sse").body(Bytes::new())?;
    /// #     Ok(HttpRequest::detached(&server, req).get_event_source(None)?)
    /// # };
    /// let (a, b) = (open()?, open()?);
    /// a.with_ping(|ping| ping.start_with("ping", Duration::from_secs(5)));
    /// b.with_ping(|ping| ping.start_with("ping", Duration::from_secs(5)));
    /// assert_eq!(server.event_sources().ping_tickers(), 1); // one timer for both
    /// # Ok(()) }
    /// ```
    pub fn ping_tickers(&self) -> usize {
        self.inner.pings.tickers()
    }

    fn snapshot(&self) -> Vec<Arc<Inner>> {
        self.inner.sources.read().values().cloned().collect()
    }

    pub(crate) fn pings(&self) -> &Arc<PingScheduler> {
        &self.inner.pings
    }

    pub(crate) fn count_slow_closed(&self) {
        self.inner.slow_closed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_dropped(&self) {
        self.inner.dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// A source was opened: count it, and register it if it has an identifier.
    pub(crate) fn opened(&self, source: &Arc<Inner>) {
        self.inner.active.fetch_add(1, Ordering::Relaxed);
        let Some(id) = source.identifier().cloned() else {
            return;
        };
        // Replace whoever holds the identifier: the old source ends (and fires its
        // "unregistered") before the new one is registered, as in Sisk.
        loop {
            let previous = self.inner.sources.write().remove(&id);
            match previous {
                Some(old) => {
                    old.finish(crate::CloseReason::Replaced);
                }
                None => {
                    let mut sources = self.inner.sources.write();
                    if sources.contains_key(&id) {
                        continue;
                    }
                    source.set_registered(true);
                    sources.insert(id, source.clone());
                    break;
                }
            }
        }
        if source.is_active() {
            self.fire(&self.inner.on_registered, source);
        }
    }

    /// A source ended: it leaves the map (if it is the one registered) and its
    /// "unregistered" callbacks run.
    pub(crate) fn closed(&self, source: &Arc<Inner>) {
        self.inner.active.fetch_sub(1, Ordering::Relaxed);
        if !source.set_registered(false) {
            return;
        }
        if let Some(id) = source.identifier() {
            let mut sources = self.inner.sources.write();
            // A replacement may already hold the identifier: remove only this source.
            if sources
                .get(id)
                .is_some_and(|entry| Arc::ptr_eq(entry, source))
            {
                sources.remove(id);
            }
        }
        self.fire(&self.inner.on_unregistered, source);
    }

    fn fire(&self, callbacks: &RwLock<Vec<Callback>>, source: &Arc<Inner>) {
        let callbacks = callbacks.read().clone();
        if callbacks.is_empty() {
            return;
        }
        let handle = HttpRequestEventSource::from_inner(source);
        for callback in callbacks {
            callback(&handle);
        }
    }
}

impl fmt::Debug for HttpEventSourceCollection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpEventSourceCollection")
            .field("len", &self.len())
            .field("active_connections", &self.active_connections())
            .field("slow_clients_closed", &self.slow_clients_closed())
            .finish_non_exhaustive()
    }
}
