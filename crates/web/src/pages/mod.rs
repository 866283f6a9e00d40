//! One module per page or resource, each a few axum handlers that call the service (on the
//! blocking pool when they touch the database) and render its view model.

pub mod activities;
pub mod assess;
pub mod assessments;
pub mod checkin;
pub mod data;
pub mod diary;
pub mod import;
pub mod plan;
pub mod report;
pub mod result;
pub mod settings;
pub mod status;
pub mod today;

use crate::WebError;

/// Any other address: 404 with a way back.
pub async fn not_found() -> WebError {
    WebError::NotFound("There is no page at this address.".into())
}

/// A record id from the address: a 400 naming it when it is not a number.
pub fn id_of(field: &str, raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .map_err(|_| WebError::input(field, format!("\"{raw}\" is not a number")))
}

/// The level's title (`Kb::levels`) for a level id, else the id itself.
pub fn level_title(kb: &hamstride_service::Kb, id: &str) -> String {
    kb.levels
        .iter()
        .find(|l| l.id == id)
        .map_or_else(|| id.to_string(), |l| l.title.clone())
}
