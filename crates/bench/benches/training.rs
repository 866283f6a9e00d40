//! Training-load benchmarks on a synthetic 10-year history (about 3,500 runs, one of every
//! day's pain scores for the last two years): every series and flag (issue target ≤ 50 ms),
//! and the HTML report from stored metrics JSON to the finished string (target ≤ 1 s).
//! Run: `cargo bench -p hamstride-bench --bench training`. The end-to-end `hamstride report`
//! on a seeded database is timed by hyperfine in `bench/training.sh`.

use divan::{black_box, Bencher};
use hamstride_analytics::metrics::ActivityMetrics;
use hamstride_bench::training as fixture;

fn main() {
    divan::main();
}

/// Daily and weekly series, every flag, form against baseline, the pain analysis and the
/// assessment pre-fill: everything `hamstride status` computes.
#[divan::bench(sample_count = 30)]
fn all_series_and_flags_10y(b: Bencher) {
    let f = fixture::Fixture::new();
    b.bench(|| black_box(f.analyse()));
}

/// The report as `hamstride report` builds it after reading the database: stored metrics JSON
/// parsed, everything analysed, the HTML rendered.
#[divan::bench(sample_count = 10)]
fn report_10y_from_stored_json(b: Bencher) {
    let f = fixture::Fixture::new();
    let jsons: Vec<String> = f
        .entries
        .iter()
        .map(|e| serde_json::to_string(&e.metrics).unwrap_or_default())
        .collect();
    b.bench(|| {
        let parsed: Vec<ActivityMetrics> = jsons
            .iter()
            .filter_map(|j| serde_json::from_str(j).ok())
            .collect();
        black_box(parsed.len());
        black_box(f.report().len())
    });
}
