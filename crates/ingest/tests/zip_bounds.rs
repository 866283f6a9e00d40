//! Hostile and damaged zips (issue 14, item 9): each case here once cost minutes or lost a
//! whole archive. The zips are built byte by byte in the tests, so what makes each one bad is
//! written out next to the assertion; the big ones are sparse files (`set_len`), which take
//! no disk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Seek, SeekFrom, Write};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use hamstride_ingest::archive::{walk, Limits, Member, Source, LOCKED, NOT_A_ZIP};
use hamstride_ingest::SkipCode;

const GPX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><trkseg>
<trkpt lat="51.5" lon="-0.1"><time>2024-03-02T06:00:00Z</time></trkpt>
<trkpt lat="51.5001" lon="-0.1"><time>2024-03-02T06:00:10Z</time></trkpt>
</trkseg></trk></gpx>
"#;

/// A hang guard, not a speed target (speed is measured apart, on a release build): the
/// defects these tests reproduce kept the walker busy for 48 to 108 s, while a debug build
/// on a loaded CI machine refuses each of these in well under a second.
const HANG: Duration = Duration::from_secs(20);

/// What a walk produced: imported paths, (path, reason) skips, (path, warning) warnings.
#[derive(Debug, Default)]
struct Walked {
    files: Vec<String>,
    skips: Vec<(String, String)>,
    /// The code of each skip, in the order of `skips`.
    codes: Vec<SkipCode>,
    warnings: Vec<(String, String)>,
    took: Duration,
}

fn walk_source(source: Source, limits: &Limits) -> Walked {
    let mut w = Walked::default();
    let started = Instant::now();
    walk(vec![source], limits, &AtomicU64::new(0), &mut |m| {
        match m {
            Member::File { path, .. } => w.files.push(path),
            Member::Skipped { path, reason } => {
                w.codes.push(reason.code);
                w.skips.push((path, reason.detail));
            }
            Member::Warning { path, warning } => w.warnings.push((path, warning.detail)),
        }
        true
    });
    w.took = started.elapsed();
    w
}

fn walk_bytes(name: &str, data: Vec<u8>) -> Walked {
    walk_source(
        Source::Bytes {
            name: name.into(),
            data,
        },
        &Limits::default(),
    )
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A stored (uncompressed) member as the local header and the central entry that point at
/// it, written by hand so a test can bend any field.
struct Entry {
    name: String,
    data: Vec<u8>,
    flags: u16,
    /// Extra field of the central entry only.
    central_extra: Vec<u8>,
}

impl Entry {
    fn new(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            data: data.to_vec(),
            flags: 0,
            central_extra: Vec::new(),
        }
    }

    fn local(&self) -> Vec<u8> {
        let mut h = Vec::new();
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&self.flags.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // stored
        h.extend_from_slice(&[0; 4]); // time, date
        h.extend_from_slice(&crc32(&self.data).to_le_bytes());
        h.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(self.name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(self.name.as_bytes());
        h
    }

    fn central(&self, name: &str, offset: u32) -> Vec<u8> {
        let mut h = Vec::new();
        h.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&self.flags.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(&[0; 4]);
        h.extend_from_slice(&crc32(&self.data).to_le_bytes());
        h.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(self.central_extra.len() as u16).to_le_bytes());
        h.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&offset.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        h.extend_from_slice(&self.central_extra);
        h
    }
}

fn end_record(entries: u16, directory_size: u32, directory_offset: u32) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    e.extend_from_slice(&[0; 4]);
    e.extend_from_slice(&entries.to_le_bytes());
    e.extend_from_slice(&entries.to_le_bytes());
    e.extend_from_slice(&directory_size.to_le_bytes());
    e.extend_from_slice(&directory_offset.to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    e
}

/// A well-formed zip of the entries, members end to end.
fn zip_of(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        out.extend(e.local());
        out.extend(&e.data);
        directory.extend(e.central(&e.name, offset));
    }
    let start = out.len() as u32;
    out.extend(&directory);
    out.extend(end_record(
        entries.len() as u16,
        directory.len() as u32,
        start,
    ));
    out
}

fn runs(n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| Entry::new(&format!("run{i}.gpx"), GPX.as_bytes()))
        .collect()
}

/// The "fan-out" bomb: one member, and thousands of directory entries all pointing at it,
/// so a few kilobytes would be unpacked thousands of times. Refused whole, at once.
#[test]
fn entries_sharing_one_member_are_refused_at_once() {
    let member = Entry::new("a.gpx", GPX.as_bytes());
    let mut out = member.local();
    out.extend(&member.data);
    let start = out.len() as u32;
    let mut directory = Vec::new();
    for i in 0..5000 {
        directory.extend(member.central(&format!("r{i}.gpx"), 0));
    }
    out.extend(&directory);
    out.extend(end_record(5000, directory.len() as u32, start));
    let w = walk_bytes("fanout.zip", out);
    assert!(w.files.is_empty(), "{:?}", w.files);
    assert_eq!(w.skips.len(), 1, "{:?}", w.skips);
    assert_eq!(w.skips[0].0, "fanout.zip");
    assert!(w.skips[0].1.contains("overlap each other"), "{:?}", w.skips);
    assert!(w.took < HANG, "{:?}", w.took);
}

/// The "overlap" bomb: a member whose data holds the next member's header, so the bytes
/// are read twice (nested a thousand deep, a 900 kB zip unpacks for minutes).
#[test]
fn a_member_inside_another_is_refused() {
    let inner = Entry::new("inner.gpx", GPX.as_bytes());
    let mut quoted = inner.local();
    quoted.extend(&inner.data);
    let outer = Entry::new("outer.gpx", &quoted);
    let mut out = outer.local();
    let inner_at = out.len() as u32;
    out.extend(&outer.data);
    let start = out.len() as u32;
    let mut directory = outer.central("outer.gpx", 0);
    directory.extend(inner.central("inner.gpx", inner_at));
    out.extend(&directory);
    out.extend(end_record(2, directory.len() as u32, start));
    let w = walk_bytes("nested.zip", out);
    assert!(w.files.is_empty(), "{:?}", w.files);
    assert!(w.skips[0].1.contains("overlap each other"), "{:?}", w.skips);
    // The same members laid end to end are a normal zip (the outer one then looks like a
    // zip cut short, and is read as one).
    let w = walk_bytes("fine.zip", zip_of(&[outer, inner]));
    assert!(w.skips.is_empty(), "{w:?}");
    assert!(w.files.contains(&"fine.zip!inner.gpx".to_string()), "{w:?}");
}

/// An archive is held to the same 200:1 as one member: a zip of many small bombs, each
/// under the per-member check, stops once the whole has unpacked 200 times its size.
#[test]
fn an_archive_is_held_to_the_ratio_as_a_whole() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut gpx = String::from(GPX);
    gpx.insert_str(GPX.find("<trk>").unwrap(), &" ".repeat(1 << 20));
    for i in 0..40 {
        w.start_file(format!("run{i}.gpx"), opts).unwrap();
        w.write_all(gpx.as_bytes()).unwrap();
    }
    let zip = w.finish().unwrap().into_inner();
    let limits = Limits::default();
    let walked = walk_source(
        Source::Bytes {
            name: "many-small-bombs.zip".into(),
            data: zip.clone(),
        },
        &limits,
    );
    let allowed = zip.len() as u64 * limits.max_ratio;
    assert!(
        (walked.files.len() as u64) * (1 << 20) <= allowed,
        "{} files of 1 MB from {} bytes",
        walked.files.len(),
        zip.len()
    );
    assert!(walked.files.len() < 40, "{walked:?}");
    assert_eq!(walked.skips.len(), 1, "said once: {:?}", walked.skips);
    assert!(
        walked.skips[0]
            .1
            .contains("far more data than its size allows"),
        "{:?}",
        walked.skips
    );
}

/// A 2 GB file named `.zip` that is not one: refused from its first and last bytes, not by
/// reading 2 GB backwards for an end record (68 s before).
#[test]
fn a_huge_file_that_is_not_a_zip_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.zip");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let w = walk_source(Source::Path(path.clone()), &Limits::default());
    assert_eq!(
        w.skips,
        [(path.display().to_string(), NOT_A_ZIP.to_string())]
    );
    assert!(w.took < HANG, "{:?}", w.took);
}

/// A zip whose end record lists more entries than allowed is refused from that record,
/// before any entry is parsed (48 s for a million before). The directory here is a sparse
/// hole of the size the count needs, so nothing could be parsed from it anyway.
#[test]
fn too_many_entries_are_refused_from_the_end_record() {
    let entries: u64 = 2_000_000;
    let directory = entries * 46;
    let mut z64 = Vec::new();
    z64.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
    z64.extend_from_slice(&44u64.to_le_bytes());
    z64.extend_from_slice(&[45, 0, 45, 0]);
    z64.extend_from_slice(&[0; 8]);
    z64.extend_from_slice(&entries.to_le_bytes());
    z64.extend_from_slice(&entries.to_le_bytes());
    z64.extend_from_slice(&directory.to_le_bytes());
    z64.extend_from_slice(&0u64.to_le_bytes());
    let mut locator = Vec::new();
    locator.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
    locator.extend_from_slice(&0u32.to_le_bytes());
    locator.extend_from_slice(&directory.to_le_bytes());
    locator.extend_from_slice(&1u32.to_le_bytes());
    let mut end = end_record(0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF);
    end.splice(0..0, locator);
    end.splice(0..0, z64);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.zip");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&0x0403_4b50u32.to_le_bytes()).unwrap();
    f.set_len(directory).unwrap();
    f.seek(SeekFrom::End(0)).unwrap();
    f.write_all(&end).unwrap();
    drop(f);
    let w = walk_source(Source::Path(path), &Limits::default());
    assert_eq!(w.skips.len(), 1, "{:?}", w.skips);
    assert!(
        w.skips[0]
            .1
            .contains("zip lists 2000000 entries, over the limit of 1000000"),
        "{:?}",
        w.skips
    );
    assert!(w.took < HANG, "{:?}", w.took);
}

/// Issue 14, item 9: a zip cut short by one byte (its end record incomplete) kept nothing;
/// now every complete member is read, and the zip gets one warning saying it was cut.
#[test]
fn a_zip_cut_by_one_byte_keeps_every_member() {
    let mut zip = zip_of(&runs(3));
    zip.pop();
    let w = walk_bytes("export.zip", zip);
    assert_eq!(
        w.files,
        [
            "export.zip!run0.gpx",
            "export.zip!run1.gpx",
            "export.zip!run2.gpx"
        ]
    );
    assert!(w.skips.is_empty(), "{:?}", w.skips);
    assert_eq!(
        w.warnings,
        [(
            "export.zip".to_string(),
            "this zip was cut short; kept the 3 complete files before the cut".to_string()
        )]
    );
}

/// Cut inside a member: the members before it are kept, the cut one is named with why.
#[test]
fn a_zip_cut_inside_a_member_keeps_the_ones_before() {
    let zip = zip_of(&runs(3));
    let third = zip
        .windows(8)
        .position(|w| w == b"run2.gpx")
        .expect("third member's name");
    let w = walk_bytes("export.zip", zip[..third + 8 + 40].to_vec());
    assert_eq!(w.files, ["export.zip!run0.gpx", "export.zip!run1.gpx"]);
    assert_eq!(
        w.skips,
        [(
            "export.zip!run2.gpx".to_string(),
            "this file was cut off where the zip ends".to_string()
        )]
    );
    assert!(
        w.warnings[0].1.contains("kept the 2 complete files"),
        "{w:?}"
    );
}

/// A member locked with a password is skipped by name and the rest is read, whether the
/// directory is readable (the crate then refuses the member) or the member's directory
/// entry is malformed (an AES field of the wrong length, which used to make the whole zip
/// unreadable).
#[test]
fn a_locked_member_is_skipped_and_the_rest_read() {
    let mut entries = runs(3);
    entries[1].flags = 1;
    let w = walk_bytes("locked.zip", zip_of(&entries));
    assert_eq!(w.files, ["locked.zip!run0.gpx", "locked.zip!run2.gpx"]);
    assert_eq!(
        w.skips,
        [("locked.zip!run1.gpx".to_string(), LOCKED.to_string())]
    );
    assert_eq!(w.codes, [SkipCode::Locked]);
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);

    // 0x9901 is the AES field; it must be 7 bytes long, this one is 2.
    entries[1].central_extra = vec![0x01, 0x99, 2, 0, 0xAA, 0xBB];
    let w = walk_bytes("malformed.zip", zip_of(&entries));
    assert_eq!(
        w.files,
        ["malformed.zip!run0.gpx", "malformed.zip!run2.gpx"]
    );
    assert_eq!(
        w.skips,
        [("malformed.zip!run1.gpx".to_string(), LOCKED.to_string())]
    );
    assert_eq!(w.codes, [SkipCode::Locked]);
    assert_eq!(w.warnings.len(), 1, "{:?}", w.warnings);
    assert!(w.warnings[0].1.contains("read one by one"), "{w:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// The end-record look, the window reader and the walk over local headers are
    /// hand-written: any zip with bytes overwritten or cut off must walk to the end without
    /// a panic, well inside a second, with small limits as in the fuzz target.
    #[test]
    fn damaged_zips_always_walk_to_the_end(
        edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 0..8),
        cut in 0usize..4096,
    ) {
        let mut zip = zip_of(&runs(4));
        let len = zip.len();
        for (at, b) in edits {
            zip[at % len] = b;
        }
        zip.truncate(len - cut % len);
        let limits = Limits {
            max_file_bytes: 1 << 20,
            max_archive_bytes: 4 << 20,
            max_entries: 64,
            ..Limits::default()
        };
        let w = walk_source(Source::Bytes { name: "fuzz.zip".into(), data: zip }, &limits);
        proptest::prop_assert!(w.files.len() <= 64 * 3);
        proptest::prop_assert!(w.took < HANG, "{:?}", w.took);
    }
}
