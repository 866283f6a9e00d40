//! The interview in the terminal: renders each question the core's [`Interview`] chooses with
//! `inquire` prompts and feeds the answers back. "Don't know" is offered on every question;
//! Esc or Ctrl-C stops early and the result so far is shown. The order of questions and when
//! to stop are decided by the core, never here.

use anyhow::Result;
use hamstride_service::view::FieldKind;
use hamstride_service::{Findings, Question, ScreenAnswer, Service, Value};
use inquire::error::InquireError;
use inquire::{MultiSelect, Select, Text};

use crate::Units;

const DONT_KNOW: &str = "Don't know";
/// Offered once there is an answer to change: the core forgets the last answer and asks again.
const BACK: &str = "← Go back to the previous question";

/// What the runner did with a question.
enum Reply<T> {
    Answer(T),
    Back,
}
const KM_PER_MILE: f64 = 1.609_344;

/// How the interview ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The core had nothing more worth asking.
    Finished,
    /// The runner stopped it (Esc, Ctrl-C, end of input).
    Stopped,
    /// Every answer was "don't know": the core stopped asking.
    AllUnknown,
}

/// Run the interview. Returns the findings and how it ended.
pub fn run(service: &Service, units: Units, start: Findings) -> Result<(Findings, Ending)> {
    let kb = service.kb();
    let mut iv = hamstride_service::Interview::with_findings(kb, start, Default::default());
    outln!(
        "hamstride: a few questions about the pain at the back of your thigh.\n\
         Answer \"{DONT_KNOW}\" whenever you are not sure. Press Esc to stop and see the result so far.\n\
         This is educational information, not a diagnosis.\n"
    );
    let mut interrupted = false;
    while let Some(q) = iv.next() {
        let (asked, top, lead) = iv.progress();
        let progress = if asked < kb.screens.len() {
            format!("Warning-sign check {} of {}", asked + 1, kb.screens.len())
        } else {
            format!(
                "Question {} · most likely so far: {} ({:.0}%)",
                asked + 1,
                kb.conditions[top].name,
                lead * 100.0
            )
        };
        let can_back = !iv.steps().is_empty();
        let answered = match q {
            Question::Screen(s) => ask_screen(service, s, &progress, can_back).map(|r| match r {
                Reply::Answer(a) => iv.answer_screen(s, &a),
                Reply::Back => drop(iv.back()),
            }),
            Question::Field(fi) => {
                ask_field(service, fi, units, &progress, can_back).map(|r| match r {
                    Reply::Answer(v) => iv.answer(fi, v),
                    Reply::Back => drop(iv.back()),
                })
            }
        };
        match answered {
            Ok(()) => {}
            // Esc, Ctrl-C, or the end of input (a closed terminal): the runner left.
            Err(
                InquireError::OperationCanceled
                | InquireError::OperationInterrupted
                | InquireError::IO(_)
                | InquireError::NotTTY,
            ) => {
                interrupted = true;
                iv.quit();
            }
            Err(e) => return Err(e.into()),
        }
    }
    outln!();
    let ending = if interrupted {
        Ending::Stopped
    } else if iv.gave_up() {
        Ending::AllUnknown
    } else {
        Ending::Finished
    };
    Ok((iv.findings().clone(), ending))
}

/// The choices of a one-answer question, with "go back" last when there is something to go
/// back to.
fn with_back(mut options: Vec<String>, can_back: bool) -> Vec<String> {
    if can_back {
        options.push(BACK.to_string());
    }
    options
}

fn ask_screen(
    service: &Service,
    s: usize,
    progress: &str,
    can_back: bool,
) -> Result<Reply<ScreenAnswer>, InquireError> {
    let kb = service.kb();
    let screen = &kb.screens[s];
    let items: Vec<String> = screen
        .item_fields
        .iter()
        .map(|&fi| format!("  • {}", kb.schema.fields[fi].question))
        .collect();
    outln!("{}\n{}", screen.question, items.join("\n"));
    let options = with_back(
        vec![
            "No, none of these".to_string(),
            "Yes, one or more".to_string(),
            DONT_KNOW.to_string(),
        ],
        can_back,
    );
    let choice = Select::new("Any of these?", options)
        .with_help_message(progress)
        .prompt()?;
    Ok(Reply::Answer(match choice.as_str() {
        BACK => return Ok(Reply::Back),
        "No, none of these" => ScreenAnswer::NoneOfThese,
        DONT_KNOW => ScreenAnswer::DontKnow,
        _ => {
            let options: Vec<String> = screen
                .item_fields
                .iter()
                .map(|&fi| kb.schema.fields[fi].question.clone())
                .collect();
            let picked = MultiSelect::new(
                "Which ones? (space to tick, enter to confirm)",
                options.clone(),
            )
            .prompt()?;
            if picked.is_empty() {
                ScreenAnswer::DontKnow
            } else {
                ScreenAnswer::These(
                    screen
                        .item_fields
                        .iter()
                        .zip(&options)
                        .filter(|(_, o)| picked.contains(o))
                        .map(|(fi, _)| *fi)
                        .collect(),
                )
            }
        }
    }))
}

fn ask_field(
    service: &Service,
    fi: usize,
    units: Units,
    progress: &str,
    can_back: bool,
) -> Result<Reply<Option<Value>>, InquireError> {
    let field = &service.kb().schema.fields[fi];
    // Typed answers (numbers, ticks) take "back" as a word; choices offer it as a choice.
    let back_hint = if can_back {
        "; type \"back\" to change the last answer"
    } else {
        ""
    };
    let typed_back = |s: &str| can_back && s.trim().eq_ignore_ascii_case("back");
    let answer = match &field.kind {
        FieldKind::Bool => {
            let options = with_back(
                vec!["Yes".to_string(), "No".to_string(), DONT_KNOW.to_string()],
                can_back,
            );
            let a = Select::new(&field.question, options)
                .with_help_message(progress)
                .prompt()?;
            match a.as_str() {
                BACK => return Ok(Reply::Back),
                "Yes" => Some(Value::Bool(true)),
                "No" => Some(Value::Bool(false)),
                _ => None,
            }
        }
        FieldKind::Enum(values) => {
            let mut options: Vec<String> = values.iter().map(|v| field.value_label(v)).collect();
            options.push(DONT_KNOW.to_string());
            let options = with_back(options, can_back);
            let a = Select::new(&field.question, options.clone())
                .with_help_message(progress)
                .prompt()?;
            if a == BACK {
                return Ok(Reply::Back);
            }
            options
                .iter()
                .position(|o| *o == a)
                .filter(|&i| i < values.len())
                .map(|i| Value::Enum(i as u8))
        }
        FieldKind::Multi(values) => {
            let mut options: Vec<String> = values.iter().map(|v| field.value_label(v)).collect();
            options.push(DONT_KNOW.to_string());
            let options = with_back(options, can_back);
            let picked = MultiSelect::new(&field.question, options.clone())
                .with_help_message(&format!(
                    "{progress} · space to tick, enter to confirm; nothing ticked = none of these"
                ))
                .prompt()?;
            if picked.iter().any(|p| p == BACK) {
                return Ok(Reply::Back);
            }
            if picked.iter().any(|p| p == DONT_KNOW) {
                return Ok(Reply::Answer(None));
            }
            let mut mask = 0u64;
            for (i, o) in options.iter().enumerate().take(values.len()) {
                if picked.contains(o) {
                    mask |= 1 << i;
                }
            }
            Some(Value::Multi(mask))
        }
        FieldKind::Int { min, max } => {
            let (lo, hi) = (*min as f64, *max as f64);
            let a = Text::new(&field.question)
                .with_help_message(&format!("{progress} · a whole number from {min} to {max}; leave empty if you don't know{back_hint}"))
                .with_validator(move |s: &str| {
                    if s.trim().is_empty() || (can_back && s.trim().eq_ignore_ascii_case("back")) {
                        return Ok(inquire::validator::Validation::Valid);
                    }
                    Ok(match s.trim().parse::<i64>() {
                        Ok(n) if (n as f64) >= lo && (n as f64) <= hi => inquire::validator::Validation::Valid,
                        _ => inquire::validator::Validation::Invalid(format!("enter a whole number from {lo} to {hi}").into()),
                    })
                })
                .prompt()?;
            if typed_back(&a) {
                return Ok(Reply::Back);
            }
            a.trim().parse::<i64>().ok().map(|n| Value::Num(n as f64))
        }
        FieldKind::Number { min, .. } => {
            let miles = units == Units::Mi && field.unit.as_deref() == Some("distance");
            let question = if miles {
                format!("{} (in miles)", field.question)
            } else if field.unit.as_deref() == Some("distance") {
                format!("{} (in km)", field.question)
            } else {
                field.question.clone()
            };
            let lo = *min;
            let a = Text::new(&question)
                .with_help_message(&format!(
                    "{progress} · a number; leave empty if you don't know{back_hint}"
                ))
                .with_validator(move |s: &str| {
                    if s.trim().is_empty() || (can_back && s.trim().eq_ignore_ascii_case("back")) {
                        return Ok(inquire::validator::Validation::Valid);
                    }
                    Ok(match s.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() && x >= lo => inquire::validator::Validation::Valid,
                        _ => inquire::validator::Validation::Invalid(
                            format!("enter a number of at least {lo}").into(),
                        ),
                    })
                })
                .prompt()?;
            if typed_back(&a) {
                return Ok(Reply::Back);
            }
            a.trim()
                .parse::<f64>()
                .ok()
                .map(|x| Value::Num(if miles { x * KM_PER_MILE } else { x }))
        }
    };
    Ok(Reply::Answer(answer))
}
