use sisk::prelude::*;

struct Rooms;

#[router_module(prefix = "/rooms/<id>")]
impl Rooms {
    #[route_get("/messages/<id>")]
    async fn message(&self) -> &'static str {
        "message"
    }
}

fn main() {}
