//! One urgency, one wording, end to end: for every triage rule of `kb/triage.toml`, findings
//! that fire it (built from the rule itself, or a small case for the four rules that read the
//! differential) go through every output a runner reads: the assessment as text (`--details`,
//! so the reasons, the condition and the advice too), as JSON, the plan, its Markdown and
//! calendar export, a check-in and the HTML report. None may state a time frame other than the result's own
//! (`Outcome::frame`, the headline's). The frames looked for are the knowledge base's table
//! plus any "within N days/weeks/hours", so a literal competing frame added to a sentence in
//! the knowledge base or the code fails here. An emergency result states none at all: "now"
//! is its frame and any other one is a second.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hamstride_service::{Kb, Service};

/// Cases for the rules that read the differential (`top`, `likely`), which no answer sets
/// directly: findings under which the rule fires.
const PROBABILITY_RULE_CASES: [(&str, &str); 4] = [
    (
        "R-P1",
        r#"{"schema": "hamstride.findings/2", "age_years": 30, "onset": "sudden", "mechanism": "sprinting",
            "pain_sites": ["mid_back_thigh"], "stopped_immediately": true, "stopped_because": "pain_forced",
            "pain_worst": 5, "walking": "normal", "days_since_onset": 2, "bruising": "none",
            "pop_or_snap": false, "test_resisted_knee_bend": true}"#,
    ),
    (
        "R-S5",
        r#"{"schema": "hamstride.findings/2", "age_years": 30, "onset": "sudden", "mechanism": "sprinting",
            "pain_sites": ["mid_back_thigh"], "stopped_immediately": true, "stopped_because": "pain_forced",
            "pain_worst": 4, "walking": "normal", "days_since_onset": 20, "trend": "unchanged",
            "bruising": "none", "pop_or_snap": false, "test_resisted_knee_bend": true}"#,
    ),
    (
        "D-physio",
        r#"{"schema": "hamstride.findings/2", "age_years": 45, "onset": "gradual", "pain_sites": ["low_back", "buttock"],
            "pain_distribution": "line_down_leg", "low_back_pain": true, "worse_with": ["sitting", "bending_forward", "cough_or_sneeze"],
            "days_since_onset": 20, "walking": "normal"}"#,
    ),
    (
        "D-doctor",
        r#"{"schema": "hamstride.findings/2", "age_years": 35, "sex": "female", "onset": "gradual",
            "pain_sites": ["groin_or_front_hip"], "worse_with": ["hopping", "walking"],
            "bone_stress_risk": ["low_energy_availability", "previous_stress_fracture"], "days_since_onset": 10,
            "weekly_km": 70, "recent_training_change": ["mileage_increase"]}"#,
    ),
];

/// What an emergency or urgent result and its plan never show: heat, exercise and
/// return-to-training advice wait for the examination.
const UNTIL_SEEN_NEVER: [&str; 8] = [
    "heat pack",
    "heat wrap",
    "Heat is fine",
    "Pain guide",
    "About painkillers",
    "during exercise is",
    "typically between",
    "From about day",
];

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hamstride-urgency-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .env("HAMSTRIDE_DATA_DIR", data)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn ok_text(o: &Output, what: &str) -> String {
    let t = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{what} failed:\n{t}");
    t
}

/// The findings JSON that fires rule `i`.
fn findings_for(service: &Service, i: usize) -> String {
    let kb = service.kb();
    let rule = &kb.rules[i];
    if let Some(f) = rule.when.witness(&kb.schema) {
        return service.findings_json(&f).to_string();
    }
    PROBABILITY_RULE_CASES
        .iter()
        .find(|(id, _)| *id == rule.id)
        .map(|(_, json)| json.to_string())
        .unwrap_or_else(|| {
            panic!(
                "rule {} reads the differential: add findings that fire it to PROBABILITY_RULE_CASES",
                rule.id
            )
        })
}

/// HTML as text: each element on its own line, so a tag never joins two sentences.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push('\n');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'").replace("&amp;", "&")
}

/// Every time frame `text` states other than `frame`, in words.
fn other_frames(kb: &Kb, text: &str, frame: Option<usize>) -> Vec<String> {
    kb.stated_frames(text)
        .into_iter()
        .filter(|s| {
            !matches!((s, frame), (hamstride_service::urgency::Stated::Known(k), Some(f)) if *k == f)
        })
        .map(|s| match s {
            hamstride_service::urgency::Stated::Known(k) => kb.frames[k].text.clone(),
            hamstride_service::urgency::Stated::Unknown(p) => p,
        })
        .collect()
}

/// Every output of one rule's result: (what, text).
fn outputs(dir: &Path, findings: &Path) -> Vec<(&'static str, String)> {
    let data = dir.join("data");
    let input = findings.to_str().unwrap();
    let mut out = Vec::new();
    let o = run(&data, &["assess", "--input", input, "--details", "--yes"]);
    out.push(("assess text", ok_text(&o, "assess")));
    let o = run(
        &data,
        &[
            "assess",
            "--input",
            input,
            "--format",
            "json",
            "--no-record",
        ],
    );
    out.push(("assess json", ok_text(&o, "assess json")));
    out.push(("plan", ok_text(&run(&data, &["plan"]), "plan")));
    let export = dir.join("export");
    ok_text(
        &run(
            &data,
            &["plan", "export", "--out", export.to_str().unwrap()],
        ),
        "plan export",
    );
    out.push((
        "plan.md",
        std::fs::read_to_string(export.join("plan.md")).unwrap(),
    ));
    // iCalendar folds long lines with a newline and a space: unfold before reading.
    let ics = std::fs::read_to_string(export.join("plan.ics")).unwrap();
    out.push(("plan.ics", ics.replace("\r\n ", "").replace("\\,", ",")));
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
            "--red-flags",
            "none",
        ],
    );
    out.push(("check-in", ok_text(&o, "checkin")));
    out.push((
        "plan after check-in",
        ok_text(&run(&data, &["plan"]), "plan"),
    ));
    let report = dir.join("report.html");
    ok_text(
        &run(&data, &["report", "--out", report.to_str().unwrap()]),
        "report",
    );
    out.push((
        "report",
        html_text(&std::fs::read_to_string(&report).unwrap()),
    ));
    out
}

#[test]
fn every_rule_and_every_output_say_one_time_frame() {
    let service = Service::new().unwrap();
    let kb = service.kb();
    let mut problems = Vec::new();
    let mut by_frame = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..kb.rules.len() {
        let rule = &kb.rules[i];
        let dir = tmpdir(&rule.id);
        let json = findings_for(&service, i);
        let findings = service
            .parse_findings(&json, "case", true)
            .unwrap()
            .findings;
        let outcome = service.assess(&findings);
        assert!(
            outcome.decision.fired.contains(&i),
            "{}: the findings built for it do not fire it: {json}",
            rule.id
        );
        let frame = outcome.frame;
        *by_frame
            .entry(frame.map_or("none".into(), |f| kb.frames[f].id.clone()))
            .or_default() += 1;
        let path = dir.join("findings.json");
        std::fs::write(&path, &json).unwrap();
        for (what, text) in outputs(&dir, &path) {
            if outcome.level <= 1 && what != "report" {
                for word in UNTIL_SEEN_NEVER {
                    if text.contains(word) {
                        problems.push(format!(
                            "{} ({} result): {what} shows {word:?}, which waits until seen",
                            rule.id, outcome.assessment.triage.level
                        ));
                    }
                }
            }
            let others = other_frames(kb, &text, frame);
            if !others.is_empty() {
                problems.push(format!(
                    "{} ({} result, frame {}): {what} also says {others:?}",
                    rule.id,
                    outcome.assessment.triage.level,
                    frame.map_or("none", |f| kb.frames[f].text.as_str()),
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "one time frame per result: {} rules, frames {by_frame:?}",
        kb.rules.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The rules reach every level's frame and the narrowed ones, so the test is not vacuous.
    for want in ["today", "24-48h", "few-days", "1-2-weeks", "now"] {
        assert!(
            by_frame.contains_key(want),
            "no result had frame {want}: {by_frame:?}"
        );
    }
}

#[test]
fn the_reader_catches_a_literal_competing_frame() {
    let service = Service::new().unwrap();
    let kb = service.kb();
    let clot = kb.rules.iter().find(|r| r.id == "R-U2").unwrap();
    let today = clot.frame;
    assert!(other_frames(kb, &clot.headline, today).is_empty());
    for added in [
        "See a doctor within 24-48 hours.",
        "Book a physio within 1-2 weeks.",
        "See a doctor within a few days.",
        "Get checked within 3 days.",
    ] {
        let text = format!("{} {added}", clot.headline);
        assert!(
            !other_frames(kb, &text, today).is_empty(),
            "not caught: {added}"
        );
    }
}

#[test]
fn an_urgent_or_emergency_result_shows_only_what_to_do_until_seen() {
    let service = Service::new().unwrap();
    let kb = service.kb();
    // A fresh strain with a pop and a dent (R-U1) leads with the strain and tear conditions,
    // whose heat, ice, exercise and return-to-training advice must wait for the examination.
    let json = r#"{"schema": "hamstride.findings/2", "age_years": 30, "onset": "sudden", "mechanism": "sprinting",
        "pop_or_snap": true, "walking": "limp", "bruising": "extensive", "days_since_onset": 1,
        "pain_sites": ["upper_back_thigh"], "stopped_immediately": true}"#;
    let f = service.parse_findings(json, "case", true).unwrap().findings;
    let o = service.assess(&f);
    assert!(o.level <= 1, "{}", o.assessment.triage.level);
    for &i in &o.advice {
        assert!(kb.advice[i].until_seen, "{} shown", kb.advice[i].id);
    }
    let all = o.assessment.advice.join(" ");
    for word in ["heat", "From about day", "lengthening", "Nordic", "warm up"] {
        assert!(!all.contains(word), "{word:?} in {all}");
    }
    assert!(
        o.advice
            .iter()
            .any(|&i| kb.advice[i].id == "urgent-see-doctor"),
        "{all}"
    );
}
