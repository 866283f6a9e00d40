//! Writing what the runner asked to keep: plan exports, the HTML report and saved findings.
//! All of it is health data, so every file is created readable only by the runner (mode 0600
//! on Unix) and every folder we create is 0700, whatever the umask. A file is written to a
//! temporary name beside it, created exclusively (never through a planted file or link), and
//! renamed into place, so a crash never leaves half a file under the real name.
//!
//! A path the runner gives is checked before anything is written: never the database or its
//! side files, never a device, FIFO or folder where a file is expected (renaming over
//! `/dev/full` as root would replace the device), never the data folder for an export. The
//! service hands over bytes; only this adapter chooses where they go.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use hamstride_service::plans::ExportFile;
use hamstride_service::DbOptions;

/// The names of the database and its side files (`-wal`, `-shm`, `-journal`) in the data folder.
const STORE_PREFIXES: [&str; 2] = ["hamstride.db", "hamstride-originals.db"];

/// The data folder the CLI would open, canonical when it exists; None with PostgreSQL.
fn data_dir(db: &DbOptions) -> Option<PathBuf> {
    if db.url.is_some()
        || std::env::var(hamstride_service::DATABASE_URL_ENV).is_ok_and(|u| !u.trim().is_empty())
    {
        return None;
    }
    let dir = hamstride_service::data_dir(db.data_dir.as_deref()).ok()?;
    Some(resolve(&dir))
}

/// `path` made absolute with its longest existing prefix canonicalised (links followed) and
/// the rest appended, so a path that does not exist yet still compares with the data folder.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut rest = Vec::new();
    let mut head = abs.as_path();
    loop {
        if let Ok(p) = std::fs::canonicalize(head) {
            let mut out = p;
            for c in rest.iter().rev() {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
        match (head.parent(), head.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                head = parent;
            }
            _ => return abs,
        }
    }
}

/// Is `p` one of the store's files in the data folder `dir`?
fn is_store_file(p: &Path, dir: &Path) -> bool {
    p.parent() == Some(dir)
        && p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| STORE_PREFIXES.iter().any(|s| n.starts_with(s)))
}

/// Check an output file the runner named (`report --out`, `assess --save`). `-` (standard
/// output) is always fine. The message says why the path is refused (exit 3).
pub fn check_out_file(path: &Path, db: &DbOptions) -> Result<(), String> {
    if is_stdout(path) {
        return Ok(());
    }
    let shown = path.display();
    if let Some(dir) = data_dir(db) {
        if is_store_file(&resolve(path), &dir) {
            return Err(format!(
                "refusing to write {shown}: it is hamstride's own database (in {}); choose another file name",
                dir.display()
            ));
        }
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(format!(
            "refusing to write {shown}: it is a folder; give a file name, e.g. {}",
            path.join("report.html").display()
        )),
        Ok(m) if !m.is_file() => Err(format!(
            "refusing to write {shown}: it is not a regular file (a device, FIFO or socket); use - for standard output"
        )),
        _ => Ok(()),
    }
}

/// Check the folder `plan export --out` names: a folder (or nothing yet), and not the data
/// folder or anything inside it.
pub fn check_out_dir(path: &Path, db: &DbOptions) -> Result<(), String> {
    let shown = path.display();
    if let Some(dir) = data_dir(db) {
        if resolve(path).starts_with(&dir) {
            return Err(format!(
                "refusing to export into {shown}: it is hamstride's data folder ({}) or inside it; choose another folder",
                dir.display()
            ));
        }
    }
    match std::fs::metadata(path) {
        Ok(m) if !m.is_dir() => Err(format!(
            "refusing to export into {shown}: it exists and is not a folder"
        )),
        _ => Ok(()),
    }
}

/// `-` means standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// A name for a temporary file beside `path`: hidden, unlikely to collide, new each call.
fn temp_name(path: &Path) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join(format!(
        ".{}.{}-{nanos:08x}-{n}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ))
}

/// Create a new file exclusively (O_EXCL: fails on any existing file or link, dangling or not)
/// with mode 0600, trying a few names in case one is taken.
fn create_temp(path: &Path) -> io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for _ in 0..8 {
        let tmp = temp_name(path);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// Write `bytes` to `path` atomically with mode 0600. The temporary file is created new (never
/// through an existing file or link) and removed if anything fails; it replaces `path` only
/// when `path` is absent or a regular file.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_private_with(path, |file| file.write_all(bytes))?
}

/// Write `path` atomically with mode 0600 through `fill`, which writes the content into the
/// new temporary file (a zip too big to hold in memory). As [`write_private`]: the temporary
/// file is removed if `fill` or anything after it fails, and `path` is replaced only by a
/// whole file. The outer error is the file's; the inner one is `fill`'s own.
pub fn write_private_with<T, E>(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> Result<T, E>,
) -> io::Result<Result<T, E>> {
    let (tmp, mut file) = create_temp(path)?;
    let filled = match fill(&mut file) {
        Ok(v) => v,
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(&tmp);
            return Ok(Err(e));
        }
    };
    let written = (|| {
        file.sync_all()?;
        drop(file);
        match std::fs::symlink_metadata(path) {
            Ok(m) if !m.is_file() => {
                return Err(io::Error::other(
                    "it exists and is not a regular file, so it was left as it is",
                ))
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| Ok(filled))
}

/// Create `dir` and any missing parents with mode 0700 (set after creation, so the umask
/// cannot loosen or tighten it). Folders that already exist are left as they are.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_private_dir(parent)?;
    }
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Ok(()) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
            Ok(())
        }
        // Another process made it in between: fine, it is not ours to chmod.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Write an export's files under `dir` (created if missing), each at its relative name.
/// Returns the paths written, in the export's order, or a message naming the file that failed.
pub fn write_export(dir: &Path, files: &[ExportFile]) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::with_capacity(files.len());
    for f in files {
        // Names come from the exporter, not the runner; still, never write outside `dir`.
        let rel = Path::new(&f.name);
        if rel.as_os_str().is_empty()
            || !rel.components().all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(format!(
                "export file name '{}' is not a plain relative path",
                f.name
            ));
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            create_private_dir(parent)
                .map_err(|e| format!("cannot create the folder {}: {e}", parent.display()))?;
        }
        write_private(&path, &f.bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn file(name: &str) -> ExportFile {
        ExportFile {
            name: name.into(),
            bytes: b"x".to_vec(),
        }
    }

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join("export");
        for bad in ["../x", "/etc/x", "", "a/../../x"] {
            let e = write_export(&tmp, &[file(bad)]).unwrap_err();
            assert!(e.contains("not a plain relative path"), "{bad}: {e}");
        }
        let ok = write_export(&tmp, &[file("a.md"), file("w/01.fit")]).unwrap();
        assert_eq!(ok, [tmp.join("a.md"), tmp.join("w/01.fit")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&ok[1]).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_path_not_yet_there_resolves_through_its_existing_parent() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolve(&dir.path().join("a/b/../c")), real.join("a/c"));
        assert!(is_store_file(&real.join("hamstride.db-wal"), &real));
        assert!(is_store_file(&real.join("hamstride-originals.db"), &real));
        assert!(!is_store_file(&real.join("report.html"), &real));
    }
}
