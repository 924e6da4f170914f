//! Helpers shared by sisk-sse's socket-free tests.
// Each test crate uses a subset of them.
#![allow(dead_code)]

use bytes::Bytes;
use sisk_core::{http, HttpRequest, HttpServer};
use sisk_sse::prelude::*;

/// A server that is built but not bound.
pub(crate) fn server() -> HttpServer {
    HttpServer::builder().build().expect("server builds")
}

/// An event source on a request that came from no socket: its sends stay queued.
pub(crate) fn source(server: &HttpServer, id: Option<&str>) -> HttpRequestEventSource {
    let req = http::Request::get("/sse")
        .body(Bytes::new())
        .expect("request");
    HttpRequest::detached(server, req)
        .get_event_source(id)
        .expect("an event source")
}
