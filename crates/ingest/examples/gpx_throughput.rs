//! GPX decoding throughput: loads every GPX file under the shared corpus (or the folder given
//! as the first argument) into memory, gunzipping `.gpx.gz`, decodes the whole set
//! repeatedly and prints the median MB/s over the rounds. The target is ≥ 100 MB/s on one
//! core (the `gpx` crate manages about 25 MB/s).
//!
//! Run with `cargo run --release -p hamstride-ingest --example gpx_throughput [dir] [rounds]`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn load(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = std::fs::read(&p)?;
        if name.ends_with(".gpx") {
            out.push((name, raw));
        } else if name.ends_with(".gpx.gz") {
            let mut buf = Vec::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut buf)?;
            out.push((name, buf));
        }
    }
    Ok(out)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/gpx")
    });
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(15);
    let files = match load(&dir) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            println!("SKIPPED: no GPX files in {}", dir.display());
            return;
        }
        Err(e) => {
            println!("SKIPPED: cannot read {}: {e}", dir.display());
            return;
        }
    };
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut ok = 0usize;
    let mut points = 0usize;
    for (_, b) in &files {
        if let Ok(a) = hamstride_ingest::gpx::decode(b) {
            ok += 1;
            points += a.records.len();
        }
    }
    println!(
        "{} files, {:.2} MB, {ok} decode to activities with {points} points",
        files.len(),
        total as f64 / 1e6
    );
    let mut rates = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let mut n = 0usize;
        for (_, b) in &files {
            if let Ok(a) = hamstride_ingest::gpx::decode(std::hint::black_box(b)) {
                n += a.records.len();
            }
        }
        std::hint::black_box(n);
        let s = t.elapsed().as_secs_f64();
        rates.push(total as f64 / 1e6 / s);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!(
        "GPX throughput over {rounds} rounds: median {median:.0} MB/s (min {:.0}, max {:.0})",
        rates[0],
        rates[rates.len() - 1]
    );
}
