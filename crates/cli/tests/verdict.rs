//! The verdict first (issue 13, item 4): the text of `hamstride assess` shows the decision
//! on one screen, and every text the runner can read passes a small lint. The decision part
//! (up to the "More:" line) must fit 40 rows of an 80-column terminal for every vignette we
//! can load: `crates/core/tests/data/published_extra.jsonl` always, and the shared
//! `dev.jsonl` and `dev2.jsonl` when the checkout sits beside `../shared`. The lint looks for
//! doubled articles ("no a", "the the"), a word said twice and abbreviations in the wrong
//! case ("dvt"), in those texts, in the insta snapshots and in the string values of `kb/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Rows the decision may take; a 45-row terminal keeps the command and a few rows of room.
const MAX_ROWS: usize = 40;
const COLUMNS: usize = 80;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Vignette cases as (id, findings JSON), from every file we can find.
fn cases() -> Vec<(String, String)> {
    let mut files = vec![root().join("crates/core/tests/data/published_extra.jsonl")];
    for f in ["dev.jsonl", "dev2.jsonl"] {
        let p = root().join("../shared/vignettes").join(f);
        if p.exists() {
            files.push(p);
        } else {
            eprintln!("verdict: skipped {} (not present)", p.display());
        }
    }
    let mut out = Vec::new();
    for f in files {
        for line in std::fs::read_to_string(&f).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            out.push((
                v["id"].as_str().unwrap().to_string(),
                v["findings"].to_string(),
            ));
        }
    }
    out
}

fn assess(findings: &str, extra: &[&str]) -> String {
    let data = std::env::temp_dir().join(format!("hamstride-verdict-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .env("HAMSTRIDE_DATA_DIR", data)
        .args(["assess", "--no-record", "--input", "-"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(findings.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Screen rows the text takes on an 80-column terminal, up to and including the "More:" line.
fn decision_rows(text: &str) -> usize {
    let mut rows = 0;
    for line in text.lines() {
        rows += line.chars().count().div_ceil(COLUMNS).max(1);
        if line.starts_with("More: ") {
            break;
        }
    }
    rows
}

/// Abbreviations that must keep their capitals wherever they appear as a word.
const ABBREVIATIONS: &[&str] = &[
    "DVT", "NSAID", "NSAIDs", "MRI", "ACL", "PHT", "DHT", "BMI", "RED-S", "NHS", "GP",
];
/// Snapshot keys followed by an id, not words.
const ID_KEYS: &[&str] = &["protocol:", "condition:", "id:", "rule:", "phase:"];
const ARTICLES: &[&str] = &["a", "an", "the"];

/// The lint: one message per problem found in `text`, naming `place`. Two words are a pair
/// only when nothing but a space stands between them ("Colosimo: Colosimo" is a citation, not a
/// slip), and web addresses are not words.
fn lint(place: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let tokens: Vec<&str> = text
        .split_whitespace()
        .filter(|t| !t.contains('/') && !t.contains("www.") && !t.contains('@'))
        .collect();
    for pair in tokens.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.ends_with(|c: char| !c.is_alphanumeric())
            || b.starts_with(|c: char| !c.is_alphanumeric())
        {
            continue;
        }
        let (la, lb) = (bare(a).to_lowercase(), bare(b).to_lowercase());
        let doubled_article =
            ARTICLES.contains(&lb.as_str()) && (ARTICLES.contains(&la.as_str()) || la == "no");
        let repeated = la == lb && la.len() > 1 && la.chars().all(char::is_alphabetic);
        if doubled_article || repeated {
            found.push(format!("{place}: \"{a} {b}\""));
        }
    }
    // Ids are not prose: "pht-isometric", or "protocol: pht" in a snapshot.
    let mut after_key = false;
    for t in &tokens {
        let is_id = after_key || t.contains(['-', '_']);
        after_key = ID_KEYS.contains(t);
        if is_id {
            continue;
        }
        let w = bare(t);
        for abbr in ABBREVIATIONS {
            if w.eq_ignore_ascii_case(abbr) && w != *abbr && !w.chars().any(char::is_uppercase) {
                found.push(format!("{place}: \"{w}\" should read \"{abbr}\""));
            }
        }
    }
    found
}

#[test]
fn lint_catches_what_it_should() {
    assert_eq!(lint("t", "no a cramp").len(), 1);
    assert_eq!(lint("t", "the the leg").len(), 1);
    assert_eq!(lint("t", "a clot (dvt) in").len(), 1);
    assert!(lint("t", "no cramp; a clot (DVT) and NSAIDs").is_empty());
}

#[test]
fn the_decision_fits_one_screen_and_every_case_reads_cleanly() {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (id, findings) in cases() {
        let text = assess(&findings, &[]);
        let n = decision_rows(&text);
        assert!(
            text.lines().any(|l| l.starts_with("More: ")),
            "{id}: no line saying how to see more:\n{text}"
        );
        if n > MAX_ROWS {
            problems.push(format!("{id}: the decision takes {n} rows:\n{text}"));
        }
        rows.push(n);
        let full = assess(&findings, &["--details", "--sources"]);
        problems.extend(lint(&id, &full));
    }
    rows.sort_unstable();
    eprintln!(
        "verdict: {} cases, decision rows median {} max {}",
        rows.len(),
        rows[rows.len() / 2],
        rows[rows.len() - 1]
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[test]
fn snapshots_and_kb_texts_read_cleanly() {
    let mut problems = Vec::new();
    let mut dirs = vec![root().join("crates/core/tests/snapshots")];
    for c in std::fs::read_dir(root().join("crates")).unwrap() {
        dirs.push(c.unwrap().path().join("tests/snapshots"));
    }
    dirs.dedup();
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "snap") {
                let text = std::fs::read_to_string(&p).unwrap();
                problems.extend(lint(&p.display().to_string(), &text));
            }
        }
    }
    for e in std::fs::read_dir(root().join("kb")).unwrap() {
        let p = e.unwrap().path();
        // sources.toml holds the references as published: their titles are not ours to edit.
        if p.extension().is_some_and(|x| x == "toml") && !p.ends_with("sources.toml") {
            let v: toml::Value = toml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let mut all = Vec::new();
            strings(&v, &mut all);
            // A value without a space is an id ("pht"), not a sentence.
            for s in all.into_iter().filter(|s| s.contains(' ')) {
                problems.extend(lint(&p.display().to_string(), &s));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
