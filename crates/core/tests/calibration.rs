//! Calibration of the differential's probabilities on the development vignettes
//! (`../shared/vignettes/dev.jsonl` and `dev2.jsonl`, pooled). The engine's probabilities are a
//! tempered softmax, and the temperature (`kb.model.temperature`) changes how confident they are
//! but never the order of conditions, so it is the one knob that calibration may turn. It is
//! fitted here by 5-fold cross-validation, never on the whole set: on each training part the
//! temperature minimising the negative log-likelihood of the right answer (gold, or an
//! acceptable alternate) is found on a grid, and the held-out fold is scored with it. The test
//! prints, from those out-of-fold predictions, the expected calibration error (ECE) of the
//! top-1 confidence with a reliability table, the NLL and Brier score, and the same figures with
//! the shipped temperature; per set; and for `published.jsonl` at the median fold temperature
//! (published is never fitted on). It asserts only what honesty needs (disjoint folds covering
//! every case, no held-out case in its own fit, valid probabilities) and an out-of-fold ECE
//! below 0.15. `cargo run --release -p hamstride-core --example calibrate` prints the same
//! report for maintainers. Without `../shared` the test says it was skipped and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod calib;
mod common;

use std::collections::BTreeSet;

use calib::{cross_validate, items, median, metrics, predict, print_temperatures, report};
use calib::{report_sets, score_at, Metrics, Pred};
use common::shared_dir;
use hamstride_core::Kb;

/// The out-of-fold ECE the fitted temperatures must reach.
const MAX_ECE: f64 = 0.15;

#[test]
fn temperature_fitted_by_cross_validation_is_calibrated() {
    let Some(shared) = shared_dir("calibration") else {
        return;
    };
    let kb = Kb::embedded().expect("embedded knowledge base");
    let shipped = kb.model.temperature;
    let dir = shared.join("vignettes");
    let mut pooled = items(&kb, &dir, "dev.jsonl");
    pooled.extend(items(&kb, &dir, "dev2.jsonl"));
    let ids: BTreeSet<&str> = pooled.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), pooled.len(), "ids repeat across dev and dev2");

    let (oof, temps) = cross_validate(&kb, &pooled);
    let t_median = median(&temps);
    print_temperatures(&temps, t_median, shipped);
    let cv = metrics(&oof);
    report("dev+dev2, out-of-fold, fold temperatures", &cv);
    let as_shipped: Vec<Pred> = pooled.iter().map(|i| predict(&kb, i)).collect();
    let base = metrics(&as_shipped);
    report(
        &format!("dev+dev2, shipped temperature {shipped:.2}"),
        &base,
    );
    report_sets(&pooled, &oof, &as_shipped, shipped);
    let published = items(&kb, &dir, "published.jsonl");
    let title = "published.jsonl (never fitted on)";
    let (pub_cv, pub_base) = (
        score_at(&kb, &published, t_median, title),
        score_at(&kb, &published, shipped, title),
    );

    let line = |m: &Metrics| format!("ECE {:.3} NLL {:.3} Brier {:.3}", m.ece, m.nll, m.brier);
    eprintln!(
        "\ncalibration: CV temperature {t_median:.2} (folds {temps:?}) | out-of-fold {} | \
         shipped {shipped:.2}: {} | published at {t_median:.2}: {} (at {shipped:.2}: {})",
        line(&cv),
        line(&base),
        line(&pub_cv),
        line(&pub_base),
    );
    assert!(
        cv.ece < MAX_ECE,
        "out-of-fold ECE {:.3} is not below {MAX_ECE}",
        cv.ece
    );
}
