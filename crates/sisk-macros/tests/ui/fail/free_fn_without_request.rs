use sisk::prelude::*;

#[route_get("/ping")]
async fn ping() -> &'static str {
    "pong"
}

fn main() {}
