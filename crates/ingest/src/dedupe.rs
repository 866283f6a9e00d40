//! When two files are the same activity, and which copy to keep. Pure: no store, no clock.
//!
//! Two recordings are one activity only when everything known agrees (issue 14): they start
//! within a minute, their sports are compatible, their first positions are close when both
//! have positions, and their distance and duration agree within a tolerance when both are
//! known. An `unknown`/`generic` sport matches another only when place, distance and duration
//! are all known and all agree, so a stray unknown-sport file never swallows a real run.
//!
//! The copy kept is the better one by a total order, so the stored result does not depend on
//! which file a worker thread finished first: more records, then more data channels (heart
//! rate, cadence, power, running dynamics), then FIT over TCX over GPX, then the smaller path.

use std::cmp::Ordering;

use hamstride_core::activity::Activity;

/// Starts this close are candidates (a watch's FIT and the GPX exported from it start a few
/// seconds apart; a minute covers clocks that round to the minute).
pub const SAME_START_MS: i64 = 60_000;

/// First positions farther apart than this are different places (GPS error and a few seconds
/// of moving before one device started recording stay well under it).
pub const SAME_PLACE_M: f64 = 300.0;

/// Distances agree within this share of the longer one, or within [`DISTANCE_SLACK_M`]
/// (GPS smoothing and foot-pod versus satellite distance differ by a few percent).
pub const DISTANCE_SHARE: f64 = 0.10;
pub const DISTANCE_SLACK_M: f64 = 200.0;

/// Durations agree within this share of the longer one, or within [`DURATION_SLACK_S`] (one
/// device stopped a little later than the other).
pub const DURATION_SHARE: f64 = 0.10;
pub const DURATION_SLACK_S: f64 = 120.0;

fn unknown(sport: &str) -> bool {
    matches!(sport, "unknown" | "generic" | "")
}

/// The first recorded position, when any.
pub fn first_position(a: &Activity) -> Option<(f64, f64)> {
    let r = &a.records;
    r.lat_deg
        .iter()
        .zip(&r.lon_deg)
        .find(|(la, lo)| la.is_finite() && lo.is_finite())
        .map(|(la, lo)| (*la, *lo))
}

/// Great-circle distance in metres (haversine on a 6,371 km sphere: ample for "a few hundred
/// metres apart").
pub fn metres_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().min(1.0).asin()
}

fn close(a: f64, b: f64, share: f64, slack: f64) -> bool {
    (a - b).abs() <= (a.abs().max(b.abs()) * share).max(slack)
}

/// How long an activity lasted: its timer, else its elapsed time, else its records' span.
pub fn duration_s(a: &Activity) -> Option<f64> {
    a.timer_s().or_else(|| a.elapsed_s()).or_else(|| {
        let t = &a.records.time_ms;
        match (t.first(), t.last()) {
            (Some(f), Some(l)) if l > f => Some((l - f) as f64 / 1000.0),
            _ => None,
        }
    })
}

/// A length or a duration that says something: a recording of fewer than two records (a
/// stub a device wrote as it started) or a zero says nothing about how long the activity was.
fn measured(a: &Activity, v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0 && a.records.len() >= 2)
}

/// Agreement of one measure: `Some(true)`/`Some(false)` when both sides know it, else `None`.
fn agree<T>(a: Option<T>, b: Option<T>, same: impl Fn(T, T) -> bool) -> Option<bool> {
    Some(same(a?, b?))
}

/// Are `a` and `b` one activity recorded twice?
pub fn same_activity(a: &Activity, b: &Activity) -> bool {
    let (Some(sa), Some(sb)) = (a.start_ms, b.start_ms) else {
        return false;
    };
    if (sa - sb).abs() > SAME_START_MS {
        return false;
    }
    let place = agree(first_position(a), first_position(b), |x, y| {
        metres_between(x, y) <= SAME_PLACE_M
    });
    let distance = agree(
        measured(a, a.distance_m()),
        measured(b, b.distance_m()),
        |x, y| close(x, y, DISTANCE_SHARE, DISTANCE_SLACK_M),
    );
    let duration = agree(
        measured(a, duration_s(a)),
        measured(b, duration_s(b)),
        |x, y| close(x, y, DURATION_SHARE, DURATION_SLACK_S),
    );
    let checks = [place, distance, duration];
    if checks.contains(&Some(false)) {
        return false;
    }
    if a.sport == b.sport {
        return true;
    }
    // An unknown sport is the same activity only when everything else is known and agrees.
    (unknown(&a.sport) || unknown(&b.sport)) && checks.iter().all(|c| *c == Some(true))
}

/// How many data channels beyond time and place an activity has (each counted once).
pub fn channels(a: &Activity) -> usize {
    let has = |c: &&&Vec<f32>| c.iter().any(|v| v.is_finite());
    a.records.f32_columns().iter().filter(has).count()
}

fn format_rank(format: &str) -> u8 {
    match format {
        "fit" => 3,
        "tcx" => 2,
        "gpx" => 1,
        _ => 0,
    }
}

/// One recording of an activity, as deduplication compares it.
#[derive(Debug, Clone, Copy)]
pub struct Copy<'a> {
    pub activity: &'a Activity,
    pub format: &'a str,
    pub path: &'a str,
}

/// The documented total order: `Greater` when `a` is the better copy to keep.
pub fn compare(a: Copy<'_>, b: Copy<'_>) -> Ordering {
    a.activity
        .records
        .len()
        .cmp(&b.activity.records.len())
        .then_with(|| channels(a.activity).cmp(&channels(b.activity)))
        .then_with(|| format_rank(a.format).cmp(&format_rank(b.format)))
        // The smaller path wins the last tie, so the order is total and needs no clock.
        .then_with(|| b.path.cmp(a.path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hamstride_core::activity::Session;

    /// A run of `n` one-second records from `start` at (`lat`, 0), `sport`, moving 3 m/s.
    fn run(sport: &str, start: i64, lat: f64, n: usize) -> Activity {
        let mut a = Activity {
            sport: sport.into(),
            start_ms: Some(start),
            ..Activity::default()
        };
        let r = &mut a.records;
        for i in 0..n {
            r.time_ms.push(start + i as i64 * 1000);
            r.lat_deg.push(lat + i as f64 * 0.000027);
            r.lon_deg.push(0.0);
            r.distance_m.push(i as f64 * 3.0);
            for c in r.f32_columns_mut() {
                c.push(f32::NAN);
            }
        }
        a.sessions.push(Session {
            distance_m: Some(n as f64 * 3.0),
            total_timer_s: Some(n as f64),
            ..Session::default()
        });
        a
    }

    #[test]
    fn same_start_is_not_enough() {
        let a = run("running", 0, 51.5, 1000);
        assert!(same_activity(&a, &run("running", 30_000, 51.5, 1000)));
        assert!(
            !same_activity(&a, &run("running", 90_000, 51.5, 1000)),
            "start"
        );
        assert!(!same_activity(&a, &run("running", 0, 47.9, 1000)), "place");
        assert!(!same_activity(&a, &run("running", 0, 51.5, 3000)), "length");
        assert!(!same_activity(&a, &run("cycling", 0, 51.5, 1000)), "sport");
    }

    #[test]
    fn unknown_sport_matches_only_when_everything_agrees() {
        let a = run("running", 0, 51.5, 1000);
        assert!(same_activity(&a, &run("unknown", 0, 51.5, 1000)));
        let mut no_place = run("unknown", 0, 51.5, 1000);
        no_place.records.lat_deg.fill(f64::NAN);
        assert!(!same_activity(&a, &no_place), "place unknown");
        // Same sport and no place: the rest decides.
        let mut same_sport = run("running", 0, 51.5, 1000);
        same_sport.records.lat_deg.fill(f64::NAN);
        assert!(same_activity(&a, &same_sport));
    }

    #[test]
    fn the_better_copy_wins_in_either_order() {
        let long = run("running", 0, 51.5, 1000);
        let stub = run("running", 0, 51.5, 1);
        assert!(same_activity(&long, &stub), "a stub says nothing of length");
        let c = |a, f, p| Copy {
            activity: a,
            format: f,
            path: p,
        };
        assert_eq!(
            compare(c(&long, "gpx", "b"), c(&stub, "fit", "a")),
            Ordering::Greater
        );
        let mut hr = long.clone();
        hr.records.heart_rate_bpm.fill(140.0);
        assert_eq!(
            compare(c(&hr, "gpx", "z"), c(&long, "fit", "a")),
            Ordering::Greater,
            "channels before format"
        );
        assert_eq!(
            compare(c(&long, "fit", "z"), c(&long, "tcx", "a")),
            Ordering::Greater
        );
        assert_eq!(
            compare(c(&long, "fit", "a"), c(&long, "fit", "b")),
            Ordering::Greater,
            "the smaller path breaks the last tie"
        );
    }
}
