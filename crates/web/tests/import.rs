//! The upload (`/import`) and the list of activities (`/activities`): files sent as a
//! browser's multipart form go through the service's import and the summary says what
//! happened in plain words; the form needs the CSRF token and our Origin like every other.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, gpx_run, send, App, Page, ADDR};

const BOUNDARY: &str = "----hamstrideTestBoundary7MA4YWxk";

/// A multipart body as a browser sends the import form: the token first (when given), then
/// each file as a `files` part.
fn multipart(csrf: Option<&str>, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    if let Some(t) = csrf {
        write!(
            b,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n"
        )
        .unwrap();
    }
    for (name, data) in files {
        write!(
            b,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    write!(b, "--{BOUNDARY}--\r\n").unwrap();
    b
}

async fn upload(a: &App, body: Vec<u8>, origin: Option<&str>) -> Page {
    let mut req = Request::post("/import")
        .header(header::HOST, ADDR)
        .header(header::COOKIE, a.cookie())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    send(&a.router, req.body(Body::from(body)).unwrap()).await
}

fn ours() -> Option<&'static str> {
    Some("http://127.0.0.1:4000")
}

/// Twenty minutes of points: about 120 KB, more than a form's 64 KiB, so the upload's own
/// body limit is what lets it in.
fn run_gpx() -> Vec<u8> {
    gpx_run(jiff::civil::date(2026, 11, 2), 20).into_bytes()
}

#[tokio::test]
async fn the_form_is_there_with_its_token_and_linked_from_every_page() {
    let a = app();
    let p = a.get("/import").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        p.body
    );
    assert!(p.body.contains("type=\"file\" name=\"files\" multiple"));
    assert!(p.body.contains("accept=\".fit,.gpx,.tcx,.gz,.zip\""));
    assert_eq!(
        common::hidden(&p.body, "csrf").as_deref(),
        Some(a.config.csrf.as_str())
    );
    assert!(p.body.contains("Strava or Garmin"));
    assert!(p
        .body
        .contains("<a href=\"/import\" aria-current=\"page\">Import runs</a>"));
    assert!(a
        .get("/")
        .await
        .body
        .contains("<a href=\"/import\">Import runs</a>"));
    let empty = a.get("/activities").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("No activities yet"));
}

#[tokio::test]
async fn a_gpx_is_imported_listed_and_then_already_there() {
    let a = app();
    a.in_utc();
    assert!(run_gpx().len() > hamstride_web::MAX_FORM_BYTES);
    let body = multipart(Some(&a.config.csrf), &[("morning run.gpx", &run_gpx())]);
    let p = upload(&a, body.clone(), ours()).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-imported=\"1\""), "{}", p.body);
    assert!(
        p.body.contains("1 new activity</strong> imported."),
        "{}",
        p.body
    );
    assert!(p.body.contains("0 activities were already there."));

    let list = a.get("/activities").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("1 activity."), "{}", list.body);
    assert!(list.body.contains("2026-11-02 07:00"), "{}", list.body);
    assert!(list.body.contains("Distance (km)"));
    assert!(
        list.body.contains("0:19:59") || list.body.contains("0:20:00"),
        "{}",
        list.body
    );

    let again = upload(&a, body, ours()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.body.contains("data-imported=\"0\""), "{}", again.body);
    assert!(
        again.body.contains("1 activity was already there."),
        "{}",
        again.body
    );
    assert!(a.get("/activities").await.body.contains("1 activity."));

    // Miles from the settings reach the list.
    let s = a.post("/settings", &[("units", "mi")]).await;
    assert!(
        s.status.is_success() || s.status.is_redirection(),
        "{}",
        s.body
    );
    assert!(a.get("/activities").await.body.contains("Distance (mi)"));
}

#[tokio::test]
async fn a_zip_with_a_photo_and_a_damaged_file_says_why_in_plain_words() {
    let a = app();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("activities/run.gpx", opts).unwrap();
    zip.write_all(&run_gpx()).unwrap();
    zip.start_file("media/photo.jpg", opts).unwrap();
    zip.write_all(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 not really a photo")
        .unwrap();
    zip.start_file("activities/broken.fit", opts).unwrap();
    zip.write_all(b"\x0e\x10\xd9\x07\x00\x00\x00\x00.FIT")
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();

    let p = upload(
        &a,
        multipart(Some(&a.config.csrf), &[("export.zip", &bytes)]),
        ours(),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-imported=\"1\""), "{}", p.body);
    assert!(p.body.contains("2 files were skipped."), "{}", p.body);
    assert!(p.body.contains("photo.jpg"));
    assert!(p.body.contains("broken.fit"));
    // The technical detail only inside its closed <details>.
    let at = p.body.find("<details").expect("technical details");
    let (before, after) = p.body.split_at(at);
    assert!(before.contains("<h2>Skipped</h2>"));
    assert!(before.contains("not watch data (a photo"), "{before}");
    assert!(before.contains("the file is damaged and nothing in it could be read"));
    assert!(before.contains("export.zip!media/photo.jpg"));
    assert!(
        !before.contains("14-byte header"),
        "no jargon outside the details"
    );
    assert!(after.contains("<summary>Technical details</summary>"));
    assert!(after.contains("14-byte header"));
}

#[tokio::test]
async fn an_upload_without_the_token_or_from_elsewhere_is_refused() {
    let a = app();
    let gpx = run_gpx();
    let no_token = upload(&a, multipart(None, &[("run.gpx", &gpx)]), ours()).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{}", no_token.body);
    let wrong = upload(&a, multipart(Some("nope"), &[("run.gpx", &gpx)]), ours()).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let elsewhere = upload(
        &a,
        multipart(Some(&a.config.csrf), &[("run.gpx", &gpx)]),
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let no_origin = upload(
        &a,
        multipart(Some(&a.config.csrf), &[("run.gpx", &gpx)]),
        None,
    )
    .await;
    assert_eq!(no_origin.status, StatusCode::FORBIDDEN);
    // A form post (not multipart) goes through the usual check.
    let plain = a.post_raw("/import", "x=1", ours()).await;
    assert_eq!(plain.status, StatusCode::FORBIDDEN);
    assert!(a
        .get("/activities")
        .await
        .body
        .contains("No activities yet"));
}

#[tokio::test]
async fn no_file_is_a_400_naming_the_field() {
    let a = app();
    // What a browser sends when nothing was picked: one empty part with no file name.
    let p = upload(&a, multipart(Some(&a.config.csrf), &[("", b"")]), ours()).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(p.body.contains("files: no file was chosen"), "{}", p.body);
    let none = upload(&a, multipart(Some(&a.config.csrf), &[]), ours()).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    // A form post with the token but no multipart body names the field too.
    let form = a.post("/import", &[]).await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST, "{}", form.body);
    assert!(form.body.contains("files:"));
}
