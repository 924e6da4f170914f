//! The idiomatic axum baseline server (`Sse` + `tokio::sync::broadcast`) on `BENCH_ADDR`
//! (default `127.0.0.1:3000`); see `sisk_benches::baseline::axum`.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "axum baseline listening on http://{}",
        listener.local_addr()?
    );
    sisk_benches::baseline::axum::serve(listener).await
}
