//! `hamstride report`: one self-contained HTML file (inline CSS, inline SVG charts, no
//! scripts, no web fonts, no external requests) that a runner can open in any browser and
//! print, with a one-page summary for a physio or doctor first. Pure: the model goes in, the
//! HTML string comes out; the service gathers the model and writes the file.
//!
//! Every chart has a text alternative (an SVG `<title>`/`<desc>` plus a visible data table
//! in a `<details>`), every flag shows its evidence grade and source, and the wording is the
//! analysis's own association language.
//!
//! The file makes no request of any kind: a strict Content-Security-Policy meta tag forbids
//! everything but inline styles and `data:` images, there is no script, and the reference
//! list shows sources as citations only, without URLs or remote links (a health report
//! should not leak that it was opened, and a printed page cannot follow a link anyway). The
//! only links are in-page anchors (the contents list and `#ref-…`).
//!
//! Layout: `fmt` (escaping, safe numbers, dates, units), `svg` (chart primitives), `style`
//! (the CSS, print rules included), and one module per part of the page: `summary` (the
//! physio page: the level and plan as they are now, the latest assessment), `record` (every
//! assessment and the check-in timeline), `load` (weekly, daily and load-context charts),
//! `trends` (form), `diary` (pain diary analysis) and `explain` (signals and references).
//! `chart` is the one part other pages use: a line chart over time with its text alternative
//! (the web app's activity page).

pub mod chart;
mod diary;
mod explain;
mod fmt;
mod load;
mod record;
mod style;
mod summary;
mod svg;
mod trends;

use hamstride_analytics::adherence::Adherence;
use hamstride_analytics::form::FormReport;
use hamstride_analytics::pain::{PainAnalysis, PainEntry};
use hamstride_analytics::series::{Flag, Level};
use hamstride_analytics::{Analysis, Signals};
use hamstride_core::plan::Decision;
use jiff::civil::Date;
use serde::Serialize;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use fmt::{day_number, week_start, Esc};

pub use crate::words::Units;

/// The latest assessment, as the summary page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentSummary {
    pub date: Date,
    /// The most likely condition's name and probability (0–1).
    pub condition: String,
    pub probability: f64,
    /// Triage level id (emergency, urgent, clinician, self_care) and headline, as they are now
    /// (a check-in may have raised them since the assessment).
    pub triage_level: String,
    pub triage_headline: String,
    /// The assessment's own level, when a check-in has raised it since.
    pub triage_at_assessment: Option<String>,
    /// When the plan being followed was made from an earlier assessment than this one (the
    /// newer plan waits in the plan history): that assessment's date. The level shown is then
    /// the higher of the two.
    pub plan_assessed: Option<Date>,
    /// Pertinent positives and negatives of the leading condition, in plain words: the
    /// findings that argued for it and against it (never demographics such as age).
    pub positives: Vec<String>,
    pub negatives: Vec<String>,
    /// Red flags that fired (texts); empty when none.
    pub red_flags: Vec<String>,
    /// Other conditions considered, with probability.
    pub others: Vec<(String, f64)>,
}

/// The active plan as it stands on the report's day: what `hamstride plan` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanNow {
    /// The protocol's name.
    pub protocol: String,
    /// The current phase: its name, its number (1-based) and how many the protocol has.
    pub phase: String,
    pub phase_number: usize,
    pub phases: usize,
    /// Day of the current phase (1 = the day it began).
    pub day_in_phase: i64,
    /// Days since the pain began.
    pub days_since_onset: i64,
    /// Running waits until a clinician has seen the runner.
    pub running_waits: bool,
}

/// One assessment of the runner's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PastAssessment {
    pub date: Date,
    /// Triage level id, as [`AssessmentSummary::triage_level`].
    pub level: String,
    /// The most likely condition's name and probability (0–1).
    pub condition: String,
    pub probability: f64,
    /// Whether the plan made from it is the one being followed.
    pub active: bool,
}

/// One check-in of the runner's record: the pain scores given and the decision it got.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckinPoint {
    pub date: Date,
    pub pain_during: Option<u8>,
    pub pain_after: Option<u8>,
    pub pain_morning: Option<u8>,
    /// Made against the plan being followed (the summary's "last check-in" is its latest).
    pub this_plan: bool,
    pub decision: Decision,
}

/// A cited source for the reference list.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRef {
    pub id: String,
    pub short: String,
    pub citation: String,
}

/// Everything the report shows.
#[derive(Debug, Clone, Copy)]
pub struct ReportModel<'a> {
    /// The day the report is about (the runner's local today); never read from a clock here.
    pub today: Date,
    pub units: Units,
    pub analysis: &'a Analysis,
    pub form: &'a FormReport,
    pub pain: &'a [PainEntry],
    pub pain_analysis: &'a PainAnalysis,
    pub assessment: Option<&'a AssessmentSummary>,
    /// The active plan, if any.
    pub plan: Option<&'a PlanNow>,
    /// Every assessment, oldest first.
    pub assessments: &'a [PastAssessment],
    /// Every check-in, oldest first.
    pub checkins: &'a [CheckinPoint],
    pub adherence: Option<&'a Adherence>,
    pub signals: &'a Signals,
    pub sources: &'a [SourceRef],
    /// The educational-support disclaimer, from the knowledge base.
    pub disclaimer: &'a str,
}

/// Render the report.
pub fn render(model: &ReportModel<'_>) -> String {
    let ctx = Ctx::new(*model);
    // Ten years of weeks and a few hundred table rows come to a few hundred kilobytes; one
    // allocation up front instead of a dozen regrowths.
    let cap = 48 * 1024 + model.analysis.weeks.len() * 160 + model.pain.len().min(400) * 200;
    let mut out = String::with_capacity(cap);
    let title = "hamstride training and pain report";
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title} – {}</title><style>{}</style></head>\n<body><div class=\"page\">",
        fmt::date(model.today),
        style::CSS
    );
    let _ = writeln!(
        out,
        "<header class=\"top\"><h1>{title}</h1><p class=\"meta\">Report for {} · \
         distances in {}</p><p class=\"disclaimer\"><strong>Educational decision support, \
         not a diagnosis.</strong> {}</p></header>",
        fmt::date(model.today),
        if model.units == Units::Km {
            "kilometres"
        } else {
            "miles"
        },
        Esc(model.disclaimer)
    );
    out.push_str(
        "<nav aria-label=\"Contents\"><ol>\
         <li><a href=\"#summary\">Summary for your physio or doctor</a></li>\
         <li><a href=\"#record\">Assessments and check-ins</a></li>\
         <li><a href=\"#history\">Weekly load and pain</a></li>\
         <li><a href=\"#daily\">Last 12 weeks, day by day</a></li>\
         <li><a href=\"#context\">Load context</a></li>\
         <li><a href=\"#form\">Form trends</a></li>\
         <li><a href=\"#diary\">What your pain diary shows</a></li>\
         <li><a href=\"#signals\">Signals explained</a></li></ol></nav>\n<main>\n",
    );
    summary::write(&mut out, &ctx);
    record::write(&mut out, &ctx);
    load::history(&mut out, &ctx);
    load::daily(&mut out, &ctx);
    load::context(&mut out, &ctx);
    trends::write(&mut out, &ctx);
    diary::write(&mut out, &ctx);
    explain::write(&mut out, &ctx);
    out.push_str("</main>\n</div></body></html>\n");
    out
}

/// Nothing may be fetched or run: inline styles and `data:` images only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// A day's diary scores, merged like the analysis merges them: the highest of each kind.
#[derive(Debug, Clone, Copy, Default)]
struct DayPain {
    during: Option<u8>,
    after: Option<u8>,
    next_morning: Option<u8>,
}

fn max_score(a: Option<u8>, b: Option<u8>) -> Option<u8> {
    // Scores are 0–10; anything above is a data error and is capped so charts stay in range.
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y).min(10)),
        (x, y) => x.or(y).map(|v| v.min(10)),
    }
}

/// The model plus the lookups several sections share, computed once (so no section does a
/// search per week or per day).
struct Ctx<'a> {
    m: ReportModel<'a>,
    u: Units,
    /// Today as a day number.
    today: i64,
    /// Merged diary scores by day number.
    pain_days: BTreeMap<i64, DayPain>,
    /// Mean next-morning pain by week start (day number of the Monday).
    pain_weeks: BTreeMap<i64, f64>,
    /// Flags by the week and by the day they are on.
    week_flags: BTreeMap<i64, Vec<&'a Flag>>,
    day_flags: BTreeMap<i64, Vec<&'a Flag>>,
    /// Counter for unique chart ids (`aria-labelledby` needs them).
    ids: Cell<u32>,
}

impl<'a> Ctx<'a> {
    fn new(m: ReportModel<'a>) -> Ctx<'a> {
        let mut pain_days: BTreeMap<i64, DayPain> = BTreeMap::new();
        for e in m.pain {
            let d = pain_days.entry(day_number(e.date)).or_default();
            d.during = max_score(d.during, e.during);
            d.after = max_score(d.after, e.after);
            d.next_morning = max_score(d.next_morning, e.next_morning);
        }
        // The same weekly mean `status` shows (one definition, in analytics).
        let pain_weeks = hamstride_analytics::pain::weekly_morning(m.pain)
            .into_iter()
            .map(|(monday, v)| (day_number(monday), v))
            .collect();
        let mut week_flags: BTreeMap<i64, Vec<&'a Flag>> = BTreeMap::new();
        let mut day_flags: BTreeMap<i64, Vec<&'a Flag>> = BTreeMap::new();
        for f in &m.analysis.flags {
            let dn = day_number(f.date);
            week_flags.entry(week_start(dn)).or_default().push(f);
            day_flags.entry(dn).or_default().push(f);
        }
        Ctx {
            m,
            u: m.units,
            today: day_number(m.today),
            pain_days,
            pain_weeks,
            week_flags,
            day_flags,
            ids: Cell::new(0),
        }
    }

    /// A fresh id for a chart ("c1", "c2", …).
    fn chart_id(&self) -> String {
        let n = self.ids.get() + 1;
        self.ids.set(n);
        format!("c{n}")
    }

    /// A signal's label and grade.
    fn signal(
        &self,
        id: hamstride_analytics::SignalId,
    ) -> &'a hamstride_analytics::signals::Signal {
        self.m.signals.get(id)
    }
}

/// The CSS class and word for a flag level.
fn level_class(l: Level) -> (&'static str, &'static str) {
    match l {
        Level::Strong => ("strong", "Strong"),
        Level::Warn => ("warn", "Warning"),
        Level::Note => ("note", "Note"),
    }
}

/// The tooltip of a flag marker: each flag's text, the first few only.
struct FlagTip<'f, 'a>(&'f [&'a Flag], Units);

impl std::fmt::Display for FlagTip<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MAX: usize = 4;
        for (i, flag) in self.0.iter().take(MAX).enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(
                f,
                "{}: {}",
                fmt::date(flag.date),
                Esc(&crate::words::flag(flag, self.1))
            )?;
        }
        if self.0.len() > MAX {
            write!(f, "\n… and {} more", self.0.len() - MAX)?;
        }
        Ok(())
    }
}

/// The highest level among flags (Note when empty).
fn max_level(flags: &[&Flag]) -> Level {
    flags.iter().map(|f| f.level).max().unwrap_or(Level::Note)
}

/// Opens a `<figure>` with a caption and colour keys (CSS class of the swatch, label).
fn figure_open(out: &mut String, caption: &str, keys: &[(&str, &str)]) {
    let _ = write!(
        out,
        "<figure><figcaption><span class=\"ft\">{}</span>",
        Esc(caption)
    );
    if !keys.is_empty() {
        out.push_str("<span class=\"keys\">");
        for (class, label) in keys {
            let _ = write!(
                out,
                "<span class=\"key\"><i class=\"sw {class}\"></i>{}</span>",
                Esc(label)
            );
        }
        out.push_str("</span>");
    }
    out.push_str("</figcaption>");
}

/// Opens the data table that is the chart's text alternative.
fn data_table_open(out: &mut String, headers: &[&str]) {
    out.push_str(
        "<details><summary>Data table</summary><div class=\"tw\" tabindex=\"0\"><table><thead><tr>",
    );
    for (i, h) in headers.iter().enumerate() {
        let _ = write!(
            out,
            "<th scope=\"col\"{}>{h}</th>",
            if i == 0 { "" } else { " class=\"n\"" }
        );
    }
    out.push_str("</tr></thead><tbody>");
}

fn data_table_close(out: &mut String, note: Option<&str>) {
    out.push_str("</tbody></table></div>");
    if let Some(n) = note {
        let _ = write!(out, "<p class=\"note\">{}</p>", Esc(n));
    }
    out.push_str("</details></figure>\n");
}

/// A friendly sentence where a chart or table would be empty.
fn empty(out: &mut String, text: &str) {
    let _ = writeln!(out, "<p class=\"empty\">{}</p>", Esc(text));
}
