//! `GET /hello` over one keep-alive loopback connection: sisk with the 3 contract routes,
//! sisk with 50 routes (the bench server's table), and the lean hyper baseline (no router).
//!
//! Each iteration is a whole round trip (write, server work, read), so loopback and
//! scheduling dominate; the differences between the three are what routing and the
//! framework add.

// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use criterion::{criterion_group, criterion_main, Criterion};
use sisk::prelude::*;

const REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";

fn sisk_router(fillers: usize) -> Router {
    let mut router = Router::new();
    router += Route::get("/sse", || async { HttpResponse::text("not in this bench") });
    router += Route::post("/broadcast", || async { HttpResponse::text("0") });
    router += Route::get("/hello", || async { HttpResponse::text("Hello, world!") });
    for i in 0..fillers {
        router += Route::get(sisk_benches::filler_path(i, "<id>"), || async {
            HttpResponse::text("filler")
        });
    }
    router
}

/// A blocking client that sends `GET /hello` and reads the whole response.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn new(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Client {
            stream,
            buf: vec![0; 4096],
        }
    }

    fn hello(&mut self) -> usize {
        self.stream.write_all(REQUEST).expect("write");
        let mut filled = 0;
        loop {
            let n = self.stream.read(&mut self.buf[filled..]).expect("read");
            assert!(n > 0, "the server closed the connection");
            filled += n;
            if self.buf[..filled].ends_with(b"Hello, world!") {
                return filled;
            }
        }
    }
}

fn routing(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut group = c.benchmark_group("get_hello_round_trip");
    for (name, fillers) in [
        ("sisk_3_routes", 0),
        ("sisk_50_routes", sisk_benches::FILLER_ROUTES),
    ] {
        let running = runtime.block_on(async {
            HttpServer::builder()
                .listen("127.0.0.1:0")
                .router(sisk_router(fillers))
                .build()
                .expect("a server")
                .start()
                .await
                .expect("it starts")
        });
        let mut client = Client::new(running.local_addr());
        group.bench_function(name, |b| b.iter(|| client.hello()));
        drop(client);
        runtime.block_on(running.shutdown(std::time::Duration::from_secs(1)));
    }
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("an address");
    runtime.spawn(sisk_benches::baseline::hyper::serve(listener));
    let mut client = Client::new(addr);
    group.bench_function("hyper_baseline", |b| b.iter(|| client.hello()));
    group.finish();
}

criterion_group!(benches, routing);
criterion_main!(benches);
