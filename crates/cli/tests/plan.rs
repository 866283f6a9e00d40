//! End-to-end tests of the plan commands: assess keeps the assessment and makes a plan,
//! `plan` shows it (text and JSON), `checkin` records and decides, `plan export` writes the
//! files (private), `plan prevention` starts without pain, and bad input (pain outside 0-10,
//! an unknown exercise id, a check-in before any assessment, a corrupt database) gets a
//! clear message, exit code 3 or 5, and loses nothing already stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hamstride"));
    c.env("HAMSTRIDE_DATA_DIR", data);
    c
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hamstride-plan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(data: &Path, args: &[&str]) -> Output {
    bin(data).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

fn assessed(name: &str) -> PathBuf {
    let d = tmpdir(name);
    let f = d.join("findings.json");
    std::fs::write(&f, STRAIN).unwrap();
    let o = run(&d.join("data"), &["assess", "--input", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Saved. Your plan"), "{}", text(&o));
    d
}

fn db_bytes(d: &Path) -> Vec<u8> {
    std::fs::read(d.join("data/hamstride.db")).unwrap()
}

#[test]
fn assess_then_plan_then_checkin() {
    let d = assessed("flow");
    let data = d.join("data");
    let o = run(&data, &["plan"]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    for want in [
        "Phase 1 of",
        "Today,",
        "This week:",
        "To move on to",
        "Timeline",
        "Sources:",
        "not a diagnosis",
    ] {
        assert!(t.contains(want), "plan text lacks {want:?}:\n{t}");
    }
    let o = run(&data, &["plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["condition"], "acute_hamstring_strain");
    assert_eq!(v["phase"]["number"], 1);
    assert_eq!(v["week"].as_array().unwrap().len(), 7);
    let o = run(
        &data,
        &[
            "checkin",
            "--during",
            "2",
            "--after",
            "2",
            "--morning",
            "2",
            "--done",
            "all",
            "--met",
            "walk-pain-free",
            "--red-flags",
            "none",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"]["verdict"], "hold", "{v}");
    let o = run(&data, &["plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let met: Vec<&str> = v["phase"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(met, ["walk-pain-free"]);
    // A check-in with pain above the ceiling steps back and says why.
    let o = run(&data, &["checkin", "--during", "7", "--morning", "5"]);
    let t = text(&o);
    assert!(
        o.status.success() && t.contains("STEP BACK") && t.contains("above this plan's ceiling"),
        "{t}"
    );
}

#[test]
fn bad_checkins_exit_3_and_keep_the_database() {
    let d = assessed("bad");
    let data = d.join("data");
    let before = db_bytes(&d);
    for (args, want) in [
        (
            vec!["checkin", "--during", "11"],
            "pain_during: 11 is outside 0-10",
        ),
        (
            vec!["checkin", "--morning", "-1"],
            "pain_morning: -1 is outside 0-10",
        ),
        (
            vec!["checkin", "--morning", "1", "--done", "squats-please"],
            "'squats-please' is not one of today's sessions; give their numbers or names (1 ",
        ),
        (
            vec!["checkin", "--morning", "1", "--met", "fly"],
            "'fly' is not one of this phase's criteria; give their numbers",
        ),
        (
            vec!["checkin", "--morning", "1", "--red-flags", "tired"],
            "'tired' is not a warning sign this check knows; give \"none\" or the numbers or names of the signs you have: 1 saddle numbness",
        ),
        (
            vec!["checkin", "--morning", "1", "--date", "2099-01-01"],
            "in the future",
        ),
        (vec!["checkin"], "nothing to record"),
        (vec!["exercises", "squats-please"], "unknown exercise id"),
    ] {
        let o = run(&data, &args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(want), "{args:?}: {}", text(&o));
        assert_eq!(db_bytes(&d), before, "{args:?} changed the database");
    }
}

#[test]
fn checkin_before_any_assessment_is_bad_input() {
    let d = tmpdir("none");
    for args in [
        vec!["checkin", "--morning", "2"],
        vec!["plan"],
        vec!["plan", "export"],
    ] {
        let o = run(&d, &args);
        assert_eq!(o.status.code(), Some(3), "{}", text(&o));
        assert!(text(&o).contains("no assessment yet"), "{}", text(&o));
    }
}

#[test]
fn corrupt_database_is_refused_and_left_untouched() {
    let d = tmpdir("corrupt");
    let junk = b"this is not a database, but it is the runner's file".repeat(100);
    std::fs::write(d.join("hamstride.db"), &junk).unwrap();
    let f = d.join("f.json");
    std::fs::write(&f, STRAIN).unwrap();
    for args in [
        vec!["checkin", "--morning", "2"],
        vec!["plan"],
        vec!["assess", "--input", f.to_str().unwrap()],
    ] {
        let o = run(&d, &args);
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("hamstride.db"), "{}", text(&o));
        assert_eq!(std::fs::read(d.join("hamstride.db")).unwrap(), junk);
    }
}

#[test]
fn export_writes_private_markdown_calendar_and_workouts() {
    let d = assessed("export");
    let data = d.join("data");
    let out = d.join("out");
    let o = run(
        &data,
        &[
            "plan",
            "export",
            "--out",
            out.to_str().unwrap(),
            "--weeks",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let md = std::fs::read_to_string(out.join("plan.md")).unwrap();
    assert!(
        md.starts_with("# Hamstring strain")
            && md.contains("## Exercises")
            && md.contains("## Sources")
    );
    let ics = std::fs::read_to_string(out.join("plan.ics")).unwrap();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.matches("BEGIN:VEVENT").count() >= 10,
        "{ics}"
    );
    let fits: Vec<_> = std::fs::read_dir(out.join("workouts")).unwrap().collect();
    assert!(fits.len() >= 5, "one workout per return-to-run stage");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("plan.md"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn prevention_plan_without_pain() {
    let d = tmpdir("prevention");
    let o = run(&d, &["plan", "prevention", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["condition"], "prevention");
    let all: String = v["week"].to_string();
    assert!(
        all.contains("nordic"),
        "the prevention programme includes Nordic curls: {all}"
    );
}

#[test]
fn profile_units_are_kept_and_used() {
    let d = tmpdir("profile");
    let o = run(&d, &["profile", "--units", "mi", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&d, &["profile", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["units"], "mi");
    let o = run(&d, &["activities"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn twenty_checkins_at_once_are_all_kept() {
    let d = assessed("parallel");
    let data = d.join("data");
    let children: Vec<_> = (0..20)
        .map(|i| {
            bin(&data)
                .args(["checkin", "--morning", &(i % 3).to_string()])
                .args(["--note", &format!("parallel {i}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = run(&data, &["plan", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    // The plan history as the service reads it: every check-in is there, none overwritten.
    let db = hamstride_service::db::open_dir(&data).unwrap();
    let svc = hamstride_service::Service::new().unwrap();
    let plan = svc.active_plan(&db).unwrap();
    assert_eq!(plan.history.len(), 20);
    assert_eq!(plan.version, 20);
}

#[test]
fn two_commands_on_a_new_data_dir_do_not_race_the_migrations() {
    for round in 0..3 {
        let d = tmpdir(&format!("race{round}"));
        let data = d.join("data");
        let children: Vec<_> = (0..4)
            .map(|_| {
                bin(&data)
                    .args(["activities", "--format", "json"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
}
