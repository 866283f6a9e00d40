//! Scores the engine on each vignette set of `../shared/vignettes` separately (`dev.jsonl`,
//! `dev2.jsonl`, and the real published cases `published.jsonl`) exactly as that folder's
//! README defines the metrics: top-1 (gold or an acceptable alternate), top-3
//! (gold only), exact triage, under- and over-triage counted separately (never netted), and
//! safety failures (gold emergency or urgent triaged lower). It prints the table overall, by
//! gold condition, by gold triage and by tag, and fails below the project's targets or on any
//! safety failure, listing the cases. Every output is also checked against the contract.
//! Without `../shared` the test says it was skipped and passes: the vignettes are not part of
//! this repository.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::{contract_problems, load_file, load_set, rank, shared_dir, Case, LEVELS};
use hamstride_core::{assess, Findings, Kb};

/// Targets of one set (from the clinical-safety issue). Zero safety failures always.
#[derive(Debug, Clone, Copy)]
struct Targets {
    top1: f64,
    top3: f64,
    triage: f64,
    max_over: f64,
}

/// The development sets: top-1 ≥ 90%, top-3 ≥ 98%, exact triage ≥ 90%, over-triage ≤ 10%.
const DEV: Targets = Targets {
    top1: 0.90,
    top3: 0.98,
    triage: 0.90,
    max_over: 0.10,
};

/// Real published cases, sparse and noisy: top-3 ≥ 90%, triage ≥ 80%, over-triage ≤ 15%.
const PUBLISHED: Targets = Targets {
    top1: 0.0,
    top3: 0.90,
    triage: 0.80,
    max_over: 0.15,
};

/// What happened on one case.
#[derive(Debug, Clone)]
struct Scored {
    id: String,
    top1: bool,
    top3: bool,
    triage: bool,
    /// Steps less urgent than gold (0 when not under-triaged).
    under: usize,
    /// Steps more urgent than gold.
    over: usize,
    safety_failure: bool,
    got: String,
}

fn score(kb: &Kb, case: &Case, nonconforming: &mut Vec<String>) -> Scored {
    let gold_rank = rank(&case.gold_triage)
        .unwrap_or_else(|| panic!("{}: gold_triage '{}'", case.id, case.gold_triage));
    // The README: a crash or a rejection of valid input is wrong on every metric, and a
    // safety failure when gold is emergency or urgent.
    let parsed = match Findings::from_json(&kb.schema, &case.findings, true) {
        Ok(p) => p,
        Err(e) => {
            nonconforming.push(format!("{}: valid findings rejected: {e}", case.id));
            return Scored {
                id: case.id.clone(),
                top1: false,
                top3: false,
                triage: false,
                under: 0,
                over: 0,
                safety_failure: gold_rank <= 1,
                got: format!("rejected: {e}"),
            };
        }
    };
    let outcome = assess(kb, &parsed.findings);
    let json = serde_json::to_value(&outcome.assessment).unwrap();
    for problem in contract_problems(kb, &parsed.findings, &json) {
        nonconforming.push(format!("{}: {problem}", case.id));
    }
    let conds: Vec<&str> = outcome
        .assessment
        .differential
        .iter()
        .map(|d| d.condition.as_str())
        .collect();
    let first = conds.first().copied().unwrap_or_default();
    let level = rank(&outcome.assessment.triage.level).unwrap_or(LEVELS.len());
    Scored {
        id: case.id.clone(),
        top1: first == case.gold_condition || case.alternates.iter().any(|a| a == first),
        top3: conds.iter().take(3).any(|c| *c == case.gold_condition),
        triage: level == gold_rank,
        under: level.saturating_sub(gold_rank),
        over: gold_rank.saturating_sub(level),
        safety_failure: gold_rank <= 1 && level > gold_rank,
        got: format!("{first}/{}", outcome.assessment.triage.level),
    }
}

/// Counts for one row of the table.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    n: usize,
    top1: usize,
    top3: usize,
    triage: usize,
    under: usize,
    under_steps: usize,
    over: usize,
    over_steps: usize,
    safety: usize,
}

impl Tally {
    fn add(&mut self, s: &Scored) {
        self.n += 1;
        self.top1 += usize::from(s.top1);
        self.top3 += usize::from(s.top3);
        self.triage += usize::from(s.triage);
        self.under += usize::from(s.under > 0);
        self.under_steps += s.under;
        self.over += usize::from(s.over > 0);
        self.over_steps += s.over;
        self.safety += usize::from(s.safety_failure);
    }

    fn rate(&self, k: usize) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            k as f64 / self.n as f64
        }
    }

    fn row(&self, name: &str) -> String {
        let pct = |k: usize| format!("{:5.1}%", 100.0 * self.rate(k));
        format!(
            "{name:34} {:>3} {} {} {} {:>3} {:>4} {} {:>3} {:>4} {} {:>3}",
            self.n,
            pct(self.top1),
            pct(self.top3),
            pct(self.triage),
            self.under,
            self.under_steps,
            pct(self.under),
            self.over,
            self.over_steps,
            pct(self.over),
            self.safety,
        )
    }
}

fn print_table(title: &str, rows: &BTreeMap<String, Tally>) {
    eprintln!("\n{title}");
    eprintln!(
        "{:34} {:>3} {:>6} {:>6} {:>6} {:>3} {:>4} {:>6} {:>3} {:>4} {:>6} {:>3}",
        "", "n", "top1", "top3", "triage", "und", "stps", "und%", "ovr", "stps", "ovr%", "saf"
    );
    for (name, t) in rows {
        eprintln!("{}", t.row(name));
    }
}

#[test]
fn dev_vignettes_meet_targets() {
    score_set("dev.jsonl", DEV);
}

#[test]
fn dev2_vignettes_meet_targets() {
    score_set("dev2.jsonl", DEV);
}

#[test]
fn published_cases_meet_targets() {
    score_set("published.jsonl", PUBLISHED);
}

/// Published cases the project retold itself from the literature (`tests/data`, sources in
/// each rationale, labelled blind from the brief before the engine was run on them; they
/// were then used to find general faults, so they are development cases now). They ship with
/// the repository, so this runs on every checkout. Zero safety failures is the target that
/// holds for every set; the rest is reported.
#[test]
fn own_published_cases_are_triaged_safely() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/published_extra.jsonl");
    let cases = load_file(&path);
    let targets = Targets {
        top1: 0.0,
        top3: 0.0,
        triage: 0.0,
        max_over: 1.0,
    };
    score_cases("published_extra.jsonl", cases, targets);
}

fn score_set(file: &str, targets: Targets) {
    let Some(shared) = shared_dir(&format!("vignette scoring of {file}")) else {
        return;
    };
    score_cases(file, load_set(&shared, file), targets);
}

fn score_cases(file: &str, cases: Vec<Case>, targets: Targets) {
    let kb = Kb::embedded().unwrap();
    let mut nonconforming = Vec::new();
    let scored: Vec<(Case, Scored)> = cases
        .into_iter()
        .map(|c| {
            let s = score(&kb, &c, &mut nonconforming);
            (c, s)
        })
        .collect();

    let mut overall = Tally::default();
    let mut by_condition: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_triage: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_tag: BTreeMap<String, Tally> = BTreeMap::new();
    for (c, s) in &scored {
        overall.add(s);
        by_condition
            .entry(c.gold_condition.clone())
            .or_default()
            .add(s);
        // Prefix with the rank so the rows print most urgent first.
        let key = format!("{} {}", rank(&c.gold_triage).unwrap_or(9), c.gold_triage);
        by_triage.entry(key).or_default().add(s);
        for t in &c.tags {
            by_tag.entry(t.clone()).or_default().add(s);
        }
    }
    let mut total = BTreeMap::new();
    total.insert(String::from("all cases"), overall);
    print_table(&format!("{file}: overall"), &total);
    print_table("by gold_condition", &by_condition);
    print_table("by gold_triage", &by_triage);
    print_table("by tag", &by_tag);

    let misses: Vec<String> = scored
        .iter()
        .filter(|(_, s)| !(s.top1 && s.triage))
        .map(|(c, s)| {
            format!(
                "  {} gold {}/{} got {}{}",
                s.id,
                c.gold_condition,
                c.gold_triage,
                s.got,
                if s.top3 { "" } else { " (gold not in top 3)" }
            )
        })
        .collect();
    if !misses.is_empty() {
        eprintln!("\nmisses (top-1 or triage):\n{}", misses.join("\n"));
    }

    assert!(
        nonconforming.is_empty(),
        "outputs break the contract:\n{}",
        nonconforming.join("\n")
    );
    let safety: Vec<&str> = scored
        .iter()
        .filter(|(_, s)| s.safety_failure)
        .map(|(_, s)| s.id.as_str())
        .collect();
    assert!(
        safety.is_empty(),
        "safety failures (gold emergency/urgent triaged lower): {safety:?}"
    );
    eprintln!(
        "vignettes {file}: n={} top-1 {:.1}% top-3 {:.1}% triage {:.1}% under {} over {} ({:.1}%) safety failures {}",
        overall.n,
        100.0 * overall.rate(overall.top1),
        100.0 * overall.rate(overall.top3),
        100.0 * overall.rate(overall.triage),
        overall.under,
        overall.over,
        100.0 * overall.rate(overall.over),
        overall.safety
    );
    let checks = [
        (
            "top-1",
            overall.rate(overall.top1) >= targets.top1,
            targets.top1,
        ),
        (
            "top-3",
            overall.rate(overall.top3) >= targets.top3,
            targets.top3,
        ),
        (
            "exact triage",
            overall.rate(overall.triage) >= targets.triage,
            targets.triage,
        ),
        (
            "over-triage",
            overall.rate(overall.over) <= targets.max_over,
            targets.max_over,
        ),
    ];
    let failed: Vec<String> = checks
        .iter()
        .filter(|(_, ok, _)| !ok)
        .map(|(name, _, want)| format!("{name} (target {:.0}%)", want * 100.0))
        .collect();
    assert!(failed.is_empty(), "{file} misses: {}", failed.join(", "));
}
