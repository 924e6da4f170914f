//! Generated code uses absolute paths only: nothing imported, and local items named like
//! sisk's (`Route`, `Arc`, `Vec`, `RouteMethod`, ...) change nothing.

#![allow(dead_code)]

struct Route;
struct Arc;
struct Vec;
struct RouteMethod;
struct HttpRequest;
struct IntoResponse;
struct Router;
mod std {}
mod sisk_core {}

#[sisk::route_get("/hygiene")]
async fn hygiene(_req: sisk::HttpRequest) -> &'static str {
    "clean"
}

#[sisk::route(sisk::RouteMethod::Get | sisk::RouteMethod::Head, "/methods")]
async fn methods(_req: sisk::HttpRequest) -> &'static str {
    "clean"
}

struct Module;

#[sisk::router_module(prefix = "/m")]
impl Module {
    #[sisk::route_get("/x")]
    async fn x(&self, _req: sisk::HttpRequest) -> &'static str {
        "clean"
    }
}

fn main() {
    let mut router = sisk::Router::new();
    router += hygiene;
    router += methods;
    router.set_object(Module);
    assert_eq!(router.routes().len(), 3);
}
