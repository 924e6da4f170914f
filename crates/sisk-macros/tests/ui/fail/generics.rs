use sisk::prelude::*;

#[route_get("/")]
async fn index<T: Default>(_req: HttpRequest) -> &'static str {
    "home"
}

fn main() {}
