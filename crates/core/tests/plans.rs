//! Tests of plans: a snapshot of every protocol (each condition and strain severity) phase by
//! phase, a snapshot of the plan made for each development vignette that is not emergency or
//! urgent (when ../shared is present), the safety properties over generated findings and
//! check-ins, a scripted six-week check-in sequence, and bad check-in input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use hamstride_export::words;
use std::fmt::Write;
use std::sync::LazyLock;

use common::value_of;
use hamstride_core::plan::{
    self, check_in, CheckIn, Item, PlanKb, PlanState, Record, RunLevel, Verdict,
};
use hamstride_core::{assess, Findings, Kb, Value};
use jiff::civil::{date, Date};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::embedded().expect("embedded knowledge base"));
static PKB: LazyLock<PlanKb> = LazyLock::new(|| PlanKb::embedded(&KB).expect("plan library"));

const DAY0: Date = date(2026, 1, 5);

fn add(d: Date, n: i64) -> Date {
    d.saturating_add(jiff::Span::new().days(n))
}

/// A compact, deterministic text of a plan: what a physio would check in a review.
fn summary(st: &PlanState, weeks_from: Date) -> String {
    let pkb = &*PKB;
    let p = st.protocol(pkb).unwrap();
    let mut s = String::new();
    writeln!(s, "protocol: {} ({})", p.id, p.name).unwrap();
    writeln!(
        s,
        "condition: {} · severity: {} · triage: {} · referral: {:?} · pain ceiling: {}/10",
        st.condition,
        st.severity.as_deref().unwrap_or("-"),
        st.triage,
        p.referral,
        p.pain_ceiling
    )
    .unwrap();
    writeln!(s, "running waits for clinician: {}", st.needs_clinician).unwrap();
    let t = &st.timeline;
    writeln!(
        s,
        "timeline: first runs {:?}, full training {:?}, factor {:.2}",
        t.running, t.full, t.factor
    )
    .unwrap();
    for r in &t.reasons {
        writeln!(s, "  because: {}", words::timeline_reason(r)).unwrap();
    }
    for (i, ph) in p.phase.iter().enumerate() {
        writeln!(
            s,
            "phase {} {} [{}] running={:?} min_days={}",
            i + 1,
            ph.id,
            ph.name,
            ph.running,
            ph.min_days
        )
        .unwrap();
        writeln!(s, "  exercises: {}", ph.exercises.join(", ")).unwrap();
        for c in &ph.criteria {
            writeln!(s, "  exit: {} = {}", c.id, c.text).unwrap();
        }
        // The first week of the phase, as scheduled when the runner reaches it.
        // Phase i is taken as reached on injury day 3 * i (or later, for a runner who came
        // days after the injury), so exercises that wait for a day after a strain show as they
        // would then.
        let mut at = st.clone();
        at.phase = i;
        at.phase_start = weeks_from;
        at.onset = st.onset.min(add(weeks_from, -3 * i as i64));
        if ph.running > RunLevel::None && at.run_stage.is_none() {
            at.run_stage = Some(0);
        }
        for d in plan::days(pkb, &at, weeks_from, 7).unwrap() {
            let items: Vec<String> = d
                .items
                .iter()
                .map(|it| match it {
                    Item::Exercise { id, times } if *times > 1 => format!("{id}x{times}"),
                    Item::Exercise { id, .. } => id.clone(),
                    Item::Run { id, .. } => format!("RUN:{id}"),
                    Item::NormalTraining => String::from("RUN:normal"),
                })
                .collect();
            writeln!(
                s,
                "    {}: {}",
                d.date,
                if items.is_empty() {
                    String::from("rest")
                } else {
                    items.join(" ")
                }
            )
            .unwrap();
        }
    }
    s
}

#[test]
fn every_protocol_phase_by_phase() {
    let kb = &*KB;
    let pkb = &*PKB;
    let empty = Findings::empty(&kb.schema);
    for p in &pkb.protocols {
        let level = match p.referral {
            plan::Referral::Emergency => hamstride_core::TriageLevel::Emergency,
            plan::Referral::Urgent => hamstride_core::TriageLevel::Urgent,
            plan::Referral::DoctorSoon | plan::Referral::Physio => {
                hamstride_core::TriageLevel::Clinician
            }
            plan::Referral::None => hamstride_core::TriageLevel::SelfCare,
        };
        let mut st = plan::start(pkb, p, &empty, DAY0, DAY0, level, "test");
        st.severity = (p.severity != "any").then(|| p.severity.clone());
        insta::assert_snapshot!(format!("protocol_{}", p.id), summary(&st, DAY0));
    }
}

fn findings_of(json: &serde_json::Value) -> Findings {
    Findings::from_json(&KB.schema, json, false)
        .unwrap()
        .findings
}

#[test]
fn plan_for_each_non_urgent_dev_vignette() {
    let Some(shared) = common::shared_dir("plan snapshots of the dev vignettes") else {
        return;
    };
    let mut n = 0;
    for case in common::load_cases(&shared) {
        if matches!(case.gold_triage.as_str(), "emergency" | "urgent") {
            continue;
        }
        let f = findings_of(&case.findings);
        let out = assess(&KB, &f);
        let st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
        let text = format!(
            "vignette {} (gold {} / {}) → engine {} / {}\n{}",
            case.id,
            case.gold_condition,
            case.gold_triage,
            st.condition,
            st.triage,
            summary(&st, DAY0)
        );
        insta::assert_snapshot!(format!("vignette_{}", case.id), text);
        n += 1;
    }
    eprintln!("plan snapshots: {n} non-urgent dev vignettes");
    assert!(
        n >= 40,
        "expected most of the 72 vignettes to be non-urgent, got {n}"
    );
}

/// A strain the engine calls moderate: sudden sprint onset, had to stop, two days to walk.
fn moderate_strain() -> Findings {
    findings_of(&serde_json::json!({
        "schema": "hamstride.findings/1",
        "age_years": 29, "onset": "sudden", "mechanism": "sprinting", "stopped_immediately": true,
        "days_since_onset": 2, "side": "right", "pain_sites": ["mid_back_thigh"],
        "pain_distribution": "one_spot", "pain_now": 3, "pain_worst": 6, "walking": "normal",
        "days_to_pain_free_walking": 2, "test_resisted_knee_bend": true, "bruising": "none",
        "tenderness": "one_spot", "saddle_numbness": false, "bladder_change": false,
        "bowel_change": false, "symptoms_both_legs": false, "breathless_or_chest_pain": false,
        "dark_urine": false, "confusion_or_collapse": false, "leg_swelling": false,
        "leg_warm_red": false, "fever_or_unwell": false, "foot_drop": false, "leg_weakness": false,
        "night_pain": false, "constant_pain": false, "unexplained_weight_loss": false, "lump": false,
        "low_back_pain": false, "numbness_or_tingling": false, "gap_or_dent": false, "pop_or_snap": false
    }))
}

/// Apply one check-in, keep it in the history and write its line to the log.
fn run_checkin(
    st: &PlanState,
    hist: &mut Vec<Record>,
    c: CheckIn,
    f: &Findings,
    log: &mut String,
    label: &str,
) -> (PlanState, Verdict) {
    let day = (c.date - DAY0).get_days();
    let out = assess(&KB, f);
    let (next, d) = check_in(&PKB, st, hist, &c, &out, f).unwrap();
    // The decision's codes in the words runners read, so the snapshot reads as before.
    let why = d
        .reasons
        .iter()
        .map(words::plan_reason)
        .chain(d.changes.iter().map(words::plan_change))
        .collect::<Vec<_>>()
        .join(" | ");
    hist.push(Record {
        checkin: c,
        decision: d.clone(),
    });
    writeln!(
        log,
        "day {day:2}: {label}{:?} phase {} → {} stage {:?}: {why}",
        d.verdict,
        st.phase + 1,
        next.phase + 1,
        next.run_stage
    )
    .unwrap();
    (next, d.verdict)
}

fn ci(day: i64, during: u8, after: u8, morning: u8, done: &[&str], met: &[&str]) -> CheckIn {
    CheckIn {
        date: add(DAY0, day),
        pain_during: Some(during),
        pain_after: Some(after),
        pain_morning: Some(morning),
        done: done.iter().map(|s| s.to_string()).collect(),
        criteria: met.iter().map(|s| s.to_string()).collect(),
        screened: true,
        note: None,
    }
}

/// Six weeks of a moderate strain: good days move it on phase by phase, a flare in week 4 steps
/// back (running one stage back, easier versions), and recovery moves it on again.
#[test]
fn scripted_six_weeks() {
    let f = moderate_strain();
    let out = assess(&KB, &f);
    let mut st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
    let p = st.protocol(&PKB).unwrap().clone();
    assert_eq!(
        p.condition,
        "acute_hamstring_strain",
        "{}",
        summary(&st, DAY0)
    );
    let mut hist = Vec::new();
    let mut log = String::new();
    let mut day = 0i64;
    // Each good check-in meets the current phase's criteria and does everything scheduled.
    // A moderate strain's triage says to see a physio; the runner has been seen by day 4.
    assert!(st.needs_clinician, "running should wait for the physio");
    // The criteria of a phase come true five days into it.
    let good = |st: &PlanState, day: i64, m: u8| {
        let ph = &p.phase[st.phase];
        let into = i64::from((add(DAY0, day) - st.phase_start).get_days());
        let mut met: Vec<&str> = if into >= 5 {
            ph.criteria.iter().map(|c| c.id.as_str()).collect()
        } else {
            Vec::new()
        };
        if day == 4 {
            met.push(plan::SEEN_CLINICIAN);
        }
        let mut done = vec!["run"];
        done.extend(ph.exercises.iter().map(String::as_str));
        ci(day, 2, 2, m, &done, &met)
    };
    // Weeks 1-3: good days every other day.
    while day < 21 {
        let c = good(&st, day, 1);
        let (n, _) = run_checkin(&st, &mut hist, c, &f, &mut log, "");
        assert!(n.phase <= st.phase + 1, "skipped a phase on day {day}");
        st = n;
        day += 2;
    }
    let phase_before_flare = st.phase;
    let stage_before_flare = st.run_stage;
    assert!(
        phase_before_flare >= 2,
        "three weeks of good days should reach running:\n{log}"
    );
    assert!(
        st.run_stage.is_some(),
        "three weeks of good days should reach running:\n{log}"
    );
    // Week 4: a flare: pain 6 during (above the ceiling of 4), morning 4 (up from 1).
    let flare = ci(day, 6, 6, 4, &["run"], &[]);
    let (n, v) = run_checkin(&st, &mut hist, flare, &f, &mut log, "FLARE ");
    assert_eq!(v, Verdict::StepBack, "{log}");
    assert!(n.ease);
    if let Some(s) = stage_before_flare.filter(|s| *s > 0) {
        assert_eq!(
            n.run_stage,
            Some(s - 1),
            "running goes back one stage\n{log}"
        );
    }
    st = n;
    day += 1;
    // Still sore next day, inside the rules but the criteria were reset or not reported: hold.
    let c = ci(day, 3, 3, 3, &[], &[]);
    let (n, v) = run_checkin(&st, &mut hist, c, &f, &mut log, "");
    assert_eq!(v, Verdict::Hold, "{log}");
    assert!(!n.ease, "a check-in inside the rules ends the easing off");
    st = n;
    day += 2;
    // Weeks 5-6: recovery.
    let mut progressed_after = 0;
    while day < 42 {
        let c = good(&st, day, 1);
        let (n, v) = run_checkin(&st, &mut hist, c, &f, &mut log, "");
        assert!(n.phase <= st.phase + 1);
        if v == Verdict::Progress {
            progressed_after += 1;
        }
        st = n;
        day += 2;
    }
    assert!(
        progressed_after >= 2,
        "recovery should move the plan on again\n{log}"
    );
    assert!(st.phase >= phase_before_flare, "{log}");
    insta::assert_snapshot!("six_week_sequence", log);
}

#[test]
fn bad_checkins_are_refused_with_the_field() {
    let f = moderate_strain();
    let out = assess(&KB, &f);
    let st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
    let mut c = ci(1, 11, 0, 0, &[], &[]);
    let e = check_in(&PKB, &st, &[], &c, &out, &f)
        .unwrap_err()
        .to_string();
    assert!(e.contains("pain_during") && e.contains("0-10"), "{e}");
    c.pain_during = Some(1);
    c.done = vec![String::from("nordic-curls-please")];
    let e = check_in(&PKB, &st, &[], &c, &out, &f)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("done") && e.contains("nordic-curls-please"),
        "{e}"
    );
    c.done.clear();
    c.criteria = vec![String::from("run-a-marathon")];
    let e = check_in(&PKB, &st, &[], &c, &out, &f)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("criteria") && e.contains("run-a-marathon"),
        "{e}"
    );
    c.criteria.clear();
    c.date = add(DAY0, -3);
    let e = check_in(&PKB, &st, &[], &c, &out, &f)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("date") && e.contains("before the plan started"),
        "{e}"
    );
}

/// A red flag at a check-in turns any plan into a referral plan with no running or loading.
#[test]
fn a_red_flag_at_checkin_escalates() {
    let f = moderate_strain();
    let out = assess(&KB, &f);
    let st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
    let mut f2 = f.clone();
    // A new foot drop (R-U4, progressive neurological deficit) is urgent whatever the story.
    f2.set(
        KB.schema.index("foot_drop").unwrap(),
        Some(Value::Bool(true)),
    );
    let out2 = assess(&KB, &f2);
    assert!(out2.level <= 1, "a new foot drop should be urgent");
    let c = ci(3, 1, 1, 1, &[], &[]);
    let (n, d) = check_in(&PKB, &st, &[], &c, &out2, &f2).unwrap();
    assert_eq!(d.verdict, Verdict::Escalate);
    assert_no_running_or_loading(&n, 28);
}

fn assert_no_running_or_loading(st: &PlanState, n: u32) {
    for d in plan::days(&PKB, st, st.phase_start, n).unwrap() {
        for it in &d.items {
            match it {
                Item::Exercise { id, .. } => {
                    let x = PKB.exercise(id).unwrap();
                    assert!(
                        !x.loading && !x.running && !x.impact,
                        "{} schedules {id} on {}",
                        st.protocol,
                        d.date
                    );
                }
                other => panic!("{} schedules {other:?} on {}", st.protocol, d.date),
            }
        }
    }
}

// --- Properties ---------------------------------------------------------------------------

fn findings() -> impl Strategy<Value = Findings> {
    let n = KB.schema.fields.len();
    (
        prop_oneof![Just(0.08), Just(0.25), Just(0.5)],
        prop::collection::vec(any::<u64>(), n),
        prop::collection::vec(any::<u64>(), n),
    )
        .prop_map(|(p, raw, gate)| {
            let mut f = Findings::empty(&KB.schema);
            for (fi, (r, g)) in raw.into_iter().zip(gate).enumerate() {
                if (g % 1000) as f64 / 1000.0 < p {
                    f.set(fi, Some(value_of(&KB.schema.fields[fi].kind, r)));
                }
            }
            f
        })
}

fn checkin_strategy(
) -> impl Strategy<Value = (u8, Option<u8>, Option<u8>, Option<u8>, bool, bool, u8)> {
    (
        1u8..4,
        proptest::option::of(0u8..=10),
        proptest::option::of(0u8..=10),
        proptest::option::of(0u8..=10),
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
    )
}

fn config() -> Config {
    Config {
        cases: 96,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// No plan made while triage is emergency or urgent schedules running or loading.
    #[test]
    fn urgent_plans_never_run_or_load(f in findings()) {
        let out = assess(&KB, &f);
        let st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
        if out.level <= 1 {
            assert_no_running_or_loading(&st, 42);
        }
        // And whatever the level, every scheduled exercise is one the phase lists.
        let p = st.protocol(&PKB).unwrap();
        for d in plan::days(&PKB, &st, DAY0, 14).unwrap() {
            for it in &d.items {
                if let Item::Exercise { id, .. } = it {
                    prop_assert!(p.phase[st.phase].exercises.contains(id));
                }
            }
        }
    }

    /// Random check-in sequences: a phase is never skipped, pain above the ceiling never
    /// progresses, an early tendinopathy phase never schedules a hamstring stretch or deep
    /// hip flexion under load, and an urgent screen leaves no running or loading.
    #[test]
    fn checkin_sequences_keep_the_rules(f in findings(), seq in prop::collection::vec(checkin_strategy(), 1..24), urgent_at in any::<u8>()) {
        let out = assess(&KB, &f);
        let mut st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
        let mut hist: Vec<Record> = Vec::new();
        let mut day = 0i64;
        let mut f_now = f.clone();
        for (i, (gap, during, after, morning, meet_all, ran, extra)) in seq.into_iter().enumerate() {
            day += i64::from(gap);
            let p = st.protocol(&PKB).unwrap().clone();
            let ph = &p.phase[st.phase];
            let mut done: Vec<String> = ph.exercises.iter().take(usize::from(extra % 4)).cloned().collect();
            if ran { done.push(String::from("run")); }
            let criteria = if meet_all { ph.criteria.iter().map(|c| c.id.clone()).collect() } else { Vec::new() };
            let c = CheckIn { date: add(DAY0, day), pain_during: during, pain_after: after, pain_morning: morning, done, criteria, screened: extra % 2 == 0, note: None };
            if i == usize::from(urgent_at % 24) {
                f_now.set(KB.schema.index("foot_drop").unwrap(), Some(Value::Bool(true)));
            }
            let screen = assess(&KB, &f_now);
            let (next, d) = check_in(&PKB, &st, &hist, &c, &screen, &f_now).unwrap();
            let same = next.protocol == st.protocol;
            if same {
                prop_assert!(next.phase <= st.phase + 1, "skipped a phase");
            }
            if during.is_some_and(|x| x > p.pain_ceiling) {
                prop_assert_ne!(d.verdict, Verdict::Progress);
                prop_assert!(!same || next.phase <= st.phase);
                prop_assert!(next.run_stage.unwrap_or(0) <= st.run_stage.unwrap_or(0));
            }
            if screen.level <= 1 {
                assert_no_running_or_loading(&next, 28);
            }
            let np = next.protocol(&PKB).unwrap();
            let nph = &np.phase[next.phase];
            if PKB.early_tendon_phases.contains(&nph.id) {
                for dd in plan::days(&PKB, &next, next.phase_start, 14).unwrap() {
                    for it in &dd.items {
                        if let Item::Exercise { id, .. } = it {
                            let x = PKB.exercise(id).unwrap();
                            prop_assert!(!x.hamstring_stretch && !x.deep_hip_flexion_load, "{id} in {}", nph.id);
                        }
                    }
                }
            }
            hist.push(Record { checkin: c, decision: d });
            st = next;
        }
    }
}

/// Which conditions see the medication notes, and which count as a strain or a tendon problem
/// for the not-settling rule, are knowledge-base lists checked at load: an unknown condition
/// is an error naming the file and the entry.
#[test]
fn condition_lists_in_plan_files_are_checked() {
    use hamstride_core::plan::{PlanFiles, PlanKb};
    let kb = Kb::embedded().unwrap();
    let good = PlanFiles::embedded();
    let protocols = good.protocols.replacen(
        "show_for = [\"acute_hamstring_strain\"",
        "show_for = [\"pulled_muscle\"",
        1,
    );
    let progression = good.progression.replacen(
        "not_settling_strain_conditions = [\"acute_hamstring_strain\"]",
        "not_settling_strain_conditions = [\"strain\"]",
        1,
    );
    assert_ne!(protocols, good.protocols);
    assert_ne!(progression, good.progression);
    for (files, file, bad) in [
        (
            PlanFiles {
                protocols: &protocols,
                ..good
            },
            "protocols.toml",
            "pulled_muscle",
        ),
        (
            PlanFiles {
                progression: &progression,
                ..good
            },
            "progression.toml",
            "strain",
        ),
    ] {
        let err = PlanKb::from_files(&kb, &files)
            .expect_err("refused")
            .to_string();
        assert!(err.contains(file) && err.contains(bad), "{err}");
    }
}

/// The early tendon phases (no hamstring stretch, no deep hip flexion load) and the condition
/// planned for when none is ranked are protocols.toml data checked at load. The list is
/// restated here, so dropping a phase from the file fails this test.
#[test]
fn early_tendon_phases_and_unranked_condition_are_checked() {
    use hamstride_core::plan::{PlanFiles, PlanKb};
    let kb = Kb::embedded().unwrap();
    assert_eq!(
        PKB.early_tendon_phases,
        ["pht-isometric", "pht-heavy-slow", "dht-isometric"]
    );
    assert_eq!(PKB.unranked_condition, "other");
    let good = PlanFiles::embedded();
    for (from, to, want) in [
        (
            "phases = [\"pht-isometric\"",
            "phases = [\"pht-isometrik\"",
            "[early_tendon]: no phase 'pht-isometrik'",
        ),
        (
            "phases = [\"pht-isometric\"",
            "phases = [\"strain-protect\"",
            "which progression.toml does not list as a tendon problem",
        ),
        (
            "sources = [\"ref34\", \"brief-4.6\"]\n",
            "sources = []\n",
            "early_tendon",
        ),
        (
            "unranked_condition = \"other\"",
            "unranked_condition = \"prevention\"",
            "[unranked_condition]: 'prevention' is not a condition",
        ),
    ] {
        assert_eq!(good.protocols.matches(from).count(), 1, "{from}");
        let protocols = good.protocols.replacen(from, to, 1);
        let err = PlanKb::from_files(
            &kb,
            &PlanFiles {
                protocols: &protocols,
                ..good
            },
        )
        .expect_err("refused")
        .to_string();
        assert!(
            err.contains("protocols.toml") && err.contains(want),
            "{from}: {err}"
        );
    }
}

// --- The plan is consistent with itself (issue 13, item 7) --------------------------------

/// One day of a simulated plan: the state in force, the date, and the decision of that day's
/// check-in (if there was one).
struct SimDay {
    st: PlanState,
    date: Date,
    decision: Option<plan::Decision>,
}

/// Six weeks of every protocol from the day of the injury (onset = day 0): a check-in every
/// other day that does everything and meets the phase's criteria from five days into it (so
/// each phase first holds a few times), a flare on day 22 and a sore day after it. Every day's
/// state is kept, so the invariants below are checked on each of the 42 days.
fn simulate(p: &plan::Protocol) -> Vec<SimDay> {
    let f = moderate_strain();
    let screen = assess(&KB, &f);
    let mut st = plan::start(
        &PKB,
        p,
        &Findings::empty(&KB.schema),
        DAY0,
        DAY0,
        hamstride_core::TriageLevel::SelfCare,
        "test",
    );
    let mut hist: Vec<Record> = Vec::new();
    let mut out = Vec::new();
    for day in 0..42i64 {
        let date = add(DAY0, day);
        let c = if day == 22 {
            Some(ci(day, 6, 6, 4, &["run"], &[]))
        } else if day == 23 || day % 2 == 0 {
            let q = st.protocol(&PKB).unwrap();
            let ph = &q.phase[st.phase.min(q.phase.len() - 1)];
            let into = i64::from((date - st.phase_start).get_days());
            let met: Vec<&str> = if into >= 5 && day != 23 {
                ph.criteria.iter().map(|c| c.id.as_str()).collect()
            } else {
                Vec::new()
            };
            let mut done = vec!["run"];
            done.extend(ph.exercises.iter().map(String::as_str));
            Some(if day == 23 {
                ci(day, 3, 3, 3, &[], &[])
            } else {
                ci(day, 2, 2, 1, &done, &met)
            })
        } else {
            None
        };
        let decision = c.map(|c| {
            let (next, d) = check_in(&PKB, &st, &hist, &c, &screen, &f).unwrap();
            hist.push(Record {
                checkin: c,
                decision: d.clone(),
            });
            st = next;
            d
        });
        out.push(SimDay {
            st: st.clone(),
            date,
            decision,
        });
    }
    out
}

/// Item 1: an exercise with a start day is never scheduled before it, on any day of any
/// protocol's six weeks; strain plans do schedule it from then on (the day is not a text
/// only), and the words that name the day say the same number.
#[test]
fn exercises_wait_for_their_start_day() {
    let mut scheduled_from_start_day = 0;
    for p in &PKB.protocols {
        for s in simulate(p) {
            let since_injury = i64::from((s.date - s.st.onset).get_days());
            for it in &plan::day(&PKB, &s.st, s.date).unwrap().items {
                let Item::Exercise { id, .. } = it else {
                    continue;
                };
                let x = PKB.exercise(id).unwrap();
                if let Some(n) = PKB.start_day(x, &p.condition) {
                    assert!(
                        since_injury >= i64::from(n),
                        "{}: {id} on injury day {since_injury}, before its start day {n}",
                        p.id
                    );
                    scheduled_from_start_day += 1;
                }
            }
        }
        // The tester's case: a strain plan already in the lengthening phase on the injury day
        // lists the extender from its start day on, not before.
        let Some(pi) = p
            .phase
            .iter()
            .position(|ph| ph.exercises.iter().any(|e| e == "askling-extender"))
        else {
            continue;
        };
        let x = PKB.exercise("askling-extender").unwrap();
        let Some(n) = PKB.start_day(x, &p.condition) else {
            continue;
        };
        let mut st = plan::start(
            &PKB,
            p,
            &Findings::empty(&KB.schema),
            DAY0,
            DAY0,
            hamstride_core::TriageLevel::SelfCare,
            "test",
        );
        st.phase = pi;
        for d in 0..=i64::from(n) {
            let items = plan::day(&PKB, &st, add(DAY0, d)).unwrap().items;
            let listed = items
                .iter()
                .any(|i| matches!(i, Item::Exercise { id, .. } if id == "askling-extender"));
            assert_eq!(listed, d == i64::from(n), "{} injury day {d}", p.id);
        }
    }
    assert!(
        scheduled_from_start_day > 0,
        "no plan ever scheduled an exercise with a start day"
    );
    // The day a strain plan starts the lengthening exercises: the same number in the schedule,
    // the exercise's texts, the phase goals and the advice and condition texts.
    let day = PKB.exercise("askling-extender").unwrap().start_day.unwrap();
    for name in ["askling-extender", "askling-diver", "askling-glider"] {
        assert_eq!(PKB.exercise(name).unwrap().start_day, Some(day), "{name}");
    }
    let said = format!("day {day}");
    let x = PKB.exercise("askling-extender").unwrap();
    assert!(x.avoid.iter().any(|a| a.reason.contains(&said)));
    let phase_texts: Vec<&String> = PKB
        .protocols
        .iter()
        .flat_map(|p| &p.phase)
        .filter(|ph| ph.exercises.iter().any(|e| e == "askling-extender"))
        .flat_map(|ph| ph.goals.iter().chain(&ph.care))
        .filter(|t| t.contains("about day"))
        .collect();
    assert!(!phase_texts.is_empty());
    for t in phase_texts {
        assert!(t.contains(&said), "{t}");
    }
    for (file, text) in [
        ("advice.toml", include_str!("../../../kb/advice.toml")),
        (
            "conditions.toml",
            include_str!("../../../kb/conditions.toml"),
        ),
    ] {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("lengthening") && l.contains("rom about day "))
            .collect();
        assert!(!lines.is_empty(), "{file} no longer names the day");
        for l in lines {
            for (i, _) in l.match_indices("rom about day ") {
                let rest = &l[i + "rom about ".len()..];
                assert!(rest.starts_with(&said), "{file}: {l}");
            }
        }
    }
}

/// A start day is data checked at load: a text naming the day by hand, a placeholder without
/// a number behind it, or a day 0 is refused, naming the file and the entry.
#[test]
fn start_days_are_checked() {
    use hamstride_core::plan::PlanFiles;
    let kb = Kb::embedded().unwrap();
    let good = PlanFiles::embedded();
    let ex = |from: &str, to: &str| {
        assert_eq!(good.exercises.matches(from).count(), 1, "{from}");
        good.exercises.replacen(from, to, 1)
    };
    let pr = |from: &str, to: &str| {
        assert!(good.protocols.contains(from), "{from}");
        good.protocols.replacen(from, to, 1)
    };
    let cases = [
        (
            ex("at about day {start_day}, and", "at about day 5, and"),
            good.protocols.to_string(),
            "exercises.toml",
            "askling-extender",
        ),
        (
            ex(
                "start_day = 5\ndose = \"3 sets of 6",
                "start_day = 0\ndose = \"3 sets of 6",
            ),
            good.protocols.to_string(),
            "exercises.toml",
            "askling-diver",
        ),
        (
            good.exercises.to_string(),
            pr("{start_day:askling-extender}", "{start_day:walking}"),
            "protocols.toml",
            "'walking' has no start_day",
        ),
        (
            good.exercises.to_string(),
            pr("{start_day:askling-extender}", "5"),
            "protocols.toml",
            "by hand",
        ),
    ];
    for (exercises, protocols, file, want) in cases {
        let err = PlanKb::from_files(
            &kb,
            &PlanFiles {
                exercises: &exercises,
                protocols: &protocols,
                ..good
            },
        )
        .expect_err("refused")
        .to_string();
        assert!(err.contains(file) && err.contains(want), "{err}");
    }
}

/// Item 2: after a step back (`ease`), every exercise of the day shows the easier version with
/// its own dose, which differs from the usual one; checked on every day of every protocol's
/// six weeks (the state as it is, and the same state easing off), and the simulated flare
/// does set `ease`.
#[test]
fn easing_off_shows_easier_doses() {
    let mut eased_days = 0;
    for p in &PKB.protocols {
        for s in simulate(p) {
            let mut eased = s.st.clone();
            eased.ease = true;
            let d = plan::day(&PKB, &eased, s.date).unwrap();
            let normal = plan::view::day_view(&PKB, &s.st, &d);
            let easy = plan::view::day_view(&PKB, &eased, &d);
            for (n, e) in normal.items.iter().zip(&easy.items) {
                if n.kind != "exercise" {
                    continue;
                }
                let x = PKB.exercise(&n.id).unwrap();
                assert_eq!(e.easier.as_deref(), Some(x.easier.as_str()), "{}", n.id);
                assert_eq!(e.dose, x.easier_dose, "{}: {}", p.id, n.id);
                if !s.st.ease {
                    assert_ne!(e.dose, n.dose, "{}: {} on {}", p.id, n.id, s.date);
                }
            }
            eased_days += usize::from(s.st.ease);
        }
    }
    assert!(eased_days > 0, "the flare on day 22 should ease off");
    for x in &PKB.exercises {
        assert_ne!(x.easier_dose, x.dose, "{}", x.id);
    }
    // Checked at load: an easier dose that repeats the dose, or none, is refused.
    use hamstride_core::plan::PlanFiles;
    let good = PlanFiles::embedded();
    let from = "easier_dose = \"2 sets of 4, every other day, a shallower and slower hinge, short of pain.\"";
    assert_eq!(good.exercises.matches(from).count(), 1);
    for (to, want) in [
        (
            "easier_dose = \"3 sets of 6, every other day, short of pain.\"",
            "[askling-diver]: easier_dose is the same as dose",
        ),
        ("", "easier_dose"),
    ] {
        let exercises = good.exercises.replacen(from, to, 1);
        let err = PlanKb::from_files(
            &KB,
            &PlanFiles {
                exercises: &exercises,
                ..good
            },
        )
        .expect_err("refused")
        .to_string();
        assert!(
            err.contains("exercises.toml") && err.contains(want),
            "{err}"
        );
    }
}

/// Item 3: a strain plan never shows a tendon dose and a tendon plan never a strain dose, on
/// any day of any protocol's six weeks, usual or easier; the shared isometric hold shows each
/// plan its own tissue's dose.
#[test]
fn doses_follow_the_tissue() {
    let mut shown = 0;
    for p in &PKB.protocols {
        let other = if PKB.is_strain(&p.condition) {
            "tendon"
        } else if PKB.is_tendon(&p.condition) {
            "strain"
        } else {
            continue;
        };
        for s in simulate(p) {
            let d = plan::day(&PKB, &s.st, s.date).unwrap();
            let mut eased = s.st.clone();
            eased.ease = !s.st.ease;
            for st in [&s.st, &eased] {
                for it in plan::view::day_view(&PKB, st, &d).items {
                    if it.kind == "exercise" {
                        assert!(
                            !it.dose.to_lowercase().contains(other),
                            "{} on {}: {} shows '{}'",
                            p.id,
                            s.date,
                            it.id,
                            it.dose
                        );
                        shown += 1;
                    }
                }
            }
        }
    }
    assert!(shown > 0);
    let x = PKB.exercise("isometric-heel-dig").unwrap();
    let muscle = PKB.dose(x, "acute_hamstring_strain");
    let tendon = PKB.dose(x, "proximal_hamstring_tendinopathy");
    assert_ne!(muscle, tendon);
    assert_eq!(Some(muscle), x.dose_muscle.as_deref());
    assert_eq!(Some(tendon), x.dose_tendon.as_deref());
    // Checked at load: a strain plan's exercise whose dose speaks of tendons is refused,
    // naming the file, the exercise and the field to add.
    use hamstride_core::plan::PlanFiles;
    let good = PlanFiles::embedded();
    let from = "dose = \"3 sets of 10 to 15, every other day, pain-free.\"";
    assert_eq!(good.exercises.matches(from).count(), 1);
    let exercises = good.exercises.replacen(
        from,
        "dose = \"3 sets of 10 to 15, every other day (with tendon pain, keep it shallow).\"",
        1,
    );
    let err = PlanKb::from_files(
        &KB,
        &PlanFiles {
            exercises: &exercises,
            ..good
        },
    )
    .expect_err("refused")
    .to_string();
    assert!(
        err.contains("exercises.toml")
            && err.contains("two-leg-squat")
            && err.contains("dose_muscle"),
        "{err}"
    );
}

/// Item 4: the third hold in a row with exit criteria still open names them (id and text)
/// and says how to mark one met; it is not said before the third hold, after a step back,
/// on a referral plan, or when nothing is open. Checked at every check-in of every
/// protocol's six weeks, and seen at least once (the strain's protect phase holds on days
/// 0, 2 and 4).
#[test]
fn three_holds_in_a_row_hint_at_marking_criteria() {
    use hamstride_core::plan::Reason;
    let mut hinted = 0;
    for p in &PKB.protocols {
        let mut verdicts: Vec<Verdict> = Vec::new();
        for s in simulate(p) {
            let Some(d) = &s.decision else { continue };
            verdicts.push(d.verdict);
            let q = s.st.protocol(&PKB).unwrap();
            let ph = &q.phase[s.st.phase];
            let open: Vec<&str> = ph
                .criteria
                .iter()
                .filter(|c| !s.st.criteria_met.contains(&c.id))
                .map(|c| c.id.as_str())
                .collect();
            let expected = verdicts.len() >= 3
                && verdicts[verdicts.len() - 3..]
                    .iter()
                    .all(|v| *v == Verdict::Hold)
                && q.referral < plan::Referral::Urgent
                && !open.is_empty();
            let hint = d.reasons.iter().find_map(|r| match r {
                Reason::MarkCriteriaMet { holds, open } => Some((*holds, open)),
                _ => None,
            });
            assert_eq!(hint.is_some(), expected, "{} on {}", p.id, s.date);
            let Some((holds, hint_open)) = hint else {
                continue;
            };
            assert_eq!(holds, 3);
            let ids: Vec<&str> = hint_open.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(ids, open, "{} on {}", p.id, s.date);
            let said = d
                .reasons
                .iter()
                .map(words::plan_reason)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(said.contains("hamstride checkin --met "), "{said}");
            for c in hint_open {
                assert!(said.contains(&c.id) && said.contains(c.text.trim_end_matches('.')));
            }
            hinted += 1;
        }
    }
    assert!(hinted > 0, "no protocol held three times in a row");
}

/// Issue 13, item 6: a check-in of only the warning-sign screen records the screen and leaves
/// the plan where it is; it judged nothing, so it does not break a run of holds (the third
/// judged hold still names the open criteria) and an easing-off plan stays easing off.
#[test]
fn a_screen_only_check_in_changes_nothing_but_the_screen() {
    use hamstride_core::plan::Reason;
    let f = moderate_strain();
    let out = assess(&KB, &f);
    let mut st = plan::generate(&KB, &PKB, &f, &out, DAY0).unwrap();
    let mut hist = Vec::new();
    let mut log = String::new();
    let screen_only = |day: i64| CheckIn {
        date: add(DAY0, day),
        screened: true,
        ..Default::default()
    };
    for day in [0, 1] {
        let (next, v) = run_checkin(&st, &mut hist, ci(day, 1, 1, 1, &[], &[]), &f, &mut log, "");
        assert_eq!(v, Verdict::Hold, "{log}");
        st = next;
    }
    let (next, d) = check_in(&PKB, &st, &hist, &screen_only(2), &out, &f).unwrap();
    assert_eq!(d.verdict, Verdict::ScreenOnly);
    assert_eq!(d.reasons, [Reason::ScreenOnly]);
    assert!(d.changes.is_empty() && d.referral.is_none() && !d.screen_due);
    let mut expected = st.clone();
    expected.last_screen = Some(add(DAY0, 2));
    assert_eq!(next, expected, "only the screen's date moves");
    hist.push(Record {
        checkin: screen_only(2),
        decision: d,
    });
    let (_, d) = check_in(&PKB, &next, &hist, &ci(3, 1, 1, 1, &[], &[]), &out, &f).unwrap();
    assert_eq!(d.verdict, Verdict::Hold);
    assert!(
        d.reasons
            .iter()
            .any(|r| matches!(r, Reason::MarkCriteriaMet { .. })),
        "the third judged hold hints, the screen-only check-in between notwithstanding: {:?}",
        d.reasons
    );
    // Easing off (after a step back) stays on: only a check-in inside the rules ends it.
    let mut easing = next.clone();
    easing.ease = true;
    let (after, _) = check_in(&PKB, &easing, &hist, &screen_only(4), &out, &f).unwrap();
    assert!(after.ease);
    // Without the screen, no scores is still a hold that says so.
    let nothing = CheckIn {
        date: add(DAY0, 4),
        ..Default::default()
    };
    let (_, d) = check_in(&PKB, &next, &hist, &nothing, &out, &f).unwrap();
    assert_eq!(d.verdict, Verdict::Hold);
    assert!(d.reasons.contains(&Reason::NoScores));
}
