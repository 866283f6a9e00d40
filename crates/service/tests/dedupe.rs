//! Issue 14, items 1 and 2: which copy of a duplicate is kept does not depend on thread
//! timing, file order or thread count, and only the same activity is a duplicate. The files
//! are built here: one run recorded with heart rate and cadence, its stripped re-save, a
//! one-point stub starting at the same second, and a ride elsewhere starting at the same time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_service::import::{self, ImportOptions, ImportReport, ImportSource};
use hamstride_service::AthleteDb;

/// A GPX track of `points` one-second points from 2024-05-01 07:00 UTC at (`lat`, `lon`),
/// heading north at about 3 m/s, with heart rate and cadence when `sensors`.
fn gpx(kind: &str, lat: f64, lon: f64, points: u32, sensors: bool) -> Vec<u8> {
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"
 xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><type>{kind}</type><trkseg>
"#
    );
    for i in 0..points {
        let t = 7 * 3600 + i;
        let ext = if sensors {
            format!(
                "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{}</gpxtpx:hr><gpxtpx:cad>86</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>",
                140 + i % 7
            )
        } else {
            String::new()
        };
        s.push_str(&format!(
            "<trkpt lat=\"{:.6}\" lon=\"{lon:.6}\"><time>2024-05-01T{:02}:{:02}:{:02}Z</time>{ext}</trkpt>\n",
            lat + f64::from(i) * 0.000027,
            t / 3600,
            t / 60 % 60,
            t % 60
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s.into_bytes()
}

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("full.gpx", gpx("running", 51.5, -0.12, 1200, true)),
        ("stripped.gpx", gpx("running", 51.5, -0.12, 1200, false)),
        ("stub.gpx", gpx("running", 51.5, -0.12, 1, false)),
        // Same start, same sport, another place and length: a different activity.
        ("bavaria.gpx", gpx("running", 47.9, 11.4, 2400, false)),
    ]
}

fn run(store: &mut AthleteDb, files: &[(&str, Vec<u8>)], threads: usize) -> ImportReport {
    let sources = files
        .iter()
        .map(|(n, d)| ImportSource::Bytes {
            name: (*n).to_string(),
            data: d.clone(),
        })
        .collect();
    let opts = ImportOptions {
        threads,
        now_ms: 1_700_000_000_000,
        ..ImportOptions::default()
    };
    import::run(store, sources, &opts, &mut |_| {}).unwrap()
}

/// What is stored, ids left out: source, record count and whether heart rate is there.
fn stored(store: &AthleteDb) -> Vec<String> {
    let mut v: Vec<String> = store
        .activities()
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{} {} hr={}",
                r.source_path,
                r.record_count,
                r.avg_heart_rate.is_some()
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_same_files_in_any_order_and_any_thread_count_store_the_same_set() {
    let base = files();
    let mut orders = vec![base.clone()];
    let mut rev = base.clone();
    rev.reverse();
    orders.push(rev);
    orders.push(vec![
        base[2].clone(),
        base[1].clone(),
        base[3].clone(),
        base[0].clone(),
    ]);
    let mut seen = None;
    for order in &orders {
        for threads in [1, 2, 4] {
            let mut store = hamstride_service::db::open_in_memory().unwrap();
            let r = run(&mut store, order, threads);
            assert_eq!((r.imported, r.imported + r.duplicates), (2, 4), "{r:?}");
            let got = stored(&store);
            assert_eq!(
                got,
                vec![
                    "bavaria.gpx 2400 hr=false".to_string(),
                    "full.gpx 1200 hr=true".to_string()
                ],
                "order {:?}, {threads} threads",
                order.iter().map(|f| f.0).collect::<Vec<_>>()
            );
            if let Some(s) = &seen {
                assert_eq!(s, &got);
            }
            seen = Some(got);
        }
    }
}

#[test]
fn a_later_better_copy_upgrades_the_stored_activity_and_keeps_its_id() {
    let f = files();
    let mut store = hamstride_service::db::open_in_memory().unwrap();
    run(&mut store, &[f[2].clone()], 1);
    let id = store.activities().unwrap()[0].id;
    let r = run(&mut store, &[f[1].clone()], 1);
    assert_eq!((r.imported, r.duplicates, r.upgraded), (0, 1, 1));
    let r = run(&mut store, &[f[0].clone()], 1);
    assert_eq!((r.imported, r.duplicates, r.upgraded), (0, 1, 1));
    let rows = store.activities().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, id, "the id a diary entry may name stays");
    assert_eq!(rows[0].source_path, "full.gpx");
    // A worse copy after the best changes nothing, and a re-import of any is known.
    let r = run(&mut store, &f[..3], 2);
    assert_eq!((r.imported, r.upgraded), (0, 0));
    assert_eq!(stored(&store), vec!["full.gpx 1200 hr=true".to_string()]);
}
