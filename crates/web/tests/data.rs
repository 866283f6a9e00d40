//! "Export all my data" and "delete all my data" in the web app (issue 15, Settings): the
//! download is a zip of the JSON and CSV files with the imported file byte for byte; deleting
//! asks for the typed word, a wrong or missing one is a 400 naming the field that deletes
//! nothing, a right one empties the record and the app carries on; a POST without the CSRF
//! token or from elsewhere is refused and deletes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, gpx_run, App, ADDR};
use http_body_util::BodyExt;
use tower::ServiceExt;

const BOUNDARY: &str = "----hamstrideDataBoundary";

/// Upload one file as the import form does (token first, then the file).
async fn import(a: &App, name: &str, data: &[u8]) {
    let mut b = Vec::new();
    write!(
        b,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
        a.config.csrf
    )
    .unwrap();
    write!(
        b,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    b.extend_from_slice(data);
    write!(b, "\r\n--{BOUNDARY}--\r\n").unwrap();
    let req = Request::post("/import")
        .header(header::HOST, ADDR)
        .header(header::COOKIE, a.cookie())
        .header(header::ORIGIN, format!("http://{ADDR}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(b))
        .unwrap();
    let p = common::send(&a.router, req).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("data-imported=\"1\""), "{}", p.body);
}

/// GET with the body kept as bytes (a zip is not text).
async fn get_bytes(a: &App, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::get(path)
        .header(header::HOST, ADDR)
        .header(header::COOKIE, a.cookie())
        .body(Body::empty())
        .unwrap();
    let res = a.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_string(), b)
        })
        .collect()
}

/// A runner with one imported run and one diary day.
async fn with_data() -> (App, Vec<u8>) {
    let a = app();
    let gpx = gpx_run(jiff::civil::date(2026, 11, 2), 10).into_bytes();
    import(&a, "morning run.gpx", &gpx).await;
    let p = a
        .post(
            "/diary",
            &[("date", "2026-11-02"), ("during", "3"), ("after", "2")],
        )
        .await;
    assert!(p.status.is_redirection(), "{} {}", p.status, p.body);
    (a, gpx)
}

#[tokio::test]
async fn settings_offers_the_download_and_the_deletion_and_says_where_the_data_is() {
    let a = app();
    let p = a.get("/settings").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("href=\"/settings/export\""), "{}", p.body);
    assert!(p.body.contains("href=\"/settings/delete\""));
    assert!(p.body.contains("hamstride.db"), "the place is shown");
    // Heart-rate settings are there and bounded, the error naming the field.
    assert!(p.body.contains("name=\"hr_max\"") && p.body.contains("name=\"hr_rest\""));
    let bad = a.post("/settings", &[("hr_max", "300")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("hr_max"), "{}", bad.body);
}

#[tokio::test]
async fn the_export_is_a_zip_with_the_tables_and_the_original_file_unchanged() {
    let (a, gpx) = with_data().await;
    let (status, headers, body) = get_bytes(&a, "/settings/export").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    // Sent from a file in chunks, with its length up front (a browser shows the progress).
    assert_eq!(
        headers[header::CONTENT_LENGTH],
        body.len().to_string().as_str()
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"hamstride-export-")
            && disposition.ends_with(".zip\""),
        "{disposition}"
    );
    let files = unzip(&body);
    let get = |n: &str| {
        files
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| {
                panic!(
                    "{n} missing: {:?}",
                    files.iter().map(|f| &f.0).collect::<Vec<_>>()
                )
            })
    };
    assert_eq!(get("originals/morning run.gpx"), gpx, "byte for byte");
    let csv = String::from_utf8(get("activities.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "a header and the run: {csv}");
    assert!(csv.contains("originals/morning run.gpx"));
    let diary = String::from_utf8(get("pain-diary.csv")).unwrap();
    assert!(diary.contains("2026-11-02,3,2"), "{diary}");
    let json: serde_json::Value = serde_json::from_slice(&get("activities.json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    for name in [
        "README.txt",
        "settings.json",
        "pain-diary.json",
        "check-ins.csv",
    ] {
        get(name);
    }
}

#[tokio::test]
async fn the_confirmation_page_says_what_goes() {
    let (a, _) = with_data().await;
    let p = a.get("/settings/delete").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("1 activity"), "{}", p.body);
    assert!(p.body.contains("1 day in the pain diary"), "{}", p.body);
    assert!(p.body.contains("name=\"confirm\""));
    assert_eq!(
        common::hidden(&p.body, "csrf").as_deref(),
        Some(a.config.csrf.as_str())
    );
}

#[tokio::test]
async fn a_wrong_or_missing_confirmation_deletes_nothing_and_names_the_field() {
    let (a, _) = with_data().await;
    for fields in [vec![], vec![("confirm", "yes")], vec![("confirm", "delet")]] {
        let p = a.post("/settings/delete", &fields).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(p.body.contains("confirm"), "{}", p.body);
        assert!(p.body.contains("Nothing was deleted"), "{}", p.body);
    }
    assert!(a.get("/activities").await.body.contains("1 activity."));
}

#[tokio::test]
async fn without_the_csrf_token_or_from_elsewhere_nothing_is_deleted() {
    let (a, _) = with_data().await;
    let no_token = a
        .post_raw(
            "/settings/delete",
            &common::encode(&[("confirm", "DELETE")]),
            Some(&format!("http://{ADDR}")),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let elsewhere = a
        .post_raw(
            "/settings/delete",
            &common::encode(&[("csrf", &a.config.csrf), ("confirm", "DELETE")]),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert!(a.get("/activities").await.body.contains("1 activity."));
}

#[tokio::test]
async fn confirmed_it_deletes_everything_and_the_app_carries_on() {
    let (a, _) = with_data().await;
    let p = a.post("/settings/delete", &[("confirm", "DELETE")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/settings/deleted");
    let done = a.get("/settings/deleted").await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("Your data is deleted"));
    assert!(a
        .get("/activities")
        .await
        .body
        .contains("No activities yet"));
    let diary = a.get("/diary").await;
    assert_eq!(diary.status, StatusCode::OK);
    assert!(!diary.body.contains("data-id="), "the diary is empty");
    assert_eq!(a.get("/").await.status, StatusCode::OK, "today still works");
    let again = a.get("/settings/delete").await;
    assert!(again.body.contains("nothing to delete"), "{}", again.body);
    // The export still works, and holds no file.
    let (status, _, body) = get_bytes(&a, "/settings/export").await;
    assert_eq!(status, StatusCode::OK);
    assert!(unzip(&body)
        .iter()
        .all(|(n, _)| !n.starts_with("originals/")));
    // And the runner can import again; the "deleted" page then no longer claims so.
    import(
        &a,
        "again.gpx",
        gpx_run(jiff::civil::date(2026, 11, 3), 10).as_bytes(),
    )
    .await;
    let stale = a.get("/settings/deleted").await;
    assert_eq!(stale.status, StatusCode::SEE_OTHER);
    assert_eq!(stale.location(), "/settings");
}
