//! Development tool: score the engine on a vignette file and print every miss.
//! `cargo run -p hamstride-core --example score -- ../shared/vignettes/dev.jsonl`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::{assess, Findings, Kb};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/vignettes/dev.jsonl".into());
    let kb = Kb::embedded().expect("kb");
    let text = std::fs::read_to_string(&path).expect("read");
    let rank = |l: &str| {
        ["emergency", "urgent", "clinician", "self_care"]
            .iter()
            .position(|x| *x == l)
            .unwrap()
    };
    let (mut n, mut t1, mut t3, mut tr, mut under, mut safety, mut over) = (0, 0, 0, 0, 0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let f = Findings::from_json(&kb.schema, &case["findings"], true)
            .unwrap()
            .findings;
        let out = assess(&kb, &f).assessment;
        let gold = case["gold_condition"].as_str().unwrap();
        let alts: Vec<&str> = case["acceptable_alternates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let gt = case["gold_triage"].as_str().unwrap();
        let conds: Vec<&str> = out
            .differential
            .iter()
            .map(|d| d.condition.as_str())
            .collect();
        let ok1 = conds[0] == gold || alts.contains(&conds[0]);
        let ok3 = conds.iter().take(3).any(|c| *c == gold);
        let okt = out.triage.level == gt;
        n += 1;
        t1 += ok1 as u32;
        t3 += ok3 as u32;
        tr += okt as u32;
        if rank(&out.triage.level) < rank(gt) {
            over += 1;
        }
        if rank(&out.triage.level) > rank(gt) {
            under += 1;
            if rank(gt) <= 1 {
                safety += 1;
            }
        }
        if !ok1 || !okt {
            let probs: Vec<String> = out
                .differential
                .iter()
                .take(4)
                .map(|d| {
                    format!(
                        "{}:{:.2}",
                        &d.condition[..8.min(d.condition.len())],
                        d.probability
                    )
                })
                .collect();
            println!(
                "{} gold {}/{} got {}/{} [{}] set_by {} rules {:?} could {:?}",
                case["id"].as_str().unwrap(),
                gold,
                gt,
                conds[0],
                out.triage.level,
                probs.join(" "),
                out.triage.set_by.id,
                out.triage
                    .reasons
                    .iter()
                    .map(|r| r.rule.as_str())
                    .collect::<Vec<_>>(),
                out.triage
                    .could_change
                    .iter()
                    .map(|c| format!("{}={}->{}", c.finding, c.answer, c.level))
                    .collect::<Vec<_>>()
            );
        }
    }
    println!("n={n} top1={t1} ({:.1}%) top3={t3} ({:.1}%) triage={tr} ({:.1}%) under={under} over={over} safety_failures={safety}",
        100.0 * t1 as f64 / n as f64, 100.0 * t3 as f64 / n as f64, 100.0 * tr as f64 / n as f64);
}
