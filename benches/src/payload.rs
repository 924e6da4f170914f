//! The 64-byte benchmark payload: a sequence number and the time it was posted.
//!
//! `seq=00000042 t=0000000001234567 ` followed by `.` up to 64 bytes. The time is in
//! microseconds since the load generator's [`epoch`], so the receiver (same process) computes
//! the post → receive latency without any clock skew.

use std::sync::OnceLock;
use std::time::Instant;

/// The payload size the figures are for.
pub const PAYLOAD_LEN: usize = 64;

const PREFIX: &[u8] = b"seq=";

/// The load generator's time origin.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Microseconds since [`epoch`].
pub fn now_us() -> u64 {
    u64::try_from(epoch().elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The payload of broadcast number `seq`, posted at `sent_us`.
pub fn encode(seq: u32, sent_us: u64) -> String {
    let mut text = format!("seq={seq:08} t={sent_us:016} ");
    while text.len() < PAYLOAD_LEN {
        text.push('.');
    }
    text
}

/// The payload of broadcast `seq` padded with `.` to `len` bytes (at least [`PAYLOAD_LEN`]),
/// for the stalled-client phase.
pub fn encode_padded(seq: u32, sent_us: u64, len: usize) -> String {
    let mut text = encode(seq, sent_us);
    text.extend(std::iter::repeat_n('.', len.saturating_sub(text.len())));
    text
}

/// The sequence number and post time of a payload made by [`encode`] or [`encode_padded`];
/// `None` for any other data (warm-up and probe events).
pub fn decode(data: &[u8]) -> Option<(u32, u64)> {
    if data.len() < PAYLOAD_LEN || !data.starts_with(PREFIX) {
        return None;
    }
    let seq = parse_decimal(data.get(4..12)?)?;
    if data.get(12..15)? != b" t=" {
        return None;
    }
    let sent = parse_decimal(data.get(15..31)?)?;
    Some((u32::try_from(seq).ok()?, sent))
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_64_bytes() {
        let text = encode(42, 1_234_567);
        assert_eq!(text.len(), PAYLOAD_LEN);
        assert_eq!(decode(text.as_bytes()), Some((42, 1_234_567)));
    }

    #[test]
    fn padded_payloads_decode_too() {
        let text = encode_padded(7, 99, 16 * 1024);
        assert_eq!(text.len(), 16 * 1024);
        assert_eq!(decode(text.as_bytes()), Some((7, 99)));
    }

    #[test]
    fn other_data_is_not_a_payload() {
        assert_eq!(decode(b"warmup"), None);
        assert_eq!(decode(&[b'x'; 64]), None);
        assert_eq!(decode(&encode(1, 2).as_bytes()[..63]), None);
    }
}
