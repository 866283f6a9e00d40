//! FIT decoder (placeholder until the decoder lands).
use crate::{Activity, Error};

/// Decode one FIT stream (possibly chained) into an activity.
pub fn decode(bytes: &[u8]) -> Result<Activity, Error> {
    let _ = bytes;
    Err(Error::decode("FIT", 0, "decoder not written yet"))
}
