//! Points out of time order (issue 14, item 3): one rule for every format. GPX and TCX
//! already put their points in time order (stable, keeping every point) with a counted
//! warning; FIT kept records in file order, so the same run stored a different last
//! distance, and later steps that read records as a timeline (outings, heart-rate merge,
//! metrics) saw time go backwards. The same out-of-order run is written here as GPX, TCX and
//! FIT, and all three must store the same records and the same distance.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_ingest::{sniff, Activity};

/// 2024-03-02T06:00:00Z in Unix seconds.
const T0: i64 = 1_709_359_200;
/// Seconds after T0, in file order: 15 before 20, 35 before 40 are out of order.
const OFFSETS: [i64; 8] = [0, 10, 20, 15, 30, 40, 35, 50];
/// Running at 3 m/s due north.
const SPEED: f64 = 3.0;

fn distance(offset: i64) -> f64 {
    offset as f64 * SPEED
}

fn lat(offset: i64) -> f64 {
    51.5 + distance(offset) / 111_195.0
}

fn iso(offset: i64) -> String {
    let t = jiff::Timestamp::from_second(T0 + offset).unwrap();
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn gpx() -> Vec<u8> {
    let mut doc = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxdata="http://www.cluetrust.com/XML/GPXDATA/1/0">
<trk><type>running</type><trkseg>
"#,
    );
    for o in OFFSETS {
        doc.push_str(&format!(
            "<trkpt lat=\"{:.7}\" lon=\"-0.1\"><time>{}</time><extensions><gpxdata:distance>{}</gpxdata:distance></extensions></trkpt>\n",
            lat(o),
            iso(o),
            distance(o)
        ));
    }
    doc.push_str("</trkseg></trk></gpx>\n");
    doc.into_bytes()
}

fn tcx() -> Vec<u8> {
    let mut doc = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running"><Id>2024-03-02T06:00:00Z</Id><Lap StartTime="2024-03-02T06:00:00Z"><Track>
"#,
    );
    for o in OFFSETS {
        doc.push_str(&format!(
            "<Trackpoint><Time>{}</Time><Position><LatitudeDegrees>{:.7}</LatitudeDegrees><LongitudeDegrees>-0.1</LongitudeDegrees></Position><DistanceMeters>{}</DistanceMeters></Trackpoint>\n",
            iso(o),
            lat(o),
            distance(o)
        ));
    }
    doc.push_str("</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n");
    doc.into_bytes()
}

/// A FIT activity: file_id, a `sport` message (running), then one `record` per point with
/// timestamp, position (semicircles) and distance (cm).
fn fit() -> Vec<u8> {
    const FIT_EPOCH_S: i64 = 631_065_600;
    let mut data = Vec::new();
    // Definition: local 0 = file_id (global 0), field 0 type (enum).
    data.extend_from_slice(&[0x40, 0, 0, 0, 0, 1, 0, 1, 0x00]);
    data.extend_from_slice(&[0x00, 4]);
    // Local 1 = sport (global 12), field 0 sport (enum): 1 is running.
    data.extend_from_slice(&[0x41, 0, 0, 12, 0, 1, 0, 1, 0x00]);
    data.extend_from_slice(&[0x01, 1]);
    // Local 2 = record (global 20): timestamp, lat, lon (sint32), distance (uint32).
    data.extend_from_slice(&[
        0x42, 0, 0, 20, 0, 4, 253, 4, 0x86, 0, 4, 0x85, 1, 4, 0x85, 5, 4, 0x86,
    ]);
    let semicircles = |deg: f64| (deg * 2f64.powi(31) / 180.0).round() as i32;
    for o in OFFSETS {
        data.push(0x02);
        data.extend_from_slice(&((T0 + o - FIT_EPOCH_S) as u32).to_le_bytes());
        data.extend_from_slice(&semicircles(lat(o)).to_le_bytes());
        data.extend_from_slice(&semicircles(-0.1).to_le_bytes());
        data.extend_from_slice(&((distance(o) * 100.0).round() as u32).to_le_bytes());
    }
    let mut out = vec![14, 0x20];
    out.extend_from_slice(&2100u16.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(b".FIT");
    let header_crc = hamstride_core::fit_crc::checksum(&out);
    out.extend_from_slice(&header_crc.to_le_bytes());
    out.extend_from_slice(&data);
    let crc = hamstride_core::fit_crc::checksum(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn decoded(name: &str, bytes: Vec<u8>) -> Activity {
    let d = sniff::decode_any(bytes, &hamstride_ingest::archive::Limits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(d.activities.len(), 1, "{name}");
    d.activities.into_iter().next().unwrap()
}

#[test]
fn out_of_order_points_are_sorted_alike_in_gpx_tcx_and_fit() {
    let last = *OFFSETS.iter().max().unwrap();
    for (name, bytes) in [("GPX", gpx()), ("TCX", tcx()), ("FIT", fit())] {
        let a = decoded(name, bytes);
        let times: Vec<i64> = a.records.time_ms.iter().map(|t| t / 1000 - T0).collect();
        assert_eq!(times, [0, 10, 15, 20, 30, 35, 40, 50], "{name}");
        assert_eq!(a.records.len(), OFFSETS.len(), "{name}: every point kept");
        let d = a.distance_m().unwrap_or(f64::NAN);
        assert!((d - distance(last)).abs() < 0.01, "{name}: distance {d}");
        let last_distance = a.records.distance_m.last().copied().unwrap_or(f64::NAN);
        assert!((last_distance - distance(last)).abs() < 0.01, "{name}");
        assert_eq!(a.start_ms, Some(T0 * 1000), "{name}");
        assert_eq!(a.end_ms, Some((T0 + last) * 1000), "{name}");
        assert!(
            a.warnings
                .iter()
                .any(|w| w.starts_with("2 ") && w.contains("out of time order and were sorted")),
            "{name}: {:?}",
            a.warnings
        );
    }
}
