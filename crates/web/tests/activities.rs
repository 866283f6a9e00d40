//! The activities at the HTTP level: an imported run's page has a chart and a data table per
//! measure the file recorded and says plainly which it did not; the list's GET filters narrow
//! it and name a bad field in a 400; unknown and other runners' ids are 404; Today shows this
//! week's distance and the latest pain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, gpx_run, send, App, ADDR};

const BOUNDARY: &str = "----hamstrideActivitiesBoundary";

/// The FIT run with heart rate, cadence and running dynamics (fitdecode's test file, MIT).
const FENIX_RUN: &str = "../ingest/tests/fixtures/fit/fitdecode__garmin-fenix-5-run.fit";

/// Import files as the browser's upload form sends them.
async fn import(a: &App, files: &[(&str, Vec<u8>)]) {
    let mut b = Vec::new();
    write!(
        b,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
        a.config.csrf
    )
    .unwrap();
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
    let p = send(&a.router, req).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains(&format!("data-imported=\"{}\"", files.len())),
        "{}",
        p.body
    );
}

fn fenix() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FENIX_RUN)).unwrap()
}

/// The ids the list links to, in its order.
fn linked_ids(html: &str) -> Vec<i64> {
    html.split("href=\"/activities/")
        .skip(1)
        .filter_map(|s| {
            s.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|d| d.parse().ok())
        })
        .collect()
}

/// The one activity's page, found through the list's link.
async fn only_activity(a: &App) -> (i64, String) {
    let list = a.get("/activities").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let ids = linked_ids(&list.body);
    assert_eq!(ids.len(), 1, "{}", list.body);
    let p = a.get(&format!("/activities/{}", ids[0])).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    (ids[0], p.body)
}

/// The rows of the data table that follows a chart's `<title>`.
fn table_rows(html: &str, chart: &str) -> usize {
    let at = html
        .find(&format!("id=\"chart-{chart}-t\""))
        .unwrap_or_else(|| panic!("no {chart} chart: {html}"));
    let rest = &html[at..];
    let table = &rest[..rest.find("</table>").unwrap()];
    table.matches("<tr><th scope=\"row\">").count()
}

#[tokio::test]
async fn a_fit_run_with_heart_rate_and_cadence_has_charts_tables_and_form() {
    let a = app();
    import(&a, &[("fenix run.fit", fenix())]).await;
    let (_, body) = only_activity(&a).await;
    assert!(body.contains("<h1>"), "{body}");
    assert!(body.contains("Distance: </strong>0.16 km"), "{body}");
    assert!(body.contains("Sun 11 Jun 2017"), "the start: {body}");
    for chart in [
        "pace",
        "heart-rate",
        "cadence",
        "ground-contact",
        "vertical-oscillation",
        "step-length",
    ] {
        let rows = table_rows(&body, chart);
        assert!(rows > 0 && rows <= 200, "{chart}: {rows} rows");
        // The chart is a picture with a name and a description a screen reader reads.
        assert!(
            body.contains(&format!(
                "aria-labelledby=\"chart-{chart}-t chart-{chart}-d\""
            )),
            "{chart}"
        );
    }
    assert!(body.contains("<desc id=\"chart-heart-rate-d\">Heart rate over"));
    assert!(body.contains("viewBox=\"0 0 420 180\""));
    assert!(body.contains("<details><summary>Data table</summary>"));
    assert!(!body.contains("No heart rate"), "{body}");
    assert!(!body.contains("NaN"));
    // Miles for this page only.
    let (id, _) = only_activity(&a).await;
    let mi = a.get(&format!("/activities/{id}?units=mi")).await;
    assert!(mi.body.contains("min/mi"), "{}", mi.body);
    assert!(mi.body.contains("Distance (mi)"));
}

#[tokio::test]
async fn a_gpx_without_heart_rate_says_so_plainly() {
    let a = app();
    import(
        &a,
        &[(
            "run.gpx",
            gpx_run(jiff::civil::date(2026, 11, 2), 20).into_bytes(),
        )],
    )
    .await;
    let (_, body) = only_activity(&a).await;
    // Pace comes from the distance over time; 1,200 points are thinned to 200.
    assert!(table_rows(&body, "pace") <= 200);
    assert!(body.contains("200 points from 1200 recorded"), "{body}");
    assert!(
        body.contains("No heart rate: the watch or app that made this file did not record it."),
        "{body}"
    );
    assert!(!body.contains("id=\"chart-heart-rate-t\""));
    assert!(body.contains("No cadence"));
    assert!(body.contains("No running-form data"), "{body}");
    assert!(body.contains("No load flags for this activity or its week."));
}

#[tokio::test]
async fn filters_narrow_the_list_and_keep_their_values() {
    let a = app();
    a.in_utc();
    import(
        &a,
        &[
            ("fenix.fit", fenix()),
            (
                "short.gpx",
                gpx_run(jiff::civil::date(2026, 3, 2), 10).into_bytes(),
            ),
            (
                "long.gpx",
                gpx_run(jiff::civil::date(2026, 3, 20), 40).into_bytes(),
            ),
        ],
    )
    .await;
    let all = a.get("/activities").await;
    assert!(all.body.contains("3 activities."), "{}", all.body);
    assert_eq!(linked_ids(&all.body).len(), 3);

    let march = a.get("/activities?from=2026-03-01&to=2026-03-10").await;
    assert_eq!(march.status, StatusCode::OK, "{}", march.body);
    assert!(
        march.body.contains("1 of 3 activities match."),
        "{}",
        march.body
    );
    assert!(march.body.contains("2026-03-02 07:00"));
    assert!(!march.body.contains("2026-03-20"));
    assert!(
        march.body.contains("value=\"2026-03-01\""),
        "the form keeps it"
    );

    // 40 minutes at 3 m/s is about 7.2 km; 10 minutes 1.8 km.
    let long = a.get("/activities?min=5").await;
    assert!(
        long.body.contains("1 of 3 activities match."),
        "{}",
        long.body
    );
    assert!(long.body.contains("2026-03-20 07:00"));
    // 5 miles is 8 km: none.
    let miles = a.get("/activities?min=5&units=mi").await;
    assert!(
        miles.body.contains("0 of 3 activities match."),
        "{}",
        miles.body
    );
    assert!(miles.body.contains("No activity matches."));
    assert!(miles.body.contains("At least (mi)"));

    let sport = a.get("/activities?sport=running&to=2020-01-01").await;
    assert!(
        sport.body.contains("1 of 3 activities match."),
        "{}",
        sport.body
    );
    assert!(sport.body.contains("2017-06-11"));
}

#[tokio::test]
async fn the_list_comes_a_page_at_a_time() {
    let a = app();
    a.in_utc();
    let files: Vec<(String, Vec<u8>)> = (0..55)
        .map(|i| {
            let d = jiff::civil::date(2025, 1, 1)
                .checked_add(jiff::Span::new().days(i))
                .unwrap();
            (format!("run{i}.gpx"), gpx_run(d, 2).into_bytes())
        })
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    import(&a, &refs).await;
    let first = a.get("/activities").await;
    assert_eq!(linked_ids(&first.body).len(), 50);
    assert!(
        first.body.contains("Showing 1–50, newest first."),
        "{}",
        first.body
    );
    assert!(first.body.contains("2025-02-24"), "newest first");
    assert!(first.body.contains("Page 1 of 2"));
    let second = a.get("/activities?page=2").await;
    assert_eq!(linked_ids(&second.body).len(), 5);
    assert!(second.body.contains("2025-01-01 07:00"));
    // A page past the last shows the last.
    let past = a.get("/activities?page=9").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.body.contains("Page 2 of 2"));
}

#[tokio::test]
async fn a_bad_filter_is_a_400_naming_the_field() {
    let a = app();
    import(
        &a,
        &[(
            "run.gpx",
            gpx_run(jiff::civil::date(2026, 11, 2), 5).into_bytes(),
        )],
    )
    .await;
    for (query, field) in [
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2026-05-01&to=2026-04-01", "to"),
        ("min=-1", "min"),
        ("min=abc", "min"),
        ("min=NaN", "min"),
        ("units=furlongs", "units"),
        ("page=0", "page"),
        ("page=99999999999999999999999", "page"),
    ] {
        let p = a.get(&format!("/activities?{query}")).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{query}: {}", p.body);
        assert!(p.body.contains("role=\"alert\""), "{query}");
        assert!(
            p.body.contains(&format!("{field}: ")),
            "{query}: {}",
            p.body
        );
    }
    let p = a.get("/activities/1?units=yards").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("units: "));
}

#[tokio::test]
async fn unknown_bad_and_other_runners_ids() {
    let a = app();
    let p = a.get("/activities/99999").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert!(p.body.contains("There is no activity 99999."));
    let p = a.get("/activities/abc").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("id: &quot;abc&quot; is not a number"),
        "{}",
        p.body
    );

    // Another runner in the same database: their run is not there for this one.
    let mut other = hamstride_service::db::open(&hamstride_service::DbOptions {
        data_dir: Some(a.dir.path().to_path_buf()),
        athlete: Some("someone else".into()),
        ..Default::default()
    })
    .unwrap();
    let report = hamstride_service::import::run(
        &mut other,
        vec![hamstride_service::import::ImportSource::Bytes {
            name: "theirs.gpx".into(),
            data: gpx_run(jiff::civil::date(2026, 11, 3), 5).into_bytes(),
        }],
        &hamstride_service::import::ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.imported, 1);
    let theirs = other.activities().unwrap()[0].id;
    let p = a.get(&format!("/activities/{theirs}")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert!(a
        .get("/activities")
        .await
        .body
        .contains("No activities yet"));
}

#[tokio::test]
async fn today_shows_the_weeks_distance_and_the_latest_pain() {
    let a = app();
    let empty = a.get("/").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.body.contains("This week"), "no data, no glance");

    // Today as the service counts it (no time zone set: the system's).
    let today = jiff::Zoned::now().date();
    import(&a, &[("today.gpx", gpx_run(today, 30).into_bytes())]).await;
    let p = a
        .post(
            "/diary",
            &[
                ("date", &today.to_string()),
                ("during", "3"),
                ("after", "2"),
                ("skip", "morning"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    let t = a.get("/").await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(
        t.body.contains("<h2 id=\"week-h\">This week</h2>"),
        "{}",
        t.body
    );
    // 30 minutes at 3 m/s.
    assert!(
        t.body
            .contains("<strong>5.4 km</strong> in 1 run so far this week."),
        "{}",
        t.body
    );
    assert!(
        t.body.contains("during 3, after 2 (out of 10)"),
        "{}",
        t.body
    );
    assert!(t.body.contains("href=\"/status\""));
    // The same numbers as the status page's.
    let s = a.get("/status").await;
    assert!(s.body.contains("5.4 km"), "{}", s.body);
}

#[tokio::test]
async fn a_long_run_shows_its_flag_with_the_grade_and_its_neighbours_do_not() {
    let a = app();
    // Runs every other day for five weeks, then one twice as long (as the status test).
    let today = jiff::Zoned::now().date();
    let mut files = Vec::new();
    for back in (10..44).step_by(2) {
        let d = today.saturating_sub(jiff::Span::new().days(back));
        files.push((format!("run-{back}.gpx"), gpx_run(d, 20).into_bytes()));
    }
    let long = today.saturating_sub(jiff::Span::new().days(3));
    files.push(("long.gpx".to_string(), gpx_run(long, 40).into_bytes()));
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    import(&a, &refs).await;

    let list = a.get("/activities").await;
    let ids = linked_ids(&list.body);
    // Newest first: the long run, then the last short one.
    let page = a.get(&format!("/activities/{}", ids[0])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<h2 id=\"flags-h\">Flags</h2>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("longer than your longest run of the previous 30 days"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("(grade "),
        "the evidence grade: {}",
        page.body
    );
    let short = a.get(&format!("/activities/{}", ids[1])).await;
    assert!(
        !short
            .body
            .contains("longer than your longest run of the previous 30 days"),
        "{}",
        short.body
    );
}
