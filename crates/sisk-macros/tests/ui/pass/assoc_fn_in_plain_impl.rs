//! An associated function (no `self`) of a plain impl is a free function as far as the
//! attribute goes: it becomes a route value of its own.

use sisk::prelude::*;

struct Api;

impl Api {
    #[route_get("/version")]
    async fn version(_req: HttpRequest) -> &'static str {
        "1"
    }
}

fn main() {
    let mut router = Router::new();
    router += Api::version;
    assert_eq!(router.routes()[0].path(), "/version");
}
