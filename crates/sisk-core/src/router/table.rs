//! The compiled route table: Sisk paths translated onto `matchit`, then a method check.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use fnv::FnvHashMap;
use http::Method;

use super::handler::BoxHandler;
use super::path::{PathPattern, Segment};
use super::{RequestHandler, Route, RouteMethod};
use crate::error::{Error, Kind};
use crate::request::RouteParameters;

/// A route after `build()`: its full path parsed, prefix applied, parameters located.
pub(crate) struct CompiledRoute {
    pub(crate) method: RouteMethod,
    pub(crate) pattern: PathPattern,
    pub(crate) name: Option<String>,
    pub(crate) handler: BoxHandler,
    pub(crate) request_handlers: Vec<RequestHandler>,
    pub(crate) use_cors: bool,
    /// For each parameter, its segment index and name; the name is shared by every request.
    params: Vec<(usize, Arc<str>)>,
    /// Whether a request of this route has taken its response over as a stream (see
    /// `server::service::prepare`).
    pub(crate) streams: AtomicBool,
}

/// All routes that share one path shape, and the union of their methods (for `Allow`).
struct Slot {
    routes: Vec<Arc<CompiledRoute>>,
    methods: RouteMethod,
    /// Whether a route of the path uses the CORS policy, so that the automatic `OPTIONS`
    /// answer carries the preflight headers (Sisk: unless the route disables them).
    use_cors: bool,
}

/// The route table a built server looks requests up in.
pub(crate) struct RouteTable {
    matcher: matchit::Router<usize>,
    slots: Vec<Slot>,
    any_path: Vec<Arc<CompiledRoute>>,
    ignore_case: bool,
    /// Slot of each table key, so routes of one shape share a slot.
    keys: HashMap<String, usize>,
    /// Slot of each path without parameters, found without walking the matcher's tree: the
    /// matcher prefers a literal match anyway, and most routes are literal.
    literal: FnvHashMap<Box<str>, usize>,
}

/// What a lookup found for a method and path.
pub(crate) enum Lookup<'a> {
    Route {
        route: &'a Arc<CompiledRoute>,
        params: RouteParameters,
    },
    /// The path exists, no route takes `OPTIONS`: answered automatically with these methods.
    AutoOptions {
        allow: RouteMethod,
        use_cors: bool,
    },
    /// The path exists, but no route takes the method.
    MethodNotAllowed {
        allow: RouteMethod,
    },
    NotFound,
    /// A parameter was not valid percent-encoded UTF-8.
    BadPath,
}

impl RouteTable {
    pub(crate) fn build(
        routes: Vec<Route>,
        prefix: &str,
        ignore_case: bool,
    ) -> Result<Self, Error> {
        let prefix =
            PathPattern::parse(if prefix.is_empty() { "/" } else { prefix }).map_err(|error| {
                Error::new(Kind::RoutePath {
                    path: prefix.to_owned(),
                    error,
                })
            })?;
        let mut table = RouteTable {
            matcher: matchit::Router::new(),
            slots: Vec::new(),
            any_path: Vec::new(),
            ignore_case,
            keys: HashMap::new(),
            literal: FnvHashMap::default(),
        };
        for route in routes {
            let display = route.to_string();
            if route.method.is_empty() {
                return Err(Error::new(Kind::EmptyMethodSet(display)));
            }
            let pattern = PathPattern::parse(&route.path)
                .map_err(|error| {
                    Error::new(Kind::RoutePath {
                        path: route.path.clone(),
                        error,
                    })
                })?
                .prefixed(&prefix);
            let params = pattern
                .segments()
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s {
                    Segment::Parameter(name) => Some((i, Arc::from(name.as_str()))),
                    Segment::Literal(_) => None,
                })
                .collect();
            let compiled = Arc::new(CompiledRoute {
                method: route.method,
                name: route.name,
                handler: route.handler,
                request_handlers: route.request_handlers,
                use_cors: route.use_cors,
                pattern,
                params,
                streams: AtomicBool::new(false),
            });
            table.insert(compiled, &display)?;
        }
        Ok(table)
    }

    fn insert(&mut self, route: Arc<CompiledRoute>, display: &str) -> Result<(), Error> {
        let collision = |existing: &CompiledRoute| {
            Error::new(Kind::RouteCollision {
                existing: format!("{} {}", existing.method, existing.pattern),
                new: display.to_owned(),
            })
        };
        if route.pattern.is_any_path() {
            if let Some(existing) = self
                .any_path
                .iter()
                .find(|r| r.method.intersects(route.method))
            {
                return Err(collision(existing));
            }
            self.any_path.push(route);
            return Ok(());
        }
        let key = route.pattern.table_key(self.ignore_case);
        if let Some(&index) = self.keys.get(&key) {
            let slot = &mut self.slots[index];
            if let Some(existing) = slot
                .routes
                .iter()
                .find(|r| r.method.intersects(route.method))
            {
                return Err(collision(existing));
            }
            slot.methods |= route.method;
            slot.use_cors |= route.use_cors;
            slot.routes.push(route);
            return Ok(());
        }
        let index = self.slots.len();
        if let Some(path) = route.pattern.literal_path(self.ignore_case) {
            self.literal.insert(path.into(), index);
        }
        self.keys.insert(key.clone(), index);
        self.matcher.insert(key, index).map_err(|e| {
            Error::new(Kind::RouteCollision {
                existing: e.to_string(),
                new: display.to_owned(),
            })
        })?;
        self.slots.push(Slot {
            methods: route.method,
            use_cors: route.use_cors,
            routes: vec![route],
        });
        Ok(())
    }

    /// Finds the route for `method` on the raw request `path`.
    pub(crate) fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        let key = normalize(path, self.ignore_case);
        let index = match self.literal.get(&*key) {
            Some(&index) => Some(index),
            None => self.matcher.at(&key).ok().map(|m| *m.value),
        };
        let slot = index.map(|index| &self.slots[index]);
        if let Some(slot) = slot {
            if let Some(route) = find_method(&slot.routes, method) {
                return match route_parameters(route, path) {
                    Some(params) => Lookup::Route { route, params },
                    None => Lookup::BadPath,
                };
            }
        }
        if let Some(route) = find_method(&self.any_path, method) {
            return Lookup::Route {
                route,
                params: RouteParameters::default(),
            };
        }
        match slot {
            Some(slot) => {
                let mut allow = slot.methods | RouteMethod::Options;
                if allow.contains(RouteMethod::Get) {
                    allow |= RouteMethod::Head;
                }
                if *method == Method::OPTIONS {
                    Lookup::AutoOptions {
                        allow,
                        use_cors: slot.use_cors,
                    }
                } else {
                    Lookup::MethodNotAllowed { allow }
                }
            }
            None => Lookup::NotFound,
        }
    }
}

/// The route taking `method`; `HEAD` falls back to a `GET` route (served without a body).
fn find_method<'a>(
    routes: &'a [Arc<CompiledRoute>],
    method: &Method,
) -> Option<&'a Arc<CompiledRoute>> {
    routes
        .iter()
        .find(|r| r.method.accepts(method))
        .or_else(|| match *method {
            Method::HEAD => routes.iter().find(|r| r.method.contains(RouteMethod::Get)),
            _ => None,
        })
}

/// The path as the table keys it: no empty segments, no trailing slash, ASCII-lowercased when
/// matching ignores case. Borrowed when the path is already in that form (the common case).
fn normalize(path: &str, ignore_case: bool) -> Cow<'_, str> {
    let clean = path.starts_with('/')
        && !path.contains("//")
        && (path.len() == 1 || !path.ends_with('/'))
        && !(ignore_case && path.bytes().any(|b| b.is_ascii_uppercase()));
    if clean {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    if ignore_case {
        out.make_ascii_lowercase();
    }
    Cow::Owned(out)
}

/// Reads a route's parameters from the original path (case kept), URL-decoded as Sisk does
/// (`+` is a space). `None` when a value is not valid UTF-8 once decoded.
fn route_parameters(route: &CompiledRoute, path: &str) -> Option<RouteParameters> {
    if route.params.is_empty() {
        return Some(RouteParameters::default());
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut params = Vec::with_capacity(route.params.len());
    for (index, name) in &route.params {
        let raw = segments.get(*index)?;
        params.push((name.clone(), url_decode(raw)?));
    }
    Some(RouteParameters::new(params))
}

pub(crate) fn url_decode(raw: &str) -> Option<String> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpResponse;

    fn route(method: RouteMethod, path: &str) -> Route {
        Route::new(method, path, || async { HttpResponse::new() })
    }

    fn table(routes: Vec<Route>, ignore_case: bool) -> RouteTable {
        RouteTable::build(routes, "", ignore_case).unwrap()
    }

    #[allow(clippy::needless_pass_by_value)]
    fn found(
        t: &RouteTable,
        method: Method,
        path: &str,
    ) -> Option<(String, Vec<(String, String)>)> {
        match t.lookup(&method, path) {
            Lookup::Route { route, params } => Some((
                route.pattern.to_string(),
                params
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            )),
            _ => None,
        }
    }

    #[test]
    fn parameters_are_captured_and_url_decoded() {
        let t = table(vec![route(RouteMethod::Get, "/hello/<name>/<n>")], false);
        let (_, params) = found(&t, Method::GET, "/hello/J%C3%BCrgen+M/7").unwrap();
        assert_eq!(
            params,
            [("name".into(), "Jürgen M".into()), ("n".into(), "7".into())]
        );
    }

    #[test]
    fn empty_segments_and_trailing_slash_are_ignored() {
        let t = table(vec![route(RouteMethod::Get, "/a/<b>")], false);
        assert!(found(&t, Method::GET, "/a/x/").is_some());
        assert!(found(&t, Method::GET, "//a//x").is_some());
        assert!(found(&t, Method::GET, "/a").is_none());
        assert!(found(&t, Method::GET, "/a/x/y").is_none());
    }

    #[test]
    fn case_insensitive_matching_keeps_parameter_case() {
        let t = table(vec![route(RouteMethod::Get, "/Users/<Id>")], true);
        let (_, params) = found(&t, Method::GET, "/USERS/AbC").unwrap();
        assert_eq!(params, [("Id".into(), "AbC".into())]);
        let t = table(vec![route(RouteMethod::Get, "/Users/<Id>")], false);
        assert!(found(&t, Method::GET, "/users/AbC").is_none());
    }

    #[test]
    fn literal_beats_parameter() {
        let t = table(
            vec![
                route(RouteMethod::Get, "/u/<id>"),
                route(RouteMethod::Get, "/u/new"),
            ],
            false,
        );
        assert_eq!(found(&t, Method::GET, "/u/new").unwrap().0, "/u/new");
        assert_eq!(found(&t, Method::GET, "/u/7").unwrap().0, "/u/<id>");
    }

    #[test]
    fn collisions_are_errors_unless_methods_are_disjoint() {
        let err = RouteTable::build(
            vec![
                route(RouteMethod::Get, "/u/<id>"),
                route(RouteMethod::Get | RouteMethod::Post, "/u/<name>/"),
            ],
            "",
            false,
        )
        .err()
        .unwrap();
        assert!(err.is_route_collision());
        assert!(err.to_string().contains("/u/<name>/"));
        let t = table(
            vec![
                route(RouteMethod::Get, "/u/<id>"),
                route(RouteMethod::Post, "/u/<name>"),
            ],
            false,
        );
        let (_, params) = found(&t, Method::POST, "/u/9").unwrap();
        assert_eq!(params[0].0, "name");
        let err = RouteTable::build(
            vec![route(RouteMethod::Get, "/A"), route(RouteMethod::Get, "/a")],
            "",
            true,
        )
        .err()
        .unwrap();
        assert!(err.is_route_collision());
    }

    #[test]
    fn method_mismatch_reports_allowed_methods() {
        let t = table(
            vec![route(RouteMethod::Get, "/x"), route(RouteMethod::Put, "/x")],
            false,
        );
        match t.lookup(&Method::DELETE, "/x") {
            Lookup::MethodNotAllowed { allow } => {
                assert_eq!(allow.to_string(), "GET, PUT, HEAD, OPTIONS");
            }
            _ => panic!("expected 405"),
        }
        assert!(matches!(
            t.lookup(&Method::OPTIONS, "/x"),
            Lookup::AutoOptions { .. }
        ));
        assert!(matches!(t.lookup(&Method::GET, "/y"), Lookup::NotFound));
    }

    #[test]
    fn head_is_served_by_get_and_unknown_methods_only_by_any() {
        let t = table(
            vec![route(RouteMethod::Get, "/x"), route(RouteMethod::Any, "/y")],
            false,
        );
        assert!(found(&t, Method::HEAD, "/x").is_some());
        assert!(found(&t, Method::TRACE, "/x").is_none());
        assert!(found(&t, Method::TRACE, "/y").is_some());
    }

    #[test]
    fn any_path_takes_what_no_other_route_does() {
        let t = table(
            vec![
                route(RouteMethod::Get, "/x"),
                route(RouteMethod::Any, Route::ANY_PATH),
            ],
            false,
        );
        assert_eq!(found(&t, Method::GET, "/x").unwrap().0, "/x");
        assert_eq!(found(&t, Method::GET, "/a/b/c").unwrap().0, "/<<ANY>>");
        assert_eq!(found(&t, Method::POST, "/x").unwrap().0, "/<<ANY>>");
    }

    #[test]
    fn prefix_applies_to_every_route() {
        let t =
            RouteTable::build(vec![route(RouteMethod::Get, "/x/<id>")], "/api/v1/", false).unwrap();
        assert!(found(&t, Method::GET, "/api/v1/x/1").is_some());
        assert!(found(&t, Method::GET, "/x/1").is_none());
    }

    #[test]
    fn invalid_encoding_is_a_bad_path_and_bad_routes_fail_to_build() {
        let t = table(vec![route(RouteMethod::Get, "/x/<id>")], false);
        assert!(matches!(t.lookup(&Method::GET, "/x/%FF"), Lookup::BadPath));
        let err = RouteTable::build(vec![route(RouteMethod::Get, "x")], "", false)
            .err()
            .unwrap();
        assert!(err.path_error().is_some());
        let err = RouteTable::build(vec![route(RouteMethod::empty(), "/x")], "", false)
            .err()
            .unwrap();
        assert!(err.is_route());
    }

    fn describe(lookup: Lookup<'_>) -> String {
        match lookup {
            Lookup::Route { route, params } => {
                let params: Vec<_> = params.iter().collect();
                format!("route {} {} {params:?}", route.method, route.pattern)
            }
            Lookup::AutoOptions { allow, use_cors } => format!("options {allow} {use_cors}"),
            Lookup::MethodNotAllowed { allow } => format!("405 {allow}"),
            Lookup::NotFound => "404".to_owned(),
            Lookup::BadPath => "bad path".to_owned(),
        }
    }

    #[test]
    fn literal_paths_find_what_the_tree_finds() {
        let routes = || {
            vec![
                route(RouteMethod::Get, "/"),
                route(RouteMethod::Get, "/Hello"),
                route(RouteMethod::Post, "/u/<id>"),
                route(RouteMethod::Get, "/u/new"),
                route(RouteMethod::Get, "/a{b}/c"),
                route(RouteMethod::Any, "/files/<name>/raw"),
                route(RouteMethod::Delete, Route::ANY_PATH),
            ]
        };
        let paths = [
            "/",
            "//",
            "/hello",
            "/Hello",
            "/HELLO/",
            "/u/new",
            "/u/NEW",
            "/u/7",
            "/u",
            "/a{b}/c",
            "/a{B}/c",
            "/files/x/raw",
            "/files/new/raw",
            "/nope",
        ];
        for ignore_case in [false, true] {
            let fast = table(routes(), ignore_case);
            let mut tree = table(routes(), ignore_case);
            tree.literal.clear();
            assert_eq!(fast.literal.len(), 4);
            let hello = if ignore_case { "/hello" } else { "/Hello" };
            assert!(fast.literal.contains_key(hello));
            for method in [
                Method::GET,
                Method::POST,
                Method::HEAD,
                Method::DELETE,
                Method::OPTIONS,
            ] {
                for path in paths {
                    assert_eq!(
                        describe(fast.lookup(&method, path)),
                        describe(tree.lookup(&method, path)),
                        "{method} {path}, ignoring case: {ignore_case}"
                    );
                }
            }
        }
    }

    #[test]
    fn braces_in_literals_are_plain_text() {
        let t = table(vec![route(RouteMethod::Get, "/a{b}")], false);
        assert!(found(&t, Method::GET, "/a{b}").is_some());
        assert!(found(&t, Method::GET, "/ax").is_none());
    }
}
