//! `status` as a use case: this week at a glance, as numbers (metres, seconds, 0–10 scores)
//! that any front end renders in the runner's units.
//!
//! It is computed from the same [`Training`] picture the report is made from, and its weekly
//! morning pain is the one definition in `hamstride_analytics::pain::weekly_morning` that the
//! report's charts and tables also use, so the terminal and the report cannot disagree.

use hamstride_analytics::form::{FormReport, MetricReport};
use hamstride_analytics::pain::PainNote;
use hamstride_analytics::series::{AcwrPoint, Flag};
use jiff::civil::Date;
use jiff::Span;
use serde::Serialize;

use crate::db::AthleteDb;
use crate::plans::Now;
use crate::training::Training;
use crate::{Error, Service};

/// Weeks of history the status sparklines show.
pub const STATUS_WEEKS: usize = 12;
/// Days of load flags the status lists.
pub const STATUS_FLAG_DAYS: i64 = 14;

/// This week at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub today: Date,
    pub time_zone: String,
    /// The runner's preferred units ("km" or "mi"), for adapters that do not override them.
    pub units: String,
    pub week: WeekTotals,
    /// Monday to Sunday of this week.
    pub days: Vec<DayTotals>,
    /// The last [`STATUS_WEEKS`] weeks, oldest first.
    pub weeks: Vec<WeekPoint>,
    /// Load flags of the last [`STATUS_FLAG_DAYS`] days.
    pub flags: Vec<Flag>,
    /// The latest acute:chronic point (context only, never an alert).
    pub acwr: Option<AcwrPoint>,
    /// Form measures that drifted from the runner's own baseline.
    pub form_changes: Vec<MetricReport>,
    /// The whole form comparison the changes come from (its reference day and windows).
    pub form: FormReport,
    /// Protocol and phase name of the active plan.
    pub plan: Option<(String, String)>,
    pub adherence: Option<hamstride_analytics::adherence::Adherence>,
    /// What the pain diary shows, most useful first.
    pub pain_notes: Vec<PainNote>,
    /// The newest run (date and metres), for "no runs lately".
    pub latest_run: Option<(Date, f64)>,
    /// Activities left out because they are dated before 2000.
    pub undated: usize,
}

/// This week's totals (metres).
#[derive(Debug, Clone, Serialize)]
pub struct WeekTotals {
    pub start: Date,
    pub runs: u32,
    pub distance_m: f64,
    pub longest_m: f64,
    pub high_speed_m: f64,
    pub strides: u32,
    pub ascent_m: f64,
}

/// One day of this week.
#[derive(Debug, Clone, Serialize)]
pub struct DayTotals {
    pub date: Date,
    pub distance_m: f64,
    pub runs: u32,
    /// The day's highest next-morning pain.
    pub morning_pain: Option<u8>,
}

/// One week of the history.
#[derive(Debug, Clone, Serialize)]
pub struct WeekPoint {
    pub start: Date,
    pub distance_m: f64,
    /// Mean next-morning pain of the week's days (`pain::weekly_morning`).
    pub morning_pain: Option<f64>,
}

impl Service {
    /// `status`: refresh stale metrics (`progress(done, total)` after each), then this week
    /// at a glance.
    pub fn status(
        &self,
        db: &mut AthleteDb,
        now: Now,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<StatusView, Error> {
        crate::training::refresh_metrics(db, progress)?;
        let t = self.training(db, now)?;
        Ok(status_of(&t))
    }
}

/// The status numbers of a training picture (pure: also used by tests and the report check).
pub fn status_of(t: &Training) -> StatusView {
    let a = &t.analysis;
    let back = i64::from(t.today.weekday().to_monday_zero_offset());
    let monday = t.today.saturating_sub(Span::new().days(back));
    let entries: Vec<_> = t.pain.iter().map(|r| r.entry.clone()).collect();
    let merged = hamstride_analytics::pain::merged(&entries);
    let weekly_pain = hamstride_analytics::pain::weekly_morning(&entries);
    let days = (0..7)
        .map(|k| {
            let date = monday.saturating_add(Span::new().days(k));
            let day = a.days.iter().find(|d| d.date == date);
            DayTotals {
                date,
                distance_m: day.map_or(0.0, |d| d.distance_m),
                runs: day.map_or(0, |d| d.runs),
                morning_pain: merged
                    .iter()
                    .find(|e| e.date == date)
                    .and_then(|e| e.next_morning),
            }
        })
        .collect();
    let this_week = a.weeks.iter().find(|w| w.start == monday);
    let longest_m = a
        .runs
        .iter()
        .filter(|r| r.date >= monday && r.date <= t.today)
        .map(|r| r.distance_m)
        .fold(0.0, f64::max);
    let week = WeekTotals {
        start: monday,
        runs: this_week.map_or(0, |w| w.runs),
        distance_m: this_week.map_or(0.0, |w| w.distance_m),
        longest_m,
        high_speed_m: this_week.map_or(0.0, |w| w.high_speed_m),
        strides: this_week.map_or(0, |w| w.strides),
        ascent_m: this_week.map_or(0.0, |w| w.ascent_m),
    };
    let skip = a.weeks.len().saturating_sub(STATUS_WEEKS);
    let weeks = a.weeks[skip..]
        .iter()
        .map(|w| WeekPoint {
            start: w.start,
            distance_m: w.distance_m,
            morning_pain: weekly_pain.get(&w.start).copied(),
        })
        .collect();
    let since = t
        .today
        .saturating_sub(Span::new().days(STATUS_FLAG_DAYS - 1));
    StatusView {
        today: t.today,
        time_zone: t.time_zone.clone(),
        units: t.units.clone(),
        week,
        days,
        weeks,
        flags: a
            .flags
            .iter()
            .filter(|f| f.date >= since)
            .cloned()
            .collect(),
        acwr: a.acwr.last().cloned(),
        form_changes: t.form.metrics.iter().filter(|m| m.drift).cloned().collect(),
        form: t.form.clone(),
        plan: t.plan.clone(),
        adherence: t.adherence.clone(),
        pain_notes: t.pain_analysis.notes.clone(),
        latest_run: a.runs.last().map(|r| (r.date, r.distance_m)),
        undated: t.undated,
    }
}
