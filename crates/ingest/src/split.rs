//! One file, several outings: an activity whose records have a time gap longer than
//! `kb/import.toml`'s `split_gap_s` is cut there into separate activities, each with its own
//! start, duration, distance (counted from its own start) and heart-rate summary. A logger
//! that keeps every track of a holiday in one GPX so gives one activity per outing instead of
//! one lasting weeks.

use hamstride_core::activity::{Records, Session};

use crate::{xml, Activity, Error, Warning, WarningCode};

/// The gap that separates two outings, in milliseconds.
pub fn gap_ms() -> Result<i64, Error> {
    Ok(crate::plausible::rules()?.split_gap_ms())
}

/// Where the records break: indices `i` with `time[i] - time[i-1] > gap_ms`.
fn breaks(time: &[i64], gap_ms: i64) -> Vec<usize> {
    (1..time.len())
        .filter(|&i| time[i].saturating_sub(time[i - 1]) > gap_ms)
        .collect()
}

/// Cut `a` at every gap longer than `gap_ms` (its records in time order). One outing comes
/// back unchanged.
pub fn at_gaps(a: Activity, gap_ms: i64) -> Vec<Activity> {
    let cuts = breaks(&a.records.time_ms, gap_ms);
    if cuts.is_empty() {
        return vec![a];
    }
    let n = a.records.len();
    let mut bounds = vec![0];
    bounds.extend(&cuts);
    bounds.push(n);
    let parts = bounds.len() - 1;
    bounds
        .windows(2)
        .enumerate()
        .map(|(k, w)| piece(&a, w[0], w[1], (k + 1, parts), gap_ms))
        .collect()
}

fn slice<T: Copy>(v: &[T], from: usize, to: usize) -> Vec<T> {
    v.get(from..to).map(<[T]>::to_vec).unwrap_or_default()
}

/// Records `from..to` of `a` as an activity of their own.
fn piece(
    a: &Activity,
    from: usize,
    to: usize,
    (k, parts): (usize, usize),
    gap_ms: i64,
) -> Activity {
    let r = &a.records;
    let mut rec = Records {
        time_ms: slice(&r.time_ms, from, to),
        lat_deg: slice(&r.lat_deg, from, to),
        lon_deg: slice(&r.lon_deg, from, to),
        distance_m: slice(&r.distance_m, from, to),
        ..Records::default()
    };
    for (dst, src) in rec.f32_columns_mut().into_iter().zip(r.f32_columns()) {
        *dst = slice(src, from, to);
    }
    // Distance counts from this outing's start.
    if let Some(base) = rec.distance_m.iter().copied().find(|d| d.is_finite()) {
        for d in &mut rec.distance_m {
            *d -= base;
        }
    }
    let first = rec.time_ms.first().copied();
    let last = rec.time_ms.last().copied();
    let (avg_hr, max_hr) = xml::hr_stats(&rec);
    let session = Session {
        sport: a.sport.clone(),
        sub_sport: a.sub_sport.clone(),
        start_ms: first,
        total_elapsed_s: match (first, last) {
            (Some(f), Some(l)) => Some(l.saturating_sub(f) as f64 / 1000.0),
            _ => None,
        },
        distance_m: xml::max_distance(&rec),
        avg_heart_rate: avg_hr,
        max_heart_rate: max_hr,
        ..Session::default()
    };
    let mut warnings = a.warnings.clone();
    let hours = gap_ms as f64 / 3_600_000.0;
    warnings.push(Warning::new(
        WarningCode::Split,
        format!(
            "this file holds {parts} separate outings (more than {hours:.0} hours apart); this is outing {k} of {parts}"
        ),
    ));
    Activity {
        sport: a.sport.clone(),
        sub_sport: a.sub_sport.clone(),
        sport_label: a.sport_label.clone(),
        device: a.device.clone(),
        start_ms: first,
        end_ms: last,
        start_was_relative: a.start_was_relative,
        name: a.name.clone(),
        sessions: vec![session],
        laps: Vec::new(),
        records: rec,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_gap_loads() {
        assert!(gap_ms().is_ok_and(|g| g >= 60_000));
    }

    #[test]
    fn only_gaps_longer_than_the_limit_cut() {
        assert_eq!(breaks(&[0, 10, 20, 5000, 5010], 1000), vec![3]);
        assert!(breaks(&[0, 1000, 2000], 1000).is_empty());
    }
}
