//! Training status (`GET /status`), the terminal's `hamstride status`: this week day by day
//! (distance and next-morning pain), its totals, the last twelve weeks with their morning
//! pain, the load flags of the last 14 days with their evidence grade, form changes against
//! the runner's own baseline, the plan's adherence and what the pain diary shows.
//!
//! The numbers are the service's `StatusView` (SI units) shown in the runner's units through
//! `view::words` (the only arithmetic: metres to km or miles, as the terminal does, and the
//! width of each week's bar against the longest week); every sentence about a flag, a form
//! change, adherence or the diary is `words`', so the terminal, the report and this page say
//! the same thing.

use axum::extract::State;
use hamstride_service::plans::Now;
use hamstride_service::view::{words, Level, StatusView};
use maud::{html, Markup};

use crate::html::Nav;
use crate::{Shared, WebError};

fn units_of(st: &StatusView) -> words::Units {
    if st.units == "mi" {
        words::Units::Mi
    } else {
        words::Units::Km
    }
}

/// A bar's class for `x` of `max` (21 widths, as the result's bars).
pub(crate) fn bar_class(x: f64, max: f64) -> String {
    let step = if max > 0.0 {
        (x / max * 20.0).round().clamp(0.0, 20.0) as u32
    } else {
        0
    };
    format!("bar-{step}")
}

pub fn render(st: &StatusView) -> Markup {
    let u = units_of(st);
    let un = u.dist_unit();
    let w = &st.week;
    let longest_week = st.weeks.iter().map(|w| w.distance_m).fold(0.0, f64::max);
    html! {
        h1 { "Training this week" span.sub { " from " (w.start.strftime("%a %-d %b").to_string()) } }
        table.days {
            caption { "Distance (" (un) ") and next-morning pain (0–10) by day" }
            thead { tr { th scope="col" { "Day" } th scope="col" { (un) } th scope="col" { "Pain (morning)" } } }
            tbody {
                @for d in &st.days {
                    tr.today[d.date == st.today] {
                        th scope="row" { (d.date.strftime("%a %-d").to_string()) }
                        td {
                            @if d.runs > 0 { (format!("{:.1}", u.dist(d.distance_m))) }
                            @else if d.date > st.today { "" } @else { "–" }
                        }
                        td { @if let Some(p) = d.morning_pain { (p) } }
                    }
                }
            }
        }
        p {
            (w.runs) " run" @if w.runs != 1 { "s" } ", "
            (format!("{:.1} {un}", u.dist(w.distance_m))) ", longest "
            (format!("{:.1} {un}", u.dist(w.longest_m))) "; fast running "
            (format!("{:.1} {un}", u.dist(w.high_speed_m))) ", " (w.strides) " stride" @if w.strides != 1 { "s" }
            "; " (format!("{:.0} {}", u.elev(w.ascent_m), u.elev_unit())) " climbed."
        }
        section aria-labelledby="weeks-h" {
            h2 #weeks-h { "The last " (st.weeks.len()) " weeks" }
            @if st.weeks.iter().all(|w| w.distance_m <= 0.0) {
                @if let Some((date, m)) = st.latest_run {
                    p { "No runs in these weeks; your latest was on " (date.strftime("%a %-d %b %Y").to_string()) " (" (format!("{:.1} {un}", u.dist(m))) ")." }
                } @else {
                    p { "No runs imported yet: " code { "hamstride import PATH" } " brings in your watch data." }
                }
            } @else {
                table.weeks {
                    caption { "Distance per week, with the week's mean next-morning pain" }
                    thead { tr { th scope="col" { "Week of" } th scope="col" { "Distance" } th scope="col" { "Pain (morning)" } } }
                    tbody {
                        @for wk in &st.weeks {
                            tr {
                                th scope="row" { (wk.start.strftime("%-d %b").to_string()) }
                                td {
                                    div.bar aria-hidden="true" { div.fill.(bar_class(wk.distance_m, longest_week)) {} }
                                    (format!("{:.1} {un}", u.dist(wk.distance_m)))
                                }
                                td { @if let Some(p) = wk.morning_pain { (format!("{p:.1}")) } }
                            }
                        }
                    }
                }
            }
            @if let Some(p) = st.acwr.as_ref().filter(|p| p.covered) {
                @let f = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |x| format!("{x:.2}"));
                p.hint { "Acute:chronic load " (f(p.uncoupled)) " (uncoupled), " (f(p.ewma)) " (EWMA): shown for context only; it is contested and never an alert." }
            }
        }
        section aria-labelledby="flags-h" {
            h2 #flags-h { "Flags, last 14 days" }
            @if st.flags.is_empty() {
                p { @if st.latest_run.is_some() { "No load flags in the last 14 days." } @else { "None: no runs yet." } }
            } @else {
                p.hint { "Links seen in studies of many runners, not forecasts for you." }
                ul.flags {
                    @for f in &st.flags {
                        @let (class, word) = match f.level {
                            Level::Strong => ("flag-strong", "Strong"),
                            Level::Warn => ("flag-warn", "Watch"),
                            Level::Note => ("flag-note", "Note"),
                        };
                        li.(class) { strong { (word) ": " } (words::flag(f, u)) }
                    }
                }
            }
            @if !st.form_changes.is_empty() {
                h3 { "Running form" }
                ul { @for m in &st.form_changes { li { (words::form_metric(m, &st.form)) } } }
            }
        }
        @if let Some((name, phase)) = &st.plan {
            section aria-labelledby="plan-h" {
                h2 #plan-h { "Your plan" }
                p { (name) ", phase \"" (phase) "\"." }
                @if let Some(ad) = &st.adherence { p { (words::adherence_summary(ad)) } }
            }
        }
        @if !st.pain_notes.is_empty() {
            section aria-labelledby="pain-h" {
                h2 #pain-h { "What your pain diary shows" }
                ul { @for n in &st.pain_notes { li { (words::pain_note(n)) } } }
            }
        }
        @if st.undated > 0 {
            p.hint { (st.undated) " activit" @if st.undated == 1 { "y" } @else { "ies" } " dated before 2000 (a watch clock that was never set) left out." }
        }
        p { "The full picture, printable for your physio: " a href="/report" { "the report" } "." }
    }
}

pub async fn page(State(st): State<Shared>) -> Result<Markup, WebError> {
    let view = st
        .with_db(|svc, db| Ok(svc.status(db, Now::system(), &mut |_, _| {})?))
        .await?;
    Ok(crate::html::page("Training", Nav::Today, render(&view)))
}
