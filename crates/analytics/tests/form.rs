//! Form against the runner's own baseline, with hand-computed expectations: the baseline
//! median and robust spread (MAD × 1.4826) per pace band and their time-weighted overall
//! values; pace adjustment (a faster run in a faster band is not a change of form, a lower
//! cadence in the same band is); balance shifts named by side; the "not enough runs" text; a
//! metric the device does not record left out; and no panic on odd input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::form::{analyse, FormMetric, FormReport, FormRun, MetricReport, Side};
use hamstride_analytics::metrics::FormBand;
use hamstride_analytics::signals::Signals;
use hamstride_analytics::{ActivityMetrics, METRICS_VERSION};
use hamstride_export::words;
use jiff::civil::{date, Date};

/// The injury onset in every scenario; today is 20 days later, so the recent window
/// (today − 21 days) starts at the reference itself.
const REF: Date = date(2025, 6, 1);
const TODAY: Date = date(2025, 6, 21);

fn signals() -> Signals {
    Signals::embedded().unwrap()
}

/// A band with only cadence.
fn cad(band: u16, seconds: f64, spm: f64) -> FormBand {
    FormBand {
        band,
        seconds,
        cadence_spm: Some(spm),
        step_length_mm: None,
        ground_contact_ms: None,
        vertical_oscillation_mm: None,
        balance_left_pct: None,
    }
}

/// A band with only balance.
fn bal(band: u16, seconds: f64, left_pct: f64) -> FormBand {
    FormBand {
        balance_left_pct: Some(left_pct),
        cadence_spm: None,
        ..cad(band, seconds, 0.0)
    }
}

fn metrics(form: Vec<FormBand>) -> ActivityMetrics {
    ActivityMetrics {
        version: METRICS_VERSION,
        start_ms: 0,
        sport: "running".into(),
        is_run: true,
        duration_s: 1800.0,
        distance_m: 5000.0,
        ascent_m: 0.0,
        descent_m: 0.0,
        steep_up_s: 0.0,
        steep_down_s: 0.0,
        hr_seconds: vec![],
        speed_seconds: vec![],
        best_10s_mps: None,
        bouts: vec![],
        form,
    }
}

/// `(days from REF, bands)`; negative days are baseline runs. Ids follow the order given.
fn run_all(runs: &[(i32, Vec<FormBand>)], injured: Option<Side>, signals: &Signals) -> FormReport {
    let stored: Vec<(i64, Date, ActivityMetrics)> = runs
        .iter()
        .enumerate()
        .map(|(i, (d, bands))| {
            let day = REF.checked_add(jiff::Span::new().days(*d)).unwrap();
            (i as i64 + 1, day, metrics(bands.clone()))
        })
        .collect();
    let input: Vec<FormRun<'_>> = stored
        .iter()
        .map(|(id, day, m)| FormRun {
            id: *id,
            date: *day,
            metrics: m,
        })
        .collect();
    analyse(&input, REF, TODAY, injured, signals)
}

fn report(r: &FormReport, m: FormMetric) -> &MetricReport {
    r.metrics
        .iter()
        .find(|x| x.metric == m)
        .unwrap_or_else(|| panic!("{m:?} missing from {r:#?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Five baseline runs: band 10 (600 s each) at 160, 162, 158, 161, 175 spm and band 12
/// (300 s each) at 170, 170, 171, 169, 170 spm.
fn two_band_baseline() -> Vec<(i32, Vec<FormBand>)> {
    let b10 = [160.0, 162.0, 158.0, 161.0, 175.0];
    let b12 = [170.0, 170.0, 171.0, 169.0, 170.0];
    (0..5)
        .map(|i| {
            (
                -50 + 10 * i as i32,
                vec![cad(10, 600.0, b10[i]), cad(12, 300.0, b12[i])],
            )
        })
        .collect()
}

#[test]
fn baseline_median_and_robust_spread() {
    // Band 10 only: 150, 160, 170, 180, 190 → median 170; |x − 170| = 20, 10, 0, 10, 20 →
    // MAD 10 → robust SD 14.826. Recent runs at 150 and 152 in band 10 → deviations −20, −18
    // → change (median of two) −19. 2 × 14.826 = 29.652 > 19 (and > the 3 spm minimum):
    // no drift, and the usual range shown is ±30.
    let mut runs: Vec<(i32, Vec<FormBand>)> = [150.0, 160.0, 170.0, 180.0, 190.0]
        .iter()
        .enumerate()
        .map(|(i, &v)| (-60 + 10 * i as i32, vec![cad(10, 600.0, v)]))
        .collect();
    runs.push((3, vec![cad(10, 600.0, 150.0)]));
    runs.push((8, vec![cad(10, 600.0, 152.0)]));
    let r = run_all(&runs, None, &signals());
    let c = report(&r, FormMetric::Cadence);
    assert_eq!(words::form_unit(c.metric), "spm");
    assert_eq!((c.baseline_runs, c.recent_runs), (5, 2));
    assert!(close(c.baseline.unwrap(), 170.0));
    assert!(close(c.change.unwrap(), -19.0));
    assert!(!c.drift);
    assert_eq!(
        words::form_metric(c, &r),
        "Cadence is within your usual range at the same paces (±30 steps/min)."
    );
    // Points: baseline + deviation = the runs' own values here (one band), oldest first.
    let values: Vec<f64> = c.points.iter().map(|p| p.value).collect();
    assert_eq!(
        values,
        vec![150.0, 160.0, 170.0, 180.0, 190.0, 150.0, 152.0]
    );
    assert_eq!(c.points[5].activity_id, 6);
}

#[test]
fn overall_baseline_is_time_weighted_over_bands() {
    // Band 10: median 161; |x − 161| = 1, 1, 3, 0, 14 → MAD 1 → SD 1.4826; 3000 s in all.
    // Band 12: median 170; |x − 170| = 0, 0, 1, 1, 0 → MAD 0 → SD 0; 1500 s in all.
    // Baseline = (161 × 3000 + 170 × 1500) / 4500 = 738000 / 4500 = 164.
    // Spread = (1.4826 × 3000 + 0 × 1500) / 4500 = 0.9884; 2 × 0.9884 < 3 spm → range ±3.
    // A recent run with band 10 at 155 (600 s) and band 12 at 170 (300 s):
    // deviation = (600 × (155 − 161) + 300 × (170 − 170)) / 900 = −3600 / 900 = −4.
    let mut runs = two_band_baseline();
    runs.push((2, vec![cad(10, 600.0, 155.0), cad(12, 300.0, 170.0)]));
    let r = run_all(&runs, None, &signals());
    let c = report(&r, FormMetric::Cadence);
    assert!(close(c.baseline.unwrap(), 164.0));
    assert!(close(c.change.unwrap(), -4.0));
    // One recent run: below the 2 needed, so no verdict yet despite a 4 spm change.
    assert!(!c.drift);
    assert_eq!(
        words::form_metric(c, &r),
        "Not enough runs yet to compare: 1 recent run with cadence at comparable paces (2 needed)."
    );
    // Its trend point: 164 + (−4) = 160.
    assert!(close(c.points.last().unwrap().value, 160.0));
}

/// (name, recent runs' bands, expected change, drift, text)
type PaceRow = (&'static str, Vec<Vec<FormBand>>, f64, bool, &'static str);

#[test]
fn pace_adjustment_table() {
    // Baseline as above: band 10 median 161, band 12 median 170, overall 164, range ±3.
    let rows: Vec<PaceRow> = vec![
        (
            // Raw cadence 171 and 170 is 6.5 spm above the overall 164, but at band 12 the
            // baseline is 170: deviations +1 and 0 → change 0.5, not drift.
            "faster runs in a faster band",
            vec![vec![cad(12, 900.0, 171.0)], vec![cad(12, 900.0, 170.0)]],
            0.5,
            false,
            "Cadence is within your usual range at the same paces (±3 steps/min).",
        ),
        (
            // Band 10 at 155 and 156: deviations −6 and −5 → change −5.5; |−5.5| ≥ 3 and
            // ≥ 2 × 0.9884. Shown: 164 → 164 − 5.5 = 158.5, rounded 159; change rounded 6.
            "lower cadence at the same band",
            vec![vec![cad(10, 900.0, 155.0)], vec![cad(10, 900.0, 156.0)]],
            -5.5,
            true,
            "Cadence at the same paces is 6 steps/min lower than your baseline (164 → 159), \
             a clear change.",
        ),
        (
            // Band 14 was never run in the baseline: those runs cannot be compared and do not
            // count; the band 10 run at 163 (+2) is the only recent run.
            "runs at a pace with no baseline",
            vec![
                vec![cad(14, 900.0, 180.0)],
                vec![cad(14, 900.0, 181.0)],
                vec![cad(10, 900.0, 163.0)],
            ],
            2.0,
            false,
            "Not enough runs yet to compare: 1 recent run with cadence at comparable paces \
             (2 needed).",
        ),
    ];
    for (name, recent, change, drift, text) in rows {
        let mut runs = two_band_baseline();
        for (i, bands) in recent.into_iter().enumerate() {
            runs.push((1 + 3 * i as i32, bands));
        }
        let r = run_all(&runs, None, &signals());
        let c = report(&r, FormMetric::Cadence);
        assert!(close(c.change.unwrap(), change), "{name}: {:?}", c.change);
        assert_eq!(c.drift, drift, "{name}");
        assert_eq!(words::form_metric(c, &r), text, "{name}");
    }
}

#[test]
fn balance_shift_names_the_side() {
    // Baseline left share 50.0, 50.2, 49.8, 50.1, 49.9 → median 50.0; |x − 50| = 0, 0.2, 0.2,
    // 0.1, 0.1 → MAD 0.1 → SD 0.14826; 2 × 0.148 < 1.5 points minimum. Recent 52.1 and 52.3
    // → +2.1, +2.3 → change +2.2 points toward the left: drift.
    let mut runs: Vec<(i32, Vec<FormBand>)> = [50.0, 50.2, 49.8, 50.1, 49.9]
        .iter()
        .enumerate()
        .map(|(i, &v)| (-40 + 5 * i as i32, vec![bal(11, 900.0, v)]))
        .collect();
    runs.push((4, vec![bal(11, 900.0, 52.1)]));
    runs.push((9, vec![bal(11, 900.0, 52.3)]));
    let rows = [
        (
            Some(Side::Left),
            "Ground contact balance has shifted 2.2 points toward your left (injured) side \
             since the injury (50.0% → 52.2% left) — possibly a way of protecting the leg; worth \
             mentioning to your physio. Asymmetry on its own did not predict injury in a study \
             of 836 runners.",
        ),
        (
            Some(Side::Right),
            "Ground contact balance has shifted 2.2 points toward your left side, away from the \
             injured right leg, since the injury (50.0% → 52.2% left) — possibly a way of \
             protecting the leg; worth mentioning to your physio. Asymmetry on its own did not \
             predict injury in a study of 836 runners.",
        ),
        (
            None,
            "Ground contact balance has shifted 2.2 points toward your left side compared with \
             your baseline (50.0% → 52.2% left). Asymmetry on its own did not predict injury in \
             a study of 836 runners.",
        ),
    ];
    for (side, text) in rows {
        let r = run_all(&runs, side, &signals());
        let b = report(&r, FormMetric::Balance);
        assert_eq!(words::form_unit(b.metric), "%");
        assert!(b.drift, "{side:?}");
        assert!((b.baseline.unwrap() - 50.0).abs() < 1e-9);
        assert!((b.change.unwrap() - 2.2).abs() < 1e-9);
        assert_eq!(words::form_metric(b, &r), text, "{side:?}");
    }
}

#[test]
fn too_few_runs_say_how_many_are_needed() {
    // 4 baseline runs in one band (a band needs 3, the comparison 5) and 1 recent run.
    let mut runs: Vec<(i32, Vec<FormBand>)> = (0..4)
        .map(|i| (-30 + 5 * i, vec![cad(10, 600.0, 160.0)]))
        .collect();
    runs.push((5, vec![cad(10, 600.0, 150.0)]));
    let r = run_all(&runs, None, &signals());
    let c = report(&r, FormMetric::Cadence);
    assert_eq!((c.baseline_runs, c.recent_runs), (4, 1));
    assert!(!c.drift);
    // The change is still measured (150 − 160), only not judged.
    assert!(close(c.change.unwrap(), -10.0));
    assert_eq!(
        words::form_metric(c, &r),
        "Not enough runs yet to compare: 4 baseline runs with cadence at comparable paces \
         (5 needed) and 1 recent run with cadence at comparable paces (2 needed)."
    );

    // Two baseline runs: no band reaches 3 runs, so none is at a comparable pace.
    let runs = vec![
        (-10, vec![cad(10, 600.0, 160.0)]),
        (-5, vec![cad(10, 600.0, 161.0)]),
    ];
    let r = run_all(&runs, None, &signals());
    let c = report(&r, FormMetric::Cadence);
    assert_eq!(c.baseline, None);
    assert_eq!(c.change, None);
    assert!(c.points.is_empty());
    assert_eq!(
        words::form_metric(c, &r),
        "Not enough runs yet to compare: 0 baseline runs with cadence at comparable paces \
         (5 needed) and 0 recent runs with cadence at comparable paces (2 needed)."
    );
}

#[test]
fn metrics_the_device_does_not_record_are_left_out() {
    let mut runs = two_band_baseline();
    runs.push((1, vec![cad(12, 900.0, 171.0)]));
    let r = run_all(&runs, None, &signals());
    let listed: Vec<FormMetric> = r.metrics.iter().map(|m| m.metric).collect();
    assert_eq!(listed, vec![FormMetric::Cadence]);
    assert_eq!(r.reference, REF);

    // A device writing 0 for "not measured" does not count as recording the metric.
    let runs = vec![(-3, vec![bal(10, 600.0, 0.0)])];
    assert!(run_all(&runs, None, &signals()).metrics.is_empty());
}

#[test]
fn windows_split_baseline_and_recent() {
    // baseline_days = 90: a run 91 days before the reference is out, 90 days before is in.
    // recent_days = 21 with today 30 days after the reference: runs on days 1–8 after it fall
    // between the windows, day 9 (today − 21) and later are recent; after today is ignored.
    let today = date(2025, 7, 1);
    let mk = |d: i32, spm: f64| {
        (
            REF.checked_add(jiff::Span::new().days(d)).unwrap(),
            metrics(vec![cad(10, 600.0, spm)]),
        )
    };
    let stored = [
        mk(-91, 100.0),
        mk(-90, 160.0),
        mk(-60, 160.0),
        mk(-30, 160.0),
        mk(-1, 160.0),
        mk(0, 100.0),
        mk(1, 100.0),
        mk(9, 161.0),
        mk(30, 162.0),
        mk(31, 100.0),
    ];
    let input: Vec<FormRun<'_>> = stored
        .iter()
        .enumerate()
        .map(|(i, (d, m))| FormRun {
            id: i as i64,
            date: *d,
            metrics: m,
        })
        .collect();
    let r = analyse(&input, REF, today, None, &signals());
    let c = report(&r, FormMetric::Cadence);
    assert_eq!((c.baseline_runs, c.recent_runs), (4, 2));
    // Recent deviations +1 and +2 against the baseline median 160.
    assert!(close(c.change.unwrap(), 1.5));
}

#[test]
fn odd_input_never_panics() {
    let weird = vec![
        FormBand {
            cadence_spm: Some(f64::NAN),
            step_length_mm: Some(f64::INFINITY),
            ground_contact_ms: Some(-5.0),
            vertical_oscillation_mm: Some(80.0),
            balance_left_pct: Some(50.0),
            ..cad(10, f64::NAN, 0.0)
        },
        cad(u16::MAX, 0.0, 170.0),
        cad(10, -3.0, 170.0),
        cad(11, 1e308, 170.0),
        cad(11, 1e308, 1e308),
    ];
    let m = metrics(weird);
    let run = |id, d| FormRun {
        id,
        date: d,
        metrics: &m,
    };
    let s = signals();
    // Duplicated ids, unsorted input, today before the reference, empty input.
    let runs = [
        run(3, date(2025, 5, 1)),
        run(3, date(2025, 5, 1)),
        run(1, date(2025, 6, 5)),
        run(2, date(2025, 5, 20)),
    ];
    let _ = analyse(&runs, REF, TODAY, Some(Side::Both), &s);
    let _ = analyse(&runs, REF, date(2025, 1, 1), None, &s);
    let _ = analyse(&runs, Date::MIN, Date::MAX, None, &s);
    let _ = analyse(&[], REF, TODAY, None, &s);
    // A run with duplicated bands and a step-length series, all within every window.
    let m2 = metrics(vec![
        FormBand {
            step_length_mm: Some(1000.0),
            ..cad(10, 300.0, 160.0)
        },
        FormBand {
            step_length_mm: Some(1100.0),
            ..cad(10, 300.0, 162.0)
        },
    ]);
    let many: Vec<FormRun<'_>> = (0..8)
        .map(|i| FormRun {
            id: i,
            date: date(2025, 5, 1 + i as i8 * 3),
            metrics: &m2,
        })
        .collect();
    let r = analyse(&many, REF, TODAY, None, &s);
    // Duplicated band 10 merged by time: step length (300 × 1000 + 300 × 1100) / 600 = 1050.
    let sl = report(&r, FormMetric::StepLength);
    assert!(close(sl.baseline.unwrap(), 1050.0));
    assert_eq!(words::form_unit(sl.metric), "mm");
}

#[test]
fn step_length_change_is_a_percentage() {
    // Baseline step length 1000 mm in band 10 (5 runs, MAD 0 → spread floored near 0).
    // Recent 930 and 910 mm → (930/1000 − 1) × 100 = −7%, −9% → change −8%; |−8| ≥ 5%.
    // Shown: 1000 → 1000 × (1 − 0.08) = 920 mm.
    let sl = |mm: f64| FormBand {
        step_length_mm: Some(mm),
        cadence_spm: None,
        ..cad(10, 600.0, 0.0)
    };
    let mut runs: Vec<(i32, Vec<FormBand>)> =
        (0..5).map(|i| (-20 + 3 * i, vec![sl(1000.0)])).collect();
    runs.push((2, vec![sl(930.0)]));
    runs.push((4, vec![sl(910.0)]));
    let r = run_all(&runs, None, &signals());
    let c = report(&r, FormMetric::StepLength);
    assert!((c.change.unwrap() + 8.0).abs() < 1e-9);
    assert!(c.drift);
    assert_eq!(
        words::form_metric(c, &r),
        "Step length at the same paces is 8% shorter than your baseline (1000 → 920 mm), a clear \
         change."
    );
    // The last point: 1000 × (1 − 0.09) = 910 mm.
    assert!((c.points.last().unwrap().value - 910.0).abs() < 1e-9);
}
