//! "Assessments and check-ins": the runner's record after the summary page. Every assessment
//! (date, level, most likely condition, whether its plan is the one being followed), then the
//! check-in timeline: a small chart of the pain scores each check-in gave with its decision
//! marked above (its text alternative: a `<desc>` and a data table), and a table of every
//! check-in with the decision and why, in the words of `crate::words`.
//!
//! The chart reuses the report's primitives (`svg`), and colours keep their meaning across
//! the report: orange is pain; the decision marks use the flag colours for the decisions that
//! ask for care (step back amber, see a doctor red).

use super::fmt::{day_number, Day, DayShort, Esc, Pct};
use super::svg::{self, Frame, Linear, Side};
use super::{data_table_close, data_table_open, empty, figure_open, CheckinPoint, Ctx};
use hamstride_core::plan::Verdict;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Check-ins listed in the timeline table (newest); the chart shows them all.
const TABLE_CHECKINS: usize = 60;
/// The chart spans at least this many days, so two check-ins a day apart are not a wall.
const MIN_SPAN_DAYS: i64 = 14;

/// Every decision, in the order the chart's keys and description list them.
const VERDICTS: [Verdict; 5] = [
    Verdict::Progress,
    Verdict::Hold,
    Verdict::StepBack,
    Verdict::Escalate,
    Verdict::ScreenOnly,
];

/// The decisions the chart's keys and description list: every judged one, and "Recorded" (a
/// check-in of only the warning-sign screen) only when some check-in was one.
fn shown_verdicts(all: &[CheckinPoint]) -> impl Iterator<Item = Verdict> + '_ {
    VERDICTS
        .into_iter()
        .filter(move |&v| v != Verdict::ScreenOnly || all.iter().any(|c| c.decision.verdict == v))
}

/// A decision's CSS class and word.
pub(super) fn verdict_class(v: Verdict) -> (&'static str, &'static str) {
    let class = match v {
        Verdict::Progress => "progress",
        Verdict::Hold => "hold",
        Verdict::StepBack => "step",
        Verdict::Escalate => "doctor",
        // Only the warning-sign check: the plan stayed where it was, so a hold's neutral grey.
        Verdict::ScreenOnly => "hold",
    };
    (class, crate::words::verdict(v))
}

pub(super) fn write(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"record\" aria-labelledby=\"record-h\">\
         <h2 id=\"record-h\">Assessments and check-ins</h2>\n",
    );
    assessments(out, ctx);
    checkins(out, ctx);
    out.push_str("</section>\n");
}

fn assessments(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str("<h3>Assessments</h3>\n");
    let all = ctx.m.assessments;
    if all.is_empty() {
        empty(out, "No assessment recorded.");
        return;
    }
    out.push_str(
        "<div class=\"tw\" tabindex=\"0\"><table class=\"record\"><thead><tr><th scope=\"col\">Date</th>\
         <th scope=\"col\">Level</th><th scope=\"col\">Most likely</th>\
         <th scope=\"col\">Plan</th></tr></thead><tbody>",
    );
    // Newest first: the one that matters now leads.
    for a in all.iter().rev() {
        let (class, _) = super::summary::triage(&a.level);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td><span class=\"tri tri-{class}\">{}</span></td>\
             <td>{} ({})</td><td>{}</td></tr>",
            Day(day_number(a.date)),
            Esc(&super::summary::level_label(&a.level)),
            Esc(&a.condition),
            Pct(a.probability),
            if a.active {
                "<strong>being followed</strong>"
            } else {
                "<span class=\"muted\">in the plan history</span>"
            }
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn checkins(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str("<h3>Check-ins</h3>\n");
    let all = ctx.m.checkins;
    if all.is_empty() {
        empty(
            out,
            "No check-ins yet. Each check-in (hamstride checkin) adds its pain scores and the \
             plan's decision here.",
        );
        return;
    }
    chart(out, ctx, all);
    timeline(out, all);
}

/// The chart's lines: next-morning pain solid, during dashed, straight after dotted.
const LINES: [&str; 3] = ["pl", "pl pdur", "pl paft"];

/// A check-in's scores in the order of [`LINES`], capped at 10 like the diary's.
fn scores(c: &CheckinPoint) -> [Option<u8>; 3] {
    [c.pain_morning, c.pain_during, c.pain_after].map(|v| v.map(|v| v.min(10)))
}

/// A check-in's tooltip: the date, the decision and the scores.
fn tip(c: &CheckinPoint) -> String {
    let (_, word) = verdict_class(c.decision.verdict);
    let mut t = format!("{}: {word}", Day(day_number(c.date)));
    for (label, v) in [
        ("during", c.pain_during),
        ("after", c.pain_after),
        ("next morning", c.pain_morning),
    ] {
        if let Some(v) = v {
            let _ = write!(t, "; pain {label} {}/10", v.min(10));
        }
    }
    t
}

/// The chart's description: how many check-ins, over which days, each decision counted, and
/// the range of next-morning pain.
fn describe(all: &[CheckinPoint]) -> String {
    let first = all.first().map_or(0, |c| day_number(c.date));
    let last = all.last().map_or(0, |c| day_number(c.date));
    let count = |v: Verdict| all.iter().filter(|c| c.decision.verdict == v).count();
    let mut d = format!(
        "{} check-in{} from {} to {}: ",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        Day(first),
        Day(last)
    );
    let parts: Vec<String> = shown_verdicts(all)
        .map(|v| format!("{} {}", count(v), crate::words::verdict(v).to_lowercase()))
        .collect();
    d.push_str(&parts.join(", "));
    let mornings: Vec<u8> = all.iter().filter_map(|c| c.pain_morning).collect();
    match (
        mornings.iter().min(),
        mornings.iter().max(),
        mornings.last(),
    ) {
        (Some(lo), Some(hi), Some(now)) => {
            let _ = write!(
                d,
                "; next-morning pain from {} to {} out of 10, {} at the last.",
                lo.min(&10),
                hi.min(&10),
                now.min(&10)
            );
        }
        _ => d.push_str("; no next-morning pain given."),
    }
    d
}

fn chart(out: &mut String, ctx: &Ctx<'_>, all: &[CheckinPoint]) {
    let f = Frame {
        w: 920.0,
        h: 222.0,
        // Room for the "decision" label left of the marks, also on a narrow printed page.
        left: 64.0,
        right: 20.0,
        top: 46.0,
        bottom: 26.0,
    };
    let first = all.first().map_or(0, |c| day_number(c.date));
    let last = all.last().map_or(0, |c| day_number(c.date));
    let dn0 = first;
    let dn1 = (last + 1).max(first + MIN_SPAN_DAYS);
    let xs = Linear::new(dn0 as f64, dn1 as f64, f.x0(), f.x1());
    let ys = Linear::new(0.0, 10.0, f.y0(), f.y1());
    let xpos = x_positions(all, &xs);

    let id = ctx.chart_id();
    // The decisions' keys in the words of `words::verdict`, as the marks' tooltips.
    let decisions: Vec<(String, &str)> = shown_verdicts(all)
        .map(|v| {
            let (class, word) = verdict_class(v);
            (format!("sw-{class}"), word)
        })
        .collect();
    let mut keys = vec![
        ("sw-pain", "Next morning"),
        ("sw-pdur", "During"),
        ("sw-paft", "Straight after"),
    ];
    keys.extend(decisions.iter().map(|(c, w)| (c.as_str(), *w)));
    figure_open(out, "Pain at each check-in, and the decision", &keys);
    svg::open(
        out,
        &id,
        &f,
        "Pain and decisions at each check-in",
        Esc(&describe(all)),
    );
    svg::y_axis(out, &f, &ys, 0.0, 10.0, 2.0, Side::Left, "pain");
    svg::baseline(out, &f);
    for (k, class) in LINES.iter().enumerate() {
        // A check-in without this score breaks the line rather than drawing it through zero.
        let points = all
            .iter()
            .zip(&xpos)
            .map(|(c, x)| scores(c)[k].map(|v| (*x, ys.map(f64::from(v)))));
        svg::line(out, class, "pd", points);
    }
    for (c, &x) in all.iter().zip(&xpos) {
        if let Some(v) = c.pain_morning {
            svg::dot(
                out,
                "pd",
                x,
                ys.map(f64::from(v.min(10))),
                3.0,
                Some(&Esc(&tip(c))),
            );
        }
        let (class, _) = verdict_class(c.decision.verdict);
        svg::dot(
            out,
            &format!("vd-{class}"),
            x,
            f.y1() - 30.0,
            4.5,
            Some(&Esc(&tip(c))),
        );
    }
    svg::text(out, "e", f.x0() - 8.0, f.y1() - 26.5, "decision");
    svg::time_axis(out, &f, &xs, dn0, dn1, 0.5);
    svg::close(out);
    chart_table(out, all);
}

/// Where each check-in goes across the chart: check-ins of one day share the day's width in
/// the order they were made, so a second check-in that day is not drawn over the first.
fn x_positions(all: &[CheckinPoint], xs: &Linear) -> Vec<f64> {
    let mut per_day: BTreeMap<i64, usize> = BTreeMap::new();
    for c in all {
        *per_day.entry(day_number(c.date)).or_default() += 1;
    }
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    all.iter()
        .map(|c| {
            let dn = day_number(c.date);
            let k = seen.entry(dn).or_default();
            *k += 1;
            let n = per_day.get(&dn).copied().unwrap_or(1);
            xs.map(dn as f64 + *k as f64 / (n + 1) as f64)
        })
        .collect()
}

/// The chart's text alternative: its numbers as a table.
fn chart_table(out: &mut String, all: &[CheckinPoint]) {
    data_table_open(
        out,
        &[
            "Check-in",
            "Decision",
            "During",
            "Straight after",
            "Next morning",
        ],
    );
    for c in all {
        let (_, word) = verdict_class(c.decision.verdict);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{word}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            DayShort(day_number(c.date)),
            super::fmt::Opt(c.pain_during),
            super::fmt::Opt(c.pain_after),
            super::fmt::Opt(c.pain_morning)
        );
    }
    data_table_close(
        out,
        Some("Pain scores are 0 (none) to 10 (worst imaginable)."),
    );
}

/// Every check-in (the newest [`TABLE_CHECKINS`]) with its decision, what it was decided on
/// and what changed.
fn timeline(out: &mut String, all: &[CheckinPoint]) {
    let shown = &all[all.len().saturating_sub(TABLE_CHECKINS)..];
    if shown.len() < all.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\">The newest {} of {} check-ins; the chart shows them all.</p>",
            shown.len(),
            all.len()
        );
    }
    out.push_str(
        "<div class=\"tw\" tabindex=\"0\"><table class=\"record timeline\"><thead><tr>\
         <th scope=\"col\">Date</th><th scope=\"col\">Decision</th>\
         <th scope=\"col\" class=\"n\">During <span class=\"hu\">(0–10)</span></th>\
         <th scope=\"col\" class=\"n\">After</th><th scope=\"col\" class=\"n\">Next morning</th>\
         <th scope=\"col\">Why, and what changed</th></tr></thead><tbody>",
    );
    for c in shown.iter().rev() {
        let (class, word) = verdict_class(c.decision.verdict);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td><span class=\"vd vd-{class}\">{word}</span></td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"why\">",
            Day(day_number(c.date)),
            super::fmt::Opt(c.pain_during),
            super::fmt::Opt(c.pain_after),
            super::fmt::Opt(c.pain_morning)
        );
        let texts: Vec<String> = c
            .decision
            .reasons
            .iter()
            .take(1)
            .map(crate::words::plan_reason)
            .chain(c.decision.changes.iter().map(crate::words::plan_change))
            .collect();
        if texts.is_empty() {
            out.push_str("<span class=\"muted\">–</span>");
        }
        for (i, t) in texts.iter().enumerate() {
            let _ = write!(out, "{}{}", if i == 0 { "" } else { " " }, Esc(t));
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></div>\n");
}
