//! What only the SQLite backend has to get right: private file modes (the WAL side files
//! too), a file that is not a database refused and left untouched, WAL mode, and a stream
//! codec that gives back what it was given (to the stored precision). Everything both
//! backends share is in `conformance.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
use hamstride_core::activity::Records;
use hamstride_store::{codec, SqliteStore};
use proptest::prelude::*;

#[cfg(unix)]
#[test]
fn database_file_and_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = SqliteStore::open(&data).unwrap();
    let mode = std::fs::metadata(store.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let dmode = std::fs::metadata(&data).unwrap().permissions().mode();
    assert_eq!(dmode & 0o777, 0o700);
    // WAL side files take the main file's mode; the originals file is private too.
    for side in [
        "hamstride.db-wal",
        "hamstride.db-shm",
        "hamstride-originals.db",
    ] {
        if let Ok(m) = std::fs::metadata(data.join(side)) {
            assert_eq!(m.permissions().mode() & 0o777, 0o600, "{side}");
        }
    }
}

#[test]
fn the_database_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let _store = SqliteStore::open(dir.path()).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join(hamstride_store::DB_FILE)).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(hamstride_store::DB_FILE);
    let junk = b"this is not sqlite, but it is the runner's file".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = SqliteStore::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("hamstride.db"), "{err}");
    assert!(err.contains("not a database"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), junk);
}

fn opt_f32() -> impl Strategy<Value = f32> {
    prop_oneof![Just(f32::NAN), -1000.0f32..5000.0]
}

proptest! {
    #[test]
    fn codec_round_trips_to_stored_precision(
        rows in proptest::collection::vec((0i64..10_000, opt_f32(), opt_f32(), -90.0f64..90.0), 0..200)
    ) {
        let mut r = Records::default();
        let mut t = 1_600_000_000_000i64;
        for (dt, hr, cad, lat) in &rows {
            t += dt;
            let k = r.push_empty(t);
            r.heart_rate_bpm[k] = *hr;
            r.cadence[k] = *cad;
            r.lat_deg[k] = *lat;
        }
        let back = codec::decode(&codec::encode(&r)).unwrap();
        prop_assert_eq!(&back.time_ms, &r.time_ms);
        for k in 0..r.len() {
            prop_assert_eq!(back.heart_rate_bpm[k].is_nan(), r.heart_rate_bpm[k].is_nan());
            if !r.heart_rate_bpm[k].is_nan() {
                prop_assert!((back.heart_rate_bpm[k] - r.heart_rate_bpm[k]).abs() <= 0.5 + 1e-3);
            }
            if !r.cadence[k].is_nan() {
                prop_assert!((back.cadence[k] - r.cadence[k]).abs() <= 1.0 / 128.0 + 1e-3);
            }
            prop_assert!((back.lat_deg[k] - r.lat_deg[k]).abs() <= 1e-7);
        }
    }

    #[test]
    fn codec_never_panics_on_garbage(blob in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = codec::decode(&blob);
    }
}
