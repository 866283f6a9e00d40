//! Shared parts of the benchmark drivers: loading the data sets into memory once (the FIT
//! bulk set or the corpus, the corpus GPX and TCX files), and one wrapper per decoder —
//! hamstride's and the peer crates' (`fitparser`, `rustyfit`, `gpx`) — that decodes one file
//! and returns how many track points/records it produced, so the side-by-side figures can be
//! checked to come from decoders that really decoded (see [`Tally`]).
//!
//! Used by `benches/decode.rs` (divan, the MB/s figures) and `src/main.rs` (a one-pass
//! check that prints what each decoder accepted). Not shipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark tooling: failing loudly on a missing data set is the right behaviour"
)]

pub mod training;

use std::fs;
use std::path::{Path, PathBuf};

use hamstride_ingest::archive::{gunzip, is_gzip, Limits};

/// Files held in memory, with where they came from.
#[derive(Debug, Default)]
pub struct DataSet {
    /// What was loaded, for the report (a directory, and how it was chosen).
    pub source: String,
    /// (display name, bytes), bytes already gunzipped.
    pub files: Vec<(String, Vec<u8>)>,
}

impl DataSet {
    /// Total bytes of all files (the throughput denominator).
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, b)| b.len() as u64).sum()
    }

    /// Keep only the files `keep` accepts; returns the (name, bytes) of those dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&[u8]) -> bool) -> Vec<(String, u64)> {
        let mut dropped = Vec::new();
        self.files.retain(|(name, bytes)| {
            let k = keep(bytes);
            if !k {
                dropped.push((name.clone(), bytes.len() as u64));
            }
            k
        });
        dropped
    }
}

/// The workspace's parent directory, where `shared/` lives next to `main/`.
fn shared_dir() -> PathBuf {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var_os("HAMSTRIDE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("../shared"));
    dir.canonicalize().unwrap_or(dir)
}

/// Every file under `dir` (recursively) whose name ends with one of `exts` (case-insensitive,
/// `.gz` allowed after it), sorted by path, skipping names starting with `invalid__`.
fn collect(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    fn visit(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                visit(&p, exts, out);
            } else if ft.is_file() {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                let stem = name.strip_suffix(".gz").unwrap_or(&name);
                if !name.starts_with("invalid__") && exts.iter().any(|x| stem.ends_with(x)) {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    visit(dir, exts, &mut out);
    out.sort();
    out
}

/// Read (and gunzip) the files, stopping after `max_bytes` of content.
fn load(source: String, root: &Path, paths: &[PathBuf], max_bytes: u64) -> DataSet {
    let limits = Limits::default();
    let mut set = DataSet {
        source,
        files: Vec::new(),
    };
    let mut total = 0u64;
    for p in paths {
        if total >= max_bytes {
            break;
        }
        let raw = fs::read(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
        let bytes = if is_gzip(&raw) {
            gunzip(&raw, &limits)
                .unwrap_or_else(|e| panic!("gunzip {}: {e}", p.display()))
                .0
        } else {
            raw
        };
        total += bytes.len() as u64;
        let name = p.strip_prefix(root).unwrap_or(p).display().to_string();
        set.files.push((name, bytes));
    }
    set
}

/// Optional cap on the FIT bytes loaded (`HAMSTRIDE_BENCH_MB`, in 10^6 bytes), for quick runs.
fn max_bytes() -> u64 {
    std::env::var("HAMSTRIDE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(u64::MAX, |mb| mb * 1_000_000)
}

/// The FIT data set: `$HAMSTRIDE_BULK_DIR/fit` (the bulk set of `make_unique_bulk.py`), else
/// `/work/bench-data/bulk/fit` if it exists, else the corpus (`../shared/corpus/fit`, or
/// `$HAMSTRIDE_SHARED_DIR/corpus/fit`) without its `invalid__` files.
pub fn fit_set() -> DataSet {
    let (dir, why) = match std::env::var_os("HAMSTRIDE_BULK_DIR") {
        Some(d) => (PathBuf::from(d).join("fit"), "HAMSTRIDE_BULK_DIR"),
        None if Path::new("/work/bench-data/bulk/fit").is_dir() => (
            PathBuf::from("/work/bench-data/bulk/fit"),
            "default bulk dir",
        ),
        None => (
            shared_dir().join("corpus/fit"),
            "fallback: corpus, no bulk set found (set HAMSTRIDE_BULK_DIR)",
        ),
    };
    let paths = collect(&dir, &[".fit"]);
    assert!(!paths.is_empty(), "no .fit files under {}", dir.display());
    load(
        format!("{} ({why})", dir.display()),
        &dir,
        &paths,
        max_bytes(),
    )
}

/// The corpus GPX files (`$HAMSTRIDE_GPX_DIR` or `../shared/corpus/gpx`), gunzipped, without
/// `invalid__` files.
pub fn gpx_set() -> DataSet {
    xml_set("HAMSTRIDE_GPX_DIR", "corpus/gpx", ".gpx")
}

/// The corpus TCX files (`$HAMSTRIDE_TCX_DIR` or `../shared/corpus/tcx`), without `invalid__`.
pub fn tcx_set() -> DataSet {
    xml_set("HAMSTRIDE_TCX_DIR", "corpus/tcx", ".tcx")
}

fn xml_set(var: &str, sub: &str, ext: &str) -> DataSet {
    let dir = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| shared_dir().join(sub));
    let paths = collect(&dir, &[ext]);
    load(dir.display().to_string(), &dir, &paths, u64::MAX)
}

/// What one pass of a decoder over a data set produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Files decoded without error.
    pub ok: usize,
    /// Files the decoder returned an error for.
    pub failed: usize,
    /// Track points / `record` messages in the files decoded.
    pub records: u64,
}

/// Run `decode` over every file of `set`, counting successes and records.
pub fn pass(set: &DataSet, decode: fn(&[u8]) -> Result<usize, String>) -> Tally {
    let mut t = Tally::default();
    for (_, bytes) in &set.files {
        match decode(std::hint::black_box(bytes)) {
            Ok(n) => {
                t.ok += 1;
                t.records += n as u64;
            }
            Err(_) => t.failed += 1,
        }
    }
    t
}

/// hamstride's FIT decoder (every CRC checked): records in the activity.
pub fn fit_hamstride(bytes: &[u8]) -> Result<usize, String> {
    hamstride_ingest::fit::decode(bytes)
        .map(|a| a.records.len())
        .map_err(|e| e.to_string())
}

/// The `fitparser` crate, default options: header and data CRCs validated (neither
/// `SkipHeaderCrcValidation` nor `SkipDataCrcValidation`), components expanded, every
/// message decoded to named fields. Chained FIT files are read to the end. Counts `record`
/// messages.
pub fn fit_fitparser(bytes: &[u8]) -> Result<usize, String> {
    let msgs = fitparser::from_bytes(bytes).map_err(|e| e.to_string())?;
    Ok(msgs
        .iter()
        .filter(|m| m.kind() == fitparser::profile::MesgNum::Record)
        .count())
}

/// The `rustyfit` crate, `Decoder::new()` defaults: `checksum(true)` (header and file CRC
/// checked) and `expand_components(true)`. Every FIT sequence of a chained file is decoded.
/// Counts `record` messages.
pub fn fit_rustyfit(bytes: &[u8]) -> Result<usize, String> {
    let mut dec = rustyfit::Decoder::new();
    let mut reader = bytes;
    let mut records = 0;
    loop {
        match dec.decode(&mut reader) {
            Ok(Some(fit)) => {
                records += fit
                    .messages
                    .iter()
                    .filter(|m| m.num == rustyfit::profile::typedef::MesgNum::RECORD)
                    .count();
            }
            Ok(None) => return Ok(records),
            Err(e) => return Err(format!("{e:?}")),
        }
    }
}

/// hamstride's GPX decoder: points in the activity.
pub fn gpx_hamstride(bytes: &[u8]) -> Result<usize, String> {
    hamstride_ingest::gpx::decode(bytes)
        .map(|a| a.records.len())
        .map_err(|e| e.to_string())
}

/// The `gpx` crate (xml-rs based): track points over every track and segment.
pub fn gpx_crate(bytes: &[u8]) -> Result<usize, String> {
    let g = gpx::read(bytes).map_err(|e| e.to_string())?;
    Ok(g.tracks
        .iter()
        .flat_map(|t| &t.segments)
        .map(|s| s.points.len())
        .sum())
}

/// hamstride's TCX decoder: track points over all activities of the file.
pub fn tcx_hamstride(bytes: &[u8]) -> Result<usize, String> {
    hamstride_ingest::tcx::decode(bytes)
        .map(|v| v.iter().map(|a| a.records.len()).sum())
        .map_err(|e| e.to_string())
}
