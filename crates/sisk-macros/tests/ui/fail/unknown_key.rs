use sisk::prelude::*;

#[route_get("/", nmae = "index")]
async fn index(_req: HttpRequest) -> &'static str {
    "home"
}

fn main() {}
