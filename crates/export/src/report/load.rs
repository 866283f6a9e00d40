//! The load charts: weekly distance with mean next-morning pain and flag markers (the summary's
//! last 8 weeks and the whole history), the last 12 weeks day by day, and the load context
//! (monotony, strain and the acute:chronic ratio), which is shown and never flagged.
//!
//! Charts place weeks and days by day number, not by index, so a gap in the series shows as a
//! gap. The whole-history chart stays readable at ten years (≈520 weeks): bars thin to a
//! pixel or two, ticks fall back to years, per-point dots give way to a plain line, and the
//! data table is limited to the last 52 weeks with a note saying so.

use super::fmt::{day_number, Day, DayNoWeekday, Dist, DistU, Esc, F1, F2};
use super::svg::{self, Frame, Linear, Side};
use super::{
    data_table_close, data_table_open, empty, figure_open, level_class, max_level, Ctx, FlagTip,
};
use hamstride_analytics::series::{AcwrPoint, Day as SeriesDay, LoadBasis, Week};
use hamstride_analytics::SignalId;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Which weekly chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WeeklyStyle {
    /// The small chart next to the summary's table.
    Summary,
    /// The whole history.
    History,
}

/// Weeks listed in the whole-history chart's data table.
const HISTORY_TABLE_WEEKS: usize = 52;
/// Days in the daily view.
const DAILY_DAYS: i64 = 84;
/// Weeks in the load-context charts.
const CONTEXT_WEEKS: usize = 26;

/// The pain axis: diary scores are 0–10.
fn pain_scale(f: &Frame) -> Linear {
    Linear::new(0.0, 10.0, f.y0(), f.y1())
}

/// The tooltip of a bar: the week and its numbers.
struct WeekTip<'w> {
    w: &'w Week,
    pain: Option<f64>,
    u: super::Units,
}

impl std::fmt::Display for WeekTip<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Week of {}: {}, {} run{}",
            DayNoWeekday(day_number(self.w.start)),
            DistU(self.w.distance_m, self.u),
            self.w.runs,
            if self.w.runs == 1 { "" } else { "s" }
        )?;
        if let Some(p) = self.pain {
            write!(f, "; mean next-morning pain {}", F1(p))?;
        }
        if !self.w.complete {
            f.write_str(" (week in progress)")?;
        }
        Ok(())
    }
}

/// Weekly distance bars, mean next-morning pain on a 0–10 second axis, and a triangle above
/// each flagged week; then the data table. `weeks` must not be empty.
pub(super) fn weekly_chart(out: &mut String, ctx: &Ctx<'_>, weeks: &[Week], style: WeeklyStyle) {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return;
    };
    let (f, caption, table_limit) = match style {
        WeeklyStyle::Summary => (
            // Narrow viewBox: the chart shares the width with the table, and its labels must
            // stay legible when printed at a third of an A4 page.
            Frame {
                w: 330.0,
                h: 160.0,
                left: 30.0,
                right: 24.0,
                top: 20.0,
                bottom: 22.0,
            },
            "Weekly distance and morning pain",
            usize::MAX,
        ),
        WeeklyStyle::History => (
            Frame {
                w: 920.0,
                h: 280.0,
                left: 44.0,
                right: 34.0,
                top: 24.0,
                bottom: 26.0,
            },
            "Weekly distance and morning pain, whole history",
            HISTORY_TABLE_WEEKS,
        ),
    };
    let u = ctx.u;
    let dn0 = day_number(first.start);
    let dn1 = day_number(last.start) + 7;
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let ppw = 7.0 * xs.scale();
    let gap = (ppw * 0.22).min(8.0);
    let dists = || {
        weeks
            .iter()
            .map(|w| u.dist(w.distance_m))
            .filter(|d| d.is_finite())
    };
    let max = dists().fold(0.0, f64::max);
    let min = dists().fold(f64::INFINITY, f64::min);
    let min = if min.is_finite() { min } else { 0.0 };
    let (top, step) = svg::nice_max(max, 4.0);
    let ys = Linear::new(0.0, top, f.y0(), f.y1());
    let ps = pain_scale(&f);
    let flagged = weeks
        .iter()
        .filter(|w| ctx.week_flags.contains_key(&day_number(w.start)))
        .count();
    let pains: Vec<f64> = weeks
        .iter()
        .filter_map(|w| ctx.pain_weeks.get(&day_number(w.start)).copied())
        .collect();

    let id = ctx.chart_id();
    let keys: &[(&str, &str)] = match style {
        WeeklyStyle::Summary => &[
            ("sw-bar", "Distance"),
            ("sw-pain", "Morning pain (0–10)"),
            ("sw-flag", "Flag"),
        ],
        WeeklyStyle::History => &[
            ("sw-bar", "Distance"),
            ("sw-pain", "Mean next-morning pain (right axis, 0–10)"),
            ("sw-flag", "Flagged week"),
        ],
    };
    figure_open(out, caption, keys);
    let mut desc = format!(
        "Weekly distance over {} week{}, from {} to {} {}; {} week{} flagged",
        weeks.len(),
        if weeks.len() == 1 { "" } else { "s" },
        F1(min),
        F1(max),
        u.dist_unit(),
        flagged,
        if flagged == 1 { "" } else { "s" },
    );
    if pains.is_empty() {
        desc.push_str("; no next-morning pain recorded.");
    } else {
        let lo = pains.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = pains.iter().copied().fold(0.0, f64::max);
        let _ = write!(
            desc,
            "; mean next-morning pain recorded in {} weeks, from {} to {} out of 10.",
            pains.len(),
            F1(lo),
            F1(hi)
        );
    }
    svg::open(out, &id, &f, "Weekly distance and pain", Esc(&desc));
    svg::y_axis(out, &f, &ys, 0.0, top, step, Side::Left, u.dist_unit());
    svg::y_axis(out, &f, &ps, 0.0, 10.0, 2.0, Side::Right, "pain");
    for w in weeks {
        let dn = day_number(w.start);
        let tip = WeekTip {
            w,
            pain: ctx.pain_weeks.get(&dn).copied(),
            u,
        };
        svg::bar(
            out,
            if w.complete { "b" } else { "b cur" },
            xs.map(dn as f64) + gap / 2.0,
            ppw - gap,
            ys.map(u.dist(w.distance_m)),
            f.y0(),
            Some(&tip),
        );
    }
    svg::baseline(out, &f);
    let pain_point = |w: &Week| {
        let dn = day_number(w.start);
        ctx.pain_weeks
            .get(&dn)
            .map(|p| (xs.map(dn as f64 + 3.5), ps.map(*p)))
    };
    // Over years the weekly means zigzag; a thinner line keeps the bars readable beneath it.
    let line_class = if weeks.len() > 104 { "pl thin" } else { "pl" };
    svg::line(out, line_class, "pd", weeks.iter().map(pain_point));
    // Dots on every week only while they stay distinguishable.
    if weeks.len() <= 104 {
        for w in weeks {
            if let Some((x, y)) = pain_point(w) {
                svg::dot(out, "pd", x, y, 3.0, None);
            }
        }
    }
    let size = (ppw * 0.3).clamp(3.0, 6.0);
    for w in weeks {
        let dn = day_number(w.start);
        if let Some(fl) = ctx.week_flags.get(&dn) {
            let (class, _) = level_class(max_level(fl));
            svg::flag_marker(
                out,
                &format!("mk mk-{class}"),
                xs.map(dn as f64 + 3.5),
                ys.map(u.dist(w.distance_m)) - 2.0,
                size,
                &FlagTip(fl, ctx.u),
            );
        }
    }
    svg::time_axis(out, &f, &xs, dn0, dn1, 3.5);
    svg::close(out);

    let dist_h = format!("Distance ({})", u.dist_unit());
    data_table_open(
        out,
        &[
            "Week of",
            "Runs",
            &dist_h,
            "Next-morning pain (mean)",
            "Flags",
        ],
    );
    let shown = &weeks[weeks.len().saturating_sub(table_limit)..];
    for w in shown {
        let dn = day_number(w.start);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">",
            DayNoWeekday(dn),
            w.runs,
            Dist(w.distance_m, u),
            super::fmt::Opt(ctx.pain_weeks.get(&dn).map(|p| F1(*p)))
        );
        flag_labels(out, ctx, ctx.week_flags.get(&dn).map(Vec::as_slice));
        out.push_str("</td></tr>");
    }
    let note = (shown.len() < weeks.len()).then(|| {
        format!(
            "Showing the last {} of {} weeks; the chart shows them all.",
            shown.len(),
            weeks.len()
        )
    });
    data_table_close(out, note.as_deref());
}

/// The distinct signal labels of some flags, for a table cell.
fn flag_labels(
    out: &mut String,
    ctx: &Ctx<'_>,
    flags: Option<&[&hamstride_analytics::series::Flag]>,
) {
    let Some(flags) = flags.filter(|f| !f.is_empty()) else {
        out.push('–');
        return;
    };
    let mut seen: Vec<SignalId> = Vec::new();
    for f in flags {
        if !seen.contains(&f.signal) {
            seen.push(f.signal);
        }
    }
    for (i, id) in seen.iter().enumerate() {
        let _ = write!(
            out,
            "{}{}",
            if i == 0 { "" } else { "; " },
            Esc(&ctx.signal(*id).label)
        );
    }
}

pub(super) fn history(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"history\" aria-labelledby=\"history-h\">\
         <h2 id=\"history-h\">Weekly load and pain</h2>\n",
    );
    let weeks = &ctx.m.analysis.weeks;
    if weeks.is_empty() {
        empty(
            out,
            "No runs recorded yet. Once watch data is imported, each week's distance appears here.",
        );
    } else {
        out.push_str(
            "<p>Each bar is one Monday-to-Sunday week (the lighter bar is the week in progress). \
             The line is the mean next-morning pain of the diary days in that week, on the right-hand \
             0–10 axis. Triangles mark weeks with a flag: red for strong, amber for a warning; point \
             at one to read it.</p>\n",
        );
        weekly_chart(out, ctx, weeks, WeeklyStyle::History);
    }
    out.push_str("</section>\n");
}

/// The last `DAILY_DAYS` of the daily series (the series is oldest first, so from the end).
fn recent_days(days: &[SeriesDay], from: i64) -> &[SeriesDay] {
    let n = days
        .iter()
        .rev()
        .take_while(|d| day_number(d.date) >= from)
        .count();
    &days[days.len() - n..]
}

pub(super) fn daily(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"daily\" aria-labelledby=\"daily-h\">\
         <h2 id=\"daily-h\">Last 12 weeks, day by day</h2>\n",
    );
    let u = ctx.u;
    let dn1 = ctx.today + 1;
    let dn0 = dn1 - DAILY_DAYS;
    let days: BTreeMap<i64, &SeriesDay> = recent_days(&ctx.m.analysis.days, dn0)
        .iter()
        .map(|d| (day_number(d.date), d))
        .filter(|(dn, _)| *dn < dn1)
        .collect();
    let pains: Vec<(i64, u8)> = ctx
        .pain_days
        .range(dn0..dn1)
        .filter_map(|(dn, p)| p.next_morning.map(|v| (*dn, v)))
        .collect();
    let flagged: Vec<_> = ctx.day_flags.range(dn0..dn1).collect();
    let run_days = days.values().filter(|d| d.runs > 0).count();
    if run_days == 0 && pains.is_empty() && flagged.is_empty() {
        empty(out, "No runs or diary entries in the last 12 weeks.");
        out.push_str("</section>\n");
        return;
    }
    out.push_str(
        "<p>One bar per day. Red and amber triangles mark flagged runs; dots are the next-morning \
         pain recorded for that day's load (right-hand axis, 0–10).</p>\n",
    );
    let f = Frame {
        w: 920.0,
        h: 240.0,
        left: 44.0,
        right: 34.0,
        top: 24.0,
        bottom: 26.0,
    };
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let ppd = xs.scale();
    let gap = (ppd * 0.25).min(3.0);
    let dist = |dn: i64| days.get(&dn).map(|d| u.dist(d.distance_m)).unwrap_or(0.0);
    let max_m = days
        .values()
        .map(|d| d.distance_m)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let max = u.dist(max_m);
    let total: f64 = days
        .values()
        .map(|d| d.distance_m)
        .filter(|v| v.is_finite())
        .sum();
    let runs: u32 = days.values().map(|d| d.runs).sum();
    let (top, step) = svg::nice_max(max, 4.0);
    let ys = Linear::new(0.0, top, f.y0(), f.y1());
    let ps = pain_scale(&f);

    let id = ctx.chart_id();
    figure_open(
        out,
        "Daily distance, flagged runs and next-morning pain",
        &[
            ("sw-bar", "Distance"),
            ("sw-painpt", "Next-morning pain (right axis, 0–10)"),
            ("sw-flag", "Flagged run"),
        ],
    );
    let mut desc = format!(
        "Daily running distance from {} to {}: {runs} run{}, {} in total, at most {} on one day; {} flagged day{}",
        Day(dn0),
        Day(dn1 - 1),
        if runs == 1 { "" } else { "s" },
        DistU(total, u),
        DistU(max_m, u),
        flagged.len(),
        if flagged.len() == 1 { "" } else { "s" },
    );
    if pains.is_empty() {
        desc.push_str("; no next-morning pain recorded.");
    } else {
        let lo = pains.iter().map(|p| p.1).min().unwrap_or(0);
        let hi = pains.iter().map(|p| p.1).max().unwrap_or(0);
        let _ = write!(
            desc,
            "; next-morning pain recorded on {} days, from {lo} to {hi} out of 10.",
            pains.len()
        );
    }
    svg::open(out, &id, &f, "Daily distance and pain", Esc(&desc));
    svg::y_axis(out, &f, &ys, 0.0, top, step, Side::Left, u.dist_unit());
    svg::y_axis(out, &f, &ps, 0.0, 10.0, 2.0, Side::Right, "pain");
    for (dn, d) in &days {
        if d.distance_m > 0.0 {
            let tip = format!(
                "{}: {}, {} run{}",
                Day(*dn),
                DistU(d.distance_m, u),
                d.runs,
                if d.runs == 1 { "" } else { "s" }
            );
            svg::bar(
                out,
                "b",
                xs.map(*dn as f64) + gap / 2.0,
                ppd - gap,
                ys.map(dist(*dn)),
                f.y0(),
                Some(&Esc(&tip)),
            );
        }
    }
    svg::baseline(out, &f);
    for (dn, p) in &pains {
        let tip = format!("{}: next-morning pain {p}/10", Day(*dn));
        svg::dot(
            out,
            "pd",
            xs.map(*dn as f64 + 0.5),
            ps.map(f64::from(*p)),
            3.5,
            Some(&Esc(&tip)),
        );
    }
    let size = (ppd * 0.4).clamp(3.0, 6.0);
    for (dn, fl) in &flagged {
        let (class, _) = level_class(max_level(fl));
        svg::flag_marker(
            out,
            &format!("mk mk-{class}"),
            xs.map(**dn as f64 + 0.5),
            ys.map(dist(**dn)) - 2.0,
            size,
            &FlagTip(fl, ctx.u),
        );
    }
    svg::time_axis(out, &f, &xs, dn0, dn1, 0.5);
    svg::close(out);

    let dist_h = format!("Distance ({})", u.dist_unit());
    data_table_open(out, &["Day", "Runs", &dist_h, "Next-morning pain", "Flags"]);
    for dn in dn0..dn1 {
        let d = days.get(&dn);
        let p = ctx.pain_days.get(&dn).and_then(|p| p.next_morning);
        let fl = ctx.day_flags.get(&dn);
        if d.is_none_or(|d| d.runs == 0) && p.is_none() && fl.is_none() {
            continue;
        }
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">",
            Day(dn),
            d.map_or(0, |d| d.runs),
            Dist(d.map_or(0.0, |d| d.distance_m), u),
            super::fmt::Opt(p)
        );
        flag_labels(out, ctx, fl.map(Vec::as_slice));
        out.push_str("</td></tr>");
    }
    data_table_close(
        out,
        Some("Days without a run, a diary score or a flag are left out."),
    );
    out.push_str("</section>\n");
}

fn basis_text(b: LoadBasis) -> &'static str {
    match b {
        LoadBasis::SessionRpe => "session-RPE (your effort rating × minutes)",
        LoadBasis::HeartRate => "heart-rate load (Banister)",
        LoadBasis::Minutes => "running minutes",
    }
}

pub(super) fn context(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"context\" aria-labelledby=\"context-h\">\
         <h2 id=\"context-h\">Load context</h2>\n",
    );
    let a = ctx.m.analysis;
    if a.weeks.is_empty() {
        empty(
            out,
            "No runs recorded yet, so there is no load context to show.",
        );
        out.push_str("</section>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>Load here is measured as {}. These measures are context only: none of them raises a flag.</p>",
        basis_text(a.basis)
    );
    let weeks = &a.weeks[a.weeks.len().saturating_sub(CONTEXT_WEEKS)..];
    out.push_str("<h3>Monotony and strain, last 26 weeks</h3>\n");
    let _ = writeln!(
        out,
        "<p class=\"meaning\">{}</p>",
        Esc(&ctx.signal(SignalId::Monotony).meaning)
    );
    if weeks
        .iter()
        .all(|w| w.monotony.is_none() && w.strain.is_none())
    {
        empty(
            out,
            "Monotony needs a week whose daily load varies; there is none in the last 26 weeks.",
        );
    } else {
        out.push_str("<div class=\"cols2\"><div>");
        monotony_chart(out, ctx, weeks);
        out.push_str("</div><div>");
        strain_chart(out, ctx, weeks);
        out.push_str("</div></div>\n");
    }
    out.push_str("<h3>Acute:chronic load ratio, last 26 weeks</h3>\n");
    let s = ctx.signal(SignalId::Acwr);
    out.push_str("<div class=\"callout\"><p><strong>");
    if s.grade.chars().count() == 1 {
        let _ = write!(out, "Grade {}", Esc(&s.grade));
    } else {
        // `Words` escapes as it capitalises.
        let _ = write!(out, "{}", super::fmt::Words(&s.grade));
    }
    let _ = writeln!(
        out,
        " evidence, display only.</strong> {}</p></div>",
        Esc(&s.meaning)
    );
    acwr_chart(out, ctx);
    out.push_str("</section>\n");
}

fn small_frame() -> Frame {
    Frame {
        w: 450.0,
        h: 200.0,
        left: 40.0,
        right: 14.0,
        top: 22.0,
        bottom: 26.0,
    }
}

fn week_span(weeks: &[Week]) -> (i64, i64) {
    let dn0 = weeks.first().map_or(0, |w| day_number(w.start));
    let dn1 = weeks.last().map_or(7, |w| day_number(w.start) + 7);
    (dn0, dn1)
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn monotony_chart(out: &mut String, ctx: &Ctx<'_>, weeks: &[Week]) {
    let f = small_frame();
    let (dn0, dn1) = week_span(weeks);
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let vals: Vec<f64> = weeks.iter().filter_map(|w| finite(w.monotony)).collect();
    let max = vals.iter().copied().fold(0.0, f64::max);
    let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let (top, step) = svg::nice_max(max, 4.0);
    let ys = Linear::new(0.0, top, f.y0(), f.y1());
    let id = ctx.chart_id();
    figure_open(out, "Monotony per week", &[("sw-mono", "Monotony")]);
    let desc = if vals.is_empty() {
        format!(
            "Monotony over {} weeks: no week had varied daily load.",
            weeks.len()
        )
    } else {
        format!(
            "Monotony over {} weeks, known for {} of them, from {} to {}.",
            weeks.len(),
            vals.len(),
            F2(min),
            F2(max)
        )
    };
    svg::open(out, &id, &f, "Monotony per week", Esc(&desc));
    svg::y_axis(out, &f, &ys, 0.0, top, step, Side::Left, "");
    svg::baseline(out, &f);
    let pt = |w: &Week| {
        finite(w.monotony).map(|m| (xs.map(day_number(w.start) as f64 + 3.5), ys.map(m)))
    };
    svg::line(out, "ml", "md", weeks.iter().map(pt));
    for w in weeks {
        if let Some((x, y)) = pt(w) {
            let tip = format!(
                "Week of {}: monotony {}",
                DayNoWeekday(day_number(w.start)),
                F2(w.monotony.unwrap_or(0.0))
            );
            svg::dot(out, "md", x, y, 2.5, Some(&Esc(&tip)));
        }
    }
    svg::time_axis(out, &f, &xs, dn0, dn1, 3.5);
    svg::close(out);
    data_table_open(out, &["Week of", "Monotony"]);
    for w in weeks {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td></tr>",
            DayNoWeekday(day_number(w.start)),
            super::fmt::Opt(finite(w.monotony).map(F2))
        );
    }
    data_table_close(out, None);
}

fn strain_chart(out: &mut String, ctx: &Ctx<'_>, weeks: &[Week]) {
    let f = small_frame();
    let (dn0, dn1) = week_span(weeks);
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let ppw = 7.0 * xs.scale();
    let gap = (ppw * 0.25).min(6.0);
    let vals: Vec<f64> = weeks.iter().filter_map(|w| finite(w.strain)).collect();
    let max = vals.iter().copied().fold(0.0, f64::max);
    let (top, step) = svg::nice_max(max, 4.0);
    let ys = Linear::new(0.0, top, f.y0(), f.y1());
    let id = ctx.chart_id();
    figure_open(
        out,
        "Strain per week (load × monotony)",
        &[("sw-strain", "Strain")],
    );
    let desc = if vals.is_empty() {
        format!("Strain over {} weeks: not known for any week.", weeks.len())
    } else {
        format!(
            "Strain over {} weeks, known for {} of them, highest {}.",
            weeks.len(),
            vals.len(),
            super::fmt::Int(max)
        )
    };
    svg::open(out, &id, &f, "Strain per week", Esc(&desc));
    svg::y_axis(out, &f, &ys, 0.0, top, step, Side::Left, "");
    for w in weeks {
        if let Some(s) = finite(w.strain) {
            let dn = day_number(w.start);
            let tip = format!(
                "Week of {}: strain {}",
                DayNoWeekday(dn),
                super::fmt::Int(s)
            );
            svg::bar(
                out,
                "st",
                xs.map(dn as f64) + gap / 2.0,
                ppw - gap,
                ys.map(s),
                f.y0(),
                Some(&Esc(&tip)),
            );
        }
    }
    svg::baseline(out, &f);
    svg::time_axis(out, &f, &xs, dn0, dn1, 3.5);
    svg::close(out);
    data_table_open(out, &["Week of", "Load", "Strain"]);
    for w in weeks {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            DayNoWeekday(day_number(w.start)),
            super::fmt::Int(w.load),
            super::fmt::Opt(finite(w.strain).map(super::fmt::Int))
        );
    }
    data_table_close(out, None);
}

/// A ratio point that may be drawn: covered and finite.
fn ratio(p: &AcwrPoint, v: Option<f64>) -> Option<f64> {
    if p.covered {
        finite(v)
    } else {
        None
    }
}

fn acwr_chart(out: &mut String, ctx: &Ctx<'_>) {
    let dn1 = ctx.today + 1;
    let all = &ctx.m.analysis.acwr;
    // A shorter history uses the whole width rather than leaving months of blank axis.
    let dn0 =
        (dn1 - 7 * CONTEXT_WEEKS as i64).max(all.first().map_or(i64::MIN, |p| day_number(p.date)));
    let n = all
        .iter()
        .rev()
        .take_while(|p| day_number(p.date) >= dn0)
        .count();
    let pts: Vec<&AcwrPoint> = all[all.len() - n..]
        .iter()
        .filter(|p| day_number(p.date) < dn1)
        .collect();
    let vals: Vec<f64> = pts
        .iter()
        .flat_map(|p| [ratio(p, p.uncoupled), ratio(p, p.ewma)])
        .flatten()
        .collect();
    if vals.is_empty() {
        let t = &ctx.m.signals.t;
        empty(
            out,
            &format!(
                "Not enough history for the ratio yet: it needs {} days of runs and at least {} \
                 activities in the {} days before the last {}.",
                super::fmt::Int(t.acwr_acute_days + t.acwr_chronic_days),
                super::fmt::Int(t.acwr_min_chronic_activities),
                super::fmt::Int(t.acwr_chronic_days),
                super::fmt::Int(t.acwr_acute_days)
            ),
        );
        return;
    }
    let f = Frame {
        w: 920.0,
        h: 220.0,
        left: 44.0,
        right: 20.0,
        top: 24.0,
        bottom: 26.0,
    };
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let max = vals.iter().copied().fold(0.0, f64::max).max(1.5);
    let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let (top, step) = svg::nice_max(max, 4.0);
    let ys = Linear::new(0.0, top, f.y0(), f.y1());
    let covered = pts.iter().filter(|p| p.covered).count();
    let id = ctx.chart_id();
    figure_open(
        out,
        "Acute:chronic load ratio (display only)",
        &[
            ("sw-au", "Uncoupled"),
            ("sw-ae", "EWMA"),
            ("sw-one", "1.0 = same as usual"),
        ],
    );
    let desc = format!(
        "Acute:chronic load ratio from {} to {}, shown on {} of {} days (gaps where history is too short), \
         ranging from {} to {}. Display only; it never raises a flag.",
        Day(dn0),
        Day(dn1 - 1),
        covered,
        pts.len(),
        F2(min),
        F2(max)
    );
    svg::open(out, &id, &f, "Acute:chronic load ratio", Esc(&desc));
    svg::y_axis(out, &f, &ys, 0.0, top, step, Side::Left, "ratio");
    svg::hline(out, &f, "one", ys.map(1.0));
    svg::baseline(out, &f);
    let x = |p: &AcwrPoint| xs.map(day_number(p.date) as f64 + 0.5);
    svg::line(
        out,
        "au",
        "aud",
        pts.iter()
            .map(|p| ratio(p, p.uncoupled).map(|v| (x(p), ys.map(v)))),
    );
    svg::line(
        out,
        "ae",
        "aed",
        pts.iter()
            .map(|p| ratio(p, p.ewma).map(|v| (x(p), ys.map(v)))),
    );
    svg::time_axis(out, &f, &xs, dn0, dn1, 0.5);
    svg::close(out);
    data_table_open(out, &["Day", "Uncoupled", "EWMA"]);
    // One row per week (every 7th day back from the last), so the table stays readable.
    let rows: Vec<&&AcwrPoint> = pts.iter().rev().step_by(7).collect();
    for p in rows.into_iter().rev() {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            Day(day_number(p.date)),
            super::fmt::Opt(ratio(p, p.uncoupled).map(F2)),
            super::fmt::Opt(ratio(p, p.ewma).map(F2))
        );
    }
    data_table_close(
        out,
        Some("One row per week (every 7th day back from the last); “–” where the ratio is not shown."),
    );
}
