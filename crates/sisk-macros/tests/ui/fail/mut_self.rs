use sisk::prelude::*;

struct Counter {
    hits: u64,
}

#[router_module(prefix = "/counter")]
impl Counter {
    #[route_post("/hit")]
    async fn hit(&mut self) -> String {
        self.hits += 1;
        self.hits.to_string()
    }
}

fn main() {}
