//! Plan adherence: were the return-to-run sessions done as prescribed? The plan says, for each
//! day, which ladder stage to run (minutes of running, strides, always flat, easy effort); the
//! runner's watch says what was run that day. A session is "as prescribed" when a run exists,
//! its running distance is neither more than 25% above the expected distance (prescribed
//! running minutes at the runner's easy pace) nor below 60% of it (without an easy pace: the
//! same on running time), it stayed under the pace ceiling except for prescribed strides, and
//! it was flat. "Running" is the time and distance at jogging speed or faster, from the speed
//! histogram, so the walks of a walk-jog session and its warm-up do not make it "longer". Runs
//! on days when the plan allowed no running are listed too: they matter most.
//!
//! The easy pace (and with it the pace ceiling) comes from the runner's own runs before the
//! plan started: the median moving speed of the runs of 10 minutes or more in the 8 weeks
//! before; without at least 3 such runs only time and hills are checked, and the result says
//! so. Effort on the day is what the plan prescribes; a watch cannot check it, so the ceiling
//! is generous (easy pace + 5%). Not here: choosing the sessions (the plan does) or judging
//! pain after them (the diary does), or the words: results are codes and numbers in SI units,
//! and `hamstride_export::words` writes the sentences in the runner's units.

use crate::metrics::ActivityMetrics;
use crate::signals::Thresholds;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One prescribed run session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prescribed {
    pub date: Date,
    pub stage_id: String,
    pub stage_name: String,
    /// Minutes of running (jog parts only for walk-jog).
    pub running_minutes: f64,
    /// Strides prescribed (fast by design: not held to the ceiling).
    pub strides: u32,
}

/// What was off about a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    Missed,
    Longer,
    Shorter,
    Faster,
    Hilly,
}

/// One prescribed session against the day's runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionCheck {
    pub prescribed: Prescribed,
    /// The run(s) that day: ids, and their summed distance and running time.
    pub activity_ids: Vec<i64>,
    pub distance_m: f64,
    pub duration_s: f64,
    /// Prescribed running minutes × easy pace, when the easy pace is known.
    pub expected_distance_m: Option<f64>,
    pub pace_ceiling_mps: Option<f64>,
    /// Seconds above the ceiling (outside strides).
    pub fast_s: f64,
    /// The running part of the day's runs (at jogging speed or faster), metres and seconds.
    pub running_m: f64,
    pub running_s: f64,
    /// What the length was judged on, when it was judged: distance (with an easy pace) or
    /// running time.
    pub length_basis: Option<LengthBasis>,
    /// Metres climbed and seconds on steep ground (up or down) over the day's runs.
    pub ascent_m: f64,
    pub steep_s: f64,
    pub issues: Vec<Issue>,
}

/// How a session's length was compared with the prescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthBasis {
    /// Running distance against prescribed minutes × easy pace.
    Distance,
    /// Running time against prescribed minutes (no easy pace known).
    Time,
}

/// A run on a day the plan allowed no running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnplannedRun {
    pub date: Date,
    pub activity_id: i64,
    pub distance_m: f64,
    pub duration_s: f64,
}

/// The adherence check over the plan so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adherence {
    /// Runner's easy speed before the plan, m/s, when known.
    pub easy_mps: Option<f64>,
    pub sessions: Vec<SessionCheck>,
    pub unplanned: Vec<UnplannedRun>,
    pub done: usize,
    pub as_prescribed: usize,
    /// Runs before the plan needed to learn the easy pace (when `easy_mps` is `None`, pace was
    /// not checked for want of them).
    pub easy_min_runs: usize,
}

/// A run for the check: its local day and metrics.
#[derive(Debug, Clone, Copy)]
pub struct DoneRun<'a> {
    pub id: i64,
    pub date: Date,
    pub metrics: &'a ActivityMetrics,
}

// The factors and floors of these checks (the easy pace's runs, the ceiling, longer and
// shorter, walking slack, running speed, strides, tolerance, hills) are in `kb/signals.toml`
// under `[constants.adherence]`, each with its source or reason.

/// Compare prescribed sessions up to `today` with the runs done. `no_running_days`: days the
/// plan allowed no running at all. `before_plan`: runs from the 8 weeks before the plan, for
/// the easy pace. Only activities that are runs count; several runs on one day are summed.
/// `t`: the signal file's numbers (`[constants.adherence]`).
pub fn check(
    prescribed: &[Prescribed],
    no_running_days: &[Date],
    runs: &[DoneRun<'_>],
    before_plan: &[DoneRun<'_>],
    t: &Thresholds,
) -> Adherence {
    let easy_mps = easy_speed(before_plan, t);
    let ceiling = easy_mps.map(|e| e * t.ceiling_factor);

    let mut by_day: BTreeMap<Date, Vec<&DoneRun<'_>>> = BTreeMap::new();
    for r in runs.iter().filter(|r| r.metrics.is_run) {
        let day = by_day.entry(r.date).or_default();
        // The same activity passed twice must not double the distance.
        if !day.iter().any(|d| d.id == r.id) {
            day.push(r);
        }
    }

    let mut plan: Vec<&Prescribed> = prescribed.iter().collect();
    plan.sort_by_key(|p| p.date);
    let sessions: Vec<SessionCheck> = plan
        .iter()
        .map(|p| {
            let day = by_day.get(&p.date).map_or(&[][..], Vec::as_slice);
            check_session(p, day, easy_mps, ceiling, t)
        })
        .collect();

    let planned: BTreeSet<Date> = plan.iter().map(|p| p.date).collect();
    let rest: BTreeSet<Date> = no_running_days
        .iter()
        .copied()
        .filter(|d| !planned.contains(d))
        .collect();
    let mut unplanned: Vec<UnplannedRun> = rest
        .iter()
        .filter_map(|d| by_day.get(d))
        .flatten()
        .map(|r| UnplannedRun {
            date: r.date,
            activity_id: r.id,
            distance_m: finite_or_zero(r.metrics.distance_m),
            duration_s: finite_or_zero(r.metrics.duration_s),
        })
        .collect();
    unplanned.sort_by_key(|u| (u.date, u.activity_id));

    let done = sessions
        .iter()
        .filter(|s| !s.issues.contains(&Issue::Missed))
        .count();
    let as_prescribed = sessions.iter().filter(|s| s.issues.is_empty()).count();
    Adherence {
        easy_mps,
        sessions,
        unplanned,
        done,
        as_prescribed,
        easy_min_runs: easy_min_runs(t),
    }
}

/// Runs before the plan needed for a median easy pace (a count from the signal file).
fn easy_min_runs(t: &Thresholds) -> usize {
    if t.easy_min_runs.is_finite() && t.easy_min_runs > 0.0 {
        t.easy_min_runs.ceil().min(1e9) as usize
    } else {
        0
    }
}

/// Median moving speed of the runs of at least 10 minutes before the plan.
fn easy_speed(before_plan: &[DoneRun<'_>], t: &Thresholds) -> Option<f64> {
    let mut speeds: Vec<f64> = before_plan
        .iter()
        .filter(|r| r.metrics.is_run && r.metrics.duration_s >= t.easy_min_duration_s)
        .map(|r| r.metrics.distance_m / r.metrics.duration_s)
        .filter(|v| v.is_finite() && *v > 0.0 && *v < 10.0)
        .collect();
    if speeds.len() < easy_min_runs(t) {
        return None;
    }
    speeds.sort_by(f64::total_cmp);
    // The two middle values: the same one when the count is odd.
    let n = speeds.len();
    Some((speeds[(n - 1) / 2] + speeds[n / 2]) / 2.0)
}

fn check_session(
    p: &Prescribed,
    day: &[&DoneRun<'_>],
    easy_mps: Option<f64>,
    ceiling: Option<f64>,
    t: &Thresholds,
) -> SessionCheck {
    let prescribed_s = finite_or_zero(p.running_minutes) * 60.0;
    let expected = easy_mps.map(|e| prescribed_s * e).filter(|e| *e > 0.0);
    let mut check = SessionCheck {
        prescribed: p.clone(),
        activity_ids: day.iter().map(|r| r.id).collect(),
        distance_m: day
            .iter()
            .map(|r| finite_or_zero(r.metrics.distance_m))
            .sum(),
        duration_s: day
            .iter()
            .map(|r| finite_or_zero(r.metrics.duration_s))
            .sum(),
        expected_distance_m: expected,
        pace_ceiling_mps: ceiling,
        fast_s: 0.0,
        running_m: 0.0,
        running_s: 0.0,
        length_basis: None,
        ascent_m: 0.0,
        steep_s: 0.0,
        issues: Vec::new(),
    };
    if day.is_empty() {
        check.issues.push(Issue::Missed);
        return check;
    }

    // The running part: time and distance at running speed when the runs have a speed
    // histogram, else the whole run (and then walks get some slack).
    let (mut run_s, mut run_m, mut whole) = (0.0, 0.0, false);
    for r in day {
        if r.metrics.speed_seconds.is_empty() {
            run_s += finite_or_zero(r.metrics.duration_s);
            run_m += finite_or_zero(r.metrics.distance_m);
            whole = true;
        } else {
            let (s, m) = r.metrics.time_distance_above(t.run_mps);
            // The histogram's distance is approximate (mid-step speeds); scale its running
            // share onto the recorded distance so the text never says more was run than the
            // whole activity.
            let (_, all) = r.metrics.time_distance_above(0.0);
            let total = finite_or_zero(r.metrics.distance_m);
            run_s += finite_or_zero(s);
            run_m += if all > 0.0 && total > 0.0 {
                total * finite_or_zero(m / all)
            } else {
                finite_or_zero(m)
            };
        }
    }

    check.running_m = run_m;
    check.running_s = run_s;
    match expected {
        Some(e) if run_m > 0.0 => {
            check.length_basis = Some(LengthBasis::Distance);
            let what = if run_m > t.longer_factor * e {
                Some(Issue::Longer)
            } else if run_m < t.shorter_factor * e {
                Some(Issue::Shorter)
            } else {
                None
            };
            check.issues.extend(what);
        }
        _ if prescribed_s > 0.0 => {
            check.length_basis = Some(LengthBasis::Time);
            let slack = if whole { t.walk_slack_s } else { 0.0 };
            let what = if run_s > t.longer_factor * prescribed_s + slack {
                Some(Issue::Longer)
            } else if run_s < t.shorter_factor * prescribed_s {
                Some(Issue::Shorter)
            } else {
                None
            };
            check.issues.extend(what);
        }
        _ => {}
    }

    if let Some(c) = ceiling {
        let above: f64 = day
            .iter()
            .map(|r| finite_or_zero(r.metrics.time_distance_above(c).0))
            .sum();
        let allowance = f64::from(p.strides) * t.stride_allowance_s;
        check.fast_s = (above - allowance).max(0.0);
        if check.fast_s > t.fast_tolerance_s {
            check.issues.push(Issue::Faster);
        }
    }

    let ascent: f64 = day.iter().map(|r| finite_or_zero(r.metrics.ascent_m)).sum();
    let steep_s: f64 = day
        .iter()
        .map(|r| finite_or_zero(r.metrics.steep_up_s) + finite_or_zero(r.metrics.steep_down_s))
        .sum();
    check.ascent_m = ascent;
    check.steep_s = steep_s;
    let per_km = (check.distance_m > 0.0).then(|| ascent / (check.distance_m / 1000.0));
    if per_km.is_some_and(|a| a > t.hilly_ascent_per_km) || steep_s > t.hilly_steep_s {
        check.issues.push(Issue::Hilly);
    }
    check
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}
