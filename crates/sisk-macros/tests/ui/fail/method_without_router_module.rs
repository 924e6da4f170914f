use sisk::prelude::*;

struct Chat;

impl Chat {
    #[route_get("/chat")]
    async fn index(&self, _req: HttpRequest) -> &'static str {
        "chat"
    }
}

fn main() {}
