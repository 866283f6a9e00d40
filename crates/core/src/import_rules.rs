//! The import's judgements as data (`kb/import.toml`): when the tracks of one file are
//! separate activities, and what is possible (earliest date, longest duration, top speeds,
//! heart-rate and cadence ranges, per sport). Parsed and checked here, so the decoders (`hamstride-ingest`) and
//! `hamstride kb check` read the same numbers; pure, like the rest of the core.

use serde::Deserialize;

use crate::Error;

/// The file shipped in the binary.
pub const EMBEDDED: &str = include_str!("../../../kb/import.toml");

/// The name `kb check` and error messages use.
pub const FILE_NAME: &str = "import.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRules {
    pub tracks: Tracks,
    pub times: Times,
    pub sport: Vec<SportLimits>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Times {
    /// `YYYY-MM-DD`: an activity starting before this day (UTC) is skipped.
    pub earliest: String,
    pub why: String,
}

/// What is possible in one sport (`sport = "default"`: any other).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SportLimits {
    pub sport: String,
    pub longest_h: f64,
    pub top_speed_mps: f64,
    pub top_avg_speed_mps: f64,
    pub heart_rate_bpm: [f64; 2],
    pub cadence: [f64; 2],
    pub why: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracks {
    /// Tracks or segments further apart than this (seconds) are separate activities.
    pub split_gap_s: f64,
    /// Why, in words a physio can check.
    pub why: String,
}

impl ImportRules {
    /// Parse and check a `kb/import.toml` text.
    pub fn from_toml(text: &str) -> Result<ImportRules, Error> {
        let rules: ImportRules =
            toml::from_str(text).map_err(|e| Error::kb(FILE_NAME, "", e.message()))?;
        let gap = rules.tracks.split_gap_s;
        if !(gap.is_finite() && (60.0..=7.0 * 86_400.0).contains(&gap)) {
            return Err(Error::kb(
                FILE_NAME,
                "tracks.split_gap_s",
                format!("{gap} is not between a minute and a week"),
            ));
        }
        if rules.tracks.why.trim().is_empty() {
            return Err(Error::kb(FILE_NAME, "tracks.why", "say why"));
        }
        if rules.earliest_ms().is_none() {
            return Err(Error::kb(
                FILE_NAME,
                "times.earliest",
                "not a YYYY-MM-DD date",
            ));
        }
        if !rules.sport.iter().any(|s| s.sport == "default") {
            return Err(Error::kb(FILE_NAME, "sport", "no sport = \"default\""));
        }
        for s in &rules.sport {
            let positive = [s.longest_h, s.top_speed_mps, s.top_avg_speed_mps]
                .iter()
                .all(|v| v.is_finite() && *v > 0.0);
            let ranges = [s.heart_rate_bpm, s.cadence]
                .iter()
                .all(|[lo, hi]| lo.is_finite() && hi.is_finite() && lo < hi);
            if !positive || !ranges || s.top_avg_speed_mps > s.top_speed_mps {
                return Err(Error::kb(
                    FILE_NAME,
                    &s.sport,
                    "limits must be positive, ranges low to high, the average no faster than the top",
                ));
            }
            if s.why.trim().is_empty() {
                return Err(Error::kb(FILE_NAME, &s.sport, "say why"));
            }
        }
        Ok(rules)
    }

    /// The earliest believable start, in UTC milliseconds.
    pub fn earliest_ms(&self) -> Option<i64> {
        let d: jiff::civil::Date = self.times.earliest.parse().ok()?;
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_millisecond())
    }

    /// The limits of `sport`, or the default's.
    pub fn limits(&self, sport: &str) -> Option<&SportLimits> {
        self.sport
            .iter()
            .find(|s| s.sport == sport)
            .or_else(|| self.sport.iter().find(|s| s.sport == "default"))
    }

    /// The rules shipped in the binary.
    pub fn embedded() -> Result<ImportRules, Error> {
        ImportRules::from_toml(EMBEDDED)
    }

    /// The split gap in milliseconds.
    pub fn split_gap_ms(&self) -> i64 {
        (self.tracks.split_gap_s * 1000.0) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_load_and_bad_ones_are_refused() {
        assert!(ImportRules::embedded().is_ok());
        let bad = EMBEDDED.replace("split_gap_s = 7200", "split_gap_s = -1");
        assert!(ImportRules::from_toml(&bad).is_err());
        let unknown = format!("{EMBEDDED}\n[other]\nx = 1\n");
        assert!(ImportRules::from_toml(&unknown).is_err());
    }
}
