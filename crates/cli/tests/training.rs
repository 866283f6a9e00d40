//! End-to-end tests of the training side: `pain` (log, list, delete, bad input that changes
//! nothing), `status` and `report` over runs imported from GPX files built here relative to
//! today, `profile` settings, and `assess --from-data` pre-filling the training questions.
//! Runs without ../shared.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn bin(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hamstride"));
    c.env("HAMSTRIDE_DATA_DIR", dir);
    c.env("TZ", "UTC");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin(dir).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A GPX run of `minutes` at about 3 m/s on `date`, 07:00 UTC, one point per second.
fn gpx_run(date: jiff::civil::Date, minutes: u32) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>Run</name><type>running</type><trkseg>
"#,
    );
    let start = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second()
        + 7 * 3600;
    for i in 0..minutes * 60 {
        let t = jiff::Timestamp::from_second(start + i64::from(i)).unwrap();
        s.push_str(&format!(
            "<trkpt lat=\"{:.7}\" lon=\"-0.1200000\"><ele>12.0</ele><time>{}</time></trkpt>\n",
            51.5 + f64::from(i) * 0.000027,
            t.strftime("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s
}

/// Runs every other day from 44 to 10 days ago (20 min), then one 40-minute run 3 days ago:
/// twice the longest run of the previous 30 days.
fn with_history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("runs");
    std::fs::create_dir(&files).unwrap();
    let t = today();
    for back in (10..=44).step_by(2) {
        let d = t.checked_sub(jiff::Span::new().days(back)).unwrap();
        std::fs::write(files.join(format!("r{back}.gpx")), gpx_run(d, 20)).unwrap();
    }
    let d = t.checked_sub(jiff::Span::new().days(3)).unwrap();
    std::fs::write(files.join("long.gpx"), gpx_run(d, 40)).unwrap();
    let o = run(dir.path(), &["import", files.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    dir
}

fn db_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("hamstride.db")).unwrap()
}

#[test]
fn status_shows_the_week_and_flags_the_long_run() {
    let dir = with_history();
    let o = run(dir.path(), &["status", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let flags = v["flags"].as_array().unwrap();
    let spike = flags
        .iter()
        .find(|f| f["signal"] == "long_run_spike")
        .unwrap_or_else(|| panic!("no spike flag in {v:#}"));
    // 40 min against a longest of 20 min at the same pace: about +100%.
    let value = spike["value"].as_f64().unwrap();
    assert!((0.9..=1.1).contains(&value), "spike {value}");
    assert_eq!(v["units"], "km");
    assert_eq!(v["days"].as_array().unwrap().len(), 7);

    let o = run(dir.path(), &["status"]);
    assert!(o.status.success(), "{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("This week"), "{s}");
    assert!(s.contains("longer than your longest run"), "{s}");
    assert!(s.contains('▁') || s.contains('█'), "a sparkline: {s}");

    let o = run(dir.path(), &["status", "--units", "mi", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["units"], "mi");
    // JSON carries the typed flag (code and SI numbers) and its sentence in the chosen units.
    let spike = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["signal"] == "long_run_spike")
        .unwrap();
    assert_eq!(spike["detail"]["code"], "long_run_spike");
    assert!(spike["detail"]["distance_m"].as_f64().unwrap() > 1000.0);
    assert!(spike["text"].as_str().unwrap().contains(" mi,"), "{spike}");

    // The terminal in miles says miles, and kilometres never, flags included.
    let o = run(dir.path(), &["status", "--units", "mi"]);
    assert!(o.status.success(), "{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout).to_lowercase();
    assert!(s.contains("longer than your longest run"), "{s}");
    let km = s
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "km" || w == "kilometres");
    assert!(!km, "km in a miles status: {s}");
    let o = run(dir.path(), &["status", "--units", "km"]);
    let s = String::from_utf8_lossy(&o.stdout).to_lowercase();
    let mi = s
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "mi" || w == "miles");
    assert!(!mi, "mi in a km status: {s}");
}

#[test]
fn pain_diary_logs_lists_and_deletes() {
    let dir = with_history();
    let o = run(
        dir.path(),
        &[
            "pain",
            "--run",
            "last",
            "--during",
            "2",
            "--after",
            "3",
            "--morning",
            "4",
            "--site",
            "sit_bone",
            "--side",
            "left",
            "--sitting",
            "30",
            "--note",
            "stiff <b>stairs</b>",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let three_days_ago = today().checked_sub(jiff::Span::new().days(3)).unwrap();
    assert_eq!(v["date"], three_days_ago.to_string(), "the run's day");
    assert_eq!(v["next_morning"], 4);
    let id = v["id"].as_i64().unwrap();

    let o = run(dir.path(), &["pain", "list"]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("sit_bone (left)") && s.contains("30 min"), "{s}");

    let o = run(dir.path(), &["pain", "delete", &id.to_string()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(dir.path(), &["pain", "delete", &id.to_string()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("no pain entry"));
}

#[test]
fn bad_pain_input_names_the_field_and_changes_nothing() {
    let dir = with_history();
    let before = db_bytes(dir.path());
    let tomorrow = today().tomorrow().unwrap().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["pain", "--during", "11"], "during"),
        (&["pain", "--morning", "-1"], "next_morning"),
        (&["pain", "--during", "2", "--site", "elbow"], "site"),
        (&["pain", "--during", "2", "--side", "middle"], "side"),
        (&["pain", "--during", "2", "--date", &tomorrow], "future"),
        (&["pain", "--during", "2", "--run", "99999"], "run"),
        (&["pain", "--during", "2", "--run", "yesterday"], "run"),
        (&["pain", "--sitting", "2000"], "sitting"),
        (&["pain", "--site", "sit_bone"], "at least one"),
    ];
    for (args, needle) in cases {
        let o = bin(dir.path())
            .args(*args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains(needle),
            "{args:?} should name {needle}: {}",
            text(&o)
        );
        assert_eq!(
            db_bytes(dir.path()),
            before,
            "{args:?} changed the database"
        );
    }
}

#[test]
fn report_is_one_private_html_file() {
    let dir = with_history();
    let o = run(dir.path(), &["pain", "--during", "2", "--morning", "3"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = dir.path().join("report.html");
    let o = run(
        dir.path(),
        &["report", "--out", out.to_str().unwrap(), "--units", "mi"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg"), "charts");
    assert!(html.contains(" mi"), "miles as asked");
    assert!(!html.contains("<script"), "no scripts");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "health data: readable only by the runner");
    }
}

#[test]
fn empty_database_gives_friendly_status_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["status"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("No runs imported yet"));
    let out = dir.path().join("r.html");
    let o = run(dir.path(), &["report", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(out.exists());
}

#[test]
fn profile_keeps_time_zone_and_heart_rate_and_refuses_nonsense() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "profile",
            "--timezone",
            "Australia/Sydney",
            "--hr-rest",
            "50",
            "--hr-max",
            "185",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["timezone"], "Australia/Sydney");
    assert_eq!(v["hr_max"], 185.0);
    let before = db_bytes(dir.path());
    for (args, needle) in [
        (vec!["profile", "--timezone", "Mars/Olympus"], "timezone"),
        (vec!["profile", "--hr-max", "400"], "hr_max"),
        (vec!["profile", "--hr-rest", "180"], "hr_rest"),
        (vec!["profile", "--hr-curve", "horses"], "hr_curve"),
    ] {
        let o = run(dir.path(), &args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(needle), "{args:?}: {}", text(&o));
        assert_eq!(db_bytes(dir.path()), before);
    }
}

#[test]
fn assessment_prefills_training_changes_from_data_with_consent() {
    let dir = with_history();
    let findings = dir.path().join("f.json");
    std::fs::write(
        &findings,
        r#"{"schema":"hamstride.findings/1","onset":"gradual","side":"left","pain_sites":["sit_bone"]}"#,
    )
    .unwrap();
    let f = findings.to_str().unwrap();
    // Without consent nothing is read from the data.
    let o = run(
        dir.path(),
        &["assess", "--input", f, "--no-record", "--format", "json"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("from your data"));
    // With it, the long run is found and shown as coming from the data.
    let o = run(
        dir.path(),
        &[
            "assess",
            "--input",
            f,
            "--no-record",
            "--from-data",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("from your data: a longer long run"), "{err}");
    assert!(err.contains("from your data: weekly distance"), "{err}");
}
