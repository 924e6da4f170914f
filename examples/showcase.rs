//! The live demo server: `cargo run --release --example showcase`.
//!
//! Listens on `SISK_LISTEN` (default `127.0.0.1:5555`) and prints its URL. Each route below
//! is a section of Sisk's "Server Sent Events" page, in Rust; `/` is a small live page built
//! on the browser's own `EventSource`. Routes are declared with attributes: free functions
//! for the one-off streams, and a router module (Sisk's controller style) for the
//! identified connections.

use std::time::Duration;

use sisk::prelude::*;

const PAGE: &str = include_str!("showcase/index.html");

/// The live page.
#[route_get("/")]
async fn page(_req: HttpRequest) -> HttpResponse {
    HttpResponse::html(PAGE)
}

/// Seed, "Creating an SSE connection": one message, then the server closes.
#[route_get("/sse/hello")]
async fn hello(req: HttpRequest) -> Result<HttpResponse, sisk::sse::Error> {
    let sse = req.get_event_source(None)?;
    sse.send("Hello, world!");
    Ok(sse.close())
}

/// Seed, "Appending headers": a header before the first message.
#[route_get("/sse/headers")]
async fn headers(req: HttpRequest) -> Result<HttpResponse, sisk::sse::Error> {
    let sse = req.get_event_source(None)?;
    sse.append_header("Header-Key", "Header-value")?;
    sse.send("Hello!");
    Ok(sse.close())
}

/// The identified connections (seed: "Wait-for-fail connections", "get by identifier",
/// `All()`), as a router module: Sisk's `RouterModule` with a `[RoutePrefix]`.
struct Connections;

#[router_module(prefix = "/sse/connections")]
impl Connections {
    /// `All()`, as a sorted JSON array of identifiers.
    #[route_get("/")]
    async fn list(&self, req: HttpRequest) -> HttpResponse {
        let mut ids: Vec<String> = req
            .event_sources()
            .all()
            .iter()
            .filter_map(|s| s.identifier().map(str::to_owned))
            .collect();
        ids.sort();
        let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
        HttpResponse::text(json)
            .with_header("content-type", "application/json")
            .unwrap_or_else(HttpResponse::from)
    }

    /// An identified connection that lives until the client leaves, it is closed from
    /// elsewhere, or `idle_ms` pass without a message.
    #[route_get("/<id>")]
    async fn open(&self, req: HttpRequest) -> Result<HttpResponse, sisk::sse::Error> {
        let id: String = req.route_parameters().get("id")?;
        let idle_ms: u64 = req.query().get_as("idle_ms")?.unwrap_or(15_000);
        let sse = req.get_event_source(id.as_str())?;
        sse.wait_for_fail(Duration::from_millis(idle_ms)).await;
        Ok(sse.close())
    }

    /// The body becomes one event on that connection (`event` and `id` from the query).
    #[route_post("/<id>")]
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, sisk::sse::Error> {
        let id: String = req.route_parameters().get("id")?;
        let mut event = Event::new().data(req.body_text().await?);
        if let Some(name) = req.query().get("event") {
            event = event.event(name);
        }
        if let Some(event_id) = req.query().get("id") {
            event = event.id(event_id);
        }
        event.validate()?;
        let taken = match req.event_sources().get_by_identifier(&id) {
            Some(sse) => sse.send_event(event)?,
            None => false,
        };
        Ok(if taken {
            HttpResponse::text("sent")
        } else {
            HttpResponse::text("no such connection").with_status(StatusCode::NOT_FOUND)
        })
    }

    /// Closes a connection from outside its handler (the browser may reconnect).
    #[route_delete("/<id>")]
    async fn close(&self, req: HttpRequest) -> Result<HttpResponse, sisk::Error> {
        let id: String = req.route_parameters().get("id")?;
        Ok(match req.event_sources().get_by_identifier(&id) {
            Some(sse) => {
                let _ = sse.close();
                HttpResponse::text("closed")
            }
            None => HttpResponse::text("no such connection").with_status(StatusCode::NOT_FOUND),
        })
    }
}

/// Seed, "Ping policy": comment pings every `interval_ms`, then wait for the client to leave.
#[route_get("/sse/ping")]
async fn ping(req: HttpRequest) -> Result<HttpResponse, sisk::sse::Error> {
    let interval_ms: u64 = req.query().get_as("interval_ms")?.unwrap_or(5_000);
    let id = req.query().get("id").map(str::to_owned);
    let sse = req.get_event_source(id.as_deref())?;
    sse.with_ping(|ping| {
        ping.data_message = "ping-message".into();
        ping.interval = Duration::from_millis(interval_ms.max(1));
        ping.start();
    });
    sse.keep_alive().await;
    Ok(sse.close())
}

/// Seed, "Querying connections": the body to every connection whose identifier starts with
/// `prefix`; answers how many took it.
#[route_post("/sse/broadcast")]
async fn broadcast(req: HttpRequest) -> Result<String, sisk::Error> {
    let prefix = req.query().get("prefix").unwrap_or_default().to_owned();
    let body = req.body_text().await?;
    let report = req
        .event_sources()
        .broadcast_where(|id| id.starts_with(&prefix), body);
    Ok(report.delivered.to_string())
}

pub(crate) fn router() -> Router {
    let mut router = Router::new();
    router += page;
    router += hello;
    router += headers;
    router += ping;
    router += broadcast;
    router.set_object(Connections);
    router
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::var("SISK_LISTEN").unwrap_or_else(|_| "127.0.0.1:5555".to_owned());
    let server = HttpServer::builder()
        .listen(listen)
        .router(router())
        .build()?;
    let running = server.start().await?;
    println!("sisk showcase listening on {}", running.url());
    tokio::signal::ctrl_c().await?;
    running.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
