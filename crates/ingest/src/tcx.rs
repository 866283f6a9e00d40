//! TCX decoder (placeholder until the decoder lands).
use crate::{Activity, Error};

/// Decode a TCX document: one activity per `<Activity>` element.
pub fn decode(bytes: &[u8]) -> Result<Vec<Activity>, Error> {
    let _ = bytes;
    Err(Error::decode("TCX", 0, "decoder not written yet"))
}
