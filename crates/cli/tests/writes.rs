//! End-to-end tests of writes that cannot destroy and of a well-behaved command line: output
//! paths that are the database, a device, a FIFO, a folder or the data folder are refused
//! (exit 3) and left untouched; `-` writes to standard output; temporary files never follow a
//! planted link and never stay behind; created folders are 0700 whatever the umask; the data
//! folder is chmodded only when hamstride creates it; input is bounded while it is read;
//! control characters from files never reach the terminal; a closed pipe ends quietly (and
//! `pain` records once); `import` exit codes tell done, partly done and failed apart; `--date`
//! takes words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hamstride"));
    c.env("HAMSTRIDE_DATA_DIR", data);
    c.env_remove("HAMSTRIDE_DATABASE_URL");
    c
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hamstride-writes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(data: &Path, args: &[&str]) -> Output {
    bin(data).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

/// A folder with findings.json and a data folder holding an assessment (so a plan).
fn assessed(name: &str) -> (PathBuf, PathBuf) {
    let d = tmpdir(name);
    let f = d.join("findings.json");
    std::fs::write(&f, STRAIN).unwrap();
    let data = d.join("data");
    let o = run(&data, &["assess", "--input", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    (d, data)
}

fn gpx(name: &str, day: u32) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"t\" xmlns=\"http://www.topografix.com/GPX/1/1\">\
<trk><name>{name}</name><type>running</type><trkseg>\n"
    );
    for i in 0..120u32 {
        let t = 6 * 3600 + i * 5;
        s.push_str(&format!(
            "<trkpt lat=\"{:.6}\" lon=\"-0.12\"><time>2024-03-{:02}T{:02}:{:02}:{:02}Z</time></trkpt>\n",
            51.5 + f64::from(i) * 0.0001,
            day,
            t / 3600,
            t / 60 % 60,
            t % 60
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn output_paths_that_are_the_database_a_device_a_fifo_or_a_folder_are_refused() {
    let (d, data) = assessed("refuse");
    let db = data.join("hamstride.db");
    let before = std::fs::read(&db).unwrap();
    let link = d.join("innocent.html");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let fifo = d.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let f = d.join("findings.json");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["report".into(), "--out".into(), db.display().to_string()],
            "own database",
        ),
        (
            vec![
                "report".into(),
                "--out".into(),
                data.join("hamstride.db-wal").display().to_string(),
            ],
            "own database",
        ),
        (
            vec![
                "report".into(),
                "--out".into(),
                data.join("hamstride-originals.db").display().to_string(),
            ],
            "own database",
        ),
        // Through another spelling of the folder, and through a link.
        (
            vec![
                "report".into(),
                "--out".into(),
                d.join("data/../data/hamstride.db").display().to_string(),
            ],
            "own database",
        ),
        (
            vec!["report".into(), "--out".into(), link.display().to_string()],
            "own database",
        ),
        (
            vec![
                "assess".into(),
                "--input".into(),
                f.display().to_string(),
                "--no-record".into(),
                "--save".into(),
                db.display().to_string(),
            ],
            "own database",
        ),
        (
            vec!["report".into(), "--out".into(), "/dev/null".into()],
            "not a regular file",
        ),
        // Renaming over /dev/full as root would replace the device; refused before any write.
        (
            vec!["report".into(), "--out".into(), "/dev/full".into()],
            "not a regular file",
        ),
        (
            vec!["report".into(), "--out".into(), fifo.display().to_string()],
            "not a regular file",
        ),
        (
            vec!["report".into(), "--out".into(), d.display().to_string()],
            "is a folder",
        ),
        (
            vec![
                "plan".into(),
                "export".into(),
                "--out".into(),
                data.display().to_string(),
            ],
            "data folder",
        ),
        (
            vec![
                "plan".into(),
                "export".into(),
                "--out".into(),
                data.join("sub").display().to_string(),
            ],
            "data folder",
        ),
        (
            vec![
                "plan".into(),
                "export".into(),
                "--out".into(),
                f.display().to_string(),
            ],
            "not a folder",
        ),
    ];
    for (args, why) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&data, &args);
        assert_eq!(code(&o), 3, "{args:?}: {}", text(&o));
        assert!(text(&o).contains(why), "{args:?}: {}", text(&o));
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(!data.join("sub").exists());
    assert!(leftovers(&d).is_empty() && leftovers(&data).is_empty());
}

#[test]
fn a_dash_writes_to_standard_output() {
    let (d, data) = assessed("dash");
    let o = run(&data, &["report", "--out", "-"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("<html"));
    assert!(!d.join("-").exists() && !data.join("-").exists());
    let f = d.join("findings.json");
    let o = run(
        &data,
        &[
            "assess",
            "--input",
            f.to_str().unwrap(),
            "--no-record",
            "--format",
            "json",
            "--save",
            "-",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("hamstride.findings/1"));
}

#[test]
fn a_planted_link_is_never_written_through_and_no_temporary_file_stays() {
    let (d, data) = assessed("link");
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = d.join("report.html");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let o = run(&data, &["report", "--out", link.to_str().unwrap()]);
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(
        text(&o).contains("cannot write") && text(&o).contains("report.html"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(leftovers(&d).is_empty(), "{:?}", leftovers(&d));
    // A write that fails (the parent is a file) names the path and says "cannot write".
    let o = run(
        &data,
        &["report", "--out", victim.join("r.html").to_str().unwrap()],
    );
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(
        text(&o).contains("cannot write") && text(&o).contains("victim.txt/r.html"),
        "{}",
        text(&o)
    );
    // A regular file is replaced, privately.
    let out = d.join("ok.html");
    std::fs::write(&out, "old").unwrap();
    let o = run(&data, &["report", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_to_string(&out).unwrap().contains("<html"));
    assert_eq!(mode(&out), 0o600);
}

#[test]
fn export_folders_are_private_whatever_the_umask() {
    let (d, data) = assessed("umask");
    let out = d.join("a/b/plan");
    let o = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" plan export --out \"$1\"")
        .arg(env!("CARGO_BIN_EXE_hamstride"))
        .arg(&out)
        .env("HAMSTRIDE_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    for dir in [d.join("a"), d.join("a/b"), out.clone()] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for e in std::fs::read_dir(&out).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(
            mode(&p),
            if p.is_dir() { 0o700 } else { 0o600 },
            "{}",
            p.display()
        );
    }
    // A folder that already exists keeps its mode.
    let mine = d.join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let o = run(&data, &["plan", "export", "--out", mine.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&mine), 0o755);
}

#[test]
fn the_data_folder_is_chmodded_only_when_hamstride_creates_it() {
    let d = tmpdir("datadir");
    let fresh = d.join("fresh");
    assert!(run(&fresh, &["activities"]).status.success());
    assert_eq!(mode(&fresh), 0o700);
    let mine = d.join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::os::unix::fs::PermissionsExt::from_mode(0o750)).unwrap();
    let o = run(&mine, &["activities"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&mine), 0o750);
    assert_eq!(mode(&mine.join("hamstride.db")), 0o600);
    // A data folder that cannot be made: the path and "cannot write", exit 5.
    std::fs::write(d.join("file"), "x").unwrap();
    let o = run(&d.join("file/data"), &["activities"]);
    assert_eq!(code(&o), 5, "{}", text(&o));
    assert!(
        text(&o).contains("cannot write") && text(&o).contains("file/data"),
        "{}",
        text(&o)
    );
}

#[test]
fn input_is_bounded_while_it_is_read() {
    let d = tmpdir("input");
    let data = d.join("data");
    let o = run(&data, &["assess", "--input", "/dev/zero", "--no-record"]);
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(text(&o).contains("too large"), "{}", text(&o));
    let mut child = bin(&data)
        .args(["assess", "--input", "-", "--no-record"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let chunk = vec![b' '; 1 << 20];
    // The reader stops after 16 MiB + 1: later writes may fail with a closed pipe.
    for _ in 0..20 {
        if stdin.write_all(&chunk).is_err() {
            break;
        }
    }
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(
        text(&o).contains("standard input is too large"),
        "{}",
        text(&o)
    );
    // A FIFO is read the same way, bounded.
    let fifo = d.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            f.write_all(STRAIN.as_bytes()).unwrap();
        })
    };
    let o = run(
        &data,
        &[
            "assess",
            "--input",
            fifo.to_str().unwrap(),
            "--no-record",
            "--format",
            "json",
        ],
    );
    writer.join().unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn control_characters_from_files_never_reach_the_terminal() {
    let d = tmpdir("controls");
    let data = d.join("data");
    let runs = d.join("runs");
    std::fs::create_dir_all(&runs).unwrap();
    // The GPX decoder drops control characters from names itself; Strava's activities.csv
    // hands its names over as they are.
    let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
               1,\"Mar 3, 2024, 6:00:00 AM\",\"Evil\x1b]0;pwned\x07\x1b[2J run\",Run,activities/1.gpx\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in [
        ("activities/1.gpx", gpx("Run", 3)),
        ("activities.csv", csv.to_string()),
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(data.as_bytes()).unwrap();
    }
    std::fs::write(runs.join("export.zip"), zip.finish().unwrap().into_inner()).unwrap();
    std::fs::write(runs.join("bad\x1b[31m.fit"), b"not a fit file at all, no").unwrap();
    let o = run(&data, &["import", runs.to_str().unwrap()]);
    let out = text(&o);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("bad\u{FFFD}[31m.fit"), "{out}");
    let o = run(&data, &["activities"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(out.contains("Evil\u{FFFD}]0;pwned"), "{out}");
    let o = run(
        &data,
        &["pain", "--during", "2", "--note", "ok\x1b[2J\nforged row"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&data, &["pain", "list"]);
    let out = text(&o);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("ok\u{FFFD}[2J\u{FFFD}forged row"), "{out}");
    // JSON keeps the text as it is, escaped by the encoder.
    let o = run(&data, &["pain", "list", "--format", "json"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("\\u001b[2J"));
}

/// Run hamstride with its standard output a pipe whose reader has already gone.
fn closed_pipe(data: &Path, args: &str) -> (i32, String) {
    let o = Command::new("sh")
        .arg("-c")
        // `true` exits at once; hamstride starts writing after it is gone.
        .arg(format!(
            "{{ sleep 0.3; \"$0\" {args}; echo \"rc=$?\" >&2; }} | true"
        ))
        .arg(env!("CARGO_BIN_EXE_hamstride"))
        .env("HAMSTRIDE_DATA_DIR", data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let rc = err
        .lines()
        .find_map(|l| l.strip_prefix("rc="))
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(-1);
    (rc, err)
}

#[test]
fn a_closed_pipe_ends_quietly_and_pain_records_once() {
    let (_d, data) = assessed("pipe");
    assert!(run(&data, &["pain", "--during", "1", "--note", "first"])
        .status
        .success());
    for args in [
        "plan",
        "activities",
        "pain list",
        "status",
        "exercises",
        "plan --format json",
        "kb check",
    ] {
        let (rc, err) = closed_pipe(&data, args);
        assert_eq!(rc, 0, "{args}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("hamstride:"),
            "{args}: {err}"
        );
    }
    // Another day (the diary keeps one entry per day, so the same day would be updated).
    let (rc, err) = closed_pipe(&data, "pain --during 2 --date yesterday");
    assert_eq!(rc, 0, "{err}");
    let o = run(&data, &["pain", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn import_exit_codes_tell_done_partly_done_and_failed_apart() {
    let d = tmpdir("import-codes");
    let data = d.join("data");
    let good = d.join("good.gpx");
    std::fs::write(&good, gpx("Run", 5)).unwrap();
    let bad = d.join("bad.fit");
    std::fs::write(&bad, b"garbage that is no activity").unwrap();
    let photos = d.join("folder");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::write(photos.join("photo.jpg"), b"\xff\xd8\xff\xe0 a photo").unwrap();
    std::fs::write(photos.join("run.gpx"), gpx("Other", 6)).unwrap();
    let cases: [(&[&Path], i32); 4] = [
        (&[bad.as_path()], 3),
        (&[good.as_path(), bad.as_path()], 6),
        (&[photos.as_path()], 0),
        (&[good.as_path()], 0),
    ];
    for (paths, want) in cases {
        let mut c = bin(&data);
        c.arg("import");
        c.args(paths);
        let o = c.output().unwrap();
        assert_eq!(code(&o), want, "{paths:?}: {}", text(&o));
    }
    // Everything already there and one failure: partly done, not failed.
    let o = run(
        &data,
        &["import", good.to_str().unwrap(), bad.to_str().unwrap()],
    );
    assert_eq!(code(&o), 6, "{}", text(&o));
}

#[test]
fn dates_take_words_and_errors_name_the_forms() {
    let (_d, data) = assessed("dates");
    let o = run(
        &data,
        &[
            "pain", "--during", "1", "--date", "today", "--format", "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let today: jiff::civil::Date = v["date"].as_str().unwrap().parse().unwrap();
    let o = run(
        &data,
        &[
            "pain",
            "--during",
            "1",
            "--date",
            "yesterday",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let yesterday: jiff::civil::Date = v["date"].as_str().unwrap().parse().unwrap();
    assert_eq!(yesterday, today.yesterday().unwrap());
    let name = today.strftime("%A").to_string().to_lowercase();
    let o = run(
        &data,
        &["pain", "--during", "1", "--date", &name, "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["date"].as_str().unwrap(),
        today.to_string(),
        "{name}: today's weekday is today"
    );
    let o = run(&data, &["plan", "--date", "mon"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&data, &["checkin", "--date", "tomorrow", "--morning", "1"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("YYYY-MM-DD") && t.contains("yesterday") && t.contains("weekday"),
        "{t}"
    );
}

/// Unmounts the read-only mount of the test below, however it ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_read_only_data_folder_still_reads_and_refuses_writes_by_name() {
    let d = tmpdir("readonly");
    let f = d.join("findings.json");
    std::fs::write(&f, STRAIN).unwrap();
    let mnt = d.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    // Root writes through permissions, so as root the folder is a tmpfs remounted read-only;
    // anyone else gets a folder and files without write permission.
    let mounted = if is_root() {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "none"])
            .arg(&mnt)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: running as root where mount is not allowed");
            return;
        }
        Some(Mounted(mnt.clone()))
    } else {
        None
    };
    let data = mnt.join("data");
    let o = run(&data, &["assess", "--input", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(run(&data, &["pain", "--during", "1"]).status.success());
    if mounted.is_some() {
        assert!(Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&mnt)
            .status()
            .unwrap()
            .success());
    } else {
        use std::os::unix::fs::PermissionsExt;
        for e in std::fs::read_dir(&data).unwrap() {
            let p = e.unwrap().path();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o400)).unwrap();
        }
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o500)).unwrap();
    }
    for args in [
        &["activities"][..],
        &["status"],
        &["plan"],
        &["pain", "list"],
        &["profile"],
    ] {
        let o = run(&data, args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let o = run(&data, &["pain", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    for args in [
        &["pain", "--during", "2"][..],
        &["profile", "--units", "mi"],
    ] {
        let o = run(&data, args);
        assert_eq!(code(&o), 5, "{args:?}: {}", text(&o));
        let t = text(&o);
        assert!(
            t.contains("cannot write: the data folder is read-only") && t.contains("mnt/data"),
            "{t}"
        );
    }
    if mounted.is_none() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}
