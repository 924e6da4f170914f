//! The `text/event-stream` wire format: pure functions from values to bytes.
//!
//! The WHATWG grammar (HTML §9.2.5) the output follows:
//!
//! ```text
//! stream        = [ bom ] *event
//! event         = *( comment / field ) end-of-line
//! comment       = colon *any-char end-of-line
//! field         = 1*name-char [ colon [ space ] *any-char ] end-of-line
//! end-of-line   = ( cr lf / cr / lf )
//! ```
//!
//! What that means for a server, and what these functions guarantee:
//! - CR, LF and CRLF all end a line, so text with line breaks becomes one `data:` line per
//!   line (and one comment line per line); the client joins them with LF. A value can never
//!   start a new field or event.
//! - The client removes one space after the colon: we always write exactly one, so a value
//!   that starts with spaces keeps them.
//! - Each event ends with a blank line, written in the same buffer, so one event is one
//!   write and one chunk.
//! - A single-line message is Sisk's exact bytes: `data: text\n\n`.

use bytes::{BufMut, Bytes, BytesMut};

use crate::event::Event;

/// Splits text at every CRLF, LF or CR; the last piece is always yielded, even when empty
/// (so a trailing line break is kept as an empty last line).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\r', '\n']) {
            Some(i) => {
                let skip = if text[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&text[i + skip..]);
                Some(&text[..i])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Writes one `prefix` line per line of `value`.
fn put_lines(buf: &mut BytesMut, prefix: &[u8], value: &str) {
    for line in lines(value) {
        buf.put_slice(prefix);
        buf.put_slice(line.as_bytes());
        buf.put_u8(b'\n');
    }
}

/// A message event with `data` (Sisk's `Send(data)`).
pub(crate) fn message(data: &str) -> Bytes {
    let mut buf = BytesMut::with_capacity(data.len() + 8);
    put_lines(&mut buf, b"data: ", data);
    buf.put_u8(b'\n');
    buf.freeze()
}

/// A comment, ignored by clients: keeps intermediaries from closing an idle connection.
pub(crate) fn comment(text: &str) -> Bytes {
    let mut buf = BytesMut::with_capacity(text.len() + 4);
    put_lines(&mut buf, b": ", text);
    buf.put_u8(b'\n');
    buf.freeze()
}

/// A ping: Sisk's bytes, `: :{message}\n\n` — a comment, never an event.
pub(crate) fn ping(message: &str) -> Bytes {
    let mut buf = BytesMut::with_capacity(message.len() + 5);
    put_lines(&mut buf, b": :", message);
    buf.put_u8(b'\n');
    buf.freeze()
}

/// A whole event. The caller has validated it (see [`Event::to_bytes`]).
pub(crate) fn event(event: &Event) -> Bytes {
    let mut buf = BytesMut::with_capacity(64);
    for comment in event.comments() {
        put_lines(&mut buf, b": ", comment);
    }
    if let Some(name) = event.event_name() {
        put_lines(&mut buf, b"event: ", name);
    }
    if let Some(id) = event.event_id() {
        put_lines(&mut buf, b"id: ", id);
    }
    if let Some(retry) = event.retry_after() {
        put_lines(&mut buf, b"retry: ", &retry.as_millis().to_string());
    }
    if let Some(data) = event.data_text() {
        put_lines(&mut buf, b"data: ", data);
    }
    buf.put_u8(b'\n');
    buf.freeze()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_single_line_message_is_sisks_bytes() {
        assert_eq!(message("Hello, world!"), "data: Hello, world!\n\n");
    }

    #[test]
    fn empty_data_keeps_the_space_as_sisk_does() {
        assert_eq!(message(""), "data: \n\n");
    }

    #[test]
    fn every_line_ending_splits_data() {
        assert_eq!(
            message("a\nb\r\nc\rd"),
            "data: a\ndata: b\ndata: c\ndata: d\n\n"
        );
    }

    #[test]
    fn a_trailing_line_break_is_kept_as_an_empty_line() {
        assert_eq!(message("a\n"), "data: a\ndata: \n\n");
        assert_eq!(message("\r\n"), "data: \ndata: \n\n");
    }

    #[test]
    fn leading_spaces_survive_the_clients_single_space_strip() {
        assert_eq!(message("  x"), "data:   x\n\n");
    }

    #[test]
    fn text_that_looks_like_fields_stays_data() {
        assert_eq!(
            message("x\n\nevent: evil\ndata: y"),
            "data: x\ndata: \ndata: event: evil\ndata: data: y\n\n"
        );
    }

    #[test]
    fn comments_and_pings_are_comment_lines() {
        assert_eq!(comment("keep\nalive"), ": keep\n: alive\n\n");
        assert_eq!(ping("%ping%"), ": :%ping%\n\n");
        assert_eq!(ping("a\rb"), ": :a\n: :b\n\n");
    }

    #[test]
    fn an_event_writes_each_field_once_in_a_fixed_order() {
        let e = Event::new()
            .data("hi\nthere")
            .event("greet")
            .id("42")
            .retry(Duration::from_millis(1500))
            .comment("c");
        assert_eq!(
            e.to_bytes().unwrap(),
            ": c\nevent: greet\nid: 42\nretry: 1500\ndata: hi\ndata: there\n\n"
        );
    }

    #[test]
    fn retry_is_whole_milliseconds() {
        let e = Event::new().retry(Duration::from_micros(2_500_900));
        assert_eq!(e.to_bytes().unwrap(), "retry: 2500\n\n");
    }

    #[test]
    fn an_id_only_event_primes_the_last_event_id() {
        assert_eq!(Event::new().id("7").to_bytes().unwrap(), "id: 7\n\n");
        assert_eq!(Event::new().id("").to_bytes().unwrap(), "id: \n\n");
    }

    #[test]
    fn lines_splits_like_the_whatwg_parser() {
        let split = |s| lines(s).collect::<Vec<_>>();
        assert_eq!(split(""), [""]);
        assert_eq!(split("a"), ["a"]);
        assert_eq!(split("a\r\n\rb\n"), ["a", "", "b", ""]);
    }
}
