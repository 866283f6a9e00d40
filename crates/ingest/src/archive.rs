//! The walker over what a runner hands to `hamstride import`: files, folders, `.gz` files and
//! `.zip` exports, including Garmin's zips inside zips, given as paths or as named bytes (a
//! web upload, [`Source::Bytes`]) that go through the same checks. It yields one [`Member`]
//! per candidate file (its bytes, still gzip-compressed if they were, so decompression can run
//! on the worker threads) or a reason it was skipped, in a stable order.
//!
//! What a file is comes from its first bytes ([`crate::sniff::kind_of_content`]) before its
//! name: exports rename things, so a member called `run.dat` that holds a FIT (or a gzip of
//! one) is imported, and a zip without `.zip` is walked. The name decides only when the content
//! says nothing (an `activities.csv`, or a `.fit` that the decoder will then reject with its
//! reason).
//!
//! Hostile archives are expected. Everything is bounded by [`Limits`]: bytes per file and per
//! archive, entries, zip nesting depth, and the compression ratio (checked while inflating, so
//! a zip bomb is stopped after a few megabytes, not after filling memory). Member names are
//! only labels: nothing is ever written to disk under an archive's names, so `../` cannot
//! escape anywhere; nested zips too large to hold in memory are spooled to an anonymous
//! temporary file. Symbolic links inside folders and archives are never followed. One bad
//! member is skipped with its reason and the walk goes on.

use std::fs::{self, File};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Skip;
use crate::zipread::{self, Survey};
use crate::{Error, SkipCode, Warning, WarningCode};

/// Safety limits for untrusted input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest single activity file after decompression. The longest real recordings (a
    /// 24-hour ultra at 1 s) are ~20 MB of FIT; 64 MiB leaves room without letting one file
    /// take the memory budget.
    pub max_file_bytes: u64,
    /// Total decompressed bytes read from one top-level archive, the zips inside it
    /// included. Ten years of one-second FIT from a watch unpack to a few GB, and only
    /// activity members count (photos are never inflated past their first bytes): 8 GiB
    /// leaves room for that, where the old 64 GiB let one hostile zip keep an import busy for
    /// minutes. An archive is also held to [`Limits::max_ratio`] times its own size.
    pub max_archive_bytes: u64,
    /// Entries in one zip (central directory), nested zips counted separately.
    pub max_entries: usize,
    /// Zip-in-zip depth: Garmin needs 2; more than 4 is no real export.
    pub max_depth: u32,
    /// Largest decompressed:compressed ratio once past [`Limits::ratio_grace_bytes`], for
    /// each member and for a whole top-level archive. Real FIT deflates 2–4×, GPX/TCX up to
    /// ~30×; bombs are in the thousands.
    pub max_ratio: u64,
    /// Output allowed before the ratio check starts (tiny files compress absurdly well).
    pub ratio_grace_bytes: u64,
    /// Nested zips up to this size are held in memory, larger ones spooled to a temp file.
    pub max_in_memory_zip: u64,
    /// Files (and folder entries) visited in one folder tree.
    pub max_folder_entries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 64 << 20,
            max_archive_bytes: 8 << 30,
            max_entries: 1_000_000,
            max_depth: 4,
            max_ratio: 200,
            ratio_grace_bytes: 4 << 20,
            max_in_memory_zip: 16 << 20,
            max_folder_entries: 2_000_000,
        }
    }
}

/// Bytes read from the start of a file to tell what it is: the XML root element of a GPX or
/// TCX sits within the first 4 KiB of every real export (after a BOM, prolog and comments).
pub const SNIFF_BYTES: usize = 4096;

/// One input to walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file or folder the runner named.
    Path(PathBuf),
    /// Bytes received some other way (a web upload), with the name they came with. The name
    /// is only a label in messages and a hint for the kind: nothing is written under it.
    Bytes { name: String, data: Vec<u8> },
}

impl Source {
    /// The name shown in the report for this input (an empty upload name shows as `upload`).
    pub fn display_name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Bytes { name, .. } => upload_name(name),
        }
    }
}

/// An upload's name as shown: printable, and never empty.
fn upload_name(name: &str) -> String {
    if name.trim().is_empty() {
        String::from("upload")
    } else {
        clean(name)
    }
}

/// The reason given for a member that is simply not activity data (a photo in a Strava
/// export): nothing failed, unlike every other reason. Callers compare with it.
pub const NOT_AN_ACTIVITY: &str = "not an activity file";

/// One thing found by the walk.
#[derive(Debug)]
pub enum Member {
    /// A candidate file: its display path (`export.zip!activities/1.fit.gz`) and raw bytes.
    File { path: String, bytes: Vec<u8> },
    /// Something not imported, and why.
    Skipped { path: String, reason: Skip },
    /// Something about an archive that was repaired (a zip cut short, read up to the cut),
    /// said once for the archive; its members come as usual.
    Warning { path: String, warning: Warning },
}

/// What the walker does with a name.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Kind {
    /// FIT, GPX or TCX, maybe gzipped.
    Activity,
    /// An export index we join (Strava's `activities.csv`).
    Index,
    /// A zip to walk into.
    Zip,
    /// Anything else: photos, wellness JSON, other CSVs.
    Other,
}

/// Classify a member or file name by its extension (case-insensitive).
pub fn kind_of(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit(['/', '\\', '!']).next().unwrap_or(&lower);
    let stem = base.strip_suffix(".gz").unwrap_or(base);
    if base == "activities.csv" {
        Kind::Index
    } else if stem.ends_with(".fit") || stem.ends_with(".gpx") || stem.ends_with(".tcx") {
        Kind::Activity
    } else if base.ends_with(".zip") {
        Kind::Zip
    } else {
        Kind::Other
    }
}

/// Total size in bytes of the inputs (for a progress bar), without following links inside
/// folders. Unreadable paths count 0; the walk reports them.
pub fn total_size(inputs: &[Source], limits: &Limits) -> u64 {
    fn visit(p: &Path, top: bool, n: &mut usize, budget: usize) -> u64 {
        *n += 1;
        if *n > budget {
            return 0;
        }
        let meta = if top {
            fs::metadata(p)
        } else {
            fs::symlink_metadata(p)
        };
        match meta {
            Ok(m) if m.is_file() => m.len(),
            Ok(m) if m.is_dir() => fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| visit(&e.path(), false, n, budget))
                        .sum()
                })
                .unwrap_or(0),
            _ => 0,
        }
    }
    let mut n = 0;
    inputs
        .iter()
        .map(|s| match s {
            Source::Path(p) => visit(p, true, &mut n, limits.max_folder_entries),
            Source::Bytes { data, .. } => data.len() as u64,
        })
        .sum()
}

/// Walk the inputs in order, calling `sink` for every member; `sink` returns `false` to stop.
/// `progress` grows by the input bytes consumed (compressed sizes inside archives).
/// Top-level paths are followed even when they are links (the runner named them); links
/// found inside folders and archives are not. Bytes inputs are walked like a file of that
/// name at the top level: the same limits, sniffing and reasons.
/// Files an operating system leaves beside the real ones (macOS's `__MACOSX/` folder and `._`
/// resource forks, `.DS_Store`, Windows' `Thumbs.db` and `desktop.ini`): never a runner's
/// data, so passed over without a word rather than listed as skipped.
pub fn os_metadata(path: &str) -> bool {
    let mut parts = path.split(['/', '\\']).filter(|p| !p.is_empty());
    let last = path.rsplit(['/', '\\']).next().unwrap_or(path);
    parts.any(|p| p == "__MACOSX")
        || last.starts_with("._")
        || last.eq_ignore_ascii_case(".DS_Store")
        || last.eq_ignore_ascii_case("Thumbs.db")
        || last.eq_ignore_ascii_case("desktop.ini")
}

/// The reason given for something walked as a zip that is not one.
pub const NOT_A_ZIP: &str =
    "not a readable zip archive: it is not a zip, or too damaged to find any file in it";

/// The reason given for a zip member that needs a password.
pub const LOCKED: &str = "this file in the zip is locked with a password";

/// The reason given for an input path that does not exist.
pub const NO_SUCH_PATH: &str = "there is no such file or folder";

pub fn walk(
    inputs: Vec<Source>,
    limits: &Limits,
    progress: &AtomicU64,
    sink: &mut dyn FnMut(Member) -> bool,
) {
    let mut w = Walker {
        limits,
        progress,
        sink,
        stopped: false,
        folder_entries: 0,
        budget_said: false,
    };
    for input in inputs {
        if w.stopped {
            break;
        }
        match input {
            Source::Path(p) => w.path(&p, true),
            Source::Bytes { name, data } => w.bytes(&upload_name(&name), data),
        }
    }
}

struct Walker<'a> {
    limits: &'a Limits,
    progress: &'a AtomicU64,
    sink: &'a mut dyn FnMut(Member) -> bool,
    stopped: bool,
    folder_entries: usize,
    /// Whether the current top-level archive's spent budget has been reported.
    budget_said: bool,
}

/// Member names can hold anything; keep display paths printable.
fn clean(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl Walker<'_> {
    fn emit(&mut self, m: Member) {
        if !self.stopped && !(self.sink)(m) {
            self.stopped = true;
        }
    }

    fn skip(&mut self, path: &str, reason: impl Into<Skip>) {
        self.emit(Member::Skipped {
            path: path.to_string(),
            reason: reason.into(),
        });
    }

    fn path(&mut self, p: &Path, top: bool) {
        let shown = p.display().to_string();
        self.folder_entries += 1;
        if self.folder_entries > self.limits.max_folder_entries {
            if self.folder_entries == self.limits.max_folder_entries + 1 {
                let why = format!(
                    "more than {} files in the folders given; the rest were not read",
                    self.limits.max_folder_entries
                );
                self.skip(&shown, Skip::new(SkipCode::TooLarge, why));
            }
            return;
        }
        let meta = if top {
            fs::metadata(p)
        } else {
            fs::symlink_metadata(p)
        };
        let meta = match meta {
            Ok(m) => m,
            // A path the runner typed that is not there: said plainly, and the rest goes on.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return self.skip(&shown, Skip::new(SkipCode::Missing, NO_SUCH_PATH))
            }
            Err(e) => return self.skip(&shown, format!("cannot read: {e}")),
        };
        if meta.file_type().is_symlink() {
            return self.skip(&shown, "symbolic link not followed");
        }
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = match fs::read_dir(p) {
                Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
                Err(e) => return self.skip(&shown, format!("cannot read folder: {e}")),
            };
            entries.sort();
            for e in entries {
                if self.stopped {
                    return;
                }
                if !os_metadata(&e.to_string_lossy()) {
                    self.path(&e, false);
                }
            }
            return;
        }
        if !meta.is_file() {
            return self.skip(&shown, "not a regular file");
        }
        let len = meta.len();
        let named = kind_of(&shown);
        let opened = File::open(p);
        let mut f = match opened {
            Ok(f) => f,
            Err(e) => {
                self.progress.fetch_add(len, Ordering::Relaxed);
                return self.skip(&shown, format!("cannot open: {e}"));
            }
        };
        // The first bytes decide what the file is; a name ending in .zip is trusted without
        // them (the zip reader says so if it is not one).
        let mut head = Vec::new();
        let kind = if named == Kind::Zip {
            Kind::Zip
        } else {
            if let Err(e) = read_head(&mut f, &mut head) {
                self.progress.fetch_add(len, Ordering::Relaxed);
                return self.skip(&shown, format!("cannot read: {e}"));
            }
            crate::sniff::kind_of_content(&head).unwrap_or(named)
        };
        match kind {
            Kind::Zip => {
                match f.rewind() {
                    Ok(()) => {
                        let mut budget = self.archive_budget(len);
                        self.zip(f, &shown, 1, &mut budget);
                    }
                    Err(e) => self.skip(&shown, format!("cannot read: {e}")),
                }
                self.progress.fetch_add(len, Ordering::Relaxed);
            }
            Kind::Other if !top => {
                self.progress.fetch_add(len, Ordering::Relaxed);
                self.skip(&shown, Skip::new(SkipCode::OtherFile, NOT_AN_ACTIVITY))
            }
            // A file the runner named explicitly is tried whatever its name and content: the
            // decoder then says why it cannot read it.
            _ => {
                if len > self.limits.max_file_bytes {
                    self.progress.fetch_add(len, Ordering::Relaxed);
                    return self.skip(&shown, too_big(len, self.limits));
                }
                // The file may grow while we read: never past the limit.
                let mut bytes = head;
                let rest = (self.limits.max_file_bytes + 1).saturating_sub(bytes.len() as u64);
                let read = (&mut f).take(rest).read_to_end(&mut bytes);
                self.progress.fetch_add(len, Ordering::Relaxed);
                match read {
                    Ok(_) if bytes.len() as u64 > self.limits.max_file_bytes => {
                        self.skip(&shown, too_big(bytes.len() as u64, self.limits))
                    }
                    Ok(_) => self.emit(Member::File { path: shown, bytes }),
                    Err(e) => self.skip(&shown, format!("cannot read: {e}")),
                }
            }
        }
    }

    /// Walk bytes received with a name (an upload) as [`Walker::path`] walks a top-level file:
    /// a zip (by content or name) is walked, anything else goes to the decoder, which names
    /// the upload in its reason when it cannot read it.
    fn bytes(&mut self, shown: &str, data: Vec<u8>) {
        let len = data.len() as u64;
        let head = data.get(..SNIFF_BYTES).unwrap_or(&data);
        let kind = crate::sniff::kind_of_content(head).unwrap_or_else(|| kind_of(shown));
        if kind == Kind::Zip {
            if len > self.limits.max_archive_bytes {
                let why = format!(
                    "archive is {} MB, over the {} MB limit for one archive",
                    len >> 20,
                    self.limits.max_archive_bytes >> 20
                );
                self.skip(shown, Skip::new(SkipCode::TooLarge, why));
            } else {
                let mut budget = self.archive_budget(len);
                self.zip(io::Cursor::new(data), shown, 1, &mut budget);
            }
        } else if len > self.limits.max_file_bytes {
            self.skip(shown, too_big(len, self.limits));
        } else {
            self.emit(Member::File {
                path: shown.to_string(),
                bytes: data,
            });
        }
        self.progress.fetch_add(len, Ordering::Relaxed);
    }

    /// The bytes a top-level archive of `len` bytes may unpack to, zips inside it included:
    /// [`Limits::max_archive_bytes`], and no more than [`Limits::max_ratio`] times its size
    /// (past the grace), so a small zip cannot keep the walker inflating for minutes.
    fn archive_budget(&mut self, len: u64) -> u64 {
        self.budget_said = false;
        let by_ratio = len
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_grace_bytes);
        self.limits.max_archive_bytes.min(by_ratio)
    }

    /// Walk one zip. `budget` is what is left of the top-level archive's byte allowance.
    /// The end of the file is looked at first ([`zipread::survey`]): what is not a zip, or
    /// lists too many entries, is refused before the crate parses anything; a zip whose end
    /// is missing or damaged is read by its local headers instead.
    fn zip<R: Read + Seek>(&mut self, reader: R, shown: &str, depth: u32, budget: &mut u64) {
        let mut r = match zipread::Window::new(reader) {
            Ok(r) => r,
            Err(e) => return self.skip(shown, format!("cannot read: {e}")),
        };
        let floor_at = match zipread::survey(&mut r) {
            Err(e) => return self.skip(shown, format!("cannot read: {e}")),
            Ok(Survey::NotZip) => return self.skip(shown, Skip::new(SkipCode::Damaged, NOT_A_ZIP)),
            Ok(Survey::Damaged) => return self.zip_local(&mut r, shown, depth, budget, true),
            Ok(Survey::Central { entries, .. }) if entries > self.limits.max_entries as u64 => {
                let why = format!(
                    "zip lists {entries} entries, over the limit of {}",
                    self.limits.max_entries
                );
                return self.skip(shown, Skip::new(SkipCode::TooLarge, why));
            }
            Ok(Survey::Central { floor, .. }) => floor,
        };
        let floor = r.floor();
        floor.set(floor_at);
        let opened = zip::ZipArchive::new(&mut r);
        floor.set(0);
        match opened {
            Ok(mut archive) => {
                if let Some(reason) = zipread::overlap(&mut archive) {
                    return self.skip(shown, Skip::new(SkipCode::TooLarge, reason));
                }
                self.zip_central(&mut archive, shown, depth, budget);
            }
            // The end record looked right but the directory does not parse (one entry with
            // a broken field is enough): the members may still be whole.
            Err(_) => self.zip_local(&mut r, shown, depth, budget, false),
        }
    }

    /// The members of a zip by its central directory, in its order.
    fn zip_central<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        shown: &str,
        depth: u32,
        budget: &mut u64,
    ) {
        for i in 0..archive.len() {
            if self.stopped || self.out_of_budget(shown, budget) {
                return;
            }
            let name = archive.name_for_index(i).map(clean);
            let path = match &name {
                Some(n) => format!("{shown}!{n}"),
                None => format!("{shown}!#{i}"),
            };
            match archive.by_index(i) {
                Ok(mut entry) => self.member(&mut entry, &path, depth, budget),
                Err(zip::result::ZipError::UnsupportedArchive(why))
                    if why == zip::result::ZipError::PASSWORD_REQUIRED =>
                {
                    self.skip(&path, Skip::new(SkipCode::Locked, LOCKED))
                }
                Err(e) => self.skip(
                    &path,
                    Skip::new(SkipCode::Damaged, format!("unreadable zip entry: {e}")),
                ),
            }
        }
    }

    /// The members of a zip whose central directory is missing or damaged (a download cut
    /// short loses the directory first, since it is at the end), found by walking the local
    /// headers from the start. Each complete member is read as usual; the walk ends at the
    /// directory, at the damage, or at a member whose end it cannot tell, and a warning names
    /// the zip. Bounded like the rest: entries, bytes and depth. `cut`: the end record is
    /// missing (the file stops early), rather than present with a directory that does not
    /// parse.
    fn zip_local<R: Read + Seek>(
        &mut self,
        r: &mut zipread::Window<R>,
        shown: &str,
        depth: u32,
        budget: &mut u64,
        cut: bool,
    ) {
        let len = r.seek(io::SeekFrom::End(0)).unwrap_or(0);
        let (mut at, mut entries, mut read) = (0u64, 0usize, 0usize);
        loop {
            if self.stopped || self.out_of_budget(shown, budget) {
                return;
            }
            // Anything but a local header ends the walk: the directory, the cut, the damage.
            let Ok(Some(header)) = zipread::local_header(r, at) else {
                break;
            };
            entries += 1;
            if entries > self.limits.max_entries {
                let why = format!("zip holds more than {} entries", self.limits.max_entries);
                return self.skip(shown, Skip::new(SkipCode::TooLarge, why));
            }
            let path = format!("{shown}!{}", clean(&header.name));
            let Some(end) = header.data_end.filter(|&e| e <= len) else {
                let why = if header.data_end.is_some() {
                    "this file was cut off where the zip ends"
                } else {
                    "the zip is damaged and this file's length is not written before it, so it cannot be read"
                };
                self.skip(&path, Skip::new(SkipCode::Damaged, why));
                break;
            };
            if header.encrypted {
                self.skip(&path, Skip::new(SkipCode::Locked, LOCKED));
            } else if os_metadata(&header.name) {
                // Passed over silently, as in an intact zip.
            } else if r.seek(io::SeekFrom::Start(header.start)).is_ok() {
                match zip::read::read_zipfile_from_stream(r) {
                    Ok(Some(mut entry)) => {
                        self.member(&mut entry, &path, depth, budget);
                        read += 1;
                    }
                    Ok(None) => break,
                    Err(e) => self.skip(
                        &path,
                        Skip::new(SkipCode::Damaged, format!("unreadable zip entry: {e}")),
                    ),
                }
            }
            at = end;
        }
        if read == 0 && entries == 0 {
            return self.skip(shown, Skip::new(SkipCode::Damaged, NOT_A_ZIP));
        }
        self.emit(Member::Warning {
            path: shown.to_string(),
            warning: Warning::new(
                if cut {
                    WarningCode::Truncated
                } else {
                    WarningCode::Damaged
                },
                damaged_zip_warning(cut, read),
            ),
        });
    }

    /// True (after saying so once) when the top-level archive's byte allowance is spent.
    fn out_of_budget(&mut self, shown: &str, budget: &mut u64) -> bool {
        if *budget > 0 {
            return false;
        }
        // Said once: the outer zips see the spent budget too and stop without repeating it.
        if !self.budget_said {
            self.budget_said = true;
            self.skip(
                shown,
                Skip::new(
                    SkipCode::TooLarge,
                    "this zip unpacks to far more data than its size allows for activity files (a zip bomb?); the rest of it was not read",
                ),
            );
        }
        true
    }

    /// One member of a zip, by either route: sniff its head, then recurse into a zip or hand
    /// the bytes on, within the limits.
    fn member<X: Read>(
        &mut self,
        entry: &mut zip::read::ZipFile<'_, X>,
        path: &str,
        depth: u32,
        budget: &mut u64,
    ) {
        let name = clean(entry.name());
        let compressed = entry.compressed_size();
        if depth == 1 {
            self.progress.fetch_add(compressed, Ordering::Relaxed);
        }
        if entry.is_dir() || os_metadata(&name) {
            return;
        }
        if entry.is_symlink() {
            return self.skip(path, "symbolic link not followed");
        }
        // As for files: the first bytes decide, the name when they say nothing. Reading
        // them inflates at most SNIFF_BYTES, well inside the ratio check's grace.
        let named = kind_of(&name);
        let mut head = Vec::new();
        let kind = if named == Kind::Zip {
            Kind::Zip
        } else {
            if let Err(e) = read_head(entry, &mut head) {
                return self.skip(
                    path,
                    Skip::new(SkipCode::Damaged, format!("cannot decompress: {e}")),
                );
            }
            crate::sniff::kind_of_content(&head).unwrap_or(named)
        };
        if kind == Kind::Other {
            return self.skip(path, Skip::new(SkipCode::OtherFile, NOT_AN_ACTIVITY));
        }
        if kind == Kind::Zip && depth >= self.limits.max_depth {
            let why = format!("zip nested deeper than {} levels", self.limits.max_depth);
            return self.skip(path, Skip::new(SkipCode::TooLarge, why));
        }
        let limit = if kind == Kind::Zip {
            self.limits.max_archive_bytes
        } else {
            self.limits.max_file_bytes
        };
        let cap = limit.min(*budget);
        let size = entry.size();
        // The head already read, then the rest of the member: one stream to the limits.
        let mut src = io::Cursor::new(head).chain(entry);
        let copied = if kind == Kind::Zip && size > self.limits.max_in_memory_zip {
            // Spool to an anonymous temp file: it has no name an attacker chose, and
            // the OS removes it when closed.
            tempfile::tempfile()
                .map_err(|e| CopyError::Other(format!("cannot spool: {e}")))
                .and_then(|mut f| {
                    let n = bounded_copy(&mut src, &mut f, cap, compressed, self.limits)?;
                    f.rewind()
                        .map_err(|e| CopyError::Other(format!("cannot spool: {e}")))?;
                    Ok((Spooled::File(f), n))
                })
        } else {
            let mut bytes = Vec::with_capacity(size.min(cap).min(64 << 20) as usize);
            bounded_copy(&mut src, &mut bytes, cap, compressed, self.limits)
                .map(|n| (Spooled::Memory(bytes), n))
        };
        match copied {
            Ok((spooled, n)) => {
                *budget = budget.saturating_sub(n);
                match (kind, spooled) {
                    (Kind::Zip, Spooled::File(f)) => self.zip(f, path, depth + 1, budget),
                    (Kind::Zip, Spooled::Memory(b)) => {
                        self.zip(io::Cursor::new(b), path, depth + 1, budget)
                    }
                    (_, Spooled::Memory(bytes)) => self.emit(Member::File {
                        path: path.to_string(),
                        bytes,
                    }),
                    (_, Spooled::File(_)) => {}
                }
            }
            // Over the archive's allowance rather than the member's own limit: the archive
            // as a whole is the problem, said once here and nowhere after.
            Err(CopyError::OverCap(_)) if cap < limit => {
                *budget = 0;
                self.out_of_budget(path, budget);
            }
            Err(e) => self.skip(path, e.skip()),
        }
    }
}

/// The warning for a zip read by its local headers: cut short (its end is missing) or with a
/// damaged list of files, and how many files were read.
fn damaged_zip_warning(cut: bool, read: usize) -> String {
    let files = if read == 1 { "file" } else { "files" };
    match (cut, read) {
        (true, 0) => "this zip was cut short, and no complete file in it could be read".into(),
        (true, n) => format!("this zip was cut short; kept the {n} complete {files} before the cut"),
        (false, 0) => "the list of files at the end of this zip is damaged, and no file in it could be read".into(),
        (false, n) => format!("the list of files at the end of this zip is damaged; the {n} {files} found in it were read one by one"),
    }
}

/// Where a member's bytes went.
enum Spooled {
    Memory(Vec<u8>),
    File(File),
}

/// Read up to [`SNIFF_BYTES`] from the start of `src` into `head`.
fn read_head(src: &mut dyn Read, head: &mut Vec<u8>) -> io::Result<()> {
    src.take(SNIFF_BYTES as u64).read_to_end(head).map(|_| ())
}

/// The reason for a file over the one-activity limit.
fn too_big(len: u64, limits: &Limits) -> Skip {
    Skip::new(
        SkipCode::TooLarge,
        format!(
            "file is {} MB, over the {} MB limit for one activity",
            len >> 20,
            limits.max_file_bytes >> 20
        ),
    )
}

/// Why [`bounded_copy`] stopped.
#[derive(Debug)]
enum CopyError {
    /// More than the cap: the reason names it.
    OverCap(String),
    /// The source failed (damaged or cut-short compressed data).
    Read(io::Error),
    /// Past the compression-ratio limit (a zip bomb?).
    Ratio(String),
    /// Anything else (spooling), with its reason.
    Other(String),
}

impl CopyError {
    /// The skip: over a limit is too large, failed decompression is damage, the rest (a
    /// temporary file that could not be written) is this machine's problem, not the file's.
    fn skip(self) -> Skip {
        let code = match &self {
            CopyError::OverCap(_) | CopyError::Ratio(_) => SkipCode::TooLarge,
            CopyError::Read(_) => SkipCode::Damaged,
            CopyError::Other(_) => SkipCode::Unreadable,
        };
        Skip::new(code, self.reason())
    }

    fn reason(self) -> String {
        match self {
            CopyError::OverCap(r) | CopyError::Ratio(r) | CopyError::Other(r) => r,
            CopyError::Read(e) => format!("cannot decompress: {e}"),
        }
    }
}

/// Copy at most `cap` bytes, failing (with a reason for the runner) past the cap or past the
/// compression-ratio limit. Checked per chunk, so a bomb stops early.
fn bounded_copy(
    src: &mut dyn Read,
    dst: &mut dyn io::Write,
    cap: u64,
    compressed: u64,
    limits: &Limits,
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        total += n as u64;
        if total > cap {
            return Err(CopyError::OverCap(format!(
                "larger than the {} MB limit after decompression",
                cap >> 20
            )));
        }
        if total > limits.ratio_grace_bytes && total / compressed.max(1) > limits.max_ratio {
            return Err(CopyError::Ratio(format!(
                "compression ratio over {}:1 (a zip bomb?)",
                limits.max_ratio
            )));
        }
        dst.write_all(buf.get(..n).unwrap_or(&[]))
            .map_err(|e| CopyError::Other(format!("cannot spool: {e}")))?;
    }
}

/// The warning for a gzip file that ends before its data does (a download cut short).
pub const GZIP_CUT: &str = "the file was cut short; kept what could be read";
/// The warning for a gzip file whose compressed data is damaged part way.
pub const GZIP_DAMAGED: &str =
    "the file is damaged part way; kept what could be read before the damage";

/// Decompress a gzip file (one or more members) within the limits. A file cut short (or
/// damaged part way) keeps what decompressed before the end, with a warning for the
/// activity, as a plain file cut short keeps what decodes: the first hours of a long ride
/// are worth having. Only the limits (size, compression ratio) refuse the whole file.
pub fn gunzip(bytes: &[u8], limits: &Limits) -> Result<(Vec<u8>, Option<&'static str>), Error> {
    let mut out = Vec::with_capacity((bytes.len() * 4).min(limits.max_file_bytes as usize));
    let mut dec = flate2::read::MultiGzDecoder::new(bytes);
    match bounded_copy(
        &mut dec,
        &mut out,
        limits.max_file_bytes,
        bytes.len() as u64,
        limits,
    ) {
        Ok(_) => Ok((out, None)),
        Err(CopyError::Read(e)) => {
            let why = if e.kind() == io::ErrorKind::UnexpectedEof {
                GZIP_CUT
            } else {
                GZIP_DAMAGED
            };
            Ok((out, Some(why)))
        }
        Err(e) => Err(Error::Limit {
            path: "gzip".into(),
            what: e.reason(),
        }),
    }
}

/// True when the bytes start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// True when the bytes start like a zip: a local file header, or the end record of an empty
/// archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified_by_extension() {
        assert_eq!(kind_of("activities/123.fit.gz"), Kind::Activity);
        assert_eq!(kind_of("A/B/RUN.GPX"), Kind::Activity);
        assert_eq!(kind_of("x.tcx.gz"), Kind::Activity);
        assert_eq!(kind_of("export_1/activities.csv"), Kind::Index);
        assert_eq!(kind_of("x.zip!activities.csv"), Kind::Index);
        assert_eq!(kind_of("UploadedFiles_0-_Part1.zip"), Kind::Zip);
        assert_eq!(kind_of("media/1.jpg"), Kind::Other);
        assert_eq!(kind_of("profile.csv"), Kind::Other);
    }

    #[test]
    fn control_characters_in_names_are_neutralised() {
        assert_eq!(clean("a\u{1b}[31mb\n"), "a?[31mb?");
    }
}
