//! Extension traits that give `HttpRequest` and `HttpServer` Sisk's event-source methods.

use sisk_core::{HttpRequest, HttpServer};

use crate::{Error, HttpEventSourceCollection, HttpRequestEventSource};

/// Sisk's event-source methods on [`HttpRequest`]; in scope with `use sisk::prelude::*;`.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// async fn events(req: HttpRequest) -> Result<HttpResponse, sisk_sse::Error> {
///     if let Some(last) = req.last_event_id() {
///         println!("the browser reconnects after event {last}");
///     }
///     let sse = req.get_event_source("my-index-connection")?;
///     sse.wait_for_fail(std::time::Duration::from_secs(15)).await;
///     Ok(sse.close())
/// }
/// ```
pub trait EventSourceRequestExt {
    /// Turns this request into an event-source connection (Sisk's `GetEventSource`), listed
    /// in the server's collection under `identifier` when one is given (`None` for an
    /// anonymous source). Any method and route may stream, as in Sisk.
    ///
    /// # Errors
    ///
    /// [`Error::Http`] with [`is_already_streaming`](sisk_core::Error::is_already_streaming)
    /// when the request already streams its response.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let sse = req.get_event_source("dashboard-7")?;
    /// assert_eq!(sse.identifier(), Some("dashboard-7"));
    /// assert!(server.event_sources().get_by_identifier("dashboard-7").is_some());
    /// assert!(req.get_event_source(None).is_err()); // one take-over per request
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn get_event_source<'a>(
        &self,
        identifier: impl Into<Option<&'a str>>,
    ) -> Result<HttpRequestEventSource, Error>;

    /// The server's event-source collection (same as `req.server().event_sources()`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/sse").body(Bytes::new())?);
    /// let _sse = req.get_event_source("me")?;
    /// assert_eq!(req.event_sources().len(), 1); // the same as server.event_sources()
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn event_sources(&self) -> HttpEventSourceCollection;

    /// The `Last-Event-ID` header a reconnecting browser sends: the id of the last event it
    /// received. `None` when absent, or when not valid UTF-8 or holding NUL (the id of such a
    /// value could never have been sent, so it is untrusted input to ignore).
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes};
    /// use sisk_sse::prelude::*;
    ///
    /// # let server = HttpServer::builder().build()?;
    /// let req = http::Request::get("/sse").header("last-event-id", "41").body(Bytes::new())?;
    /// let req = HttpRequest::detached(&server, req);
    /// assert_eq!(req.last_event_id(), Some("41")); // resume after event 41
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn last_event_id(&self) -> Option<&str>;
}

impl EventSourceRequestExt for HttpRequest {
    fn get_event_source<'a>(
        &self,
        identifier: impl Into<Option<&'a str>>,
    ) -> Result<HttpRequestEventSource, Error> {
        HttpRequestEventSource::open(self, identifier.into())
    }

    fn event_sources(&self) -> HttpEventSourceCollection {
        HttpEventSourceCollection::of(self.server())
    }

    fn last_event_id(&self) -> Option<&str> {
        self.headers()
            .get("last-event-id")
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter(|id| !id.contains('\0'))
    }
}

/// Sisk's `HttpServer.EventSources` on [`HttpServer`]; in scope with `use sisk::prelude::*;`.
///
/// # Examples
///
/// ```
/// use sisk_sse::prelude::*;
///
/// # fn f(server: &HttpServer) {
/// let report = server.event_sources().broadcast("the server says hi");
/// # }
/// ```
pub trait EventSourceServerExt {
    /// The server's event-source collection.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::prelude::*;
    ///
    /// let server = HttpServer::builder().build()?;
    /// let sources = server.event_sources(); // a cheap handle; one collection per server
    /// assert!(sources.is_empty());
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    fn event_sources(&self) -> HttpEventSourceCollection;
}

impl EventSourceServerExt for HttpServer {
    fn event_sources(&self) -> HttpEventSourceCollection {
        HttpEventSourceCollection::of(self)
    }
}
