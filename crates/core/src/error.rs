//! The one error type of the core crate. Every variant carries the context a person needs to
//! fix the problem: the field of the findings, the line of the JSON, or the knowledge-base
//! file and entry id.

use std::fmt::Display;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The findings JSON is not valid JSON.
    #[error("findings are not valid JSON (line {line}, column {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// A finding has the wrong type, an unknown value, is out of range, or is unknown (strict).
    #[error("finding '{field}': {problem}")]
    Field { field: String, problem: String },
    /// The knowledge base is inconsistent.
    #[error("knowledge base {file}{}: {problem}", if id.is_empty() { String::new() } else { format!(" [{id}]") })]
    Kb {
        file: String,
        id: String,
        problem: String,
    },
}

impl Error {
    pub fn field(field: &str, problem: impl Into<String>) -> Error {
        Error::Field {
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    pub fn kb(file: &str, id: &str, problem: impl Display) -> Error {
        Error::Kb {
            file: file.to_string(),
            id: id.to_string(),
            problem: problem.to_string(),
        }
    }
}
