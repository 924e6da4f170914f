//! The two baseline servers, each implementing the bench contract (see the crate docs).

pub mod axum;
pub mod hyper;

/// The `data:` frame for `text`, split into one `data:` line per line as the event-stream
/// format requires (CRLF, LF and CR all end a line).
pub fn encode_frame(text: &str) -> Vec<u8> {
    let mut frame = Vec::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        frame.extend_from_slice(b"data: ");
        match rest.find(['\r', '\n']) {
            Some(at) => {
                frame.extend_from_slice(&rest.as_bytes()[..at]);
                frame.push(b'\n');
                let skip = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[at + skip..];
            }
            None => {
                frame.extend_from_slice(rest.as_bytes());
                frame.extend_from_slice(b"\n\n");
                return frame;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::encode_frame;

    #[test]
    fn one_data_line_per_line() {
        assert_eq!(encode_frame("hi"), b"data: hi\n\n");
        assert_eq!(
            encode_frame("a\r\nb\rc\n"),
            b"data: a\ndata: b\ndata: c\ndata: \n\n"
        );
    }
}
