//! The assessment's pre-fill from data (`training::data_findings` over `kb/prefill.toml`) on
//! synthetic histories thinned in several ways, so every test of the table fires: the counts
//! of each claimed change are pinned to what the thresholds gave when they were Rust constants
//! (the full output, reasons included, was compared line by line on 3,600 cases when they
//! moved), and changing a number in the table changes the decisions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use hamstride_analytics::series::{self, HrCurve, RunEntry, Settings};
use hamstride_service::prefill::{Prefill, EMBEDDED};
use hamstride_service::{training, Service};
use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::Span;

const END: Date = date(2026, 11, 21);

/// Three seeds × four ways of dropping runs (breaks, volume and descent changes), every third
/// day of the last 900 as "today".
fn counts(svc: &Service, rules: &Prefill) -> BTreeMap<String, usize> {
    let settings = Settings {
        tz: TimeZone::UTC,
        hr_rest: None,
        hr_max: None,
        hr_curve: HrCurve::Men,
    };
    let mut counts = BTreeMap::new();
    for seed in 1..=3u64 {
        let all = hamstride_analytics::synthetic::history(3, seed, END);
        for variant in 0..4usize {
            let entries: Vec<RunEntry> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| match variant {
                    0 => true,
                    1 => (i / 20) % 3 != 1,
                    2 => (i / 7) % 5 != 0 && i % 3 != 0,
                    _ => (i / 35) % 2 == 0 || i % 4 == 0,
                })
                .map(|(_, e)| e.clone())
                .collect();
            let a = series::analyse(&series::Input {
                activities: &entries,
                settings: &settings,
                signals: svc.signals(),
                today: END,
            });
            for back in (0..900).step_by(3) {
                let today = END.saturating_sub(Span::new().days(back));
                for c in training::data_findings(&a, today, rules).recent_training_change {
                    *counts.entry(c).or_insert(0) += 1;
                }
            }
        }
    }
    counts
}

fn pinned() -> BTreeMap<String, usize> {
    [
        ("downhill_running", 870),
        ("long_run_increase", 1350),
        ("mileage_increase", 1078),
        ("new_hills", 2412),
        ("new_speed_work", 2682),
        ("return_after_break", 456),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[test]
fn decisions_are_those_of_the_former_constants() {
    let svc = Service::new().unwrap();
    assert_eq!(counts(&svc, svc.prefill()), pinned());
}

#[test]
fn the_numbers_in_the_table_decide() {
    let svc = Service::new().unwrap();
    let edited = EMBEDDED
        .replacen("ratio = 1.2", "ratio = 5.0", 1)
        .replacen("min_days = 14", "min_days = 365", 1)
        .replacen("min_m = 300.0", "min_m = 100000.0", 1);
    let rules = Prefill::parse(&edited, svc.kb(), svc.signals()).unwrap();
    let mut got = counts(&svc, &rules);
    // Five times the distance still happens when runs come back after a dropped stretch.
    let mileage = got.remove("mileage_increase").unwrap_or(0);
    assert!(mileage > 0 && mileage < 1078 / 10, "{mileage}");
    let mut want = pinned();
    want.remove("mileage_increase");
    want.remove("return_after_break");
    want.remove("downhill_running");
    assert_eq!(got, want);
}
