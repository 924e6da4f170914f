//! Copying a request head out of the connection's read buffer.
//!
//! hyper hands out the URI and every header value as slices of the buffer it read the
//! request into. A request that lives as long as its connection (a stream) would keep that
//! whole buffer (8 KiB) alive, and hyper would allocate another for the next reads. For such
//! requests the head is copied into one allocation of its own size.

use bytes::{BufMut, BytesMut};
use http::{HeaderMap, HeaderValue, Uri};

/// Rebuilds `uri` and `headers` on one fresh buffer holding exactly their bytes.
pub(crate) fn compact(uri: &mut Uri, headers: &mut HeaderMap) {
    let target = uri.to_string();
    let size = target.len() + headers.values().map(|v| v.len()).sum::<usize>();
    let mut buf = BytesMut::with_capacity(size);
    buf.put_slice(target.as_bytes());
    for value in headers.values() {
        buf.put_slice(value.as_bytes());
    }
    let mut bytes = buf.freeze();
    if let Ok(copied) = Uri::from_maybe_shared(bytes.split_to(target.len())) {
        *uri = copied;
    }
    let mut copied = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers.iter() {
        let own = bytes.split_to(value.len());
        // A value that was valid stays valid: the fallback keeps the original.
        let mut fresh = HeaderValue::from_maybe_shared(own).unwrap_or_else(|_| value.clone());
        fresh.set_sensitive(value.is_sensitive());
        copied.append(name.clone(), fresh);
    }
    *headers = copied;
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[test]
    fn the_copy_keeps_every_value_and_no_slice_of_the_original() {
        let buffer = Bytes::from_static(b"/sse?id=7 text/event-stream a b");
        let mut uri = Uri::from_maybe_shared(buffer.slice(0..9)).unwrap();
        let mut headers = HeaderMap::new();
        headers.append(
            "accept",
            HeaderValue::from_maybe_shared(buffer.slice(10..27)).unwrap(),
        );
        headers.append("x-a", HeaderValue::from_static("a"));
        headers.append("x-a", HeaderValue::from_static("b"));
        compact(&mut uri, &mut headers);
        assert_eq!(uri, "/sse?id=7");
        assert_eq!(headers["accept"], "text/event-stream");
        assert_eq!(
            headers.get_all("x-a").iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
        let range = buffer.as_ptr_range();
        for value in headers.values() {
            assert!(
                !range.contains(&value.as_bytes().as_ptr()),
                "still a slice of the read buffer"
            );
        }
    }
}
