//! Today (`GET /`): the level the runner's plan follows now (the triage banner), today's
//! sessions from the plan, what to do next (check in, or check the pain first when there is
//! no plan yet), and this week at a glance (`Service::week_glance`: distance by day, the
//! week beside the weeks before it, the latest pain the diary holds), with or without a plan,
//! whenever there are runs or diary days. The glance is small on purpose, a phone screen at
//! most; `/status` has the whole picture.

use axum::extract::State;
use hamstride_service::plans::Now;
use hamstride_service::view::{words, WeekGlance};
use maud::{html, Markup};

use crate::html::{banner, Nav};
use crate::pages::status::bar_class;
use crate::pages::{level_title, plan};
use crate::{Shared, WebError};

/// "3", "–" (a past day without a run) or nothing (a day still to come).
fn day_cell(
    glance: &WeekGlance,
    d: &hamstride_service::view::DayTotals,
    u: words::Units,
) -> String {
    if d.runs > 0 {
        format!("{:.1}", u.dist(d.distance_m))
    } else if d.date > glance.today {
        String::new()
    } else {
        "–".to_string()
    }
}

/// This week at a glance: a seven-day strip, the weeks before, the latest pain.
fn glance(g: &WeekGlance) -> Markup {
    let u = if g.units == "mi" {
        words::Units::Mi
    } else {
        words::Units::Km
    };
    let un = u.dist_unit();
    let longest = g.weeks.iter().map(|w| w.distance_m).fold(0.0, f64::max);
    html! {
        section.glance aria-labelledby="week-h" {
            h2 #week-h { "This week" }
            table.strip {
                caption { "Distance (" (un) ") each day, and pain the next morning (0 to 10)" }
                thead { tr {
                    td {}
                    @for d in &g.days {
                        th scope="col" class=[(d.date == g.today).then_some("today")] {
                            abbr title=(d.date.strftime("%A %-d %B").to_string()) { (d.date.strftime("%a").to_string()) }
                        }
                    }
                } }
                tbody {
                    tr { th scope="row" { (un) } @for d in &g.days { td class=[(d.date == g.today).then_some("today")] { (day_cell(g, d, u)) } } }
                    tr { th scope="row" { "Pain" } @for d in &g.days { td class=[(d.date == g.today).then_some("today")] { @if let Some(p) = d.morning_pain { (p) } } } }
                }
            }
            p #week-total {
                strong { (format!("{:.1} {un}", u.dist(g.week.distance_m))) }
                " in " (g.week.runs) " run" @if g.week.runs != 1 { "s" } " so far this week."
            }
            @if g.weeks.len() > 1 && g.weeks.iter().all(|w| w.distance_m <= 0.0) {
                p { "No runs in the last " (g.weeks.len()) " weeks." }
            } @else if g.weeks.len() > 1 {
                table.weeks {
                    caption { "Distance per week" }
                    tbody {
                        @for w in &g.weeks {
                            tr {
                                th scope="row" { @if w.start == g.week.start { "This week" } @else { (w.start.strftime("%-d %b").to_string()) } }
                                td {
                                    div.bar aria-hidden="true" { div.fill.(bar_class(w.distance_m, longest)) {} }
                                    (format!("{:.1} {un}", u.dist(w.distance_m)))
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(p) = &g.latest_pain {
                p #latest-pain {
                    "Latest pain, " (words::day_label(p.date)) ": "
                    @let parts: Vec<String> = [("during", p.during), ("after", p.after), ("next morning", p.next_morning)]
                        .iter()
                        .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
                        .collect();
                    (parts.join(", ")) " (out of 10). "
                    a href="/diary" { "Pain diary" }
                }
            } @else {
                p { "No pain logged yet. " a href="/diary" { "Log it in the diary" } "." }
            }
            p { a href="/status" { "More about your training" } }
        }
    }
}

pub async fn page(State(st): State<Shared>) -> Result<Markup, WebError> {
    let view = plan::page_(&st).await?;
    let week = st
        .with_db(|svc, db| Ok(svc.week_glance(db, Now::system())?))
        .await?;
    let week = week.as_ref().map(glance);
    let kb = st.service.kb();
    let body = match &view {
        None => html! {
            h1 { "Today" }
            p { "hamstride helps runners with pain at the back of the thigh: a few questions tell you what it most likely is, how urgent it is, and what to do now, with a plan for the weeks ahead." }
            p { a.button.primary href="/assess" { "Check my pain" } }
            (week.clone().unwrap_or_default())
            p { a href="/status" { "Training this week" } " · " a href="/diary" { "Pain diary" } }
        },
        Some(v) => html! {
            h1 { "Today" span.sub { " " (v.today.to_string()) } }
            (banner(v.triage.as_str(), &level_title(kb, v.triage.as_str()), &v.triage_headline))
            @if v.screen_due {
                p.note { "The warning-sign check is due today: answer it when you check in." }
            }
            section aria-labelledby="sessions-h" {
                h2 #sessions-h { "Today's sessions" }
                p.sub { (v.protocol_name) ", phase " (v.phase.number) " of " (v.phase.of) ": " (v.phase.name) }
                (plan::session_cards(&st.service, &v.today_sessions))
            }
            (week.clone().unwrap_or_default())
            section aria-labelledby="next-h" {
                h2 #next-h { "Check in" }
                p { "The morning after a session, say how it went: your plan moves on, holds or steps back by your answers." }
                p { a.button.primary href="/checkin" { "Check in" } }
                p { a href="/plan" { "See the whole plan" } " · " a href="/diary" { "Pain diary" } " · " a href="/status" { "Training this week" } " · " a href="/report" { "Report for your physio" } " · " a href="/assess" { "Check my pain again" } }
            }
        },
    };
    Ok(crate::html::page("Today", Nav::Today, body))
}
