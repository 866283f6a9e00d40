//! Robustness of triage to incomplete and imprecise answers, generated from the development
//! vignettes (`dev.jsonl` and `dev2.jsonl` in `../shared`). Runners skip questions, stop
//! early and name the spot next to the one that hurts; a triage tool that is safe only on
//! tidy, complete answers is not safe. From every case this file makes, as findings files
//! read through `Findings::from_json` like `hamstride assess --input`: the findings with 20%
//! and 40% of the answers dropped (ten seeded draws per case and fraction, plus a property
//! test over random subsets); each ticked `pain_sites` / `pain_quality` item moved to one of
//! its anatomical or verbal neighbours (`kb.near`); and "don't know" for every deciding
//! answer (the answers read by the rule that set the level on the full findings). For a case
//! whose gold triage is emergency or urgent, no variant may be triaged below urgent unless
//! answers of that deciding rule were dropped, and then the output must name one of them (in
//! `triage.could_change` or `next_questions`) so the runner is asked for it. A neighbour move
//! drops nothing, so it may never lower such a case. The adaptive interview, answered from
//! the full findings, must reach at least the full-findings level in every such case. Every
//! output must meet the contract. It reports top-1 and exact triage against gold at 20% and
//! 40% dropped answers, one summary line per test. Without `../shared` each test says it
//! was skipped and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use common::{contract_problems, load_set, rank, shared_dir, Case, LEVELS};
use hamstride_core::engine::Outcome;
use hamstride_core::triage::SetBy;
use hamstride_core::{assess, Findings, Interview, Kb};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value as Json;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::embedded().expect("embedded knowledge base"));

/// The development sets the variants are generated from (the published cases are kept for
/// judging, not for generating).
const SETS: [&str; 2] = ["dev.jsonl", "dev2.jsonl"];

/// Share of a case's answers dropped, as the issue asks.
const FRACTIONS: [f64; 2] = [0.2, 0.4];

/// Seeded draws per case and fraction in the deterministic sweep.
const SEEDS: u64 = 10;

/// Random drops tried by the property test (on top of the sweep's fixed ones).
const PROPERTY_CASES: u32 = 1024;

/// Level ranks, as in `Outcome::level`.
const URGENT: u8 = 1;

/// One development case with its full-findings assessment: the reference every variant of
/// the case is compared with.
struct Base {
    case: Case,
    findings: Findings,
    level: u8,
    /// The rule that set the level on the full findings (for a presumption or a screen,
    /// the rule presumed): its answers are "the answers that define its rule".
    rule: usize,
    set_by: String,
}

impl Base {
    fn gold_urgent(&self) -> bool {
        rank(&self.case.gold_triage).is_some_and(|r| r <= usize::from(URGENT))
    }

    /// Cases the drop invariant guards: gold emergency or urgent, and urgent or above on the
    /// full findings. A case already below urgent with every answer cannot be "lowered";
    /// `vignettes.rs` fails on it as a safety failure, this file only counts it.
    fn guarded(&self) -> bool {
        self.gold_urgent() && self.level <= URGENT
    }

    /// Answered fields of the deciding rule.
    fn deciding(&self, kb: &Kb) -> Vec<usize> {
        kb.rules[self.rule]
            .fields
            .iter()
            .copied()
            .filter(|&fi| self.findings.get(fi).is_some())
            .collect()
    }
}

fn rule_of(set_by: SetBy) -> usize {
    match set_by {
        SetBy::Rule(i) | SetBy::Presumed(i) | SetBy::Screen(_, i) => i,
    }
}

fn describe_set_by(kb: &Kb, out: &Outcome) -> String {
    let rule = &kb.rules[rule_of(out.decision.set_by)].id;
    match out.decision.set_by {
        SetBy::Rule(_) => format!("rule {rule}"),
        SetBy::Presumed(_) => format!("presumed {rule}"),
        SetBy::Screen(s, _) => format!("screen {} presuming {rule}", kb.must_not_miss[s].id),
    }
}

/// Parse a findings file strictly, as the CLI does.
fn parse(kb: &Kb, json: &Json, what: &str) -> Findings {
    Findings::from_json(&kb.schema, json, true)
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .findings
}

/// Assess and check the output against the contract; problems go to `problems`.
fn assess_checked(kb: &Kb, f: &Findings, what: &str, problems: &mut Vec<String>) -> Outcome {
    let out = assess(kb, f);
    let json = serde_json::to_value(&out.assessment).unwrap();
    for p in contract_problems(kb, f, &json) {
        problems.push(format!("{what}: {p}"));
    }
    out
}

/// Every case of both sets with its full-findings outcome.
fn load_bases(kb: &Kb, shared: &Path, problems: &mut Vec<String>) -> Vec<Base> {
    let mut out = Vec::new();
    for set in SETS {
        for case in load_set(shared, set) {
            let findings = parse(kb, &case.findings, &case.id);
            let full = assess_checked(kb, &findings, &format!("{} full", case.id), problems);
            out.push(Base {
                level: full.level,
                rule: rule_of(full.decision.set_by),
                set_by: describe_set_by(kb, &full),
                findings,
                case,
            });
        }
    }
    out
}

/// The answered keys of a findings file, sorted so that draws do not depend on map order.
fn answer_keys(json: &Json) -> Vec<String> {
    let mut keys: Vec<String> = json
        .as_object()
        .map(|m| m.keys().filter(|k| *k != "schema").cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn without(json: &Json, dropped: &[String]) -> Json {
    let mut out = json.clone();
    if let Some(m) = out.as_object_mut() {
        for k in dropped {
            m.remove(k);
        }
    }
    out
}

/// How many of `n` answers a fraction drops: rounded, and at least one so that sparse cases
/// are tested too.
fn drop_count(n: usize, fraction: f64) -> usize {
    ((n as f64 * fraction).round() as usize).clamp(n.min(1), n)
}

/// splitmix64: a tiny, well-mixed generator, so the sweep is the same on every machine
/// without a dependency.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed from the case id (FNV-1a), the draw number and the fraction, so that adding a
/// case or a draw leaves every other draw unchanged.
fn seed_for(id: &str, draw: u64, fraction: f64) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    h ^ draw.wrapping_mul(0x9E37_79B9) ^ fraction.to_bits()
}

/// `count` keys drawn without replacement (partial Fisher-Yates).
fn draw(keys: &[String], count: usize, seed: u64) -> Vec<String> {
    let mut pool = keys.to_vec();
    let mut state = seed;
    for i in 0..count.min(pool.len()) {
        let j = i + (splitmix64(&mut state) % (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(count);
    pool.sort();
    pool
}

/// One changed copy of a case's findings file.
struct Variant {
    label: String,
    json: Json,
    /// Fields whose answer was dropped (a neighbour move drops nothing).
    dropped: Vec<String>,
    /// The field a neighbour move changed.
    moved: Option<usize>,
}

/// Each ticked list item with neighbours, moved to each neighbour not already ticked: one
/// variant per move, so a failure names the exact confusion.
fn neighbour_moves(kb: &Kb, json: &Json) -> Vec<Variant> {
    let mut out = Vec::new();
    for (field, item, near, _) in &kb.near {
        let f = &kb.schema.fields[*field];
        let Some(ticked) = json[f.id.as_str()].as_array() else {
            continue;
        };
        let name = &f.values()[usize::from(*item)];
        if !ticked.iter().any(|t| t == name.as_str()) {
            continue;
        }
        for n in near {
            let to = &f.values()[usize::from(*n)];
            if ticked.iter().any(|t| t == to.as_str()) {
                continue;
            }
            let moved: Vec<Json> = ticked
                .iter()
                .map(|t| {
                    if t == name.as_str() {
                        Json::from(to.as_str())
                    } else {
                        t.clone()
                    }
                })
                .collect();
            let mut v = json.clone();
            v[f.id.as_str()] = Json::Array(moved);
            out.push(Variant {
                label: format!("{} {name} -> {to}", f.id),
                json: v,
                dropped: Vec::new(),
                moved: Some(*field),
            });
        }
    }
    out
}

/// "Don't know" for every answered field of the deciding rule; `None` when that rule reads
/// no answer (the self-care default, or a level presumed from unknown answers only).
fn deciding_unknown(kb: &Kb, base: &Base) -> Option<Variant> {
    let dropped: Vec<String> = base
        .deciding(kb)
        .into_iter()
        .map(|fi| kb.schema.fields[fi].id.clone())
        .collect();
    (!dropped.is_empty()).then(|| Variant {
        label: format!("deciding answers unknown ({})", kb.rules[base.rule].id),
        json: without(&base.case.findings, &dropped),
        dropped,
        moved: None,
    })
}

/// The questions an output puts to the runner: `could_change` findings and `next_questions`.
fn named(out: &Outcome) -> BTreeSet<&str> {
    let a = &out.assessment;
    a.triage
        .could_change
        .iter()
        .map(|c| c.finding.as_str())
        .chain(a.next_questions.iter().map(String::as_str))
        .collect()
}

/// The safety invariant for one variant of a guarded case: `None` when it holds, otherwise
/// a report with everything the engine owner needs to reproduce it.
fn breach(kb: &Kb, base: &Base, v: &Variant, out: &Outcome) -> Option<String> {
    if !base.guarded() || out.level <= URGENT {
        return None;
    }
    let rule = &kb.rules[base.rule];
    let defining: Vec<&str> = v
        .dropped
        .iter()
        .map(String::as_str)
        .filter(|d| rule.fields.iter().any(|&fi| kb.schema.fields[fi].id == *d))
        .collect();
    let asked = named(out);
    let why = if v.moved.is_some_and(|fi| rule.fields.contains(&fi)) {
        // Moved, not dropped: the answer is still given, so it cannot be asked again.
        format!(
            "moved an answer {} reads, which no output can name",
            rule.id
        )
    } else if defining.is_empty() {
        format!("no answer of {} was dropped", rule.id)
    } else if defining.iter().any(|d| asked.contains(d)) {
        return None;
    } else {
        format!("dropped {defining:?} of {} but names none of them", rule.id)
    };
    let could: Vec<String> = out
        .assessment
        .triage
        .could_change
        .iter()
        .map(|c| format!("{}={}->{}", c.finding, c.answer, c.level))
        .collect();
    Some(format!(
        "{} [{}] gold {}: full {} (set by {}), now {} (set by {}); {why}; dropped {:?}; \
         could_change {could:?}; next_questions {:?}",
        base.case.id,
        v.label,
        base.case.gold_triage,
        LEVELS[usize::from(base.level)],
        base.set_by,
        out.assessment.triage.level,
        describe_set_by(kb, out),
        v.dropped,
        out.assessment.next_questions,
    ))
}

/// Counts for one report: agreement with gold and with the full-findings level.
#[derive(Default)]
struct Tally {
    n: usize,
    top1: usize,
    exact: usize,
    kept: usize,
}

impl Tally {
    fn add(&mut self, base: &Base, out: &Outcome) {
        let c = &base.case;
        let top = out.assessment.differential[0].condition.as_str();
        self.n += 1;
        self.top1 += usize::from(top == c.gold_condition || c.alternates.iter().any(|a| a == top));
        self.exact += usize::from(out.assessment.triage.level == c.gold_triage);
        self.kept += usize::from(out.level == base.level);
    }

    fn pct(&self, k: usize) -> f64 {
        100.0 * k as f64 / self.n.max(1) as f64
    }
}

/// What the sweep found: the tallies and every broken invariant or contract.
#[derive(Default)]
struct Sweep {
    full: Tally,
    dropped: [Tally; 2],
    near: Tally,
    unknown: Tally,
    /// Guarded variants of the deciding-unknown kind that stayed urgent or above.
    unknown_still_urgent: (usize, usize),
    checked: usize,
    breaches: Vec<String>,
    problems: Vec<String>,
}

impl Sweep {
    /// Assess one variant, check the contract and the invariant, and count it.
    fn run(&mut self, kb: &Kb, base: &Base, v: &Variant) -> Outcome {
        let what = format!("{} [{}]", base.case.id, v.label);
        let f = parse(kb, &v.json, &what);
        let out = assess_checked(kb, &f, &what, &mut self.problems);
        if base.guarded() {
            self.checked += 1;
            self.breaches.extend(breach(kb, base, v, &out));
        }
        out
    }

    fn case(&mut self, kb: &Kb, base: &Base) {
        self.full.add(base, &assess(kb, &base.findings));
        let keys = answer_keys(&base.case.findings);
        for (k, &fraction) in FRACTIONS.iter().enumerate() {
            for d in 0..SEEDS {
                let count = drop_count(keys.len(), fraction);
                let dropped = draw(&keys, count, seed_for(&base.case.id, d, fraction));
                let v = Variant {
                    label: format!("{:.0}% dropped, draw {d}", 100.0 * fraction),
                    json: without(&base.case.findings, &dropped),
                    dropped,
                    moved: None,
                };
                let out = self.run(kb, base, &v);
                self.dropped[k].add(base, &out);
            }
        }
        for v in neighbour_moves(kb, &base.case.findings) {
            let out = self.run(kb, base, &v);
            self.near.add(base, &out);
        }
        if let Some(v) = deciding_unknown(kb, base) {
            let out = self.run(kb, base, &v);
            self.unknown.add(base, &out);
            if base.guarded() {
                self.unknown_still_urgent.1 += 1;
                self.unknown_still_urgent.0 += usize::from(out.level <= URGENT);
            }
        }
    }

    fn summary(&self, bases: &[Base]) -> String {
        let held = self.checked - self.breaches.len();
        let below: Vec<&str> = bases
            .iter()
            .filter(|b| b.gold_urgent() && !b.guarded())
            .map(|b| b.case.id.as_str())
            .collect();
        let below = if below.is_empty() {
            "none".to_string()
        } else {
            below.join(", ")
        };
        let d = &self.dropped;
        format!(
            "robustness: dev+dev2 {} cases (full findings: top-1 {:.1}%, triage {:.1}%); \
             20% dropped: top-1 {:.1}%, triage {:.1}%; 40% dropped: top-1 {:.1}%, triage {:.1}% \
             ({SEEDS} draws each); neighbours: triage kept {:.1}% of {} moves; deciding answers \
             unknown: triage kept {:.1}% of {}, urgent cases still urgent+ {}/{}; safety \
             invariant held on {held}/{} variants of urgent cases; gold urgent+ below urgent on \
             full findings (not checked here): {below}",
            bases.len(),
            self.full.pct(self.full.top1),
            self.full.pct(self.full.exact),
            d[0].pct(d[0].top1),
            d[0].pct(d[0].exact),
            d[1].pct(d[1].top1),
            d[1].pct(d[1].exact),
            self.near.pct(self.near.kept),
            self.near.n,
            self.unknown.pct(self.unknown.kept),
            self.unknown.n,
            self.unknown_still_urgent.0,
            self.unknown_still_urgent.1,
            self.checked,
        )
    }
}

/// The deterministic sweep: every case, both fractions, every neighbour move and the
/// deciding answers unknown. It computes the reported figures and fails on any breach of
/// the invariant or the contract, listing each one.
#[test]
fn dropped_moved_or_unknown_answers_keep_urgent_cases_urgent() {
    let Some(shared) = shared_dir("robustness sweep") else {
        return;
    };
    let kb = &*KB;
    let mut sweep = Sweep::default();
    let bases = load_bases(kb, &shared, &mut sweep.problems);
    for base in &bases {
        sweep.case(kb, base);
    }
    eprintln!("{}", sweep.summary(&bases));
    // One failure message with both lists, so a contract break does not hide a breach.
    let mut report = Vec::new();
    if !sweep.breaches.is_empty() {
        report.push(format!(
            "{} variant(s) of emergency/urgent cases triaged below urgent without naming a \
             dropped deciding answer:\n{}",
            sweep.breaches.len(),
            sweep.breaches.join("\n")
        ));
    }
    if !sweep.problems.is_empty() {
        report.push(format!(
            "outputs break the contract:\n{}",
            sweep.problems.join("\n")
        ));
    }
    assert!(report.is_empty(), "{}", report.join("\n\n"));
}

/// The drop invariant as a property: a random case of gold emergency/urgent, a fraction,
/// and a random subset of that size. The runner's generator is seeded, so a failure is
/// found again on every run without a regressions file (the strategy depends on the
/// vignettes, which a saved seed would not pin down anyway).
#[test]
fn dropping_answers_never_hides_an_urgent_case() {
    let Some(shared) = shared_dir("robustness property test") else {
        return;
    };
    let kb = &*KB;
    let mut problems = Vec::new();
    let bases: Vec<Base> = load_bases(kb, &shared, &mut problems)
        .into_iter()
        .filter(Base::guarded)
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(!bases.is_empty(), "no emergency/urgent case to test");
    let keys: Vec<Vec<String>> = bases
        .iter()
        .map(|b| answer_keys(&b.case.findings))
        .collect();
    let strategy = (0..bases.len(), prop::sample::select(FRACTIONS.to_vec())).prop_flat_map(
        move |(ci, fraction)| {
            let k = keys[ci].clone();
            let count = drop_count(k.len(), fraction);
            (
                Just(ci),
                Just(fraction),
                prop::sample::subsequence(k, count),
            )
        },
    );
    let config = Config {
        cases: PROPERTY_CASES,
        failure_persistence: None,
        // Shrinking a flat-mapped strategy can take minutes in a debug build; a shorter
        // counterexample is not worth that, the message already names every dropped field.
        max_shrink_iters: 256,
        max_shrink_time: 10_000,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(&strategy, |(ci, fraction, dropped)| {
        let base = &bases[ci];
        let v = Variant {
            label: format!("{:.0}% dropped, property", 100.0 * fraction),
            json: without(&base.case.findings, &dropped),
            dropped,
            moved: None,
        };
        let f = parse(kb, &v.json, &base.case.id);
        let mut problems = Vec::new();
        let out = assess_checked(kb, &f, &base.case.id, &mut problems);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
        let b = breach(kb, base, &v, &out);
        prop_assert!(b.is_none(), "{}", b.unwrap_or_default());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "robustness property: {PROPERTY_CASES} random drops (20%/40%) over {} emergency/urgent \
         cases of dev+dev2; invariant held",
        bases.len()
    );
}

/// The runner answers the interview from the full findings (unknown → "don't know"); it
/// must end at least as urgent as the full findings. More urgent is allowed: a screen that
/// presumes a rule on an unasked answer is the engine erring on the safe side.
#[test]
fn interview_reaches_the_full_triage_in_urgent_cases() {
    let Some(shared) = shared_dir("robustness interview check") else {
        return;
    };
    let kb = &*KB;
    let mut problems = Vec::new();
    let bases = load_bases(kb, &shared, &mut problems);
    let mut failures = Vec::new();
    let (mut n, mut same, mut higher) = (0, 0, 0);
    let mut asked = Vec::new();
    for base in bases.iter().filter(|b| b.gold_urgent()) {
        let mut interview = Interview::new(kb);
        let mut guard = 0;
        while let Some(q) = interview.next() {
            interview.answer_from(q, &base.findings);
            guard += 1;
            assert!(
                guard <= 200,
                "{}: the interview does not stop",
                base.case.id
            );
        }
        let what = format!("{} interview", base.case.id);
        let out = assess_checked(kb, interview.findings(), &what, &mut problems);
        n += 1;
        asked.push(interview.asked_count());
        same += usize::from(out.level == base.level);
        higher += usize::from(out.level < base.level);
        if out.level > base.level {
            failures.push(format!(
                "{} gold {}: full {} (set by {}), interview {} (set by {}) after {} questions; \
                 could_change {:?}",
                base.case.id,
                base.case.gold_triage,
                LEVELS[usize::from(base.level)],
                base.set_by,
                out.assessment.triage.level,
                describe_set_by(kb, &out),
                interview.asked_count(),
                out.assessment
                    .triage
                    .could_change
                    .iter()
                    .map(|c| format!("{}={}->{}", c.finding, c.answer, c.level))
                    .collect::<Vec<_>>(),
            ));
        }
    }
    asked.sort_unstable();
    eprintln!(
        "robustness interview: {n} emergency/urgent cases of dev+dev2; interview at the \
         full-findings level in {same}, more urgent in {higher}, less urgent in {}; median {} \
         questions",
        failures.len(),
        asked.get(asked.len() / 2).copied().unwrap_or(0),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        failures.is_empty(),
        "the interview stops below the full-findings triage:\n{}",
        failures.join("\n")
    );
}
