//! Use cases of the runner's own record: keep an assessment and the plan made from it, show the
//! plan, take a check-in (re-running the red-flag screen on the day's answers), and export the
//! plan as Markdown, iCalendar and FIT workout files (as bytes: the adapter decides where
//! they go, a folder for the CLI, a download for the web).
//!
//! Every write goes through one store transaction, and nothing is written until the input has
//! been validated, so a bad check-in or an interrupted command loses nothing already stored.

use hamstride_analytics::pain::PainEntry;
use hamstride_core::findings::Value;
use hamstride_core::plan::{self, CheckIn, Decision, PlanState, PlanView, Record};
use hamstride_core::{Findings, Kb};
use hamstride_store::{AssessmentRow, NewCheckin, NewPain};
use jiff::civil::Date;

use crate::db::AthleteDb;
use crate::{Error, Service};

/// "Now", as the service sees it: one instant (UTC ms). The runner's "today" is worked out
/// from it in the runner's own time zone ([`Service::today`]), never the machine's, so a
/// server in UTC gives a runner in Sydney and one in Los Angeles each their own date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub ms: i64,
}

impl Now {
    /// The system clock.
    pub fn system() -> Now {
        Now {
            ms: jiff::Timestamp::now().as_millisecond(),
        }
    }

    /// A fixed instant (tests, replays).
    pub fn at_ms(ms: i64) -> Now {
        Now { ms }
    }
}

/// How many times a check-in is decided again when another check-in for the same plan was
/// stored between reading the plan and writing (optimistic versioning); each retry reads the
/// newer state, so no check-in is lost.
const CHECKIN_RETRIES: usize = 16;

/// The active plan with what it was made from.
#[derive(Debug, Clone)]
pub struct ActivePlan {
    pub id: i64,
    /// None for the prevention programme.
    pub assessment_id: Option<i64>,
    /// The stored version of `state` (check-ins applied so far).
    pub version: i64,
    pub state: PlanState,
    pub findings: Findings,
    pub history: Vec<Record>,
}

/// What a new assessment does to an active plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnActivePlan {
    /// Make the new plan active; the current one stays in the history.
    Replace,
    /// Keep the current plan active; the new one waits in the history. (A result that needs a
    /// doctor urgently replaces it anyway, and says so.)
    Keep,
}

/// What [`Service::record_assessment`] did.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The stored assessment's id.
    pub assessment_id: i64,
    /// The plan made from the assessment.
    pub state: PlanState,
    pub plan_id: i64,
    /// Whether that plan is now the active one.
    pub active: bool,
    /// The plan it replaced, if any.
    pub replaced: Option<PlanSummary>,
    /// The plan that stays active instead, if any.
    pub kept: Option<PlanSummary>,
    /// The runner asked to keep their plan, but the result needs a doctor urgently.
    pub replaced_for_urgency: bool,
}

/// A plan in one line, for the history and for "this replaced that".
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanSummary {
    pub id: i64,
    /// The runner's date it was made.
    pub made: Date,
    pub protocol: String,
    pub phase: String,
    pub triage: hamstride_core::TriageLevel,
    /// Check-ins applied to it.
    pub check_ins: i64,
    pub active: bool,
}

/// A check-in as the adapter collected it.
#[derive(Debug, Clone, Default)]
pub struct CheckInInput {
    pub date: Option<Date>,
    pub pain_during: Option<i64>,
    pub pain_after: Option<i64>,
    pub pain_morning: Option<i64>,
    pub done: Vec<String>,
    pub criteria: Vec<String>,
    /// The red-flag screen: None = not answered today; Some(list) = the warning signs present now
    /// (empty: none of them).
    pub red_flags: Option<Vec<String>>,
    pub seen_clinician: bool,
    pub note: Option<String>,
}

/// What a check-in did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckInResult {
    pub date: Date,
    pub decision: Decision,
    pub phase: String,
    pub triage: hamstride_core::TriageLevel,
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Store(hamstride_store::Error::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn input(field: &str, problem: impl Into<String>) -> Error {
    Error::Input {
        field: field.to_string(),
        problem: problem.into(),
    }
}

impl Service {
    /// Keep an assessment with the plan made from it. An active plan is replaced only when
    /// `on_active` says so, or when the new result needs a doctor urgently (a rehabilitation
    /// plan must not go on past a red flag); otherwise the new plan waits in the history
    /// (`plan restore`). The caller is told which happened, so nothing is replaced silently.
    pub fn record_assessment(
        &self,
        db: &mut AthleteDb,
        findings: &Findings,
        outcome: &hamstride_core::engine::Outcome,
        now: Now,
        on_active: OnActivePlan,
    ) -> Result<Recorded, Error> {
        let today = self.today(db, now)?;
        let state =
            plan::generate(&self.kb, &self.plans, findings, outcome, today).map_err(Error::Kb)?;
        let row = AssessmentRow {
            id: 0,
            created_ms: now.ms,
            kb_version: self.kb.version.clone(),
            condition: state.condition.clone(),
            triage: outcome.assessment.triage.level.clone(),
            findings: to_json("findings", &self.findings_json(findings))?,
            result: to_json("assessment", &outcome.assessment)?,
        };
        let current = self.current_plan_summary(db)?;
        let urgent = state.triage >= hamstride_core::TriageLevel::Urgent;
        let activate = current.is_none() || urgent || on_active == OnActivePlan::Replace;
        let json = crate::stored::plan_to_json(&self.plans, &state)?;
        let (assessment_id, plan_id) = db.record_assessment(&row, Some(&json), activate)?;
        Ok(Recorded {
            assessment_id,
            plan_id: plan_id.unwrap_or_default(),
            active: activate,
            replaced: current.clone().filter(|_| activate),
            kept: current.filter(|_| !activate),
            replaced_for_urgency: urgent && on_active == OnActivePlan::Keep,
            state,
        })
    }

    /// The active plan in a line, if there is one.
    pub fn current_plan_summary(&self, db: &AthleteDb) -> Result<Option<PlanSummary>, Error> {
        let tz = crate::training::time_zone(&profile(db)?)?;
        db.active_plan_row()?
            .map(|row| self.plan_summary(db, &row, true, &tz))
            .transpose()
    }

    /// Every plan, newest first: what it was for, where it got to, and which is active.
    pub fn plan_history(&self, db: &AthleteDb) -> Result<Vec<PlanSummary>, Error> {
        let tz = crate::training::time_zone(&profile(db)?)?;
        db.plan_rows()?
            .iter()
            .map(|(row, active)| self.plan_summary(db, row, *active, &tz))
            .collect()
    }

    fn plan_summary(
        &self,
        db: &AthleteDb,
        row: &hamstride_store::PlanRow,
        active: bool,
        tz: &jiff::tz::TimeZone,
    ) -> Result<PlanSummary, Error> {
        let st = crate::stored::plan_from_json(&self.plans, &row.state)?;
        let p = st.protocol(&self.plans).map_err(Error::Kb)?;
        Ok(PlanSummary {
            id: row.id,
            made: crate::training::local_date(row.created_ms, tz).unwrap_or(st.start),
            protocol: p.name.clone(),
            phase: p.phase[st.phase.min(p.phase.len() - 1)].name.clone(),
            triage: st.triage,
            // Counted, not the row's version: restoring a plan moves its version on too.
            check_ins: db.checkins(row.id)?.len() as i64,
            active,
        })
    }

    /// Make an earlier plan the active one again; the current one stays in the history.
    pub fn restore_plan(&self, db: &mut AthleteDb, id: i64) -> Result<PlanSummary, Error> {
        match db.restore_plan(id) {
            Err(Error::Store(hamstride_store::Error::NotFound(m))) => {
                return Err(input("plan", format!("{m} (see `hamstride plan history`)")))
            }
            other => other?,
        }
        self.current_plan_summary(db)?
            .ok_or_else(|| corrupt("plan", "no active plan after restoring one"))
    }

    /// Start the prevention programme (a runner without pain) as the active plan.
    pub fn start_prevention(&self, db: &mut AthleteDb, now: Now) -> Result<PlanState, Error> {
        let today = self.today(db, now)?;
        let state = plan::prevention(&self.kb, &self.plans, today).map_err(Error::Kb)?;
        let json = crate::stored::plan_to_json(&self.plans, &state)?;
        db.start_plan(&json, now.ms)?;
        Ok(state)
    }

    /// The active plan, or a clear error when there is none yet.
    pub fn active_plan(&self, db: &AthleteDb) -> Result<ActivePlan, Error> {
        let Some(row) = db.active_plan_row()? else {
            return Err(Error::NoAssessment);
        };
        let state: PlanState = crate::stored::plan_from_json(&self.plans, &row.state)?;
        let findings = match row.assessment_id {
            None => Findings::empty(&self.kb.schema),
            Some(aid) => {
                let a = db
                    .assessment(aid)?
                    .ok_or_else(|| corrupt("plan", "its assessment is missing"))?;
                Findings::from_json_str(&self.kb.schema, &a.findings, false)
                    .map_err(|e| corrupt("stored findings", e))?
                    .findings
            }
        };
        let mut history = Vec::new();
        for c in db.checkins(row.id)? {
            history.push(Record {
                checkin: serde_json::from_str(&c.entry)
                    .map_err(|e| corrupt("stored check-in", e))?,
                decision: serde_json::from_str(&c.decision)
                    .map_err(|e| corrupt("stored decision", e))?,
            });
        }
        scores_from_diary(&mut history, &crate::training::pain_diary(db)?);
        Ok(ActivePlan {
            id: row.id,
            assessment_id: row.assessment_id,
            version: row.version,
            state,
            findings,
            history,
        })
    }

    /// The active plan's latest check-in as it was decided, with the phase and level the
    /// plan is in now (the check-in's own result, since no later one has moved the plan), or
    /// `None` before the first. A page shown after a saved check-in reads it here, so that
    /// reloading that page shows the result again instead of sending the form twice.
    pub fn last_check_in(&self, db: &AthleteDb) -> Result<Option<CheckInResult>, Error> {
        let plan = self.active_plan(db)?;
        let Some(row) = db.checkins(plan.id)?.into_iter().max_by_key(|c| c.id) else {
            return Ok(None);
        };
        let entry: CheckIn =
            serde_json::from_str(&row.entry).map_err(|e| corrupt("stored check-in", e))?;
        let decision: Decision =
            serde_json::from_str(&row.decision).map_err(|e| corrupt("stored decision", e))?;
        let p = plan.state.protocol(&self.plans).map_err(Error::Kb)?;
        Ok(Some(CheckInResult {
            date: entry.date,
            phase: p.phase[plan.state.phase.min(p.phase.len() - 1)]
                .name
                .clone(),
            triage: plan.state.triage,
            decision,
        }))
    }

    /// Whether the full warning-sign screen is due with a check-in on `date` (day 3, day 7,
    /// then weekly), so an adapter knows to ask it.
    pub fn screen_due(&self, plan: &ActivePlan, date: Date) -> bool {
        plan::progress::screen_due(&self.plans, &plan.state, date)
    }

    /// The plan as the runner reads it on `today`.
    pub fn plan_view(&self, plan: &ActivePlan, today: Date) -> Result<PlanView, Error> {
        plan::view(&self.kb, &self.plans, &plan.state, today).map_err(Error::Kb)
    }

    /// The findings of the plan's assessment updated with a check-in: the red-flag answers,
    /// the days since onset, today's pain and its trend. Re-assessing them is the re-screen.
    fn updated_findings(
        &self,
        plan: &ActivePlan,
        c: &CheckInInput,
        date: Date,
    ) -> Result<Findings, Error> {
        let kb: &Kb = &self.kb;
        let mut f = plan.findings.clone();
        let set = |f: &mut Findings, id: &str, v: Value| {
            if let Some(i) = kb.schema.index(id) {
                f.set(i, Some(v));
            }
        };
        if let Some(flags) = &c.red_flags {
            let items: Vec<&str> = kb
                .screens
                .iter()
                .flat_map(|s| s.items.iter().map(String::as_str))
                .collect();
            for flag in flags {
                if !items.contains(&flag.as_str()) {
                    return Err(input(
                        "red_flags",
                        format!("unknown warning sign '{flag}'; known: {}", items.join(", ")),
                    ));
                }
            }
            for item in &items {
                set(&mut f, item, Value::Bool(flags.iter().any(|x| x == item)));
            }
        }
        let elapsed = i64::from((date - plan.state.onset).get_days()).max(0);
        set(&mut f, "days_since_onset", Value::Num(elapsed as f64));
        if let Some(m) = c.pain_morning {
            set(&mut f, "pain_now", Value::Num(m as f64));
            if let Some(base) = plan.state.baseline_pain {
                let trend = match i64::from(base) - m {
                    d if d >= 1 => "improving",
                    d if d <= -1 => "worsening",
                    _ => "unchanged",
                };
                if let Some(i) = kb.schema.index("trend") {
                    if let Ok(v) = kb.schema.fields[i].value_index(trend) {
                        f.set(i, Some(Value::Enum(v)));
                    }
                }
            }
        }
        Ok(f)
    }

    /// Take a check-in: validate it, re-run the red-flag screen, decide, and store the check-in
    /// with the plan's new state in one transaction.
    pub fn check_in(
        &self,
        db: &mut AthleteDb,
        c: &CheckInInput,
        now: Now,
    ) -> Result<CheckInResult, Error> {
        let today = self.today(db, now)?;
        for _ in 0..CHECKIN_RETRIES {
            let plan = self.active_plan(db)?;
            let (result, row) = self.decide_check_in(&plan, c, today)?;
            let diary = diary_row(db, &row.checkin)?;
            let stored = db.record_checkin(&NewCheckin {
                plan_id: plan.id,
                plan_version: plan.version,
                now_ms: now.ms,
                day: &result.date.to_string(),
                entry: &row.entry,
                decision: &row.decision,
                new_state: &row.state,
                pain: diary.as_ref().map(|(day, run, json)| NewPain {
                    day,
                    activity_id: *run,
                    entry: json,
                    now_ms: now.ms,
                }),
            });
            match stored {
                Ok(_) => return Ok(result),
                // Another check-in landed first: decide again on the state it left.
                Err(Error::Store(hamstride_store::Error::Conflict(_))) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Busy(
            "the plan kept changing while this check-in was saved; nothing was saved, try again"
                .into(),
        ))
    }

    /// The pure part of a check-in: validate, re-screen, decide. Nothing is written.
    fn decide_check_in(
        &self,
        plan: &ActivePlan,
        c: &CheckInInput,
        today: Date,
    ) -> Result<(CheckInResult, CheckInRow), Error> {
        let date = c.date.unwrap_or(today);
        if date > today {
            return Err(input("date", format!("{date} is in the future")));
        }
        let pain = |field: &str, v: Option<i64>| -> Result<Option<u8>, Error> {
            match v {
                None => Ok(None),
                Some(x) if (0..=10).contains(&x) => Ok(Some(x as u8)),
                Some(x) => Err(input(
                    field,
                    format!("{x} is outside 0-10 (0 = no pain, 10 = worst imaginable)"),
                )),
            }
        };
        let mut criteria = c.criteria.clone();
        if c.seen_clinician {
            criteria.push(plan::SEEN_CLINICIAN.to_string());
        }
        let entry = CheckIn {
            date,
            pain_during: pain("pain_during", c.pain_during)?,
            pain_after: pain("pain_after", c.pain_after)?,
            pain_morning: pain("pain_morning", c.pain_morning)?,
            done: c.done.clone(),
            criteria,
            screened: c.red_flags.is_some(),
            note: c.note.clone(),
        };
        let findings = self.updated_findings(plan, c, date)?;
        let screen = self.assess(&findings);
        let (state, decision) = plan::check_in(
            &self.plans,
            &plan.state,
            &plan.history,
            &entry,
            &screen,
            &findings,
        )
        .map_err(field_error)?;
        let row = CheckInRow {
            checkin: entry.clone(),
            entry: to_json("check-in", &entry)?,
            decision: to_json("decision", &decision)?,
            state: crate::stored::plan_to_json(&self.plans, &state)?,
        };
        let p = state.protocol(&self.plans).map_err(Error::Kb)?;
        let result = CheckInResult {
            date,
            phase: p.phase[state.phase.min(p.phase.len() - 1)].name.clone(),
            triage: state.triage,
            decision,
        };
        Ok((result, row))
    }

    /// The plan's exports: plan.md, plan.ics (the next `weeks` weeks of sessions) and one FIT
    /// workout per return-to-run stage, each with its name relative to the export's folder.
    /// Nothing is written here; the files hold health data, so the adapter stores them
    /// privately (the CLI with mode 0600).
    pub fn export_plan(
        &self,
        plan: &ActivePlan,
        weeks: u32,
        today: Date,
        now: Now,
    ) -> Result<Vec<ExportFile>, Error> {
        let files = hamstride_export::plan_files(
            &self.kb,
            &self.plans,
            &plan.state,
            plan.id,
            today,
            weeks,
            now.ms / 1000,
        )
        .map_err(|e| Error::Export(e.to_string()))?;
        Ok(files
            .into_iter()
            .map(|(name, bytes)| ExportFile { name, bytes })
            .collect())
    }
}

/// One file of an export: its path relative to the export's folder (`plan.md`,
/// `workouts/01-walk-jog.fit`) and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The day a check-in's pain scores belong to in the diary: a check-in is made the morning
/// after a session, so its "during" and "after" are that session's and its "this morning" is
/// the session day's next morning. One day before the check-in.
pub fn diary_day(checkin_date: Date) -> Date {
    checkin_date.yesterday().unwrap_or(checkin_date)
}

/// A diary row to write: its day, the run it is about and its JSON.
type DiaryRow = (String, Option<i64>, String);

/// The diary row a check-in's scores make: the row of its [`diary_day`] as it stands, with the
/// scores laid over it (the rest of the row kept). `None` when the check-in gave no score, so a
/// check-in of only the warning-sign screen leaves the diary alone. The row's run is kept.
fn diary_row(db: &AthleteDb, c: &CheckIn) -> Result<Option<DiaryRow>, Error> {
    if c.pain_during.is_none() && c.pain_after.is_none() && c.pain_morning.is_none() {
        return Ok(None);
    }
    let day = diary_day(c.date);
    let scores = PainEntry {
        date: day,
        activity_id: None,
        site: None,
        side: None,
        during: c.pain_during,
        after: c.pain_after,
        next_morning: c.pain_morning,
        sitting_min: None,
        notes: None,
    };
    let entry = crate::training::merge_pain(crate::training::pain_row_of(db, day)?, scores);
    Ok(Some((
        day.to_string(),
        entry.activity_id,
        to_json("pain entry", &entry)?,
    )))
}

/// The plan's past check-ins read their scores from the diary, the one place pain is kept: a
/// score the runner corrected or added later with `hamstride pain` (for the day before a
/// check-in) is the one the pain rules see.
fn scores_from_diary(history: &mut [Record], diary: &[crate::training::PainRecord]) {
    overlay_diary(
        history,
        |r| r.checkin.date,
        |r| {
            let c = &mut r.checkin;
            [&mut c.pain_during, &mut c.pain_after, &mut c.pain_morning]
        },
        diary,
    );
}

/// Lay the diary's scores over check-ins in date order (`date` of each; `scores` its during,
/// after and morning): each reads the row of its [`diary_day`], where that row has a score.
/// The row of a day holds the latest check-in's scores, so of several check-ins on one date
/// only the last reads it; the earlier ones keep what they said. The plan's history and the
/// report's check-in timeline both read check-ins through this.
pub(crate) fn overlay_diary<T>(
    items: &mut [T],
    date: impl Fn(&T) -> Date,
    scores: impl Fn(&mut T) -> [&mut Option<u8>; 3],
    diary: &[crate::training::PainRecord],
) {
    let dates: Vec<Date> = items.iter().map(&date).collect();
    for (i, item) in items.iter_mut().enumerate() {
        if dates.get(i + 1) == Some(&dates[i]) {
            continue;
        }
        let day = diary_day(dates[i]);
        if let Some(e) = diary.iter().find(|p| p.entry.date == day).map(|p| &p.entry) {
            let [during, after, morning] = scores(item);
            *during = e.during.or(*during);
            *after = e.after.or(*after);
            *morning = e.next_morning.or(*morning);
        }
    }
}

/// Check-in validation errors are the runner's input; knowledge-base errors are not.
fn field_error(e: hamstride_core::Error) -> Error {
    match e {
        hamstride_core::Error::Field { field, problem } => Error::Input { field, problem },
        other => Error::Kb(other),
    }
}

fn to_json<T: serde::Serialize>(what: &str, v: &T) -> Result<String, Error> {
    serde_json::to_string(v).map_err(|e| corrupt(what, e))
}

/// The runner's settings, kept in the database.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// "km" or "mi".
    #[serde(default)]
    pub units: Option<String>,
    /// IANA time zone for calendar days (None: the system's).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Resting and maximum heart rate, bpm (None: estimated from the data).
    #[serde(default)]
    pub hr_rest: Option<f64>,
    #[serde(default)]
    pub hr_max: Option<f64>,
    /// Banister curve: "men" (default) or "women".
    #[serde(default)]
    pub hr_curve: Option<String>,
}

/// A decided check-in, serialised for the store.
struct CheckInRow {
    checkin: CheckIn,
    entry: String,
    decision: String,
    state: String,
}

/// The runner's profile (defaults when none was saved). Needs no knowledge base.
pub fn profile(db: &AthleteDb) -> Result<Profile, Error> {
    match db.profile_json()? {
        None => Ok(Profile::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| corrupt("stored profile", e)),
    }
}

/// Save the runner's profile.
pub fn set_profile(db: &mut AthleteDb, p: &Profile, now: Now) -> Result<(), Error> {
    if let Some(u) = &p.units {
        if u != "km" && u != "mi" {
            return Err(input("units", format!("'{u}' is not km or mi")));
        }
    }
    let json = to_json("profile", p)?;
    db.set_profile_json(&json, now.ms)
}
