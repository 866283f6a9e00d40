//! `hamstride-bench check [fit|gpx|tcx]`: one pass of every decoder over the
//! benchmark data sets (the same ones `benches/decode.rs` loads), printing per decoder the
//! files decoded and failed, the records produced and a single-pass MB/s, then the files on
//! which the FIT decoders disagree about the number of `record` messages. It is the honesty
//! check behind the divan figures: a peer that fails or skips data would show here. The
//! benchmark figures themselves come from `cargo bench -p hamstride-bench` (see bench/README.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark tooling: failing loudly is the right behaviour"
)]

use std::process::ExitCode;
use std::time::Instant;

use hamstride_bench::{
    fit_fitparser, fit_hamstride, fit_rustyfit, gpx_crate, gpx_hamstride, tcx_hamstride, DataSet,
};

type Decoder = (&'static str, fn(&[u8]) -> Result<usize, String>);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = match args.as_slice() {
        [cmd] if cmd == "check" => "all",
        [cmd, w] if cmd == "check" && ["fit", "gpx", "tcx", "all"].contains(&w.as_str()) => {
            w.as_str()
        }
        _ => {
            eprintln!("usage: hamstride-bench check [fit|gpx|tcx|all]");
            return ExitCode::from(2);
        }
    };
    if what == "fit" || what == "all" {
        let set = hamstride_bench::fit_set();
        check(
            "FIT",
            &set,
            &[
                ("hamstride", fit_hamstride),
                ("fitparser", fit_fitparser),
                ("rustyfit", fit_rustyfit),
            ],
        );
    }
    if what == "gpx" || what == "all" {
        let set = hamstride_bench::gpx_set();
        check(
            "GPX",
            &set,
            &[("hamstride", gpx_hamstride), ("gpx crate", gpx_crate)],
        );
    }
    if what == "tcx" || what == "all" {
        let set = hamstride_bench::tcx_set();
        check("TCX", &set, &[("hamstride", tcx_hamstride)]);
    }
    ExitCode::SUCCESS
}

fn check(label: &str, set: &DataSet, decoders: &[Decoder]) {
    println!(
        "{label}: {} — {} files, {:.1} MB",
        set.source,
        set.files.len(),
        set.bytes() as f64 / 1e6
    );
    println!(
        "  {:<10} {:>7} {:>7} {:>11} {:>9}",
        "decoder", "ok", "failed", "records", "MB/s"
    );
    // results[d][f] = records or error
    let mut results: Vec<Vec<Result<usize, String>>> = Vec::new();
    for (name, decode) in decoders {
        let start = Instant::now();
        let r: Vec<_> = set.files.iter().map(|(_, b)| decode(b)).collect();
        let secs = start.elapsed().as_secs_f64();
        let ok = r.iter().filter(|x| x.is_ok()).count();
        let records: usize = r.iter().filter_map(|x| x.as_ref().ok()).sum();
        println!(
            "  {name:<10} {ok:>7} {:>7} {records:>11} {:>9.1}",
            r.len() - ok,
            set.bytes() as f64 / 1e6 / secs
        );
        results.push(r);
    }
    // Per distinct file name (bulk copies repeat), what each decoder said, where they differ.
    let mut seen = std::collections::BTreeMap::new();
    for (i, (name, _)) in set.files.iter().enumerate() {
        let base = name.rsplit('/').next().unwrap_or(name).to_string();
        let row: Vec<String> = results
            .iter()
            .map(|r| match &r[i] {
                Ok(n) => n.to_string(),
                Err(e) => format!("error: {}", e.chars().take(70).collect::<String>()),
            })
            .collect();
        let differs = row.iter().any(|c| c != &row[0]);
        if differs {
            seen.entry(base).or_insert(row);
        }
    }
    if !seen.is_empty() {
        println!("  files where the decoders disagree (records or error), by name:");
        for (name, row) in &seen {
            println!("    {name}");
            for ((d, _), cell) in decoders.iter().zip(row) {
                println!("      {d:<10} {cell}");
            }
        }
    }
    println!();
}
