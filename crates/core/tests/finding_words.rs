//! Every answer of the findings contract has plain words (`says` in `kb/findings.toml`), so the
//! physio report and any view explaining a result never show an id such as `onset=sudden`;
//! and a knowledge base that leaves an answer without words does not load, naming the field
//! and the answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::findings::FieldKind;
use hamstride_core::{Kb, KbFiles};

/// Every finding id the engine can write for a field (`engine::finding_id`'s forms).
fn ids_of(f: &hamstride_core::findings::Field) -> Vec<String> {
    match &f.kind {
        FieldKind::Bool => vec![f.id.clone(), format!("{}=false", f.id)],
        FieldKind::Int { min, .. } => vec![format!("{}={}", f.id, min + 3)],
        FieldKind::Number { .. } => vec![format!("{}=12.5", f.id)],
        FieldKind::Enum(v) => v.iter().map(|x| format!("{}={x}", f.id)).collect(),
        FieldKind::Multi(v) => v
            .iter()
            .flat_map(|x| [format!("{}={x}", f.id), format!("{}!={x}", f.id)])
            .collect(),
    }
}

#[test]
fn every_answer_reads_as_plain_words() {
    let kb = Kb::embedded().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for f in &kb.schema.fields {
        for id in ids_of(f) {
            let words = kb.finding_says(&id);
            assert!(
                !words.contains('_') && !words.contains('=') && !words.contains('{'),
                "{id} reads {words:?}"
            );
            assert!(
                words.len() >= 4 && words.len() <= 70,
                "{id}: {words:?} is not a short phrase"
            );
            assert_eq!(words.trim(), words, "{id}: spaces around {words:?}");
            // Present and absent, yes and no: never the same words for two answers of a field.
            assert!(
                seen.insert((f.id.clone(), words.clone())),
                "{id}: {words:?} twice"
            );
        }
    }
}

#[test]
fn the_issue_examples_read_as_plain_words() {
    let kb = Kb::embedded().unwrap();
    assert_eq!(
        kb.finding_says("onset=sudden"),
        "started suddenly, at one moment"
    );
    assert_eq!(
        kb.finding_says("mechanism=sprinting"),
        "started while sprinting or running fast"
    );
    assert_eq!(kb.finding_says("age_years=38"), "38 years old");
    assert_eq!(kb.finding_says("pop_or_snap=false"), "no pop or snap");
    assert_eq!(kb.finding_says("pain_sites!=calf"), "no pain in the calf");
    // An id of no field is shown as it is rather than dropped.
    assert_eq!(kb.finding_says("no_such_field=1"), "no_such_field=1");
}

/// The embedded knowledge base with `findings.toml` edited.
fn load_with(edit: impl Fn(&str) -> String) -> Result<Kb, hamstride_core::Error> {
    let good = KbFiles::embedded();
    let findings = edit(good.findings);
    assert_ne!(findings, good.findings, "the edit changed nothing");
    Kb::from_files(&KbFiles {
        findings: &findings,
        ..good
    })
}

#[test]
fn an_answer_without_words_does_not_load() {
    let cases: [(&str, &str, &str, &[&str]); 5] = [
        // A choice value left out.
        (
            "sudden = \"started suddenly, at one moment\", ",
            "",
            "onset",
            &["sudden"],
        ),
        // A bool's no.
        (", no = \"no pop or snap\"", "", "pop_or_snap", &["no"]),
        // A multi field's value not chosen.
        (
            "calf = \"no pain in the calf\", ",
            "",
            "pain_sites",
            &["says_not", "calf"],
        ),
        // A number without the place for it.
        (
            "\"{value} years old\"",
            "\"years old\"",
            "age_years",
            &["{value}"],
        ),
        // Words for an answer the field does not have.
        (
            "says = { yes = \"felt a pop or snap\"",
            "says = { maybe = \"perhaps\", yes = \"felt a pop or snap\"",
            "pop_or_snap",
            &["maybe"],
        ),
    ];
    for (from, to, field, words) in cases {
        let err = load_with(|s| s.replacen(from, to, 1))
            .err()
            .unwrap_or_else(|| panic!("{field}: loaded without {from:?}"))
            .to_string();
        assert!(err.contains("findings.toml"), "{err}");
        assert!(err.contains(field), "{field}: {err}");
        for w in words {
            assert!(err.contains(w), "{field}: {w} not in {err}");
        }
    }
    // A field with no `says` at all.
    let err = load_with(|s| s.replacen("says = \"{value} years old\"\n", "", 1))
        .map(|_| ())
        .expect_err("loaded without says")
        .to_string();
    assert!(
        err.contains("age_years") && err.contains("says is missing"),
        "{err}"
    );
}

#[test]
fn who_the_runner_is_is_personal_and_the_pain_is_not() {
    let kb = Kb::embedded().unwrap();
    for id in [
        "age_years=38",
        "sex=male",
        "running_years=3",
        "weekly_km=40",
    ] {
        assert!(kb.finding_is_personal(id), "{id}");
    }
    for id in [
        "onset=sudden",
        "pop_or_snap=false",
        "pain_sites!=calf",
        "no_such_field",
    ] {
        assert!(!kb.finding_is_personal(id), "{id}");
    }
}
