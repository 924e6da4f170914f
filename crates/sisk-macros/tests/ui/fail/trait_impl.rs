use sisk::prelude::*;

struct Chat;

trait Greeter {
    fn greet(&self) -> &'static str;
}

#[router_module]
impl Greeter for Chat {
    fn greet(&self) -> &'static str {
        "hi"
    }
}

fn main() {}
