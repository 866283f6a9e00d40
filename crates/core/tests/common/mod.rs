//! Helpers shared by the integration tests of `hamstride-core`: finding the shared project
//! folder (`../shared`, which is absent in some checkouts), reading the development vignettes,
//! and a hand-written checker for the assessment contract (`spec/assessment.md`, output
//! section). The checker is deliberately written from the contract text, not from the engine's
//! types, so a change to the engine's serialisation that breaks the contract fails a test.
//! It does not score anything; scoring lives in `vignettes.rs`.

// Each test file compiles this module separately and uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hamstride_core::expr::EvalContext;
use hamstride_core::findings::FieldKind;
use hamstride_core::{Findings, Kb, Value};
use serde_json::Value as Json;

/// The contract's triage levels, most urgent first.
pub const LEVELS: [&str; 4] = ["emergency", "urgent", "clinician", "self_care"];

/// The contract's condition ids, copied from the contract text (not from the engine) on
/// purpose: the test must notice if the engine's list drifts.
pub const CONTRACT_CONDITIONS: [&str; 14] = [
    "acute_hamstring_strain",
    "hamstring_tear_or_avulsion",
    "proximal_hamstring_tendinopathy",
    "distal_hamstring_tendinopathy",
    "lumbar_radiculopathy",
    "sciatic_nerve_entrapment",
    "exercise_associated_cramp",
    "doms",
    "hamstring_tightness",
    "deep_vein_thrombosis",
    "stress_fracture",
    "ischiofemoral_impingement",
    "cauda_equina_syndrome",
    "other",
];

pub fn rank(level: &str) -> Option<usize> {
    LEVELS.iter().position(|l| *l == level)
}

/// The shared project folder, or `None` when this checkout does not have it. Either way it
/// says so in one line on the real stderr (not the test harness's captured output), so a plain
/// `cargo test` shows which checks against ../shared ran and which were skipped.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    use std::io::Write;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let found = dir.is_dir();
    let line = if found {
        format!("ran with ../shared: {what}")
    } else {
        format!("SKIPPED: ../shared not found; {what} not run")
    };
    let _ = writeln!(std::io::stderr(), "{line}");
    found.then_some(dir)
}

/// One development vignette, reduced to what the tests use.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub findings: Json,
    pub gold_condition: String,
    pub alternates: Vec<String>,
    pub gold_triage: String,
    pub tags: Vec<String>,
}

fn strings(v: &Json, key: &str, id: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{id}: '{key}' is not an array"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("{id}: '{key}' holds a non-string"))
                .to_string()
        })
        .collect()
}

/// Read `vignettes/dev.jsonl` from the shared folder.
pub fn load_cases(shared: &Path) -> Vec<Case> {
    load_set(shared, "dev.jsonl")
}

/// The vignette sets, in the order they are reported: (file name, what it is).
pub const SETS: [(&str, &str); 3] = [
    ("dev.jsonl", "development set 1 (72)"),
    (
        "dev2.jsonl",
        "development set 2 (60, many triage boundaries)",
    ),
    ("published.jsonl", "published cases (20 real patients)"),
];

/// Read one vignette file (`dev.jsonl`, `dev2.jsonl`, `published.jsonl`) from the shared folder.
pub fn load_set(shared: &Path, file: &str) -> Vec<Case> {
    load_file(&shared.join("vignettes").join(file))
}

/// Read a vignette file in the shared record format from any path.
pub fn load_file(path: &Path) -> Vec<Case> {
    let path = path.to_path_buf();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Json = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), n + 1));
        let id = v["id"]
            .as_str()
            .unwrap_or_else(|| panic!("line {}: no id", n + 1))
            .to_string();
        let text_of = |k: &str| {
            v[k].as_str()
                .unwrap_or_else(|| panic!("{id}: '{k}' is not a string"))
                .to_string()
        };
        out.push(Case {
            findings: v["findings"].clone(),
            gold_condition: text_of("gold_condition"),
            gold_triage: text_of("gold_triage"),
            alternates: strings(&v, "acceptable_alternates", &id),
            tags: strings(&v, "tags", &id),
            id,
        });
    }
    assert!(!out.is_empty(), "{} holds no cases", path.display());
    out
}

fn keys(v: &Json) -> BTreeSet<&str> {
    v.as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn check_keys(v: &Json, want: &[&str], what: &str, problems: &mut Vec<String>) {
    if !v.is_object() {
        problems.push(format!("{what} is not an object"));
        return;
    }
    let have = keys(v);
    let want: BTreeSet<&str> = want.iter().copied().collect();
    if have != want {
        problems.push(format!(
            "{what} has keys {have:?}, the contract says {want:?}"
        ));
    }
}

fn string_list<'a>(v: &'a Json, what: &str, problems: &mut Vec<String>) -> Vec<&'a str> {
    match v.as_array() {
        Some(items) => items
            .iter()
            .filter_map(|s| {
                let t = s.as_str();
                if t.is_none() {
                    problems.push(format!("{what} holds a non-string: {s}"));
                }
                t
            })
            .collect(),
        None => {
            problems.push(format!("{what} is not an array"));
            Vec::new()
        }
    }
}

fn non_empty_str<'a>(v: &'a Json, what: &str, problems: &mut Vec<String>) -> &'a str {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => s,
        _ => {
            problems.push(format!("{what} must be a non-empty string, found {v}"));
            ""
        }
    }
}

/// `triage.set_by` (contract v2): a rule or a must-not-miss screen of the knowledge base;
/// an emergency only ever from an emergency rule.
fn set_by_problems(kb: &Kb, triage: &Json, level: Option<usize>, p: &mut Vec<String>) {
    let set_by = &triage["set_by"];
    check_keys(set_by, &["kind", "id"], "triage.set_by", p);
    let id = set_by["id"].as_str().unwrap_or_default();
    match set_by["kind"].as_str() {
        Some("rule") => match kb.rules.iter().find(|r| r.id == id) {
            None => p.push(format!("triage.set_by names unknown rule '{id}'")),
            // An emergency rule presumed from missing answers sets "urgent", never emergency.
            Some(r) if r.level == 0 && level == Some(1) => {}
            Some(r) if Some(usize::from(r.level)) != level => p.push(format!(
                "triage.set_by rule {id} is {}, the level is {:?}",
                LEVELS[usize::from(r.level)],
                level.map(|l| LEVELS[l])
            )),
            Some(_) => {}
        },
        Some("screen") => {
            if !kb.must_not_miss.iter().any(|m| m.id == id) {
                p.push(format!("triage.set_by names unknown screen '{id}'"));
            }
            if level == Some(0) {
                p.push("an emergency set by a screen, not an emergency rule".into());
            }
        }
        other => p.push(format!(
            "triage.set_by.kind is {other:?}, not rule or screen"
        )),
    }
}

/// `triage.could_change` (contract v2): unanswered findings, each with an answer and a level.
fn could_change_problems(kb: &Kb, input: &Findings, triage: &Json, p: &mut Vec<String>) {
    let Some(items) = triage["could_change"].as_array() else {
        p.push("triage.could_change is not an array".into());
        return;
    };
    for (i, c) in items.iter().enumerate() {
        let what = format!("triage.could_change[{i}]");
        check_keys(c, &["finding", "answer", "level"], &what, p);
        let f = c["finding"].as_str().unwrap_or_default();
        match kb.schema.index(f) {
            None => p.push(format!("{what}.finding '{f}' is not a contract field")),
            Some(fi) if input.get(fi).is_some() => {
                p.push(format!("{what}.finding '{f}' was answered"))
            }
            Some(_) => {}
        }
        non_empty_str(&c["answer"], &format!("{what}.answer"), p);
        if c["level"].as_str().and_then(rank).is_none() {
            p.push(format!(
                "{what}.level {} is not a contract level",
                c["level"]
            ));
        }
    }
}

/// Check one assessment JSON against the contract, given the knowledge base and the findings
/// it was computed from. Returns every problem found (empty = conforms).
pub fn contract_problems(kb: &Kb, input: &Findings, out: &Json) -> Vec<String> {
    let mut p = Vec::new();
    check_keys(
        out,
        &[
            "schema",
            "findings_schema",
            "knowledge_version",
            "triage",
            "differential",
            "red_flags",
            "next_questions",
            "advice",
            "disclaimer",
        ],
        "assessment",
        &mut p,
    );
    if out["schema"] != "hamstride.assessment/2" {
        p.push(format!("schema is {}", out["schema"]));
    }
    let tag = ["hamstride.findings/1", "hamstride.findings/2"][usize::from(input.version()) - 1];
    if out["findings_schema"] != tag {
        p.push(format!(
            "findings_schema is {}, the input was {tag}",
            out["findings_schema"]
        ));
    }
    if out["knowledge_version"].as_str() != Some(kb.version.as_str()) {
        p.push(format!(
            "knowledge_version is {}, the knowledge base is {}",
            out["knowledge_version"], kb.version
        ));
    }
    non_empty_str(&out["disclaimer"], "disclaimer", &mut p);

    // Triage.
    let triage = &out["triage"];
    check_keys(
        triage,
        &["level", "headline", "reasons", "set_by", "could_change"],
        "triage",
        &mut p,
    );
    let level = triage["level"].as_str().and_then(rank);
    set_by_problems(kb, triage, level, &mut p);
    could_change_problems(kb, input, triage, &mut p);
    if level.is_none() {
        p.push(format!(
            "triage.level {} is not a contract level",
            triage["level"]
        ));
    }
    non_empty_str(&triage["headline"], "triage.headline", &mut p);
    match triage["reasons"].as_array() {
        Some(reasons) => {
            if reasons.is_empty() {
                p.push("triage.reasons is empty: every level needs a reason".into());
            }
            for (i, r) in reasons.iter().enumerate() {
                let what = format!("triage.reasons[{i}]");
                check_keys(r, &["rule", "text", "sources"], &what, &mut p);
                non_empty_str(&r["rule"], &format!("{what}.rule"), &mut p);
                non_empty_str(&r["text"], &format!("{what}.text"), &mut p);
                let sources = string_list(&r["sources"], &format!("{what}.sources"), &mut p);
                if sources.is_empty() {
                    p.push(format!("{what} cites no source"));
                }
            }
        }
        None => p.push("triage.reasons is not an array".into()),
    }

    // Differential.
    match out["differential"].as_array() {
        Some(diff) => {
            if diff.len() < 3 {
                p.push(format!("differential has {} entries, needs 3", diff.len()));
            }
            let mut seen = BTreeSet::new();
            let mut sum = 0.0;
            let mut last = f64::INFINITY;
            for (i, d) in diff.iter().enumerate() {
                let what = format!("differential[{i}]");
                check_keys(
                    d,
                    &["condition", "name", "probability", "for", "against"],
                    &what,
                    &mut p,
                );
                let c = d["condition"].as_str().unwrap_or_default();
                if !CONTRACT_CONDITIONS.contains(&c) {
                    p.push(format!("{what}.condition '{c}' is not a contract id"));
                }
                if !seen.insert(c) {
                    p.push(format!("{what}.condition '{c}' is listed twice"));
                }
                non_empty_str(&d["name"], &format!("{what}.name"), &mut p);
                match d["probability"].as_f64() {
                    Some(x) if (0.0..=1.0).contains(&x) => {
                        if x > last {
                            p.push(format!("{what} ({x}) is above the entry before ({last})"));
                        }
                        last = x;
                        sum += x;
                    }
                    _ => p.push(format!(
                        "{what}.probability {} is not in [0, 1]",
                        d["probability"]
                    )),
                }
                string_list(&d["for"], &format!("{what}.for"), &mut p);
                string_list(&d["against"], &format!("{what}.against"), &mut p);
            }
            if sum > 1.0 + 1e-9 {
                p.push(format!("differential probabilities sum to {sum}"));
            }
        }
        None => p.push("differential is not an array".into()),
    }

    // Red flags: exactly the red-flag rules whose condition holds on these findings. Red-flag
    // rules may not read the differential (the loader enforces it), so evaluating them without
    // one is their true value.
    let no_probabilities = EvalContext {
        posterior: None,
        top: None,
        level: None,
    };
    let listed: BTreeSet<&str> = string_list(&out["red_flags"], "red_flags", &mut p)
        .into_iter()
        .collect();
    let fired: BTreeSet<&str> = kb
        .rules
        .iter()
        .filter(|r| r.red_flag && r.when.eval(input, &no_probabilities))
        .map(|r| r.id.as_str())
        .collect();
    if listed != fired {
        p.push(format!(
            "red_flags lists {listed:?}, the red-flag rules that hold are {fired:?}"
        ));
    }
    // A red flag is never outvoted: the level is at least as urgent as every emergency or
    // urgent rule that holds.
    if let Some(level) = level {
        for r in kb.rules.iter().filter(|r| r.level <= 1) {
            if r.when.eval(input, &no_probabilities) && level > usize::from(r.level) {
                p.push(format!(
                    "rule {} ({}) holds but the level is {}",
                    r.id,
                    LEVELS[usize::from(r.level)],
                    LEVELS[level]
                ));
            }
        }
    }

    // Next questions: unanswered contract fields, each once.
    let mut asked = BTreeSet::new();
    for q in string_list(&out["next_questions"], "next_questions", &mut p) {
        match kb.schema.index(q) {
            Some(fi) if input.get(fi).is_some() => {
                p.push(format!("next_questions asks '{q}', which was answered"))
            }
            Some(_) => {}
            None => p.push(format!("next_questions names unknown field '{q}'")),
        }
        if !asked.insert(q) {
            p.push(format!("next_questions lists '{q}' twice"));
        }
    }

    for (i, a) in string_list(&out["advice"], "advice", &mut p)
        .into_iter()
        .enumerate()
    {
        if a.trim().is_empty() {
            p.push(format!("advice[{i}] is empty"));
        }
    }
    p
}

/// Turn a random number into a valid value of a field, covering the whole range of each kind.
pub fn value_of(kind: &FieldKind, raw: u64) -> Value {
    match kind {
        FieldKind::Bool => Value::Bool(raw & 1 == 1),
        FieldKind::Int { min, max } => {
            let span = (max - min + 1) as u64;
            Value::Num((min + (raw % span) as i64) as f64)
        }
        FieldKind::Number { min, max } => {
            // Mostly tenths in 0..200 (the range runners answer in), sometimes exactly the
            // minimum, sometimes very large.
            let x = match raw % 8 {
                0 => *min,
                1 => (raw >> 3) as f64,
                _ => ((raw >> 3) % 2000) as f64 / 10.0,
            };
            Value::Num(x.clamp(*min, *max))
        }
        FieldKind::Enum(v) => Value::Enum((raw % v.len() as u64) as u8),
        FieldKind::Multi(v) => {
            let mask = if v.len() >= 64 {
                u64::MAX
            } else {
                (1u64 << v.len()) - 1
            };
            Value::Multi(raw & mask)
        }
    }
}
