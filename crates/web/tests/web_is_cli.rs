//! Web = CLI: every development vignette (`../shared/vignettes/dev.jsonl`) is driven through
//! the HTTP interview, each question answered from the vignette's findings as a runner would
//! in the browser ("Don't know" when the vignette does not say; a warning-sign checklist
//! "these" when any sign is present, "none" when all are known absent, else "don't know", as
//! the terminal offers it). The same answers are given to the service's interview in process,
//! which is what the terminal runs, and the level and the most likely condition the web
//! stored and shows must equal `Service::assess` on those findings. Prints one line saying it
//! ran, or that it was skipped without `../shared`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::{app, data_attr, hidden, shared_dir};
use hamstride_service::view::{InterviewState, QuestionView, SavedScreenAnswer, SavedStep};
use hamstride_service::Service;
use serde_json::Value as Json;

/// The form fields a runner who knows `known` sends for `q`, and the same answer as a saved
/// step.
fn answer_from(
    q: &QuestionView,
    known: &serde_json::Map<String, Json>,
) -> (Vec<(String, String)>, SavedStep) {
    let f = |k: &str, v: &str| (k.to_string(), v.to_string());
    let mut fields = vec![f("q", &q.id), f("kind", q.kind), f("answer", q.answer)];
    if q.answer == "checklist" {
        let vals: Vec<Option<bool>> = q
            .choices
            .iter()
            .map(|c| known.get(&c.id).and_then(Json::as_bool))
            .collect();
        let present: Vec<String> = q
            .choices
            .iter()
            .zip(&vals)
            .filter(|(_, v)| **v == Some(true))
            .map(|(c, _)| c.id.clone())
            .collect();
        let answer = if !present.is_empty() {
            fields.push(f("action", "these"));
            for id in &present {
                fields.push(f("item", id));
            }
            SavedScreenAnswer::These(present)
        } else if vals.iter().all(|v| *v == Some(false)) {
            fields.push(f("action", "none"));
            SavedScreenAnswer::NoneOfThese
        } else {
            fields.push(f("action", "dont_know"));
            SavedScreenAnswer::DontKnow
        };
        return (
            fields,
            SavedStep::Screen {
                screen: q.id.clone(),
                answer,
            },
        );
    }
    let value = known.get(&q.id).filter(|v| !v.is_null()).cloned();
    let step = |answer: Json| SavedStep::Field {
        field: q.id.clone(),
        answer,
    };
    match value {
        None => {
            fields.push(f("action", "dont_know"));
            (fields, step(Json::Null))
        }
        Some(Json::Bool(b)) => {
            fields.push(f("value", if b { "yes" } else { "no" }));
            (fields, step(Json::Bool(b)))
        }
        Some(Json::String(s)) => {
            fields.push(f("value", &s));
            (fields, step(Json::String(s)))
        }
        Some(Json::Array(items)) => {
            for i in &items {
                fields.push(f("value", i.as_str().unwrap()));
            }
            (fields, step(Json::Array(items)))
        }
        Some(n @ Json::Number(_)) => {
            fields.push(f("value", &n.to_string()));
            // The web reads a whole number as an integer and any other as a float.
            let parsed = if q.answer == "whole_number" {
                Json::from(n.as_f64().unwrap() as i64)
            } else {
                Json::from(n.as_f64().unwrap())
            };
            (fields, step(parsed))
        }
        Some(other) => panic!("{}: unexpected value {other}", q.id),
    }
}

#[tokio::test]
async fn every_dev_vignette_gives_the_same_result_on_the_web_as_in_the_terminal() {
    let Some(shared) = shared_dir("web = CLI on every dev vignette through the HTTP interview")
    else {
        return;
    };
    let text = std::fs::read_to_string(shared.join("vignettes/dev.jsonl")).unwrap();
    let svc = Service::new().unwrap();
    let a = app();
    let (mut n, mut gave_up, mut urgent) = (0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Json = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap().to_string();
        let known = case["findings"].as_object().unwrap().clone();
        // The terminal's side: the service's interview in process.
        let mut cli = svc.interview_start(None);
        let mut page = a.get("/assess").await;
        let mut steps = 0;
        loop {
            assert_eq!(page.status, StatusCode::OK, "{id}: {}", page.body);
            let Some(state) = hidden(&page.body, "state") else {
                break;
            };
            let web_state: InterviewState = serde_json::from_str(&state).unwrap();
            assert_eq!(
                web_state, cli.state,
                "{id}: the web and the terminal ask in step"
            );
            let q = cli.question.clone().unwrap();
            assert_eq!(
                hidden(&page.body, "q").as_deref(),
                Some(q.id.as_str()),
                "{id}: same question"
            );
            let (fields, step) = answer_from(&q, &known);
            let mut all: Vec<(&str, &str)> = vec![("state", &state)];
            all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            page = a.post("/assess", &all).await;
            cli = svc.interview_answer(&cli.state, step).unwrap();
            steps += 1;
            assert!(steps <= 40, "{id}: the interview must end");
            if page.status == StatusCode::SEE_OTHER {
                break;
            }
        }
        assert!(cli.question.is_none(), "{id}: both ended");
        if cli.gave_up {
            assert!(page.body.contains("Nothing was saved"), "{id}");
            gave_up += 1;
            n += 1;
            continue;
        }
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{id}: {}", page.body);
        let result = a.get(page.location()).await;
        assert_eq!(result.status, StatusCode::OK, "{id}");
        let findings = svc.interview_finish(&cli.state).unwrap();
        let want = svc.assess(&findings);
        let want_level = want.assessment.triage.level.clone();
        let want_top = want
            .assessment
            .differential
            .first()
            .map(|d| d.condition.clone());
        assert_eq!(
            data_attr(&result.body, "level").as_deref(),
            Some(want_level.as_str()),
            "{id}: level"
        );
        assert_eq!(
            data_attr(&result.body, "top"),
            want_top,
            "{id}: most likely condition"
        );
        if want_level == "emergency" || want_level == "urgent" {
            urgent += 1;
        }
        n += 1;
    }
    assert!(n > 0);
    eprintln!(
        "web = CLI: {n} dev vignettes through the HTTP interview, same level and top condition as Service::assess ({urgent} emergency or urgent, {gave_up} all \"don't know\")"
    );
}
