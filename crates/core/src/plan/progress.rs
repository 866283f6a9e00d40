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
//!    when the last run was inside the rules. Else hold; it always holds when there are no pain
//!    scores, pain straight after is above the ceiling, or the red-flag check is due unanswered.
//! 5. From day 7, the first check-in that gets as far as progress-or-hold re-estimates the
//!    timeline, once: the prognosis is clearer then than on day 1.
//!
//! [`check_in`] reads as these steps in order, one private function each, sharing the check-in's
//! inputs (`Today`) and the decision being built (`Draft`).
//!
//! Nothing here can skip a phase, and a check-in with pain above the ceiling never progresses.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::engine::Outcome;
use crate::kb::TriageLevel;
use crate::plan::codes::{Change, Reason, ReferralKind, Referred, TimelineReason};
use crate::plan::generate::{choose_protocol, timeline, PlanState, SEEN_CLINICIAN};
use crate::plan::library::{Criterion, Phase, PlanKb, Protocol, Referral, RunLevel};
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

/// The plan's answer to a check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// Why, most important first (codes; the words are the adapters').
    #[serde(deserialize_with = "crate::plan::codes::reasons")]
    pub reasons: Vec<Reason>,
    /// What changed in the plan.
    #[serde(deserialize_with = "crate::plan::codes::changes")]
    pub changes: Vec<Change>,
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
    let today = Today {
        pkb,
        st,
        p: st.protocol(pkb)?,
        history,
        c,
        due: !c.screened && screen_due(pkb, st, c.date),
    };
    let mut d = Draft::new(st, c);

    // 1. Red flags first: an emergency or urgent finding turns the plan into a referral plan.
    if screen.level <= 1 && today.p.referral < Referral::Urgent {
        return escalate(&today, screen, d);
    }
    if today.p.referral >= Referral::Urgent {
        return Ok(hold_referral_plan(&today, d));
    }

    // 2. A raised triage or not settling: running waits for a clinician.
    record_seen_clinician(&today, &mut d);
    raise_triage(&today, screen, &mut d);
    check_not_settling(&today, &mut d);

    // 3. The pain-monitoring model.
    let broken = pain_rules_broken(&today);
    if !broken.reasons.is_empty() {
        return Ok(step_back(&today, broken, d));
    }

    // 4. Inside the rules: progress when the criteria say so, else hold.
    record_inside_rules(&today, &mut d);
    if let Some(why) = hold_reason(&today) {
        d.reasons.push(why);
        hint_after_holds(&today, &mut d);
        return Ok(d.decide(Verdict::Hold, today.due));
    }
    d.next.settled += 1;
    let ran_on = next_run_stage(&today, &mut d);
    let moved_on = next_phase(&today, &mut d);
    start_first_run_stage(&today, &mut d);

    // 5. Day-7 re-estimate of the timeline.
    reestimate_timeline(&today, findings, &mut d);

    let verdict = if ran_on || moved_on {
        Verdict::Progress
    } else {
        hint_after_holds(&today, &mut d);
        Verdict::Hold
    };
    Ok(d.decide(verdict, today.due))
}

/// The check-in being applied and what it is judged against; every step reads it, none
/// changes it.
struct Today<'a> {
    pkb: &'a PlanKb,
    st: &'a PlanState,
    /// The plan's protocol before this check-in.
    p: &'a Protocol,
    history: &'a [Record],
    c: &'a CheckIn,
    /// The red-flag screen is due today and was not answered.
    due: bool,
}

impl Today<'_> {
    /// The phase the plan is in (clamped, so a stale index cannot panic).
    fn phase(&self) -> &Phase {
        &self.p.phase[self.st.phase.min(self.p.phase.len() - 1)]
    }

    /// Days from onset to this check-in; the not-settling and re-estimate rules count from onset.
    fn since_onset(&self) -> i64 {
        days(self.st.onset, self.c.date)
    }

    /// Whether the runner ran since the last check-in.
    fn ran(&self) -> bool {
        self.c.done.iter().any(|d| d == "run")
    }

    /// Morning pain scores from `lo` to `hi` days before this check-in (today's included).
    fn mornings_between(&self, lo: i64, hi: i64) -> Vec<f64> {
        self.history
            .iter()
            .map(|r| &r.checkin)
            .chain(std::iter::once(self.c))
            .filter(|k| {
                let d = days(k.date, self.c.date);
                d >= lo && d <= hi
            })
            .filter_map(|k| k.pain_morning.map(f64::from))
            .collect()
    }
}

/// The decision as the steps build it up: the new plan state and what the runner is told.
struct Draft {
    next: PlanState,
    reasons: Vec<Reason>,
    changes: Vec<Change>,
    referral: Option<Referral>,
}

impl Draft {
    /// Start from the current state; an answered screen is recorded whatever the decision.
    fn new(st: &PlanState, c: &CheckIn) -> Draft {
        let mut next = st.clone();
        if c.screened {
            next.last_screen = Some(c.date);
        }
        Draft {
            next,
            reasons: Vec::new(),
            changes: Vec::new(),
            referral: None,
        }
    }

    /// Close the draft with its verdict.
    fn decide(self, verdict: Verdict, screen_due: bool) -> (PlanState, Decision) {
        (
            self.next,
            Decision {
                verdict,
                reasons: self.reasons,
                changes: self.changes,
                referral: self.referral,
                screen_due,
            },
        )
    }
}

/// Switch to the referral plan for today's emergency or urgent finding, at once: nothing else
/// about the day matters until the runner has been seen.
fn escalate(
    today: &Today<'_>,
    screen: &Outcome,
    mut d: Draft,
) -> Result<(PlanState, Decision), Error> {
    let q = choose_protocol(today.pkb, &today.st.condition, None, screen.level)?;
    let triage = &screen.assessment.triage;
    let next = &mut d.next;
    next.protocol = q.id.clone();
    next.phase = 0;
    next.phase_start = today.c.date;
    next.run_stage = None;
    next.criteria_met.clear();
    next.settled = 0;
    next.triage = TriageLevel::from_rank(screen.level);
    next.triage_headline = triage.headline.clone();
    for r in &triage.reasons {
        d.reasons.push(Reason::Kb {
            text: r.text.clone(),
        });
    }
    d.reasons.insert(
        0,
        Reason::Kb {
            text: triage.headline.clone(),
        },
    );
    d.changes.push(Change::ReferralPlan {
        plan: q.name.clone(),
    });
    d.referral = Some(if screen.level == 0 {
        Referral::Emergency
    } else {
        Referral::Urgent
    });
    Ok(d.decide(Verdict::Escalate, false))
}

/// Hold a referral plan: it only moves on once a doctor has seen the runner, and then by a new
/// assessment rather than a phase change.
fn hold_referral_plan(today: &Today<'_>, mut d: Draft) -> (PlanState, Decision) {
    let (c, st) = (today.c, today.st);
    let seen = c.criteria.iter().any(|k| k == SEEN_CLINICIAN)
        || today
            .phase()
            .criteria
            .iter()
            .all(|k| c.criteria.contains(&k.id) || st.criteria_met.contains(&k.id));
    if seen {
        d.reasons.push(Reason::SeenAssessAgain);
    } else {
        // The headline says when to be seen (the plan's one time frame); the referral note
        // says whom and what to ask, without a time of its own.
        for text in [
            st.triage_headline.clone(),
            today.p.referral_text.clone().unwrap_or_default(),
        ] {
            d.reasons.push(Reason::Kb { text });
        }
    }
    d.referral = Some(today.p.referral);
    d.decide(Verdict::Hold, today.due)
}

/// A check-in saying a clinician has seen the runner lifts the wait on running.
fn record_seen_clinician(today: &Today<'_>, d: &mut Draft) {
    if today.c.criteria.iter().any(|k| k == SEEN_CLINICIAN) && d.next.needs_clinician {
        d.next.needs_clinician = false;
        d.changes.push(Change::SeenClinician);
    }
}

/// A re-screen newly raised to "see a doctor soon" makes running wait for a clinician.
fn raise_triage(today: &Today<'_>, screen: &Outcome, d: &mut Draft) {
    let now = TriageLevel::from_rank(screen.level);
    if now == TriageLevel::Clinician && today.st.triage < TriageLevel::Clinician {
        d.next.needs_clinician = true;
        d.next.triage = TriageLevel::Clinician;
        d.next.triage_headline = screen.assessment.triage.headline.clone();
        d.reasons.push(Reason::Kb {
            text: screen.assessment.triage.headline.clone(),
        });
        d.referral = Some(Referral::DoctorSoon);
        d.changes.push(Change::RunningWaits);
    }
}

/// Not settling (R-S5): a strain or tendinopathy no better after its limit in days is referred
/// once to a doctor, to look for other causes.
fn check_not_settling(today: &Today<'_>, d: &mut Draft) {
    let (p, pm, st) = (today.p, &today.pkb.pain, today.st);
    let since_onset = today.since_onset();
    let limit = if pm.not_settling_tendon_conditions.contains(&p.condition) {
        pm.not_settling_tendon_days
    } else if pm.not_settling_strain_conditions.contains(&p.condition) {
        pm.not_settling_strain_days
    } else {
        return;
    };
    if since_onset < i64::from(limit) {
        return;
    }
    // "No improvement" over the last week, not one bad morning: the mean of this week's
    // morning scores (with today's) is no lower than at the start.
    let mornings = today.mornings_between(0, 6);
    if let (Some(base), Some(m)) = (st.baseline_pain, mean(&mornings)) {
        if mornings.len() >= 2
            && m >= f64::from(base)
            && base > 0
            && !st
                .referrals
                .iter()
                .any(|r| r.kind() == Some(ReferralKind::NotSettling))
        {
            d.reasons.push(Reason::NotSettling {
                days: since_onset,
                morning_mean: m,
                baseline: base,
            });
            d.next.referrals.push(Referred::NotSettling {
                days: since_onset,
                morning_mean: m,
                baseline: base,
            });
            d.next.needs_clinician = true;
            d.referral = Some(Referral::DoctorSoon);
            // The rule's headline says whom to see and when; it becomes the plan's, unless
            // this check-in already raised the plan's level (its headline then holds).
            let raised_now = d.next.triage != st.triage;
            if d.next.triage <= TriageLevel::Clinician && !raised_now {
                d.next.triage = TriageLevel::Clinician;
                d.next.triage_headline = today.pkb.not_settling_headline.clone();
                d.reasons.push(Reason::Kb {
                    text: today.pkb.not_settling_headline.clone(),
                });
            }
        }
    }
}

/// The pain-monitoring rules a check-in broke, in the order the runner is told them.
struct Broken {
    reasons: Vec<Reason>,
    /// Pain during was far above the ceiling: step back a phase at once.
    severe_flare: bool,
}

/// Apply the pain-monitoring model (R-C3): pain during above the ceiling, a morning clearly
/// worse than the one before, or morning pain rising week on week.
fn pain_rules_broken(today: &Today<'_>) -> Broken {
    let ceiling = today.p.pain_ceiling;
    let during = today.c.pain_during.filter(|&d| d > ceiling);
    let reasons = [
        during.map(|d| Reason::PainDuringAboveCeiling { during: d, ceiling }),
        morning_worse(today),
        weekly_rise(today),
    ];
    Broken {
        reasons: reasons.into_iter().flatten().collect(),
        severe_flare: during.is_some_and(|d| d >= ceiling.saturating_add(3)),
    }
}

/// This morning against the last morning scored (or the baseline): a clear rise means the load
/// did not settle within 24 hours.
fn morning_worse(today: &Today<'_>) -> Option<Reason> {
    let prev_morning = today
        .history
        .iter()
        .rev()
        .filter(|r| r.checkin.date < today.c.date)
        .find_map(|r| r.checkin.pain_morning)
        .or(today.st.baseline_pain);
    let (m, before) = (today.c.pain_morning?, prev_morning?);
    (m >= before.saturating_add(today.pkb.pain.morning_worse_by))
        .then_some(Reason::MorningWorse { morning: m, before })
}

/// This week's mean morning pain against last week's, with two scores in each to be a trend.
fn weekly_rise(today: &Today<'_>) -> Option<Reason> {
    let (this_week, last_week) = (today.mornings_between(0, 6), today.mornings_between(7, 13));
    // A step back in the last days already answered the flare that lifts this week's mean:
    // counting it again as a rising trend would step back twice for one bad day.
    let recent_step_back = today.history.iter().any(|r| {
        r.decision.verdict == Verdict::StepBack
            && (0..=6).contains(&days(r.checkin.date, today.c.date))
    });
    if this_week.len() < 2 || last_week.len() < 2 || recent_step_back {
        return None;
    }
    let (a, b) = (mean(&this_week)?, mean(&last_week)?);
    (a >= b + today.pkb.pain.weekly_rise).then_some(Reason::WeeklyRise {
        this_week: a,
        last_week: b,
    })
}

/// Step back for broken pain rules: count the strike week, ease the exercises, and drop the run
/// stage and (on a severe flare or a second step back running) the phase.
fn step_back(today: &Today<'_>, broken: Broken, mut d: Draft) -> (PlanState, Decision) {
    let mut reasons = broken.reasons;
    count_strike_week(today, &mut d, &mut reasons);
    let (st, c, next) = (today.st, today.c, &mut d.next);
    next.ease = true;
    next.settled = 0;
    d.changes.push(Change::EasierExercises);
    if let Some(r) = st.run_stage {
        if r > 0 && (today.ran() || c.pain_during.is_some()) {
            next.run_stage = Some(r - 1);
            d.changes.push(Change::RunStageBack);
        }
    }
    let again = today
        .history
        .last()
        .is_some_and(|r| r.decision.verdict == Verdict::StepBack);
    if st.phase > 0 && (broken.severe_flare || again) {
        next.phase = st.phase - 1;
        next.phase_start = c.date;
        next.criteria_met.clear();
        d.changes.push(Change::PhaseBack {
            phase: today.p.phase[next.phase].name.clone(),
        });
    }
    d.reasons.extend(reasons);
    d.decide(Verdict::StepBack, today.due)
}

/// Record this plan week as a strike; two weeks in a row means the plan needs a
/// physiotherapist's eye (referred once).
fn count_strike_week(today: &Today<'_>, d: &mut Draft, reasons: &mut Vec<Reason>) {
    let week = days(today.st.start, today.c.date).div_euclid(7);
    if !d.next.strike_weeks.contains(&week) {
        d.next.strike_weeks.push(week);
    }
    let two_weeks = d.next.strike_weeks.contains(&(week - 1));
    if two_weeks
        && !today
            .st
            .referrals
            .iter()
            .any(|r| r.kind() == Some(ReferralKind::TwoWeeksTooMuch))
    {
        d.next.referrals.push(Referred::TwoWeeksTooMuch);
        reasons.push(Reason::TwoWeeksTooMuch);
        d.referral = d.referral.max(Some(Referral::Physio));
    }
}

/// A check-in inside the rules ends any easing and records the criteria met and the run.
fn record_inside_rules(today: &Today<'_>, d: &mut Draft) {
    d.next.ease = false;
    for k in &today.c.criteria {
        if k != SEEN_CLINICIAN && !d.next.criteria_met.contains(k) {
            d.next.criteria_met.push(k.clone());
        }
    }
    if today.ran() {
        d.next.last_run = Some(today.c.date);
    }
}

/// Holds in a row (this one included) after which a hold names the open criteria and how to
/// mark them: two weeks of holds with nothing marked usually means the runner has not found
/// `--met`, not that nothing has improved.
pub const HOLDS_BEFORE_HINT: usize = 3;

/// On the third hold in a row (inside the normal plan, not a referral plan) with exit criteria
/// of the phase still open, say which they are and how to mark one met.
fn hint_after_holds(today: &Today<'_>, d: &mut Draft) {
    let earlier = today.history.iter().rev().take(HOLDS_BEFORE_HINT - 1);
    if earlier.len() < HOLDS_BEFORE_HINT - 1
        || !earlier.clone().all(|r| r.decision.verdict == Verdict::Hold)
    {
        return;
    }
    let open: Vec<Criterion> = today
        .phase()
        .criteria
        .iter()
        .filter(|k| !d.next.criteria_met.contains(&k.id))
        .cloned()
        .collect();
    if !open.is_empty() {
        d.reasons.push(Reason::MarkCriteriaMet {
            holds: HOLDS_BEFORE_HINT as u32,
            open,
        });
    }
}

/// Reasons to hold however well the day went: nothing to judge, pain after still high (wait
/// for the morning), or the red-flag check due and unanswered.
fn hold_reason(today: &Today<'_>) -> Option<Reason> {
    let (c, ceiling) = (today.c, today.p.pain_ceiling);
    let no_scores = c.pain_during.is_none() && c.pain_after.is_none() && c.pain_morning.is_none();
    if no_scores {
        Some(Reason::NoScores)
    } else if c.pain_after.is_some_and(|a| a > ceiling) {
        Some(Reason::PainAfterAboveCeiling { ceiling })
    } else if today.due {
        Some(Reason::ScreenDue)
    } else {
        None
    }
}

/// The next run stage, when the last run was inside the rules (judged by this morning's score)
/// and the phase allows it; returns whether running moved on.
fn next_run_stage(today: &Today<'_>, d: &mut Draft) -> bool {
    let (pkb, st, p) = (today.pkb, today.st, today.p);
    if !today.ran() {
        return false;
    }
    if today.c.pain_morning.is_none() {
        d.reasons.push(Reason::AddMorningScore);
        return false;
    }
    let (Some((i, _)), Some(ladder)) = (st.current_stage(pkb, p), pkb.ladder(&p.run_ladder)) else {
        return false;
    };
    let cur = st.run_stage.unwrap_or(0);
    if i != cur || cur >= ladder.stage.len() {
        return false;
    }
    let level = st.run_level(p);
    match ladder.stage.get(cur + 1) {
        Some(s) if s.level <= level => {
            d.next.run_stage = Some(cur + 1);
            d.changes.push(Change::NextRun {
                stage: s.name.clone(),
            });
            true
        }
        None if level == RunLevel::Full => {
            d.next.run_stage = Some(ladder.stage.len());
            d.changes.push(Change::LadderComplete);
            true
        }
        _ => false,
    }
}

/// Move on one phase when every exit criterion is met, the phase's least days have passed, the
/// last check-ins were settled and running is cleared; else say what is still missing. Returns
/// whether the plan moved on.
fn next_phase(today: &Today<'_>, d: &mut Draft) -> bool {
    let (st, p) = (today.st, today.p);
    if st.phase + 1 >= p.phase.len() {
        d.reasons.push(Reason::Maintenance);
        return false;
    }
    let next_phase = &p.phase[st.phase + 1];
    if let Some(why) = phase_blocker(today, d, next_phase) {
        d.reasons.push(why);
        return false;
    }
    let next = &mut d.next;
    next.phase = st.phase + 1;
    next.phase_start = today.c.date;
    next.criteria_met.clear();
    next.settled = 0;
    if next_phase.running > RunLevel::None && next.run_stage.is_none() {
        next.run_stage = Some(0);
    }
    d.changes.insert(
        0,
        Change::MovedOn {
            number: next.phase + 1,
            name: next_phase.name.clone(),
        },
    );
    true
}

/// What still keeps the plan from moving on to `next_phase`, first missing thing first.
fn phase_blocker(today: &Today<'_>, d: &Draft, next_phase: &Phase) -> Option<Reason> {
    let phase = today.phase();
    let missing: Vec<String> = phase
        .criteria
        .iter()
        .filter(|k| !d.next.criteria_met.contains(&k.id))
        .map(|k| k.text.clone())
        .collect();
    let in_phase = days(today.st.phase_start, today.c.date);
    if !missing.is_empty() {
        Some(Reason::StillToDo {
            next_phase: next_phase.name.clone(),
            missing,
        })
    } else if in_phase < i64::from(phase.min_days) {
        Some(Reason::PhaseMinDays {
            min_days: phase.min_days,
            day: in_phase + 1,
        })
    } else if d.next.settled < today.pkb.pain.settled_checkins {
        Some(Reason::OneMoreCheckin {
            next_phase: next_phase.name.clone(),
        })
    } else if d.next.needs_clinician && next_phase.running > RunLevel::None {
        Some(Reason::RunningWaitsForClinician)
    } else {
        None
    }
}

/// A plan whose first phase already allows running starts its run ladder.
fn start_first_run_stage(today: &Today<'_>, d: &mut Draft) {
    if today.st.phase == 0 && d.next.run_stage.is_none() && today.phase().running > RunLevel::None {
        d.next.run_stage = Some(0);
    }
}

/// Day-7 re-estimate of the timeline, once: prognosis is clearer at day 7 than day 1.
fn reestimate_timeline(today: &Today<'_>, findings: &Findings, d: &mut Draft) {
    let (pkb, st, c) = (today.pkb, today.st, today.c);
    if st.timeline.reestimated || today.since_onset() < i64::from(pkb.pain.reestimate_day) {
        return;
    }
    let mut extra = Vec::new();
    if d.next.phase == 0 {
        extra.push((1.3, TimelineReason::StillFirstPhase));
    } else if d.next.phase >= 2 {
        extra.push((0.85, TimelineReason::PastEarlyPhases));
    }
    if c.pain_morning.is_some_and(|m| m >= 3) {
        extra.push((1.2, TimelineReason::MorningPainStillHigh { at_least: 3 }));
    }
    let mut t = timeline(pkb, today.p, findings, st.onset, c.date, &extra);
    t.reestimated = true;
    if t != st.timeline {
        d.changes.push(Change::TimelineReestimated);
    }
    d.next.timeline = t;
}
