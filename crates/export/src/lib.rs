//! Plan exports: Markdown, iCalendar and FIT workout files. Pure: every function takes values
//! and returns bytes or a string; nothing here touches the file system, the network or the
//! clock (a creation time or time stamp is always an argument), so an export is a function of
//! its inputs and can be tested byte for byte. Writing the result somewhere is the caller's job.
//!
//! - [`fit`]: FIT *workout* files (file type 5) a Garmin watch picks up from
//!   `NewFiles/Workouts` (or `GARMIN/NewFiles`).
//! - [`ics`]: an RFC 5545 calendar with one all-day event per planned session.
//! - [`markdown`]: the plan as a document to read, print or hand to a physio.
//! - [`plan`]: the whole export of a plan (`plan.md`, `plan.ics`, `workouts/*.fit`).
//! - [`report`]: the self-contained HTML training report.
//! - [`words`]: the sentences about load flags and plan sessions, in the runner's units, for
//!   the report and the terminal alike.
//! - [`activity`]: one activity's recorded measures (pace, heart rate, cadence, running form)
//!   as charts with data tables, for the web app's activity page.

pub mod activity;
pub mod fit;
pub mod ics;
pub mod markdown;
pub mod plan;
pub mod report;
pub mod words;

pub use fit::{workout_file, Intensity, Step, StepDuration, Target, Workout};
pub use ics::{calendar, CalendarEvent};
pub use plan::{plan_files, stage_workout};

/// What went wrong building an export. Every variant names what was being exported (the
/// workout, and the step by its 0-based index) so the message alone says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The workout as a whole cannot be written (no name, no steps, too many steps).
    #[error("FIT workout {workout:?}: {problem}")]
    Workout { workout: String, problem: String },
    /// One step of the workout is not valid; `step` is its 0-based index in `Workout::steps`.
    #[error("FIT workout {workout:?}, step index {step}: {problem}")]
    WorkoutStep {
        workout: String,
        step: usize,
        problem: String,
    },
    /// The file_id message cannot carry the given creation time or serial number.
    #[error("FIT file_id: {problem}")]
    FileId { problem: String },
    /// The plan could not be expanded (a knowledge-base problem).
    #[error("plan: {0}")]
    Plan(String),
}
