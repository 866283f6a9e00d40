//! Fuzz target `sniff`: `hamstride_ingest::sniff::decode_any` (gunzip if gzip, detect FIT /
//! GPX / TCX by content, decode) on arbitrary bytes, with small limits so a gzip bomb is
//! cut off quickly. Must return, never panic, hang or exhaust memory.
#![no_main]

use hamstride_ingest::archive::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 4 << 20,
        ratio_grace_bytes: 256 << 10,
        ..Limits::default()
    };
    let _ = hamstride_ingest::sniff::decode_any(data.to_vec(), &limits);
});
