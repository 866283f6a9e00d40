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
    /// Normalised sport, FIT vocabulary: "running", "cycling", "swimming", "walking",
    /// "hiking", "training", "generic", … ; "unknown" when the file does not say.
    pub sport: String,
    pub sub_sport: Option<String>,
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
    /// What the decoder skipped or repaired, in words a person can act on (bad CRC, truncated
    /// at byte N, unknown message …). Never contains health values.
    pub warnings: Vec<String>,
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

/// Map a free-text sport label (GPX `<type>`, TCX `Sport=`, Strava "Activity Type") to the
/// FIT vocabulary used in [`Activity::sport`]. Strava GPX writes numbers: 9 run, 1 ride.
pub fn normalise_sport(label: &str) -> String {
    let l = label.trim().to_ascii_lowercase();
    let s = match l.as_str() {
        "9" | "run" | "running" | "trail_running" | "trail run" | "trailrun" | "virtualrun"
        | "virtual run" | "treadmill" | "street_running" => "running",
        "1" | "17" | "ride" | "biking" | "cycling" | "road_biking" | "mountain_biking"
        | "virtualride" | "virtual ride" | "ebikeride" | "gravel_cycling" | "bike" => "cycling",
        "16" | "swim" | "swimming" | "open_water_swimming" | "lap_swimming" => "swimming",
        "walk" | "walking" => "walking",
        "hike" | "hiking" => "hiking",
        "workout" | "training" | "weighttraining" | "weight training" => "training",
        "rowing" | "row" | "indoor_rowing" => "rowing",
        "" => "unknown",
        "other" | "generic" => "generic",
        other => other,
    };
    s.to_string()
}
