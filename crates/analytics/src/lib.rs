//! hamstride-analytics: training-load and running-form maths over imported activities and the
//! runner's pain diary, for the signals of section 6 of the clinical brief.
//!
//! Pure like `hamstride-core`: activities, diary entries, the runner's settings and "today" go
//! in as arguments, numbers and flags come out. No I/O, no clock, no database. Two layers:
//! [`metrics`] summarises one activity once (at import, recomputable when the code's
//! [`metrics::METRICS_VERSION`] changes) into a small record that keeps enough to recompute any
//! load later (heart-rate and speed histograms, fast bouts, form by pace band); [`series`]
//! turns those records into daily and weekly series and flags in milliseconds, [`form`]
//! compares running form with the runner's own baseline, [`pain`] relates the diary to the
//! preceding days' load and [`adherence`] compares return-to-run sessions with the runs done.
//!
//! Every signal carries its evidence grade from the brief and is phrased as an association
//! ("runs like this are linked with more injuries"), never a prediction. What it does not do:
//! diagnose, alert on the acute:chronic ratio, or use population cut-offs for form metrics.

pub mod adherence;
mod error;
pub mod form;
pub mod metrics;
pub mod pain;
pub mod series;
pub mod signals;
pub mod synthetic;

pub use error::Error;
pub use metrics::{ActivityMetrics, METRICS_VERSION};
pub use series::{analyse, Analysis, Input, RunEntry, Settings};
pub use signals::{SignalId, Signals};
