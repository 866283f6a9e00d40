//! A plan as a runner reads it: the state expanded with the knowledge base's words, ready for
//! the terminal, JSON (`hamstride plan --format json`) and the Markdown export. Pure: "today" is
//! an argument. What the plan's own rules add (timeline reasons, standing referrals) stays as
//! codes with their numbers; the adapters word them (`hamstride_export::words`).

use jiff::civil::Date;
use serde::Serialize;

use crate::kb::Kb;
use crate::plan::codes::{Referred, TimelineReason};
use crate::plan::generate::{days, Day, Item, PlanState};
use crate::plan::library::{PlanKb, Referral};
use crate::plan::progress::screen_due;
use crate::Error;

#[derive(Debug, Clone, Serialize)]
pub struct CriterionView {
    pub id: String,
    pub text: String,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseView {
    pub number: usize,
    pub of: usize,
    pub id: String,
    pub name: String,
    pub goals: Vec<String>,
    pub running: String,
    pub care: Vec<String>,
    pub criteria: Vec<CriterionView>,
    pub started: Date,
    pub day_in_phase: i64,
    pub min_days: u32,
    pub next: Option<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub dose: String,
    /// 2 when done twice that day.
    pub times: u8,
    /// The easier version, shown while the plan is easing off after a step back (`dose` is
    /// then the easier version's dose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easier: Option<String>,
    /// Minutes of the session for runs (walking included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    pub date: Date,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineView {
    pub running: Option<[Date; 2]>,
    pub full: Option<[Date; 2]>,
    pub factor: f64,
    pub reasons: Vec<TimelineReason>,
    pub note: Option<String>,
    pub reestimated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralView {
    pub level: Referral,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub id: String,
    pub short: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub disclaimer: String,
    pub today: Date,
    pub condition: String,
    pub condition_name: String,
    pub severity: Option<String>,
    pub severity_reason: Option<String>,
    pub triage: crate::kb::TriageLevel,
    pub triage_headline: String,
    pub protocol: String,
    pub protocol_name: String,
    pub summary: String,
    pub pain_ceiling: u8,
    /// A plan for being seen urgently or at once: it shows only what to do now and until seen,
    /// so no pain guide for exercise and no medicine guide about training.
    pub until_seen: bool,
    pub referral: Option<ReferralView>,
    pub referrals: Vec<Referred>,
    pub running_waits_for_clinician: bool,
    pub easing_off: bool,
    pub screen_due: bool,
    pub phase: PhaseView,
    pub timeline: TimelineView,
    pub run_stage: Option<String>,
    pub today_sessions: DayView,
    pub week: Vec<DayView>,
    pub medication: Vec<String>,
    pub sources: Vec<SourceView>,
}

/// Expand one day's items with names and doses.
pub fn day_view(pkb: &PlanKb, st: &PlanState, d: &Day) -> DayView {
    // Doses are chosen by the tissue of the plan's condition (muscle for a strain, tendon for
    // a tendon problem).
    let condition = st
        .protocol(pkb)
        .map_or(st.condition.as_str(), |p| p.condition.as_str());
    let items = d
        .items
        .iter()
        .map(|it| match it {
            Item::Exercise { id, times } => {
                let x = pkb.exercise(id);
                ItemView {
                    kind: "exercise",
                    id: id.clone(),
                    name: x.map(|x| x.name.clone()).unwrap_or_else(|| id.clone()),
                    // Easing off after a step back: the easier version's own, lower dose.
                    dose: x
                        .map(|x| {
                            if st.ease {
                                x.easier_dose.clone()
                            } else {
                                pkb.dose(x, condition).to_string()
                            }
                        })
                        .unwrap_or_default(),
                    times: *times,
                    easier: x.filter(|_| st.ease).map(|x| x.easier.clone()),
                    minutes: None,
                }
            }
            Item::Run { ladder, stage, id } => {
                let s = pkb.ladder(ladder).and_then(|l| l.stage.get(*stage));
                ItemView {
                    kind: "run",
                    id: id.clone(),
                    name: s.map(|s| s.name.clone()).unwrap_or_else(|| id.clone()),
                    dose: s.map(|s| s.text.clone()).unwrap_or_default(),
                    times: 1,
                    easier: None,
                    minutes: s.map(|s| s.total_minutes()),
                }
            }
            Item::NormalTraining => ItemView {
                kind: "normal_training",
                id: String::from("normal-training"),
                name: String::from("Your normal training"),
                dose: String::from("Back to your usual running; build long runs by no more than about 10% over your longest run of the last month."),
                times: 1,
                easier: None,
                minutes: None,
            },
        })
        .collect();
    DayView {
        date: d.date,
        items,
    }
}

/// The whole view of a plan on `today`, with the week starting today.
pub fn view(kb: &Kb, pkb: &PlanKb, st: &PlanState, today: Date) -> Result<PlanView, Error> {
    let p = st.protocol(pkb)?;
    let pi = st.phase.min(p.phase.len() - 1);
    let ph = &p.phase[pi];
    let week = days(pkb, st, today, 7)?;
    let week_views: Vec<DayView> = week.iter().map(|d| day_view(pkb, st, d)).collect();
    let condition_name = kb
        .conditions
        .iter()
        .find(|c| c.id == st.condition)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| st.condition.clone());
    let mut cited: Vec<String> = p.sources.clone();
    cited.extend(ph.sources.iter().cloned());
    for it in &ph.exercises {
        if let Some(x) = pkb.exercise(it) {
            cited.extend(x.sources.iter().cloned());
        }
    }
    let until_seen = p.referral >= Referral::Urgent;
    let show_meds = pkb.medication.show_for.contains(&st.condition) && !until_seen;
    if show_meds {
        cited.extend(pkb.medication.sources.iter().cloned());
    }
    let mut seen = std::collections::BTreeSet::new();
    cited.retain(|s| seen.insert(s.clone()));
    let sources = cited
        .iter()
        .map(|id| SourceView {
            id: id.clone(),
            short: kb
                .sources
                .iter()
                .find(|s| &s.id == id)
                .map(|s| s.short.clone())
                .unwrap_or_default(),
        })
        .collect();
    let run_stage = st.current_stage(pkb, p).map(|(_, s)| s.name.clone());
    Ok(PlanView {
        disclaimer: kb.disclaimer.clone(),
        today,
        condition: st.condition.clone(),
        condition_name,
        severity: st.severity.clone(),
        severity_reason: st.severity_reason.clone(),
        triage: st.triage,
        triage_headline: st.triage_headline.clone(),
        protocol: p.id.clone(),
        protocol_name: p.name.clone(),
        summary: p.summary.clone(),
        pain_ceiling: p.pain_ceiling,
        until_seen,
        referral: (p.referral != Referral::None).then(|| ReferralView {
            level: p.referral,
            text: p.referral_text.clone().unwrap_or_default(),
        }),
        referrals: st.referrals.clone(),
        running_waits_for_clinician: st.needs_clinician,
        easing_off: st.ease,
        screen_due: screen_due(pkb, st, today),
        phase: PhaseView {
            number: pi + 1,
            of: p.phase.len(),
            id: ph.id.clone(),
            name: ph.name.clone(),
            goals: ph.goals.clone(),
            running: st.run_level(p).label().to_string(),
            care: ph.care.clone(),
            criteria: ph
                .criteria
                .iter()
                .map(|c| CriterionView {
                    id: c.id.clone(),
                    text: c.text.clone(),
                    met: st.criteria_met.contains(&c.id),
                })
                .collect(),
            started: st.phase_start,
            day_in_phase: i64::from((today - st.phase_start).get_days()) + 1,
            min_days: ph.min_days,
            next: p.phase.get(pi + 1).map(|n| n.name.clone()),
            sources: ph.sources.clone(),
        },
        timeline: TimelineView {
            running: st.timeline.running,
            full: st.timeline.full,
            factor: st.timeline.factor,
            reasons: st.timeline.reasons.clone(),
            note: p.timeline_note.clone(),
            reestimated: st.timeline.reestimated,
        },
        run_stage,
        today_sessions: week_views[0].clone(),
        week: week_views,
        medication: if show_meds {
            pkb.medication.text.clone()
        } else {
            Vec::new()
        },
        sources,
    })
}
