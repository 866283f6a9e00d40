//! The table behind the assessment's pre-fill from data (`kb/prefill.toml`): which answers to
//! the training-change question the runner's runs may give, by which test and thresholds. This
//! file loads and checks the table; `training::data_findings` applies it. Clinical numbers
//! live in the file, next to their sources, so a physio can review them without reading Rust.
//!
//! Every problem is a knowledge-base error naming `prefill.toml` and the entry (the answer
//! value), found at start-up and by `hamstride kb check`, never at the runner's first
//! assessment.

use std::collections::BTreeSet;

use hamstride_analytics::signals::{id_name, SignalId, Signals};
use hamstride_core::Kb;
use serde::Deserialize;

use crate::Error;

/// The shipped table.
pub const EMBEDDED: &str = include_str!("../../../kb/prefill.toml");

/// The file name, in messages and for `kb check --dir`.
pub const FILE: &str = "prefill.toml";

/// The finding whose values the table decides.
pub const FIELD: &str = "recent_training_change";

/// The checked table.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefill {
    /// Days in the recent window (a whole number of weeks).
    pub window_days: i64,
    /// The tests, in the order their reasons are shown.
    pub changes: Vec<Change>,
}

/// One answer the data may give.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The value of `recent_training_change`.
    pub value: String,
    /// The start of the reason shown ("more kilometres per week: …").
    pub label: String,
    pub test: Test,
}

/// How a change is seen in the data (see the comments in `kb/prefill.toml`).
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    DistanceRatio { ratio: f64 },
    Flags { signals: Vec<SignalId> },
    DescentRatio { min_m: f64, ratio: f64 },
    Gap { min_days: i64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    window_days: i64,
    change: Vec<RawChange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    value: String,
    label: String,
    test: String,
    ratio: Option<f64>,
    min_m: Option<f64>,
    min_days: Option<i64>,
    signals: Option<Vec<String>>,
    #[serde(default)]
    sources: Vec<String>,
    reason: Option<String>,
}

fn err(id: &str, problem: impl std::fmt::Display) -> Error {
    Error::Kb(hamstride_core::Error::kb(FILE, id, problem))
}

impl Prefill {
    /// The shipped table, checked against the shipped knowledge base and signals.
    pub fn embedded(kb: &Kb, signals: &Signals) -> Result<Prefill, Error> {
        Prefill::parse(EMBEDDED, kb, signals)
    }

    /// Parse and check a table: values of the question, signals that can flag, sources that
    /// exist, thresholds in range, and only the parameters each test reads.
    pub fn parse(text: &str, kb: &Kb, signals: &Signals) -> Result<Prefill, Error> {
        let raw: RawFile = toml::from_str(text).map_err(|e| err("", e))?;
        if !(7..=182).contains(&raw.window_days) || raw.window_days % 7 != 0 {
            return Err(err(
                "window_days",
                format!(
                    "{} is not a whole number of weeks between 1 and 26",
                    raw.window_days
                ),
            ));
        }
        let field = kb
            .schema
            .index(FIELD)
            .and_then(|i| kb.schema.fields.get(i))
            .ok_or_else(|| err("", format!("findings.toml has no `{FIELD}` question")))?;
        let mut seen = BTreeSet::new();
        let mut changes = Vec::with_capacity(raw.change.len());
        for c in raw.change {
            let id = c.value.as_str();
            if field.value_index(id).is_err() {
                return Err(err(
                    id,
                    format!("not a value of `{FIELD}` in findings.toml"),
                ));
            }
            if !seen.insert(c.value.clone()) {
                return Err(err(id, "listed twice"));
            }
            if c.label.trim().is_empty() {
                return Err(err(id, "`label` is empty"));
            }
            for s in &c.sources {
                if kb.source(s).is_none() {
                    return Err(err(id, format!("cites unknown source `{s}`")));
                }
            }
            if c.sources.is_empty() && c.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(err(
                    id,
                    "needs `sources` from sources.toml, or a `reason` saying why there is none",
                ));
            }
            let test = compile(&c, signals)?;
            changes.push(Change {
                value: c.value,
                label: c.label,
                test,
            });
        }
        Ok(Prefill {
            window_days: raw.window_days,
            changes,
        })
    }

    /// The window in weeks, for "the last 4 weeks" and the weekly mean.
    pub fn window_weeks(&self) -> i64 {
        self.window_days / 7
    }
}

/// One entry's test, with the parameters it reads present and in range and no others given.
fn compile(c: &RawChange, signals: &Signals) -> Result<Test, Error> {
    let id = c.value.as_str();
    let given = [
        ("ratio", c.ratio.is_some()),
        ("min_m", c.min_m.is_some()),
        ("min_days", c.min_days.is_some()),
        ("signals", c.signals.is_some()),
    ];
    let reads: &[&str] = match c.test.as_str() {
        "distance_ratio" => &["ratio"],
        "flags" => &["signals"],
        "descent_ratio" => &["min_m", "ratio"],
        "gap" => &["min_days"],
        other => {
            return Err(err(
                id,
                format!("unknown test '{other}' (distance_ratio, flags, descent_ratio or gap)"),
            ))
        }
    };
    for (name, present) in given {
        if present != reads.contains(&name) {
            let problem = if present {
                format!("test '{}' does not read `{name}`", c.test)
            } else {
                format!("test '{}' needs `{name}`", c.test)
            };
            return Err(err(id, problem));
        }
    }
    // A ratio of 1 or less would call a steady or falling load a change.
    let ratio = |r: Option<f64>| match r {
        Some(r) if r.is_finite() && r > 1.0 && r <= 10.0 => Ok(r),
        r => Err(err(
            id,
            format!("`ratio` {r:?} is not above 1 and at most 10"),
        )),
    };
    Ok(match c.test.as_str() {
        "distance_ratio" => Test::DistanceRatio {
            ratio: ratio(c.ratio)?,
        },
        "descent_ratio" => Test::DescentRatio {
            min_m: match c.min_m {
                Some(m) if m.is_finite() && m >= 0.0 => m,
                m => return Err(err(id, format!("`min_m` {m:?} is not a height in metres"))),
            },
            ratio: ratio(c.ratio)?,
        },
        "gap" => Test::Gap {
            min_days: match c.min_days {
                Some(d) if (1..=365).contains(&d) => d,
                d => return Err(err(id, format!("`min_days` {d:?} is not 1 to 365"))),
            },
        },
        _ => {
            let names = c.signals.as_deref().unwrap_or_default();
            if names.is_empty() {
                return Err(err(id, "`signals` is empty"));
            }
            let mut ids = Vec::with_capacity(names.len());
            for name in names {
                let Some(sid) = SignalId::ALL.into_iter().find(|&s| id_name(s) == name) else {
                    return Err(err(id, format!("unknown signal '{name}' (signals.toml)")));
                };
                // Flags come only from alerting signals: this test could never fire.
                if !signals.get(sid).alert {
                    return Err(err(
                        id,
                        format!("signal '{name}' never raises a flag (alert = false)"),
                    ));
                }
                ids.push(sid);
            }
            Test::Flags { signals: ids }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Prefill, Error> {
        let kb = Kb::embedded().unwrap();
        let signals = Signals::embedded().unwrap();
        Prefill::parse(text, &kb, &signals)
    }

    #[test]
    fn the_shipped_table_loads() {
        let p = load(EMBEDDED).unwrap();
        assert_eq!(p.window_days, 28);
        assert_eq!(p.changes.len(), 6);
    }

    #[test]
    fn bad_tables_name_the_file_and_entry() {
        // (text to find, its replacement, what the error must say)
        let cases = [
            (
                "window_days = 28",
                "window_days = 30",
                "[window_days]: 30 is not a whole number of weeks",
            ),
            (
                "value = \"mileage_increase\"",
                "value = \"speed\"",
                "[speed]: not a value of",
            ),
            (
                "ratio = 1.2",
                "ratio = 0.9",
                "[mileage_increase]: `ratio` Some(0.9) is not above 1",
            ),
            (
                "signals = [\"long_run_spike\"]",
                "signals = [\"long_run\"]",
                "[long_run_increase]: unknown signal 'long_run'",
            ),
            (
                "signals = [\"hills_reintroduced\"]",
                "signals = [\"acwr\"]",
                "[new_hills]: signal 'acwr' never raises a flag",
            ),
            (
                "sources = [\"ref127\", \"brief-6\"]",
                "sources = [\"ref99999\"]",
                "[long_run_increase]: cites unknown source `ref99999`",
            ),
            (
                "min_days = 14",
                "min_days = 0",
                "[return_after_break]: `min_days` Some(0) is not 1 to 365",
            ),
            (
                "test = \"gap\"",
                "test = \"gaps\"",
                "[return_after_break]: unknown test 'gaps'",
            ),
            (
                "min_m = 300.0",
                "min_m = 300.0\nmin_days = 3",
                "[downhill_running]: test 'descent_ratio' does not read `min_days`",
            ),
            (
                "test = \"descent_ratio\"\nmin_m = 300.0",
                "test = \"descent_ratio\"",
                "[downhill_running]: test 'descent_ratio' needs `min_m`",
            ),
            (
                "reason = \"Two weeks",
                "# reason = \"Two weeks",
                "[return_after_break]: needs `sources`",
            ),
            (
                "value = \"new_hills\"",
                "value = \"new_speed_work\"",
                "[new_speed_work]: listed twice",
            ),
            (
                "reason = \"No study",
                "why = \"No study",
                "unknown field `why`",
            ),
        ];
        for (find, replace, want) in cases {
            assert!(EMBEDDED.contains(find), "{find}");
            let text = EMBEDDED.replacen(find, replace, 1);
            let e = load(&text).unwrap_err().to_string();
            assert!(
                e.contains("prefill.toml") && e.contains(want),
                "{find}: {e}"
            );
        }
    }
}
