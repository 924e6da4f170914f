use sisk::prelude::*;

struct Chat;

#[router_module(prefx = "/chat")]
impl Chat {
    #[route_get("/")]
    async fn index(&self) -> &'static str {
        "chat"
    }
}

fn main() {}
