//! From an assessment to a plan, and from a plan to the sessions of any day.
//!
//! [`generate`] picks the protocol (the condition's, by strain severity; a referral plan whenever
//! triage is emergency or urgent, whatever the condition), works out the timeline from the
//! protocol's typical times lengthened by the prognostic factors that match the findings, and
//! returns the plan's state. [`day`] expands the state into the exercises and the run of one
//! date. The state is all that is stored: the content (exercises, phases, texts) is read from
//! the knowledge base each time, so a corrected knowledge base corrects existing plans.
//!
//! Safety invariants kept here (and property-tested): a plan made while triage is emergency or
//! urgent schedules no running and no loading; running waits for a clinician when triage says to
//! see one; the schedule of a phase never contains what the protocol's phase does not list.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::engine::Outcome;
use crate::expr::EvalContext;
use crate::findings::{Findings, Value};
use crate::kb::{Kb, TriageLevel};
use crate::plan::codes::{Referred, TimelineReason};
use crate::plan::library::{PlanKb, Protocol, Referral, RunLevel, Stage};
use crate::Error;

/// Criterion added when triage says to see a clinician: running waits for it.
pub const SEEN_CLINICIAN: &str = "seen-clinician";

/// Rank of the urgent level in [`LEVELS`]; at or below it a plan is a referral plan.
const URGENT: u8 = 1;
const CLINICIAN: u8 = 2;

/// The expected timeline, as dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// First walk-jog, earliest and latest typical date (None: no running planned yet).
    pub running: Option<[Date; 2]>,
    /// Back to full training.
    pub full: Option<[Date; 2]>,
    /// The product of the factors applied to the typical times.
    pub factor: f64,
    /// Why the estimate is longer (or shorter) than typical.
    #[serde(deserialize_with = "crate::plan::codes::timeline_reasons")]
    pub reasons: Vec<TimelineReason>,
    /// Whether the day-7 re-estimate has been made.
    pub reestimated: bool,
}

/// The stored state of a runner's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanState {
    pub protocol: String,
    pub condition: String,
    pub severity: Option<String>,
    /// Why the severity was chosen.
    pub severity_reason: Option<String>,
    /// Triage level when the plan was made or last escalated.
    pub triage: TriageLevel,
    pub triage_headline: String,
    pub onset: Date,
    pub start: Date,
    pub phase: usize,
    pub phase_start: Date,
    /// Index into the protocol's ladder of the current run stage, once running has begun.
    pub run_stage: Option<usize>,
    pub last_run: Option<Date>,
    /// Exit criteria of the current phase the runner has reported met.
    pub criteria_met: Vec<String>,
    /// Consecutive check-ins inside the pain rules in this phase.
    pub settled: u32,
    /// After a step back: do the easier version of each exercise until the next good check-in.
    pub ease: bool,
    /// Running waits until a clinician has seen the runner.
    pub needs_clinician: bool,
    /// Pain now at the assessment, the first morning baseline.
    pub baseline_pain: Option<u8>,
    pub timeline: Timeline,
    /// Dates when the red-flag screen was last fully answered.
    pub last_screen: Option<Date>,
    /// Weeks (since start) with a step-back trigger, for the two-week escalation.
    pub strike_weeks: Vec<i64>,
    /// Standing referral notes added by check-ins (physio after two bad weeks, doctor when not
    /// settling).
    #[serde(deserialize_with = "crate::plan::codes::referrals")]
    pub referrals: Vec<Referred>,
}

impl PlanState {
    pub fn protocol<'a>(&self, pkb: &'a PlanKb) -> Result<&'a Protocol, Error> {
        pkb.protocol(&self.protocol).ok_or_else(|| {
            Error::kb(
                "protocols.toml",
                &self.protocol,
                "the stored plan names a protocol this version of hamstride does not have; assess again",
            )
        })
    }

    /// The running level in force: the phase's, or none while a clinician has to be seen.
    pub fn run_level(&self, p: &Protocol) -> RunLevel {
        let phase = &p.phase[self.phase.min(p.phase.len() - 1)];
        if self.needs_clinician {
            RunLevel::None
        } else {
            phase.running
        }
    }

    /// The run stage that applies on a day, if any: the current stage, held back to the highest
    /// stage the phase allows.
    pub fn current_stage<'a>(&self, pkb: &'a PlanKb, p: &Protocol) -> Option<(usize, &'a Stage)> {
        let level = self.run_level(p);
        if level == RunLevel::None {
            return None;
        }
        let ladder = pkb.ladder(&p.run_ladder)?;
        let want = self.run_stage.unwrap_or(0).min(ladder.stage.len() - 1);
        (0..=want)
            .rev()
            .find(|&i| ladder.stage[i].level <= level)
            .map(|i| (i, &ladder.stage[i]))
    }
}

/// Severity of the condition from the knowledge base's rules (first match wins).
pub fn severity<'a>(pkb: &'a PlanKb, condition: &str, f: &Findings) -> Option<(&'a str, &'a str)> {
    let ctx = EvalContext::FINDINGS_ONLY;
    pkb.severity
        .iter()
        .filter(|s| s.condition == condition)
        .find(|s| s.when.eval(f, &ctx))
        .map(|s| (s.level.as_str(), s.text.as_str()))
}

/// Pick the protocol for a condition, severity and triage level.
pub fn choose_protocol<'a>(
    pkb: &'a PlanKb,
    condition: &str,
    severity: Option<&str>,
    level: u8,
) -> Result<&'a Protocol, Error> {
    let urgent_any = || {
        pkb.protocols
            .iter()
            .find(|p| p.condition == "any" && p.referral >= Referral::Urgent)
            .ok_or_else(|| Error::kb("protocols.toml", "", "no urgent referral protocol"))
    };
    let own = pkb
        .protocols
        .iter()
        .filter(|p| p.condition == condition)
        .find(|p| severity.is_none_or(|s| p.severity == s) || p.severity == "any")
        .or_else(|| pkb.protocols.iter().find(|p| p.condition == condition));
    match own {
        // A condition that itself needs urgent care keeps its own, more specific referral plan.
        Some(p) if p.referral >= Referral::Urgent => Ok(p),
        _ if level <= URGENT => urgent_any(),
        Some(p) => Ok(p),
        None => urgent_any(),
    }
}

fn num(kb: &Kb, f: &Findings, id: &str) -> Option<f64> {
    match kb.schema.index(id).and_then(|i| f.get(i)) {
        Some(Value::Num(x)) => Some(*x),
        _ => None,
    }
}

/// Timeline from the typical days, the prognostic factors and an extra factor (day-7 re-estimate).
pub fn timeline(
    pkb: &PlanKb,
    p: &Protocol,
    f: &Findings,
    onset: Date,
    today: Date,
    extra: &[(f64, TimelineReason)],
) -> Timeline {
    let ctx = EvalContext::FINDINGS_ONLY;
    let mut factor = 1.0;
    let mut reasons = Vec::new();
    for g in &pkb.prognostic {
        if g.conditions.iter().any(|c| c == &p.condition) && g.when.eval(f, &ctx) {
            factor *= g.factor;
            reasons.push(TimelineReason::Kb {
                text: g.text.clone(),
            });
        }
    }
    for (x, why) in extra {
        factor *= x;
        reasons.push(why.clone());
    }
    let factor = factor.clamp(0.5, pkb.pain.max_factor);
    let span = |d: [u32; 2]| -> Option<[Date; 2]> {
        if d == [0, 0] {
            return None;
        }
        let at = |n: u32| {
            let days = (f64::from(n) * factor).round() as i64;
            let date = onset.saturating_add(jiff::Span::new().days(days));
            date.max(today)
        };
        Some([at(d[0]), at(d[1])])
    };
    Timeline {
        running: span(p.timeline_running_days),
        full: span(p.timeline_full_days),
        factor,
        reasons,
        reestimated: false,
    }
}

/// Make a plan from an assessment. `today` is the plan's first day.
pub fn generate(
    kb: &Kb,
    pkb: &PlanKb,
    f: &Findings,
    outcome: &Outcome,
    today: Date,
) -> Result<PlanState, Error> {
    let condition = outcome
        .assessment
        .differential
        .first()
        .map(|d| d.condition.clone())
        .unwrap_or_else(|| pkb.unranked_condition.clone());
    let sev = severity(pkb, &condition, f);
    let p = choose_protocol(pkb, &condition, sev.map(|s| s.0), outcome.level)?;
    let days = num(kb, f, "days_since_onset")
        .unwrap_or(0.0)
        .clamp(0.0, 3650.0) as i64;
    let onset = today.saturating_sub(jiff::Span::new().days(days));
    let level = outcome.level.min(3);
    let needs_clinician = level == CLINICIAN
        && p.referral < Referral::DoctorSoon
        && p.phase.iter().any(|ph| ph.running > RunLevel::None);
    let baseline_pain = num(kb, f, "pain_now").map(|x| x.clamp(0.0, 10.0) as u8);
    let mut st = start(
        pkb,
        p,
        f,
        onset,
        today,
        TriageLevel::from_rank(level),
        &outcome.assessment.triage.headline,
    );
    st.condition = condition;
    st.severity = sev.filter(|_| p.severity != "any").map(|s| s.0.to_string());
    st.severity_reason = sev.filter(|_| p.severity != "any").map(|s| s.1.to_string());
    st.needs_clinician = needs_clinician;
    st.baseline_pain = baseline_pain;
    // A runner who still runs normally (a tendon problem, tightness) does not start the ladder
    // at walk-jog: the first stage is the first continuous easy run the phase allows.
    let runs_normally = kb
        .schema
        .index("running")
        .and_then(|i| f.get(i).map(|v| (i, v)))
        .is_some_and(|(i, v)| {
            matches!(v, Value::Enum(e) if kb.schema.fields[i].values().get(usize::from(*e)).is_some_and(|x| x == "normal"))
        });
    if runs_normally && p.phase[0].running >= RunLevel::Easy {
        if let Some(l) = pkb.ladder(&p.run_ladder) {
            st.run_stage = l.stage.iter().position(|s| s.level >= RunLevel::Easy);
        }
    }
    Ok(st)
}

/// A fresh plan on protocol `p`, from its first phase.
pub fn start(
    pkb: &PlanKb,
    p: &Protocol,
    f: &Findings,
    onset: Date,
    today: Date,
    triage: TriageLevel,
    headline: &str,
) -> PlanState {
    let mut tl = timeline(pkb, p, f, onset, today, &[]);
    if p.referral >= Referral::Urgent {
        tl.reasons.push(TimelineReason::NoTimelineUntilSeen);
    }
    PlanState {
        protocol: p.id.clone(),
        condition: p.condition.clone(),
        severity: None,
        severity_reason: None,
        triage,
        triage_headline: headline.to_string(),
        onset,
        start: today,
        phase: 0,
        phase_start: today,
        run_stage: None,
        last_run: None,
        criteria_met: Vec::new(),
        settled: 0,
        ease: false,
        needs_clinician: false,
        baseline_pain: None,
        timeline: tl,
        last_screen: Some(today),
        strike_weeks: Vec::new(),
        referrals: Vec::new(),
    }
}

/// The prevention programme for a runner without pain.
pub fn prevention(kb: &Kb, pkb: &PlanKb, today: Date) -> Result<PlanState, Error> {
    let p = pkb
        .protocols
        .iter()
        .find(|p| p.condition == "prevention")
        .ok_or_else(|| Error::kb("protocols.toml", "prevention", "no prevention protocol"))?;
    let f = Findings::empty(&kb.schema);
    Ok(start(
        pkb,
        p,
        &f,
        today,
        today,
        TriageLevel::SelfCare,
        "No pain: a programme to lower the chance of a hamstring injury.",
    ))
}

/// One thing to do on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    Exercise {
        id: String,
        /// 2 for twice-daily exercises.
        times: u8,
    },
    Run {
        ladder: String,
        stage: usize,
        id: String,
    },
    /// The ladder is complete and the phase allows full training.
    NormalTraining,
}

/// The sessions of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    pub date: Date,
    pub items: Vec<Item>,
}

impl Day {
    pub fn is_rest(&self) -> bool {
        self.items.is_empty()
    }
    pub fn has_run(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Run { .. }))
    }
}

fn days_between(a: Date, b: Date) -> i64 {
    i64::from((b - a).get_days())
}

/// Whether a run falls on `date`: the first run of a stage comes on the phase's first day or
/// `spacing` days after the last run, then every `spacing` days.
fn run_on(st: &PlanState, stage: &Stage, date: Date) -> bool {
    let spacing = i64::from(stage.spacing_days.max(1));
    let next = match st.last_run {
        Some(d) => d
            .saturating_add(jiff::Span::new().days(spacing))
            .max(st.phase_start),
        None => st.phase_start,
    };
    let k = days_between(next, date);
    k >= 0 && k % spacing == 0
}

/// The sessions of `date` under the plan's current state (later days assume the state holds).
pub fn day(pkb: &PlanKb, st: &PlanState, date: Date) -> Result<Day, Error> {
    let p = st.protocol(pkb)?;
    let phase = &p.phase[st.phase.min(p.phase.len() - 1)];
    let mut items = Vec::new();
    if date < st.phase_start {
        return Ok(Day { date, items });
    }
    let k = days_between(st.phase_start, date);
    let stage = st.current_stage(pkb, p);
    let ladder = pkb.ladder(&p.run_ladder);
    // Past the last stage, and the phase allows that last stage: back to normal training.
    let ladder_len = ladder.map_or(0, |l| l.stage.len());
    let ladder_done = matches!(stage, Some((i, _)) if i + 1 == ladder_len)
        && st.run_stage.is_some_and(|r| r >= ladder_len);
    // With a ladder, runs fall on the ladder's days. Without one (cramp, soreness, tightness,
    // prevention: the runner's own running continues), running drills and strides keep their own
    // frequency and the warm-up goes with them.
    let own_running =
        stage.is_none() && st.run_level(p) >= crate::plan::RunLevel::Easy && ladder.is_none();
    let run_today = match stage {
        Some((_, s)) if !ladder_done => run_on(st, s, date),
        Some(_) => true,
        None => false,
    };
    let drills_today = own_running
        && phase
            .exercises
            .iter()
            .filter_map(|id| pkb.exercise(id))
            .any(|x| {
                x.running
                    && phase.frequency_of(x) != crate::plan::Frequency::BeforeRuns
                    && phase.frequency_of(x).on_day(k)
            });
    for id in &phase.exercises {
        let Some(x) = pkb.exercise(id) else {
            return Err(Error::kb(
                "protocols.toml",
                &phase.id,
                format!("unknown exercise '{id}'"),
            ));
        };
        // After a strain some exercises wait for their day from the injury (the lengthening
        // exercises start at about day 5), whichever phase the runner has reached.
        if pkb
            .start_day(x, &p.condition)
            .is_some_and(|n| days_between(st.onset, date) < i64::from(n))
        {
            continue;
        }
        let freq = phase.frequency_of(x);
        let on = match freq {
            crate::plan::Frequency::BeforeRuns => run_today || drills_today,
            f => f.on_day(k),
        };
        // Running drills and strides belong to run days only, whatever their frequency says.
        if on && (!x.running || run_today || own_running) {
            let times = if freq == crate::plan::Frequency::TwiceDaily {
                2
            } else {
                1
            };
            items.push(Item::Exercise {
                id: id.clone(),
                times,
            });
        }
    }
    if run_today {
        match stage {
            Some(_) if ladder_done => items.push(Item::NormalTraining),
            Some((i, s)) => items.push(Item::Run {
                ladder: p.run_ladder.clone(),
                stage: i,
                id: s.id.clone(),
            }),
            None => {}
        }
    }
    Ok(Day { date, items })
}

/// The sessions of `n` days from `from`.
pub fn days(pkb: &PlanKb, st: &PlanState, from: Date, n: u32) -> Result<Vec<Day>, Error> {
    (0..n)
        .map(|i| {
            day(
                pkb,
                st,
                from.saturating_add(jiff::Span::new().days(i64::from(i))),
            )
        })
        .collect()
}
