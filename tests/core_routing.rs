//! Sisk's routing model over real sockets: parameters and their decoding, path normalisation,
//! case, the any-path, prefixes, build-time errors, and the 404 / 405 / OPTIONS / HEAD answers.

mod support;

use sisk::prelude::*;
use sisk::{PathError, PathErrorKind};
use support::*;

/// A handler that answers with every route parameter, `name=value` joined by `|`.
async fn echo_params(req: HttpRequest) -> String {
    req.route_parameters()
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("|")
}

/// The error `build()` gives for `router`.
fn build_error(router: Router) -> sisk::Error {
    HttpServer::builder()
        .router(router)
        .build()
        .expect_err("the router must not build")
}

/// Parameters are URL-decoded: `+` is a space, UTF-8 percent-escapes become characters, and an
/// encoded `/` stays inside its segment.
#[tokio::test]
async fn parameters_are_url_decoded_with_plus_as_space_and_utf8_escapes() {
    let mut router = Router::new();
    router += Route::get("/hello/<name>/<n>", echo_params);
    let server = start(router).await;
    let res = get(server.local_addr(), "/hello/J%C3%BCrgen+M%C3%BCller/7").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.text(), "name=Jürgen Müller|n=7");
    let res = get(server.local_addr(), "/hello/a%2Fb%20c/%2B").await;
    assert_eq!(res.text(), "name=a/b c|n=+");
}

/// A parameter that is not valid UTF-8 once decoded answers 400 instead of reaching the route.
#[tokio::test]
async fn parameter_with_invalid_utf8_escape_answers_400() {
    let mut router = Router::new();
    router += Route::get("/x/<id>", echo_params);
    let server = start(router).await;
    let res = get(server.local_addr(), "/x/%FF").await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.text(),
        "the request path is not valid percent-encoded UTF-8"
    );
}

/// Empty segments and a trailing slash are ignored on both sides, as in Sisk.
#[tokio::test]
async fn trailing_slash_and_empty_segments_are_ignored() {
    let mut router = Router::new();
    router += Route::get("//a//<b>/", echo_params);
    router += Route::get("/", || async { "root" });
    let server = start(router).await;
    for path in ["/a/x", "/a/x/", "//a//x", "/a/x//"] {
        let res = get(server.local_addr(), path).await;
        assert_eq!((res.status, res.text()), (200, "b=x".to_owned()), "{path}");
    }
    assert_eq!(get(server.local_addr(), "//").await.text(), "root");
    assert_eq!(get(server.local_addr(), "/a").await.status, 404);
    assert_eq!(get(server.local_addr(), "/a/x/y").await.status, 404);
}

/// With case-insensitive matching, literal segments match in any case and parameter values
/// keep the case they were sent in; without it, case matters.
#[tokio::test]
async fn case_insensitive_router_matches_any_case_and_parameters_keep_theirs() {
    let mut router = Router::new();
    router.set_match_ignore_case(true);
    router += Route::get("/Users/<Id>", echo_params);
    let server = start(router).await;
    let res = get(server.local_addr(), "/uSERS/AbC").await;
    assert_eq!((res.status, res.text()), (200, "Id=AbC".to_owned()));

    let mut router = Router::new();
    router += Route::get("/Users/<Id>", echo_params);
    let server = start(router).await;
    assert_eq!(get(server.local_addr(), "/Users/AbC").await.status, 200);
    assert_eq!(get(server.local_addr(), "/users/AbC").await.status, 404);
}

/// `Route::ANY_PATH` answers every path and method no other route takes.
#[tokio::test]
async fn any_path_route_answers_what_no_other_route_takes() {
    let mut router = Router::new();
    router += Route::get("/x", || async { "x" });
    router += Route::any(Route::ANY_PATH, |req: HttpRequest| async move {
        format!("any {} {}", req.method(), req.path())
    });
    let server = start(router).await;
    assert_eq!(get(server.local_addr(), "/x").await.text(), "x");
    assert_eq!(
        get(server.local_addr(), "/a/b/c").await.text(),
        "any GET /a/b/c"
    );
    let res = send(server.local_addr(), "POST", "/x", b"").await;
    assert_eq!((res.status, res.text()), (200, "any POST /x".to_owned()));
}

/// A router prefix goes in front of every route path, and the bare paths no longer match.
#[tokio::test]
async fn router_prefix_applies_to_every_route() {
    let mut router = Router::new().with_prefix("/api/v1/");
    router += Route::get("/items/<id>", echo_params);
    router.map_post("/items", || async { "created" });
    let server = start(router).await;
    assert_eq!(
        get(server.local_addr(), "/api/v1/items/7").await.text(),
        "id=7"
    );
    let res = send(server.local_addr(), "POST", "/api/v1/items", b"").await;
    assert_eq!(res.text(), "created");
    assert_eq!(get(server.local_addr(), "/items/7").await.status, 404);
}

/// A typed parameter that does not parse, or a parameter the route lacks, answers 400 with a
/// message naming the parameter.
#[tokio::test]
async fn typed_parameter_error_answers_400_naming_the_parameter() {
    let mut router = Router::new();
    router += Route::get("/users/<id>", |req: HttpRequest| async move {
        let id: u64 = req.route_parameters().get("id")?;
        Ok::<_, sisk::Error>(format!("user {id}"))
    });
    router += Route::get("/missing/<id>", |req: HttpRequest| async move {
        let page: u32 = req.route_parameters().get("page")?;
        Ok::<_, sisk::Error>(format!("page {page}"))
    });
    let server = start(router).await;
    assert_eq!(
        get(server.local_addr(), "/users/42").await.text(),
        "user 42"
    );
    let res = get(server.local_addr(), "/users/4x2").await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        res.text(),
        "route parameter `id` has an invalid value `4x2`"
    );
    let res = get(server.local_addr(), "/missing/1").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.text(), "route parameter `page` is missing");
}

/// Two routes with the same path and an overlapping method fail `build()`, naming both.
#[test]
fn same_path_and_method_is_a_build_error() {
    let mut router = Router::new();
    router += Route::get("/a", || async { "1" });
    router += Route::new(RouteMethod::Get | RouteMethod::Post, "/a/", || async {
        "2"
    });
    let err = build_error(router);
    assert!(err.is_route_collision());
    assert!(err.is_route());
    assert_eq!(
        err.to_string(),
        "route `GET, POST /a/` collides with route `GET /a` (same path shape and an overlapping method)"
    );
}

/// Parameter names do not tell paths apart: `/u/<id>` and `/u/<name>` collide on one method,
/// and share the path on disjoint methods, each route seeing its own names.
#[tokio::test]
async fn same_shape_with_other_parameter_names_collides_unless_methods_differ() {
    let mut router = Router::new();
    router += Route::get("/u/<id>", echo_params);
    router += Route::get("/u/<name>", echo_params);
    let err = build_error(router);
    assert!(err.is_route_collision());
    assert_eq!(
        err.to_string(),
        "route `GET /u/<name>` collides with route `GET /u/<id>` (same path shape and an overlapping method)"
    );

    let mut router = Router::new();
    router += Route::get("/u/<id>", echo_params);
    router += Route::post("/u/<name>", echo_params);
    let server = start(router).await;
    assert_eq!(get(server.local_addr(), "/u/9").await.text(), "id=9");
    assert_eq!(
        send(server.local_addr(), "POST", "/u/9", b"").await.text(),
        "name=9"
    );
}

/// With case-insensitive matching, paths that differ only in case collide; without it they
/// are two routes.
#[tokio::test]
async fn paths_differing_only_in_case_collide_when_matching_ignores_case() {
    let mut router = Router::new();
    router.set_match_ignore_case(true);
    router += Route::get("/Items", || async { "1" });
    router += Route::get("/items", || async { "2" });
    assert!(build_error(router).is_route_collision());

    let mut router = Router::new();
    router += Route::get("/Items", || async { "1" });
    router += Route::get("/items", || async { "2" });
    let server = start(router).await;
    assert_eq!(get(server.local_addr(), "/Items").await.text(), "1");
    assert_eq!(get(server.local_addr(), "/items").await.text(), "2");
}

/// Two any-path routes with an overlapping method collide too.
#[test]
fn two_any_path_routes_collide() {
    let mut router = Router::new();
    router += Route::any(Route::ANY_PATH, || async { "1" });
    router += Route::get(Route::ANY_PATH, || async { "2" });
    assert!(build_error(router).is_route_collision());
}

/// An invalid route path, an invalid prefix and an empty method set fail `build()`, and the
/// path error says what is wrong and where.
#[test]
fn invalid_route_path_is_a_build_error_with_its_position() {
    let mut router = Router::new();
    router += Route::get("/users/<id", || async { "" });
    let err = build_error(router);
    assert!(err.is_route());
    assert!(!err.is_route_collision());
    assert_eq!(
        err.path_error(),
        Some(&PathError {
            index: 7,
            kind: PathErrorKind::UnclosedParameter
        })
    );
    assert_eq!(
        err.to_string(),
        "invalid route path `/users/<id`: expected `>` to close this `<` parameter (at byte 7)"
    );

    let mut router = Router::new();
    router += Route::get("no-slash", || async { "" });
    assert_eq!(
        build_error(router).path_error().map(|e| &e.kind),
        Some(&PathErrorKind::MissingLeadingSlash)
    );

    let router = Router::new().with_prefix("/api/a<b>");
    assert_eq!(
        build_error(router).path_error().map(|e| &e.kind),
        Some(&PathErrorKind::PartialSegment)
    );

    let mut router = Router::new();
    router += Route::new(RouteMethod::empty(), "/x", || async { "" });
    let err = build_error(router);
    assert!(err.is_route());
    assert_eq!(err.to_string(), "route `/x` has an empty method set");
}

/// A path no route matches answers an empty 404.
#[tokio::test]
async fn unknown_path_answers_empty_404() {
    let mut router = Router::new();
    router += Route::get("/x", || async { "x" });
    let server = start(router).await;
    let res = get(server.local_addr(), "/y").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.header("content-length"), Some("0"));
    assert_eq!(res.header("allow"), None);
    assert!(res.body.is_empty());
}

/// A matched path with the wrong method answers an empty 405 whose `Allow` lists the path's
/// methods (HEAD because of GET, and OPTIONS, which is always answered).
#[tokio::test]
async fn wrong_method_answers_405_with_exact_allow_header() {
    let mut router = Router::new();
    router += Route::get("/x", || async { "x" });
    router += Route::put("/x", || async { "put" });
    router += Route::post("/only-post", || async { "post" });
    let server = start(router).await;
    let res = send(server.local_addr(), "DELETE", "/x", b"").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, PUT, HEAD, OPTIONS"));
    assert_eq!(res.header("content-length"), Some("0"));
    let res = get(server.local_addr(), "/only-post").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("POST, OPTIONS"));
}

/// OPTIONS on a path without an OPTIONS route is answered with an empty 200 and `Allow`; an
/// OPTIONS route replaces that answer.
#[tokio::test]
async fn options_is_answered_automatically_with_allow() {
    let mut router = Router::new();
    router += Route::new(RouteMethod::Get | RouteMethod::Patch, "/x", || async {
        "x"
    });
    router += Route::get("/own", || async { "own" });
    router += Route::options("/own", || async { "custom options" });
    let server = start(router).await;
    let res = send(server.local_addr(), "OPTIONS", "/x", b"").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("allow"), Some("GET, PATCH, HEAD, OPTIONS"));
    assert_eq!(res.header("content-length"), Some("0"));
    let res = send(server.local_addr(), "OPTIONS", "/own", b"").await;
    assert_eq!((res.status, res.text()), (200, "custom options".to_owned()));
    assert_eq!(res.header("allow"), None);
    assert_eq!(
        send(server.local_addr(), "OPTIONS", "/none", b"")
            .await
            .status,
        404
    );
}

/// HEAD is served by the GET route: same status and headers, the GET body's length, no body
/// bytes (the next response on the connection starts right after the head).
#[tokio::test]
async fn head_is_served_by_get_route_with_its_content_length_and_no_body() {
    let mut router = Router::new();
    router += Route::get("/x", || async {
        HttpResponse::text("hello world").with_header("x-kind", "greeting")
    });
    let server = start(router).await;
    let mut conn = RawConn::connect(server.local_addr()).await;
    conn.send(b"HEAD /x HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let head = conn.read_response(true).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("11"));
    assert_eq!(
        head.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(head.header("x-kind"), Some("greeting"));
    conn.send(b"GET /x HTTP/1.1\r\nhost: x\r\n\r\n").await;
    let res = conn.read_response(false).await;
    assert_eq!((res.status, res.text()), (200, "hello world".to_owned()));
}

/// Custom not-found and method-not-allowed handlers answer instead of the empty defaults, and
/// the 405 answer still gets its `Allow` header.
#[tokio::test]
async fn custom_not_found_and_method_not_allowed_handlers_answer() {
    let mut router = Router::new();
    router += Route::get("/x", || async { "x" });
    router.set_not_found_handler(|req: HttpRequest| async move {
        HttpResponse::text(format!("nothing at {}", req.path())).with_status(StatusCode::NOT_FOUND)
    });
    router.set_method_not_allowed_handler(|req: HttpRequest| async move {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} is not allowed here", req.method()),
        )
    });
    let server = start(router).await;
    let res = get(server.local_addr(), "/nope").await;
    assert_eq!(
        (res.status, res.text()),
        (404, "nothing at /nope".to_owned())
    );
    let res = send(server.local_addr(), "PUT", "/x", b"").await;
    assert_eq!(
        (res.status, res.text()),
        (405, "PUT is not allowed here".to_owned())
    );
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
}

/// The router's error handler answers panics and 5xx errors, sees the error and the request,
/// and leaves 4xx answers alone.
#[tokio::test]
async fn custom_error_handler_answers_panics_and_server_errors() {
    let mut router = Router::new();
    router += Route::get("/panic", || async {
        if true {
            panic!("boom");
        }
        "unreachable"
    });
    router += Route::get("/bad-header", || async {
        HttpResponse::new().with_header("bad name", "x")
    });
    router += Route::get("/bad-param/<id>", |req: HttpRequest| async move {
        req.route_parameters()
            .get::<u8>("id")
            .map(|id| id.to_string())
    });
    router.set_error_handler(|err, req| {
        HttpResponse::text(format!(
            "{} failed: panic={} header={}",
            req.path(),
            err.is_handler_panic(),
            err.is_header()
        ))
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
    });
    let server = start(router).await;
    let res = get(server.local_addr(), "/panic").await;
    assert_eq!(
        (res.status, res.text()),
        (503, "/panic failed: panic=true header=false".to_owned())
    );
    let res = get(server.local_addr(), "/bad-header").await;
    assert_eq!(
        (res.status, res.text()),
        (
            503,
            "/bad-header failed: panic=false header=true".to_owned()
        )
    );
    let res = get(server.local_addr(), "/bad-param/300").await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.text(),
        "route parameter `id` has an invalid value `300`"
    );
}
