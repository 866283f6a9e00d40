//! The terminal's reasons for and against each condition read as the report's do: each
//! finding in the plain words of `kb/findings.toml`, and who the runner is (age) never listed
//! as a reason against a condition.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

/// A sudden strain in a 38-year-old: the engine weighs age against the strain.
const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 38, "sex": "male",
 "onset": "sudden", "mechanism": "sprinting", "stopped_immediately": true, "days_since_onset": 2,
 "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3, "bruising": "none",
 "test_resisted_knee_bend": true, "pop_or_snap": false}"#;

#[test]
fn reasons_are_plain_words_and_age_is_never_against() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("strain.json");
    std::fs::write(&input, STRAIN).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .env("HAMSTRIDE_DATA_DIR", dir.path().join("data"))
        .env_remove("HAMSTRIDE_DATABASE_URL")
        .args(["assess", "--input", input.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("fits: started suddenly, at one moment"),
        "{text}"
    );
    let reasons: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("fits:") || l.starts_with("does not fit:"))
        .collect();
    assert!(!reasons.is_empty(), "{text}");
    for l in &reasons {
        assert!(!l.contains('=') && !l.contains('_'), "an id: {l}");
    }
    for l in reasons.iter().filter(|l| l.starts_with("does not fit:")) {
        assert!(
            !l.contains("years old") && !l.contains("age"),
            "age against: {l}"
        );
    }
}
