//! Writing what the runner asked to keep: plan exports, the HTML report and saved findings.
//! All of it is health data, so every file is created readable only by the runner (mode 0600
//! on Unix), written to a hidden temporary name beside it and renamed into place, so a
//! crash never leaves half a file under the real name. The service hands over bytes; only
//! this adapter chooses where they go.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use hamstride_service::plans::ExportFile;

/// Write `bytes` to `path` atomically with mode 0600. The temporary file is created new (never
/// through an existing file or link) and removed if anything fails.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let written = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
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
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
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
}
