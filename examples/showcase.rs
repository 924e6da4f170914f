//! The live demo server: `cargo run --release --example showcase`.
//!
//! Listens on `SISK_LISTEN` (default `127.0.0.1:5555`) and prints its URL.

use sisk::prelude::*;

const PAGE: &str = include_str!("showcase/index.html");

fn router() -> Router {
    let mut router = Router::new();
    router += Route::get("/", || async { HttpResponse::html(PAGE) });
    router += Route::get("/hello/<name>", |req: HttpRequest| async move {
        format!(
            "Hello, {}!",
            req.route_parameters().get_str("name").unwrap_or("world")
        )
    });
    router
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::var("SISK_LISTEN").unwrap_or_else(|_| "127.0.0.1:5555".to_owned());
    let server = HttpServer::builder()
        .listen(listen)
        .router(router())
        .build()?;
    let running = server.start().await?;
    println!("sisk showcase listening on {}", running.url());
    tokio::signal::ctrl_c().await?;
    running.shutdown(std::time::Duration::from_secs(5)).await;
    Ok(())
}
