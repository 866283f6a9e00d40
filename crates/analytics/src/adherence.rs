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
//! before; without at least 3 such runs only time and hills are checked, and the text says
//! why. Effort on the day is what the plan prescribes; a watch cannot check it, so the ceiling
//! is generous (easy pace + 5%). Not here: choosing the sessions (the plan does) or judging
//! pain after them (the diary does).

use crate::metrics::ActivityMetrics;
use crate::series::day_label;
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
    pub issues: Vec<Issue>,
    pub text: String,
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
    /// One plain sentence.
    pub summary: String,
}

/// A run for the check: its local day and metrics.
#[derive(Debug, Clone, Copy)]
pub struct DoneRun<'a> {
    pub id: i64,
    pub date: Date,
    pub metrics: &'a ActivityMetrics,
}

/// Runs before the plan shorter than this are not used for the easy pace: short runs are
/// often warm-ups, tests or runs cut short.
const EASY_MIN_DURATION_S: f64 = 600.0;
/// Runs needed before the plan to trust a median easy pace.
const EASY_MIN_RUNS: usize = 3;
/// The ceiling is generous: the prescription is an effort, which a watch cannot see.
const CEILING_FACTOR: f64 = 1.05;
/// A session is longer above this share of the expectation and shorter below the next.
const LONGER_FACTOR: f64 = 1.25;
const SHORTER_FACTOR: f64 = 0.6;
/// Warm-up and cool-down walks, allowed on top when only the whole session's time is known.
const WALK_SLACK_S: f64 = 15.0 * 60.0;
/// Speed from which a moment counts as running rather than walking (about 9:15 min/km): a
/// walk-jog session's walks and warm-up must not count as running. Grade D: a brisk walk
/// stays below it, a slow rehabilitation jog above.
const RUN_MPS: f64 = 1.8;
/// Time above the ceiling each prescribed stride is allowed, seconds (an 80 m stride with its
/// build-up and slow-down).
const STRIDE_ALLOWANCE_S: f64 = 30.0;
/// Time above the ceiling tolerated before a session counts as faster (GPS jitter, a
/// crossing, a short slope).
const FAST_TOLERANCE_S: f64 = 60.0;
/// Hilly: climbing per km, or minutes on steep ground (either way).
const HILLY_ASCENT_PER_KM: f64 = 15.0;
const HILLY_STEEP_S: f64 = 120.0;

/// Compare prescribed sessions up to `today` with the runs done. `no_running_days`: days the
/// plan allowed no running at all. `before_plan`: runs from the 8 weeks before the plan, for
/// the easy pace. Only activities that are runs count; several runs on one day are summed.
pub fn check(
    prescribed: &[Prescribed],
    no_running_days: &[Date],
    runs: &[DoneRun<'_>],
    before_plan: &[DoneRun<'_>],
) -> Adherence {
    let easy_mps = easy_speed(before_plan);
    let ceiling = easy_mps.map(|e| e * CEILING_FACTOR);

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
            check_session(p, day, easy_mps, ceiling)
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
    let summary = summary(
        sessions.len(),
        done,
        as_prescribed,
        unplanned.len(),
        easy_mps,
    );
    Adherence {
        easy_mps,
        sessions,
        unplanned,
        done,
        as_prescribed,
        summary,
    }
}

/// Median moving speed of the runs of at least 10 minutes before the plan.
fn easy_speed(before_plan: &[DoneRun<'_>]) -> Option<f64> {
    let mut speeds: Vec<f64> = before_plan
        .iter()
        .filter(|r| r.metrics.is_run && r.metrics.duration_s >= EASY_MIN_DURATION_S)
        .map(|r| r.metrics.distance_m / r.metrics.duration_s)
        .filter(|v| v.is_finite() && *v > 0.0 && *v < 10.0)
        .collect();
    if speeds.len() < EASY_MIN_RUNS {
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
) -> SessionCheck {
    let head = format!("{} ({})", day_label(p.date), p.stage_name);
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
        issues: Vec::new(),
        text: String::new(),
    };
    if day.is_empty() {
        check.issues.push(Issue::Missed);
        check.text = format!("{head}: no run recorded.");
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
            let (s, m) = r.metrics.time_distance_above(RUN_MPS);
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

    let mut phrases = Vec::new();
    match expected {
        Some(e) if run_m > 0.0 => {
            let what = if run_m > LONGER_FACTOR * e {
                Some(Issue::Longer)
            } else if run_m < SHORTER_FACTOR * e {
                Some(Issue::Shorter)
            } else {
                None
            };
            if let Some(issue) = what {
                check.issues.push(issue);
                phrases.push(format!(
                    "ran {} km where about {} km was expected",
                    km(run_m),
                    km(e)
                ));
            }
        }
        _ if prescribed_s > 0.0 => {
            let slack = if whole { WALK_SLACK_S } else { 0.0 };
            let what = if run_s > LONGER_FACTOR * prescribed_s + slack {
                Some(Issue::Longer)
            } else if run_s < SHORTER_FACTOR * prescribed_s {
                Some(Issue::Shorter)
            } else {
                None
            };
            if let Some(issue) = what {
                check.issues.push(issue);
                phrases.push(format!(
                    "ran about {} min where {} min was prescribed",
                    minutes(run_s),
                    minutes(prescribed_s)
                ));
            }
        }
        _ => {}
    }

    if let Some(c) = ceiling {
        let above: f64 = day
            .iter()
            .map(|r| finite_or_zero(r.metrics.time_distance_above(c).0))
            .sum();
        let allowance = f64::from(p.strides) * STRIDE_ALLOWANCE_S;
        check.fast_s = (above - allowance).max(0.0);
        if check.fast_s > FAST_TOLERANCE_S {
            check.issues.push(Issue::Faster);
            phrases.push(format!(
                "spent {} min faster than your easy pace{}",
                minutes(check.fast_s),
                if p.strides > 0 {
                    " outside the strides"
                } else {
                    ""
                }
            ));
        }
    }

    let ascent: f64 = day.iter().map(|r| finite_or_zero(r.metrics.ascent_m)).sum();
    let steep_s: f64 = day
        .iter()
        .map(|r| finite_or_zero(r.metrics.steep_up_s) + finite_or_zero(r.metrics.steep_down_s))
        .sum();
    let per_km = (check.distance_m > 0.0).then(|| ascent / (check.distance_m / 1000.0));
    if per_km.is_some_and(|a| a > HILLY_ASCENT_PER_KM) || steep_s > HILLY_STEEP_S {
        check.issues.push(Issue::Hilly);
        let climbed = (ascent >= 1.0).then(|| format!("climbed {} m", ascent.round()));
        let steep =
            (steep_s >= 30.0).then(|| format!("had {} min on steep ground", minutes(steep_s)));
        let mut what: Vec<String> = climbed.into_iter().chain(steep).collect();
        if what.is_empty() {
            what.push("ran on hilly ground".to_string());
        }
        phrases.push(format!("{} where flat was prescribed", join_and(&what)));
    }

    let totals = format!(
        "{} km, {} min",
        km(check.distance_m),
        minutes(check.duration_s)
    );
    check.text = if phrases.is_empty() {
        format!("{head}: done as prescribed ({totals}).")
    } else {
        format!("{head}: {} ({totals}).", join_and(&phrases))
    };
    check
}

fn summary(
    sessions: usize,
    done: usize,
    as_prescribed: usize,
    unplanned: usize,
    easy_mps: Option<f64>,
) -> String {
    let unplanned_text = match unplanned {
        0 => String::new(),
        1 => "; 1 run on a day the plan said not to run".to_string(),
        n => format!("; {n} runs on days the plan said not to run"),
    };
    if sessions == 0 {
        return format!("No return-to-run sessions were due yet{unplanned_text}.");
    }
    let pace = if easy_mps.is_none() && done > 0 {
        " (pace not checked: fewer than 3 runs before the plan to learn your easy pace)"
    } else {
        ""
    };
    let noun = if sessions == 1 { "session" } else { "sessions" };
    format!(
        "{done} of {sessions} run {noun} done, {as_prescribed} as prescribed{pace}{unplanned_text}."
    )
}

/// "a", "a and b", "a, b and c".
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn km(m: f64) -> String {
    format!("{:.1}", m / 1000.0)
}

fn minutes(s: f64) -> String {
    format!("{:.0}", s / 60.0)
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}
