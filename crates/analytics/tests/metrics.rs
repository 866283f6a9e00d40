//! Tests of `metrics::compute` on synthetic activities whose answers can be worked out by hand:
//! steady runs, pauses, heart rate, a known hill, strides inside an easy run, form at two
//! paces, and damaged input (NaN-only columns, unsorted or repeated timestamps, absurd values),
//! plus a property test that no input makes it panic or return a non-finite number. Not here:
//! anything that reads real files (the ingest crate's tests do that).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::metrics::{
    ActivityMetrics, MetricsConstants, HR_MIN_BPM, HR_STEPS, METRICS_VERSION, SPEED_STEPS,
};
use hamstride_analytics::signals::Signals;
use hamstride_core::activity::Session;
use hamstride_core::{Activity, Records};
use proptest::prelude::*;

const T0: i64 = 1_762_160_400_000; // 2025-11-03 09:00 UTC

/// The shipped `[constants.metrics]`: the hand-worked answers below assume them (10 s pauses,
/// 8% steep, 6–60 s bouts …).
fn constants() -> MetricsConstants {
    Signals::embedded().unwrap().metrics
}

fn compute(a: &Activity) -> ActivityMetrics {
    hamstride_analytics::metrics::compute(a, &constants())
}

/// An activity with one record per entry of `times_s` (seconds after `T0`); `fill` sets the
/// columns of record `i` at time `t`.
fn build(sport: &str, times_s: &[f64], mut fill: impl FnMut(&mut Records, usize, f64)) -> Activity {
    let mut r = Records::default();
    for &t in times_s {
        let i = r.push_empty(T0 + (t * 1000.0).round() as i64);
        fill(&mut r, i, t);
    }
    Activity {
        sport: sport.to_string(),
        start_ms: Some(T0),
        records: r,
        ..Default::default()
    }
}

fn seconds(from: i64, to_incl: i64) -> Vec<f64> {
    (from..=to_incl).map(|t| t as f64).collect()
}

fn sum(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x)).sum()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn steady_run_recorded_or_derived_speed() {
    // 10 minutes at 3.0 m/s, 1 Hz: 601 records, 600 s of steps, 1800 m.
    for (case, with_speed) in [("speed column", true), ("distance only", false)] {
        let a = build("running", &seconds(0, 600), |r, i, t| {
            r.distance_m[i] = 3.0 * t;
            if with_speed {
                r.speed_mps[i] = 3.0;
            }
        });
        let m = compute(&a);
        assert_eq!(m.version, METRICS_VERSION, "{case}");
        assert!(m.is_run, "{case}");
        assert_eq!(m.sport, "running");
        assert_eq!(m.start_ms, T0);
        assert!(
            close(m.distance_m, 1800.0, 1e-9),
            "{case}: {}",
            m.distance_m
        );
        assert!(close(m.duration_s, 600.0, 1e-9), "{case}: {}", m.duration_s);
        assert_eq!(m.speed_seconds.len(), SPEED_STEPS, "{case}");
        assert!(close(f64::from(m.speed_seconds[30]), 600.0, 1e-3), "{case}");
        assert!(close(sum(&m.speed_seconds), 600.0, 1e-3), "{case}");
        let best = m.best_10s_mps.unwrap();
        assert!(close(best, 3.0, 1e-9), "{case}: {best}");
        assert!(m.bouts.is_empty(), "{case}: {:?}", m.bouts);
        let (secs, metres) = m.time_distance_above(3.0);
        assert!(
            close(secs, 600.0, 1e-3) && close(metres, 1830.0, 0.1),
            "{case}"
        );
        assert_eq!(m.time_distance_above(3.1).0, 0.0, "{case}");
        assert!(m.hr_seconds.is_empty(), "{case}");
        assert_eq!((m.ascent_m, m.descent_m, m.steep_up_s), (0.0, 0.0, 0.0));
    }
}

#[test]
fn sport_and_start() {
    let cases = [
        ("running", Some("trail"), true),
        ("running", Some("treadmill"), true),
        ("running", None, true),
        // Labels are read into the vocabulary at import (`kb/sports.toml`); the analysis
        // compares the stored sport only.
        ("other", None, false),
        ("cycling", None, false),
        ("walking", None, false),
        ("unknown", None, false),
    ];
    for (sport, sub, run) in cases {
        let mut a = build(sport, &seconds(0, 5), |_, _, _| {});
        a.sub_sport = sub.map(str::to_string);
        assert_eq!(compute(&a).is_run, run, "{sport} {sub:?}");
    }
    // Start: the activity's own, else the first record, else 0.
    let mut a = build("running", &seconds(3, 5), |_, _, _| {});
    assert_eq!(compute(&a).start_ms, T0);
    a.start_ms = None;
    assert_eq!(compute(&a).start_ms, T0 + 3000);
    assert_eq!(compute(&Activity::default()).start_ms, 0);
}

#[test]
fn pause_is_not_counted() {
    // 5 minutes running, a 5-minute stop with no records, 5 minutes running.
    let mut times = seconds(0, 300);
    times.extend(seconds(600, 900));
    let mut a = build("running", &times, |r, i, t| {
        r.distance_m[i] = 3.0 * if t <= 300.0 { t } else { t - 300.0 };
        r.speed_mps[i] = 3.0;
        r.heart_rate_bpm[i] = 150.0;
    });
    let m = compute(&a);
    assert!(close(sum(&m.speed_seconds), 600.0, 1e-3));
    assert!(close(f64::from(m.speed_seconds[30]), 600.0, 1e-3));
    assert!(close(sum(&m.hr_seconds), 600.0, 1e-3));
    assert!(close(m.distance_m, 1800.0, 1e-9));
    // Without a session the duration is elapsed time; with one, its timer time.
    assert!(close(m.duration_s, 900.0, 1e-9));
    a.sessions.push(Session {
        sport: "running".into(),
        total_timer_s: Some(600.0),
        total_elapsed_s: Some(900.0),
        ..Default::default()
    });
    assert!(close(compute(&a).duration_s, 600.0, 1e-9));
    assert!(close(m.best_10s_mps.unwrap(), 3.0, 1e-9));
}

#[test]
fn heart_rate_histogram() {
    // 140 bpm until t = 299, then 160.4 (rounds to 160); one dropout and one absurd value.
    let a = build("running", &seconds(0, 600), |r, i, t| {
        r.speed_mps[i] = 3.0;
        r.heart_rate_bpm[i] = match t as i64 {
            450 => f32::NAN,
            451 => 400.0,
            x if x < 300 => 140.0,
            _ => 160.4,
        };
    });
    let m = compute(&a);
    assert_eq!(m.hr_seconds.len(), HR_STEPS);
    let at = |bpm: u32| f64::from(m.hr_seconds[(bpm - HR_MIN_BPM) as usize]);
    assert!(close(at(140), 299.0, 1e-3));
    assert!(close(at(160), 299.0, 1e-3));
    assert!(close(sum(&m.hr_seconds), 598.0, 1e-3));
    // Every moving second with a heart rate is counted once.
    let b = build("running", &seconds(0, 600), |r, i, _| {
        r.heart_rate_bpm[i] = 150.0
    });
    assert!(close(sum(&compute(&b).hr_seconds), 600.0, 1e-3));
}

/// 300 m flat, 500 m at `grade`, 300 m flat, at 3 m/s and 1 Hz.
fn hill(grade: f64) -> Activity {
    let dur = 1100.0 / 3.0;
    let times: Vec<f64> = (0..=(dur as i64)).map(|t| t as f64).collect();
    build("running", &times, |r, i, t| {
        let d = 3.0 * t;
        r.distance_m[i] = d;
        r.speed_mps[i] = 3.0;
        r.altitude_m[i] = (100.0 + grade * (d - 300.0).clamp(0.0, 500.0)) as f32;
    })
}

#[test]
fn known_hill() {
    let hill_s = 500.0 / 3.0;
    let m = compute(&hill(0.10));
    assert!(close(m.ascent_m, 50.0, 1.0), "ascent {}", m.ascent_m);
    assert!(m.descent_m < 1.0, "descent {}", m.descent_m);
    assert!(
        close(m.steep_up_s, hill_s, 10.0),
        "steep up {}",
        m.steep_up_s
    );
    assert_eq!(m.steep_down_s, 0.0);

    let down = compute(&hill(-0.10));
    assert!(
        close(down.descent_m, 50.0, 1.0),
        "descent {}",
        down.descent_m
    );
    assert!(down.ascent_m < 1.0);
    assert!(
        close(down.steep_down_s, hill_s, 10.0),
        "{}",
        down.steep_down_s
    );
    assert_eq!(down.steep_up_s, 0.0);

    // A 4% drag is not steep.
    let gentle = compute(&hill(0.04));
    assert!(close(gentle.ascent_m, 20.0, 1.0));
    assert_eq!(gentle.steep_up_s, 0.0);

    // The device's own totals win when present, each on its own.
    let mut a = hill(0.10);
    a.sessions.push(Session {
        sport: "running".into(),
        total_ascent_m: Some(42.0),
        ..Default::default()
    });
    let m = compute(&a);
    assert_eq!(m.ascent_m, 42.0);
    assert!(m.descent_m < 1.0);
    assert!(close(m.steep_up_s, hill_s, 10.0));
}

#[test]
fn altitude_jitter_is_not_climbing() {
    // Flat 20 minutes with ±1.5 m barometer/GPS jitter.
    let a = build("running", &seconds(0, 1200), |r, i, t| {
        r.distance_m[i] = 3.0 * t;
        r.speed_mps[i] = 3.0;
        r.altitude_m[i] = (50.0 + 1.5 * (t * 1.7).sin()) as f32;
    });
    let m = compute(&a);
    assert!(
        m.ascent_m < 3.0 && m.descent_m < 3.0,
        "{} {}",
        m.ascent_m,
        m.descent_m
    );
    assert_eq!((m.steep_up_s, m.steep_down_s), (0.0, 0.0));
    // Altitude without distance: ascent counted, steepness unknown. The centred smoothing
    // loses half a window of climb at each end of a file that starts and ends mid-climb.
    let b = build("running", &seconds(0, 200), |r, i, t| {
        r.altitude_m[i] = (100.0 + 0.3 * t) as f32;
    });
    let m = compute(&b);
    assert!(close(m.ascent_m, 60.0, 2.0), "{}", m.ascent_m);
    assert_eq!(m.steep_up_s, 0.0);
}

/// An easy 3 m/s run of 10 minutes with fast stretches `(start_s, length_s, speed)`.
fn with_fast(stretches: &[(f64, f64, f64)]) -> Activity {
    let mut d = 0.0;
    build("running", &seconds(0, 600), |r, i, t| {
        let v = stretches
            .iter()
            .find(|(s, len, _)| t >= *s && t < s + len)
            .map_or(3.0, |x| x.2);
        if t > 0.0 {
            d += v;
        }
        r.distance_m[i] = d;
        r.speed_mps[i] = v as f32;
    })
}

#[test]
fn strides_are_bouts() {
    let starts = [100.0, 200.0, 300.0, 400.0];
    let strides: Vec<(f64, f64, f64)> = starts.iter().map(|&s| (s, 20.0, 6.0)).collect();
    let m = compute(&with_fast(&strides));
    assert_eq!(m.bouts.len(), 4, "{:?}", m.bouts);
    for (b, s) in m.bouts.iter().zip(starts) {
        assert!(close(b.peak_mps, 6.0, 1e-9), "{b:?}");
        assert!(b.offset_s >= s - 5.0 && b.offset_s <= s, "{b:?}");
        assert!(b.duration_s >= 18.0 && b.duration_s <= 26.0, "{b:?}");
        assert!(close(b.distance_m, 20.0 * 6.0 + 4.0 * 3.0, 15.0), "{b:?}");
    }
    assert!(close(m.best_10s_mps.unwrap(), 6.0, 1e-9));
    // Strides shorter than 6 s are noise, and a 3-minute tempo is not a stride.
    type Stretches = Vec<(f64, f64, f64)>;
    let cases: [(&str, Stretches, usize); 4] = [
        ("blip", vec![(100.0, 1.0, 6.0)], 0),
        ("tempo", vec![(100.0, 180.0, 4.5)], 0),
        (
            "tempo and a stride",
            vec![(100.0, 180.0, 4.5), (450.0, 15.0, 6.5)],
            1,
        ),
        ("barely faster", vec![(100.0, 20.0, 3.3)], 0),
    ];
    for (case, fast, n) in cases {
        let m = compute(&with_fast(&fast));
        assert_eq!(m.bouts.len(), n, "{case}: {:?}", m.bouts);
    }
    // Other sports get no bouts or form.
    let mut bike = with_fast(&strides);
    bike.sport = "cycling".into();
    let m = compute(&bike);
    assert!(m.bouts.is_empty() && m.form.is_empty());
    assert_eq!(m.speed_seconds.len(), SPEED_STEPS);
}

#[test]
fn form_by_pace_band() {
    // 5 minutes at 3.0 m/s (band 12) with cadence 170, then 5 at 4.0 m/s (band 16) at 180;
    // ground contact only in the first half, balance throughout, one mislabelled cadence,
    // then 3 minutes of walking.
    let a = build("running", &seconds(0, 780), |r, i, t| {
        let (v, cad) = match t as i64 {
            0..=300 => (3.0, 170.0),
            301..=600 => (4.0, 180.0),
            _ => (1.2, 110.0),
        };
        r.speed_mps[i] = v;
        r.cadence[i] = if t == 100.0 { 85.0 } else { cad };
        r.stance_balance_pct[i] = 49.5;
        if t <= 300.0 {
            r.stance_time_ms[i] = 250.0;
        }
        r.vertical_oscillation_mm[i] = 900.0; // out of range: dropped
    });
    let m = compute(&a);
    assert_eq!(m.form.len(), 2, "{:?}", m.form);
    let (slow, fast) = (&m.form[0], &m.form[1]);
    assert_eq!((slow.band, fast.band), (12, 16));
    assert!(close(slow.seconds, 300.0, 1e-9) && close(fast.seconds, 300.0, 1e-9));
    assert!(close(slow.cadence_spm.unwrap(), 170.0, 1e-9));
    assert!(close(fast.cadence_spm.unwrap(), 180.0, 1e-9));
    assert!(close(slow.ground_contact_ms.unwrap(), 250.0, 1e-9));
    assert_eq!(fast.ground_contact_ms, None);
    assert!(close(fast.balance_left_pct.unwrap(), 49.5, 1e-9));
    assert_eq!(slow.vertical_oscillation_mm, None);
    assert_eq!(slow.step_length_mm, None);

    // A band with under 60 s is dropped; a metric with under 30 s is None.
    let b = build("running", &seconds(0, 100), |r, i, t| {
        r.speed_mps[i] = if t <= 50.0 { 3.0 } else { 3.5 };
        if t <= 20.0 {
            r.cadence[i] = 170.0;
        }
    });
    assert!(compute(&b).form.is_empty());
    let c = build("running", &seconds(0, 100), |r, i, t| {
        r.speed_mps[i] = 3.0;
        if t <= 20.0 {
            r.cadence[i] = 170.0;
        }
    });
    let f = compute(&c).form;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].cadence_spm, None);
}

#[test]
fn missing_and_damaged_input() {
    // Records with times only.
    let a = build("running", &seconds(0, 99), |_, _, _| {});
    let m = compute(&a);
    assert!(m.speed_seconds.is_empty() && m.hr_seconds.is_empty());
    assert!(m.bouts.is_empty() && m.form.is_empty());
    assert_eq!(m.best_10s_mps, None);
    assert_eq!((m.distance_m, m.ascent_m, m.descent_m), (0.0, 0.0, 0.0));
    assert_eq!((m.steep_up_s, m.steep_down_s), (0.0, 0.0));
    assert!(close(m.duration_s, 99.0, 1e-9));

    // Nothing at all.
    let m = compute(&Activity::default());
    assert_eq!((m.duration_s, m.distance_m), (0.0, 0.0));
    assert!(m.speed_seconds.is_empty());

    // Speeds a runner cannot reach are GPS noise.
    let fast = build("running", &seconds(0, 60), |r, i, _| r.speed_mps[i] = 12.0);
    let m = compute(&fast);
    assert!(m.speed_seconds.is_empty());
    assert_eq!(m.best_10s_mps, None);

    // Less than 10 s of moving time has no best 10 s.
    let short = build("running", &seconds(0, 5), |r, i, _| r.speed_mps[i] = 3.0);
    assert_eq!(compute(&short).best_10s_mps, None);

    // Treadmill: speed without distance gives a distance.
    let tread = build("running", &seconds(0, 100), |r, i, _| r.speed_mps[i] = 2.5);
    assert!(close(compute(&tread).distance_m, 250.0, 1e-6));

    // Columns shorter than the time column are read as missing.
    let mut short_cols = build("running", &seconds(0, 100), |r, i, _| r.speed_mps[i] = 3.0);
    short_cols.records.speed_mps.truncate(10);
    short_cols.records.altitude_m.clear();
    let m = compute(&short_cols);
    assert!(close(sum(&m.speed_seconds), 9.0, 1e-6));
}

#[test]
fn unsorted_and_repeated_timestamps() {
    let times = [
        5.0, 3.0, 3.0, 10.0, 1.0, 1.0, 2.0, 40.0, 12.0, 13.0, 13.0, 14.0,
    ];
    let a = build("running", &times, |r, i, t| {
        r.distance_m[i] = 3.0 * t;
        r.speed_mps[i] = 3.0;
        r.altitude_m[i] = t as f32;
        r.heart_rate_bpm[i] = 150.0;
        r.cadence[i] = 170.0;
    });
    let m = compute(&a);
    // Only forward steps of at most 10 s count: 3→10, 1→2, 12→13, 13→14.
    assert!(
        close(sum(&m.speed_seconds), 10.0, 1e-6),
        "{}",
        sum(&m.speed_seconds)
    );
    assert!(close(sum(&m.hr_seconds), 10.0, 1e-6));
    assert_all_sane(&m);

    // Every record at the same instant.
    let same = build("running", &[7.0; 50], |r, i, _| r.speed_mps[i] = 3.0);
    let m = compute(&same);
    assert_eq!(sum(&m.speed_seconds), 0.0);
    assert_eq!(m.best_10s_mps, None);
    assert_all_sane(&m);
}

#[test]
fn long_activity_is_linear() {
    // 100k records at 1 Hz (almost 28 hours); a quadratic pass would take minutes here.
    let n = 100_000;
    let times: Vec<f64> = (0..n).map(f64::from).collect();
    let a = build("running", &times, |r, i, t| {
        let v = if (t as i64) % 300 < 20 { 5.5 } else { 3.0 };
        r.distance_m[i] = 3.0 * t;
        r.speed_mps[i] = v as f32;
        r.altitude_m[i] = (100.0 + 20.0 * (t / 200.0).sin()) as f32;
        r.heart_rate_bpm[i] = 140.0;
        r.cadence[i] = 172.0;
    });
    let started = std::time::Instant::now();
    let m = compute(&a);
    assert!(started.elapsed().as_secs() < 20);
    assert_eq!(m.bouts.len(), 334);
    assert_all_sane(&m);
}

fn assert_all_sane(m: &ActivityMetrics) {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    assert!(ok(m.duration_s) && ok(m.distance_m), "{m:?}");
    assert!(ok(m.ascent_m) && ok(m.descent_m), "{m:?}");
    assert!(ok(m.steep_up_s) && ok(m.steep_down_s), "{m:?}");
    assert!(m.hr_seconds.is_empty() || m.hr_seconds.len() == HR_STEPS);
    assert!(m.speed_seconds.is_empty() || m.speed_seconds.len() == SPEED_STEPS);
    for &x in m.hr_seconds.iter().chain(&m.speed_seconds) {
        assert!(ok(f64::from(x)), "{m:?}");
    }
    if let Some(b) = m.best_10s_mps {
        assert!(ok(b) && b <= 10.0, "{m:?}");
    }
    for b in &m.bouts {
        assert!(ok(b.offset_s) && ok(b.duration_s) && ok(b.distance_m) && ok(b.peak_mps));
    }
    assert!(m.bouts.len() <= 500);
    for w in m.form.windows(2) {
        assert!(w[0].band < w[1].band);
    }
    for f in &m.form {
        assert!(ok(f.seconds));
        let values = [
            f.cadence_spm,
            f.step_length_mm,
            f.ground_contact_ms,
            f.vertical_oscillation_mm,
            f.balance_left_pct,
        ];
        assert!(values.iter().flatten().all(|&x| ok(x)), "{f:?}");
    }
}

/// Any f32, weighted towards plausible values but with NaN, infinities and negatives.
fn any_f32(lo: f32, hi: f32) -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => lo..hi,
        2 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => -1.0e6f32..0.0,
        1 => any::<f32>(),
    ]
}

fn any_f64(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => lo..hi,
        2 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => -1.0e6f64..0.0,
        1 => any::<f64>(),
    ]
}

fn times() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        // Mostly forward, with repeats, steps back and pauses.
        prop::collection::vec(-3_000i64..15_000, 0..300).prop_map(|steps| {
            steps
                .iter()
                .scan(T0, |t, s| {
                    *t += s;
                    Some(*t)
                })
                .collect()
        }),
        prop::collection::vec(any::<i64>(), 0..50),
    ]
}

fn session() -> impl Strategy<Value = Session> {
    (
        prop::option::of(any_f64(0.0, 1e4)),
        prop::option::of(any_f64(0.0, 1e4)),
        prop::option::of(any_f64(0.0, 1e5)),
        prop::option::of(any_f64(0.0, 2e3)),
        prop::option::of(any_f64(0.0, 2e3)),
    )
        .prop_map(|(timer, elapsed, dist, up, down)| Session {
            sport: "running".into(),
            total_timer_s: timer,
            total_elapsed_s: elapsed,
            distance_m: dist,
            total_ascent_m: up,
            total_descent_m: down,
            ..Default::default()
        })
}

/// One record's columns: distance step, speed, heart rate, cadence, altitude, and the
/// dynamics (ground contact, balance, vertical oscillation, step length).
type Row = (f64, f32, f32, f32, f32, (f32, f32, f32, f32));

fn row() -> impl Strategy<Value = Row> {
    (
        any_f64(0.0, 8.0),
        any_f32(0.0, 12.0),
        any_f32(20.0, 240.0),
        any_f32(50.0, 260.0),
        any_f32(-50.0, 500.0),
        (
            any_f32(100.0, 400.0),
            any_f32(40.0, 60.0),
            any_f32(30.0, 150.0),
            any_f32(500.0, 2000.0),
        ),
    )
}

fn activity() -> impl Strategy<Value = Activity> {
    let records = times().prop_flat_map(|t| {
        let n = t.len();
        (Just(t), prop::collection::vec(row(), n))
    });
    (
        records,
        prop::sample::select(vec!["running", "cycling", "unknown"]),
        prop::option::of(any::<i64>()),
        prop::collection::vec(session(), 0..3),
    )
        .prop_map(|((times, rows), sport, start, sessions)| {
            let mut r = Records::default();
            // Distance is cumulative, as in real files, with the garbage values kept as is.
            let mut cum = 0.0;
            for (&t, (d, v, hr, cad, alt, (gct, bal, vo, step))) in times.iter().zip(rows) {
                let i = r.push_empty(t);
                r.distance_m[i] = if d.is_finite() && d >= 0.0 {
                    cum += d;
                    cum
                } else {
                    d
                };
                r.speed_mps[i] = v;
                r.heart_rate_bpm[i] = hr;
                r.cadence[i] = cad;
                r.altitude_m[i] = alt;
                r.stance_time_ms[i] = gct;
                r.stance_balance_pct[i] = bal;
                r.vertical_oscillation_mm[i] = vo;
                r.step_length_mm[i] = step;
            }
            Activity {
                sport: sport.to_string(),
                start_ms: start,
                sessions,
                records: r,
                ..Default::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn compute_is_total_and_finite(a in activity()) {
        let m = compute(&a);
        assert_all_sane(&m);
    }
}
