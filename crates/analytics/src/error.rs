//! The crate's one error type. Analytics is total over valid input, so errors are only about
//! the signal table or settings that make no sense (a resting heart rate above the maximum).

/// What went wrong, with the file, setting or value that failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    #[error("{file}: {problem}")]
    Kb { file: &'static str, problem: String },
    #[error("setting `{field}`: {problem}")]
    Setting {
        field: &'static str,
        problem: String,
    },
}
