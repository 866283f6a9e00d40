//! One urgency, one wording, at the knowledge base: every level, tier and rule has one time
//! frame from `kb/meta.toml`, a rule's frame only narrows its tier's, and `Kb::from_files`
//! refuses a rule that widens it or a text that states a frame of its own. Each refusal is
//! tested on an edited copy of the shipped files, so the check cannot pass vacuously.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::plan::{PlanFiles, PlanKb};
use hamstride_core::urgency::Stated;
use hamstride_core::{Kb, KbFiles};

fn load(edit: impl Fn(&mut KbFilesOwned)) -> Result<Kb, String> {
    let mut owned = KbFilesOwned::embedded();
    edit(&mut owned);
    Kb::from_files(&owned.files()).map_err(|e| e.to_string())
}

/// The shipped files as owned strings, to edit one of them.
struct KbFilesOwned {
    meta: String,
    triage: String,
    advice: String,
    conditions: String,
}

impl KbFilesOwned {
    fn embedded() -> Self {
        let e = KbFiles::embedded();
        KbFilesOwned {
            meta: e.meta.to_string(),
            triage: e.triage.to_string(),
            advice: e.advice.to_string(),
            conditions: e.conditions.to_string(),
        }
    }

    fn files(&self) -> KbFiles<'_> {
        KbFiles {
            meta: &self.meta,
            triage: &self.triage,
            advice: &self.advice,
            conditions: &self.conditions,
            ..KbFiles::embedded()
        }
    }
}

/// The error of a load that must fail (without printing a whole knowledge base if it loads).
fn refused(edit: impl Fn(&mut KbFilesOwned)) -> String {
    match load(edit) {
        Ok(_) => panic!("the edited knowledge base loaded"),
        Err(e) => e,
    }
}

fn replace_once(s: &mut String, from: &str, to: &str) {
    assert_eq!(
        s.matches(from).count(),
        1,
        "expected once in the file: {from}"
    );
    *s = s.replacen(from, to, 1);
}

#[test]
fn every_rule_has_a_frame_no_wider_than_its_level() {
    let kb = Kb::embedded().unwrap();
    for r in &kb.rules {
        let level = kb.level_frames[usize::from(r.level)];
        match (r.frame, level) {
            (None, None) => {}
            (Some(f), Some(l)) => assert!(
                kb.frames[f].hours <= kb.frames[l].hours,
                "{}: frame {} is wider than its level's {}",
                r.id,
                kb.frames[f].id,
                kb.frames[l].id
            ),
            (f, l) => panic!("{}: frame {f:?} but level frame {l:?}", r.id),
        }
        // The headline states its own frame and no other; the reason states none.
        let said = kb.stated_frames(&r.headline);
        assert!(
            said.iter()
                .all(|s| Some(s) == r.frame.map(Stated::Known).as_ref()),
            "{}: headline states {said:?}",
            r.id
        );
        assert!(
            kb.stated_frames(&r.text).is_empty(),
            "{}: reason states a frame",
            r.id
        );
        assert!(!r.headline.contains("{when}"), "{}: unfilled", r.id);
    }
    let clot = kb.rules.iter().find(|r| r.id == "R-U2").unwrap();
    assert_eq!(kb.frames[clot.frame.unwrap()].id, "today");
    assert!(clot.headline.contains("today"));
}

#[test]
fn the_levels_say_their_frames_from_the_one_table() {
    let kb = Kb::embedded().unwrap();
    let ids: Vec<Option<&str>> = kb
        .level_frames
        .iter()
        .map(|f| f.map(|i| kb.frames[i].id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [Some("now"), Some("24-48h"), Some("1-2-weeks"), None],
        "the contract's levels: now, within 24-48 hours, within 1-2 weeks, none"
    );
    let urgent = &kb.levels[1];
    assert!(
        urgent.meaning.contains("within 24-48 hours"),
        "{}",
        urgent.meaning
    );
    // A title names no frame: the headline under it gives the one that holds.
    for l in &kb.levels {
        assert!(kb.stated_frames(&l.title).is_empty(), "{}", l.title);
    }
}

#[test]
fn a_rule_may_narrow_its_frame_but_never_widen_it() {
    // Narrowing an urgent rule to "today" is accepted and fills its headline.
    let kb = load(|f| {
        replace_once(
            &mut f.triage,
            "id = \"R-U3\"\n",
            "id = \"R-U3\"\nframe = \"today\"\n",
        )
    })
    .unwrap();
    let r = kb.rules.iter().find(|r| r.id == "R-U3").unwrap();
    assert!(r.headline.contains("today"), "{}", r.headline);
    // Widening it to "within 1-2 weeks" is refused, naming the rule.
    let err = refused(|f| {
        replace_once(
            &mut f.triage,
            "id = \"R-U3\"\n",
            "id = \"R-U3\"\nframe = \"1-2-weeks\"\n",
        )
    });
    assert!(err.contains("R-U3") && err.contains("wider"), "{err}");
}

#[test]
fn a_text_that_states_another_frame_is_refused() {
    // A headline that says its own time in words besides `{when}`.
    let err = refused(|f| {
        let at = f.triage.find("id = \"R-U2\"").unwrap();
        let h = at + f.triage[at..].find("headline = \"").unwrap() + "headline = \"".len();
        f.triage.insert_str(h, "See a doctor within 24-48 hours. ");
    });
    assert!(err.contains("R-U2") && err.contains("24-48"), "{err}");
    // Advice may say when only as `{when}`.
    let err = refused(|f| {
        replace_once(
            &mut f.advice,
            "text = \"If anything gets worse",
            "text = \"Book a physio within 2 weeks. If anything gets worse",
        )
    });
    assert!(err.contains("rerun-if-worse"), "{err}");
    // A condition's description shown beside a result states none.
    let err = refused(|f| {
        let at = f.conditions.find("helps = \"").unwrap() + "helps = \"".len();
        f.conditions.insert_str(at, "See a doctor today. ");
    });
    assert!(
        err.contains("conditions.toml") && err.contains("today"),
        "{err}"
    );
    // A level whose meaning states a second frame.
    let err = refused(|f| {
        replace_once(
            &mut f.meta,
            "meaning = \"See a doctor {when}.",
            "meaning = \"See a doctor {when} (the same day if you can).",
        )
    });
    assert!(err.contains("urgent.meaning"), "{err}");
}

#[test]
fn plan_texts_state_no_frame_of_their_own() {
    let kb = Kb::embedded().unwrap();
    PlanKb::embedded(&kb).unwrap();
    let files = PlanFiles::embedded();
    let protocols = files.protocols.replacen(
        "referral_text = \"",
        "referral_text = \"See a doctor within a few days. ",
        1,
    );
    let err = PlanKb::from_files(
        &kb,
        &PlanFiles {
            protocols: &protocols,
            ..PlanFiles::embedded()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("protocols.toml") && err.contains("few days"),
        "{err}"
    );
}

/// A strain not settling after two weeks (R-S5) is referred to a doctor with R-S5's headline,
/// which becomes the plan's: the check-in and the plan then say that one frame and no other
/// (it once said "within a week" under a plan that said "within 1-2 weeks").
#[test]
fn not_settling_says_the_rules_one_frame() {
    use hamstride_core::plan::{self, check_in, CheckIn, Record};
    use hamstride_core::{assess, Findings};
    let kb = Kb::embedded().unwrap();
    let pkb = PlanKb::embedded(&kb).unwrap();
    let json = r#"{"schema": "hamstride.findings/2", "age_years": 29, "onset": "sudden",
        "mechanism": "sprinting", "days_since_onset": 1, "pain_sites": ["mid_back_thigh"],
        "pain_now": 3, "pain_worst": 3, "walking": "normal", "bruising": "none",
        "pop_or_snap": false, "test_resisted_knee_bend": true}"#;
    let f = Findings::from_json_str(&kb.schema, json, true)
        .unwrap()
        .findings;
    let out = assess(&kb, &f);
    let day0 = jiff::civil::date(2026, 1, 5);
    let mut st = plan::generate(&kb, &pkb, &f, &out, day0).unwrap();
    let rule = kb.rules.iter().find(|r| r.id == "R-S5").unwrap();
    let mut said = Vec::new();
    let mut history = Vec::new();
    for day in [10, 13, 14, 15] {
        let c = CheckIn {
            date: day0.saturating_add(jiff::Span::new().days(day)),
            pain_during: Some(3),
            pain_after: Some(3),
            pain_morning: Some(3),
            done: Vec::new(),
            criteria: Vec::new(),
            screened: true,
            note: None,
        };
        let (next, d) = check_in(&pkb, &st, &history, &c, &out, &f).unwrap();
        said.extend(d.reasons.iter().map(hamstride_export::words::plan_reason));
        history.push(Record {
            checkin: c,
            decision: d,
        });
        st = next;
    }
    assert_eq!(st.triage_headline, rule.headline, "{said:?}");
    assert!(said.contains(&rule.headline), "{said:?}");
    said.extend(st.referrals.iter().map(hamstride_export::words::referred));
    assert!(
        said.iter().any(|s| s.starts_with("Not settling")),
        "{said:?}"
    );
    for s in &said {
        for frame in kb.stated_frames(s) {
            assert_eq!(Some(&frame), rule.frame.map(Stated::Known).as_ref(), "{s}");
        }
    }
}
