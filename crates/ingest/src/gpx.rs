//! GPX decoder (placeholder until the decoder lands).
use crate::{Activity, Error};

/// Decode a GPX 1.0/1.1 document into one activity.
pub fn decode(bytes: &[u8]) -> Result<Activity, Error> {
    let _ = bytes;
    Err(Error::decode("GPX", 0, "decoder not written yet"))
}
