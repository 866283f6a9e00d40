//! The imported activities as a front end shows them: the list, filtered by sport, dates and
//! distance and cut into pages ([`Service::activity_list`]), and one activity with its
//! recorded measures thinned for charts and the load flags about it or its week
//! ([`Service::activity_view`]).
//!
//! Numbers stay in SI units (metres, seconds, m/s) with the runner's preferred units beside
//! them, as in `status`; the words and the conversion to km or miles are
//! `hamstride_export::activity` and `words`'. The flags are the training analysis's own
//! (`hamstride_analytics::series`), the same ones `status` and the report show, so an activity
//! page cannot flag what the status page does not. Calendar days are the runner's (the
//! profile's time zone), as everywhere else.

use hamstride_analytics::metrics;
use hamstride_analytics::series::{self, Flag};
use hamstride_core::activity::Records;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::Serialize;

use crate::db::{ActivitySummary, AthleteDb};
use crate::plans::{input, profile, Now};
use crate::{Error, Service};

pub use hamstride_export::activity::{Channel, Samples, FORM_MISSING};

/// The most points a chart and its table get: enough to see the shape of a marathon on a
/// desktop, few enough that the page stays small and its table readable.
pub const CHART_POINTS: usize = 200;

/// Activities on one page of the list: a screen or two on a phone, and a page renders in a
/// millisecond or two even for ten years of history.
pub const PAGE_SIZE: usize = 50;

/// Below this speed (m/s, a pace slower than about 21 minutes per km) the runner is standing
/// or stopped at a crossing: a pace there is not a pace, and one such point would squash the
/// whole chart, so it is drawn as a gap (watches hide it the same way).
const SLOWEST_PACE_MPS: f64 = 0.8;

/// The sports whose cadence the file counts in steps rather than pedal or stroke turns (the
/// FIT decoder doubles strides to steps for these).
const STEP_SPORTS: [&str; 4] = ["running", "walking", "hiking", "unknown"];

/// What the list is narrowed to; every part optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityFilter {
    /// One sport of the vocabulary ("running"), as the list's rows name it.
    pub sport: Option<String>,
    /// First and last local day, both included.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Only activities at least this long, metres.
    pub min_distance_m: Option<f64>,
    /// 1-based; a page past the last shows the last.
    pub page: usize,
}

/// One row of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityListRow {
    pub summary: ActivitySummary,
    /// The start on the runner's clock.
    pub start_local: Option<DateTime>,
}

/// A page of the list, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityListView {
    pub rows: Vec<ActivityListRow>,
    /// Activities that match the filter, and all the runner has.
    pub matching: usize,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
    /// Every sport the runner has, for the filter's choices.
    pub sports: Vec<String>,
    /// The runner's preferred units ("km" or "mi").
    pub units: String,
}

/// One activity as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityView {
    pub id: i64,
    pub start_ms: Option<i64>,
    /// The start on the runner's clock.
    pub start_local: Option<DateTime>,
    pub sport: String,
    pub sub_sport: Option<String>,
    pub name: Option<String>,
    pub distance_m: Option<f64>,
    /// Moving time when the file has it, else the whole time.
    pub duration_s: Option<f64>,
    /// Metres climbed: the file's own total, else from the recorded heights.
    pub ascent_m: Option<f64>,
    pub avg_heart_rate: Option<f64>,
    /// The measures, thinned to at most [`CHART_POINTS`] points.
    pub samples: Samples,
    /// The Monday of the activity's week (runner's days).
    pub week: Option<Date>,
    /// Load flags about this activity, then those about its week, oldest first.
    pub flags: Vec<Flag>,
    /// The runner's preferred units ("km" or "mi").
    pub units: String,
}

/// The start of an activity on the runner's clock.
fn local(ms: Option<i64>, tz: &TimeZone) -> Option<DateTime> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(tz.clone()).datetime())
}

/// The Monday of a day's week.
fn monday(d: Date) -> Date {
    d.saturating_sub(Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
}

/// How far before a run the activity page reads history for its flags (see `activity_view`).
const FLAG_LOOKBACK_DAYS: i64 = 365;
const DAY_MS: i64 = 86_400_000;

impl Service {
    /// The activities that pass `filter`, newest first, one page of them. A "to" day before
    /// the "from" day, or a negative or impossible distance, is the runner's input: an error
    /// naming the field.
    pub fn activity_list(
        &self,
        db: &AthleteDb,
        filter: &ActivityFilter,
    ) -> Result<ActivityListView, Error> {
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to < from {
                return Err(input(
                    "to",
                    format!("{to} is before the first day, {from}: pick a later day"),
                ));
            }
        }
        if let Some(m) = filter.min_distance_m {
            if !m.is_finite() || m < 0.0 {
                return Err(input("min", "the shortest distance must be 0 or more"));
            }
        }
        let p = profile(db)?;
        let tz = crate::training::time_zone(&p)?;
        let rows = db.activities()?;
        let total = rows.len();
        let mut sports: Vec<String> = rows.iter().map(|r| r.sport.clone()).collect();
        sports.sort();
        sports.dedup();
        let mut matching: Vec<ActivityListRow> = rows
            .into_iter()
            .rev()
            .filter(|r| filter.sport.as_ref().is_none_or(|s| *s == r.sport))
            .filter(|r| {
                filter
                    .min_distance_m
                    .is_none_or(|m| r.distance_m.is_some_and(|d| d >= m))
            })
            .map(|r| ActivityListRow {
                start_local: local(r.start_ms, &tz),
                summary: r,
            })
            .filter(|r| {
                let day = r.start_local.map(|t| t.date());
                let after = filter.from.is_none_or(|f| day.is_some_and(|d| d >= f));
                let before = filter.to.is_none_or(|t| day.is_some_and(|d| d <= t));
                after && before
            })
            .collect();
        let n = matching.len();
        let pages = n.div_ceil(PAGE_SIZE).max(1);
        let page = filter.page.clamp(1, pages);
        let rows: Vec<ActivityListRow> = matching
            .drain(((page - 1) * PAGE_SIZE).min(n)..(page * PAGE_SIZE).min(n))
            .collect();
        Ok(ActivityListView {
            rows,
            matching: n,
            total,
            page,
            pages,
            per_page: PAGE_SIZE,
            sports,
            units: p.units.unwrap_or_else(|| "km".to_string()),
        })
    }

    /// One activity of the runner's, with its measures for charts and the load flags about it
    /// and its week (`None`: no such activity, or another athlete's). Stale metrics are
    /// brought up to date first, as `status` does, so the flags are the status page's.
    pub fn activity_view(
        &self,
        db: &mut AthleteDb,
        id: i64,
        now: Now,
    ) -> Result<Option<ActivityView>, Error> {
        let Some(a) = db.load_activity(id)? else {
            return Ok(None);
        };
        crate::training::refresh_metrics(db, &mut |_, _| {})?;
        let p = profile(db)?;
        let settings = crate::training::settings(&p)?;
        let start_local = local(a.start_ms, &settings.tz);
        let week = start_local.map(|t| monday(t.date()));
        let today = crate::training::local_date(now.ms, &settings.tz)
            .or(start_local.map(|t| t.date()))
            .unwrap_or(Date::ZERO);
        // The flags about this run and its week look back weeks, not years: a year before
        // it (every window the signals use, with room for the load averages to settle) and
        // its week after it give the same flags as the whole history, in a tenth of the time
        // on ten years of runs.
        let loaded = match a.start_ms {
            Some(ms) => crate::training::load_entries_between(
                db,
                ms - FLAG_LOOKBACK_DAYS * DAY_MS,
                ms + 8 * DAY_MS,
            )?,
            None => crate::training::load_entries(db)?,
        };
        let analysis = series::analyse(&series::Input {
            activities: &loaded.entries,
            settings: &settings,
            signals: &self.signals,
            today,
        });
        let mut flags: Vec<Flag> = analysis
            .flags
            .iter()
            .filter(|f| f.activity_id == Some(id))
            .cloned()
            .collect();
        flags.extend(
            analysis
                .flags
                .iter()
                .filter(|f| f.activity_id.is_none() && Some(monday(f.date)) == week)
                .cloned(),
        );
        let session_ascent: Vec<f64> = a.sessions.iter().filter_map(|s| s.total_ascent_m).collect();
        let ascent_m = if !session_ascent.is_empty() {
            Some(session_ascent.iter().sum())
        } else if a.records.altitude_m.iter().any(|v| v.is_finite()) {
            let c = crate::training::metrics_constants()?;
            Some(metrics::compute(&a, &c).ascent_m)
        } else {
            None
        };
        let running = STEP_SPORTS.contains(&a.sport.as_str());
        Ok(Some(ActivityView {
            id,
            start_ms: a.start_ms,
            start_local,
            sport: a.sport.clone(),
            sub_sport: a.sub_sport.clone(),
            name: a.name.clone(),
            distance_m: a.distance_m(),
            duration_s: a.timer_s().or_else(|| a.elapsed_s()),
            ascent_m,
            avg_heart_rate: a
                .sessions
                .iter()
                .find_map(|s| s.avg_heart_rate)
                .or_else(|| Records::mean(&a.records.heart_rate_bpm).map(|(m, _)| m)),
            samples: thin(&a.records, CHART_POINTS, running),
            week,
            flags,
            units: p.units.unwrap_or_else(|| "km".to_string()),
        }))
    }
}

/// The record column a channel is drawn from (pace is worked out from speed or distance).
fn column(r: &Records, ch: Channel) -> Option<&[f32]> {
    Some(match ch {
        Channel::Pace => return None,
        Channel::HeartRate => &r.heart_rate_bpm,
        Channel::Cadence => &r.cadence,
        Channel::Elevation => &r.altitude_m,
        Channel::Power => &r.power_w,
        Channel::GroundContact => &r.stance_time_ms,
        Channel::GroundContactBalance => &r.stance_balance_pct,
        Channel::VerticalOscillation => &r.vertical_oscillation_mm,
        Channel::VerticalRatio => &r.vertical_ratio_pct,
        Channel::StepLength => &r.step_length_mm,
    })
}

/// The mean of the recorded values of `col[range]` (`NaN` when none was recorded).
fn mean_of(col: &[f32], range: std::ops::Range<usize>) -> f64 {
    Records::mean(col.get(range).unwrap_or(&[])).map_or(f64::NAN, |(m, _)| m)
}

/// The records cut into at most `points` equal runs of records, each one point: the mean of
/// what was recorded in it (so a short dropout does not show, and a long one is a gap). Speed
/// comes from the speed column, else from the distance covered over the time taken.
pub fn thin(r: &Records, points: usize, running: bool) -> Samples {
    let n = r.len();
    let k = n.min(points.max(1));
    let t0 = r.time_ms.first().copied().unwrap_or(0);
    let bucket = |b: usize| (b * n / k)..((b + 1) * n / k);
    let mut elapsed_s = Vec::with_capacity(k);
    let mut distance_m = Vec::with_capacity(k);
    let mut speed = Vec::with_capacity(k);
    let has_speed = r.speed_mps.iter().any(|v| v.is_finite());
    let last_distance = |range: std::ops::Range<usize>| -> Option<(f64, i64)> {
        range
            .rev()
            .find(|&i| r.distance_m.get(i).is_some_and(|d| d.is_finite()))
            .map(|i| (r.distance_m[i], r.time_ms[i]))
    };
    let mut before: Option<(f64, i64)> = None;
    for b in 0..k {
        let range = bucket(b);
        let mid = range.start + (range.end - range.start) / 2;
        elapsed_s.push((r.time_ms.get(mid).copied().unwrap_or(t0) - t0) as f64 / 1000.0);
        let here = last_distance(range.clone());
        distance_m.push(here.map_or(f64::NAN, |(d, _)| d));
        let v = if has_speed {
            mean_of(&r.speed_mps, range)
        } else {
            match (before, here) {
                (Some((d0, t0)), Some((d1, t1))) if t1 > t0 => {
                    (d1 - d0) / ((t1 - t0) as f64 / 1000.0)
                }
                _ => f64::NAN,
            }
        };
        if here.is_some() {
            before = here;
        }
        speed.push(if v.is_finite() && v >= SLOWEST_PACE_MPS {
            v
        } else {
            f64::NAN
        });
    }
    let mut channels = Vec::new();
    for ch in Channel::ALL {
        let values: Vec<f64> = match column(r, ch) {
            None => speed.clone(),
            Some(col) => (0..k).map(|b| mean_of(col, bucket(b))).collect(),
        };
        if values.iter().any(|v| v.is_finite()) {
            channels.push((ch, values));
        }
    }
    Samples {
        elapsed_s,
        distance_m,
        channels,
        running,
        records: n,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_at_most_the_points_asked_and_derives_speed_from_distance() {
        let mut r = Records::default();
        for i in 0..1000 {
            let k = r.push_empty(i * 1000);
            r.distance_m[k] = i as f64 * 3.0;
            r.heart_rate_bpm[k] = if i < 500 { 140.0 } else { f32::NAN };
        }
        let s = thin(&r, 200, true);
        assert_eq!(s.elapsed_s.len(), 200);
        assert_eq!(s.records, 1000);
        let pace = s.values(Channel::Pace).unwrap();
        assert!(pace[0].is_nan(), "no distance before the first point");
        assert!((pace[10] - 3.0).abs() < 1e-9, "{}", pace[10]);
        let hr = s.values(Channel::HeartRate).unwrap();
        assert_eq!(hr[0], 140.0);
        assert!(hr[199].is_nan(), "a long dropout is a gap");
        assert!(s.values(Channel::Cadence).is_none());
        assert_eq!(thin(&Records::default(), 200, true).elapsed_s.len(), 0);
    }
}
