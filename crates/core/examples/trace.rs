//! Development tool: replay the adaptive interview for one vignette, printing each question
//! the engine chose and the simulated answer, then the result against the full findings.
//! `cargo run -p hamstride-core --example trace -- ../shared/vignettes/dev.jsonl d026`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::{assess, Findings, Interview, Kb, Question, StopRule};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "../shared/vignettes/dev.jsonl".into());
    let id = args.next().expect("case id");
    let kb = Kb::embedded().expect("kb");
    let text = std::fs::read_to_string(&path).expect("read");
    let case: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c["id"] == id.as_str())
        .expect("case");
    let full = Findings::from_json(&kb.schema, &case["findings"], true)
        .unwrap()
        .findings;
    let mut iv = Interview::with_findings(&kb, Findings::empty(&kb.schema), StopRule::default());
    let mut asked = vec![false; kb.schema.fields.len()];
    while let Some(q) = iv.next() {
        // Why this question: the unasked field with the largest triage value before it.
        let scoring = hamstride_core::engine::Scoring::new(&kb, iv.findings());
        let mut vals: Vec<(usize, hamstride_core::engine::QuestionValue)> =
            scoring.candidates(&asked).collect();
        vals.sort_by(|a, b| b.1.total().total_cmp(&a.1.total()));
        let top = vals
            .iter()
            .take(3)
            .map(|(fi, v)| {
                format!(
                    "{} g{:.2} t{:.2}",
                    kb.schema.fields[*fi].id, v.gain, v.triage
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        match q {
            Question::Screen(s) => println!("screen {}", kb.screens[s].id),
            Question::Field(fi) => {
                asked[fi] = true;
                println!(
                    "{} -> {:?}   [{top}]",
                    kb.schema.fields[fi].id,
                    full.get(fi)
                )
            }
        }
        iv.answer_from(q, &full);
    }
    let f = iv.findings();
    let scoring = hamstride_core::engine::Scoring::new(&kb, f);
    let none = vec![false; kb.schema.fields.len()];
    let mut vals: Vec<(f64, f64, &str)> = scoring
        .candidates(&none)
        .map(|(fi, v)| (v.gain, v.triage, kb.schema.fields[fi].id.as_str()))
        .collect();
    vals.sort_by(|a, b| (b.0 + b.1).total_cmp(&(a.0 + a.1)));
    for (g, t, id) in vals.iter().take(6) {
        println!("  left: {id} gain {g:.3} triage {t:.3}");
    }
    let a = assess(&kb, iv.findings()).assessment;
    let b = assess(&kb, &full).assessment;
    println!(
        "after {} questions: {}/{} (full findings: {}/{})",
        iv.asked_count(),
        a.differential[0].condition,
        a.triage.level,
        b.differential[0].condition,
        b.triage.level
    );
}
