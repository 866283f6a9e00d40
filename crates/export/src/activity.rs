//! One activity's recorded streams as a page shows them: which measures there are
//! ([`Channel`]), their names and units in the runner's units, a plain sentence for a measure
//! the file does not have, and each measure as a chart with its data table
//! (`report::chart`, the report's own SVG primitives).
//!
//! The service reads the activity, thins its records to at most a few hundred points and fills
//! [`Samples`] in SI units (speed in m/s, heart rate in bpm, millimetres, milliseconds); here
//! they become pace in min/km or min/mi, feet or metres, and words. Nothing here reads a file
//! or a clock, and nothing decides which points to keep.

use crate::report::chart::{self, LineChart, ValueFormat};
use crate::words::{form_label, form_unit, Units};
use hamstride_analytics::form::FormMetric;
use serde::Serialize;

/// A measure recorded over the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Speed in the samples (m/s); shown as pace.
    Pace,
    HeartRate,
    /// Steps per minute when running, revolutions per minute otherwise.
    Cadence,
    Elevation,
    Power,
    GroundContact,
    GroundContactBalance,
    VerticalOscillation,
    VerticalRatio,
    StepLength,
}

impl Channel {
    /// Every channel, in the order a page shows them.
    pub const ALL: [Channel; 10] = [
        Channel::Pace,
        Channel::HeartRate,
        Channel::Cadence,
        Channel::Elevation,
        Channel::Power,
        Channel::GroundContact,
        Channel::GroundContactBalance,
        Channel::VerticalOscillation,
        Channel::VerticalRatio,
        Channel::StepLength,
    ];

    /// Running-form measures (from a watch with running dynamics, a chest strap or a foot pod).
    pub fn is_form(self) -> bool {
        matches!(
            self,
            Channel::GroundContact
                | Channel::GroundContactBalance
                | Channel::VerticalOscillation
                | Channel::VerticalRatio
                | Channel::StepLength
        )
    }

    /// A stable id, for HTML ids and tests.
    pub fn id(self) -> &'static str {
        match self {
            Channel::Pace => "pace",
            Channel::HeartRate => "heart-rate",
            Channel::Cadence => "cadence",
            Channel::Elevation => "elevation",
            Channel::Power => "power",
            Channel::GroundContact => "ground-contact",
            Channel::GroundContactBalance => "balance",
            Channel::VerticalOscillation => "vertical-oscillation",
            Channel::VerticalRatio => "vertical-ratio",
            Channel::StepLength => "step-length",
        }
    }

    /// The measure's name; the form measures are named as the status page and report name
    /// them (`words::form_label`). Pace is drawn as speed for sports other than running and
    /// walking ([`chart`]); [`Channel::label_for`] names it so.
    pub fn label_for(self, running: bool) -> &'static str {
        if self == Channel::Pace && !running {
            "Speed"
        } else {
            self.label()
        }
    }

    /// The measure's name (pace as pace).
    pub fn label(self) -> &'static str {
        match self {
            Channel::Pace => "Pace",
            Channel::HeartRate => "Heart rate",
            Channel::Cadence => form_label(FormMetric::Cadence),
            Channel::Elevation => "Height above sea level",
            Channel::Power => "Power",
            Channel::GroundContact => form_label(FormMetric::GroundContact),
            Channel::GroundContactBalance => form_label(FormMetric::Balance),
            Channel::VerticalOscillation => form_label(FormMetric::VerticalOscillation),
            Channel::VerticalRatio => "Vertical ratio",
            Channel::StepLength => form_label(FormMetric::StepLength),
        }
    }

    /// What the measure is, in a few plain words.
    pub fn meaning(self) -> &'static str {
        match self {
            Channel::Pace => "How fast you went. On the pace chart, faster is higher.",
            Channel::HeartRate => "Heart beats per minute.",
            Channel::Cadence => "Steps per minute.",
            Channel::Elevation => "How high you were.",
            Channel::Power => "How hard you pushed, in watts.",
            Channel::GroundContact => "How long each foot stays on the ground at every step.",
            Channel::GroundContactBalance => {
                "How the time on the ground is shared between your feet: 50% is even, more is more on the left."
            }
            Channel::VerticalOscillation => "How far you bounce up and down at every step.",
            Channel::VerticalRatio => "Your bounce compared with your step length: lower is less bounce for each step.",
            Channel::StepLength => "How far you move with each step.",
        }
    }

    /// The unit in the runner's units.
    pub fn unit(self, u: Units, running: bool) -> &'static str {
        match self {
            Channel::Pace => u.pace_unit(),
            Channel::HeartRate => "bpm",
            Channel::Cadence if running => form_unit(FormMetric::Cadence),
            Channel::Cadence => "rpm",
            Channel::Elevation => u.elev_unit(),
            Channel::Power => "W",
            Channel::GroundContact => form_unit(FormMetric::GroundContact),
            Channel::GroundContactBalance => form_unit(FormMetric::Balance),
            Channel::VerticalOscillation => form_unit(FormMetric::VerticalOscillation),
            Channel::VerticalRatio => "%",
            Channel::StepLength => form_unit(FormMetric::StepLength),
        }
    }

    /// A sample (SI, as in [`Samples`]) in the display unit; `NaN` stays a gap.
    pub fn display(self, v: f64, u: Units) -> f64 {
        match self {
            Channel::Pace => u.pace_s(v),
            Channel::Elevation => u.elev(v),
            _ => v,
        }
    }

    fn format(self) -> ValueFormat {
        match self {
            Channel::Pace => ValueFormat::MinSec,
            Channel::GroundContactBalance | Channel::VerticalRatio => ValueFormat::Decimal(1),
            _ => ValueFormat::Decimal(0),
        }
    }

    /// The line's CSS class: one colour per kind of measure, always named in the caption.
    fn class(self) -> &'static str {
        match self {
            Channel::Pace => "ln-pace",
            Channel::HeartRate => "ln-hr",
            Channel::Cadence => "ln-cad",
            Channel::Elevation => "ln-elev",
            Channel::Power => "ln-power",
            _ => "ln-form",
        }
    }

    /// The sentence a page shows instead of the chart when the file did not record it (the
    /// form measures share one: see [`FORM_MISSING`]).
    pub fn missing(self) -> &'static str {
        match self {
            Channel::Pace => "No pace: this file has no speed and no distance over time.",
            Channel::HeartRate => {
                "No heart rate: the watch or app that made this file did not record it."
            }
            Channel::Cadence => "No cadence: this file does not count your steps.",
            Channel::Elevation => "No height: this file does not record it.",
            Channel::Power => "No power: this file does not record it.",
            _ => FORM_MISSING,
        }
    }
}

/// Said once when a run has none of the form measures.
pub const FORM_MISSING: &str = "No running-form data (time on the ground, bounce, step length): \
     these need a watch, chest strap or foot pod that measures them.";

/// An activity's records thinned for a page, in SI units: the same index in every column is
/// the same moment. Only channels with at least one value are in `channels`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Samples {
    /// Seconds from the first record.
    pub elapsed_s: Vec<f64>,
    /// Distance covered so far, metres (`NaN` where unknown).
    pub distance_m: Vec<f64>,
    pub channels: Vec<(Channel, Vec<f64>)>,
    /// Whether cadence is in steps (running, walking) rather than pedal turns.
    pub running: bool,
    /// How many records the file had, before thinning.
    pub records: usize,
}

impl Samples {
    /// The values of a channel, when recorded.
    pub fn values(&self, ch: Channel) -> Option<&[f64]> {
        self.channels
            .iter()
            .find(|(c, _)| *c == ch)
            .map(|(_, v)| v.as_slice())
    }
}

/// A channel as a chart with its data table, in the runner's units; empty when it has no
/// value.
pub fn chart(s: &Samples, ch: Channel, u: Units) -> String {
    let Some(values) = s.values(ch) else {
        return String::new();
    };
    let shown: Vec<f64> = values.iter().map(|&v| ch.display(v, u)).collect();
    let dist: Vec<f64> = s.distance_m.iter().map(|&m| u.dist(m)).collect();
    let dist_h = format!("Distance ({})", u.dist_unit());
    let has_dist = dist.iter().any(|d| d.is_finite());
    let id = format!("chart-{}", ch.id());
    let line = LineChart {
        id: &id,
        title: ch.label_for(s.running),
        unit: ch.unit(u, s.running),
        elapsed_s: &s.elapsed_s,
        values: &shown,
        extra: has_dist.then_some((dist_h.as_str(), dist.as_slice())),
        format: ch.format(),
        invert: ch == Channel::Pace,
        class: ch.class(),
    };
    if ch == Channel::Pace && !s.running {
        // Riders and swimmers read speed, not minutes per kilometre.
        let speed: Vec<f64> = values.iter().map(|&v| u.speed(v)).collect();
        return chart::line(&LineChart {
            title: "Speed",
            unit: u.speed_unit(),
            values: &speed,
            format: ValueFormat::Decimal(1),
            invert: false,
            ..line
        });
    }
    chart::line(&line)
}
