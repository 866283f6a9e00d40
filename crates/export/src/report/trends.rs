//! Form trends: one small chart per metric the runner's device records, each run's
//! pace-adjusted value as a dot, the baseline median as a dashed line and the reference day
//! (injury onset, or the start of the recent window) as a vertical line, with the analysis's
//! own sentence. Form is compared with the runner's own baseline only: there are no population
//! norms to draw, so the charts carry no "normal range" band on purpose.

use super::fmt::{day_number, Day, Esc, F1};
use super::svg::{self, Frame, Linear, Side};
use super::{data_table_close, data_table_open, empty, figure_open, Ctx};
use hamstride_analytics::form::{FormMetric, MetricReport};
use hamstride_analytics::SignalId;
use std::fmt::Write as _;

/// Points listed in a metric's data table (the chart shows them all).
const TABLE_POINTS: usize = 60;

fn metric_name(m: FormMetric) -> &'static str {
    match m {
        FormMetric::Cadence => "Cadence",
        FormMetric::StepLength => "Step length",
        FormMetric::GroundContact => "Ground contact time",
        FormMetric::VerticalOscillation => "Vertical oscillation",
        FormMetric::Balance => "Left/right balance",
    }
}

pub(super) fn write(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"form\" aria-labelledby=\"form-h\"><h2 id=\"form-h\">Form trends</h2>\n",
    );
    let form = ctx.m.form;
    if form.metrics.is_empty() {
        empty(
            out,
            "No running-form metrics yet: they need a watch or sensor that records cadence, \
             ground contact time or similar.",
        );
        out.push_str("</section>\n");
        return;
    }
    let _ = write!(
        out,
        "<p>Each dot is one run's value, adjusted to the paces of your baseline runs. The dashed \
         line is your baseline; the vertical line marks {}, which splits baseline from recent runs.</p>\
         <p class=\"meaning\">{}</p>\n<div class=\"formgrid\">",
        Day(day_number(form.reference)),
        Esc(&ctx.signal(SignalId::FormDrift).meaning)
    );
    for m in &form.metrics {
        metric(out, ctx, m);
    }
    out.push_str("</div></section>\n");
}

fn metric(out: &mut String, ctx: &Ctx<'_>, m: &MetricReport) {
    let name = metric_name(m.metric);
    let _ = write!(out, "<div class=\"fm\"><h3>{name}");
    if m.drift {
        out.push_str(" <span class=\"lvl lvl-warn\">changed</span>");
    }
    let _ = write!(
        out,
        "</h3><p>{}</p>",
        Esc(&crate::words::form_metric(m, ctx.m.form))
    );
    let pts: Vec<_> = m.points.iter().filter(|p| p.value.is_finite()).collect();
    if pts.is_empty() {
        empty(out, "No runs with this metric to chart yet.");
        out.push_str("</div>");
        return;
    }
    let reference = day_number(ctx.m.form.reference);
    let first = pts
        .iter()
        .map(|p| day_number(p.date))
        .min()
        .unwrap_or(reference);
    let last = pts
        .iter()
        .map(|p| day_number(p.date))
        .max()
        .unwrap_or(reference);
    let dn0 = first.min(reference);
    let dn1 = last.max(reference) + 1;
    let baseline = m.baseline.filter(|b| b.is_finite());
    let lo = pts.iter().map(|p| p.value).fold(f64::INFINITY, f64::min);
    let hi = pts
        .iter()
        .map(|p| p.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo_all, hi_all) = match baseline {
        Some(b) => (lo.min(b), hi.max(b)),
        None => (lo, hi),
    };
    let (y_lo, y_hi, step) = svg::nice_range(lo_all, hi_all, 4.0);
    let f = Frame {
        w: 450.0,
        h: 190.0,
        left: 44.0,
        right: 14.0,
        top: 22.0,
        bottom: 26.0,
    };
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let ys = Linear::new(y_lo, y_hi, f.y0(), f.y1());
    let unit = crate::words::form_unit(m.metric);
    let id = ctx.chart_id();
    figure_open(
        out,
        &format!("{name} ({unit})"),
        &[
            ("sw-fb", "Baseline runs"),
            ("sw-fr", "Recent runs"),
            ("sw-base", "Baseline"),
        ],
    );
    let mut desc = format!(
        "{name} on {} runs from {} to {}, between {} and {} {unit}",
        pts.len(),
        Day(first),
        Day(last),
        F1(lo),
        F1(hi)
    );
    if let Some(b) = baseline {
        let _ = write!(desc, "; baseline {} {unit}", F1(b));
    }
    let _ = write!(
        desc,
        "; reference day {}; {}.",
        Day(reference),
        if m.drift {
            "a change from baseline is reported"
        } else {
            "no change from baseline is reported"
        }
    );
    svg::open(out, &id, &f, Esc(&format!("{name} trend")), Esc(&desc));
    svg::y_axis(out, &f, &ys, y_lo, y_hi, step, Side::Left, unit);
    svg::baseline(out, &f);
    let rx = xs.map(reference as f64);
    svg::vline(out, &f, "refl", rx);
    // Above the plot, where no point can cover it.
    svg::text(out, "rt m", rx, f.y1() - 6.0, "reference");
    if let Some(b) = baseline {
        svg::hline(out, &f, "basel", ys.map(b));
    }
    for p in &pts {
        let dn = day_number(p.date);
        let tip = format!("{}: {} {unit}", Day(dn), F1(p.value));
        svg::dot(
            out,
            if dn >= reference { "fr" } else { "fb" },
            xs.map(dn as f64 + 0.5),
            ys.map(p.value),
            3.0,
            Some(&Esc(&tip)),
        );
    }
    svg::time_axis(out, &f, &xs, dn0, dn1, 0.5);
    svg::close(out);
    let value_h = format!("{name} ({unit})");
    data_table_open(out, &["Run date", &value_h, "Part"]);
    let shown = &pts[pts.len().saturating_sub(TABLE_POINTS)..];
    for p in shown {
        let dn = day_number(p.date);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            Day(dn),
            F1(p.value),
            if dn >= reference {
                "recent"
            } else {
                "baseline"
            }
        );
    }
    let note = (shown.len() < pts.len())
        .then(|| format!("Showing the last {} of {} runs.", shown.len(), pts.len()));
    data_table_close(out, note.as_deref());
    out.push_str("</div>");
}
