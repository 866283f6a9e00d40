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

pub use error::Error;
pub use hamstride_core::activity::{
    Activity, Records, SourceFormat, Warning, WarningCode, Warnings,
};
pub use hamstride_core::import_rules::SkipCode;
