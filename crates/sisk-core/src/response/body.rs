//! The body type the server hands to hyper: whole bytes, or a response stream's queue.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use super::stream::{Aborted, Shared};
use crate::server::activity::InFlight;

/// The body of every response the server sends.
pub(crate) struct ResponseBody {
    content: BodyContent,
    /// Marks the connection busy (for its header-read timeout) until hyper lets go of the
    /// body: after the last frame, or when the connection ends. Only held: dropping it is
    /// what counts.
    _in_flight: Option<InFlight>,
}

enum BodyContent {
    Full(Option<Bytes>),
    Stream(StreamBody),
}

/// Drains a [`ResponseStream`](super::ResponseStream)'s queue; dropping it (hyper does when the
/// peer goes away or a write fails) ends the stream as disconnected.
pub(crate) struct StreamBody {
    shared: Arc<Shared>,
    /// Chunks taken from the queue in one go and handed to hyper one frame at a time.
    batch: VecDeque<Bytes>,
}

impl StreamBody {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            batch: VecDeque::new(),
        }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Aborted>>> {
        if self.shared.is_aborted() {
            self.batch.clear();
            return Poll::Ready(Some(Err(Aborted)));
        }
        if self.batch.is_empty() {
            match self.shared.poll_batch(cx, &mut self.batch) {
                Poll::Ready(Some(Ok(()))) => {}
                Poll::Ready(Some(Err(aborted))) => return Poll::Ready(Some(Err(aborted))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(self.batch.pop_front().map(Ok))
    }
}

impl Drop for StreamBody {
    fn drop(&mut self) {
        self.shared.body_dropped();
    }
}

impl ResponseBody {
    /// Whole bytes (or none); `in_flight` marks the connection busy until hyper drops the body.
    pub(crate) fn full(bytes: Option<Bytes>, in_flight: Option<InFlight>) -> Self {
        Self {
            content: BodyContent::Full(bytes),
            _in_flight: in_flight,
        }
    }

    /// A response stream's queue; `in_flight` as for [`full`](Self::full).
    pub(crate) fn stream(stream: StreamBody, in_flight: Option<InFlight>) -> Self {
        Self {
            content: BodyContent::Stream(stream),
            _in_flight: in_flight,
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Aborted;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Aborted>>> {
        match &mut self.get_mut().content {
            BodyContent::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            BodyContent::Stream(stream) => stream
                .poll_chunk(cx)
                .map(|chunk| chunk.map(|b| b.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.content {
            BodyContent::Full(bytes) => bytes.is_none(),
            // Always "maybe more": hyper asks after every frame, and the answer would cost a
            // lock each time; the end is found by the next poll instead.
            BodyContent::Stream(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.content {
            BodyContent::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            BodyContent::Stream(_) => SizeHint::default(),
        }
    }
}
