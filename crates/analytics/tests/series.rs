//! Table tests for the daily and weekly series, the acute:chronic ratios and the load flags of
//! `hamstride_analytics::series`, with hand-computed expectations: every expected number is a
//! literal with the arithmetic beside it, so a change in the maths shows up as a failing
//! literal rather than a test that recomputes the code's own formula.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::metrics::{ActivityMetrics, Bout, HR_MIN_BPM, METRICS_VERSION};
use hamstride_analytics::series::{
    analyse, ewma_series, monotony, Analysis, Day, Flag, FlagDetail, HrCurve, HrUsed, Input, Level,
    LoadBasis, RunEntry, Settings, Since, Week,
};
use hamstride_analytics::signals::{SignalId, Signals};
use hamstride_analytics::synthetic;
use hamstride_export::words::{self, Units};
use jiff::civil::{date, Date};
use jiff::tz::TimeZone;

const DAY_MS: i64 = 86_400_000;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{actual} != {expected}"
    );
}

fn close_opt(actual: Option<f64>, expected: f64) {
    match actual {
        Some(a) => close(a, expected),
        None => panic!("expected Some({expected}), got None"),
    }
}

fn plus(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap()
}

/// UTC milliseconds of `d` at `h:m` UTC.
fn utc_ms(d: Date, h: i8, m: i8) -> i64 {
    d.at(h, m, 0, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// Noon UTC, `n` days after `d`.
fn noon(d: Date, n: i64) -> i64 {
    utc_ms(d, 12, 0) + n * DAY_MS
}

fn metrics(start_ms: i64, km: f64, minutes: f64) -> ActivityMetrics {
    ActivityMetrics {
        version: METRICS_VERSION,
        start_ms,
        sport: "running".to_string(),
        is_run: true,
        duration_s: minutes * 60.0,
        distance_m: km * 1000.0,
        ascent_m: 0.0,
        descent_m: 0.0,
        steep_up_s: 0.0,
        steep_down_s: 0.0,
        hr_seconds: Vec::new(),
        speed_seconds: Vec::new(),
        best_10s_mps: None,
        bouts: Vec::new(),
        form: Vec::new(),
    }
}

fn run(id: i64, start_ms: i64, km: f64, minutes: f64) -> RunEntry {
    RunEntry {
        id,
        metrics: metrics(start_ms, km, minutes),
        rpe: None,
    }
}

fn settings(tz: TimeZone) -> Settings {
    Settings {
        tz,
        hr_rest: None,
        hr_max: None,
        hr_curve: HrCurve::Men,
    }
}

fn go_with(entries: &[RunEntry], settings: &Settings, today: Date) -> Analysis {
    let signals = Signals::embedded().unwrap();
    analyse(&Input {
        activities: entries,
        settings,
        signals: &signals,
        today,
    })
}

fn go(entries: &[RunEntry], today: Date) -> Analysis {
    go_with(entries, &settings(TimeZone::UTC), today)
}

fn day(a: &Analysis, d: Date) -> &Day {
    a.days
        .iter()
        .find(|x| x.date == d)
        .unwrap_or_else(|| panic!("no day {d}"))
}

fn week(a: &Analysis, monday: Date) -> &Week {
    a.weeks
        .iter()
        .find(|w| w.start == monday)
        .unwrap_or_else(|| panic!("no week {monday}"))
}

fn flags(a: &Analysis, id: SignalId) -> Vec<&Flag> {
    a.flags.iter().filter(|f| f.signal == id).collect()
}

/// A Monday.
const D0: Date = date(2026, 1, 5);

// ---------------------------------------------------------------- monotony and strain

#[test]
fn monotony_counts_zero_days() {
    // loads [60, 0, 30, 0, 90, 0, 0]: mean = 180 / 7 = 25.7142857;
    // squared deviations 34.2857² + 4 × 25.7143² + 4.2857² + 64.2857²
    //   = 1175.5102 + 2644.8980 + 18.3673 + 4132.6531 = 7971.4286;
    // population variance 7971.4286 / 7 = 1138.7755, SD = 33.7457480;
    // monotony = 25.7142857 / 33.7457480 = 0.7620008.
    close_opt(
        monotony(&[60.0, 0.0, 30.0, 0.0, 90.0, 0.0, 0.0]),
        0.7620007620011431,
    );
}

#[test]
fn monotony_is_none_without_variation() {
    assert_eq!(monotony(&[50.0; 7]), None, "identical loads: SD 0");
    assert_eq!(monotony(&[0.1; 7]), None, "equal in decimal, not in binary");
    assert_eq!(monotony(&[0.0; 7]), None, "no load");
    assert_eq!(monotony(&[]), None);
}

#[test]
fn week_monotony_and_strain_from_runs() {
    // Minutes basis (no effort, no heart rate): Mon 60 min, Wed 30, Fri 90.
    let runs = [
        run(1, noon(D0, 0), 10.0, 60.0),
        run(2, noon(D0, 2), 5.0, 30.0),
        run(3, noon(D0, 4), 15.0, 90.0),
    ];
    let a = go(&runs, plus(D0, 7));
    assert_eq!(a.basis, LoadBasis::Minutes);
    let w = week(&a, D0);
    assert!(w.complete);
    close(w.load, 180.0); // 60 + 30 + 90
    close(w.distance_m, 30_000.0);
    close_opt(w.monotony, 0.7620007620011431); // as above
    close_opt(w.strain, 137.16013716020575); // 180 × 0.7620008
                                             // The week holding today is in progress: no monotony.
    let current = week(&a, plus(D0, 7));
    assert!(!current.complete);
    assert_eq!(current.monotony, None);
    assert_eq!(current.strain, None);
}

#[test]
fn week_with_identical_daily_load_has_no_monotony() {
    let runs: Vec<RunEntry> = (0..7).map(|i| run(i, noon(D0, i), 5.0, 50.0)).collect();
    let a = go(&runs, plus(D0, 7));
    let w = week(&a, D0);
    close(w.load, 350.0); // 7 × 50
    assert_eq!(w.monotony, None);
    assert_eq!(w.strain, None);
}

#[test]
fn a_week_before_the_history_starts_is_incomplete() {
    // First run on a Wednesday: the week's Monday and Tuesday are before the history.
    let runs = [
        run(1, noon(D0, 2), 10.0, 60.0),
        run(2, noon(D0, 4), 10.0, 30.0),
    ];
    let a = go(&runs, plus(D0, 10));
    assert_eq!(a.first_day, Some(plus(D0, 2)));
    assert_eq!(a.days.first().unwrap().date, plus(D0, 2));
    let w = week(&a, D0);
    assert!(!w.complete);
    assert_eq!(w.monotony, None);
    close(w.load, 90.0);
}

// ---------------------------------------------------------------- EWMA and coverage

#[test]
fn ewma_start_up() {
    // Day 1 load 100 from 0: acute = 2/8 × 100 = 25.0; chronic = 2/29 × 100 = 6.8965517.
    // Day 2 load 0: acute = 25 × 6/8 = 18.75; chronic = 6.8965517 × 27/29 = 6.4209275.
    let e = ewma_series(&[100.0, 0.0], 7, 28);
    close(e[0].0, 25.0);
    close(e[0].1, 6.896551724137931);
    close(e[0].0 / e[0].1, 3.625); // 25 / 6.8965517 = 25 × 29 / 200
    close(e[1].0, 18.75);
    close(e[1].1, 6.420927467300832);
}

#[test]
fn ewma_start_up_is_hidden_by_coverage() {
    let a = go(&[run(1, noon(D0, 0), 10.0, 100.0)], D0);
    assert_eq!(a.acwr.len(), 1);
    let p = &a.acwr[0];
    assert_eq!(p.ewma, None, "3.625 would show, but 1 day < 28");
    assert_eq!(p.uncoupled, None);
    assert!(!p.covered);
}

/// 60-minute runs on the given day indices from D0 (UTC noon), today = D0 + `today`.
fn minutes_runs(days: &[(i64, f64)]) -> Vec<RunEntry> {
    days.iter()
        .enumerate()
        .map(|(i, &(d, min))| run(i as i64 + 1, noon(D0, d), min / 6.0, min))
        .collect()
}

#[test]
fn uncoupled_needs_35_days_of_history() {
    // 34 days (indices 0..=33): even with 4 runs in days 0..=27, uncoupled stays hidden.
    let runs = minutes_runs(&[
        (0, 60.0),
        (7, 60.0),
        (14, 60.0),
        (21, 60.0),
        (28, 60.0),
        (30, 30.0),
    ]);
    let a = go(&runs, plus(D0, 33));
    assert_eq!(a.days.len(), 34);
    assert!(a.acwr.iter().all(|p| p.uncoupled.is_none()));
    assert!(!a.acwr.last().unwrap().covered);
}

#[test]
fn uncoupled_ratio_with_35_days_and_4_chronic_runs() {
    // Today = index 34. Acute = days 28..=34 = 60 + 30 = 90 min.
    // Chronic = days 0..=27 = 4 × 60 = 240 min, per 7 days 240 × 7/28 = 60.
    // Uncoupled = 90 / 60 = 1.5.
    let runs = minutes_runs(&[
        (0, 60.0),
        (7, 60.0),
        (14, 60.0),
        (21, 60.0),
        (28, 60.0),
        (30, 30.0),
    ]);
    let a = go(&runs, plus(D0, 34));
    assert_eq!(a.days.len(), 35);
    let p = a.acwr.last().unwrap();
    close_opt(p.uncoupled, 1.5);
    // EWMA floor: 35 ≥ 28 days and runs on days 7, 14, 21, 28, 30 in the last 28 (7..=34).
    assert!(p.covered);
    let loads: Vec<f64> = a.days.iter().map(|d| d.load).collect();
    let (ea, ec) = *ewma_series(&loads, 7, 28).last().unwrap();
    close_opt(p.ewma, ea / ec);
    // The day before (index 33) has only 34 days of history.
    assert_eq!(a.acwr[33].uncoupled, None);
}

#[test]
fn uncoupled_hidden_with_3_chronic_runs() {
    // Chronic window days 0..=27 holds runs on 0, 7, 14 only: 3 < 4, hidden.
    // EWMA's window (days 7..=34) holds 7, 14, 28, 30: 4 runs, shown.
    let runs = minutes_runs(&[(0, 60.0), (7, 60.0), (14, 60.0), (28, 60.0), (30, 30.0)]);
    let a = go(&runs, plus(D0, 34));
    let p = a.acwr.last().unwrap();
    assert_eq!(p.uncoupled, None);
    assert!(p.ewma.is_some());
    assert!(!p.covered);
}

#[test]
fn ewma_needs_28_days_and_4_runs_in_them() {
    // Runs on days 0, 1, 2, 3: at index 26 (27 days) hidden, at index 27 (28 days) shown.
    let runs = minutes_runs(&[(0, 60.0), (1, 60.0), (2, 60.0), (3, 60.0)]);
    let a = go(&runs, plus(D0, 28));
    assert_eq!(a.acwr[26].ewma, None);
    assert!(a.acwr[27].ewma.is_some());
    // Index 28: the last 28 days are 1..=28, holding 3 runs.
    assert_eq!(a.acwr[28].ewma, None);
}

#[test]
fn chronic_zero_gives_no_ratio() {
    // Four zero-minute runs in the chronic window pass the activity floor, but the chronic
    // load is 0, so there is no ratio to show.
    let runs = minutes_runs(&[(0, 0.0), (7, 0.0), (14, 0.0), (21, 0.0), (30, 30.0)]);
    let a = go(&runs, plus(D0, 34));
    let p = a.acwr.last().unwrap();
    assert_eq!(p.uncoupled, None);
    assert!(p.covered);
}

// ---------------------------------------------------------------- long-run spike

#[test]
fn spike_window_is_the_30_days_before_the_start() {
    let t = utc_ms(date(2026, 3, 10), 12, 0);
    let mut runs = vec![
        run(1, t - 40 * DAY_MS, 5.0, 30.0),
        run(2, t - 30 * DAY_MS - 1, 20.0, 120.0),
        run(3, t - 29 * DAY_MS, 10.0, 60.0),
        run(4, t, 12.0, 70.0),
    ];
    let a = go(&runs, date(2026, 3, 10));
    let x = a.runs.iter().find(|r| r.id == 4).unwrap();
    // 30 days + 1 ms earlier is outside; 29 days is inside: longest 10 km.
    close_opt(x.longest_prev_30d_m, 10_000.0);
    close_opt(x.spike, 0.2); // 12 / 10 − 1
    let f = flags(&a, SignalId::LongRunSpike);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].level, Level::Warn);
    assert_eq!(f[0].activity_id, Some(4));
    close(f[0].value, 0.2);

    // Exactly 30 days earlier is inside: longest 20 km, 12 / 20 − 1 = −0.4.
    runs[1].metrics.start_ms = t - 30 * DAY_MS;
    let a = go(&runs, date(2026, 3, 10));
    let x = a.runs.iter().find(|r| r.id == 4).unwrap();
    close_opt(x.longest_prev_30d_m, 20_000.0);
    close_opt(x.spike, -0.4);
    assert!(flags(&a, SignalId::LongRunSpike).is_empty());
}

fn spike_case(km: f64) -> Analysis {
    let t = utc_ms(date(2026, 3, 10), 12, 0);
    // Run 1 only makes the history 41 days long; it is outside run 2's window, so run 2
    // itself has no spike.
    let runs = [
        run(1, t - 41 * DAY_MS, 5.0, 30.0),
        run(2, t - 10 * DAY_MS, 10.0, 60.0),
        run(3, t, km, 60.0),
    ];
    go(&runs, date(2026, 3, 10))
}

#[test]
fn spike_levels() {
    // 11 / 10 − 1 = 10% exactly: not more than 10%.
    let a = spike_case(11.0);
    close_opt(a.runs[2].spike, 0.1);
    assert!(flags(&a, SignalId::LongRunSpike).is_empty());
    // 11.1 / 10 − 1 = 11%: warn.
    let a = spike_case(11.1);
    assert_eq!(flags(&a, SignalId::LongRunSpike)[0].level, Level::Warn);
    // 20 / 10 − 1 = 100% exactly: still warn.
    let a = spike_case(20.0);
    assert_eq!(flags(&a, SignalId::LongRunSpike)[0].level, Level::Warn);
    // 20.5 / 10 − 1 = 105%: strong.
    let a = spike_case(20.5);
    let f = flags(&a, SignalId::LongRunSpike);
    assert_eq!(f[0].level, Level::Strong);
    close(f[0].value, 1.05);
    // The numbers the words are written from, then the words.
    match f[0].detail {
        FlagDetail::LongRunSpike {
            distance_m,
            longest_prev_30d_m,
            spike,
        } => {
            close(distance_m, 20_500.0);
            close(longest_prev_30d_m, 10_000.0);
            close(spike, 1.05);
        }
        ref other => panic!("{other:?}"),
    }
    let text = words::flag(f[0], Units::Km);
    assert!(text.contains("105% longer"), "{text}");
    assert!(text.contains("more than twice as long"), "{text}");
}

#[test]
fn spike_needs_30_days_of_history() {
    // The first run is 29 days before: the window is not covered, no longest, no spike.
    let t = utc_ms(date(2026, 3, 10), 12, 0);
    let runs = [run(1, t - 29 * DAY_MS, 5.0, 30.0), run(2, t, 15.0, 90.0)];
    let a = go(&runs, date(2026, 3, 10));
    assert_eq!(a.runs[1].longest_prev_30d_m, None);
    assert_eq!(a.runs[1].spike, None);
    assert!(a.flags.is_empty());
    // History long enough but no run in the window: also none.
    let runs = [run(1, t - 45 * DAY_MS, 5.0, 30.0), run(2, t, 15.0, 90.0)];
    let a = go(&runs, date(2026, 3, 10));
    assert_eq!(a.runs[1].longest_prev_30d_m, None);
}

#[test]
fn spike_text() {
    // 24 / 18 − 1 = 0.3333: "33% longer".
    let d = date(2025, 11, 8);
    let runs = [
        run(1, utc_ms(d, 8, 0) - 31 * DAY_MS, 5.0, 30.0),
        run(2, utc_ms(d, 8, 0) - 10 * DAY_MS, 18.0, 100.0),
        run(3, utc_ms(d, 8, 0), 24.0, 140.0),
    ];
    let a = go(&runs, d);
    let f = flags(&a, SignalId::LongRunSpike);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].date, d);
    close(f[0].value, 1.0 / 3.0);
    assert_eq!(
        words::flag(f[0], Units::Km),
        "Sat 8 Nov: 24.0 km, 33% longer than your longest run of the previous 30 days \
         (18.0 km). Runs like this are linked with more overuse injuries (grade B)."
    );
    assert_eq!(f[0].grade, "B");
    assert_eq!(
        f[0].detail,
        FlagDetail::LongRunSpike {
            distance_m: 24_000.0,
            longest_prev_30d_m: 18_000.0,
            spike: f[0].value,
        }
    );
}

// ---------------------------------------------------------------- time zones and days

/// Sydney's rule without the tz database: AEST +10, AEDT +11 from the first Sunday of October
/// to the first Sunday of April at 03:00.
fn sydney() -> TimeZone {
    TimeZone::posix("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap()
}

#[test]
fn runs_near_midnight_land_on_the_local_day() {
    // 23:30 on 1 March in Sydney (AEDT, +11) is 12:30 UTC on 1 March;
    // 00:30 on 2 March in Sydney is 13:30 UTC on 1 March.
    let runs = [
        run(1, utc_ms(date(2026, 3, 1), 12, 30), 5.0, 30.0),
        run(2, utc_ms(date(2026, 3, 1), 13, 30), 8.0, 45.0),
    ];
    let today = date(2026, 3, 2);
    let a = go_with(&runs, &settings(sydney()), today);
    assert_eq!(a.days.len(), 2);
    assert_eq!(day(&a, date(2026, 3, 1)).runs, 1);
    close(day(&a, date(2026, 3, 1)).distance_m, 5000.0);
    assert_eq!(day(&a, date(2026, 3, 2)).runs, 1);
    close(day(&a, date(2026, 3, 2)).distance_m, 8000.0);
    assert_eq!(a.runs[1].date, date(2026, 3, 2));

    // In UTC both are on 1 March; 2 March is an empty day.
    let a = go_with(&runs, &settings(TimeZone::UTC), today);
    assert_eq!(day(&a, date(2026, 3, 1)).runs, 2);
    close(day(&a, date(2026, 3, 1)).distance_m, 13_000.0);
    assert_eq!(day(&a, date(2026, 3, 2)).runs, 0);
}

#[test]
fn a_dst_week_still_has_7_days() {
    // Sydney leaves daylight time on Sunday 5 April 2026 at 03:00 (back to 02:00).
    // Mon 30 Mar 07:00 AEDT = Sun 29 Mar 20:00 UTC; Sun 5 Apr 23:30 AEST = 13:30 UTC.
    let runs = [
        run(1, utc_ms(date(2026, 3, 29), 20, 0), 10.0, 60.0),
        run(2, utc_ms(date(2026, 4, 5), 13, 30), 12.0, 70.0),
    ];
    let a = go_with(&runs, &settings(sydney()), date(2026, 4, 6));
    assert_eq!(a.first_day, Some(date(2026, 3, 30)));
    assert_eq!(a.days.len(), 8); // 30 Mar ..= 6 Apr
    for (i, d) in a.days.iter().enumerate() {
        assert_eq!(d.date, plus(date(2026, 3, 30), i as i64));
    }
    assert_eq!(day(&a, date(2026, 4, 5)).runs, 1);
    let w = week(&a, date(2026, 3, 30));
    assert!(w.complete);
    assert_eq!(w.runs, 2);
    close(w.load, 130.0); // 60 + 70 over 7 days
    assert!(w.monotony.is_some());
    assert_eq!(a.weeks.len(), 2);
}

#[test]
fn days_without_runs_are_present() {
    let runs = [
        run(1, noon(D0, 0), 10.0, 60.0),
        run(2, noon(D0, 2), 6.0, 35.0),
        run(3, noon(D0, 15), 8.0, 45.0),
    ];
    let today = plus(D0, 20);
    let a = go(&runs, today);
    assert_eq!(a.days.len(), 21);
    let empty = day(&a, plus(D0, 1));
    assert_eq!(empty.runs, 0);
    assert_eq!(empty.load, 0.0);
    assert_eq!(empty.distance_m, 0.0);
    // Week 2 (no runs): change vs week 1 = 0 / 16 − 1 = −1.
    let w1 = week(&a, plus(D0, 7));
    assert_eq!(w1.runs, 0);
    close_opt(w1.distance_change, -1.0);
    // Week 3 follows a week without runs: no change.
    let w2 = week(&a, plus(D0, 14));
    assert_eq!(w2.runs, 1);
    assert_eq!(w2.distance_change, None);
    // Its 2-week change: (8 + 0) / (16 + nothing before the history) needs 3 weeks before.
    assert_eq!(w2.distance_change_2wk, None);
}

#[test]
fn weekly_change_and_two_week_change() {
    // One run each Monday; weeks of 10, 20, 30, 40, 50, 4, 10, (none), 10 km.
    let kms = [10.0, 20.0, 30.0, 40.0, 50.0, 4.0, 10.0, 0.0, 10.0];
    let runs: Vec<RunEntry> = kms
        .iter()
        .enumerate()
        .filter(|(_, &k)| k > 0.0)
        .map(|(i, &k)| run(i as i64 + 1, noon(D0, 7 * i as i64), k, k * 6.0))
        .collect();
    let a = go(&runs, plus(D0, 63));
    let w: Vec<&Week> = (0..9).map(|i| week(&a, plus(D0, 7 * i))).collect();
    assert!(w.iter().all(|w| w.complete));
    assert_eq!(w[0].distance_change, None);
    close_opt(w[1].distance_change, 1.0); // 20 / 10 − 1
    close_opt(w[2].distance_change, 0.5); // 30 / 20 − 1
    close_opt(w[3].distance_change, 0.3333333333333333); // 40 / 30 − 1
    close_opt(w[4].distance_change, 0.25); // 50 / 40 − 1
    close_opt(w[5].distance_change, -0.92); // 4 / 50 − 1
    close_opt(w[6].distance_change, 1.5); // 10 / 4 − 1
    close_opt(w[7].distance_change, -1.0); // 0 / 10 − 1
    assert_eq!(w[8].distance_change, None); // the week before had no run
    assert_eq!(w[2].distance_change_2wk, None); // needs 3 weeks before
    close_opt(w[3].distance_change_2wk, 1.3333333333333333); // (40 + 30) / (20 + 10) − 1
    close_opt(w[4].distance_change_2wk, 0.8); // (50 + 40) / (30 + 20) − 1
    close_opt(w[8].distance_change_2wk, -0.2857142857142857); // (10 + 0) / (10 + 4) − 1

    // Flags: > 30% against a week of at least 5 km: weeks 1, 2, 3; not week 4 (25%), not
    // week 6 (150% but against 4 km).
    let f = flags(&a, SignalId::WeeklyDistanceChange);
    let dates: Vec<Date> = f.iter().map(|f| f.date).collect();
    assert_eq!(dates, [plus(D0, 7), plus(D0, 14), plus(D0, 21)]);
    assert!(f.iter().all(|f| f.level == Level::Note));
    close(f[2].value, 0.3333333333333333);
    let text = words::flag(f[0], Units::Km);
    assert!(
        text.starts_with("Week of Mon 12 Jan: 20.0 km, 100% more than the week before (10.0 km)."),
        "{text}"
    );
    assert!(text.ends_with("(grade C)."), "{text}");
    assert_eq!(
        f[0].detail,
        FlagDetail::WeeklyDistanceChange {
            distance_m: 20_000.0,
            previous_m: 10_000.0,
            change: f[0].value,
        }
    );
    close(f[0].value, 1.0);
}

// ---------------------------------------------------------------- high speed

fn fast_run(id: i64, start_ms: i64, best: Option<f64>) -> RunEntry {
    let mut r = run(id, start_ms, 8.0, 45.0);
    r.metrics.best_10s_mps = best;
    r
}

#[test]
fn high_speed_threshold_uses_the_90_days_before() {
    let t = utc_ms(date(2026, 6, 1), 12, 0);
    let mut x = fast_run(10, t, Some(5.0));
    // 100 s at 4.5–4.6 m/s, 30 s at 5.5–5.6, 10 s at 6.0–6.1.
    let mut hist = vec![0f32; 100];
    hist[45] = 100.0;
    hist[55] = 30.0;
    hist[60] = 10.0;
    x.metrics.speed_seconds = hist;
    x.metrics.bouts = [5.0, 5.2, 6.0]
        .iter()
        .map(|&peak| Bout {
            offset_s: 600.0,
            duration_s: 15.0,
            distance_m: 80.0,
            peak_mps: peak,
        })
        .collect();
    let runs = vec![
        fast_run(1, t - 100 * DAY_MS, Some(8.0)),
        fast_run(2, t - 80 * DAY_MS, Some(6.0)),
        fast_run(3, t - 50 * DAY_MS, Some(5.0)),
        fast_run(4, t - 10 * DAY_MS, Some(5.5)),
        fast_run(5, t - 5 * DAY_MS, None),
        x,
        // Same start as run 10: not "before" it, so its 9.0 m/s does not count.
        fast_run(11, t, Some(9.0)),
    ];
    let a = go(&runs, date(2026, 6, 1));
    let by_id = |id| a.runs.iter().find(|r| r.id == id).unwrap();
    // Run 3: runs 1 and 2 before it, 2 < 3.
    assert_eq!(by_id(3).high_speed_threshold_mps, None);
    // Run 4: [t − 100 d, t − 10 d) includes run 1 at its lower edge: 0.85 × 8.0 = 6.8.
    close_opt(by_id(4).high_speed_threshold_mps, 6.8);
    // Run 10: runs 2, 3, 4 (run 1 is 100 days back, run 5 has no speed): 0.85 × 6.0 = 5.1.
    let r = by_id(10);
    close_opt(r.high_speed_threshold_mps, 5.1);
    close(r.high_speed_s, 40.0); // 30 + 10 s in steps from 5.5 and 6.0
    close(r.high_speed_m, 227.0); // 30 × 5.55 + 10 × 6.05 = 166.5 + 60.5
    assert_eq!(r.strides, 2); // peaks 5.2 and 6.0 reach 5.1
    let d = day(&a, date(2026, 6, 1));
    close(d.high_speed_s, 40.0);
    assert_eq!(d.strides, 2);
}

/// Daily 8 km runs from D0 with a best of 6.0 m/s (threshold 5.1 from the fourth run on);
/// `speed` maps a day index to (seconds at 6.0 m/s, number of 5.5 m/s bouts).
fn speed_history(days: i64, speed: &[(i64, f32, usize)]) -> Vec<RunEntry> {
    (0..=days)
        .map(|i| {
            let mut r = fast_run(i + 1, noon(D0, i), Some(6.0));
            let mut hist = vec![0f32; 100];
            hist[28] = 2700.0;
            if let Some(&(_, secs, bouts)) = speed.iter().find(|s| s.0 == i) {
                hist[60] = secs;
                r.metrics.bouts = (0..bouts)
                    .map(|b| Bout {
                        offset_s: 1800.0 + 60.0 * b as f64,
                        duration_s: 15.0,
                        distance_m: 80.0,
                        peak_mps: 5.5,
                    })
                    .collect();
            }
            r.metrics.speed_seconds = hist;
            r
        })
        .collect()
}

#[test]
fn speed_reintroduced_after_14_days() {
    // Speed runs: day 20 (40 s fast, the first in 20 days of history), day 33 (40 s, only 13
    // days after), day 47 (two strides, 14 days after day 33).
    let runs = speed_history(50, &[(20, 40.0, 0), (33, 40.0, 0), (47, 0.0, 2)]);
    let a = go(&runs, plus(D0, 50));
    let f = flags(&a, SignalId::SpeedReintroduced);
    let got: Vec<(Date, f64)> = f.iter().map(|f| (f.date, f.value)).collect();
    assert_eq!(got, [(plus(D0, 20), 20.0), (plus(D0, 47), 14.0)]);
    assert!(f.iter().all(|f| f.level == Level::Warn));
    let text = words::flag(f[1], Units::Km);
    assert!(
        text.starts_with("Sat 21 Feb: 0 s of fast running and 2 strides, the first in 14 days."),
        "{text}"
    );
    assert!(text.ends_with("(grade D)."), "{text}");
    assert_eq!(
        f[1].detail,
        FlagDetail::SpeedReintroduced {
            high_speed_s: 0.0,
            strides: 2,
            since: Since {
                days: 14,
                history_start: false,
            },
        }
    );
    assert_eq!(
        f[0].detail,
        FlagDetail::SpeedReintroduced {
            high_speed_s: 40.0,
            strides: 0,
            since: Since {
                days: 20,
                history_start: true,
            },
        }
    );
    // 20 s and one stride is not speed work (< 30 s, < 2 strides).
    let runs = speed_history(50, &[(20, 20.0, 1)]);
    assert!(flags(&go(&runs, plus(D0, 50)), SignalId::SpeedReintroduced).is_empty());
}

#[test]
fn speed_in_a_short_history_is_not_a_return() {
    // Day 10 is the first speed run but the history is only 10 days old.
    let runs = speed_history(12, &[(10, 40.0, 0)]);
    assert!(flags(&go(&runs, plus(D0, 12)), SignalId::SpeedReintroduced).is_empty());
}

#[test]
fn high_speed_week_against_the_previous_8() {
    // Runs Mon, Wed, Fri (best 6.0 m/s). Week 0 has no threshold yet (fewer than 3 earlier
    // runs until Monday of week 1). Weeks 1–8: Wednesday 10 s at 6.0–6.1 m/s = 60.5 m.
    // Week 9: 40 s = 242 m; mean of weeks 1–8 = 60.5; 242 / 60.5 = 4.0 > 2.
    // Week 4: mean of weeks 0–3 = 3 × 60.5 / 4 = 45.375, 60.5 < 2 × 45.375: no flag.
    let mut runs = Vec::new();
    for w in 0..10i64 {
        for dow in [0i64, 2, 4] {
            let mut r = fast_run(w * 10 + dow, noon(D0, w * 7 + dow), Some(6.0));
            let mut hist = vec![0f32; 100];
            hist[28] = 2700.0;
            if dow == 2 {
                hist[60] = if w == 9 { 40.0 } else { 10.0 };
            }
            r.metrics.speed_seconds = hist;
            runs.push(r);
        }
    }
    let a = go(&runs, plus(D0, 70));
    close(week(&a, D0).high_speed_m, 0.0);
    close(week(&a, plus(D0, 7)).high_speed_m, 60.5); // 10 × 6.05
    close(week(&a, plus(D0, 63)).high_speed_m, 242.0); // 40 × 6.05
    let f = flags(&a, SignalId::HighSpeedWeek);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].date, plus(D0, 63));
    assert_eq!(f[0].level, Level::Note);
    close(f[0].value, 4.0);
}

// ---------------------------------------------------------------- hills

#[test]
fn hills_reintroduced_after_14_days() {
    // Daily 10 km with 50 m (5 m/km). Day 16: 250 m = 25 m/km, hilly, first in 16 days.
    // Day 25: 4 min steep up + 2 min down = 6 min, hilly, 9 days later: no flag.
    // Day 39: 0.8 km with 100 m: too short for ascent per km, not hilly.
    // Day 40: exactly 5 steep minutes, 15 days after day 25: flag.
    let mut runs: Vec<RunEntry> = (0..=41)
        .map(|i| {
            let mut r = run(i + 1, noon(D0, i), 10.0, 55.0);
            r.metrics.ascent_m = 50.0;
            r
        })
        .collect();
    runs[16].metrics.ascent_m = 250.0;
    runs[25].metrics.steep_up_s = 240.0;
    runs[25].metrics.steep_down_s = 120.0;
    runs[39].metrics.distance_m = 800.0;
    runs[39].metrics.ascent_m = 100.0;
    runs[40].metrics.steep_up_s = 300.0;
    let a = go(&runs, plus(D0, 41));
    let f = flags(&a, SignalId::HillsReintroduced);
    let got: Vec<(Date, f64)> = f.iter().map(|f| (f.date, f.value)).collect();
    assert_eq!(got, [(plus(D0, 16), 16.0), (plus(D0, 40), 15.0)]);
    assert!(f.iter().all(|f| f.level == Level::Note));
    close(day(&a, plus(D0, 25)).steep_s, 360.0);
    // Exactly 20 m/km counts.
    let mut runs: Vec<RunEntry> = (0..=20)
        .map(|i| run(i + 1, noon(D0, i), 10.0, 55.0))
        .collect();
    runs[20].metrics.ascent_m = 200.0;
    let a = go(&runs, plus(D0, 20));
    assert_eq!(flags(&a, SignalId::HillsReintroduced).len(), 1);
}

// ---------------------------------------------------------------- load basis

fn hr_at(bpm: u32, secs: f32) -> Vec<f32> {
    let mut h = vec![0f32; 200];
    h[(bpm - HR_MIN_BPM) as usize] = secs;
    h
}

#[test]
fn basis_is_session_rpe_at_80_percent() {
    // 5 runs in the last 28 days, 4 rated (80%).
    let mut runs = minutes_runs(&[(0, 60.0), (1, 60.0), (2, 60.0), (3, 60.0), (4, 60.0)]);
    for r in runs.iter_mut().take(4) {
        r.rpe = Some(5.0);
    }
    let a = go(&runs, plus(D0, 4));
    assert_eq!(a.basis, LoadBasis::SessionRpe);
    close(day(&a, D0).load, 300.0); // 5 × 60 min
    close(day(&a, D0).srpe_load, 300.0);
    close(day(&a, plus(D0, 4)).load, 0.0); // unrated: no session-RPE load
    close(day(&a, plus(D0, 4)).duration_s, 3600.0);
}

#[test]
fn basis_falls_back_to_heart_rate_then_minutes() {
    // 3 of 5 rated (60%): not effort. All 5 with heart rate and the runner's HR set: heart rate.
    let mut runs = minutes_runs(&[(0, 60.0), (1, 60.0), (2, 60.0), (3, 60.0), (4, 10.0)]);
    for r in runs.iter_mut().take(3) {
        r.rpe = Some(5.0);
    }
    for r in runs.iter_mut() {
        r.metrics.hr_seconds = hr_at(150, 600.0);
    }
    let mut s = settings(TimeZone::UTC);
    s.hr_rest = Some(50.0);
    s.hr_max = Some(190.0);
    let a = go_with(&runs, &s, plus(D0, 4));
    assert_eq!(a.basis, LoadBasis::HeartRate);
    assert_eq!(
        a.hr,
        Some(HrUsed {
            rest: 50.0,
            max: 190.0,
            estimated: false
        })
    );
    // 600 s at 150 bpm: x = (150 − 50) / (190 − 50) = 0.7142857; e^(1.92 x) = 3.9409766;
    // 10 min × 0.7142857 × 0.64 × 3.9409766 = 18.0158932.
    close(day(&a, D0).load, 18.01589322337056);
    close_opt(a.runs[0].hr_load, 18.01589322337056);
    // Women: 10 × 0.7142857 × 0.86 × e^(1.67 x) = 20.2498444.
    s.hr_curve = HrCurve::Women;
    let a = go_with(&runs, &s, plus(D0, 4));
    close(day(&a, D0).hr_load, 20.249844398440416);

    // Without heart rate on two runs (3 of 5 = 60%): minutes.
    for r in runs.iter_mut().take(2) {
        r.metrics.hr_seconds.clear();
    }
    let a = go_with(&runs, &s, plus(D0, 4));
    assert_eq!(a.basis, LoadBasis::Minutes);
    close(day(&a, plus(D0, 4)).load, 10.0);
}

#[test]
fn basis_looks_at_the_last_28_days_only() {
    // Ten old unrated runs, one rated run 1 day before today: 1 of 1 rated.
    let mut runs: Vec<RunEntry> = (0..10)
        .map(|i| run(i + 1, noon(D0, i), 5.0, 30.0))
        .collect();
    let mut recent = run(100, noon(D0, 59), 5.0, 30.0);
    recent.rpe = Some(12.0); // clamped to 10
    runs.push(recent);
    let a = go(&runs, plus(D0, 60));
    assert_eq!(a.basis, LoadBasis::SessionRpe);
    close(day(&a, plus(D0, 59)).load, 300.0); // 10 × 30 min
                                              // No run in the last 28 days: minutes.
    let a = go(&runs[..10], plus(D0, 60));
    assert_eq!(a.basis, LoadBasis::Minutes);
}

#[test]
fn maximum_heart_rate_is_estimated_from_10_seconds() {
    // 12 s at 185 bpm counts, 5 s at 195 does not; resting defaults to 60.
    let mut h = hr_at(185, 12.0);
    h[(195 - HR_MIN_BPM) as usize] = 5.0;
    let mut r = run(1, noon(D0, 0), 5.0, 30.0);
    r.metrics.hr_seconds = h.clone();
    let a = go(&[r.clone()], D0);
    assert_eq!(
        a.hr,
        Some(HrUsed {
            rest: 60.0,
            max: 185.0,
            estimated: true
        })
    );
    // A reserve of 10 bpm or less is no reserve.
    let mut s = settings(TimeZone::UTC);
    s.hr_rest = Some(175.0);
    let a = go_with(&[r], &s, D0);
    assert_eq!(a.hr, None);
    assert_eq!(a.runs[0].hr_load, None);
}

// ---------------------------------------------------------------- other activities, edges

#[test]
fn other_sports_add_minutes_only() {
    let mut ride = run(2, noon(D0, 0) + 3_600_000, 40.0, 120.0);
    ride.metrics.is_run = false;
    ride.metrics.sport = "cycling".to_string();
    let runs = [run(1, noon(D0, 0), 10.0, 60.0), ride];
    let a = go(&runs, D0);
    let d = day(&a, D0);
    assert_eq!(d.runs, 1);
    close(d.distance_m, 10_000.0);
    close(d.other_minutes, 120.0);
    close(d.load, 60.0);
    assert_eq!(a.runs.len(), 1);
}

#[test]
fn no_activities_or_only_future_ones() {
    let a = go(&[], D0);
    assert_eq!(a.first_day, None);
    assert!(a.days.is_empty() && a.weeks.is_empty() && a.acwr.is_empty() && a.runs.is_empty());
    let a = go(&[run(1, noon(D0, 3), 10.0, 60.0)], D0);
    assert_eq!(a.first_day, None);
    assert!(a.days.is_empty());
    // A future run next to a past one is ignored.
    let a = go(
        &[
            run(1, noon(D0, 3), 10.0, 60.0),
            run(2, noon(D0, 0), 5.0, 30.0),
        ],
        D0,
    );
    assert_eq!(a.runs.len(), 1);
    assert_eq!(a.days.len(), 1);
    close(a.days[0].distance_m, 5000.0);
}

#[test]
fn broken_values_never_panic_and_count_as_zero() {
    let mut r = run(1, noon(D0, 0), f64::NAN, f64::INFINITY);
    r.metrics.ascent_m = -5.0;
    r.metrics.hr_seconds = vec![f32::NAN, -1.0, f32::INFINITY];
    r.metrics.speed_seconds = vec![f32::NAN; 100];
    r.metrics.best_10s_mps = Some(f64::NAN);
    r.rpe = Some(f64::NAN);
    let runs = [
        r,
        run(2, i64::MIN, 5.0, 30.0),
        run(3, i64::MAX, 5.0, 30.0),
        run(4, noon(D0, 1), 5.0, 30.0),
    ];
    let a = go(&runs, plus(D0, 1));
    assert_eq!(a.runs.len(), 2);
    close(day(&a, D0).distance_m, 0.0);
    close(day(&a, D0).load, 0.0);
    assert_eq!(a.runs[0].srpe_load, None);
    close(day(&a, plus(D0, 1)).load, 30.0);
}

#[test]
fn input_order_does_not_matter() {
    let runs = synthetic::history(1, 3, date(2026, 3, 1));
    let mut reversed = runs.clone();
    reversed.reverse();
    let s = settings(sydney());
    assert_eq!(
        go_with(&runs, &s, date(2026, 3, 1)),
        go_with(&reversed, &s, date(2026, 3, 1))
    );
}

#[test]
fn synthetic_history_is_plausible_and_flags_are_sorted() {
    let end = date(2026, 3, 1);
    let entries = synthetic::history(2, 1, end);
    let runs: Vec<&RunEntry> = entries.iter().filter(|e| e.metrics.is_run).collect();
    assert!(
        (600..=730).contains(&runs.len()),
        "{} runs in 2 years",
        runs.len()
    );
    assert!(runs
        .iter()
        .all(|r| (5000.0..=30_000.0).contains(&r.metrics.distance_m)));
    assert_eq!(entries, synthetic::history(2, 1, end), "deterministic");
    let a = go(&entries, end);
    assert_eq!(a.days.last().unwrap().date, end);
    assert!(a.flags.windows(2).all(|w| {
        (w[0].date, w[0].signal, w[0].activity_id) <= (w[1].date, w[1].signal, w[1].activity_id)
    }));
    assert!(a.runs.iter().any(|r| r.strides > 0));
    assert!(a
        .flags
        .iter()
        .any(|f| f.signal == SignalId::SpeedReintroduced));
    assert!(a
        .flags
        .iter()
        .any(|f| f.signal == SignalId::HillsReintroduced));
    assert!(a.hr.is_some_and(|h| h.estimated));
}

#[test]
fn steady_running_is_not_high_speed() {
    // Four steady runs of 9 km in 50 min (3.0 m/s) whose best 10 s is 3.1 m/s. 85% of the best
    // would be 2.635 m/s, below the usual pace; the floor is 1.25 × 3.0 = 3.75 m/s instead.
    let t = utc_ms(date(2026, 6, 1), 12, 0);
    let steady = |id: i64, back: i64| {
        let mut r = run(id, t - back * DAY_MS, 9.0, 50.0);
        r.metrics.best_10s_mps = Some(3.1);
        let mut hist = vec![0f32; 100];
        hist[30] = 3000.0; // all 50 min at 3.0–3.1 m/s
        r.metrics.speed_seconds = hist;
        r
    };
    let runs = vec![steady(1, 9), steady(2, 6), steady(3, 3), steady(4, 0)];
    let a = go(&runs, date(2026, 6, 1));
    let last = a.runs.iter().find(|r| r.id == 4).unwrap();
    close_opt(last.high_speed_threshold_mps, 3.75);
    close(last.high_speed_s, 0.0);
    assert!(flags(&a, SignalId::SpeedReintroduced).is_empty());
}
