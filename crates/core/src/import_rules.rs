//! The import's judgements as data (`kb/import.toml`): when the tracks of one file are
//! separate activities, what is possible (earliest date, longest duration, top speeds,
//! heart-rate and cadence ranges, per sport), and the plain sentence for each reason a file is
//! skipped or repaired. Parsed and checked here, so the decoders (`hamstride-ingest`), the
//! import's report and `hamstride kb check` read the same numbers and words; pure, like the
//! rest of the core.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::activity::WarningCode;
use crate::sports::Sports;
use crate::Error;

/// Words of file formats and programs that a runner's sentence must not use: the detail of a
/// reason may say "CRC mismatch at byte 7471", the sentence never does.
pub const JARGON: [&str; 12] = [
    "crc",
    "checksum",
    "byte",
    "offset",
    "message type",
    "definition",
    "local message",
    "segment",
    "gzip",
    "limit exceeded",
    "decode",
    "parse",
];

/// Why a file was not imported: stable codes, each with a plain sentence in `kb/import.toml`
/// (`[skipped]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipCode {
    /// Not watch data (a photo in an export): nothing failed.
    OtherFile,
    /// The path does not exist.
    Missing,
    /// The file could not be opened or read.
    Unreadable,
    /// Not FIT, GPX or TCX.
    UnknownFormat,
    /// A watch file too damaged to give anything.
    Damaged,
    /// A watch file without an activity (a route, a course, settings).
    NoActivity,
    /// Its times or distances cannot be real.
    Impossible,
    /// Over a safety limit (size, entries, nesting, compression).
    TooLarge,
    /// Locked with a password (a member of a zip).
    Locked,
}

impl SkipCode {
    /// Every code, for checks that each has its sentence.
    pub const ALL: [SkipCode; 9] = [
        SkipCode::OtherFile,
        SkipCode::Missing,
        SkipCode::Unreadable,
        SkipCode::UnknownFormat,
        SkipCode::Damaged,
        SkipCode::NoActivity,
        SkipCode::Impossible,
        SkipCode::TooLarge,
        SkipCode::Locked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SkipCode::OtherFile => "other_file",
            SkipCode::Missing => "missing",
            SkipCode::Unreadable => "unreadable",
            SkipCode::UnknownFormat => "unknown_format",
            SkipCode::Damaged => "damaged",
            SkipCode::NoActivity => "no_activity",
            SkipCode::Impossible => "impossible",
            SkipCode::TooLarge => "too_large",
            SkipCode::Locked => "locked",
        }
    }

    /// True when something failed (the file could not be read or cannot be real), false when
    /// the file is simply not watch data: what the import's exit code reports.
    pub fn is_failure(self) -> bool {
        self != SkipCode::OtherFile
    }
}

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
    /// Code → the sentence a runner reads when a file is skipped.
    skipped: BTreeMap<String, String>,
    /// Code → the sentence a runner reads when a file was repaired.
    warning: BTreeMap<String, String>,
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
        let skip_codes: Vec<&str> = SkipCode::ALL.iter().map(|c| c.as_str()).collect();
        check_sentences("skipped", &rules.skipped, &skip_codes)?;
        let warning_codes: Vec<&str> = WarningCode::ALL.iter().map(|c| c.as_str()).collect();
        check_sentences("warning", &rules.warning, &warning_codes)?;
        Ok(rules)
    }

    /// Parse and check `kb/import.toml` with the sports vocabulary it names: every sport with
    /// limits must be one of `kb/sports.toml`'s, so a renamed sport cannot silently fall back
    /// to the default limits.
    pub fn from_toml_with(text: &str, sports: &Sports) -> Result<ImportRules, Error> {
        let rules = ImportRules::from_toml(text)?;
        for s in &rules.sport {
            if s.sport != "default" && !sports.is_sport(&s.sport) {
                return Err(Error::kb(
                    FILE_NAME,
                    &s.sport,
                    format!("not a sport of {}", crate::sports::FILE_NAME),
                ));
            }
        }
        Ok(rules)
    }

    /// The sentence a runner reads for a skipped file.
    pub fn skip_text(&self, code: SkipCode) -> &str {
        self.skipped
            .get(code.as_str())
            .map_or(code.as_str(), String::as_str)
    }

    /// The sentence a runner reads for a repaired file.
    pub fn warning_text(&self, code: WarningCode) -> &str {
        self.warning
            .get(code.as_str())
            .map_or(code.as_str(), String::as_str)
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

    /// The rules shipped in the binary, checked against the shipped sports.
    pub fn embedded() -> Result<ImportRules, Error> {
        ImportRules::from_toml_with(EMBEDDED, &Sports::embedded()?)
    }

    /// The split gap in milliseconds.
    pub fn split_gap_ms(&self) -> i64 {
        (self.tracks.split_gap_s * 1000.0) as i64
    }
}

/// Every code has one sentence, every sentence a code, and none uses the words of file
/// formats ([`JARGON`]).
fn check_sentences(
    table: &str,
    sentences: &BTreeMap<String, String>,
    codes: &[&str],
) -> Result<(), Error> {
    for code in codes {
        if !sentences.contains_key(*code) {
            return Err(Error::kb(
                FILE_NAME,
                &format!("{table}.{code}"),
                "no sentence for this code",
            ));
        }
    }
    for (code, text) in sentences {
        let id = format!("{table}.{code}");
        if !codes.contains(&code.as_str()) {
            return Err(Error::kb(FILE_NAME, &id, "not a code hamstride gives"));
        }
        let lower = text.to_lowercase();
        if let Some(word) = JARGON.iter().find(|j| lower.contains(**j)) {
            return Err(Error::kb(
                FILE_NAME,
                &id,
                format!("say it in plain words, without \"{word}\""),
            ));
        }
        if text.trim().is_empty() {
            return Err(Error::kb(FILE_NAME, &id, "empty sentence"));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
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

    #[test]
    fn every_reason_has_a_plain_sentence_and_jargon_is_refused() {
        let rules = ImportRules::embedded().unwrap_or_else(|e| panic!("{e}"));
        for code in SkipCode::ALL {
            assert_ne!(rules.skip_text(code), code.as_str());
        }
        for code in WarningCode::ALL {
            assert_ne!(rules.warning_text(code), code.as_str());
        }
        let jargon = EMBEDDED.replace(
            "the file is damaged and nothing in it could be read",
            "bad CRC at byte 12",
        );
        let err = ImportRules::from_toml(&jargon)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("plain words"), "{err}");
        let missing = EMBEDDED.replace("missing = \"there is no such file or folder\"\n", "");
        assert!(ImportRules::from_toml(&missing).is_err());
    }

    #[test]
    fn limits_must_name_sports_of_the_vocabulary() {
        let sports = Sports::embedded().unwrap_or_else(|e| panic!("{e}"));
        let renamed = EMBEDDED.replace("sport = \"walking\"", "sport = \"walkin\"");
        assert!(ImportRules::from_toml(&renamed).is_ok());
        assert!(ImportRules::from_toml_with(&renamed, &sports).is_err());
    }
}
