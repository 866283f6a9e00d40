//! Settings (`GET /settings`, `POST /settings`), the terminal's `hamstride profile`: units,
//! time zone, resting and maximum heart rate and which of Banister's curves, kept in the
//! database; where the data lives, and the ways to download or delete all of it
//! ([`super::data`]). A field left empty keeps what is stored (as the
//! terminal's options do); the service checks every field before saving any.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hamstride_service::plans::{profile, Now, Profile};
use hamstride_service::training::{update_profile, ProfileUpdate};
use maud::{html, Markup};
use serde::Deserialize;

use crate::form::Form;
use crate::html::{csrf, page, Nav};
use crate::{Shared, WebError};

fn settings_page(
    st: &Shared,
    p: &Profile,
    place: &str,
    saved: bool,
    error: Option<&str>,
) -> Markup {
    let units = p.units.as_deref().unwrap_or("km");
    let curve = p.hr_curve.as_deref().unwrap_or("men");
    let body = html! {
        h1 { "Settings" }
        div.errors #errors role="alert" aria-live="assertive" {
            @if let Some(e) = error { p.error { "Nothing was saved: " (e) } }
        }
        @if saved { p.note role="status" { "Saved." } }
        form.settings method="post" action="/settings" {
            (csrf(&st.config.csrf))
            fieldset {
                legend { "Distances in" }
                ul.choices.radios {
                    li { label { input type="radio" name="units" value="km" checked[units == "km"]; " kilometres" } }
                    li { label { input type="radio" name="units" value="mi" checked[units == "mi"]; " miles" } }
                }
            }
            p {
                label for="timezone" { "Time zone (which calendar day a run belongs to)" }
                br;
                input #timezone type="text" name="timezone" value=[p.timezone.as_deref()] placeholder="this computer's, or e.g. Europe/London" autocomplete="off" aria-describedby="tz-hint";
                br;
                span.hint #tz-hint { "A name like Europe/London or America/New_York. Empty keeps what is set." }
            }
            p {
                label for="hr_rest" { "Resting heart rate (beats a minute)" }
                br;
                input #hr_rest type="text" inputmode="numeric" name="hr_rest" value=[p.hr_rest] placeholder="60 assumed" autocomplete="off";
            }
            p {
                label for="hr_max" { "Maximum heart rate (beats a minute)" }
                br;
                input #hr_max type="text" inputmode="numeric" name="hr_max" value=[p.hr_max] placeholder="estimated from your runs" autocomplete="off";
            }
            fieldset {
                legend { "Heart-rate load (Banister's formula) for" }
                ul.choices.radios {
                    li { label { input type="radio" name="hr_curve" value="men" checked[curve == "men"]; " men" } }
                    li { label { input type="radio" name="hr_curve" value="women" checked[curve == "women"]; " women" } }
                }
            }
            div.actions { button.primary type="submit" { "Save" } }
        }
        section aria-labelledby="where-h" {
            h2 #where-h { "Your data" }
            p { "It lives here: " code { (place) } }
            p.hint { "Only on this computer (or the database you chose). hamstride sends nothing anywhere." }
            ul.choices {
                li {
                    a.button href="/settings/export" download { "Download all my data" }
                    br;
                    span.hint { "One zip file: your answers, plans, check-ins, pain diary and runs as tables and JSON, with every file you imported." }
                }
                li {
                    a.button.danger href="/settings/delete" { "Delete all my data" }
                    br;
                    span.hint { "You will be asked to confirm first." }
                }
            }
        }
    };
    page("Settings", Nav::Settings, body)
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

async fn load(st: &Shared) -> Result<(Profile, String), WebError> {
    st.with_db(|_, db| Ok((profile(db)?, db.place()))).await
}

pub async fn show(
    State(st): State<Shared>,
    Query(q): Query<ShowQuery>,
) -> Result<Markup, WebError> {
    let (p, place) = load(&st).await?;
    Ok(settings_page(&st, &p, &place, q.saved.is_some(), None))
}

fn bpm(form: &Form, name: &str) -> Result<Option<f64>, WebError> {
    match form.get(name) {
        None => Ok(None),
        Some(v) => match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(WebError::input(
                name,
                format!("\"{v}\" is not a number of beats a minute"),
            )),
        },
    }
}

pub async fn save(State(st): State<Shared>, body: Bytes) -> Result<Response, WebError> {
    let form = Form::parse(&body);
    let update = (|| {
        Ok::<_, WebError>(ProfileUpdate {
            units: form.get("units").map(str::to_string),
            timezone: form.get("timezone").map(str::to_string),
            hr_rest: bpm(&form, "hr_rest")?,
            hr_max: bpm(&form, "hr_max")?,
            hr_curve: form.get("hr_curve").map(str::to_string),
        })
    })();
    let done = match update {
        Ok(u) => {
            st.with_db(move |_, db| Ok(update_profile(db, &u, Now::system())?))
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/settings?saved=1")],
        )
            .into_response()),
        Err(e @ WebError::BadInput { .. }) => {
            let (p, place) = load(&st).await?;
            let msg = e.to_string();
            Ok((
                StatusCode::BAD_REQUEST,
                settings_page(&st, &p, &place, false, Some(&msg)),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
