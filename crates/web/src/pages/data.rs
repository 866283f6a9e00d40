//! The runner's whole record, from Settings: `GET /settings/export` downloads it as one zip
//! (the service's `data::export_all`, as `hamstride export-data`), and `GET /settings/delete`
//! → `POST /settings/delete` deletes it (`data::delete_all`, as `hamstride delete-data`).
//!
//! The download is a GET because it changes nothing; the security layer already asks for the
//! launch's cookie and our `Host`. Deleting needs more than a click: the confirmation page
//! says what goes, with the counts, and the runner types the service's confirmation word
//! into a labelled field (a tick box is too easy to tick by accident, and a typed word works
//! the same by keyboard and screen reader). A missing or wrong word is a 400 that names the
//! field and deletes nothing; the POST also carries the CSRF field like every form.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hamstride_service::data::{self, DataCounts, CONFIRM_WORD};
use hamstride_service::plans::Now;
use maud::{html, Markup};

use crate::form::Form;
use crate::html::{csrf, page, Nav};
use crate::{Shared, WebError};

/// `GET /settings/export`: the zip, named by the runner's today.
pub async fn export(State(st): State<Shared>) -> Result<Response, WebError> {
    let (name, bytes) = st
        .with_db(|svc, db| {
            let now = Now::system();
            let name = data::export_file_name(svc.today(db, now)?);
            // In memory: a response body needs the bytes, and the zip crate needs to seek back
            // to write each entry's header. The originals are mostly small, packed files.
            let mut buf = std::io::Cursor::new(Vec::new());
            data::export_all(db, &mut buf, now)?;
            Ok((name, buf.into_inner()))
        })
        .await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            // Health data: never kept in a cache.
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn confirm_page(st: &Shared, counts: &DataCounts, place: &str, error: Option<&str>) -> Markup {
    let goes = data::what_goes(counts);
    let word = CONFIRM_WORD.to_uppercase();
    let body = html! {
        h1 { "Delete all my data" }
        div.errors #errors role="alert" aria-live="assertive" {
            @if let Some(e) = error { p.error { "Nothing was deleted: " (e) } }
        }
        @if goes.is_empty() {
            p { "You have nothing stored: there is nothing to delete." }
            p { a href="/settings" { "Back to settings" } }
        } @else {
            p { "This deletes everything hamstride keeps about you, for good:" }
            ul { @for line in &goes { li { (line) } } }
            p { strong { "It cannot be undone." } " If you may want it later, "
                a href="/settings/export" download { "download all your data" } " first." }
            p.hint { "Your data is in " code { (place) } ". Other people's data in the same place is not touched." }
            form method="post" action="/settings/delete" {
                (csrf(&st.config.csrf))
                p {
                    label for="confirm" { "To delete it all, type " strong { (word) } }
                    br;
                    input #confirm type="text" name="confirm" autocomplete="off" autocapitalize="characters"
                        spellcheck="false" aria-describedby="confirm-hint" aria-invalid=[error.map(|_| "true")];
                    br;
                    span.hint #confirm-hint { "This stops it being done by accident." }
                }
                div.actions {
                    button.danger type="submit" { "Delete all my data" }
                }
            }
            p { a href="/settings" { "Keep my data and go back" } }
        }
    };
    page("Delete all my data", Nav::Settings, body)
}

async fn load(st: &Shared) -> Result<(DataCounts, String), WebError> {
    st.with_db(|_, db| Ok((data::counts(db)?, db.place())))
        .await
}

/// `GET /settings/delete`: what goes, and the form that confirms it.
pub async fn confirm(State(st): State<Shared>) -> Result<Markup, WebError> {
    let (counts, place) = load(&st).await?;
    Ok(confirm_page(&st, &counts, &place, None))
}

/// `POST /settings/delete`: delete when the word was typed, else the page again with a 400.
pub async fn delete(State(st): State<Shared>, body: Bytes) -> Result<Response, WebError> {
    let form = Form::parse(&body);
    let word = CONFIRM_WORD.to_uppercase();
    let problem = match form.get("confirm") {
        None => Some(format!(
            "confirm: type {word} in the box to delete your data"
        )),
        Some(typed) if !data::confirmed(typed) => Some(format!(
            "confirm: you typed something other than {word}; type {word} to delete your data"
        )),
        Some(_) => None,
    };
    if let Some(msg) = problem {
        let (counts, place) = load(&st).await?;
        return Ok((
            StatusCode::BAD_REQUEST,
            confirm_page(&st, &counts, &place, Some(&msg)),
        )
            .into_response());
    }
    st.with_db(|_, db| Ok(data::delete_all(db)?)).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/settings/deleted")],
    )
        .into_response())
}

/// `GET /settings/deleted`: it is done, and what is left.
pub async fn deleted(State(st): State<Shared>) -> Result<Markup, WebError> {
    let place = st.with_db(|_, db| Ok(db.place())).await?;
    let body = html! {
        h1 { "Your data is deleted" }
        p role="status" { "hamstride no longer has any of your data. You can start again whenever you like." }
        p.hint { "The database itself stays, empty of your data, at " code { (place) } "." }
        p { a href="/" { "Go to the start page" } }
    };
    Ok(page("Your data is deleted", Nav::Settings, body))
}
