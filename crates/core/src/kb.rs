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

use crate::expr::{Expr, Names};
use crate::findings::Schema;
use crate::kb_model::{self, Class, Interaction, MustNotMiss, Near};
use crate::model::Model;
use crate::Error;

/// The contract's triage levels, most urgent first. A level's rank is its index.
pub const LEVELS: [&str; 4] = ["emergency", "urgent", "clinician", "self_care"];

/// A triage level as a type: ordered by urgency (`SelfCare < Clinician < Urgent < Emergency`),
/// stored and shown by the contract's ids. Plans, check-ins and stored assessments use it, so
/// no code compares level names or bare rank numbers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TriageLevel {
    SelfCare,
    Clinician,
    Urgent,
    Emergency,
}

impl TriageLevel {
    /// From a rank into [`LEVELS`] (0 = emergency); ranks past the end are self-care.
    pub fn from_rank(rank: u8) -> TriageLevel {
        match rank {
            0 => TriageLevel::Emergency,
            1 => TriageLevel::Urgent,
            2 => TriageLevel::Clinician,
            _ => TriageLevel::SelfCare,
        }
    }

    /// The rank into [`LEVELS`] (0 = emergency).
    pub fn rank(self) -> u8 {
        match self {
            TriageLevel::Emergency => 0,
            TriageLevel::Urgent => 1,
            TriageLevel::Clinician => 2,
            TriageLevel::SelfCare => 3,
        }
    }

    /// The contract's id ("self_care", "clinician", "urgent", "emergency").
    pub fn as_str(self) -> &'static str {
        LEVELS[usize::from(self.rank())]
    }

    /// Parse a contract id.
    pub fn parse(id: &str) -> Option<TriageLevel> {
        LEVELS
            .iter()
            .position(|l| *l == id)
            .map(|i| TriageLevel::from_rank(i as u8))
    }
}

impl std::fmt::Display for TriageLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
pub(crate) struct RawRule {
    pub(crate) id: String,
    pub(crate) level: String,
    /// The brief's level, L0-L4: 2.4a raises on L0-L2 rules and only names L3 questions.
    pub(crate) tier: String,
    #[serde(default)]
    pub(crate) red_flag: bool,
    pub(crate) title: String,
    pub(crate) when: String,
    pub(crate) headline: String,
    pub(crate) text: String,
    pub(crate) sources: Vec<String>,
    #[serde(default)]
    pub(crate) grade: Option<String>,
    /// A `meta.toml` frame narrower than the tier's, for the headline's `{when}` (a clot:
    /// "today"). Without it the rule has its tier's frame.
    #[serde(default)]
    pub(crate) frame: Option<String>,
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
    /// When to be seen (index into `Kb::frames`): the rule's own frame or its tier's; none for
    /// self-care. The headline's `{when}` is already filled with it.
    pub frame: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAdvice {
    pub(crate) id: String,
    pub(crate) when: String,
    pub(crate) text: String,
    pub(crate) sources: Vec<String>,
    #[serde(default)]
    pub(crate) grade: Option<String>,
    #[serde(default)]
    pub(crate) until_seen: bool,
}

#[derive(Debug, Clone)]
pub struct Advice {
    pub id: String,
    pub when: Expr,
    /// May contain `{when}`: the result's time frame, filled by the engine.
    pub text: String,
    pub sources: Vec<String>,
    pub grade: Option<String>,
    /// What to do now and until seen: the only advice an emergency or urgent result shows.
    /// Anything else (return-to-training times, heat, exercise) waits for the examination.
    pub until_seen: bool,
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
    /// The level's time frame, by `[[frame]]` id (self-care has none). Loading fills `{when}`
    /// in the texts below with it.
    #[serde(default)]
    pub frame: Option<String>,
    /// The frame of `presumed_headline`, if narrower than the level's.
    #[serde(default)]
    pub presumed_frame: Option<String>,
    pub title: String,
    pub meaning: String,
    /// Headline when the level rests on a more urgent rule presumed from missing answers
    /// rather than one that fired (an emergency rule presumed gives "urgent").
    pub presumed_headline: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeta {
    pub(crate) version: String,
    pub(crate) disclaimer: String,
    pub(crate) required_rules: Vec<String>,
    /// The contract's condition ids: `conditions.toml` must define exactly these.
    pub(crate) conditions: Vec<String>,
    pub(crate) level: Vec<LevelInfo>,
    /// Every time frame a result may give (`crate::urgency`).
    pub(crate) frame: Vec<crate::urgency::Frame>,
    /// The frame of each of the brief's tiers, L0-L3, by frame id.
    pub(crate) tier_frame: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) default_sources: Vec<String>,
    /// Hosts no source's address may be on, nor any subdomain of them: mirrors, aggregators,
    /// library proxies (`check_source_hosts`).
    #[serde(default)]
    pub(crate) refused_source_hosts: Vec<String>,
    /// The emergency numbers an emergency result offers to call.
    pub(crate) emergency: Emergency,
}

/// The emergency numbers a result that needs an ambulance lists (the knowledge base knows no
/// country, so the common ones, each with where it works), with the sources that give them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    pub number: Vec<EmergencyNumber>,
    pub sources: Vec<String>,
}

/// One emergency number and where it answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyNumber {
    pub number: String,
    pub area: String,
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
    /// What a result says about the warning signs checked or not.
    pub screen_wording: crate::kb_load::ScreenWording,
    pub sources: Vec<Source>,
    pub levels: Vec<LevelInfo>,
    /// What an emergency result offers to call (`meta.toml`'s `[emergency]`).
    pub emergency: Emergency,
    /// The time frames (`[[frame]]` of `meta.toml`); rules, levels and results point into it.
    pub frames: Vec<crate::urgency::Frame>,
    /// Each level's frame, by rank, and the frame of its presumed headline.
    pub level_frames: Vec<Option<usize>>,
    pub presumed_frames: Vec<Option<usize>>,
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
    /// `meta.toml`'s `refused_source_hosts`: no source's address is on one (checked at load).
    pub refused_source_hosts: Vec<String>,
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
    /// Whether any triage rule reads each finding.
    pub rule_fields: Vec<bool>,
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

/// The host of a source's address: lower case, without user, port or trailing dot. `None`
/// when the address is not `http://` or `https://` with a host.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Why `host` may not be a source's: the entry of `refused` it is or is a subdomain of, or
/// itself when it is a bare IP address (no publisher is known by one). `None` when allowed.
pub fn refused_host(host: &str, refused: &[String]) -> Option<String> {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Some(host.to_string());
    }
    refused
        .iter()
        .find(|r| {
            !r.is_empty()
                && (host == r.as_str()
                    || host
                        .strip_suffix(r.as_str())
                        .is_some_and(|p| p.ends_with('.')))
        })
        .cloned()
}

/// Parse one knowledge-base file, naming it in the error.
pub(crate) fn parse_toml<T: for<'de> Deserialize<'de>>(file: &str, src: &str) -> Result<T, Error> {
    toml::from_str(src).map_err(|e| Error::kb(file, "", e.to_string().trim_end()))
}

/// Lower-case the first letter of a name for use inside a sentence, leaving "I" and
/// abbreviations such as "DVT" as they are: lower-casing a whole name made "(dvt)".
pub fn lower_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    if first == "I" || (first.len() > 1 && !first.chars().any(char::is_lowercase)) {
        return s.to_string();
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

impl Kb {
    /// The knowledge base shipped in the binary.
    pub fn embedded() -> Result<Kb, Error> {
        Kb::from_files(&KbFiles::embedded())
    }

    /// `text` with `{when}` filled by a frame (a result's, a plan's); without a frame the
    /// placeholder is left out rather than shown.
    pub fn with_frame(&self, text: &str, frame: Option<usize>) -> String {
        let words = frame.map_or("", |i| self.frames[i].text.as_str());
        text.replace(crate::urgency::WHEN, words)
    }

    /// The time frames a text states, by [`crate::urgency::stated`] over this table.
    pub fn stated_frames(&self, text: &str) -> Vec<crate::urgency::Stated> {
        crate::urgency::stated(text, &self.frames)
    }

    pub fn from_files(files: &KbFiles<'_>) -> Result<Kb, Error> {
        use crate::kb_load as load;
        let raw = load::RawKb::parse(files)?;
        let source_ids = load::source_ids(&raw.sources)?;
        load::check_source_hosts(&raw.sources, &raw.meta.refused_source_hosts)?;
        let cite = |file: &str, id: &str, list: &[String]| check_cites(&source_ids, file, id, list);
        let condition_ids = load::check_conditions(&raw.conditions, &raw.meta.conditions, &cite)?;
        let near_items: Vec<(usize, u8, Vec<u8>)> = raw
            .near
            .iter()
            .map(|(f, i, n, _)| (*f, *i, n.clone()))
            .collect();
        let names = Names {
            schema: &raw.schema,
            conditions: &condition_ids,
            levels: &LEVELS,
            near: &near_items,
        };
        load::check_levels(&raw.meta, &cite)?;
        let frames = load::frames(&raw.meta)?;
        let (rules, red_flag_fields) =
            load::compile_rules(raw.rules, &raw.meta, &names, &cite, &frames)?;
        let screens = load::compile_screens(raw.screens, &raw.schema)?;
        let advice = load::compile_advice(raw.advice, &names, &cite, &frames.frames)?;
        load::check_unframed_texts(
            &raw.meta,
            &raw.conditions,
            &raw.screen_wording,
            &frames.frames,
        )?;
        let warning_signs = load::warning_signs(&screens, &raw.schema);
        let classes = kb_model::classes(&raw.conditions, &raw.subtypes, &cite)?;
        let (model, interactions) = kb_model::build_model(
            &kb_model::ModelInputs {
                schema: &raw.schema,
                classes: &classes,
                conditions: &raw.conditions,
                near: &raw.near,
                names: &names,
                warning_signs: &warning_signs,
            },
            &raw.evidence,
            &cite,
        )?;
        let must_not_miss = kb_model::must_not_miss(&raw.must_not_miss, &classes, &rules, &cite)?;
        let ask_if = load::compile_ask_if(&raw.schema, &names)?;
        load::check_bins(&raw.schema)?;
        let followers = load::followers(&ask_if);
        let mut rule_fields = vec![false; raw.schema.fields.len()];
        rules
            .iter()
            .flat_map(|r| r.fields.iter())
            .for_each(|&f| rule_fields[f] = true);
        let mut likely_lines = Vec::new();
        rules
            .iter()
            .for_each(|r| r.when.likely_lines(&mut likely_lines));
        Ok(Kb {
            version: raw.meta.version,
            disclaimer: raw.meta.disclaimer,
            schema: raw.schema,
            conditions: raw.conditions,
            condition_ids,
            rules,
            advice,
            screens,
            screen_wording: raw.screen_wording,
            sources: raw.sources,
            levels: frames.levels,
            emergency: raw.meta.emergency,
            frames: frames.frames,
            level_frames: frames.level,
            presumed_frames: frames.presumed,
            model,
            classes,
            interactions,
            must_not_miss,
            near: raw.near,
            default_sources: raw.meta.default_sources,
            refused_source_hosts: raw.meta.refused_source_hosts,
            evidence_rows: raw.evidence.rows(),
            warning_signs,
            red_flag_fields,
            ask_if,
            followers,
            rule_fields,
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

    /// The field a finding id of the assessment (`onset=sudden`, `pain_sites!=calf`) is
    /// about, if the schema has it.
    pub fn finding_field(&self, id: &str) -> Option<&crate::findings::Field> {
        let (name, _, _) = split_finding_id(id);
        self.schema.index(name).map(|i| &self.schema.fields[i])
    }

    /// Whether a finding id is about who the runner is (the "who" section of `findings.toml`:
    /// age, sex, running history, medication): a prior about the person, which may weigh for
    /// a condition but is never shown as a finding against one (a pertinent negative).
    pub fn finding_is_personal(&self, id: &str) -> bool {
        self.finding_field(id).is_some_and(|f| f.section == "who")
    }

    /// A finding id of the assessment in the plain words `says` gives it in `findings.toml`
    /// (`onset=sudden` → "started suddenly, at one moment", `pain_sites!=calf` → "no pain in
    /// the calf", `age_years=38` → "38 years old"). Loading checked that every answer has
    /// words; an id of no field (from a newer knowledge base) is returned as it is.
    pub fn finding_says(&self, id: &str) -> String {
        use crate::findings::Says;
        let (_, value, negated) = split_finding_id(id);
        let Some(f) = self.finding_field(id) else {
            return id.to_string();
        };
        let choice = |list: &[String], v: &str| {
            f.values()
                .iter()
                .position(|x| x == v)
                .and_then(|i| list.get(i).cloned())
        };
        let words = match (&f.says, value) {
            (Says::Bool { yes, .. }, None | Some("true")) => Some(yes.clone()),
            (Says::Bool { no, .. }, Some("false")) => Some(no.clone()),
            (Says::Number(t), Some(v)) => Some(t.replace("{value}", v)),
            (Says::Choice { not_chosen, .. }, Some(v)) if negated => choice(not_chosen, v),
            (Says::Choice { chosen, .. }, Some(v)) => choice(chosen, v),
            _ => None,
        };
        words.unwrap_or_else(|| self.describe_finding(id))
    }

    /// Plain words for a finding id of the assessment (`pop_or_snap`, `onset=sudden`,
    /// `pain_sites!=calf`, `pop_or_snap=false`), for people rather than programs.
    pub fn describe_finding(&self, id: &str) -> String {
        let (name, value, negated) = split_finding_id(id);
        let Some(f) = self.schema.index(name).map(|i| &self.schema.fields[i]) else {
            return id.to_string();
        };
        let short = |v: &str| {
            let l = f.value_label(v);
            // Long choice labels carry an explanation after a colon or parenthesis; keep the head.
            let head = l.split([':', '(']).next().unwrap_or(&l).trim();
            // Lower-case only the first letter, and not "I" or an abbreviation: a whole-string
            // lower case made "walking: i cannot put weight on the leg".
            lower_first(head)
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

/// A finding id of the assessment split into field, value and whether it is a value not
/// chosen: `pain_sites!=calf` → (`pain_sites`, `calf`, true); `pop_or_snap` → (`pop_or_snap`,
/// none, false).
fn split_finding_id(id: &str) -> (&str, Option<&str>, bool) {
    match id.split_once("!=") {
        Some((a, b)) => (a, Some(b), true),
        None => match id.split_once('=') {
            Some((a, b)) => (a, Some(b), false),
            None => (id, None, false),
        },
    }
}
