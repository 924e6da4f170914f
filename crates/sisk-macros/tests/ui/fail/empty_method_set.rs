use sisk::prelude::*;

#[route(RouteMethod::empty(), "/")]
async fn nothing(_req: HttpRequest) -> &'static str {
    "never"
}

#[route(RouteMethod::Get & RouteMethod::Post, "/both")]
async fn both(_req: HttpRequest) -> &'static str {
    "never"
}

fn main() {}
