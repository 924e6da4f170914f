use sisk::prelude::*;

#[route_get("/users/<>")]
async fn user(_req: HttpRequest) -> &'static str {
    "user"
}

fn main() {}
