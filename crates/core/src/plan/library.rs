//! The plan half of the knowledge base: exercises, per-condition protocols, strain severity and
//! prognostic rules, the pain-monitoring thresholds and the return-to-run ladders.
//!
//! Like the assessment knowledge base, this is data under `kb/` embedded at build time
//! (`exercises.toml`, `protocols.toml`, `progression.toml`) and checked when it loads: every id
//! resolves, every entry cites a known source, expressions compile against the findings schema,
//! and the safety invariants the plan generator relies on hold as data (no early tendinopathy
//! phase lists a hamstring stretch or deep hip flexion under load, no phase lists an exercise the
//! exercise itself says to avoid in that phase, referral plans for urgent conditions schedule
//! neither running nor loading). A broken file is an error naming the file and entry, never a
//! plan that silently does the wrong thing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::expr::{self, Expr, Names};
use crate::kb::{check_cites, parse_toml, Kb, LEVELS};
use crate::Error;

/// The text of the plan files.
#[derive(Debug, Clone, Copy)]
pub struct PlanFiles<'a> {
    pub exercises: &'a str,
    pub protocols: &'a str,
    pub progression: &'a str,
}

/// Plan file names, for messages and for reading a directory.
pub const PLAN_FILE_NAMES: [&str; 3] = ["exercises.toml", "protocols.toml", "progression.toml"];

/// The triage rule a not-settling check-in applies (brief 2.3, R-S5), by its id.
const NOT_SETTLING_RULE: &str = "R-S5";

fn not_settling_headline(kb: &Kb) -> Result<String, Error> {
    kb.rules
        .iter()
        .find(|r| r.id == NOT_SETTLING_RULE)
        .map(|r| r.headline.clone())
        .ok_or_else(|| {
            Error::kb(
                "triage.toml",
                NOT_SETTLING_RULE,
                "the not-settling rule check-ins apply is missing",
            )
        })
}

/// No text of a plan states when to be seen: the plan says it once, in the triage headline it
/// was made from, so a referral note, an exercise's reason or a phase's step never gives a
/// second time ("within 1-2 weeks" under a headline that says "within a few days"). Every
/// string of every exercise and protocol is read, so a new field cannot slip past.
fn check_no_frames(kb: &Kb, exercises: &[Exercise], protocols: &[Protocol]) -> Result<(), Error> {
    fn strings<'v>(v: &'v serde_json::Value, out: &mut Vec<&'v str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let entries = exercises
        .iter()
        .map(|x| ("exercises.toml", x.id.as_str(), serde_json::to_value(x)))
        .chain(
            protocols
                .iter()
                .map(|p| ("protocols.toml", p.id.as_str(), serde_json::to_value(p))),
        );
    for (file, id, value) in entries {
        let value = value.map_err(|e| Error::kb(file, id, e))?;
        let mut texts = Vec::new();
        strings(&value, &mut texts);
        for t in texts {
            if let Some(s) = kb.stated_frames(t).first() {
                return Err(Error::kb(
                    file,
                    id,
                    format!(
                        "states the time frame {} in \"{t}\": a plan says when to be seen only \
                         through the triage headline it was made from",
                        crate::urgency::describe(s, &kb.frames)
                    ),
                ));
            }
        }
    }
    Ok(())
}

impl PlanFiles<'static> {
    pub fn embedded() -> PlanFiles<'static> {
        PlanFiles {
            exercises: include_str!("../../../../kb/exercises.toml"),
            protocols: include_str!("../../../../kb/protocols.toml"),
            progression: include_str!("../../../../kb/progression.toml"),
        }
    }
}

/// How often an exercise is done; drives the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    TwiceDaily,
    Daily,
    EveryOtherDay,
    EveryThirdDay,
    #[serde(rename = "3_per_week")]
    ThreePerWeek,
    #[serde(rename = "2_per_week")]
    TwoPerWeek,
    #[serde(rename = "1_per_week")]
    OncePerWeek,
    BeforeRuns,
    AsNeeded,
}

impl Frequency {
    /// Whether a session falls on day `k` of a phase (day 0 = the phase's first day).
    pub fn on_day(self, k: i64) -> bool {
        let w = k.rem_euclid(7);
        match self {
            Frequency::TwiceDaily | Frequency::Daily => true,
            Frequency::EveryOtherDay => k.rem_euclid(2) == 0,
            Frequency::EveryThirdDay => k.rem_euclid(3) == 0,
            Frequency::ThreePerWeek => matches!(w, 0 | 2 | 4),
            Frequency::TwoPerWeek => matches!(w, 0 | 3),
            Frequency::OncePerWeek => w == 0,
            Frequency::BeforeRuns | Frequency::AsNeeded => false,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Frequency::TwiceDaily => "twice a day",
            Frequency::Daily => "daily",
            Frequency::EveryOtherDay => "every other day",
            Frequency::EveryThirdDay => "every third day",
            Frequency::ThreePerWeek => "3 times a week",
            Frequency::TwoPerWeek => "twice a week",
            Frequency::OncePerWeek => "once a week",
            Frequency::BeforeRuns => "before runs",
            Frequency::AsNeeded => "as needed",
        }
    }
}

/// How much running a phase allows, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunLevel {
    None,
    WalkJog,
    Easy,
    Strides,
    Speed,
    Full,
}

impl RunLevel {
    pub fn label(self) -> &'static str {
        match self {
            RunLevel::None => "no running",
            RunLevel::WalkJog => "walk-jog intervals",
            RunLevel::Easy => "easy running",
            RunLevel::Strides => "easy running with strides",
            RunLevel::Speed => "faster running",
            RunLevel::Full => "full training",
        }
    }
}

/// Whom to see and how soon, in order of urgency (most urgent last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Referral {
    None,
    Physio,
    DoctorSoon,
    Urgent,
    Emergency,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Avoid {
    pub condition: String,
    pub phases: Vec<String>,
    pub reason: String,
}

/// One exercise of the library.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub name: String,
    pub category: String,
    pub instructions: String,
    pub cues: Vec<String>,
    #[serde(default)]
    pub sets: Option<u32>,
    #[serde(default)]
    pub reps: Option<u32>,
    #[serde(default)]
    pub hold_seconds: Option<u32>,
    #[serde(default)]
    pub minutes: Option<u32>,
    pub frequency: Frequency,
    /// After a strain, the exercise is not scheduled before this day from the injury (the day
    /// it happened is day 0): the lengthening exercises start at about day 5 (brief 4.2). Texts
    /// that name the day say `{start_day}` (`{start_day:<id>}` in a phase), so the words and
    /// the schedule come from this one number.
    #[serde(default)]
    pub start_day: Option<u32>,
    pub dose: String,
    /// The dose in plans for a muscle strain, when it differs from `dose`.
    #[serde(default)]
    pub dose_muscle: Option<String>,
    /// The dose in plans for a tendon problem, when it differs from `dose`.
    #[serde(default)]
    pub dose_tendon: Option<String>,
    pub easier: String,
    /// How much of the easier version to do after a step back: always less than `dose`.
    pub easier_dose: String,
    pub harder: String,
    pub equipment: Vec<String>,
    pub hamstring_stretch: bool,
    pub deep_hip_flexion_load: bool,
    pub loading: bool,
    pub running: bool,
    pub impact: bool,
    pub not_when: String,
    #[serde(default)]
    pub avoid: Vec<Avoid>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub grade: Option<String>,
}

/// The categories an exercise may have.
pub const CATEGORIES: [&str; 14] = [
    "warm_up",
    "mobility",
    "stretch",
    "isometric",
    "strength",
    "eccentric",
    "lengthening",
    "plyometric",
    "running_drill",
    "running",
    "cross_training",
    "recovery",
    "neural",
    "walking",
];

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub id: String,
    pub name: String,
    pub goals: Vec<String>,
    pub running: RunLevel,
    #[serde(default)]
    pub min_days: u32,
    pub exercises: Vec<String>,
    /// How often an exercise is done in this phase when it differs from the library's default
    /// (a Nordic curl is twice a week while building, once a week to maintain).
    #[serde(default)]
    pub frequency: BTreeMap<String, Frequency>,
    #[serde(default)]
    pub care: Vec<String>,
    pub criteria: Vec<Criterion>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    pub id: String,
    pub condition: String,
    pub severity: String,
    pub name: String,
    pub summary: String,
    pub pain_ceiling: u8,
    pub referral: Referral,
    #[serde(default)]
    pub referral_text: Option<String>,
    pub run_ladder: String,
    pub timeline_running_days: [u32; 2],
    pub timeline_full_days: [u32; 2],
    #[serde(default)]
    pub timeline_note: Option<String>,
    pub sources: Vec<String>,
    pub phase: Vec<Phase>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverity {
    condition: String,
    level: String,
    when: String,
    text: String,
    sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SeverityRule {
    pub condition: String,
    pub level: String,
    pub when: Expr,
    pub text: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrognostic {
    id: String,
    conditions: Vec<String>,
    when: String,
    factor: f64,
    text: String,
    sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Prognostic {
    pub id: String,
    pub conditions: Vec<String>,
    pub when: Expr,
    pub factor: f64,
    pub text: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Medication {
    /// Conditions whose plans show the notes.
    pub show_for: Vec<String>,
    pub text: Vec<String>,
    pub sources: Vec<String>,
}

/// The numbers of the pain-monitoring model and the re-check schedule.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PainMonitoring {
    pub morning_worse_by: u8,
    pub weekly_rise: f64,
    pub escalate_after_weeks: u32,
    pub settled_checkins: u32,
    pub recheck_days: Vec<u32>,
    pub recheck_every_days: u32,
    pub reestimate_day: u32,
    pub max_factor: f64,
    pub not_settling_strain_days: u32,
    pub not_settling_tendon_days: u32,
    /// Conditions the not-settling rule treats as muscle strains, and as tendon problems.
    pub not_settling_strain_conditions: Vec<String>,
    pub not_settling_tendon_conditions: Vec<String>,
    pub sources: Vec<String>,
}

/// One stage of a return-to-run ladder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub name: String,
    pub level: RunLevel,
    #[serde(default)]
    pub warmup_walk_minutes: Option<u32>,
    #[serde(default)]
    pub reps: Option<u32>,
    #[serde(default)]
    pub run_seconds: Option<u32>,
    #[serde(default)]
    pub walk_seconds: Option<u32>,
    #[serde(default)]
    pub cooldown_walk_minutes: Option<u32>,
    #[serde(default)]
    pub run_minutes: Option<u32>,
    #[serde(default)]
    pub strides: Option<u32>,
    #[serde(default)]
    pub stride_metres: Option<u32>,
    pub effort_pct: u32,
    pub spacing_days: u32,
    pub text: String,
}

impl Stage {
    /// Minutes of running in the session (for totals and adherence checks).
    pub fn running_minutes(&self) -> f64 {
        match (self.reps, self.run_seconds, self.run_minutes) {
            (Some(r), Some(s), _) => f64::from(r * s) / 60.0,
            (_, _, Some(m)) => f64::from(m),
            _ => 0.0,
        }
    }

    /// Whole session length in minutes, walking included.
    pub fn total_minutes(&self) -> f64 {
        let walk = f64::from(self.reps.unwrap_or(0) * self.walk_seconds.unwrap_or(0)) / 60.0;
        self.running_minutes()
            + walk
            + f64::from(self.warmup_walk_minutes.unwrap_or(0))
            + f64::from(self.cooldown_walk_minutes.unwrap_or(0))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    pub id: String,
    pub name: String,
    pub sources: Vec<String>,
    pub stage: Vec<Stage>,
}

/// The loaded, checked plan knowledge base.
#[derive(Debug, Clone)]
pub struct PlanKb {
    pub exercises: Vec<Exercise>,
    pub protocols: Vec<Protocol>,
    pub severity: Vec<SeverityRule>,
    pub prognostic: Vec<Prognostic>,
    pub medication: Medication,
    pub pain: PainMonitoring,
    pub ladders: Vec<Ladder>,
    /// Phases in which no exercise may stretch the hamstring or load deep hip flexion
    /// (`protocols.toml` `[early_tendon]`), whatever else the exercise's flags allow.
    pub early_tendon_phases: Vec<String>,
    /// The condition whose plan is made when the assessment ranks none
    /// (`protocols.toml` `unranked_condition`).
    pub unranked_condition: String,
    /// The headline of the brief's "not settling" rule (R-S5, `triage.toml`): a check-in that
    /// finds a plan not settling makes it the plan's headline, so the referral it adds is said
    /// with that rule's one time frame.
    pub not_settling_headline: String,
    exercise_index: BTreeMap<String, usize>,
}

/// Counts for `hamstride kb check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStats {
    pub exercises: usize,
    pub protocols: usize,
    pub phases: usize,
    pub criteria: usize,
    pub ladder_stages: usize,
}

impl PlanKb {
    pub fn embedded(kb: &Kb) -> Result<PlanKb, Error> {
        PlanKb::from_files(kb, &PlanFiles::embedded())
    }

    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercise_index.get(id).map(|&i| &self.exercises[i])
    }

    pub fn protocol(&self, id: &str) -> Option<&Protocol> {
        self.protocols.iter().find(|p| p.id == id)
    }

    /// Whether plans for `condition` treat it as a muscle strain (progression.toml's list):
    /// strains count days from the injury and use the muscle doses.
    pub fn is_strain(&self, condition: &str) -> bool {
        self.pain
            .not_settling_strain_conditions
            .iter()
            .any(|c| c == condition)
    }

    /// The first day from the injury on which `x` may be scheduled in a plan for `condition`
    /// (None: no such day; only strains count days from the injury).
    pub fn start_day(&self, x: &Exercise, condition: &str) -> Option<u32> {
        x.start_day.filter(|_| self.is_strain(condition))
    }

    /// Whether plans for `condition` treat it as a tendon problem (progression.toml's list).
    pub fn is_tendon(&self, condition: &str) -> bool {
        self.pain
            .not_settling_tendon_conditions
            .iter()
            .any(|c| c == condition)
    }

    /// The dose of `x` in a plan for `condition`: the muscle dose for a strain, the tendon dose
    /// for a tendon problem, else the general one.
    pub fn dose<'a>(&self, x: &'a Exercise, condition: &str) -> &'a str {
        let by_tissue = if self.is_strain(condition) {
            x.dose_muscle.as_deref()
        } else if self.is_tendon(condition) {
            x.dose_tendon.as_deref()
        } else {
            None
        };
        by_tissue.unwrap_or(&x.dose)
    }

    pub fn ladder(&self, id: &str) -> Option<&Ladder> {
        self.ladders.iter().find(|l| l.id == id)
    }

    pub fn stats(&self) -> PlanStats {
        PlanStats {
            exercises: self.exercises.len(),
            protocols: self.protocols.len(),
            phases: self.protocols.iter().map(|p| p.phase.len()).sum(),
            criteria: self
                .protocols
                .iter()
                .flat_map(|p| &p.phase)
                .map(|ph| ph.criteria.len())
                .sum(),
            ladder_stages: self.ladders.iter().map(|l| l.stage.len()).sum(),
        }
    }

    /// Load the plan files and check them against the assessment knowledge base, step by step in
    /// a fixed order so the same broken file always gives the same (first) error.
    pub fn from_files(kb: &Kb, files: &PlanFiles<'_>) -> Result<PlanKb, Error> {
        let ParsedFiles {
            exercises,
            protocols,
            progression,
        } = ParsedFiles::parse(files)?;
        let check = Checker::new(kb);
        let exercise_index = check.exercises(&exercises)?;
        let severity = check.severity_rules(protocols.severity)?;
        let prognostic = check.prognostic_rules(protocols.prognostic)?;
        check.medication(&protocols.medication)?;
        check.progression(&progression)?;
        check.early_tendon(
            &protocols.early_tendon,
            &protocols.protocol,
            &progression.pain_monitoring,
        )?;
        let library = Library {
            exercises: &exercises,
            index: &exercise_index,
            early_tendon_phases: &protocols.early_tendon.phases,
        };
        check.protocols(&protocols.protocol, &progression.ladder, &library)?;
        check.coverage(&protocols.protocol)?;
        check.unranked_condition(&protocols.unranked_condition)?;
        check_avoid_phases(&exercises, &protocols.protocol)?;
        check_no_frames(kb, &exercises, &protocols.protocol)?;
        check_tissue_doses(
            &exercises,
            &exercise_index,
            &protocols.protocol,
            &progression.pain_monitoring,
        )?;
        let mut exercises = exercises;
        let mut protocol = protocols.protocol;
        fill_start_days(&mut exercises, &mut protocol, &exercise_index)?;

        Ok(PlanKb {
            exercises,
            protocols: protocol,
            severity,
            prognostic,
            medication: protocols.medication,
            pain: progression.pain_monitoring,
            ladders: progression.ladder,
            early_tendon_phases: protocols.early_tendon.phases,
            unranked_condition: protocols.unranked_condition,
            not_settling_headline: not_settling_headline(kb)?,
            exercise_index,
        })
    }
}

const EXERCISES_TOML: &str = "exercises.toml";
const PROTOCOLS_TOML: &str = "protocols.toml";
const PROGRESSION_TOML: &str = "progression.toml";

/// `exercises.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseFile {
    exercise: Vec<Exercise>,
}

/// `protocols.toml` as written: the rules' `when` are still text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtocolFile {
    unranked_condition: String,
    early_tendon: EarlyTendon,
    severity: Vec<RawSeverity>,
    prognostic: Vec<RawPrognostic>,
    medication: Medication,
    protocol: Vec<Protocol>,
}

/// `[early_tendon]` in `protocols.toml`: the phases where the tendon is not yet compressed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EarlyTendon {
    phases: Vec<String>,
    sources: Vec<String>,
}

/// `progression.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressionFile {
    pain_monitoring: PainMonitoring,
    ladder: Vec<Ladder>,
}

/// The three plan files parsed but not yet checked.
struct ParsedFiles {
    exercises: Vec<Exercise>,
    protocols: ProtocolFile,
    progression: ProgressionFile,
}

impl ParsedFiles {
    /// Parse all three files before checking any, so a syntax error is reported first.
    fn parse(files: &PlanFiles<'_>) -> Result<ParsedFiles, Error> {
        let ex: ExerciseFile = parse_toml(EXERCISES_TOML, files.exercises)?;
        Ok(ParsedFiles {
            exercises: ex.exercise,
            protocols: parse_toml(PROTOCOLS_TOML, files.protocols)?,
            progression: parse_toml(PROGRESSION_TOML, files.progression)?,
        })
    }
}

/// The exercise library by id, for the phase checks that look exercises up.
struct Library<'a> {
    exercises: &'a [Exercise],
    index: &'a BTreeMap<String, usize>,
    /// Phases where no exercise may stretch the hamstring or load deep hip flexion.
    early_tendon_phases: &'a [String],
}

impl Library<'_> {
    /// The exercise with this id, if the library has one.
    fn get(&self, id: &str) -> Option<&Exercise> {
        self.index.get(id).map(|&i| &self.exercises[i])
    }
}

/// Whether an evidence grade, when given, is one the reports know (A to D).
fn grade_ok(g: Option<&str>) -> bool {
    g.is_none_or(|g| matches!(g, "A" | "B" | "C" | "D"))
}

/// What the plan files are checked against: the assessment knowledge base's sources,
/// conditions and findings schema.
struct Checker<'k> {
    kb: &'k Kb,
    source_ids: BTreeSet<&'k str>,
    near: Vec<(usize, u8, Vec<u8>)>,
}

impl<'k> Checker<'k> {
    /// Gather the source ids and neighbour table once, since every entry is checked against them.
    fn new(kb: &'k Kb) -> Checker<'k> {
        Checker {
            kb,
            source_ids: kb.sources.iter().map(|s| s.id.as_str()).collect(),
            near: kb
                .near
                .iter()
                .map(|(f, i, n, _)| (*f, *i, n.clone()))
                .collect(),
        }
    }

    /// Every entry cites at least one known source, so advice is always traceable.
    fn cite(&self, file: &str, id: &str, list: &[String]) -> Result<(), Error> {
        check_cites(&self.source_ids, file, id, list)
    }

    /// Whether `c` is a condition of the assessment (or `prevention`, which plans also cover).
    fn is_condition(&self, c: &str) -> bool {
        c == "prevention" || self.kb.condition_ids.iter().any(|k| k == c)
    }

    /// Compile a plan rule's `when` against the findings schema; plan rules may read findings
    /// only, since they run before (and apart from) the assessment's probabilities.
    fn compile(&self, file: &str, id: &str, src: &str) -> Result<Expr, Error> {
        let names = Names {
            schema: &self.kb.schema,
            conditions: &self.kb.condition_ids,
            levels: &LEVELS,
            near: &self.near,
        };
        let e =
            expr::parse(src, &names).map_err(|m| Error::kb(file, id, format!("in `when`: {m}")))?;
        if e.uses_probabilities() || e.uses_level() {
            return Err(Error::kb(
                file,
                id,
                "plan rules read findings only, not probabilities or levels",
            ));
        }
        Ok(e)
    }

    /// Check every exercise and index them by id; a duplicate id would make lookups ambiguous.
    fn exercises(&self, exercises: &[Exercise]) -> Result<BTreeMap<String, usize>, Error> {
        let mut exercise_index = BTreeMap::new();
        for (i, e) in exercises.iter().enumerate() {
            if exercise_index.insert(e.id.clone(), i).is_some() {
                return Err(Error::kb(EXERCISES_TOML, &e.id, "duplicate exercise id"));
            }
            self.exercise(e)?;
        }
        Ok(exercise_index)
    }

    /// One exercise: cited, a known category and grade, every text a runner reads filled in,
    /// and `avoid` naming real conditions.
    fn exercise(&self, e: &Exercise) -> Result<(), Error> {
        let f = EXERCISES_TOML;
        self.cite(f, &e.id, &e.sources)?;
        if !CATEGORIES.contains(&e.category.as_str()) {
            return Err(Error::kb(
                f,
                &e.id,
                format!("unknown category '{}'", e.category),
            ));
        }
        if !grade_ok(e.grade.as_deref()) {
            return Err(Error::kb(f, &e.id, "grade must be A, B, C or D"));
        }
        for (what, text) in [
            ("name", &e.name),
            ("instructions", &e.instructions),
            ("dose", &e.dose),
            ("easier", &e.easier),
            ("easier_dose", &e.easier_dose),
            ("harder", &e.harder),
            ("not_when", &e.not_when),
        ] {
            if text.trim().is_empty() {
                return Err(Error::kb(f, &e.id, format!("{what} is empty")));
            }
        }
        // After a step back the plan shows the easier dose in place of the usual one; the same
        // words would tell the runner to do the same again.
        if e.easier_dose.trim() == e.dose.trim() {
            return Err(Error::kb(f, &e.id, "easier_dose is the same as dose"));
        }
        if e.cues.is_empty() {
            return Err(Error::kb(f, &e.id, "has no cues"));
        }
        for a in &e.avoid {
            if a.condition != "any" && !self.is_condition(&a.condition) {
                return Err(Error::kb(
                    f,
                    &e.id,
                    format!("avoid: unknown condition '{}'", a.condition),
                ));
            }
        }
        Ok(())
    }

    /// Check and compile the strain severity rules, then make sure each condition's rules end
    /// in a catch-all so every runner gets a severity.
    fn severity_rules(&self, raw: Vec<RawSeverity>) -> Result<Vec<SeverityRule>, Error> {
        let mut severity = Vec::new();
        for (i, s) in raw.into_iter().enumerate() {
            let id = format!("severity #{} ({})", i + 1, s.level);
            self.cite(PROTOCOLS_TOML, &id, &s.sources)?;
            if !matches!(s.level.as_str(), "mild" | "moderate" | "severe") {
                return Err(Error::kb(
                    PROTOCOLS_TOML,
                    &id,
                    "level must be mild, moderate or severe",
                ));
            }
            if !self.is_condition(&s.condition) {
                return Err(Error::kb(PROTOCOLS_TOML, &id, "unknown condition"));
            }
            severity.push(SeverityRule {
                when: self.compile(PROTOCOLS_TOML, &id, &s.when)?,
                condition: s.condition,
                level: s.level,
                text: s.text,
                sources: s.sources,
            });
        }
        check_severity_fallbacks(&severity)?;
        Ok(severity)
    }

    /// Check and compile the prognostic rules: a factor stretches the timeline, so it stays
    /// within 1-3, and it names real conditions.
    fn prognostic_rules(&self, raw: Vec<RawPrognostic>) -> Result<Vec<Prognostic>, Error> {
        let mut prognostic = Vec::new();
        for p in raw {
            self.cite(PROTOCOLS_TOML, &p.id, &p.sources)?;
            if !(p.factor >= 1.0 && p.factor <= 3.0) {
                return Err(Error::kb(
                    PROTOCOLS_TOML,
                    &p.id,
                    "factor must be within 1-3",
                ));
            }
            for c in &p.conditions {
                if !self.is_condition(c) {
                    return Err(Error::kb(
                        PROTOCOLS_TOML,
                        &p.id,
                        format!("unknown condition '{c}'"),
                    ));
                }
            }
            prognostic.push(Prognostic {
                when: self.compile(PROTOCOLS_TOML, &p.id, &p.when)?,
                id: p.id,
                conditions: p.conditions,
                factor: p.factor,
                text: p.text,
                sources: p.sources,
            });
        }
        Ok(prognostic)
    }

    /// The early tendon phases are cited, and each is a phase of a protocol for a condition
    /// the not-settling rule counts as a tendon problem: a misspelt or moved phase would
    /// otherwise silently lift the no-stretch, no-compression check.
    fn early_tendon(
        &self,
        e: &EarlyTendon,
        protocols: &[Protocol],
        pm: &PainMonitoring,
    ) -> Result<(), Error> {
        self.cite(PROTOCOLS_TOML, "early_tendon", &e.sources)?;
        if e.phases.is_empty() {
            return Err(Error::kb(PROTOCOLS_TOML, "early_tendon", "lists no phases"));
        }
        for q in &e.phases {
            let owner = protocols
                .iter()
                .find(|p| p.phase.iter().any(|ph| &ph.id == q));
            match owner {
                None => {
                    return Err(Error::kb(
                        PROTOCOLS_TOML,
                        "early_tendon",
                        format!("no phase '{q}'"),
                    ))
                }
                Some(p) if !pm.not_settling_tendon_conditions.contains(&p.condition) => {
                    return Err(Error::kb(
                        PROTOCOLS_TOML,
                        "early_tendon",
                        format!(
                            "phase '{q}' belongs to '{}', which progression.toml does not list as a tendon problem",
                            p.condition
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The condition used when the assessment ranks none is a real condition (its protocol
    /// exists: `coverage` ran first).
    fn unranked_condition(&self, c: &str) -> Result<(), Error> {
        if c == "prevention" || !self.is_condition(c) {
            return Err(Error::kb(
                PROTOCOLS_TOML,
                "unranked_condition",
                format!("'{c}' is not a condition of conditions.toml"),
            ));
        }
        Ok(())
    }

    /// The medication advice is cited and says something, since every plan shows it.
    fn medication(&self, m: &Medication) -> Result<(), Error> {
        self.cite(PROTOCOLS_TOML, "medication", &m.sources)?;
        if m.text.is_empty() {
            return Err(Error::kb(PROTOCOLS_TOML, "medication", "has no text"));
        }
        self.conditions_exist(PROTOCOLS_TOML, "medication", &m.show_for)
    }

    /// Every id in a list names a contract condition.
    fn conditions_exist(&self, file: &str, entry: &str, ids: &[String]) -> Result<(), Error> {
        match ids.iter().find(|c| !self.is_condition(c)) {
            Some(c) => Err(Error::kb(file, entry, format!("unknown condition '{c}'"))),
            None => Ok(()),
        }
    }

    /// The pain-monitoring numbers are cited, name real conditions, and every run ladder is
    /// well formed.
    fn progression(&self, pg: &ProgressionFile) -> Result<(), Error> {
        let pm = &pg.pain_monitoring;
        self.cite(PROGRESSION_TOML, "pain_monitoring", &pm.sources)?;
        self.conditions_exist(
            PROGRESSION_TOML,
            "pain_monitoring",
            &pm.not_settling_strain_conditions,
        )?;
        self.conditions_exist(
            PROGRESSION_TOML,
            "pain_monitoring",
            &pm.not_settling_tendon_conditions,
        )?;
        for l in &pg.ladder {
            self.cite(PROGRESSION_TOML, &l.id, &l.sources)?;
            check_ladder_stages(l)?;
        }
        Ok(())
    }

    /// Check every protocol in file order: ids unique, then its own fields, then its phases.
    fn protocols(
        &self,
        protocols: &[Protocol],
        ladders: &[Ladder],
        library: &Library<'_>,
    ) -> Result<(), Error> {
        let mut protocol_ids = BTreeSet::new();
        for p in protocols {
            if !protocol_ids.insert(p.id.as_str()) {
                return Err(Error::kb(PROTOCOLS_TOML, &p.id, "duplicate protocol id"));
            }
            self.protocol_fields(p, ladders)?;
            self.phases(p, library)?;
        }
        Ok(())
    }

    /// A protocol's own fields: cited, a known condition and severity, a sane pain ceiling, a
    /// referral that says what to do, a run ladder that exists, and at least one phase.
    fn protocol_fields(&self, p: &Protocol, ladders: &[Ladder]) -> Result<(), Error> {
        let f = PROTOCOLS_TOML;
        self.cite(f, &p.id, &p.sources)?;
        if p.condition != "any" && !self.is_condition(&p.condition) {
            return Err(Error::kb(
                f,
                &p.id,
                format!("unknown condition '{}'", p.condition),
            ));
        }
        if !matches!(p.severity.as_str(), "mild" | "moderate" | "severe" | "any") {
            return Err(Error::kb(
                f,
                &p.id,
                "severity must be mild, moderate, severe or any",
            ));
        }
        if p.pain_ceiling > 10 {
            return Err(Error::kb(f, &p.id, "pain_ceiling must be 0-10"));
        }
        if p.referral != Referral::None
            && p.referral_text
                .as_deref()
                .is_none_or(|t| t.trim().is_empty())
        {
            return Err(Error::kb(f, &p.id, "a referral needs referral_text"));
        }
        if p.run_ladder != "none" && !ladders.iter().any(|l| l.id == p.run_ladder) {
            return Err(Error::kb(
                f,
                &p.id,
                format!("unknown run_ladder '{}'", p.run_ladder),
            ));
        }
        if p.phase.is_empty() {
            return Err(Error::kb(f, &p.id, "has no phases"));
        }
        Ok(())
    }

    /// Check a protocol's phases in order; phase and criterion ids are unique within the
    /// protocol because check-ins record them by id.
    fn phases(&self, p: &Protocol, library: &Library<'_>) -> Result<(), Error> {
        let mut phase_ids = BTreeSet::new();
        let mut criterion_ids = BTreeSet::new();
        for (pi, ph) in p.phase.iter().enumerate() {
            let id = format!("{}/{}", p.id, ph.id);
            if !phase_ids.insert(ph.id.as_str()) {
                return Err(Error::kb(PROTOCOLS_TOML, &id, "duplicate phase id"));
            }
            self.cite(PROTOCOLS_TOML, &id, &ph.sources)?;
            let last = pi + 1 == p.phase.len();
            check_phase_shape(ph, &id, last, &mut criterion_ids)?;
            if p.referral >= Referral::Urgent && ph.running > RunLevel::None {
                return Err(Error::kb(
                    PROTOCOLS_TOML,
                    &id,
                    "an urgent or emergency referral plan cannot allow running",
                ));
            }
            for xid in &ph.exercises {
                check_phase_exercise(p, ph, &id, xid, library)?;
            }
        }
        Ok(())
    }

    /// Every condition (and prevention) has a protocol, and the generic urgent referral exists,
    /// so the plan generator can always choose one.
    fn coverage(&self, protocols: &[Protocol]) -> Result<(), Error> {
        for c in self
            .kb
            .condition_ids
            .iter()
            .map(String::as_str)
            .chain(["prevention"])
        {
            if !protocols.iter().any(|p| p.condition == c) {
                return Err(Error::kb(
                    PROTOCOLS_TOML,
                    c,
                    "no protocol for this condition",
                ));
            }
        }
        if !protocols
            .iter()
            .any(|p| p.condition == "any" && p.referral >= Referral::Urgent)
        {
            return Err(Error::kb(
                PROTOCOLS_TOML,
                "",
                "needs an urgent referral protocol with condition = \"any\"",
            ));
        }
        Ok(())
    }
}

/// The last severity rule of each condition is `when = "always"`, so severity never comes out
/// undecided.
fn check_severity_fallbacks(severity: &[SeverityRule]) -> Result<(), Error> {
    for cond in severity
        .iter()
        .map(|s| s.condition.clone())
        .collect::<BTreeSet<_>>()
    {
        let last = severity.iter().rev().find(|s| s.condition == cond);
        if !last.is_some_and(|s| s.when == Expr::Always) {
            return Err(Error::kb(
                PROTOCOLS_TOML,
                &cond,
                "the last severity rule of a condition must be `when = \"always\"`",
            ));
        }
    }
    Ok(())
}

/// A ladder has stages with unique ids that each include running and never go back in
/// running level, so stepping up a stage never means doing less.
fn check_ladder_stages(l: &Ladder) -> Result<(), Error> {
    if l.stage.is_empty() {
        return Err(Error::kb(PROGRESSION_TOML, &l.id, "ladder has no stages"));
    }
    let mut prev = RunLevel::WalkJog;
    let mut seen = BTreeSet::new();
    for s in &l.stage {
        if !seen.insert(&s.id) {
            return Err(Error::kb(
                PROGRESSION_TOML,
                &s.id,
                "duplicate stage id in ladder",
            ));
        }
        if s.level < prev || s.level == RunLevel::None {
            return Err(Error::kb(
                PROGRESSION_TOML,
                &s.id,
                "stages must not go back in running level",
            ));
        }
        prev = s.level;
        if s.running_minutes() <= 0.0 {
            return Err(Error::kb(PROGRESSION_TOML, &s.id, "stage has no running"));
        }
    }
    Ok(())
}

/// A phase's structure: exit criteria unless it is the last (else the plan could never move
/// on), frequencies only for exercises it lists, and criterion ids unique across the protocol.
fn check_phase_shape<'p>(
    ph: &'p Phase,
    id: &str,
    last: bool,
    criterion_ids: &mut BTreeSet<&'p str>,
) -> Result<(), Error> {
    let f = PROTOCOLS_TOML;
    if !last && ph.criteria.is_empty() {
        return Err(Error::kb(
            f,
            id,
            "a phase other than the last needs exit criteria",
        ));
    }
    for k in ph.frequency.keys() {
        if !ph.exercises.contains(k) {
            return Err(Error::kb(
                f,
                id,
                format!("frequency for '{k}', which the phase does not list"),
            ));
        }
    }
    for c in &ph.criteria {
        if !criterion_ids.insert(c.id.as_str()) {
            return Err(Error::kb(
                f,
                id,
                format!("duplicate criterion id '{}'", c.id),
            ));
        }
    }
    Ok(())
}

/// One exercise a phase lists: it exists, and the safety invariants hold as data (nothing that
/// loads or runs before a doctor has seen an urgent problem, no hamstring stretch or deep hip
/// flexion load in an early tendinopathy phase, no running when the phase allows none, nothing
/// the library says to avoid here).
fn check_phase_exercise(
    p: &Protocol,
    ph: &Phase,
    id: &str,
    xid: &str,
    library: &Library<'_>,
) -> Result<(), Error> {
    let f = PROTOCOLS_TOML;
    let Some(x) = library.get(xid) else {
        return Err(Error::kb(f, id, format!("unknown exercise '{xid}'")));
    };
    if p.referral >= Referral::Urgent && (x.loading || x.running || x.impact) {
        return Err(Error::kb(
            f,
            id,
            format!(
                "'{xid}' loads or runs: not allowed before a doctor has seen an urgent problem"
            ),
        ));
    }
    if library.early_tendon_phases.contains(&ph.id)
        && (x.hamstring_stretch || x.deep_hip_flexion_load)
    {
        return Err(Error::kb(
            f,
            id,
            format!("'{xid}' stretches the hamstring or loads deep hip flexion: not in an early tendinopathy phase"),
        ));
    }
    if x.running && ph.running == RunLevel::None {
        return Err(Error::kb(
            f,
            id,
            format!("'{xid}' involves running but the phase allows none"),
        ));
    }
    if let Some(a) = x.avoid.iter().find(|a| {
        (a.condition == "any" || a.condition == p.condition) && a.phases.iter().any(|q| q == &ph.id)
    }) {
        return Err(Error::kb(
            f,
            id,
            format!(
                "lists '{xid}', which the library says to avoid here: {}",
                a.reason
            ),
        ));
    }
    Ok(())
}

/// Avoid entries name phases that exist for their condition: a misspelt phase would otherwise
/// silently avoid nothing.
fn check_avoid_phases(exercises: &[Exercise], protocols: &[Protocol]) -> Result<(), Error> {
    for e in exercises {
        for a in &e.avoid {
            for q in &a.phases {
                let exists = protocols.iter().any(|p| {
                    (a.condition == "any" || p.condition == a.condition)
                        && p.phase.iter().any(|ph| &ph.id == q)
                });
                if !exists {
                    return Err(Error::kb(
                        EXERCISES_TOML,
                        &e.id,
                        format!("avoid: no phase '{q}' for condition '{}'", a.condition),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A strain plan shows no dose that speaks of tendons and a tendon plan none that speaks of
/// strains: for every exercise a protocol lists, the dose its plans show (and the easier dose)
/// is checked for the other tissue's word, so an exercise shared by both needs `dose_muscle`
/// and `dose_tendon`.
fn check_tissue_doses(
    exercises: &[Exercise],
    index: &BTreeMap<String, usize>,
    protocols: &[Protocol],
    pm: &PainMonitoring,
) -> Result<(), Error> {
    for x in exercises {
        for (what, t) in [
            ("dose_muscle", &x.dose_muscle),
            ("dose_tendon", &x.dose_tendon),
        ] {
            if t.as_deref().is_some_and(|t| t.trim().is_empty()) {
                return Err(Error::kb(EXERCISES_TOML, &x.id, format!("{what} is empty")));
            }
        }
    }
    for p in protocols {
        let (strain, field, other) = if pm.not_settling_strain_conditions.contains(&p.condition) {
            (true, "dose_muscle", "tendon")
        } else if pm.not_settling_tendon_conditions.contains(&p.condition) {
            (false, "dose_tendon", "strain")
        } else {
            continue;
        };
        for xid in p.phase.iter().flat_map(|ph| &ph.exercises) {
            let Some(x) = index.get(xid).map(|&i| &exercises[i]) else {
                continue;
            };
            let dose = if strain {
                x.dose_muscle.as_ref()
            } else {
                x.dose_tendon.as_ref()
            }
            .unwrap_or(&x.dose);
            for (what, t) in [("dose", dose), ("easier_dose", &x.easier_dose)] {
                if t.to_lowercase().contains(other) {
                    return Err(Error::kb(
                        EXERCISES_TOML,
                        &x.id,
                        format!(
                            "the {what} shown in '{}' speaks of a {other}: give {field}",
                            p.id
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether a text names a day by number ("day 5"): a start day must be written `{start_day}`
/// so the words cannot drift from the number the schedule uses.
fn names_a_day(text: &str) -> bool {
    text.match_indices("day ").any(|(i, _)| {
        text[i + 4..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// Write each start day into the texts that name it (`{start_day}` in the exercise's own texts,
/// `{start_day:<id>}` in a phase's goals and care), after checking that every placeholder has
/// a number behind it and that no text of an exercise with a start day, or of a phase listing
/// one, names a day by hand.
fn fill_start_days(
    exercises: &mut [Exercise],
    protocols: &mut [Protocol],
    index: &BTreeMap<String, usize>,
) -> Result<(), Error> {
    let days: BTreeMap<String, u32> = exercises
        .iter()
        .filter_map(|x| x.start_day.map(|d| (x.id.clone(), d)))
        .collect();
    for x in exercises.iter_mut() {
        let day = x.start_day;
        if day == Some(0) {
            return Err(Error::kb(
                EXERCISES_TOML,
                &x.id,
                "start_day must be 1 or more",
            ));
        }
        let texts = std::iter::once(&mut x.dose)
            .chain([&mut x.easier, &mut x.not_when, &mut x.instructions])
            .chain(x.avoid.iter_mut().map(|a| &mut a.reason));
        for t in texts {
            match day {
                Some(_) if names_a_day(t) => {
                    return Err(Error::kb(
                        EXERCISES_TOML,
                        &x.id,
                        "names its start day by hand: write {start_day}",
                    ))
                }
                Some(d) => *t = t.replace("{start_day}", &d.to_string()),
                None if t.contains("{start_day}") => {
                    return Err(Error::kb(
                        EXERCISES_TOML,
                        &x.id,
                        "says {start_day} but has no start_day",
                    ))
                }
                None => {}
            }
        }
    }
    for p in protocols.iter_mut() {
        for ph in p.phase.iter_mut() {
            let id = format!("{}/{}", p.id, ph.id);
            let lists_one = ph.exercises.iter().any(|x| days.contains_key(x));
            for t in ph.goals.iter_mut().chain(ph.care.iter_mut()) {
                if lists_one && names_a_day(t) {
                    return Err(Error::kb(
                        PROTOCOLS_TOML,
                        &id,
                        "names a start day by hand: write {start_day:<exercise id>}",
                    ));
                }
                while let Some(at) = t.find("{start_day:") {
                    let end = t[at..].find('}').map(|e| at + e).unwrap_or(t.len());
                    let xid = t[at + 11..end].to_string();
                    let Some(d) = days.get(&xid) else {
                        let why = if index.contains_key(&xid) {
                            format!("'{xid}' has no start_day")
                        } else {
                            format!("unknown exercise '{xid}' in {{start_day:…}}")
                        };
                        return Err(Error::kb(PROTOCOLS_TOML, &id, why));
                    };
                    t.replace_range(at..(end + 1).min(t.len()), &d.to_string());
                }
            }
        }
    }
    Ok(())
}

impl Phase {
    /// How often `x` is done in this phase.
    pub fn frequency_of(&self, x: &Exercise) -> Frequency {
        self.frequency.get(&x.id).copied().unwrap_or(x.frequency)
    }
}
