//! Simulates the adaptive interview on every case of both development sets (`dev.jsonl`,
//! `dev2.jsonl`), and reports it on the published cases: a scripted runner answers
//! [`hamstride_core::Interview`]'s questions from the case's findings (unknown → "don't
//! know"), and the assessment at the end of the interview is compared with the assessment of
//! the full findings. The point is to show that the short interview reaches the same answer
//! (leading condition and triage level) as if every question had been asked, in few
//! questions. It does not judge clinical correctness against gold labels; `vignettes.rs`
//! does. Without `../shared` the test says it was skipped and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{contract_problems, load_set, rank, shared_dir};
use hamstride_core::{assess, Findings, Interview, Kb, Question};

/// Targets from the project brief.
const MIN_AGREEMENT: f64 = 0.90;
const MAX_MEDIAN_QUESTIONS: f64 = 12.0;

/// A runner who answers from a findings set; anything absent is "don't know".
fn answer(_kb: &Kb, case: &Findings, interview: &mut Interview<'_>, q: Question) {
    interview.answer_from(q, case);
}

struct Run {
    id: String,
    /// Gold triage is emergency or urgent.
    gold_serious: bool,
    asked: usize,
    full: (String, String),
    short: (String, String),
}

fn top_and_level(kb: &Kb, f: &Findings, id: &str) -> (String, String) {
    let out = assess(kb, f);
    let json = serde_json::to_value(&out.assessment).unwrap();
    let problems = contract_problems(kb, f, &json);
    assert!(problems.is_empty(), "{id}: {problems:?}");
    (
        out.assessment.differential[0].condition.clone(),
        out.assessment.triage.level.clone(),
    )
}

fn median(sorted: &[usize]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

#[test]
fn interview_reaches_the_full_answer_on_dev() {
    simulate("dev.jsonl", true);
}

#[test]
fn interview_reaches_the_full_answer_on_dev2() {
    simulate("dev2.jsonl", true);
}

/// Published cases are real histories with most answers missing; the figures are reported,
/// and only the safety property (never less urgent than the full findings) is asserted.
#[test]
fn interview_on_published_cases_is_never_less_urgent() {
    simulate("published.jsonl", false);
}

/// Run the interview on every case of one set as a scripted runner.
fn run_all(kb: &Kb, cases: &[common::Case]) -> Vec<Run> {
    let mut runs = Vec::new();
    for case in cases {
        let findings = Findings::from_json(&kb.schema, &case.findings, true)
            .unwrap_or_else(|e| panic!("{}: {e}", case.id))
            .findings;
        let mut interview = Interview::new(kb);
        // The interview caps itself (StopRule::max_questions); the bound here only turns a
        // broken cap into a failure instead of a hang.
        let mut guard = 0;
        while let Some(q) = interview.next() {
            answer(kb, &findings, &mut interview, q);
            guard += 1;
            assert!(guard <= 200, "{}: the interview does not stop", case.id);
        }
        runs.push(Run {
            asked: interview.asked_count(),
            full: top_and_level(kb, &findings, &case.id),
            short: top_and_level(kb, interview.findings(), &case.id),
            id: case.id.clone(),
            gold_serious: rank(&case.gold_triage).is_some_and(|r| r <= 1),
        });
    }
    runs
}

fn simulate(file: &str, enforce: bool) {
    let Some(shared) = shared_dir(&format!("interview simulation on {file}")) else {
        return;
    };
    let kb = Kb::embedded().unwrap();
    let runs = run_all(&kb, &load_set(&shared, file));
    let n = runs.len() as f64;
    let same_top = runs.iter().filter(|r| r.short.0 == r.full.0).count();
    let same_level = runs.iter().filter(|r| r.short.1 == r.full.1).count();
    let same_both = runs.iter().filter(|r| r.short == r.full).count();
    // Less urgent after the interview than with every answer: the dangerous direction.
    let less_urgent: Vec<&Run> = runs
        .iter()
        .filter(|r| rank(&r.short.1) > rank(&r.full.1))
        .collect();
    let mut asked: Vec<usize> = runs.iter().map(|r| r.asked).collect();
    asked.sort_unstable();
    let med = median(&asked);
    let mean = asked.iter().sum::<usize>() as f64 / n;
    let max = asked.last().copied().unwrap_or(0);

    // Emergency and urgent cases (by gold label or by the full findings' level) must reach
    // the full findings' level exactly.
    let serious_missed: Vec<&Run> = runs
        .iter()
        .filter(|r| r.gold_serious || rank(&r.full.1).is_some_and(|l| l <= 1))
        .filter(|r| r.short.1 != r.full.1)
        .collect();
    let serious = runs
        .iter()
        .filter(|r| r.gold_serious || rank(&r.full.1).is_some_and(|l| l <= 1))
        .count();
    eprintln!("\ninterview simulation on {} cases of {file}", runs.len());
    eprintln!(
        "  agreement with full findings: top-1 {:.1}%, triage {:.1}%, both {:.1}%",
        100.0 * same_top as f64 / n,
        100.0 * same_level as f64 / n,
        100.0 * same_both as f64 / n
    );
    eprintln!(
        "  questions asked: median {med}, mean {mean:.1}, max {max}; quartiles {} / {} / {}",
        asked[asked.len() / 4],
        asked[asked.len() / 2],
        asked[asked.len() * 3 / 4]
    );
    eprintln!(
        "  interview less urgent than full findings: {} case(s); emergency/urgent cases with the full level: {}/{serious}",
        less_urgent.len(),
        serious - serious_missed.len()
    );
    eprintln!(
        "interview {file}: n={} same top-1 and triage {:.1}%, same triage {:.1}%, emergency/urgent same triage {}/{serious}, median questions {med}",
        runs.len(),
        100.0 * same_both as f64 / n,
        100.0 * same_level as f64 / n,
        serious - serious_missed.len()
    );
    let disagreements: Vec<String> = runs
        .iter()
        .filter(|r| r.short != r.full)
        .map(|r| {
            format!(
                "  {} after {} questions {}/{}, full findings {}/{}",
                r.id, r.asked, r.short.0, r.short.1, r.full.0, r.full.1
            )
        })
        .collect();
    if !disagreements.is_empty() {
        eprintln!("disagreements:\n{}", disagreements.join("\n"));
    }
    let ids = |v: &[&Run]| v.iter().map(|r| r.id.clone()).collect::<Vec<String>>();
    assert!(
        less_urgent.is_empty(),
        "{file}: the interview ended less urgent than the full findings: {:?}",
        ids(&less_urgent)
    );
    if !enforce {
        return;
    }
    assert!(
        serious_missed.is_empty(),
        "{file}: emergency/urgent cases where the interview did not reach the full level: {:?}",
        ids(&serious_missed)
    );
    let agreement = same_both as f64 / n;
    assert!(
        agreement >= MIN_AGREEMENT,
        "interview agrees with the full findings (top-1 and triage) in {:.1}% of cases, \
         target {:.0}%:\n{}",
        100.0 * agreement,
        100.0 * MIN_AGREEMENT,
        disagreements.join("\n")
    );
    assert!(
        med <= MAX_MEDIAN_QUESTIONS,
        "median questions {med} > {MAX_MEDIAN_QUESTIONS}"
    );
}
