//! A connection's socket as hyper sees it: bytes already read off it put back in front (so the
//! protocol can be told from the first bytes and the connection still reads them), and, for
//! HTTP/1.1, whether each write went through reported to the connection's [`Activity`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::activity::Activity;

/// `inner` with `prefix` to be read first.
pub(super) struct Rewind<T> {
    prefix: Bytes,
    inner: T,
    /// Told whether each write went through.
    activity: Option<Arc<Activity>>,
}

impl<T> Rewind<T> {
    pub(super) fn new(prefix: Bytes, inner: T) -> Self {
        Self {
            prefix,
            inner,
            activity: None,
        }
    }

    /// Reports each write's outcome to `activity`.
    pub(super) fn reporting_to(mut self, activity: Arc<Activity>) -> Self {
        self.activity = Some(activity);
        self
    }

    fn note<R>(&self, result: Poll<R>) -> Poll<R> {
        if let Some(activity) = &self.activity {
            activity.note_write(result.is_ready());
        }
        result
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Rewind<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.prefix.has_remaining() {
            let n = self.prefix.len().min(buf.remaining());
            buf.put_slice(&self.prefix[..n]);
            self.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Rewind<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note(result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.note(result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn the_prefix_is_read_first_then_the_socket() {
        let (a, mut b) = tokio::io::duplex(64);
        b.write_all(b" world").await.unwrap();
        drop(b);
        let mut io = Rewind::new(Bytes::from_static(b"hello"), a);
        let mut text = String::new();
        io.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "hello world");
    }

    #[tokio::test]
    async fn a_write_the_client_has_no_room_for_is_reported_until_one_goes_through() {
        let activity = Activity::new(tokio::time::Instant::now());
        let (server_end, mut client_end) = tokio::io::duplex(8);
        let mut socket = Rewind::new(Bytes::new(), server_end).reporting_to(activity.clone());
        socket.write_all(b"12345678").await.unwrap();
        assert!(activity.client_takes_writes());
        // The pipe is full: the next write would block.
        let mut blocked = std::pin::pin!(socket.write_all(b"9"));
        assert!(blocked.as_mut().now_or_never().is_none());
        assert!(!activity.client_takes_writes());
        // The client reads; the write goes through.
        let mut seen = [0u8; 8];
        client_end.read_exact(&mut seen).await.unwrap();
        blocked.await.unwrap();
        assert!(activity.client_takes_writes());
    }
}
