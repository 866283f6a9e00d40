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

use std::io::{Read, Seek, SeekFrom};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hamstride_service::data::{self, DataCounts, CONFIRM_WORD};
use hamstride_service::plans::Now;
use maud::{html, Markup};

use crate::form::Form;
use crate::html::{csrf, page, Nav};
use crate::{Shared, WebError};

/// `GET /settings/export`: the zip, named by the runner's today. It is written first to an
/// unnamed temporary file (0600, gone when closed) while the database is held, then sent
/// from the file in chunks after the database is let go: years of imported files are never
/// all in memory, and a slow download does not keep other pages waiting for the database.
pub async fn export(State(st): State<Shared>) -> Result<Response, WebError> {
    let (name, file, len) = st
        .with_db(|svc, db| {
            let now = Now::system();
            let name = data::export_file_name(svc.today(db, now)?);
            let temp = |e: std::io::Error| {
                WebError::Store(format!(
                    "the export could not be written to a temporary file: {e}"
                ))
            };
            let mut file = tempfile::tempfile().map_err(temp)?;
            data::export_all(db, std::io::BufWriter::new(&mut file), now)?;
            let len = file.seek(SeekFrom::End(0)).map_err(temp)?;
            file.rewind().map_err(temp)?;
            Ok((name, file, len))
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
            (header::CONTENT_LENGTH, len.to_string()),
            // Health data: never kept in a cache.
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(FileChunks::read(file)),
    )
        .into_response())
}

/// A file read on the blocking pool and handed to the response a chunk at a time; at most a
/// few chunks wait in the channel, so memory stays small whatever the file's size.
struct FileChunks(tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>);

/// Bytes read per chunk.
const CHUNK: usize = 256 * 1024;

impl FileChunks {
    fn read(mut file: std::fs::File) -> FileChunks {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; CHUNK];
            loop {
                let chunk = match file.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => Ok(Bytes::copy_from_slice(buf.get(..n).unwrap_or_default())),
                    Err(e) => Err(e),
                };
                let failed = chunk.is_err();
                // The browser went away (the download was cancelled): stop reading.
                if tx.blocking_send(chunk).is_err() || failed {
                    return;
                }
            }
        });
        FileChunks(rx)
    }
}

impl futures_core::Stream for FileChunks {
    type Item = std::io::Result<Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
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

/// `GET /settings/deleted`: it is done, and what is left. Reached with data still stored
/// (an old bookmark, the back button after importing again), it would say something false, so
/// it sends the runner to Settings instead.
pub async fn deleted(State(st): State<Shared>) -> Result<Response, WebError> {
    let (counts, place) = load(&st).await?;
    if !counts.is_empty() {
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/settings")]).into_response());
    }
    let body = html! {
        h1 { "Your data is deleted" }
        p role="status" { "hamstride no longer has any of your data. You can start again whenever you like." }
        p.hint { "The database itself stays, empty of your data, at " code { (place) } "." }
        p { a href="/" { "Go to the start page" } }
    };
    Ok(page("Your data is deleted", Nav::Settings, body).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    #[tokio::test]
    async fn a_file_bigger_than_a_chunk_comes_through_whole_and_in_order() {
        let data: Vec<u8> = (0..CHUNK * 2 + 12_345).map(|i| (i % 251) as u8).collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&data).unwrap();
        file.rewind().unwrap();
        let mut chunks = FileChunks::read(file);
        let mut back = Vec::new();
        let mut n = 0;
        while let Some(c) = std::future::poll_fn(|cx| {
            futures_core::Stream::poll_next(std::pin::Pin::new(&mut chunks), cx)
        })
        .await
        {
            back.extend_from_slice(&c.unwrap());
            n += 1;
        }
        assert_eq!(n, 3);
        assert_eq!(back, data);
    }
}
