//! Past assessments: `GET /assessments` lists them, newest first; `GET /assessments/{id}`
//! shows one in full (its stored findings assessed again, as the service does it) with where
//! its plan stands: the plan followed now, or one the runner may switch to.

use axum::extract::{Path, Query, State};
use maud::html;
use serde::Deserialize;

use crate::html::{csrf, page, Nav};
use crate::pages::{id_of, level_title, result};
use crate::{Shared, WebError};

pub async fn list(State(st): State<Shared>) -> Result<maud::Markup, WebError> {
    let past = st.with_db(|svc, db| Ok(svc.past_assessments(db)?)).await?;
    let kb = st.service.kb();
    let body = html! {
        h1 { "Past results" }
        @if past.is_empty() {
            p { "No results yet." }
            p { a.button href="/assess" { "Check my pain" } }
        } @else {
            ul.cards {
                @for a in &past {
                    li.card {
                        a href=(format!("/assessments/{}", a.id)) {
                            strong { (a.date.to_string()) } ": " (a.condition)
                            " (" ((a.probability.clamp(0.0, 1.0) * 100.0).round() as u32) "%)"
                        }
                        p { (level_title(kb, a.triage.as_str()))
                            @if a.plan_active { " · " strong { "your plan now" } }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Past results", Nav::Past, body))
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    /// Set by the interview's last step: the result was just saved.
    new: Option<String>,
}

pub async fn show(
    State(st): State<Shared>,
    Path(raw): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<maud::Markup, WebError> {
    let id = id_of("assessment", &raw)?;
    let (stored, current) = st
        .with_db(move |svc, db| {
            let stored = match svc.stored_assessment(db, id) {
                Err(hamstride_service::Error::Input { .. }) => {
                    return Err(WebError::NotFound(format!("There is no result {id}.")))
                }
                other => other?,
            };
            Ok((stored, svc.current_plan_summary(db)?))
        })
        .await?;
    let kb = st.service.kb();
    let s = &stored.summary;
    let just_saved = q.new.is_some();
    let body = html! {
        h1 { "Your result" span.sub { " of " (s.date.to_string()) } }
        @if !stored.same_kb {
            p.note { "This result was made with knowledge base " (stored.kb_version) "; it is shown again with this version's, so it may read differently." }
        }
        (result::render(kb, &stored.findings, &stored.outcome))
        section.saved aria-label="Your plan" {
            @if s.plan_active {
                p { @if just_saved { "Saved. " } "The plan made from this result is your plan now. " a href="/plan" { "See your plan" } }
            } @else {
                p {
                    @if just_saved { "Saved. " }
                    @if let Some(c) = &current {
                        "You kept your plan (" (c.protocol) ", phase \"" (c.phase) "\"). "
                    }
                    "The plan made from this result waits in your plan history. Make it your plan instead?"
                }
                form method="post" action=(format!("/plans/{}/restore", s.plan_id)) {
                    (csrf(&st.config.csrf))
                    button.primary type="submit" { "Use the new plan" }
                    " "
                    a href="/plan" { "Keep my plan" }
                }
            }
        }
    };
    Ok(page("Your result", Nav::Past, body))
}
