//! The one error type of the ingest crate. Every variant names where the problem is: the file
//! (or archive member) path, and for decoders the byte offset or line, so a runner can tell
//! which of ten thousand files was bad and why. Never carries health values.

use hamstride_core::import_rules::SkipCode;

/// Why the walker or a decoder skipped a file: a stable code and the technical detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub code: SkipCode,
    pub detail: String,
}

impl Skip {
    pub fn new(code: SkipCode, detail: impl Into<String>) -> Skip {
        Skip {
            code,
            detail: detail.into(),
        }
    }
}

/// A reason given as text alone is a file that could not be read: walker code written
/// before reasons had codes keeps compiling, and still counts as a failure.
impl From<String> for Skip {
    fn from(detail: String) -> Skip {
        Skip::new(SkipCode::Unreadable, detail)
    }
}

impl From<&str> for Skip {
    fn from(detail: &str) -> Skip {
        Skip::new(SkipCode::Unreadable, detail)
    }
}

impl From<&Error> for Skip {
    fn from(e: &Error) -> Skip {
        Skip::new(e.code(), e.to_string())
    }
}

/// What went wrong reading untrusted activity data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A decoder could not get anything usable out of the bytes.
    #[error("{format}: {problem} (at byte {offset})")]
    Decode {
        format: &'static str,
        offset: u64,
        problem: String,
    },
    /// The file decoded, but it is not an activity (FIT settings, workout, monitoring …).
    #[error("not an activity: {0}")]
    NotActivity(String),
    /// The activity cannot be real (its clock, its length, its speed): the reason says how.
    #[error("{0}")]
    Impossible(String),
    /// The bytes are not a format we read.
    #[error("unrecognised file format: {0}")]
    Unrecognised(String),
    /// A safety limit was hit (size, entries, nesting, compression ratio, records).
    #[error("{path}: limit exceeded: {what}")]
    Limit { path: String, what: String },
    /// An archive could not be read.
    #[error("{path}: {problem}")]
    Archive { path: String, problem: String },
    /// The shipped import rules (`kb/import.toml`) do not load: a build that should never ship.
    #[error("{0}")]
    Rules(String),
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The stable code of the reason a file with this error is skipped.
    pub fn code(&self) -> SkipCode {
        match self {
            Error::Decode { .. } | Error::Archive { .. } => SkipCode::Damaged,
            Error::NotActivity(_) => SkipCode::NoActivity,
            Error::Impossible(_) => SkipCode::Impossible,
            Error::Unrecognised(_) => SkipCode::UnknownFormat,
            Error::Limit { .. } => SkipCode::TooLarge,
            Error::Rules(_) | Error::Io { .. } => SkipCode::Unreadable,
        }
    }

    pub(crate) fn decode(format: &'static str, offset: usize, problem: impl Into<String>) -> Error {
        Error::Decode {
            format,
            offset: offset as u64,
            problem: problem.into(),
        }
    }
}
