//! `RouteMethod`: a set of HTTP methods, with Sisk's names and numbers.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

use http::Method;

/// A set of HTTP methods a route answers, written as in Sisk: `RouteMethod::Get | RouteMethod::Post`.
///
/// The bit values are Sisk's (`Get` = 2 … `Options` = 256) and [`RouteMethod::Any`] is all of
/// them. Methods outside the set (`TRACE`, `CONNECT`, extensions) match only `Any` routes.
///
/// # Examples
///
/// ```
/// use sisk_core::RouteMethod;
///
/// let set = RouteMethod::Get | RouteMethod::Post;
/// assert!(set.contains(RouteMethod::Get));
/// assert!(!set.contains(RouteMethod::Delete));
/// assert!(RouteMethod::Any.contains(set));
/// assert_eq!(set.to_string(), "GET, POST");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RouteMethod(u16);

// The associated constants keep Sisk's capitalised names (`RouteMethod::Get`), so ported code
// and Sisk's docs read the same in Rust.
#[allow(non_upper_case_globals)]
impl RouteMethod {
    /// `GET` (and, served without a body, `HEAD`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::GET), Some(RouteMethod::Get));
    /// assert_eq!(RouteMethod::Get.bits(), 2); // Sisk's value
    /// let route = Route::new(RouteMethod::Get, "/items", || async { "all items" });
    /// ```
    pub const Get: RouteMethod = RouteMethod(2);

    /// `POST`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::POST), Some(RouteMethod::Post));
    /// assert_eq!(RouteMethod::Post.bits(), 4); // Sisk's value
    /// let route = Route::new(RouteMethod::Post, "/items", || async { "created" });
    /// ```
    pub const Post: RouteMethod = RouteMethod(4);

    /// `PUT`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::PUT), Some(RouteMethod::Put));
    /// assert_eq!(RouteMethod::Put.bits(), 8); // Sisk's value
    /// let route = Route::new(RouteMethod::Put, "/items/<id>", || async { "replaced" });
    /// ```
    pub const Put: RouteMethod = RouteMethod(8);

    /// `PATCH`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::PATCH), Some(RouteMethod::Patch));
    /// assert_eq!(RouteMethod::Patch.bits(), 16); // Sisk's value
    /// let route = Route::new(RouteMethod::Patch, "/items/<id>", || async { "updated" });
    /// ```
    pub const Patch: RouteMethod = RouteMethod(16);

    /// `DELETE`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::DELETE), Some(RouteMethod::Delete));
    /// assert_eq!(RouteMethod::Delete.bits(), 32); // Sisk's value
    /// let route = Route::new(RouteMethod::Delete, "/items/<id>", || async { "deleted" });
    /// ```
    pub const Delete: RouteMethod = RouteMethod(32);

    /// `HEAD`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::HEAD), Some(RouteMethod::Head));
    /// assert_eq!(RouteMethod::Head.bits(), 128); // Sisk's value
    /// let route = Route::new(RouteMethod::Head, "/items", || async {});
    /// ```
    pub const Head: RouteMethod = RouteMethod(128);

    /// `OPTIONS`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, Route, RouteMethod};
    ///
    /// assert_eq!(RouteMethod::from_method(&Method::OPTIONS), Some(RouteMethod::Options));
    /// assert_eq!(RouteMethod::Options.bits(), 256); // Sisk's value
    /// let route = Route::new(RouteMethod::Options, "/items", || async {});
    /// ```
    pub const Options: RouteMethod = RouteMethod(256);

    /// Every method, including ones outside this list (Sisk's value, 510).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Route, RouteMethod};
    ///
    /// assert!(RouteMethod::Any.contains(RouteMethod::Get | RouteMethod::Delete));
    /// assert_eq!(RouteMethod::Any.bits(), 510);
    /// let route = Route::new(RouteMethod::Any, "/echo", || async { "any method" });
    /// ```
    pub const Any: RouteMethod = RouteMethod(510);

    const NAMED: [(RouteMethod, &'static str); 7] = [
        (Self::Get, "GET"),
        (Self::Post, "POST"),
        (Self::Put, "PUT"),
        (Self::Patch, "PATCH"),
        (Self::Delete, "DELETE"),
        (Self::Head, "HEAD"),
        (Self::Options, "OPTIONS"),
    ];

    /// The empty set (answers nothing; `build()` rejects a route with it).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteMethod;
    ///
    /// let mut set = RouteMethod::empty();
    /// assert!(set.is_empty());
    /// set |= RouteMethod::Get;
    /// assert_eq!(set, RouteMethod::Get);
    /// ```
    pub const fn empty() -> Self {
        RouteMethod(0)
    }

    /// Whether every method of `other` is in `self`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteMethod;
    ///
    /// let set = RouteMethod::Get | RouteMethod::Post;
    /// assert!(set.contains(RouteMethod::Post));
    /// assert!(!set.contains(RouteMethod::Post | RouteMethod::Put)); // every method of `other`
    /// ```
    pub const fn contains(self, other: RouteMethod) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the two sets share a method.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteMethod;
    ///
    /// let reads = RouteMethod::Get | RouteMethod::Head;
    /// assert!(reads.intersects(RouteMethod::Get | RouteMethod::Post));
    /// assert!(!reads.intersects(RouteMethod::Delete));
    /// ```
    pub const fn intersects(self, other: RouteMethod) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteMethod;
    ///
    /// assert!(RouteMethod::empty().is_empty());
    /// assert!((RouteMethod::Get & RouteMethod::Post).is_empty());
    /// assert!(!RouteMethod::Get.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Sisk's numeric value of the set.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteMethod;
    ///
    /// assert_eq!((RouteMethod::Get | RouteMethod::Post).bits(), 6);
    /// assert_eq!(RouteMethod::Any.bits(), 510);
    /// ```
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// The set holding just this HTTP method, or `None` for methods Sisk does not name.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{Method, RouteMethod};
    /// assert_eq!(RouteMethod::from_method(&Method::PATCH), Some(RouteMethod::Patch));
    /// assert_eq!(RouteMethod::from_method(&Method::TRACE), None);
    /// ```
    pub fn from_method(method: &Method) -> Option<Self> {
        Some(match *method {
            Method::GET => Self::Get,
            Method::POST => Self::Post,
            Method::PUT => Self::Put,
            Method::PATCH => Self::Patch,
            Method::DELETE => Self::Delete,
            Method::HEAD => Self::Head,
            Method::OPTIONS => Self::Options,
            _ => return None,
        })
    }

    /// Whether a request with `method` is answered by a route with this set.
    pub(crate) fn accepts(self, method: &Method) -> bool {
        match Self::from_method(method) {
            Some(m) => self.contains(m),
            None => self == Self::Any,
        }
    }

    /// The method names in the set, in Sisk's order.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::RouteMethod;
    ///
    /// let set = RouteMethod::Post | RouteMethod::Get;
    /// assert_eq!(set.names().collect::<Vec<_>>(), ["GET", "POST"]);
    /// ```
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMED
            .into_iter()
            .filter(move |(m, _)| self.contains(*m))
            .map(|(_, name)| name)
    }
}

impl BitOr for RouteMethod {
    type Output = RouteMethod;
    fn bitor(self, rhs: Self) -> Self {
        RouteMethod(self.0 | rhs.0)
    }
}

impl BitOrAssign for RouteMethod {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for RouteMethod {
    type Output = RouteMethod;
    fn bitand(self, rhs: Self) -> Self {
        RouteMethod(self.0 & rhs.0)
    }
}

impl fmt::Display for RouteMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for name in self.names() {
            if !first {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
            first = false;
        }
        Ok(())
    }
}

impl fmt::Debug for RouteMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RouteMethod({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_sisks() {
        assert_eq!(RouteMethod::Get.bits(), 2);
        assert_eq!(RouteMethod::Options.bits(), 256);
        assert_eq!(RouteMethod::Any.bits(), 510);
    }

    #[test]
    fn unknown_methods_match_only_any() {
        let trace = Method::TRACE;
        assert!(RouteMethod::Any.accepts(&trace));
        assert!(!(RouteMethod::Get | RouteMethod::Post).accepts(&trace));
        assert!(RouteMethod::Get.accepts(&Method::GET));
        assert!(!RouteMethod::Get.accepts(&Method::POST));
    }

    #[test]
    fn display_lists_names() {
        assert_eq!(
            RouteMethod::Any.to_string(),
            "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
        );
        assert_eq!(RouteMethod::empty().to_string(), "");
    }
}
