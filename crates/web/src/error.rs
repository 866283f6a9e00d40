//! The web app's one error type and the HTTP status each error is.
//!
//! The runner's input (a form field, an id in the address) is always a 4xx page that names
//! the field and says what is accepted; only what the runner cannot fix (the database failed,
//! a bug) is a 5xx. The page of an error is rendered by [`crate::html::error_page`] with the
//! message in an `aria-live` region. Messages never carry health data beyond what the runner
//! just typed into the form they are looking at.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A form field or address part the runner can fix: 400, naming it.
    #[error("{field}: {problem}")]
    BadInput { field: String, problem: String },
    /// No such page or record: 404.
    #[error("{0}")]
    NotFound(String),
    /// There is nothing to show yet (no assessment, so no plan): 404 with what to do.
    #[error("{0}")]
    Nothing(String),
    /// The `Host` header is not the address served (DNS rebinding): 421.
    #[error("this address is not the one hamstride serves")]
    WrongHost,
    /// No per-launch secret (or a wrong one): 403.
    #[error("open the address that `hamstride serve` printed")]
    NoSecret,
    /// A POST without the form's token or from another origin: 403.
    #[error("{0}")]
    Csrf(String),
    /// The database is busy or failed: 503, nothing was changed by this request.
    #[error("{0}")]
    Store(String),
    /// A bug: 500.
    #[error("{0}")]
    Internal(String),
}

impl WebError {
    pub fn input(field: &str, problem: impl Into<String>) -> WebError {
        WebError::BadInput {
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadInput { .. } => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) | WebError::Nothing(_) => StatusCode::NOT_FOUND,
            WebError::WrongHost => StatusCode::MISDIRECTED_REQUEST,
            WebError::NoSecret | WebError::Csrf(_) => StatusCode::FORBIDDEN,
            WebError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page's heading.
    fn title(&self) -> &'static str {
        match self {
            WebError::BadInput { .. } => "Please check your answer",
            WebError::NotFound(_) => "Not found",
            WebError::Nothing(_) => "Nothing here yet",
            WebError::WrongHost => "Wrong address",
            WebError::NoSecret => "Open the link hamstride printed",
            WebError::Csrf(_) => "This form could not be accepted",
            WebError::Store(_) => "Your data could not be read or saved",
            WebError::Internal(_) => "Something went wrong",
        }
    }
}

/// Service errors by who can fix them: the runner's input is 4xx, the rest 5xx.
impl From<hamstride_service::Error> for WebError {
    fn from(e: hamstride_service::Error) -> WebError {
        use hamstride_service::Error as E;
        match e {
            E::Input { field, problem } => WebError::BadInput { field, problem },
            E::Findings { error, .. } => WebError::BadInput {
                field: "answer".into(),
                problem: error.to_string(),
            },
            E::NoAssessment => WebError::Nothing(
                "You have no assessment yet, so no plan. Start with the questions: they take a few minutes.".into(),
            ),
            e @ (E::Store(_) | E::Busy(_) | E::NoDataDir | E::ImportStopped { .. }) => {
                WebError::Store(e.to_string())
            }
            e => WebError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = crate::html::error_page(status, self.title(), &self.to_string());
        (status, body).into_response()
    }
}
