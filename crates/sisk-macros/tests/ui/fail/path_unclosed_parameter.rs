use sisk::prelude::*;

#[route_get("/users/<id/posts")]
async fn posts(_req: HttpRequest) -> &'static str {
    "posts"
}

fn main() {}
