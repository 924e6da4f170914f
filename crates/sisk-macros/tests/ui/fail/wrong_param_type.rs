use sisk::prelude::*;

#[route_post("/users")]
async fn create(body: String) -> String {
    body
}

fn main() {}
