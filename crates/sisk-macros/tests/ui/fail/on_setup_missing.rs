use sisk::prelude::*;

struct Chat;

#[router_module(on_setup = setup)]
impl Chat {
    #[route_get("/")]
    async fn index(&self) -> &'static str {
        "chat"
    }
}

fn main() {
    // The module still implements `RouterModule`: no second error here.
    Router::new().set_object(Chat);
}
