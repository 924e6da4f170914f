//! Every form of route attribute on a free function, and every way to use the result.

use sisk::prelude::*;

fn log() -> RequestHandler {
    RequestHandler::before(|_req: HttpRequest| async { None })
}

/// Docs stay on the function.
#[route_get]
async fn index(_req: HttpRequest) -> &'static str {
    "home"
}

#[route_get("/users/<id>", name = "user", request_handlers = [log(), log()], cors = false)]
pub async fn user(req: HttpRequest) -> String {
    req.route_parameters().get_str("id").unwrap_or_default().to_owned()
}

#[route_post("/users", name = "create-user",)]
pub(crate) async fn create(req: HttpRequest) -> Result<HttpResponse, sisk::Error> {
    let body = req.body_text().await?;
    Ok(HttpResponse::text(body))
}

#[route_put("/files/<name>")]
async fn store(mut req: HttpRequest) -> impl IntoResponse {
    req = req.clone();
    (StatusCode::CREATED, req.path().to_owned())
}

#[route_patch(request_handlers = [log()])]
async fn patch(_: HttpRequest) {}

#[route_delete("/users/<id>")]
#[allow(clippy::unused_async)]
async fn remove(_req: HttpRequest) -> StatusCode {
    StatusCode::NO_CONTENT
}

#[route(RouteMethod::Post | RouteMethod::Put, "/items/<id>", name = "upsert")]
async fn upsert(_req: HttpRequest) -> &'static str {
    "upserted"
}

#[route(RouteMethod::Any, "/<<ANY>>")]
async fn fallback(_req: HttpRequest) -> StatusCode {
    StatusCode::NOT_FOUND
}

const METHODS: RouteMethod = RouteMethod::Head;

#[route(METHODS, r"/raw/<id>")]
async fn raw(_req: HttpRequest) -> Vec<u8> {
    Vec::new()
}

// A local variable with a route function's name is fine: the function stays a function.
fn shadowing() {
    let index = 1;
    let _ = index;
}

async fn call_directly(req: HttpRequest) -> String {
    // Still a plain async function, with its own output type.
    let user_id: String = user(req.clone()).await;
    let _: Result<HttpResponse, sisk::Error> = create(req).await;
    user_id
}

fn main() {
    shadowing();
    let _ = call_directly;
    let mut router = Router::new();
    router += index;
    router += user;
    router += create;
    router += store;
    router += patch;
    router += remove;
    router += upsert;
    router += fallback;
    router += raw;
    // Also usable as a plain handler.
    router += Route::get("/again", user);
    router.map_get("/again-too", index);
    assert_eq!(router.routes().len(), 11);
    assert_eq!(router.routes()[7].path(), Route::ANY_PATH);
}
