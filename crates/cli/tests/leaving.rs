//! Leaving changes nothing, and nothing is replaced silently (issue 13, item 1):
//! - a second assessment from a script keeps the active plan and says where the new one is;
//!   `plan history` lists both and `plan restore` switches;
//! - `--yes` replaces and names what it replaced;
//! - a result that needs a doctor urgently replaces the plan anyway, and says how to restore;
//! - quitting the terminal interview (Esc at the first question, driven through tmux) exits 7
//!   and leaves the database as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{assess, run, text, Term, STRAIN};
const TENDON: &str = r#"{"schema": "hamstride.findings/1", "sex": "female", "onset": "gradual",
 "recent_training_change": ["mileage_increase", "new_hills", "new_speed_work"], "pain_sites": ["upper_back_thigh"], "running": "painful"}"#;
/// A published case the engine sends to a doctor urgently (x006: an older runner's overstretch
/// with extensive bruising and a limp).
const URGENT: &str = r#"{"schema": "hamstride.findings/1", "age_years": 73, "sex": "male", "onset": "sudden", "mechanism": "overstretch",
 "stopped_immediately": false, "days_since_onset": 3, "side": "left", "pain_sites": ["mid_back_thigh"],
 "worse_with": ["walking", "stairs", "stretching"], "walking": "limp", "bruising": "extensive"}"#;

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn history(d: &Path) -> Vec<serde_json::Value> {
    let o = run(d, &["plan", "history", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn active_id(h: &[serde_json::Value]) -> i64 {
    h.iter().find(|p| p["active"] == true).unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_second_assessment_keeps_the_plan_unless_asked_and_any_plan_can_be_restored() {
    let d = dir();
    let o = assess(d.path(), "strain.json", STRAIN, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let first = active_id(&history(d.path()));
    // From a script, without --yes: the plan stays, and the output says where the new one is.
    let o = assess(d.path(), "tendon.json", TENDON, &[]);
    let t = text(&o);
    assert!(
        o.status.success() && t.contains("You kept your plan"),
        "{t}"
    );
    let h = history(d.path());
    assert_eq!(h.len(), 2);
    assert_eq!(active_id(&h), first, "not replaced");
    let new = h.iter().find(|p| p["active"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(t.contains(&format!("plan restore {new}")), "{t}");
    // Switching to it, and back.
    let o = run(d.path(), &["plan", "restore", &new.to_string()]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(active_id(&history(d.path())), new);
    let o = run(d.path(), &["plan", "restore", &first.to_string()]);
    assert!(o.status.success(), "{}", text(&o));
    let h = history(d.path());
    assert_eq!(active_id(&h), first);
    assert!(
        h.iter().all(|p| p["check_ins"] == 0),
        "restoring is not a check-in: {h:?}"
    );
    // --yes replaces and names what it replaced.
    let o = assess(d.path(), "tendon2.json", TENDON, &["--yes"]);
    let t = text(&o);
    assert!(
        o.status.success() && t.contains(&format!("It replaced plan {first}")),
        "{t}"
    );
    assert_eq!(history(d.path()).len(), 3);
    // A plan id that does not exist is bad input, naming the command that lists them.
    let o = run(d.path(), &["plan", "restore", "999"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("plan history"));
}

#[test]
fn a_result_that_needs_a_doctor_replaces_the_plan_and_says_how_to_restore_it() {
    let d = dir();
    assert!(assess(d.path(), "strain.json", STRAIN, &[])
        .status
        .success());
    let first = active_id(&history(d.path()));
    let o = assess(d.path(), "urgent.json", URGENT, &[]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("needs a doctor soon") && t.contains(&format!("plan restore {first}")),
        "{t}"
    );
    assert_ne!(active_id(&history(d.path())), first);
}

/// The database file's bytes and the plan history, to compare before and after.
fn snapshot(d: &Path) -> (Vec<serde_json::Value>, usize) {
    let h = history(d);
    let o = run(d, &["pain", "list", "--format", "json"]);
    let n = serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout)
        .unwrap()
        .len();
    (h, n)
}

#[test]
fn quitting_the_interview_saves_nothing_and_exits_7() {
    if !common::have_tmux("quitting the terminal interview") {
        return;
    }
    let d = dir();
    assert!(assess(d.path(), "strain.json", STRAIN, &[])
        .status
        .success());
    let before = snapshot(d.path());
    // Wait for the first question, then press Esc.
    let t = Term::start(d.path(), 120, 40, &["assess"]);
    t.wait_for("Any of these?");
    t.keys(&["Escape"]);
    assert_eq!(t.exit_code(), 7, "exit code of a quit interview");
    assert_eq!(
        snapshot(d.path()),
        before,
        "nothing stored, nothing replaced"
    );
}
