//! The CLI end to end on PostgreSQL (`--database`, `--athlete`), when
//! `HAMSTRIDE_TEST_POSTGRES_URL` names a server (`.ci/with-postgres` starts one; in CI it must
//! run). Two runners in one database: each sees only their own plan, runs and diary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

fn run(url: &str, athlete: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .env_remove("HAMSTRIDE_DATA_DIR")
        .env("HAMSTRIDE_DATABASE_URL", url)
        .env("HAMSTRIDE_ATHLETE", athlete)
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    let t = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{t}");
    t
}

#[test]
fn two_runners_share_a_postgres_database_and_see_only_their_own_data() {
    let url = match std::env::var("HAMSTRIDE_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") => {
            panic!("in CI the PostgreSQL CLI test must run: set HAMSTRIDE_TEST_POSTGRES_URL")
        }
        _ => {
            println!("SKIPPED: the CLI on PostgreSQL (set HAMSTRIDE_TEST_POSTGRES_URL)");
            return;
        }
    };
    let tag = format!(
        "{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond()
    );
    let (ana, ben) = (format!("ana-{tag}"), format!("ben-{tag}"));
    let dir = tempfile::tempdir().unwrap();
    let findings = dir.path().join("strain.json");
    std::fs::write(&findings, STRAIN).unwrap();
    let gpx = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/tests/fixtures/gpx/georust__wahoo_example.gpx");

    ok(&run(
        &url,
        &ana,
        &["assess", "--input", findings.to_str().unwrap()],
    ));
    ok(&run(
        &url,
        &ana,
        &["checkin", "--morning", "2", "--during", "1"],
    ));
    ok(&run(&url, &ana, &["import", gpx.to_str().unwrap()]));
    ok(&run(&url, &ana, &["pain", "--during", "3"]));
    // Ben imports the same file: his own copy, not a duplicate of Ana's.
    let t = ok(&run(
        &url,
        &ben,
        &["import", "--format", "json", gpx.to_str().unwrap()],
    ));
    let v: serde_json::Value = serde_json::from_str(t.trim()).unwrap();
    assert_eq!(v["imported"], 1, "{t}");

    let acts = |who: &str| -> usize {
        let o = run(&url, who, &["activities", "--format", "json"]);
        serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout)
            .unwrap()
            .len()
    };
    assert_eq!((acts(&ana), acts(&ben)), (1, 1));
    let pain = |who: &str| -> usize {
        let o = run(&url, who, &["pain", "list", "--format", "json"]);
        serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout)
            .unwrap()
            .len()
    };
    // Ana's: the check-in's scores (the day before it) and today's entry; Ben's: none.
    assert_eq!((pain(&ana), pain(&ben)), (2, 0));
    // Ana has a plan; Ben has none yet and is told how to get one.
    ok(&run(&url, &ana, &["plan", "--format", "json"]));
    let o = run(&url, &ben, &["plan"]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    ok(&run(&url, &ana, &["status", "--format", "json"]));
    // A wrong address is a clear error naming the option, not a panic.
    let o = run("mysql://nope", &ana, &["activities"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--database"));
}
