//! The walker (`archive::walk`) on files, folders, zips and uploaded bytes: what a file is
//! comes from its content before its name (a FIT called `run.dat`, a gzip with no extension, a
//! zip without `.zip`), and bytes go through the same limits and reasons as a path.
//! Regression names follow the behaviour they pin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use hamstride_ingest::archive::{walk, Limits, Member, Source};
use hamstride_ingest::{sniff, SourceFormat};

fn fixture(sub: &str, name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(sub)
            .join(name),
    )
    .unwrap()
}

fn fit() -> Vec<u8> {
    fixture("fit", "fitdecode__garmin-fenix-5-run.fit")
}

const GPX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>Morning run</name><type>running</type><trkseg>
<trkpt lat="51.5" lon="-0.1"><time>2024-03-02T06:00:00Z</time></trkpt>
<trkpt lat="51.5001" lon="-0.1"><time>2024-03-02T06:00:10Z</time></trkpt>
<trkpt lat="51.5002" lon="-0.1"><time>2024-03-02T06:00:20Z</time></trkpt>
</trkseg></trk></gpx>
"#;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Walk and collect (path, bytes) of files and (path, detail of the reason) of skips; an
/// archive's warning is listed with the skips as `warning: …`, so no test overlooks one.
type Files = Vec<(String, Vec<u8>)>;
type Skips = Vec<(String, String)>;

fn walk_all(inputs: Vec<Source>, limits: &Limits) -> (Files, Skips) {
    let (mut files, mut skips) = (Vec::new(), Vec::new());
    walk(inputs, limits, &AtomicU64::new(0), &mut |m| {
        match m {
            Member::File { path, bytes } => files.push((path, bytes)),
            Member::Skipped { path, reason } => skips.push((path, reason.detail)),
            Member::Warning { path, warning } => {
                skips.push((path, format!("warning: {}", warning.detail)))
            }
        }
        true
    });
    (files, skips)
}

fn format(bytes: &[u8]) -> SourceFormat {
    sniff::decode_any(bytes.to_vec(), &Limits::default())
        .unwrap()
        .format
}

#[test]
fn members_are_recognised_by_content_whatever_their_name() {
    let zip = zip_of(&[
        ("activities/run.dat", fit()),
        ("activities/12345", gzip(GPX.as_bytes())),
        ("activities/inner", zip_of(&[("x.bin", gzip(&fit()))])),
        ("media/photo.jpg", vec![0xff, 0xd8, 0xff, 0xe0]),
        ("notes.txt", b"ran well".to_vec()),
    ]);
    let (files, skips) = walk_all(
        vec![Source::Bytes {
            name: "export.zip".into(),
            data: zip,
        }],
        &Limits::default(),
    );
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "export.zip!activities/run.dat",
            "export.zip!activities/12345",
            "export.zip!activities/inner!x.bin",
        ]
    );
    assert_eq!(format(&files[0].1), SourceFormat::Fit);
    assert_eq!(format(&files[1].1), SourceFormat::Gpx);
    assert_eq!(format(&files[2].1), SourceFormat::Fit);
    let skipped: Vec<&str> = skips.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        skipped,
        ["export.zip!media/photo.jpg", "export.zip!notes.txt"]
    );
    assert!(skips.iter().all(|(_, r)| r == "not an activity file"));
}

#[test]
fn files_in_folders_are_recognised_by_content_too() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("watch");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("A1B2C3D4"), fit()).unwrap();
    std::fs::write(dir.join("run.fit"), GPX).unwrap();
    std::fs::write(dir.join("readme"), "hello").unwrap();
    std::fs::write(
        dir.join("backup"),
        zip_of(&[("a.gpx", GPX.as_bytes().to_vec())]),
    )
    .unwrap();
    let (files, skips) = walk_all(vec![Source::Path(dir.clone())], &Limits::default());
    let names: Vec<String> = files
        .iter()
        .map(|(p, _)| p.rsplit(['/', '\\']).next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["A1B2C3D4", "backup!a.gpx", "run.fit"]);
    assert_eq!(format(&files[0].1), SourceFormat::Fit);
    // A `.fit` that is really a GPX is read as GPX.
    assert_eq!(format(&files[2].1), SourceFormat::Gpx);
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert!(skips[0].0.ends_with("readme"));
}

#[test]
fn bytes_and_path_of_the_same_file_walk_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = zip_of(&[
        ("a.gpx", GPX.as_bytes().to_vec()),
        ("b.fit.gz", gzip(&fit())),
        ("c.jpg", vec![1, 2, 3]),
    ]);
    let path: PathBuf = tmp.path().join("export.zip");
    std::fs::write(&path, &zip).unwrap();
    let shown = path.display().to_string();
    let (pf, ps) = walk_all(vec![Source::Path(path)], &Limits::default());
    let (bf, bs) = walk_all(
        vec![Source::Bytes {
            name: shown,
            data: zip,
        }],
        &Limits::default(),
    );
    assert_eq!(pf, bf);
    assert_eq!(ps, bs);
    assert_eq!(pf.len(), 2);
}

#[test]
fn oversized_and_garbage_uploads_are_skipped_with_their_name() {
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    let (files, skips) = walk_all(
        vec![
            Source::Bytes {
                name: "huge.gpx".into(),
                data: vec![b' '; (1 << 20) + 1],
            },
            Source::Bytes {
                name: "fake.zip".into(),
                data: b"this is no zip".to_vec(),
            },
            Source::Bytes {
                name: "PK-truncated".into(),
                data: b"PK\x03\x04\x14\x00".to_vec(),
            },
            Source::Bytes {
                name: "".into(),
                data: b"garbage".to_vec(),
            },
        ],
        &limits,
    );
    assert_eq!(skips.len(), 3, "{skips:?}");
    assert_eq!(skips[0].0, "huge.gpx");
    assert!(skips[0].1.contains("over the 1 MB limit"), "{skips:?}");
    assert_eq!(skips[1].0, "fake.zip");
    assert!(skips[1].1.contains("not a readable zip"), "{skips:?}");
    assert_eq!(skips[2].0, "PK-truncated");
    assert!(skips[2].1.contains("not a readable zip"), "{skips:?}");
    // Garbage the walker cannot judge goes to the decoder, which gives the reason; an upload
    // without a name is still named.
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "upload");
    let err = sniff::decode_any(files[0].1.clone(), &limits).unwrap_err();
    assert!(err.to_string().contains("not FIT, GPX or TCX"), "{err}");
}

#[test]
fn a_zip_bomb_upload_is_stopped_by_the_ratio_check() {
    let bomb = zip_of(&[("bomb.dat", vec![0u8; 20 << 20]), ("ok.gpx", GPX.into())]);
    let (files, skips) = walk_all(
        vec![Source::Bytes {
            name: "bomb".into(),
            data: bomb,
        }],
        &Limits {
            ratio_grace_bytes: 1 << 20,
            ..Limits::default()
        },
    );
    // Zeros say nothing about what they are: not an activity, so not even inflated past the head.
    assert_eq!(files.len(), 1);
    assert_eq!(
        skips,
        [("bomb!bomb.dat".into(), "not an activity file".into())]
    );
    let bomb = zip_of(&[("bomb.fit", vec![0u8; 20 << 20])]);
    let (_, skips) = walk_all(
        vec![Source::Bytes {
            name: "bomb".into(),
            data: bomb,
        }],
        &Limits {
            ratio_grace_bytes: 1 << 20,
            ..Limits::default()
        },
    );
    // The member's own ratio or the archive's (the same 200:1 over the whole zip), whichever
    // trips first: both stop it a few megabytes in and say why.
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert!(skips[0].1.contains("(a zip bomb?)"), "{skips:?}");
}

#[test]
fn a_gzip_head_cut_short_is_still_recognised() {
    let mut big = String::from(GPX);
    big.insert_str(
        GPX.find("<gpx").unwrap(),
        &"<!-- padding -->\n".repeat(2000),
    );
    let gz = gzip(big.as_bytes());
    // Only the head the walker reads: inflating it stops early without an error escaping.
    let head = &gz[..gz.len().min(200)];
    assert_eq!(
        sniff::kind_of_content(head),
        None,
        "the root element is past the padding"
    );
    let gz = gzip(GPX.as_bytes());
    assert_eq!(
        sniff::kind_of_content(&gz[..gz.len() / 2]),
        Some(hamstride_ingest::archive::Kind::Activity)
    );
}

/// Issue 14, item 6: what an operating system leaves beside the real files (macOS's
/// `__MACOSX/._run.gpx` and `.DS_Store`, Windows' `Thumbs.db`) is passed over silently, in a
/// zip and in a folder, and a path that is not there says so in plain words.
#[test]
fn os_metadata_is_ignored_silently_and_a_missing_path_said_plainly() {
    let zip = zip_of(&[
        ("run.gpx", GPX.as_bytes().to_vec()),
        ("__MACOSX/._run.gpx", b"\0\x05\x16\x07junk".to_vec()),
        (".DS_Store", b"Bud1junk".to_vec()),
        ("photos/Thumbs.db", b"junk".to_vec()),
    ]);
    let (files, skips) = walk_all(
        vec![Source::Bytes {
            name: "export.zip".into(),
            data: zip,
        }],
        &Limits::default(),
    );
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(skips.is_empty(), "{skips:?}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run.gpx"), GPX).unwrap();
    std::fs::write(dir.path().join("._run.gpx"), b"junk").unwrap();
    std::fs::write(dir.path().join(".DS_Store"), b"junk").unwrap();
    let gone = dir.path().join("not-here.fit");
    let (files, skips) = walk_all(
        vec![
            Source::Path(dir.path().to_path_buf()),
            Source::Path(gone.clone()),
        ],
        &Limits::default(),
    );
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        skips,
        vec![(
            gone.display().to_string(),
            "there is no such file or folder".to_string()
        )]
    );
}

/// Issue 14, items 6 and 7: a `.fit.gz` cut short was refused whole ("gzip: limit
/// exceeded") where the same `.fit` cut short kept what it held. Now the gzip keeps what
/// decompressed and decodes it like the cut plain file, with one plain warning.
#[test]
fn a_gzip_cut_short_keeps_what_decompressed() {
    let whole = sniff::decode_any(fit(), &Limits::default()).unwrap();
    let full_records = whole.activities[0].records.len();
    let gz = gzip(&fit());
    let cut = gz[..gz.len() * 6 / 10].to_vec();
    let decoded = sniff::decode_any(cut, &Limits::default()).unwrap();
    assert_eq!(decoded.format, SourceFormat::Fit);
    let a = &decoded.activities[0];
    assert!(
        a.records.len() > full_records / 3 && a.records.len() < full_records,
        "{} of {full_records} records",
        a.records.len()
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.detail == "the file was cut short; kept what could be read"),
        "{:?}",
        a.warnings
    );
    // The plain file cut where the gzip's content stopped keeps the same records.
    let plain = sniff::decode_any(decoded.content.clone(), &Limits::default()).unwrap();
    assert_eq!(plain.activities[0].records.len(), a.records.len());

    // Cut before anything decompresses: a plain reason, not a limit.
    let err = sniff::decode_any(gz[..12].to_vec(), &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("cut short or damaged"), "{err}");
}

/// A real decompression bomb in a gzip is still refused whole, with a reason in words.
#[test]
fn a_gzip_bomb_is_still_refused_in_plain_words() {
    let bomb = gzip(&vec![0u8; 8 << 20]);
    let err = sniff::decode_any(bomb, &Limits::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("compression ratio over 200:1 (a zip bomb?)"),
        "{err}"
    );
}
