use sisk::prelude::*;

struct Counter;

#[router_module]
impl Counter {
    #[route_get("/")]
    async fn get(self) -> &'static str {
        "moved"
    }
}

fn main() {}
