//! The lean hand-rolled hyper 1.x baseline server on `BENCH_ADDR` (default
//! `127.0.0.1:3000`); see `sisk_benches::baseline::hyper`.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "hyper baseline listening on http://{}",
        listener.local_addr()?
    );
    sisk_benches::baseline::hyper::serve(listener).await
}
