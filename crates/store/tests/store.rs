//! Store behaviour that matters to the runner: private file modes, migrations that re-run
//! safely, a corrupt file refused and left untouched, whole-or-nothing transactions, and a
//! stream codec that gives back what it was given (to the stored precision).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
use hamstride_core::activity::{Activity, Records, Session};
use hamstride_store::{codec, ExternalMeta, NewActivity, Store};
use proptest::prelude::*;

fn sample() -> Activity {
    let mut r = Records::default();
    for i in 0..120 {
        let k = r.push_empty(1_700_000_000_000 + i * 1000);
        r.distance_m[k] = i as f64 * 3.1;
        r.heart_rate_bpm[k] = if i % 7 == 0 {
            f32::NAN
        } else {
            140.0 + (i % 5) as f32
        };
        r.cadence[k] = 171.5;
        r.lat_deg[k] = 51.5 + i as f64 * 1e-5;
        r.lon_deg[k] = -0.12;
    }
    Activity {
        sport: "running".into(),
        start_ms: Some(1_700_000_000_000),
        end_ms: Some(1_700_000_119_000),
        sessions: vec![Session {
            sport: "running".into(),
            distance_m: Some(368.9),
            total_timer_s: Some(119.0),
            ..Default::default()
        }],
        records: r,
        warnings: vec!["file CRC mismatch".into()],
        ..Default::default()
    }
}

fn insert(store: &mut Store, hash: u8, path: &str, a: &Activity) -> i64 {
    let tx = store.transaction().unwrap();
    let (orig, new) = tx
        .insert_original(&[hash; 32], "raw", "fit", 10, 1, b"0123456789")
        .unwrap();
    assert!(new);
    let id = tx
        .insert_activity(&NewActivity {
            original_id: orig,
            part: 0,
            source_path: path,
            format: "fit",
            activity: a,
            streams: None,
            imported_at_ms: 0,
        })
        .unwrap();
    tx.commit().unwrap();
    id
}

#[cfg(unix)]
#[test]
fn database_file_and_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    let mode = std::fs::metadata(store.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let dmode = std::fs::metadata(&data).unwrap().permissions().mode();
    assert_eq!(dmode & 0o777, 0o700);
}

#[test]
fn reopening_keeps_data_and_does_not_rerun_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    insert(&mut s, 1, "a.fit", &sample());
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.activity_count().unwrap(), 1);
    assert_eq!(s.content_hashes().unwrap(), vec![[1u8; 32]]);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(hamstride_store::DB_FILE);
    let junk = b"this is not sqlite, but it is the runner's file".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("hamstride.db"), "{err}");
    assert!(err.contains("not a database"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), junk);
}

#[test]
fn activity_round_trips_through_the_store() {
    let mut s = Store::open_in_memory().unwrap();
    let a = sample();
    let id = insert(&mut s, 2, "x/run.fit", &a);
    let back = s.load_activity(id).unwrap().unwrap();
    assert_eq!(back.sessions, a.sessions);
    assert_eq!(back.warnings, a.warnings);
    assert_eq!(back.records.len(), 120);
    assert!(back.records.heart_rate_bpm[0].is_nan());
    assert_eq!(back.records.heart_rate_bpm[1], 141.0);
    assert!((back.records.distance_m[119] - 368.9).abs() < 0.006);
    let rows = s.list_activities().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].distance_m, Some(368.9));
    assert_eq!(rows[0].record_count, 120);
    assert_eq!(s.original_of(id).unwrap().unwrap().1, b"0123456789");
    assert!(s.load_activity(id + 1).unwrap().is_none());
}

#[test]
fn a_dropped_transaction_writes_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    {
        let tx = s.transaction().unwrap();
        tx.insert_original(&[9; 32], "raw", "fit", 1, 1, b"x")
            .unwrap();
        // dropped here without commit, as when an import is killed mid-batch
    }
    assert_eq!(s.content_hashes().unwrap().len(), 0);
    assert_eq!(s.activity_count().unwrap(), 0);
}

#[test]
fn same_start_finds_the_other_format_within_tolerance_only() {
    let mut s = Store::open_in_memory().unwrap();
    insert(&mut s, 3, "run.fit", &sample());
    let tx = s.transaction().unwrap();
    let t = 1_700_000_000_000;
    assert!(tx
        .find_same_start(t + 30_000, "running", 60_000)
        .unwrap()
        .is_some());
    assert!(tx
        .find_same_start(t + 30_000, "unknown", 60_000)
        .unwrap()
        .is_some());
    assert!(tx
        .find_same_start(t + 30_000, "cycling", 60_000)
        .unwrap()
        .is_none());
    assert!(tx
        .find_same_start(t + 120_000, "running", 60_000)
        .unwrap()
        .is_none());
}

#[test]
fn index_metadata_joins_by_source_path() {
    let mut s = Store::open_in_memory().unwrap();
    insert(&mut s, 4, "export.zip!activities/1.fit.gz", &sample());
    let tx = s.transaction().unwrap();
    let meta = ExternalMeta {
        external_id: Some("111".into()),
        name: Some("Easy loop".into()),
        external_type: Some("Run".into()),
        perceived_exertion: Some(3.0),
    };
    assert_eq!(
        tx.apply_meta("export.zip!activities/1.fit.gz", &meta)
            .unwrap(),
        1
    );
    assert_eq!(
        tx.apply_meta("export.zip!activities/2.fit.gz", &meta)
            .unwrap(),
        0
    );
    tx.commit().unwrap();
    let row = &s.list_activities().unwrap()[0];
    assert_eq!(row.name.as_deref(), Some("Easy loop"));
    assert_eq!(row.perceived_exertion, Some(3.0));
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

#[test]
fn metrics_are_kept_per_activity_and_stale_ones_are_found() {
    let mut s = Store::open_in_memory().unwrap();
    let a = insert(&mut s, 1, "a.fit", &sample());
    let mut later = sample();
    later.start_ms = Some(1_800_000_000_000);
    let b = insert(&mut s, 2, "b.fit", &later);
    assert_eq!(
        s.stale_metrics(1).unwrap(),
        vec![a, b],
        "no metrics yet: both stale"
    );
    let tx = s.transaction().unwrap();
    tx.put_metrics(a, 1, "{\"v\":1}").unwrap();
    tx.put_metrics(b, 0, "{\"v\":0}").unwrap();
    tx.commit().unwrap();
    assert_eq!(s.stale_metrics(1).unwrap(), vec![b], "old version is stale");
    let tx = s.transaction().unwrap();
    tx.put_metrics(b, 1, "{\"v\":1}").unwrap();
    tx.commit().unwrap();
    assert!(s.stale_metrics(1).unwrap().is_empty());
    let rows = s.all_metrics().unwrap();
    assert_eq!(
        rows.iter().map(|r| r.activity_id).collect::<Vec<_>>(),
        vec![a, b]
    );
    assert_eq!(rows[1].data, "{\"v\":1}", "replaced, not duplicated");
}

#[test]
fn pain_entries_round_trip_and_delete() {
    let mut s = Store::open_in_memory().unwrap();
    let run = insert(&mut s, 1, "a.fit", &sample());
    assert!(s.activity_start(run).unwrap().is_some());
    assert!(s.activity_start(run + 100).unwrap().is_none());
    let late = s.add_pain("2026-11-03", None, "{\"during\":2}", 5).unwrap();
    let early = s
        .add_pain("2026-11-01", Some(run), "{\"after\":3}", 6)
        .unwrap();
    let rows = s.pain_entries().unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![early, late],
        "by day"
    );
    assert_eq!(rows[0].activity_id, Some(run));
    assert!(s.delete_pain(late).unwrap());
    assert!(!s.delete_pain(late).unwrap(), "second delete finds nothing");
    assert_eq!(s.pain_entries().unwrap().len(), 1);
}
