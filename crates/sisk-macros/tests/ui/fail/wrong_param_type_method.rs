use sisk::prelude::*;

struct Users;

#[router_module(prefix = "/users")]
impl Users {
    #[route_get("/<id>")]
    async fn get(&self, id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
