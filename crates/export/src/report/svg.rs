//! The report's chart primitives, written by hand: a frame with margins, linear scales, "nice"
//! tick steps, time ticks that thin themselves out (weeks, then months, then years) for any
//! history length, and the few marks the charts use (bars, lines with gaps, dots, flag
//! triangles, reference lines). Styling is by CSS class (see `style.rs`), so each mark is a
//! few dozen bytes and ten years of weeks stay small.
//!
//! Every coordinate goes through [`N`]: one decimal, never `NaN` or `inf`, whatever the data.
//! Scales with an empty or degenerate domain map everything to the range start instead of
//! dividing by zero. Nothing here knows about runs or pain; the sections do.

use super::fmt::{civil, month_name, month_start, week_start, DayShort, Esc, N};
use std::fmt::{Display, Write as _};

/// A chart's size (its SVG viewBox) and the margins around the plotting area.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub w: f64,
    pub h: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub fn x0(&self) -> f64 {
        self.left
    }
    pub fn x1(&self) -> f64 {
        self.w - self.right
    }
    /// The baseline (bottom edge) of the plotting area.
    pub fn y0(&self) -> f64 {
        self.h - self.bottom
    }
    /// The top edge of the plotting area.
    pub fn y1(&self) -> f64 {
        self.top
    }
    pub fn plot_w(&self) -> f64 {
        (self.x1() - self.x0()).max(1.0)
    }
}

/// A linear map from a data domain to a pixel range.
#[derive(Debug, Clone, Copy)]
pub struct Linear {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Linear {
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Linear {
        Linear { d0, d1, r0, r1 }
    }

    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if !span.is_finite() || span.abs() < 1e-12 || !v.is_finite() {
            return self.r0;
        }
        let r = self.r0 + (v - self.d0) / span * (self.r1 - self.r0);
        if r.is_finite() {
            r
        } else {
            self.r0
        }
    }

    /// Pixels per data unit (0 for a degenerate domain).
    pub fn scale(&self) -> f64 {
        let span = self.d1 - self.d0;
        if !span.is_finite() || span.abs() < 1e-12 {
            0.0
        } else {
            (self.r1 - self.r0) / span
        }
    }
}

/// A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about `target` intervals over `span`.
pub fn nice_step(span: f64, target: f64) -> f64 {
    if !span.is_finite() || span <= 0.0 || target <= 0.0 {
        return 1.0;
    }
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let step = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    } * mag;
    if step.is_finite() && step > 0.0 {
        step
    } else {
        1.0
    }
}

/// A round top and step for an axis from 0 to `max`; an empty axis gets 0–1.
pub fn nice_max(max: f64, target: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 0.5);
    }
    let step = nice_step(max, target);
    ((max / step).ceil().max(1.0) * step, step)
}

/// A round range covering `lo..hi` (widened when it is a single value).
pub fn nice_range(lo: f64, hi: f64, target: f64) -> (f64, f64, f64) {
    let (lo, hi) = if !lo.is_finite() || !hi.is_finite() {
        (0.0, 1.0)
    } else if (hi - lo).abs() < 1e-9 {
        let pad = (lo.abs() * 0.05).max(1.0);
        (lo - pad, hi + pad)
    } else {
        (lo.min(hi), lo.max(hi))
    };
    let step = nice_step(hi - lo, target);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// Opens a chart: the `<svg>` with its accessible name (`<title>`) and description (`<desc>`).
pub fn open(out: &mut String, id: &str, f: &Frame, title: impl Display, desc: impl Display) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{title}</title>\
         <desc id=\"{id}-d\">{desc}</desc>",
        N(f.w),
        N(f.h)
    );
}

pub fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// Which side of the plot an axis is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// A value axis with ticks every `step` from `lo` to `hi`; the left axis also draws the
/// horizontal grid lines. `unit` is written above the axis.
#[allow(clippy::too_many_arguments)]
pub fn y_axis(
    out: &mut String,
    f: &Frame,
    ys: &Linear,
    lo: f64,
    hi: f64,
    step: f64,
    side: Side,
    unit: &str,
) {
    let n = tick_count(lo, hi, step);
    for i in 0..=n {
        let v = lo + step * i as f64;
        let y = ys.map(v);
        match side {
            Side::Left => {
                let _ = write!(
                    out,
                    "<path class=\"grid\" d=\"M{} {}H{}\"/><text class=\"e\" x=\"{}\" y=\"{}\">{}</text>",
                    N(f.x0()),
                    N(y),
                    N(f.x1()),
                    N(f.x0() - 5.0),
                    N(y + 3.5),
                    N(v)
                );
            }
            Side::Right => {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\">{}</text>",
                    N(f.x1() + 5.0),
                    N(y + 3.5),
                    N(v)
                );
            }
        }
    }
    if !unit.is_empty() {
        let (x, class) = match side {
            Side::Left => (f.x0() - 5.0, "e u"),
            Side::Right => (f.x1() + 5.0, "u"),
        };
        let _ = write!(
            out,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\">{}</text>",
            N(x),
            N(f.y1() - 9.0),
            Esc(unit)
        );
    }
}

/// The bottom axis line.
pub fn baseline(out: &mut String, f: &Frame) {
    let _ = write!(
        out,
        "<path class=\"axis\" d=\"M{} {}H{}\"/>",
        N(f.x0()),
        N(f.y0()),
        N(f.x1())
    );
}

/// Labelled ticks along the bottom for day numbers `dn0..dn1` (exclusive), thinned to fit:
/// every k-th Monday for short spans, then every 1, 2, 3, 6 months, then years. `offset`
/// (days) moves the tick, e.g. to the middle of a weekly bar.
pub fn time_axis(out: &mut String, f: &Frame, xs: &Linear, dn0: i64, dn1: i64, offset: f64) {
    for (dn, label) in time_ticks(dn0, dn1, f.plot_w()) {
        let x = xs.map(dn as f64 + offset);
        if x < f.x0() - 0.5 || x > f.x1() + 0.5 {
            continue;
        }
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{x} {}v4\"/><text class=\"m\" x=\"{x}\" y=\"{}\">{label}</text>",
            N(f.y0()),
            N(f.y0() + 16.0),
            x = N(x)
        );
    }
}

/// The ticks `time_axis` draws, as (day number, label).
pub fn time_ticks(dn0: i64, dn1: i64, px: f64) -> Vec<(i64, String)> {
    let days = (dn1 - dn0).max(1) as f64;
    let ppd = px / days;
    let mut ticks = Vec::new();
    if ppd * 7.0 >= 28.0 {
        let k = ((42.0 / (ppd * 7.0)).ceil() as i64).max(1);
        let mut d = week_start(dn0);
        if d < dn0 {
            d += 7;
        }
        let mut i = 0;
        while d < dn1 {
            if i % k == 0 {
                ticks.push((d, DayShort(d).to_string()));
            }
            d += 7;
            i += 1;
        }
        return ticks;
    }
    const STEPS: [i64; 9] = [1, 2, 3, 6, 12, 24, 60, 120, 240];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| *s as f64 * 30.44 * ppd >= 58.0)
        .unwrap_or(1200);
    let (y0, m0, _) = civil(dn0);
    let mut idx = y0 * 12 + (m0 - 1);
    let mut first = true;
    loop {
        let (y, m) = (idx.div_euclid(12), idx.rem_euclid(12) + 1);
        let ms = month_start(y, m);
        if ms >= dn1 {
            break;
        }
        if ms >= dn0 && idx.rem_euclid(step) == 0 {
            let label = if step >= 12 {
                y.to_string()
            } else if m == 1 || first {
                format!("{} {y}", month_name(m))
            } else {
                month_name(m)
            };
            ticks.push((ms, label));
            first = false;
        }
        idx += 1;
    }
    ticks
}

/// A bar from the baseline `y0` up to `y`, with an optional tooltip.
#[allow(clippy::too_many_arguments)]
pub fn bar(
    out: &mut String,
    class: &str,
    x: f64,
    w: f64,
    y: f64,
    y0: f64,
    tip: Option<&dyn Display>,
) {
    let (top, h) = if y <= y0 { (y, y0 - y) } else { (y0, y - y0) };
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
        N(x),
        N(top),
        N(w.max(0.1)),
        N(h)
    );
    match tip {
        Some(t) => {
            let _ = write!(out, "><title>{t}</title></rect>");
        }
        None => out.push_str("/>"),
    }
}

/// A line through points; `None` breaks it (a gap where there is no value). Single points
/// between gaps are drawn as dots so they do not vanish.
pub fn line<I>(out: &mut String, class: &str, dot_class: &str, points: I)
where
    I: IntoIterator<Item = Option<(f64, f64)>>,
{
    let mut d = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut lonely: Vec<(f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(f64, f64)>, d: &mut String| {
        match run.len() {
            0 => {}
            1 => lonely.push(run[0]),
            _ => {
                for (i, (x, y)) in run.iter().enumerate() {
                    let _ = write!(d, "{}{} {}", if i == 0 { 'M' } else { 'L' }, N(*x), N(*y));
                }
            }
        }
        run.clear();
    };
    for p in points {
        match p {
            Some((x, y)) if x.is_finite() && y.is_finite() => run.push((x, y)),
            _ => flush(&mut run, &mut d),
        }
    }
    flush(&mut run, &mut d);
    if !d.is_empty() {
        let _ = write!(out, "<path class=\"{class}\" d=\"{d}\"/>");
    }
    for (x, y) in lonely {
        dot(out, dot_class, x, y, 2.5, None);
    }
}

/// A dot with an optional tooltip.
pub fn dot(out: &mut String, class: &str, x: f64, y: f64, r: f64, tip: Option<&dyn Display>) {
    let _ = write!(
        out,
        "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\"",
        N(x),
        N(y),
        N(r)
    );
    match tip {
        Some(t) => {
            let _ = write!(out, "><title>{t}</title></circle>");
        }
        None => out.push_str("/>"),
    }
}

/// A downward triangle whose tip is at (x, y): the flag marker above a bar.
pub fn flag_marker(out: &mut String, class: &str, x: f64, y: f64, size: f64, tip: &dyn Display) {
    let _ = write!(
        out,
        "<path class=\"{class}\" d=\"M{} {}l{} -{}h-{}z\"><title>{tip}</title></path>",
        N(x),
        N(y),
        N(size),
        N(size * 1.6),
        N(size * 2.0)
    );
}

/// A horizontal line across the plot at `y`.
pub fn hline(out: &mut String, f: &Frame, class: &str, y: f64) {
    let _ = write!(
        out,
        "<path class=\"{class}\" d=\"M{} {}H{}\"/>",
        N(f.x0()),
        N(y),
        N(f.x1())
    );
}

/// A vertical line through the plot at `x`.
pub fn vline(out: &mut String, f: &Frame, class: &str, x: f64) {
    let _ = write!(
        out,
        "<path class=\"{class}\" d=\"M{} {}V{}\"/>",
        N(x),
        N(f.y1()),
        N(f.y0())
    );
}

/// A text label; `class` picks anchor and style.
pub fn text(out: &mut String, class: &str, x: f64, y: f64, t: impl Display) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\">{t}</text>",
        N(x),
        N(y)
    );
}

/// How many steps of `step` an axis from `lo` to `hi` has (at most 20; none when the range or
/// step is unusable), for every chart's value axis.
pub fn tick_count(lo: f64, hi: f64, step: f64) -> i64 {
    if step > 0.0 && (hi - lo).is_finite() {
        (((hi - lo) / step).round() as i64).clamp(0, 20)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_never_divide_by_zero() {
        let s = Linear::new(3.0, 3.0, 10.0, 100.0);
        assert_eq!(s.map(3.0), 10.0);
        assert_eq!(s.map(f64::NAN), 10.0);
        assert_eq!(nice_max(0.0, 4.0), (1.0, 0.5));
        assert_eq!(nice_max(f64::NAN, 4.0), (1.0, 0.5));
        assert_eq!(nice_max(92.3, 4.0), (100.0, 25.0));
        let (lo, hi, _) = nice_range(170.0, 170.0, 4.0);
        assert!(lo < 170.0 && hi > 170.0);
    }

    #[test]
    fn time_ticks_thin_out_with_longer_spans() {
        // 12 weeks on 860 px: Mondays.
        let t = time_ticks(20_000, 20_084, 860.0);
        assert!(t.len() >= 6 && t.len() <= 12, "{t:?}");
        // 10 years: one label per year.
        let t = time_ticks(20_000, 23_650, 860.0);
        assert!(t.len() >= 9 && t.len() <= 11, "{t:?}");
        assert!(t.iter().all(|(_, l)| l.len() == 4));
        // Degenerate span.
        let _ = time_ticks(5, 5, 0.0);
    }

    #[test]
    fn a_line_with_gaps_keeps_lonely_points_as_dots() {
        let mut s = String::new();
        line(
            &mut s,
            "l",
            "d",
            [
                Some((0.0, 0.0)),
                Some((1.0, 1.0)),
                None,
                Some((5.0, f64::NAN)),
                Some((7.0, 7.0)),
                None,
            ],
        );
        assert!(s.contains("M0 0L1 1"), "{s}");
        assert!(s.contains("<circle class=\"d\" cx=\"7\""), "{s}");
        assert!(!s.contains("NaN"));
    }
}
