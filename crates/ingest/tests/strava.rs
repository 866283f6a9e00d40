//! Tests of the Strava `activities.csv` reader: the hand-written fixture with duplicate
//! column names, an embedded newline and both date forms; the five-column CSV of the
//! benchmark export; header errors; and a property test that no input panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use hamstride_ingest::strava::{parse_activities_csv, StravaActivity};
use hamstride_ingest::Error;
use proptest::prelude::*;

fn fixture() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/strava/activities.csv");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn parse(bytes: &[u8]) -> Vec<StravaActivity> {
    parse_activities_csv(bytes).unwrap_or_else(|e| panic!("should parse: {e}"))
}

#[test]
fn full_export_shape() {
    let rows = parse(&fixture());
    let ids: Vec<&str> = rows.iter().map(|r| r.activity_id.as_str()).collect();
    // The row without an Activity ID is skipped; the short row is kept.
    assert_eq!(
        ids,
        ["11573601446", "11573601447", "11573601448", "11573601449"]
    );

    let run = &rows[0];
    assert_eq!(
        run.date_ms,
        Some(1_717_519_180_000),
        "Jun 4, 2024, 4:39:40 PM UTC"
    );
    assert_eq!(run.name.as_deref(), Some("Morning Run"));
    assert_eq!(run.activity_type.as_deref(), Some("Run"));
    assert_eq!(run.sport, "running");
    assert_eq!(
        run.filename.as_deref(),
        Some("activities/12352754193.fit.gz")
    );
    assert_eq!(run.perceived_exertion, Some(4.0));
    // The second Distance (metres), not the first (display km).
    assert_eq!(run.distance_m, Some(9833.3));
    assert_eq!(run.elapsed_s, Some(3600.0));

    let swim = &rows[1];
    assert_eq!(
        swim.date_ms,
        Some(1_717_481_100_000),
        "4 Jun 2024, 06:05:00 UTC"
    );
    assert_eq!(swim.name.as_deref(), Some("Pool, with \"friends\""));
    assert_eq!(swim.sport, "swimming");
    assert_eq!(swim.distance_m, Some(525.0));
    assert_eq!(swim.elapsed_s, Some(2400.5), "the second Elapsed Time");
    assert_eq!(swim.perceived_exertion, None);

    let squash = &rows[2];
    assert_eq!(squash.date_ms, Some(1_717_546_500_000), "12:15 AM is 00:15");
    assert_eq!(squash.sport, "other", "Strava's Workout");
    assert_eq!(
        squash.activity_type.as_deref(),
        Some("Workout"),
        "kept as written"
    );
    assert_eq!(squash.filename, None, "manual entry");
    assert_eq!(squash.perceived_exertion, Some(7.0));

    let short = &rows[3];
    assert_eq!(short.date_ms, None, "unreadable date");
    assert_eq!(short.sport, "cycling");
    assert_eq!(short.filename, None);
    assert_eq!(short.distance_m, None);
}

#[test]
fn benchmark_five_columns() {
    let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
               123,\"Jan 2, 2025, 7:00:00 AM\",Ride home,Ride,activities/9.fit.gz\n\
               124,\"Jan 3, 2025, 6:30:00 PM\",\"Lunch\nrun\",Run,activities/10.gpx.gz\n";
    let rows = parse(csv.as_bytes());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].sport, "cycling");
    assert_eq!(rows[0].date_ms, Some(1_735_801_200_000));
    assert_eq!(rows[1].name.as_deref(), Some("Lunch\nrun"));
    assert_eq!(rows[1].filename.as_deref(), Some("activities/10.gpx.gz"));
    assert_eq!(rows[1].perceived_exertion, None);
    assert_eq!(rows[1].distance_m, None);
    assert_eq!(rows[1].elapsed_s, None);
}

#[test]
fn single_distance_column_is_not_trusted() {
    // With one Distance there is no telling km from metres.
    let csv = "Activity ID,Distance,Elapsed Time\n1,9.83,3600\n";
    let rows = parse(csv.as_bytes());
    assert_eq!(rows[0].distance_m, None);
    assert_eq!(rows[0].elapsed_s, Some(3600.0));
}

#[test]
fn bom_crlf_and_spacing() {
    let csv = "\u{feff}Activity ID , Activity Date\r\n 42 ,\"Jun 4, 2024, 4:39:40 PM\"\r\n";
    let rows = parse(csv.as_bytes());
    assert_eq!(rows[0].activity_id, "42");
    assert_eq!(rows[0].date_ms, Some(1_717_519_180_000));
    assert_eq!(rows[0].sport, "unknown");
}

#[test]
fn header_errors() {
    match parse_activities_csv(b"Activity Name,Filename\nx,y\n") {
        Err(Error::Decode { problem, .. }) => assert!(problem.contains("Activity ID"), "{problem}"),
        other => panic!("expected an error naming Activity ID, got {other:?}"),
    }
    assert!(parse_activities_csv(b"").is_err());
    // A header alone is an empty export, not an error.
    assert_eq!(parse(b"Activity ID,Activity Date\n").len(), 0);
}

proptest! {
    #[test]
    fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let mut input = b"Activity ID,Activity Date,Distance,Distance,Elapsed Time\n".to_vec();
        input.extend_from_slice(&bytes);
        let _ = parse_activities_csv(&input);
        let _ = parse_activities_csv(&bytes);
    }

    #[test]
    fn dates_never_panic(s in "\\PC{0,40}") {
        let _ = hamstride_ingest::strava::parse_activity_date(&s);
    }
}
