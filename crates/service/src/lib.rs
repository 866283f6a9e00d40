//! hamstride-service: the one way into hamstride for every adapter.
//!
//! Use cases live here so the CLI today and a web server later behave the same: load the
//! knowledge base once, parse and validate findings, run an assessment, check a knowledge-base
//! directory, import activity files into the local database ([`import`]), keep assessments,
//! plans and check-ins and export plans ([`plans`]). The service owns
//! the I/O the core must not do (reading files, the clock, the store and its transactions).
//! It does not print: adapters decide how results look.

pub mod activity;
pub mod assessments;
pub mod data;
pub mod db;
pub mod explain;
pub mod import;
pub mod interview;
pub mod picks;
pub mod plans;
pub mod prefill;
pub mod status;
pub mod stored;
pub mod training;

use std::path::{Path, PathBuf};

pub use db::{open, ActivitySummary, AthleteDb, DbOptions, DATABASE_URL_ENV};

use hamstride_analytics::Signals;
use hamstride_core::kb::{KbFiles, FILE_NAMES};
use hamstride_core::plan::{PlanFiles, PlanKb, PlanStats, PLAN_FILE_NAMES};
/// The time frames of the knowledge base and the reader that finds one in a text.
pub use hamstride_core::urgency;
pub use hamstride_core::{
    engine::Outcome, Assessment, Findings, Interview, Kb, KbStats, Question, ScreenAnswer,
    StopRule, Value,
};

/// Errors of the service layer, each with the context needed to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runner's findings are malformed (the runner's input: exit non-zero).
    #[error("{source_name}: {error}")]
    Findings {
        source_name: String,
        #[source]
        error: hamstride_core::Error,
    },
    /// The knowledge base does not load or check.
    #[error(transparent)]
    Kb(hamstride_core::Error),
    /// The database failed (cannot open, corrupt, disk full, connection lost).
    #[error(transparent)]
    Store(#[from] hamstride_store::Error),
    /// Others kept changing the same record; nothing was written (try again).
    #[error("{0}")]
    Busy(String),
    /// No data directory could be found or was given.
    #[error("no data directory: set --data-dir or HAMSTRIDE_DATA_DIR")]
    NoDataDir,
    /// The runner's input is wrong (a check-in value, an id): names the field.
    #[error("{field}: {problem}")]
    Input { field: String, problem: String },
    /// There is no assessment (and so no plan) yet.
    #[error("no assessment yet: run `hamstride assess` first, then your plan and check-ins follow from it")]
    NoAssessment,
    /// A plan export could not be built.
    #[error("export: {0}")]
    Export(String),
    /// The running-data signal table does not load or check.
    #[error(transparent)]
    Analytics(#[from] hamstride_analytics::Error),
    /// The database failed part-way through an import. Every worker was stopped; what was
    /// committed stays. The message says what happened and what to do, in plain words.
    #[error("{}", import_stopped(cause, *saved, *lost))]
    ImportStopped {
        /// Activities committed before the failure (they stay).
        saved: u64,
        /// Activities read in the batch that was open when it failed (not saved).
        lost: u64,
        #[source]
        cause: hamstride_store::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {error}")]
    Io {
        path: String,
        #[source]
        error: std::io::Error,
    },
}

/// 'The disk is full: 412 activities were saved, 88 more were not. Free some space and run the
/// same import again: what was saved is not imported twice.'
fn import_stopped(cause: &hamstride_store::Error, saved: u64, lost: u64) -> String {
    use hamstride_store::Problem;
    let problem = cause.problem();
    let what = match problem {
        Problem::DiskFull => "The disk is full".to_string(),
        Problem::Locked => {
            "Another hamstride command kept the database busy for too long".to_string()
        }
        Problem::Io => "Writing to the disk failed".to_string(),
        Problem::Other => format!("The database stopped the import ({cause})"),
    };
    let acts = |n: u64| {
        if n == 1 {
            "activity was"
        } else {
            "activities were"
        }
    };
    let counts = if lost > 0 {
        format!("{saved} {} saved, {lost} more were not", acts(saved))
    } else {
        format!("{saved} {} saved before it stopped", acts(saved))
    };
    let todo = match problem {
        Problem::DiskFull => "Free some space and run the same import again",
        Problem::Locked => "Run the same import again when the other command has finished",
        Problem::Io => {
            "Check that the disk has room and is working, then run the same import again"
        }
        Problem::Other => {
            "Run the same import again; if it stops the same way, the database needs attention"
        }
    };
    format!("{what}: {counts}. {todo}: what was saved is not imported twice.")
}

/// The loaded application: a knowledge base ready to assess.
#[derive(Debug)]
pub struct Service {
    kb: Kb,
    plans: PlanKb,
    signals: Signals,
    /// What the assessment may pre-fill from the runner's data (`kb/prefill.toml`).
    prefill: prefill::Prefill,
}

/// A parsed findings set with any warnings about ignored fields.
#[derive(Debug, Clone)]
pub struct FindingsInput {
    pub findings: Findings,
    pub warnings: Vec<String>,
}

impl Service {
    /// Load the knowledge base shipped in the binary.
    pub fn new() -> Result<Service, Error> {
        let kb = Kb::embedded().map_err(Error::Kb)?;
        let plans = PlanKb::embedded(&kb).map_err(Error::Kb)?;
        let signals = Signals::embedded()?;
        check_signal_sources(&kb, &signals)?;
        let prefill = prefill::Prefill::embedded(&kb, &signals)?;
        Ok(Service {
            kb,
            plans,
            signals,
            prefill,
        })
    }

    /// The pre-fill tests and thresholds.
    pub fn prefill(&self) -> &prefill::Prefill {
        &self.prefill
    }

    /// The running-data signals (thresholds, grades, sources).
    pub fn signals(&self) -> &Signals {
        &self.signals
    }

    pub fn kb(&self) -> &Kb {
        &self.kb
    }

    /// The exercise library, protocols and progression rules.
    pub fn plans(&self) -> &PlanKb {
        &self.plans
    }

    /// Parse findings JSON; `source_name` names the file (or "standard input") in errors.
    pub fn parse_findings(
        &self,
        text: &str,
        source_name: &str,
        strict: bool,
    ) -> Result<FindingsInput, Error> {
        let parsed = Findings::from_json_str(&self.kb.schema, text, strict).map_err(|error| {
            Error::Findings {
                source_name: source_name.to_string(),
                error,
            }
        })?;
        Ok(FindingsInput {
            findings: parsed.findings,
            warnings: parsed.warnings,
        })
    }

    /// Assess a findings set.
    pub fn assess(&self, findings: &Findings) -> Outcome {
        hamstride_core::assess(&self.kb, findings)
    }

    /// Start an interview.
    pub fn interview(&self) -> Interview<'_> {
        Interview::new(&self.kb)
    }

    /// Findings as the contract's JSON object.
    pub fn findings_json(&self, f: &Findings) -> serde_json::Value {
        serde_json::Value::Object(f.to_json(&self.kb.schema))
    }
}

/// What `kb check` found: the assessment knowledge base and the plan library.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    #[serde(flatten)]
    pub kb: KbStats,
    pub plans: PlanStats,
    /// Running-data signals in `signals.toml`.
    pub signals: usize,
    /// Training changes the data may pre-fill (`prefill.toml`).
    pub prefill: usize,
}

/// Every source a signal or a constant cites must exist in the knowledge base's source list.
fn check_signal_sources(kb: &Kb, signals: &Signals) -> Result<(), Error> {
    for (by, id) in signals.cited_sources() {
        if kb.source(id).is_none() {
            return Err(Error::Analytics(hamstride_analytics::Error::Kb {
                file: "signals.toml",
                problem: format!("{by} cites unknown source `{id}`"),
            }));
        }
    }
    Ok(())
}

/// The knowledge-base check of `signals.toml`: its sources, and that `[constants.metrics]`
/// are the ones `METRICS_VERSION` is pinned to (an edit needs a version bump, or stored
/// metrics would silently keep the old numbers).
fn check_signals(kb: &Kb, signals: &Signals) -> Result<(), Error> {
    check_signal_sources(kb, signals)?;
    signals.metrics.check_pinned()?;
    Ok(())
}

/// Check a knowledge base: the embedded one, or the files in `dir`.
pub fn check_kb(dir: Option<&Path>) -> Result<CheckReport, Error> {
    match dir {
        None => {
            let kb = Kb::embedded().map_err(Error::Kb)?;
            let plans = PlanKb::embedded(&kb).map_err(Error::Kb)?;
            let signals = Signals::embedded()?;
            check_signals(&kb, &signals)?;
            let prefill = prefill::Prefill::embedded(&kb, &signals)?;
            hamstride_core::import_rules::ImportRules::embedded().map_err(Error::Kb)?;
            Ok(CheckReport {
                kb: kb.stats(),
                plans: plans.stats(),
                signals: signals.signals.len(),
                prefill: prefill.changes.len(),
            })
        }
        Some(dir) => {
            let mut texts = Vec::with_capacity(FILE_NAMES.len() + PLAN_FILE_NAMES.len());
            for name in FILE_NAMES.iter().chain(PLAN_FILE_NAMES.iter()) {
                let path = dir.join(name);
                texts.push(std::fs::read_to_string(&path).map_err(|error| Error::Io {
                    path: path.display().to_string(),
                    error,
                })?);
            }
            let files = KbFiles {
                meta: &texts[0],
                findings: &texts[1],
                conditions: &texts[2],
                evidence: &texts[3],
                triage: &texts[4],
                screens: &texts[5],
                advice: &texts[6],
                sources: &texts[7],
            };
            let kb = Kb::from_files(&files).map_err(Error::Kb)?;
            let plan_files = PlanFiles {
                exercises: &texts[8],
                protocols: &texts[9],
                progression: &texts[10],
            };
            let plans = PlanKb::from_files(&kb, &plan_files).map_err(Error::Kb)?;
            let path = dir.join("signals.toml");
            let text = std::fs::read_to_string(&path).map_err(|error| Error::Io {
                path: path.display().to_string(),
                error,
            })?;
            let signals = Signals::parse(&text)?;
            check_signals(&kb, &signals)?;
            let path = dir.join(prefill::FILE);
            let text = std::fs::read_to_string(&path).map_err(|error| Error::Io {
                path: path.display().to_string(),
                error,
            })?;
            let prefill = prefill::Prefill::parse(&text, &kb, &signals)?;
            let path = dir.join(hamstride_core::import_rules::FILE_NAME);
            let text = std::fs::read_to_string(&path).map_err(|error| Error::Io {
                path: path.display().to_string(),
                error,
            })?;
            let sports_path = dir.join(hamstride_core::sports::FILE_NAME);
            let sports_text = std::fs::read_to_string(&sports_path).map_err(|error| Error::Io {
                path: sports_path.display().to_string(),
                error,
            })?;
            let sports =
                hamstride_core::sports::Sports::from_toml(&sports_text).map_err(Error::Kb)?;
            hamstride_core::import_rules::ImportRules::from_toml_with(&text, &sports)
                .map_err(Error::Kb)?;
            Ok(CheckReport {
                kb: kb.stats(),
                plans: plans.stats(),
                signals: signals.signals.len(),
                prefill: prefill.changes.len(),
            })
        }
    }
}

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "HAMSTRIDE_DATA_DIR";

/// Where the runner's database lives: the explicit choice, else `HAMSTRIDE_DATA_DIR`, else the
/// platform's per-user data folder (`~/.local/share/hamstride` on Linux).
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("hamstride"))
        .ok_or(Error::NoDataDir)
}

/// The types front ends render: what the use cases return, re-exported so an adapter depends
/// on the service alone (the CLI's Cargo.toml lists no other workspace crate).
pub mod view {
    pub use crate::activity::{ActivityFilter, ActivityListRow, ActivityListView, ActivityView};
    pub use crate::assessments::{PastAssessment, StoredAssessment};
    pub use crate::data::{DataCounts, ExportSummary};
    pub use crate::db::ActivitySummary;
    pub use crate::explain::{CouldChangeBrief, SourceLine};
    pub use crate::interview::{Choice, InterviewView, QuestionView};
    pub use crate::plans::{OnActivePlan, PlanSummary, Recorded};
    pub use crate::status::{DayTotals, StatusView, WeekGlance, WeekPoint, WeekTotals};
    pub use hamstride_analytics::adherence::Adherence;
    pub use hamstride_analytics::form::{FormReport, MetricReport};
    pub use hamstride_analytics::pain::{PainEntry, PainNote};
    pub use hamstride_analytics::series::{AcwrPoint, Flag, Level};
    pub use hamstride_core::engine::{answer_text, Change, Outcome, SetBy};
    pub use hamstride_core::findings::FieldKind;
    pub use hamstride_core::interview_state::{SavedScreenAnswer, SavedStep};
    pub use hamstride_core::kb::lower_first;
    pub use hamstride_core::plan::view::CriterionView;
    pub use hamstride_core::plan::{DayView, PlanView, Referral, Verdict};
    pub use hamstride_core::InterviewState;
    /// An activity's measures as charts with data tables, in the runner's units.
    pub use hamstride_export::activity::{self as measures, Channel, Samples, FORM_MISSING};
    /// One renderer per code, in the runner's units: the words every front end shows.
    pub use hamstride_export::words;
}
