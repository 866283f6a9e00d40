//! Fuzz target `strava_csv`: `hamstride_ingest::strava::parse_activities_csv` (Strava's
//! export index, untrusted like everything in the zip) on arbitrary bytes must return, never
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hamstride_ingest::strava::parse_activities_csv(data);
});
