//! Daily and weekly series and the load flags of brief section 6, from per-activity metrics.
//!
//! Days are the runner's local calendar days (the time zone is a setting: a run at 23:30 in
//! Sydney belongs to that Sydney day, whatever UTC says). Every day from the first activity to
//! `today` is present, zero days included, because monotony and the acute:chronic ratio are
//! wrong without them. Loads are sums over a day's activities, so they add up over days and do
//! not depend on the order activities were imported in.
//!
//! Flags follow the brief's app position: the single-run spike against the longest run of the
//! previous 30 days is the primary signal (grade B); weekly distance change and the return of
//! speed or hills are soft (grade C/D); monotony, strain and the acute:chronic ratio (uncoupled
//! and EWMA, with a coverage floor) are shown, never flagged. A flag is a code and numbers in
//! SI units ([`FlagDetail`]); its sentence, in the runner's units and in association language
//! ("linked with", not "will cause"), is written by the adapters (`hamstride_export::words`). Not here: pain (see [`crate::pain`]) and form (see [`crate::form`]).

use crate::metrics::ActivityMetrics;
use crate::signals::SignalId;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One activity as the series see it: its stored metrics and the runner's effort rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEntry {
    pub id: i64,
    pub metrics: ActivityMetrics,
    /// Perceived effort on the CR-10 scale (0–10), when recorded (Strava's "Perceived
    /// Exertion"); session-RPE load = effort × minutes (Foster 2001).
    pub rpe: Option<f64>,
}

/// Which Banister curve weights heart-rate reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HrCurve {
    /// 0.64·e^(1.92·x): Banister's coefficients for men, the usual default in training software.
    #[default]
    Men,
    /// 0.86·e^(1.67·x): Banister's coefficients for women.
    Women,
}

/// The runner's settings the series need.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Local time zone for calendar days.
    pub tz: TimeZone,
    /// Resting and maximum heart rate, bpm. When unset, the series estimate them (maximum: the
    /// highest heart rate held for 10 s in the history; resting: 60) and say so.
    pub hr_rest: Option<f64>,
    pub hr_max: Option<f64>,
    pub hr_curve: HrCurve,
}

/// Everything the analysis needs.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub activities: &'a [RunEntry],
    pub settings: &'a Settings,
    pub signals: &'a crate::signals::Signals,
    /// The last day of the series (the runner's local today).
    pub today: Date,
}

/// The daily load measure used for monotony, strain and the acute:chronic ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBasis {
    /// Session-RPE (effort × minutes), when at least 80% of the last 28 days' runs have an
    /// effort rating.
    SessionRpe,
    /// Heart-rate load (Banister), when at least 80% of those runs have heart rate.
    HeartRate,
    /// Running minutes otherwise (always available).
    Minutes,
}

/// One local day. Running totals count runs only; other sports are in `other_minutes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub date: Date,
    pub runs: u32,
    pub distance_m: f64,
    pub duration_s: f64,
    pub ascent_m: f64,
    pub descent_m: f64,
    pub steep_s: f64,
    /// Banister heart-rate load of the day's runs that have heart rate.
    pub hr_load: f64,
    /// Session-RPE load of the day's runs that have an effort rating.
    pub srpe_load: f64,
    /// Seconds and metres at or above the high-speed threshold, and strides/sprints counted.
    pub high_speed_s: f64,
    pub high_speed_m: f64,
    pub strides: u32,
    /// Minutes of other sports (cycling, swimming, ...).
    pub other_minutes: f64,
    /// The day's load in the analysis's [`LoadBasis`].
    pub load: f64,
}

/// One Monday-to-Sunday week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    /// The Monday.
    pub start: Date,
    pub runs: u32,
    pub distance_m: f64,
    pub duration_s: f64,
    pub ascent_m: f64,
    pub high_speed_m: f64,
    pub strides: u32,
    pub load: f64,
    /// Mean daily load / standard deviation of daily load over the 7 days, zero days included
    /// (population SD: the week is the whole population, not a sample). `None` when the SD
    /// is 0 (no load, or the same load every day).
    pub monotony: Option<f64>,
    /// Weekly load × monotony.
    pub strain: Option<f64>,
    /// This week's distance / last week's − 1, when last week had a run.
    pub distance_change: Option<f64>,
    /// Last 2 weeks / the 2 before − 1, when those had a run.
    pub distance_change_2wk: Option<f64>,
    /// False for a week still in progress (today is inside it) or before the history starts.
    pub complete: bool,
}

/// Per-run results that depend on other runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub date: Date,
    pub start_ms: i64,
    pub distance_m: f64,
    pub duration_s: f64,
    pub ascent_m: f64,
    pub hr_load: Option<f64>,
    pub srpe_load: Option<f64>,
    /// The high-speed threshold used, m/s (`None` with too little history: fewer than 3 runs
    /// with speed in the previous 90 days).
    pub high_speed_threshold_mps: Option<f64>,
    pub high_speed_s: f64,
    pub high_speed_m: f64,
    pub strides: u32,
    /// Longest run in the 30 days before this one's start (exclusive), m; `None` when there
    /// was no run, or the history does not reach 30 days back.
    pub longest_prev_30d_m: Option<f64>,
    /// distance / longest_prev_30d_m − 1.
    pub spike: Option<f64>,
}

/// The acute:chronic ratio on one day, display only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcwrPoint {
    pub date: Date,
    /// Last 7 days' load / (the 28 days before those, per 7 days). Not coupled: the acute
    /// week is not inside the chronic window.
    pub uncoupled: Option<f64>,
    /// EWMA(7-day constant) / EWMA(28-day constant), Williams 2017 form, λ = 2/(N+1), started
    /// at 0 the day before the history's first day.
    pub ewma: Option<f64>,
    /// False when a coverage floor hides a ratio: less than 35 days (uncoupled) or 28 days
    /// (EWMA) of history, or fewer than 4 runs in that ratio's chronic window (the 28 days
    /// before the acute week for uncoupled, the last 28 days for EWMA). Each ratio is `None`
    /// below its own floor, so on some days one can be shown while `covered` is false.
    pub covered: bool,
}

/// How sure a flag is meant to sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warn,
    Strong,
}

/// One flag on a day or a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub signal: SignalId,
    pub date: Date,
    pub activity_id: Option<i64>,
    pub level: Level,
    /// The measured value (a ratio − 1, days without, ...), for charts and JSON.
    pub value: f64,
    /// The signal's evidence grade (from `kb/signals.toml`), carried so every flag shows it.
    pub grade: String,
    /// The numbers the flag's sentence is written from, in SI units. The words (and the
    /// runner's units) are the adapters' job: `hamstride_export::words::flag`.
    pub detail: FlagDetail,
}

/// What a flag measured, one variant per flagging signal; serialised with its `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FlagDetail {
    /// A run longer than the longest of the previous 30 days; `spike` = distance / longest − 1.
    /// The flag's level says whether it was more than twice as long.
    LongRunSpike {
        distance_m: f64,
        longest_prev_30d_m: f64,
        spike: f64,
    },
    /// A complete week's distance against the complete week before; `change` = ratio − 1.
    WeeklyDistanceChange {
        distance_m: f64,
        previous_m: f64,
        change: f64,
    },
    /// A week's fast distance against the mean of the `weeks` weeks before.
    HighSpeedWeek {
        high_speed_m: f64,
        mean_m: f64,
        ratio: f64,
        weeks: usize,
    },
    /// The first speed run after a break from speed.
    SpeedReintroduced {
        high_speed_s: f64,
        strides: u32,
        since: Since,
    },
    /// The first hilly run after a break from hills.
    HillsReintroduced {
        ascent_m: f64,
        distance_m: f64,
        steep_s: f64,
        since: Since,
    },
}

/// How long since the last run of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    pub days: i64,
    /// True when there was none before: `days` then counts from the history's first run.
    pub history_start: bool,
}

/// The heart-rate settings actually used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HrUsed {
    pub rest: f64,
    pub max: f64,
    /// True when either value was estimated rather than set by the runner.
    pub estimated: bool,
}

/// Everything the series produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub today: Date,
    /// Local day of the first activity; `None` without activities.
    pub first_day: Option<Date>,
    pub basis: LoadBasis,
    pub hr: Option<HrUsed>,
    /// Every day from `first_day` to `today` (empty without activities).
    pub days: Vec<Day>,
    pub weeks: Vec<Week>,
    /// Runs, oldest first (ties broken by id, so import order never matters).
    pub runs: Vec<RunSummary>,
    pub acwr: Vec<AcwrPoint>,
    /// Oldest first.
    pub flags: Vec<Flag>,
}

/// Days in a civil week, and milliseconds in a day of elapsed time.
const WEEK_DAYS: i64 = 7;
const DAY_MS: i64 = 86_400_000;
// The analysis's windows and floors (the load basis's look-back and share, the heart-rate
// defaults, the spike window, the high-speed weeks, the shortest hilly run) are in
// `kb/signals.toml` under `[constants.series]`, each with its source or reason.
/// A hard upper bound for any window read from the signal file, so a typo there cannot make a
/// window overflow the arithmetic.
const MAX_WINDOW_DAYS: f64 = 36_525.0;
/// A ratio must pass a threshold by more than rounding: 11 km against 10 km is a spike of
/// 0.10000000000000009 in binary, which is exactly 10%, not more.
const ROUNDING: f64 = 1e-9;

/// Compute every series and flag.
///
/// Activities are placed on local days and sorted by (start, id) first, so the result does not
/// depend on the input's order. Activities after `today` (or with a start outside the
/// representable range) are ignored. Missing or invalid values in the stored metrics (NaN,
/// infinite, negative) count as zero, so day and week totals are never negative or NaN.
pub fn analyse(input: &Input<'_>) -> Analysis {
    let t = &input.signals.t;
    let today_dn = day_number(input.today);

    let mut placed: Vec<Placed<'_>> = input
        .activities
        .iter()
        .filter_map(|entry| {
            let ts = jiff::Timestamp::from_millisecond(entry.metrics.start_ms).ok()?;
            let dn = day_number(input.settings.tz.to_datetime(ts).date());
            (dn <= today_dn).then_some(Placed { entry, dn })
        })
        .collect();
    placed.sort_by(|a, b| entry_order(a.entry, b.entry));

    // The local date is not monotonic in UTC time everywhere (a zone moving its clock back
    // across midnight), so the first day is a minimum, not the first entry's day.
    let Some(first_dn) = placed.iter().map(|p| p.dn).min() else {
        return Analysis {
            today: input.today,
            first_day: None,
            basis: LoadBasis::Minutes,
            hr: None,
            days: Vec::new(),
            weeks: Vec::new(),
            runs: Vec::new(),
            acwr: Vec::new(),
            flags: Vec::new(),
        };
    };

    let runs: Vec<&Placed<'_>> = placed.iter().filter(|p| p.entry.metrics.is_run).collect();
    let hr = hr_used(input.settings, &runs, t);
    let weights = hr.map(|h| trimp_weights(h, input.settings.hr_curve, &runs));

    let mut calcs: Vec<RunCalc> = runs
        .iter()
        .map(|p| RunCalc::new(p, weights.as_deref()))
        .collect();
    let basis = choose_basis(&calcs, hr.is_some(), today_dn, t);
    let spike_window_ms = whole_days(t.spike_window_days) * DAY_MS;
    high_speed(&mut calcs, &runs, t);
    let longest = windowed_prev_max(
        &calcs.iter().map(|c| c.start_ms).collect::<Vec<_>>(),
        &calcs.iter().map(|c| Some(c.distance_m)).collect::<Vec<_>>(),
        spike_window_ms,
    );
    let first_run_ms = calcs.first().map_or(i64::MAX, |c| c.start_ms);

    let summaries: Vec<RunSummary> = calcs
        .iter()
        .zip(&longest)
        .map(|(c, &(max, count))| {
            // The history must reach back the whole window, or "longest of the previous 30
            // days" would be the longest of fewer days and overstate every spike.
            let reaches = first_run_ms <= c.start_ms.saturating_sub(spike_window_ms);
            let longest_prev_30d_m = if reaches && count > 0 { max } else { None };
            let spike = longest_prev_30d_m
                .filter(|&l| l > 0.0)
                .map(|l| c.distance_m / l - 1.0);
            RunSummary {
                id: c.id,
                date: date_from_day_number(c.dn),
                start_ms: c.start_ms,
                distance_m: c.distance_m,
                duration_s: c.duration_s,
                ascent_m: c.ascent_m,
                hr_load: c.hr_load,
                srpe_load: c.srpe_load,
                high_speed_threshold_mps: c.hs_threshold,
                high_speed_s: c.hs_s,
                high_speed_m: c.hs_m,
                strides: c.strides,
                longest_prev_30d_m,
                spike,
            }
        })
        .collect();

    let days = build_days(first_dn, today_dn, &placed, &calcs, basis);
    let weeks = build_weeks(first_dn, today_dn, &days);
    let acwr = build_acwr(&days, t);

    let mut flags = Vec::new();
    let ctx = FlagCtx {
        signals: input.signals,
        first_run_dn: calcs.first().map(|c| c.dn),
    };
    ctx.spike_flags(&summaries, &mut flags);
    ctx.weekly_flags(&weeks, &mut flags);
    ctx.high_speed_week_flags(&weeks, &mut flags);
    ctx.speed_flags(&calcs, &mut flags);
    ctx.hill_flags(&calcs, &mut flags);
    flags.sort_by(|a, b| {
        (a.date, a.signal, a.activity_id)
            .cmp(&(b.date, b.signal, b.activity_id))
            .then(a.level.cmp(&b.level))
    });

    Analysis {
        today: input.today,
        first_day: Some(date_from_day_number(first_dn)),
        basis,
        hr,
        days,
        weeks,
        runs: summaries,
        acwr,
        flags,
    }
}

/// Mean daily load over standard deviation (population SD: the days given are the whole
/// population). `None` for no days, or when the SD is zero or negligibly small next to the
/// mean (identical loads, no load): dividing by it would be noise, not monotony.
pub fn monotony(loads: &[f64]) -> Option<f64> {
    if loads.is_empty() {
        return None;
    }
    let n = loads.len() as f64;
    let mean = loads.iter().sum::<f64>() / n;
    let var = loads.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / n;
    let sd = var.sqrt();
    // Rounding leaves an SD of ~1e-15 × mean for loads that are equal in decimal.
    if sd.is_finite() && mean.is_finite() && sd > 1e-9 * mean.abs() && sd > 0.0 {
        Some(mean / sd)
    } else {
        None
    }
}

/// The acute and chronic exponentially weighted averages after each day's load (Williams 2017:
/// λ = 2/(N+1)), both started at 0 the day before the first load.
pub fn ewma_series(loads: &[f64], acute_days: usize, chronic_days: usize) -> Vec<(f64, f64)> {
    let la = 2.0 / (acute_days as f64 + 1.0);
    let lc = 2.0 / (chronic_days as f64 + 1.0);
    let mut acute = 0.0;
    let mut chronic = 0.0;
    loads
        .iter()
        .map(|&l| {
            acute = la * l + (1.0 - la) * acute;
            chronic = lc * l + (1.0 - lc) * chronic;
            (acute, chronic)
        })
        .collect()
}

/// Days since 1970-01-01 (proleptic Gregorian; Hinnant's `days_from_civil`). Plain integers
/// make windows and weeks exact arithmetic with no fallible date calls.
pub fn day_number(d: Date) -> i64 {
    let m = i64::from(d.month());
    let y = i64::from(d.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + i64::from(d.day()) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`day_number`], clamped to jiff's range (only reachable from a corrupted
/// day number; real ones come from dates).
pub fn date_from_day_number(dn: i64) -> Date {
    let z = dn.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let date = match (i16::try_from(y), i8::try_from(m), i8::try_from(d)) {
        (Ok(y), Ok(m), Ok(d)) => Date::new(y, m, d).ok(),
        _ => None,
    };
    date.unwrap_or(if dn < 0 { Date::MIN } else { Date::MAX })
}

/// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
fn weekday_offset(dn: i64) -> i64 {
    (dn + 3).rem_euclid(WEEK_DAYS)
}

/// An activity placed on its local day.
struct Placed<'a> {
    entry: &'a RunEntry,
    dn: i64,
}

/// The input order must not matter: (start, id) decides, and the remaining keys only separate
/// corrupt duplicates of one id so even they sum in one order.
fn entry_order(a: &RunEntry, b: &RunEntry) -> std::cmp::Ordering {
    let (am, bm) = (&a.metrics, &b.metrics);
    am.start_ms
        .cmp(&bm.start_ms)
        .then(a.id.cmp(&b.id))
        .then(am.is_run.cmp(&bm.is_run))
        .then(am.distance_m.total_cmp(&bm.distance_m))
        .then(am.duration_s.total_cmp(&bm.duration_s))
}

/// A stored number as a usable amount: invalid or negative values count as nothing.
fn amount(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

fn amount32(x: f32) -> f64 {
    amount(f64::from(x))
}

/// A day count from the signal file as whole days, at least 1.
fn whole_days(x: f64) -> i64 {
    if x.is_finite() {
        x.round().clamp(1.0, MAX_WINDOW_DAYS) as i64
    } else {
        1
    }
}

/// One run's own numbers, cleaned, and the values that depend on earlier runs.
struct RunCalc {
    id: i64,
    dn: i64,
    start_ms: i64,
    distance_m: f64,
    duration_s: f64,
    ascent_m: f64,
    descent_m: f64,
    steep_s: f64,
    hr_load: Option<f64>,
    srpe_load: Option<f64>,
    best_10s: Option<f64>,
    hs_threshold: Option<f64>,
    hs_s: f64,
    hs_m: f64,
    strides: u32,
}

impl RunCalc {
    fn new(p: &Placed<'_>, weights: Option<&[f64]>) -> RunCalc {
        let m = &p.entry.metrics;
        let duration_s = amount(m.duration_s);
        let has_hr = m.hr_seconds.iter().any(|&s| amount32(s) > 0.0);
        let hr_load = match weights {
            Some(w) if has_hr => Some(
                m.hr_seconds
                    .iter()
                    .zip(w)
                    .map(|(&s, &w)| amount32(s) * w)
                    .sum::<f64>(),
            ),
            _ => None,
        };
        let srpe_load = p
            .entry
            .rpe
            .filter(|r| r.is_finite())
            .map(|r| r.clamp(0.0, 10.0) * duration_s / 60.0);
        RunCalc {
            id: p.entry.id,
            dn: p.dn,
            start_ms: m.start_ms,
            distance_m: amount(m.distance_m),
            duration_s,
            ascent_m: amount(m.ascent_m),
            descent_m: amount(m.descent_m),
            steep_s: amount(m.steep_up_s) + amount(m.steep_down_s),
            hr_load,
            srpe_load,
            best_10s: m.best_10s_mps.filter(|v| v.is_finite() && *v > 0.0),
            hs_threshold: None,
            hs_s: 0.0,
            hs_m: 0.0,
            strides: 0,
        }
    }

    fn load(&self, basis: LoadBasis) -> f64 {
        match basis {
            LoadBasis::SessionRpe => self.srpe_load.unwrap_or(0.0),
            LoadBasis::HeartRate => self.hr_load.unwrap_or(0.0),
            LoadBasis::Minutes => self.duration_s / 60.0,
        }
    }

    fn is_speed(&self, t: &crate::signals::Thresholds) -> bool {
        self.hs_s >= t.speed_min_seconds || self.strides >= 2
    }

    fn is_hilly(&self, t: &crate::signals::Thresholds) -> bool {
        let per_km = self.distance_m >= t.hill_min_distance_m
            && self.ascent_m / (self.distance_m / 1000.0) >= t.hills_min_ascent_per_km;
        per_km || self.steep_s / 60.0 >= t.hills_min_steep_minutes
    }
}

/// The heart rates used for the Banister load: the runner's, else estimated; `None` when
/// there is no maximum or the reserve is too small to weight anything.
fn hr_used(
    settings: &Settings,
    runs: &[&Placed<'_>],
    t: &crate::signals::Thresholds,
) -> Option<HrUsed> {
    let set_max = settings.hr_max.filter(|v| v.is_finite() && *v > 0.0);
    let set_rest = settings.hr_rest.filter(|v| v.is_finite() && *v >= 0.0);
    let max = match set_max {
        Some(v) => v,
        None => runs
            .iter()
            .filter_map(|p| {
                p.entry
                    .metrics
                    .hr_seconds
                    .iter()
                    .rposition(|&s| s.is_finite() && f64::from(s) >= t.hr_max_min_seconds)
            })
            .max()
            .map(|i| f64::from(crate::metrics::HR_MIN_BPM) + i as f64)?,
    };
    let rest = set_rest.unwrap_or(t.default_hr_rest);
    (max > rest + t.min_hr_reserve).then_some(HrUsed {
        rest,
        max,
        estimated: set_max.is_none() || set_rest.is_none(),
    })
}

/// Banister load per second at each histogram beat: (1/60) × x × k1·e^(k2·x) with x the
/// heart-rate reserve fraction, so a run's load is one multiply-add per beat.
fn trimp_weights(hr: HrUsed, curve: HrCurve, runs: &[&Placed<'_>]) -> Vec<f64> {
    let (k1, k2) = match curve {
        HrCurve::Men => (0.64, 1.92),
        HrCurve::Women => (0.86, 1.67),
    };
    let len = runs
        .iter()
        .map(|p| p.entry.metrics.hr_seconds.len())
        .max()
        .unwrap_or(0);
    (0..len)
        .map(|i| {
            let bpm = f64::from(crate::metrics::HR_MIN_BPM) + i as f64;
            let x = ((bpm - hr.rest) / (hr.max - hr.rest)).clamp(0.0, 1.0);
            x * k1 * (k2 * x).exp() / 60.0
        })
        .collect()
}

/// The load basis from the runs of the last 28 local days up to today: effort ratings when
/// at least 80% have one, else heart rate when 80% have it, else minutes. With no run in that
/// window, minutes (nothing to judge the other two by). The 80% keeps one forgotten rating
/// from switching the basis back and forth.
fn choose_basis(
    calcs: &[RunCalc],
    hr_known: bool,
    today_dn: i64,
    t: &crate::signals::Thresholds,
) -> LoadBasis {
    let days = whole_days(t.basis_days);
    // Whole percent, compared in integers: k / n ≥ 80% exactly, with no binary rounding.
    let pct = t.basis_share_pct.round().clamp(0.0, 100.0) as usize;
    let recent: Vec<&RunCalc> = calcs
        .iter()
        .filter(|c| c.dn > today_dn - days && c.dn <= today_dn)
        .collect();
    let n = recent.len();
    let enough = |k: usize| n > 0 && k * 100 >= n * pct;
    if enough(recent.iter().filter(|c| c.srpe_load.is_some()).count()) {
        LoadBasis::SessionRpe
    } else if hr_known && enough(recent.iter().filter(|c| c.hr_load.is_some()).count()) {
        LoadBasis::HeartRate
    } else {
        LoadBasis::Minutes
    }
}

/// For each run, the maximum of `values` over earlier runs starting in
/// `[start − window_ms, start)` and how many of them have a value. `starts` must be sorted.
/// A monotonic deque keeps this linear: each run enters and leaves it once.
fn windowed_prev_max(
    starts: &[i64],
    values: &[Option<f64>],
    window_ms: i64,
) -> Vec<(Option<f64>, usize)> {
    let n = starts.len().min(values.len());
    let mut with_value = vec![0usize; n + 1];
    for i in 0..n {
        with_value[i + 1] = with_value[i] + usize::from(values[i].is_some());
    }
    let mut deque: VecDeque<(usize, f64)> = VecDeque::new();
    let mut added = 0;
    let mut low = 0;
    let mut out = Vec::with_capacity(n);
    for &start in &starts[..n] {
        // Runs starting at the very same millisecond are not "before" each other.
        while added < n && starts[added] < start {
            if let Some(v) = values[added] {
                while deque.back().is_some_and(|&(_, b)| b <= v) {
                    deque.pop_back();
                }
                deque.push_back((added, v));
            }
            added += 1;
        }
        let lower = start.saturating_sub(window_ms);
        while low < added && starts[low] < lower {
            low += 1;
        }
        while deque.front().is_some_and(|&(j, _)| j < low) {
            deque.pop_front();
        }
        out.push((
            deque.front().map(|&(_, v)| v),
            with_value[added] - with_value[low],
        ));
    }
    out
}

/// For each run, the mean of `values` over earlier runs starting in `[start − window_ms,
/// start)`. `starts` must be sorted; two pointers and a running sum keep it linear.
fn windowed_prev_mean(starts: &[i64], values: &[Option<f64>], window_ms: i64) -> Vec<Option<f64>> {
    let n = starts.len().min(values.len());
    let (mut added, mut low) = (0usize, 0usize);
    let (mut sum, mut count) = (0.0f64, 0usize);
    let mut out = Vec::with_capacity(n);
    for &start in &starts[..n] {
        while added < n && starts[added] < start {
            if let Some(v) = values[added] {
                sum += v;
                count += 1;
            }
            added += 1;
        }
        let lower = start.saturating_sub(window_ms);
        while low < added && starts[low] < lower {
            if let Some(v) = values[low] {
                sum -= v;
                count -= 1;
            }
            low += 1;
        }
        out.push((count > 0).then(|| sum / count as f64));
    }
    out
}

/// The personal high-speed threshold and what each run did above it. The threshold is a
/// fraction of the best 10 s speed of the runs in the window before each run (with a minimum
/// number of such runs), but never below `above_usual` times the mean speed of those runs: a
/// runner who only ever runs steadily has a "best 10 s" close to their usual pace, and their
/// usual running must not count as fast.
fn high_speed(calcs: &mut [RunCalc], runs: &[&Placed<'_>], t: &crate::signals::Thresholds) {
    let starts: Vec<i64> = calcs.iter().map(|c| c.start_ms).collect();
    let bests: Vec<Option<f64>> = calcs.iter().map(|c| c.best_10s).collect();
    let usual: Vec<Option<f64>> = calcs
        .iter()
        .map(|c| {
            (c.duration_s > 0.0 && c.distance_m > 0.0)
                .then(|| c.distance_m / c.duration_s)
                .filter(|v| v.is_finite())
        })
        .collect();
    let window = whole_days(t.hs_window_days) * DAY_MS;
    let maxima = windowed_prev_max(&starts, &bests, window);
    let means = windowed_prev_mean(&starts, &usual, window);
    for (((c, p), (max, count)), mean) in calcs.iter_mut().zip(runs).zip(maxima).zip(means) {
        if (count as f64) < t.hs_min_runs {
            continue;
        }
        let Some(max) = max else { continue };
        let threshold = (t.hs_fraction * max).max(t.hs_above_usual * mean.unwrap_or(0.0));
        let m = &p.entry.metrics;
        let (s, metres) = m.time_distance_above(threshold);
        c.hs_threshold = Some(threshold);
        c.hs_s = amount(s);
        c.hs_m = amount(metres);
        let strides = m.bouts.iter().filter(|b| b.peak_mps >= threshold).count();
        c.strides = u32::try_from(strides).unwrap_or(u32::MAX);
    }
}

fn empty_day(dn: i64) -> Day {
    Day {
        date: date_from_day_number(dn),
        runs: 0,
        distance_m: 0.0,
        duration_s: 0.0,
        ascent_m: 0.0,
        descent_m: 0.0,
        steep_s: 0.0,
        hr_load: 0.0,
        srpe_load: 0.0,
        high_speed_s: 0.0,
        high_speed_m: 0.0,
        strides: 0,
        other_minutes: 0.0,
        load: 0.0,
    }
}

/// Every day from the first activity to today, zero days included.
fn build_days(
    first_dn: i64,
    today_dn: i64,
    placed: &[Placed<'_>],
    calcs: &[RunCalc],
    basis: LoadBasis,
) -> Vec<Day> {
    let mut days: Vec<Day> = (first_dn..=today_dn).map(empty_day).collect();
    let index = |dn: i64| usize::try_from(dn - first_dn).ok();
    for c in calcs {
        if let Some(d) = index(c.dn).and_then(|i| days.get_mut(i)) {
            d.runs = d.runs.saturating_add(1);
            d.distance_m += c.distance_m;
            d.duration_s += c.duration_s;
            d.ascent_m += c.ascent_m;
            d.descent_m += c.descent_m;
            d.steep_s += c.steep_s;
            d.hr_load += c.hr_load.unwrap_or(0.0);
            d.srpe_load += c.srpe_load.unwrap_or(0.0);
            d.high_speed_s += c.hs_s;
            d.high_speed_m += c.hs_m;
            d.strides = d.strides.saturating_add(c.strides);
            d.load += c.load(basis);
        }
    }
    for p in placed.iter().filter(|p| !p.entry.metrics.is_run) {
        if let Some(d) = index(p.dn).and_then(|i| days.get_mut(i)) {
            d.other_minutes += amount(p.entry.metrics.duration_s) / 60.0;
        }
    }
    days
}

/// Monday-to-Sunday weeks from the week of the first day to the week of today. Days outside
/// the series count as zero, and such a week is not complete, so it gets no monotony.
fn build_weeks(first_dn: i64, today_dn: i64, days: &[Day]) -> Vec<Week> {
    let first_monday = first_dn - weekday_offset(first_dn);
    let mut weeks: Vec<Week> = Vec::new();
    let mut monday = first_monday;
    while monday <= today_dn {
        let mut loads = [0.0; 7];
        let mut w = Week {
            start: date_from_day_number(monday),
            runs: 0,
            distance_m: 0.0,
            duration_s: 0.0,
            ascent_m: 0.0,
            high_speed_m: 0.0,
            strides: 0,
            load: 0.0,
            monotony: None,
            strain: None,
            distance_change: None,
            distance_change_2wk: None,
            complete: monday >= first_dn && monday + WEEK_DAYS - 1 < today_dn,
        };
        for (k, load) in loads.iter_mut().enumerate() {
            let dn = monday + k as i64;
            let Some(d) = usize::try_from(dn - first_dn)
                .ok()
                .and_then(|i| days.get(i))
            else {
                continue;
            };
            w.runs = w.runs.saturating_add(d.runs);
            w.distance_m += d.distance_m;
            w.duration_s += d.duration_s;
            w.ascent_m += d.ascent_m;
            w.high_speed_m += d.high_speed_m;
            w.strides = w.strides.saturating_add(d.strides);
            w.load += d.load;
            *load = d.load;
        }
        if w.complete {
            w.monotony = monotony(&loads);
            w.strain = w.monotony.map(|m| w.load * m);
        }
        let prev = weeks.last();
        w.distance_change = prev
            .filter(|p| p.runs > 0 && p.distance_m > 0.0)
            .map(|p| w.distance_m / p.distance_m - 1.0);
        let n = weeks.len();
        if n >= 3 {
            let (p1, p2, p3) = (&weeks[n - 1], &weeks[n - 2], &weeks[n - 3]);
            let before = p2.distance_m + p3.distance_m;
            if p2.runs + p3.runs > 0 && before > 0.0 {
                w.distance_change_2wk = Some((w.distance_m + p1.distance_m) / before - 1.0);
            }
        }
        weeks.push(w);
        monday += WEEK_DAYS;
    }
    weeks
}

/// The acute:chronic ratios for each day of the series.
///
/// Day `d` (0 = the first day), acute `a` and chronic `c` days (7 and 28 in the signal file):
/// - uncoupled = Σ load[d−a+1 ..= d] / (Σ load[d−a−c+1 ..= d−a] × a / c): the chronic window
///   is the `c` days *before* the acute ones, scaled to `a` days. Shown only when the history
///   has at least `a + c` days (d + 1 ≥ 35) and the chronic window holds at least
///   `min_chronic_activities` runs, and the chronic sum is above 0.
/// - ewma = acute EWMA / chronic EWMA of [`ewma_series`] (started at 0 the day before the first
///   day). Shown only when the history has at least `c` days (d + 1 ≥ 28), the last `c` days
///   (d−c+1 ..= d) hold at least `min_chronic_activities` runs, and the chronic EWMA is above 0.
/// - covered = both floors (history length and run count) are met; each ratio is `None` below
///   its own floor.
fn build_acwr(days: &[Day], t: &crate::signals::Thresholds) -> Vec<AcwrPoint> {
    let a = usize::try_from(whole_days(t.acwr_acute_days)).unwrap_or(1);
    let c = usize::try_from(whole_days(t.acwr_chronic_days)).unwrap_or(1);
    let loads: Vec<f64> = days.iter().map(|d| d.load).collect();
    let mut runs_before = vec![0u64; days.len() + 1];
    for (i, d) in days.iter().enumerate() {
        runs_before[i + 1] = runs_before[i] + u64::from(d.runs);
    }
    // Runs on days lo..=hi (hi < len).
    let runs_in = |lo: usize, hi: usize| (runs_before[hi + 1] - runs_before[lo]) as f64;
    let ewma = ewma_series(&loads, a, c);
    days.iter()
        .zip(&ewma)
        .enumerate()
        .map(|(d, (day, &(ea, ec)))| {
            let history = d + 1;
            let uncoupled_covered =
                history >= a + c && runs_in(d + 1 - a - c, d - a) >= t.acwr_min_chronic_activities;
            let uncoupled = if uncoupled_covered {
                let acute: f64 = loads[d + 1 - a..=d].iter().sum();
                let chronic: f64 = loads[d + 1 - a - c..=d - a].iter().sum();
                let per_acute = chronic * a as f64 / c as f64;
                (per_acute > 0.0).then(|| acute / per_acute)
            } else {
                None
            };
            let ewma_covered =
                history >= c && runs_in(d + 1 - c, d) >= t.acwr_min_chronic_activities;
            let ewma = (ewma_covered && ec > 0.0).then(|| ea / ec);
            AcwrPoint {
                date: day.date,
                uncoupled,
                ewma,
                covered: uncoupled_covered && ewma_covered,
            }
        })
        .collect()
}

/// What the flag texts need besides the series.
struct FlagCtx<'a> {
    signals: &'a crate::signals::Signals,
    first_run_dn: Option<i64>,
}

impl FlagCtx<'_> {
    fn alerts(&self, id: SignalId) -> bool {
        self.signals.get(id).alert
    }

    fn grade(&self, id: SignalId) -> String {
        self.signals.get(id).grade.clone()
    }

    /// The single-run spike against the longest run of the previous 30 days (Frandsen 2025:
    /// the hazard rose from > 10% and was highest above 100%).
    fn spike_flags(&self, runs: &[RunSummary], flags: &mut Vec<Flag>) {
        let id = SignalId::LongRunSpike;
        if !self.alerts(id) {
            return;
        }
        let t = &self.signals.t;
        for r in runs {
            let (Some(spike), Some(longest)) = (r.spike, r.longest_prev_30d_m) else {
                continue;
            };
            if spike <= t.spike_warn + ROUNDING {
                continue;
            }
            let strong = spike > t.spike_strong + ROUNDING;
            flags.push(Flag {
                signal: id,
                date: r.date,
                activity_id: Some(r.id),
                level: if strong { Level::Strong } else { Level::Warn },
                value: spike,
                grade: self.grade(id),
                detail: FlagDetail::LongRunSpike {
                    distance_m: r.distance_m,
                    longest_prev_30d_m: longest,
                    spike,
                },
            });
        }
    }

    /// Weekly distance jumps: complete weeks against a complete previous week of at least
    /// `min_km`, since a part week (the history starting mid-week) makes any jump look large.
    fn weekly_flags(&self, weeks: &[Week], flags: &mut Vec<Flag>) {
        let id = SignalId::WeeklyDistanceChange;
        if !self.alerts(id) {
            return;
        }
        let t = &self.signals.t;
        for pair in weeks.windows(2) {
            let (prev, w) = (&pair[0], &pair[1]);
            let Some(change) = w.distance_change else {
                continue;
            };
            if !w.complete
                || !prev.complete
                || prev.distance_m < t.weekly_min_km * 1000.0
                || change <= t.weekly_warn + ROUNDING
            {
                continue;
            }
            flags.push(Flag {
                signal: id,
                date: w.start,
                activity_id: None,
                level: Level::Note,
                value: change,
                grade: self.grade(id),
                detail: FlagDetail::WeeklyDistanceChange {
                    distance_m: w.distance_m,
                    previous_m: prev.distance_m,
                    change,
                },
            });
        }
    }

    /// A complete week with much more high-speed distance than the mean of the weeks before.
    fn high_speed_week_flags(&self, weeks: &[Week], flags: &mut Vec<Flag>) {
        let id = SignalId::HighSpeedWeek;
        if !self.alerts(id) {
            return;
        }
        let t = &self.signals.t;
        let lookback = usize::try_from(whole_days(t.hs_week_lookback_weeks)).unwrap_or(1);
        for (i, w) in weeks.iter().enumerate() {
            let previous = &weeks[i.saturating_sub(lookback)..i];
            if !w.complete || (previous.len() as f64) < t.hs_week_min_weeks {
                continue;
            }
            let mean = previous.iter().map(|p| p.high_speed_m).sum::<f64>() / previous.len() as f64;
            if mean <= 0.0 {
                continue;
            }
            let ratio = w.high_speed_m / mean;
            if ratio <= t.hs_week_ratio + ROUNDING {
                continue;
            }
            flags.push(Flag {
                signal: id,
                date: w.start,
                activity_id: None,
                level: Level::Note,
                value: ratio,
                grade: self.grade(id),
                detail: FlagDetail::HighSpeedWeek {
                    high_speed_m: w.high_speed_m,
                    mean_m: mean,
                    ratio,
                    weeks: previous.len(),
                },
            });
        }
    }

    /// The days since the previous qualifying run, when it is a return after a break: the
    /// gap since the last one, or since the history began when there was none (and the
    /// history is long enough for "none" to mean a break).
    fn returns(&self, days_without: i64, dn: i64, last: Option<i64>) -> Option<(i64, bool)> {
        match last {
            Some(prev) => (dn - prev >= days_without).then_some((dn - prev, true)),
            None => {
                let since = dn - self.first_run_dn?;
                (since >= days_without).then_some((since, false))
            }
        }
    }

    /// The first speed run (strides, intervals, a race) after weeks without one.
    fn speed_flags(&self, runs: &[RunCalc], flags: &mut Vec<Flag>) {
        let t = &self.signals.t;
        self.return_flags(
            SignalId::SpeedReintroduced,
            Level::Warn,
            t.speed_days_without,
            runs.iter().filter(|r| r.is_speed(t)),
            |r, since| FlagDetail::SpeedReintroduced {
                high_speed_s: r.hs_s,
                strides: r.strides,
                since,
            },
            flags,
        );
    }

    /// The first hilly run after weeks without one.
    fn hill_flags(&self, runs: &[RunCalc], flags: &mut Vec<Flag>) {
        let t = &self.signals.t;
        self.return_flags(
            SignalId::HillsReintroduced,
            Level::Note,
            t.hills_days_without,
            runs.iter().filter(|r| r.is_hilly(t)),
            |r, since| FlagDetail::HillsReintroduced {
                ascent_m: r.ascent_m,
                distance_m: r.distance_m,
                steep_s: r.steep_s,
                since,
            },
            flags,
        );
    }

    /// Flag each run of a kind (speed, hills) that comes after `days_without` days without
    /// one. `describe` gets the run and the gap, and returns the flag's numbers.
    fn return_flags<'r>(
        &self,
        id: SignalId,
        level: Level,
        days_without: f64,
        kind: impl Iterator<Item = &'r RunCalc>,
        describe: impl Fn(&RunCalc, Since) -> FlagDetail,
        flags: &mut Vec<Flag>,
    ) {
        if !self.alerts(id) {
            return;
        }
        let days_without = whole_days(days_without);
        let mut last = None;
        for r in kind {
            if let Some((gap, had_one)) = self.returns(days_without, r.dn, last) {
                let since = Since {
                    days: gap,
                    history_start: !had_one,
                };
                flags.push(Flag {
                    signal: id,
                    date: date_from_day_number(r.dn),
                    activity_id: Some(r.id),
                    level,
                    value: gap as f64,
                    grade: self.grade(id),
                    detail: describe(r, since),
                });
            }
            last = Some(r.dn);
        }
    }
}
