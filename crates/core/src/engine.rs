//! The assessment engine: findings in, the contract's assessment out.
//!
//! Order matters and is the safety argument. The triage level comes from rules, from
//! missing answers that are more likely than not, and from must-not-miss screens (see
//! [`crate::triage`]); never from which condition ranks first. The differential (see
//! [`crate::model`]) explains and ranks, chooses the next question, and tells the screens
//! which serious conditions are still possible. The engine is pure: same knowledge base and
//! findings, same answer.

use serde::Serialize;

use crate::expr::{EvalContext, Expr};
use crate::findings::{FieldKind, Findings, Value, FINDINGS_SCHEMAS};
use crate::kb::{Kb, LEVELS};
use crate::model::{softmax, Obs};
use crate::triage::argmax;
pub use crate::triage::{
    could_change, decide, decide_with, to_conditions, Change, Decision, Presume, SetBy,
};

/// How many next questions an assessment lists: the deciding ones, the red-flag screen and
/// a few of the most informative besides.
const NEXT_QUESTIONS: usize = 20;

/// How many of the most valuable questions come before the red-flag screen items.
const NEXT_VALUED_FIRST: usize = 6;

/// The contract's output schema tag.
pub const ASSESSMENT_SCHEMA: &str = "hamstride.assessment/2";

/// The contract's assessment JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assessment {
    pub schema: &'static str,
    /// The findings schema the input was read as.
    pub findings_schema: &'static str,
    pub knowledge_version: String,
    pub triage: Triage,
    pub differential: Vec<DiffEntry>,
    pub red_flags: Vec<String>,
    pub next_questions: Vec<String>,
    pub advice: Vec<String>,
    pub disclaimer: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Triage {
    pub level: String,
    pub headline: String,
    pub reasons: Vec<Reason>,
    pub set_by: SetByJson,
    pub could_change: Vec<ChangeJson>,
}

/// `triage.set_by`: the rule or must-not-miss screen that set the level.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SetByJson {
    /// `rule` or `screen`.
    pub kind: &'static str,
    pub id: String,
}

/// One entry of `triage.could_change`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChangeJson {
    pub finding: String,
    pub answer: String,
    pub level: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reason {
    pub rule: String,
    pub text: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiffEntry {
    pub condition: String,
    pub name: String,
    pub probability: f64,
    #[serde(rename = "for")]
    pub for_: Vec<String>,
    pub against: Vec<String>,
}

/// The assessment plus what adapters need to present it (indexes into the knowledge base).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub assessment: Assessment,
    /// Displayed posterior over the contract's conditions.
    pub posterior: Vec<f64>,
    /// Rank into [`LEVELS`].
    pub level: u8,
    /// Fired rules, most urgent first.
    pub fired: Vec<usize>,
    /// Advice entries shown, in knowledge-base order.
    pub advice: Vec<usize>,
    pub decision: Decision,
    /// Unknown answers that would change the level, most urgent first.
    pub changes: Vec<Change>,
    /// When to be seen (index into `Kb::frames`): the headline's frame, which every other
    /// text of the result, its plan and its check-ins say through `{when}`. None for self-care.
    pub frame: Option<usize>,
}

/// Log posterior over the model's classes at temperature `t`: answers, then interactions.
/// `skip` leaves out fields (the warning signs, for the floor posterior).
fn class_log_posterior(kb: &Kb, f: &Findings, skip: Option<&[bool]>, t: f64) -> Vec<f64> {
    let obs = match skip {
        Some(s) => kb.model.observations_except(&kb.schema, f, s),
        None => kb.model.observations(&kb.schema, f),
    };
    let mut lp = kb.model.log_posterior_at(&obs, t);
    let ctx = EvalContext::FINDINGS_ONLY;
    for it in &kb.interactions {
        if it.when.eval(f, &ctx) {
            for (l, x) in lp.iter_mut().zip(&it.log_lr) {
                *l += t * x;
            }
        }
    }
    lp
}

/// Posterior over the model's classes (all findings), at the calibrated display temperature.
pub fn class_posterior(kb: &Kb, f: &Findings) -> Vec<f64> {
    softmax(&class_log_posterior(kb, f, None, kb.model.temperature))
}

/// Posterior probabilities of the contract's conditions for a findings set.
pub fn posterior(kb: &Kb, f: &Findings) -> Vec<f64> {
    to_conditions(kb, &class_posterior(kb, f))
}

/// The posterior triage reasons with, over classes: every finding except the warning signs
/// (the red-flag screen answers). Warning signs act on triage only through rules, so a new
/// warning sign can change which condition leads the displayed differential but never what
/// the screens see, and can never lower the level.
pub fn floor_posterior(kb: &Kb, f: &Findings) -> Vec<f64> {
    let t = kb.model.triage_temperature;
    softmax(&class_log_posterior(kb, f, Some(&kb.warning_signs), t))
}

/// Below "urgent", the first reason says what is known of the warning signs: "all clear" only
/// when every screen item was answered no, else which ones were not checked (unknown is never
/// no). At urgent and above a warning sign or a must-not-miss screen has spoken already.
fn screens_said(kb: &Kb, f: &Findings, level: u8, reasons: &mut [Reason]) {
    if level < 2 {
        return;
    }
    let unchecked: Vec<&str> = kb
        .screens
        .iter()
        .flat_map(|s| s.item_fields.iter())
        .filter(|&&fi| f.get(fi).is_none())
        .map(|&fi| kb.schema.fields[fi].label.as_str())
        .collect();
    let said = if unchecked.is_empty() {
        kb.screen_wording.all_clear.clone()
    } else {
        kb.screen_wording
            .unchecked
            .replace("{unchecked}", &unchecked.join(", "))
    };
    if let Some(first) = reasons.first_mut() {
        first.text = format!("{said} {}", first.text);
    }
}

/// Run a full assessment.
pub fn assess(kb: &Kb, f: &Findings) -> Outcome {
    let post_class = class_posterior(kb, f);
    let floor_class = floor_posterior(kb, f);
    let d = decide(kb, f, &floor_class);
    let changes = could_change(kb, f, &d, &|g| floor_posterior(kb, g));
    let level = d.level;
    // A self-care rule ("no warning sign found") is only a reason when self-care is the answer.
    let fired: Vec<usize> = d
        .fired
        .iter()
        .copied()
        .filter(|&i| {
            kb.rules[i].level as usize != LEVELS.len() - 1 || level as usize == LEVELS.len() - 1
        })
        .collect();
    let (headline, set_by, frame) = headline(kb, &d);
    let mut reasons = reasons(kb, f, &d, &fired);
    screens_said(kb, f, level, &mut reasons);
    let red_flags = fired
        .iter()
        .filter(|&&i| kb.rules[i].red_flag)
        .map(|&i| kb.rules[i].id.clone())
        .collect();

    let obs = kb.model.observations(&kb.schema, f);
    let post = to_conditions(kb, &post_class);
    let differential = differential(kb, &obs, &post_class, f);
    let scoring = Scoring::from_parts(kb, f, post_class, floor_class, d.clone());
    let next_questions = next_questions(kb, &scoring, &changes)
        .into_iter()
        .take(NEXT_QUESTIONS)
        .map(|fi| kb.schema.fields[fi].id.clone())
        .collect();

    let ctx = EvalContext {
        posterior: Some(&post),
        top: Some(d.top),
        level: Some(level),
    };
    let advice_idx = advice_shown(kb, f, &ctx, frame);
    let advice = advice_idx
        .iter()
        .map(|&i| {
            let a = &kb.advice[i];
            format!(
                "{} (Sources: {}.)",
                kb.with_frame(&a.text, frame),
                kb.cite(&a.sources).join("; ")
            )
        })
        .collect();
    let could_change = changes.iter().map(|c| change_json(kb, c)).collect();

    Outcome {
        assessment: Assessment {
            schema: ASSESSMENT_SCHEMA,
            findings_schema: FINDINGS_SCHEMAS[usize::from(f.version().clamp(1, 2)) - 1],
            knowledge_version: kb.version.clone(),
            triage: Triage {
                level: LEVELS[level as usize].to_string(),
                headline,
                reasons,
                set_by,
                could_change,
            },
            differential,
            red_flags,
            next_questions,
            advice,
            disclaimer: kb.disclaimer.clone(),
        },
        posterior: post,
        level,
        fired,
        advice: advice_idx,
        decision: d,
        changes,
        frame,
    }
}

impl Outcome {
    /// An emergency or urgent result: it shows only what to do now and until seen (the call,
    /// the warning signs, what to avoid), never how a condition is treated or how long a
    /// return to training takes, which wait for the examination.
    pub fn until_seen(&self) -> bool {
        self.level <= URGENT
    }
}

/// The advice a result shows, in knowledge-base order. An emergency or urgent result shows
/// only what to do now and until seen (`until_seen`): no return-to-training times, heat or
/// exercises before the examination. Advice that says when to be seen (`{when}`) needs a
/// level that has a time frame.
fn advice_shown(kb: &Kb, f: &Findings, ctx: &EvalContext<'_>, frame: Option<usize>) -> Vec<usize> {
    let until_seen_only = ctx.level.is_some_and(|l| l <= URGENT);
    (0..kb.advice.len())
        .filter(|&i| {
            let a = &kb.advice[i];
            (a.until_seen || !until_seen_only)
                && (frame.is_some() || !a.text.contains(crate::urgency::WHEN))
                && a.when.eval(f, ctx)
        })
        .collect()
}

/// Rank of the urgent level: at or above it a result is about being seen.
const URGENT: u8 = 1;

/// The headline and `set_by` for a decision. An emergency rule presumed (not fired) sets
/// "urgent": its own headline would say "emergency", so the level's general headline is used
/// and the rule is still named as what set it.
fn headline(kb: &Kb, d: &Decision) -> (String, SetByJson, Option<usize>) {
    let (rule, set_by) = match d.set_by {
        SetBy::Rule(i) | SetBy::Presumed(i) => (
            i,
            SetByJson {
                kind: "rule",
                id: kb.rules[i].id.clone(),
            },
        ),
        SetBy::Screen(s, i) => (
            i,
            SetByJson {
                kind: "screen",
                id: kb.must_not_miss[s].id.clone(),
            },
        ),
    };
    let (headline, frame) = if kb.rules[rule].level < d.level {
        (
            kb.levels[d.level as usize].presumed_headline.clone(),
            kb.presumed_frames[d.level as usize],
        )
    } else {
        (kb.rules[rule].headline.clone(), kb.rules[rule].frame)
    };
    (headline, set_by, frame)
}

/// Reasons, the ones that set the level first.
fn reasons(kb: &Kb, f: &Findings, d: &Decision, fired: &[usize]) -> Vec<Reason> {
    let mut out: Vec<(u8, Reason)> = Vec::new();
    for p in &d.presumed {
        let r = &kb.rules[p.rule];
        let mut answers = Vec::new();
        r.when.answers(f, &kb.schema, &mut answers);
        let missing: Vec<String> = answers
            .iter()
            .map(|(fi, _, _)| kb.schema.fields[*fi].label.clone())
            .collect();
        let (id, who, sources) = match p.screen {
            Some(s) => {
                let m = &kb.must_not_miss[s];
                (
                    m.id.clone(),
                    format!("{} cannot be ruled out", crate::kb::lower_first(&m.title)),
                    [m.sources.clone(), r.sources.clone()].concat(),
                )
            }
            None => (
                r.id.clone(),
                format!(
                    "with {} as the likeliest cause",
                    crate::kb::lower_first(&kb.classes[d.top_class].name)
                ),
                r.sources.clone(),
            ),
        };
        out.push((
            r.level,
            Reason {
                rule: id,
                text: format!(
                    "{} Not yet known: {}. {}, these answers are more likely yes than no, so this counts until they are checked.",
                    r.text,
                    missing.join(", "),
                    capitalise(&who)
                ),
                sources: kb.cite(&sources),
            },
        ));
    }
    for &i in fired {
        let r = &kb.rules[i];
        out.push((
            r.level,
            Reason {
                rule: r.id.clone(),
                text: r.text.clone(),
                sources: kb.cite(&r.sources),
            },
        ));
    }
    out.sort_by_key(|(l, _)| *l);
    out.into_iter().map(|(_, r)| r).collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The contract's form of one could-change entry.
fn change_json(kb: &Kb, c: &Change) -> ChangeJson {
    let field = &kb.schema.fields[c.field];
    ChangeJson {
        finding: field.id.clone(),
        answer: answer_text(field, &c.answer, &c.other),
        level: LEVELS[c.level as usize].to_string(),
    }
}

/// An answer as the contract writes it: `true`, a choice id, a list item, or a number with
/// the side of the line it is on (`4 or more`).
pub fn answer_text(field: &crate::findings::Field, v: &Value, other: &Value) -> String {
    match (v, other) {
        (Value::Bool(b), _) => b.to_string(),
        (Value::Enum(e), _) => field.values()[*e as usize].clone(),
        (Value::Multi(0), _) => "none of these".to_string(),
        (Value::Multi(m), _) => field.values()[m.trailing_zeros() as usize].clone(),
        (Value::Num(x), Value::Num(o)) if o > x => format!("{x} or less"),
        (Value::Num(x), _) => format!("{x} or more"),
    }
}

/// The contract id of one observation: `field` (yes), `field=false`, `field=value`,
/// `field=12` for numbers, `field!=item` for an item not ticked in a list.
pub fn finding_id(kb: &Kb, f: &Findings, o: &Obs) -> String {
    let var = &kb.model.vars[o.var];
    let field = &kb.schema.fields[var.field];
    match (f.get(var.field), var.element) {
        (Some(Value::Bool(true)), _) => field.id.clone(),
        (Some(Value::Bool(false)), _) => format!("{}=false", field.id),
        (Some(Value::Enum(e)), _) => format!("{}={}", field.id, field.values()[*e as usize]),
        (Some(Value::Num(x)), _) => format!("{}={}", field.id, x),
        (Some(Value::Multi(_)), Some(e)) => {
            let item = &field.values()[e as usize];
            if o.value == 0 {
                format!("{}={}", field.id, item)
            } else {
                format!("{}!={}", field.id, item)
            }
        }
        _ => field.id.clone(),
    }
}

/// Evidence strength (log likelihood ratio) from which a finding is listed for or against.
const EXPLAIN_MIN: f64 = 0.405; // ln 1.5

fn differential(kb: &Kb, obs: &[Obs], post_class: &[f64], f: &Findings) -> Vec<DiffEntry> {
    let n = kb.model.n_cond;
    let post = to_conditions(kb, post_class);
    let mut order: Vec<usize> = (0..post.len()).collect();
    order.sort_by(|a, b| post[*b].total_cmp(&post[*a]).then(a.cmp(b)));
    // Round down to 3 decimals so the listed probabilities never sum above 1.
    let mut out = Vec::new();
    for (rank, &c) in order.iter().enumerate() {
        if rank >= 3 && (post[c] < 0.01 || rank >= 6) {
            break;
        }
        // A condition made of subtypes is explained by its likeliest subtype.
        let k = (0..n)
            .filter(|&k| kb.classes[k].condition == c)
            .max_by(|a, b| post_class[*a].total_cmp(&post_class[*b]))
            .unwrap_or(0);
        let mut scored: Vec<(f64, String)> = obs
            .iter()
            .map(|o| {
                let var = &kb.model.vars[o.var];
                (o.weight * var.log_lr[o.value * n + k], finding_id(kb, f, o))
            })
            .filter(|(s, _)| s.abs() >= EXPLAIN_MIN)
            .collect();
        scored.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        let for_ = scored
            .iter()
            .filter(|(s, _)| *s > 0.0)
            .take(6)
            .map(|(_, id)| id.clone())
            .collect();
        let against = scored
            .iter()
            .filter(|(s, _)| *s < 0.0)
            .take(6)
            .map(|(_, id)| id.clone())
            .collect();
        let name = if kb.classes[k].id == kb.conditions[c].id {
            kb.conditions[c].name.clone()
        } else {
            format!(
                "{}: {}",
                kb.conditions[c].name,
                crate::kb::lower_first(&kb.classes[k].name)
            )
        };
        out.push(DiffEntry {
            condition: kb.conditions[c].id.clone(),
            name,
            probability: (post[c] * 1000.0).floor() / 1000.0,
            for_,
            against,
        });
    }
    out
}

/// Representative answers for a field, for what-if reasoning.
fn hypotheticals(kb: &Kb, fi: usize) -> Vec<Value> {
    let field = &kb.schema.fields[fi];
    match &field.kind {
        FieldKind::Bool => vec![Value::Bool(true), Value::Bool(false)],
        FieldKind::Enum(v) => (0..v.len()).map(|i| Value::Enum(i as u8)).collect(),
        FieldKind::Multi(v) => {
            let mut h: Vec<Value> = (0..v.len()).map(|i| Value::Multi(1 << i)).collect();
            h.push(Value::Multi(0));
            h
        }
        FieldKind::Int { min, max } => {
            let mut h: Vec<Value> = field
                .bins
                .iter()
                .filter_map(|b| b.max)
                .map(|m| Value::Num(m.floor().clamp(*min as f64, *max as f64)))
                .collect();
            h.push(Value::Num(*max as f64));
            h
        }
        FieldKind::Number { .. } => {
            let mut h: Vec<Value> = field
                .bins
                .iter()
                .filter_map(|b| b.max)
                .map(|m| Value::Num(m.floor()))
                .collect();
            h.push(Value::Num(
                field.bins.last().and_then(|b| b.max).unwrap_or(0.0) + 100.0,
            ));
            h
        }
    }
}

/// Probability that an expression is (or will turn out) true: answered atoms count as 0 or 1,
/// unanswered ones take the model's predictive probability under the current posterior, and
/// atoms are combined as if independent. Used to see rules that need several answers
/// together (a pop *and* a limp) before any one answer fires them.
pub(crate) fn expr_probability(
    kb: &Kb,
    f: &Findings,
    predictive: &[Vec<f64>],
    ctx: &EvalContext<'_>,
    e: &Expr,
) -> f64 {
    let pred = |fi: usize, element: Option<u8>| -> &[f64] {
        kb.model.field_vars[fi]
            .iter()
            .find(|&&v| kb.model.vars[v].element == element)
            .map_or(&[], |&v| predictive[v].as_slice())
    };
    let known = |fi: usize| f.get(fi).is_some();
    match e {
        Expr::IsTrue(i) | Expr::IsFalse(i) if !known(*i) => {
            let p = pred(*i, None).first().copied().unwrap_or(0.2);
            if matches!(e, Expr::IsTrue(_)) {
                p
            } else {
                1.0 - p
            }
        }
        Expr::EnumIn(i, vs) if !known(*i) => {
            let p = pred(*i, None);
            vs.iter()
                .map(|v| p.get(*v as usize).copied().unwrap_or(0.0))
                .sum()
        }
        Expr::HasAny(i, mask) if !known(*i) => {
            let n = kb.schema.fields[*i].values().len();
            1.0 - (0..n)
                .filter(|b| mask & (1 << b) != 0)
                .map(|b| 1.0 - pred(*i, Some(b as u8)).first().copied().unwrap_or(0.15))
                .product::<f64>()
        }
        Expr::Num(i, _, _) if !known(*i) => {
            // Each bin's representative value decides the comparison.
            let field = &kb.schema.fields[*i];
            let p = pred(*i, None);
            let mut trial = f.clone();
            let mut total = 0.0;
            for (b, pb) in p.iter().enumerate() {
                trial.set(*i, Some(Value::Num(field.bin_representative(b))));
                if e.eval(&trial, ctx) {
                    total += pb;
                }
            }
            total
        }
        Expr::Not(x) => 1.0 - expr_probability(kb, f, predictive, ctx, x),
        Expr::And(xs) => xs
            .iter()
            .map(|x| expr_probability(kb, f, predictive, ctx, x))
            .product(),
        Expr::Or(xs) => {
            1.0 - xs
                .iter()
                .map(|x| 1.0 - expr_probability(kb, f, predictive, ctx, x))
                .product::<f64>()
        }
        _ => f64::from(u8::from(e.eval(f, ctx))),
    }
}

fn bernoulli_entropy(p: f64) -> f64 {
    if p <= 1e-9 || p >= 1.0 - 1e-9 {
        0.0
    } else {
        -(p * p.log2() + (1.0 - p) * (1.0 - p).log2())
    }
}

/// What question scoring needs that depends only on the answers so far, computed once per
/// step of the interview (or once per assessment) rather than once per candidate question.
#[derive(Debug, Clone)]
pub struct Scoring<'a> {
    kb: &'a Kb,
    f: &'a Findings,
    /// The displayed posterior over classes (all findings).
    pub post: Vec<f64>,
    /// The posterior triage reasons with, over classes (see [`floor_posterior`]).
    pub floor: Vec<f64>,
    pub decision: Decision,
    /// The presumptions decisions make (see [`Presume`]).
    presume: Presume,
    base_lp: Vec<f64>,
    floor_lp: Vec<f64>,
    /// Predictive probability of each value of each model variable.
    predictive: Vec<Vec<f64>>,
}

impl<'a> Scoring<'a> {
    /// Everything from the findings.
    pub fn new(kb: &'a Kb, f: &'a Findings) -> Self {
        Scoring::with_mode(kb, f, Presume::All)
    }

    /// Everything from the findings, deciding with the given presumptions (the interview
    /// uses [`Presume::Supported`] while it can still ask).
    pub fn with_mode(kb: &'a Kb, f: &'a Findings, mode: Presume) -> Self {
        let floor = floor_posterior(kb, f);
        let decision = decide_with(kb, f, &floor, mode);
        let mut s = Scoring::from_parts(kb, f, class_posterior(kb, f), floor, decision);
        s.presume = mode;
        s
    }

    /// From posteriors and a decision the caller already has.
    pub fn from_parts(
        kb: &'a Kb,
        f: &'a Findings,
        post: Vec<f64>,
        floor: Vec<f64>,
        decision: Decision,
    ) -> Self {
        let ln = |p: &[f64]| p.iter().map(|x| x.max(1e-300).ln()).collect();
        let predictive = (0..kb.model.vars.len())
            .map(|v| kb.model.predictive(&post, v))
            .collect();
        Scoring {
            kb,
            f,
            base_lp: ln(&post),
            floor_lp: ln(&floor),
            presume: Presume::All,
            post,
            floor,
            decision,
            predictive,
        }
    }

    /// The leading contract condition in the displayed posterior (its classes summed), and
    /// its probability.
    pub fn leading(&self) -> (usize, f64) {
        let p = to_conditions(self.kb, &self.post);
        let top = argmax(&p);
        (top, p[top])
    }

    /// Unanswered questions that may be asked now, with what each is worth. `skip[fi]` marks
    /// questions not to rank (already answered "don't know").
    pub fn candidates<'s>(
        &'s self,
        skip: &'s [bool],
    ) -> impl Iterator<Item = (usize, QuestionValue)> + 's {
        (0..self.kb.schema.fields.len())
            .filter(move |&fi| {
                self.f.get(fi).is_none()
                    && !skip.get(fi).copied().unwrap_or(false)
                    && self.kb.ask_allowed(self.f, fi)
            })
            .map(move |fi| (fi, self.value(fi)))
    }

    /// Score of asking one field: information gain on the differential plus the chance that
    /// the answer changes the triage level (weighted heavily: safety questions come first).
    pub fn value(&self, fi: usize) -> QuestionValue {
        self.value_with(fi, true)
    }

    /// [`Scoring::value`]; with `followers`, a question also carries the triage value of the
    /// follow-up questions its answer can open ("have you injured it before?" opens "in the
    /// last 12 months?", which is what the moderate-strain rule reads).
    fn value_with(&self, fi: usize, followers: bool) -> QuestionValue {
        let (kb, f, d) = (self.kb, self.f, &self.decision);
        let gain = kb.model.expected_gain(&self.post, fi);
        let mut change = 0.0;
        let hyps = hypotheticals(kb, fi);
        let mut weights: Vec<f64> = Vec::with_capacity(hyps.len());
        let warning_sign = kb.warning_signs.get(fi).copied().unwrap_or(false);
        let read_by_rule = kb.rule_fields.get(fi).copied().unwrap_or(true);
        let mut trial = f.clone();
        for h in &hyps {
            let obs = kb.model.observations_of(&kb.schema, fi, h);
            // Predictive probability of this answer.
            let mut lp = self.base_lp.clone();
            for o in &obs {
                kb.model.add_obs(&mut lp, o);
            }
            let w = if obs.is_empty() {
                1.0
            } else {
                let m = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                m.exp() * lp.iter().map(|x| (x - m).exp()).sum::<f64>()
            };
            weights.push(w);
            trial.set(fi, Some(*h));
            let mut flp = self.floor_lp.clone();
            if !warning_sign {
                let t = kb.model.triage_temperature;
                for o in &obs {
                    kb.model.add_obs_at(&mut flp, o, t);
                }
                interaction_delta(kb, f, &trial, &mut flp, t);
            }
            let floor2 = softmax(&flp);
            // An answer no rule reads changes the level only through the triage posterior:
            // when every probability the rules and screens look at stays on the same side of
            // its line, the decision cannot change and need not be recomputed.
            let level2 = if !read_by_rule && same_sides(kb, &self.floor, &floor2) {
                d.level
            } else {
                decide_with(kb, &trial, &floor2, self.presume).level
            };
            if level2 != d.level {
                // An answer that makes things more urgent matters more than one that relaxes them.
                let factor = if level2 < d.level { 1.0 } else { 0.5 };
                change += w * factor;
            }
        }
        let total: f64 = weights.iter().sum();
        if total > 0.0 {
            change /= total;
        }

        // Expected information about whether a more urgent rule that reads this field will fire,
        // weighted by how many levels it would move triage.
        let ctx = EvalContext {
            posterior: Some(&d.floor),
            top: Some(d.top),
            level: None,
        };
        let mut rule_info = 0.0;
        for r in &kb.rules {
            if r.level >= d.level || !r.fields.contains(&fi) || r.when.eval(f, &ctx) {
                continue;
            }
            let p0 = expr_probability(kb, f, &self.predictive, &ctx, &r.when);
            if p0 <= 1e-6 {
                continue;
            }
            let mut after = 0.0;
            for (h, w) in hyps.iter().zip(&weights) {
                trial.set(fi, Some(*h));
                after += w / total.max(1e-300)
                    * bernoulli_entropy(expr_probability(
                        kb,
                        &trial,
                        &self.predictive,
                        &ctx,
                        &r.when,
                    ));
            }
            rule_info += f64::from(d.level - r.level) * (bernoulli_entropy(p0) - after).max(0.0);
        }
        let mut follow = 0.0;
        if followers {
            for &fj in &kb.followers[fi] {
                let Some(gate) = kb.ask_if.get(fj).and_then(Option::as_ref) else {
                    continue;
                };
                if f.get(fj).is_some() {
                    continue;
                }
                let open: f64 = hyps
                    .iter()
                    .zip(&weights)
                    .filter(|(h, _)| {
                        trial.set(fi, Some(**h));
                        gate.eval(&trial, &EvalContext::FINDINGS_ONLY)
                    })
                    .map(|(_, w)| w / total.max(1e-300))
                    .sum();
                if open > 0.0 {
                    follow += open * self.value_with(fj, false).triage;
                }
            }
        }
        QuestionValue {
            gain,
            triage: 4.0 * change + RULE_INFO_WEIGHT * rule_info + follow,
        }
    }
}

/// What asking one question is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuestionValue {
    /// Expected information gain on the differential (bits).
    pub gain: f64,
    /// Weighted chance that the answer changes the triage level, now or together with
    /// later answers.
    pub triage: f64,
}

impl QuestionValue {
    pub fn total(&self) -> f64 {
        self.gain + self.triage
    }
}

/// How much a bit of information about a more urgent rule is worth, per level it would move.
const RULE_INFO_WEIGHT: f64 = 1.0;

/// Whether two triage posteriors (over classes) are on the same side of every line the
/// triage reads: the leading class and condition, each `likely` threshold of the rules
/// (`kb.likely_lines`), and each must-not-miss threshold and "more likely than not" line
/// (a leading must-not-miss condition above it presumes its rules).
fn same_sides(kb: &Kb, before: &[f64], after: &[f64]) -> bool {
    if argmax(before) != argmax(after) {
        return false;
    }
    let (cb, ca) = (to_conditions(kb, before), to_conditions(kb, after));
    if argmax(&cb) != argmax(&ca) {
        return false;
    }
    let side = |p: f64, q: f64, line: f64| (p >= line) == (q >= line);
    kb.likely_lines.iter().all(|(cs, l)| {
        let sum = |p: &[f64]| cs.iter().map(|&c| p[c]).sum::<f64>();
        side(sum(&cb), sum(&ca), *l)
    }) && kb.must_not_miss.iter().all(|m| {
        let c = kb.classes[m.class].condition;
        side(before[m.class], after[m.class], m.threshold)
            && (cb[c] > crate::triage::PRESUME) == (ca[c] > crate::triage::PRESUME)
    })
}

/// The change in the interaction terms between two findings sets, added to a log posterior.
fn interaction_delta(kb: &Kb, before: &Findings, after: &Findings, lp: &mut [f64], t: f64) {
    let ctx = EvalContext::FINDINGS_ONLY;
    for it in &kb.interactions {
        let sign = match (it.when.eval(before, &ctx), it.when.eval(after, &ctx)) {
            (false, true) => 1.0,
            (true, false) => -1.0,
            _ => continue,
        };
        for (l, x) in lp.iter_mut().zip(&it.log_lr) {
            *l += sign * t * x;
        }
    }
}

/// Unanswered findings ranked by how much they would change the answer: the answers that
/// could change the level first, then the most valuable questions by [`Scoring::value`], then
/// the red-flag screen items (in screen order), then the rest by value.
pub fn next_questions(kb: &Kb, scoring: &Scoring<'_>, changes: &[Change]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for c in changes {
        if !out.contains(&c.field) {
            out.push(c.field);
        }
    }
    let screen: Vec<usize> = kb
        .screens
        .iter()
        .flat_map(|s| s.item_fields.iter().copied())
        .filter(|&fi| scoring.f.get(fi).is_none())
        .collect();
    let mut skip = vec![false; kb.schema.fields.len()];
    out.iter().chain(&screen).for_each(|&fi| skip[fi] = true);
    let mut scored: Vec<(f64, usize)> = scoring
        .candidates(&skip)
        .map(|(fi, v)| (v.total(), fi))
        .filter(|(s, _)| *s > 1e-6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // The most valuable questions come before the unanswered red-flag screen items, which
    // come before the rest: a dropped answer that decided the level (an age, a pop, how it
    // started) must not be pushed off the list by a dozen screen items.
    let (first, rest) = scored.split_at(scored.len().min(NEXT_VALUED_FIRST));
    out.extend(first.iter().map(|(_, fi)| *fi));
    for fi in screen {
        if !out.contains(&fi) {
            out.push(fi);
        }
    }
    out.extend(rest.iter().map(|(_, fi)| *fi));
    out
}
