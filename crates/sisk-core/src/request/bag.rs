//! `Bag`: typed values that live as long as one request.

use std::fmt;

use parking_lot::Mutex;

/// Typed per-request values (Sisk's `HttpRequest.Bag`): one value per type, set by request
/// handlers and read by the route.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpRequest, RequestHandler};
///
/// #[derive(Clone)]
/// struct User(String);
///
/// let auth = RequestHandler::before(|req: HttpRequest| async move {
///     req.bag().set(User("ada".into()));
///     None
/// });
/// async fn me(req: HttpRequest) -> String {
///     req.bag().get::<User>().map(|u| u.0).unwrap_or_default()
/// }
/// ```
#[derive(Default)]
pub struct Bag {
    values: Mutex<http::Extensions>,
}

impl Bag {
    /// Stores `value`, returning the previous value of that type.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Locale(&'static str);
    ///
    /// assert_eq!(req.bag().set(Locale("en")), None);
    /// assert_eq!(req.bag().set(Locale("fr")), Some(Locale("en"))); // one value per type
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set<T: Clone + Send + Sync + 'static>(&self, value: T) -> Option<T> {
        self.values.lock().insert(value)
    }

    /// A clone of the value of type `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// #[derive(Clone)]
    /// struct UserId(u64);
    ///
    /// req.bag().set(UserId(7));
    /// assert_eq!(req.bag().get::<UserId>().map(|u| u.0), Some(7));
    /// assert!(req.bag().get::<String>().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.values.lock().get::<T>().cloned()
    }

    /// Whether a value of type `T` is stored.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// #[derive(Clone)]
    /// struct Authenticated;
    ///
    /// assert!(!req.bag().contains::<Authenticated>());
    /// req.bag().set(Authenticated);
    /// assert!(req.bag().contains::<Authenticated>());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        self.values.lock().get::<T>().is_some()
    }

    /// Takes the value of type `T` out.
    ///
    /// # Examples
    ///
    /// ```
    /// # use sisk_core::{http, Bytes, HttpRequest, HttpServer};
    /// # let server = HttpServer::builder().build()?;
    /// # let req = HttpRequest::detached(&server, http::Request::get("/").body(Bytes::new())?);
    /// req.bag().set(42u32);
    /// assert_eq!(req.bag().remove::<u32>(), Some(42));
    /// assert_eq!(req.bag().get::<u32>(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remove<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.values.lock().remove::<T>()
    }
}

impl fmt::Debug for Bag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bag")
            .field("len", &self.values.lock().len())
            .finish()
    }
}
