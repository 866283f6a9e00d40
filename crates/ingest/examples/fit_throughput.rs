//! Decoder throughput on a bulk set: reads every file named in a list (one path per line)
//! into memory first, then decodes them all several times and prints the median MB/s, so
//! disk speed never enters the figure. Every CRC is checked, as in real imports.
//! `cargo run --release -p hamstride-ingest --example fit_throughput -- LIST [ROUNDS]`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(list) = args.next() else {
        eprintln!("usage: fit_throughput LIST_OF_PATHS [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7);
    let paths = match std::fs::read_to_string(&list) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{list}: {e}");
            std::process::exit(1);
        }
    };
    let files: Vec<Vec<u8>> = paths
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|p| std::fs::read(p).map_err(|e| eprintln!("{p}: {e}")).ok())
        .collect();
    let total: usize = files.iter().map(Vec::len).sum();
    let mb = total as f64 / 1e6;
    println!("{} files, {mb:.1} MB in memory", files.len());

    let mut rates = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (mut ok, mut failed, mut records, mut warned) = (0usize, 0usize, 0usize, 0usize);
        let start = Instant::now();
        for f in &files {
            match hamstride_ingest::fit::decode(f) {
                Ok(a) => {
                    ok += 1;
                    records += a.records.len();
                    warned += usize::from(!a.warnings.is_empty());
                }
                Err(_) => failed += 1,
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let rate = mb / secs;
        rates.push(rate);
        println!(
            "round {round}: {secs:.3} s, {rate:.0} MB/s ({ok} decoded, {failed} failed, {warned} with warnings, {records} records)"
        );
    }
    rates.sort_by(f64::total_cmp);
    let median = rates.get(rates.len() / 2).copied().unwrap_or(0.0);
    println!("median: {median:.0} MB/s over {rounds} rounds");
}
