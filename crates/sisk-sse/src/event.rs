//! `Event`: one server-sent event with every field of the format.
//!
//! Values are checked, never rewritten: an `event` name with a line break, or an `id` with a
//! line break or NUL, makes the event invalid, and sending it is an
//! [`Error::InvalidField`](crate::Error::InvalidField) — never a panic, and never bytes that
//! could start another field or event. `data` and comments may hold any text: each of their
//! lines becomes its own field line.

use std::time::Duration;

use bytes::Bytes;

use crate::{encode, Error};

/// One server-sent event: `data`, an `event` type, an `id`, a `retry` delay, comments.
///
/// Builder methods take and return the event; the first invalid value is remembered and
/// reported when the event is encoded or sent, so building never panics.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sisk_sse::Event;
///
/// let event = Event::new()
///     .event("greet")
///     .id("42")
///     .retry(Duration::from_secs(3))
///     .data("Hello,\nworld!");
/// assert_eq!(
///     event.to_bytes()?,
///     "event: greet\nid: 42\nretry: 3000\ndata: Hello,\ndata: world!\n\n"
/// );
/// # Ok::<(), sisk_sse::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Event {
    data: Option<String>,
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
    comments: Vec<String>,
    /// The first invalid value: (field, what it contained).
    invalid: Option<(&'static str, &'static str)>,
}

impl Event {
    /// An empty event (add at least `data` for browsers to deliver it).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::Event;
    ///
    /// assert_eq!(Event::new().to_bytes()?, "\n"); // dispatches nothing in a browser
    /// assert_eq!(Event::new().data("hi").to_bytes()?, "data: hi\n\n");
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// `data: …` — the payload, any text; each line becomes a `data:` line and the client
    /// joins them with LF. A later call replaces the data.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::Event;
    ///
    /// let event = Event::new().data("first line\nsecond line");
    /// assert_eq!(event.to_bytes()?, "data: first line\ndata: second line\n\n");
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// `event: …` — the event type listeners subscribe to (`message` when absent).
    /// A line break makes the event invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::Event;
    ///
    /// // In the page: source.addEventListener("price", ...)
    /// let event = Event::new().event("price").data("42.5");
    /// assert_eq!(event.to_bytes()?, "event: price\ndata: 42.5\n\n");
    /// assert!(Event::new().event("a\nb").to_bytes().is_err());
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn event(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if name.contains(['\r', '\n']) {
            self.invalid.get_or_insert(("event", "a line break"));
        }
        self.event = Some(name);
        self
    }

    /// `id: …` — the id the browser sends back as `Last-Event-ID` when it reconnects.
    /// A line break or NUL makes the event invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::Event;
    ///
    /// let event = Event::new().id("17").data("update");
    /// assert_eq!(event.to_bytes()?, "id: 17\ndata: update\n\n");
    /// assert!(Event::new().id("1\0").to_bytes().is_err());
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn id(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        if id.contains(['\r', '\n']) {
            self.invalid.get_or_insert(("id", "a line break"));
        } else if id.contains('\0') {
            self.invalid.get_or_insert(("id", "NUL"));
        }
        self.id = Some(id);
        self
    }

    /// `retry: …` — how long the browser waits before reconnecting, in whole milliseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sisk_sse::Event;
    ///
    /// let event = Event::new().retry(Duration::from_millis(2500));
    /// assert_eq!(event.to_bytes()?, "retry: 2500\n\n");
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn retry(mut self, delay: Duration) -> Self {
        self.retry = Some(delay);
        self
    }

    /// `: …` — a comment line (several for multi-line text); clients ignore it.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::Event;
    ///
    /// let event = Event::new().comment("sent by sisk").data("hi");
    /// assert_eq!(event.to_bytes()?, ": sent by sisk\ndata: hi\n\n");
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comments.push(text.into());
        self
    }

    /// Checks every field.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] for the first invalid value given.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::{Error, Event};
    ///
    /// assert!(Event::new().id("7").validate().is_ok());
    /// let err = Event::new().event("two\nlines").validate().unwrap_err();
    /// assert!(matches!(err, Error::InvalidField { field: "event", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        match self.invalid {
            Some((field, found)) => Err(Error::InvalidField { field, found }),
            None => Ok(()),
        }
    }

    /// The event's wire bytes, ending with the blank line that dispatches it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when a value was invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_sse::Event;
    ///
    /// let bytes = Event::new().event("greet").data("Hello!").to_bytes()?;
    /// assert_eq!(bytes, "event: greet\ndata: Hello!\n\n");
    /// # Ok::<(), sisk_sse::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Result<Bytes, Error> {
        self.validate()?;
        Ok(encode::event(self))
    }

    pub(crate) fn data_text(&self) -> Option<&str> {
        self.data.as_deref()
    }

    pub(crate) fn event_name(&self) -> Option<&str> {
        self.event.as_deref()
    }

    pub(crate) fn event_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        self.retry
    }

    pub(crate) fn comments(&self) -> impl Iterator<Item = &str> {
        self.comments.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_in_event_and_id_are_refused_not_rewritten() {
        for bad in ["a\nb", "a\rb", "a\r\nb"] {
            assert!(matches!(
                Event::new().event(bad).to_bytes(),
                Err(Error::InvalidField { field: "event", .. })
            ));
            assert!(matches!(
                Event::new().id(bad).to_bytes(),
                Err(Error::InvalidField {
                    field: "id",
                    found: "a line break"
                })
            ));
        }
        assert!(matches!(
            Event::new().id("a\0b").to_bytes(),
            Err(Error::InvalidField {
                field: "id",
                found: "NUL"
            })
        ));
    }

    #[test]
    fn the_first_invalid_value_is_reported() {
        let err = Event::new().id("\0").event("\n").to_bytes().unwrap_err();
        assert!(matches!(err, Error::InvalidField { field: "id", .. }));
    }

    #[test]
    fn nul_is_fine_in_data_and_event() {
        assert!(Event::new().data("a\0b").event("x\0").to_bytes().is_ok());
    }
}
