//! Tests of the GPX and TCX decoders: hand-written documents for each quirk the decoders must
//! handle (GPX 1.0, byte-order mark, extensions by namespace URI, duplicate heart rate, empty
//! segments, routes, multi-activity TCX, the two homes of running cadence, whitespace before
//! `<?xml`, undeclared prefixes, nesting and point limits, garbage), the small permissively
//! licensed fixtures in `tests/fixtures/{gpx,tcx}`, property tests that no input panics, and,
//! when the shared corpus is present, every corpus file plus cross-format checks against the
//! fitdecode reference summaries of the same activities recorded as FIT.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::path::{Path, PathBuf};

use hamstride_ingest::{gpx, tcx, Activity, Error, Records};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// helpers

fn gunzip_if_gz(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    if !name.ends_with(".gz") {
        return bytes;
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("gunzip {name}: {e}"));
    out
}

fn fixture(sub: &str, name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
        .join(name);
    let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    gunzip_if_gz(name, raw)
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    p.is_dir().then_some(p)
}

fn gpx_ok(doc: &str) -> Activity {
    match gpx::decode(doc.as_bytes()) {
        Ok(a) => a,
        Err(e) => panic!("GPX should decode: {e}\n{doc}"),
    }
}

fn tcx_ok(doc: &str) -> Vec<Activity> {
    match tcx::decode(doc.as_bytes()) {
        Ok(a) => a,
        Err(e) => panic!("TCX should decode: {e}\n{doc}"),
    }
}

fn mean(col: &[f32]) -> Option<f64> {
    Records::mean(col).map(|(m, _)| m)
}

/// A column as `Option`s so NaN compares.
fn opt(col: &[f32]) -> Vec<Option<f32>> {
    col.iter().map(|v| (!v.is_nan()).then_some(*v)).collect()
}

/// Every column has one entry per record.
fn assert_columns_consistent(a: &Activity) {
    let n = a.records.len();
    assert_eq!(a.records.lat_deg.len(), n);
    assert_eq!(a.records.lon_deg.len(), n);
    assert_eq!(a.records.distance_m.len(), n);
    for c in a.records.f32_columns() {
        assert_eq!(c.len(), n);
    }
    assert!(
        a.records.time_ms.windows(2).all(|w| w[0] <= w[1]),
        "records in time order"
    );
}

const GPX11: &str = r#"xmlns="http://www.topografix.com/GPX/1/1""#;

fn gpx_with_points(points: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="unit test" {GPX11}
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <trk><name>Test</name><type>running</type><trkseg>{points}</trkseg></trk>
</gpx>"#
    )
}

// ---------------------------------------------------------------------------------------
// GPX, hand-written

#[test]
fn gpx_1_0_with_speed_in_the_point() {
    let doc = r#"<?xml version="1.0"?>
<gpx version="1.0" creator="Old Logger" xmlns="http://www.topografix.com/GPX/1/0">
  <name>Old format</name>
  <time>2020-01-01T09:59:00Z</time>
  <trk><type>running</type><trkseg>
    <trkpt lat="45.0" lon="6.0"><ele>100</ele><time>2020-01-01T10:00:00Z</time><speed>3.5</speed></trkpt>
    <trkpt lat="45.001" lon="6.0"><ele>101.5</ele><time>2020-01-01T10:00:30Z</time><speed>3.25</speed></trkpt>
  </trkseg></trk>
</gpx>"#;
    let a = gpx_ok(doc);
    assert_eq!(a.sport, "running");
    assert_eq!(a.name.as_deref(), Some("Old format"));
    assert_eq!(a.device.manufacturer.as_deref(), Some("Old Logger"));
    assert_eq!(a.records.len(), 2);
    assert_eq!(opt(&a.records.speed_mps), vec![Some(3.5), Some(3.25)]);
    assert_eq!(opt(&a.records.altitude_m), vec![Some(100.0), Some(101.5)]);
    assert_eq!(a.start_ms, Some(1_577_872_800_000));
    let s = &a.sessions[0];
    assert_eq!(s.total_elapsed_s, Some(30.0));
    // 0.001° of latitude ≈ 111.2 m, by haversine since the file has no distance.
    let d = s.distance_m.unwrap_or_default();
    assert!((d - 111.2).abs() < 0.5, "{d}");
    assert_columns_consistent(&a);
}

#[test]
fn gpx_with_utf8_bom() {
    let doc = format!(
        "\u{feff}{}",
        gpx_with_points(r#"<trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time></trkpt>"#)
    );
    let a = gpx_ok(&doc);
    assert_eq!(a.records.len(), 1);
}

#[test]
fn gpx_garmin_extension_matched_by_uri_not_prefix() {
    // `q9` is Garmin's TrackPointExtension; `gpxtpx`, the usual prefix, is bound to something
    // else here, so its `cad` is a plain cadence (kept as written, not doubled).
    let doc = r#"<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"
      xmlns:q9="http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
      xmlns:gpxtpx="http://example.com/not-garmin">
     <trk><type>9</type><trkseg>
      <trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time><extensions>
        <q9:TrackPointExtension><q9:hr>150</q9:hr><q9:cad>85</q9:cad><q9:atemp>20</q9:atemp></q9:TrackPointExtension>
      </extensions></trkpt>
      <trkpt lat="1" lon="2.0001"><time>2020-01-01T10:00:01Z</time><extensions>
        <gpxtpx:TrackPointExtension><gpxtpx:cad>170</gpxtpx:cad></gpxtpx:TrackPointExtension>
      </extensions></trkpt>
     </trkseg></trk></gpx>"#;
    let a = gpx_ok(doc);
    assert_eq!(a.sport, "running", "Strava's type 9 is a run");
    assert_eq!(opt(&a.records.heart_rate_bpm), vec![Some(150.0), None]);
    // Garmin `cad` is strides/min: 85 → 170 steps/min for a run.
    assert_eq!(opt(&a.records.cadence), vec![Some(170.0), Some(170.0)]);
}

#[test]
fn gpx_garmin_cadence_not_doubled_for_cycling() {
    let doc = gpx_with_points(
        r#"<trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time><extensions>
           <gpxtpx:TrackPointExtension><gpxtpx:cad>90</gpxtpx:cad></gpxtpx:TrackPointExtension>
           </extensions></trkpt>"#,
    )
    .replace("<type>running</type>", "<type>1</type>");
    let a = gpx_ok(&doc);
    assert_eq!(a.sport, "cycling");
    assert_eq!(opt(&a.records.cadence), vec![Some(90.0)]);
}

#[test]
fn gpx_other_extension_vocabularies() {
    // ClueTrust gpxdata (Suunto/COROS), Garmin PowerExtension, plain <power>/<cadence>
    // (Strava, Wahoo), Apple's <speed> directly under <extensions>.
    let doc = r#"<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"
      xmlns:gd="http://www.cluetrust.com/XML/GPXDATA/1/0"
      xmlns:pw="http://www.garmin.com/xmlschemas/PowerExtension/v1">
     <trk><trkseg>
      <trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time><extensions>
        <gd:hr>120</gd:hr><gd:cadence>80</gd:cadence><gd:distance>10</gd:distance></extensions></trkpt>
      <trkpt lat="1" lon="2"><time>2020-01-01T10:00:01Z</time><extensions>
        <pw:PowerInWatts>250</pw:PowerInWatts><cadence>91</cadence><speed>4.5</speed></extensions></trkpt>
      <trkpt lat="1" lon="2"><time>2020-01-01T10:00:02Z</time><extensions>
        <power>260</power><gd:distance>30</gd:distance></extensions></trkpt>
     </trkseg></trk></gpx>"#;
    let a = gpx_ok(doc);
    assert_eq!(a.sport, "unknown");
    assert_eq!(
        opt(&a.records.heart_rate_bpm),
        vec![Some(120.0), None, None]
    );
    assert_eq!(opt(&a.records.cadence), vec![Some(80.0), Some(91.0), None]);
    assert_eq!(
        opt(&a.records.power_w),
        vec![None, Some(250.0), Some(260.0)]
    );
    assert_eq!(opt(&a.records.speed_mps), vec![None, Some(4.5), None]);
    // The file's own distance wins over haversine (all points are at one place).
    assert_eq!(a.sessions[0].distance_m, Some(30.0));
}

#[test]
fn gpx_duplicate_heart_rate_counts_once() {
    // Amazfit: an unprefixed <heartrate> and the Garmin <hr> in every point.
    let doc = r#"<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" creator="Huami Amazfit Sports Watch" version="1.1">
      <trk><type>Running</type><trkseg>
      <trkpt lat="60.27" lon="24.97"><time>2018-05-14T09:54:12Z</time><extensions>
        <heartrate>89</heartrate><ns3:TrackPointExtension><ns3:hr>89</ns3:hr></ns3:TrackPointExtension>
      </extensions></trkpt>
      <trkpt lat="60.2701" lon="24.97"><time>2018-05-14T09:54:13Z</time><extensions>
        <heartrate>91</heartrate><ns3:TrackPointExtension><ns3:hr>91</ns3:hr></ns3:TrackPointExtension>
      </extensions></trkpt>
      </trkseg></trk></gpx>"#;
    let a = gpx_ok(doc);
    assert_eq!(a.records.len(), 2);
    assert_eq!(opt(&a.records.heart_rate_bpm), vec![Some(89.0), Some(91.0)]);
    assert_eq!(a.sessions[0].avg_heart_rate, Some(90.0));
    assert_eq!(a.sessions[0].max_heart_rate, Some(91.0));
}

#[test]
fn gpx_empty_segments_and_several_tracks_merge_in_time_order() {
    let doc = r#"<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">
      <trk><name>Second</name><trkseg></trkseg><trkseg>
        <trkpt lat="1" lon="2"><time>2020-01-01T11:00:00Z</time></trkpt>
        <trkpt lat="1" lon="2"><time>2020-01-01T11:00:01Z</time></trkpt>
      </trkseg><trkseg/></trk>
      <trk><trkseg>
        <trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time></trkpt>
      </trkseg></trk></gpx>"#;
    let a = gpx_ok(doc);
    assert_eq!(a.records.len(), 3);
    assert_eq!(a.name.as_deref(), Some("Second"));
    assert_eq!(a.start_ms, Some(1_577_872_800_000));
    assert_eq!(a.sessions[0].total_elapsed_s, Some(3601.0));
    assert!(a.warnings.iter().any(|w| w.contains("out of time order")));
    assert_columns_consistent(&a);
}

#[test]
fn gpx_time_forms() {
    let doc = gpx_with_points(
        r#"<trkpt lat="1" lon="2"><time>2015-12-11T15:43:13.994+01:00</time></trkpt>
           <trkpt lat="1" lon="2"><time>2015-12-11T14:43:14.5Z</time></trkpt>
           <trkpt lat="1" lon="2"><time> 2015-12-11T14:43:15 </time></trkpt>
           <trkpt lat="1" lon="2"><time>2015-12-11 14:43:16Z</time></trkpt>
           <trkpt lat="1" lon="2"><time>yesterday</time></trkpt>"#,
    );
    let a = gpx_ok(&doc);
    let base = 1_449_844_993_000; // 2015-12-11T14:43:13Z
    assert_eq!(
        a.records.time_ms,
        vec![base + 994, base + 1500, base + 2000, base + 3000]
    );
    assert!(a.warnings.iter().any(|w| w.contains("could not be read")));
}

#[test]
fn gpx_route_without_times_is_not_an_activity() {
    let route = r#"<gpx version="1.1" creator="StravaGPX" xmlns="http://www.topografix.com/GPX/1/1">
      <rte><name>Loop</name><rtept lat="1" lon="2"><ele>3</ele></rtept><rtept lat="1" lon="3"/></rte></gpx>"#;
    match gpx::decode(route.as_bytes()) {
        Err(Error::NotActivity(why)) => assert!(why.contains("route without times"), "{why}"),
        other => panic!("expected NotActivity, got {other:?}"),
    }
    // Strava's route export: a <trk> whose points have no <time>.
    let track = gpx_with_points(r#"<trkpt lat="1" lon="2"><ele>3</ele></trkpt>"#);
    assert!(matches!(
        gpx::decode(track.as_bytes()),
        Err(Error::NotActivity(_))
    ));
    let meta = r#"<gpx version="1.1" creator="StravaGPX" xmlns="http://www.topografix.com/GPX/1/1"><metadata><time>2023-07-07T16:10:57Z</time></metadata></gpx>"#;
    match gpx::decode(meta.as_bytes()) {
        Err(Error::NotActivity(why)) => assert!(why.contains("metadata only"), "{why}"),
        other => panic!("expected NotActivity, got {other:?}"),
    }
}

#[test]
fn gpx_undeclared_prefix_is_recovered() {
    // Strava's converted exports use gpxdata: and gpxx: without declaring them.
    let doc = r#"<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
      <trk><type>9</type><trkseg>
      <trkpt lat="45.0" lon="5.4"><ele>1299</ele><name>TP00001</name><time>2020-12-25T20:40:26Z</time><extensions><gpxdata:hr>140</gpxdata:hr><gpxdata:cadence>43</gpxdata:cadence><cadence>44</cadence><gpxx:Temperature>22</gpxx:Temperature><zz:power>200</zz:power></extensions></trkpt>
      </trkseg></trk></gpx>"#;
    let a = gpx_ok(doc);
    assert_eq!(opt(&a.records.heart_rate_bpm), vec![Some(140.0)]);
    assert_eq!(
        opt(&a.records.cadence),
        vec![Some(43.0)],
        "first cadence wins"
    );
    assert_eq!(
        opt(&a.records.power_w),
        vec![Some(200.0)],
        "unknown prefix: local name"
    );
    assert!(
        a.warnings.iter().any(|w| w.contains("'gpxdata'")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn gpx_leading_whitespace_before_declaration() {
    let doc = format!(
        "\n\n   {}",
        gpx_with_points(r#"<trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time></trkpt>"#)
    );
    let a = gpx_ok(&doc);
    assert_eq!(a.records.len(), 1);
    assert!(a.warnings.iter().any(|w| w.contains("whitespace")));
}

#[test]
fn gpx_truncated_file_keeps_what_was_read() {
    let doc = gpx_with_points(
        r#"<trkpt lat="1" lon="2"><time>2020-01-01T10:00:00Z</time></trkpt>
           <trkpt lat="1" lon="2"><time>2020-01-01T10:00:01Z</time></trkpt>
           <trkpt lat="1" lon="2"><time>2020-01-01T10:00:02Z</time></trkpt>"#,
    );
    let cut = doc.find("10:00:02").unwrap_or(doc.len());
    let a = gpx_ok(&doc[..cut]);
    assert_eq!(a.records.len(), 2);
    assert!(!a.warnings.is_empty());
    let cut2 = doc.find("<trkpt").unwrap_or(0) + 3;
    assert!(gpx::decode(&doc.as_bytes()[..cut2]).is_err());
}

#[test]
fn gpx_deep_nesting_is_a_limit_error() {
    let mut doc = String::from(
        r#"<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="1" lon="2"><extensions>"#,
    );
    for _ in 0..300 {
        doc.push_str("<a>");
    }
    match gpx::decode(doc.as_bytes()) {
        Err(Error::Limit { path, what }) => {
            assert!(what.contains("nested deeper than 256"), "{what}");
            assert!(path.contains("byte"), "{path}");
        }
        other => panic!("expected a limit error, got {other:?}"),
    }
    let deep_root: String = "<x>".repeat(100_000);
    assert!(matches!(
        gpx::decode(deep_root.as_bytes()),
        Err(Error::Limit { .. })
    ));
}

#[test]
fn gpx_point_limit() {
    // Points without a time are counted but not stored, which keeps this test light.
    let mut doc = String::with_capacity(2_000_001 * 26 + 200);
    doc.push_str(r#"<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>"#);
    for _ in 0..2_000_001 {
        doc.push_str(r#"<trkpt lat="1" lon="2"/>"#);
    }
    match gpx::decode(doc.as_bytes()) {
        Err(Error::Limit { what, .. }) => assert!(what.contains("2000000"), "{what}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn gpx_garbage_and_wrong_documents() {
    for bad in [
        &b""[..],
        b"   ",
        b"\x00\x01\x02garbage",
        b"PK\x03\x04 a zip, not xml",
        b"<html><body>hello</body></html>",
        b"<gpx",
        b"<?xml version='1.0'?><!-- nothing -->",
    ] {
        match gpx::decode(bad) {
            Err(Error::Decode { format, .. }) => assert_eq!(format, "GPX"),
            other => panic!("{:?}: expected a decode error, got {other:?}", bad),
        }
    }
    // A TCX is not a GPX.
    assert!(gpx::decode(TCX_MULTI.as_bytes()).is_err());
}

// ---------------------------------------------------------------------------------------
// TCX, hand-written

const TCX_MULTI: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<Activities>
 <Activity Sport="Running"><Id>2021-01-01T10:00:00Z</Id>
  <Lap StartTime="2021-01-01T10:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>200</DistanceMeters>
   <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>150</Value></MaximumHeartRateBpm><Calories>10</Calories>
   <Track>
    <Trackpoint><Time>2021-01-01T10:00:00Z</Time><Position><LatitudeDegrees>45</LatitudeDegrees><LongitudeDegrees>6</LongitudeDegrees></Position><AltitudeMeters>100</AltitudeMeters><DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>130</Value></HeartRateBpm></Trackpoint>
    <Trackpoint><Time>2021-01-01T10:00:59Z</Time><DistanceMeters>199</DistanceMeters><HeartRateBpm><Value>150</Value></HeartRateBpm></Trackpoint>
   </Track></Lap>
  <Lap StartTime="2021-01-01T10:01:30Z"><TotalTimeSeconds>30</TotalTimeSeconds><DistanceMeters>100</DistanceMeters>
   <AverageHeartRateBpm><Value>155</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>160</Value></MaximumHeartRateBpm><Calories>5</Calories>
   <Track><Trackpoint><Time>2021-01-01T10:02:00Z</Time><DistanceMeters>300</DistanceMeters></Trackpoint></Track></Lap>
  <Creator xsi:type="Device_t"><Name>Forerunner 945</Name><ProductID>3113</ProductID></Creator>
 </Activity>
 <Activity Sport="Other"><Id>2021-01-02T10:00:00Z</Id>
  <Lap StartTime="2021-01-02T10:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds><Track/></Lap>
 </Activity>
 <MultiSportSession><Id>2021-01-03T08:00:00Z</Id>
  <FirstSport><Activity Sport="Biking"><Id>2021-01-03T08:00:00Z</Id><Lap StartTime="2021-01-03T08:00:00Z"><TotalTimeSeconds>3600</TotalTimeSeconds><DistanceMeters>30000</DistanceMeters></Lap></Activity></FirstSport>
  <NextSport><Activity Sport="Running"><Id>2021-01-03T09:05:00Z</Id><Lap StartTime="2021-01-03T09:05:00Z"><TotalTimeSeconds>1200</TotalTimeSeconds><DistanceMeters>4000</DistanceMeters></Lap></Activity></NextSport>
 </MultiSportSession>
</Activities>
<Author xsi:type="Application_t"><Name>Garmin Connect</Name></Author>
</TrainingCenterDatabase>"#;

#[test]
fn tcx_multi_activity_laps_and_session() {
    let acts = tcx_ok(TCX_MULTI);
    let sports: Vec<&str> = acts.iter().map(|a| a.sport.as_str()).collect();
    assert_eq!(sports, ["running", "other", "cycling", "running"]);

    let a = &acts[0];
    assert_eq!(a.device.manufacturer.as_deref(), Some("Forerunner 945"));
    assert_eq!(a.device.product.as_deref(), Some("3113"));
    assert_eq!(a.start_ms, Some(1_609_495_200_000));
    assert_eq!(a.laps.len(), 2);
    assert_eq!(a.laps[0].total_timer_s, Some(60.0));
    // Elapsed: to the next lap's start.
    assert_eq!(a.laps[0].total_elapsed_s, Some(90.0));
    assert_eq!(a.laps[1].total_elapsed_s, Some(30.0));
    assert_eq!(a.laps[0].avg_heart_rate, Some(140.0));
    assert_eq!(a.laps[1].max_heart_rate, Some(160.0));
    let s = &a.sessions[0];
    assert_eq!(s.total_timer_s, Some(90.0));
    assert_eq!(s.total_elapsed_s, Some(120.0));
    assert_eq!(s.distance_m, Some(300.0));
    assert_eq!(s.calories, Some(15.0));
    assert_eq!(s.max_heart_rate, Some(160.0));
    // Weighted by lap time: (140·60 + 155·30) / 90.
    let avg = s.avg_heart_rate.unwrap_or_default();
    assert!((avg - 145.0).abs() < 1e-9, "{avg}");
    assert_eq!(a.records.len(), 3);
    assert_eq!(opt(&a.records.altitude_m)[0], Some(100.0));
    assert_eq!(a.records.lat_deg[0], 45.0);
    assert!(a.records.lat_deg[1].is_nan());
    assert_columns_consistent(a);

    assert_eq!(acts[1].records.len(), 0);
    assert_eq!(acts[1].sessions[0].total_timer_s, Some(600.0));
    assert_eq!(acts[2].sessions[0].distance_m, Some(30000.0));
}

fn tcx_one_point(sport: &str, point_inner: &str, extra_ns: &str) -> String {
    format!(
        r#"<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" {extra_ns}>
<Activities><Activity Sport="{sport}"><Id>2021-01-01T10:00:00Z</Id>
<Lap StartTime="2021-01-01T10:00:00Z"><TotalTimeSeconds>1</TotalTimeSeconds><Track>
<Trackpoint><Time>2021-01-01T10:00:00Z</Time>{point_inner}</Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>"#
    )
}

fn only_cadence(doc: &str) -> Option<f32> {
    let acts = tcx_ok(doc);
    opt(&acts[0].records.cadence)[0]
}

#[test]
fn tcx_cadence_polar_versus_garmin_extension() {
    let ax = r#"xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2""#;
    // Polar/Suunto: running cadence in <Cadence>, strides/min.
    let polar = tcx_one_point("Running", "<Cadence>80</Cadence>", "");
    assert_eq!(only_cadence(&polar), Some(160.0));
    // Garmin: TPX/RunCadence, strides/min, by namespace URI whatever the prefix.
    let garmin = tcx_one_point(
        "Running",
        "<Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>85</ns3:RunCadence></ns3:TPX></Extensions>",
        ax,
    );
    assert_eq!(only_cadence(&garmin), Some(170.0));
    let acts = tcx_ok(&garmin);
    assert_eq!(opt(&acts[0].records.speed_mps), vec![Some(3.1)]);
    let odd_prefix = tcx_one_point(
        "Running",
        r#"<Extensions><ax:TPX xmlns:ax="http://www.garmin.com/xmlschemas/ActivityExtension/v2"><ax:RunCadence>86</ax:RunCadence><ax:Watts>300</ax:Watts></ax:TPX></Extensions>"#,
        "",
    );
    assert_eq!(only_cadence(&odd_prefix), Some(172.0));
    assert_eq!(
        opt(&tcx_ok(&odd_prefix)[0].records.power_w),
        vec![Some(300.0)]
    );
    // Both present: the explicit RunCadence wins.
    let both = tcx_one_point(
        "Running",
        "<Cadence>80</Cadence><Extensions><ns3:TPX><ns3:RunCadence>85</ns3:RunCadence></ns3:TPX></Extensions>",
        ax,
    );
    assert_eq!(only_cadence(&both), Some(170.0));
    // Cycling: rpm, as written.
    let bike = tcx_one_point("Biking", "<Cadence>90</Cadence>", "");
    assert_eq!(only_cadence(&bike), Some(90.0));
    // Another vendor's TPX is not Garmin's.
    let other = tcx_one_point(
        "Running",
        r#"<Extensions><v:TPX xmlns:v="http://example.com/vendor"><v:RunCadence>85</v:RunCadence></v:TPX></Extensions>"#,
        "",
    );
    assert_eq!(only_cadence(&other), None);
}

#[test]
fn tcx_leading_whitespace_and_undeclared_prefix() {
    let doc = format!(
        "  \n\t  {}",
        tcx_one_point(
            "Running",
            "<Extensions><ns3:TPX><ns3:RunCadence>88</ns3:RunCadence></ns3:TPX></Extensions>",
            ""
        )
    );
    let acts = tcx_ok(&doc);
    assert_eq!(opt(&acts[0].records.cadence), vec![Some(176.0)]);
    assert!(acts[0].warnings.iter().any(|w| w.contains("whitespace")));
    assert!(acts[0].warnings.iter().any(|w| w.contains("'ns3'")));
    let with_bom = format!("\u{feff}{}", tcx_one_point("Running", "", ""));
    assert_eq!(tcx_ok(&with_bom).len(), 1);
}

#[test]
fn tcx_without_activities_or_root() {
    let course = r#"<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Courses><Course><Name>x</Name><Track><Trackpoint><Time>2021-01-01T10:00:00Z</Time></Trackpoint></Track></Course></Courses></TrainingCenterDatabase>"#;
    assert!(matches!(
        tcx::decode(course.as_bytes()),
        Err(Error::NotActivity(_))
    ));
    for bad in [
        &b""[..],
        b"garbage",
        b"<gpx></gpx>",
        b"<TrainingCenterDatabase",
    ] {
        assert!(tcx::decode(bad).is_err(), "{:?}", bad);
    }
    let mut deep =
        String::from("<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Notes>");
    deep.push_str(&"<n>".repeat(1000));
    match tcx::decode(deep.as_bytes()) {
        Err(Error::Limit { what, .. }) => assert!(what.contains("nested"), "{what}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn tcx_point_limit() {
    let mut doc = String::with_capacity(2_000_001 * 13 + 200);
    doc.push_str("<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Lap><Track>");
    for _ in 0..2_000_001 {
        doc.push_str("<Trackpoint/>");
    }
    assert!(matches!(
        tcx::decode(doc.as_bytes()),
        Err(Error::Limit { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// fixtures (permissively licensed corpus files, see tests/fixtures/*/ORIGIN.md)

#[test]
fn gpx_fixtures() {
    let a = gpx::decode(&fixture("gpx", "georust__garmin-activity.gpx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.sport, "running");
    assert_eq!(a.name.as_deref(), Some("casual stroll"));
    assert_eq!(a.device.manufacturer.as_deref(), Some("Garmin Connect"));
    assert_eq!(a.records.len(), 988);
    let cad = mean(&a.records.cadence).unwrap_or_default();
    assert!(cad > 140.0 && cad < 200.0, "steps/min, got {cad}");
    assert_columns_consistent(&a);

    // HealthFit (Apple Watch): several segments, Garmin extension under an odd URI.
    let a = gpx::decode(&fixture("gpx", "gpxcsv__healthfit-multiseg.gpx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.records.len(), 1559);
    assert!(mean(&a.records.heart_rate_bpm).is_some());
    assert!(mean(&a.records.speed_mps).is_some());

    let a = gpx::decode(&fixture("gpx", "runpandas__strava-run.gpx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.sport, "running");
    assert_eq!(a.records.len(), 1697);

    let a = gpx::decode(&fixture("gpx", "gpxpy__gpx1.0_with_all_fields.gpx"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.records.len(), 1);
    let a = gpx::decode(&fixture("gpx", "gpxpy__track-with-empty-segment.gpx"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.records.len(), 9);
    let a = gpx::decode(&fixture("gpx", "gpxpy__track-with-less-sec-time.gpx"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.sessions[0].total_elapsed_s, Some(0.994));
    let a = gpx::decode(&fixture("gpx", "gpxcsv__apple-health-export.gpx"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opt(&a.records.speed_mps), vec![Some(0.484_723)]);
    let a = gpx::decode(&fixture("gpx", "georust__wahoo_example.gpx"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.records.len(), 3);

    for (name, reason) in [
        ("georust__strava_route_example.gpx", "route without times"),
        ("georust__empty_name_tag.gpx", "metadata only"),
        ("gpxpy__unicode_with_bom.gpx", "with 1 waypoint and"),
    ] {
        match gpx::decode(&fixture("gpx", name)) {
            Err(Error::NotActivity(why)) => assert!(why.contains(reason), "{name}: {why}"),
            other => panic!("{name}: expected NotActivity, got {other:?}"),
        }
    }
}

#[test]
fn tcx_fixtures() {
    let acts = tcx::decode(&fixture("tcx", "runpandas__run_garmin-fr620.tcx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(acts.len(), 1);
    let a = &acts[0];
    assert_eq!(a.sport, "running");
    assert_eq!(
        a.device.manufacturer.as_deref(),
        Some("Garmin Forerunner 620")
    );
    assert_eq!(a.laps.len(), 3);
    assert_eq!(a.records.len(), 147);
    let cad = mean(&a.records.cadence).unwrap_or_default();
    assert!(cad > 140.0, "RunCadence doubled, got {cad}");
    assert_columns_consistent(a);

    // Polar M400: running cadence in <Cadence>.
    let acts = tcx::decode(&fixture("tcx", "sweatpy__polar-m400-3173437224.tcx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    let a = &acts[0];
    assert_eq!(a.device.manufacturer.as_deref(), Some("Polar M400"));
    assert_eq!(a.records.len(), 3507);
    let nonzero: Vec<f32> = a
        .records
        .cadence
        .iter()
        .copied()
        .filter(|c| *c > 0.0)
        .collect();
    let cad = mean(&nonzero).unwrap_or_default();
    assert!(cad > 100.0, "doubled to steps/min, got {cad}");

    // TomTom: <x:TPX><Speed> with the child in the TCX namespace.
    let acts = tcx::decode(&fixture("tcx", "runpandas__tomtom-run.tcx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(mean(&acts[0].records.speed_mps).is_some());

    let acts = tcx::decode(&fixture("tcx", "tcxcrate__20210323_yoga.tcx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(acts[0].sport, "other", "Sport=\"Other\"");
    assert_eq!(acts[0].sport_label.as_deref(), Some("Other"));
    let acts = tcx::decode(&fixture("tcx", "tcxparser__sup_activity_1.tcx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(acts[0].sport, "other");
    let acts = tcx::decode(&fixture(
        "tcx",
        "runpandas__2020-12-02T06_08_29-300_Running.tcx.gz",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(acts[0].device.manufacturer, None, "no <Creator>");
    assert_eq!(acts[0].laps.len(), 8);

    // No root element and a duplicated tail: recovered, with a warning.
    let acts = tcx::decode(&fixture("tcx", "invalid__runpandas-malformed.tcx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].records.len(), 384);
    assert!(acts[0].warnings.iter().any(|w| w.contains("root")));
}

// ---------------------------------------------------------------------------------------
// cross-format: the same activity as FIT (fitdecode reference summary) and GPX/TCX

/// What the reference says about the FIT recording of an activity.
struct Reference {
    start_ms: i64,
    elapsed_s: f64,
    distance_m: f64,
    mean_hr: f64,
}

fn reference_from_json(path: &Path) -> Option<Reference> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let start: jiff::Timestamp = v["start_time"].as_str()?.parse().ok()?;
    Some(Reference {
        start_ms: start.as_millisecond(),
        elapsed_s: v["total_elapsed_time_s"].as_f64()?,
        distance_m: v["total_distance_m"].as_f64()?,
        mean_hr: v["heart_rate"]["mean"].as_f64()?,
    })
}

fn compare(label: &str, a: &Activity, r: &Reference) {
    let start = a.start_ms.unwrap_or_default();
    let elapsed = a.elapsed_s().unwrap_or_default();
    let dist = a.distance_m().unwrap_or_default();
    let hr = mean(&a.records.heart_rate_bpm).unwrap_or_default();
    println!(
        "{label}: start {start} vs {}, elapsed {elapsed:.1} vs {:.1} s, distance {dist:.1} vs {:.1} m, mean HR {hr:.2} vs {:.2}",
        r.start_ms, r.elapsed_s, r.distance_m, r.mean_hr
    );
    assert!((start - r.start_ms).abs() <= 1000, "{label}: start");
    assert!(
        (elapsed - r.elapsed_s).abs() <= 0.02 * r.elapsed_s,
        "{label}: elapsed"
    );
    assert!(
        (dist - r.distance_m).abs() <= 0.02 * r.distance_m,
        "{label}: distance"
    );
    assert!((hr - r.mean_hr).abs() <= 1.0, "{label}: mean HR");
}

#[test]
fn strava_gpx_matches_the_fit_ride_fixture() {
    // From corpus/reference/sweatpy__4801048867.fit.json (fitdecode on the FIT twin), so
    // this runs without the shared corpus.
    let r = Reference {
        start_ms: 1_587_208_244_000, // 2020-04-18T11:10:44Z
        elapsed_s: 5158.557,
        distance_m: 36322.85,
        mean_hr: 130.310525,
    };
    let a = gpx::decode(&fixture("gpx", "sweatpy__4801048867_strava.gpx.gz"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.sport, "cycling", "Strava type 1");
    compare("FR935 ride, Strava GPX vs FIT", &a, &r);
}

#[test]
fn cross_format_with_corpus() {
    let Some(root) = corpus() else {
        say("SKIPPED: ../shared/corpus not found; the GPX/TCX vs FIT cross-check not run");
        return;
    };
    say("ran with ../shared: the GPX/TCX vs FIT cross-check");
    let pairs = [
        (
            "tcx/sportslib__run-fr945-6860622783.tcx",
            "sportslib__run-fr945-6860622783.fit.json",
        ),
        (
            "gpx/sportslib__run-garmin-6782987395.gpx",
            "sportslib__run-fr945-6782987395.fit.json",
        ),
        (
            "gpx/sweatpy__4801048867_strava.gpx",
            "sweatpy__4801048867.fit.json",
        ),
    ];
    for (file, reference) in pairs {
        let (Ok(bytes), Some(r)) = (
            std::fs::read(root.join(file)),
            reference_from_json(&root.join("reference").join(reference)),
        ) else {
            println!("SKIPPED: {file} or its reference is missing");
            continue;
        };
        let a = if file.ends_with(".tcx") {
            tcx::decode(&bytes).map(|mut v| v.remove(0))
        } else {
            gpx::decode(&bytes)
        }
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        compare(file, &a, &r);
    }
    // The FR945 treadmill run exists as TCX and FIT but its GPX twin is not in the corpus;
    // the FR945 run 6782987395 is GPX + FIT. Both pairs are checked above against FIT.
}

/// One line on the real stderr, shown by a plain `cargo test` (the harness captures only the
/// print macros): which checks against ../shared ran.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

// ---------------------------------------------------------------------------------------
// the whole corpus

#[test]
fn every_corpus_file() {
    let Some(root) = corpus() else {
        say("SKIPPED: ../shared/corpus not found; the GPX/TCX corpus check not run");
        return;
    };
    say("ran with ../shared: the GPX/TCX corpus check");
    let (mut decoded, mut rejected, mut failed_invalid) = (0, 0, 0);
    let mut problems = Vec::new();
    for sub in ["gpx", "tcx"] {
        let Ok(dir) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Ok(raw) = std::fs::read(&p) else { continue };
            let bytes = gunzip_if_gz(&name, raw);
            let result = if sub == "gpx" {
                gpx::decode(&bytes).map(|a| vec![a])
            } else {
                tcx::decode(&bytes)
            };
            match result {
                Ok(acts) => {
                    decoded += 1;
                    for a in &acts {
                        assert_columns_consistent(a);
                        println!(
                            "ok       {name}: {} points, sport {}, {:.0} m, {:.0} s, HR {:?}, {} laps, warnings {:?}",
                            a.records.len(),
                            a.sport,
                            a.distance_m().unwrap_or(0.0),
                            a.elapsed_s().unwrap_or(0.0),
                            mean(&a.records.heart_rate_bpm).map(|h| h.round()),
                            a.laps.len(),
                            a.warnings
                        );
                    }
                }
                Err(Error::NotActivity(why)) => {
                    rejected += 1;
                    println!("rejected {name}: {why}");
                }
                Err(e) => {
                    println!("error    {name}: {e}");
                    if name.starts_with("invalid__") {
                        failed_invalid += 1;
                    } else {
                        problems.push(format!("{name}: {e}"));
                    }
                }
            }
        }
    }
    println!(
        "corpus: {decoded} decoded, {rejected} rejected as not activities, {failed_invalid} invalid files failed"
    );
    assert!(
        problems.is_empty(),
        "files that should decode: {problems:#?}"
    );
    assert!(decoded > 0);
}

// ---------------------------------------------------------------------------------------
// never panic

const VOCAB: &[&str] = &[
    "<gpx xmlns=\"http://www.topografix.com/GPX/1/1\">",
    "<gpx version=\"1.0\">",
    "</gpx>",
    "<trk>",
    "</trk>",
    "<trkseg>",
    "</trkseg>",
    "<trkpt lat=\"45.1\" lon=\"6.2\">",
    "<trkpt lat=\"nan\" lon=\"1e400\"/>",
    "</trkpt>",
    "<time>2020-01-01T10:00:00Z</time>",
    "<time>2020-02-30T25:61:61+99:99</time>",
    "<time>",
    "</time>",
    "<extensions>",
    "</extensions>",
    "<gpxtpx:hr>",
    "</gpxtpx:hr>",
    "<a:cad xmlns:a=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">",
    "<heartrate>",
    "<type>9</type>",
    "<TrainingCenterDatabase>",
    "<Activities>",
    "<Activity Sport=\"Running\">",
    "</Activity>",
    "<Lap StartTime=\"2020-01-01T10:00:00Z\">",
    "<TotalTimeSeconds>1e308</TotalTimeSeconds>",
    "</Lap>",
    "<Track>",
    "<Trackpoint>",
    "</Trackpoint>",
    "<Time>9999-12-31T23:59:59Z</Time>",
    "<Time>0000-01-01T00:00:00Z</Time>",
    "<ns3:TPX><ns3:RunCadence>",
    "</ns3:RunCadence></ns3:TPX>",
    "<Cadence>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "&amp;",
    "&a;",
    "&#0;",
    "123.5",
    "-1",
    " ",
    "<",
    ">",
    "/>",
    "\"",
    "xmlns:=\"\"",
    "\u{feff}",
];

fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0..VOCAB.len(), 0..200)
        .prop_map(|ix| ix.into_iter().flat_map(|i| VOCAB[i].bytes()).collect())
}

fn check_no_panic(bytes: &[u8]) {
    if let Ok(a) = gpx::decode(bytes) {
        assert_columns_consistent(&a);
    }
    if let Ok(acts) = tcx::decode(bytes) {
        for a in &acts {
            assert_columns_consistent(a);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_no_panic(&bytes);
    }

    #[test]
    fn xml_like_input_never_panics(bytes in xmlish()) {
        check_no_panic(&bytes);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..4,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let names = [
            ("gpx", "gpxpy__track-with-empty-segment.gpx"),
            ("gpx", "gpxpy__gpx1.0_with_all_fields.gpx"),
            ("gpx", "georust__wahoo_example.gpx"),
            ("tcx", "tcxparser__sup_activity_1.tcx.gz"),
        ];
        let (sub, name) = names[which];
        let mut bytes = fixture(sub, name);
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        check_no_panic(&bytes);
    }

    #[test]
    fn times_round_trip(secs in -2_000_000_000i64..253_402_300_799i64, ms in 0i64..1000) {
        let ts = jiff::Timestamp::from_millisecond(secs * 1000 + ms);
        prop_assume!(ts.is_ok());
        let ts = ts.unwrap();
        let text = ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let doc = gpx_with_points(&format!(r#"<trkpt lat="1" lon="2"><time>{text}</time></trkpt>"#));
        let a = gpx::decode(doc.as_bytes());
        prop_assert!(a.is_ok(), "{text}");
        if let Ok(a) = a {
            prop_assert_eq!(a.records.time_ms.clone(), vec![ts.as_millisecond()], "{}", text);
        }
    }
}

/// A GPX of `tracks`, each a list of segments, each (start "HH:MM:SS" on `day`, latitude,
/// points) moving north about 3 m a second.
fn multi_gpx(tracks: &[&[(&str, u32, f64, u32)]]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">"#,
    );
    for segs in tracks {
        s.push_str("<trk><type>running</type>");
        for (start, day, lat, n) in *segs {
            s.push_str("<trkseg>");
            let parts: Vec<u32> = start.split(':').map(|x| x.parse().unwrap()).collect();
            let t0 = parts[0] * 3600 + parts[1] * 60 + parts[2];
            for i in 0..*n {
                let t = t0 + i;
                s.push_str(&format!(
                    "<trkpt lat=\"{:.6}\" lon=\"11.0\"><time>2024-06-{day:02}T{:02}:{:02}:{:02}Z</time></trkpt>",
                    lat + f64::from(i) * 0.000027,
                    t / 3600,
                    t / 60 % 60,
                    t % 60
                ));
            }
            s.push_str("</trkseg>");
        }
        s.push_str("</trk>");
    }
    s.push_str("</gpx>");
    s
}

/// Issue 14, item 3: tracks far apart in time are separate activities, and the straight line
/// across the gap between two segments counts no distance.
#[test]
fn gpx_tracks_and_segments_are_outings_and_gaps_add_no_distance() {
    // Two outings a day apart, 5 km apart: two activities, each its own ~1 km.
    let doc = multi_gpx(&[
        &[("07:00:00", 1, 48.0, 400)],
        &[("07:00:00", 2, 48.05, 400)],
    ]);
    let (_, acts) = hamstride_ingest::sniff::decode(doc.as_bytes()).unwrap();
    assert_eq!(acts.len(), 2);
    for a in &acts {
        let d = a.distance_m().unwrap();
        assert!((1000.0..1300.0).contains(&d), "{d}");
        assert!(a.warnings.iter().any(|w| w.contains("separate outings")));
    }
    assert!(acts[0].start_ms < acts[1].start_ms);
    // Two segments ten minutes apart and 5 km apart: one activity, no 5 km jump counted.
    let doc = multi_gpx(&[&[("07:00:00", 1, 48.0, 400), ("07:16:40", 1, 48.05, 400)]]);
    let (_, acts) = hamstride_ingest::sniff::decode(doc.as_bytes()).unwrap();
    assert_eq!(acts.len(), 1);
    let d = acts[0].distance_m().unwrap();
    assert!((2000.0..2600.0).contains(&d), "distance {d} counts the gap");
}

fn gpx_with(time0: &str, points: &[(f64, f64, u32, Option<u32>)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><type>running</type><trkseg>"#,
    );
    for (lat, lon, secs, hr) in points {
        let ext = hr.map_or(String::new(), |h| {
            format!("<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{h}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>")
        });
        s.push_str(&format!(
            "<trkpt lat=\"{lat}\" lon=\"{lon}\"><time>{time0}:{:02}:{:02}Z</time>{ext}</trkpt>",
            secs / 60,
            secs % 60
        ));
    }
    s.push_str("</trkseg></trk></gpx>");
    s
}

/// Issue 14, item 4: impossible values never reach the store. A start in 1901 skips the file
/// with a reason a runner can read; a heart rate of 255 (FIT's "no reading") and a GPS jump
/// are left out with a counted warning, and the jump adds no distance.
#[test]
fn impossible_times_are_refused_and_impossible_samples_left_out() {
    let run: Vec<(f64, f64, u32, Option<u32>)> = (0..300)
        .map(|i| (48.0 + f64::from(i) * 0.000027, 11.0, i, Some(140)))
        .collect();
    let old = gpx_with("1901-06-01T07", &run);
    match hamstride_ingest::sniff::decode(old.as_bytes()) {
        Err(e) => assert_eq!(
            e.to_string(),
            "the times in this file are not real: it says it started in 1901"
        ),
        Ok(_) => panic!("a run in 1901 was accepted"),
    }
    let mut bad = run.clone();
    bad[100].3 = Some(255);
    bad[101].3 = Some(255);
    bad[150].0 = 49.0; // 100 km away for one second
    let doc = gpx_with("2024-06-01T07", &bad);
    let (_, acts) = hamstride_ingest::sniff::decode(doc.as_bytes()).unwrap();
    let a = &acts[0];
    let w: Vec<&str> = a.warnings.iter().map(|w| w.detail.as_str()).collect();
    let w = w.join("; ");
    assert!(w.contains("2 heart-rate readings were left out"), "{w}");
    assert!(
        w.contains("1 GPS position (a jump too fast to be real) was left out"),
        "{w}"
    );
    assert!(a
        .warnings
        .iter()
        .all(|w| w.code == hamstride_ingest::WarningCode::LeftOut));
    assert!(a
        .records
        .heart_rate_bpm
        .iter()
        .all(|h| h.is_nan() || *h < 250.0));
    let d = a.distance_m().unwrap();
    assert!(d < 1000.0, "the jump was counted: {d} m");
    // An average speed no runner can hold: the file is refused with the speed in words.
    let fast: Vec<(f64, f64, u32, Option<u32>)> = (0..300)
        .map(|i| (48.0 + f64::from(i) * 0.0009, 11.0, i, None))
        .collect();
    let doc = gpx_with("2024-06-01T07", &fast);
    assert!(hamstride_ingest::sniff::decode(doc.as_bytes()).is_err());
}

/// Issue 14, item 4: a TCX whose `<Id>` and lap say 2015 while its trackpoints are from 2021
/// used to be stored as a run six years long. The points' clock is kept, the laps move with
/// it, and a warning says so.
#[test]
fn a_tcx_whose_stated_start_is_years_from_its_points_uses_the_points() {
    let point = |s: u32, lat: f64| {
        format!(
            "<Trackpoint><Time>2021-03-01T07:00:{s:02}Z</Time><Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>11.0</LongitudeDegrees></Position></Trackpoint>"
        )
    };
    let doc = format!(
        r#"<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running"><Id>2015-03-01T07:00:00Z</Id><Lap StartTime="2015-03-01T07:00:00Z"><Track>{}{}{}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"#,
        point(0, 48.0),
        point(10, 48.0003),
        point(20, 48.0006)
    );
    let (_, acts) = hamstride_ingest::sniff::decode(doc.as_bytes()).unwrap();
    let a = &acts[0];
    let points_start = 1_614_582_000_000; // 2021-03-01T07:00:00Z
    assert_eq!(a.start_ms, Some(points_start));
    assert_eq!(a.laps[0].start_ms, Some(points_start));
    assert!(a.elapsed_s().unwrap() < 60.0, "{:?}", a.elapsed_s());
    assert!(
        a.warnings
            .iter()
            .any(|w| w.code == hamstride_ingest::WarningCode::TimesFixed
                && w.detail.contains("2192 days")),
        "{:?}",
        a.warnings
    );
}
