//! Calibration of the displayed probabilities, shared by `tests/calibration.rs` and
//! `examples/calibrate.rs`: read vignette files, fit the display temperature by k-fold
//! cross-validation (each fold on the other folds only, by the likelihood of the gold
//! condition), and report the expected calibration error and a reliability table. Tables go
//! to standard error, so the test shows them with `--nocapture` and the example in the
//! terminal.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

use hamstride_core::engine::posterior;
use hamstride_core::{Findings, Kb};
use serde_json::Value as Json;

/// Number of cross-validation folds.
pub const K: usize = 5;
/// Equal-width confidence bins of the reliability table and the ECE.
pub const BINS: usize = 10;
/// Floor on the probability of the right answer in the NLL, so one confident miss costs
/// ln(1e6) ≈ 13.8 nats rather than infinity and cannot alone decide the fit.
pub const P_FLOOR: f64 = 1e-6;

/// One case ready to score: parsed findings and which conditions count as right.
pub struct Item {
    pub id: String,
    pub set: &'static str,
    pub findings: Findings,
    /// Per `kb.condition_ids`: gold or an acceptable alternate.
    pub right: Vec<bool>,
}

/// One prediction, reduced to what the metrics need.
#[derive(Debug, Clone, Copy)]
pub struct Pred {
    /// Probability of the leading condition.
    pub conf: f64,
    /// The leading condition is gold or an alternate.
    pub hit: bool,
    /// Probability of gold plus alternates, capped at 1.
    pub p_right: f64,
    /// Multi-class Brier score with gold and alternates merged into one outcome.
    pub brier: f64,
}

/// Summary of a set of predictions.
pub struct Metrics {
    pub n: usize,
    pub ece: f64,
    pub nll: f64,
    pub brier: f64,
    pub accuracy: f64,
    /// Per bin: (cases, sum of confidences, hits).
    pub bins: [(usize, f64, usize); BINS],
}

/// Read one vignette file: each line's findings, gold condition and acceptable alternates.
pub fn items(kb: &Kb, dir: &Path, file: &'static str) -> Vec<Item> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    lines
        .map(|l| item(kb, file, &serde_json::from_str(l).expect("a JSON line")))
        .collect()
}

pub fn item(kb: &Kb, set: &'static str, case: &Json) -> Item {
    let id = case["id"].as_str().expect("an id").to_string();
    let findings = Findings::from_json(&kb.schema, &case["findings"], true)
        .unwrap_or_else(|e| panic!("{id}: findings rejected: {e}"))
        .findings;
    let alternates = case["acceptable_alternates"]
        .as_array()
        .expect("alternates");
    let right: Vec<bool> = kb
        .condition_ids
        .iter()
        .map(|c| case["gold_condition"] == c.as_str() || alternates.iter().any(|a| a == c.as_str()))
        .collect();
    assert!(right.iter().any(|r| *r), "{id}: gold is not a condition");
    Item {
        id,
        set,
        findings,
        right,
    }
}

pub fn with_temperature(kb: &Kb, t: f64) -> Kb {
    let mut kb = kb.clone();
    kb.model.temperature = t;
    kb
}

pub fn predict(kb: &Kb, item: &Item) -> Pred {
    let p = posterior(kb, &item.findings);
    assert!(
        p.iter().all(|x| (0.0..=1.0).contains(x)) && p.iter().sum::<f64>() <= 1.0 + 1e-9,
        "{}: invalid probabilities {p:?}",
        item.id
    );
    // The first maximum, as a stable sort of the differential would list it.
    let top = (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b });
    let p_right: f64 = p
        .iter()
        .zip(&item.right)
        .filter(|(_, r)| **r)
        .map(|(x, _)| x)
        .sum();
    let p_right = p_right.min(1.0);
    let wrong_sq: f64 = p
        .iter()
        .zip(&item.right)
        .filter(|(_, r)| !**r)
        .map(|(x, _)| x * x)
        .sum();
    Pred {
        conf: p[top],
        hit: item.right[top],
        p_right,
        brier: (1.0 - p_right).powi(2) + wrong_sq,
    }
}

pub fn nll_of(p_right: f64) -> f64 {
    -p_right.max(P_FLOOR).ln()
}

/// Candidate temperatures in hundredths: 0.10 to 1.00. The loader accepts (0, 1], so a
/// temperature above 1 could not be shipped.
pub const GRID: (u32, u32) = (10, 100);

pub fn grid() -> impl Iterator<Item = f64> {
    (GRID.0..=GRID.1).map(|i| f64::from(i) / 100.0)
}

/// A fitted temperature on the grid's edge means the NLL was still falling there: the best
/// temperature lies outside the range searched, and the figure is a bound, not an optimum.
pub fn on_edge(t: f64) -> bool {
    let (lo, hi) = (f64::from(GRID.0) / 100.0, f64::from(GRID.1) / 100.0);
    (t - lo).abs() < 1e-9 || (t - hi).abs() < 1e-9
}

/// The grid temperature with the lowest total NLL on `train` (the smallest on a tie).
pub fn fit(kb: &Kb, train: &[&Item]) -> f64 {
    let mut best = (f64::INFINITY, 0.0);
    for t in grid() {
        let kb_t = with_temperature(kb, t);
        let nll: f64 = train
            .iter()
            .map(|i| nll_of(predict(&kb_t, i).p_right))
            .sum();
        if nll < best.0 {
            best = (nll, t);
        }
    }
    best.1
}

/// Fold of each case: its position in id order, modulo K (deterministic, not stratified).
pub fn folds(items: &[Item]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].id.cmp(&items[b].id));
    let mut folds = vec![Vec::new(); K];
    for (pos, &i) in order.iter().enumerate() {
        folds[pos % K].push(i);
    }
    folds
}

/// Out-of-fold predictions (aligned with `items`) and the temperature fitted for each fold.
pub fn cross_validate(kb: &Kb, items: &[Item]) -> (Vec<Pred>, Vec<f64>) {
    let folds = folds(items);
    // Folds are disjoint and cover every case exactly once.
    let mut all: Vec<usize> = folds.concat();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..items.len()).collect::<Vec<_>>(),
        "folds overlap or miss cases"
    );
    let mut out: Vec<Option<Pred>> = vec![None; items.len()];
    let mut temps = Vec::new();
    for held in &folds {
        let train: Vec<&Item> = (0..items.len())
            .filter(|i| !held.contains(i))
            .map(|i| &items[i])
            .collect();
        let t = fit(kb, &train);
        // Honesty: no held-out case was part of the fit that scores it.
        let fitted_on: BTreeSet<&str> = train.iter().map(|i| i.id.as_str()).collect();
        assert!(held
            .iter()
            .all(|&i| !fitted_on.contains(items[i].id.as_str())));
        let kb_t = with_temperature(kb, t);
        for &i in held {
            assert!(out[i].is_none(), "{} held out twice", items[i].id);
            out[i] = Some(predict(&kb_t, &items[i]));
        }
        temps.push(t);
    }
    (
        out.into_iter()
            .map(|p| p.expect("every case held out"))
            .collect(),
        temps,
    )
}

/// ECE over equal-width bins of the top-1 confidence: the sum over bins of
/// |bin| / n × |accuracy − mean confidence|, where accuracy counts a leading gold or alternate.
pub fn metrics(preds: &[Pred]) -> Metrics {
    let n = preds.len();
    let mut bins = [(0, 0.0, 0); BINS];
    for p in preds {
        // Confidence 1.0 belongs to the last bin.
        let b = ((p.conf * BINS as f64) as usize).min(BINS - 1);
        bins[b].0 += 1;
        bins[b].1 += p.conf;
        bins[b].2 += usize::from(p.hit);
    }
    let ece = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|&(k, c, h)| k as f64 / n as f64 * (h as f64 / k as f64 - c / k as f64).abs())
        .sum();
    let mean = |f: &dyn Fn(&Pred) -> f64| preds.iter().map(f).sum::<f64>() / n as f64;
    Metrics {
        n,
        ece,
        nll: mean(&|p| nll_of(p.p_right)),
        brier: mean(&|p| p.brier),
        accuracy: mean(&|p| f64::from(u8::from(p.hit))),
        bins,
    }
}

pub fn report(title: &str, m: &Metrics) {
    eprintln!(
        "\n{title}: n {}  ECE {:.3}  NLL {:.3}  Brier {:.3}  top-1 {:.1}%",
        m.n,
        m.ece,
        m.nll,
        m.brier,
        100.0 * m.accuracy
    );
    eprintln!("  confidence    n  mean conf  accuracy");
    for (b, &(k, c, h)) in m.bins.iter().enumerate() {
        let range = format!(
            "{:.1}-{:.1}",
            b as f64 / BINS as f64,
            (b + 1) as f64 / BINS as f64
        );
        if k == 0 {
            eprintln!("  {range:<10} {k:>4}          -         -");
        } else {
            let (conf, acc) = (c / k as f64, h as f64 / k as f64);
            eprintln!("  {range:<10} {k:>4}      {conf:.3}     {acc:.3}");
        }
    }
}

pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

pub fn subset(items: &[Item], preds: &[Pred], set: &str) -> Vec<Pred> {
    items
        .iter()
        .zip(preds)
        .filter(|(i, _)| i.set == set)
        .map(|(_, p)| *p)
        .collect()
}

/// Print the per-set tables: each development set out-of-fold and with the shipped temperature.
pub fn report_sets(pooled: &[Item], oof: &[Pred], as_shipped: &[Pred], shipped: f64) {
    for set in ["dev.jsonl", "dev2.jsonl"] {
        let m = metrics(&subset(pooled, oof, set));
        report(&format!("{set}, out-of-fold"), &m);
        let m = metrics(&subset(pooled, as_shipped, set));
        report(&format!("{set}, shipped temperature {shipped:.2}"), &m);
    }
}

/// Score a set that is never fitted on at temperature `t`, and print its table.
pub fn score_at(kb: &Kb, items: &[Item], t: f64, title: &str) -> Metrics {
    let kb_t = with_temperature(kb, t);
    let preds: Vec<Pred> = items.iter().map(|i| predict(&kb_t, i)).collect();
    let m = metrics(&preds);
    report(&format!("{title}, temperature {t:.2}"), &m);
    m
}

pub fn print_temperatures(temps: &[f64], t_median: f64, shipped: f64) {
    let list: Vec<String> = temps.iter().map(|t| format!("{t:.2}")).collect();
    eprintln!(
        "fold temperatures: [{}]; median {t_median:.2}; shipped {shipped:.2}",
        list.join(", ")
    );
    let edge = temps.iter().filter(|t| on_edge(**t)).count();
    if edge > 0 {
        eprintln!(
            "NOTE: {edge} of {K} fold temperatures are on the grid's edge: the training NLL \
             was still falling there, so the best temperature lies outside the range searched"
        );
    }
}
