//! Loading the probability model from `kb/`: the classes it reasons over, the evidence table,
//! anatomical neighbours, interactions, and the must-not-miss screens that read it.
//!
//! The contract has fourteen condition ids, but one of them, `other`, gathers causes that
//! look nothing alike (a deep infection, a tumour, a narrowed artery, a muscle under
//! pressure). One naive-Bayes class cannot describe them all: its likelihoods would be an
//! average that fits none. So the model reasons over *classes*: every condition is a class,
//! except that a condition with `[[subtype]]` entries in `conditions.toml` is replaced by its
//! subtypes. Outside the engine the classes are summed back into the contract's conditions.
//!
//! Two corrections to naive independence live here too. Places and pain words a runner
//! names are not exact (`[[near]]` in `findings.toml`): a ticked place lends part of its
//! weight to the evidence of its anatomical neighbours. And some findings mean more together
//! than apart (`[[interaction]]` in `evidence.toml`, such as a forced stretch *and* pain high
//! at the back of the thigh): an interaction adds its own log ratio when its expression holds.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::expr::{self, Expr, Names};
use crate::findings::{FieldKind, Schema};
use crate::kb::{parse_toml, Condition, Rule};
use crate::model::{Model, VarSlot, VarSpec};
use crate::Error;

/// Checks that an entry's sources exist: (file, entry id, source ids).
pub(crate) type Cite<'a> = &'a dyn Fn(&str, &str, &[String]) -> Result<(), Error>;

/// What the model is built from, besides the evidence file.
pub(crate) struct ModelInputs<'a> {
    pub schema: &'a Schema,
    pub classes: &'a [Class],
    pub conditions: &'a [Condition],
    pub near: &'a [Near],
    pub names: &'a Names<'a>,
    pub warning_signs: &'a [bool],
}

/// One class of the model: a contract condition, or a subtype of one.
#[derive(Debug, Clone)]
pub struct Class {
    pub id: String,
    pub name: String,
    /// Index of the contract condition it counts towards.
    pub condition: usize,
    pub prior: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubtype {
    id: String,
    of: String,
    name: String,
    prior: f64,
    sources: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

/// Findings that mean more together than apart: when `when` holds, each class's log
/// posterior gains the log of its ratio.
#[derive(Debug, Clone)]
pub struct Interaction {
    pub id: String,
    pub when: Expr,
    /// Per class.
    pub log_lr: Vec<f64>,
}

/// A must-not-miss screen: a condition (class) that needs a doctor is "possible" from
/// `threshold`, well below "most likely". While possible, its deciding rules are judged under
/// it (brief 2.4a): an answer the rule needs that is unknown but more likely than not in this
/// condition raises the level, and the interview asks it before it stops.
#[derive(Debug, Clone)]
pub struct MustNotMiss {
    pub id: String,
    pub class: usize,
    pub threshold: f64,
    /// Rule indexes.
    pub rules: Vec<usize>,
    pub title: String,
    pub why: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMustNotMiss {
    id: String,
    class: String,
    threshold: f64,
    rules: Vec<String>,
    title: String,
    why: String,
    sources: Vec<String>,
}

/// Anatomical or verbal neighbours of a list item: `(field, item, neighbours, weight)`.
pub type Near = (usize, u8, Vec<u8>, f64);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNear {
    field: String,
    item: String,
    near: Vec<String>,
    weight: f64,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawEvidenceFile {
    scale: BTreeMap<String, f64>,
    abbrev: BTreeMap<String, String>,
    absent_weight: f64,
    temperature: f64,
    triage_temperature: f64,
    row: Vec<RawRow>,
    #[serde(default)]
    interaction: Vec<RawInteraction>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    on: String,
    #[serde(default)]
    base: Option<f64>,
    #[serde(default)]
    lr: String,
    sources: Vec<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInteraction {
    id: String,
    when: String,
    lr: String,
    sources: Vec<String>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

impl RawEvidenceFile {
    pub(crate) fn rows(&self) -> usize {
        self.row.len() + self.interaction.len()
    }
}

/// The `[[near]]` entries of `findings.toml`.
pub(crate) fn load_near(schema: &Schema, findings_src: &str) -> Result<Vec<Near>, Error> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        near: Vec<RawNear>,
    }
    let file: File = parse_toml("findings.toml", findings_src)?;
    let mut out = Vec::with_capacity(file.near.len());
    for n in file.near {
        let id = format!("near {}={}", n.field, n.item);
        let bad = |m: String| Error::kb("findings.toml", &id, m);
        let fi = schema
            .index(&n.field)
            .ok_or_else(|| bad(format!("unknown finding '{}'", n.field)))?;
        let field = &schema.fields[fi];
        if !matches!(field.kind, FieldKind::Multi(_)) {
            return Err(bad("neighbours are for list findings".into()));
        }
        if !(0.0..0.5).contains(&n.weight) {
            return Err(bad("weight must be in [0, 0.5)".into()));
        }
        let item = field.value_index(&n.item).map_err(bad)?;
        let near = n
            .near
            .iter()
            .map(|v| field.value_index(v))
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?;
        let _ = n.note;
        out.push((fi, item, near, n.weight));
    }
    Ok(out)
}

/// The model's classes: each condition, with `other` (or any condition with subtypes)
/// replaced by its subtypes.
pub(crate) fn classes(
    conditions: &[Condition],
    subtypes: &[RawSubtype],
    cite: Cite<'_>,
) -> Result<Vec<Class>, Error> {
    let mut out = Vec::new();
    let mut ids = BTreeSet::new();
    for (ci, c) in conditions.iter().enumerate() {
        let subs: Vec<&RawSubtype> = subtypes.iter().filter(|s| s.of == c.id).collect();
        if subs.is_empty() {
            out.push(Class {
                id: c.id.clone(),
                name: c.name.clone(),
                condition: ci,
                prior: c.prior,
            });
            continue;
        }
        let total: f64 = subs.iter().map(|s| s.prior).sum();
        if (total - c.prior).abs() > 1e-9 {
            return Err(Error::kb(
                "conditions.toml",
                &c.id,
                format!(
                    "the subtypes' priors add up to {total}, not the condition's {}",
                    c.prior
                ),
            ));
        }
        for s in subs {
            cite("conditions.toml", &s.id, &s.sources)?;
            if !(s.prior > 0.0 && s.prior < 1.0) {
                return Err(Error::kb(
                    "conditions.toml",
                    &s.id,
                    "prior must be between 0 and 1",
                ));
            }
            let _ = &s.note;
            out.push(Class {
                id: s.id.clone(),
                name: s.name.clone(),
                condition: ci,
                prior: s.prior,
            });
        }
    }
    for s in subtypes {
        if !conditions.iter().any(|c| c.id == s.of) {
            return Err(Error::kb(
                "conditions.toml",
                &s.id,
                format!("subtype of unknown condition '{}'", s.of),
            ));
        }
    }
    for c in &out {
        if !ids.insert(c.id.clone()) {
            return Err(Error::kb("conditions.toml", &c.id, "duplicate class id"));
        }
    }
    Ok(out)
}

/// Parse `lr` tokens (`STR+ AVU++ OTH-`) into ratios per class. A condition's abbreviation
/// covers all its subtypes; a later token overrides an earlier one, so `OTH- INF++` reads
/// "against every other cause except infection".
fn ratios(
    ev: &RawEvidenceFile,
    classes: &[Class],
    conditions: &[Condition],
    file_id: &str,
    lr: &str,
) -> Result<Vec<(usize, f64)>, Error> {
    let bad = |m: String| Error::kb("evidence.toml", file_id, m);
    let mut out = Vec::new();
    for tok in lr.split_whitespace() {
        let split = tok
            .find(|c: char| !c.is_ascii_uppercase())
            .ok_or_else(|| bad(format!("'{tok}' has no strength symbol")))?;
        let (ab, sym) = tok.split_at(split);
        let id = ev
            .abbrev
            .get(ab)
            .ok_or_else(|| bad(format!("unknown condition abbreviation '{ab}'")))?;
        let w = *ev
            .scale
            .get(sym)
            .ok_or_else(|| bad(format!("unknown strength '{sym}'")))?;
        let hit: Vec<usize> = match classes.iter().position(|c| &c.id == id) {
            Some(k) => vec![k],
            None => {
                let ci = conditions
                    .iter()
                    .position(|c| &c.id == id)
                    .ok_or_else(|| bad(format!("'{ab}' names unknown class '{id}'")))?;
                (0..classes.len())
                    .filter(|&k| classes[k].condition == ci)
                    .collect()
            }
        };
        out.extend(hit.into_iter().map(|k| (k, w)));
    }
    Ok(out)
}

/// Everything `evidence.toml` and `findings.toml`'s neighbours make: the model, its
/// interactions and the number of rows.
pub(crate) fn build_model(
    input: &ModelInputs<'_>,
    evidence: &RawEvidenceFile,
    cite: Cite<'_>,
) -> Result<(Model, Vec<Interaction>), Error> {
    let ModelInputs {
        schema,
        classes,
        conditions,
        near,
        names,
        warning_signs,
    } = *input;
    let n = classes.len();
    let (layout, mut specs) = Model::layout(schema, n);
    let mut seen_rows = BTreeSet::new();
    for (ri, row) in evidence.row.iter().enumerate() {
        let id = format!("row {} ({})", ri + 1, row.on);
        cite("evidence.toml", &id, &row.sources)?;
        if !seen_rows.insert(row.on.clone()) {
            return Err(Error::kb("evidence.toml", &id, "duplicate row"));
        }
        let (vi, value) = resolve_row(schema, &layout, &row.on)
            .map_err(|m| Error::kb("evidence.toml", &id, m))?;
        if let Some(b) = row.base {
            if !(b > 0.0 && b < 1.0) {
                return Err(Error::kb(
                    "evidence.toml",
                    &id,
                    "base must be between 0 and 1",
                ));
            }
            specs[vi].base[value] = Some(b);
        }
        for (k, w) in ratios(evidence, classes, conditions, &id, &row.lr)? {
            specs[vi].lr[value][k] = w;
        }
        let _ = (&row.grade, &row.note);
    }
    for (vi, s) in specs.iter().enumerate() {
        let stated: f64 = s.base.iter().flatten().sum();
        if stated > 1.0 + 1e-9 {
            let f = &schema.fields[layout[vi].0];
            return Err(Error::kb(
                "evidence.toml",
                &f.id,
                "stated base rates add up to more than 1",
            ));
        }
    }
    blend_neighbours(&layout, &mut specs, near);
    for (name, t) in [
        ("temperature", evidence.temperature),
        ("triage_temperature", evidence.triage_temperature),
    ] {
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::kb("evidence.toml", name, "must be in (0, 1]"));
        }
    }
    let mut interactions = Vec::with_capacity(evidence.interaction.len());
    for it in &evidence.interaction {
        cite("evidence.toml", &it.id, &it.sources)?;
        let when = expr::parse(&it.when, names)
            .map_err(|m| Error::kb("evidence.toml", &it.id, format!("in `when`: {m}")))?;
        if when.uses_probabilities() || when.uses_level() {
            return Err(Error::kb(
                "evidence.toml",
                &it.id,
                "an interaction reads findings only",
            ));
        }
        // Warning signs act on triage only through rules (the floor posterior leaves them
        // out); an interaction that read one would let it in by the back door.
        let mut fields = Vec::new();
        when.fields(&mut fields);
        if let Some(&f) = fields
            .iter()
            .find(|&&f| warning_signs.get(f).copied().unwrap_or(false))
        {
            return Err(Error::kb(
                "evidence.toml",
                &it.id,
                format!("reads the warning sign '{}'", schema.fields[f].id),
            ));
        }
        let mut log_lr = vec![0.0; n];
        for (k, w) in ratios(evidence, classes, conditions, &it.id, &it.lr)? {
            log_lr[k] = w.ln();
        }
        let _ = (&it.grade, &it.note);
        interactions.push(Interaction {
            id: it.id.clone(),
            when,
            log_lr,
        });
    }
    let priors: Vec<f64> = classes.iter().map(|c| c.prior).collect();
    let model = Model::build(
        schema,
        &priors,
        layout,
        specs,
        evidence.absent_weight,
        (evidence.temperature, evidence.triage_temperature),
    );
    Ok((model, interactions))
}

/// A ticked item lends `weight` of its evidence to its neighbours' ratios (a mixture: the
/// runner may have meant the place next to the one named). Only the "ticked" value changes.
fn blend_neighbours(layout: &[VarSlot], specs: &mut [VarSpec], near: &[Near]) {
    let original: Vec<VarSpec> = specs.to_vec();
    let var_of = |fi: usize, item: u8| {
        layout
            .iter()
            .position(|&(f, e, _)| f == fi && e == Some(item))
    };
    for (fi, item, neighbours, w) in near {
        let Some(vi) = var_of(*fi, *item) else {
            continue;
        };
        let nvars: Vec<usize> = neighbours.iter().filter_map(|&x| var_of(*fi, x)).collect();
        if nvars.is_empty() {
            continue;
        }
        for c in 0..specs[vi].lr[0].len() {
            let mean: f64 =
                nvars.iter().map(|&v| original[v].lr[0][c]).sum::<f64>() / nvars.len() as f64;
            specs[vi].lr[0][c] = (1.0 - w) * original[vi].lr[0][c] + w * mean;
        }
    }
}

/// The `[[must_not_miss]]` entries of `screens.toml`.
pub(crate) fn must_not_miss(
    raw: &[RawMustNotMiss],
    classes: &[Class],
    rules: &[Rule],
    cite: Cite<'_>,
) -> Result<Vec<MustNotMiss>, Error> {
    let mut out = Vec::with_capacity(raw.len());
    for m in raw {
        let bad = |s: String| Error::kb("screens.toml", &m.id, s);
        cite("screens.toml", &m.id, &m.sources)?;
        let class = classes
            .iter()
            .position(|c| c.id == m.class)
            .ok_or_else(|| bad(format!("unknown class '{}'", m.class)))?;
        if !(m.threshold > 0.0 && m.threshold < 0.5) {
            return Err(bad(
                "threshold must be above 0 and well below 'most likely' (< 0.5)".into(),
            ));
        }
        let mut rule_ix = Vec::with_capacity(m.rules.len());
        for r in &m.rules {
            let i = rules
                .iter()
                .position(|x| &x.id == r)
                .ok_or_else(|| bad(format!("unknown rule '{r}'")))?;
            if rules[i].level > 2 {
                return Err(bad(format!(
                    "'{r}' is self-care; a screen decides between care levels"
                )));
            }
            rule_ix.push(i);
        }
        if rule_ix.is_empty() {
            return Err(bad("a screen needs at least one deciding rule".into()));
        }
        out.push(MustNotMiss {
            id: m.id.clone(),
            class,
            threshold: m.threshold,
            rules: rule_ix,
            title: m.title.clone(),
            why: m.why.clone(),
            sources: m.sources.clone(),
        });
    }
    Ok(out)
}

/// Resolve `field`, `field=value`, `field!=item` to (variable, value index).
fn resolve_row(schema: &Schema, layout: &[VarSlot], on: &str) -> Result<(usize, usize), String> {
    let (name, value, negated) = if let Some((a, b)) = on.split_once("!=") {
        (a.trim(), Some(b.trim()), true)
    } else if let Some((a, b)) = on.split_once('=') {
        (a.trim(), Some(b.trim()), false)
    } else {
        (on.trim(), None, false)
    };
    let fi = schema
        .index(name)
        .ok_or_else(|| format!("unknown finding '{name}'"))?;
    let f = &schema.fields[fi];
    let find = |el: Option<u8>| {
        layout
            .iter()
            .position(|&(lf, le, _)| lf == fi && le == el)
            .ok_or_else(|| format!("{name} has no model variable (numbers need bins)"))
    };
    match (&f.kind, value) {
        (FieldKind::Bool, None | Some("true")) if !negated => Ok((find(None)?, 0)),
        (FieldKind::Bool, Some("false")) if !negated => Ok((find(None)?, 1)),
        (FieldKind::Enum(_), Some(v)) if !negated => Ok((find(None)?, f.value_index(v)? as usize)),
        (FieldKind::Multi(_), Some(v)) => {
            let e = f.value_index(v)?;
            Ok((find(Some(e))?, usize::from(negated)))
        }
        (FieldKind::Int { .. } | FieldKind::Number { .. }, Some(v)) if !negated => {
            let b = f
                .bins
                .iter()
                .position(|b| b.id == v)
                .ok_or_else(|| format!("'{v}' is not a bin of {name}"))?;
            Ok((find(None)?, b))
        }
        _ => Err(format!("cannot use '{on}' as evidence")),
    }
}
