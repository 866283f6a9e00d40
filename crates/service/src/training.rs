//! Training load, running form and the pain diary as use cases: keep per-activity metrics
//! current, log pain, and gather everything the `status` and `report` adapters show (series
//! and flags, form against baseline, what the diary shows, plan adherence, the level and plan
//! as they are now, every assessment and check-in) and what the assessment may pre-fill from
//! the runner's data.
//!
//! The maths lives in `hamstride-analytics`; this module does the I/O around it: reading the
//! store, the runner's settings (time zone, heart rate, units), "today" from the clock the
//! caller passes. The report comes back as HTML for the adapter to store (the CLI writes it
//! with mode 0600). Health data never reaches a log.

use std::collections::HashMap;

use hamstride_analytics::adherence::{self, Adherence, DoneRun, Prescribed};
use hamstride_analytics::form::{self, FormReport, FormRun, Side};
use hamstride_analytics::metrics::{self, ActivityMetrics, MetricsConstants, METRICS_VERSION};
use hamstride_analytics::pain::{self, PainAnalysis, PainEntry};
use hamstride_analytics::series::{self, Analysis, HrCurve, RunEntry, Settings};
use hamstride_analytics::SignalId;
use hamstride_core::plan::generate::{day as plan_day, Item, PlanState};
use hamstride_core::plan::{CheckIn, Decision, RunLevel};
use hamstride_core::Value;
use hamstride_export::report::{
    self, AssessmentSummary, CheckinPoint, PastAssessment, PlanNow, ReportModel, SourceRef, Units,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::db::AthleteDb;
use crate::plans::{corrupt, input, profile, Now, Profile};
use crate::prefill::{Prefill, Test};
use crate::{Error, Service};

/// Activities recomputed per transaction when metrics are refreshed.
const REFRESH_BATCH: usize = 200;

/// Recompute the metrics of activities that have none or an older version (after an upgrade,
/// or for activities imported before metrics existed). `progress(done, total)` is called
/// after each activity. Returns how many were recomputed.
pub fn refresh_metrics(
    db: &mut AthleteDb,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, Error> {
    let stale = db.stale_metrics(i64::from(METRICS_VERSION))?;
    let constants = metrics_constants()?;
    let total = stale.len();
    let mut done = 0;
    for chunk in stale.chunks(REFRESH_BATCH) {
        let mut computed = Vec::with_capacity(chunk.len());
        for &id in chunk {
            if let Some(a) = db.load_activity(id)? {
                computed.push((id, metrics_json(&metrics::compute(&a, &constants))?));
            }
        }
        let mut tx = db.begin()?;
        for (id, json) in &computed {
            tx.put_metrics(*id, i64::from(METRICS_VERSION), json)?;
        }
        tx.commit()?;
        for _ in chunk {
            done += 1;
            progress(done, total);
        }
    }
    Ok(total)
}

/// The `[constants.metrics]` that stored metrics are computed with: the embedded table's,
/// checked against the fingerprint [`METRICS_VERSION`] is pinned to. Not an option of the
/// import or the refresh: metrics are stored under `METRICS_VERSION` alone, so computing them
/// with any other numbers would store wrong metrics that nothing recomputes.
pub fn metrics_constants() -> Result<MetricsConstants, Error> {
    let c = hamstride_analytics::signals::Signals::embedded()?.metrics;
    c.check_pinned()?;
    Ok(c)
}

/// Serialise metrics for the store.
pub fn metrics_json(m: &ActivityMetrics) -> Result<String, Error> {
    serde_json::to_string(m).map_err(|e| corrupt("activity metrics", e))
}

/// The runner's time zone: the profile's, else the system's.
pub fn time_zone(p: &Profile) -> Result<TimeZone, Error> {
    match &p.timezone {
        Some(name) => TimeZone::get(name).map_err(|e| {
            input(
                "timezone",
                format!("'{name}' is not a known time zone ({e}); use a name like Europe/London"),
            )
        }),
        None => Ok(TimeZone::system()),
    }
}

/// The date of an instant out of the range dates can hold (never from a real clock): UTC's.
fn fallback_date(now: Now) -> Date {
    local_date(now.ms, &TimeZone::UTC).unwrap_or(Date::constant(2000, 1, 1))
}

/// The runner's local date of a UTC instant.
pub(crate) fn local_date(ms: i64, tz: &TimeZone) -> Option<Date> {
    Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_zoned(tz.clone()).date())
}

/// Analysis settings from the profile.
pub(crate) fn settings(p: &Profile) -> Result<Settings, Error> {
    Ok(Settings {
        tz: time_zone(p)?,
        hr_rest: p.hr_rest,
        hr_max: p.hr_max,
        hr_curve: match p.hr_curve.as_deref() {
            Some("women") => HrCurve::Women,
            _ => HrCurve::Men,
        },
    })
}

/// A diary entry as the runner gives it (from flags or prompts), not yet checked.
#[derive(Debug, Clone, Default)]
pub struct PainInput {
    pub date: Option<Date>,
    pub activity_id: Option<i64>,
    pub site: Option<String>,
    pub side: Option<String>,
    pub during: Option<i64>,
    pub after: Option<i64>,
    pub next_morning: Option<i64>,
    pub sitting_min: Option<i64>,
    pub notes: Option<String>,
}

/// A stored diary entry with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainRecord {
    pub id: i64,
    #[serde(flatten)]
    pub entry: PainEntry,
}

/// What [`Service::log_pain`] did: the day's row as it now stands, and whether the day already
/// had one (the diary keeps one row per day, so logging a day again updates it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedPain {
    #[serde(flatten)]
    pub record: PainRecord,
    /// True when the day already had a row and this updated it.
    pub updated: bool,
}

/// The day's diary row with `new` laid over it: each score, the sitting time, the place, the
/// run and the note that `new` gives replace the stored ones; what it leaves out is kept. So a
/// morning score logged the day after fills in that day's row instead of adding a second one.
pub(crate) fn merge_pain(old: Option<PainEntry>, new: PainEntry) -> PainEntry {
    let Some(old) = old else {
        return new;
    };
    PainEntry {
        date: new.date,
        activity_id: new.activity_id.or(old.activity_id),
        site: new.site.or(old.site),
        side: new.side.or(old.side),
        during: new.during.or(old.during),
        after: new.after.or(old.after),
        next_morning: new.next_morning.or(old.next_morning),
        sitting_min: new.sitting_min.or(old.sitting_min),
        notes: new.notes.or(old.notes),
    }
}

/// The stored row of `day`, read back as an entry.
pub(crate) fn pain_row_of(db: &AthleteDb, day: Date) -> Result<Option<PainEntry>, Error> {
    db.pain_on(&day.to_string())?
        .map(|r| serde_json::from_str(&r.entry).map_err(|e| corrupt("stored pain entry", e)))
        .transpose()
}

/// Where pain can be: the assessment contract's sites, so the diary and the assessment speak
/// the same language.
pub fn pain_sites(svc: &Service) -> Vec<String> {
    svc.kb
        .schema
        .index("pain_sites")
        .and_then(|i| svc.kb.schema.fields.get(i))
        .map(|f| f.values().to_vec())
        .unwrap_or_default()
}

/// Longest note kept, in characters.
const MAX_NOTE_CHARS: usize = 2000;

impl Service {
    /// The runner's "today": the date of `now` in the time zone of their profile (the
    /// system's when they set none). Every use case that needs a date asks this, so a check-in,
    /// a diary entry and the status page agree on the day.
    pub fn today(&self, db: &AthleteDb, now: Now) -> Result<Date, Error> {
        let tz = time_zone(&profile(db)?)?;
        Ok(local_date(now.ms, &tz).unwrap_or_else(|| fallback_date(now)))
    }

    /// Check and store a pain-diary entry. Nothing is written unless every field is valid.
    /// The diary has one row per day: a day that has one already (from an earlier entry or a
    /// check-in) is updated with what this entry gives, the rest of it kept.
    pub fn log_pain(
        &self,
        db: &mut AthleteDb,
        i: &PainInput,
        now: Now,
    ) -> Result<LoggedPain, Error> {
        let p = profile(db)?;
        let tz = time_zone(&p)?;
        let today = local_date(now.ms, &tz).unwrap_or_else(|| fallback_date(now));
        let score = |field: &str, v: Option<i64>| -> Result<Option<u8>, Error> {
            match v {
                None => Ok(None),
                Some(x) if (0..=10).contains(&x) => Ok(Some(x as u8)),
                Some(x) => Err(input(
                    field,
                    format!("{x} is outside 0-10 (0 = no pain, 10 = worst imaginable)"),
                )),
            }
        };
        let during = score("during", i.during)?;
        let after = score("after", i.after)?;
        let next_morning = score("next_morning", i.next_morning)?;
        let sitting_min = match i.sitting_min {
            None => None,
            Some(m) if (0..=1440).contains(&m) => Some(m as u32),
            Some(m) => {
                return Err(input(
                    "sitting",
                    format!("{m} minutes is outside 0-1440 (a day)"),
                ))
            }
        };
        let site = match &i.site {
            None => None,
            Some(s) => {
                // "sit bone", "Sit-Bone" and "sit_bone" are the same place.
                let sites = pain_sites(self);
                let typed = crate::picks::normalise(s);
                let Some(id) = sites.iter().find(|x| crate::picks::normalise(x) == typed) else {
                    let words: Vec<String> =
                        sites.iter().map(|x| crate::picks::normalise(x)).collect();
                    return Err(input(
                        "site",
                        format!("'{s}' is not one of: {}", words.join(", ")),
                    ));
                };
                Some(id.clone())
            }
        };
        let side = match i.side.as_deref() {
            None => None,
            Some(s) => Some(
                Side::parse(s)
                    .ok_or_else(|| input("side", format!("'{s}' is not left, right or both")))?,
            ),
        };
        let notes = match &i.notes {
            Some(n) if n.chars().count() > MAX_NOTE_CHARS => {
                return Err(input(
                    "notes",
                    format!(
                        "too long ({} characters, at most {MAX_NOTE_CHARS})",
                        n.chars().count()
                    ),
                ))
            }
            Some(n) if !n.trim().is_empty() => Some(n.trim().to_string()),
            _ => None,
        };
        let run_date = match i.activity_id {
            None => None,
            Some(id) => match db.activity_start(id)? {
                None => {
                    return Err(input(
                        "run",
                        format!("there is no activity {id} (see `hamstride activities`)"),
                    ))
                }
                Some(start) => start.and_then(|ms| local_date(ms, &tz)),
            },
        };
        let date = i.date.or(run_date).unwrap_or(today);
        if date > today {
            return Err(input("date", format!("{date} is in the future")));
        }
        if during.is_none() && after.is_none() && next_morning.is_none() && sitting_min.is_none() {
            return Err(input(
                "pain",
                "give at least one of --during, --after, --morning or --sitting",
            ));
        }
        let entry = PainEntry {
            date,
            activity_id: i.activity_id,
            site,
            side,
            during,
            after,
            next_morning,
            sitting_min,
            notes,
        };
        let entry = merge_pain(pain_row_of(db, date)?, entry);
        let json = serde_json::to_string(&entry).map_err(|e| corrupt("pain entry", e))?;
        let (id, updated) = db.put_pain(&hamstride_store::NewPain {
            day: &date.to_string(),
            activity_id: entry.activity_id,
            entry: &json,
            now_ms: now.ms,
        })?;
        Ok(LoggedPain {
            record: PainRecord { id, entry },
            updated,
        })
    }

    /// Delete a diary entry by id.
    pub fn delete_pain(&self, db: &mut AthleteDb, id: i64) -> Result<(), Error> {
        if db.delete_pain(id)? {
            Ok(())
        } else {
            Err(input("id", format!("there is no pain entry {id}")))
        }
    }
}

/// Every diary entry, oldest first.
pub fn pain_diary(db: &AthleteDb) -> Result<Vec<PainRecord>, Error> {
    db.pain_entries()?
        .into_iter()
        .map(|r| {
            let entry: PainEntry =
                serde_json::from_str(&r.entry).map_err(|e| corrupt("stored pain entry", e))?;
            Ok(PainRecord { id: r.id, entry })
        })
        .collect()
}

/// Whether the database the options name already exists and holds a run. Never creates a
/// local database: the interview asks for consent to use runs only when there are some.
pub fn has_runs(opts: &crate::db::DbOptions) -> bool {
    opts.has_local_database()
        && crate::db::open(opts)
            .ok()
            .and_then(|db| last_run(&db).ok().flatten())
            .is_some()
}

/// The id of the most recent run, for `--run last`.
pub fn last_run(db: &AthleteDb) -> Result<Option<i64>, Error> {
    Ok(db
        .activity_rows()?
        .into_iter()
        .rev()
        .find(|a| a.sport == "running")
        .map(|a| a.id))
}

/// Series, form and pain analysis: what [`Service::picture`] computes.
#[derive(Debug, Clone)]
pub struct Picture {
    pub analysis: Analysis,
    pub form: FormReport,
    pub pain: PainAnalysis,
}

/// The runs of an analysis with their stored metrics, for form and adherence.
fn form_runs<'a>(analysis: &Analysis, entries: &'a [RunEntry]) -> Vec<FormRun<'a>> {
    let by_id: HashMap<i64, &ActivityMetrics> =
        entries.iter().map(|e| (e.id, &e.metrics)).collect();
    analysis
        .runs
        .iter()
        .filter_map(|r| {
            by_id.get(&r.id).map(|m| FormRun {
                id: r.id,
                date: r.date,
                metrics: m,
            })
        })
        .collect()
}

/// Everything the status and report views show.
#[derive(Debug, Clone, Serialize)]
pub struct Training {
    pub today: Date,
    pub time_zone: String,
    pub units: String,
    pub analysis: Analysis,
    pub form: FormReport,
    pub pain: Vec<PainRecord>,
    pub pain_analysis: PainAnalysis,
    /// Protocol name and phase name of the active plan.
    pub plan: Option<(String, String)>,
    /// The active plan as it stands today (phase, day, whether running waits).
    pub plan_now: Option<PlanNow>,
    pub adherence: Option<Adherence>,
    pub assessment: Option<AssessmentView>,
    /// Every assessment, oldest first.
    pub assessments: Vec<PastAssessment>,
    /// Every check-in of every plan, oldest first.
    pub checkins: Vec<CheckinPoint>,
    /// Activities left out because they are dated before 2000 (a device clock never set).
    pub undated: usize,
}

/// The latest assessment, summarised for the physio page.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub date: Date,
    pub onset: Option<Date>,
    pub side: Option<String>,
    pub condition: String,
    pub probability: f64,
    /// The level now: the assessment's, or the plan's when a check-in has raised it since.
    pub triage_level: hamstride_core::TriageLevel,
    pub triage_headline: String,
    /// The assessment's own level, when a check-in has raised it since (the report shows both).
    pub triage_at_assessment: Option<hamstride_core::TriageLevel>,
    /// When the active plan was made from an earlier assessment (this one's plan waits in the
    /// history): that assessment's date.
    pub plan_assessed: Option<Date>,
    /// The findings that argued for the leading condition, in plain words (`says`).
    pub positives: Vec<String>,
    /// The findings that argued against it, in plain words, leaving out who the runner is
    /// (age, sex, running history: the "who" section of `findings.toml`), which are priors
    /// about the person rather than findings about the pain.
    pub negatives: Vec<String>,
    /// The red-flag rules that fired, by their titles.
    pub red_flags: Vec<String>,
    pub others: Vec<(String, f64)>,
}

/// Loaded metrics.
pub(crate) struct Loaded {
    pub(crate) entries: Vec<RunEntry>,
    /// Activities left out because their date cannot be right (see [`EARLIEST_MS`]).
    pub(crate) undated: usize,
}

/// 2000-01-01 UTC. Activities "before" it come from a device whose clock was never set (FIT
/// counts from 1989-12-31, so an unset clock lands there); counting them would stretch the
/// daily series back decades and put runs on the wrong days.
const EARLIEST_MS: i64 = 946_684_800_000;

pub(crate) fn load_entries(db: &AthleteDb) -> Result<Loaded, Error> {
    entries_of(db.all_metrics()?)
}

/// The runs that start in `[from_ms, to_ms)`: parsing stored metrics is most of a page's time
/// on years of history, so a page about a few weeks reads only those.
pub(crate) fn load_entries_between(
    db: &AthleteDb,
    from_ms: i64,
    to_ms: i64,
) -> Result<Loaded, Error> {
    entries_of(db.metrics_between(from_ms, to_ms)?)
}

fn entries_of(rows: Vec<hamstride_store::MetricsRow>) -> Result<Loaded, Error> {
    let mut entries = Vec::with_capacity(rows.len());
    let mut undated = 0;
    for r in rows {
        let metrics: ActivityMetrics = serde_json::from_str(&r.data)
            .map_err(|e| corrupt(&format!("metrics of activity {}", r.activity_id), e))?;
        if metrics.start_ms < EARLIEST_MS {
            undated += 1;
            continue;
        }
        entries.push(RunEntry {
            id: r.activity_id,
            metrics,
            // Strava's perceived exertion is 1-10, read as the CR-10 scale.
            rpe: r.perceived_exertion.filter(|v| v.is_finite() && *v >= 0.0),
        });
    }
    Ok(Loaded { entries, undated })
}

impl Service {
    /// Gather the training picture for `now` (metrics must be current: call
    /// [`refresh_metrics`] first).
    pub fn training(&self, db: &AthleteDb, now: Now) -> Result<Training, Error> {
        let p = profile(db)?;
        let settings = settings(&p)?;
        let today = local_date(now.ms, &settings.tz).unwrap_or_else(|| fallback_date(now));
        let loaded = load_entries(db)?;
        let (latest_id, mut assessment) = match self.latest_assessment_view(db, &settings.tz)? {
            Some((id, a)) => (Some(id), Some(a)),
            None => (None, None),
        };
        // Form: the reference day is the injury onset when a recent assessment gives one.
        let reference = assessment
            .as_ref()
            .and_then(|a| a.onset)
            .filter(|d| *d <= today && *d > today.saturating_sub(Span::new().days(180)))
            .unwrap_or_else(|| self.default_form_reference(today));
        let side = assessment
            .as_ref()
            .and_then(|a| a.side.as_deref())
            .and_then(Side::parse);
        let pain = pain_diary(db)?;
        let entries: Vec<PainEntry> = pain.iter().map(|r| r.entry.clone()).collect();
        let picture = self.picture(&loaded.entries, &settings, today, reference, side, &entries);

        let active = db.active_plan_row()?;
        let (assessments, checkins) =
            self.record(db, &settings.tz, active.as_ref().map(|r| r.id))?;
        let (plan, plan_now, adherence) = match active {
            None => (None, None, None),
            Some(row) => {
                let state: PlanState = crate::stored::plan_from_json(&self.plans, &row.state)?;
                if let Some(a) = assessment.as_mut() {
                    // The plan's own assessment, when it is not the latest.
                    let earlier = match row.assessment_id.filter(|id| Some(*id) != latest_id) {
                        Some(id) => db.assessment(id)?,
                        None => None,
                    };
                    level_now(a, &state, earlier.as_ref(), &settings.tz);
                }
                let p = state.protocol(&self.plans).map_err(Error::Kb)?;
                let phase = p.phase[state.phase.min(p.phase.len() - 1)].name.clone();
                let plan_now = self.plan_now(&state, today)?;
                let rows = db.checkins(row.id)?;
                let runs = form_runs(&picture.analysis, &loaded.entries);
                let adherence = self.adherence(&state, &rows, &runs, today)?;
                (
                    Some((p.name.clone(), phase)),
                    Some(plan_now),
                    Some(adherence),
                )
            }
        };
        Ok(Training {
            today,
            time_zone: settings.tz.iana_name().unwrap_or("system").to_string(),
            units: p.units.clone().unwrap_or_else(|| "km".to_string()),
            analysis: picture.analysis,
            form: picture.form,
            pain,
            pain_analysis: picture.pain,
            plan,
            plan_now,
            adherence,
            assessment,
            assessments,
            checkins,
            undated: loaded.undated,
        })
    }

    /// Where the plan stands on `today`, from the same view `hamstride plan` shows.
    fn plan_now(&self, state: &PlanState, today: Date) -> Result<PlanNow, Error> {
        let view =
            hamstride_core::plan::view(&self.kb, &self.plans, state, today).map_err(Error::Kb)?;
        Ok(PlanNow {
            protocol: view.protocol_name,
            phase: view.phase.name,
            phase_number: view.phase.number,
            phases: view.phase.of,
            day_in_phase: view.phase.day_in_phase,
            days_since_onset: i64::from((today - state.onset).get_days()).max(0),
            running_waits: view.running_waits_for_clinician,
        })
    }

    /// Every assessment (through the plans made from them: each assessment is stored with its
    /// plan) and every check-in of every plan, oldest first; `active` marks the plan being
    /// followed.
    fn record(
        &self,
        db: &AthleteDb,
        tz: &TimeZone,
        active: Option<i64>,
    ) -> Result<(Vec<PastAssessment>, Vec<CheckinPoint>), Error> {
        let mut assessments: Vec<(i64, PastAssessment)> = Vec::new();
        let mut checkins: Vec<(Date, i64, CheckinPoint)> = Vec::new();
        for (plan, is_active) in db.plan_rows()? {
            if let Some(row) = plan.assessment_id.map(|id| db.assessment(id)).transpose()? {
                let row = row.ok_or_else(|| corrupt("plan", "its assessment is missing"))?;
                let result = crate::stored::result_from_json(&row.result)?;
                let top = result.differential.first();
                assessments.push((
                    row.id,
                    PastAssessment {
                        date: local_date(row.created_ms, tz).unwrap_or(Date::ZERO),
                        level: result.triage.level.to_string(),
                        condition: top.map_or(row.condition.clone(), |d| d.name.clone()),
                        probability: top.map_or(0.0, |d| d.probability),
                        active: is_active,
                    },
                ));
            }
            for c in db.checkins(plan.id)? {
                let entry: CheckIn =
                    serde_json::from_str(&c.entry).map_err(|e| corrupt("stored check-in", e))?;
                let decision: Decision =
                    serde_json::from_str(&c.decision).map_err(|e| corrupt("stored decision", e))?;
                checkins.push((
                    entry.date,
                    c.id,
                    CheckinPoint {
                        date: entry.date,
                        pain_during: entry.pain_during,
                        pain_after: entry.pain_after,
                        pain_morning: entry.pain_morning,
                        this_plan: active == Some(plan.id),
                        decision,
                    },
                ));
            }
        }
        assessments.sort_by_key(|(id, _)| *id);
        checkins.sort_by_key(|(date, id, _)| (*date, *id));
        // The timeline shows the scores the diary holds now, as the plan reads them.
        crate::plans::overlay_diary(
            &mut checkins,
            |(date, _, _)| *date,
            |(_, _, c)| [&mut c.pain_during, &mut c.pain_after, &mut c.pain_morning],
            &pain_diary(db)?,
        );
        Ok((
            assessments.into_iter().map(|(_, a)| a).collect(),
            checkins.into_iter().map(|(_, _, c)| c).collect(),
        ))
    }

    /// Without an injury onset, form compares the last `recent_days` with the time before.
    pub fn default_form_reference(&self, today: Date) -> Date {
        today.saturating_sub(Span::new().days(self.signals.t.form_recent_days as i64))
    }

    /// The pure part of the training picture: series and flags, form against the baseline
    /// before `reference`, and the pain diary against the daily series.
    pub fn picture(
        &self,
        entries: &[RunEntry],
        settings: &Settings,
        today: Date,
        reference: Date,
        side: Option<Side>,
        pain_entries: &[PainEntry],
    ) -> Picture {
        let analysis = series::analyse(&series::Input {
            activities: entries,
            settings,
            signals: &self.signals,
            today,
        });
        let runs = form_runs(&analysis, entries);
        let form = form::analyse(&runs, reference, today, side, &self.signals);
        let pain = pain::analyse(pain_entries, &analysis.days, &self.signals);
        Picture {
            analysis,
            form,
            pain,
        }
    }

    /// The return-to-run sessions prescribed from the plan's start to `today`, each day read
    /// from the plan state that was in force that day (the state a check-in on or after it
    /// was made against), against the runs done.
    fn adherence(
        &self,
        current: &PlanState,
        checkins: &[hamstride_store::CheckinRow],
        runs: &[FormRun<'_>],
        today: Date,
    ) -> Result<Adherence, Error> {
        let mut states: Vec<(Date, PlanState)> = Vec::new();
        for c in checkins {
            if let (Ok(day), Some(s)) = (c.day.parse::<Date>(), &c.state_before) {
                let st: PlanState = crate::stored::plan_from_json(&self.plans, s)?;
                states.push((day, st));
            }
        }
        let in_force = |d: Date| -> &PlanState {
            states
                .iter()
                .find(|(day, _)| *day >= d)
                .map(|(_, s)| s)
                .unwrap_or(current)
        };
        let mut prescribed = Vec::new();
        let mut no_running = Vec::new();
        let mut d = current.start;
        while d <= today {
            let st = in_force(d);
            let p = st.protocol(&self.plans).map_err(Error::Kb)?;
            let day = plan_day(&self.plans, st, d).map_err(Error::Kb)?;
            let mut any_run = false;
            for item in &day.items {
                if let Item::Run { ladder, stage, .. } = item {
                    any_run = true;
                    if let Some(s) = self.plans.ladder(ladder).and_then(|l| l.stage.get(*stage)) {
                        prescribed.push(Prescribed {
                            date: d,
                            stage_id: s.id.clone(),
                            stage_name: s.name.clone(),
                            running_minutes: s.running_minutes(),
                            strides: s.strides.unwrap_or(0),
                        });
                    }
                }
            }
            if !any_run && st.run_level(p) == RunLevel::None {
                no_running.push(d);
            }
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        // The weeks before the plan the easy pace is learnt from (`[constants.adherence]`).
        let window = self.signals.t.easy_window_days.round().clamp(1.0, 36_525.0) as i64;
        let before_start = current.start.saturating_sub(Span::new().days(window));
        let done: Vec<DoneRun<'_>> = runs
            .iter()
            .filter(|r| r.date >= current.start && r.date <= today)
            .map(|r| DoneRun {
                id: r.id,
                date: r.date,
                metrics: r.metrics,
            })
            .collect();
        let before: Vec<DoneRun<'_>> = runs
            .iter()
            .filter(|r| r.date >= before_start && r.date < current.start)
            .map(|r| DoneRun {
                id: r.id,
                date: r.date,
                metrics: r.metrics,
            })
            .collect();
        Ok(adherence::check(
            &prescribed,
            &no_running,
            &done,
            &before,
            &self.signals.t,
        ))
    }

    fn latest_assessment_view(
        &self,
        db: &AthleteDb,
        tz: &TimeZone,
    ) -> Result<Option<(i64, AssessmentView)>, Error> {
        let Some(row) = db.latest_assessment()? else {
            return Ok(None);
        };
        let date = local_date(row.created_ms, tz).unwrap_or(Date::ZERO);
        let result = crate::stored::result_from_json(&row.result)?;
        let findings =
            hamstride_core::Findings::from_json_str(&self.kb.schema, &row.findings, false)
                .map_err(|e| corrupt("stored findings", e))?
                .findings;
        let field = |id: &str| {
            self.kb
                .schema
                .index(id)
                .and_then(|i| findings.get(i).map(|v| (i, v)))
        };
        let onset = match field("days_since_onset") {
            Some((_, &Value::Num(d))) if d.is_finite() && (0.0..36_500.0).contains(&d) => {
                Some(date.saturating_sub(Span::new().days(d.floor() as i64)))
            }
            _ => None,
        };
        let side = match field("side") {
            Some((i, &Value::Enum(v))) => {
                self.kb.schema.fields[i].values().get(v as usize).cloned()
            }
            _ => None,
        };
        let first = result.differential.first();
        Ok(Some((
            row.id,
            AssessmentView {
                date,
                onset,
                side,
                condition: first.map_or(row.condition.clone(), |d| d.name.clone()),
                probability: first.map_or(0.0, |d| d.probability),
                triage_level: result.triage.level,
                triage_headline: result.triage.headline.clone(),
                triage_at_assessment: None,
                plan_assessed: None,
                positives: first.map_or_else(Vec::new, |d| self.plain(&d.for_, true)),
                negatives: first.map_or_else(Vec::new, |d| self.plain(&d.against, false)),
                red_flags: self.rule_titles(&result.red_flags),
                others: result
                    .differential
                    .iter()
                    .skip(1)
                    .take(4)
                    .map(|d| (d.name.clone(), d.probability))
                    .collect(),
            },
        )))
    }

    /// Rules by their titles: a stored result names its red flags by rule id ("R-E1"), which
    /// a physio cannot read. An id this knowledge base lacks is kept as it is.
    fn rule_titles(&self, ids: &[String]) -> Vec<String> {
        ids.iter()
            .map(|id| {
                self.kb
                    .rules
                    .iter()
                    .find(|r| &r.id == id)
                    .map_or_else(|| id.clone(), |r| r.title.clone())
            })
            .collect()
    }

    /// Finding ids of an assessment in plain words; `who` keeps the findings about who the
    /// runner is (age, sex, running history), which are never listed as pertinent negatives.
    fn plain(&self, ids: &[String], who: bool) -> Vec<String> {
        ids.iter()
            .filter(|id| who || !self.kb.finding_is_personal(id))
            .map(|id| self.kb.finding_says(id))
            .collect()
    }

    /// The HTML report as a string.
    pub fn render_report(&self, t: &Training) -> String {
        let summary = t.assessment.as_ref().map(|a| AssessmentSummary {
            date: a.date,
            condition: a.condition.clone(),
            probability: a.probability,
            triage_level: a.triage_level.to_string(),
            triage_headline: a.triage_headline.clone(),
            triage_at_assessment: a.triage_at_assessment.map(|l| l.to_string()),
            plan_assessed: a.plan_assessed,
            positives: a.positives.clone(),
            negatives: a.negatives.clone(),
            red_flags: a.red_flags.clone(),
            others: a.others.clone(),
        });
        let mut cited: Vec<&str> = self
            .signals
            .signals
            .iter()
            .flat_map(|s| s.sources.iter().map(String::as_str))
            .collect();
        cited.sort_unstable();
        cited.dedup();
        let sources: Vec<SourceRef> = cited
            .iter()
            .filter_map(|id| self.kb.source(id))
            .map(|s| SourceRef {
                id: s.id.clone(),
                short: s.short.clone(),
                citation: s.citation.clone(),
            })
            .collect();
        let pain: Vec<PainEntry> = t.pain.iter().map(|r| r.entry.clone()).collect();
        let model = ReportModel {
            today: t.today,
            units: if t.units == "mi" {
                Units::Mi
            } else {
                Units::Km
            },
            analysis: &t.analysis,
            form: &t.form,
            pain: &pain,
            pain_analysis: &t.pain_analysis,
            assessment: summary.as_ref(),
            plan: t.plan_now.as_ref(),
            assessments: &t.assessments,
            checkins: &t.checkins,
            adherence: t.adherence.as_ref(),
            signals: &self.signals,
            sources: &sources,
            disclaimer: &self.kb.disclaimer,
        };
        report::render(&model)
    }
}

/// The level the runner follows now, on the latest assessment's view: the active plan's when
/// it is higher (a check-in raised it at a re-screen, or the plan came from an earlier, more
/// urgent assessment), so the physio never reads a level the runner has moved past. When the
/// plan came from an earlier assessment, its date is kept so the report can say so.
fn level_now(
    a: &mut AssessmentView,
    state: &PlanState,
    earlier: Option<&hamstride_store::AssessmentRow>,
    tz: &TimeZone,
) {
    if let Some(m) = earlier {
        a.plan_assessed = local_date(m.created_ms, tz);
    }
    if state.triage > a.triage_level {
        a.triage_at_assessment = Some(a.triage_level);
        a.triage_level = state.triage;
        a.triage_headline = state.triage_headline.clone();
    }
}

/// What the runner's data says about the assessment's training questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataFindings {
    /// Values of `recent_training_change` seen in the last 4 weeks (empty: nothing seen; the
    /// interview then still asks, since strength work or a race cannot be seen in the data).
    pub recent_training_change: Vec<String>,
    /// Mean weekly distance over the last 4 weeks, km (when the history covers them): the
    /// assessment's `weekly_km` finding is in kilometres whatever the display units.
    pub weekly_km: Option<f64>,
    /// Each pre-filled answer with the evidence behind it, for "from your data" lines
    /// (rendered by `hamstride_export::words::data_reason`).
    pub reasons: Vec<DataReason>,
    /// Runs in the last 28 days.
    pub runs_28d: usize,
    /// The runner's display units ("km" or "mi"), for rendering the reasons.
    pub units: String,
}

pub use hamstride_export::words::{DataEvidence, DataReason};

impl Service {
    /// Read the training-change answers from the runner's imported runs (the last 28 days
    /// against the 28 before). Only what the data shows is claimed; nothing is denied.
    pub fn findings_from_data(&self, db: &AthleteDb, now: Now) -> Result<DataFindings, Error> {
        // Only the series are needed: no form, diary, plan or assessment reads.
        let prof = profile(db)?;
        let settings = settings(&prof)?;
        let today = local_date(now.ms, &settings.tz).unwrap_or_else(|| fallback_date(now));
        let loaded = load_entries(db)?;
        let analysis = series::analyse(&series::Input {
            activities: &loaded.entries,
            settings: &settings,
            signals: &self.signals,
            today,
        });
        let mut d = data_findings(&analysis, today, &self.prefill);
        d.units = prof.units.unwrap_or_else(|| "km".to_string());
        Ok(d)
    }

    /// Merge data findings into `findings` where the runner has not answered already.
    /// Returns the reasons to show as "from your data".
    pub fn apply_data_findings(
        &self,
        findings: &mut hamstride_core::Findings,
        d: &DataFindings,
    ) -> Vec<DataReason> {
        let mut shown = Vec::new();
        let schema = &self.kb.schema;
        if !d.recent_training_change.is_empty() {
            if let Some(i) = schema.index("recent_training_change") {
                let field = &schema.fields[i];
                let bits = d
                    .recent_training_change
                    .iter()
                    .filter_map(|v| field.value_index(v).ok())
                    .fold(0u64, |acc, k| acc | (1u64 << k));
                if findings.get(i).is_none() && bits != 0 {
                    findings.set(i, Some(Value::Multi(bits)));
                    shown.extend(d.reasons.iter().filter(|r| r.answer != WEEKLY_KM).cloned());
                }
            }
        }
        if let (Some(km), Some(i)) = (d.weekly_km, schema.index("weekly_km")) {
            if findings.get(i).is_none() {
                findings.set(i, Some(Value::Num(km)));
                shown.extend(d.reasons.iter().filter(|r| r.answer == WEEKLY_KM).cloned());
            }
        }
        shown
    }
}

/// The pure part of [`Service::findings_from_data`]: the tests and thresholds of `rules`
/// (`kb/prefill.toml`) over the recent window against the one before it.
pub fn data_findings(a: &Analysis, today: Date, rules: &Prefill) -> DataFindings {
    let window = rules.window_days;
    let weeks = rules.window_weeks();
    let from = today.saturating_sub(Span::new().days(window - 1));
    let prev_from = today.saturating_sub(Span::new().days(2 * window - 1));
    let prev_to = from.yesterday().unwrap_or(from);
    let recent_flags = |id: SignalId| {
        a.flags
            .iter()
            .filter(move |f| f.signal == id && f.date >= from && f.date <= today)
    };
    let mut changes = Vec::new();
    let mut reasons = Vec::new();
    let sum = |lo: Date, hi: Date, f: &dyn Fn(&series::Day) -> f64| -> f64 {
        a.days
            .iter()
            .filter(|d| d.date >= lo && d.date <= hi)
            .map(f)
            .sum()
    };
    // Both windows inside the history, or only the recent one.
    let covered_both = a.first_day.is_some_and(|f| f <= prev_from);
    let covered_recent = a.first_day.is_some_and(|f| f <= from);
    let recent_km = sum(from, today, &|d| d.distance_m) / 1000.0;
    let runs: Vec<&series::RunSummary> = a.runs.iter().filter(|r| r.date <= today).collect();
    for change in &rules.changes {
        let evidence = match &change.test {
            Test::DistanceRatio { ratio } => {
                let prev_km = sum(prev_from, prev_to, &|d| d.distance_m) / 1000.0;
                (covered_both && prev_km > 0.0 && recent_km > prev_km * ratio).then_some(
                    DataEvidence::MoreDistance {
                        recent_m: recent_km * 1000.0,
                        previous_m: prev_km * 1000.0,
                    },
                )
            }
            // The latest flag of the last listed signal that has one.
            Test::Flags { signals } => signals
                .iter()
                .flat_map(|&id| recent_flags(id))
                .last()
                .map(|f| DataEvidence::Flag(f.clone())),
            Test::DescentRatio { min_m, ratio } => {
                let recent = sum(from, today, &|d| d.descent_m);
                let prev = sum(prev_from, prev_to, &|d| d.descent_m);
                (covered_both && recent >= *min_m && recent > ratio * prev).then_some(
                    DataEvidence::MoreDescent {
                        recent_m: recent,
                        previous_m: prev,
                    },
                )
            }
            // The first run of the window after a gap, with running before the gap.
            Test::Gap { min_days } => runs
                .iter()
                .position(|r| r.date >= from)
                .filter(|&pos| pos > 0)
                .and_then(|pos| {
                    let gap = i64::from((runs[pos].date - runs[pos - 1].date).get_days());
                    (gap >= *min_days).then_some(DataEvidence::Break {
                        days: gap,
                        back_on: runs[pos].date,
                    })
                }),
        };
        if let Some(evidence) = evidence {
            if !changes.contains(&change.value) {
                changes.push(change.value.clone());
                reasons.push(DataReason {
                    answer: change.value.clone(),
                    label: change.label.clone(),
                    weeks,
                    evidence,
                });
            }
        }
    }
    let runs_28d = runs.iter().filter(|r| r.date >= from).count();
    let weekly_km = covered_recent.then_some(recent_km / weeks as f64);
    if let Some(km) = weekly_km {
        reasons.push(DataReason {
            answer: WEEKLY_KM.to_string(),
            label: String::new(),
            weeks,
            evidence: DataEvidence::WeeklyDistance {
                mean_m: km * 1000.0,
                runs: runs_28d,
            },
        });
    }
    DataFindings {
        recent_training_change: changes,
        weekly_km: weekly_km.map(|k| (k * 10.0).round() / 10.0),
        reasons,
        runs_28d,
        units: "km".to_string(),
    }
}

/// The finding the mean weekly distance fills, and the answer code of its reason.
const WEEKLY_KM: &str = "weekly_km";

/// Save profile fields given on the command line; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub units: Option<String>,
    pub timezone: Option<String>,
    pub hr_rest: Option<f64>,
    pub hr_max: Option<f64>,
    pub hr_curve: Option<String>,
}

/// Apply a profile update after checking every field (nothing is saved when one is wrong).
pub fn update_profile(db: &mut AthleteDb, u: &ProfileUpdate, now: Now) -> Result<Profile, Error> {
    let mut p = profile(db)?;
    if let Some(v) = &u.units {
        // The CLI's argument parser allows only these; a form can send anything.
        if v != "km" && v != "mi" {
            return Err(input("units", format!("'{v}' is not km or mi")));
        }
        p.units = Some(v.clone());
    }
    if let Some(v) = &u.timezone {
        p.timezone = Some(v.clone());
        time_zone(&p)?;
    }
    if let Some(v) = u.hr_rest {
        if !(25.0..=120.0).contains(&v) {
            return Err(input("hr_rest", format!("{v} bpm is outside 25-120")));
        }
        p.hr_rest = Some(v);
    }
    if let Some(v) = u.hr_max {
        if !(120.0..=240.0).contains(&v) {
            return Err(input("hr_max", format!("{v} bpm is outside 120-240")));
        }
        p.hr_max = Some(v);
    }
    if let (Some(r), Some(m)) = (p.hr_rest, p.hr_max) {
        if r + 20.0 >= m {
            return Err(input(
                "hr_rest",
                format!("resting heart rate {r} must be well below the maximum {m}"),
            ));
        }
    }
    if let Some(v) = &u.hr_curve {
        if v != "men" && v != "women" {
            return Err(input("hr_curve", format!("'{v}' is not men or women")));
        }
        p.hr_curve = Some(v.clone());
    }
    crate::plans::set_profile(db, &p, now)?;
    Ok(p)
}
