use sisk::prelude::*;

#[route_get("/", name = "a", name = "b")]
async fn index(_req: HttpRequest) -> &'static str {
    "home"
}

fn main() {}
