use sisk::prelude::*;

#[route_get("/")]
fn index(_req: HttpRequest) -> &'static str {
    "home"
}

fn main() {}
