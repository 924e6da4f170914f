//! The request body: read lazily, once, within the server's limit.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use parking_lot::Mutex;
use tokio::sync::OnceCell;

use crate::error::{Error, Kind};

/// Where the body comes from: the connection, or bytes given up front (tests, internal calls).
pub(crate) enum BodySource {
    Incoming(Incoming),
    Bytes(Bytes),
}

/// Why reading failed; kept small and `Copy` so every later read gets the same answer.
#[derive(Clone, Copy)]
enum Failure {
    TooLarge,
    Read,
}

/// The body of one request. The first read pulls it from the connection (at most `limit`
/// bytes); later reads get the same bytes or the same error.
pub(crate) struct RequestBody {
    source: Mutex<Option<BodySource>>,
    read: OnceCell<Result<Bytes, Failure>>,
    limit: u64,
}

impl RequestBody {
    pub(crate) fn new(source: BodySource, limit: u64) -> Self {
        Self {
            source: Mutex::new(Some(source)),
            read: OnceCell::new(),
            limit,
        }
    }

    pub(crate) async fn bytes(&self) -> Result<Bytes, Error> {
        let result = self
            .read
            .get_or_init(|| async {
                let source = self.source.lock().take();
                match source {
                    Some(BodySource::Incoming(incoming)) => read(incoming, self.limit).await,
                    Some(BodySource::Bytes(bytes)) if bytes.len() as u64 > self.limit => {
                        Err(Failure::TooLarge)
                    }
                    Some(BodySource::Bytes(bytes)) => Ok(bytes),
                    None => Ok(Bytes::new()),
                }
            })
            .await;
        match result {
            Ok(bytes) => Ok(bytes.clone()),
            Err(Failure::TooLarge) => Err(Error::new(Kind::BodyTooLarge { limit: self.limit })),
            Err(Failure::Read) => Err(Error::new(Kind::BodyRead)),
        }
    }

    /// Whether a read stopped at the limit, leaving the rest of the body on the connection.
    pub(crate) fn stopped_at_limit(&self) -> bool {
        matches!(self.read.get(), Some(Err(Failure::TooLarge)))
    }
}

async fn read(incoming: Incoming, limit: u64) -> Result<Bytes, Failure> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(incoming, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(Failure::TooLarge),
        Err(_) => Err(Failure::Read),
    }
}
