//! hamstride-ingest: untrusted bytes in, [`Activity`] values out.
//!
//! FIT, GPX and TCX decoders, Strava's `activities.csv`, and a walker over files, folders,
//! `.gz` and `.zip` exports (Strava's archive, Garmin's zips inside zips). Everything here is
//! bounded (bytes, entries, nesting, compression ratio, records), never panics on any input,
//! and is fuzzed (`fuzz/`). It never touches the database: the service layer takes what this
//! crate yields and hands it to the store.

pub mod archive;
pub mod dedupe;
pub mod error;
pub mod fit;
pub mod gpx;
pub mod plausible;
pub mod sniff;
pub mod split;
pub mod strava;
pub mod tcx;
pub mod vocab;
pub mod xml;
mod zipread;

pub use error::Error;

/// Most track points (GPX, TCX) or `record` messages (FIT) accepted in one file: about 23
/// days at one point per second, past any real recording. One number for every format, so a
/// file is refused for its length the same way whatever it was saved as, and memory per file
/// stays bounded (a FIT `record` can be a single byte, so bytes alone do not bound it).
pub const MAX_POINTS: usize = 2_000_000;
pub use hamstride_core::activity::{
    Activity, Records, SourceFormat, Warning, WarningCode, Warnings,
};
pub use hamstride_core::import_rules::SkipCode;
