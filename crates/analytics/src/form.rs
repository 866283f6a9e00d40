//! Running form against the runner's own baseline: cadence, step length, ground contact time,
//! vertical oscillation and left/right contact balance, compared at comparable paces (the
//! per-activity [`crate::metrics::FormBand`]s), never against population norms (brief 5.5 and
//! section 6: device accuracy varies by model and no injury thresholds are validated).
//!
//! The baseline is the runs in the `baseline_days` before a reference day (the injury onset
//! when known, else `recent_days` before today); the recent runs are those after it. For each
//! pace band the baseline is the median and a robust spread (MAD × 1.4826); a run's deviation
//! is the time-weighted mean of its band deviations, so a faster run is not mistaken for a
//! change of form. Drift is reported when the median recent deviation exceeds both 2 robust
//! spreads and the metric's smallest meaningful change from `kb/signals.toml`. For balance the
//! direction is named (toward the injured side, when the side is known, can be guarding).
//!
//! Results are a status code and numbers ([`FormStatus`], [`MetricReport`]); the sentences
//! and units are written by `hamstride_export::words::form_metric`.

use crate::metrics::{ActivityMetrics, FormBand};
use crate::signals::Signals;
use jiff::civil::Date;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A form metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormMetric {
    Cadence,
    StepLength,
    GroundContact,
    VerticalOscillation,
    Balance,
}

impl FormMetric {
    pub const ALL: [FormMetric; 5] = [
        FormMetric::Cadence,
        FormMetric::StepLength,
        FormMetric::GroundContact,
        FormMetric::VerticalOscillation,
        FormMetric::Balance,
    ];
}

/// Which leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    /// "left", "right" or "both" (the assessment contract's values).
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "left" => Some(Side::Left),
            "right" => Some(Side::Right),
            "both" => Some(Side::Both),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }
}

/// One run's form input: its local day and metrics.
#[derive(Debug, Clone, Copy)]
pub struct FormRun<'a> {
    pub id: i64,
    pub date: Date,
    pub metrics: &'a ActivityMetrics,
}

/// One point of a form trend: a run's value adjusted to the baseline's paces.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FormPoint {
    pub date: Date,
    pub activity_id: i64,
    pub value: f64,
}

/// What the comparison of one metric found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStatus {
    /// A clear change: beyond 2 robust spreads and the metric's smallest meaningful change.
    Changed,
    /// Enough runs, and the change is inside `threshold`.
    WithinUsualRange,
    /// Too few runs at comparable paces to compare (see the counts and the report's minimums).
    NotEnoughRuns,
}

/// The comparison for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    pub metric: FormMetric,
    /// Baseline and recent runs at comparable paces: those with at least one pace band that
    /// 3 or more baseline runs share (the runs that have a deviation).
    pub baseline_runs: usize,
    pub recent_runs: usize,
    /// Baseline median over the baseline's paces.
    pub baseline: Option<f64>,
    /// Median pace-adjusted change of the recent runs (same unit; percent for step length).
    pub change: Option<f64>,
    /// The recent value at the baseline's paces (baseline adjusted by `change`).
    pub recent: Option<f64>,
    /// The size a change must reach to count (the larger of 2 robust spreads and the
    /// metric's smallest meaningful change), in the change's unit.
    pub threshold: f64,
    pub drift: bool,
    pub status: FormStatus,
    /// Pace-adjusted values, oldest first, baseline and recent runs, for the trend chart.
    pub points: Vec<FormPoint>,
}

/// Form compared with baseline, one entry per metric the runner's device records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormReport {
    pub reference: Date,
    pub metrics: Vec<MetricReport>,
    /// The injured side, when known (a balance shift toward or away from it reads differently).
    pub injured_side: Option<Side>,
    /// Runs needed at comparable paces: in the baseline, recently, and per baseline pace band.
    pub min_baseline_runs: usize,
    pub min_recent_runs: usize,
    pub min_band_runs: usize,
}

/// Compare recent form with the baseline. `reference`: the day that splits baseline from
/// recent (injury onset, else today − recent_days).
///
/// Baseline runs are those in `[reference − baseline_days, reference)`; recent runs those in
/// `[max(reference, today − recent_days), today]`. A metric is reported when at least one of
/// those runs records it.
pub fn analyse(
    runs: &[FormRun<'_>],
    reference: Date,
    today: Date,
    injured_side: Option<Side>,
    signals: &Signals,
) -> FormReport {
    let t = &signals.t;
    let mut sorted: Vec<&FormRun<'_>> = runs.iter().collect();
    sorted.sort_by_key(|r| (r.date, r.id));
    // The same activity passed twice would count twice towards the medians.
    let mut seen = std::collections::BTreeSet::new();
    sorted.retain(|r| seen.insert(r.id));
    let baseline_start = days_before(reference, t.form_baseline_days);
    let recent_start = reference.max(days_before(today, t.form_recent_days));
    let baseline: Vec<&FormRun<'_>> = sorted
        .iter()
        .copied()
        .filter(|r| r.date >= baseline_start && r.date < reference)
        .collect();
    let recent: Vec<&FormRun<'_>> = sorted
        .iter()
        .copied()
        .filter(|r| r.date >= recent_start && r.date <= today)
        .collect();
    let gates = Gates {
        min_baseline: count(t.form_min_baseline_runs),
        min_recent: count(t.form_min_recent_runs),
        min_band: count(t.form_min_band_runs),
    };
    let metrics = FormMetric::ALL
        .iter()
        .filter_map(|&m| metric_report(m, &baseline, &recent, &gates, signals))
        .collect();
    FormReport {
        reference,
        metrics,
        injured_side,
        min_baseline_runs: gates.min_baseline,
        min_recent_runs: gates.min_recent,
        min_band_runs: gates.min_band,
    }
}

// The runs a pace band needs are knowledge (`[constants.form]` in `kb/signals.toml`); the two
// constants here are arithmetic.
/// A robust standard deviation from the median absolute deviation (normal consistency).
const MAD_TO_SD: f64 = 1.4826;
/// Floor for the spread: identical baseline runs would otherwise make any change "clear";
/// the metric minimum from the signal file still applies on top.
const SPREAD_FLOOR: f64 = 1e-6;

struct Gates {
    min_baseline: usize,
    min_recent: usize,
    /// Baseline runs a pace band needs.
    min_band: usize,
}

/// One baseline pace band.
struct BandStat {
    median: f64,
    /// Robust SD, in the change's unit (percent of the median for step length).
    spread: f64,
    /// Baseline seconds in the band: the weight of its median in the overall baseline.
    seconds: f64,
}

fn metric_report(
    metric: FormMetric,
    baseline: &[&FormRun<'_>],
    recent: &[&FormRun<'_>],
    gates: &Gates,
    signals: &Signals,
) -> Option<MetricReport> {
    let base_bands: Vec<(&FormRun<'_>, Vec<BandValue>)> = baseline
        .iter()
        .map(|r| (*r, run_bands(r.metrics, metric)))
        .collect();
    let recent_bands: Vec<(&FormRun<'_>, Vec<BandValue>)> = recent
        .iter()
        .map(|r| (*r, run_bands(r.metrics, metric)))
        .collect();
    if base_bands
        .iter()
        .chain(&recent_bands)
        .all(|(_, b)| b.is_empty())
    {
        return None;
    }

    let mut per_band: BTreeMap<u16, Vec<BandValue>> = BTreeMap::new();
    for (_, bands) in &base_bands {
        for b in bands {
            per_band.entry(b.band).or_default().push(*b);
        }
    }
    let stats: BTreeMap<u16, BandStat> = per_band
        .into_iter()
        .filter_map(|(band, vals)| band_stat(metric, &vals, gates.min_band).map(|s| (band, s)))
        .collect();

    let weight: f64 = stats.values().map(|s| s.seconds).sum();
    let baseline_value = (weight > 0.0)
        .then(|| stats.values().map(|s| s.median * s.seconds).sum::<f64>() / weight)
        .filter(|v| v.is_finite());
    let spread = if weight > 0.0 {
        stats.values().map(|s| s.spread * s.seconds).sum::<f64>() / weight
    } else {
        0.0
    };
    let spread = if spread.is_finite() {
        spread.max(SPREAD_FLOOR)
    } else {
        SPREAD_FLOOR
    };

    let devs = |runs: &[(&FormRun<'_>, Vec<BandValue>)]| -> Vec<(Date, i64, f64)> {
        runs.iter()
            .filter_map(|(r, bands)| deviation(metric, bands, &stats).map(|d| (r.date, r.id, d)))
            .collect()
    };
    let base_devs = devs(&base_bands);
    let recent_devs = devs(&recent_bands);
    let change = median(recent_devs.iter().map(|d| d.2).collect());

    let min_change = min_change(metric, signals);
    let threshold = (2.0 * spread).max(min_change);
    let enough = base_devs.len() >= gates.min_baseline && recent_devs.len() >= gates.min_recent;
    let drift = enough && change.is_some_and(|c| c.abs() >= threshold);

    let points = match baseline_value {
        Some(b) => base_devs
            .iter()
            .chain(&recent_devs)
            .map(|&(date, activity_id, d)| FormPoint {
                date,
                activity_id,
                value: adjusted(metric, b, d),
            })
            .collect(),
        None => Vec::new(),
    };

    let status = match (enough, baseline_value, change) {
        (true, Some(_), Some(_)) if drift => FormStatus::Changed,
        (true, Some(_), Some(_)) => FormStatus::WithinUsualRange,
        _ => FormStatus::NotEnoughRuns,
    };

    Some(MetricReport {
        metric,
        baseline_runs: base_devs.len(),
        recent_runs: recent_devs.len(),
        baseline: baseline_value,
        change,
        recent: baseline_value
            .zip(change)
            .map(|(b, c)| adjusted(metric, b, c)),
        threshold,
        drift,
        status,
        points,
    })
}

/// One run's value in one pace band.
#[derive(Debug, Clone, Copy)]
struct BandValue {
    band: u16,
    seconds: f64,
    value: f64,
}

/// The run's usable values of `metric` per band; a band listed twice is merged by time.
fn run_bands(metrics: &ActivityMetrics, metric: FormMetric) -> Vec<BandValue> {
    let mut by_band: BTreeMap<u16, (f64, f64)> = BTreeMap::new();
    for b in &metrics.form {
        let Some(v) = band_value(b, metric) else {
            continue;
        };
        if !(b.seconds.is_finite() && b.seconds > 0.0) {
            continue;
        }
        let e = by_band.entry(b.band).or_insert((0.0, 0.0));
        e.0 += b.seconds;
        e.1 += b.seconds * v;
    }
    by_band
        .into_iter()
        .filter(|(_, (s, sv))| *s > 0.0 && s.is_finite() && sv.is_finite())
        .map(|(band, (seconds, sv))| BandValue {
            band,
            seconds,
            value: sv / seconds,
        })
        .collect()
}

fn band_value(b: &FormBand, metric: FormMetric) -> Option<f64> {
    let v = match metric {
        FormMetric::Cadence => b.cadence_spm,
        FormMetric::StepLength => b.step_length_mm,
        FormMetric::GroundContact => b.ground_contact_ms,
        FormMetric::VerticalOscillation => b.vertical_oscillation_mm,
        FormMetric::Balance => b.balance_left_pct,
    }?;
    // Devices write 0 for "not measured" in places; no real value of these is 0 or below.
    (v.is_finite() && v > 0.0).then_some(v)
}

fn band_stat(metric: FormMetric, vals: &[BandValue], min_runs: usize) -> Option<BandStat> {
    if vals.len() < min_runs {
        return None;
    }
    let med = median(vals.iter().map(|v| v.value).collect())?;
    let mad = median(vals.iter().map(|v| (v.value - med).abs()).collect())?;
    let sd = mad * MAD_TO_SD;
    let spread = match metric {
        FormMetric::StepLength if med > 0.0 => sd / med * 100.0,
        // A relative change needs a positive median.
        FormMetric::StepLength => return None,
        _ => sd,
    };
    let seconds = vals.iter().map(|v| v.seconds).sum();
    Some(BandStat {
        median: med,
        spread,
        seconds,
    })
}

/// Time-weighted mean deviation from the baseline over the run's bands that have one.
fn deviation(
    metric: FormMetric,
    bands: &[BandValue],
    stats: &BTreeMap<u16, BandStat>,
) -> Option<f64> {
    let mut secs = 0.0;
    let mut sum = 0.0;
    for b in bands {
        let Some(s) = stats.get(&b.band) else {
            continue;
        };
        let d = match metric {
            FormMetric::StepLength => (b.value / s.median - 1.0) * 100.0,
            _ => b.value - s.median,
        };
        secs += b.seconds;
        sum += b.seconds * d;
    }
    let d = sum / secs;
    (secs > 0.0 && d.is_finite()).then_some(d)
}

/// A deviation put back on the baseline's scale.
fn adjusted(metric: FormMetric, baseline: f64, dev: f64) -> f64 {
    match metric {
        FormMetric::StepLength => baseline * (1.0 + dev / 100.0),
        _ => baseline + dev,
    }
}

/// Median of finite values; `None` when empty.
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mid = n / 2;
    Some(if n % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

fn days_before(date: Date, days: f64) -> Date {
    let days = if days.is_finite() && days > 0.0 {
        // Beyond jiff's date range anyway; keeps the multiplication below in i64.
        days.round().min(1e7) as i64
    } else {
        0
    };
    date.saturating_sub(SignedDuration::from_secs(days * 86_400))
}

/// A run count from the signal table (positive there; anything else means "no minimum").
fn count(x: f64) -> usize {
    if x.is_finite() && x > 0.0 {
        x.ceil().min(1e9) as usize
    } else {
        0
    }
}

fn min_change(metric: FormMetric, signals: &Signals) -> f64 {
    let t = &signals.t;
    let v = match metric {
        FormMetric::Cadence => t.form_min_cadence_spm,
        FormMetric::StepLength => t.form_min_step_length_pct,
        FormMetric::GroundContact => t.form_min_ground_contact_ms,
        FormMetric::VerticalOscillation => t.form_min_vertical_oscillation_mm,
        FormMetric::Balance => t.form_min_balance_pct,
    };
    if v.is_finite() && v > 0.0 {
        v
    } else {
        0.0
    }
}
