//! End-to-end tests of `hamstride import` and `hamstride activities`, on files built here
//! (small GPX runs with distinct start times, gzip and zip archives, hostile zips), so they run
//! without ../shared. They check what a runner relies on: nothing imported twice, bad files
//! skipped with a reason and never stopping the batch, exports walked as downloaded, limits on
//! hostile archives, a private database, and an interrupted import that completes on re-run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hamstride"));
    c.env_remove("HAMSTRIDE_DATA_DIR");
    c
}

/// A small GPX run: `points` one-second points starting `day` days after 2024-03-01 06:00 UTC.
fn gpx_run(day: u32, points: u32) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><name>Morning run</name><type>running</type><trkseg>
"#,
    );
    for i in 0..points {
        let t = 6 * 3600 + i;
        s.push_str(&format!(
            "<trkpt lat=\"{:.6}\" lon=\"-0.120000\"><ele>12.0</ele><time>2024-03-{:02}T{:02}:{:02}:{:02}Z</time>\
<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n",
            51.5 + f64::from(i) * 0.00003,
            day + 1,
            t / 3600,
            t / 60 % 60,
            t % 60,
            140 + i % 10
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn import(data: &Path, args: &[&Path]) -> (serde_json::Value, Output) {
    let out = bin()
        .arg("--data-dir")
        .arg(data)
        .args(["import", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (v, out)
}

/// `hamstride activities --format json` for this data directory.
fn activities(data: &Path) -> serde_json::Value {
    let out = bin()
        .arg("--data-dir")
        .arg(data)
        .args(["activities", "--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count(v: &serde_json::Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// (path, "code | detail") of each skipped file: what a script reads.
fn reasons(v: &serde_json::Value) -> Vec<(String, String)> {
    v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                format!(
                    "{} | {}",
                    s["code"].as_str().unwrap(),
                    s["detail"].as_str().unwrap()
                ),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn folder_import_then_reimport_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("runs");
    for d in 0..5 {
        write(&src, &format!("run{d}.gpx"), gpx_run(d, 60).as_bytes());
    }
    write(&src, "notes.txt", b"not a run");
    let data = tmp.path().join("data");
    let (v, out) = import(&data, &[&src]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count(&v, "imported"), 5);
    assert_eq!(count(&v, "duplicates"), 0);
    let skipped = reasons(&v);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].0.ends_with("notes.txt"));
    assert_eq!(skipped[0].1, "other_file | not an activity file");

    let (v, out) = import(&data, &[&src]);
    assert!(out.status.success());
    assert_eq!(count(&v, "imported"), 0);
    assert_eq!(count(&v, "duplicates"), 5);

    let rows = activities(&data);
    assert_eq!(rows.as_array().unwrap().len(), 5);
    assert_eq!(rows[0]["sport"], "running");
    assert_eq!(rows[0]["name"], "Morning run");
}

#[test]
fn gzipped_copy_and_same_start_in_another_file_are_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let run = gpx_run(3, 120);
    let a = write(tmp.path(), "a.gpx", run.as_bytes());
    let b = write(tmp.path(), "b.gpx.gz", &gzip(run.as_bytes()));
    // Same session re-exported with different bytes (one point fewer): same start and sport.
    let c = write(tmp.path(), "c.gpx", gpx_run(3, 119).as_bytes());
    let data = tmp.path().join("data");
    let (v, _) = import(&data, &[&a, &b, &c]);
    assert_eq!(count(&v, "imported"), 1, "{v}");
    assert_eq!(count(&v, "duplicates"), 2, "{v}");
}

#[test]
fn strava_shaped_export_joins_names_and_skips_photos() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
               111,\"Mar 2, 2024, 6:00:00 AM\",Hill reps,Run,activities/900.gpx.gz\n\
               112,\"Mar 3, 2024, 6:00:00 AM\",Manual entry,Run,\n";
    let zip = zip_of(&[
        ("activities/900.gpx.gz", gzip(gpx_run(1, 30).as_bytes())),
        ("activities/901.gpx", gpx_run(2, 30).into_bytes()),
        ("media/abc.jpg", vec![0xff, 0xd8, 0xff]),
        // In this export the index comes after the files: the join must still happen.
        ("activities.csv", csv.as_bytes().to_vec()),
    ]);
    let path = write(tmp.path(), "export_42.zip", &zip);
    let data = tmp.path().join("data");
    let (v, out) = import(&data, &[&path]);
    assert!(out.status.success());
    assert_eq!(count(&v, "imported"), 2, "{v}");
    assert_eq!(count(&v, "index_rows_joined"), 1, "{v}");
    let skipped = reasons(&v);
    assert_eq!(skipped.len(), 1, "{v}");
    assert!(skipped[0].0.ends_with("export_42.zip!media/abc.jpg"));
    let rows = activities(&data);
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["Hill reps", "Morning run"]);
}

#[test]
fn garmin_zip_inside_zip_is_walked() {
    let tmp = tempfile::tempdir().unwrap();
    let inner = zip_of(&[
        ("5550001.gpx", gpx_run(4, 30).into_bytes()),
        ("5550002.gpx", gpx_run(5, 30).into_bytes()),
    ]);
    let outer = zip_of(&[
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            inner,
        ),
        (
            "DI_CONNECT/DI-Connect-Wellness/x_sleepData.json",
            b"[]".to_vec(),
        ),
    ]);
    let path = write(tmp.path(), "garmin.zip", &outer);
    let (v, _) = import(&tmp.path().join("data"), &[&path]);
    assert_eq!(count(&v, "imported"), 2, "{v}");
}

#[test]
fn hostile_archives_are_bounded_and_never_stop_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    // A bomb: 80 MB of zeros deflate to ~80 KB, a ratio far beyond any real file.
    let bomb = zip_of(&[
        ("activities/bomb.fit", vec![0u8; 80 << 20]),
        ("activities/ok.gpx", gpx_run(6, 30).into_bytes()),
        ("../../escape.gpx", gpx_run(7, 30).into_bytes()),
    ]);
    // Nesting deeper than any export.
    let mut nested = zip_of(&[("deep.gpx", gpx_run(8, 30).into_bytes())]);
    for _ in 0..6 {
        nested = zip_of(&[("inner.zip", nested)]);
    }
    let a = write(tmp.path(), "bomb.zip", &bomb);
    let b = write(tmp.path(), "nested.zip", &nested);
    let c = write(
        tmp.path(),
        "broken.zip",
        b"PK\x03\x04 this is not really a zip",
    );
    let d = write(tmp.path(), "later.gpx", gpx_run(9, 30).as_bytes());
    let (v, out) = import(&tmp.path().join("data"), &[&a, &b, &c, &d]);
    // Some files went in, others could not be read: "partly done".
    assert_eq!(out.status.code(), Some(6));
    // ok.gpx, the traversal-named member (imported as a label only), later.gpx.
    assert_eq!(count(&v, "imported"), 3, "{v}");
    let skipped = reasons(&v);
    assert!(
        skipped
            .iter()
            .any(|(p, r)| p.ends_with("bomb.fit") && r.contains("compression ratio")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(_, r)| r.starts_with("too_large | ") && r.contains("nested deeper")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(p, r)| p.ends_with("broken.zip") && r.starts_with("damaged | ")),
        "{skipped:?}"
    );
    // Nothing was written outside the data directory under the member's name.
    assert!(!tmp.path().join("escape.gpx").exists());
    assert!(!tmp.path().parent().unwrap().join("escape.gpx").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_inside_folders_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = write(tmp.path(), "outside/secret.gpx", gpx_run(10, 30).as_bytes());
    let src = tmp.path().join("src");
    write(&src, "real.gpx", gpx_run(11, 30).as_bytes());
    std::os::unix::fs::symlink(&outside, src.join("link.gpx")).unwrap();
    let (v, _) = import(&tmp.path().join("data"), &[&src]);
    assert_eq!(count(&v, "imported"), 1, "{v}");
    assert!(reasons(&v)
        .iter()
        .any(|(p, r)| p.ends_with("link.gpx") && r.contains("symbolic link")));
}

#[test]
fn a_missing_path_is_reported_and_the_rest_imported_as_partly_done() {
    // Issue 14, item 6: one mistyped path no longer cancels the whole import.
    let tmp = tempfile::tempdir().unwrap();
    let ok = write(tmp.path(), "ok.gpx", gpx_run(12, 30).as_bytes());
    let data = tmp.path().join("data");
    let (v, out) = import(&data, &[&ok, &tmp.path().join("nope.zip")]);
    assert_eq!(out.status.code(), Some(6), "partly done");
    assert_eq!(count(&v, "imported"), 1);
    let why = reasons(&v);
    assert!(
        why.iter()
            .any(|(p, r)| p.ends_with("nope.zip")
                && r == "missing | there is no such file or folder"),
        "{why:?}"
    );
    // Only missing paths: nothing done at all is bad input.
    let (_, out) = import(&data, &[&tmp.path().join("nope.zip")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no such file or folder"));
}

#[test]
fn a_corrupt_database_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let junk = b"definitely not sqlite ".repeat(500);
    std::fs::write(data.join("hamstride.db"), &junk).unwrap();
    let ok = write(tmp.path(), "ok.gpx", gpx_run(13, 30).as_bytes());
    let (_, out) = import(&data, &[&ok]);
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hamstride.db") && err.contains("not a database"),
        "{err}"
    );
    assert_eq!(std::fs::read(data.join("hamstride.db")).unwrap(), junk);
}

#[cfg(unix)]
#[test]
fn database_is_private_and_env_var_chooses_its_folder() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("from-env");
    let ok = write(tmp.path(), "ok.gpx", gpx_run(14, 30).as_bytes());
    let out = bin()
        .env("HAMSTRIDE_DATA_DIR", &data)
        .arg("import")
        .arg(&ok)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Imported 1 new activity"), "{text}");
    let mode = std::fs::metadata(data.join("hamstride.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn an_interrupted_import_completes_on_rerun_without_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("many");
    let n = 1500u32;
    for d in 0..n {
        // Distinct starts: one run a day for four years.
        let day = d % 28;
        let month_offset = d / 28;
        let run = gpx_run(day, 20).replace(
            "2024-03-",
            &format!(
                "{:04}-{:02}-",
                2020 + month_offset / 12,
                1 + month_offset % 12
            ),
        );
        write(&src, &format!("r{d:04}.gpx"), run.as_bytes());
    }
    let data = tmp.path().join("data");
    let mut child = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["import", "--format", "json"])
        .arg(&src)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let _ = child.kill();
    let _ = child.wait();
    let (v, out) = import(&data, &[&src]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        count(&v, "imported") + count(&v, "duplicates"),
        u64::from(n),
        "{v}"
    );
    let rows = activities(&data);
    assert_eq!(rows.as_array().unwrap().len(), n as usize);
}

/// Issue 14, item 8: a database failure part-way (here a file-size limit, as a full disk
/// shows itself) stops the import at once, with exit code 5 and a message that says what was
/// kept and what to do: never a silent hang waiting on its own workers. Before the fix the
/// workers blocked on a full channel nobody read, for ever.
#[test]
fn a_database_failure_part_way_ends_the_import_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    // Far more files than the channels hold, and more bytes than the limit lets the
    // database grow by.
    for day in 0..240 {
        let name = format!("run-{day:03}.gpx");
        let month = format!("2024-{:02}-", 1 + day / 28);
        let gpx = gpx_run(day % 28, 400 + day).replace("2024-03-", &month);
        write(&runs, &name, gpx.as_bytes());
    }
    let data = dir.path().join("data");
    // A first small import creates the database under no limit.
    let (_, o) = import(&data, &[&runs.join("run-000.gpx")]);
    assert!(o.status.success());
    // bash: ignore SIGXFSZ so a write past the limit fails with EFBIG instead of killing
    // the process (ignored signals survive exec), then cap files at 1 MB.
    let script = format!(
        "trap '' XFSZ; ulimit -f 1000; exec {} import --data-dir {} {} --threads 2",
        env!("CARGO_BIN_EXE_hamstride"),
        data.display(),
        runs.display()
    );
    let mut child = Command::new("bash")
        .args(["-c", &script])
        .env_remove("HAMSTRIDE_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the import hung after the database failed");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(status.code(), Some(5), "{err}");
    assert!(
        err.contains("Writing to the disk failed: 0 activities were saved")
            && err.contains("run the same import again"),
        "{err}"
    );
    // What was committed stays, and the same import later finishes without duplicates.
    let before = activities(&data).as_array().unwrap().len();
    assert!(before >= 1);
    let (v, o) = import(&data, &[&runs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(activities(&data).as_array().unwrap().len(), 240, "{v}");
}

/// A corpus FIT file of the ingest tests.
fn fit_fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/tests/fixtures/fit")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `hamstride import` as a runner sees it (text), with extra arguments.
fn import_text(data: &Path, extra: &[&str], paths: &[&Path]) -> (String, Output) {
    let out = bin()
        .arg("--data-dir")
        .arg(data)
        .arg("import")
        .args(extra)
        .args(paths)
        .output()
        .unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out)
}

/// Words of file formats that a runner's summary must not show (issue 14 item 6).
const JARGON: [&str; 8] = [
    "CRC",
    "local message",
    "definition message",
    "byte",
    "segment",
    "limit exceeded",
    "gzip",
    "waypoints",
];

/// A gzip cut short inside its GPX has two warnings of one code (the GPX ends early, the
/// gzip ends early): the runner reads the sentence once, --verbose shows both details.
#[test]
fn a_file_says_each_plain_sentence_once() {
    let tmp = tempfile::tempdir().unwrap();
    let gz = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ingest/tests/fixtures/gpx/georust__garmin-activity.gpx.gz"),
    )
    .unwrap();
    let cut = write(tmp.path(), "cut.gpx.gz", &gz[..3000.min(gz.len() * 6 / 10)]);
    let (text, out) = import_text(&tmp.path().join("plain"), &[], &[cut.as_path()]);
    assert!(out.status.success(), "{text}");
    let sentence = "the rest of the file could not be read";
    assert_eq!(text.matches(sentence).count(), 1, "{text}");
    let (verbose, _) = import_text(&tmp.path().join("v"), &["--verbose"], &[cut.as_path()]);
    assert_eq!(verbose.matches(sentence).count(), 2, "{verbose}");
}

#[test]
fn damaged_fit_files_are_explained_in_plain_words_and_verbose_adds_the_detail() {
    let tmp = tempfile::tempdir().unwrap();
    let crc = write(
        tmp.path(),
        "crc.fit",
        &fit_fixture("invalid__activity-filecrc.fit"),
    );
    let local = write(
        tmp.path(),
        "strava.fit",
        &fit_fixture("invalid__strava-android-app-201.10-b1218918.fit"),
    );
    let wpt = write(
        tmp.path(),
        "one-waypoint.gpx",
        br#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="51.5" lon="-0.1"><name>Car</name></wpt></gpx>"#,
    );
    let files = [crc.as_path(), local.as_path(), wpt.as_path()];

    let (text, out) = import_text(&tmp.path().join("plain"), &[], &files);
    assert_eq!(out.status.code(), Some(6), "{text}");
    for word in JARGON {
        assert!(!text.contains(word), "{word:?} in:\n{text}");
    }
    assert!(text.contains("part of the file is damaged"), "{text}");
    assert!(
        text.contains("the rest of the file could not be read"),
        "{text}"
    );
    assert!(
        text.contains("a watch file with no activity in it"),
        "{text}"
    );

    let (verbose, _) = import_text(&tmp.path().join("verbose"), &["--verbose"], &files);
    assert!(verbose.contains("CRC mismatch"), "{verbose}");
    assert!(
        verbose.contains("undefined local message type 11"),
        "{verbose}"
    );
    assert!(
        verbose.contains("GPX with 1 waypoint and no track"),
        "singular: {verbose}"
    );

    let (v, _) = import(&tmp.path().join("json"), &files);
    let codes: Vec<(&str, &str)> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["path"].as_str().unwrap(), w["code"].as_str().unwrap()))
        .collect();
    assert!(
        codes
            .iter()
            .any(|(p, c)| p.ends_with("crc.fit") && *c == "damaged"),
        "{v}"
    );
    assert!(
        codes
            .iter()
            .any(|(p, c)| p.ends_with("strava.fit") && *c == "truncated"),
        "{v}"
    );
    let skipped = &v["skipped"][0];
    assert_eq!(skipped["code"], "no_activity", "{v}");
    assert_eq!(
        skipped["reason"],
        "a watch file with no activity in it (a route, a course, a workout plan or settings)"
    );
    assert!(skipped["detail"]
        .as_str()
        .unwrap()
        .contains("1 waypoint and"));
    for w in v["warnings"].as_array().unwrap() {
        let plain = w["warning"].as_str().unwrap();
        assert!(
            JARGON.iter().all(|j| !plain.contains(j)),
            "{plain:?} is not plain"
        );
    }
}
