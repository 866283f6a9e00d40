//! Property tests of the assessment engine over generated input, independent of any vignette:
//! red flags only ever make triage more urgent; untrusted JSON never panics and every error
//! names a field of the input; every assessment of valid findings meets the contract; and the
//! engine is deterministic. Valid findings are generated from the knowledge base's own schema
//! (`kb.schema.fields`), so a field added to `kb/findings.toml` is covered without editing
//! this file. Case counts are kept modest because every case runs full assessments in debug.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::LazyLock;

use common::{contract_problems, value_of};
use hamstride_core::findings::FieldKind;
use hamstride_core::{assess, Error, Findings, Kb, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Map, Value as Json};

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::embedded().expect("embedded knowledge base"));

/// A second, independently loaded copy: outputs must not depend on which load produced them.
static KB2: LazyLock<Kb> = LazyLock::new(|| Kb::embedded().expect("embedded knowledge base"));

/// The red-flag answers: the items of the red-flag screen (`kb/screens.toml`), which the
/// engine keeps out of the triage posterior so that they act only through rules. (Other
/// yes/no findings that urgent rules read, such as back pain, are ordinary evidence: they may
/// rightly change which condition leads.)
static RED_FLAG_FIELDS: LazyLock<Vec<usize>> = LazyLock::new(|| {
    let kb = &*KB;
    let mut out: Vec<usize> = kb
        .screens
        .iter()
        .flat_map(|s| s.item_fields.iter().copied())
        .filter(|&fi| kb.schema.fields[fi].kind == FieldKind::Bool)
        .collect();
    out.sort_unstable();
    out.dedup();
    assert!(out.iter().all(|&fi| kb.warning_signs[fi]));
    out
});

/// Words a hostile or careless client is likely to send: every field id and choice value of
/// the contract, the schema tag, and a few near misses.
static VOCAB: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v: Vec<String> = Vec::new();
    for f in &KB.schema.fields {
        v.push(f.id.clone());
        v.extend(f.values().iter().cloned());
    }
    for extra in [
        "schema",
        "hamstride.findings/1",
        "hamstride.findings/2",
        "true",
        "false",
        "",
        "Sudden",
        "age",
    ] {
        v.push(extra.to_string());
    }
    v
});

/// Valid findings with each field answered with probability `p`.
fn findings_with(p: f64) -> impl Strategy<Value = Findings> {
    let n = KB.schema.fields.len();
    prop::collection::vec(prop::option::weighted(p, any::<u64>()), n).prop_map(|raw| {
        let kb = &*KB;
        let mut f = Findings::empty(&kb.schema);
        for (fi, r) in raw.into_iter().enumerate() {
            f.set(fi, r.map(|r| value_of(&kb.schema.fields[fi].kind, r)));
        }
        f
    })
}

/// Any valid findings: a random subset of the contract's fields with random valid values.
/// Half the cases are sparse (about 4 answers, like a questionnaire stopped early), where a
/// single answer weighs most and rule/probability interactions show; the rest are dense.
fn findings() -> impl Strategy<Value = Findings> {
    prop_oneof![findings_with(0.06), findings_with(0.2), findings_with(0.5)]
}

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        (-20i64..130).prop_map(Json::from),
        any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)),
        (-5.0f64..120.0).prop_map(Json::from),
        prop::sample::select(VOCAB.clone()).prop_map(Json::String),
        ".{0,12}".prop_map(Json::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(VOCAB.clone()),
        1 => "[a-z_]{0,12}",
    ]
}

/// Arbitrary JSON trees, biased towards the contract's words.
fn json() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Json::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Inputs for the parser: contract-shaped objects with random values, valid findings with
/// one value replaced by junk, and plain junk.
fn untrusted() -> impl Strategy<Value = Json> {
    let shaped =
        (any::<bool>(), prop::collection::vec((key(), json()), 0..16)).prop_map(|(tag, kv)| {
            let mut m: Map<String, Json> = kv.into_iter().collect();
            if tag {
                m.insert("schema".into(), Json::from("hamstride.findings/1"));
            }
            Json::Object(m)
        });
    let corrupted = (findings(), any::<prop::sample::Index>(), json()).prop_map(|(f, at, junk)| {
        let mut m = f.to_json(&KB.schema);
        let fields = &KB.schema.fields;
        m.insert(fields[at.index(fields.len())].id.clone(), junk);
        Json::Object(m)
    });
    prop_oneof![3 => shaped, 3 => corrupted, 1 => json()]
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Failing cases are saved next to this file (properties.proptest-regressions) and
        // replayed first on every run, so a counterexample once found keeps failing until
        // fixed. Named explicitly: the default looks for a lib.rs and warns in tests/.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// The safety argument of the engine: answering "yes" to any red-flag question can keep
    /// the triage level or make it more urgent, never less.
    #[test]
    fn a_red_flag_never_lowers_triage(f in findings(), pick in any::<prop::sample::Index>()) {
        let kb = &*KB;
        let fi = RED_FLAG_FIELDS[pick.index(RED_FLAG_FIELDS.len())];
        let before = assess(kb, &f);
        let mut g = f.clone();
        g.set(fi, Some(Value::Bool(true)));
        let after = assess(kb, &g);
        prop_assert!(
            after.level <= before.level,
            "setting {} = true moved triage from {} to {}; findings after: {}",
            kb.schema.fields[fi].id,
            before.assessment.triage.level,
            after.assessment.triage.level,
            Json::Object(g.to_json(&kb.schema)),
        );
    }

    /// Untrusted JSON never panics; errors are field errors naming a key of the input (or
    /// the top level), strict mode accepts a subset of what lenient mode accepts, lenient
    /// mode warns once per unknown key, and whatever parses can be assessed.
    #[test]
    fn untrusted_json_never_panics(v in untrusted()) {
        let kb = &*KB;
        let strict = Findings::from_json(&kb.schema, &v, true);
        let lenient = Findings::from_json(&kb.schema, &v, false);
        for r in [&strict, &lenient] {
            match r {
                Ok(p) => {
                    let out = assess(kb, &p.findings);
                    prop_assert!(!out.assessment.differential.is_empty());
                }
                Err(Error::Field { field, problem }) => {
                    prop_assert!(!problem.is_empty());
                    match v.as_object() {
                        Some(m) => prop_assert!(
                            m.contains_key(field),
                            "error names '{field}', which is not a key of the input"
                        ),
                        None => prop_assert_eq!(field.as_str(), "(top level)"),
                    }
                }
                Err(e) => prop_assert!(false, "not a field error: {e:?}"),
            }
        }
        if let Ok(s) = &strict {
            prop_assert!(s.warnings.is_empty());
            let l = lenient.as_ref().expect("lenient rejects what strict accepts");
            prop_assert_eq!(&s.findings, &l.findings);
        }
        if let (Ok(l), Some(m)) = (&lenient, v.as_object()) {
            // Unknown fields warn, and so do fields a later contract version added when the
            // input says it is version 1 (they are ignored there, with a warning).
            let v1 = m.get("schema").and_then(|s| s.as_str()) == Some("hamstride.findings/1");
            let unknown = m
                .keys()
                .filter(|k| {
                    *k != "schema"
                        && kb
                            .schema
                            .index(k)
                            .is_none_or(|i| v1 && kb.schema.fields[i].since > 1)
                })
                .count();
            prop_assert_eq!(l.warnings.len(), unknown);
        }
    }

    /// Arbitrary text through the JSON entry point: never a panic, and a syntax error
    /// reports where it is.
    #[test]
    fn untrusted_text_never_panics(text in prop_oneof![
        ".{0,40}",
        untrusted().prop_map(|v| v.to_string()),
        untrusted().prop_map(|v| {
            let s = v.to_string();
            s.chars().take(s.chars().count() / 2).collect()
        }),
    ]) {
        let kb = &*KB;
        for strict in [true, false] {
            match Findings::from_json_str(&kb.schema, &text, strict) {
                Ok(p) => {
                    assess(kb, &p.findings);
                }
                Err(Error::Json { line, column, .. }) => {
                    prop_assert!(line >= 1, "line {line} column {column} for {text:?}");
                }
                Err(Error::Field { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {e:?}"),
            }
        }
    }

    /// Every assessment of valid findings meets the contract's output format (see
    /// `common::contract_problems` for the full list of checks).
    #[test]
    fn output_meets_the_contract(f in findings()) {
        let kb = &*KB;
        let out = assess(kb, &f);
        let json = serde_json::to_value(&out.assessment).unwrap();
        let problems = contract_problems(kb, &f, &json);
        prop_assert!(
            problems.is_empty(),
            "{problems:#?}\ninput: {}",
            Json::Object(f.to_json(&kb.schema))
        );
    }

    /// The contract's JSON form of findings reads back as the same findings, strictly.
    #[test]
    fn findings_json_round_trips(f in findings()) {
        let kb = &*KB;
        let json = Json::Object(f.to_json(&kb.schema));
        let back = Findings::from_json(&kb.schema, &json, true)
            .unwrap_or_else(|e| panic!("{e} for {json}"));
        prop_assert!(back.warnings.is_empty());
        prop_assert_eq!(back.findings, f);
    }
}

proptest! {
    // Four full assessments per case: fewer cases keep the debug run short.
    #![proptest_config(config(64))]

    /// Same knowledge base and findings, same assessment, whichever load of the knowledge
    /// base and however often it runs.
    #[test]
    fn assessment_is_deterministic(f in findings()) {
        let a = assess(&KB, &f);
        let b = assess(&KB, &f);
        let c = assess(&KB2, &f);
        prop_assert_eq!(&a.assessment, &b.assessment);
        prop_assert_eq!(&a.assessment, &c.assessment);
        prop_assert_eq!(&a.posterior, &c.posterior);
        prop_assert_eq!(
            serde_json::to_string(&a.assessment).unwrap(),
            serde_json::to_string(&c.assessment).unwrap()
        );
    }
}

/// The red-flag property above must have something to set; an empty list would make it pass
/// without testing anything.
#[test]
fn red_flag_fields_are_found() {
    let names: Vec<&str> = RED_FLAG_FIELDS
        .iter()
        .map(|&fi| KB.schema.fields[fi].id.as_str())
        .collect();
    for must in [
        "saddle_numbness",
        "bladder_change",
        "breathless_or_chest_pain",
        "dark_urine",
        "foot_drop",
        "leg_weakness",
        "leg_swelling",
        "fever_or_unwell",
    ] {
        assert!(names.contains(&must), "{must} missing from {names:?}");
    }
}

/// Regressions found by `a_red_flag_never_lowers_triage`, shrunk to their smallest input:
/// (findings, answer set to true).
///
/// 1. `kb/triage.toml` R-P3-bruise fired on `... and not gap_or_dent`, so feeling a dent
///    (a sign of a complete tear, read by R-U1) switched the clinician rule off.
/// 2. The engine's old probability default took the usual level of the single most likely
///    condition; an answer that was evidence against that condition dropped the level.
///
/// Since the clinical-safety rework the red-flag answers are the red-flag screen's items
/// (the only ones kept out of the triage posterior), and a dent, a pop, a painful hop or not
/// being able to sit are ordinary evidence that may change which condition leads. For those
/// the safety property that remains is the issue's: an answer never takes an emergency or
/// urgent result below urgent. For screen items the level may not drop at all.
#[test]
fn regression_red_flag_answers_that_lowered_triage() {
    let kb = &*KB;
    let cases = [
        (r#"{"bruising": "small"}"#, "gap_or_dent"),
        (
            r#"{"days_since_onset": 0.2, "mechanism": "lifting_or_twisting", "pain_now": 7, "tenderness": "along_muscle", "test_neural_tension": true, "warms_up": true}"#,
            "test_single_leg_hop",
        ),
        (
            r#"{"pain_quality": ["ache", "cramping", "throbbing"], "stopped_immediately": false}"#,
            "unable_to_sit",
        ),
        (
            r#"{"days_since_onset": 15.2, "test_single_leg_hop": true}"#,
            "pop_or_snap",
        ),
    ];
    let mut failures = Vec::new();
    for (text, field) in cases {
        let f = Findings::from_json_str(&kb.schema, text, true)
            .unwrap()
            .findings;
        let fi = kb.schema.index(field).unwrap();
        let before = assess(kb, &f);
        let mut g = f.clone();
        g.set(fi, Some(Value::Bool(true)));
        let after = assess(kb, &g);
        let red_flag = RED_FLAG_FIELDS.contains(&fi);
        let lowered = if red_flag {
            after.level > before.level
        } else {
            before.level <= 1 && after.level > 1
        };
        if lowered {
            failures.push(format!(
                "{text} + {field} = true: {} ({}) -> {} ({})",
                before.assessment.triage.level,
                before.assessment.triage.reasons[0].rule,
                after.assessment.triage.level,
                after.assessment.triage.reasons[0].rule,
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "a red-flag answer lowered triage:\n{}",
        failures.join("\n")
    );
}
