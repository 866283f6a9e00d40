//! The interview as a plain value that can be saved and resumed: the findings it started
//! from and every answer in order, by field and screen id (not by index, so a saved state
//! survives a knowledge base that gains fields). A front end that cannot keep an
//! [`Interview`] in memory between two requests (the web app) stores this, resumes from it,
//! and can go back and change any answer without starting again. Resuming replays the steps,
//! so a resumed interview asks exactly the question the saved one would have asked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::findings::{parse_answer, value_to_json, FINDINGS_SCHEMA};
use crate::interview::{Interview, ScreenAnswer, Step, StopRule};
use crate::{Error, Findings, Kb};

/// The schema tag of a saved interview.
pub const INTERVIEW_SCHEMA: &str = "hamstride.interview/1";

/// A saved interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterviewState {
    pub schema: String,
    /// The findings the interview started from, as contract JSON.
    pub start: Map<String, Json>,
    /// Every answer, in the order given.
    pub steps: Vec<SavedStep>,
}

/// One saved answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SavedStep {
    /// A finding; `answer` is its contract value, or `null` for "don't know".
    Field { field: String, answer: Json },
    /// A warning-sign checklist.
    Screen {
        screen: String,
        answer: SavedScreenAnswer,
    },
}

/// A saved checklist answer: item ids, and per item `true`, `false` or `null` (not sure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedScreenAnswer {
    NoneOfThese,
    DontKnow,
    These(Vec<String>),
    Each(BTreeMap<String, Option<bool>>),
}

impl Interview<'_> {
    /// The interview as a plain value.
    pub fn state(&self) -> InterviewState {
        let kb = self.kb();
        let steps = self.steps().iter().map(|s| save_step(kb, s)).collect();
        InterviewState {
            schema: INTERVIEW_SCHEMA.to_string(),
            start: self.start().to_json(&kb.schema),
            steps,
        }
    }
}

impl<'k> Interview<'k> {
    /// Resume a saved interview: read the start findings, then replay every step. Bad input
    /// (an unknown id, a value of the wrong type) is an error naming the step and field.
    pub fn resume(kb: &'k Kb, state: &InterviewState, stop: StopRule) -> Result<Self, Error> {
        if state.schema != INTERVIEW_SCHEMA {
            return Err(Error::field(
                "schema",
                format!("must be \"{INTERVIEW_SCHEMA}\", found \"{}\"", state.schema),
            ));
        }
        let mut start = state.start.clone();
        start
            .entry("schema")
            .or_insert_with(|| Json::from(FINDINGS_SCHEMA));
        let findings = Findings::from_json(&kb.schema, &Json::Object(start), true)?.findings;
        let mut iv = Interview::with_findings(kb, findings, stop);
        for (n, step) in state.steps.iter().enumerate() {
            let step = load_step(kb, step).map_err(|e| match e {
                Error::Field { field, problem } => {
                    Error::field(&format!("steps[{n}].{field}"), problem)
                }
                other => other,
            })?;
            iv.apply(step);
        }
        Ok(iv)
    }
}

fn save_step(kb: &Kb, step: &Step) -> SavedStep {
    match step {
        Step::Field(fi, v) => {
            let field = &kb.schema.fields[*fi];
            SavedStep::Field {
                field: field.id.clone(),
                answer: v.as_ref().map_or(Json::Null, |v| value_to_json(field, v)),
            }
        }
        Step::Screen(s, a) => {
            let id = |fi: &usize| kb.schema.fields[*fi].id.clone();
            let answer = match a {
                ScreenAnswer::NoneOfThese => SavedScreenAnswer::NoneOfThese,
                ScreenAnswer::DontKnow => SavedScreenAnswer::DontKnow,
                ScreenAnswer::These(items) => {
                    SavedScreenAnswer::These(items.iter().map(id).collect())
                }
                ScreenAnswer::Each(items) => {
                    SavedScreenAnswer::Each(items.iter().map(|(fi, b)| (id(fi), *b)).collect())
                }
            };
            SavedStep::Screen {
                screen: kb.screens[*s].id.clone(),
                answer,
            }
        }
    }
}

fn load_step(kb: &Kb, step: &SavedStep) -> Result<Step, Error> {
    match step {
        SavedStep::Field { field, answer } => {
            let fi = kb
                .schema
                .index(field)
                .ok_or_else(|| Error::field("field", format!("unknown finding '{field}'")))?;
            let v = match answer {
                Json::Null => None,
                a => Some(parse_answer(&kb.schema.fields[fi], a)?),
            };
            Ok(Step::Field(fi, v))
        }
        SavedStep::Screen { screen, answer } => {
            let s = kb
                .screens
                .iter()
                .position(|x| &x.id == screen)
                .ok_or_else(|| Error::field("screen", format!("unknown screen '{screen}'")))?;
            let item = |id: &String| {
                kb.screens[s]
                    .item_fields
                    .iter()
                    .copied()
                    .find(|&fi| kb.schema.fields[fi].id == *id)
                    .ok_or_else(|| {
                        Error::field("answer", format!("'{id}' is not an item of '{screen}'"))
                    })
            };
            let a = match answer {
                SavedScreenAnswer::NoneOfThese => ScreenAnswer::NoneOfThese,
                SavedScreenAnswer::DontKnow => ScreenAnswer::DontKnow,
                SavedScreenAnswer::These(ids) => {
                    ScreenAnswer::These(ids.iter().map(item).collect::<Result<_, _>>()?)
                }
                SavedScreenAnswer::Each(map) => ScreenAnswer::Each(
                    map.iter()
                        .map(|(id, b)| item(id).map(|fi| (fi, *b)))
                        .collect::<Result<_, _>>()?,
                ),
            };
            Ok(Step::Screen(s, a))
        }
    }
}
