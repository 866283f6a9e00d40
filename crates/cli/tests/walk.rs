//! The acceptance walk of issue 13 ("one voice"), in a real terminal driven through tmux: a
//! runner answers the interview, goes back once and changes an answer, reads a verdict that
//! fits one screen, gives up with "don't know" and is told why nothing was kept, then uses the
//! plan, the check-in, the diary, the report and the pipes the way a script or a person at a
//! prompt would. Each step asserts what the issue promised; the finer cases have their own
//! tests (leaving.rs, docs.rs, writes.rs, plan.rs, verdict.rs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{assess, run, text, Term, STRAIN};

/// The kind of prompt on screen, from inquire's help line.
#[derive(Debug, PartialEq)]
enum Prompt {
    Ticks,
    Typed,
    Choice,
    Ended,
}

/// The help line under the current prompt ("[Question 4 · ..." or "[Warning-sign check 1
/// of 2]"): it changes with every question, so it tells a new prompt from a redrawn one.
fn marker(screen: &str) -> Option<String> {
    screen
        .lines()
        .rev()
        .find(|l| l.starts_with('['))
        .map(str::to_string)
}

/// Wait until the prompt after `last` shows (or the walk's end), and say which kind it is.
fn next_prompt(t: &Term, last: &Option<String>) -> (Prompt, Option<String>) {
    let start = Instant::now();
    loop {
        let s = t.screen();
        if s.contains("WALK-END") {
            return (Prompt::Ended, None);
        }
        let m = marker(&s);
        if m.is_some() && m != *last {
            // Let inquire finish drawing.
            std::thread::sleep(Duration::from_millis(200));
            // inquire breaks its own help line at the window's edge: read it joined.
            let s = t.screen().replace('\n', "");
            let kind = if s.contains("space to tick") || s.contains("Which ones?") {
                Prompt::Ticks
            } else if s.contains("leave empty") {
                Prompt::Typed
            } else {
                Prompt::Choice
            };
            return (kind, m);
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no new prompt after {last:?}; the screen shows:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(80));
    }
}

/// Choose the option whose label starts with `label` by typing it (inquire filters), wait
/// until it is the one under the cursor, then confirm (ticking it first in a list of ticks,
/// where a space ticks, so only the label's first word is typed there).
fn choose(t: &Term, kind: &Prompt, label: &str) {
    if *kind == Prompt::Ticks {
        t.keys(&[label.split(' ').next().unwrap()]);
        t.wait_for(&format!("> [ ] {label}"));
        t.keys(&["Space", "Enter"]);
    } else {
        t.keys(&[label]);
        t.wait_for(&format!("> {label}"));
        t.keys(&["Enter"]);
    }
}

fn decision_rows(history: &str) -> usize {
    let lines: Vec<&str> = history.lines().collect();
    let first = lines
        .iter()
        .position(|l| {
            [
                "  SELF-CARE",
                "  BOOK",
                "  SEE A DOCTOR",
                "  EMERGENCY",
                "  CALL",
            ]
            .iter()
            .any(|t| l.starts_with(t))
        })
        .unwrap_or_else(|| panic!("no level title:\n{history}"));
    let last = lines
        .iter()
        .position(|l| l.starts_with("More: "))
        .unwrap_or_else(|| panic!("no More: line:\n{history}"));
    last - first + 1
}

#[test]
fn an_interview_with_a_changed_answer_ends_in_one_screen_and_is_kept() {
    if !common::have_tmux("the terminal walk") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let t = Term::shell(
        d.path(),
        80,
        40,
        "hamstride assess --save answers.json; echo \"WALK-END $?\"",
    );
    // Both warning-sign screens: none of these.
    let (_, mut m) = next_prompt(&t, &None);
    t.keys(&["Enter"]);
    (_, m) = next_prompt(&t, &m);
    t.keys(&["Enter"]);
    (_, m) = next_prompt(&t, &m);
    t.wait_for("Where does it hurt?");
    choose(&t, &Prompt::Ticks, "Middle of the back of the thigh");
    // The next question: go back to the place and change it.
    let kind;
    (kind, m) = next_prompt(&t, &m);
    match kind {
        Prompt::Typed => t.keys(&["back", "Enter"]),
        k => choose(&t, &k, "← Go back"),
    }
    (_, m) = next_prompt(&t, &m);
    t.wait_for("Where does it hurt?");
    choose(&t, &Prompt::Ticks, "Upper back of the thigh");
    // The rest: the first choice each time (or nothing typed), until the result.
    let mut asked = 0;
    loop {
        let kind;
        (kind, m) = next_prompt(&t, &m);
        if kind == Prompt::Ended {
            break;
        }
        t.keys(&["Enter"]);
        asked += 1;
        assert!(asked < 40, "the interview did not end:\n{}", t.screen());
    }
    let out = t.history();
    assert!(out.contains("WALK-END 0"), "{out}");
    let rows = decision_rows(&out);
    assert!(rows <= 40, "the decision takes {rows} rows:\n{out}");
    assert!(out.contains("What set this level"), "{out}");
    // The changed answer is the one kept.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("answers.json")).unwrap())
            .unwrap();
    assert_eq!(
        saved["pain_sites"],
        serde_json::json!(["upper_back_thigh"]),
        "{saved}"
    );
    let o = run(d.path(), &["plan", "history", "--format", "json"]);
    let h: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(h.len(), 1, "a completed interview is kept, once");
}

#[test]
fn dont_know_to_everything_stops_early_and_keeps_nothing() {
    if !common::have_tmux("the terminal walk") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let t = Term::shell(d.path(), 80, 40, "hamstride assess; echo \"WALK-END $?\"");
    let mut m = None;
    let mut asked = 0;
    loop {
        let kind;
        (kind, m) = next_prompt(&t, &m);
        match kind {
            Prompt::Ended => break,
            Prompt::Typed => t.keys(&["Enter"]),
            k => choose(&t, &k, "Don't know"),
        }
        asked += 1;
        assert!(asked <= 10, "still asking after {asked}:\n{}", t.screen());
    }
    let out = t.history().replace('\n', " ");
    assert!(out.contains("more questions would not help"), "{out}");
    assert!(asked <= 7, "it stopped early, after {asked} questions");
    assert!(out.contains("Nothing was saved"), "{out}");
    assert!(!out.contains("No warning sign"), "{out}");
    let o = run(d.path(), &["plan", "history", "--format", "json"]);
    let h: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert!(h.is_empty(), "nothing kept: {h:?}");
}

#[test]
fn the_commands_after_the_interview_behave_at_a_prompt() {
    if !common::have_tmux("the terminal walk") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    assert!(assess(d.path(), "s.json", STRAIN, &[]).status.success());
    let script = r#"
hamstride plan | head -2; echo "PIPE ${PIPESTATUS[0]}"
hamstride checkin --morning 2 --done 1,2 --met 1 >/dev/null; echo "CHECKIN $?"
hamstride pain --date yesterday --during 2 >/dev/null; echo "PAIN-WORDS $?"
hamstride pain --date 12/01/2026 --during 2 2>&1 | grep -o 'YYYY-MM-DD, "today", "yesterday"'; echo "PAIN-BAD ${PIPESTATUS[0]}"
hamstride report --out data/hamstride.db; echo "REPORT-DB $?"
hamstride report --out no-such-folder/r.html; echo "REPORT-NODIR $?"
hamstride import no-such-file.fit; echo "IMPORT-NONE $?"
hamstride report --out r.html >/dev/null; echo "REPORT $?"
echo WALK-END
"#;
    let t = Term::shell(d.path(), 70, 60, script);
    t.wait_for("WALK-END");
    let out = t.history();
    for want in [
        "PIPE 0",
        "CHECKIN 0",
        "PAIN-WORDS 0",
        "PAIN-BAD 2",
        "REPORT-DB 3",
        "REPORT-NODIR 3",
        "IMPORT-NONE 3",
        "REPORT 0",
    ] {
        assert!(out.contains(want), "{want} not in:\n{out}");
    }
    assert!(out.contains("YYYY-MM-DD, \"today\""), "{out}");
    assert!(out.contains("refusing to write"), "{out}");
    assert!(out.contains("cannot write"), "{out}");
    // Our own text and messages wrap before the window's edge (the terminal never has to).
    for line in out.lines() {
        assert!(line.trim_end().chars().count() <= 70, "{line:?}");
    }
    let html = std::fs::read_to_string(d.path().join("r.html")).unwrap();
    assert!(html.contains("<html"), "a report was written");
    let _ = text;
}

/// A possible clot: swelling and a warm, red leg with no injury.
const CLOT: &str = r#"{"schema": "hamstride.findings/1", "age_years": 45, "onset": "gradual",
 "leg_swelling": true, "leg_warm_red": true, "pain_sites": ["back_of_knee"]}"#;

#[test]
fn one_voice_from_the_verdict_to_the_diary() {
    if !common::have_tmux("the terminal walk") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    assert!(assess(d.path(), "s.json", STRAIN, &[]).status.success());
    std::fs::write(d.path().join("clot.json"), CLOT).unwrap();
    let script = r#"
hamstride checkin --morning 2 --during 3 --after 2 --done all | head -1
hamstride checkin --red-flags none | head -1
hamstride pain --date yesterday --morning 1 | head -1
echo "ROWS $(hamstride pain list --format json | grep -c '"date"')"
hamstride --data-dir clot-data assess --input clot.json | head -3
hamstride --data-dir clot-data plan | grep -c 'today' | sed 's/^/CLOT-PLAN-TODAY /'
echo WALK-END
"#;
    let t = Term::shell(d.path(), 100, 60, script);
    t.wait_for("WALK-END");
    let out = t.history();
    // A check-in's scores are the diary's row of the session's day; a screen-only check-in
    // records and keeps the plan; logging the day again updates the same row.
    assert!(out.contains("RECORDED"), "{out}");
    assert!(out.contains("Updated pain entry"), "{out}");
    assert!(out.contains("ROWS 1"), "one diary row for the day:\n{out}");
    // The clot says "today", once, and never a second time frame.
    assert!(out.contains("See a doctor today"), "{out}");
    for other in ["24-48 hours", "same day", "a few days", "1-2 weeks"] {
        assert!(!out.contains(other), "{other} beside 'today':\n{out}");
    }
    assert!(!out.contains("CLOT-PLAN-TODAY 0"), "{out}");
}
