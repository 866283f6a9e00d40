//! Decoder throughput, hamstride side by side with peer crates, in one run on one core: FIT
//! (hamstride vs `fitparser` vs `rustyfit`, every CRC checked by all three) over the bulk
//! set, and GPX (hamstride vs the `gpx` crate) over the corpus files the `gpx` crate parses.
//! Files are loaded into memory once; one iteration decodes the whole set, and divan prints
//! MB/s (10^6 bytes) from a `BytesCount` of the set's bytes. After the run it prints, per
//! decoder, the files decoded and the records they produced, so a fast figure cannot come
//! from a decoder that quietly failed. `bench/run.sh` turns the output into a table.
//!
//! Data (see `src/lib.rs`): `HAMSTRIDE_BULK_DIR` (the output dir of `make_unique_bulk.py`),
//! else `/work/bench-data/bulk` when present, else the FIT corpus `../shared/corpus/fit`;
//! `HAMSTRIDE_BENCH_MB` caps the FIT bytes loaded. The FIT set keeps only the files hamstride
//! decodes as an activity (the rest are listed at start), so hamstride's figure is over bytes
//! it really decoded. Run: `cargo bench -p hamstride-bench --bench decode`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark driver: failing loudly is the right behaviour"
)]

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

use divan::counter::BytesCount;
use divan::Bencher;
use hamstride_bench::{
    fit_fitparser, fit_hamstride, fit_rustyfit, gpx_crate, gpx_hamstride, pass, tcx_hamstride,
    DataSet, Tally,
};

/// The FIT set, restricted to files hamstride decodes as activities.
static FIT: LazyLock<DataSet> = LazyLock::new(|| {
    let mut set = hamstride_bench::fit_set();
    let loaded = set.files.len();
    let dropped = set.retain(|b| fit_hamstride(b).is_ok());
    println!(
        "FIT set: {} — {} files, {:.1} MB used ({} of {loaded} loaded files kept)",
        set.source,
        set.files.len(),
        set.bytes() as f64 / 1e6,
        set.files.len(),
    );
    report_dropped("hamstride rejects (not an activity, or invalid)", &dropped);
    set
});

/// The corpus GPX files the `gpx` crate parses: the side-by-side set.
static GPX_PEER: LazyLock<DataSet> = LazyLock::new(|| {
    let mut set = hamstride_bench::gpx_set();
    let dropped = set.retain(|b| gpx_crate(b).is_ok());
    println!(
        "GPX side-by-side set: {} — {} files the gpx crate parses, {:.2} MB:",
        set.source,
        set.files.len(),
        set.bytes() as f64 / 1e6
    );
    for (name, b) in &set.files {
        println!("    {name} ({} bytes)", b.len());
    }
    report_dropped("the gpx crate fails on", &dropped);
    set
});

/// Every corpus GPX file hamstride decodes as an activity.
static GPX_ALL: LazyLock<DataSet> = LazyLock::new(|| {
    let mut set = hamstride_bench::gpx_set();
    set.retain(|b| gpx_hamstride(b).is_ok());
    set
});

/// Every corpus TCX file hamstride decodes (no peer: there is no maintained TCX crate).
static TCX: LazyLock<DataSet> = LazyLock::new(|| {
    let mut set = hamstride_bench::tcx_set();
    set.retain(|b| tcx_hamstride(b).is_ok());
    set
});

/// The last tally of each benchmark, printed after the run.
static TALLIES: Mutex<BTreeMap<&'static str, (Tally, u64)>> = Mutex::new(BTreeMap::new());

fn report_dropped(why: &str, dropped: &[(String, u64)]) {
    if dropped.is_empty() {
        return;
    }
    let bytes: u64 = dropped.iter().map(|(_, b)| b).sum();
    println!(
        "  left out, {why}: {} files, {:.2} MB:",
        dropped.len(),
        bytes as f64 / 1e6
    );
    let mut names: Vec<&str> = dropped
        .iter()
        .map(|(n, _)| n.rsplit('/').next().unwrap_or(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        println!("    {n}");
    }
}

fn run(
    bencher: Bencher,
    name: &'static str,
    set: &'static DataSet,
    decode: fn(&[u8]) -> Result<usize, String>,
) {
    let bytes = set.bytes();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let t = pass(set, decode);
        TALLIES.lock().unwrap().insert(name, (t, bytes));
        t
    });
}

fn main() {
    // Load (and describe) every set before divan starts printing its table.
    for set in [&FIT, &GPX_PEER, &GPX_ALL, &TCX] {
        LazyLock::force(set);
    }
    println!();
    divan::main();
    let tallies = TALLIES.lock().unwrap();
    if tallies.is_empty() {
        return;
    }
    println!("\nWhat each decoder produced (last iteration):");
    println!(
        "  {:<22} {:>8} {:>8} {:>12} {:>10}",
        "benchmark", "ok", "failed", "records", "MB"
    );
    for (name, (t, bytes)) in tallies.iter() {
        println!(
            "  {name:<22} {:>8} {:>8} {:>12} {:>10.1}",
            t.ok,
            t.failed,
            t.records,
            *bytes as f64 / 1e6
        );
    }
}

mod fit {
    use super::*;

    /// hamstride, every CRC checked.
    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn hamstride(b: Bencher) {
        run(b, "fit/hamstride", &FIT, fit_hamstride);
    }

    /// `fitparser` 0.11, default options (header and data CRC validated).
    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn fitparser(b: Bencher) {
        run(b, "fit/fitparser", &FIT, fit_fitparser);
    }

    /// `rustyfit` 0.11, `Decoder::new()` (checksum on, components expanded).
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn rustyfit(b: Bencher) {
        run(b, "fit/rustyfit", &FIT, fit_rustyfit);
    }
}

mod gpx {
    use super::*;

    /// hamstride on the files the gpx crate parses.
    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn hamstride(b: Bencher) {
        run(b, "gpx/hamstride", &GPX_PEER, gpx_hamstride);
    }

    /// The `gpx` crate 0.10 on the same files.
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn gpx_crate(b: Bencher) {
        run(b, "gpx/gpx_crate", &GPX_PEER, super::gpx_crate);
    }

    /// hamstride on every corpus GPX activity (not side by side: the gpx crate fails some).
    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn hamstride_all(b: Bencher) {
        run(b, "gpx/hamstride_all", &GPX_ALL, gpx_hamstride);
    }
}

mod tcx {
    use super::*;

    /// hamstride on every corpus TCX file it decodes.
    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn hamstride(b: Bencher) {
        run(b, "tcx/hamstride", &TCX, tcx_hamstride);
    }
}
