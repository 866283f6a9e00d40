//! The first page: what a physio or doctor needs at a glance, sized to print as one A4 page.
//! The level and plan as they are now with red flags boxed first (red flags come before
//! probabilities), the latest assessment's findings for and against in plain words,
//! the last 8 weeks of load as a table and a small chart, the last 14 diary entries, the plan
//! and how it was followed, and the flags of those 8 weeks. Long lists are capped (with a
//! note saying how many more there are) so the page cannot spill onto a second sheet.

use super::fmt::{date, day_number, truncate, Day, Dist, DistU, Esc, Int, Words, F1};
use super::{empty, level_class, load, Ctx};
use hamstride_analytics::adherence::{Adherence, Issue};
use hamstride_analytics::form::Side;
use std::fmt::{Display, Formatter, Write as _};

/// Weeks in the summary's load table and chart.
const WEEKS: usize = 8;
/// Diary entries shown.
const DIARY: usize = 14;
/// Flags and sessions shown before "and N more".
const MAX_FLAGS: usize = 5;
const MAX_SESSIONS: usize = 4;
const MAX_UNPLANNED: usize = 3;
/// Characters of a diary note shown.
const NOTE_CHARS: usize = 80;

pub(super) fn write(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"summary\" class=\"summary\" aria-labelledby=\"summary-h\">\
         <h2 id=\"summary-h\">For your physio or doctor</h2>\n",
    );
    assessment(out, ctx);
    load_weeks(out, ctx);
    diary(out, ctx);
    flags(out, ctx);
    adherence(out, ctx);
    out.push_str("</section>\n");
}

/// The triage level as a CSS class and a plain label (the record's table uses it too).
pub(super) fn triage(level: &str) -> (&'static str, Option<&'static str>) {
    match level {
        "emergency" => ("emergency", Some("Emergency")),
        "urgent" => ("urgent", Some("Urgent")),
        "clinician" => ("clinician", Some("See a clinician")),
        "self_care" => ("self", Some("Self-care")),
        _ => ("other", None),
    }
}

/// A level's plain label, or its id in words when it is not one of the four. Not escaped:
/// callers write it through `Esc`.
pub(super) fn level_label(level: &str) -> String {
    triage(level)
        .1
        .map_or_else(|| level.replace('_', " "), str::to_string)
}

/// Characters of the last check-in's reason shown on the summary page.
const REASON_CHARS: usize = 140;

/// The level and plan as they are now, then the latest assessment: the triage the runner
/// follows today (raised by a check-in, or the plan's, when that is higher than the latest
/// assessment's), the red flags, the plan's phase and day and its last decision, and what the
/// latest assessment found for and against its leading condition.
fn assessment(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str("<h3>Now</h3>\n");
    let a = ctx.m.assessment;
    if a.is_none() && ctx.m.plan.is_none() {
        empty(out, "No assessment recorded.");
        return;
    }
    out.push_str("<div class=\"assess\">");
    if let Some(a) = a {
        level_now(out, a);
    }
    plan_now(out, ctx);
    match a {
        Some(a) => latest(out, ctx, a),
        None => empty(out, "No assessment recorded."),
    }
    out.push_str("</div>\n");
}

fn level_now(out: &mut String, a: &super::AssessmentSummary) {
    let (class, _) = triage(&a.triage_level);
    let _ = write!(
        out,
        "<p class=\"triage\"><span class=\"tri tri-{class}\">{}</span> {}</p>",
        Esc(&level_label(&a.triage_level)),
        Esc(&a.triage_headline)
    );
    match (a.plan_assessed, &a.triage_at_assessment) {
        (Some(made), _) => {
            let _ = write!(
                out,
                "<p class=\"note\">The plan being followed was made from the assessment of {}; \
                 the plan from the latest one ({}{}) waits in the plan history.</p>",
                date(made),
                date(a.date),
                a.triage_at_assessment
                    .as_deref()
                    .map(|l| format!(", then: {}", level_label(l)))
                    .map_or_else(String::new, |t| Esc(&t).to_string())
            );
        }
        (None, Some(first)) => {
            let _ = write!(
                out,
                "<p class=\"note\">Raised by a check-in since the assessment of {} (then: {}).</p>",
                date(a.date),
                Esc(&level_label(first))
            );
        }
        (None, None) => {}
    }
    if !a.red_flags.is_empty() {
        out.push_str("<div class=\"redflags\"><p class=\"rf-h\">Red flags reported</p><ul>");
        for r in &a.red_flags {
            let _ = write!(out, "<li>{}</li>", Esc(r));
        }
        out.push_str("</ul></div>");
    }
}

/// The plan in a line (protocol, phase, day) and its last decision in another.
fn plan_now(out: &mut String, ctx: &Ctx<'_>) {
    let Some(p) = ctx.m.plan else {
        return;
    };
    let _ = write!(
        out,
        "<p class=\"plan\"><span class=\"k\">Plan:</span> <strong>{}</strong> · Phase {} of {}: \
         {} (day {} of the phase) · day {} since the pain began",
        Esc(&p.protocol),
        p.phase_number,
        p.phases,
        Esc(&p.phase),
        p.day_in_phase,
        p.days_since_onset
    );
    out.push_str("</p>");
    if p.running_waits {
        // The check-in's own sentence for it (one voice).
        let _ = write!(
            out,
            "<p class=\"plan\"><strong>{}</strong></p>",
            Esc(&crate::words::plan_change(
                &hamstride_core::plan::Change::RunningWaits
            ))
        );
    }
    if let Some(c) = ctx.m.checkins.iter().rev().find(|c| c.this_plan) {
        let (class, word) = super::record::verdict_class(c.decision.verdict);
        let _ = write!(
            out,
            "<p class=\"plan\"><span class=\"k\">Last check-in</span> {}: \
             <span class=\"vd vd-{class}\">{word}</span>",
            date(c.date)
        );
        if let Some(r) = c.decision.reasons.first() {
            let _ = write!(
                out,
                " {}",
                Esc(&truncate(&crate::words::plan_reason(r), REASON_CHARS))
            );
        }
        out.push_str("</p>");
    }
}

/// The latest assessment: the leading condition, the findings for and against it, the others.
fn latest(out: &mut String, ctx: &Ctx<'_>, a: &super::AssessmentSummary) {
    let n = ctx.m.assessments.len();
    let _ = write!(
        out,
        "<p class=\"lead\">Most likely: <strong>{}</strong> ({}) · assessed {}",
        Esc(&a.condition),
        super::fmt::Pct(a.probability),
        date(a.date)
    );
    if n > 1 || !ctx.m.checkins.is_empty() {
        let c = ctx.m.checkins.len();
        let _ = write!(
            out,
            " · <a href=\"#record\">{n} assessment{}, {c} check-in{}</a>",
            if n == 1 { "" } else { "s" },
            if c == 1 { "" } else { "s" }
        );
    }
    out.push_str("</p><div class=\"pn\">");
    for (title, items) in [
        ("What fits (for)", &a.positives),
        ("What does not fit (against)", &a.negatives),
    ] {
        let _ = write!(out, "<div><p class=\"k\">{title}</p>");
        if items.is_empty() {
            out.push_str("<p class=\"muted\">None recorded.</p>");
        } else {
            out.push_str("<ul>");
            for i in items {
                let _ = write!(out, "<li>{}</li>", Words(i));
            }
            out.push_str("</ul>");
        }
        out.push_str("</div>");
    }
    out.push_str("<div><p class=\"k\">Also considered</p>");
    if a.others.is_empty() {
        out.push_str("<p class=\"muted\">None listed.</p>");
    } else {
        out.push_str("<ul>");
        for (name, p) in &a.others {
            let _ = write!(out, "<li>{} ({})</li>", Esc(name), super::fmt::Pct(*p));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div></div>");
}

/// A pain score cell, tinted by level so high scores stand out in a printed table. Means get
/// one decimal, scores none.
struct PainCell(Option<f64>, bool);

impl Display for PainCell {
    fn fmt(&self, f: &mut Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(v) if v.is_finite() => {
                let class = if v >= 6.0 {
                    "p-hi"
                } else if v >= 3.0 {
                    "p-mid"
                } else {
                    "p-lo"
                };
                if !self.1 {
                    write!(f, "<td class=\"n {class}\">{}</td>", Int(v))
                } else {
                    write!(f, "<td class=\"n {class}\">{}</td>", F1(v))
                }
            }
            _ => f.write_str("<td class=\"n muted\">–</td>"),
        }
    }
}

fn load_weeks(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str("<h3>Load, last 8 weeks</h3>\n");
    let all = &ctx.m.analysis.weeks;
    if all.is_empty() {
        empty(out, "No runs recorded yet, so there is no load to show.");
        return;
    }
    let weeks = &all[all.len().saturating_sub(WEEKS)..];
    let first = day_number(weeks[0].start);
    // Longest run per week: runs are oldest first, so walk back until before the window.
    let mut longest = vec![0.0_f64; weeks.len()];
    for r in ctx.m.analysis.runs.iter().rev() {
        let dn = day_number(r.date);
        if dn < first {
            break;
        }
        let i = usize::try_from((dn - first) / 7).unwrap_or(usize::MAX);
        if let Some(l) = longest.get_mut(i) {
            if r.distance_m.is_finite() && r.distance_m > *l {
                *l = r.distance_m;
            }
        }
    }
    let runs: u32 = weeks.iter().map(|w| w.runs).sum();
    let dist: f64 = weeks
        .iter()
        .map(|w| w.distance_m)
        .filter(|d| d.is_finite())
        .sum();
    let max_long = longest.iter().copied().fold(0.0, f64::max);
    let u = ctx.u;
    let _ = write!(
        out,
        "<p class=\"stats\">{runs} run{} in the last 8 weeks, {} in total; longest run {}.</p>",
        if runs == 1 { "" } else { "s" },
        DistU(dist, u),
        DistU(max_long, u)
    );
    let unit = u.dist_unit();
    let _ = write!(
        out,
        "<div class=\"loadgrid\"><div class=\"tw\" tabindex=\"0\"><table class=\"compact\"><thead><tr>\
         <th scope=\"col\">Week of</th><th scope=\"col\" class=\"n\">Runs</th>\
         <th scope=\"col\" class=\"n\">Distance <span class=\"hu\">({unit})</span></th>\
         <th scope=\"col\" class=\"n\">Longest <span class=\"hu\">({unit})</span></th>\
         <th scope=\"col\" class=\"n\">High-speed <span class=\"hu\">({unit})</span></th>\
         <th scope=\"col\" class=\"n\">Strides</th>\
         <th scope=\"col\" class=\"n\">Ascent <span class=\"hu\">({})</span></th>\
         <th scope=\"col\" class=\"n\">Pain <span class=\"hu\">(mornings)</span></th></tr></thead><tbody>",
        u.elev_unit()
    );
    for (w, long) in weeks.iter().zip(&longest) {
        let dn = day_number(w.start);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td>{}</tr>",
            // The year is the report's (or the one before, in early January): short dates
            // keep every row on one line.
            super::fmt::DayShort(dn),
            if w.complete {
                ""
            } else {
                " <span class=\"muted\">so far</span>"
            },
            w.runs,
            Dist(w.distance_m, u),
            if *long > 0.0 {
                Dist(*long, u).to_string()
            } else {
                "–".to_string()
            },
            Dist(w.high_speed_m, u),
            w.strides,
            Int(u.elev(w.ascent_m)),
            PainCell(ctx.pain_weeks.get(&dn).copied(), true)
        );
    }
    out.push_str("</tbody></table></div>");
    load::weekly_chart(out, ctx, weeks, load::WeeklyStyle::Summary);
    out.push_str("</div>\n");
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Left => "Left",
        Side::Right => "Right",
        Side::Both => "Both",
    }
}

fn diary(out: &mut String, ctx: &Ctx<'_>) {
    let n = ctx.m.pain.len();
    let _ = write!(out, "<h3>Pain diary, last {DIARY} entries");
    if n > DIARY {
        let _ = write!(
            out,
            " <span class=\"hn\">(of {n}; the others are in the charts and the diary analysis)</span>"
        );
    }
    out.push_str("</h3>\n");
    if ctx.m.pain.is_empty() {
        empty(out, "No pain diary entries yet.");
        return;
    }
    let mut entries: Vec<_> = ctx.m.pain.iter().collect();
    // Stable: entries of one day keep the order they were recorded in.
    entries.sort_by_key(|e| e.date);
    let shown = &entries[entries.len().saturating_sub(DIARY)..];
    out.push_str(
        "<div class=\"tw\" tabindex=\"0\"><table class=\"compact diary\"><thead><tr>\
         <th scope=\"col\">Date</th><th scope=\"col\">Site</th><th scope=\"col\">Side</th>\
         <th scope=\"col\" class=\"n\">During <span class=\"hu\">(0–10)</span></th><th scope=\"col\" class=\"n\">After</th>\
         <th scope=\"col\" class=\"n\">Next morning</th>\
         <th scope=\"col\" class=\"n\">Sitting <span class=\"hu\">(min)</span></th><th scope=\"col\">Notes</th>\
         </tr></thead><tbody>",
    );
    for e in shown {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>",
            Day(day_number(e.date))
        );
        match &e.site {
            Some(s) => {
                let _ = write!(out, "{}", Words(s));
            }
            None => out.push_str("<span class=\"muted\">–</span>"),
        }
        let _ = write!(
            out,
            "</td><td>{}</td>{}{}{}<td class=\"n\">{}</td><td class=\"notes\">{}</td></tr>",
            e.side.map(side_name).unwrap_or("–"),
            PainCell(e.during.map(f64::from), false),
            PainCell(e.after.map(f64::from), false),
            PainCell(e.next_morning.map(f64::from), false),
            super::fmt::Opt(e.sitting_min),
            Esc(&truncate(e.notes.as_deref().unwrap_or(""), NOTE_CHARS))
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// A running pace from a speed ("6:10 /km"), for the easy pace the plan checks against.
struct Pace(f64, super::Units);

impl Display for Pace {
    fn fmt(&self, f: &mut Formatter<'_>) -> std::fmt::Result {
        let metres = self.1.dist(1.0);
        if !(self.0.is_finite() && self.0 > 0.0 && metres > 0.0) {
            return f.write_str("–");
        }
        let secs = (1.0 / metres / self.0).round() as i64;
        write!(f, "{}:{:02} /{}", secs / 60, secs % 60, self.1.dist_unit())
    }
}

fn issue_word(i: Issue) -> &'static str {
    match i {
        Issue::Missed => "missed",
        Issue::Longer => "longer",
        Issue::Shorter => "shorter",
        Issue::Faster => "faster",
        Issue::Hilly => "hilly",
    }
}

fn adherence(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str("<h3>Plan adherence");
    if let Some(a) = ctx.m.adherence.filter(|a| a.sessions.len() > MAX_SESSIONS) {
        let _ = write!(
            out,
            " <span class=\"hn\">(last {MAX_SESSIONS} of {} sessions)</span>",
            a.sessions.len()
        );
    }
    out.push_str("</h3>\n");
    // The plan's name and phase are in the "Now" block above.
    match (ctx.m.plan, ctx.m.adherence) {
        (None, None) => empty(out, "No active plan."),
        (Some(_), None) => empty(out, "No plan sessions to check yet."),
        (_, Some(a)) => sessions(out, ctx, a),
    }
}

fn sessions(out: &mut String, ctx: &Ctx<'_>, a: &Adherence) {
    let u = ctx.u;
    let _ = write!(out, "<p>{}", Esc(&crate::words::adherence_summary(a)));
    if let Some(e) = a.easy_mps {
        let _ = write!(
            out,
            " <span class=\"muted\">(Easy pace before the plan: {}.)</span>",
            Pace(e, u)
        );
    }
    out.push_str("</p>");
    if !a.sessions.is_empty() {
        let shown = &a.sessions[a.sessions.len().saturating_sub(MAX_SESSIONS)..];
        out.push_str("<ul class=\"sessions\">");
        for s in shown {
            let _ = write!(
                out,
                "<li><span class=\"when\">{}</span> {}: ",
                Day(day_number(s.prescribed.date)),
                Esc(&s.prescribed.stage_name)
            );
            if s.issues.is_empty() {
                out.push_str("<span class=\"ok\">as prescribed</span>");
            } else {
                out.push_str("<span class=\"issue\">");
                for (i, is) in s.issues.iter().enumerate() {
                    let _ = write!(out, "{}{}", if i == 0 { "" } else { ", " }, issue_word(*is));
                }
                out.push_str("</span>");
            }
            let _ = write!(
                out,
                " <span class=\"muted st\">{}</span>",
                Esc(&crate::words::session_detail(s, u))
            );
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !a.unplanned.is_empty() {
        // One line: these matter most, but a list would push the page onto a second sheet.
        out.push_str(
            "<p><span class=\"k warn-t\">Runs on days the plan allowed no running:</span> ",
        );
        let shown = &a.unplanned[a.unplanned.len().saturating_sub(MAX_UNPLANNED)..];
        for (i, r) in shown.iter().enumerate() {
            let _ = write!(
                out,
                "{}{} ({}, {})",
                if i == 0 { "" } else { "; " },
                Day(day_number(r.date)),
                DistU(r.distance_m, u),
                super::fmt::Minutes(r.duration_s)
            );
        }
        if a.unplanned.len() > shown.len() {
            let _ = write!(out, "; and {} earlier", a.unplanned.len() - shown.len());
        }
        out.push_str(".</p>");
    }
    out.push('\n');
}

fn flags(out: &mut String, ctx: &Ctx<'_>) {
    let weeks = &ctx.m.analysis.weeks;
    let from = match weeks.get(weeks.len().saturating_sub(WEEKS)) {
        Some(w) => day_number(w.start),
        None => super::fmt::week_start(ctx.today) - 7 * (WEEKS as i64 - 1),
    };
    let recent: Vec<_> = ctx
        .m
        .analysis
        .flags
        .iter()
        .filter(|f| day_number(f.date) >= from)
        .collect();
    out.push_str("<h3>Flags, last 8 weeks");
    if recent.len() > MAX_FLAGS {
        let _ = write!(
            out,
            " <span class=\"hn\">(newest {MAX_FLAGS} of {}; all are marked in the charts)</span>",
            recent.len()
        );
    }
    out.push_str("</h3>\n");
    if recent.is_empty() {
        empty(out, "No flags in the last 8 weeks.");
        return;
    }
    let shown = &recent[recent.len().saturating_sub(MAX_FLAGS)..];
    out.push_str(
        "<div class=\"tw\" tabindex=\"0\"><table class=\"compact\"><thead><tr><th scope=\"col\">Date</th>\
         <th scope=\"col\">Signal (evidence grade)</th><th scope=\"col\">What the data show</th>\
         </tr></thead><tbody>",
    );
    for f in shown {
        let s = ctx.signal(f.signal);
        let (class, word) = level_class(f.level);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td><span class=\"lvl lvl-{class}\">{word}</span> {} \
             <span class=\"muted\">({})</span></td><td>{}</td></tr>",
            Day(day_number(f.date)),
            Esc(&s.label),
            Esc(&s.grade),
            Esc(&crate::words::flag_numbers(f, ctx.u))
        );
    }
    out.push_str("</tbody></table></div>\n");
}
