//! `hamstride export-data` and `hamstride delete-data` (issue 15, Settings, in the terminal):
//! the zip is private (0600), holds the tables and the imported file byte for byte, and never
//! replaces a file (or the database) unless asked; deleting needs the typed word at a
//! terminal or `--yes`, and without either refuses and deletes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Read;
use std::path::Path;

use common::{have_tmux, run, text, Term};

const GPX_GZ: &str = "../ingest/tests/fixtures/gpx/georust__garmin-activity.gpx.gz";

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(GPX_GZ)
}

/// A data folder in `d` with one imported run and one diary day.
fn with_data(d: &Path) {
    let o = run(d, &["import", fixture().to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(d, &["pain", "--during", "2", "--after", "3"]);
    assert!(o.status.success(), "{}", text(&o));
}

fn activity_count(d: &Path) -> u64 {
    let o = run(d, &["activities", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array().unwrap().len() as u64
}

fn entry(zip_path: &Path, name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut b = Vec::new();
    f.read_to_end(&mut b).unwrap();
    b
}

#[test]
fn export_writes_a_private_zip_with_the_tables_and_the_original() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    with_data(d.path());
    let out = d.path().join("mine.zip");
    let o = run(
        d.path(),
        &[
            "export-data",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["counts"]["activities"], 1);
    assert_eq!(v["counts"]["pain_entries"], 1);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "health data, readable only by the runner");
    assert_eq!(
        entry(&out, "originals/georust__garmin-activity.gpx.gz"),
        std::fs::read(fixture()).unwrap(),
        "the imported file, byte for byte (stored packed, as imported)"
    );
    let csv = String::from_utf8(entry(&out, "activities.csv")).unwrap();
    assert!(csv.starts_with("id,date,start_utc,sport"), "{csv}");
    assert_eq!(csv.lines().count(), 2);
    assert!(!entry(&out, "README.txt").is_empty());
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn export_never_replaces_a_file_without_force_nor_the_database() {
    let d = tempfile::tempdir().unwrap();
    with_data(d.path());
    let out = d.path().join("there.zip");
    std::fs::write(&out, b"keep me").unwrap();
    let o = run(d.path(), &["export-data", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("--force"), "{}", text(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    let o = run(
        d.path(),
        &["export-data", "--out", out.to_str().unwrap(), "--force"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
    let db = d.path().join("data/hamstride.db");
    let before = std::fs::read(&db).unwrap();
    for bad in [db.to_str().unwrap(), "-", d.path().to_str().unwrap()] {
        let o = run(d.path(), &["export-data", "--out", bad, "--force"]);
        assert_eq!(o.status.code(), Some(3), "{bad}: {}", text(&o));
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database untouched"
    );
    // Without --out: a dated name in the current folder.
    let o = std::process::Command::new(common::bin())
        .current_dir(d.path())
        .env("HAMSTRIDE_DATA_DIR", d.path().join("data"))
        .env_remove("HAMSTRIDE_DATABASE_URL")
        .arg("export-data")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let named: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("hamstride-export-") && n.ends_with(".zip"))
        .collect();
    assert_eq!(named.len(), 1, "{named:?}");
}

#[test]
fn delete_without_a_terminal_or_yes_refuses_and_keeps_everything() {
    let d = tempfile::tempdir().unwrap();
    with_data(d.path());
    let o = run(d.path(), &["delete-data"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("--yes"),
        "the message says how: {}",
        text(&o)
    );
    assert!(text(&o).contains("Nothing was deleted"));
    assert_eq!(activity_count(d.path()), 1);
}

#[test]
fn delete_with_yes_empties_the_record_and_hamstride_carries_on() {
    let d = tempfile::tempdir().unwrap();
    with_data(d.path());
    let o = run(d.path(), &["delete-data", "--yes", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["deleted"]["activities"], 1);
    assert_eq!(v["deleted"]["pain_entries"], 1);
    assert_eq!(activity_count(d.path()), 0);
    let o = run(d.path(), &["pain", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(0), "{v}");
    // The same file imports again as new.
    with_data(d.path());
    assert_eq!(activity_count(d.path()), 1);
}

#[test]
fn delete_at_a_terminal_asks_for_the_word() {
    if !have_tmux("delete-data at a terminal") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    with_data(d.path());
    // Esc keeps everything (exit 7), another word keeps everything (exit 3).
    let t = Term::start(d.path(), 100, 30, &["delete-data"]);
    t.wait_for("Type delete");
    assert!(t.screen().contains("1 activity"), "{}", t.screen());
    t.keys(&["Escape"]);
    assert_eq!(t.exit_code(), 7, "{}", t.history());
    assert!(t.history().contains("Nothing was deleted"));
    let t = Term::start(d.path(), 100, 30, &["delete-data"]);
    t.wait_for("Type delete");
    t.keys(&["yes", "Enter"]);
    assert_eq!(t.exit_code(), 3, "{}", t.history());
    assert_eq!(activity_count(d.path()), 1);
    // The word deletes.
    let t = Term::start(d.path(), 100, 30, &["delete-data"]);
    t.wait_for("Type delete");
    t.keys(&["DELETE", "Enter"]);
    assert_eq!(t.exit_code(), 0, "{}", t.history());
    assert!(t.history().contains("Deleted:"), "{}", t.history());
    assert_eq!(activity_count(d.path()), 0);
}
