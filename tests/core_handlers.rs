//! What runs around and inside a route, over real sockets: request handlers and their order,
//! the CORS policy, and the request API a handler reads.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sisk::prelude::*;
use support::*;

/// The shared record request handlers and routes write their names into.
type Log = Arc<Mutex<Vec<&'static str>>>;

fn log_before(log: &Log, name: &'static str) -> RequestHandler {
    let log = log.clone();
    RequestHandler::before(move |_req: HttpRequest| {
        log.lock().unwrap().push(name);
        async { None }
    })
}

fn log_after(log: &Log, name: &'static str) -> RequestHandler {
    let log = log.clone();
    RequestHandler::after(move |_req: HttpRequest, res: HttpResponse| {
        log.lock().unwrap().push(name);
        async move {
            res.with_header("x-after", name)
                .expect("a valid header value")
        }
    })
}

fn taken(log: &Log) -> Vec<&'static str> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// Request handlers run in the documented order whatever order they were added in: global
/// before, route before, the route, global after, route after.
#[tokio::test]
async fn request_handlers_run_in_documented_order() {
    let log = Log::default();
    let mut router = Router::new();
    router.add_request_handler(log_after(&log, "global after"));
    router.add_request_handler(log_before(&log, "global before"));
    let route_log = log.clone();
    router += Route::get("/x", move || {
        route_log.lock().unwrap().push("route");
        async { "x" }
    })
    .with_request_handler(log_after(&log, "route after"))
    .with_request_handler(log_before(&log, "route before"));
    let server = start(router).await;

    let res = get(server.local_addr(), "/x").await;
    assert_eq!((res.status, res.text()), (200, "x".to_owned()));
    assert_eq!(
        taken(&log),
        [
            "global before",
            "route before",
            "route",
            "global after",
            "route after"
        ]
    );
    let trail: Vec<&str> = res
        .headers
        .iter()
        .filter(|(name, _)| name == "x-after")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(trail, ["global after", "route after"]);
}

/// A before handler that answers early skips the later before handlers and the route; the
/// after handlers still see its answer. Without the early answer the route runs.
#[tokio::test]
async fn before_handler_answering_early_skips_the_route() {
    let log = Log::default();
    let mut router = Router::new();
    let guard_log = log.clone();
    router.add_request_handler(RequestHandler::before(move |req: HttpRequest| {
        guard_log.lock().unwrap().push("guard");
        async move {
            match req.header("x-token") {
                Some("secret") => None,
                _ => Some(HttpResponse::text("no token").with_status(StatusCode::UNAUTHORIZED)),
            }
        }
    }));
    router.add_request_handler(log_after(&log, "global after"));
    let route_log = log.clone();
    router += Route::get("/x", move || {
        route_log.lock().unwrap().push("route");
        async { "x" }
    })
    .with_request_handler(log_before(&log, "route before"));
    let server = start(router).await;

    let res = get(server.local_addr(), "/x").await;
    assert_eq!((res.status, res.text()), (401, "no token".to_owned()));
    assert_eq!(res.header("x-after"), Some("global after"));
    assert_eq!(taken(&log), ["guard", "global after"]);

    let res = raw_request(
        server.local_addr(),
        "GET /x HTTP/1.1\r\nhost: x\r\nx-token: secret\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!((res.status, res.text()), (200, "x".to_owned()));
    assert_eq!(
        taken(&log),
        ["guard", "route before", "route", "global after"]
    );
}

/// A policy for one origin, with credentials, exposed headers, allowed headers and a max-age.
fn app_policy() -> CorsPolicy {
    CorsPolicy::new()
        .allow_origins(["https://app.test"])
        .allow_credentials(true)
        .allow_headers(["content-type", "x-token"])
        .expose_headers(["x-total"])
        .max_age(Duration::from_secs(600))
}

/// Routes for the CORS tests: a normal one, a streamed one, and one that opts out.
fn cors_router() -> Router {
    let mut router = Router::new();
    router += Route::new(RouteMethod::Get | RouteMethod::Post, "/data", || async {
        "data"
    });
    router += Route::get("/stream", |req: HttpRequest| async move {
        let stream = req.response_stream()?;
        stream.write("chunk").await?;
        Ok::<_, sisk::Error>(stream.close())
    });
    router += Route::get("/private", || async { "private" }).with_cors(false);
    router
}

/// A server on `cors_router()` under `policy`.
async fn cors_server(policy: CorsPolicy) -> sisk::RunningServer {
    start_with(HttpServer::builder().router(cors_router()).cors(policy)).await
}

fn request_from(origin: &str, method: &str, path: &str, extra: &str) -> String {
    format!("{method} {path} HTTP/1.1\r\nhost: x\r\norigin: {origin}\r\n{extra}connection: close\r\n\r\n")
}

/// A normal response gets the policy's headers for an allowed origin, and none for another.
#[tokio::test]
async fn cors_policy_applies_to_normal_responses() {
    let server = cors_server(app_policy()).await;
    let res = raw_request(
        server.local_addr(),
        &request_from("https://app.test", "GET", "/data", ""),
    )
    .await;
    assert_eq!((res.status, res.text()), (200, "data".to_owned()));
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.test")
    );
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(res.header("access-control-expose-headers"), Some("x-total"));
    assert_eq!(res.header("vary"), Some("origin"));
    assert_eq!(res.header("access-control-max-age"), None);

    let res = raw_request(
        server.local_addr(),
        &request_from("https://evil.test", "GET", "/data", ""),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), None);
    assert_eq!(res.header("access-control-allow-credentials"), None);
}

/// A streamed response gets the CORS headers in its head, as Sisk's SSE test expects
/// (`Access-Control-Allow-Origin: *` with an any-origin policy).
#[tokio::test]
async fn cors_policy_applies_to_streamed_responses() {
    let server = cors_server(CorsPolicy::new().allow_any_origin()).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(request_from("https://app.test", "GET", "/stream", "").as_bytes())
        .await;
    let head = conn.read_head().await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(head.header("access-control-allow-origin"), Some("*"));
    assert_eq!(conn.next_chunk().await.unwrap(), b"chunk");
    assert_eq!(conn.next_chunk().await, None);

    let server = cors_server(app_policy()).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(request_from("https://app.test", "GET", "/stream", "").as_bytes())
        .await;
    let head = conn.read_head().await;
    assert_eq!(
        head.header("access-control-allow-origin"),
        Some("https://app.test")
    );
    assert_eq!(
        head.header("access-control-allow-credentials"),
        Some("true")
    );
}

/// An OPTIONS preflight is answered with `Allow` and the preflight headers: the path's methods,
/// the allowed headers and the max-age.
#[tokio::test]
async fn cors_policy_answers_options_preflight() {
    let server = cors_server(app_policy()).await;
    let res = raw_request(
        server.local_addr(),
        &request_from(
            "https://app.test",
            "OPTIONS",
            "/data",
            "access-control-request-method: POST\r\naccess-control-request-headers: x-token\r\n",
        ),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("0"));
    assert_eq!(res.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.test")
    );
    assert_eq!(
        res.header("access-control-allow-methods"),
        Some("GET, POST, HEAD, OPTIONS")
    );
    assert_eq!(
        res.header("access-control-allow-headers"),
        Some("content-type, x-token")
    );
    assert_eq!(res.header("access-control-max-age"), Some("600"));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
}

/// A route with `with_cors(false)` gets no CORS headers, on its responses nor on the
/// automatic preflight for its path (Sisk: "with CORS headers unless the route disables them").
#[tokio::test]
async fn route_with_cors_disabled_gets_no_cors_headers() {
    let server = cors_server(CorsPolicy::new().allow_any_origin()).await;
    let res = raw_request(
        server.local_addr(),
        &request_from("https://app.test", "GET", "/private", ""),
    )
    .await;
    assert_eq!((res.status, res.text()), (200, "private".to_owned()));
    assert_eq!(res.header("access-control-allow-origin"), None);

    let res = raw_request(
        server.local_addr(),
        &request_from(
            "https://app.test",
            "OPTIONS",
            "/private",
            "access-control-request-method: GET\r\n",
        ),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(res.header("access-control-allow-origin"), None);
    assert_eq!(res.header("access-control-allow-methods"), None);
}

/// The query string is decoded (`+` and UTF-8 escapes), repeated keys are all kept, typed
/// access works, and a value that does not parse answers 400 naming the key.
#[tokio::test]
async fn query_is_decoded_and_typed_and_a_bad_value_answers_400() {
    let mut router = Router::new();
    router += Route::get("/q", |req: HttpRequest| async move {
        let q = req.query();
        let page: u32 = q.get_as("page")?.unwrap_or(1);
        let missing: Option<u32> = q.get_as("missing")?;
        Ok::<_, sisk::Error>(format!(
            "page={page} missing={missing:?} name={:?} tags={:?} flag={}",
            q.get("name"),
            q.get_all("tag").collect::<Vec<_>>(),
            q.contains("flag"),
        ))
    });
    let server = start(router).await;
    let res = get(
        server.local_addr(),
        "/q?page=2&name=J%C3%BCrgen+M&tag=a&tag=b%26c&flag",
    )
    .await;
    assert_eq!(
        res.text(),
        r#"page=2 missing=None name=Some("Jürgen M") tags=["a", "b&c"] flag=true"#
    );
    let res = get(server.local_addr(), "/q?page=two").await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.text(),
        "query parameter `page` has an invalid value `two`"
    );
}

/// Request cookies are read by name (percent-decoded, across several `Cookie` headers), and a
/// response cookie is written as one `Set-Cookie` header.
#[tokio::test]
async fn cookies_are_read_by_name_and_written_with_set_cookie() {
    let mut router = Router::new();
    router += Route::get("/c", |req: HttpRequest| async move {
        let all: Vec<String> = req.cookies().map(|(n, v)| format!("{n}={v}")).collect();
        HttpResponse::text(format!("session={:?} all={all:?}", req.cookie("session")))
            .with_cookie(&Cookie::build(("seen", "yes please")).path("/").build())
    });
    let server = start(router).await;
    let res = raw_request(
        server.local_addr(),
        "GET /c HTTP/1.1\r\nhost: x\r\ncookie: session=abc%20def; theme=dark\r\ncookie: lang=pt\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(
        res.text(),
        r#"session=Some("abc def") all=["session=abc def", "theme=dark", "lang=pt"]"#
    );
    assert_eq!(res.header("set-cookie"), Some("seen=yes%20please; Path=/"));
    assert_eq!(
        get(server.local_addr(), "/c").await.text(),
        "session=None all=[]"
    );
}

/// `body_text` returns the body as text, and answers 400 when it is not valid UTF-8.
#[tokio::test]
async fn body_text_with_invalid_utf8_answers_400() {
    let mut router = Router::new();
    router += Route::post("/echo", |req: HttpRequest| async move {
        req.body_text().await.map(|text| format!("got {text}"))
    });
    let server = start(router).await;
    let res = send(server.local_addr(), "POST", "/echo", "olá".as_bytes()).await;
    assert_eq!((res.status, res.text()), (200, "got olá".to_owned()));
    let res = send(server.local_addr(), "POST", "/echo", b"ol\xe1").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.text(), "the request body is not valid UTF-8");
}

/// A value a before handler puts in the request's bag is read by the route.
#[tokio::test]
async fn bag_value_set_by_a_before_handler_reaches_the_route() {
    #[derive(Clone)]
    struct User(String);

    let mut router = Router::new();
    router.add_request_handler(RequestHandler::before(|req: HttpRequest| async move {
        if let Some(name) = req.header("x-user") {
            req.bag().set(User(name.to_owned()));
        }
        None
    }));
    router += Route::get("/me", |req: HttpRequest| async move {
        match req.bag().get::<User>() {
            Some(User(name)) => format!("you are {name}"),
            None => "anonymous".to_owned(),
        }
    });
    let server = start(router).await;
    let res = raw_request(
        server.local_addr(),
        "GET /me HTTP/1.1\r\nhost: x\r\nx-user: ada\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(res.text(), "you are ada");
    assert_eq!(get(server.local_addr(), "/me").await.text(), "anonymous");
}

/// The request shows its method, path, full URL, headers and the client's socket address.
#[tokio::test]
async fn request_shows_method_path_url_headers_and_remote_address() {
    let mut router = Router::new();
    router += Route::any("/info/<id>", |req: HttpRequest| async move {
        format!(
            "{} {} {} {} {:?} {}",
            req.method(),
            req.path(),
            req.uri(),
            req.full_url(),
            req.header("x-a"),
            req.remote_address()
        )
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"PATCH /info/J%C3%BC?x=1 HTTP/1.1\r\nhost: example.test:8080\r\nx-a: b\r\ncontent-length: 0\r\n\r\n")
        .await;
    let res = conn.read_response(false).await;
    let client = conn.into_inner().local_addr().unwrap();
    assert_eq!(
        res.text(),
        format!(
            "PATCH /info/J%C3%BC /info/J%C3%BC?x=1 http://example.test:8080/info/J%C3%BC?x=1 Some(\"b\") {client}"
        )
    );
}

/// Each request gets its own id, also on one keep-alive connection.
#[tokio::test]
async fn request_id_differs_between_requests() {
    let mut router = Router::new();
    router += Route::get("/id", |req: HttpRequest| async move {
        req.request_id().to_string()
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        conn.send(b"GET /id HTTP/1.1\r\nhost: x\r\n\r\n").await;
        ids.push(conn.read_response(false).await.text());
    }
    ids.push(get(server.local_addr(), "/id").await.text());
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "ids {ids:?}");
}
