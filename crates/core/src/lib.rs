//! hamstride-core: the pure heart of hamstride.
//!
//! Holds the knowledge base (embedded data from `kb/`), the findings contract, the assessment
//! engine (red-flag rules first, then a probabilistic, explainable differential) and the
//! adaptive interview. It does no I/O, reads no clock and keeps no global state: the same
//! knowledge base and findings always give the same assessment, so every outcome can be
//! tested as data. Adapters (the CLI, later a web server) reach it through `hamstride-service`.

pub mod activity;
pub mod engine;
mod error;
pub mod expr;
pub mod findings;
pub mod fit_crc;
pub mod import_rules;
pub mod interview;
pub mod interview_state;
pub mod kb;
mod kb_load;
pub mod kb_model;
pub mod model;
pub mod plan;
pub mod sports;
pub mod triage;
pub mod urgency;

pub use activity::{Activity, Records, SourceFormat};
pub use engine::{assess, Assessment, Outcome};
pub use error::Error;
pub use findings::{Findings, Parsed, Schema, Value};
pub use interview::{Interview, Question, ScreenAnswer, Step, StopRule};
pub use interview_state::{InterviewState, SavedScreenAnswer, SavedStep, INTERVIEW_SCHEMA};
pub use kb::{Kb, KbFiles, KbStats, TriageLevel, LEVELS};
pub use kb_load::ScreenWording;
