use sisk::prelude::*;

#[route_get("/users/<id>")]
async fn user(req: HttpRequest, id: u64) -> String {
    format!("{} {id}", req.path())
}

fn main() {}
