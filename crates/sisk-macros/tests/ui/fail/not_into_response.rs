use sisk::prelude::*;

struct User {
    name: String,
}

#[route_get("/user")]
async fn user(_req: HttpRequest) -> User {
    User { name: "ann".into() }
}

struct Users;

#[router_module]
impl Users {
    #[route_get("/users")]
    async fn list(&self) -> Vec<User> {
        Vec::new()
    }
}

fn main() {}
