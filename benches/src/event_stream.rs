//! Incremental decoding of an SSE response body: HTTP/1.1 chunked transfer coding, then the
//! WHATWG `text/event-stream` grammar, fed with whatever bytes each `read` returned.
//!
//! The event-stream rules followed (WHATWG HTML, "Server-sent events", interpreting an event
//! stream): lines end with CRLF, LF or CR (a CR at the end of one read and an LF at the start
//! of the next are one line end); a line starting with `:` is a comment; `field: value` loses
//! one leading space of the value; `data` lines append the value and a LF to the data buffer;
//! an empty line dispatches the event (with the last LF of the buffer removed) unless the data
//! buffer is empty; fields other than `data` do not matter for counting and are skipped.

/// Removes the chunked transfer coding (RFC 9112 §7.1) from a byte stream.
#[derive(Debug, Default)]
pub struct Dechunker {
    state: ChunkState,
    size: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Reading the hex size.
    #[default]
    Size,
    /// After the size: an extension, up to the LF.
    SizeLine,
    /// Inside chunk data, `size` bytes to go.
    Data,
    /// The CRLF after the data.
    DataEnd,
    /// The last chunk was read: trailers and the end, nothing more is data.
    Done,
}

/// The chunked coding was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkError;

impl Dechunker {
    /// Feeds `input`, calling `out` with each run of body bytes.
    ///
    /// # Errors
    ///
    /// [`ChunkError`] on a malformed size line.
    pub fn feed(&mut self, mut input: &[u8], mut out: impl FnMut(&[u8])) -> Result<(), ChunkError> {
        while !input.is_empty() {
            match self.state {
                ChunkState::Size => {
                    let b = input[0];
                    input = &input[1..];
                    match b {
                        b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                            let digit = (b as char).to_digit(16).unwrap_or(0);
                            self.size = self
                                .size
                                .checked_mul(16)
                                .and_then(|s| s.checked_add(u64::from(digit)))
                                .ok_or(ChunkError)?;
                        }
                        b';' | b'\r' | b' ' | b'\t' => self.state = ChunkState::SizeLine,
                        b'\n' => self.end_size_line(),
                        _ => return Err(ChunkError),
                    }
                }
                ChunkState::SizeLine => match input.iter().position(|&b| b == b'\n') {
                    Some(at) => {
                        input = &input[at + 1..];
                        self.end_size_line();
                    }
                    None => input = &[],
                },
                ChunkState::Data => {
                    let take = usize::try_from(self.size)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    out(&input[..take]);
                    input = &input[take..];
                    self.size -= take as u64;
                    if self.size == 0 {
                        self.state = ChunkState::DataEnd;
                    }
                }
                ChunkState::DataEnd => match input.iter().position(|&b| b == b'\n') {
                    Some(at) => {
                        input = &input[at + 1..];
                        self.state = ChunkState::Size;
                    }
                    None => input = &[],
                },
                ChunkState::Done => input = &[],
            }
        }
        Ok(())
    }

    /// Whether the last (zero-size) chunk was seen.
    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }

    fn end_size_line(&mut self) {
        self.state = if self.size == 0 {
            ChunkState::Done
        } else {
            ChunkState::Data
        };
    }
}

/// Parses `text/event-stream` bytes into events, counting comments.
#[derive(Debug, Default)]
pub struct EventParser {
    line: Vec<u8>,
    data: Vec<u8>,
    has_data: bool,
    /// The previous input ended with CR: a LF first in the next input belongs to it.
    after_cr: bool,
    comments: u64,
}

impl EventParser {
    /// Feeds `input`, calling `on_event` with the data of each dispatched event.
    pub fn feed(&mut self, mut input: &[u8], mut on_event: impl FnMut(&[u8])) {
        if self.after_cr {
            self.after_cr = false;
            if input.first() == Some(&b'\n') {
                input = &input[1..];
            }
        }
        while !input.is_empty() {
            match input.iter().position(|&b| b == b'\n' || b == b'\r') {
                None => {
                    self.line.extend_from_slice(input);
                    return;
                }
                Some(at) => {
                    let end = input[at];
                    if self.line.is_empty() {
                        self.process_line(&input[..at], &mut on_event);
                    } else {
                        self.line.extend_from_slice(&input[..at]);
                        let line = std::mem::take(&mut self.line);
                        self.process_line(&line, &mut on_event);
                        self.line = line;
                        self.line.clear();
                    }
                    input = &input[at + 1..];
                    if end == b'\r' {
                        match input.first() {
                            Some(b'\n') => input = &input[1..],
                            Some(_) => {}
                            None => self.after_cr = true,
                        }
                    }
                }
            }
        }
    }

    /// Comment lines seen so far (pings, for servers that send them).
    pub fn comments(&self) -> u64 {
        self.comments
    }

    fn process_line(&mut self, line: &[u8], on_event: &mut impl FnMut(&[u8])) {
        if line.is_empty() {
            if self.has_data {
                // The buffer always ends with the LF added after the last data line.
                let len = self.data.len().saturating_sub(1);
                on_event(&self.data[..len]);
            }
            self.data.clear();
            self.has_data = false;
            return;
        }
        if line[0] == b':' {
            self.comments += 1;
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        if field == b"data" {
            self.data.extend_from_slice(value);
            self.data.push(b'\n');
            self.has_data = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&[u8]]) -> Vec<String> {
        let mut parser = EventParser::default();
        let mut out = Vec::new();
        for chunk in chunks {
            parser.feed(chunk, |d| out.push(String::from_utf8_lossy(d).into_owned()));
        }
        out
    }

    #[test]
    fn one_line_events_and_comments() {
        let mut parser = EventParser::default();
        let mut out = Vec::new();
        parser.feed(b": ping\n\ndata: a\n\ndata:b\n\n", |d| out.push(d.to_vec()));
        assert_eq!(out, [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(parser.comments(), 1);
    }

    #[test]
    fn multi_line_data_and_other_fields() {
        assert_eq!(
            events(&[b"event: x\nid: 1\ndata: a\ndata:  b\nretry: 5\n\n"]),
            ["a\n b"]
        );
    }

    #[test]
    fn every_line_ending_and_split_reads() {
        assert_eq!(
            events(&[b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"]),
            ["a", "b", "c"]
        );
        // CR at the end of one read, LF at the start of the next: one line end.
        assert_eq!(
            events(&[b"data: a\r", b"\n\r", b"\ndata: b\n", b"\n"]),
            ["a", "b"]
        );
        assert_eq!(events(&[b"da", b"ta: hel", b"lo\n", b"\n"]), ["hello"]);
    }

    #[test]
    fn empty_data_buffer_dispatches_nothing() {
        assert_eq!(events(&[b"event: x\n\n\n\n"]), Vec::<String>::new());
        assert_eq!(events(&[b"data\n\n"]), [""]);
    }

    #[test]
    fn dechunks_across_reads() {
        let body = b"7\r\ndata: a\r\n9;ext=1\r\n\n\ndata: b\r\n0\r\n\r\n";
        for split in 0..body.len() {
            let mut d = Dechunker::default();
            let mut out = Vec::new();
            d.feed(&body[..split], |b| out.extend_from_slice(b))
                .unwrap();
            d.feed(&body[split..], |b| out.extend_from_slice(b))
                .unwrap();
            assert_eq!(out, b"data: a\n\ndata: b", "split at {split}");
            assert!(d.is_done());
        }
        assert_eq!(
            Dechunker::default().feed(b"zz\r\n", |_| {}),
            Err(ChunkError)
        );
    }
}
