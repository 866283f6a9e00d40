//! Unknown is never "no" (issue 13, item 2): a result says "you answered no to every warning
//! sign" only when every screen item was answered no; with any unanswered it lists them in the
//! reason, and each one a yes would raise is named in `could_change` with that level.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::{assess, Findings, Kb, Value};

fn kb() -> Kb {
    Kb::embedded().unwrap()
}

fn findings(kb: &Kb, json: &str) -> Findings {
    Findings::from_json_str(&kb.schema, json, false)
        .unwrap()
        .findings
}

const BASE: &str =
    r#"{"schema": "hamstride.findings/2", "pain_sites": ["mid_back_thigh"], "onset": "gradual"}"#;

fn screen_items(kb: &Kb) -> Vec<usize> {
    kb.screens
        .iter()
        .flat_map(|s| s.item_fields.iter().copied())
        .collect()
}

#[test]
fn unanswered_screens_are_listed_not_called_clear() {
    let kb = kb();
    let f = findings(&kb, BASE);
    let a = assess(&kb, &f).assessment;
    let first = &a.triage.reasons[0].text;
    assert!(!first.contains(&kb.screen_wording.all_clear), "{first}");
    assert!(first.starts_with("Not checked yet:"), "{first}");
    for fi in screen_items(&kb) {
        assert!(first.contains(&kb.schema.fields[fi].label), "{first}");
    }
    // Every emergency sign a yes would raise is in could_change, with the emergency level.
    let named: Vec<(&str, &str)> = a
        .triage
        .could_change
        .iter()
        .map(|c| (c.finding.as_str(), c.level.as_str()))
        .collect();
    for item in &kb.screens[0].items {
        assert!(
            named.contains(&(item.as_str(), "emergency")),
            "{item}: {named:?}"
        );
    }
}

#[test]
fn all_clear_only_when_every_item_is_no() {
    let kb = kb();
    let items = screen_items(&kb);
    let mut f = findings(&kb, BASE);
    for &fi in &items {
        f.set(fi, Some(Value::Bool(false)));
    }
    let a = assess(&kb, &f).assessment;
    assert!(a.triage.reasons[0]
        .text
        .starts_with(&kb.screen_wording.all_clear));
    assert!(
        a.triage.could_change.is_empty(),
        "{:?}",
        a.triage.could_change
    );
    // Any one item unknown again: no all-clear, and that item is named.
    for &fi in &items {
        let mut g = f.clone();
        g.set(fi, None);
        let a = assess(&kb, &g).assessment;
        let first = &a.triage.reasons[0].text;
        assert!(!first.contains(&kb.screen_wording.all_clear), "{first}");
        assert!(first.contains(&kb.schema.fields[fi].label), "{first}");
    }
}
