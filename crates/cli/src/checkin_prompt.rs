//! The check-in asked in a terminal: pain scores, what was done, criteria now met, and the
//! warning-sign screen when it is due. Each prompt can be skipped; Esc cancels the whole
//! check-in without recording anything.

use anyhow::Result;
use hamstride_service::plans::{ActivePlan, CheckInInput};
use hamstride_service::Service;
use inquire::error::InquireError;
use inquire::{Confirm, CustomType, MultiSelect};
use jiff::civil::Date;

/// A 0-10 pain score, skippable (also the pain diary's prompt).
pub(crate) fn pain(question: &str) -> Result<Option<i64>, InquireError> {
    CustomType::<i64>::new(question)
        .with_help_message("0 = no pain, 10 = worst imaginable; Enter on empty to skip")
        .with_validator(|v: &i64| {
            Ok(if (0..=10).contains(v) {
                inquire::validator::Validation::Valid
            } else {
                inquire::validator::Validation::Invalid("a number from 0 to 10".into())
            })
        })
        .prompt_skippable()
}

/// Fill `input` by asking. Ok(false) when the runner cancelled.
pub fn ask(
    service: &Service,
    plan: &ActivePlan,
    today: Date,
    input: &mut CheckInInput,
) -> Result<bool> {
    match ask_inner(service, plan, today, input) {
        Ok(()) => Ok(true),
        Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn ask_inner(
    service: &Service,
    plan: &ActivePlan,
    today: Date,
    input: &mut CheckInInput,
) -> Result<(), InquireError> {
    outln!("Check-in for {today}: your last session and this morning. Esc cancels.\n");
    input.pain_during = pain("Pain during your last session (0-10)?")?;
    input.pain_after = pain("Pain straight after it (0-10)?")?;
    input.pain_morning = pain("Pain this morning (0-10)?")?;
    let view = service
        .plan_view(plan, today)
        .map_err(|e| InquireError::Custom(e.to_string().into()))?;
    let lib = service.plans();
    let p = lib.protocol(&plan.state.protocol);
    let mut options: Vec<String> = p
        .map(|p| {
            p.phase[plan.state.phase.min(p.phase.len() - 1)]
                .exercises
                .clone()
        })
        .unwrap_or_default();
    if view.run_stage.is_some() {
        options.push(String::from("run"));
    }
    if !options.is_empty() {
        let labels: Vec<String> = options
            .iter()
            .map(|id| {
                lib.exercise(id)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| String::from("the planned run"))
            })
            .collect();
        let picked = MultiSelect::new("What did you do in your last session?", labels.clone())
            .prompt_skippable()?
            .unwrap_or_default();
        input.done = picked
            .iter()
            .filter_map(|l| {
                labels
                    .iter()
                    .position(|x| x == l)
                    .map(|i| options[i].clone())
            })
            .collect();
    }
    let open: Vec<&hamstride_service::view::CriterionView> =
        view.phase.criteria.iter().filter(|c| !c.met).collect();
    if !open.is_empty() {
        let labels: Vec<String> = open.iter().map(|c| c.text.clone()).collect();
        let picked = MultiSelect::new("Which of these are true now?", labels.clone())
            .prompt_skippable()?
            .unwrap_or_default();
        input.criteria = picked
            .iter()
            .filter_map(|l| {
                labels
                    .iter()
                    .position(|x| x == l)
                    .map(|i| open[i].id.clone())
            })
            .collect();
    }
    if plan.state.needs_clinician {
        input.seen_clinician =
            Confirm::new("Has a doctor or physiotherapist seen you since the plan started?")
                .with_default(false)
                .prompt_skippable()?
                .unwrap_or(false);
    }
    // The warning-sign screen, in full, on the re-check days (R-C2). Skipping any group leaves
    // the screen unanswered, so the plan holds until it is done.
    if !service.screen_due(plan, today) {
        return Ok(());
    }
    outln!("\nWarning-sign check (due today):");
    let kb = service.kb();
    let mut flags = Vec::new();
    for s in &kb.screens {
        let items: Vec<String> = s
            .item_fields
            .iter()
            .map(|&fi| kb.schema.fields[fi].question.clone())
            .collect();
        let Some(picked) = MultiSelect::new(
            &format!("{} (tick any that apply)", s.question),
            items.clone(),
        )
        .prompt_skippable()?
        else {
            return Ok(());
        };
        for l in picked {
            if let Some(i) = items.iter().position(|x| *x == l) {
                flags.push(s.items[i].clone());
            }
        }
    }
    input.red_flags = Some(flags);
    Ok(())
}
