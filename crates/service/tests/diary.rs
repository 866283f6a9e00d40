//! Pain is one diary (issue 13, item 6), through the service: a check-in's scores are the
//! diary row of the session day (the day before the check-in, whose next morning is the
//! check-in's morning), `pain` on a day that has a row updates that row, the plan's later
//! check-ins read a corrected score from the diary, `status` and the report read the same rows,
//! and a check-in of only the warning-sign screen records it and leaves the plan where it is.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_core::plan::{Reason, Verdict};
use hamstride_service::plans::{self, CheckInInput, Now, Profile};
use hamstride_service::training::{self, PainInput};
use hamstride_service::view::words;
use hamstride_service::{AthleteDb, DbOptions, Service};
use jiff::civil::{date, Date};
use jiff::Span;

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

/// The day of the assessment (a Monday); the plan starts on it.
const D0: Date = date(2026, 11, 2);

fn day(n: i64) -> Date {
    D0.saturating_add(Span::new().days(n))
}

/// Noon UTC on `d` (the runner's zone is UTC).
fn at(d: Date) -> Now {
    Now::at_ms(
        d.at(12, 0, 0, 0)
            .in_tz("UTC")
            .unwrap()
            .timestamp()
            .as_millisecond(),
    )
}

/// A new database in `dir` with a strain plan started on [`D0`].
fn planned(svc: &Service, dir: &tempfile::TempDir) -> AthleteDb {
    let mut db = hamstride_service::open(&DbOptions {
        url: None,
        data_dir: Some(dir.path().to_path_buf()),
        athlete: None,
    })
    .unwrap();
    let p = Profile {
        timezone: Some("UTC".into()),
        ..Default::default()
    };
    plans::set_profile(&mut db, &p, at(D0)).unwrap();
    let f = svc
        .parse_findings(STRAIN, "strain.json", false)
        .unwrap()
        .findings;
    let outcome = svc.assess(&f);
    svc.record_assessment(
        &mut db,
        &f,
        &outcome,
        at(D0),
        hamstride_service::view::OnActivePlan::Replace,
    )
    .unwrap();
    db
}

fn morning(d: Date, score: i64) -> CheckInInput {
    CheckInInput {
        date: Some(d),
        pain_morning: Some(score),
        ..Default::default()
    }
}

#[test]
fn check_in_scores_are_the_diary_row_of_the_session_day() {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = planned(&svc, &dir);
    let site = training::pain_sites(&svc)[0].clone();
    // The evening of day 0: the runner notes where it hurt and how much during the session.
    let logged = svc
        .log_pain(
            &mut db,
            &PainInput {
                date: Some(D0),
                during: Some(2),
                site: Some(site.clone()),
                ..Default::default()
            },
            at(D0),
        )
        .unwrap();
    assert!(!logged.updated);
    // The next morning's check-in: its scores are day 0's session and day 0's next morning.
    let c = CheckInInput {
        date: Some(day(1)),
        pain_during: Some(3),
        pain_after: Some(1),
        pain_morning: Some(2),
        ..Default::default()
    };
    svc.check_in(&mut db, &c, at(day(1))).unwrap();
    let diary = training::pain_diary(&db).unwrap();
    assert_eq!(diary.len(), 1, "one row for the day, not a second one");
    let e = &diary[0].entry;
    assert_eq!(diary[0].id, logged.record.id, "the day's row, updated");
    assert_eq!(e.date, D0);
    assert_eq!(
        (e.during, e.after, e.next_morning),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(e.site.as_deref(), Some(site.as_str()), "the rest is kept");
    // Status and the report's series read the same row.
    let st = svc.status(&mut db, at(day(1)), &mut |_, _| {}).unwrap();
    let d0 = st.days.iter().find(|d| d.date == D0).unwrap();
    assert_eq!(d0.morning_pain, Some(2));
    let t = svc.training(&db, at(day(1))).unwrap();
    assert_eq!(t.pain, diary);
    // A corrected morning is what the report's check-in timeline shows too.
    let fix = PainInput {
        date: Some(D0),
        next_morning: Some(5),
        ..Default::default()
    };
    svc.log_pain(&mut db, &fix, at(day(1))).unwrap();
    let t = svc.training(&db, at(day(1))).unwrap();
    assert_eq!(t.checkins.last().unwrap().pain_morning, Some(5));
    let diary = training::pain_diary(&db).unwrap();
    // A check-in with no score leaves the diary alone.
    let c = CheckInInput {
        date: Some(day(2)),
        done: vec!["run".into()],
        ..Default::default()
    };
    svc.check_in(&mut db, &c, at(day(2))).unwrap();
    assert_eq!(training::pain_diary(&db).unwrap(), diary);
}

/// A run on `d` at 07:00 UTC, stored directly (no streams needed: the diary only names it).
fn run_on(dir: &tempfile::TempDir, d: Date) -> i64 {
    use hamstride_store::{NewActivity, NewOriginal, SqliteStore, Store};
    let mut store = SqliteStore::open(dir.path()).unwrap();
    let who = store.default_athlete().unwrap();
    let start = d
        .at(7, 0, 0, 0)
        .in_tz("UTC")
        .unwrap()
        .timestamp()
        .as_millisecond();
    let a = hamstride_core::activity::Activity {
        sport: "running".into(),
        start_ms: Some(start),
        ..Default::default()
    };
    let mut tx = store.begin(who).unwrap();
    let (orig, _) = tx
        .insert_original(&NewOriginal {
            hash: &[7; 32],
            encoding: "raw",
            format: "fit",
            size: 1,
            activities: 1,
            data: b"x",
            duplicate_of: None,
        })
        .unwrap();
    let id = tx
        .insert_activity(&NewActivity {
            original_id: orig,
            part: 0,
            source_path: "run.fit",
            format: "fit",
            activity: &a,
            streams: None,
            imported_at_ms: 0,
        })
        .unwrap();
    tx.commit().unwrap();
    id
}

#[test]
fn a_check_in_keeps_the_run_the_day_is_about() {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = planned(&svc, &dir);
    let run = run_on(&dir, D0);
    let about_run = PainInput {
        activity_id: Some(run),
        after: Some(2),
        ..Default::default()
    };
    assert_eq!(
        svc.log_pain(&mut db, &about_run, at(D0))
            .unwrap()
            .record
            .entry
            .date,
        D0,
        "the run's day"
    );
    svc.check_in(&mut db, &morning(day(1), 1), at(day(1)))
        .unwrap();
    let diary = training::pain_diary(&db).unwrap();
    assert_eq!(diary.len(), 1);
    assert_eq!(diary[0].entry.activity_id, Some(run));
    assert_eq!(
        (diary[0].entry.after, diary[0].entry.next_morning),
        (Some(2), Some(1))
    );
}

#[test]
fn logging_a_day_again_updates_its_row() {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = planned(&svc, &dir);
    let first = svc
        .log_pain(
            &mut db,
            &PainInput {
                date: Some(D0),
                during: Some(2),
                after: Some(3),
                notes: Some("stiff".into()),
                ..Default::default()
            },
            at(D0),
        )
        .unwrap();
    // The next morning, the morning score for the day before (as `--date yesterday --morning`).
    let second = svc
        .log_pain(
            &mut db,
            &PainInput {
                date: Some(D0),
                after: Some(4),
                next_morning: Some(1),
                ..Default::default()
            },
            at(day(1)),
        )
        .unwrap();
    assert!(second.updated);
    assert_eq!(second.record.id, first.record.id);
    let diary = training::pain_diary(&db).unwrap();
    assert_eq!(diary.len(), 1);
    let e = &diary[0].entry;
    assert_eq!(
        (e.during, e.after, e.next_morning),
        (Some(2), Some(4), Some(1)),
        "what was given replaces, what was not is kept"
    );
    assert_eq!(e.notes.as_deref(), Some("stiff"));
    // A bad entry for that day changes nothing.
    let bad = PainInput {
        date: Some(D0),
        during: Some(11),
        ..Default::default()
    };
    assert!(svc.log_pain(&mut db, &bad, at(day(1))).is_err());
    assert_eq!(training::pain_diary(&db).unwrap(), diary);
}

/// The decision of a day-2 check-in with morning pain 3, after a day-1 check-in that said 2,
/// when the runner then corrects (or not) that morning to 1 in the diary.
fn day_two_after(correct_to: Option<i64>) -> hamstride_core::plan::Decision {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = planned(&svc, &dir);
    svc.check_in(&mut db, &morning(day(1), 2), at(day(1)))
        .unwrap();
    if let Some(v) = correct_to {
        let fix = PainInput {
            date: Some(D0),
            next_morning: Some(v),
            ..Default::default()
        };
        assert!(svc.log_pain(&mut db, &fix, at(day(1))).unwrap().updated);
    }
    svc.check_in(&mut db, &morning(day(2), 3), at(day(2)))
        .unwrap()
        .decision
}

#[test]
fn the_plan_reads_a_corrected_score_from_the_diary() {
    // 3 against 2 is inside the rules; against the corrected 1 it is clearly worse (by 2).
    let kept = day_two_after(None);
    assert!(!kept
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::MorningWorse { .. })));
    let corrected = day_two_after(Some(1));
    assert_eq!(corrected.verdict, Verdict::StepBack);
    assert!(corrected.reasons.contains(&Reason::MorningWorse {
        morning: 3,
        before: 1
    }));
}

#[test]
fn a_screen_only_check_in_records_the_screen_and_keeps_the_plan() {
    let svc = Service::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = planned(&svc, &dir);
    let before = svc.active_plan(&db).unwrap();
    let c = CheckInInput {
        date: Some(day(3)),
        red_flags: Some(Vec::new()),
        ..Default::default()
    };
    let r = svc.check_in(&mut db, &c, at(day(3))).unwrap();
    assert_eq!(r.decision.verdict, Verdict::ScreenOnly);
    assert_eq!(r.decision.reasons, [Reason::ScreenOnly]);
    assert!(!r.decision.screen_due);
    assert_eq!(
        words::plan_reason(&r.decision.reasons[0]),
        "Warning-sign check recorded; no pain scores, so the plan stays where it is."
    );
    let after = svc.active_plan(&db).unwrap();
    let mut expected = before.state.clone();
    expected.last_screen = Some(day(3));
    assert_eq!(after.state, expected, "only the screen's date moved");
    assert!(!svc.screen_due(&after, day(3)));
    assert!(training::pain_diary(&db).unwrap().is_empty());
    // The screen still decides: a warning sign in a screen-only check-in escalates at once.
    let c = CheckInInput {
        date: Some(day(3)),
        red_flags: Some(vec!["saddle_numbness".into()]),
        ..Default::default()
    };
    let r = svc.check_in(&mut db, &c, at(day(3))).unwrap();
    assert_eq!(r.decision.verdict, Verdict::Escalate);
}
