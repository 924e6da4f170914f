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
    pub fn set<T: Clone + Send + Sync + 'static>(&self, value: T) -> Option<T> {
        self.values.lock().insert(value)
    }

    /// A clone of the value of type `T`.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.values.lock().get::<T>().cloned()
    }

    /// Whether a value of type `T` is stored.
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        self.values.lock().get::<T>().is_some()
    }

    /// Takes the value of type `T` out.
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
