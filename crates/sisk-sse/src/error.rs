//! The one error type of sisk-sse.

use sisk_core::{HttpResponse, IntoResponse, StatusCode};

/// What can go wrong with an event source.
///
/// Errors of the HTTP layer (the request already streams, a header after the first frame, an
/// invalid header) come through as [`Error::Http`], so one `?` serves both crates in a
/// handler that returns `Result<HttpResponse, sisk_sse::Error>`.
///
/// # Examples
///
/// ```
/// use sisk_sse::{Event, Error};
///
/// let err = Event::new().id("4\n2").to_bytes().unwrap_err();
/// assert!(matches!(err, Error::InvalidField { field: "id", .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field value would break the event-stream format (a line break in `event`, a line
    /// break or NUL in `id`): refused, so no value can inject another field or event.
    #[error("the `{field}` field of an event cannot contain {found}")]
    InvalidField {
        /// The field (`event` or `id`).
        field: &'static str,
        /// What it contained (`a line break` or `NUL`).
        found: &'static str,
    },
    /// An error of the HTTP layer.
    #[error(transparent)]
    Http(#[from] sisk_core::Error),
}

impl IntoResponse for Error {
    /// An invalid field answers 400 (field values usually come from clients); HTTP errors
    /// answer their own status.
    fn into_response(self) -> HttpResponse {
        match self {
            Error::Http(err) => err.into_response(),
            err @ Error::InvalidField { .. } => {
                HttpResponse::text(err.to_string()).with_status(StatusCode::BAD_REQUEST)
            }
        }
    }
}
