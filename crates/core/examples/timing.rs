//! Development tool: where one assessment of a sparse history spends its time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use hamstride_core::engine::{self, could_change, decide, floor_posterior, Scoring};
use hamstride_core::{Findings, Kb};
use std::time::Instant;
fn main() {
    let kb = Kb::embedded().unwrap();
    let f = Findings::from_json_str(&kb.schema, r#"{"age_years": 25, "sex": "male", "onset": "sudden", "mechanism": "overstretch", "side": "right", "pain_sites": ["buttock", "mid_back_thigh"]}"#, true).unwrap().findings;
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        let fl = floor_posterior(&kb, &f);
        std::hint::black_box(decide(&kb, &f, &fl));
    }
    println!("decide {:?}", t.elapsed() / n);
    let fl = floor_posterior(&kb, &f);
    let d = decide(&kb, &f, &fl);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(could_change(&kb, &f, &d, &|g| floor_posterior(&kb, g)));
    }
    println!("could_change {:?}", t.elapsed() / n);
    let s = Scoring::new(&kb, &f);
    let none = vec![false; kb.schema.fields.len()];
    let mut v: Vec<(std::time::Duration, String)> = (0..kb.schema.fields.len())
        .filter(|&fi| f.get(fi).is_none())
        .map(|fi| {
            let t = Instant::now();
            for _ in 0..20 {
                std::hint::black_box(s.value(fi));
            }
            (t.elapsed() / 20, kb.schema.fields[fi].id.clone())
        })
        .collect();
    let _ = none;
    v.sort();
    v.reverse();
    println!("slowest values: {:?}", &v[..6]);
    let t = Instant::now();
    for _ in 0..n {
        let s = Scoring::new(&kb, &f);
        std::hint::black_box(engine::next_questions(&kb, &s, &[]));
    }
    println!("next_questions {:?}", t.elapsed() / n);
}
