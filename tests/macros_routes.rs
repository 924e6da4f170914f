//! Attribute routes and router modules over real sockets: the routes `#[route_*]` and
//! `#[router_module]` declare answer the right paths and methods, route parameters reach
//! `&self` methods, and module request handlers run in the documented order.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sisk::prelude::*;
use support::*;

// ===== free functions =====

#[route_get]
async fn home(_req: HttpRequest) -> &'static str {
    "home"
}

#[route_get("/hello/<name>", name = "hello")]
async fn hello(req: HttpRequest) -> String {
    format!(
        "Hello, {}!",
        req.route_parameters().get_str("name").unwrap_or_default()
    )
}

#[route(RouteMethod::Post | RouteMethod::Put, "/items/<id>")]
async fn upsert(req: HttpRequest) -> Result<String, sisk::Error> {
    let id = req
        .route_parameters()
        .get_str("id")
        .unwrap_or_default()
        .to_owned();
    let body = req.body_text().await?;
    Ok(format!("{} {id}={body}", req.method()))
}

#[route_delete("/items/<id>")]
async fn remove(_req: HttpRequest) -> StatusCode {
    StatusCode::NO_CONTENT
}

#[route_patch("/items/<id>", request_handlers = [deny()])]
async fn patch(_req: HttpRequest) -> &'static str {
    "never reached"
}

fn deny() -> RequestHandler {
    RequestHandler::before(|_req: HttpRequest| async {
        Some(HttpResponse::text("denied").with_status(StatusCode::FORBIDDEN))
    })
}

#[tokio::test]
async fn attribute_routes_answer_their_paths_and_methods() {
    let mut router = Router::new();
    router += home;
    router += hello;
    router += upsert;
    router += remove;
    router += patch;
    let server = start(router).await;
    let addr = server.local_addr();

    let res = get(addr, "/").await;
    assert_eq!((res.status, res.text().as_str()), (200, "home"));
    let res = get(addr, "/hello/Ann").await;
    assert_eq!((res.status, res.text().as_str()), (200, "Hello, Ann!"));

    let res = send(addr, "POST", "/items/7", b"apple").await;
    assert_eq!((res.status, res.text().as_str()), (200, "POST 7=apple"));
    let res = send(addr, "PUT", "/items/8", b"pear").await;
    assert_eq!((res.status, res.text().as_str()), (200, "PUT 8=pear"));
    assert_eq!(send(addr, "DELETE", "/items/8", b"").await.status, 204);

    let res = get(addr, "/items/7").await;
    assert_eq!(res.status, 405);
    let allow = res.header("allow").unwrap_or_default();
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        assert!(
            allow.contains(method),
            "{method} missing from Allow: {allow}"
        );
    }
    assert_eq!(get(addr, "/hello").await.status, 404);
}

#[tokio::test]
async fn route_request_handlers_run_before_the_handler() {
    let mut router = Router::new();
    router += patch;
    let server = start(router).await;
    let res = send(server.local_addr(), "PATCH", "/items/1", b"").await;
    assert_eq!((res.status, res.text().as_str()), (403, "denied"));
}

#[tokio::test]
async fn a_route_function_stays_a_plain_async_function() {
    let server = HttpServer::builder()
        .router(Router::new())
        .build()
        .expect("server builds");
    let req = HttpRequest::detached(
        &server,
        sisk::http::Request::get("/hello/Bob")
            .body(Default::default())
            .expect("request"),
    );
    // No route matched it, so there are no route parameters: the handler's own fallback.
    assert_eq!(hello(req).await, "Hello, !");

    let mut router = Router::new();
    router += Route::get("/twice/<name>", hello);
    let server = start(router).await;
    assert_eq!(
        get(server.local_addr(), "/twice/Eve").await.text(),
        "Hello, Eve!"
    );
}

// ===== router modules =====

/// The order request handlers ran in, kept in the request's bag.
#[derive(Clone, Default)]
struct Trail(Arc<Mutex<Vec<&'static str>>>);

impl Trail {
    fn of(req: &HttpRequest) -> Trail {
        if let Some(trail) = req.bag().get::<Trail>() {
            return trail;
        }
        let trail = Trail::default();
        req.bag().set(trail.clone());
        trail
    }

    fn push(&self, step: &'static str) {
        self.0.lock().expect("trail lock").push(step);
    }

    fn joined(&self) -> String {
        self.0.lock().expect("trail lock").join(",")
    }
}

fn before(step: &'static str) -> RequestHandler {
    RequestHandler::before(move |req: HttpRequest| async move {
        Trail::of(&req).push(step);
        None
    })
}

fn after(step: &'static str) -> RequestHandler {
    RequestHandler::after(move |req: HttpRequest, mut res: HttpResponse| async move {
        let trail = Trail::of(&req);
        trail.push(step);
        let value = sisk::HeaderValue::from_str(&trail.joined()).expect("header value");
        res.headers_mut().insert("x-trail", value);
        res
    })
}

struct Chat {
    greeting: &'static str,
    posts: AtomicU64,
}

#[router_module(
    prefix = "/chat",
    request_handlers = [before("module-before"), after("module-after")],
)]
impl Chat {
    #[route_get("/<room>/events")]
    async fn events(&self, req: HttpRequest) -> String {
        format!(
            "{} {}",
            self.greeting,
            req.route_parameters().get_str("room").unwrap_or_default()
        )
    }

    #[route(RouteMethod::Post | RouteMethod::Put, "/<room>")]
    async fn post(&self, req: HttpRequest) -> String {
        let n = self.posts.fetch_add(1, Ordering::Relaxed) + 1;
        format!(
            "{} #{n} in {}",
            req.method(),
            req.route_parameters().get_str("room").unwrap_or_default()
        )
    }

    #[route_get]
    async fn index(&self) -> &'static str {
        "rooms"
    }

    #[route_get(
        "/trail",
        request_handlers = [before("route-before"), after("route-after")]
    )]
    async fn trail(req: HttpRequest) -> String {
        let trail = Trail::of(&req);
        trail.push("handler");
        trail.joined()
    }

    fn on_setup(&self, router: &mut Router) {
        router.map_get("/chat-setup", || async { "set up" });
    }
}

fn chat_router() -> Router {
    let mut router = Router::new();
    router.add_request_handler(before("global-before"));
    router.add_request_handler(after("global-after"));
    router.set_object(Chat {
        greeting: "welcome to",
        posts: AtomicU64::new(0),
    });
    router
}

#[tokio::test]
async fn module_routes_answer_under_the_prefix_with_the_module_state() {
    let server = start(chat_router()).await;
    let addr = server.local_addr();

    let res = get(addr, "/chat/lobby/events").await;
    assert_eq!((res.status, res.text().as_str()), (200, "welcome to lobby"));
    let res = get(addr, "/chat").await;
    assert_eq!((res.status, res.text().as_str()), (200, "rooms"));
    assert_eq!(get(addr, "/chat-setup").await.text(), "set up");

    let res = send(addr, "POST", "/chat/lobby", b"").await;
    assert_eq!(res.text(), "POST #1 in lobby");
    let res = send(addr, "PUT", "/chat/garden", b"").await;
    assert_eq!(res.text(), "PUT #2 in garden");
    assert_eq!(send(addr, "DELETE", "/chat/lobby", b"").await.status, 405);

    // Without the prefix, nothing.
    assert_eq!(get(addr, "/lobby/events").await.status, 404);
}

#[tokio::test]
async fn module_request_handlers_run_between_global_and_route_handlers() {
    let server = start(chat_router()).await;
    let res = get(server.local_addr(), "/chat/trail").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.text(),
        "global-before,module-before,route-before,handler"
    );
    assert_eq!(
        res.header("x-trail"),
        Some("global-before,module-before,route-before,handler,global-after,module-after,route-after")
    );
}

#[tokio::test]
async fn routes_added_by_on_setup_get_neither_prefix_nor_module_handlers() {
    let server = start(chat_router()).await;
    let res = get(server.local_addr(), "/chat-setup").await;
    assert_eq!(res.header("x-trail"), Some("global-before,global-after"));
}
