//! The interview as use cases over a saved value, for front ends that cannot keep an
//! interview in memory between two requests (the web app): start, answer, go back, finish.
//!
//! Each call takes the [`InterviewState`] the previous call returned (plain JSON the front
//! end keeps, in a form field or a session) and returns the next [`InterviewView`]: the state
//! to keep, the question to show with its choices by id and in plain words, and how far the
//! interview has got. The core chooses every question and decides when to stop; the service
//! only turns indexes into ids and words. Bad answers (an unknown id, a value out of range)
//! are errors naming the field, and nothing is kept from them.

use hamstride_core::findings::FieldKind;
use hamstride_core::interview_state::SavedStep;
use hamstride_core::{Findings, Interview, InterviewState, Question, StopRule};
use serde::Serialize;

use crate::{Error, Service};

/// What a front end shows for one step of the interview.
#[derive(Debug, Clone, Serialize)]
pub struct InterviewView {
    /// Keep this and send it back with the next answer.
    pub state: InterviewState,
    /// The next question; `None` when the interview is over (then call
    /// [`Service::interview_finish`]).
    pub question: Option<QuestionView>,
    /// Questions answered so far (checklists included).
    pub asked: usize,
    /// The condition leading so far and how likely it is (0–1), once past the checklists.
    pub leading: Option<(String, f64)>,
    /// Whether there is an answer to go back to.
    pub can_go_back: bool,
    /// The interview stopped because every answer was "don't know": a front end says so
    /// (`Kb::screen_wording.all_unknown`) and keeps nothing, as the terminal does.
    pub gave_up: bool,
}

/// One question, by id, with what the runner may answer.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    /// `field` (one finding) or `screen` (a warning-sign checklist).
    pub kind: &'static str,
    /// The finding's or checklist's id: the answer names it.
    pub id: String,
    pub text: String,
    /// `yes_no`, `one_of`, `many_of`, `whole_number`, `number` or `checklist`.
    pub answer: &'static str,
    /// The choices (for `one_of`, `many_of`) or checklist items, by id with their words.
    pub choices: Vec<Choice>,
    /// Bounds of a number answer.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `distance` when the number is a distance in km (a front end may ask in miles and
    /// convert).
    pub unit: Option<String>,
}

/// A choice or checklist item.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

impl Service {
    /// Start an interview, from nothing or from findings already known (a saved file, data
    /// pre-fill).
    pub fn interview_start(&self, start: Option<Findings>) -> InterviewView {
        let start = start.unwrap_or_else(|| Findings::empty(&self.kb.schema));
        let iv = Interview::with_findings(&self.kb, start, StopRule::default());
        self.interview_view(&iv)
    }

    /// Record one answer (a field or a checklist, by id; a field's `null` is "don't know")
    /// and move on. Answering a question already answered changes that answer.
    pub fn interview_answer(
        &self,
        state: &InterviewState,
        answer: SavedStep,
    ) -> Result<InterviewView, Error> {
        let mut next = state.clone();
        next.steps.push(answer);
        let iv = self.resume(&next)?;
        Ok(self.interview_view(&iv))
    }

    /// The view of a saved state as it stands (to show its question again, say after a bad
    /// answer was refused).
    pub fn interview_resume(&self, state: &InterviewState) -> Result<InterviewView, Error> {
        Ok(self.interview_view(&self.resume(state)?))
    }

    /// Forget the last answer and ask that question again.
    pub fn interview_back(&self, state: &InterviewState) -> Result<InterviewView, Error> {
        let mut iv = self.resume(state)?;
        iv.back();
        Ok(self.interview_view(&iv))
    }

    /// The findings the interview gathered, for `assess` and `record_assessment`.
    pub fn interview_finish(&self, state: &InterviewState) -> Result<Findings, Error> {
        Ok(self.resume(state)?.findings().clone())
    }

    fn resume(&self, state: &InterviewState) -> Result<Interview<'_>, Error> {
        Interview::resume(&self.kb, state, StopRule::default()).map_err(|error| Error::Findings {
            source_name: "interview".into(),
            error,
        })
    }

    fn interview_view(&self, iv: &Interview<'_>) -> InterviewView {
        let (asked, top, lead) = iv.progress();
        let leading =
            (asked >= self.kb.screens.len()).then(|| (self.kb.conditions[top].name.clone(), lead));
        InterviewView {
            state: iv.state(),
            question: iv.next().map(|q| self.question_view(q)),
            asked,
            leading,
            can_go_back: !iv.steps().is_empty(),
            gave_up: iv.gave_up(),
        }
    }

    fn question_view(&self, q: Question) -> QuestionView {
        let schema = &self.kb.schema;
        match q {
            Question::Screen(s) => {
                let screen = &self.kb.screens[s];
                QuestionView {
                    kind: "screen",
                    id: screen.id.clone(),
                    text: screen.question.clone(),
                    answer: "checklist",
                    choices: screen
                        .item_fields
                        .iter()
                        .map(|&fi| Choice {
                            id: schema.fields[fi].id.clone(),
                            label: schema.fields[fi].question.clone(),
                        })
                        .collect(),
                    min: None,
                    max: None,
                    unit: None,
                }
            }
            Question::Field(fi) => {
                let f = &schema.fields[fi];
                let choices = || {
                    f.values()
                        .iter()
                        .map(|v| Choice {
                            id: v.clone(),
                            label: f.value_label(v),
                        })
                        .collect()
                };
                let (answer, choices, min, max) = match &f.kind {
                    FieldKind::Bool => ("yes_no", Vec::new(), None, None),
                    FieldKind::Enum(_) => ("one_of", choices(), None, None),
                    FieldKind::Multi(_) => ("many_of", choices(), None, None),
                    FieldKind::Int { min, max } => (
                        "whole_number",
                        Vec::new(),
                        Some(*min as f64),
                        Some(*max as f64),
                    ),
                    FieldKind::Number { min, max } => {
                        ("number", Vec::new(), Some(*min), Some(*max))
                    }
                };
                QuestionView {
                    kind: "field",
                    id: f.id.clone(),
                    text: f.question.clone(),
                    answer,
                    choices,
                    min,
                    max,
                    unit: f.unit.clone(),
                }
            }
        }
    }
}
