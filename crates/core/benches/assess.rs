//! Benchmark of the pure core, in process: one assessment from findings JSON text (parse,
//! validate, assess — the cost a CLI run or a web request pays; target < 1 ms median), the
//! assessment alone on pre-parsed findings, and loading the embedded knowledge base (paid
//! once per process). It does not measure the interview, whose cost is one question score
//! per open field per step. Run with `cargo bench -p hamstride-core --bench assess`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::{black_box, Bencher};
use hamstride_core::{assess, Findings, Kb};

/// A typical sprint-type hamstring strain with 21 answers (made up, in the shape of the
/// development vignettes), so the parse and the differential do realistic work.
const SPRINT_STRAIN: &str = r#"{
  "schema": "hamstride.findings/1",
  "age_years": 27,
  "sex": "male",
  "weekly_km": 50,
  "onset": "sudden",
  "mechanism": "sprinting",
  "pop_or_snap": false,
  "stopped_immediately": true,
  "days_since_onset": 5,
  "trend": "improving",
  "during_hard_effort": true,
  "recent_training_change": ["race", "new_speed_work"],
  "side": "right",
  "pain_sites": ["mid_back_thigh"],
  "pain_now": 3,
  "pain_quality": ["sharp"],
  "walking": "normal",
  "days_to_pain_free_walking": 3,
  "test_resisted_knee_bend": true,
  "test_straight_leg_raise": true,
  "weak_knee_bend": true,
  "bruising": "none"
}"#;

/// A sparse history, as real ones are (a forced stretch felt in the buttock, little else):
/// the worst case for the must-not-miss screens, the brief 2.4a presumptions and the list of
/// answers that could change the level, which try many what-ifs.
const SPARSE_FORCED_STRETCH: &str = r#"{
  "schema": "hamstride.findings/2",
  "age_years": 25,
  "sex": "male",
  "onset": "sudden",
  "mechanism": "overstretch",
  "side": "right",
  "pain_sites": ["buttock", "mid_back_thigh"]
}"#;

fn main() {
    divan::main();
}

#[divan::bench]
fn assess_sparse_from_json(bencher: Bencher) {
    let kb = Kb::embedded().unwrap();
    bencher.bench_local(|| {
        let parsed =
            Findings::from_json_str(&kb.schema, black_box(SPARSE_FORCED_STRETCH), true).unwrap();
        assess(&kb, &parsed.findings)
    });
}

#[divan::bench]
fn assess_from_json(bencher: Bencher) {
    let kb = Kb::embedded().unwrap();
    bencher.bench_local(|| {
        let parsed = Findings::from_json_str(&kb.schema, black_box(SPRINT_STRAIN), true).unwrap();
        assess(&kb, &parsed.findings)
    });
}

#[divan::bench]
fn assess_only(bencher: Bencher) {
    let kb = Kb::embedded().unwrap();
    let findings = Findings::from_json_str(&kb.schema, SPRINT_STRAIN, true)
        .unwrap()
        .findings;
    bencher.bench_local(|| assess(&kb, black_box(&findings)));
}

#[divan::bench]
fn kb_load() -> Kb {
    Kb::embedded().unwrap()
}
