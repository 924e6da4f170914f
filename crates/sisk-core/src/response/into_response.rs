//! `IntoResponse`: what a handler may return.

use std::borrow::Cow;

use bytes::Bytes;
use http::StatusCode;

use super::HttpResponse;
use crate::error::Error;

/// A value a handler can return: it becomes the [`HttpResponse`] sent.
///
/// Implemented for [`HttpResponse`], text (`&'static str`, `String`, `Cow<'static, str>`),
/// bytes (`Bytes`, `Vec<u8>`, `&'static [u8]`), `()` (an empty 200), a [`StatusCode`],
/// `(StatusCode, T)`, [`Error`] (its own status), and `Result<T, E>` where both sides convert.
///
/// # Examples
///
/// ```
/// use sisk_core::{HttpResponse, IntoResponse, StatusCode};
///
/// struct Teapot;
/// impl IntoResponse for Teapot {
///     fn into_response(self) -> HttpResponse {
///         (StatusCode::IM_A_TEAPOT, "short and stout").into_response()
///     }
/// }
/// assert_eq!(Teapot.into_response().status(), StatusCode::IM_A_TEAPOT);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a sisk handler",
    label = "not an `IntoResponse` type",
    note = "return an `HttpResponse`, a `String`/`&'static str`, `Bytes`, `(StatusCode, T)`, or a `Result<T, E>` where both `T` and `E` implement `IntoResponse`"
)]
pub trait IntoResponse {
    /// Converts `self` into the response to send.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{IntoResponse, StatusCode};
    ///
    /// let res = (StatusCode::CREATED, "made it").into_response();
    /// assert_eq!(res.status(), StatusCode::CREATED);
    /// let res = Err::<String, _>(StatusCode::NOT_FOUND).into_response();
    /// assert_eq!(res.status(), StatusCode::NOT_FOUND);
    /// ```
    fn into_response(self) -> HttpResponse;
}

impl IntoResponse for HttpResponse {
    fn into_response(self) -> HttpResponse {
        self
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> HttpResponse {
        HttpResponse::static_text(self)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> HttpResponse {
        HttpResponse::text(self)
    }
}

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> HttpResponse {
        match self {
            Cow::Borrowed(text) => HttpResponse::static_text(text),
            Cow::Owned(text) => HttpResponse::text(text),
        }
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> HttpResponse {
        HttpResponse::bytes(self)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> HttpResponse {
        HttpResponse::bytes(self)
    }
}

impl IntoResponse for &'static [u8] {
    fn into_response(self) -> HttpResponse {
        HttpResponse::bytes(Bytes::from_static(self))
    }
}

impl IntoResponse for () {
    fn into_response(self) -> HttpResponse {
        HttpResponse::new()
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> HttpResponse {
        HttpResponse::new().with_status(self)
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> HttpResponse {
        self.1.into_response().with_status(self.0)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> HttpResponse {
        HttpResponse::from(self)
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> HttpResponse {
        match self {
            Ok(value) => value.into_response(),
            Err(err) => err.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_set_status_type_and_body() {
        let res = "hi".into_response();
        assert_eq!(res.body().unwrap(), "hi");
        assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
        let res = (StatusCode::CREATED, vec![1u8, 2]).into_response();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()["content-type"], "application/octet-stream");
        let res: Result<&'static str, StatusCode> = Err(StatusCode::NOT_FOUND);
        assert_eq!(res.into_response().status(), StatusCode::NOT_FOUND);
        assert_eq!(().into_response().status(), StatusCode::OK);
    }

    #[test]
    fn header_values_with_line_breaks_are_errors() {
        let err = HttpResponse::new()
            .with_header("x-a", "b\r\nx-injected: 1")
            .unwrap_err();
        assert!(err.is_header());
        let err = HttpResponse::new()
            .with_header("bad name", "b")
            .unwrap_err();
        assert!(err.is_header());
    }
}
