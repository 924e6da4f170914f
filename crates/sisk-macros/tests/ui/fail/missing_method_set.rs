use sisk::prelude::*;

#[route("/")]
async fn index(_req: HttpRequest) -> &'static str {
    "home"
}

fn main() {}
