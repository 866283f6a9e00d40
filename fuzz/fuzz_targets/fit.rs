//! Fuzz target `fit`: `hamstride_ingest::fit::decode` on arbitrary bytes must return (an
//! activity or an error), never panic, hang or exhaust memory. Every input is also given a
//! correct-looking 14-byte header, so the fuzzer reaches the message loop instead of spending
//! its time failing the `.FIT` signature check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hamstride_ingest::fit::decode(data);
    if !hamstride_ingest::fit::is_fit(data) && data.len() < (1 << 20) {
        // Header: size 14, protocol 2.0, profile 21.40, data size, ".FIT", CRC 0 (= unset).
        let mut framed = Vec::with_capacity(data.len() + 16);
        framed.extend_from_slice(&[14, 0x20, 0x5c, 0x08]);
        framed.extend_from_slice(&(data.len() as u32).to_le_bytes());
        framed.extend_from_slice(b".FIT");
        framed.extend_from_slice(&[0, 0]);
        framed.extend_from_slice(data);
        framed.extend_from_slice(&[0, 0]);
        let _ = hamstride_ingest::fit::decode(&framed);
    }
});
