//! The activity model: what an imported run (or ride, swim, walk) is, whatever file it came
//! from. FIT, GPX and TCX parsers in `hamstride-ingest` all produce an [`Activity`]; the store
//! keeps it; the training-load analysis reads it. Plain data, no behaviour beyond small
//! helpers, so every format can be compared field by field in tests.
//!
//! Conventions: times are UTC milliseconds since the Unix epoch; distances metres; speeds m/s;
//! running cadence in steps per minute (FIT's strides/min × 2 with the fractional part),
//! other sports in rpm. Per-record values are columns of equal length with `NaN` meaning
//! "not recorded at this instant", which keeps a long activity compact and fast to fill.

use serde::{Deserialize, Serialize};

/// Which file format an activity was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Fit,
    Gpx,
    Tcx,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Fit => "fit",
            SourceFormat::Gpx => "gpx",
            SourceFormat::Tcx => "tcx",
        }
    }
}

/// The recording device, as the file names it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// e.g. "garmin", "wahoo_fitness", or a GPX/TCX creator string.
    pub manufacturer: Option<String>,
    /// e.g. "fr935", or a numeric product id as text when the name is unknown.
    pub product: Option<String>,
}

/// One session (a multisport file has several: swim, transition, bike, run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub sport: String,
    pub sub_sport: Option<String>,
    pub start_ms: Option<i64>,
    pub total_elapsed_s: Option<f64>,
    pub total_timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_heart_rate: Option<f64>,
    pub max_heart_rate: Option<f64>,
    pub total_ascent_m: Option<f64>,
    pub total_descent_m: Option<f64>,
    pub calories: Option<f64>,
}

/// One lap (auto-lap, button lap or a TCX `<Lap>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    pub start_ms: Option<i64>,
    pub total_elapsed_s: Option<f64>,
    pub total_timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_heart_rate: Option<f64>,
    pub max_heart_rate: Option<f64>,
}

/// The per-record streams, as columns. Every column has `time_ms.len()` entries; `NaN` marks
/// a value not recorded at that instant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Records {
    pub time_ms: Vec<i64>,
    pub lat_deg: Vec<f64>,
    pub lon_deg: Vec<f64>,
    pub distance_m: Vec<f64>,
    pub speed_mps: Vec<f32>,
    pub heart_rate_bpm: Vec<f32>,
    /// Running: steps per minute. Other sports: revolutions per minute.
    pub cadence: Vec<f32>,
    pub altitude_m: Vec<f32>,
    pub power_w: Vec<f32>,
    /// Ground-contact ("stance") time, milliseconds.
    pub stance_time_ms: Vec<f32>,
    /// Left-foot share of ground-contact time, percent (50 = even).
    pub stance_balance_pct: Vec<f32>,
    pub vertical_oscillation_mm: Vec<f32>,
    pub step_length_mm: Vec<f32>,
    pub vertical_ratio_pct: Vec<f32>,
}

/// Names of the `f32` columns, in [`Records::f32_columns`] order: used by the store's codec
/// and by tests that compare formats.
pub const F32_COLUMNS: [&str; 10] = [
    "speed_mps",
    "heart_rate_bpm",
    "cadence",
    "altitude_m",
    "power_w",
    "stance_time_ms",
    "stance_balance_pct",
    "vertical_oscillation_mm",
    "step_length_mm",
    "vertical_ratio_pct",
];

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.time_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_ms.is_empty()
    }

    /// Reserve room for `n` more records in every column.
    pub fn reserve(&mut self, n: usize) {
        self.time_ms.reserve(n);
        self.lat_deg.reserve(n);
        self.lon_deg.reserve(n);
        self.distance_m.reserve(n);
        for c in self.f32_columns_mut() {
            c.reserve(n);
        }
    }

    /// Append one record with every value missing; the caller then fills what it has.
    /// Returns the index of the new record.
    pub fn push_empty(&mut self, time_ms: i64) -> usize {
        self.time_ms.push(time_ms);
        self.lat_deg.push(f64::NAN);
        self.lon_deg.push(f64::NAN);
        self.distance_m.push(f64::NAN);
        for c in self.f32_columns_mut() {
            c.push(f32::NAN);
        }
        self.time_ms.len() - 1
    }

    /// The `f32` columns in [`F32_COLUMNS`] order.
    pub fn f32_columns(&self) -> [&Vec<f32>; 10] {
        [
            &self.speed_mps,
            &self.heart_rate_bpm,
            &self.cadence,
            &self.altitude_m,
            &self.power_w,
            &self.stance_time_ms,
            &self.stance_balance_pct,
            &self.vertical_oscillation_mm,
            &self.step_length_mm,
            &self.vertical_ratio_pct,
        ]
    }

    /// The `f32` columns in [`F32_COLUMNS`] order, mutable.
    pub fn f32_columns_mut(&mut self) -> [&mut Vec<f32>; 10] {
        [
            &mut self.speed_mps,
            &mut self.heart_rate_bpm,
            &mut self.cadence,
            &mut self.altitude_m,
            &mut self.power_w,
            &mut self.stance_time_ms,
            &mut self.stance_balance_pct,
            &mut self.vertical_oscillation_mm,
            &mut self.step_length_mm,
            &mut self.vertical_ratio_pct,
        ]
    }

    /// Mean of the recorded (non-NaN) values of a column, with how many there were.
    pub fn mean<T: Copy + Into<f64>>(column: &[T]) -> Option<(f64, usize)> {
        let mut sum = 0.0;
        let mut n = 0usize;
        for &v in column {
            let v: f64 = v.into();
            if !v.is_nan() {
                sum += v;
                n += 1;
            }
        }
        (n > 0).then(|| (sum / n as f64, n))
    }
}

/// One decoded activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The sport in the one vocabulary of `kb/sports.toml` ("running", "cycling", "walking",
    /// … , "other" for a label it does not know, "unknown" when the file does not say).
    pub sport: String,
    /// The kind of that sport in the same vocabulary ("trail", "treadmill", "mountain" …).
    pub sub_sport: Option<String>,
    /// The sport as the file (or Strava's index) wrote it, when it wrote one: "Course à
    /// pied", "TrailRun", FIT's "running/street". Kept because the vocabulary reads many
    /// labels as one sport, and an unknown label as "other".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport_label: Option<String>,
    pub device: Device,
    /// Start, UTC ms. From the first session's start time, else the first record, else the
    /// file's creation time.
    pub start_ms: Option<i64>,
    /// End, UTC ms: start + total elapsed time (never the position of the summary message).
    pub end_ms: Option<i64>,
    /// True when the file's own start was relative to device power-on and a fallback was used.
    pub start_was_relative: bool,
    /// Activity name (GPX/TCX `<name>`, Strava's CSV), when known.
    pub name: Option<String>,
    pub sessions: Vec<Session>,
    pub laps: Vec<Lap>,
    pub records: Records,
    /// What the decoder skipped or repaired: a code a program can act on and the technical
    /// detail (bad CRC, truncated at byte N, unknown message …). Never contains health values.
    pub warnings: Warnings,
}

impl Activity {
    /// Total distance: sum of sessions, else the last recorded distance.
    pub fn distance_m(&self) -> Option<f64> {
        let s: Vec<f64> = self.sessions.iter().filter_map(|s| s.distance_m).collect();
        if !s.is_empty() {
            return Some(s.iter().sum());
        }
        self.records
            .distance_m
            .iter()
            .rev()
            .find(|d| !d.is_nan())
            .copied()
    }

    /// Total timer (moving) time: sum of sessions, else None.
    pub fn timer_s(&self) -> Option<f64> {
        let s: Vec<f64> = self
            .sessions
            .iter()
            .filter_map(|s| s.total_timer_s)
            .collect();
        (!s.is_empty()).then(|| s.iter().sum())
    }

    /// Total elapsed time: sum of sessions, else end − start of the records.
    pub fn elapsed_s(&self) -> Option<f64> {
        let s: Vec<f64> = self
            .sessions
            .iter()
            .filter_map(|s| s.total_elapsed_s)
            .collect();
        if !s.is_empty() {
            return Some(s.iter().sum());
        }
        match (self.records.time_ms.first(), self.records.time_ms.last()) {
            (Some(a), Some(b)) if b >= a => Some((b - a) as f64 / 1000.0),
            _ => None,
        }
    }
}

/// What kind of repair a warning reports: stable codes, each with a plain sentence in
/// `kb/import.toml` (`[warning]`), so programs read the code and people the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The file stops part-way; what came before was kept.
    Truncated,
    /// Part of the file is damaged (a checksum, stray bytes); what could be read was kept.
    Damaged,
    /// Readings that cannot be real were left out.
    LeftOut,
    /// Missing or relative times were worked out.
    TimesFixed,
    /// Points out of time order were put back in order.
    Reordered,
    /// Another activity of the file was skipped as impossible.
    ActivityLeftOut,
    /// The file holds several outings, each imported as its own activity.
    Split,
    /// Anything else repaired: also what a plain text warning becomes.
    Repaired,
}

impl WarningCode {
    /// Every code, for checks that each has its sentence.
    pub const ALL: [WarningCode; 8] = [
        WarningCode::Truncated,
        WarningCode::Damaged,
        WarningCode::LeftOut,
        WarningCode::TimesFixed,
        WarningCode::Reordered,
        WarningCode::ActivityLeftOut,
        WarningCode::Split,
        WarningCode::Repaired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::Truncated => "truncated",
            WarningCode::Damaged => "damaged",
            WarningCode::LeftOut => "left_out",
            WarningCode::TimesFixed => "times_fixed",
            WarningCode::Reordered => "reordered",
            WarningCode::ActivityLeftOut => "activity_left_out",
            WarningCode::Split => "split",
            WarningCode::Repaired => "repaired",
        }
    }
}

/// One thing a decoder repaired or left out: its code, and the technical detail (offsets,
/// message numbers, counts) for `--verbose` and scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub detail: String,
}

impl Warning {
    pub fn new(code: WarningCode, detail: impl Into<String>) -> Warning {
        Warning {
            code,
            detail: detail.into(),
        }
    }
}

/// A plain text warning is a generic repair: code written before warnings had codes (and
/// warnings stored then) keeps working, with the text as its detail.
impl From<String> for Warning {
    fn from(detail: String) -> Warning {
        Warning::new(WarningCode::Repaired, detail)
    }
}

impl From<&str> for Warning {
    fn from(detail: &str) -> Warning {
        Warning::new(WarningCode::Repaired, detail)
    }
}

/// A warning reads as its detail, so code that searched warnings as text (`w.contains(..)`)
/// still does.
impl std::ops::Deref for Warning {
    type Target = str;
    fn deref(&self) -> &str {
        &self.detail
    }
}

/// Shown as its detail, as it was when warnings were text.
impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// Stored warnings are either `{code, detail}` or, from before codes, a plain string.
impl<'de> Deserialize<'de> for Warning {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Warning, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Coded { code: WarningCode, detail: String },
            Text(String),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Coded { code, detail } => Warning { code, detail },
            Stored::Text(t) => Warning::from(t),
        })
    }
}

/// An activity's warnings. `push` and `extend` take anything that becomes a [`Warning`], a
/// plain `String` included, so a decoder can add a coded warning or a text one alike.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Warnings(Vec<Warning>);

impl Warnings {
    pub fn new() -> Warnings {
        Warnings(Vec::new())
    }

    pub fn push(&mut self, w: impl Into<Warning>) {
        self.0.push(w.into());
    }

    pub fn extend<W: Into<Warning>>(&mut self, ws: impl IntoIterator<Item = W>) {
        self.0.extend(ws.into_iter().map(Into::into));
    }

    /// Put `ws` before the warnings already here (file-level warnings go first).
    pub fn prepend(&mut self, ws: &[Warning]) {
        self.0.splice(0..0, ws.iter().cloned());
    }

    pub fn into_vec(self) -> Vec<Warning> {
        self.0
    }
}

impl std::ops::Deref for Warnings {
    type Target = [Warning];
    fn deref(&self) -> &[Warning] {
        &self.0
    }
}

impl<W: Into<Warning>> FromIterator<W> for Warnings {
    fn from_iter<I: IntoIterator<Item = W>>(iter: I) -> Warnings {
        Warnings(iter.into_iter().map(Into::into).collect())
    }
}

impl<W: Into<Warning>> From<Vec<W>> for Warnings {
    fn from(v: Vec<W>) -> Warnings {
        v.into_iter().collect()
    }
}

impl IntoIterator for Warnings {
    type Item = Warning;
    type IntoIter = std::vec::IntoIter<Warning>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Warnings {
    type Item = &'a Warning;
    type IntoIter = std::slice::Iter<'a, Warning>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn text_warnings_still_push_and_old_stored_ones_still_read() {
        let mut w = Warnings::new();
        w.push(format!("{} things", 3));
        w.push(Warning::new(WarningCode::Damaged, "file CRC mismatch"));
        assert_eq!(w[0].code, WarningCode::Repaired);
        assert!(w[1].contains("CRC"));
        let json = serde_json::to_string(&w).unwrap_or_default();
        assert!(json.contains(r#""code":"damaged""#), "{json}");
        let old: Warnings = serde_json::from_str(r#"["bad CRC"]"#).unwrap_or_default();
        assert_eq!(old[0], Warning::new(WarningCode::Repaired, "bad CRC"));
        let back: Warnings = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, w);
    }
}
