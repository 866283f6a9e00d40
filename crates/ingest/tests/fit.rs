//! Tests of the FIT decoder: real files from `fixtures/fit/` (MIT-licensed, see ORIGIN.md)
//! for the behaviours devices actually produce, hand-built byte streams for the edge cases
//! the spec allows but the corpus lacks, and property tests that no input, random or a
//! damaged real file, makes the decoder panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_ingest::fit::{self, Options};
use hamstride_ingest::{Activity, Error, Records};
use proptest::prelude::*;

const FIT_EPOCH_S: i64 = 631_065_600;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/fit/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn decode_ok(bytes: &[u8]) -> Activity {
    match fit::decode(bytes) {
        Ok(a) => a,
        Err(e) => panic!("decode failed: {e}"),
    }
}

fn unix_ms(fit_s: u32) -> i64 {
    (i64::from(fit_s) + FIT_EPOCH_S) * 1000
}

fn iso_ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .unwrap_or(i64::MIN)
}

fn mean(c: &[f32]) -> (f64, usize) {
    Records::mean(c).unwrap_or((f64::NAN, 0))
}

fn assert_columns_consistent(a: &Activity) {
    let r = &a.records;
    let n = r.len();
    assert_eq!(r.lat_deg.len(), n);
    assert_eq!(r.lon_deg.len(), n);
    assert_eq!(r.distance_m.len(), n);
    for c in r.f32_columns() {
        assert_eq!(c.len(), n);
    }
}

fn assert_close(ours: f64, expected: f64, tol: f64) {
    assert!(
        (ours - expected).abs() <= tol,
        "{ours} is not within {tol} of {expected}"
    );
}

// ---------------------------------------------------------------------------------------
// Real files
// ---------------------------------------------------------------------------------------

#[test]
fn fenix5_run_with_running_dynamics() {
    let a = decode_ok(&fixture("fitdecode__garmin-fenix-5-run.fit"));
    assert_columns_consistent(&a);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.sport, "running");
    // FIT's "generic" running is plain running in the vocabulary; the FIT names are kept.
    assert_eq!(a.sub_sport, None);
    assert_eq!(a.sport_label.as_deref(), Some("running/generic"));
    assert_eq!(a.device.manufacturer.as_deref(), Some("garmin"));
    assert_eq!(a.device.product.as_deref(), Some("fenix5"));
    assert_eq!(a.start_ms, Some(iso_ms("2017-06-11T14:34:09Z")));
    assert_eq!(a.end_ms, Some(iso_ms("2017-06-11T14:34:09Z") + 56_887));
    assert!(!a.start_was_relative);
    assert_eq!(a.sessions.len(), 1);
    assert_close(a.distance_m().unwrap_or(0.0), 157.56, 1e-9);
    assert_close(a.timer_s().unwrap_or(0.0), 56.887, 1e-9);
    let r = &a.records;
    assert_eq!(r.len(), 21);
    // Means as fitdecode computes them (../shared/corpus/reference).
    assert_close(mean(&r.heart_rate_bpm).0, 84.952381, 1e-4);
    // Running: steps/min = 2 × (cadence + fractional/128) strides/min.
    assert_close(mean(&r.cadence).0, 2.0 * 74.52381, 1e-3);
    assert_eq!(mean(&r.stance_time_ms).1, 18);
    assert_close(mean(&r.stance_time_ms).0, 281.944444, 1e-3);
    assert_close(mean(&r.vertical_oscillation_mm).0, 75.922222, 1e-3);
    assert_close(mean(&r.step_length_mm).0, 941.526316, 1e-3);
    assert_close(mean(&r.stance_balance_pct).0, 52.507895, 1e-3);
    assert_close(mean(&r.vertical_ratio_pct).0, 6.946842, 1e-3);
    // Semicircles to degrees: Santa Rosa, California.
    let lat = r
        .lat_deg
        .iter()
        .copied()
        .find(|v| !v.is_nan())
        .unwrap_or(f64::NAN);
    let lon = r
        .lon_deg
        .iter()
        .copied()
        .find(|v| !v.is_nan())
        .unwrap_or(f64::NAN);
    assert_close(lat, 38.2298, 1e-3);
    assert_close(lon, -122.6337, 1e-3);
    assert!(r.time_ms.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn walking_cadence_is_doubled_and_cycling_is_not() {
    let walk = decode_ok(&fixture("fitdecode__garmin-fenix-5-walk.fit"));
    assert_eq!(walk.sport, "walking");
    let (cad, n) = mean(&walk.records.cadence);
    assert!(
        n > 0 && cad > 80.0,
        "walking cadence {cad} should be steps/min"
    );

    let bike = decode_ok(&fixture("fitdecode__garmin-fenix-5-bike.fit"));
    assert_eq!(bike.sport, "cycling");
    let (rpm, n) = mean(&bike.records.cadence);
    // This ride has no cadence sensor; the multisport test covers cycling rpm.
    assert!(
        n == 0 || rpm < 130.0,
        "cycling cadence {rpm} should stay rpm"
    );
    assert!(bike.records.stance_time_ms.iter().all(|v| v.is_nan()));
}

#[test]
fn compressed_timestamps_and_relative_clock() {
    let a = decode_ok(&fixture("fitdecode__antfs-dump.63.fit"));
    assert_columns_consistent(&a);
    assert_eq!(a.records.len(), 686);
    assert_eq!(a.device.product.as_deref(), Some("fr70"));
    // session.start_time is seconds since power-on; the file has no UTC anchor but the
    // activity's local timestamp, which the decoder uses and says so.
    assert!(a.start_was_relative);
    assert!(
        a.warnings.iter().any(|w| w.contains("power-on")),
        "{:?}",
        a.warnings
    );
    let start = a.start_ms.unwrap_or(0);
    assert!(start > iso_ms("2012-01-01T00:00:00Z") && start < iso_ms("2012-12-31T00:00:00Z"));
    assert_eq!(a.end_ms, Some(start + 3_426_898));
    // Compressed headers: 5-bit offsets from the last full timestamp, never going back.
    let t = &a.records.time_ms;
    assert!(t.windows(2).all(|w| w[1] >= w[0]), "times go backwards");
    let span = t.last().unwrap_or(&0) - t.first().unwrap_or(&0);
    assert!(span > 3_000_000 && span < 3_500_000, "span {span} ms");
    assert_eq!(mean(&a.records.heart_rate_bpm).1, 685);
    assert_close(mean(&a.records.heart_rate_bpm).0, 161.979562, 1e-3);
}

#[test]
fn compressed_speed_distance_is_expanded_and_accumulated() {
    let a = decode_ok(&fixture("fitdecode__compressed-speed-distance.fit"));
    assert_columns_consistent(&a);
    assert_eq!(a.records.len(), 755);
    let d: Vec<f64> = a
        .records
        .distance_m
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .collect();
    assert!(d.len() > 700);
    assert!(
        d.windows(2).all(|w| w[1] >= w[0]),
        "accumulated distance must not decrease"
    );
    // The 12-bit counter wraps every 256 m; accumulated, it reaches the session's 10.2 km.
    let last = d.last().copied().unwrap_or(0.0);
    assert_close(last, 10_248.67, 0.02 * 10_248.67);
    let (speed, n) = mean(&a.records.speed_mps);
    assert!(n > 700 && speed > 2.0 && speed < 4.0, "speed {speed}");
    // Running cadence, doubled to steps/min.
    assert!(mean(&a.records.cadence).0 > 140.0);
}

#[test]
fn big_endian_sdk_example() {
    let a = decode_ok(&fixture("fitdecode__Activity.fit"));
    assert_columns_consistent(&a);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.records.len(), 14);
    assert_eq!(a.start_ms, Some(iso_ms("2012-04-09T21:22:26Z")));
    assert_eq!(a.sport, "running");
    assert_eq!(a.device.manufacturer.as_deref(), Some("dynastream"));
    assert_eq!(a.device.product.as_deref(), Some("hrm1"));
    assert_close(a.distance_m().unwrap_or(0.0), 5.73, 1e-9);
}

#[test]
fn chained_activity_and_settings() {
    let a = decode_ok(&fixture("fitdecode__activity-settings.fit"));
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.records.len(), 14);
    assert_eq!(a.sessions.len(), 1);
}

#[test]
fn chained_swim_with_hr_messages_is_merged() {
    let bytes = fixture("fitdecode__event_timestamp.fit");
    let raw = fit::decode_with(
        &bytes,
        &Options {
            merge_hr: false,
            ..Options::default()
        },
    );
    let raw = raw.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.records.len(), 4376);
    assert_eq!(mean(&raw.records.heart_rate_bpm).1, 0);
    let merged = decode_ok(&bytes);
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    assert_eq!(merged.sport, "swimming");
    assert_eq!(merged.sub_sport.as_deref(), Some("pool"));
    assert_eq!(merged.sport_label.as_deref(), Some("swimming/lap_swimming"));
    let (hr, n) = mean(&merged.records.heart_rate_bpm);
    assert_eq!(
        n, 4376,
        "every record should get heart rate from the 4 hr segments"
    );
    assert!(hr > 90.0 && hr < 180.0, "mean hr {hr}");
    // Swimming cadence (strokes/min) is not doubled.
    assert_close(mean(&merged.records.cadence).0, 25.491228, 1e-3);
}

#[test]
fn multisport_cadence_follows_each_session() {
    let a = decode_ok(&fixture("fitparser__sample_mulitple_header.fit"));
    assert_columns_consistent(&a);
    assert_eq!(a.sessions.len(), 5);
    assert_eq!(a.sport, "swimming");
    let in_session = |sport: &str| -> Vec<f32> {
        let s = a.sessions.iter().find(|s| s.sport == sport);
        let (start, end) = s
            .and_then(|s| {
                Some((
                    s.start_ms?,
                    s.start_ms? + (s.total_elapsed_s? * 1000.0) as i64,
                ))
            })
            .unwrap_or((0, 0));
        a.records
            .time_ms
            .iter()
            .zip(&a.records.cadence)
            .filter(|(t, c)| **t >= start && **t <= end && !c.is_nan() && **c > 0.0)
            .map(|(_, c)| *c)
            .collect()
    };
    let run = in_session("running");
    let bike = in_session("cycling");
    let run_mean = mean(&run).0;
    let bike_mean = mean(&bike).0;
    assert!(
        run_mean > 140.0,
        "run cadence {run_mean} should be steps/min"
    );
    assert!(
        bike_mean < 120.0,
        "bike cadence {bike_mean} should stay rpm"
    );
}

#[test]
fn developer_fields_are_skipped() {
    let a = decode_ok(&fixture("fitdecode__DeveloperData.fit"));
    assert_eq!(a.records.len(), 3);
    assert_close(mean(&a.records.heart_rate_bpm).0, 142.333333, 1e-3);
    // No timestamps anywhere in this SDK example: kept, said, and no start is invented.
    assert!(
        a.warnings.iter().any(|w| w.contains("no timestamp")),
        "{:?}",
        a.warnings
    );
    assert_eq!(a.start_ms, None);
    assert_eq!(a.end_ms, None);
}

#[test]
fn fourteen_byte_header_with_zero_crc() {
    let bytes = fixture("fitdecode__2013-02-06-12-11-14.fit");
    assert_eq!(
        bytes.get(12..14),
        Some([0u8, 0].as_slice()),
        "fixture should have header CRC 0"
    );
    let a = decode_ok(&bytes);
    assert!(
        a.warnings.is_empty(),
        "file CRC must cover the header continuously: {:?}",
        a.warnings
    );
    assert_eq!(a.records.len(), 590);
}

#[test]
fn twelve_byte_header_settings_is_not_an_activity() {
    let bytes = fixture("fitparser__Settings.fit");
    assert_eq!(bytes.first(), Some(&12));
    assert!(fit::is_fit(&bytes));
    match fit::decode(&bytes) {
        Err(Error::NotActivity(why)) => assert!(why.contains("settings"), "{why}"),
        other => panic!("expected NotActivity, got {other:?}"),
    }
    match fit::decode(&fixture("fitdecode__MonitoringFile.fit")) {
        Err(Error::NotActivity(why)) => assert!(why.contains("monitoring"), "{why}"),
        other => panic!("expected NotActivity, got {other:?}"),
    }
}

#[test]
fn bad_file_crc_decodes_with_warning() {
    let a = decode_ok(&fixture("invalid__activity-filecrc.fit"));
    assert_eq!(a.records.len(), 14);
    assert!(
        a.warnings.iter().any(|w| w.contains("CRC")),
        "{:?}",
        a.warnings
    );

    let two = decode_ok(&fixture("invalid__activity-activity-filecrc.fit"));
    assert_eq!(two.records.len(), 28);
    assert_eq!(two.sessions.len(), 2);
    // Its second segment repeats the first one's times: the records are put in time
    // order (as GPX and TCX points are), which is said too.
    assert_eq!(two.warnings.len(), 2, "{:?}", two.warnings);
    assert!(two.warnings[0].contains("segment 2"), "{:?}", two.warnings);
    assert_eq!(
        two.warnings[1].detail,
        "1 record was out of time order and was sorted"
    );
    assert_eq!(
        two.warnings[1].code,
        hamstride_ingest::WarningCode::Reordered
    );
    assert!(
        two.records.time_ms.windows(2).all(|w| w[0] <= w[1]),
        "{:?}",
        two.warnings
    );
}

#[test]
fn truncated_file_keeps_records_with_offset() {
    let a = decode_ok(&fixture("invalid__activity-unexpected-eof.fit"));
    assert_eq!(a.records.len(), 14);
    assert!(
        a.warnings.iter().any(|w| w.contains("truncated")),
        "{:?}",
        a.warnings
    );
    assert!(
        a.warnings.iter().any(|w| w.contains("byte 751")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn corrupt_second_header_keeps_first_segment() {
    let a = decode_ok(&fixture("invalid__activity-settings-corruptheader.fit"));
    assert_eq!(a.records.len(), 14);
    assert!(
        a.warnings.iter().any(|w| w.contains("771")),
        "{:?}",
        a.warnings
    );

    let nodata = decode_ok(&fixture("invalid__activity-settings-nodata.fit"));
    assert_eq!(nodata.records.len(), 14);
    assert!(!nodata.warnings.is_empty());
}

#[test]
fn undefined_local_message_stops_and_keeps() {
    let a = decode_ok(&fixture("invalid__strava-android-app-201.10-b1218918.fit"));
    assert_eq!(a.records.len(), 473);
    assert_eq!(a.device.manufacturer.as_deref(), Some("strava"));
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("byte 7471") && w.contains("undefined local message type 11")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn unterminated_strings() {
    let a = decode_ok(&fixture("tormoder__unterminated-strings.fit"));
    assert_eq!(a.records.len(), 33);
    assert_eq!(a.device.manufacturer.as_deref(), Some("wahoo_fitness"));
}

#[test]
fn empty_and_garbage_inputs_are_errors() {
    assert!(matches!(
        fit::decode(&[]),
        Err(Error::Decode { offset: 0, .. })
    ));
    assert!(matches!(
        fit::decode(b"hello, this is not a FIT file at all"),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        fit::decode(&[14, 0x10, 0, 0]),
        Err(Error::Decode { .. })
    ));
    assert!(!fit::is_fit(&[]));
    assert!(!fit::is_fit(b"<?xml version"));
    assert!(fit::is_fit(&fixture("fitdecode__Activity.fit")));
}

// ---------------------------------------------------------------------------------------
// Hand-built streams
// ---------------------------------------------------------------------------------------

fn crc16(bytes: &[u8]) -> u16 {
    hamstride_core::fit_crc::checksum(bytes)
}

/// Builds FIT bytes message by message. Field tuples are (number, size, base type).
#[derive(Default)]
struct Fit {
    data: Vec<u8>,
}

const UINT8: u8 = 0x02;
const UINT16: u8 = 0x84;
const SINT32: u8 = 0x85;
const UINT32: u8 = 0x86;
const ENUM: u8 = 0x00;
const BYTE: u8 = 0x0D;
const STRING: u8 = 0x07;

impl Fit {
    fn def(&mut self, local: u8, global: u16, be: bool, fields: &[(u8, u8, u8)]) -> &mut Self {
        self.data.push(0x40 | local);
        self.data.push(0);
        self.data.push(u8::from(be));
        let g = if be {
            global.to_be_bytes()
        } else {
            global.to_le_bytes()
        };
        self.data.extend_from_slice(&g);
        self.data.push(fields.len() as u8);
        for &(n, s, b) in fields {
            self.data.extend_from_slice(&[n, s, b]);
        }
        self
    }

    fn def_dev(
        &mut self,
        local: u8,
        global: u16,
        fields: &[(u8, u8, u8)],
        dev: &[(u8, u8, u8)],
    ) -> &mut Self {
        self.def(local, global, false, fields);
        if let Some(h) = self.data.iter_mut().rev().nth(3 * fields.len() + 5) {
            *h |= 0x20;
        }
        self.data.push(dev.len() as u8);
        for &(n, s, i) in dev {
            self.data.extend_from_slice(&[n, s, i]);
        }
        self
    }

    fn msg(&mut self, local: u8, body: &[u8]) -> &mut Self {
        self.data.push(local);
        self.data.extend_from_slice(body);
        self
    }

    fn compressed(&mut self, local: u8, offset: u8, body: &[u8]) -> &mut Self {
        self.data.push(0x80 | (local << 5) | (offset & 0x1F));
        self.data.extend_from_slice(body);
        self
    }

    /// A complete file: 14-byte header with a correct header CRC, data, file CRC.
    fn build(&self) -> Vec<u8> {
        self.build_with(14, None, None)
    }

    fn build_with(
        &self,
        header_size: u8,
        header_crc: Option<u16>,
        file_crc: Option<u16>,
    ) -> Vec<u8> {
        let mut out = vec![header_size, 0x20];
        out.extend_from_slice(&2132u16.to_le_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        out.extend_from_slice(b".FIT");
        if header_size == 14 {
            let c = header_crc.unwrap_or_else(|| crc16(&out));
            out.extend_from_slice(&c.to_le_bytes());
        }
        out.extend_from_slice(&self.data);
        let c = file_crc.unwrap_or_else(|| crc16(&out));
        out.extend_from_slice(&c.to_le_bytes());
        out
    }
}

const T0: u32 = 1_000_000_000; // 2021-09-08T01:46:40Z

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

/// file_id (activity, garmin fenix5) + records (timestamp, hr, distance) + a session.
fn simple_activity(records: u32) -> Fit {
    let mut f = Fit::default();
    f.def(
        0,
        0,
        false,
        &[(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)],
    );
    let mut body = vec![4];
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&2697u16.to_le_bytes());
    body.extend_from_slice(&le32(T0));
    f.msg(0, &body);
    f.def(
        1,
        20,
        false,
        &[(253, 4, UINT32), (3, 1, UINT8), (5, 4, UINT32)],
    );
    for i in 0..records {
        let mut b = le32(T0 + i).to_vec();
        b.push(120 + (i % 10) as u8);
        b.extend_from_slice(&le32(i * 300));
        f.msg(1, &b);
    }
    f.def(
        2,
        18,
        false,
        &[
            (2, 4, UINT32),
            (5, 1, ENUM),
            (7, 4, UINT32),
            (8, 4, UINT32),
            (9, 4, UINT32),
        ],
    );
    let mut s = le32(T0).to_vec();
    s.push(1);
    s.extend_from_slice(&le32(records * 1000));
    s.extend_from_slice(&le32(records * 1000 - 500));
    s.extend_from_slice(&le32(records * 300));
    f.msg(2, &s);
    f
}

#[test]
fn hand_built_activity() {
    let a = decode_ok(&simple_activity(10).build());
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.sport, "running");
    assert_eq!(a.device.manufacturer.as_deref(), Some("garmin"));
    assert_eq!(a.device.product.as_deref(), Some("fenix5"));
    assert_eq!(a.records.len(), 10);
    assert_eq!(a.records.time_ms.first(), Some(&unix_ms(T0)));
    assert_eq!(a.records.time_ms.last(), Some(&unix_ms(T0 + 9)));
    assert_eq!(a.records.heart_rate_bpm.get(3), Some(&123.0));
    assert_eq!(a.records.distance_m.get(2), Some(&6.0));
    assert_eq!(a.start_ms, Some(unix_ms(T0)));
    assert_eq!(a.end_ms, Some(unix_ms(T0) + 10_000));
    assert_eq!(a.sessions.first().and_then(|s| s.total_timer_s), Some(9.5));
    assert_eq!(a.distance_m(), Some(30.0));
}

#[test]
fn twelve_byte_header_and_header_crc_variants() {
    let f = simple_activity(3);
    let twelve = decode_ok(&f.build_with(12, None, None));
    assert!(twelve.warnings.is_empty(), "{:?}", twelve.warnings);
    assert_eq!(twelve.records.len(), 3);

    let zero = decode_ok(&f.build_with(14, Some(0), None));
    assert!(
        zero.warnings.is_empty(),
        "header CRC 0 means not computed: {:?}",
        zero.warnings
    );

    let wrong = decode_ok(&f.build_with(14, Some(0x1234), None));
    assert_eq!(wrong.records.len(), 3);
    assert!(
        wrong.warnings.iter().any(|w| w.contains("header CRC")),
        "{:?}",
        wrong.warnings
    );

    let bad_file = decode_ok(&f.build_with(14, None, Some(0xBEEF)));
    assert_eq!(bad_file.records.len(), 3);
    assert!(
        bad_file.warnings.iter().any(|w| w.contains("file CRC")),
        "{:?}",
        bad_file.warnings
    );
}

#[test]
fn unknown_protocol_byte_is_accepted() {
    let mut bytes = simple_activity(2).build_with(12, None, None);
    if let Some(p) = bytes.get_mut(1) {
        *p = 0x00;
    }
    // The file CRC covers the header, so fix it up.
    let n = bytes.len() - 2;
    let c = crc16(bytes.get(..n).unwrap_or_default());
    bytes.truncate(n);
    bytes.extend_from_slice(&c.to_le_bytes());
    let a = decode_ok(&bytes);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.records.len(), 2);
}

#[test]
fn big_endian_and_mixed_endian_definitions() {
    let mut f = Fit::default();
    // Big-endian: the global number 20 is written 0x00 0x14.
    f.def(
        0,
        20,
        true,
        &[(253, 4, UINT32), (6, 2, UINT16), (0, 4, SINT32)],
    );
    let mut b = (T0).to_be_bytes().to_vec();
    b.extend_from_slice(&3500u16.to_be_bytes());
    b.extend_from_slice(&(1i32 << 30).to_be_bytes());
    f.msg(0, &b);
    // Little-endian definition of the same message on another local type.
    f.def(1, 20, false, &[(253, 4, UINT32), (6, 2, UINT16)]);
    let mut b = le32(T0 + 1).to_vec();
    b.extend_from_slice(&2500u16.to_le_bytes());
    f.msg(1, &b);
    let a = decode_ok(&f.build());
    assert_eq!(a.records.len(), 2);
    assert_eq!(a.records.time_ms, vec![unix_ms(T0), unix_ms(T0 + 1)]);
    assert_eq!(a.records.speed_mps, vec![3.5, 2.5]);
    assert_eq!(a.records.lat_deg.first(), Some(&90.0));
}

#[test]
fn compressed_timestamp_offsets_roll_over() {
    let base = T0 - (T0 % 32) + 30; // low 5 bits = 30
    let mut f = Fit::default();
    f.def(0, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)]);
    let mut b = le32(base).to_vec();
    b.push(100);
    f.msg(0, &b);
    f.def(1, 20, false, &[(3, 1, UINT8)]);
    f.compressed(1, 31, &[101]); // +1
    f.compressed(1, 2, &[102]); // wraps: 31 -> 34
    f.compressed(1, 2, &[103]); // same offset: same time
    f.compressed(1, 10, &[104]); // +8
    let a = decode_ok(&f.build());
    let t: Vec<i64> = a
        .records
        .time_ms
        .iter()
        .map(|t| t / 1000 - FIT_EPOCH_S - i64::from(base))
        .collect();
    assert_eq!(t, vec![0, 1, 4, 4, 12]);
    assert_eq!(
        a.records.heart_rate_bpm,
        vec![100.0, 101.0, 102.0, 103.0, 104.0]
    );
}

#[test]
fn invalid_values_become_nan() {
    let mut f = Fit::default();
    f.def(
        0,
        20,
        false,
        &[
            (253, 4, UINT32),
            (3, 1, UINT8),
            (5, 4, UINT32),
            (0, 4, SINT32),
            (7, 2, UINT16),
        ],
    );
    let mut b = le32(T0).to_vec();
    b.push(0xFF);
    b.extend_from_slice(&le32(u32::MAX));
    b.extend_from_slice(&0x7FFF_FFFFi32.to_le_bytes());
    b.extend_from_slice(&0xFFFFu16.to_le_bytes());
    f.msg(0, &b);
    let a = decode_ok(&f.build());
    let r = &a.records;
    assert_eq!(r.len(), 1);
    assert!(r.heart_rate_bpm.iter().all(|v| v.is_nan()));
    assert!(r.distance_m.iter().all(|v| v.is_nan()));
    assert!(r.lat_deg.iter().all(|v| v.is_nan()));
    assert!(r.power_w.iter().all(|v| v.is_nan()));
}

#[test]
fn field_sizes_not_a_multiple_of_the_base_type() {
    let mut f = Fit::default();
    // distance: uint32 of size 3, speed: uint16 of size 1, hr: uint8 array of 2.
    f.def(
        0,
        20,
        false,
        &[
            (253, 4, UINT32),
            (5, 3, UINT32),
            (6, 1, UINT16),
            (3, 2, UINT8),
            (7, 2, UINT16),
        ],
    );
    let mut b = le32(T0).to_vec();
    b.extend_from_slice(&[1, 2, 3, 4, 150, 151]);
    b.extend_from_slice(&250u16.to_le_bytes());
    f.msg(0, &b);
    let a = decode_ok(&f.build());
    let r = &a.records;
    assert_eq!(r.len(), 1);
    assert!(r.distance_m.iter().all(|v| v.is_nan()));
    assert!(r.speed_mps.iter().all(|v| v.is_nan()));
    assert_eq!(r.heart_rate_bpm, vec![150.0]);
    assert_eq!(
        r.power_w,
        vec![250.0],
        "fields after an odd-sized one are still found"
    );
}

#[test]
fn unknown_messages_fields_and_developer_fields_are_skipped() {
    let mut f = Fit::default();
    f.def(0, 0xFF00, false, &[(1, 7, BYTE), (253, 4, UINT32)]);
    let mut b = vec![9; 7];
    b.extend_from_slice(&le32(T0 + 100));
    f.msg(0, &b);
    f.def_dev(
        1,
        20,
        &[(253, 4, UINT32), (200, 5, BYTE), (3, 1, UINT8)],
        &[(0, 6, 0), (1, 2, 0)],
    );
    let mut b = le32(T0).to_vec();
    b.extend_from_slice(&[0xAA; 5]);
    b.push(130);
    b.extend_from_slice(&[0x55; 8]); // developer data, 6 + 2 bytes
    f.msg(1, &b);
    f.msg(1, &b);
    let a = decode_ok(&f.build());
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.records.heart_rate_bpm, vec![130.0, 130.0]);
}

#[test]
fn undefined_local_type_and_eof_inside_a_message() {
    let mut f = simple_activity(4);
    let good = f.data.len();
    f.msg(7, &[1, 2, 3]);
    let a = decode_ok(&f.build());
    assert_eq!(a.records.len(), 4);
    let at = 14 + good;
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains(&format!("byte {at}"))
                && w.contains("undefined local message type 7")),
        "{:?}",
        a.warnings
    );

    let full = simple_activity(4).build();
    // Drop the CRC, the session (definition 21 + message 18 bytes) and a record and a half
    // (10 bytes each): the file now ends inside the third record.
    let cut = full.len() - 2 - 39 - 15;
    let a = decode_ok(full.get(..cut).unwrap_or_default());
    assert_eq!(a.records.len(), 2);
    assert!(
        a.warnings.iter().any(|w| w.contains("truncated")),
        "{:?}",
        a.warnings
    );
    assert!(
        a.warnings.iter().any(|w| w.contains("ends inside")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn chained_segments_reset_local_definitions() {
    let first = simple_activity(3).build();
    let mut second = Fit::default();
    second.def(0, 0, false, &[(0, 1, ENUM)]);
    second.msg(0, &[4]);
    let mut b = le32(T0 + 50).to_vec();
    b.push(140);
    b.extend_from_slice(&le32(0));
    second.msg(1, &b); // local 1 was defined in segment 1 only
    let mut bytes = first.clone();
    bytes.extend_from_slice(&second.build());
    let a = decode_ok(&bytes);
    assert_eq!(a.records.len(), 3);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("segment 2") && w.contains("undefined local message type 1")),
        "{:?}",
        a.warnings
    );

    let mut both = first.clone();
    both.extend_from_slice(&simple_activity(2).build_with(12, None, None));
    let a = decode_ok(&both);
    // Both segments start at T0: five records, in time order.
    let details: Vec<&str> = a.warnings.iter().map(|w| w.detail.as_str()).collect();
    assert_eq!(details, ["1 record was out of time order and was sorted"]);
    assert_eq!(a.records.len(), 5);
    assert_eq!(a.sessions.len(), 2);

    let mut garbage_after = first;
    garbage_after.extend_from_slice(b"trailing junk");
    let a = decode_ok(&garbage_after);
    assert_eq!(a.records.len(), 3);
    assert!(
        a.warnings.iter().any(|w| w.contains("not a FIT file")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn summary_first_end_is_start_plus_elapsed() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM)]);
    f.msg(0, &[4]);
    // Session first, its own timestamp deliberately misleading.
    f.def(
        1,
        18,
        false,
        &[
            (253, 4, UINT32),
            (2, 4, UINT32),
            (5, 1, ENUM),
            (7, 4, UINT32),
        ],
    );
    let mut s = le32(T0 + 5).to_vec();
    s.extend_from_slice(&le32(T0));
    s.push(2);
    s.extend_from_slice(&le32(3_600_000));
    f.msg(1, &s);
    f.def(2, 20, false, &[(253, 4, UINT32), (4, 1, UINT8)]);
    for i in 0..3 {
        let mut b = le32(T0 + i).to_vec();
        b.push(90);
        f.msg(2, &b);
    }
    let a = decode_ok(&f.build());
    assert_eq!(a.start_ms, Some(unix_ms(T0)));
    assert_eq!(a.end_ms, Some(unix_ms(T0) + 3_600_000));
    assert_eq!(a.sport, "cycling");
    assert_eq!(
        a.records.cadence,
        vec![90.0; 3],
        "cycling cadence stays rpm"
    );
}

fn relative_activity(extra: impl Fn(&mut Fit)) -> Activity {
    let rel: u32 = 5_000_000;
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM), (4, 4, UINT32)]);
    let mut b = vec![4];
    b.extend_from_slice(&le32(rel));
    f.msg(0, &b);
    extra(&mut f);
    f.def(1, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)]);
    for i in 0..3 {
        let mut b = le32(rel + i).to_vec();
        b.push(100);
        f.msg(1, &b);
    }
    f.def(
        2,
        18,
        false,
        &[(2, 4, UINT32), (5, 1, ENUM), (7, 4, UINT32)],
    );
    let mut s = le32(rel).to_vec();
    s.push(1);
    s.extend_from_slice(&le32(3000));
    f.msg(2, &s);
    decode_ok(&f.build())
}

#[test]
fn relative_timestamps_use_timestamp_correlation() {
    let a = relative_activity(|f| {
        f.def(3, 162, false, &[(253, 4, UINT32), (1, 4, UINT32)]);
        let mut b = le32(T0 + 10).to_vec();
        b.extend_from_slice(&le32(5_000_010));
        f.msg(3, &b);
    });
    assert!(a.start_was_relative);
    assert_eq!(a.start_ms, Some(unix_ms(T0)));
    assert_eq!(a.end_ms, Some(unix_ms(T0) + 3000));
    assert_eq!(
        a.records.time_ms,
        vec![unix_ms(T0), unix_ms(T0 + 1), unix_ms(T0 + 2)]
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("timestamp_correlation")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn relative_timestamps_without_an_anchor_are_flagged() {
    let a = relative_activity(|_| {});
    assert!(a.start_was_relative);
    assert!(
        a.warnings.iter().any(|w| w.contains("power-on")),
        "{:?}",
        a.warnings
    );
    // Kept as seconds after the FIT epoch: early 1990.
    assert_eq!(a.start_ms, Some(unix_ms(5_000_000)));
}

#[test]
fn relative_timestamps_fall_back_to_time_created() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM), (4, 4, UINT32)]);
    let mut b = vec![4];
    b.extend_from_slice(&le32(T0));
    f.msg(0, &b);
    f.def(1, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)]);
    for i in 0..2 {
        let mut b = le32(1000 + i).to_vec();
        b.push(100);
        f.msg(1, &b);
    }
    let a = decode_ok(&f.build());
    assert!(a.start_was_relative);
    assert_eq!(a.start_ms, Some(unix_ms(T0)));
    assert_eq!(a.records.time_ms, vec![unix_ms(T0), unix_ms(T0 + 1)]);
}

#[test]
fn hr_messages_fill_records_without_heart_rate() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM)]);
    f.msg(0, &[4]);
    // Records without heart rate, one per second.
    f.def(1, 20, false, &[(253, 4, UINT32), (5, 4, UINT32)]);
    for i in 0..6u32 {
        let mut b = le32(T0 + i).to_vec();
        b.extend_from_slice(&le32(i * 100));
        f.msg(1, &b);
    }
    // Anchor: timestamp T0, event clock 10240 (10 s in 1/1024 s), 60 bpm.
    f.def(
        2,
        132,
        false,
        &[
            (253, 4, UINT32),
            (0, 2, UINT16),
            (9, 4, UINT32),
            (6, 1, UINT8),
        ],
    );
    let mut b = le32(T0).to_vec();
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&le32(10_240));
    b.push(60);
    f.msg(2, &b);
    // Then 8 beats half a second apart as 12-bit rolling event times.
    let beats: Vec<u32> = (1..=8).map(|k| (10_240 + 512 * k) & 0x0FFF).collect();
    let mut packed = [0u8; 12];
    for (k, v) in beats.iter().enumerate() {
        let bit = 12 * k;
        let wide = (*v as u16) << (bit % 8);
        if let Some(p) = packed.get_mut(bit / 8) {
            *p |= wide as u8;
        }
        if let Some(p) = packed.get_mut(bit / 8 + 1) {
            *p |= (wide >> 8) as u8;
        }
    }
    f.def(3, 132, false, &[(6, 8, UINT8), (10, 12, BYTE)]);
    let mut b = vec![70, 70, 80, 80, 90, 90, 100, 100];
    b.extend_from_slice(&packed);
    f.msg(3, &b);
    let bytes = f.build();

    let raw = fit::decode_with(
        &bytes,
        &Options {
            merge_hr: false,
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(raw.records.heart_rate_bpm.iter().all(|v| v.is_nan()));
    let a = decode_ok(&bytes);
    let hr = &a.records.heart_rate_bpm;
    // Each beat is carried forward in 250 ms steps until the next, so the record at T0+1
    // averages 60 (carried to 0.25 s), 70 (0.5 s), 70 (0.75 s), 70 (1 s): 67.5, rounded 68.
    assert_eq!(hr.first(), Some(&60.0));
    assert_eq!(hr.get(1), Some(&68.0));
    assert_eq!(hr.get(2), Some(&78.0));
    assert_eq!(hr.get(3), Some(&88.0));
    assert_eq!(hr.get(4), Some(&98.0));
    // Nothing is invented after the last beat.
    assert!(hr.get(5).is_some_and(|v| v.is_nan()));
}

#[test]
fn enhanced_fields_win_and_fractional_cadence_adds() {
    let mut f = Fit::default();
    f.def(
        0,
        18,
        false,
        &[(2, 4, UINT32), (5, 1, ENUM), (7, 4, UINT32)],
    );
    let mut s = le32(T0).to_vec();
    s.push(1);
    s.extend_from_slice(&le32(10_000));
    f.msg(0, &s);
    f.def(
        1,
        20,
        false,
        &[
            (253, 4, UINT32),
            (2, 2, UINT16),
            (78, 4, UINT32),
            (6, 2, UINT16),
            (73, 4, UINT32),
            (4, 1, UINT8),
            (53, 1, UINT8),
        ],
    );
    let mut b = le32(T0).to_vec();
    b.extend_from_slice(&3000u16.to_le_bytes()); // altitude 100 m
    b.extend_from_slice(&le32(3500)); // enhanced 200 m
    b.extend_from_slice(&1000u16.to_le_bytes()); // speed 1 m/s
    b.extend_from_slice(&le32(2500)); // enhanced 2.5 m/s
    b.push(85);
    b.push(64); // + 0.5 stride/min
    f.msg(1, &b);
    let mut b = le32(T0 + 1).to_vec();
    b.extend_from_slice(&3000u16.to_le_bytes());
    b.extend_from_slice(&le32(u32::MAX)); // enhanced invalid: plain altitude stays
    b.extend_from_slice(&1000u16.to_le_bytes());
    b.extend_from_slice(&le32(u32::MAX));
    b.push(85);
    b.push(0xFF);
    f.msg(1, &b);
    let a = decode_ok(&f.build());
    let r = &a.records;
    assert_eq!(r.altitude_m, vec![200.0, 100.0]);
    assert_eq!(r.speed_mps, vec![2.5, 1.0]);
    assert_eq!(
        r.cadence,
        vec![171.0, 170.0],
        "running: 2 × (85 + 64/128) steps/min"
    );
}

#[test]
fn not_activities() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM)]);
    f.msg(0, &[5]); // workout
    assert!(matches!(fit::decode(&f.build()), Err(Error::NotActivity(w)) if w.contains("workout")));

    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM)]);
    f.msg(0, &[4]);
    assert!(
        matches!(fit::decode(&f.build()), Err(Error::NotActivity(w)) if w.contains("no sessions"))
    );

    // Header and nothing else.
    assert!(matches!(
        fit::decode(&Fit::default().build()),
        Err(Error::NotActivity(_))
    ));
}

#[test]
fn summaries_are_bounded() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM)]);
    f.msg(0, &[4]);
    f.def(1, 18, false, &[]);
    f.def(2, 19, false, &[]);
    for _ in 0..1500 {
        f.msg(1, &[]);
    }
    for _ in 0..12_000 {
        f.msg(2, &[]);
    }
    let a = decode_ok(&f.build());
    assert_eq!(a.sessions.len(), 1000);
    assert_eq!(a.laps.len(), 10_000);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("2500 session or lap messages")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn zero_data_size_decodes_to_the_end() {
    let mut bytes = simple_activity(3).build();
    for b in bytes.get_mut(4..8).into_iter().flatten() {
        *b = 0;
    }
    let header_crc = crc16(bytes.get(..12).unwrap_or_default());
    if let Some(h) = bytes.get_mut(12..14) {
        h.copy_from_slice(&header_crc.to_le_bytes());
    }
    let a = decode_ok(&bytes);
    assert_eq!(a.records.len(), 3);
    assert!(
        a.warnings.iter().any(|w| w.contains("declares no data")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn records_without_timestamps_take_the_previous_time() {
    let mut f = Fit::default();
    f.def(0, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)]);
    let mut b = le32(T0).to_vec();
    b.push(100);
    f.msg(0, &b);
    f.def(1, 20, false, &[(3, 1, UINT8)]);
    f.msg(1, &[101]);
    let a = decode_ok(&f.build());
    assert_eq!(a.records.time_ms, vec![unix_ms(T0), unix_ms(T0)]);
}

#[test]
fn strings_without_terminator_and_product_names() {
    let mut f = Fit::default();
    f.def(0, 0, false, &[(0, 1, ENUM), (1, 2, UINT16), (8, 6, STRING)]);
    let mut b = vec![4];
    b.extend_from_slice(&9999u16.to_le_bytes());
    b.extend_from_slice(b"Gizmo!");
    f.msg(0, &b);
    f.def(1, 20, false, &[(253, 4, UINT32)]);
    f.msg(1, &le32(T0));
    let a = decode_ok(&f.build());
    assert_eq!(a.device.manufacturer.as_deref(), Some("9999"));
    assert_eq!(a.device.product.as_deref(), Some("Gizmo!"));
    assert_eq!(a.sport, "unknown");
}

#[test]
fn every_prefix_of_a_real_file_decodes_or_errors() {
    let bytes = fixture("fitdecode__Activity.fit");
    for n in 0..=bytes.len() {
        let prefix = bytes.get(..n).unwrap_or_default();
        if let Ok(a) = fit::decode(prefix) {
            assert_columns_consistent(&a);
            if n < bytes.len() {
                assert!(!a.warnings.is_empty(), "prefix {n} decoded silently");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

const SMALL_FIXTURES: [&str; 6] = [
    "fitdecode__Activity.fit",
    "fitdecode__garmin-fenix-5-run.fit",
    "fitdecode__antfs-dump.63.fit",
    "fitdecode__compressed-speed-distance.fit",
    "fitdecode__DeveloperData.fit",
    "tormoder__unterminated-strings.fit",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(a) = fit::decode(&bytes) {
            assert_columns_consistent(&a);
        }
    }

    #[test]
    fn never_panics_behind_a_valid_header(body in proptest::collection::vec(any::<u8>(), 0..1024), hs in prop::sample::select(vec![12u8, 14])) {
        let mut bytes = vec![hs, 0x10, 0, 0];
        bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
        bytes.extend_from_slice(b".FIT");
        if hs == 14 {
            bytes.extend_from_slice(&[0, 0]);
        }
        bytes.extend_from_slice(&body);
        if let Ok(a) = fit::decode(&bytes) {
            assert_columns_consistent(&a);
        }
    }

    #[test]
    fn never_panics_on_damaged_real_files(
        which in 0..SMALL_FIXTURES.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let name = SMALL_FIXTURES.get(which).copied().unwrap_or("fitdecode__Activity.fit");
        let mut bytes = fixture(name);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            if let Some(b) = bytes.get_mut(i) {
                *b = value;
            }
        }
        if truncate {
            let n = cut.index(bytes.len() + 1);
            bytes.truncate(n);
        }
        if let Ok(a) = fit::decode(&bytes) {
            assert_columns_consistent(&a);
        }
    }
}

/// Issue 14, item 9: a FIT `record` can be one byte (a header and a definition with no
/// fields), so a 60 MB file held 60 million rows and took 6 GB. Records are limited like GPX
/// and TCX points: one over the limit and the file is refused, early and with the limit named.
#[test]
fn one_byte_records_are_limited_like_gpx_points() {
    let build = |records: usize| {
        let mut f = Fit::default();
        f.def(0, 0, false, &[(0, 1, ENUM)]);
        f.msg(0, &[4]);
        f.def(1, 20, false, &[]);
        for _ in 0..records {
            f.msg(1, &[]);
        }
        f.build()
    };
    let small = Options {
        max_records: 1000,
        ..Options::default()
    };
    let at_limit = fit::decode_with(&build(1000), &small).unwrap();
    assert_eq!(at_limit.records.len(), 1000);
    match fit::decode_with(&build(1001), &small) {
        Err(Error::Limit { what, .. }) => assert_eq!(what, "more than 1000 records"),
        other => panic!("expected a limit error, got {other:?}"),
    }
    // The shipped limit is the one GPX and TCX use: 2 MB of one-byte records is just over it.
    let started = std::time::Instant::now();
    match fit::decode(&build(hamstride_ingest::MAX_POINTS + 1)) {
        Err(Error::Limit { what, .. }) => assert!(what.contains("2000000"), "{what}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}
