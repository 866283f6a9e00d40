//! Import from uploaded bytes (`ImportSource::Bytes`) against the same files given as paths:
//! the same activities, the same duplicates, and skip reasons that name the upload. Runs on an
//! in-memory store with the shipped FIT and GPX fixtures of `hamstride-ingest`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};

use hamstride_service::import::{
    self, ImportOptions, ImportReport, ImportSource, SkipCode, WarningCode,
};
use hamstride_service::AthleteDb;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/tests/fixtures")
        .join(rel)
}

const FIT: &str = "fit/fitdecode__garmin-fenix-5-run.fit";
const GPX_GZ: &str = "gpx/georust__garmin-activity.gpx.gz";

fn run(store: &mut AthleteDb, sources: Vec<ImportSource>) -> ImportReport {
    let opts = ImportOptions {
        threads: 2,
        now_ms: 1_700_000_000_000,
        ..ImportOptions::default()
    };
    import::run(store, sources, &opts, &mut |_| {}).unwrap()
}

fn bytes(name: &str, data: Vec<u8>) -> ImportSource {
    ImportSource::Bytes {
        name: name.into(),
        data,
    }
}

/// What the store holds, without the ids and source paths that differ by construction.
fn activities(store: &AthleteDb) -> Vec<String> {
    store
        .activities()
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{} {} {:?} {:?} {:?} {:?} {}",
                r.format, r.sport, r.start_ms, r.end_ms, r.distance_m, r.timer_s, r.record_count
            )
        })
        .collect()
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn the_same_files_as_bytes_and_as_paths_give_the_same_activities() {
    let paths = [fixture(FIT), fixture(GPX_GZ)];
    let mut by_path = hamstride_service::db::open_in_memory().unwrap();
    let a = run(
        &mut by_path,
        paths.iter().cloned().map(ImportSource::Path).collect(),
    );
    let mut by_bytes = hamstride_service::db::open_in_memory().unwrap();
    let b = run(
        &mut by_bytes,
        vec![
            bytes("run.fit", std::fs::read(&paths[0]).unwrap()),
            bytes("activity.gpx.gz", std::fs::read(&paths[1]).unwrap()),
        ],
    );
    assert_eq!(a.imported, 2);
    assert_eq!(
        (a.imported, a.duplicates, a.decoded_bytes, a.skipped.len()),
        (b.imported, b.duplicates, b.decoded_bytes, b.skipped.len())
    );
    assert_eq!(activities(&by_path), activities(&by_bytes));
    let names: Vec<String> = by_bytes
        .activities()
        .unwrap()
        .into_iter()
        .map(|r| r.source_path)
        .collect();
    assert!(names.contains(&"run.fit".to_string()), "{names:?}");

    // Uploading what a path already imported is a duplicate, by content.
    let again = run(
        &mut by_path,
        vec![bytes("copy.fit", std::fs::read(&paths[0]).unwrap())],
    );
    assert_eq!((again.imported, again.duplicates), (0, 1));
}

#[test]
fn a_zip_upload_is_walked_with_members_found_by_content() {
    let zip = zip_of(&[
        ("export/activities/1", std::fs::read(fixture(FIT)).unwrap()),
        (
            "export/activities/2.dat",
            std::fs::read(fixture(GPX_GZ)).unwrap(),
        ),
        ("export/media/a.jpg", vec![0xff, 0xd8, 0xff]),
    ]);
    let mut store = hamstride_service::db::open_in_memory().unwrap();
    // No extension: the upload is a zip by its content.
    let r = run(&mut store, vec![bytes("my-export", zip)]);
    assert_eq!(r.imported, 2, "{r:?}");
    assert_eq!(r.skipped.len(), 1, "{r:?}");
    assert_eq!(r.skipped[0].path, "my-export!export/media/a.jpg");
    let formats: Vec<String> = store
        .activities()
        .unwrap()
        .into_iter()
        .map(|r| format!("{}:{}", r.source_path, r.format))
        .collect();
    assert_eq!(formats.len(), 2);
    assert!(formats.contains(&"my-export!export/activities/1:fit".to_string()));
    assert!(formats.contains(&"my-export!export/activities/2.dat:gpx".to_string()));
}

#[test]
fn oversized_and_garbage_uploads_are_skipped_naming_the_upload() {
    let mut store = hamstride_service::db::open_in_memory().unwrap();
    let opts = ImportOptions {
        threads: 1,
        limits: hamstride_ingest_limits(),
        ..ImportOptions::default()
    };
    let r = import::run(
        &mut store,
        vec![
            bytes("big.fit", vec![0; (1 << 20) + 10]),
            bytes("notes.gpx", b"<html>no</html>".to_vec()),
            bytes("export.zip", b"PK\x03\x04 cut short".to_vec()),
            bytes("empty.tcx", Vec::new()),
        ],
        &opts,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.imported, 0);
    let got: Vec<(&str, &str)> = r
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.detail.as_str()))
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    let reason = |name: &str| got.iter().find(|(p, _)| *p == name).unwrap().1;
    let code = |name: &str| r.skipped.iter().find(|s| s.path == name).unwrap().code;
    assert_eq!(code("big.fit"), SkipCode::TooLarge);
    assert_eq!(code("notes.gpx"), SkipCode::UnknownFormat);
    assert_eq!(code("export.zip"), SkipCode::Damaged);
    assert_eq!(code("empty.tcx"), SkipCode::UnknownFormat);
    assert!(r.skipped.iter().all(|s| s.is_failure()));
    assert!(reason("big.fit").contains("over the 1 MB limit"), "{got:?}");
    assert!(
        reason("notes.gpx").contains("not FIT, GPX or TCX"),
        "{got:?}"
    );
    assert!(
        reason("export.zip").contains("not a readable zip"),
        "{got:?}"
    );
    assert!(reason("empty.tcx").contains("empty"), "{got:?}");
}

fn hamstride_ingest_limits() -> hamstride_service::import::Limits {
    hamstride_service::import::Limits {
        max_file_bytes: 1 << 20,
        ..Default::default()
    }
}

/// Issue 14, items 6, 7 and 9, end to end: a zip cut by one byte imports its members with
/// one warning naming the zip, and a `.gpx.gz` cut short imports what it held with the
/// warning on that file, where both used to import nothing.
#[test]
fn a_cut_zip_and_a_cut_gzip_import_what_they_hold_with_a_warning() {
    let mut zip = zip_of(&[
        ("run.fit", std::fs::read(fixture(FIT)).unwrap()),
        ("ride.gpx.gz", std::fs::read(fixture(GPX_GZ)).unwrap()),
    ]);
    zip.pop();
    let mut store = hamstride_service::db::open_in_memory().unwrap();
    let r = run(&mut store, vec![bytes("export.zip", zip)]);
    assert_eq!(r.imported, 2, "{r:?}");
    assert!(r.skipped.is_empty(), "{r:?}");
    assert!(
        r.warnings.iter().any(|w| w.path == "export.zip"
            && w.code == WarningCode::Truncated
            && w.detail == "this zip was cut short; kept the 2 complete files before the cut"),
        "{:?}",
        r.warnings
    );

    let gz = std::fs::read(fixture(GPX_GZ)).unwrap();
    let cut = gz[..gz.len() * 6 / 10].to_vec();
    let mut store = hamstride_service::db::open_in_memory().unwrap();
    let r = run(&mut store, vec![bytes("ride.gpx.gz", cut)]);
    assert_eq!(r.imported, 1, "{r:?}");
    assert!(
        r.warnings.iter().any(|w| w.path == "ride.gpx.gz"
            && w.code == WarningCode::Truncated
            && w.detail == "the file was cut short; kept what could be read"),
        "{:?}",
        r.warnings
    );
}
