//! The assessment engine: findings in, the contract's assessment out.
//!
//! Order matters and is the safety argument: triage rules are evaluated on the findings
//! alone, and the most urgent fired rule sets a floor that nothing below can lower. Only then
//! does the differential (see [`crate::model`]) add two things: lower-level rules that need
//! to know what the problem most likely is (for example "a strain that needed more than a day
//! to walk pain-free → physio"), and the usual level of the likely conditions when no rule
//! covers the case ("when unsure, triage up"). The engine is pure: same knowledge base and
//! findings, same answer.

use serde::Serialize;

use crate::expr::EvalContext;
use crate::findings::{FieldKind, Findings, Value};
use crate::kb::{Kb, LEVELS};
use crate::model::{softmax, Obs};

/// The contract's output schema tag.
pub const ASSESSMENT_SCHEMA: &str = "hamstride.assessment/1";

/// The contract's assessment JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assessment {
    pub schema: &'static str,
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
    pub posterior: Vec<f64>,
    /// Rank into [`LEVELS`].
    pub level: u8,
    /// Fired rules, most urgent first.
    pub fired: Vec<usize>,
    /// Advice entries shown, in knowledge-base order.
    pub advice: Vec<usize>,
}

/// Triage decision, before text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub level: u8,
    pub fired: Vec<usize>,
    /// Conditions whose usual level set (or matched) the final level when no rule did.
    pub defaults: Vec<usize>,
    pub top: usize,
}

/// Posterior probabilities for a findings set.
pub fn posterior(kb: &Kb, f: &Findings) -> Vec<f64> {
    let obs = kb.model.observations(&kb.schema, f);
    softmax(&kb.model.log_posterior(&obs))
}

fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in p.iter().enumerate() {
        if *x > p[best] {
            best = i;
        }
    }
    best
}

/// Decide the triage level. Rules first; the differential can only raise the level.
pub fn decide(kb: &Kb, f: &Findings, post: &[f64]) -> Decision {
    let top = argmax(post);
    let ctx = EvalContext {
        posterior: Some(post),
        top: Some(top),
        level: None,
    };
    let mut fired: Vec<usize> = (0..kb.rules.len())
        .filter(|&i| kb.rules[i].when.eval(f, &ctx))
        .collect();
    fired.sort_by_key(|&i| kb.rules[i].level);
    let rule_level = fired
        .first()
        .map_or(LEVELS.len() as u8 - 1, |&i| kb.rules[i].level);

    let level_of = |c: usize| {
        LEVELS
            .iter()
            .position(|l| *l == kb.conditions[c].default_triage)
            .unwrap_or(2) as u8
    };
    let mut default_level = level_of(top);
    for (c, p) in post.iter().enumerate() {
        if *p >= kb.default_level_threshold {
            default_level = default_level.min(level_of(c));
        }
    }
    let level = rule_level.min(default_level);
    let defaults = if fired.iter().any(|&i| kb.rules[i].level == level) {
        Vec::new()
    } else {
        let mut d: Vec<usize> = (0..post.len())
            .filter(|&c| {
                (c == top || post[c] >= kb.default_level_threshold) && level_of(c) == level
            })
            .collect();
        d.sort_by(|a, b| post[*b].total_cmp(&post[*a]));
        d
    };
    Decision {
        level,
        fired,
        defaults,
        top,
    }
}

/// Run a full assessment.
pub fn assess(kb: &Kb, f: &Findings) -> Outcome {
    let obs = kb.model.observations(&kb.schema, f);
    let post = softmax(&kb.model.log_posterior(&obs));
    let d = decide(kb, f, &post);
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

    let headline = match fired.iter().find(|&&i| kb.rules[i].level == level) {
        Some(&i) if d.defaults.is_empty() => kb.rules[i].headline.clone(),
        _ => {
            let c = d.defaults.first().copied().unwrap_or(d.top);
            kb.levels[level as usize]
                .default_headline
                .replace("{name}", &kb.conditions[c].name.to_lowercase())
        }
    };
    let mut reasons: Vec<Reason> = Vec::new();
    for &c in &d.defaults {
        let cond = &kb.conditions[c];
        reasons.push(Reason {
            rule: format!("default:{}", cond.id),
            text: format!(
                "No specific rule covers your answers; they are most consistent with {} ({:.0}%), which usually calls for this level of care.",
                cond.name.to_lowercase(),
                post[c] * 100.0
            ),
            sources: kb.cite(&cond.sources),
        });
    }
    for &i in &fired {
        let r = &kb.rules[i];
        reasons.push(Reason {
            rule: r.id.clone(),
            text: r.text.clone(),
            sources: kb.cite(&r.sources),
        });
    }
    // Keep the reasons that set the level first.
    reasons.sort_by_key(|r| {
        kb.rules
            .iter()
            .find(|x| x.id == r.rule)
            .map_or(level, |x| x.level)
    });

    let red_flags = fired
        .iter()
        .filter(|&&i| kb.rules[i].red_flag)
        .map(|&i| kb.rules[i].id.clone())
        .collect();

    let differential = differential(kb, &obs, &post, f);
    let next_questions = next_questions(kb, f, &post, &d, &[])
        .into_iter()
        .take(10)
        .map(|fi| kb.schema.fields[fi].id.clone())
        .collect();

    let ctx = EvalContext {
        posterior: Some(&post),
        top: Some(d.top),
        level: Some(level),
    };
    let advice_idx: Vec<usize> = (0..kb.advice.len())
        .filter(|&i| kb.advice[i].when.eval(f, &ctx))
        .collect();
    let advice = advice_idx
        .iter()
        .map(|&i| {
            let a = &kb.advice[i];
            format!("{} (Sources: {}.)", a.text, kb.cite(&a.sources).join("; "))
        })
        .collect();

    Outcome {
        assessment: Assessment {
            schema: ASSESSMENT_SCHEMA,
            knowledge_version: kb.version.clone(),
            triage: Triage {
                level: LEVELS[level as usize].to_string(),
                headline,
                reasons,
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

fn differential(kb: &Kb, obs: &[Obs], post: &[f64], f: &Findings) -> Vec<DiffEntry> {
    let n = kb.model.n_cond;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| post[*b].total_cmp(&post[*a]).then(a.cmp(b)));
    // Round down to 3 decimals so the listed probabilities never sum above 1.
    let mut out = Vec::new();
    for (rank, &c) in order.iter().enumerate() {
        if rank >= 3 && (post[c] < 0.01 || rank >= 6) {
            break;
        }
        let mut scored: Vec<(f64, String)> = obs
            .iter()
            .map(|o| {
                let var = &kb.model.vars[o.var];
                (o.weight * var.log_lr[o.value * n + c], finding_id(kb, f, o))
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
        out.push(DiffEntry {
            condition: kb.conditions[c].id.clone(),
            name: kb.conditions[c].name.clone(),
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

/// Score of asking one field: information gain on the differential plus the chance that the
/// answer changes the triage level (weighted heavily: safety questions come first).
pub fn question_score(kb: &Kb, f: &Findings, post: &[f64], d: &Decision, fi: usize) -> f64 {
    let gain = kb.model.expected_gain(post, fi);
    let mut change = 0.0;
    let hyps = hypotheticals(kb, fi);
    let mut weights: Vec<f64> = Vec::with_capacity(hyps.len());
    let base_lp: Vec<f64> = post.iter().map(|p| p.max(1e-300).ln()).collect();
    let mut trial = f.clone();
    for h in &hyps {
        let obs = kb.model.observations_of(&kb.schema, fi, h);
        // Predictive probability of this answer.
        let mut lp = base_lp.clone();
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
        let p2 = softmax(&lp);
        let d2 = decide(kb, &trial, &p2);
        if d2.level != d.level {
            // An answer that makes things more urgent matters more than one that relaxes them.
            let factor = if d2.level < d.level { 1.0 } else { 0.5 };
            change += w * factor;
        }
    }
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        change /= total;
    }
    gain + 4.0 * change
}

/// Unanswered findings ranked by how much they would change the answer: red-flag screen
/// items first (in screen order), then by [`question_score`]. `skip` lists fields not to rank
/// (already asked and answered "don't know").
pub fn next_questions(
    kb: &Kb,
    f: &Findings,
    post: &[f64],
    d: &Decision,
    skip: &[usize],
) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for s in &kb.screens {
        for &fi in &s.item_fields {
            if f.get(fi).is_none() && !skip.contains(&fi) && !out.contains(&fi) {
                out.push(fi);
            }
        }
    }
    let mut scored: Vec<(f64, usize)> = (0..kb.schema.fields.len())
        .filter(|fi| f.get(*fi).is_none() && !skip.contains(fi) && !out.contains(fi))
        .filter(|&fi| kb.ask_allowed(f, fi))
        .map(|fi| (question_score(kb, f, post, d, fi), fi))
        .filter(|(s, _)| *s > 1e-6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    out.extend(scored.into_iter().map(|(_, fi)| fi));
    out
}
