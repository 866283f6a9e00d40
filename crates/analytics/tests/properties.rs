//! Property tests for `hamstride_analytics::series::analyse`: whatever the activities, every
//! day and week total is finite and non-negative, daily totals add up to the runs' totals,
//! analysing two halves of a history gives day loads that add up to the whole's, and the
//! result does not depend on the order the activities come in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::metrics::{ActivityMetrics, Bout, METRICS_VERSION};
use hamstride_analytics::series::{
    analyse, Analysis, HrCurve, Input, LoadBasis, RunEntry, Settings,
};
use hamstride_analytics::signals::Signals;
use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
const TODAY: Date = date(2026, 3, 1);

/// 00:00 UTC on 2026-01-01, 59 days before `TODAY`.
fn base_ms() -> i64 {
    date(2026, 1, 1)
        .at(0, 0, 0, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// One generated activity before ids are given.
#[derive(Debug, Clone)]
struct Gen {
    /// Milliseconds after `base_ms`, up to 70 days (some land after `TODAY`).
    offset_ms: i64,
    is_run: bool,
    km: f64,
    minutes: f64,
    ascent: f64,
    rpe: Option<f64>,
    hr: Option<(usize, f32)>,
    best: Option<f64>,
    fast_s: f32,
    bouts: Vec<f64>,
}

fn gen(with_effort_and_hr: bool) -> impl Strategy<Value = Gen> {
    let effort = if with_effort_and_hr {
        (
            prop::option::of(0.0f64..10.0).boxed(),
            prop::option::of((60usize..170, 1.0f32..3600.0)).boxed(),
        )
    } else {
        (Just(None).boxed(), Just(None).boxed())
    };
    (
        0i64..70 * DAY_MS,
        prop::bool::weighted(0.9),
        0.0f64..40.0,
        0.0f64..240.0,
        0.0f64..800.0,
        effort,
        prop::option::of(3.0f64..9.0),
        0.0f32..120.0,
        prop::collection::vec(3.0f64..9.0, 0..4),
    )
        .prop_map(
            |(offset_ms, is_run, km, minutes, ascent, (rpe, hr), best, fast_s, bouts)| Gen {
                offset_ms,
                is_run,
                km,
                minutes,
                ascent,
                rpe,
                hr,
                best,
                fast_s,
                bouts,
            },
        )
}

fn entries(gens: &[Gen]) -> Vec<RunEntry> {
    gens.iter()
        .enumerate()
        .map(|(i, g)| {
            let mut speed = vec![0f32; 100];
            speed[30] = (g.minutes * 60.0) as f32;
            speed[60] = g.fast_s;
            let mut hr_seconds = Vec::new();
            if let Some((i, s)) = g.hr {
                hr_seconds = vec![0f32; 200];
                hr_seconds[i] = s;
            }
            RunEntry {
                id: i as i64 + 1,
                metrics: ActivityMetrics {
                    version: METRICS_VERSION,
                    start_ms: base_ms() + g.offset_ms,
                    sport: if g.is_run { "running" } else { "cycling" }.to_string(),
                    is_run: g.is_run,
                    duration_s: g.minutes * 60.0,
                    distance_m: g.km * 1000.0,
                    ascent_m: g.ascent,
                    descent_m: g.ascent,
                    steep_up_s: g.ascent,
                    steep_down_s: 0.0,
                    hr_seconds,
                    speed_seconds: speed,
                    best_10s_mps: g.best,
                    bouts: g
                        .bouts
                        .iter()
                        .map(|&p| Bout {
                            offset_s: 60.0,
                            duration_s: 10.0,
                            distance_m: 10.0 * p,
                            peak_mps: p,
                        })
                        .collect(),
                    form: Vec::new(),
                },
                rpe: g.rpe,
            }
        })
        .collect()
}

fn tz(sydney: bool) -> TimeZone {
    if sydney {
        TimeZone::posix("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap()
    } else {
        TimeZone::UTC
    }
}

fn run_analysis(activities: &[RunEntry], tz: TimeZone) -> Analysis {
    let signals = Signals::embedded().unwrap();
    let settings = Settings {
        tz,
        hr_rest: None,
        hr_max: None,
        hr_curve: HrCurve::Men,
    };
    analyse(&Input {
        activities,
        settings: &settings,
        signals: &signals,
        today: TODAY,
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn ok(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn totals_are_finite_non_negative_and_add_up(
        gens in prop::collection::vec(gen(true), 0..60),
        sydney in any::<bool>(),
    ) {
        let activities = entries(&gens);
        let a = run_analysis(&activities, tz(sydney));
        for d in &a.days {
            for x in [d.distance_m, d.duration_s, d.ascent_m, d.descent_m, d.steep_s, d.hr_load,
                      d.srpe_load, d.high_speed_s, d.high_speed_m, d.other_minutes, d.load] {
                prop_assert!(ok(x), "day {}: {x}", d.date);
            }
        }
        for w in &a.weeks {
            for x in [w.distance_m, w.duration_s, w.ascent_m, w.high_speed_m, w.load] {
                prop_assert!(ok(x), "week {}: {x}", w.start);
            }
            for x in [w.monotony, w.strain].into_iter().flatten() {
                prop_assert!(ok(x));
            }
        }
        for p in &a.acwr {
            for x in [p.uncoupled, p.ewma].into_iter().flatten() {
                prop_assert!(ok(x));
            }
        }

        // Additive over days: the days hold exactly the runs up to today.
        let day_distance: f64 = a.days.iter().map(|d| d.distance_m).sum();
        let run_distance: f64 = a.runs.iter().map(|r| r.distance_m).sum();
        prop_assert!(close(day_distance, run_distance), "{day_distance} vs {run_distance}");
        let day_load: f64 = a.days.iter().map(|d| d.load).sum();
        let run_load: f64 = a
            .runs
            .iter()
            .map(|r| match a.basis {
                LoadBasis::SessionRpe => r.srpe_load.unwrap_or(0.0),
                LoadBasis::HeartRate => r.hr_load.unwrap_or(0.0),
                LoadBasis::Minutes => r.duration_s / 60.0,
            })
            .sum();
        prop_assert!(close(day_load, run_load), "{day_load} vs {run_load}");
        let week_distance: f64 = a.weeks.iter().map(|w| w.distance_m).sum();
        prop_assert!(close(week_distance, day_distance));

        // Every run up to today is there once, and nothing after today.
        let today_ms = base_ms() + 59 * DAY_MS;
        let expected = activities
            .iter()
            .filter(|e| e.metrics.is_run)
            .filter(|e| {
                // Only runs well clear of the last midnight, whatever the zone.
                e.metrics.start_ms < today_ms - DAY_MS
            })
            .count();
        prop_assert!(a.runs.len() >= expected);
        prop_assert!(a.runs.iter().all(|r| r.date <= TODAY));
        if let Some(first) = a.first_day {
            prop_assert_eq!(a.days.len() as i64, first.until(TODAY).unwrap().get_days() as i64 + 1);
        }
    }

    #[test]
    fn day_loads_add_up_over_a_split(
        gens in prop::collection::vec(gen(false), 1..60),
        mask in prop::collection::vec(any::<bool>(), 60),
        sydney in any::<bool>(),
    ) {
        // No effort ratings and no heart rate: minutes basis in every part.
        let all = entries(&gens);
        let mut left = Vec::new();
        let mut right = Vec::new();
        for (e, &to_left) in all.iter().zip(&mask) {
            if to_left { left.push(e.clone()) } else { right.push(e.clone()) }
        }
        let whole = run_analysis(&all, tz(sydney));
        let l = run_analysis(&left, tz(sydney));
        let r = run_analysis(&right, tz(sydney));
        for a in [&whole, &l, &r] {
            prop_assert_eq!(a.basis, LoadBasis::Minutes);
        }
        let by_date = |a: &Analysis| -> BTreeMap<Date, (f64, f64)> {
            a.days.iter().map(|d| (d.date, (d.load, d.distance_m))).collect()
        };
        let (wl, ll, rl) = (by_date(&whole), by_date(&l), by_date(&r));
        for (date, (load, dist)) in &wl {
            let (a1, d1) = ll.get(date).copied().unwrap_or((0.0, 0.0));
            let (a2, d2) = rl.get(date).copied().unwrap_or((0.0, 0.0));
            prop_assert!(close(*load, a1 + a2), "{date}: {load} vs {a1} + {a2}");
            prop_assert!(close(*dist, d1 + d2), "{date}: {dist} vs {d1} + {d2}");
        }
        // A part's days lie inside the whole's.
        for date in ll.keys().chain(rl.keys()) {
            prop_assert!(wl.contains_key(date));
        }
    }

    #[test]
    fn input_order_never_matters(
        (gens, shuffled) in prop::collection::vec(gen(true), 0..40)
            .prop_flat_map(|v| {
                let n = v.len();
                (Just(v), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
            }),
        sydney in any::<bool>(),
    ) {
        let activities = entries(&gens);
        let reordered: Vec<RunEntry> = shuffled.iter().map(|&i| activities[i].clone()).collect();
        prop_assert_eq!(
            run_analysis(&activities, tz(sydney)),
            run_analysis(&reordered, tz(sydney))
        );
    }

    #[test]
    fn any_numbers_never_panic(
        raw in prop::collection::vec(
            (any::<i64>(), any::<f64>(), any::<f64>(), any::<f64>(),
             prop::option::of(any::<f64>()), prop::option::of(any::<f64>()),
             prop::collection::vec(any::<f32>(), 0..210)),
            0..20),
    ) {
        // Starts are folded into a few months so the series stay small; everything else is
        // any number at all, NaN and infinities included.
        let activities: Vec<RunEntry> = raw
            .into_iter()
            .enumerate()
            .map(|(i, (start, km, minutes, ascent, rpe, best, hist))| {
                let mut m = entries(&[Gen {
                    offset_ms: start.rem_euclid(90 * DAY_MS),
                    is_run: i % 5 != 4,
                    km: 0.0,
                    minutes: 0.0,
                    ascent: 0.0,
                    rpe: None,
                    hr: None,
                    best: None,
                    fast_s: 0.0,
                    bouts: Vec::new(),
                }])
                .remove(0);
                m.id = i as i64;
                m.metrics.distance_m = km;
                m.metrics.duration_s = minutes;
                m.metrics.ascent_m = ascent;
                m.metrics.steep_up_s = ascent;
                m.metrics.best_10s_mps = best;
                m.metrics.hr_seconds = hist.clone();
                m.metrics.speed_seconds = hist;
                m.rpe = rpe;
                m
            })
            .collect();
        let a = run_analysis(&activities, TimeZone::UTC);
        for d in &a.days {
            prop_assert!(d.load >= 0.0 && d.distance_m >= 0.0 && !d.load.is_nan());
        }
    }
}
