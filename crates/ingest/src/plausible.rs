//! What is possible, applied to every decoded activity (FIT, GPX and TCX alike) before it is
//! stored, so the training analysis never sees an impossible value. The limits are data
//! (`kb/import.toml`, per sport): samples outside them (a heart rate of 255, the FIT "no
//! reading" marker; a cadence of 1,000; a GPS jump implying 500 km/h) are left out with a
//! counted warning, and an activity whose times cannot be real (a start in 1901, a run of
//! 900 days, an average of 3,000 km/h) is skipped with a reason a runner can read.

use std::sync::LazyLock;

use hamstride_core::activity::Records;
use hamstride_core::import_rules::{ImportRules, SportLimits};

use crate::{xml, Activity, Error, Warning, WarningCode};

/// The rules, parsed once (a test proves the shipped file parses; an error is reported per
/// file rather than by a panic).
static RULES: LazyLock<Result<ImportRules, String>> =
    LazyLock::new(|| ImportRules::embedded().map_err(|e| e.to_string()));

/// The shipped import rules.
pub fn rules() -> Result<&'static ImportRules, Error> {
    RULES.as_ref().map_err(|e| Error::Rules(e.clone()))
}

fn limits(sport: &str) -> Result<&'static SportLimits, Error> {
    rules()?
        .limits(sport)
        .ok_or_else(|| Error::Rules("kb/import.toml has no default sport".into()))
}

/// Leave out values of `col` outside `[lo, hi]` (set to `NaN`); returns how many.
fn clamp_out(col: &mut [f32], lo: f64, hi: f64) -> usize {
    let mut n = 0;
    for v in col.iter_mut() {
        if v.is_finite() && !(lo..=hi).contains(&f64::from(*v)) {
            *v = f32::NAN;
            n += 1;
        }
    }
    n
}

/// Leave out positions that would mean moving faster than `top` m/s from the last position
/// kept (GPS jumps); returns how many, or the reason the activity cannot be real when that
/// is most of the track. Run before distance is computed from positions.
pub fn drop_position_jumps(rec: &mut Records, sport: &str) -> Result<usize, Error> {
    let top = limits(sport)?.top_speed_mps;
    let mut last: Option<(i64, f64, f64)> = None;
    let (mut dropped, mut positioned) = (0, 0);
    for i in 0..rec.len() {
        let (lat, lon, t) = (rec.lat_deg[i], rec.lon_deg[i], rec.time_ms[i]);
        if !(lat.is_finite() && lon.is_finite()) {
            continue;
        }
        positioned += 1;
        if let Some((t0, la0, lo0)) = last {
            let metres = xml::haversine_m(la0, lo0, lat, lon);
            // Two fixes in the same second are judged as a second apart.
            let secs = ((t - t0) as f64 / 1000.0).max(1.0);
            if metres / secs > top {
                rec.lat_deg[i] = f64::NAN;
                rec.lon_deg[i] = f64::NAN;
                dropped += 1;
                continue;
            }
        }
        last = Some((t, lat, lon));
    }
    // Most of the track too fast: not GPS noise but times that do not belong to the places.
    if dropped >= 3 && dropped * 2 > positioned {
        return Err(Error::Impossible(format!(
            "the places and times in this file do not fit together: most points would mean moving faster than {:.0} km/h",
            top * 3.6
        )));
    }
    Ok(dropped)
}

/// What [`drop_position_jumps`] leaves out, in a warning: one, and many.
pub const JUMPS: (&str, &str) = (
    "GPS position (a jump too fast to be real)",
    "GPS positions (jumps too fast to be real)",
);

/// "12 heart-rate readings were left out because they are not possible" (or "1 … reading
/// was"), when any were. `what` is the thing, one and many.
pub fn left_out(n: usize, what: (&str, &str)) -> Option<Warning> {
    let text = match n {
        0 => return None,
        1 => format!("1 {} was left out because it is not possible", what.0),
        _ => format!("{n} {} were left out because they are not possible", what.1),
    };
    Some(Warning::new(WarningCode::LeftOut, text))
}

fn year_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).year().to_string())
        .unwrap_or_else(|_| "an impossible year".into())
}

/// Skip an activity whose times cannot be real; leave out samples that cannot be.
pub fn check(a: &mut Activity) -> Result<(), Error> {
    let r = rules()?;
    let lim = limits(&a.sport)?;
    let earliest = r.earliest_ms().unwrap_or(i64::MIN);
    let first = a.start_ms.or_else(|| a.records.time_ms.first().copied());
    if let Some(start) = first.filter(|s| *s < earliest) {
        return Err(Error::Impossible(format!(
            "the times in this file are not real: it says it started in {}",
            year_of(start)
        )));
    }
    let end = a.end_ms.or_else(|| a.records.time_ms.last().copied());
    let hours = match (first, end) {
        (Some(f), Some(e)) if e > f => (e - f) as f64 / 3_600_000.0,
        _ => 0.0,
    };
    if hours > lim.longest_h {
        let shown = if hours >= 48.0 {
            format!("{:.0} days", hours / 24.0)
        } else {
            format!("{hours:.0} hours")
        };
        return Err(Error::Impossible(format!(
            "the times in this file are not real: it says the {} lasted {shown}",
            if a.sport == "unknown" {
                "activity"
            } else {
                a.sport.as_str()
            }
        )));
    }
    let moving_s = a.timer_s().filter(|t| *t > 0.0).unwrap_or(hours * 3600.0);
    if let Some(d) = a.distance_m().filter(|d| *d > 0.0) {
        if moving_s > 0.0 && d / moving_s > lim.top_avg_speed_mps {
            return Err(Error::Impossible(format!(
                "the distance and times in this file do not fit together: they make an average of {:.0} km/h",
                d / moving_s * 3.6
            )));
        }
    }
    let rec = &mut a.records;
    let [hr_lo, hr_hi] = lim.heart_rate_bpm;
    let [cad_lo, cad_hi] = lim.cadence;
    let hr = clamp_out(&mut rec.heart_rate_bpm, hr_lo, hr_hi);
    let cad = clamp_out(&mut rec.cadence, cad_lo, cad_hi);
    let speed = clamp_out(&mut rec.speed_mps, 0.0, lim.top_speed_mps);
    let jumps = drop_position_jumps(rec, &a.sport)?;
    // The file's own summaries obey the same ranges.
    for s in &mut a.sessions {
        for v in [&mut s.avg_heart_rate, &mut s.max_heart_rate] {
            if v.is_some_and(|h| !(hr_lo..=hr_hi).contains(&h)) {
                *v = None;
            }
        }
    }
    a.warnings.extend(
        [
            left_out(hr, ("heart-rate reading", "heart-rate readings")),
            left_out(cad, ("cadence reading", "cadence readings")),
            left_out(speed, ("speed reading", "speed readings")),
            left_out(jumps, JUMPS),
        ]
        .into_iter()
        .flatten(),
    );
    Ok(())
}
