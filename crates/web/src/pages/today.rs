//! Today (`GET /`): the level the runner's plan follows now (the triage banner), today's
//! sessions from the plan, and what to do next (check in, or check the pain first when there
//! is no plan yet).

use axum::extract::State;
use maud::{html, Markup};

use crate::html::{banner, Nav};
use crate::pages::{level_title, plan};
use crate::{Shared, WebError};

pub async fn page(State(st): State<Shared>) -> Result<Markup, WebError> {
    let view = plan::page_(&st).await?;
    let kb = st.service.kb();
    let body = match &view {
        None => html! {
            h1 { "Today" }
            p { "hamstride helps runners with pain at the back of the thigh: a few questions tell you what it most likely is, how urgent it is, and what to do now, with a plan for the weeks ahead." }
            p { a.button.primary href="/assess" { "Check my pain" } }
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
