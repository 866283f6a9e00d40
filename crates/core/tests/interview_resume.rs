//! The interview as a plain value: saving it after any answer and resuming from the saved
//! JSON gives the same next question, the same findings and the same result as never having
//! stopped; going back forgets exactly the last answer, so it can be changed without
//! starting again; and a saved state with an unknown id or a wrong value is refused with an
//! error that names the step and the field. This is what a front end that cannot keep the
//! interview in memory between two requests (the web app) relies on. The check runs on a
//! built-in case always, and on every development vignette when `../shared` is present.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{load_set, shared_dir};
use hamstride_core::{assess, Error, Findings, Interview, InterviewState, Kb, StopRule};

/// A sprint strain with a pop and a limp: enough answers for a long interview.
const CASE: &str = r#"{"age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "pop_or_snap": true, "stopped_immediately": true, "days_since_onset": 2,
 "pain_sites": ["mid_back_thigh"], "walking": "limp", "bruising": "small",
 "leg_swelling": false, "saddle_numbness": false}"#;

/// Save and resume after every answer; the resumed interview must behave like the original.
fn run_with_resumes(kb: &Kb, known: &Findings, id: &str) -> (Findings, usize) {
    let mut iv = Interview::new(kb);
    let mut guard = 0;
    while let Some(q) = iv.next() {
        iv.answer_from(q, known);
        let text = serde_json::to_string(&iv.state()).unwrap();
        let state: InterviewState = serde_json::from_str(&text).unwrap();
        let resumed = Interview::resume(kb, &state, StopRule::default())
            .unwrap_or_else(|e| panic!("{id}: resume failed: {e}"));
        assert_eq!(
            resumed.findings(),
            iv.findings(),
            "{id}: findings after resume"
        );
        assert_eq!(
            resumed.asked_count(),
            iv.asked_count(),
            "{id}: count after resume"
        );
        assert_eq!(
            resumed.next(),
            iv.next(),
            "{id}: next question after resume"
        );
        iv = resumed;
        guard += 1;
        assert!(guard <= 200, "{id}: the interview does not stop");
    }
    (iv.findings().clone(), iv.asked_count())
}

#[test]
fn a_saved_interview_resumes_exactly() {
    let kb = Kb::embedded().unwrap();
    let known = Findings::from_json_str(&kb.schema, CASE, true)
        .unwrap()
        .findings;
    let (f, asked) = run_with_resumes(&kb, &known, "built-in");
    // The same run without saving ends in the same place.
    let mut iv = Interview::new(&kb);
    while let Some(q) = iv.next() {
        iv.answer_from(q, &known);
    }
    assert_eq!(&f, iv.findings());
    assert_eq!(asked, iv.asked_count());
    assert_eq!(
        assess(&kb, &f).assessment,
        assess(&kb, iv.findings()).assessment
    );
}

#[test]
fn going_back_forgets_only_the_last_answer() {
    let kb = Kb::embedded().unwrap();
    let known = Findings::from_json_str(&kb.schema, CASE, true)
        .unwrap()
        .findings;
    let mut iv = Interview::new(&kb);
    let mut states = vec![(iv.findings().clone(), iv.next())];
    for _ in 0..6 {
        let q = iv.next().expect("a question");
        iv.answer_from(q, &known);
        states.push((iv.findings().clone(), iv.next()));
    }
    // Back, step by step: each time the interview is exactly as it was one answer earlier.
    for k in (0..6).rev() {
        assert!(iv.back().is_some());
        assert_eq!(
            iv.findings(),
            &states[k].0,
            "findings after going back to {k}"
        );
        assert_eq!(
            iv.next(),
            states[k].1,
            "next question after going back to {k}"
        );
        assert_eq!(iv.steps().len(), k);
    }
    assert!(iv.back().is_none(), "nothing left to go back over");
}

#[test]
fn an_answer_can_be_changed_without_starting_again() {
    let kb = Kb::embedded().unwrap();
    let fi = kb.schema.index("walking").unwrap();
    let mut iv = Interview::new(&kb);
    // Skip the screens and ask about walking: "normal", then change it to "unable".
    iv.answer(fi, Some(hamstride_core::Value::Enum(0)));
    let before = iv.findings().clone();
    let step = iv.back().expect("the walking answer");
    assert_eq!(
        step,
        hamstride_core::Step::Field(fi, Some(hamstride_core::Value::Enum(0)))
    );
    iv.answer(fi, Some(hamstride_core::Value::Enum(2)));
    assert_ne!(iv.findings(), &before);
    assert_eq!(iv.findings().get(fi), Some(&hamstride_core::Value::Enum(2)));
    assert_eq!(iv.steps().len(), 1);
}

#[test]
fn a_bad_saved_state_is_refused_naming_the_step_and_field() {
    let kb = Kb::embedded().unwrap();
    let cases = [
        (
            r#"{"schema": "hamstride.interview/1", "start": {}, "steps": [{"kind": "field", "field": "elbow", "answer": true}]}"#,
            "steps[0].field",
        ),
        (
            r#"{"schema": "hamstride.interview/1", "start": {}, "steps": [{"kind": "field", "field": "walking", "answer": 3}]}"#,
            "steps[0].walking",
        ),
        (
            r#"{"schema": "hamstride.interview/1", "start": {}, "steps": [{"kind": "screen", "screen": "urgent-signs", "answer": {"these": ["dark_urine"]}}]}"#,
            "steps[0].answer",
        ),
        (
            r#"{"schema": "hamstride.interview/1", "start": {"age_years": 200}, "steps": []}"#,
            "age_years",
        ),
        (
            r#"{"schema": "hamstride.interview/9", "start": {}, "steps": []}"#,
            "schema",
        ),
    ];
    for (text, want) in cases {
        let state: InterviewState = serde_json::from_str(text).unwrap();
        match Interview::resume(&kb, &state, StopRule::default()) {
            Err(Error::Field { field, .. }) => assert_eq!(field, want, "{text}"),
            other => panic!(
                "{text}: expected an error naming {want}, got {:?}",
                other.err()
            ),
        }
    }
    // Unknown keys are refused by the format itself.
    assert!(serde_json::from_str::<InterviewState>(
        r#"{"schema": "hamstride.interview/1", "start": {}, "steps": [], "extra": 1}"#
    )
    .is_err());
}

#[test]
fn every_dev_vignette_resumes_exactly() {
    let Some(shared) = shared_dir("interview save/resume on the dev vignettes") else {
        return;
    };
    let kb = Kb::embedded().unwrap();
    let mut n = 0;
    for file in ["dev.jsonl", "dev2.jsonl"] {
        for case in load_set(&shared, file) {
            let known = Findings::from_json(&kb.schema, &case.findings, true)
                .unwrap()
                .findings;
            run_with_resumes(&kb, &known, &case.id);
            n += 1;
        }
    }
    eprintln!("interview resume: {n} dev cases saved and resumed after every answer, same questions and findings");
}

/// "Don't know" to everything: the interview stops after a few questions instead of asking 30,
/// and says it gave up; one real answer keeps it going.
#[test]
fn all_dont_know_stops_early_and_says_so() {
    use hamstride_core::{Interview, Question, ScreenAnswer};
    let kb = hamstride_core::Kb::embedded().unwrap();
    let mut iv = Interview::new(&kb);
    let mut asked = 0;
    while let Some(q) = iv.next() {
        match q {
            Question::Screen(s) => iv.answer_screen(s, &ScreenAnswer::DontKnow),
            Question::Field(fi) => iv.answer(fi, None),
        }
        asked += 1;
        assert!(asked < 30);
    }
    assert!(iv.gave_up());
    assert!(asked <= 6, "stopped after {asked} questions");
    // The same start with one real answer does not give up.
    let mut iv = Interview::new(&kb);
    let mut first_field = true;
    let mut asked = 0;
    while let Some(q) = iv.next() {
        match q {
            Question::Screen(s) => iv.answer_screen(s, &ScreenAnswer::DontKnow),
            Question::Field(fi) if first_field => {
                first_field = false;
                let v = match &kb.schema.fields[fi].kind {
                    hamstride_core::findings::FieldKind::Bool => hamstride_core::Value::Bool(true),
                    hamstride_core::findings::FieldKind::Enum(_) => hamstride_core::Value::Enum(0),
                    hamstride_core::findings::FieldKind::Multi(_) => {
                        hamstride_core::Value::Multi(1)
                    }
                    hamstride_core::findings::FieldKind::Int { min, .. } => {
                        hamstride_core::Value::Num(*min as f64 + 1.0)
                    }
                    hamstride_core::findings::FieldKind::Number { min, .. } => {
                        hamstride_core::Value::Num(*min + 1.0)
                    }
                };
                iv.answer(fi, Some(v));
            }
            Question::Field(fi) => iv.answer(fi, None),
        }
        asked += 1;
        if asked > 12 {
            break;
        }
    }
    assert!(!iv.gave_up());
    assert!(asked > 6, "one answer keeps the interview going");
}
