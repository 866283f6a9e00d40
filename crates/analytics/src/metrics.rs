//! Per-activity metrics: one pass over an activity's records, done at import and redone when
//! [`METRICS_VERSION`] changes. The result is small (a few hundred numbers) and keeps what the
//! series need to compute any load later without reading the records again: seconds per
//! heart-rate beat (so heart-rate load can follow the runner's resting and maximum heart rate
//! when they change), seconds and metres per speed step (so "high speed" can follow the
//! runner's recent maximum), the fast bouts (candidate strides), and form metrics by pace band
//! (so cadence and the rest are compared at comparable paces).
//!
//! Time is moving time: each record stands for the seconds since the previous one, and a gap
//! longer than `pause_s` is a pause that counts nowhere, so histograms hold what was actually
//! run. Speed is the recorded speed, else derived from the distance stream; values of 10 m/s
//! or more are GPS noise and dropped. Every measure is one or two linear passes (files reach
//! 100k records) and total over damaged input: NaN, missing columns, timestamps that repeat or
//! go backwards give smaller numbers, never a panic or a non-finite value.
//!
//! The windows, thresholds and smoothing are choices, read from `[constants.metrics]` of
//! `kb/signals.toml` ([`MetricsConstants`], passed in). What stays here is the record's
//! format (histogram steps, pace bands) that every reader indexes with, and the sanity
//! bounds of the input (plausible altitudes and form values, the cap on stored bouts).
//! Because the record is stored, the constants are pinned to [`METRICS_VERSION`] by a
//! fingerprint ([`MetricsConstants::check_pinned`]): an edit without a version bump fails the
//! tests and `kb check`, and the service refuses to store metrics under a version that was
//! computed with other numbers.
//!
//! Not here: anything that depends on other activities or on the runner's settings; that is
//! [`crate::series`]'s job.

use hamstride_core::Activity;
use serde::{Deserialize, Serialize};

/// Bump when the computation changes; stored metrics with another version are recomputed.
/// Changing any value of `[constants.metrics]` in `kb/signals.toml` changes the computation
/// too: bump this and set [`METRICS_CONSTANTS_FINGERPRINT`] to the new constants' fingerprint
/// in the same commit (the test `metrics_constants_are_pinned_to_the_version` prints it).
pub const METRICS_VERSION: u32 = 1;

/// [`MetricsConstants::fingerprint`] of the `[constants.metrics]` that [`METRICS_VERSION`]
/// was computed with (for version 1: the values hard-coded here before they moved to
/// `kb/signals.toml`, unchanged).
pub const METRICS_CONSTANTS_FINGERPRINT: u64 = 0xeb53_63b5_88dc_f398;

/// The choices of the per-activity summary, from `[constants.metrics]` of `kb/signals.toml`
/// (each key is the field's name; the file gives each one's reason).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsConstants {
    /// A gap between records longer than this is a pause, seconds.
    pub pause_s: f64,
    /// Window of the best-speed measure, seconds.
    pub best_window_s: f64,
    /// Half-width of the centred speed smoothing for bouts, seconds.
    pub bout_smooth_half_s: f64,
    /// Smoothed speed above which a sample counts towards the typical moving speed, m/s.
    pub typical_min_mps: f64,
    /// A bout clears both the typical speed times this factor and `bout_floor_mps`.
    pub bout_factor: f64,
    pub bout_floor_mps: f64,
    /// Shortest and longest fast stretch that is a bout, seconds.
    pub bout_min_s: f64,
    pub bout_max_s: f64,
    /// Half-width of the centred altitude smoothing, seconds.
    pub alt_smooth_half_s: f64,
    /// Altitude change needed to reverse direction in the ascent count, metres.
    pub alt_hysteresis_m: f64,
    /// Half of the distance window a grade is measured over, metres.
    pub grade_half_m: f64,
    /// Steeper than this is altitude noise, not a slope.
    pub grade_max: f64,
    /// Grade (rise over run) from which running counts as steep, either way.
    pub steep_grade: f64,
    /// Below this speed a sample on a slope is standing, m/s.
    pub steep_min_mps: f64,
    /// Form is measured from this speed, m/s.
    pub form_min_mps: f64,
    /// Seconds of running a pace band needs, and each form metric within it.
    pub form_band_min_s: f64,
    pub form_metric_min_s: f64,
}

impl MetricsConstants {
    /// Every constant by its key in `[constants.metrics]`, in a fixed order.
    pub fn entries(&self) -> [(&'static str, f64); 17] {
        [
            ("pause_s", self.pause_s),
            ("best_window_s", self.best_window_s),
            ("bout_smooth_half_s", self.bout_smooth_half_s),
            ("typical_min_mps", self.typical_min_mps),
            ("bout_factor", self.bout_factor),
            ("bout_floor_mps", self.bout_floor_mps),
            ("bout_min_s", self.bout_min_s),
            ("bout_max_s", self.bout_max_s),
            ("alt_smooth_half_s", self.alt_smooth_half_s),
            ("alt_hysteresis_m", self.alt_hysteresis_m),
            ("grade_half_m", self.grade_half_m),
            ("grade_max", self.grade_max),
            ("steep_grade", self.steep_grade),
            ("steep_min_mps", self.steep_min_mps),
            ("form_min_mps", self.form_min_mps),
            ("form_band_min_s", self.form_band_min_s),
            ("form_metric_min_s", self.form_metric_min_s),
        ]
    }

    /// A stable 64-bit FNV-1a hash of every key and the exact bits of its value: any edit of
    /// a value changes it. Hand-written (a few lines) because no hash in the standard library
    /// is promised to stay the same between Rust releases.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, value) in self.entries() {
            for b in name
                .bytes()
                .chain([b'='])
                .chain(value.to_bits().to_le_bytes())
                .chain([b';'])
            {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    /// Whether these are the constants [`METRICS_VERSION`] is pinned to; the error says what
    /// to do when they are not.
    pub fn check_pinned(&self) -> Result<(), crate::Error> {
        let got = self.fingerprint();
        if got == METRICS_CONSTANTS_FINGERPRINT {
            return Ok(());
        }
        Err(crate::Error::Kb {
            file: "signals.toml",
            problem: format!(
                "[constants.metrics] differ from the ones METRICS_VERSION {METRICS_VERSION} was \
                 computed with (fingerprint {got:#018x}, pinned {METRICS_CONSTANTS_FINGERPRINT:#018x}): \
                 stored metrics would be wrong. Bump METRICS_VERSION in \
                 crates/analytics/src/metrics.rs and set METRICS_CONSTANTS_FINGERPRINT to {got:#018x}"
            ),
        })
    }
}

// The stored record's format, not a training choice: the series, form and the synthetic
// history index the histograms and bands with these, so they stay in Rust beside the type;
// changing one is a METRICS_VERSION bump like any other change of the computation.
/// Width of a speed histogram step, m/s.
pub const SPEED_STEP_MPS: f64 = 0.1;
/// Number of speed steps: 0.0 up to 10.0 m/s (a 1:40/km pace); faster samples are GPS noise
/// for a runner and are dropped.
pub const SPEED_STEPS: usize = 100;
/// Lowest heart rate kept in the histogram, bpm; index 0 is this beat.
pub const HR_MIN_BPM: u32 = 30;
/// Number of heart-rate steps (30..=229 bpm).
pub const HR_STEPS: usize = 200;
/// Width of a form pace band, m/s (about 10–15 s/km at usual running paces).
pub const FORM_BAND_MPS: f64 = 0.25;

/// The summary of one activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityMetrics {
    pub version: u32,
    /// UTC ms of the start; the series place it on the runner's local day.
    pub start_ms: i64,
    /// Normalised sport (FIT vocabulary).
    pub sport: String,
    /// Running of any kind (road, trail, treadmill, track).
    pub is_run: bool,
    /// Moving (timer) time when the file has it, else elapsed time, seconds.
    pub duration_s: f64,
    pub distance_m: f64,
    /// Total ascent and descent, m: the session totals when the device gives them, else from
    /// smoothed altitude with a hysteresis (`alt_hysteresis_m`) to ignore barometer and GPS
    /// jitter.
    pub ascent_m: f64,
    pub descent_m: f64,
    /// Moving seconds spent on a grade of at least `steep_grade` up, and down.
    pub steep_up_s: f64,
    pub steep_down_s: f64,
    /// Seconds at each heart rate, index `bpm - HR_MIN_BPM`; empty when no heart rate.
    pub hr_seconds: Vec<f32>,
    /// Seconds at each speed step, index `floor(speed / SPEED_STEP_MPS)`; empty when the
    /// activity has neither speed nor distance over time.
    pub speed_seconds: Vec<f32>,
    /// Best average speed over any `best_window_s` (10 s), m/s (the activity's top speed, robust to one bad
    /// GPS sample); `None` without speed.
    pub best_10s_mps: Option<f64>,
    /// Fast bouts: stretches of `bout_min_s`–`bout_max_s` where the smoothed speed rises
    /// clearly above the
    /// activity's typical moving speed. The series count a bout as a stride or sprint when its
    /// peak reaches the runner's high-speed threshold.
    pub bouts: Vec<Bout>,
    /// Form metrics by pace band (bands with at least `form_band_min_s` of data only).
    pub form: Vec<FormBand>,
}

/// One fast bout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bout {
    /// Seconds from the activity's start.
    pub offset_s: f64,
    pub duration_s: f64,
    pub distance_m: f64,
    pub peak_mps: f64,
}

/// Time-weighted means of the form metrics while running within one pace band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FormBand {
    /// Band index: speeds in `[band * FORM_BAND_MPS, (band + 1) * FORM_BAND_MPS)`.
    pub band: u16,
    /// Seconds of running in the band.
    pub seconds: f64,
    /// Steps per minute.
    pub cadence_spm: Option<f64>,
    pub step_length_mm: Option<f64>,
    pub ground_contact_ms: Option<f64>,
    pub vertical_oscillation_mm: Option<f64>,
    /// Left-foot share of ground-contact time, percent (50 = even).
    pub balance_left_pct: Option<f64>,
}

impl ActivityMetrics {
    /// Seconds and metres at or above `threshold_mps`.
    pub fn time_distance_above(&self, threshold_mps: f64) -> (f64, f64) {
        let mut secs = 0.0;
        let mut metres = 0.0;
        for (i, &s) in self.speed_seconds.iter().enumerate() {
            // The step's middle speed stands for every sample in it.
            let lo = i as f64 * SPEED_STEP_MPS;
            if lo + 1e-9 >= threshold_mps {
                let s = f64::from(s);
                secs += s;
                metres += s * (lo + SPEED_STEP_MPS / 2.0);
            }
        }
        (secs, metres)
    }
}

// Sanity bounds of the input and of the stored record, not training choices, so they stay
// here rather than in `[constants.metrics]`.
/// A pathological file (GPS flickering across the threshold) must not bloat the stored record.
const MAX_BOUTS: usize = 500;
/// Altitudes outside this range are sensor garbage, not terrain (the Dead Sea shore is at
/// −430 m, Everest at 8,849 m).
const ALT_RANGE_M: (f64, f64) = (-1000.0, 10000.0);
/// Plausible ranges of the form metrics, in [`FormAcc`] order: cadence (spm), step length
/// (mm), ground contact (ms), vertical oscillation (mm), left balance (%). Values outside are
/// dropouts or a strides-per-minute cadence mislabelled as steps.
const FORM_RANGES: [(f64, f64); 5] = [
    (100.0, 250.0),
    (300.0, 3000.0),
    (100.0, 500.0),
    (20.0, 200.0),
    (30.0, 70.0),
];
/// Numerics, not a choice: epsilon added before flooring a speed into a bin, so 3.0 m/s lands in bin 30 and not in
/// bin 29 through `3.0 / 0.1 = 29.999…`.
const BIN_EPS: f64 = 1e-6;

/// Summarise one activity. Total over any input: missing streams give empty histograms and
/// `None`s, never an error. Records are taken in file order: a timestamp that goes backwards or
/// repeats adds no time, so a damaged file gives smaller numbers rather than wrong ones.
///
/// Bouts and form are computed for runs only; other sports get none (their fast stretches are
/// not strides and their cadence is not steps).
pub fn compute(activity: &Activity, c: &MetricsConstants) -> ActivityMetrics {
    // Trail and treadmill runs are `running` of a kind (`kb/sports.toml`): the sport alone
    // says whether this is a run.
    let is_run = activity.sport == hamstride_core::sports::RUNNING;
    let start_ms = activity
        .start_ms
        .or_else(|| activity.records.time_ms.first().copied())
        .unwrap_or(0);
    let s = Samples::build(&activity.records, start_ms, c.pause_s);

    let mut speed_seconds = vec![0.0f32; SPEED_STEPS];
    let mut hr_seconds = vec![0.0f32; HR_STEPS];
    let (mut has_speed, mut has_hr) = (false, false);
    let mut speed_distance = 0.0;
    for i in 0..s.len() {
        let dt = s.dt[i];
        let v = s.speed[i];
        if !v.is_nan() {
            has_speed = true;
            if let Some(bin) = speed_seconds.get_mut(speed_bin(v)) {
                *bin += dt as f32;
            }
            speed_distance += v * dt;
        }
        let hr = at32(&activity.records.heart_rate_bpm, i).round();
        if hr.is_finite() && hr >= f64::from(HR_MIN_BPM) {
            // Guarded above: `hr` is finite and at least HR_MIN_BPM, so the cast is exact.
            if let Some(bin) = hr_seconds.get_mut((hr - f64::from(HR_MIN_BPM)) as usize) {
                *bin += dt as f32;
                has_hr = true;
            }
        }
    }
    if !has_speed {
        speed_seconds.clear();
    }
    if !has_hr {
        hr_seconds.clear();
    }

    let distance_m = match activity.distance_m() {
        Some(d) if d.is_finite() && d >= 0.0 => d,
        // A treadmill or indoor file may carry speed without a distance stream.
        _ if speed_distance.is_finite() && speed_distance > 0.0 => speed_distance,
        _ => 0.0,
    };
    let duration_s = [activity.timer_s(), elapsed_s(activity)]
        .into_iter()
        .flatten()
        .find(|d| d.is_finite() && *d > 0.0)
        .unwrap_or(0.0);

    let alt = smoothed_altitude(&activity.records, &s, c.alt_smooth_half_s);
    let (ascent_m, descent_m) = ascent_descent(activity, &alt, c.alt_hysteresis_m);
    let (steep_up_s, steep_down_s) = steep_seconds(&activity.records, &s, &alt, c);

    let (bouts, form) = if is_run {
        (bouts(&s, c), form_bands(&activity.records, &s, c))
    } else {
        (Vec::new(), Vec::new())
    };

    ActivityMetrics {
        version: METRICS_VERSION,
        start_ms,
        sport: activity.sport.clone(),
        is_run,
        duration_s,
        distance_m,
        ascent_m,
        descent_m,
        steep_up_s,
        steep_down_s,
        hr_seconds,
        speed_seconds,
        best_10s_mps: best_mean_speed(&s, c.best_window_s),
        bouts,
        form,
    }
}

/// Per-record time and speed, after the pause and noise rules: one pass, shared by every
/// measure below.
struct Samples {
    /// Seconds from the activity's start.
    t: Vec<f64>,
    /// Moving seconds this record stands for: the time since the previous record, 0 after a
    /// pause, a repeated timestamp or one that went backwards.
    dt: Vec<f64>,
    /// m/s, `NaN` when neither recorded nor derivable, or implausible.
    speed: Vec<f64>,
}

impl Samples {
    fn build(r: &hamstride_core::Records, start_ms: i64, pause_s: f64) -> Samples {
        let n = r.time_ms.len();
        let mut t = Vec::with_capacity(n);
        let mut dt = Vec::with_capacity(n);
        let mut speed = Vec::with_capacity(n);
        let mut prev_ms: Option<i64> = None;
        // Last record with a usable distance, for speed from distance when speed is missing.
        let mut last_dist: Option<(i64, f64)> = None;
        for (i, &ms) in r.time_ms.iter().enumerate() {
            t.push(ms_diff_s(ms, start_ms));
            let step = prev_ms.map_or(0.0, |p| ms_diff_s(ms, p));
            dt.push(if step > 0.0 && step <= pause_s {
                step
            } else {
                0.0
            });
            prev_ms = Some(ms);

            let d = at64(&r.distance_m, i);
            let d = (d.is_finite() && d >= 0.0).then_some(d);
            let recorded = at32(&r.speed_mps, i);
            let v = if recorded.is_finite() {
                recorded
            } else {
                match (d, last_dist) {
                    (Some(d), Some((pms, pd))) => {
                        let span = ms_diff_s(ms, pms);
                        if span > 0.0 && span <= pause_s && d >= pd {
                            (d - pd) / span
                        } else {
                            f64::NAN
                        }
                    }
                    _ => f64::NAN,
                }
            };
            speed.push(if plausible_speed(v) { v } else { f64::NAN });
            if let Some(d) = d {
                last_dist = Some((ms, d));
            }
        }
        Samples { t, dt, speed }
    }

    fn len(&self) -> usize {
        self.t.len()
    }
}

fn plausible_speed(v: f64) -> bool {
    v.is_finite() && v >= 0.0 && v < SPEED_STEPS as f64 * SPEED_STEP_MPS
}

/// Histogram bin of a plausible speed (at most `SPEED_STEPS - 1` for plausible speeds).
fn speed_bin(v: f64) -> usize {
    // Callers pass plausible speeds: finite, non-negative, below the top step.
    ((v / SPEED_STEP_MPS + BIN_EPS).floor() as usize).min(SPEED_STEPS - 1)
}

/// `a - b` milliseconds in seconds, without overflow for any pair of `i64`s.
fn ms_diff_s(a: i64, b: i64) -> f64 {
    (i128::from(a) - i128::from(b)) as f64 / 1000.0
}

fn at32(c: &[f32], i: usize) -> f64 {
    c.get(i).map_or(f64::NAN, |&v| f64::from(v))
}

fn at64(c: &[f64], i: usize) -> f64 {
    c.get(i).copied().unwrap_or(f64::NAN)
}

/// Elapsed time as [`Activity::elapsed_s`] defines it, computed without `i64` overflow on
/// absurd timestamps.
fn elapsed_s(activity: &Activity) -> Option<f64> {
    let s: Vec<f64> = activity
        .sessions
        .iter()
        .filter_map(|s| s.total_elapsed_s)
        .collect();
    if !s.is_empty() {
        return Some(s.iter().sum());
    }
    let r = &activity.records.time_ms;
    match (r.first(), r.last()) {
        (Some(&a), Some(&b)) if b >= a => Some(ms_diff_s(b, a)),
        _ => None,
    }
}

/// Mean of `v` over each sample's centred window `t ± half`, in one pass with two pointers.
/// Times out of order only make the windows smaller; every window holds its own sample.
fn centred_mean(t: &[f64], v: &[f64], half: f64) -> Vec<f64> {
    let m = t.len().min(v.len());
    let mut prefix = Vec::with_capacity(m + 1);
    let mut acc = 0.0;
    prefix.push(acc);
    for &x in &v[..m] {
        acc += x;
        prefix.push(acc);
    }
    let mut out = Vec::with_capacity(m);
    let (mut lo, mut hi) = (0usize, 0usize);
    for k in 0..m {
        hi = hi.max(k + 1);
        while hi < m && t[hi] <= t[k] + half {
            hi += 1;
        }
        while lo < k && t[lo] < t[k] - half {
            lo += 1;
        }
        out.push((prefix[hi] - prefix[lo]) / (hi - lo) as f64);
    }
    out
}

/// Best time-weighted mean speed over any run of consecutive moving samples lasting at least
/// `window_s`; `None` when no such run exists (no speed, or less moving time than the window).
fn best_mean_speed(s: &Samples, window_s: f64) -> Option<f64> {
    let moving: Vec<(f64, f64)> = (0..s.len())
        .filter(|&i| s.dt[i] > 0.0 && !s.speed[i].is_nan())
        .map(|i| (s.dt[i], s.speed[i]))
        .collect();
    let mut best: Option<f64> = None;
    let (mut lo, mut secs, mut metres) = (0usize, 0.0, 0.0);
    for hi in 0..moving.len() {
        let (dt, v) = moving[hi];
        secs += dt;
        metres += v * dt;
        while lo < hi && secs - moving[lo].0 >= window_s {
            secs -= moving[lo].0;
            metres -= moving[lo].0 * moving[lo].1;
            lo += 1;
        }
        if secs >= window_s - 1e-9 {
            let mean = (metres / secs).clamp(0.0, SPEED_STEPS as f64 * SPEED_STEP_MPS);
            best = Some(best.map_or(mean, |b: f64| b.max(mean)));
        }
    }
    best
}

/// Smoothed altitude per record (`NaN` where none), so grade and ascent see terrain rather
/// than sensor steps.
fn smoothed_altitude(r: &hamstride_core::Records, s: &Samples, half_s: f64) -> Vec<f64> {
    let idx: Vec<usize> = (0..s.len())
        .filter(|&i| {
            let a = at32(&r.altitude_m, i);
            a.is_finite() && a >= ALT_RANGE_M.0 && a <= ALT_RANGE_M.1
        })
        .collect();
    let t: Vec<f64> = idx.iter().map(|&i| s.t[i]).collect();
    let v: Vec<f64> = idx.iter().map(|&i| at32(&r.altitude_m, i)).collect();
    let mut out = vec![f64::NAN; s.len()];
    for (&i, a) in idx.iter().zip(centred_mean(&t, &v, half_s)) {
        out[i] = a;
    }
    out
}

/// Session totals when the device gives them (its barometer and its own filtering know
/// better), else a hysteresis count over the smoothed altitude: a change of direction needs
/// `hysteresis_m`, continuing the same way counts in full.
fn ascent_descent(activity: &Activity, alt: &[f64], hysteresis_m: f64) -> (f64, f64) {
    let total = |f: fn(&hamstride_core::activity::Session) -> Option<f64>| {
        let v: Vec<f64> = activity
            .sessions
            .iter()
            .filter_map(f)
            .filter(|x| x.is_finite() && *x >= 0.0)
            .collect();
        // Two huge totals can still sum to infinity: then the altitude count decides.
        Some(v.iter().sum::<f64>()).filter(|x| !v.is_empty() && x.is_finite())
    };
    let (mut up, mut down) = (0.0, 0.0);
    let mut last: Option<f64> = None;
    // +1 climbing, -1 descending, 0 not yet known.
    let mut dir = 0i8;
    for &a in alt.iter().filter(|a| !a.is_nan()) {
        let Some(l) = last else {
            last = Some(a);
            continue;
        };
        let rise = a - l;
        let (continues, reverses) = match dir {
            1 => (rise > 0.0, rise < -hysteresis_m),
            -1 => (rise < 0.0, rise > hysteresis_m),
            _ => (false, rise.abs() >= hysteresis_m),
        };
        if continues || reverses {
            if rise > 0.0 {
                up += rise;
                dir = 1;
            } else {
                down -= rise;
                dir = -1;
            }
            last = Some(a);
        }
    }
    (
        total(|s| s.total_ascent_m).unwrap_or(up),
        total(|s| s.total_descent_m).unwrap_or(down),
    )
}

/// Moving seconds on steep ground, up and down. The grade at a record is the smoothed altitude
/// change over the distance from the last record at least `grade_half_m` behind to the first
/// at least as far ahead, so one noisy altitude over a metre of distance cannot make a cliff.
fn steep_seconds(
    r: &hamstride_core::Records,
    s: &Samples,
    alt: &[f64],
    c: &MetricsConstants,
) -> (f64, f64) {
    let pts: Vec<(usize, f64, f64)> = (0..s.len())
        .filter_map(|i| {
            let d = at64(&r.distance_m, i);
            let a = alt.get(i).copied().unwrap_or(f64::NAN);
            (d.is_finite() && d >= 0.0 && !a.is_nan()).then_some((i, d, a))
        })
        .collect();
    let m = pts.len();
    let (mut up, mut down) = (0.0, 0.0);
    let (mut lo, mut hi) = (0usize, 0usize);
    for k in 0..m {
        let (i, d, _) = pts[k];
        while lo < k && pts[lo + 1].1 <= d - c.grade_half_m {
            lo += 1;
        }
        hi = hi.max(k);
        while hi < m && pts[hi].1 < d + c.grade_half_m {
            hi += 1;
        }
        let (Some(&(_, d0, a0)), Some(&(_, d1, a1))) = (pts.get(lo), pts.get(hi)) else {
            continue;
        };
        if d0 > d - c.grade_half_m || d1 - d0 <= 0.0 {
            continue;
        }
        let v = s.speed[i];
        if !v.is_nan() && v < c.steep_min_mps {
            continue;
        }
        let grade = (a1 - a0) / (d1 - d0);
        if grade.abs() > c.grade_max {
            continue;
        }
        if grade >= c.steep_grade {
            up += s.dt[i];
        } else if grade <= -c.steep_grade {
            down += s.dt[i];
        }
    }
    (up, down)
}

/// Fast bouts over the centred smoothed speed (see [`ActivityMetrics::bouts`]).
fn bouts(s: &Samples, c: &MetricsConstants) -> Vec<Bout> {
    let idx: Vec<usize> = (0..s.len()).filter(|&i| !s.speed[i].is_nan()).collect();
    let t: Vec<f64> = idx.iter().map(|&i| s.t[i]).collect();
    let v: Vec<f64> = idx.iter().map(|&i| s.speed[i]).collect();
    let smooth = centred_mean(&t, &v, c.bout_smooth_half_s);
    let mut moving: Vec<f64> = smooth
        .iter()
        .copied()
        .filter(|&x| x > c.typical_min_mps)
        .collect();
    let Some(typical) = median(&mut moving) else {
        return Vec::new();
    };
    let threshold = (c.bout_factor * typical).max(c.bout_floor_mps);

    let mut out = Vec::new();
    let mut current: Option<Bout> = None;
    let finish = |b: Option<Bout>, out: &mut Vec<Bout>| {
        if let Some(b) = b {
            if (c.bout_min_s..=c.bout_max_s).contains(&b.duration_s) && out.len() < MAX_BOUTS {
                out.push(b);
            }
        }
    };
    for (k, &i) in idx.iter().enumerate() {
        // A gap in the speed stream ends a bout: the runner may have stopped in it.
        let gap = k > 0 && t[k] - t[k - 1] > c.pause_s;
        if gap || smooth[k] < threshold {
            finish(current.take(), &mut out);
        }
        if smooth[k] >= threshold {
            let b = current.get_or_insert(Bout {
                offset_s: (s.t[i] - s.dt[i]).max(0.0),
                duration_s: 0.0,
                distance_m: 0.0,
                peak_mps: 0.0,
            });
            b.duration_s += s.dt[i];
            b.distance_m += s.speed[i] * s.dt[i];
            b.peak_mps = b.peak_mps.max(smooth[k]);
        }
    }
    finish(current.take(), &mut out);
    out
}

/// Median of finite values, reordering the slice; `None` when empty. Linear time.
fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, &mut m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    Some(m)
}

/// Time-weighted sums of one pace band; metric order as in [`FORM_RANGES`].
#[derive(Clone, Copy, Default)]
struct FormAcc {
    seconds: f64,
    sums: [f64; 5],
    weights: [f64; 5],
}

/// Form metrics by pace band, each metric weighted by its own recorded time since devices
/// record them at different moments (a footpod drops out, a strap only sends some).
fn form_bands(r: &hamstride_core::Records, s: &Samples, c: &MetricsConstants) -> Vec<FormBand> {
    let columns: [&[f32]; 5] = [
        &r.cadence,
        &r.step_length_mm,
        &r.stance_time_ms,
        &r.vertical_oscillation_mm,
        &r.stance_balance_pct,
    ];
    let bands = (SPEED_STEPS as f64 * SPEED_STEP_MPS / FORM_BAND_MPS).ceil() as usize;
    let mut acc = vec![FormAcc::default(); bands];
    for i in 0..s.len() {
        let (v, dt) = (s.speed[i], s.dt[i]);
        if v.is_nan() || v < c.form_min_mps || dt <= 0.0 {
            continue;
        }
        let band = ((v / FORM_BAND_MPS + BIN_EPS).floor() as usize).min(bands.saturating_sub(1));
        let Some(a) = acc.get_mut(band) else {
            continue;
        };
        a.seconds += dt;
        for (m, (col, (lo, hi))) in columns.iter().zip(FORM_RANGES).enumerate() {
            let x = at32(col, i);
            if x >= lo && x <= hi {
                a.sums[m] += x * dt;
                a.weights[m] += dt;
            }
        }
    }
    acc.iter()
        .enumerate()
        .filter(|(_, a)| a.seconds >= c.form_band_min_s)
        .map(|(band, a)| {
            let mean =
                |m: usize| (a.weights[m] >= c.form_metric_min_s).then(|| a.sums[m] / a.weights[m]);
            FormBand {
                // At most `bands` (40) entries, so the band index fits.
                band: u16::try_from(band).unwrap_or(u16::MAX),
                seconds: a.seconds,
                cadence_spm: mean(0),
                step_length_mm: mean(1),
                ground_contact_ms: mean(2),
                vertical_oscillation_mm: mean(3),
                balance_left_pct: mean(4),
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::signals::Signals;

    #[test]
    fn metrics_constants_are_pinned_to_the_version() {
        let c = Signals::embedded().unwrap().metrics;
        // On failure the message says to bump METRICS_VERSION and gives the new fingerprint.
        assert_eq!(c.check_pinned().map_err(|e| e.to_string()), Ok(()));
    }

    #[test]
    fn any_edit_of_a_metrics_constant_changes_the_fingerprint() {
        let c = Signals::embedded().unwrap().metrics;
        let mut edited = c.clone();
        edited.steep_grade = 0.09;
        assert_ne!(edited.fingerprint(), c.fingerprint());
        let err = edited.check_pinned().unwrap_err().to_string();
        assert!(err.contains("Bump METRICS_VERSION"), "{err}");
        // Same values, same fingerprint: it depends on nothing but the constants.
        assert_eq!(c.clone().fingerprint(), c.fingerprint());
    }
}
