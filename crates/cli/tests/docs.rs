//! A well-behaved command line (issue 13, item 9): shell completions and manual pages come
//! from the same definition as `--help`; no internal id appears where a runner reads (the plan,
//! every `--help`), and what they see can be typed back (numbers and plain names); text wraps
//! to the terminal's width.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assess, run, text, Term, STRAIN};

#[test]
fn completions_for_each_shell_name_the_commands() {
    let d = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(d.path(), &["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", text(&o));
        let s = String::from_utf8_lossy(&o.stdout);
        for word in ["checkin", "assess", "red-flags"] {
            assert!(s.contains(word), "{shell} completion lacks {word}");
        }
    }
    let o = run(d.path(), &["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a bad command line"
    );
    assert!(text(&o).contains("bash"), "the error lists the shells");
}

#[test]
fn the_manual_is_roff_and_has_a_page_per_command() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["man"]);
    assert!(o.status.success());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains(".TH hamstride 1"), "{page}");
    assert!(page.contains("checkin"), "the main page lists the commands");
    let out = d.path().join("man1");
    let o = run(d.path(), &["man", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    for name in [
        "hamstride.1",
        "hamstride-checkin.1",
        "hamstride-plan-export.1",
    ] {
        let p = out.join(name);
        let body = std::fs::read_to_string(&p).unwrap();
        assert!(body.starts_with(".ie") || body.contains(".TH"), "{name}");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
    assert!(!out.join("hamstride-help.1").exists());
    // Never into the data folder.
    let data = d.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let o = run(d.path(), &["man", "--out", data.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
}

/// The ids of the plan's today items and criteria, from its JSON (which keeps ids for scripts).
fn plan_ids(d: &std::path::Path) -> Vec<String> {
    let o = run(d, &["plan", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut ids = Vec::new();
    for it in v["today_sessions"]["items"].as_array().unwrap() {
        if it["kind"] == "exercise" {
            ids.push(it["id"].as_str().unwrap().to_string());
        }
    }
    for c in v["phase"]["criteria"].as_array().unwrap() {
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    ids
}

#[test]
fn a_runner_reads_no_ids_and_picks_by_number_or_name() {
    let d = tempfile::tempdir().unwrap();
    assert!(assess(d.path(), "s.json", STRAIN, &[]).status.success());
    // An id that is an ordinary word ("walking") is no code to decode; the rest are.
    let ids: Vec<String> = plan_ids(d.path())
        .into_iter()
        .filter(|id| id.contains(['-', '_']))
        .collect();
    assert!(ids.len() >= 4, "{ids:?}");
    let plan = text(&run(d.path(), &["plan"]));
    for id in &ids {
        assert!(
            !plan.contains(id.as_str()),
            "plan text shows the id {id}:\n{plan}"
        );
    }
    for cmd in [
        vec!["--help"],
        vec!["checkin", "--help"],
        vec!["pain", "--help"],
        vec!["plan", "--help"],
    ] {
        let help = text(&run(d.path(), &cmd));
        for id in &ids {
            assert!(!help.contains(id.as_str()), "{cmd:?} shows the id {id}");
        }
        assert!(!help.contains("sit_bone"), "{cmd:?} shows a site id");
    }
    // What the plan shows can be typed back: a number, a name in any case, a criterion number.
    let o = run(
        d.path(),
        &[
            "checkin",
            "--morning",
            "2",
            "--done",
            "1,Bridge hold",
            "--met",
            "1",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["decision"].is_object(), "{v}");
    let o = run(d.path(), &["plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["phase"]["criteria"][0]["met"], true, "criterion 1 marked");
    // A site in plain words.
    let o = run(d.path(), &["pain", "--during", "2", "--site", "Sit bone"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(d.path(), &["pain", "--during", "2", "--site", "elbow"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o).contains("sit bone"), "{}", text(&o));
}

#[test]
fn text_wraps_to_the_terminal_and_json_never_does() {
    if !common::have_tmux("wrapping to the terminal's width") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    assert!(assess(d.path(), "s.json", STRAIN, &[]).status.success());
    let t = Term::start(d.path(), 50, 200, &["plan"]);
    assert_eq!(t.exit_code(), 0);
    let screen = t.history();
    assert!(screen.contains("Heel dig hold"), "{screen}");
    for line in screen.lines() {
        assert!(line.chars().count() <= 50, "{line:?}");
    }
    // Continuations hang under their text: no line starts a sentence at column 0 that
    // belongs to a bullet.
    assert!(screen.contains("\n     "), "numbered items hang:\n{screen}");
    // Piped, the same text keeps one line per paragraph, and JSON is never wrapped.
    let piped = text(&run(d.path(), &["plan"]));
    assert!(piped.lines().any(|l| l.chars().count() > 50));
    let t = Term::start(d.path(), 50, 200, &["plan", "--format", "json"]);
    assert_eq!(t.exit_code(), 0);
    let json: String = t.history();
    assert!(json.lines().any(|l| l.contains("\"dose\"")), "{json}");
}
