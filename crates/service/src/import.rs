//! The import use case: paths or uploaded bytes in ([`ImportSource`]), activities in the
//! database, a report out. An upload goes through exactly what a path does: the same walker
//! limits, content sniffing, dedupe and reasons, with the upload's name in every message.
//!
//! Three stages connected by bounded channels, so a ten-year archive streams through in
//! constant memory: one thread walks the inputs (`hamstride_ingest::archive`), a pool of
//! workers gunzips, hashes (BLAKE3), decodes and encodes streams on every core, and the
//! calling thread writes to the store in batched transactions. A byte budget caps what is in
//! flight between the walker and the writer whatever the archive holds.
//!
//! Deduplication, twice: by content (the hash of the decoded bytes, so `run.fit` and
//! `run.fit.gz` are one file) and by activity (`hamstride_ingest::dedupe`: the same start
//! within a minute, the same place, distance and duration, compatible sports), keeping the
//! better copy by a total order, so the result does not depend on thread timing, file order
//! or thread count; a lesser copy's bytes are kept too, linked to the activity it duplicates.
//! A killed import loses at most the open batch; re-running it skips what was committed and
//! adds the rest, so there are never duplicates.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

use hamstride_analytics::metrics::MetricsConstants;
use hamstride_analytics::METRICS_VERSION;
use hamstride_ingest::archive::{self, Kind, Member};
use hamstride_ingest::error::Skip;
use hamstride_ingest::{dedupe, sniff, strava, Activity};
use hamstride_store::{ExternalMeta, NewActivity, NewOriginal, WriteTx};

use crate::db::AthleteDb;
use serde::Serialize;

use crate::Error;

/// The walker's safety limits, so an adapter can set them without depending on the reader.
pub use hamstride_ingest::archive::Limits;
/// One input of an import: a file or folder path, or named bytes (a web upload).
pub use hamstride_ingest::archive::Source as ImportSource;
/// The codes of skipped files and warnings, for adapters and scripts.
pub use hamstride_ingest::{SkipCode, WarningCode};

/// Stored activities starting this close to a new one are compared with it (the rest of the
/// test, and the choice of copy, is `hamstride_ingest::dedupe`'s).
pub use hamstride_ingest::dedupe::SAME_START_MS;

/// Commit after this many files or bytes, whichever comes first: large enough that SQLite's
/// per-commit sync is amortised, small enough that a killed import loses little.
const BATCH_FILES: usize = 500;
const BATCH_BYTES: u64 = 64 << 20;

/// Bytes allowed in flight between walker and writer (raw member bytes).
const IN_FLIGHT_BYTES: u64 = 48 << 20;

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub limits: Limits,
    /// Decode workers; 0 = one per core.
    pub threads: usize,
    /// "Now", stamped on imported rows (the service owns the clock; tests pass a fixed one).
    pub now_ms: i64,
}

/// A file (or archive member) not imported, and why: a stable code, the plain sentence of
/// `kb/import.toml` for it, and the technical detail (for `--verbose` and scripts).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    pub path: String,
    pub code: SkipCode,
    /// In plain words, the same for every file with this code.
    pub reason: String,
    /// What exactly happened, in the reader's terms (offsets, limits, library errors).
    pub detail: String,
}

impl Skipped {
    /// A skipped file with the sentence for its code.
    pub fn new(path: String, skip: Skip) -> Skipped {
        Skipped {
            path,
            code: skip.code,
            reason: skip_text(skip.code),
            detail: skip.detail,
        }
    }

    /// True when the file could not be read (corrupt, too large, unreadable), false when it is
    /// simply not activity data (a photo in an export): what the CLI's exit code reports.
    pub fn is_failure(&self) -> bool {
        self.code.is_failure()
    }
}

/// A file imported with something repaired or left out (bad CRC, truncation …): a stable
/// code, its plain sentence, and the technical detail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Warning {
    pub path: String,
    pub code: WarningCode,
    /// In plain words, the same for every warning with this code.
    pub warning: String,
    pub detail: String,
}

impl Warning {
    fn new(path: String, w: &hamstride_ingest::Warning) -> Warning {
        Warning {
            path,
            code: w.code,
            warning: warning_text(w.code),
            detail: w.detail.clone(),
        }
    }
}

/// The plain sentence for a skip code (`kb/import.toml`); the code itself in the build that
/// cannot load its rules, where every file fails on them anyway.
fn skip_text(code: SkipCode) -> String {
    hamstride_ingest::plausible::rules().map_or_else(
        |_| code.as_str().to_string(),
        |r| r.skip_text(code).to_string(),
    )
}

/// The plain sentence for a warning code (`kb/import.toml`).
fn warning_text(code: WarningCode) -> String {
    hamstride_ingest::plausible::rules().map_or_else(
        |_| code.as_str().to_string(),
        |r| r.warning_text(code).to_string(),
    )
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Activities added.
    pub imported: u64,
    /// Activities already in the database (same content, or same session in another format).
    pub duplicates: u64,
    /// Stored activities replaced by a better copy of them (more records or channels, or a
    /// richer format): counted in `duplicates` too.
    pub upgraded: u64,
    /// Files not imported, each with its reason.
    pub skipped: Vec<Skipped>,
    /// Files imported with decoder warnings.
    pub warnings: Vec<Warning>,
    /// Rows of an export index (Strava's activities.csv) joined onto activities.
    pub index_rows_joined: u64,
    /// Decoded bytes (uncompressed FIT/GPX/TCX) processed, for throughput figures.
    pub decoded_bytes: u64,
}

/// Progress, reported after every file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Input bytes consumed (compressed sizes inside archives).
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub skipped: u64,
}

/// A byte budget shared by walker (acquire) and writer (release). Cancelled when the writer
/// stops on a database error, so a walker waiting for room never waits for ever.
#[derive(Debug)]
struct Budget {
    used: Mutex<u64>,
    freed: Condvar,
    cancelled: AtomicBool,
}

impl Budget {
    fn acquire(&self, n: u64) {
        let Ok(mut used) = self.used.lock() else {
            return;
        };
        // A member larger than the whole budget waits until nothing else is in flight.
        while *used > 0 && *used + n > IN_FLIGHT_BYTES && !self.cancelled.load(Ordering::Acquire) {
            match self.freed.wait(used) {
                Ok(u) => used = u,
                Err(_) => return,
            }
        }
        *used += n;
    }

    fn release(&self, n: u64) {
        if let Ok(mut used) = self.used.lock() {
            *used = used.saturating_sub(n);
        }
        self.freed.notify_all();
    }

    /// Wake the walker for good: nothing will be released any more.
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        // Taking the lock orders this with a waiter's check, so the wake-up cannot be missed.
        drop(self.used.lock());
        self.freed.notify_all();
    }
}

enum Job {
    File {
        path: String,
        bytes: Vec<u8>,
    },
    Index {
        path: String,
        bytes: Vec<u8>,
    },
    Skipped(Skipped),
    /// Something the walker repaired in an archive (a zip cut short), for the report.
    Warning(Warning),
}

struct Part {
    activity: Activity,
    streams: Vec<u8>,
    /// Training-load metrics as stored JSON, computed here on the worker so the writer only
    /// writes (None: they could not be serialised; the next analysis recomputes them).
    metrics: Option<String>,
}

enum Outcome {
    Decoded {
        path: String,
        hash: [u8; 32],
        original: Vec<u8>,
        encoding: &'static str,
        format: &'static str,
        decoded_len: u64,
        parts: Vec<Part>,
        cost: u64,
    },
    Known {
        cost: u64,
        parts: u64,
    },
    Failed {
        skip: Skipped,
        cost: u64,
    },
    Index {
        path: String,
        rows: Result<Vec<strava::StravaActivity>, Skip>,
        cost: u64,
    },
    Skipped(Skipped),
    Warning(Warning),
}

/// Import `sources` into the athlete's database. Bad files are skipped with reasons; only store
/// failures (disk full, database locked) abort, and then what was committed stays.
pub fn run(
    db: &mut AthleteDb,
    sources: Vec<ImportSource>,
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, Error> {
    let known: Arc<HashMap<[u8; 32], u64>> = Arc::new(db.known_originals()?.into_iter().collect());
    // Loaded once, shared by the workers (see `training::metrics_constants` for why these).
    let constants = Arc::new(crate::training::metrics_constants()?);
    let threads = if opts.threads == 0 {
        thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let consumed = Arc::new(AtomicU64::new(0));
    let budget = Arc::new(Budget {
        used: Mutex::new(0),
        freed: Condvar::new(),
        cancelled: AtomicBool::new(false),
    });
    let bytes_total = archive::total_size(&sources, &opts.limits);
    let (job_tx, job_rx) = crossbeam_channel::bounded::<Job>(threads * 2);

    let mut report = ImportReport::default();
    let mut index: Vec<(String, Vec<strava::StravaActivity>)> = Vec::new();
    // Activities in committed transactions: what stays if the database fails part-way.
    let mut saved = 0u64;

    let result = thread::scope(|s| -> Result<(), Error> {
        // Made inside the scope so the writer can drop its end on a failure: the workers'
        // sends then fail, they stop, the walker's sends fail, and the scope can end.
        let (out_tx, out_rx) = crossbeam_channel::bounded::<Outcome>(threads * 2);
        {
            let limits = opts.limits.clone();
            let consumed = Arc::clone(&consumed);
            let budget = Arc::clone(&budget);
            s.spawn(move || {
                let mut sink = |m: Member| -> bool {
                    let job = match m {
                        Member::File { path, bytes } => {
                            budget.acquire(bytes.len() as u64);
                            if archive::kind_of(&path) == Kind::Index {
                                Job::Index { path, bytes }
                            } else {
                                Job::File { path, bytes }
                            }
                        }
                        Member::Skipped { path, reason } => {
                            Job::Skipped(Skipped::new(path, reason))
                        }
                        Member::Warning { path, warning } => {
                            Job::Warning(Warning::new(path, &warning))
                        }
                    };
                    // The writer hung up (store failure): stop walking.
                    job_tx.send(job).is_ok()
                };
                archive::walk(sources, &limits, &consumed, &mut sink);
            });
        }
        for _ in 0..threads {
            let rx = job_rx.clone();
            let tx = out_tx.clone();
            let known = Arc::clone(&known);
            let constants = Arc::clone(&constants);
            let limits = opts.limits.clone();
            s.spawn(move || {
                for job in rx {
                    if tx.send(work(job, &known, &limits, &constants)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(job_rx);
        drop(out_tx);

        let mut writer = Writer {
            now_ms: opts.now_ms,
            report: &mut report,
            seen: HashSet::new(),
            pending_files: 0,
            pending_bytes: 0,
        };
        let written = write_all(
            db,
            &mut writer,
            &out_rx,
            &budget,
            &mut index,
            &mut saved,
            &mut |w: &Writer<'_>| {
                on_progress(Progress {
                    bytes_done: consumed.load(Ordering::Relaxed),
                    bytes_total,
                    imported: w.report.imported,
                    duplicates: w.report.duplicates,
                    skipped: w.report.skipped.len() as u64,
                })
            },
        );
        if written.is_err() {
            // Stop everyone: no more room will be freed, and nobody is reading results.
            budget.cancel();
            drop(out_rx);
        }
        written
    });
    match result {
        Ok(()) => {}
        Err(Error::Store(cause)) => {
            return Err(Error::ImportStopped {
                saved,
                lost: report.imported.saturating_sub(saved),
                cause,
            })
        }
        Err(e) => return Err(e),
    }
    on_progress(Progress {
        bytes_done: consumed.load(Ordering::Relaxed),
        bytes_total,
        imported: report.imported,
        duplicates: report.duplicates,
        skipped: report.skipped.len() as u64,
    });
    Ok(report)
}

/// The writer's part: store every outcome in batched transactions, then join the export
/// index. `saved` counts the activities of committed transactions.
fn write_all(
    db: &mut AthleteDb,
    writer: &mut Writer<'_>,
    out_rx: &crossbeam_channel::Receiver<Outcome>,
    budget: &Budget,
    index: &mut Vec<(String, Vec<strava::StravaActivity>)>,
    saved: &mut u64,
    progress: &mut dyn FnMut(&Writer<'_>),
) -> Result<(), Error> {
    let mut tx = db.begin()?;
    for outcome in out_rx.iter() {
        let cost = writer.handle(&mut *tx, outcome, index)?;
        budget.release(cost);
        if writer.pending_files >= BATCH_FILES || writer.pending_bytes >= BATCH_BYTES {
            tx.commit()?;
            *saved = writer.report.imported;
            tx = db.begin()?;
            writer.pending_files = 0;
            writer.pending_bytes = 0;
        }
        progress(writer);
    }
    // Join the export index last: in a Strava zip it may come before or after the files.
    for (csv_path, rows) in index.iter() {
        let prefix = csv_path
            .strip_suffix("activities.csv")
            .unwrap_or(csv_path.as_str());
        for row in rows {
            let Some(file) = &row.filename else { continue };
            let meta = ExternalMeta {
                external_id: Some(row.activity_id.clone()),
                name: row.name.clone(),
                external_type: row.activity_type.clone(),
                perceived_exertion: row.perceived_exertion,
            };
            let n = tx.apply_meta(&format!("{prefix}{file}"), &meta)?;
            writer.report.index_rows_joined += n as u64;
        }
    }
    tx.commit()?;
    *saved = writer.report.imported;
    Ok(())
}

/// The worker's part: everything CPU-heavy, nothing that touches the store.
fn work(
    job: Job,
    known: &HashMap<[u8; 32], u64>,
    limits: &Limits,
    constants: &MetricsConstants,
) -> Outcome {
    match job {
        Job::Skipped(s) => Outcome::Skipped(s),
        Job::Warning(w) => Outcome::Warning(w),
        Job::Index { path, bytes } => Outcome::Index {
            cost: bytes.len() as u64,
            rows: strava::parse_activities_csv(&bytes).map_err(|e| Skip::from(&e)),
            path,
        },
        Job::File { path, bytes } => {
            let cost = bytes.len() as u64;
            let failed = |path: String, e: hamstride_ingest::Error| Outcome::Failed {
                skip: Skipped::new(path, Skip::from(&e)),
                cost,
            };
            let decompressed = match sniff::decompress(bytes, limits) {
                Ok(x) => x,
                Err(e) => return failed(path, e),
            };
            // A file seen before is recognised by its hash alone: a re-import decodes nothing.
            let hash: [u8; 32] = blake3::hash(&decompressed.content).into();
            if let Some(&parts) = known.get(&hash) {
                return Outcome::Known { cost, parts };
            }
            // A gzip cut short decodes what it held, with its warning.
            let (format, activities) = match sniff::decode_decompressed(&decompressed) {
                Ok(x) => x,
                Err(e) => return failed(path, e),
            };
            let sniff::Decompressed { content, gzip, .. } = decompressed;
            let parts: Vec<Part> = activities
                .into_iter()
                .map(|activity| Part {
                    streams: hamstride_store::codec::encode(&activity.records),
                    metrics: crate::training::metrics_json(&hamstride_analytics::metrics::compute(
                        &activity, constants,
                    ))
                    .ok(),
                    activity,
                })
                .collect();
            let decoded_len = content.len() as u64;
            // Keep the original as given: a .fit.gz stays compressed.
            let (original, encoding) = match gzip {
                Some(gz) => (gz, "gzip"),
                None => (content, "raw"),
            };
            Outcome::Decoded {
                path,
                hash,
                original,
                encoding,
                format: format.as_str(),
                decoded_len,
                parts,
                cost,
            }
        }
    }
}

struct Writer<'r> {
    now_ms: i64,
    report: &'r mut ImportReport,
    /// Content hashes written in this run (the pre-loaded set covers earlier runs).
    seen: HashSet<[u8; 32]>,
    pending_files: usize,
    pending_bytes: u64,
}

impl Writer<'_> {
    /// Write one outcome; returns the byte cost to release from the in-flight budget.
    fn handle(
        &mut self,
        tx: &mut dyn WriteTx,
        outcome: Outcome,
        index: &mut Vec<(String, Vec<strava::StravaActivity>)>,
    ) -> Result<u64, Error> {
        match outcome {
            Outcome::Skipped(s) => {
                self.report.skipped.push(s);
                Ok(0)
            }
            Outcome::Warning(w) => {
                self.report.warnings.push(w);
                Ok(0)
            }
            Outcome::Failed { skip, cost } => {
                self.report.skipped.push(skip);
                Ok(cost)
            }
            Outcome::Known { cost, parts } => {
                self.report.duplicates += parts;
                Ok(cost)
            }
            Outcome::Index { path, rows, cost } => {
                match rows {
                    Ok(rows) => index.push((path, rows)),
                    Err(reason) => self.report.skipped.push(Skipped::new(path, reason)),
                }
                Ok(cost)
            }
            Outcome::Decoded {
                path,
                hash,
                original,
                encoding,
                format,
                decoded_len,
                parts,
                cost,
            } => {
                self.report.decoded_bytes += decoded_len;
                if !self.seen.insert(hash) {
                    self.report.duplicates += parts.len() as u64;
                    return Ok(cost);
                }
                // The same activity already stored from another file (another format, or the
                // same file re-exported with different bytes)? The better copy by the total
                // order of `dedupe::compare` is kept, whichever finished decoding first.
                let total_parts = parts.len() as u64;
                let mut fresh = Vec::with_capacity(parts.len());
                let mut upgrades = Vec::new();
                let mut duplicate_of = None;
                for (i, p) in parts.into_iter().enumerate() {
                    let stored = match p.activity.start_ms {
                        Some(t) => tx
                            .near_start(t, SAME_START_MS)?
                            .into_iter()
                            .find(|c| dedupe::same_activity(&c.activity, &p.activity)),
                        None => None,
                    };
                    let Some(stored) = stored else {
                        fresh.push((i, p));
                        continue;
                    };
                    self.report.duplicates += 1;
                    let new = dedupe::Copy {
                        activity: &p.activity,
                        format,
                        path: &path,
                    };
                    let old = dedupe::Copy {
                        activity: &stored.activity,
                        format: &stored.format,
                        path: &stored.source_path,
                    };
                    if dedupe::compare(new, old) == std::cmp::Ordering::Greater {
                        upgrades.push((i, p, stored.id));
                    } else {
                        duplicate_of.get_or_insert(stored.id);
                    }
                }
                // Every file's bytes are kept: a lesser copy's linked to what it duplicates.
                let lesser_only = fresh.is_empty() && upgrades.is_empty();
                let (original_id, _) = tx.insert_original(&NewOriginal {
                    hash: &hash,
                    encoding,
                    format,
                    size: decoded_len,
                    activities: total_parts,
                    data: &original,
                    duplicate_of: if lesser_only { duplicate_of } else { None },
                })?;
                let now_ms = self.now_ms;
                let row = |i: &usize, p| new_activity((original_id, &path, format), *i, p, now_ms);
                for (i, p, id) in &upgrades {
                    tx.replace_activity(*id, &row(i, p))?;
                    if let Some(m) = &p.metrics {
                        tx.put_metrics(*id, i64::from(METRICS_VERSION), m)?;
                    }
                    self.report.upgraded += 1;
                }
                for (i, p) in &fresh {
                    let id = tx.insert_activity(&row(i, p))?;
                    if let Some(m) = &p.metrics {
                        tx.put_metrics(id, i64::from(METRICS_VERSION), m)?;
                    }
                    self.report.imported += 1;
                    for w in &p.activity.warnings {
                        self.report.warnings.push(Warning::new(path.clone(), w));
                    }
                }
                self.pending_files += 1;
                self.pending_bytes += original.len() as u64;
                Ok(cost)
            }
        }
    }
}

/// Group skipped files by reason (one per code), most frequent first, in the order first
/// seen among equals: the text summary shows counts and a few examples rather than ten
/// thousand photo names.
pub fn skipped_by_reason(skipped: &[Skipped]) -> Vec<(String, Vec<&Skipped>)> {
    let mut map: HashMap<&str, Vec<&Skipped>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for s in skipped {
        let e = map.entry(s.reason.as_str()).or_insert_with(|| {
            order.push(s.reason.as_str());
            Vec::new()
        });
        e.push(s);
    }
    let mut out: Vec<(String, Vec<&Skipped>)> = order
        .into_iter()
        .map(|r| (r.to_string(), map.remove(r).unwrap_or_default()))
        .collect();
    out.sort_by_key(|(_, files)| std::cmp::Reverse(files.len()));
    out
}

/// The row of part `i` of a file: `(original id, path, format)` of the file it came from.
fn new_activity<'a>(
    (original_id, source_path, format): (i64, &'a str, &'a str),
    i: usize,
    p: &'a Part,
    imported_at_ms: i64,
) -> NewActivity<'a> {
    NewActivity {
        original_id,
        part: i as i64,
        source_path,
        format,
        activity: &p.activity,
        streams: Some(&p.streams),
        imported_at_ms,
    }
}
