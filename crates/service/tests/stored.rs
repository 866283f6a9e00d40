//! Stored documents read back into types, one test per version: plan state version 1
//! (indexes, the first releases) and version 2 (ids), assessment results `/1` and `/2`, and a
//! clear refusal of what this program cannot read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::plan;
use hamstride_core::TriageLevel;
use hamstride_service::stored::{self, PLAN_STATE_SCHEMA};
use hamstride_service::Service;

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

/// A strain plan moved to its third phase and second run stage.
fn a_plan(svc: &Service) -> plan::PlanState {
    let f = svc
        .parse_findings(STRAIN, "strain.json", false)
        .unwrap()
        .findings;
    let out = svc.assess(&f);
    let mut st = plan::generate(
        svc.kb(),
        svc.plans(),
        &f,
        &out,
        jiff::civil::date(2026, 12, 1),
    )
    .unwrap();
    st.phase = 2;
    st.run_stage = Some(1);
    st
}

#[test]
fn plan_state_v2_stores_ids_and_reads_back_the_same_state() {
    let svc = Service::new().unwrap();
    let st = a_plan(&svc);
    let json = stored::plan_to_json(svc.plans(), &st).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], PLAN_STATE_SCHEMA);
    let p = st.protocol(svc.plans()).unwrap();
    assert_eq!(v["phase_id"], p.phase[2].id.as_str());
    assert!(v.get("phase").is_none(), "no index is stored");
    assert!(v["run_stage_id"].is_string());
    assert_eq!(
        v["triage"],
        st.triage.as_str(),
        "the level by its contract id"
    );
    let back = stored::plan_from_json(svc.plans(), &json).unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(&st).unwrap()
    );
}

#[test]
fn plan_state_v1_with_indexes_is_read_as_it_was() {
    let svc = Service::new().unwrap();
    let st = a_plan(&svc);
    // Version 1 is the state serialised as it is in memory (phase and stage as indexes,
    // triage as its id), with no schema tag.
    let v1 = serde_json::to_string(&st).unwrap();
    assert!(!v1.contains("schema"));
    let back = stored::plan_from_json(svc.plans(), &v1).unwrap();
    assert_eq!((back.phase, back.run_stage), (2, Some(1)));
    assert_eq!(back.triage, st.triage);
}

#[test]
fn a_plan_this_program_cannot_place_is_refused_with_its_reason() {
    let svc = Service::new().unwrap();
    let json = stored::plan_to_json(svc.plans(), &a_plan(&svc)).unwrap();
    let gone = json.replacen("\"phase_id\":\"", "\"phase_id\":\"renamed-", 1);
    let e = stored::plan_from_json(svc.plans(), &gone)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is no longer in protocol"), "{e}");
    let newer = json.replace(PLAN_STATE_SCHEMA, "hamstride.plan_state/9");
    let e = stored::plan_from_json(svc.plans(), &newer)
        .unwrap_err()
        .to_string();
    assert!(e.contains("newer than this program knows"), "{e}");
}

#[test]
fn assessment_results_v1_and_v2_read_into_types() {
    let svc = Service::new().unwrap();
    let f = svc
        .parse_findings(STRAIN, "strain.json", false)
        .unwrap()
        .findings;
    let out = svc.assess(&f);
    let level = TriageLevel::parse(&out.assessment.triage.level).unwrap();
    let v2 = serde_json::to_string(&out.assessment).unwrap();
    let r = stored::result_from_json(&v2).unwrap();
    assert_eq!(r.schema, "hamstride.assessment/2");
    assert_eq!(r.triage.level, level);
    assert_eq!(r.differential[0].condition, "acute_hamstring_strain");
    // Version 1: no findings_schema, set_by or could_change.
    let mut v: serde_json::Value = serde_json::from_str(&v2).unwrap();
    v["schema"] = "hamstride.assessment/1".into();
    let t = v["triage"].as_object_mut().unwrap();
    t.remove("set_by");
    t.remove("could_change");
    v.as_object_mut().unwrap().remove("findings_schema");
    let r1 = stored::result_from_json(&v.to_string()).unwrap();
    assert_eq!(r1.triage.level, level);
    assert_eq!(r1.differential.len(), r.differential.len());
    // A level name outside the contract is refused, not read as "no urgency".
    let bad = v2.replace(&format!("\"level\":\"{level}\""), "\"level\":\"relax\"");
    assert_ne!(bad, v2);
    assert!(stored::result_from_json(&bad).is_err());
}

#[test]
fn triage_levels_are_ordered_by_urgency() {
    use TriageLevel::*;
    assert!(SelfCare < Clinician && Clinician < Urgent && Urgent < Emergency);
    for l in [SelfCare, Clinician, Urgent, Emergency] {
        assert_eq!(TriageLevel::parse(l.as_str()), Some(l));
        assert_eq!(TriageLevel::from_rank(l.rank()), l);
    }
}
