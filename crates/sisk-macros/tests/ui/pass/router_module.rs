//! Every form a `#[router_module]` impl takes: keys, handler shapes, hooks, registration.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sisk::prelude::*;

fn log() -> RequestHandler {
    RequestHandler::before(|_req: HttpRequest| async { None })
}

#[derive(Default)]
struct Chat {
    setups: AtomicUsize,
}

#[router_module(prefix = "/chat", request_handlers = [log()], on_setup = setup)]
impl Chat {
    /// A `&self` method with the request.
    #[route_get("/<room>/events", name = "events")]
    async fn events(&self, req: HttpRequest) -> HttpResponse {
        HttpResponse::text(req.route_parameters().get_str("room").unwrap_or_default().to_owned())
    }

    #[route(RouteMethod::Post | RouteMethod::Put, "/<room>", request_handlers = [log()])]
    async fn post(&self, _req: HttpRequest) -> Result<String, sisk::Error> {
        Ok(self.setups.load(Ordering::Relaxed).to_string())
    }

    /// Parameterless, default path: the prefix alone.
    #[route_get]
    async fn index(&self) -> &'static str {
        "chat"
    }

    /// An associated function, and two routes on one method.
    #[route_delete("/a")]
    #[sisk::route_patch("/b", cors = false)]
    async fn assoc(_req: HttpRequest) -> impl IntoResponse {
        StatusCode::NO_CONTENT
    }

    /// `self: Arc<Self>`, to move the module into a task.
    #[route_put("/spawn")]
    async fn spawn(self: Arc<Self>) -> String {
        let module = Arc::clone(&self);
        tokio::spawn(async move { module.setups.load(Ordering::Relaxed) })
            .await
            .unwrap_or_default()
            .to_string()
    }

    #[route_post("/unit")]
    async fn unit(&self, _req: HttpRequest) {}

    fn setup(&self, router: &mut Router) {
        self.setups.fetch_add(1, Ordering::Relaxed);
        router.map_get("/setup", || async { "set up" });
    }

    /// Not a route: an ordinary method, still callable.
    fn helper(&self) -> usize {
        self.setups.load(Ordering::Relaxed)
    }
}

struct Plain;

/// No arguments at all, and the conventional `on_setup` hook.
#[router_module]
impl Plain {
    #[route_get("/plain")]
    async fn plain() -> &'static str {
        "plain"
    }

    fn on_setup(&self, router: &mut Router) {
        router.map_get("/plain-setup", || async { "ok" });
    }
}

struct Generic<T>(T);

#[router_module(prefix = "/generic/")]
impl<T: Send + Sync + 'static> Generic<T> {
    #[route_get("/")]
    async fn get(&self) -> &'static str {
        let _ = &self.0;
        "generic"
    }
}

struct Empty;

#[router_module(prefix = "/empty")]
impl Empty {}

fn main() {
    let chat = Chat::default();
    assert_eq!(chat.helper(), 0);
    let mut router = Router::new();
    router.set_object(chat);
    router.map_instance(Plain);
    router.set_object_arc(Arc::new(Generic(1u8)));
    router.set_object(Empty);
    let paths: Vec<_> = router.routes().iter().map(|r| r.path()).collect();
    assert_eq!(
        paths,
        [
            "/setup",
            "/chat/<room>/events",
            "/chat/<room>",
            "/chat",
            "/chat/a",
            "/chat/b",
            "/chat/spawn",
            "/chat/unit",
            "/plain-setup",
            "/plain",
            "/generic",
        ]
    );
}
