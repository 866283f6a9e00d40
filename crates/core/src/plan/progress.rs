//! Check-ins: how a plan responds to the runner's pain, day by day.
//!
//! A check-in is made the morning after a session (or any morning): pain during and straight
//! after the last session, pain this morning (each 0-10), what was done, and which exit criteria
//! of the phase are now met. [`check_in`] applies the brief's rules in a fixed order and returns
//! the new plan state and a decision with its reasons:
//!
//! 1. The red-flag screen is re-run on every check-in (the service re-assesses the findings with
//!    the day's answers): emergency or urgent → the plan becomes a referral plan at once.
//! 2. Not settling (R-S5) and a newly raised triage → running waits for a clinician.
//! 3. Pain-monitoring model: pain during above the protocol's ceiling, a next morning clearly
//!    worse than the morning before, or a rising weekly morning trend → step back (R-C3); the
//!    same in two consecutive weeks → see a physiotherapist.
//! 4. Otherwise progress, one phase at a time and only when every exit criterion is met, the
//!    phase's least days have passed and the last check-ins were settled; or the next run stage
//!    when the last run was inside the rules. Else hold.
//!
//! Nothing here can skip a phase, and a check-in with pain above the ceiling never progresses.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::engine::Outcome;
use crate::kb::LEVELS;
use crate::plan::generate::{choose_protocol, timeline, PlanState, SEEN_CLINICIAN};
use crate::plan::library::{PlanKb, Referral, RunLevel};
use crate::{Error, Findings};

/// What the runner reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    pub date: Date,
    /// Pain during the last session (0-10).
    pub pain_during: Option<u8>,
    /// Pain straight after it.
    pub pain_after: Option<u8>,
    /// Pain this morning.
    pub pain_morning: Option<u8>,
    /// Exercise ids done, and "run" for the plan's run.
    pub done: Vec<String>,
    /// Exit criteria of the current phase now met (ids), including `seen-clinician`.
    pub criteria: Vec<String>,
    /// Whether the full red-flag screen was answered in this check-in.
    pub screened: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Progress,
    Hold,
    StepBack,
    Escalate,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Progress => "progress",
            Verdict::Hold => "hold",
            Verdict::StepBack => "step back",
            Verdict::Escalate => "escalate",
        }
    }
}

/// The plan's answer to a check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why, in plain words, most important first.
    pub reasons: Vec<String>,
    /// What changed in the plan.
    pub changes: Vec<String>,
    /// Set when the runner should see someone: whom and how soon.
    pub referral: Option<Referral>,
    /// The red-flag screen is due today and was not answered.
    pub screen_due: bool,
}

/// A stored check-in with the decision it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub checkin: CheckIn,
    pub decision: Decision,
}

fn days(a: Date, b: Date) -> i64 {
    i64::from((b - a).get_days())
}

/// Whether the red-flag screen is due on `date` (R-C2: day 3 and 7 after onset, then weekly)
/// and has not been answered since it fell due.
pub fn screen_due(pkb: &PlanKb, st: &PlanState, date: Date) -> bool {
    let d = days(st.onset, date);
    let mut due: Option<i64> = None;
    for &r in &pkb.pain.recheck_days {
        if i64::from(r) <= d {
            due = Some(i64::from(r));
        }
    }
    let last = pkb
        .pain
        .recheck_days
        .iter()
        .copied()
        .max()
        .map(i64::from)
        .unwrap_or(0);
    let every = i64::from(pkb.pain.recheck_every_days.max(1));
    if d > last {
        due = Some(last + (d - last) / every * every);
    }
    match due {
        None => false,
        Some(k) => {
            let due_date = st.onset.saturating_add(jiff::Span::new().days(k));
            st.last_screen.is_none_or(|s| s < due_date)
        }
    }
}

/// Validate a check-in against the plan and the library; errors name the field.
pub fn validate(pkb: &PlanKb, st: &PlanState, c: &CheckIn) -> Result<(), Error> {
    for (name, v) in [
        ("pain_during", c.pain_during),
        ("pain_after", c.pain_after),
        ("pain_morning", c.pain_morning),
    ] {
        if let Some(v) = v {
            if v > 10 {
                return Err(Error::field(name, format!("{v} is outside 0-10")));
            }
        }
    }
    for id in &c.done {
        if id != "run" && pkb.exercise(id).is_none() {
            return Err(Error::field(
                "done",
                format!("unknown exercise id '{id}' (see `hamstride exercises` for the ids)"),
            ));
        }
    }
    let p = st.protocol(pkb)?;
    let phase = &p.phase[st.phase.min(p.phase.len() - 1)];
    for id in &c.criteria {
        if id != SEEN_CLINICIAN && !phase.criteria.iter().any(|k| &k.id == id) {
            let valid: Vec<&str> = phase.criteria.iter().map(|k| k.id.as_str()).collect();
            return Err(Error::field(
                "criteria",
                format!(
                    "'{id}' is not an exit criterion of the current phase ({}); valid: {}",
                    phase.name,
                    if valid.is_empty() {
                        String::from("none")
                    } else {
                        valid.join(", ")
                    }
                ),
            ));
        }
    }
    if c.date < st.start {
        return Err(Error::field(
            "date",
            format!("{} is before the plan started ({})", c.date, st.start),
        ));
    }
    Ok(())
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Apply a check-in. `history` holds this plan's earlier check-ins in date order; `screen` is the
/// assessment re-run on the findings with today's answers; `findings` are those findings.
pub fn check_in(
    pkb: &PlanKb,
    st: &PlanState,
    history: &[Record],
    c: &CheckIn,
    screen: &Outcome,
    findings: &Findings,
) -> Result<(PlanState, Decision), Error> {
    validate(pkb, st, c)?;
    let p = st.protocol(pkb)?;
    let mut next = st.clone();
    let mut reasons = Vec::new();
    let mut changes = Vec::new();
    let mut referral = None;
    let pm = &pkb.pain;
    if c.screened {
        next.last_screen = Some(c.date);
    }
    let due = !c.screened && screen_due(pkb, st, c.date);

    // 1. Red flags first: an emergency or urgent finding turns the plan into a referral plan.
    if screen.level <= 1 && p.referral < Referral::Urgent {
        let q = choose_protocol(pkb, &st.condition, None, screen.level)?;
        next.protocol = q.id.clone();
        next.phase = 0;
        next.phase_start = c.date;
        next.run_stage = None;
        next.criteria_met.clear();
        next.settled = 0;
        next.triage = LEVELS[screen.level as usize].to_string();
        next.triage_headline = screen.assessment.triage.headline.clone();
        for r in &screen.assessment.triage.reasons {
            reasons.push(r.text.clone());
        }
        reasons.insert(0, screen.assessment.triage.headline.clone());
        changes.push(format!(
            "Plan changed to: {}. No running or training until you have been seen.",
            q.name
        ));
        let r = if screen.level == 0 {
            Referral::Emergency
        } else {
            Referral::Urgent
        };
        return Ok((
            next,
            Decision {
                verdict: Verdict::Escalate,
                reasons,
                changes,
                referral: Some(r),
                screen_due: false,
            },
        ));
    }
    if p.referral >= Referral::Urgent {
        // A referral plan only moves on once a doctor has seen the runner.
        let seen = c.criteria.iter().any(|k| k == SEEN_CLINICIAN)
            || p.phase[st.phase.min(p.phase.len() - 1)]
                .criteria
                .iter()
                .all(|k| c.criteria.contains(&k.id) || st.criteria_met.contains(&k.id));
        let reason = if seen {
            String::from("You have been seen: assess again with what the doctor found (`hamstride assess`) to get a rehabilitation plan that fits it.")
        } else {
            p.referral_text.clone().unwrap_or_default()
        };
        return Ok((
            next,
            Decision {
                verdict: Verdict::Hold,
                reasons: vec![reason],
                changes,
                referral: Some(p.referral),
                screen_due: due,
            },
        ));
    }

    // 2. A raised triage or not settling: running waits for a clinician.
    if c.criteria.iter().any(|k| k == SEEN_CLINICIAN) && next.needs_clinician {
        next.needs_clinician = false;
        changes.push(String::from(
            "Recorded that a clinician has seen you: running can start when the phase allows it.",
        ));
    }
    if screen.level == 2 && LEVELS.iter().position(|l| *l == st.triage).unwrap_or(3) > 2 {
        next.needs_clinician = true;
        next.triage = LEVELS[2].to_string();
        next.triage_headline = screen.assessment.triage.headline.clone();
        reasons.push(screen.assessment.triage.headline.clone());
        referral = Some(Referral::DoctorSoon);
        changes.push(String::from(
            "Running now waits until a doctor or physiotherapist has seen you.",
        ));
    }
    let since_onset = days(st.onset, c.date);
    let tendon = p.condition.contains("tendinopathy");
    let limit = if tendon {
        pm.not_settling_tendon_days
    } else {
        pm.not_settling_strain_days
    };
    let not_settling_applies = p.condition == "acute_hamstring_strain" || tendon;
    if not_settling_applies && since_onset >= i64::from(limit) {
        // "No improvement" over the last week, not one bad morning: the mean of this week's
        // morning scores (with today's) is no lower than at the start.
        let mornings: Vec<f64> = history
            .iter()
            .map(|r| &r.checkin)
            .chain(std::iter::once(c))
            .filter(|k| (0..=6).contains(&days(k.date, c.date)))
            .filter_map(|k| k.pain_morning.map(f64::from))
            .collect();
        if let (Some(base), Some(m)) = (st.baseline_pain, mean(&mornings)) {
            if mornings.len() >= 2
                && m >= f64::from(base)
                && base > 0
                && !st.referrals.iter().any(|r| r.starts_with("Not settling"))
            {
                let text = format!(
                    "Not settling: {since_onset} days on, your morning pain this week (average {m:.1}/10) is no better than at the start ({base}/10). See a doctor within a week to look for other causes."
                );
                reasons.push(text.clone());
                next.referrals.push(text);
                next.needs_clinician = true;
                referral = Some(Referral::DoctorSoon);
            }
        }
    }

    // 3. The pain-monitoring model.
    let ceiling = p.pain_ceiling;
    let mut broken = Vec::new();
    let mut severe_flare = false;
    if let Some(d) = c.pain_during {
        if d > ceiling {
            broken.push(format!(
                "Pain during the session was {d}/10, above this plan's ceiling of {ceiling}/10."
            ));
            severe_flare |= d >= ceiling.saturating_add(3);
        }
    }
    let prev_morning = history
        .iter()
        .rev()
        .filter(|r| r.checkin.date < c.date)
        .find_map(|r| r.checkin.pain_morning)
        .or(st.baseline_pain);
    if let (Some(m), Some(before)) = (c.pain_morning, prev_morning) {
        if m >= before.saturating_add(pm.morning_worse_by) {
            broken.push(format!(
                "This morning's pain ({m}/10) is clearly worse than the morning before ({before}/10): the load did not settle within 24 hours."
            ));
        }
    }
    let window = |lo: i64, hi: i64| -> Vec<f64> {
        history
            .iter()
            .map(|r| &r.checkin)
            .chain(std::iter::once(c))
            .filter(|k| {
                let d = days(k.date, c.date);
                d >= lo && d <= hi
            })
            .filter_map(|k| k.pain_morning.map(f64::from))
            .collect()
    };
    let (this_week, last_week) = (window(0, 6), window(7, 13));
    // A step back in the last days already answered the flare that lifts this week's mean:
    // counting it again as a rising trend would step back twice for one bad day.
    let recent_step_back = history.iter().any(|r| {
        r.decision.verdict == Verdict::StepBack && (0..=6).contains(&days(r.checkin.date, c.date))
    });
    if this_week.len() >= 2 && last_week.len() >= 2 && !recent_step_back {
        if let (Some(a), Some(b)) = (mean(&this_week), mean(&last_week)) {
            if a >= b + pm.weekly_rise {
                broken.push(format!(
                    "Morning pain is rising week on week (average {a:.1}/10 this week against {b:.1}/10 the week before)."
                ));
            }
        }
    }
    let after_high = c.pain_after.is_some_and(|a| a > ceiling);
    let no_scores = c.pain_during.is_none() && c.pain_after.is_none() && c.pain_morning.is_none();
    let ran = c.done.iter().any(|d| d == "run");

    let week = days(st.start, c.date).div_euclid(7);
    if !broken.is_empty() {
        if !next.strike_weeks.contains(&week) {
            next.strike_weeks.push(week);
        }
        let two_weeks = next.strike_weeks.contains(&(week - 1));
        if two_weeks && !st.referrals.iter().any(|r| r.starts_with("Two weeks")) {
            let text = String::from("Two weeks in a row the load has been too much: book a physiotherapist to look at your plan with you.");
            next.referrals.push(text.clone());
            broken.push(text);
            referral = referral.max(Some(Referral::Physio));
        }
        next.ease = true;
        next.settled = 0;
        changes.push(String::from("Do the easier version of each exercise until a check-in is back inside the pain rules."));
        if let Some(r) = st.run_stage {
            if r > 0 && (ran || c.pain_during.is_some()) {
                next.run_stage = Some(r - 1);
                changes.push(String::from("Running goes back one stage."));
            }
        }
        let again = history
            .last()
            .is_some_and(|r| r.decision.verdict == Verdict::StepBack);
        if st.phase > 0 && (severe_flare || again) {
            next.phase = st.phase - 1;
            next.phase_start = c.date;
            next.criteria_met.clear();
            changes.push(format!(
                "Back to the phase before: {}.",
                p.phase[next.phase].name
            ));
        }
        reasons.extend(broken);
        return Ok((
            next,
            Decision {
                verdict: Verdict::StepBack,
                reasons,
                changes,
                referral,
                screen_due: due,
            },
        ));
    }

    // 4. Inside the rules: progress when the criteria say so, else hold.
    next.ease = false;
    for k in &c.criteria {
        if k != SEEN_CLINICIAN && !next.criteria_met.contains(k) {
            next.criteria_met.push(k.clone());
        }
    }
    if ran {
        next.last_run = Some(c.date);
    }
    // Reasons to hold however well the day went: nothing to judge, pain after still high (wait
    // for the morning), or the red-flag check due and unanswered.
    let hold_reason = if no_scores {
        Some(String::from(
            "No pain scores given, so the plan cannot judge how you responded: it holds.",
        ))
    } else if after_high {
        Some(format!(
            "Pain straight after was above {ceiling}/10: hold, and see whether it settles by tomorrow morning."
        ))
    } else if due {
        Some(String::from(
            "The red-flag check is due today: answer it before the plan moves on.",
        ))
    } else {
        None
    };
    if let Some(why) = hold_reason {
        reasons.push(why);
        return Ok((
            next,
            Decision {
                verdict: Verdict::Hold,
                reasons,
                changes,
                referral,
                screen_due: due,
            },
        ));
    }
    next.settled += 1;
    let phase = &p.phase[st.phase.min(p.phase.len() - 1)];
    let mut progressed = false;

    // The next run stage, when the last run was inside the rules and the phase allows it.
    if ran && c.pain_morning.is_some() {
        if let Some((i, _)) = st.current_stage(pkb, p) {
            if let Some(ladder) = pkb.ladder(&p.run_ladder) {
                let cur = st.run_stage.unwrap_or(0);
                if i == cur && cur < ladder.stage.len() {
                    let level = st.run_level(p);
                    match ladder.stage.get(cur + 1) {
                        Some(s) if s.level <= level => {
                            next.run_stage = Some(cur + 1);
                            changes.push(format!("Next run: {}.", s.name));
                            progressed = true;
                        }
                        None if level == RunLevel::Full => {
                            next.run_stage = Some(ladder.stage.len());
                            changes.push(String::from(
                                "Return-to-run ladder complete: back to normal training.",
                            ));
                            progressed = true;
                        }
                        _ => {}
                    }
                }
            }
        }
    } else if ran {
        reasons.push(String::from("Add this morning's pain score to move your running on: the 24-hour response decides it."));
    }

    let missing: Vec<&str> = phase
        .criteria
        .iter()
        .filter(|k| !next.criteria_met.contains(&k.id))
        .map(|k| k.text.trim_end_matches('.'))
        .collect();
    let in_phase = days(st.phase_start, c.date);
    let last_phase = st.phase + 1 >= p.phase.len();
    if !last_phase {
        let next_phase = &p.phase[st.phase + 1];
        if !missing.is_empty() {
            reasons.push(format!(
                "Inside the pain rules. To move on to {}, still to do: {}.",
                next_phase.name,
                missing.join("; ")
            ));
        } else if in_phase < i64::from(phase.min_days) {
            reasons.push(format!(
                "Criteria met, but this phase lasts at least {} days (day {} now).",
                phase.min_days,
                in_phase + 1
            ));
        } else if next.settled < pm.settled_checkins {
            reasons.push(format!(
                "Criteria met: one more check-in inside the pain rules and you move on to {}.",
                next_phase.name
            ));
        } else if next.needs_clinician && next_phase.running > RunLevel::None {
            reasons.push(String::from(
                "Criteria met, but running waits until a clinician has seen you (check in with --seen-clinician).",
            ));
        } else {
            next.phase = st.phase + 1;
            next.phase_start = c.date;
            next.criteria_met.clear();
            next.settled = 0;
            if next_phase.running > RunLevel::None && next.run_stage.is_none() {
                next.run_stage = Some(0);
            }
            changes.insert(
                0,
                format!("Moved on to phase {}: {}.", next.phase + 1, next_phase.name),
            );
            progressed = true;
        }
    } else {
        reasons.push(String::from(
            "Inside the pain rules. Keep to the maintenance programme.",
        ));
    }
    if st.phase == 0 && next.run_stage.is_none() && phase.running > RunLevel::None {
        next.run_stage = Some(0);
    }

    // Day-7 re-estimate of the timeline (prognosis is clearer at day 7 than day 1).
    if !st.timeline.reestimated && since_onset >= i64::from(pm.reestimate_day) {
        let mut extra = Vec::new();
        if next.phase == 0 {
            extra.push((
                1.3,
                String::from("Day-7 check: still in the first phase, so the estimate is longer."),
            ));
        } else if next.phase >= 2 {
            extra.push((
                0.85,
                String::from(
                    "Day-7 check: already past the early phases, so the estimate is shorter.",
                ),
            ));
        }
        if c.pain_morning.is_some_and(|m| m >= 3) {
            extra.push((
                1.2,
                String::from("Day-7 check: morning pain is still 3/10 or more."),
            ));
        }
        let mut t = timeline(pkb, p, findings, st.onset, c.date, &extra);
        t.reestimated = true;
        if t != st.timeline {
            changes.push(String::from("Timeline re-estimated at the day-7 check-in."));
        }
        next.timeline = t;
    }

    let verdict = if progressed {
        Verdict::Progress
    } else {
        Verdict::Hold
    };
    Ok((
        next,
        Decision {
            verdict,
            reasons,
            changes,
            referral,
            screen_due: due,
        },
    ))
}
