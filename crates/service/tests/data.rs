//! "Export all my data" and "delete all my data" through the service (issue 15, Settings): the
//! zip holds the README, the JSON and CSV files and every imported file byte for byte (a
//! gzip-stored one as stored), and deleting empties the runner's record and nothing of
//! another runner's in the same database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::path::Path;

use hamstride_service::data::{self, DataCounts};
use hamstride_service::import::{self, ImportOptions, ImportSource};
use hamstride_service::plans::{self, Now, Profile};
use hamstride_service::training::PainInput;
use hamstride_service::{AthleteDb, DbOptions, Service};
use jiff::civil::date;

const FIT: &str = "fit/fitdecode__garmin-fenix-5-run.fit";
const GPX_GZ: &str = "gpx/georust__garmin-activity.gpx.gz";

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ingest/tests/fixtures")
            .join(rel),
    )
    .unwrap()
}

fn open(dir: &Path, athlete: &str) -> AthleteDb {
    hamstride_service::open(&DbOptions {
        url: None,
        data_dir: Some(dir.to_path_buf()),
        athlete: Some(athlete.into()),
    })
    .unwrap()
}

const NOW: i64 = 1_764_950_000_000;

/// A runner with two imported files (one stored gzip-packed, both named `run.*` so the export
/// must tell them apart only if they clash), a diary day and settings.
fn filled(svc: &Service, db: &mut AthleteDb) {
    let opts = ImportOptions {
        threads: 2,
        now_ms: NOW,
        ..ImportOptions::default()
    };
    let sources = vec![
        ImportSource::Bytes {
            name: "watch/run.fit".into(),
            data: fixture(FIT),
        },
        ImportSource::Bytes {
            name: "../../evil/run.gpx.gz".into(),
            data: fixture(GPX_GZ),
        },
    ];
    let report = import::run(db, sources, &opts, &mut |_| {}).unwrap();
    assert_eq!(report.imported, 2, "{report:?}");
    let p = Profile {
        timezone: Some("Europe/London".into()),
        hr_max: Some(186.0),
        ..Default::default()
    };
    plans::set_profile(db, &p, Now::at_ms(NOW)).unwrap();
    svc.log_pain(
        db,
        &PainInput {
            date: Some(date(2025, 12, 1)),
            during: Some(3),
            after: Some(2),
            notes: Some("tight, \"sit bone\"".into()),
            ..Default::default()
        },
        Now::at_ms(NOW),
    )
    .unwrap();
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_string(), b)
        })
        .collect()
}

#[test]
fn the_export_holds_every_file_and_the_originals_byte_for_byte() {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = open(dir.path(), "ana");
    filled(&svc, &mut db);
    let mut buf = std::io::Cursor::new(Vec::new());
    let summary = data::export_all(&db, &mut buf, Now::at_ms(NOW)).unwrap();
    assert_eq!(summary.counts.activities, 2);
    assert_eq!(summary.counts.original_files, 2);
    assert_eq!(summary.counts.pain_entries, 1);
    let files = unzip(&buf.into_inner());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "README.txt",
        "settings.json",
        "assessments.json",
        "plans.json",
        "check-ins.json",
        "check-ins.csv",
        "pain-diary.json",
        "pain-diary.csv",
        "activities.json",
        "activities.csv",
        "original-files.json",
        "originals/run.fit",
        "originals/run.gpx.gz",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert_eq!(summary.entries as usize, files.len());
    let get = |n: &str| &files.iter().find(|(name, _)| name == n).unwrap().1;
    // Every name is a plain file in the zip's own folders: nothing climbs out.
    assert!(names
        .iter()
        .all(|n| !n.contains("..") && !n.starts_with('/')));
    // The originals exactly as imported: the FIT as it was, the .gz as it was packed.
    assert_eq!(get("originals/run.fit"), &fixture(FIT));
    assert_eq!(get("originals/run.gpx.gz"), &fixture(GPX_GZ));
    let readme = String::from_utf8(get("README.txt").clone()).unwrap();
    assert!(
        readme.contains("activities.csv") && readme.contains("gzip"),
        "{readme}"
    );
    let settings: serde_json::Value = serde_json::from_slice(get("settings.json")).unwrap();
    assert_eq!(settings["hr_max"], 186.0);
    // The tables: a header, then one row each, read back by a CSV reader.
    let mut acts = csv::Reader::from_reader(&get("activities.csv")[..]);
    let header = acts.headers().unwrap().clone();
    assert_eq!(&header[1], "date");
    assert!(header.iter().any(|h| h == "distance_m"));
    let rows: Vec<csv::StringRecord> = acts.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(rows
        .iter()
        .all(|r| r[col("original_file")].starts_with("originals/run.")));
    assert!(rows.iter().all(|r| !r[col("sport")].is_empty()));
    let mut diary = csv::Reader::from_reader(&get("pain-diary.csv")[..]);
    let row = diary.records().next().unwrap().unwrap();
    assert_eq!((&row[0], &row[1], &row[2]), ("2025-12-01", "3", "2"));
    assert_eq!(
        &row[8], "tight, \"sit bone\"",
        "a note with a comma and quotes survives"
    );
    let activities: serde_json::Value = serde_json::from_slice(get("activities.json")).unwrap();
    assert!(
        activities[0]["metrics"]["data"].is_object(),
        "metrics ride along"
    );
}

#[test]
fn deleting_empties_one_runner_and_leaves_the_other() {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ana = open(dir.path(), "ana");
    filled(&svc, &mut ana);
    let mut ben = open(dir.path(), "ben");
    filled(&svc, &mut ben);
    let before = data::counts(&ben).unwrap();
    assert!(!data::what_goes(&before).is_empty());
    let gone = data::delete_all(&mut ana).unwrap();
    assert_eq!(gone, before, "the two runners had the same");
    assert_eq!(data::counts(&ana).unwrap(), DataCounts::default());
    assert!(data::what_goes(&data::counts(&ana).unwrap()).is_empty());
    assert_eq!(ana.activity_count().unwrap(), 0);
    assert!(hamstride_service::training::pain_diary(&ana)
        .unwrap()
        .is_empty());
    assert_eq!(plans::profile(&ana).unwrap(), Profile::default());
    assert_eq!(data::counts(&ben).unwrap(), before);
    // An export of nothing is still a zip with its README.
    let mut buf = std::io::Cursor::new(Vec::new());
    data::export_all(&ana, &mut buf, Now::at_ms(NOW)).unwrap();
    let files = unzip(&buf.into_inner());
    assert!(files.iter().all(|(n, _)| !n.starts_with("originals/")));
    // The same files import again as new.
    filled(&svc, &mut ana);
}
