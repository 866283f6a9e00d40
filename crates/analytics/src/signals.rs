//! The running-data signals as data: `kb/signals.toml` (embedded), with each signal's label,
//! evidence grade, sources, plain-words meaning, whether it may raise a flag, and the
//! thresholds the arithmetic uses; and the analysis's other windows, floors and factors
//! (`[constants.*]`, each with a source id or a one-line reason; `[constants.metrics]` are
//! the per-activity summary's, [`MetricsConstants`]). Loading checks that every number the
//! code reads is present and positive (and whole where it counts something), so the analysis
//! itself never meets a missing number. Whether the
//! cited sources exist is checked against the main knowledge base by the service's KB check.

use crate::metrics::MetricsConstants;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The signal file shipped in the binary.
pub const EMBEDDED: &str = include_str!("../../../kb/signals.toml");

/// Every signal the analysis knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalId {
    LongRunSpike,
    WeeklyDistanceChange,
    SpeedReintroduced,
    HighSpeedWeek,
    HillsReintroduced,
    HighSpeedThreshold,
    Monotony,
    Acwr,
    FormDrift,
    PainLink,
}

impl SignalId {
    pub const ALL: [SignalId; 10] = [
        SignalId::LongRunSpike,
        SignalId::WeeklyDistanceChange,
        SignalId::SpeedReintroduced,
        SignalId::HighSpeedWeek,
        SignalId::HillsReintroduced,
        SignalId::HighSpeedThreshold,
        SignalId::Monotony,
        SignalId::Acwr,
        SignalId::FormDrift,
        SignalId::PainLink,
    ];
}

/// One signal's description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub id: SignalId,
    pub label: String,
    /// Evidence grade from the brief (A–D, or "contested").
    pub grade: String,
    /// False: display only, never a flag.
    pub alert: bool,
    pub sources: Vec<String>,
    pub meaning: String,
    /// The numeric thresholds, by name.
    #[serde(flatten)]
    pub params: BTreeMap<String, f64>,
}

/// The thresholds the arithmetic uses, read from the signal file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    pub spike_warn: f64,
    pub spike_strong: f64,
    pub weekly_warn: f64,
    pub weekly_min_km: f64,
    pub speed_days_without: f64,
    pub speed_min_seconds: f64,
    pub hs_week_ratio: f64,
    pub hs_week_min_weeks: f64,
    pub hills_days_without: f64,
    pub hills_min_ascent_per_km: f64,
    pub hills_min_steep_minutes: f64,
    pub hs_fraction: f64,
    pub hs_window_days: f64,
    pub hs_min_runs: f64,
    pub hs_above_usual: f64,
    pub acwr_acute_days: f64,
    pub acwr_chronic_days: f64,
    pub acwr_min_chronic_activities: f64,
    pub form_baseline_days: f64,
    pub form_recent_days: f64,
    pub form_min_baseline_runs: f64,
    pub form_min_recent_runs: f64,
    pub form_min_cadence_spm: f64,
    pub form_min_step_length_pct: f64,
    pub form_min_ground_contact_ms: f64,
    pub form_min_vertical_oscillation_mm: f64,
    pub form_min_balance_pct: f64,
    pub pain_min_days: f64,
    // `[constants.series]`
    pub basis_days: f64,
    pub basis_share_pct: f64,
    pub hr_max_min_seconds: f64,
    pub default_hr_rest: f64,
    pub min_hr_reserve: f64,
    pub spike_window_days: f64,
    pub hs_week_lookback_weeks: f64,
    pub hill_min_distance_m: f64,
    // `[constants.form]`
    pub form_min_band_runs: f64,
    // `[constants.adherence]`
    pub easy_window_days: f64,
    pub easy_min_duration_s: f64,
    pub easy_min_runs: f64,
    pub ceiling_factor: f64,
    pub longer_factor: f64,
    pub shorter_factor: f64,
    pub walk_slack_s: f64,
    pub run_mps: f64,
    pub stride_allowance_s: f64,
    pub fast_tolerance_s: f64,
    pub hilly_ascent_per_km: f64,
    pub hilly_steep_s: f64,
    // `[constants.pain]`
    pub pain_max_lag_days: f64,
    pub pain_min_rho: f64,
    pub pain_max_links_shown: f64,
    pub pain_trend_week_days: f64,
    pub pain_morning_steady_points: f64,
    pub pain_sitting_steady_min: f64,
}

/// One constant of `[constants.*]`: its value and why it is what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constant {
    pub value: f64,
    /// A source id in `sources.toml`.
    #[serde(default)]
    pub source: Option<String>,
    /// Or a one-line reason.
    #[serde(default)]
    pub why: Option<String>,
}

/// The loaded signal table.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub signals: Vec<Signal>,
    /// `[constants.<group>]`: group → name → constant.
    pub constants: BTreeMap<String, BTreeMap<String, Constant>>,
    pub t: Thresholds,
    /// `[constants.metrics]`: what the per-activity summary is computed with.
    pub metrics: MetricsConstants,
}

#[derive(Deserialize)]
struct File {
    signal: Vec<Signal>,
    #[serde(default)]
    constants: BTreeMap<String, BTreeMap<String, Constant>>,
}

impl Signals {
    /// The embedded table. It is checked by tests, so failing here means a broken build.
    pub fn embedded() -> Result<Signals, Error> {
        Signals::parse(EMBEDDED)
    }

    /// Parse and check a signal file.
    pub fn parse(text: &str) -> Result<Signals, Error> {
        let file: File = toml::from_str(text).map_err(|e| Error::Kb {
            file: "signals.toml",
            problem: e.to_string(),
        })?;
        for id in SignalId::ALL {
            if !file.signal.iter().any(|s| s.id == id) {
                return Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!("signal `{}` is missing", id_name(id)),
                });
            }
        }
        for s in &file.signal {
            if s.sources.is_empty() {
                return Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!("signal `{}` cites no source", id_name(s.id)),
                });
            }
        }
        let get = |id: SignalId, name: &str| -> Result<f64, Error> {
            let v = file
                .signal
                .iter()
                .find(|s| s.id == id)
                .and_then(|s| s.params.get(name).copied());
            match v {
                Some(v) if v.is_finite() && v > 0.0 => Ok(v),
                Some(v) => Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!("signal `{}`: `{name}` = {v} must be positive", id_name(id)),
                }),
                None => Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!("signal `{}` needs `{name}`", id_name(id)),
                }),
            }
        };
        for (group, items) in &file.constants {
            for (name, c) in items {
                let said = |x: &Option<String>| x.as_deref().is_some_and(|v| !v.trim().is_empty());
                if !said(&c.source) && !said(&c.why) {
                    return Err(Error::Kb {
                        file: "signals.toml",
                        problem: format!(
                            "constant `{group}.{name}` needs a `source` id or a one-line `why`"
                        ),
                    });
                }
            }
        }
        let constant = |group: &str, name: &str| -> Result<f64, Error> {
            match file.constants.get(group).and_then(|g| g.get(name)) {
                Some(c) if c.value.is_finite() && c.value > 0.0 => Ok(c.value),
                Some(c) => Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!("constant `{group}.{name}` = {} must be positive", c.value),
                }),
                None => Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!(
                        "constant `{group}.{name}` is missing (add it under [constants.{group}])"
                    ),
                }),
            }
        };
        // Counts and day numbers: a fraction would be rounded somewhere unseen, so refuse it.
        let whole = |group: &str, name: &str| -> Result<f64, Error> {
            let v = constant(group, name)?;
            if v.fract() != 0.0 || v > 1e6 {
                return Err(Error::Kb {
                    file: "signals.toml",
                    problem: format!(
                        "constant `{group}.{name}` = {v} must be a whole number (at most 1000000)"
                    ),
                });
            }
            Ok(v)
        };
        use SignalId::*;
        let t = Thresholds {
            spike_warn: get(LongRunSpike, "warn")?,
            spike_strong: get(LongRunSpike, "strong")?,
            weekly_warn: get(WeeklyDistanceChange, "warn")?,
            weekly_min_km: get(WeeklyDistanceChange, "min_km")?,
            speed_days_without: get(SpeedReintroduced, "days_without")?,
            speed_min_seconds: get(SpeedReintroduced, "min_seconds")?,
            hs_week_ratio: get(HighSpeedWeek, "ratio")?,
            hs_week_min_weeks: get(HighSpeedWeek, "min_weeks")?,
            hills_days_without: get(HillsReintroduced, "days_without")?,
            hills_min_ascent_per_km: get(HillsReintroduced, "min_ascent_per_km")?,
            hills_min_steep_minutes: get(HillsReintroduced, "min_steep_minutes")?,
            hs_fraction: get(HighSpeedThreshold, "fraction")?,
            hs_window_days: get(HighSpeedThreshold, "window_days")?,
            hs_min_runs: get(HighSpeedThreshold, "min_runs")?,
            hs_above_usual: get(HighSpeedThreshold, "above_usual")?,
            acwr_acute_days: get(Acwr, "acute_days")?,
            acwr_chronic_days: get(Acwr, "chronic_days")?,
            acwr_min_chronic_activities: get(Acwr, "min_chronic_activities")?,
            form_baseline_days: get(FormDrift, "baseline_days")?,
            form_recent_days: get(FormDrift, "recent_days")?,
            form_min_baseline_runs: get(FormDrift, "min_baseline_runs")?,
            form_min_recent_runs: get(FormDrift, "min_recent_runs")?,
            form_min_cadence_spm: get(FormDrift, "min_cadence_spm")?,
            form_min_step_length_pct: get(FormDrift, "min_step_length_pct")?,
            form_min_ground_contact_ms: get(FormDrift, "min_ground_contact_ms")?,
            form_min_vertical_oscillation_mm: get(FormDrift, "min_vertical_oscillation_mm")?,
            form_min_balance_pct: get(FormDrift, "min_balance_pct")?,
            pain_min_days: get(PainLink, "min_days")?,
            basis_days: constant("series", "basis_days")?,
            basis_share_pct: constant("series", "basis_share_pct")?,
            hr_max_min_seconds: constant("series", "hr_max_min_seconds")?,
            default_hr_rest: constant("series", "default_hr_rest")?,
            min_hr_reserve: constant("series", "min_hr_reserve")?,
            spike_window_days: constant("series", "spike_window_days")?,
            hs_week_lookback_weeks: constant("series", "hs_week_lookback_weeks")?,
            hill_min_distance_m: constant("series", "hill_min_distance_m")?,
            form_min_band_runs: constant("form", "min_band_runs")?,
            easy_window_days: constant("adherence", "easy_window_days")?,
            easy_min_duration_s: constant("adherence", "easy_min_duration_s")?,
            easy_min_runs: constant("adherence", "easy_min_runs")?,
            ceiling_factor: constant("adherence", "ceiling_factor")?,
            longer_factor: constant("adherence", "longer_factor")?,
            shorter_factor: constant("adherence", "shorter_factor")?,
            walk_slack_s: constant("adherence", "walk_slack_s")?,
            run_mps: constant("adherence", "run_mps")?,
            stride_allowance_s: constant("adherence", "stride_allowance_s")?,
            fast_tolerance_s: constant("adherence", "fast_tolerance_s")?,
            hilly_ascent_per_km: constant("adherence", "hilly_ascent_per_km")?,
            hilly_steep_s: constant("adherence", "hilly_steep_s")?,
            pain_max_lag_days: whole("pain", "max_lag_days")?,
            pain_min_rho: constant("pain", "min_rho")?,
            pain_max_links_shown: whole("pain", "max_links_shown")?,
            pain_trend_week_days: whole("pain", "trend_week_days")?,
            pain_morning_steady_points: constant("pain", "morning_steady_points")?,
            pain_sitting_steady_min: constant("pain", "sitting_steady_min")?,
        };
        let m = |name: &str| constant("metrics", name);
        let metrics = MetricsConstants {
            pause_s: m("pause_s")?,
            best_window_s: m("best_window_s")?,
            bout_smooth_half_s: m("bout_smooth_half_s")?,
            typical_min_mps: m("typical_min_mps")?,
            bout_factor: m("bout_factor")?,
            bout_floor_mps: m("bout_floor_mps")?,
            bout_min_s: m("bout_min_s")?,
            bout_max_s: m("bout_max_s")?,
            alt_smooth_half_s: m("alt_smooth_half_s")?,
            alt_hysteresis_m: m("alt_hysteresis_m")?,
            grade_half_m: m("grade_half_m")?,
            grade_max: m("grade_max")?,
            steep_grade: m("steep_grade")?,
            steep_min_mps: m("steep_min_mps")?,
            form_min_mps: m("form_min_mps")?,
            form_band_min_s: m("form_band_min_s")?,
            form_metric_min_s: m("form_metric_min_s")?,
        };
        Ok(Signals {
            signals: file.signal,
            constants: file.constants,
            t,
            metrics,
        })
    }

    /// The description of one signal (every id is present after loading).
    pub fn get(&self, id: SignalId) -> &Signal {
        // `parse` refused a table without every id, so the fallback is unreachable; it keeps
        // the function total without a panic.
        self.signals
            .iter()
            .find(|s| s.id == id)
            .unwrap_or(&self.signals[0])
    }

    /// Every source id cited (by a signal, or by a constant), with what cites it as the
    /// knowledge-base check names it (`signal "<label>"`, `constant <group>.<name>`).
    pub fn cited_sources(&self) -> impl Iterator<Item = (String, &str)> {
        let by_signals = self.signals.iter().flat_map(|s| {
            s.sources
                .iter()
                .map(move |src| (format!("signal \"{}\"", s.label), src.as_str()))
        });
        let by_constants = self.constants.iter().flat_map(|(group, items)| {
            items.iter().filter_map(move |(name, c)| {
                c.source
                    .as_deref()
                    .map(|src| (format!("constant {group}.{name}"), src))
            })
        });
        by_signals.chain(by_constants)
    }
}

/// The id as written in the file.
pub fn id_name(id: SignalId) -> &'static str {
    match id {
        SignalId::LongRunSpike => "long_run_spike",
        SignalId::WeeklyDistanceChange => "weekly_distance_change",
        SignalId::SpeedReintroduced => "speed_reintroduced",
        SignalId::HighSpeedWeek => "high_speed_week",
        SignalId::HillsReintroduced => "hills_reintroduced",
        SignalId::HighSpeedThreshold => "high_speed_threshold",
        SignalId::Monotony => "monotony",
        SignalId::Acwr => "acwr",
        SignalId::FormDrift => "form_drift",
        SignalId::PainLink => "pain_link",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_loads_with_every_threshold() {
        let s = Signals::embedded().unwrap();
        assert_eq!(s.signals.len(), SignalId::ALL.len());
        assert_eq!(s.t.spike_warn, 0.10);
        assert_eq!(s.t.hs_fraction, 0.85);
        assert!(!s.get(SignalId::Acwr).alert, "the ratio must never alert");
        assert!(!s.get(SignalId::Monotony).alert);
    }

    #[test]
    fn a_missing_constant_is_named() {
        let text = EMBEDDED.replace("easy_min_runs = ", "easy_min_runz = ");
        let err = Signals::parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("constant `adherence.easy_min_runs` is missing"),
            "{err}"
        );
        let text = EMBEDDED.replace("[constants.series]", "[constants.serie]");
        let err = Signals::parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("constant `series.basis_days` is missing"),
            "{err}"
        );
    }

    #[test]
    fn a_constant_without_a_reason_is_refused() {
        let text = EMBEDDED.replace(
            "run_mps = { value = 1.8, why = \"About 9:15 min/km: a brisk walk stays below it, a slow rehabilitation jog above (grade D).\" }",
            "run_mps = { value = 1.8 }",
        );
        assert_ne!(text, EMBEDDED);
        let err = Signals::parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("`adherence.run_mps` needs a `source`"),
            "{err}"
        );
    }

    #[test]
    fn constants_keep_their_values_and_cite_sources() {
        let s = Signals::embedded().unwrap();
        assert_eq!(s.t.spike_window_days, 30.0);
        assert_eq!(s.t.basis_share_pct, 80.0);
        assert_eq!(s.t.run_mps, 1.8);
        assert_eq!(s.t.ceiling_factor, 1.05);
        assert!(s
            .cited_sources()
            .any(|(by, id)| by == "constant series.spike_window_days" && id == "ref127"));
    }

    #[test]
    fn pain_and_metrics_constants_keep_their_values() {
        let s = Signals::embedded().unwrap();
        assert_eq!(s.t.pain_max_lag_days, 2.0);
        assert_eq!(s.t.pain_min_rho, 0.3);
        assert_eq!(s.t.pain_max_links_shown, 3.0);
        assert_eq!(s.t.pain_trend_week_days, 7.0);
        assert_eq!(s.t.pain_morning_steady_points, 0.5);
        assert_eq!(s.t.pain_sitting_steady_min, 5.0);
        let m = &s.metrics;
        let expected = [
            ("pause_s", 10.0),
            ("best_window_s", 10.0),
            ("bout_smooth_half_s", 2.5),
            ("typical_min_mps", 1.0),
            ("bout_factor", 1.2),
            ("bout_floor_mps", 3.0),
            ("bout_min_s", 6.0),
            ("bout_max_s", 60.0),
            ("alt_smooth_half_s", 5.0),
            ("alt_hysteresis_m", 2.0),
            ("grade_half_m", 10.0),
            ("grade_max", 0.5),
            ("steep_grade", 0.08),
            ("steep_min_mps", 0.5),
            ("form_min_mps", 1.5),
            ("form_band_min_s", 60.0),
            ("form_metric_min_s", 30.0),
        ];
        assert_eq!(m.entries(), expected);
        // Every metrics constant the code reads is one of the file's, and the other way round.
        let in_file: Vec<&str> = s.constants["metrics"].keys().map(String::as_str).collect();
        let mut read: Vec<&str> = m.entries().iter().map(|e| e.0).collect();
        read.sort_unstable();
        assert_eq!(in_file, read);
    }

    #[test]
    fn missing_pain_and_metrics_constants_are_named() {
        for (key, group) in [
            ("min_rho", "pain"),
            ("max_links_shown", "pain"),
            ("sitting_steady_min", "pain"),
            ("steep_grade", "metrics"),
            ("bout_floor_mps", "metrics"),
            ("form_metric_min_s", "metrics"),
        ] {
            let text = EMBEDDED.replace(&format!("\n{key} = "), &format!("\n{key}_gone = "));
            assert_ne!(text, EMBEDDED, "{key}");
            let err = Signals::parse(&text).unwrap_err().to_string();
            assert!(
                err.contains(&format!("constant `{group}.{key}` is missing")),
                "{key}: {err}"
            );
        }
    }

    #[test]
    fn a_fractional_count_is_refused() {
        let text = EMBEDDED.replace(
            "max_lag_days = { value = 2,",
            "max_lag_days = { value = 2.5,",
        );
        assert_ne!(text, EMBEDDED);
        let err = Signals::parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("`pain.max_lag_days` = 2.5 must be a whole number"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_threshold_is_named() {
        let text = EMBEDDED.replace("warn = 0.10\n", "");
        let err = Signals::parse(&text).unwrap_err();
        assert!(
            err.to_string().contains("long_run_spike` needs `warn`"),
            "{err}"
        );
    }
}
