//! Fuzz target `gpx`: `hamstride_ingest::gpx::decode` on arbitrary bytes must return (an
//! activity or an error), never panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hamstride_ingest::gpx::decode(data);
});
