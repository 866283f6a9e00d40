//! Scores the engine on the development vignettes (`../shared/vignettes/dev.jsonl`) exactly as
//! that folder's README defines the metrics: top-1 (gold or an acceptable alternate), top-3
//! (gold only), exact triage, under- and over-triage counted separately (never netted), and
//! safety failures (gold emergency or urgent triaged lower). It prints the table overall, by
//! gold condition, by gold triage and by tag, and fails below the project's targets or on any
//! safety failure, listing the cases. Every output is also checked against the contract.
//! Without `../shared` the test says it was skipped and passes: the vignettes are not part of
//! this repository.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::{contract_problems, load_cases, rank, shared_dir, Case, LEVELS};
use hamstride_core::{assess, Findings, Kb};

/// Targets from the project brief.
const MIN_TOP1: f64 = 0.85;
const MIN_TOP3: f64 = 0.95;
const MIN_TRIAGE: f64 = 0.90;

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
    let Some(shared) = shared_dir("vignette scoring") else {
        return;
    };
    let kb = Kb::embedded().unwrap();
    let cases = load_cases(&shared);
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
    print_table("dev vignettes: overall", &total);
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
    let checks = [
        ("top-1", overall.rate(overall.top1), MIN_TOP1),
        ("top-3", overall.rate(overall.top3), MIN_TOP3),
        ("exact triage", overall.rate(overall.triage), MIN_TRIAGE),
    ];
    let failed: Vec<String> = checks
        .iter()
        .filter(|(_, got, want)| got < want)
        .map(|(name, got, want)| format!("{name} {:.1}% < {:.0}%", got * 100.0, want * 100.0))
        .collect();
    assert!(failed.is_empty(), "below target: {}", failed.join(", "));
}
