//! The interview through the service as a web app would drive it: every call gets the state
//! back as JSON text (as if it had crossed a request), answers by id, goes back, and finishes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_service::view::{InterviewState, InterviewView, SavedScreenAnswer, SavedStep};
use hamstride_service::Service;
use serde_json::json;

/// The state as it would come back from a browser.
fn over_the_wire(v: &InterviewView) -> InterviewState {
    let text = serde_json::to_string(&v.state).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A plausible answer to the question shown: no warning signs, the first choice, the lowest
/// number, "yes".
fn answer(v: &InterviewView) -> SavedStep {
    let q = v.question.as_ref().unwrap();
    match q.answer {
        "checklist" => SavedStep::Screen {
            screen: q.id.clone(),
            answer: SavedScreenAnswer::NoneOfThese,
        },
        "yes_no" => SavedStep::Field {
            field: q.id.clone(),
            answer: json!(true),
        },
        "one_of" => SavedStep::Field {
            field: q.id.clone(),
            answer: json!(q.choices[0].id),
        },
        "many_of" => SavedStep::Field {
            field: q.id.clone(),
            answer: json!([q.choices[0].id]),
        },
        _ => SavedStep::Field {
            field: q.id.clone(),
            answer: json!(q.min.unwrap_or(0.0).max(1.0)),
        },
    }
}

#[test]
fn a_whole_interview_over_saved_state_ends_and_assesses() {
    let svc = Service::new().unwrap();
    let mut v = svc.interview_start(None);
    assert!(!v.can_go_back);
    let mut n = 0;
    while v.question.is_some() {
        let a = answer(&v);
        v = svc.interview_answer(&over_the_wire(&v), a).unwrap();
        n += 1;
        assert!(n <= 40, "the interview must stop (cap 30 questions)");
    }
    assert_eq!(v.asked, n);
    let f = svc.interview_finish(&over_the_wire(&v)).unwrap();
    let out = svc.assess(&f);
    assert!(!out.assessment.differential.is_empty());
}

#[test]
fn going_back_asks_the_same_question_again_and_keeps_the_rest() {
    let svc = Service::new().unwrap();
    let mut v = svc.interview_start(None);
    for _ in 0..4 {
        let a = answer(&v);
        v = svc.interview_answer(&over_the_wire(&v), a).unwrap();
    }
    let asked_4th = v.question.as_ref().unwrap().id.clone();
    let a = answer(&v);
    let after = svc.interview_answer(&over_the_wire(&v), a).unwrap();
    let back = svc.interview_back(&over_the_wire(&after)).unwrap();
    assert_eq!(back.question.as_ref().unwrap().id, asked_4th);
    assert_eq!(back.state, v.state, "the first four answers are kept");
}

#[test]
fn a_bad_answer_names_the_field_and_changes_nothing() {
    let svc = Service::new().unwrap();
    let v = svc.interview_start(None);
    let kept = over_the_wire(&v);
    let e = svc
        .interview_answer(
            &kept,
            SavedStep::Field {
                field: "pain_now".into(),
                answer: json!(99),
            },
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("pain_now"), "{e}");
    let e = svc
        .interview_answer(
            &kept,
            SavedStep::Field {
                field: "no_such_question".into(),
                answer: json!(true),
            },
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("no_such_question"), "{e}");
    // The state the front end kept still works.
    assert!(svc.interview_answer(&kept, answer(&v)).is_ok());
}
