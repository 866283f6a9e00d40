//! Calibration report for maintainers: fits the differential's temperature
//! (`kb.model.temperature`, which changes how confident the probabilities are but never the
//! order of conditions) by 5-fold cross-validation on the pooled development vignettes
//! (`dev.jsonl` + `dev2.jsonl`), minimising the negative log-likelihood of the right answer
//! (gold or an acceptable alternate) on each training part and scoring the held-out fold with
//! it, so no case is scored by a temperature fitted on itself. It prints the fold temperatures,
//! the expected calibration error of the top-1 confidence with a reliability table, NLL and
//! Brier score (out-of-fold and with the shipped temperature, pooled and per set), the same for
//! `published.jsonl` (never fitted on) at the median fold temperature, and that median as the
//! recommended `temperature` for `kb/evidence.toml`. Re-run it after changing the evidence table:
//! `cargo run --release -p hamstride-core --example calibrate [-- path/to/vignettes]`.
//! The computation lives in `tests/calib/mod.rs`, shared with the integration test
//! `tests/calibration.rs`, which asserts on it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/calib/mod.rs"]
mod calib;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use calib::{cross_validate, items, median, metrics, predict, print_temperatures, report};
use calib::{report_sets, score_at, Pred};
use hamstride_core::Kb;

/// The vignette folder: the first argument, or `../shared/vignettes` beside the repository.
fn vignette_dir() -> PathBuf {
    std::env::args().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vignettes"),
        PathBuf::from,
    )
}

fn main() {
    let dir = vignette_dir();
    let kb = Kb::embedded().expect("embedded knowledge base");
    let shipped = kb.model.temperature;
    let mut pooled = items(&kb, &dir, "dev.jsonl");
    pooled.extend(items(&kb, &dir, "dev2.jsonl"));
    let ids: BTreeSet<&str> = pooled.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), pooled.len(), "ids repeat across dev and dev2");

    let (oof, temps) = cross_validate(&kb, &pooled);
    let t_median = median(&temps);
    print_temperatures(&temps, t_median, shipped);
    report("dev+dev2, out-of-fold, fold temperatures", &metrics(&oof));
    let as_shipped: Vec<Pred> = pooled.iter().map(|i| predict(&kb, i)).collect();
    report(
        &format!("dev+dev2, shipped temperature {shipped:.2}"),
        &metrics(&as_shipped),
    );
    report_sets(&pooled, &oof, &as_shipped, shipped);
    let published = items(&kb, &dir, "published.jsonl");
    for t in [t_median, shipped] {
        score_at(&kb, &published, t, "published.jsonl (never fitted on)");
    }
    println!(
        "\nrecommended temperature (median of the fold fits): {t_median:.2} (shipped {shipped:.2})"
    );
}
