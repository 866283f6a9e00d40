//! The check-in (`GET /checkin`, `POST /checkin`), the terminal's `hamstride checkin` as a
//! form: pain during and after the last session and this morning (0–10 sliders that work
//! with the arrow keys, each with its number shown, each skippable), the day's sessions done,
//! the phase's criteria now met, the warning-sign check (none, these, or not now), whether a
//! clinician has seen the runner, and a note. The service validates, re-screens, decides and
//! stores it in one transaction; the page shows its decision in `view::words`' sentences.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hamstride_service::plans::{CheckInInput, CheckInResult, Now};
use hamstride_service::view::{words, PlanView};
use maud::{html, Markup};

use crate::form::Form;
use crate::html::{csrf, page, Nav};
use crate::{Shared, WebError};

/// A note is for a few sentences; more is not one.
const MAX_NOTE: usize = 2000;

/// The three scores: form name, the service's field, the question.
const SCORES: [(&str, &str); 3] = [
    ("during", "Pain during your last session"),
    ("after", "Pain straight after it"),
    ("morning", "Pain this morning"),
];

/// The check-in's id for a session of the day: runs are "run", exercises their own id (as
/// the service's `picks` reads them).
fn done_id(kind: &str, id: &str) -> String {
    match kind {
        "run" | "normal_training" => "run".to_string(),
        _ => id.to_string(),
    }
}

fn form_page(st: &Shared, v: &PlanView, screen_due: bool, error: Option<&str>) -> Markup {
    let kb = st.service.kb();
    let flags: Vec<(String, String)> = kb
        .screens
        .iter()
        .flat_map(|s| s.item_fields.iter())
        .map(|&fi| {
            let f = &kb.schema.fields[fi];
            (f.id.clone(), f.question.clone())
        })
        .collect();
    let body = html! {
        h1 { "Check in" }
        p { "The morning after a session: how it went, and how you are today. Your plan moves on, holds or steps back by your answers." }
        div.errors #errors role="alert" aria-live="assertive" {
            @if let Some(e) = error { p.error { "This check-in was not saved: " (e) } }
        }
        form.checkin method="post" action="/checkin" {
            (csrf(&st.config.csrf))
            p {
                label for="date" { "Day of the check-in" }
                br;
                input #date type="date" name="date" value=(v.today.to_string()) max=(v.today.to_string());
            }
            @for (name, question) in SCORES {
                fieldset.score {
                    legend id=(format!("{name}-q")) { (question) " (0 = none, 10 = worst imaginable)" }
                    div.slider {
                        input id=(name) type="range" name=(name) min="0" max="10" step="1" value="0" aria-labelledby=(format!("{name}-q")) aria-describedby=(format!("{name}-scale"));
                        output for=(name) id=(format!("{name}-value")) { "0" }
                    }
                    div.scale id=(format!("{name}-scale")) aria-hidden="true" {
                        @for n in 0..=10 { span { (n) } }
                    }
                    // Skipped until given: 0 is a real score, never recorded for a slider
                    // nobody moved (the script unticks it when one is moved).
                    label.skip-score { input type="checkbox" name="skip" value=(name) checked; " Skip this one" }
                }
            }
            fieldset {
                legend { "What you did (today's sessions)" }
                @if v.today_sessions.items.is_empty() {
                    p.hint { "A rest day in your plan." }
                }
                ul.choices {
                    @for it in &v.today_sessions.items {
                        li { label { input type="checkbox" name="done" value=(done_id(it.kind, &it.id)); " " (it.name) } }
                    }
                }
            }
            @let open: Vec<_> = v.phase.criteria.iter().filter(|c| !c.met).collect();
            @if v.phase.next.is_some() && !open.is_empty() {
                fieldset {
                    legend { "True for you now? (to move on)" }
                    ul.choices {
                        @for c in open {
                            li { label { input type="checkbox" name="met" value=(c.id); " " (c.text) } }
                        }
                    }
                }
            }
            fieldset {
                legend { "Warning-sign check" @if screen_due { " (due today)" } }
                ul.choices.radios {
                    li { label { input type="radio" name="flags" value="none"; " None of the signs below" } }
                    li { label { input type="radio" name="flags" value="some"; " Some of them: I ticked them below" } }
                    li { label { input type="radio" name="flags" value="skip" checked[!screen_due]; " Not now" } }
                }
                details open[screen_due] {
                    summary { "The warning signs" }
                    ul.choices {
                        @for (id, q) in &flags {
                            li { label { input type="checkbox" name="flag" value=(id); " " (q) } }
                        }
                    }
                }
            }
            p { label { input type="checkbox" name="seen_clinician" value="yes"; " A doctor or physiotherapist has seen me" } }
            p {
                label for="note" { "A note for yourself or your physio (optional)" }
                br;
                textarea #note name="note" rows="3" maxlength=(MAX_NOTE) {}
            }
            div.actions { button.primary type="submit" { "Save my check-in" } }
        }
    };
    page("Check in", Nav::Today, body)
}

async fn load(st: &Shared) -> Result<(PlanView, bool), WebError> {
    st.with_db(|svc, db| {
        let plan = svc.active_plan(db)?;
        let today = svc.today(db, Now::system())?;
        Ok((svc.plan_view(&plan, today)?, svc.screen_due(&plan, today)))
    })
    .await
}

pub async fn show(State(st): State<Shared>) -> Result<Markup, WebError> {
    let (v, due) = load(&st).await?;
    Ok(form_page(&st, &v, due, None))
}

/// A score from the form: skipped, or a whole number (the service checks 0–10 and names
/// its field).
fn score(form: &Form, name: &str) -> Result<Option<i64>, WebError> {
    if form.all("skip").contains(&name) {
        return Ok(None);
    }
    match form.get(name) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            WebError::input(
                &format!("pain_{name}"),
                format!("\"{v}\" is not a whole number from 0 to 10"),
            )
        }),
    }
}

fn input_from(form: &Form) -> Result<CheckInInput, WebError> {
    let date = form.date()?;
    let red_flags = match form.get("flags") {
        Some("none") => Some(Vec::new()),
        Some("some") => {
            let ticked: Vec<String> = form.all("flag").into_iter().map(String::from).collect();
            if ticked.is_empty() {
                return Err(WebError::input(
                    "red_flags",
                    "tick the warning signs you have, or choose \"None of the signs below\"",
                ));
            }
            Some(ticked)
        }
        None | Some("skip") => None,
        Some(other) => {
            return Err(WebError::input(
                "red_flags",
                format!("\"{other}\" is not none, some or skip"),
            ))
        }
    };
    let note = form.get("note").map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(WebError::input(
            "note",
            format!("is longer than {MAX_NOTE} characters"),
        ));
    }
    let c = CheckInInput {
        date,
        pain_during: score(form, "during")?,
        pain_after: score(form, "after")?,
        pain_morning: score(form, "morning")?,
        done: form.all("done").into_iter().map(String::from).collect(),
        criteria: form.all("met").into_iter().map(String::from).collect(),
        red_flags,
        seen_clinician: form.get("seen_clinician").is_some(),
        note,
    };
    let nothing = c.pain_during.is_none()
        && c.pain_after.is_none()
        && c.pain_morning.is_none()
        && c.done.is_empty()
        && c.criteria.is_empty()
        && c.red_flags.is_none()
        && !c.seen_clinician;
    if nothing {
        return Err(WebError::input(
            "checkin",
            "nothing to save: give a pain score, tick what you did or a criterion, or answer the warning-sign check",
        ));
    }
    Ok(c)
}

fn result_page(r: &CheckInResult) -> Markup {
    let body = html! {
        h1 { "Check-in saved" }
        section.verdict aria-labelledby="verdict-h" data-verdict=(words::verdict(r.decision.verdict)) {
            h2 #verdict-h { (r.date.to_string()) ": " (words::verdict(r.decision.verdict).to_uppercase()) }
            @if let Some(level) = r.decision.referral {
                p.note { strong { (words::referral_label(level)) } }
            }
            @if !r.decision.reasons.is_empty() {
                ul { @for x in &r.decision.reasons { li { (words::plan_reason(x)) } } }
            }
            @if !r.decision.changes.is_empty() {
                h3 { "What changes" }
                ul { @for x in &r.decision.changes { li { (words::plan_change(x)) } } }
            }
            @if r.decision.screen_due {
                p.note { "The warning-sign check is due: answer it at your next check-in." }
            }
            p { "Now in: " (r.phase) "." }
        }
        p { a.button.primary href="/plan" { "See today's sessions" } " " a href="/" { "Back to today" } }
    };
    page("Check-in saved", Nav::Today, body)
}

/// Where the result of the latest check-in is shown after it is saved.
pub const SAVED_PATH: &str = "/checkin/saved";

/// `GET /checkin/saved`: the latest check-in's decision (the page a saved check-in lands on);
/// before any check-in, the form.
pub async fn saved(State(st): State<Shared>) -> Result<Response, WebError> {
    let last = st.with_db(|svc, db| Ok(svc.last_check_in(db)?)).await?;
    Ok(match last {
        Some(r) => result_page(&r).into_response(),
        None => Redirect::to("/checkin").into_response(),
    })
}

pub async fn save(State(st): State<Shared>, body: Bytes) -> Result<Response, WebError> {
    let form = Form::parse(&body);
    let refused = |st: &Shared, e: WebError| {
        let st = st.clone();
        async move {
            let (v, due) = load(&st).await?;
            let msg = e.to_string();
            Ok::<Response, WebError>(
                (StatusCode::BAD_REQUEST, form_page(&st, &v, due, Some(&msg))).into_response(),
            )
        }
    };
    let mut input = match input_from(&form) {
        Ok(c) => c,
        Err(e) => return refused(&st, e).await,
    };
    let saved = st
        .with_db(move |svc, db| {
            let now = Now::system();
            let plan = svc.active_plan(db)?;
            let today = svc.today(db, now)?;
            svc.resolve_checkin(&plan, today, &mut input)?;
            Ok(svc.check_in(db, &input, now)?)
        })
        .await;
    match saved {
        // Post, redirect, get: the result has its own address, so reloading it (or Back)
        // never sends the check-in again.
        Ok(_) => Ok(Redirect::to(SAVED_PATH).into_response()),
        Err(e @ WebError::BadInput { .. }) => refused(&st, e).await,
        Err(e) => Err(e),
    }
}
