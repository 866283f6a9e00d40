//! Development tool: why the model ranks classes as it does for one vignette: each answer's
//! log-likelihood contribution to two classes, and the interactions that fired.
//! `cargo run -p hamstride-core --example why -- ../shared/vignettes/dev2.jsonl e2-027 acute_hamstring_strain exercise_associated_cramp`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::expr::EvalContext;
use hamstride_core::{engine, Findings, Kb};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let kb = Kb::embedded().expect("kb");
    let text = std::fs::read_to_string(&a[0]).expect("read");
    let case: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c["id"] == a[1].as_str())
        .expect("case");
    let f = Findings::from_json(&kb.schema, &case["findings"], true)
        .unwrap()
        .findings;
    let k1 = kb.classes.iter().position(|c| c.id == a[2]).unwrap();
    let k2 = kb.classes.iter().position(|c| c.id == a[3]).unwrap();
    let n = kb.model.n_cond;
    let t = kb.model.temperature;
    println!(
        "prior {:+.2}",
        t * (kb.model.log_prior[k1] - kb.model.log_prior[k2])
    );
    for o in kb.model.observations(&kb.schema, &f) {
        let v = &kb.model.vars[o.var];
        let d = t * o.weight * (v.logp[o.value * n + k1] - v.logp[o.value * n + k2]);
        if d.abs() > 0.05 {
            println!("{:<40} {:+.2}", engine::finding_id(&kb, &f, &o), d);
        }
    }
    for it in &kb.interactions {
        if it.when.eval(&f, &EvalContext::FINDINGS_ONLY) {
            println!(
                "interaction {:<28} {:+.2}",
                it.id,
                t * (it.log_lr[k1] - it.log_lr[k2])
            );
        }
    }
    let p = engine::class_posterior(&kb, &f);
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|x, y| p[*y].total_cmp(&p[*x]));
    let floor = engine::floor_posterior(&kb, &f);
    for k in order.iter().take(6) {
        println!(
            "  {:<36} {:.3}  floor {:.3}",
            kb.classes[*k].id, p[*k], floor[*k]
        );
    }
    let d = engine::decide(&kb, &f, &floor);
    println!(
        "level {} set_by {:?} presumed {:?}",
        d.level, d.set_by, d.presumed
    );
    let cond = engine::to_conditions(&kb, &floor);
    let ctx = EvalContext {
        posterior: Some(&cond),
        top: Some(d.top),
        level: None,
    };
    for r in kb.rules.iter().filter(|r| r.level < d.level) {
        let p = hamstride_core::triage::rule_probability(&kb, &f, &ctx, d.top_class, &r.when);
        println!(
            "  {} eval3 {:?} support {} P(fires | leading) {:.2}",
            r.id,
            r.when.eval3(&f, &ctx),
            r.when.known_support(&f, &ctx),
            p
        );
    }
}
