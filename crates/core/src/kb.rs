//! The knowledge base: loading, compiling and checking the data files under `kb/`.
//!
//! Clinical knowledge is data, not code: conditions, the findings schema and its questions,
//! the evidence table (likelihood ratios with base rates), triage rules, the red-flag screen,
//! advice and sources are TOML files embedded in the binary at build time (no I/O at run
//! time). Loading compiles every rule expression and evidence row against the schema, so a
//! dangling id, an unknown finding, a missing source or a red-flag rule that peeks at
//! probabilities is a load error with the file and entry named. [`Kb::embedded`] loads the
//! shipped files; [`Kb::from_files`] loads any other set (for `hamstride kb check --dir`).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::expr::{self, Expr, Names};
use crate::findings::{FieldKind, Schema};
use crate::kb_model::{self, Class, Interaction, MustNotMiss, Near};
use crate::model::Model;
use crate::Error;

/// The contract's triage levels, most urgent first. A level's rank is its index.
pub const LEVELS: [&str; 4] = ["emergency", "urgent", "clinician", "self_care"];

/// The contract's condition ids, in contract order.
pub const CONDITION_IDS: [&str; 14] = [
    "acute_hamstring_strain",
    "hamstring_tear_or_avulsion",
    "proximal_hamstring_tendinopathy",
    "distal_hamstring_tendinopathy",
    "lumbar_radiculopathy",
    "sciatic_nerve_entrapment",
    "exercise_associated_cramp",
    "doms",
    "hamstring_tightness",
    "deep_vein_thrombosis",
    "stress_fracture",
    "ischiofemoral_impingement",
    "cauda_equina_syndrome",
    "other",
];

/// The text of every knowledge-base file.
#[derive(Debug, Clone, Copy)]
pub struct KbFiles<'a> {
    pub meta: &'a str,
    pub findings: &'a str,
    pub conditions: &'a str,
    pub evidence: &'a str,
    pub triage: &'a str,
    pub screens: &'a str,
    pub advice: &'a str,
    pub sources: &'a str,
}

/// File names, for messages and for reading a directory.
pub const FILE_NAMES: [&str; 8] = [
    "meta.toml",
    "findings.toml",
    "conditions.toml",
    "evidence.toml",
    "triage.toml",
    "screens.toml",
    "advice.toml",
    "sources.toml",
];

impl KbFiles<'static> {
    pub fn embedded() -> KbFiles<'static> {
        KbFiles {
            meta: include_str!("../../../kb/meta.toml"),
            findings: include_str!("../../../kb/findings.toml"),
            conditions: include_str!("../../../kb/conditions.toml"),
            evidence: include_str!("../../../kb/evidence.toml"),
            triage: include_str!("../../../kb/triage.toml"),
            screens: include_str!("../../../kb/screens.toml"),
            advice: include_str!("../../../kb/advice.toml"),
            sources: include_str!("../../../kb/sources.toml"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub short: String,
    pub citation: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub id: String,
    pub name: String,
    pub prior: f64,
    pub default_triage: String,
    pub summary: String,
    pub story: String,
    pub helps: String,
    pub course: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub grade: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    level: String,
    /// The brief's level, L0-L4: 2.4a raises on L0-L2 rules and only names L3 questions.
    tier: String,
    #[serde(default)]
    red_flag: bool,
    title: String,
    when: String,
    headline: String,
    text: String,
    sources: Vec<String>,
    #[serde(default)]
    grade: Option<String>,
}

/// A compiled triage rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// Rank into [`LEVELS`].
    pub level: u8,
    pub red_flag: bool,
    /// The brief's level, 0-4 (L0 emergency … L2 doctor within days, L3 physio, L4 self-care).
    pub tier: u8,
    pub title: String,
    pub when: Expr,
    pub when_src: String,
    pub headline: String,
    pub text: String,
    pub sources: Vec<String>,
    pub grade: Option<String>,
    /// Findings the rule reads.
    pub fields: Vec<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdvice {
    id: String,
    when: String,
    text: String,
    sources: Vec<String>,
    #[serde(default)]
    grade: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Advice {
    pub id: String,
    pub when: Expr,
    pub text: String,
    pub sources: Vec<String>,
    pub grade: Option<String>,
}

/// One group of the red-flag screen, asked as a single "any of these?" question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    pub id: String,
    pub question: String,
    pub items: Vec<String>,
    #[serde(skip)]
    pub item_fields: Vec<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelInfo {
    pub id: String,
    pub title: String,
    pub meaning: String,
    /// Headline when the level rests on a more urgent rule presumed from missing answers
    /// rather than one that fired (an emergency rule presumed gives "urgent").
    pub presumed_headline: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    version: String,
    disclaimer: String,
    required_rules: Vec<String>,
    level: Vec<LevelInfo>,
    #[serde(default)]
    default_sources: Vec<String>,
}

/// The loaded, compiled knowledge base.
#[derive(Debug, Clone)]
pub struct Kb {
    pub version: String,
    pub disclaimer: String,
    pub schema: Schema,
    pub conditions: Vec<Condition>,
    pub condition_ids: Vec<String>,
    pub rules: Vec<Rule>,
    pub advice: Vec<Advice>,
    pub screens: Vec<Screen>,
    pub sources: Vec<Source>,
    pub levels: Vec<LevelInfo>,
    pub model: Model,
    /// The classes the model reasons over (conditions, with `other` split into subtypes).
    pub classes: Vec<Class>,
    /// Findings that mean more together than apart.
    pub interactions: Vec<Interaction>,
    /// Must-not-miss screens (`[[must_not_miss]]` in `screens.toml`).
    pub must_not_miss: Vec<MustNotMiss>,
    /// Anatomical neighbours of list items (`[[near]]` in `findings.toml`).
    pub near: Vec<Near>,
    pub default_sources: Vec<String>,
    /// Evidence rows, for `kb check` statistics.
    pub evidence_rows: usize,
    /// Whether each field is read by some red-flag rule (asked before probabilities matter).
    pub red_flag_fields: Vec<bool>,
    /// The warning signs: yes/no findings read by an emergency or urgent rule. They act on
    /// triage only through rules; the probability floor of triage ignores them, so adding one
    /// can never lower the level.
    pub warning_signs: Vec<bool>,
    /// Compiled `ask_if` of each field.
    pub ask_if: Vec<Option<Expr>>,
    /// For each finding, the questions whose `ask_if` reads it (its follow-ups).
    pub followers: Vec<Vec<usize>>,
    /// The probability lines triage rules read (`likely`): (conditions summed, threshold).
    pub likely_lines: Vec<(Vec<usize>, f64)>,
}

/// Counts shown by `hamstride kb check`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KbStats {
    pub version: String,
    pub findings: usize,
    pub conditions: usize,
    pub evidence_rows: usize,
    pub rules: usize,
    pub red_flag_rules: usize,
    pub screens: usize,
    pub advice: usize,
    pub sources: usize,
    pub sources_cited: usize,
}

/// Every entry cites at least one source, and every cited id exists.
pub(crate) fn check_cites(
    source_ids: &BTreeSet<&str>,
    file: &str,
    id: &str,
    list: &[String],
) -> Result<(), Error> {
    if list.is_empty() {
        return Err(Error::kb(file, id, "cites no source"));
    }
    for s in list {
        if !source_ids.contains(s.as_str()) {
            return Err(Error::kb(file, id, format!("cites unknown source '{s}'")));
        }
    }
    Ok(())
}

/// Parse one knowledge-base file, naming it in the error.
pub(crate) fn parse_toml<T: for<'de> Deserialize<'de>>(file: &str, src: &str) -> Result<T, Error> {
    toml::from_str(src).map_err(|e| Error::kb(file, "", e.to_string().trim_end()))
}

impl Kb {
    /// The knowledge base shipped in the binary.
    pub fn embedded() -> Result<Kb, Error> {
        Kb::from_files(&KbFiles::embedded())
    }

    pub fn from_files(files: &KbFiles<'_>) -> Result<Kb, Error> {
        let meta: RawMeta = parse_toml("meta.toml", files.meta)?;
        let schema = Schema::from_toml(files.findings)?;
        #[derive(Deserialize)]
        struct Conds {
            condition: Vec<Condition>,
            #[serde(default)]
            subtype: Vec<kb_model::RawSubtype>,
        }
        #[derive(Deserialize)]
        struct Rules {
            rule: Vec<RawRule>,
        }
        #[derive(Deserialize)]
        struct Screens {
            screen: Vec<Screen>,
            #[serde(default)]
            must_not_miss: Vec<kb_model::RawMustNotMiss>,
        }
        #[derive(Deserialize)]
        struct Advices {
            advice: Vec<RawAdvice>,
        }
        #[derive(Deserialize)]
        struct Sources {
            source: Vec<Source>,
        }
        let Conds {
            condition: conditions,
            subtype: subtypes,
        } = parse_toml::<Conds>("conditions.toml", files.conditions)?;
        let raw_rules = parse_toml::<Rules>("triage.toml", files.triage)?.rule;
        let Screens {
            screen: mut screens,
            must_not_miss: raw_mnm,
        } = parse_toml::<Screens>("screens.toml", files.screens)?;
        let raw_advice = parse_toml::<Advices>("advice.toml", files.advice)?.advice;
        let sources = parse_toml::<Sources>("sources.toml", files.sources)?.source;
        let evidence: kb_model::RawEvidenceFile = parse_toml("evidence.toml", files.evidence)?;
        let near = kb_model::load_near(&schema, files.findings)?;

        // Sources: unique ids, and every citation must resolve.
        let mut source_ids = BTreeSet::new();
        for s in &sources {
            if !source_ids.insert(s.id.as_str()) {
                return Err(Error::kb("sources.toml", &s.id, "duplicate source id"));
            }
        }
        let cite = |file: &str, id: &str, list: &[String]| check_cites(&source_ids, file, id, list);

        // Conditions: exactly the contract's, each with sources and a valid level.
        let condition_ids: Vec<String> = conditions.iter().map(|c| c.id.clone()).collect();
        for want in CONDITION_IDS {
            if !condition_ids.iter().any(|c| c == want) {
                return Err(Error::kb(
                    "conditions.toml",
                    want,
                    "contract condition missing",
                ));
            }
        }
        if condition_ids.len() != CONDITION_IDS.len() {
            return Err(Error::kb(
                "conditions.toml",
                "",
                format!(
                    "expected the {} contract conditions, found {}",
                    CONDITION_IDS.len(),
                    condition_ids.len()
                ),
            ));
        }
        for c in &conditions {
            cite("conditions.toml", &c.id, &c.sources)?;
            if !LEVELS.contains(&c.default_triage.as_str()) {
                return Err(Error::kb(
                    "conditions.toml",
                    &c.id,
                    format!("unknown default_triage '{}'", c.default_triage),
                ));
            }
            if !(c.prior > 0.0 && c.prior < 1.0) {
                return Err(Error::kb(
                    "conditions.toml",
                    &c.id,
                    "prior must be between 0 and 1",
                ));
            }
            for (what, text) in [
                ("name", &c.name),
                ("summary", &c.summary),
                ("story", &c.story),
                ("helps", &c.helps),
                ("course", &c.course),
            ] {
                if text.trim().is_empty() {
                    return Err(Error::kb(
                        "conditions.toml",
                        &c.id,
                        format!("{what} is empty"),
                    ));
                }
            }
        }
        let near_items: Vec<(usize, u8, Vec<u8>)> = near
            .iter()
            .map(|(f, i, n, _)| (*f, *i, n.clone()))
            .collect();
        let names = Names {
            schema: &schema,
            conditions: &condition_ids,
            levels: &LEVELS,
            near: &near_items,
        };

        // Levels.
        for (i, l) in LEVELS.iter().enumerate() {
            if meta.level.get(i).map(|x| x.id.as_str()) != Some(*l) {
                return Err(Error::kb(
                    "meta.toml",
                    l,
                    "levels must be listed in contract order",
                ));
            }
        }
        cite("meta.toml", "default_sources", &meta.default_sources)?;

        // Rules.
        let mut rules = Vec::with_capacity(raw_rules.len());
        let mut rule_ids = BTreeSet::new();
        let mut red_flag_fields = vec![false; schema.fields.len()];
        for r in raw_rules {
            if !rule_ids.insert(r.id.clone()) {
                return Err(Error::kb("triage.toml", &r.id, "duplicate rule id"));
            }
            cite("triage.toml", &r.id, &r.sources)?;
            let level = LEVELS.iter().position(|l| *l == r.level).ok_or_else(|| {
                Error::kb("triage.toml", &r.id, format!("unknown level '{}'", r.level))
            })? as u8;
            let tier = match r.tier.as_str() {
                "L0" => 0,
                "L1" => 1,
                "L2" => 2,
                "L3" => 3,
                "L4" => 4,
                t => {
                    return Err(Error::kb(
                        "triage.toml",
                        &r.id,
                        format!("unknown tier '{t}' (L0-L4)"),
                    ))
                }
            };
            // The brief's L2 and L3 both map to `clinician`; the rest map one to one.
            let expected_level = [0u8, 1, 2, 2, 3][usize::from(tier)];
            if level != expected_level {
                return Err(Error::kb(
                    "triage.toml",
                    &r.id,
                    format!("tier {} does not match level {}", r.tier, r.level),
                ));
            }
            let when = expr::parse(&r.when, &names)
                .map_err(|m| Error::kb("triage.toml", &r.id, format!("in `when`: {m}")))?;
            if when.uses_level() {
                return Err(Error::kb(
                    "triage.toml",
                    &r.id,
                    "a rule cannot depend on the final level",
                ));
            }
            if (r.red_flag || level <= 1) && when.uses_probabilities() {
                return Err(Error::kb(
                    "triage.toml",
                    &r.id,
                    "a red-flag or urgent rule must not depend on probabilities (top/likely)",
                ));
            }
            let mut fields = Vec::new();
            when.fields(&mut fields);
            if r.red_flag || level <= 1 {
                for &f in &fields {
                    red_flag_fields[f] = true;
                }
            }
            rules.push(Rule {
                id: r.id,
                level,
                red_flag: r.red_flag,
                tier,
                title: r.title,
                when,
                when_src: r.when,
                headline: r.headline,
                text: r.text,
                sources: r.sources,
                grade: r.grade,
                fields,
            });
        }
        for req in &meta.required_rules {
            if !rule_ids.contains(req) {
                return Err(Error::kb(
                    "triage.toml",
                    req,
                    "required rule from the brief is missing",
                ));
            }
        }
        for l in 0..LEVELS.len() as u8 {
            if !rules.iter().any(|r| r.level == l) {
                return Err(Error::kb(
                    "triage.toml",
                    LEVELS[l as usize],
                    "no rule at this level",
                ));
            }
        }

        // Screens: every item a yes/no finding.
        for s in &mut screens {
            for item in &s.items {
                let fi = schema.index(item).ok_or_else(|| {
                    Error::kb("screens.toml", &s.id, format!("unknown finding '{item}'"))
                })?;
                if schema.fields[fi].kind != FieldKind::Bool {
                    return Err(Error::kb(
                        "screens.toml",
                        &s.id,
                        format!("'{item}' is not a yes/no finding"),
                    ));
                }
                s.item_fields.push(fi);
            }
        }

        // Advice.
        let mut advice = Vec::with_capacity(raw_advice.len());
        let mut advice_ids = BTreeSet::new();
        for a in raw_advice {
            if !advice_ids.insert(a.id.clone()) {
                return Err(Error::kb("advice.toml", &a.id, "duplicate advice id"));
            }
            cite("advice.toml", &a.id, &a.sources)?;
            let when = expr::parse(&a.when, &names)
                .map_err(|m| Error::kb("advice.toml", &a.id, format!("in `when`: {m}")))?;
            advice.push(Advice {
                id: a.id,
                when,
                text: a.text,
                sources: a.sources,
                grade: a.grade,
            });
        }

        // Warning signs: the red-flag screen items. They act on triage only through rules
        // (the floor posterior leaves them out), which is why answering one "yes" can never
        // lower the level.
        let mut warning_signs = vec![false; schema.fields.len()];
        for s in &screens {
            s.item_fields
                .iter()
                .for_each(|&fi| warning_signs[fi] = true);
        }

        // The model.
        let classes = kb_model::classes(&conditions, &subtypes, &cite)?;
        let (model, interactions) = kb_model::build_model(
            &kb_model::ModelInputs {
                schema: &schema,
                classes: &classes,
                conditions: &conditions,
                near: &near,
                names: &names,
                warning_signs: &warning_signs,
            },
            &evidence,
            &cite,
        )?;
        let must_not_miss = kb_model::must_not_miss(&raw_mnm, &classes, &rules, &cite)?;

        let mut ask_if = Vec::with_capacity(schema.fields.len());
        for f in &schema.fields {
            ask_if.push(match &f.ask_if {
                Some(src) => {
                    Some(expr::parse(src, &names).map_err(|m| {
                        Error::kb("findings.toml", &f.id, format!("in `ask_if`: {m}"))
                    })?)
                }
                None => None,
            });
        }

        // Bins must cover every binned number field and be increasing.
        for f in &schema.fields {
            let mut last = f64::NEG_INFINITY;
            for (i, b) in f.bins.iter().enumerate() {
                match b.max {
                    Some(m) if m > last => last = m,
                    None if i + 1 == f.bins.len() => {}
                    _ => {
                        return Err(Error::kb(
                            "findings.toml",
                            &f.id,
                            "bins must increase and only the last may be open",
                        ))
                    }
                }
            }
        }

        let mut followers = vec![Vec::new(); schema.fields.len()];
        for (fj, gate) in ask_if.iter().enumerate() {
            let mut reads = Vec::new();
            if let Some(g) = gate {
                g.fields(&mut reads);
            }
            for fi in reads {
                if fi != fj {
                    followers[fi].push(fj);
                }
            }
        }
        let mut likely_lines = Vec::new();
        rules
            .iter()
            .for_each(|r| r.when.likely_lines(&mut likely_lines));
        Ok(Kb {
            version: meta.version,
            disclaimer: meta.disclaimer,
            schema,
            conditions,
            condition_ids,
            rules,
            advice,
            screens,
            sources,
            levels: meta.level,
            model,
            classes,
            interactions,
            must_not_miss,
            near,
            default_sources: meta.default_sources,
            evidence_rows: evidence.rows(),
            warning_signs,
            red_flag_fields,
            ask_if,
            followers,
            likely_lines,
        })
    }

    /// Counts for `kb check`.
    pub fn stats(&self) -> KbStats {
        let mut cited = BTreeSet::new();
        for c in &self.conditions {
            cited.extend(c.sources.iter().cloned());
        }
        for r in &self.rules {
            cited.extend(r.sources.iter().cloned());
        }
        for a in &self.advice {
            cited.extend(a.sources.iter().cloned());
        }
        KbStats {
            version: self.version.clone(),
            findings: self.schema.fields.len(),
            conditions: self.conditions.len(),
            evidence_rows: self.evidence_rows,
            rules: self.rules.len(),
            red_flag_rules: self.rules.iter().filter(|r| r.red_flag).count(),
            screens: self.screens.len(),
            advice: self.advice.len(),
            sources: self.sources.len(),
            sources_cited: cited.len(),
        }
    }

    /// Whether the interview may ask this field given the answers so far.
    pub fn ask_allowed(&self, f: &crate::findings::Findings, fi: usize) -> bool {
        let ctx = crate::expr::EvalContext::FINDINGS_ONLY;
        self.ask_if
            .get(fi)
            .and_then(Option::as_ref)
            .is_none_or(|e| e.eval(f, &ctx))
    }

    /// Plain words for a finding id of the assessment (`pop_or_snap`, `onset=sudden`,
    /// `pain_sites!=calf`, `pop_or_snap=false`), for people rather than programs.
    pub fn describe_finding(&self, id: &str) -> String {
        let (name, value, negated) = match id.split_once("!=") {
            Some((a, b)) => (a, Some(b), true),
            None => match id.split_once('=') {
                Some((a, b)) => (a, Some(b), false),
                None => (id, None, false),
            },
        };
        let Some(f) = self.schema.index(name).map(|i| &self.schema.fields[i]) else {
            return id.to_string();
        };
        let short = |v: &str| {
            let l = f.value_label(v);
            // Long choice labels carry an explanation after a colon or parenthesis; keep the head.
            l.split([':', '('])
                .next()
                .unwrap_or(&l)
                .trim()
                .to_lowercase()
        };
        match (value, negated) {
            (None, _) | (Some("true"), false) => f.label.clone(),
            (Some("false"), false) => format!("{}: no", f.label),
            (Some(v), true) => format!("{}: not {}", f.label, short(v)),
            (Some(v), false) => match f.kind {
                crate::findings::FieldKind::Int { .. }
                | crate::findings::FieldKind::Number { .. } => {
                    format!("{} {}", f.label, v)
                }
                _ => format!("{}: {}", f.label, short(v)),
            },
        }
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn condition_index(&self, id: &str) -> Option<usize> {
        self.condition_ids.iter().position(|c| c == id)
    }

    /// Short citations ("Dubois 2020") for a list of source ids.
    pub fn cite(&self, ids: &[String]) -> Vec<String> {
        ids.iter()
            .map(|id| {
                self.source(id)
                    .map_or_else(|| id.clone(), |s| s.short.clone())
            })
            .collect()
    }
}
