//! Fuzz target `tcx`: `hamstride_ingest::tcx::decode` on arbitrary bytes must return
//! (activities or an error), never panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hamstride_ingest::tcx::decode(data);
});
