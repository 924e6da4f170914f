//! Router modules: Sisk's `RouterModule` and `SetObject`/`MapInstance`, a value whose methods
//! are routes sharing one prefix, one set of request handlers and the value itself.

use std::sync::Arc;

use super::path::ANY_PATH;
use super::{RequestHandler, Route, Router};

/// A group of routes that share a prefix, request handlers and one value: Sisk's
/// `RouterModule` with `[RoutePrefix]`.
///
/// Usually implemented by `#[router_module]` on an `impl` block (see the `sisk` facade's
/// `router_module` docs), and added with [`Router::set_object`]. The module is put in one
/// [`Arc`] that every one of its routes holds, so handlers take `&self` and state that changes
/// lives behind a lock or an atomic.
///
/// What [`Router::set_object`] does, in order:
/// 1. calls [`on_setup`](RouterModule::on_setup) once with the router (Sisk's `OnSetup`);
/// 2. asks for the [`routes`](RouterModule::routes);
/// 3. puts [`prefix`](RouterModule::prefix) in front of each route path (Sisk's
///    `CombinePaths`; [`Route::ANY_PATH`] stays as it is);
/// 4. puts the module's [`request_handlers`](RouterModule::request_handlers) in front of each
///    route's own, so per route the order is: the router's global handlers, the module's, the
///    route's (Sisk's order);
/// 5. adds the routes to the router.
///
/// # Examples
///
/// Written by hand (the attribute writes the same thing for you):
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use sisk_core::{HttpRequest, Route, RouteMethod, Router, RouterModule};
///
/// #[derive(Default)]
/// struct Counter {
///     hits: AtomicU64,
/// }
///
/// impl RouterModule for Counter {
///     fn prefix(&self) -> &str {
///         "/counter"
///     }
///
///     fn routes(self: Arc<Self>) -> Vec<Route> {
///         vec![Route::new(RouteMethod::Post, "/hit", move |_req: HttpRequest| {
///             let module = Arc::clone(&self);
///             async move { module.hits.fetch_add(1, Ordering::Relaxed).to_string() }
///         })]
///     }
/// }
///
/// let mut router = Router::new();
/// router.set_object(Counter::default());
/// assert_eq!(router.routes()[0].path(), "/counter/hit");
/// ```
pub trait RouterModule: Send + Sync + 'static {
    /// The routes of the module, with their own paths (without the prefix) and their own
    /// request handlers. Each route keeps a clone of `self`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sisk_core::{Route, RouterModule};
    ///
    /// struct Greeter(String);
    ///
    /// impl RouterModule for Greeter {
    ///     fn routes(self: Arc<Self>) -> Vec<Route> {
    ///         vec![Route::get("/hello", move || std::future::ready(self.0.clone()))]
    ///     }
    /// }
    /// # assert_eq!(Arc::new(Greeter("Hi!".into())).routes()[0].path(), "/hello");
    /// ```
    fn routes(self: Arc<Self>) -> Vec<Route>;

    /// The path put in front of every route of the module (Sisk's `[RoutePrefix]`); empty for
    /// none.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use sisk_core::{Route, Router, RouterModule};
    /// struct Users;
    ///
    /// impl RouterModule for Users {
    ///     fn prefix(&self) -> &str {
    ///         "/users"
    ///     }
    /// #   fn routes(self: Arc<Self>) -> Vec<Route> { vec![Route::get("/<id>", || async { "a user" })] }
    /// }
    /// # let mut router = Router::new();
    /// router.set_object(Users);
    /// assert_eq!(router.routes()[0].path(), "/users/<id>");
    /// ```
    fn prefix(&self) -> &str {
        ""
    }

    /// Request handlers that run for every route of the module, before the route's own.
    /// Called once per [`Router::set_object`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use sisk_core::{HttpRequest, HttpResponse, StatusCode};
    /// # use sisk_core::{RequestHandler, Route, Router, RouterModule};
    /// # fn require_admin() -> RequestHandler {
    /// #     RequestHandler::before(|req: HttpRequest| async move {
    /// #         let admin = req.header("x-role") == Some("admin");
    /// #         (!admin).then(|| HttpResponse::new().with_status(StatusCode::FORBIDDEN))
    /// #     })
    /// # }
    ///
    /// struct Admin;
    ///
    /// impl RouterModule for Admin {
    ///     fn request_handlers(&self) -> Vec<RequestHandler> {
    ///         vec![require_admin()] // runs before every route of the module
    ///     }
    /// #   fn routes(self: Arc<Self>) -> Vec<Route> { vec![Route::get("/stats", || async { "" })] }
    /// }
    /// # let mut router = Router::new();
    /// router.set_object(Admin);
    /// assert_eq!(router.routes()[0].request_handlers().len(), 1);
    /// ```
    fn request_handlers(&self) -> Vec<RequestHandler> {
        Vec::new()
    }

    /// Called once by [`Router::set_object`], before the module's routes are added (Sisk's
    /// `OnSetup`). Routes it adds to `router` get neither the prefix nor the module's handlers.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use sisk_core::{Route, Router, RouterModule};
    /// struct Blog;
    ///
    /// impl RouterModule for Blog {
    /// #   fn prefix(&self) -> &str { "/blog" }
    ///     fn on_setup(&self, router: &mut Router) {
    ///         router.map_get("/feed.xml", || async { "<rss/>" }); // not under the `/blog` prefix
    ///     }
    /// #   fn routes(self: Arc<Self>) -> Vec<Route> { vec![Route::get("/", || async { "" })] }
    /// }
    /// # let mut router = Router::new();
    /// router.set_object(Blog);
    /// assert_eq!(router.routes()[0].path(), "/feed.xml");
    /// # assert_eq!(router.routes()[1].path(), "/blog");
    /// ```
    fn on_setup(&self, router: &mut Router) {
        let _ = router;
    }
}

impl Router {
    /// Adds the routes of a router module (Sisk's `SetObject`); see [`RouterModule`] for what
    /// happens, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use sisk_core::{Route, Router, RouterModule};
    /// struct Health;
    ///
    /// impl RouterModule for Health {
    ///     fn routes(self: Arc<Self>) -> Vec<Route> {
    ///         vec![Route::get("/health", || async { "ok" })]
    ///     }
    /// }
    ///
    /// let mut router = Router::new();
    /// router.set_object(Health);
    /// assert_eq!(router.routes().len(), 1);
    /// ```
    pub fn set_object<M: RouterModule>(&mut self, module: M) -> &mut Self {
        self.set_object_arc(Arc::new(module))
    }

    /// The same as [`set_object`](Router::set_object), under Sisk's newer name `MapInstance`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use sisk_core::{Route, Router, RouterModule};
    /// struct Health;
    ///
    /// impl RouterModule for Health {
    ///     fn routes(self: Arc<Self>) -> Vec<Route> {
    ///         vec![Route::get("/health", || async { "ok" })]
    ///     }
    /// }
    /// # let mut router = Router::new();
    /// router.map_instance(Health);
    /// assert_eq!(router.routes()[0].path(), "/health");
    /// ```
    pub fn map_instance<M: RouterModule>(&mut self, module: M) -> &mut Self {
        self.set_object(module)
    }

    /// Adds the routes of a router module you keep a handle to, for example to push events to
    /// the clients its routes serve.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// # use sisk_core::{Route, Router, RouterModule};
    /// # #[derive(Default)]
    /// # struct Visits(AtomicU64);
    /// # impl RouterModule for Visits {
    /// #     fn routes(self: Arc<Self>) -> Vec<Route> {
    /// #         vec![Route::get("/visit", move || {
    /// #             std::future::ready(self.0.fetch_add(1, Ordering::Relaxed).to_string())
    /// #         })]
    /// #     }
    /// # }
    ///
    /// // `Visits` counts the requests its routes serve.
    /// let visits = Arc::new(Visits::default());
    /// let mut router = Router::new();
    /// router.set_object_arc(Arc::clone(&visits));
    /// // `visits` is still yours: read the count, or hand it to a task.
    /// assert_eq!(visits.0.load(Ordering::Relaxed), 0);
    /// ```
    pub fn set_object_arc<M: RouterModule>(&mut self, module: Arc<M>) -> &mut Self {
        module.on_setup(self);
        let prefix = module.prefix().to_owned();
        let handlers = module.request_handlers();
        for mut route in Arc::clone(&module).routes() {
            route.path = prefixed(&prefix, &route.path);
            if !handlers.is_empty() {
                let own = std::mem::take(&mut route.request_handlers);
                route.request_handlers = handlers.iter().cloned().chain(own).collect();
            }
            self.map(route);
        }
        self
    }
}

/// `prefix` in front of `path`, with one `/` between (Sisk's `PathUtility.CombinePaths`).
/// Paths are checked when the server is built, so this only joins text.
fn prefixed(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() || path == ANY_PATH {
        return path.to_owned();
    }
    match path.trim_start_matches('/') {
        "" => prefix.to_owned(),
        rest => format!("{prefix}/{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ExecutionMode, HttpRequest, HttpResponse, RouteMethod};

    #[test]
    fn prefix_joins_with_one_slash() {
        assert_eq!(prefixed("/chat", "/<room>"), "/chat/<room>");
        assert_eq!(prefixed("/chat/", "/<room>"), "/chat/<room>");
        assert_eq!(prefixed("/chat", "/"), "/chat");
        assert_eq!(prefixed("", "/x"), "/x");
        assert_eq!(prefixed("/", "/x"), "/x");
        assert_eq!(prefixed("/chat", ANY_PATH), ANY_PATH);
    }

    struct Module;

    impl RouterModule for Module {
        fn prefix(&self) -> &str {
            "/m"
        }
        fn request_handlers(&self) -> Vec<RequestHandler> {
            vec![RequestHandler::before(|_req: HttpRequest| async { None })]
        }
        fn on_setup(&self, router: &mut Router) {
            router.map_get("/setup", || async { "set up" });
        }
        fn routes(self: Arc<Self>) -> Vec<Route> {
            vec![
                Route::new(RouteMethod::Get, "/a", || async { "a" }).with_request_handler(
                    RequestHandler::after(|_req: HttpRequest, res: HttpResponse| async { res }),
                ),
            ]
        }
    }

    #[test]
    fn set_object_runs_setup_then_prefixes_and_orders_handlers() {
        let mut router = Router::new();
        router.map_instance(Module);
        let routes = router.routes();
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[0].path(), "/setup");
        assert!(routes[0].request_handlers().is_empty());
        assert_eq!(routes[1].path(), "/m/a");
        let modes: Vec<_> = routes[1]
            .request_handlers()
            .iter()
            .map(RequestHandler::execution_mode)
            .collect();
        assert_eq!(
            modes,
            [ExecutionMode::BeforeResponse, ExecutionMode::AfterResponse]
        );
    }
}
