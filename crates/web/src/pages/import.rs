//! Importing watch data (`/import`), the terminal's `hamstride import`. The list of
//! activities it leads to is `activities.rs`.
//!
//! The upload is a plain multipart form (it works without JavaScript; with it, `app.js` shows
//! a progress bar). Each file goes as named bytes to the same service import the terminal
//! uses (the same bounded importer, options and limits), on the blocking pool. The summary
//! says what went in, what was already there, what was upgraded, and what was skipped or
//! repaired, grouped by the service's plain sentence with the file names; the technical
//! detail of each file is only inside a closed "Technical details".

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use hamstride_service::import::{self, ImportOptions, ImportReport, ImportSource, Warning};
use maud::{html, Markup};

use crate::html::{csrf, page, Nav};
use crate::security::{check_csrf, CSRF_FIELD};
use crate::{Shared, WebError};

/// The form's file field, named in the error when nothing was chosen.
const FILES_FIELD: &str = "files";

/// How many file names a group shows before "and N more".
const NAMES_PER_GROUP: usize = 20;

fn form(st: &Shared) -> Markup {
    html! {
        form #import-form method="post" action=(crate::IMPORT_PATH) enctype="multipart/form-data" {
            (csrf(&st.config.csrf))
            // The drop zone is the whole field: files dropped on it fill the file input (the
            // script does that); without the script the picker alone works.
            p.drop #drop-zone {
                label for="files" { "Files from your watch or running app" }
                br;
                span.hint #files-help {
                    "You can pick FIT, GPX or TCX files, also when they are packed as .gz. "
                    "You can also pick the whole zip file you download from Strava or Garmin. "
                    "Pick as many as you like, or drag them here from your computer. "
                    "Photos and other files in a zip are left out."
                }
                br;
                input #files type="file" name=(FILES_FIELD) multiple
                    accept=".fit,.gpx,.tcx,.gz,.zip" aria-describedby="files-help";
            }
            div #upload-progress hidden {
                progress #upload-bar max="100" value="0" {}
                p #upload-text aria-live="polite" {}
            }
            div.actions { button.primary type="submit" { "Import" } }
        }
    }
}

/// `GET /import`: the upload form.
pub async fn show(State(st): State<Shared>) -> Markup {
    let body = html! {
        h1 { "Import your runs" }
        p { "Add the runs your watch recorded. They stay on this computer." }
        (form(&st))
        p { a href="/activities" { "See the activities you already have" } }
    };
    page("Import", Nav::Import, body)
}

fn bad_upload(e: MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::input(
            FILES_FIELD,
            "these files are more than hamstride takes at once (512 MB). Pick fewer files, or import the big export with `hamstride import` in the terminal.",
        )
    } else {
        WebError::input(
            FILES_FIELD,
            "the upload stopped before it was complete. Try again.",
        )
    }
}

/// `POST /import`: import the files sent and show what happened.
pub async fn upload(
    State(st): State<Shared>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Markup, WebError> {
    let mut mp = mp.map_err(|_| {
        WebError::input(
            FILES_FIELD,
            "no file was sent. Use the form on the Import page to pick one or more files.",
        )
    })?;
    let mut token: Option<String> = None;
    let mut sources = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad_upload)? {
        let name = field.name().unwrap_or("").to_string();
        if name == CSRF_FIELD {
            token = Some(field.text().await.map_err(bad_upload)?);
        } else if name == FILES_FIELD {
            // The token comes first in the form: no file is read before it is checked.
            check_csrf(&st, token.as_deref())?;
            let file_name = field.file_name().unwrap_or("").to_string();
            let data = field.bytes().await.map_err(bad_upload)?;
            // A browser sends one empty part, with no name, when no file was picked.
            if file_name.is_empty() && data.is_empty() {
                continue;
            }
            sources.push(ImportSource::Bytes {
                name: file_name,
                data: Vec::from(data),
            });
        }
    }
    check_csrf(&st, token.as_deref())?;
    if sources.is_empty() {
        return Err(WebError::input(
            FILES_FIELD,
            "no file was chosen. Pick one or more FIT, GPX, TCX or zip files, then press Import.",
        ));
    }
    let report = st
        .with_db(move |_, db| {
            let opts = ImportOptions {
                now_ms: jiff::Timestamp::now().as_millisecond(),
                ..ImportOptions::default()
            };
            Ok(import::run(db, sources, &opts, &mut |_| {})?)
        })
        .await?;
    Ok(page("Import done", Nav::Import, summary(&st, &report)))
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Repairs by their sentence, each file once per sentence, in the order first seen.
fn warnings_by_sentence(warnings: &[Warning]) -> Vec<(&str, Vec<&Warning>)> {
    let mut out: Vec<(&str, Vec<&Warning>)> = Vec::new();
    for w in warnings {
        match out.iter_mut().find(|(s, _)| *s == w.warning) {
            Some((_, files)) => {
                if !files.iter().any(|f| f.path == w.path) {
                    files.push(w);
                }
            }
            None => out.push((w.warning.as_str(), vec![w])),
        }
    }
    out
}

/// A group's file names, the first few, and "and N more".
fn names<'a>(paths: impl ExactSizeIterator<Item = &'a str>) -> Markup {
    let total = paths.len();
    html! {
        ul.files {
            @for p in paths.take(NAMES_PER_GROUP) { li { (p) } }
            @if total > NAMES_PER_GROUP { li { "… and " (total - NAMES_PER_GROUP) " more" } }
        }
    }
}

fn summary(st: &Shared, r: &ImportReport) -> Markup {
    let skipped = import::skipped_by_reason(&r.skipped);
    let repaired = warnings_by_sentence(&r.warnings);
    html! {
        h1 { "Import done" }
        ul.import-summary data-imported=(r.imported) data-duplicates=(r.duplicates) {
            li #imported { strong { (plural(r.imported, "new activity", "new activities")) } " imported." }
            li #duplicates { (plural(r.duplicates, "activity was", "activities were")) " already there." }
            @if r.upgraded > 0 {
                li #upgraded { (plural(r.upgraded, "activity", "activities")) " already there got more detail from a better file." }
            }
            @if r.index_rows_joined > 0 {
                li { "Names and effort added from activities.csv for " (plural(r.index_rows_joined, "activity", "activities")) "." }
            }
            li #skipped { (plural(r.skipped.len() as u64, "file was", "files were")) " skipped." }
        }
        @if !repaired.is_empty() {
            h2 { "Imported with repairs" }
            p { "What could be read was kept." }
            @for (sentence, files) in &repaired {
                section.group {
                    p { strong { (sentence) } }
                    (names(files.iter().map(|w| w.path.as_str())))
                }
            }
        }
        @if !skipped.is_empty() {
            h2 { "Skipped" }
            @for (reason, files) in &skipped {
                section.group {
                    p { strong { (reason) } " (" (plural(files.len() as u64, "file", "files")) ")" }
                    (names(files.iter().map(|s| s.path.as_str())))
                }
            }
        }
        @if !r.skipped.is_empty() || !r.warnings.is_empty() {
            details.technical {
                summary { "Technical details" }
                ul {
                    @for s in &r.skipped { li { (s.path) ": " (s.detail) } }
                    @for w in &r.warnings { li { (w.path) ": " (w.detail) } }
                }
            }
        }
        p { a href="/activities" { "See your activities" } " · " a href="/status" { "Training this week" } }
        h2 { "Import more" }
        (form(st))
    }
}
