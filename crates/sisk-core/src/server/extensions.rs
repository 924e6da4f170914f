//! A typed, server-wide extension map.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::RwLock;

type Entry = Arc<dyn Any + Send + Sync>;

/// Server-wide state keyed by type, so other crates (sisk-sse's event-source collection) and
/// applications can attach shared values to a server. One value per type.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use sisk_core::{HttpServer, Router};
///
/// #[derive(Default)]
/// struct Hits(AtomicU64);
///
/// let server = HttpServer::builder().router(Router::new()).build()?;
/// server.extensions().get_or_insert_with(Hits::default).0.fetch_add(1, Ordering::Relaxed);
/// assert_eq!(server.extensions().get::<Hits>().unwrap().0.load(Ordering::Relaxed), 1);
/// # Ok::<(), sisk_core::Error>(())
/// ```
#[derive(Default)]
pub struct Extensions {
    map: RwLock<HashMap<TypeId, Entry>>,
}

impl Extensions {
    /// The value of type `T`, if one was inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// struct Config {
    ///     greeting: String,
    /// }
    ///
    /// # let server = HttpServer::builder().build()?;
    /// assert!(server.extensions().get::<Config>().is_none());
    /// server.extensions().insert(Config { greeting: "hi".into() });
    /// let config = server.extensions().get::<Config>();
    /// assert_eq!(config.map(|c| c.greeting.clone()).as_deref(), Some("hi"));
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.map
            .read()
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|v| v.downcast().ok())
    }

    /// The value of type `T`, inserting `make()` first if there is none. `make` runs at most
    /// once per type and must not use this map itself.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// # use sisk_core::HttpServer;
    ///
    /// #[derive(Default)]
    /// struct Log(Mutex<Vec<String>>);
    ///
    /// # let server = HttpServer::builder().build()?;
    /// let log = server.extensions().get_or_insert_with(Log::default);
    /// log.0.lock().map_err(|_| "poisoned")?.push("started".into());
    /// let again = server.extensions().get_or_insert_with(Log::default); // the same value
    /// assert_eq!(again.0.lock().map_err(|_| "poisoned")?.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_or_insert_with<T, F>(&self, make: F) -> Arc<T>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> T,
    {
        if let Some(value) = self.get::<T>() {
            return value;
        }
        let entry = self
            .map
            .write()
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(make()))
            .clone();
        entry
            .downcast()
            .unwrap_or_else(|_| unreachable!("entries are keyed by their own type"))
    }

    /// Inserts `value`, returning the value of that type it replaces.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::HttpServer;
    ///
    /// let server = HttpServer::builder().build()?;
    /// assert!(server.extensions().insert(1u32).is_none());
    /// assert_eq!(server.extensions().insert(2u32).as_deref(), Some(&1)); // replaced
    /// # Ok::<(), sisk_core::Error>(())
    /// ```
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) -> Option<Arc<T>> {
        self.map
            .write()
            .insert(TypeId::of::<T>(), Arc::new(value))
            .and_then(|v| v.downcast().ok())
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.map.read().len())
            .finish()
    }
}
