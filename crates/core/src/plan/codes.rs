//! What a plan decision says, as codes with their numbers: why a check-in decided what it did
//! ([`Reason`]), what it changed ([`Change`]), the standing referrals it added ([`Referred`])
//! and why the timeline is longer or shorter than typical ([`TimelineReason`]). The words are
//! the adapters' (`hamstride_export::words`), so no rule here depends on how a sentence reads:
//! "was the runner already referred for not settling?" is a match on a code.
//!
//! Texts that come from the knowledge base (a triage headline, a prognostic factor, a
//! protocol's referral note) travel as they are, in a `Kb` variant: they are knowledge, written
//! and reviewed in `kb/`. Decisions and plan states stored before these codes existed hold
//! sentences; they still load, as `Recorded` texts, so an old database keeps working.

use serde::{Deserialize, Deserializer, Serialize};

use crate::plan::library::Criterion;

/// Why a check-in decided what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// A text of the knowledge base: a triage headline or rule reason, a protocol's referral
    /// note.
    Kb { text: String },
    /// The runner has been seen on a referral plan: assess again with what the doctor found.
    SeenAssessAgain,
    /// Not settling (R-S5): `days` since onset, this week's mean morning pain against the
    /// baseline (0-10).
    NotSettling {
        days: i64,
        morning_mean: f64,
        baseline: u8,
    },
    /// Pain during the session above the protocol's ceiling.
    PainDuringAboveCeiling { during: u8, ceiling: u8 },
    /// This morning clearly worse than the morning before.
    MorningWorse { morning: u8, before: u8 },
    /// Mean morning pain rising week on week.
    WeeklyRise { this_week: f64, last_week: f64 },
    /// Two plan weeks in a row with a step back: see a physiotherapist.
    TwoWeeksTooMuch,
    /// No pain scores were given: the plan holds.
    NoScores,
    /// Only the warning-sign screen was answered: it is recorded, and with no pain scores the
    /// plan stays where it is.
    ScreenOnly,
    /// Pain straight after above the ceiling: hold until the morning tells.
    PainAfterAboveCeiling { ceiling: u8 },
    /// The red-flag check is due and was not answered.
    ScreenDue,
    /// A run without this morning's score: the 24-hour response decides the next stage.
    AddMorningScore,
    /// The last phase: keep to the maintenance programme.
    Maintenance,
    /// Exit criteria still to do (their texts, from the knowledge base) before `next_phase`.
    StillToDo {
        next_phase: String,
        missing: Vec<String>,
    },
    /// Criteria met, but the phase lasts at least `min_days`; `day` is today's day in it.
    PhaseMinDays { min_days: u32, day: i64 },
    /// Criteria met: one more settled check-in and the plan moves on to `next_phase`.
    OneMoreCheckin { next_phase: String },
    /// Criteria met, but running waits for a clinician.
    RunningWaitsForClinician,
    /// `holds` check-ins in a row have held with exit criteria still open: name them (id and
    /// text) and how to mark one met, since a runner who never marks them waits for ever.
    MarkCriteriaMet { holds: u32, open: Vec<Criterion> },
    /// A sentence stored before reasons had codes.
    Recorded { text: String },
}

/// What a check-in changed in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Change {
    /// The plan became the referral plan `plan` (its name): no running or training until seen.
    ReferralPlan { plan: String },
    /// A clinician has seen the runner: running can start when the phase allows it.
    SeenClinician,
    /// Running now waits until a doctor or physiotherapist has seen the runner.
    RunningWaits,
    /// Easier exercise versions until a check-in is back inside the pain rules.
    EasierExercises,
    /// Running goes back one stage.
    RunStageBack,
    /// Back to the phase before (its name).
    PhaseBack { phase: String },
    /// The next run stage (its name).
    NextRun { stage: String },
    /// The return-to-run ladder is complete.
    LadderComplete,
    /// Moved on to phase `number` (1-based) called `name`.
    MovedOn { number: usize, name: String },
    /// The timeline was re-estimated at the day-7 check-in.
    TimelineReestimated,
    /// A sentence stored before changes had codes.
    Recorded { text: String },
}

/// A standing referral a check-in added to the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Referred {
    /// Not settling: a doctor within a week, to look for other causes.
    NotSettling {
        days: i64,
        morning_mean: f64,
        baseline: u8,
    },
    /// Two weeks in a row too much: a physiotherapist to look at the plan.
    TwoWeeksTooMuch,
    /// A sentence stored before referrals had codes, with the kind it was when it is one of
    /// the two above.
    Recorded {
        text: String,
        #[serde(default)]
        kind: Option<ReferralKind>,
    },
}

/// The kinds of standing referral, for "already referred for this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    NotSettling,
    TwoWeeksTooMuch,
}

impl Referred {
    pub fn kind(&self) -> Option<ReferralKind> {
        match self {
            Referred::NotSettling { .. } => Some(ReferralKind::NotSettling),
            Referred::TwoWeeksTooMuch => Some(ReferralKind::TwoWeeksTooMuch),
            Referred::Recorded { kind, .. } => *kind,
        }
    }
}

/// Why the timeline is longer or shorter than typical.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TimelineReason {
    /// A prognostic factor of the knowledge base (its text).
    Kb { text: String },
    /// A referral plan: no timeline until a doctor has assessed the runner.
    NoTimelineUntilSeen,
    /// Day-7 check: still in the first phase, so longer.
    StillFirstPhase,
    /// Day-7 check: already past the early phases, so shorter.
    PastEarlyPhases,
    /// Day-7 check: morning pain still at or above `at_least` (0-10).
    MorningPainStillHigh { at_least: u8 },
    /// A sentence stored before timeline reasons had codes.
    Recorded { text: String },
}

/// A stored item: a code (current) or a sentence (stored by older versions).
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored<T> {
    Coded(T),
    Text(String),
}

/// Reads a list whose items are codes, or sentences written by older versions.
fn compat<'de, D, T>(d: D, old: fn(String) -> T) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items: Vec<Stored<T>> = Vec::deserialize(d)?;
    Ok(items
        .into_iter()
        .map(|i| match i {
            Stored::Coded(t) => t,
            Stored::Text(s) => old(s),
        })
        .collect())
}

pub(crate) fn reasons<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Reason>, D::Error> {
    compat(d, |text| Reason::Recorded { text })
}

pub(crate) fn changes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Change>, D::Error> {
    compat(d, |text| Change::Recorded { text })
}

pub(crate) fn timeline_reasons<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<TimelineReason>, D::Error> {
    compat(d, |text| TimelineReason::Recorded { text })
}

/// Standing referrals; the two sentences older versions wrote are read back as their codes,
/// once, on loading, so an old plan is not referred a second time for the same thing. This is
/// the only place a sentence is read, and only to upgrade stored data.
pub(crate) fn referrals<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Referred>, D::Error> {
    compat(d, |text| {
        let kind = if text.starts_with("Not settling") {
            Some(ReferralKind::NotSettling)
        } else if text.starts_with("Two weeks") {
            Some(ReferralKind::TwoWeeksTooMuch)
        } else {
            None
        };
        Referred::Recorded { text, kind }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Lists {
        #[serde(deserialize_with = "reasons")]
        reasons: Vec<Reason>,
        #[serde(deserialize_with = "referrals")]
        referrals: Vec<Referred>,
    }

    #[test]
    fn codes_and_older_sentences_both_load() {
        let old = r#"{
            "reasons": ["Pain during the session was 6/10, above this plan's ceiling of 3/10.",
                        {"code": "morning_worse", "morning": 5, "before": 2}],
            "referrals": ["Not settling: 42 days on, your morning pain ... See a doctor.",
                          "Two weeks in a row the load has been too much: book a physio.",
                          "Something else."]
        }"#;
        let l: Lists = serde_json::from_str(old).unwrap();
        assert!(matches!(&l.reasons[0], Reason::Recorded { text } if text.starts_with("Pain")));
        assert_eq!(
            l.reasons[1],
            Reason::MorningWorse {
                morning: 5,
                before: 2
            }
        );
        let kinds: Vec<_> = l.referrals.iter().map(Referred::kind).collect();
        assert_eq!(
            kinds,
            [
                Some(ReferralKind::NotSettling),
                Some(ReferralKind::TwoWeeksTooMuch),
                None
            ]
        );
    }

    #[test]
    fn codes_round_trip_as_snake_case() {
        let r = Reason::PhaseMinDays {
            min_days: 7,
            day: 3,
        };
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(j, r#"{"code":"phase_min_days","min_days":7,"day":3}"#);
        let back: Reason = serde_json::from_str(&j).unwrap();
        assert_eq!(back, r);
    }
}
