//! Deciding the triage level: rules, then missing answers (brief 2.4a), then must-not-miss
//! screens. The differential never sets a level by rank.
//!
//! 1. **Rules.** Every rule of `kb/triage.toml` is evaluated on the findings; the most urgent
//!    one that fires sets the level. Lower-level rules may read the leading condition (a
//!    strain that stopped the runner → physio); emergency and urgent rules read findings only.
//! 2. **Missing answers.** A rule of the brief's levels L0-L2 that holds except for answers
//!    that are unknown (three-valued logic says "unknown", and some answer given already
//!    speaks for it) raises the level when its missing answers are more likely than not
//!    under the leading condition. "When unsure, triage up." L3 rules only name the question.
//! 3. **Must-not-miss screens.** A condition that needs a doctor is *possible* from its own
//!    threshold in `kb/screens.toml`, well below "most likely". While it is possible, its
//!    deciding rules are judged under it as in step 2: a runner with calf pain after a long
//!    flight is sent the same day when swelling was not asked, because swelling is more
//!    likely than not *if* it is a clot, not only if it is the leading guess.
//!
//! The probabilities used here are the *floor posterior*: every finding except the red-flag
//! screen answers, so a new warning sign can only add rules and never lower the level.
//! [`could_change`] lists the unknown answers that would raise or lower the result.

use crate::expr::{EvalContext, Expr};
use crate::findings::{FieldKind, Findings, Value};
use crate::kb::Kb;

/// Probability above which a missing answer counts as "more likely than not".
pub const PRESUME: f64 = 0.5;

/// What set the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    /// A rule fired on the answers given (index into `kb.rules`).
    Rule(usize),
    /// A rule whose missing answers are more likely than not under the leading condition.
    Presumed(usize),
    /// A must-not-miss screen (index into `kb.must_not_miss`) presumed one of its rules.
    Screen(usize, usize),
}

/// One rule presumed to hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Presumption {
    pub rule: usize,
    /// The screen that judged it, or `None` for the leading condition.
    pub screen: Option<usize>,
    /// Probability that the missing answers make it fire.
    pub p: f64,
}

/// Triage decision, before text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub level: u8,
    /// Rules that fired, most urgent first.
    pub fired: Vec<usize>,
    pub presumed: Vec<Presumption>,
    pub set_by: SetBy,
    /// The leading condition and class of the floor posterior.
    pub top: usize,
    pub top_class: usize,
    /// Must-not-miss screens whose condition is possible.
    pub open_screens: Vec<usize>,
    /// The triage posterior summed into conditions (what the rules read).
    pub floor: Vec<f64>,
}

pub(crate) fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in p.iter().enumerate() {
        if *x > p[best] {
            best = i;
        }
    }
    best
}

/// Class probabilities summed into the contract's conditions.
pub fn to_conditions(kb: &Kb, class_p: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; kb.conditions.len()];
    for (k, p) in class_p.iter().enumerate() {
        if let Some(c) = kb.classes.get(k) {
            out[c.condition] += p;
        }
    }
    out
}

/// Which presumptions a decision may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presume {
    /// Everything brief 2.4a allows: the level for findings that are final (a file, or the
    /// end of an interview).
    All,
    /// Only rules an answer already speaks for. The interview decides this way while it can
    /// still ask: a must-not-miss condition that leads is then settled by asking its
    /// deciding questions (which it must do before it stops) rather than by presuming them.
    Supported,
}

/// Decide the level from the findings and the floor posterior over classes.
pub fn decide(kb: &Kb, f: &Findings, floor_class: &[f64]) -> Decision {
    decide_with(kb, f, floor_class, Presume::All)
}

/// [`decide`], with a choice of presumptions.
pub fn decide_with(kb: &Kb, f: &Findings, floor_class: &[f64], mode: Presume) -> Decision {
    let floor = to_conditions(kb, floor_class);
    let top = argmax(&floor);
    let top_class = argmax(floor_class);
    let ctx = EvalContext {
        posterior: Some(&floor),
        top: Some(top),
        level: None,
    };
    let mut fired: Vec<usize> = (0..kb.rules.len())
        .filter(|&i| kb.rules[i].when.eval(f, &ctx))
        .collect();
    fired.sort_by_key(|&i| kb.rules[i].level);
    let rule_level = fired.first().map_or(3, |&i| kb.rules[i].level);

    let open_screens: Vec<usize> = (0..kb.must_not_miss.len())
        .filter(|&s| {
            let m = &kb.must_not_miss[s];
            floor_class.get(m.class).copied().unwrap_or(0.0) >= m.threshold
        })
        .collect();
    let presumed = presume(kb, f, &ctx, (top_class, mode), &open_screens, rule_level);

    // A presumption never makes an emergency: that needs an emergency rule to fire on the
    // answers given. An emergency rule that holds except for unknown answers sends the runner
    // the same day and names the questions (they are listed in `could_change`).
    let presumed_level = presumed
        .iter()
        .map(|p| kb.rules[p.rule].level.max(1))
        .min()
        .unwrap_or(3);
    let level = rule_level.min(presumed_level);
    let set_by = match fired.iter().find(|&&i| kb.rules[i].level == level) {
        Some(&i) => SetBy::Rule(i),
        None => {
            // Level came from a presumption: the leading condition's first, then a screen's.
            let mut at: Vec<&Presumption> = presumed
                .iter()
                .filter(|p| kb.rules[p.rule].level.max(1) == level)
                .collect();
            at.sort_by_key(|p| p.screen.is_some());
            match at.first() {
                Some(Presumption {
                    rule,
                    screen: Some(s),
                    ..
                }) => SetBy::Screen(*s, *rule),
                Some(p) => SetBy::Presumed(p.rule),
                None => SetBy::Rule(fired.first().copied().unwrap_or(0)),
            }
        }
    };
    Decision {
        level,
        fired,
        presumed,
        set_by,
        top,
        top_class,
        open_screens,
        floor,
    }
}

/// Rules (brief L0-L2, more urgent than `below`) presumed to hold: under the leading class,
/// and under every possible must-not-miss condition whose screen lists the rule.
fn presume(
    kb: &Kb,
    f: &Findings,
    ctx: &EvalContext<'_>,
    (top_class, mode): (usize, Presume),
    open_screens: &[usize],
    below: u8,
) -> Vec<Presumption> {
    let mut out = Vec::new();
    for (i, r) in kb.rules.iter().enumerate() {
        if r.tier > 2 || r.level >= below {
            continue;
        }
        let in_screen: Vec<usize> = open_screens
            .iter()
            .copied()
            .filter(|&s| kb.must_not_miss[s].rules.contains(&i))
            .collect();
        // 2.4a: the rule holds except for unknown answers, and an answer given already
        // speaks for it. (Without that, a merely possible condition's rule is only named and
        // asked: raising every sciatica to "urgent" because cauda equina is possible would
        // send everyone.) When the must-not-miss condition whose screen lists the rule leads
        // and is more likely than not, the whole picture speaks for the rule (2.4a).
        if r.when.eval3(f, ctx).is_some() {
            continue;
        }
        if !r.when.known_support(f, ctx) {
            let leading_screen = in_screen.iter().copied().find(|&s| {
                mode == Presume::All
                    && kb.must_not_miss[s].class == top_class
                    && floor_class_p(ctx, kb, top_class) > PRESUME
            });
            if let Some(s) = leading_screen {
                let p = rule_probability(kb, f, ctx, top_class, &r.when);
                if p > PRESUME {
                    out.push(Presumption {
                        rule: i,
                        screen: Some(s),
                        p,
                    });
                }
            }
            continue;
        }
        let hyps = std::iter::once((top_class, None)).chain(
            in_screen
                .iter()
                .map(|&s| (kb.must_not_miss[s].class, Some(s))),
        );
        for (class, screen) in hyps {
            let p = rule_probability(kb, f, ctx, class, &r.when);
            if p > PRESUME {
                out.push(Presumption { rule: i, screen, p });
                break;
            }
        }
    }
    out
}

/// The triage probability of one class, recovered from the context's condition posterior
/// when the class is a whole condition (the must-not-miss classes that lead are).
fn floor_class_p(ctx: &EvalContext<'_>, kb: &Kb, class: usize) -> f64 {
    let c = kb.classes[class].condition;
    ctx.posterior.and_then(|p| p.get(c)).copied().unwrap_or(0.0)
}

/// Probability that a rule fires once its unknown answers are given, if the runner had
/// this class. The model takes answers as independent given the class, so this is exact:
/// a formula in which every unknown answer appears once is computed bottom-up (independent
/// parts multiply), and the answers that appear in more than one place (a pop in two
/// branches) are enumerated, each combination weighted by its probability. Above
/// [`MAX_COMBINATIONS`] it falls back to treating them as independent.
pub fn rule_probability(
    kb: &Kb,
    f: &Findings,
    ctx: &EvalContext<'_>,
    class: usize,
    e: &Expr,
) -> f64 {
    let Some(pred) = kb.model.given.get(class) else {
        return 0.0;
    };
    // Only the unknown answers on branches that can still fire matter.
    let e = &e.residual(f, ctx);
    let mut counts: Vec<(usize, usize)> = Vec::new();
    e.atom_fields(&mut counts);
    let outcomes: Vec<(usize, Vec<(Value, f64)>)> = counts
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(fi, _)| (fi, outcomes(kb, pred, e, fi)))
        .collect();
    let combos: usize = outcomes
        .iter()
        .map(|(_, o)| o.len().max(1))
        .try_fold(1usize, |a, n| a.checked_mul(n))
        .unwrap_or(usize::MAX);
    if outcomes.is_empty() || combos > MAX_COMBINATIONS {
        return crate::engine::expr_probability(kb, f, pred, ctx, e);
    }
    let mut trial = f.clone();
    let mut total = 0.0;
    let mut idx = vec![0usize; outcomes.len()];
    loop {
        let mut w = 1.0;
        for (k, (fi, o)) in outcomes.iter().enumerate() {
            let (v, p) = o[idx[k]];
            trial.set(*fi, Some(v));
            w *= p;
        }
        if w > 0.0 {
            total += w * crate::engine::expr_probability(kb, &trial, pred, ctx, e);
        }
        // Next combination (odometer).
        let mut k = 0;
        loop {
            if k == idx.len() {
                return total.clamp(0.0, 1.0);
            }
            idx[k] += 1;
            if idx[k] < outcomes[k].1.len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

/// Combinations above which [`rule_probability`] approximates.
const MAX_COMBINATIONS: usize = 512;

/// The possible answers to one unknown field with their probabilities under a class. A list
/// field is enumerated over the items the expression names (the others stay unticked).
fn outcomes(kb: &Kb, pred: &[Vec<f64>], e: &Expr, fi: usize) -> Vec<(Value, f64)> {
    let field = &kb.schema.fields[fi];
    let var_p = |element: Option<u8>| -> Option<&Vec<f64>> {
        kb.model.field_vars[fi]
            .iter()
            .find(|&&v| kb.model.vars[v].element == element)
            .map(|&v| &pred[v])
    };
    match &field.kind {
        FieldKind::Bool => {
            let p = var_p(None).and_then(|v| v.first().copied()).unwrap_or(0.2);
            vec![(Value::Bool(true), p), (Value::Bool(false), 1.0 - p)]
        }
        FieldKind::Enum(vals) => {
            let p = var_p(None);
            (0..vals.len())
                .map(|i| {
                    let pi = p
                        .and_then(|v| v.get(i).copied())
                        .unwrap_or(1.0 / vals.len() as f64);
                    (Value::Enum(i as u8), pi)
                })
                .collect()
        }
        FieldKind::Multi(_) => {
            let mask = e.mask_of(fi);
            let items: Vec<u8> = (0..64u8).filter(|b| mask & (1 << b) != 0).collect();
            let mut out = vec![(Value::Multi(0), 1.0)];
            for b in items {
                let p = var_p(Some(b))
                    .and_then(|v| v.first().copied())
                    .unwrap_or(0.15);
                let mut next = Vec::with_capacity(out.len() * 2);
                for (v, w) in out {
                    let Value::Multi(m) = v else { continue };
                    next.push((Value::Multi(m | (1 << b)), w * p));
                    next.push((Value::Multi(m), w * (1.0 - p)));
                }
                out = next;
            }
            out
        }
        FieldKind::Int { .. } | FieldKind::Number { .. } => {
            let p = var_p(None);
            (0..field.bins.len())
                .map(|b| {
                    let pb = p.and_then(|v| v.get(b).copied()).unwrap_or(0.0);
                    (Value::Num(field.bin_representative(b)), pb)
                })
                .collect()
        }
    }
}

/// One unknown answer that would change the level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub field: usize,
    pub answer: Value,
    /// The opposite answer (for a number, which side of the line `answer` is on).
    pub other: Value,
    pub level: u8,
    /// The rule the answer feeds.
    pub rule: usize,
    /// The answer changes the level only together with other unknown answers of the rule.
    pub joint: bool,
    /// The rule is a deciding rule of a possible must-not-miss condition.
    pub screened: bool,
}

/// Below this chance of firing (under the leading condition) a rule that needs several
/// unknown answers together is not worth naming, unless a must-not-miss screen lists it.
const JOINT_MIN: f64 = 0.1;

/// Unknown answers that would raise the level (for rules more urgent than it that are still
/// open, or that a possible must-not-miss condition lists), and those that would lower a
/// level that rests on a presumption. Most urgent first.
pub fn could_change(
    kb: &Kb,
    f: &Findings,
    d: &Decision,
    floor_of: &dyn Fn(&Findings) -> Vec<f64>,
) -> Vec<Change> {
    let ctx = EvalContext {
        posterior: Some(&d.floor),
        top: Some(d.top),
        level: None,
    };
    let screened: Vec<usize> = d
        .open_screens
        .iter()
        .flat_map(|&s| kb.must_not_miss[s].rules.iter().copied())
        .collect();
    let mut out: Vec<Change> = Vec::new();
    // Answers a rule needs together with others: each is named with the rule's level, after
    // the answers that change the level on their own.
    let mut joint: Vec<Change> = Vec::new();
    let mut trial = f.clone();
    for (i, r) in kb.rules.iter().enumerate() {
        if r.level >= d.level || d.fired.contains(&i) || r.when.eval3(f, &ctx).is_some() {
            continue;
        }
        let screened = screened.contains(&i);
        let supported = r.when.known_support(f, &ctx);
        if !(supported || screened) {
            continue;
        }
        let worth_naming =
            screened || rule_probability(kb, f, &ctx, d.top_class, &r.when) >= JOINT_MIN;
        let mut answers = Vec::new();
        r.when.answers(f, &kb.schema, &mut answers);
        for (fi, yes, no) in answers {
            trial.set(fi, Some(yes));
            let level = decide(kb, &trial, &floor_of(&trial)).level;
            trial.set(fi, None);
            let c = Change {
                field: fi,
                answer: yes,
                other: no,
                level: level.min(r.level),
                rule: i,
                joint: level >= d.level,
                screened,
            };
            if !c.joint {
                push(&mut out, Change { level, ..c });
            } else if worth_naming {
                push(&mut joint, c);
            }
        }
    }
    // Every unanswered warning sign that would raise the level on its own is named, whether or
    // not an answer speaks for it: unknown is never "no".
    for &fi in kb.screens.iter().flat_map(|s| s.item_fields.iter()) {
        if f.get(fi).is_some() || out.iter().any(|c| c.field == fi) {
            continue;
        }
        trial.set(fi, Some(Value::Bool(true)));
        let level = decide(kb, &trial, &floor_of(&trial)).level;
        trial.set(fi, None);
        // Named after the most urgent rule that reads the sign.
        let rule = (0..kb.rules.len())
            .filter(|&i| kb.rules[i].fields.contains(&fi))
            .min_by_key(|&i| kb.rules[i].level);
        if let (true, Some(rule)) = (level < d.level, rule) {
            push(
                &mut out,
                Change {
                    field: fi,
                    answer: Value::Bool(true),
                    other: Value::Bool(false),
                    level,
                    rule,
                    joint: false,
                    screened: false,
                },
            );
        }
    }
    // A level that rests on presumed answers drops when they are all answered "no".
    for p in &d.presumed {
        if kb.rules[p.rule].level.max(1) != d.level {
            continue;
        }
        let mut answers = Vec::new();
        kb.rules[p.rule].when.answers(f, &kb.schema, &mut answers);
        for (fi, _, no) in &answers {
            trial.set(*fi, Some(*no));
        }
        let level = decide(kb, &trial, &floor_of(&trial)).level;
        for (fi, yes, no) in &answers {
            trial.set(*fi, None);
            if level > d.level {
                push(
                    &mut out,
                    Change {
                        field: *fi,
                        answer: *no,
                        other: *yes,
                        level,
                        rule: p.rule,
                        joint: answers.len() > 1,
                        screened: p.screen.is_some(),
                    },
                );
            }
        }
    }
    out.sort_by_key(|c| c.level);
    joint.sort_by_key(|c| c.level);
    for c in joint {
        push(&mut out, c);
    }
    out
}

fn push(out: &mut Vec<Change>, c: Change) {
    if !out
        .iter()
        .any(|x| x.field == c.field && x.answer == c.answer)
    {
        out.push(c);
    }
}
