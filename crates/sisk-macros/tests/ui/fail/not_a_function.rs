use sisk::prelude::*;

#[route_get("/")]
struct Index;

fn main() {}
