use sisk::prelude::*;

// Every mistake of one item is reported at once.
#[route_get("users/<id>")]
fn user<T>(req: HttpRequest, _extra: T) -> String {
    req.path().to_owned()
}

fn main() {}
