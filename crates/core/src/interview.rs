//! The adaptive interview, as a pure state machine the terminal (and later the web) drives.
//!
//! It asks the red-flag screen first, one group of alarm signs at a time ("do any of these
//! apply?"), then one question at a time chosen by [`Scoring::value`]: the question
//! whose answer would most change the differential or the triage level. "Don't know" is
//! always allowed and is never asked again. It stops when the answer is settled: nothing left
//! could move the triage level, and the leading condition is clear or no question would
//! change much. The caller owns input and output; this module never prints or reads.

use crate::engine::{self, Scoring};
use crate::findings::{Findings, Value};
use crate::kb::Kb;

/// What to ask next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// A red-flag screen group (index into `kb.screens`).
    Screen(usize),
    /// One finding (index into the schema).
    Field(usize),
}

/// The runner's answer to a screen group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenAnswer {
    /// None of these apply: every item is "no".
    NoneOfThese,
    /// Not sure: every item stays unknown.
    DontKnow,
    /// These items apply (field indexes); the others in the group are "no".
    These(Vec<usize>),
    /// Item by item (a checklist with "yes", "no" and "not sure" per line): `(field, answer)`,
    /// `None` = not sure. Items not listed stay unknown.
    Each(Vec<(usize, Option<bool>)>),
}

/// Settings for when the interview stops.
#[derive(Debug, Clone, Copy)]
pub struct StopRule {
    /// Stop when the leading condition is at least this likely and no question can change
    /// triage by more than `max_triage_change`.
    pub settle_probability: f64,
    /// Stop when the best question scores below this.
    pub min_score: f64,
    /// Never stop while some question's triage value is at least this: a warning sign or
    /// a more urgent rule could still turn up.
    pub max_triage_value: f64,
    /// Hard cap on questions, screens included.
    pub max_questions: usize,
    /// Stop when every answer so far (checklists included) was "don't know" and this many
    /// questions were answered so: more questions cannot help, and the result says why.
    pub all_unknown_stop: usize,
}

impl Default for StopRule {
    fn default() -> Self {
        StopRule {
            settle_probability: 0.60,
            min_score: 0.10,
            max_triage_value: 0.3,
            max_questions: 30,
            all_unknown_stop: 6,
        }
    }
}

/// One answered question, as the interview recorded it (so it can go back and be saved).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Screen(usize, ScreenAnswer),
    /// `None` = don't know.
    Field(usize, Option<Value>),
}

/// Interview state.
#[derive(Debug, Clone)]
pub struct Interview<'k> {
    kb: &'k Kb,
    /// The findings it started from (a saved or pre-filled set); steps replay on top of them.
    start: Findings,
    steps: Vec<Step>,
    findings: Findings,
    asked: Vec<bool>,
    screens_done: Vec<bool>,
    questions: usize,
    stop: StopRule,
    finished: bool,
}

impl<'k> Interview<'k> {
    pub fn new(kb: &'k Kb) -> Self {
        Interview::with_findings(kb, Findings::empty(&kb.schema), StopRule::default())
    }

    /// Start from findings already known (for example a saved, half-finished interview).
    pub fn with_findings(kb: &'k Kb, findings: Findings, stop: StopRule) -> Self {
        let screens_done = kb
            .screens
            .iter()
            .map(|s| s.item_fields.iter().all(|&fi| findings.get(fi).is_some()))
            .collect();
        Interview {
            kb,
            start: findings.clone(),
            steps: Vec::new(),
            asked: vec![false; kb.schema.fields.len()],
            findings,
            screens_done,
            questions: 0,
            stop,
            finished: false,
        }
    }

    /// The knowledge base it runs on.
    pub fn kb(&self) -> &'k Kb {
        self.kb
    }

    /// The findings the interview started from.
    pub fn start(&self) -> &Findings {
        &self.start
    }

    /// The questions answered so far, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The stop settings.
    pub fn stop_rule(&self) -> StopRule {
        self.stop
    }

    /// Go back one question: forget its answer (and only its answer) and return it, so the
    /// runner can answer it again; `None` when nothing has been answered. Everything else is
    /// rebuilt by replaying the other answers, so the state is exactly as it was before.
    pub fn back(&mut self) -> Option<Step> {
        let last = self.steps.pop()?;
        let steps = std::mem::take(&mut self.steps);
        *self = Interview::with_findings(self.kb, self.start.clone(), self.stop);
        for step in steps {
            self.apply(step);
        }
        Some(last)
    }

    /// Record a step (the one way answers enter the interview).
    pub fn apply(&mut self, step: Step) {
        match &step {
            Step::Screen(s, a) => self.answer_screen_inner(*s, a),
            Step::Field(fi, v) => self.answer_inner(*fi, *v),
        }
        self.steps.push(step);
    }

    pub fn findings(&self) -> &Findings {
        &self.findings
    }

    /// Questions asked so far.
    pub fn asked_count(&self) -> usize {
        self.questions
    }

    /// The runner wants to stop here.
    pub fn quit(&mut self) {
        self.finished = true;
    }

    /// True when the interview stopped because every answer was "don't know" (see
    /// [`StopRule::all_unknown_stop`]): a front end says so, and that the result rests on
    /// nothing the runner could tell.
    pub fn gave_up(&self) -> bool {
        let unknown = |s: &Step| match s {
            Step::Field(_, v) => v.is_none(),
            Step::Screen(_, a) => *a == ScreenAnswer::DontKnow,
        };
        self.steps.len() >= self.stop.all_unknown_stop
            && self.steps.iter().all(unknown)
            && self.start == Findings::empty(&self.kb.schema)
    }

    /// The next question, or `None` when the answer is settled.
    pub fn next(&self) -> Option<Question> {
        if self.finished || self.questions >= self.stop.max_questions || self.gave_up() {
            return None;
        }
        if let Some(s) = self.screens_done.iter().position(|d| !d) {
            return Some(Question::Screen(s));
        }
        let scoring = Scoring::with_mode(self.kb, &self.findings, engine::Presume::Supported);
        // Nothing can be more urgent than an emergency: stop asking and send the runner on.
        if scoring.decision.level == 0 {
            return None;
        }
        if let Some(fi) = (0..self.kb.schema.fields.len()).find(|&fi| {
            self.kb.schema.fields[fi].ask_early
                && self.findings.get(fi).is_none()
                && !self.asked[fi]
        }) {
            return Some(Question::Field(fi));
        }
        let mut best: Option<(f64, usize)> = None;
        let mut triage_risk: f64 = 0.0;
        for (fi, v) in scoring.candidates(&self.asked) {
            triage_risk = triage_risk.max(v.triage);
            if best.is_none_or(|(b, _)| v.total() > b) {
                best = Some((v.total(), fi));
            }
        }
        let (score, fi) = best?;
        let (_, top) = scoring.leading();
        let settled = triage_risk < self.stop.max_triage_value
            && (top >= self.stop.settle_probability || score < self.stop.min_score);
        if !settled {
            return Some(Question::Field(fi));
        }
        // Settled on the differential, but a deciding answer of a rule that holds except for
        // unknown answers, or of a possible must-not-miss condition, is still open: ask it
        // before stopping (brief 2.4a: when unsure, ask).
        self.pending_decider(&scoring).map(Question::Field)
    }

    /// The first unknown answer that may still be asked and could, on its own, make the level
    /// urgent or an emergency, or that a possible must-not-miss condition's rule needs, or
    /// that would lower a level resting on presumed answers. (Answers that only move between
    /// self-care and a physio are left to the question values: the interview stays short.)
    fn pending_decider(&self, scoring: &Scoring<'_>) -> Option<usize> {
        let d = &scoring.decision;
        let changes = engine::could_change(self.kb, &self.findings, d, &|g| {
            engine::floor_posterior(self.kb, g)
        });
        changes
            .iter()
            .filter(|c| (c.level <= 1 && (!c.joint || c.screened)) || c.level > d.level)
            .map(|c| c.field)
            .find(|&fi| {
                self.findings.get(fi).is_none()
                    && !self.asked.get(fi).copied().unwrap_or(true)
                    && self.kb.ask_allowed(&self.findings, fi)
            })
    }

    /// Record an answer to a screen group.
    pub fn answer_screen(&mut self, screen: usize, a: &ScreenAnswer) {
        if screen < self.kb.screens.len() {
            self.apply(Step::Screen(screen, a.clone()));
        }
    }

    fn answer_screen_inner(&mut self, screen: usize, a: &ScreenAnswer) {
        let Some(s) = self.kb.screens.get(screen) else {
            return;
        };
        for &fi in &s.item_fields {
            if self.findings.get(fi).is_some() {
                continue;
            }
            let v = match a {
                ScreenAnswer::NoneOfThese => Some(Value::Bool(false)),
                ScreenAnswer::DontKnow => None,
                ScreenAnswer::These(items) => Some(Value::Bool(items.contains(&fi))),
                ScreenAnswer::Each(items) => items
                    .iter()
                    .find(|(i, _)| *i == fi)
                    .and_then(|(_, b)| b.map(Value::Bool)),
            };
            self.findings.set(fi, v);
            self.asked[fi] = true;
        }
        self.screens_done[screen] = true;
        self.questions += 1;
    }

    /// Record an answer to one finding; `None` = don't know.
    pub fn answer(&mut self, field: usize, v: Option<Value>) {
        if field < self.asked.len() {
            self.apply(Step::Field(field, v));
        }
    }

    fn answer_inner(&mut self, field: usize, v: Option<Value>) {
        if field < self.asked.len() {
            self.asked[field] = true;
            self.findings.set(field, v);
            self.questions += 1;
        }
    }

    /// Answer a question from answers already known (a saved, half-finished interview, or a
    /// simulated runner): a field gets its known value, or "don't know"; a screen group is
    /// answered item by item, so a known "no" stays a "no" beside a "not sure".
    pub fn answer_from(&mut self, q: Question, known: &Findings) {
        match q {
            Question::Field(fi) => self.answer(fi, known.get(fi).copied()),
            Question::Screen(s) => {
                let Some(screen) = self.kb.screens.get(s) else {
                    return;
                };
                let items = screen
                    .item_fields
                    .iter()
                    .map(|&fi| {
                        let v = match known.get(fi) {
                            Some(Value::Bool(b)) => Some(*b),
                            _ => None,
                        };
                        (fi, v)
                    })
                    .collect();
                self.answer_screen(s, &ScreenAnswer::Each(items));
            }
        }
    }

    /// Progress for display: questions asked, and the leading condition with its probability.
    pub fn progress(&self) -> (usize, usize, f64) {
        let post = engine::posterior(self.kb, &self.findings);
        let top = post
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i);
        (self.questions, top, post.get(top).copied().unwrap_or(0.0))
    }
}
