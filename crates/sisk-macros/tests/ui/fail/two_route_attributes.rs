use sisk::prelude::*;

#[route_get("/a")]
#[route_post("/a")]
async fn both(_req: HttpRequest) -> &'static str {
    "both"
}

fn main() {}
