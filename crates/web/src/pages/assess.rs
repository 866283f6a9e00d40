//! The interview, one question per screen: `GET /assess` starts it, every `POST /assess`
//! answers, says "don't know", or goes back one answer, and the last answer stores the
//! assessment and sends the runner to its result.
//!
//! The browser keeps the interview: its saved state (`hamstride.interview/1`, the start
//! findings and every answer by id) travels in a hidden field as JSON, and the service
//! replays and validates it on every step, so a changed or broken state is a 400 naming the
//! field, never a wrong result. The core chooses every question and when to stop; this file
//! only turns a form into one answer. Answers work as the terminal's do: "Don't know" on
//! every question, a warning-sign checklist answered "none", "these" or "don't know", and
//! all "don't know" stops early and saves nothing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hamstride_service::plans::{Now, OnActivePlan};
use hamstride_service::view::{InterviewState, InterviewView, SavedScreenAnswer, SavedStep};
use maud::{html, Markup};
use serde_json::{json, Value as Json};

use crate::form::Form;
use crate::html::{csrf, page, Nav};
use crate::{Shared, WebError};

const DONT_KNOW: &str = "Don't know";
/// A distance asked in miles (the runner's setting) is stored in km, as the terminal does.
const KM_PER_MILE: f64 = 1.609_344;

/// Whether the runner asked for miles (Settings); km otherwise, as the contract stores.
async fn miles(st: &Shared) -> Result<bool, WebError> {
    st.with_db(|_, db| Ok(hamstride_service::plans::profile(db)?.units.as_deref() == Some("mi")))
        .await
}

/// `GET /assess`: a new interview, at its first question.
pub async fn start(State(st): State<Shared>) -> Result<Response, WebError> {
    let view = st.with_service(|svc| Ok(svc.interview_start(None))).await?;
    let screens = st.service.kb().screens.len();
    let mi = miles(&st).await?;
    Ok(question_page(&view, screens, &st.config.csrf, mi, None).into_response())
}

/// What the runner did with the question on the screen.
fn step_from(form: &Form) -> Result<Option<SavedStep>, WebError> {
    let action = form.get("action").unwrap_or("answer");
    if action == "back" {
        return Ok(None);
    }
    let q = form.need("q")?.to_string();
    let kind = form.need("kind")?;
    if kind == "screen" {
        let answer = match action {
            "none" => SavedScreenAnswer::NoneOfThese,
            "dont_know" => SavedScreenAnswer::DontKnow,
            _ => {
                let items: Vec<String> = form.all("item").into_iter().map(String::from).collect();
                if items.is_empty() {
                    return Err(WebError::input(
                        &q,
                        "tick the signs you have, or choose \"No, none of these\" or \"Don't know\"",
                    ));
                }
                SavedScreenAnswer::These(items)
            }
        };
        return Ok(Some(SavedStep::Screen { screen: q, answer }));
    }
    if kind != "field" {
        return Err(WebError::input("kind", "must be \"field\" or \"screen\""));
    }
    let answer = if action == "dont_know" {
        Json::Null
    } else {
        match form.need("answer")? {
            "yes_no" => match form.get("value") {
                Some("yes") => json!(true),
                Some("no") => json!(false),
                _ => return Err(WebError::input(&q, "choose Yes, No or Don't know")),
            },
            "one_of" => match form.get("value") {
                Some(v) => json!(v),
                None => return Err(WebError::input(&q, "choose one answer, or Don't know")),
            },
            // Nothing ticked is "none of these", as in the terminal.
            "many_of" => json!(form.all("value")),
            "whole_number" => match form.get("value").map(str::parse::<i64>) {
                Some(Ok(n)) => json!(n),
                _ => {
                    return Err(WebError::input(
                        &q,
                        "type a whole number (or choose Don't know)",
                    ))
                }
            },
            "number" => match form
                .get("value")
                .map(|v| v.replace(',', ".").parse::<f64>())
            {
                Some(Ok(x)) if x.is_finite() && form.get("unit") == Some("mi") => {
                    json!(x * KM_PER_MILE)
                }
                Some(Ok(x)) if x.is_finite() => json!(x),
                _ => return Err(WebError::input(&q, "type a number (or choose Don't know)")),
            },
            other => {
                return Err(WebError::input(
                    "answer",
                    format!("\"{other}\" is not a kind of answer"),
                ))
            }
        }
    };
    Ok(Some(SavedStep::Field { field: q, answer }))
}

/// `POST /assess`: one answer (or back), then the next question, or the end.
pub async fn step(State(st): State<Shared>, body: Bytes) -> Result<Response, WebError> {
    let form = Form::parse(&body);
    let saved: InterviewState = serde_json::from_str(form.need("state")?)
        .map_err(|e| WebError::input("state", format!("is not a saved interview ({e})")))?;
    let screens = st.service.kb().screens.len();
    let step = match step_from(&form) {
        Ok(s) => s,
        Err(e) => return again(&st, saved, e).await,
    };
    let kept = saved.clone();
    let next = st
        .with_service(move |svc| {
            Ok(match step {
                None => svc.interview_back(&saved),
                Some(s) => svc.interview_answer(&saved, s),
            })
        })
        .await?;
    let view = match next {
        Ok(v) => v,
        Err(e) => return again(&st, kept, e.into()).await,
    };
    if view.question.is_some() {
        let mi = miles(&st).await?;
        return Ok(question_page(&view, screens, &st.config.csrf, mi, None).into_response());
    }
    if view.gave_up {
        let body = html! {
            h1 { "No result this time" }
            p { (st.service.kb().screen_wording.all_unknown) }
            p { a.button href="/assess" { "Start again" } }
        };
        return Ok(page("No result", Nav::Assess, body).into_response());
    }
    finish(&st, view.state).await
}

/// The question on the screen again, with what was wrong (400).
async fn again(st: &Shared, saved: InterviewState, e: WebError) -> Result<Response, WebError> {
    let view = st
        .with_service(move |svc| Ok(svc.interview_resume(&saved)))
        .await?
        .map_err(WebError::from)?;
    let screens = st.service.kb().screens.len();
    let msg = e.to_string();
    let mi = miles(st).await?;
    Ok((
        StatusCode::BAD_REQUEST,
        question_page(&view, screens, &st.config.csrf, mi, Some(&msg)),
    )
        .into_response())
}

/// Store the finished assessment as the terminal does without a "yes": a runner without a
/// plan gets the new one, a result that needs a doctor urgently replaces the plan, and
/// otherwise the plan followed now is kept and the result page asks whether to switch
/// (switching is `plan restore`, which ends in the same state as the terminal's "yes").
async fn finish(st: &Shared, state: InterviewState) -> Result<Response, WebError> {
    let id = st
        .with_db(move |svc, db| {
            let findings = svc.interview_finish(&state)?;
            let outcome = svc.assess(&findings);
            let r =
                svc.record_assessment(db, &findings, &outcome, Now::system(), OnActivePlan::Keep)?;
            Ok(r.assessment_id)
        })
        .await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/assessments/{id}?new=1"))],
    )
        .into_response())
}

/// The hidden fields of every form on the question page.
fn carried(view: &InterviewView, token: &str) -> Markup {
    let state = serde_json::to_string(&view.state).unwrap_or_default();
    html! {
        (csrf(token))
        input type="hidden" name="state" value=(state);
    }
}

pub fn question_page(
    view: &InterviewView,
    screens: usize,
    token: &str,
    miles: bool,
    error: Option<&str>,
) -> Markup {
    let Some(q) = &view.question else {
        return page("Check my pain", Nav::Assess, html! { h1 { "Done" } });
    };
    let progress = if view.asked < screens {
        format!("Warning-sign check {} of {screens}", view.asked + 1)
    } else {
        format!("Question {}", view.asked + 1)
    };
    let body = html! {
        p.progress aria-label="Progress" {
            span.step { (progress) }
            @if let Some((name, p)) = &view.leading {
                " · most likely so far: " (name) " (" ((p.clamp(0.0, 1.0) * 100.0).round() as u32) "%)"
            }
        }
        div.errors #errors role="alert" aria-live="assertive" {
            @if let Some(e) = error { p.error { "That answer was not accepted: " (e) } }
        }
        form.question method="post" action="/assess" data-question=(q.id) {
            (carried(view, token))
            input type="hidden" name="q" value=(q.id);
            input type="hidden" name="kind" value=(q.kind);
            input type="hidden" name="answer" value=(q.answer);
            @match q.answer {
                "checklist" => {
                    fieldset {
                        legend { h1 { (q.text) } }
                        p.hint { "Tick any you have now, then choose below." }
                        ul.choices {
                            @for c in &q.choices {
                                li { label { input type="checkbox" name="item" value=(c.id); " " (c.label) } }
                            }
                        }
                    }
                    div.actions {
                        button.primary type="submit" name="action" value="none" { "No, none of these" }
                        button type="submit" name="action" value="these" { "Yes, the ones I ticked" }
                        button type="submit" name="action" value="dont_know" { (DONT_KNOW) }
                    }
                }
                "yes_no" => {
                    h1 #qtext { (q.text) }
                    div.actions role="group" aria-labelledby="qtext" {
                        button.primary type="submit" name="value" value="yes" { "Yes" }
                        button.primary type="submit" name="value" value="no" { "No" }
                        button type="submit" name="action" value="dont_know" { (DONT_KNOW) }
                    }
                }
                "one_of" => {
                    h1 #qtext { (q.text) }
                    div.actions.stack role="group" aria-labelledby="qtext" {
                        @for c in &q.choices {
                            button.primary type="submit" name="value" value=(c.id) { (c.label) }
                        }
                        button type="submit" name="action" value="dont_know" { (DONT_KNOW) }
                    }
                }
                "many_of" => {
                    fieldset {
                        legend { h1 { (q.text) } }
                        p.hint { "Tick all that apply; nothing ticked means none of these." }
                        ul.choices {
                            @for c in &q.choices {
                                li { label { input type="checkbox" name="value" value=(c.id); " " (c.label) } }
                            }
                        }
                    }
                    div.actions {
                        button.primary type="submit" { "Continue" }
                        button type="submit" name="action" value="dont_know" { (DONT_KNOW) }
                    }
                }
                _ => {
                    @let distance = q.unit.as_deref() == Some("distance");
                    h1 { label for="value" { (q.text) @if distance { @if miles { " (in miles)" } @else { " (in km)" } } } }
                    @if distance && miles { input type="hidden" name="unit" value="mi"; }
                    // An open-ended number comes with the largest float as its maximum:
                    // say only the bounds a person would.
                    @let max = q.max.filter(|m| m.is_finite() && *m < 1e9 && !(distance && miles));
                    p.hint #value-hint {
                        @match (q.min, max) {
                            (Some(lo), Some(hi)) => { "A number from " (lo) " to " (hi) "." }
                            (Some(lo), None) => { "A number of at least " (lo) "." }
                            _ => { "A number." }
                        }
                    }
                    input #value type="text" name="value" inputmode=(if q.answer == "whole_number" { "numeric" } else { "decimal" }) autocomplete="off" aria-describedby="value-hint" aria-invalid=[error.map(|_| "true")];
                    div.actions {
                        button.primary type="submit" { "Continue" }
                        button type="submit" name="action" value="dont_know" { (DONT_KNOW) }
                    }
                }
            }
        }
        @if view.can_go_back {
            form.back method="post" action="/assess" {
                (carried(view, token))
                input type="hidden" name="action" value="back";
                button type="submit" { "← Back to the previous question" }
            }
        }
        p.small { "Educational information, not a diagnosis. Nothing is saved until the last question." }
    };
    page(&q.text, Nav::Assess, body)
}
