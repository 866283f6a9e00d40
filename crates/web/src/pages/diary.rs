//! The pain diary (`/diary`), the terminal's `hamstride pain`, `pain list` and `pain
//! delete`: every entry listed newest first, a form to log a day (0–10 sliders for during,
//! after and the next morning, each skippable, comfortable sitting time, where and which
//! side, a note), the same form filled in to edit an entry, and delete.
//!
//! The diary keeps one row per day (`Service::log_pain` lays what is given over the day's
//! row), so editing is logging that day again: its date is fixed, the scores given replace
//! the stored ones, and a score left out keeps its value. Moving an entry to another day is
//! deleting it and logging the other day.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hamstride_service::plans::Now;
use hamstride_service::training::{pain_diary, pain_sites, PainInput, PainRecord};
use hamstride_service::Service;
use maud::{html, Markup};

use crate::form::Form;
use crate::html::{csrf, page, Nav};
use crate::pages::id_of;
use crate::{Shared, WebError};

/// The service's limit on a note, said in the form so the browser stops there too.
const MAX_NOTE: usize = 2000;

const SCORES: [(&str, &str); 3] = [
    ("during", "Pain during the run or activity"),
    ("after", "Pain straight after it"),
    ("morning", "Pain the next morning"),
];

/// The places the diary knows, by id with their words.
fn sites(svc: &Service) -> Vec<(String, String)> {
    let kb = svc.kb();
    let field = kb.schema.index("pain_sites").map(|i| &kb.schema.fields[i]);
    pain_sites(svc)
        .into_iter()
        .map(|id| {
            let label = field.map_or_else(|| id.replace('_', " "), |f| f.value_label(&id));
            (id, label)
        })
        .collect()
}

fn score_of(r: Option<&PainRecord>, name: &str) -> Option<u8> {
    let e = &r?.entry;
    match name {
        "during" => e.during,
        "after" => e.after,
        _ => e.next_morning,
    }
}

/// The form to log a day, or to edit `editing` (its day fixed).
fn entry_form(st: &Shared, today: jiff::civil::Date, editing: Option<&PainRecord>) -> Markup {
    let e = editing.map(|r| &r.entry);
    let site_now = e.and_then(|e| e.site.as_deref());
    let side_now = e.and_then(|e| e.side.map(|s| s.as_str()));
    html! {
        form.diary method="post" action="/diary" {
            (csrf(&st.config.csrf))
            @if let Some(r) = editing {
                input type="hidden" name="date" value=(r.entry.date.to_string());
                p { "Day: " strong { (r.entry.date.to_string()) } }
            } @else {
                p {
                    label for="date" { "Day" }
                    br;
                    input #date type="date" name="date" value=(today.to_string()) max=(today.to_string());
                }
            }
            @for (name, question) in SCORES {
                @let now = score_of(editing, name);
                fieldset.score {
                    legend id=(format!("{name}-q")) { (question) " (0 = none, 10 = worst imaginable)" }
                    div.slider {
                        input id=(name) type="range" name=(name) min="0" max="10" step="1" value=(now.unwrap_or(0)) aria-labelledby=(format!("{name}-q")) aria-describedby=(format!("{name}-scale"));
                        output for=(name) id=(format!("{name}-value")) { (now.unwrap_or(0)) }
                    }
                    div.scale id=(format!("{name}-scale")) aria-hidden="true" {
                        @for n in 0..=10 { span { (n) } }
                    }
                    label.skip-score {
                        // Skipped until given: 0 is a real score, never recorded for a
                        // slider nobody moved (the script unticks it when one is moved).
                        input type="checkbox" name="skip" value=(name) checked[now.is_none()];
                        " Skip this one" @if editing.is_some() { " (keeps what is there)" }
                    }
                }
            }
            p {
                label for="sitting" { "Minutes you can sit comfortably (optional)" }
                br;
                input #sitting type="text" inputmode="numeric" name="sitting" value=[e.and_then(|e| e.sitting_min)] autocomplete="off";
            }
            p {
                label for="site" { "Where it hurts (optional)" }
                br;
                select #site name="site" {
                    option value="" { "—" }
                    @for (id, label) in sites(&st.service) {
                        option value=(id) selected[site_now == Some(id.as_str())] { (label) }
                    }
                }
            }
            fieldset {
                legend { "Which side (optional)" }
                ul.choices.radios {
                    @for side in ["left", "right", "both"] {
                        li { label { input type="radio" name="side" value=(side) checked[side_now == Some(side)]; " " (side) } }
                    }
                }
            }
            p {
                label for="note" { "A note (optional)" }
                br;
                textarea #note name="note" rows="3" maxlength=(MAX_NOTE) { (e.and_then(|e| e.notes.as_deref()).unwrap_or("")) }
            }
            div.actions { button.primary type="submit" { @if editing.is_some() { "Save the changes" } @else { "Save to my diary" } } }
        }
    }
}

fn list_page(
    st: &Shared,
    diary: &[PainRecord],
    today: jiff::civil::Date,
    error: Option<&str>,
) -> Markup {
    let n = |v: Option<u8>| v.map_or_else(|| "–".to_string(), |x| x.to_string());
    let labels = sites(&st.service);
    let body = html! {
        h1 { "Pain diary" }
        p { "One entry per day: logging a day again updates it. Your check-ins fill in the day before them." }
        div.errors #errors role="alert" aria-live="assertive" {
            @if let Some(e) = error { p.error { "This entry was not saved: " (e) } }
        }
        details.add open[diary.is_empty() || error.is_some()] {
            summary { "Log a day" }
            (entry_form(st, today, None))
        }
        @if diary.is_empty() {
            p { "No entries yet." }
        } @else {
            ol.cards.diary-list reversed {
                @for r in diary.iter().rev() {
                    @let e = &r.entry;
                    li.card data-id=(r.id) {
                        h2.day { (e.date.strftime("%a %-d %b %Y").to_string()) }
                        p {
                            "During " strong { (n(e.during)) } " · after " strong { (n(e.after)) }
                            " · next morning " strong { (n(e.next_morning)) }
                            @if let Some(m) = e.sitting_min { " · sitting " (m) " min" }
                        }
                        @if e.site.is_some() || e.side.is_some() {
                            p {
                                @if let Some(s) = &e.site {
                                    (labels.iter().find(|(id, _)| id == s).map_or(s.as_str(), |(_, l)| l.as_str()))
                                }
                                @if let Some(side) = e.side { " (" (side.as_str()) ")" }
                            }
                        }
                        @if let Some(note) = &e.notes { p.note-text { (note) } }
                        div.row {
                            a href=(format!("/diary/{}/edit", r.id)) { "Edit" span.visually-hidden { " " (e.date.to_string()) } }
                            form.inline method="post" action=(format!("/diary/{}/delete", r.id)) {
                                (csrf(&st.config.csrf))
                                button.danger type="submit" data-confirm="Delete this day's entry?" {
                                    "Delete" span.visually-hidden { " " (e.date.to_string()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page("Pain diary", Nav::Diary, body)
}

async fn load(st: &Shared) -> Result<(Vec<PainRecord>, jiff::civil::Date), WebError> {
    st.with_db(|svc, db| Ok((pain_diary(db)?, svc.today(db, Now::system())?)))
        .await
}

pub async fn list(State(st): State<Shared>) -> Result<Markup, WebError> {
    let (diary, today) = load(&st).await?;
    Ok(list_page(&st, &diary, today, None))
}

pub async fn edit(State(st): State<Shared>, Path(raw): Path<String>) -> Result<Markup, WebError> {
    let id = id_of("entry", &raw)?;
    let (diary, today) = load(&st).await?;
    let r = diary
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| WebError::NotFound(format!("There is no diary entry {id}.")))?;
    let body = html! {
        h1 { "Edit the entry of " (r.entry.date.to_string()) }
        (entry_form(&st, today, Some(r)))
        p { a href="/diary" { "Back to the diary" } }
    };
    Ok(page("Edit an entry", Nav::Diary, body))
}

fn number(form: &Form, name: &str, field: &str) -> Result<Option<i64>, WebError> {
    if form.all("skip").contains(&name) {
        return Ok(None);
    }
    match form.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| WebError::input(field, format!("\"{v}\" is not a whole number"))),
    }
}

fn input_from(form: &Form) -> Result<PainInput, WebError> {
    let date = form.date()?;
    Ok(PainInput {
        date,
        activity_id: None,
        site: form.get("site").map(str::to_string),
        side: form.get("side").map(str::to_string),
        during: number(form, "during", "during")?,
        after: number(form, "after", "after")?,
        next_morning: number(form, "morning", "next_morning")?,
        sitting_min: number(form, "sitting", "sitting")?,
        notes: form.get("note").map(str::to_string),
    })
}

/// After a write, back to the list (a reload then does not post again).
fn to_list() -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/diary")]).into_response()
}

pub async fn save(State(st): State<Shared>, body: Bytes) -> Result<Response, WebError> {
    let form = Form::parse(&body);
    let done = match input_from(&form) {
        Ok(i) => {
            st.with_db(move |svc, db| Ok(svc.log_pain(db, &i, Now::system())?))
                .await
        }
        Err(e) => Err(e),
    };
    // The service names the terminal's flags when nothing was given; say it in the form's words.
    let done = done.map_err(|e| match e {
        WebError::BadInput { field, .. } if field == "pain" => WebError::input(
            "pain",
            "give at least one pain score (not skipped) or the minutes you can sit",
        ),
        e => e,
    });
    match done {
        Ok(_) => Ok(to_list()),
        Err(e @ WebError::BadInput { .. }) => {
            let (diary, today) = load(&st).await?;
            let msg = e.to_string();
            Ok((
                StatusCode::BAD_REQUEST,
                list_page(&st, &diary, today, Some(&msg)),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn delete(
    State(st): State<Shared>,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = id_of("entry", &raw)?;
    st.with_db(move |svc, db| match svc.delete_pain(db, id) {
        Err(hamstride_service::Error::Input { .. }) => {
            Err(WebError::NotFound(format!("There is no diary entry {id}.")))
        }
        other => Ok(other?),
    })
    .await?;
    Ok(to_list())
}
