//! One line chart over elapsed time, with its text alternative: the report's chart primitives
//! (`svg.rs`) opened to other pages, so the web app's activity page draws pace, heart rate,
//! cadence and form with the same hand-written SVG as the report, not a second chart library.
//!
//! A chart is a `<figure>`: a caption, an `<svg>` with a `<title>` and a `<desc>` that says in
//! words what the line shows (range, average, how long), and a data table in a closed
//! `<details>`, the same points the line is drawn through. The SVG has a viewBox and no fixed
//! size, so it is as wide as its column (375 px on a phone). Nothing is coloured without
//! words: the caption names the measure and its unit, and the table has every number.
//! What this does not do: choose, convert or thin out the data. The caller passes the points
//! it wants drawn, already in the runner's units.

use super::fmt::{Esc, N};
use super::svg::{self, Frame, Linear};
use super::{data_table_close, data_table_open, figure_open};
use std::fmt::{self, Display, Formatter, Write as _};

/// How a value is written on the axis, in the description and in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// A number with this many decimals ("148", "7.2").
    Decimal(u8),
    /// Seconds as minutes and seconds ("5:07"): a pace.
    MinSec,
}

impl ValueFormat {
    fn show(self, v: f64) -> Shown {
        Shown(self, v)
    }
}

/// A value as its format writes it; "–" when it is not a number.
struct Shown(ValueFormat, f64);

impl Display for Shown {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let v = self.1;
        if !v.is_finite() {
            return f.write_str("–");
        }
        match self.0 {
            ValueFormat::Decimal(d) => write!(f, "{:.*}", usize::from(d), v),
            ValueFormat::MinSec => {
                let s = v.max(0.0).round() as u64;
                write!(f, "{}:{:02}", s / 60, s % 60)
            }
        }
    }
}

/// Elapsed seconds as `h:mm:ss` (or `m:ss` under an hour), for the table's first column.
struct Clock(f64);

impl Display for Clock {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = if self.0.is_finite() {
            self.0.max(0.0).round() as u64
        } else {
            0
        };
        if s >= 3600 {
            write!(f, "{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        } else {
            write!(f, "{}:{:02}", s / 60, s % 60)
        }
    }
}

/// One chart to draw.
#[derive(Debug, Clone, Copy)]
pub struct LineChart<'a> {
    /// A page-unique id (the `<title>` and `<desc>` are named by it).
    pub id: &'a str,
    /// What is measured ("Heart rate").
    pub title: &'a str,
    /// Its unit ("bpm", "min/km").
    pub unit: &'a str,
    /// Seconds from the start, one per point, increasing.
    pub elapsed_s: &'a [f64],
    /// The values in the display unit, one per point; `NaN` is a gap (nothing recorded).
    pub values: &'a [f64],
    /// A second column for the table only (the distance covered so far), with its header.
    pub extra: Option<(&'a str, &'a [f64])>,
    pub format: ValueFormat,
    /// Draw smaller values higher (pace: a faster pace is a smaller number of minutes).
    pub invert: bool,
    /// The line's CSS class (one colour per measure, named in the caption).
    pub class: &'a str,
}

/// Steps for a minutes-and-seconds axis: whole seconds a runner reads easily.
const MINSEC_STEPS: [f64; 9] = [5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0];

/// The value axis: a round range over `lo..hi` with about four steps.
fn value_range(lo: f64, hi: f64, format: ValueFormat) -> (f64, f64, f64) {
    match format {
        ValueFormat::Decimal(_) => svg::nice_range(lo, hi, 4.0),
        ValueFormat::MinSec => {
            let span = (hi - lo).max(1.0);
            let step = MINSEC_STEPS
                .iter()
                .copied()
                .find(|s| span / s <= 5.0)
                .unwrap_or(1200.0);
            let lo = (lo / step).floor() * step;
            let mut hi = (hi / step).ceil() * step;
            if hi <= lo {
                hi = lo + step;
            }
            (lo, hi, step)
        }
    }
}

/// The chart as HTML: a `<figure>` with the SVG and its data table. With no value at all it
/// is the empty string: the caller says in words that the measure was not recorded.
pub fn line(c: &LineChart<'_>) -> String {
    let n = c.elapsed_s.len().min(c.values.len());
    let pts: Vec<(f64, f64)> = (0..n)
        .map(|i| (c.elapsed_s[i], c.values[i]))
        .filter(|(t, _)| t.is_finite())
        .collect();
    let vals: Vec<f64> = pts.iter().map(|p| p.1).filter(|v| v.is_finite()).collect();
    if vals.is_empty() {
        return String::new();
    }
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
    let t_end = pts.last().map_or(0.0, |p| p.0).max(1.0);
    let (y_lo, y_hi, step) = value_range(lo, hi, c.format);
    // Narrow enough that 11 px labels stay readable when a phone shrinks it to 343 px.
    let f = Frame {
        w: 420.0,
        h: 180.0,
        left: 42.0,
        right: 12.0,
        top: 22.0,
        bottom: 26.0,
    };
    let xs = Linear::new(0.0, t_end, f.x0(), f.x1());
    let ys = if c.invert {
        Linear::new(y_lo, y_hi, f.y1(), f.y0())
    } else {
        Linear::new(y_lo, y_hi, f.y0(), f.y1())
    };
    let mut out = String::with_capacity(2048 + pts.len() * 90);
    figure_open(&mut out, &format!("{} ({})", c.title, c.unit), &[]);
    let desc = format!(
        "{} over {} minutes: from {} to {} {unit}, average {} {unit}.{}",
        c.title,
        (t_end / 60.0).round(),
        c.format.show(lo),
        c.format.show(hi),
        c.format.show(mean),
        if c.invert { " Faster is higher." } else { "" },
        unit = c.unit,
    );
    svg::open(&mut out, c.id, &f, Esc(c.title), Esc(&desc));
    value_axis(&mut out, &f, &ys, y_lo, y_hi, step, c.format, c.unit);
    svg::baseline(&mut out, &f);
    minutes_axis(&mut out, &f, &xs, t_end);
    svg::line(
        &mut out,
        c.class,
        c.class,
        pts.iter()
            .map(|&(t, v)| v.is_finite().then(|| (xs.map(t), ys.map(v)))),
    );
    svg::close(&mut out);
    let value_h = format!("{} ({})", c.title, c.unit);
    let mut headers = vec!["Time", value_h.as_str()];
    if let Some((h, _)) = c.extra {
        headers.insert(1, h);
    }
    data_table_open(&mut out, &headers);
    for i in 0..n {
        let (t, v) = (c.elapsed_s[i], c.values[i]);
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", Clock(t));
        if let Some((_, xs)) = c.extra {
            let x = xs.get(i).copied().unwrap_or(f64::NAN);
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                ValueFormat::Decimal(2).show(x)
            );
        }
        let _ = write!(out, "<td class=\"n\">{}</td></tr>", c.format.show(v));
    }
    data_table_close(&mut out, None);
    out
}

/// The value axis on the left, with grid lines, labelled in the chart's format.
#[allow(clippy::too_many_arguments)]
fn value_axis(
    out: &mut String,
    f: &Frame,
    ys: &Linear,
    lo: f64,
    hi: f64,
    step: f64,
    format: ValueFormat,
    unit: &str,
) {
    let n = super::svg::tick_count(lo, hi, step);
    // Whole numbers on the axis unless the step itself needs a decimal.
    let tick = match format {
        ValueFormat::Decimal(_) if step.fract().abs() > 1e-9 => ValueFormat::Decimal(1),
        ValueFormat::Decimal(_) => ValueFormat::Decimal(0),
        ValueFormat::MinSec => ValueFormat::MinSec,
    };
    for i in 0..=n {
        let v = lo + step * i as f64;
        let y = ys.map(v);
        let _ = write!(
            out,
            "<path class=\"grid\" d=\"M{} {}H{}\"/><text class=\"e\" x=\"{}\" y=\"{}\">{}</text>",
            N(f.x0()),
            N(y),
            N(f.x1()),
            N(f.x0() - 5.0),
            N(y + 3.5),
            tick.show(v)
        );
    }
    svg::text(out, "e u", f.x0() - 5.0, f.y1() - 9.0, Esc(unit));
}

/// Minutes from the start along the bottom, at a round step for the length of the activity.
fn minutes_axis(out: &mut String, f: &Frame, xs: &Linear, t_end: f64) {
    let minutes = t_end / 60.0;
    let step = svg::nice_step(minutes, 5.0).max(1.0).round();
    let mut m = 0.0;
    while m <= minutes + 1e-9 {
        let x = xs.map(m * 60.0);
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{x} {}v4\"/><text class=\"m\" x=\"{x}\" y=\"{}\">{}</text>",
            N(f.y0()),
            N(f.y0() + 16.0),
            m,
            x = N(x)
        );
        m += step;
    }
    svg::text(out, "e u", f.x1(), f.y0() + 16.0 + 10.0, "min");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_its_words_table_and_no_bad_numbers() {
        let t = [0.0, 60.0, 120.0, 180.0];
        let v = [300.0, f64::NAN, 310.0, 295.0];
        let d = [0.0, 0.2, 0.4, 0.6];
        let html = line(&LineChart {
            id: "pace",
            title: "Pace",
            unit: "min/km",
            elapsed_s: &t,
            values: &v,
            extra: Some(("Distance (km)", &d)),
            format: ValueFormat::MinSec,
            invert: true,
            class: "ln-pace",
        });
        assert!(html.contains("<title id=\"pace-t\">Pace</title>"), "{html}");
        assert!(html.contains("from 4:55 to 5:10 min/km"), "{html}");
        assert!(html.contains("<details><summary>Data table</summary>"));
        assert!(html.contains("<td class=\"n\">–</td>"), "a gap is a dash");
        assert!(!html.contains("NaN") && !html.contains("inf"), "{html}");
        let none = [f64::NAN; 4];
        let empty = line(&LineChart {
            values: &none,
            ..LineChart {
                id: "hr",
                title: "Heart rate",
                unit: "bpm",
                elapsed_s: &t,
                values: &v,
                extra: None,
                format: ValueFormat::Decimal(0),
                invert: false,
                class: "ln-hr",
            }
        });
        assert!(empty.is_empty());
    }
}
