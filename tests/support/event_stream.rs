//! A `text/event-stream` parser written from the WHATWG HTML rules (§9.2.5–9.2.6), for the
//! tests: it delivers exactly what a browser's `EventSource` would, comments aside.

/// One dispatched event, as `EventSource` delivers it to listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The type: the `event` field, or `message`.
    pub event: String,
    pub data: String,
    /// The last event ID at dispatch (`MessageEvent.lastEventId`).
    pub last_event_id: String,
}

/// Incremental parser: feed it bytes as they arrive, in any split.
#[derive(Debug, Default)]
pub struct EventStreamParser {
    pending: Vec<u8>,
    after_cr: bool,
    started: bool,
    data: String,
    event_type: String,
    last_event_id: String,
    /// The reconnection time set by the last valid `retry` field.
    pub retry: Option<u64>,
    /// Every comment line, in order, without its leading colon.
    pub comments: Vec<String>,
}

impl EventStreamParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `bytes`, returning the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.pending);
                    self.line(line, &mut events);
                }
                _ => self.pending.push(b),
            }
        }
        events
    }

    fn line(&mut self, mut line: Vec<u8>, events: &mut Vec<SseEvent>) {
        if !self.started {
            self.started = true;
            if line.starts_with("\u{feff}".as_bytes()) {
                line.drain(..3);
            }
        }
        let line = String::from_utf8_lossy(&line).into_owned();
        if line.is_empty() {
            self.dispatch(events);
            return;
        }
        if let Some(comment) = line.strip_prefix(':') {
            self.comments.push(comment.to_owned());
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => self.event_type = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_event_id = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        let event_type = std::mem::take(&mut self.event_type);
        let mut data = std::mem::take(&mut self.data);
        if data.is_empty() {
            return;
        }
        data.pop();
        events.push(SseEvent {
            event: if event_type.is_empty() {
                "message".to_owned()
            } else {
                event_type
            },
            data,
            last_event_id: self.last_event_id.clone(),
        });
    }
}

/// Normalises line endings as an `EventSource` does when text went through `data:` lines.
pub fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// An SSE client over one raw HTTP/1.1 connection: the response head, then events as the
/// parser delivers them (and the raw chunks, for exact-byte checks).
pub struct SseClient {
    pub conn: super::RawConn,
    pub head: super::RawResponse,
    pub parser: EventStreamParser,
    ready: std::collections::VecDeque<SseEvent>,
}

impl SseClient {
    /// `GET path` with `Accept: text/event-stream`, and the response head.
    pub async fn connect(addr: std::net::SocketAddr, path: &str) -> Self {
        Self::connect_with(addr, path, "").await
    }

    /// As [`connect`](Self::connect), with extra header lines (each ending in `\r\n`).
    pub async fn connect_with(addr: std::net::SocketAddr, path: &str, headers: &str) -> Self {
        let mut conn = super::RawConn::connect(addr).await;
        conn.send(
            format!("GET {path} HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\n{headers}\r\n")
                .as_bytes(),
        )
        .await;
        let head = conn.read_head().await;
        Self {
            conn,
            head,
            parser: EventStreamParser::new(),
            ready: Default::default(),
        }
    }

    /// The next raw chunk of the body, exactly as sent (`None` at the end of the body).
    pub async fn next_chunk(&mut self) -> Option<Vec<u8>> {
        self.conn.next_chunk().await
    }

    /// The next event (`None` when the body ends first).
    pub async fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            let chunk = self.conn.next_chunk().await?;
            self.ready.extend(self.parser.feed(&chunk));
        }
    }

    /// Every remaining event until the body ends.
    pub async fn rest(&mut self) -> Vec<SseEvent> {
        let mut events = Vec::new();
        while let Some(event) = self.next_event().await {
            events.push(event);
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_examples() {
        let mut p = EventStreamParser::new();
        let events = p.feed(b"data: YHOO\ndata: +2\ndata: 10\n\n: test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
        let data: Vec<_> = events.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(
            data,
            [
                "YHOO\n+2\n10",
                "first event",
                "second event",
                " third event"
            ]
        );
        assert_eq!(events[1].last_event_id, "1");
        assert_eq!(events[2].last_event_id, "");
        assert_eq!(p.comments, [" test stream"]);
    }

    #[test]
    fn handles_crlf_split_across_feeds_and_ignores_dataless_events() {
        let mut p = EventStreamParser::new();
        assert!(p.feed(b"event: x\r").is_empty());
        assert!(p.feed(b"\n\r\n").is_empty());
        let events = p.feed(b"data\n\ndata:a\rdata:b\r\r");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].data, "");
        assert_eq!(events[1].data, "a\nb");
    }
}
