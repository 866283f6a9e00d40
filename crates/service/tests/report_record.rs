//! The report as the physio reads it, made through the service from a stored record: the level
//! and plan the runner follows now (not the first assessment's), every assessment and every
//! check-in with its pain scores and decision, and the findings in plain words, with nothing
//! about who the runner is (age) listed as a finding against a condition.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_service::plans::{self, CheckInInput, Now, Profile};
use hamstride_service::view::OnActivePlan;
use hamstride_service::{AthleteDb, DbOptions, Service};
use jiff::civil::date;

/// A sudden strain while sprinting, in a 38-year-old: age is one of the engine's reasons
/// against the strain, and must not be shown as a pertinent negative.
const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 38, "sex": "male",
 "onset": "sudden", "mechanism": "sprinting", "stopped_immediately": true, "days_since_onset": 2,
 "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3, "bruising": "none",
 "test_resisted_knee_bend": true, "pop_or_snap": false, "numbness_or_tingling": false,
 "low_back_pain": false, "night_pain": false, "saddle_numbness": false}"#;

/// Noon UTC on a day of December 2026.
fn on(day: i8) -> Now {
    Now::at_ms(
        date(2026, 12, day)
            .at(12, 0, 0, 0)
            .in_tz("UTC")
            .unwrap()
            .timestamp()
            .as_millisecond(),
    )
}

fn open(dir: &std::path::Path) -> AthleteDb {
    let mut db = hamstride_service::open(&DbOptions {
        url: None,
        data_dir: Some(dir.to_path_buf()),
        athlete: None,
    })
    .unwrap();
    let p = Profile {
        timezone: Some("UTC".into()),
        ..Default::default()
    };
    plans::set_profile(&mut db, &p, on(1)).unwrap();
    db
}

fn assess(svc: &Service, db: &mut AthleteDb, now: Now, on_active: OnActivePlan) {
    let f = svc
        .parse_findings(STRAIN, "strain.json", false)
        .unwrap()
        .findings;
    let outcome = svc.assess(&f);
    svc.record_assessment(db, &f, &outcome, now, on_active)
        .unwrap();
}

#[test]
fn the_report_is_current_with_every_assessment_and_check_in() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::new().unwrap();
    let mut db = open(dir.path());
    assess(&svc, &mut db, on(1), OnActivePlan::Replace);
    let calm = CheckInInput {
        pain_during: Some(2),
        pain_after: Some(2),
        pain_morning: Some(2),
        red_flags: Some(Vec::new()),
        ..Default::default()
    };
    svc.check_in(&mut db, &calm, on(2)).unwrap();
    // A warning sign at the re-screen: the plan escalates.
    let flagged = CheckInInput {
        pain_morning: Some(3),
        red_flags: Some(vec!["saddle_numbness".into()]),
        ..Default::default()
    };
    let escalated = svc.check_in(&mut db, &flagged, on(3)).unwrap();
    // The same answers again a day later, kept waiting: the escalated plan stays the one
    // being followed.
    assess(&svc, &mut db, on(4), OnActivePlan::Keep);

    let t = svc.training(&db, on(4)).unwrap();
    let a = t.assessment.as_ref().unwrap();
    assert_eq!(a.date, date(2026, 12, 4), "the latest assessment");
    assert_eq!(
        a.triage_level, escalated.triage,
        "the level the runner follows"
    );
    assert!(a.triage_at_assessment.is_some_and(|l| l < escalated.triage));
    assert_eq!(
        a.plan_assessed,
        Some(date(2026, 12, 1)),
        "the plan's own assessment"
    );

    // Plain words, and never a demographic against a condition.
    assert!(
        a.positives
            .iter()
            .any(|p| p == "started suddenly, at one moment"),
        "{:?}",
        a.positives
    );
    for f in a.positives.iter().chain(&a.negatives) {
        assert!(!f.contains('=') && !f.contains('_'), "an id: {f}");
    }
    assert!(
        !a.negatives
            .iter()
            .any(|n| n.contains("years old") || n == "male"),
        "a demographic as a pertinent negative: {:?}",
        a.negatives
    );

    // The record: both assessments, the first being followed; both check-ins in order.
    assert_eq!(t.assessments.len(), 2);
    assert!(t.assessments[0].active && !t.assessments[1].active);
    assert_eq!(t.assessments[0].date, date(2026, 12, 1));
    assert_eq!(t.checkins.len(), 2);
    assert_eq!(t.checkins[0].date, date(2026, 12, 2));
    assert_eq!(t.checkins[0].pain_during, Some(2));
    assert_eq!(t.checkins[1].decision, escalated.decision);
    assert!(t.checkins.iter().all(|c| c.this_plan));
    let plan = t.plan_now.as_ref().unwrap();
    assert_eq!(
        plan.days_since_onset, 5,
        "two days before the 1st, seen on the 4th"
    );
    assert!(plan.phase_number >= 1 && plan.phase_number <= plan.phases);

    let html = svc.render_report(&t);
    assert!(html.contains("The plan being followed was made from the assessment of Tue 1 Dec 2026"));
    assert!(
        html.contains("<li>Started suddenly, at one moment</li>"),
        "plain words"
    );
    assert!(
        !html.contains("onset=") && !html.contains("age_years"),
        "ids in the report"
    );
    let record = &html[html.find("id=\"record\"").unwrap()..];
    assert!(record.contains("Wed 2 Dec 2026") && record.contains("Thu 3 Dec 2026"));
    assert!(record.contains("vd-doctor\">See a doctor</span>"));
    assert!(record.contains("2 check-ins from Wed 2 Dec 2026 to Thu 3 Dec 2026"));
}

#[test]
fn the_engine_does_list_age_against_the_strain() {
    // What the filter above is for: without it, age would be a pertinent negative.
    let svc = Service::new().unwrap();
    let f = svc
        .parse_findings(STRAIN, "strain.json", false)
        .unwrap()
        .findings;
    let outcome = svc.assess(&f);
    // The leading condition's reasons against: the list the report shows.
    let against = &outcome.assessment.differential[0].against;
    assert!(
        against.iter().any(|id| id.starts_with("age_years=")),
        "{against:?}"
    );
}

#[test]
fn red_flags_are_named_by_their_rule_not_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::new().unwrap();
    let mut db = open(dir.path());
    let flagged = STRAIN.replace("\"saddle_numbness\": false", "\"saddle_numbness\": true");
    let f = svc
        .parse_findings(&flagged, "flagged.json", false)
        .unwrap()
        .findings;
    let outcome = svc.assess(&f);
    assert!(
        !outcome.assessment.red_flags.is_empty(),
        "the stored result names rule ids"
    );
    svc.record_assessment(&mut db, &f, &outcome, on(1), OnActivePlan::Replace)
        .unwrap();
    let t = svc.training(&db, on(1)).unwrap();
    let flags = &t.assessment.as_ref().unwrap().red_flags;
    assert!(
        flags.iter().any(|r| r == "Possible cauda equina syndrome"),
        "{flags:?}"
    );
    assert!(!flags.iter().any(|r| r.starts_with("R-")), "{flags:?}");
}
