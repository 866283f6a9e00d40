//! `status` as a use case: this week at a glance, as numbers (metres, seconds, 0–10 scores)
//! that any front end renders in the runner's units.
//!
//! It is computed from the same [`Training`] picture the report is made from, and its weekly
//! morning pain is the one definition in `hamstride_analytics::pain::weekly_morning` that the
//! report's charts and tables also use, so the terminal and the report cannot disagree.
//! [`Service::week_glance`] is the small part of it the Today page shows (this week by day,
//! the weeks before, the latest pain), from the same functions.

use hamstride_analytics::form::{FormReport, MetricReport};
use hamstride_analytics::pain::{PainEntry, PainNote};
use hamstride_analytics::series::{AcwrPoint, Analysis, Flag};
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

/// This week day by day and its totals, from the series and the diary: the one definition
/// `status` and Today's week at a glance share.
fn this_week(a: &Analysis, today: Date, entries: &[PainEntry]) -> (WeekTotals, Vec<DayTotals>) {
    let back = i64::from(today.weekday().to_monday_zero_offset());
    let monday = today.saturating_sub(Span::new().days(back));
    let merged = hamstride_analytics::pain::merged(entries);
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
        .filter(|r| r.date >= monday && r.date <= today)
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
    (week, days)
}

/// The last `n` weeks of the series (this one included), oldest first, with their mean
/// next-morning pain.
fn last_weeks(a: &Analysis, entries: &[PainEntry], n: usize) -> Vec<WeekPoint> {
    let weekly_pain = hamstride_analytics::pain::weekly_morning(entries);
    let skip = a.weeks.len().saturating_sub(n);
    a.weeks[skip..]
        .iter()
        .map(|w| WeekPoint {
            start: w.start,
            distance_m: w.distance_m,
            morning_pain: weekly_pain.get(&w.start).copied(),
        })
        .collect()
}

/// The status numbers of a training picture (pure: also used by tests and the report check).
pub fn status_of(t: &Training) -> StatusView {
    let a = &t.analysis;
    let entries: Vec<_> = t.pain.iter().map(|r| r.entry.clone()).collect();
    let (week, days) = this_week(a, t.today, &entries);
    let weeks = last_weeks(a, &entries, STATUS_WEEKS);
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

/// Weeks Today's glance compares this week with (this one included).
pub const GLANCE_WEEKS: usize = 5;

/// Days read before the glance's first week: more than a week, so however the runner's time
/// zone places the oldest runs read, the first week shown is whole.
const GLANCE_MARGIN_DAYS: i64 = 14;

/// This week at a glance, for the Today page: the days' distances and morning pain, the
/// week's totals beside the weeks before it, and the latest pain the diary holds.
#[derive(Debug, Clone, Serialize)]
pub struct WeekGlance {
    pub today: Date,
    /// The runner's preferred units ("km" or "mi").
    pub units: String,
    pub week: WeekTotals,
    /// Monday to Sunday of this week.
    pub days: Vec<DayTotals>,
    /// The last [`GLANCE_WEEKS`] weeks, this one last.
    pub weeks: Vec<WeekPoint>,
    /// The newest diary day that has a score.
    pub latest_pain: Option<PainEntry>,
}

impl Service {
    /// This week at a glance, or `None` when there are no runs and no diary yet. Only the
    /// load series and the diary are read (not form, plans or assessments), so the Today
    /// page stays quick on ten years of runs; the numbers are those of `status`.
    pub fn week_glance(&self, db: &mut AthleteDb, now: Now) -> Result<Option<WeekGlance>, Error> {
        crate::training::refresh_metrics(db, &mut |_, _| {})?;
        let p = crate::plans::profile(db)?;
        let settings = crate::training::settings(&p)?;
        // Day and week distances are sums over the days, so the weeks shown need only their
        // own runs: ten years of history would make Today as slow as `status` for nothing.
        let since_ms = now.ms - (GLANCE_WEEKS as i64 * 7 + GLANCE_MARGIN_DAYS) * 86_400_000;
        let loaded = crate::training::load_entries_between(db, since_ms, i64::MAX)?;
        let pain: Vec<PainEntry> = crate::training::pain_diary(db)?
            .into_iter()
            .map(|r| r.entry)
            .collect();
        if loaded.entries.is_empty() && pain.is_empty() {
            return Ok(None);
        }
        let today = self.today(db, now)?;
        let a = hamstride_analytics::series::analyse(&hamstride_analytics::series::Input {
            activities: &loaded.entries,
            settings: &settings,
            signals: &self.signals,
            today,
        });
        let (week, days) = this_week(&a, today, &pain);
        let latest_pain = pain
            .iter()
            .filter(|e| e.date <= today)
            .filter(|e| e.during.is_some() || e.after.is_some() || e.next_morning.is_some())
            .max_by_key(|e| e.date)
            .cloned();
        Ok(Some(WeekGlance {
            today,
            units: p.units.unwrap_or_else(|| "km".to_string()),
            week,
            days,
            weeks: last_weeks(&a, &pain, GLANCE_WEEKS),
            latest_pain,
        }))
    }
}
