use sisk::prelude::*;

#[route_get("/users/<id>/friends/<id>")]
async fn friend(_req: HttpRequest) -> &'static str {
    "friend"
}

fn main() {}
