//! Fuzz target `archive`: `hamstride_ingest::archive::walk` on arbitrary bytes given as an
//! upload named `fuzz.zip` (`Source::Bytes`: zips, zips in zips, hostile central directories,
//! and whatever the content sniffing makes of non-zips), consuming every member and running
//! `sniff::decode_any` on each file member, with small limits (entries, bytes, depth,
//! compression ratio) so bombs are cut off quickly. Must return, never panic, hang or
//! exhaust memory.
#![no_main]

use std::sync::atomic::AtomicU64;

use hamstride_ingest::archive::{walk, Limits, Member, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 2 << 20,
        max_archive_bytes: 8 << 20,
        max_entries: 64,
        max_depth: 3,
        max_ratio: 200,
        ratio_grace_bytes: 256 << 10,
        max_in_memory_zip: 1 << 20,
        ..Limits::default()
    };
    let mut members = 0usize;
    let input = Source::Bytes {
        name: "fuzz.zip".into(),
        data: data.to_vec(),
    };
    walk(vec![input], &limits, &AtomicU64::new(0), &mut |m| {
        members += 1;
        if let Member::File { bytes, .. } = m {
            let _ = hamstride_ingest::sniff::decode_any(bytes, &limits);
        }
        true
    });
    std::hint::black_box(members);
});
