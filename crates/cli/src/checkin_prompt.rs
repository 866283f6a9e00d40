//! The check-in asked in a terminal: pain scores, what was done, criteria now met, and the
//! warning-sign screen when it is due. Every prompt says what it accepts; Enter on an empty
//! answer skips a question (for a list: nothing ticked), and Esc (or Ctrl-C) cancels the whole
//! check-in: nothing is recorded and the command exits 7, as quitting the interview does.

use anyhow::Result;
use hamstride_service::plans::{ActivePlan, CheckInInput};
use hamstride_service::Service;
use inquire::error::InquireError;
use inquire::validator::Validation;
use inquire::{Confirm, MultiSelect, Text};
use jiff::civil::Date;

/// What a list prompt accepts, shown under it.
pub(crate) const TICK_HELP: &str =
    "Space ticks, Enter when done (nothing ticked: none); Esc cancels";

/// A whole number from `lo` to `hi`, or nothing (Enter on an empty answer). A text prompt, not a
/// number prompt: inquire's number prompt refuses an empty answer as "Invalid input", so its
/// "Enter to skip" could never work. Esc is an error (`OperationCanceled`) for the caller to
/// cancel on.
pub(crate) fn number_or_skip(
    question: &str,
    lo: i64,
    hi: i64,
    help: &str,
) -> Result<Option<i64>, InquireError> {
    let range = format!("a whole number from {lo} to {hi}, or nothing to skip");
    let answer = Text::new(question)
        .with_help_message(help)
        .with_validator(move |v: &str| {
            let v = v.trim();
            Ok(match v.parse::<i64>() {
                _ if v.is_empty() => Validation::Valid,
                Ok(n) if (lo..=hi).contains(&n) => Validation::Valid,
                _ => Validation::Invalid(range.clone().into()),
            })
        })
        .prompt()?;
    Ok(answer.trim().parse().ok())
}

/// A 0-10 pain score, or nothing (also the pain diary's prompt).
pub(crate) fn pain(question: &str) -> Result<Option<i64>, InquireError> {
    number_or_skip(
        question,
        0,
        10,
        "0 to 10, or Enter to skip (0 = no pain, 10 = worst imaginable); Esc cancels",
    )
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
    outln!(
        "Check-in for {today}: your last session and this morning. Enter skips a question; \
         Esc cancels the whole check-in and records nothing.\n"
    );
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
            .with_help_message(TICK_HELP)
            .prompt()?;
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
            .with_help_message(TICK_HELP)
            .prompt()?;
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
                .with_help_message("y or n (Enter: no); Esc cancels")
                .prompt()?;
    }
    // The warning-sign screen, in full, on the re-check days (R-C2). Every group is asked;
    // nothing ticked in a group means none of its signs, which the prompt says.
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
        let picked = MultiSelect::new(
            &format!("{} (tick any that apply)", s.question),
            items.clone(),
        )
        .with_help_message(TICK_HELP)
        .prompt()?;
        for l in picked {
            if let Some(i) = items.iter().position(|x| *x == l) {
                flags.push(s.items[i].clone());
            }
        }
    }
    input.red_flags = Some(flags);
    Ok(())
}
