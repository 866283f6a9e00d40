//! The plan (`GET /plan`): what it is for, the phase with its goals and the criteria to move
//! on as a checklist, today's sessions as exercise cards (instructions, cues, dose, easier and
//! harder versions from the exercise library), the week, the timeline, and the downloads
//! (`GET /plan/download/plan.md|plan.ics`, the service's export bytes). `POST
//! /plans/{id}/restore` makes an earlier plan the one followed (the web's "yes, use the new
//! plan"). Every text is the plan view's or the library's; the sentences about referrals and
//! the timeline are `view::words`', as in the terminal.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hamstride_service::plans::Now;
use hamstride_service::view::{words, DayView, PlanView};
use hamstride_service::Service;
use maud::{html, Markup};

use crate::html::{banner, Nav};
use crate::pages::{id_of, level_title};
use crate::{Shared, WebError};

/// Weeks of sessions in the calendar download (the CLI's default).
const ICS_WEEKS: u32 = 4;

fn weekday(d: jiff::civil::Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match d.weekday() {
        Monday => "Mon",
        Tuesday => "Tue",
        Wednesday => "Wed",
        Thursday => "Thu",
        Friday => "Fri",
        Saturday => "Sat",
        Sunday => "Sun",
    }
}

/// Today's sessions as cards, with the library's instructions for each exercise.
pub fn session_cards(svc: &Service, day: &DayView) -> Markup {
    html! {
        @if day.items.is_empty() {
            p { "Rest day: walking and daily activity as comfortable." }
        } @else {
            ol.cards.sessions {
                @for it in &day.items {
                    li.card.session {
                        h3 { (it.name) @if it.times > 1 { " (twice today)" } }
                        p.dose { strong { "Dose: " } (it.dose) }
                        @if let Some(e) = &it.easier {
                            p.easier-now { strong { "Easier for now: " } (e) }
                        }
                        @if let Some(x) = svc.plans().exercise(&it.id) {
                            p { (x.instructions) }
                            @if !x.cues.is_empty() {
                                h4 { "Cues" }
                                ul { @for c in &x.cues { li { (c) } } }
                            }
                            details {
                                summary { "Easier and harder versions" }
                                p { strong { "Easier: " } (x.easier) }
                                p { strong { "Harder: " } (x.harder) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn render(svc: &Service, v: &PlanView) -> Markup {
    let kb = svc.kb();
    html! {
        h1 { (v.protocol_name) }
        p.sub { "For: " (v.condition_name) @if let Some(s) = &v.severity { " (" (s) ")" } }
        @if v.referral.is_some() || v.until_seen {
            (banner(v.triage.as_str(), &level_title(kb, v.triage.as_str()), &v.triage_headline))
        }
        @if let Some(r) = &v.referral { p.note { (r.text) } }
        @for r in &v.referrals { p.note { (words::referred(r)) } }
        @if v.running_waits_for_clinician {
            p.note { "Running waits until a clinician has seen you. Say so at your next check-in." }
        }
        @if v.screen_due {
            p.note { "The warning-sign check is due: answer it at your next check-in." }
        }
        p { (v.summary) }
        section aria-labelledby="phase-h" {
            h2 #phase-h { "Phase " (v.phase.number) " of " (v.phase.of) ": " (v.phase.name) }
            p { "Day " (v.phase.day_in_phase) " of this phase · running: " (v.phase.running) }
            @if let Some(stage) = &v.run_stage { p { "Run stage: " (stage) } }
            @if v.easing_off { p.note { "Easing off after your last check-in: do the easier versions." } }
            @if !v.phase.goals.is_empty() {
                h3 { "Goals" }
                ul { @for g in &v.phase.goals { li { (g) } } }
            }
            @if let Some(next) = &v.phase.next {
                h3 { "To move on to " (next) }
                p.hint { "When one is true, tick it at your check-in." }
                ul.checklist {
                    @for c in &v.phase.criteria {
                        li.(if c.met { "met" } else { "open" }) {
                            span.mark aria-hidden="true" { (if c.met { "✓" } else { "○" }) }
                            " " (c.text)
                            span.visually-hidden { (if c.met { " (done)" } else { " (not yet)" }) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="today-h" {
            h2 #today-h { "Today, " (weekday(v.today_sessions.date)) " " (v.today_sessions.date.to_string()) }
            (session_cards(svc, &v.today_sessions))
        }
        section aria-labelledby="week-h" {
            h2 #week-h { "This week" }
            ul.week {
                @for d in v.week.iter().skip(1) {
                    li {
                        strong { (weekday(d.date)) " " (d.date.to_string()) ": " }
                        @if d.items.is_empty() { "rest" } @else {
                            (d.items.iter().map(|i| if i.times > 1 { format!("{} (twice)", i.name) } else { i.name.clone() }).collect::<Vec<_>>().join("; "))
                        }
                    }
                }
            }
        }
        @if !v.phase.care.is_empty() {
            section aria-labelledby="care-h" {
                h2 #care-h { "Look after it" }
                ul { @for c in &v.phase.care { li { (c) } } }
            }
        }
        @if !v.until_seen {
            p { "Pain guide: up to " (v.pain_ceiling) "/10 during exercise is fine if it has settled by the next morning." }
        }
        section aria-labelledby="time-h" {
            h2 #time-h { "Timeline" @if v.timeline.reestimated { " (re-estimated at day 7)" } }
            @if v.timeline.running.is_none() && v.timeline.full.is_none() { p { "None yet." } }
            @if let Some([a, b]) = &v.timeline.running { p { "First runs: typically between " (a.to_string()) " and " (b.to_string()) "." } }
            @if let Some([a, b]) = &v.timeline.full { p { "Full training: typically between " (a.to_string()) " and " (b.to_string()) "." } }
            @if !v.timeline.reasons.is_empty() {
                ul { @for r in &v.timeline.reasons { li { (words::timeline_reason(r)) } } }
            }
            @if let Some(n) = &v.timeline.note { p { (n) } }
        }
        @if !v.medication.is_empty() {
            section aria-labelledby="med-h" {
                h2 #med-h { "About painkillers" }
                ul { @for m in &v.medication { li { (m) } } }
            }
        }
        section.noprint aria-labelledby="dl-h" {
            h2 #dl-h { "Take it with you" }
            ul.downloads {
                li { a href="/plan/download/plan.md" download="plan.md" { "The plan as a text file (Markdown)" } }
                li { a href="/plan/download/plan.ics" download="plan.ics" { "The next " (ICS_WEEKS) " weeks for your calendar (iCalendar)" } }
                li { a href="/plan/download/workouts.zip" download="workouts.zip" { "The run sessions as workouts for a Garmin watch (FIT files in a zip: copy them to the watch's NewFiles folder)" } }
                li { a href="/report" { "The report for your physio" } " (" a href="/report/download" { "download it" } ")" }
            }
            p { button type="button" data-print="" { "Print the plan" } }
        }
        p.sources { "Sources: " (v.sources.iter().map(|s| s.short.as_str()).collect::<Vec<_>>().join("; ")) }
        p.disclaimer { (v.disclaimer) }
    }
}

/// A page saying there is no plan yet, with the ways to make one: check the pain, or (no
/// pain) the prevention programme.
pub fn no_plan(token: &str) -> Markup {
    html! {
        h1 { "My plan" }
        p { "You have no plan yet. It comes from checking your pain: a few questions, then what to do and a plan for the weeks ahead." }
        p { a.button.primary href="/assess" { "Check my pain" } }
        h2 { "No pain?" }
        p { "The prevention programme keeps hamstrings strong for running: a warm-up, Nordic curls, strength work and advice on building up your training." }
        form method="post" action="/plan/prevention" {
            (crate::html::csrf(token))
            button type="submit" { "Start the prevention programme" }
        }
    }
}

/// `POST /plan/prevention`: the prevention programme becomes the plan (the terminal's
/// `plan prevention`).
pub async fn prevention(State(st): State<Shared>) -> Result<Response, WebError> {
    st.with_db(|svc, db| {
        svc.start_prevention(db, Now::system())?;
        Ok(())
    })
    .await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/plan")]).into_response())
}

pub async fn page_(st: &Shared) -> Result<Option<PlanView>, WebError> {
    st.with_db(|svc, db| {
        let plan = match svc.active_plan(db) {
            Err(hamstride_service::Error::NoAssessment) => return Ok(None),
            other => other?,
        };
        let today = svc.today(db, Now::system())?;
        Ok(Some(svc.plan_view(&plan, today)?))
    })
    .await
}

pub async fn page(State(st): State<Shared>) -> Result<Markup, WebError> {
    Ok(match page_(&st).await? {
        Some(v) => crate::html::page("My plan", Nav::Plan, render(&st.service, &v)),
        None => crate::html::page("My plan", Nav::Plan, no_plan(&st.config.csrf)),
    })
}

pub async fn download(
    State(st): State<Shared>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let kind = match name.as_str() {
        "plan.md" => "text/markdown; charset=utf-8",
        "plan.ics" => "text/calendar; charset=utf-8",
        "workouts.zip" => "application/zip",
        _ => return Err(WebError::NotFound("There is no such download.".into())),
    };
    let want = name.clone();
    let bytes = st
        .with_db(move |svc, db| {
            let plan = svc.active_plan(db)?;
            let now = Now::system();
            let today = svc.today(db, now)?;
            let files = svc.export_plan(&plan, ICS_WEEKS, today, now)?;
            if want == "workouts.zip" {
                return workouts_zip(&files);
            }
            files
                .into_iter()
                .find(|f| f.name == want)
                .map(|f| f.bytes)
                .ok_or_else(|| WebError::Internal(format!("the export has no {want}")))
        })
        .await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The export's FIT workouts (`workouts/*.fit`) in one zip, as a watch's files are copied.
/// Stored, not deflated: FIT files are small and already dense.
fn workouts_zip(files: &[hamstride_service::plans::ExportFile]) -> Result<Vec<u8>, WebError> {
    use std::io::Write;
    let fail = |e: &dyn std::fmt::Display| WebError::Internal(format!("making the zip: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for f in files.iter().filter(|f| f.name.ends_with(".fit")) {
        zip.start_file(f.name.as_str(), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(&f.bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// `POST /plans/{id}/restore`: make that plan the one followed; the current one stays in the
/// history.
pub async fn restore(
    State(st): State<Shared>,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of("plan", &raw)?;
    st.with_db(move |svc, db| Ok(svc.restore_plan(db, id)?))
        .await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/plan")]).into_response())
}
