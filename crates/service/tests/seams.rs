//! The seams the web app and the server build on, tested through the service: two athletes in
//! one database importing the same file, concurrent check-ins losing nothing (SQLite, and
//! PostgreSQL when `HAMSTRIDE_TEST_POSTGRES_URL` is set), "today" in each runner's own time
//! zone on a server in UTC, and `status` agreeing with the report on the weekly morning pain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use hamstride_core::activity::{Activity, Records, Session};
use hamstride_service::import::{self, ImportOptions, ImportSource};
use hamstride_service::plans::{self, CheckInInput, Now, Profile};
use hamstride_service::training::PainInput;
use hamstride_service::{AthleteDb, DbOptions, Service};
use hamstride_store::{NewActivity, NewOriginal, SqliteStore, Store};
use jiff::civil::{date, Date};

const STRAIN: &str = r#"{"schema": "hamstride.findings/1", "age_years": 27, "onset": "sudden", "mechanism": "sprinting",
 "stopped_immediately": true, "days_since_onset": 5, "pain_sites": ["mid_back_thigh"], "walking": "normal", "pain_now": 3,
 "days_to_pain_free_walking": 3, "test_resisted_knee_bend": true, "bruising": "none", "pop_or_snap": false}"#;

/// 2026-12-04 20:00 UTC: already the 5th in Sydney, still the 4th in Los Angeles.
fn instant() -> Now {
    Now::at_ms(
        date(2026, 12, 4)
            .at(20, 0, 0, 0)
            .in_tz("UTC")
            .unwrap()
            .timestamp()
            .as_millisecond(),
    )
}

fn sqlite(dir: &Path, athlete: Option<&str>) -> AthleteDb {
    hamstride_service::open(&DbOptions {
        url: None,
        data_dir: Some(dir.to_path_buf()),
        athlete: athlete.map(str::to_string),
    })
    .unwrap()
}

/// The PostgreSQL server of the conformance suite, when there is one.
fn postgres_url() -> Option<String> {
    std::env::var("HAMSTRIDE_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn postgres(url: &str, athlete: &str) -> AthleteDb {
    hamstride_service::open(&DbOptions {
        url: Some(url.to_string()),
        data_dir: None,
        athlete: Some(athlete.to_string()),
    })
    .unwrap()
}

fn set_zone(db: &mut AthleteDb, zone: &str) {
    let p = Profile {
        timezone: Some(zone.into()),
        ..Default::default()
    };
    plans::set_profile(db, &p, instant()).unwrap();
}

fn assess(svc: &Service, db: &mut AthleteDb) {
    let f = svc
        .parse_findings(STRAIN, "strain.json", false)
        .unwrap()
        .findings;
    let outcome = svc.assess(&f);
    svc.record_assessment(
        db,
        &f,
        &outcome,
        instant(),
        hamstride_service::view::OnActivePlan::Replace,
    )
    .unwrap();
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/tests/fixtures")
        .join(rel)
}

#[test]
fn the_same_file_imported_by_two_athletes_is_stored_for_both() {
    let dir = tempfile::tempdir().unwrap();
    let file = || {
        vec![ImportSource::Path(fixture(
            "gpx/georust__wahoo_example.gpx",
        ))]
    };
    let opts = ImportOptions::default();
    let mut a = sqlite(dir.path(), Some("ana"));
    let ra = import::run(&mut a, file(), &opts, &mut |_| {}).unwrap();
    let mut b = sqlite(dir.path(), Some("ben"));
    let rb = import::run(&mut b, file(), &opts, &mut |_| {}).unwrap();
    assert_eq!((ra.imported, ra.duplicates), (1, 0));
    assert_eq!(
        (rb.imported, rb.duplicates),
        (1, 0),
        "B's copy is B's, not a duplicate of A's"
    );
    let again = import::run(&mut b, file(), &opts, &mut |_| {}).unwrap();
    assert_eq!(
        (again.imported, again.duplicates),
        (0, 1),
        "within B, a duplicate"
    );
    assert_eq!(a.activity_count().unwrap(), 1);
    assert_eq!(b.activity_count().unwrap(), 1);
    assert_ne!(a.activities().unwrap()[0].id, b.activities().unwrap()[0].id);
    let names = b.athlete_names().unwrap();
    assert!(names.contains(&"ana".to_string()) && names.contains(&"ben".to_string()));
    // A name that is not a plain label is refused, naming the option.
    for bad in ["", " ana", "a\nb"] {
        let e = hamstride_service::open(&DbOptions {
            url: None,
            data_dir: Some(dir.path().to_path_buf()),
            athlete: Some(bad.to_string()),
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("--athlete"), "{e}");
    }
}

/// Two threads, each with its own connection, check in `each` times on one plan.
fn concurrent_checkins(open: &(dyn Fn() -> AthleteDb + Sync), each: usize) {
    let svc = Service::new().unwrap();
    {
        let mut db = open();
        set_zone(&mut db, "UTC");
        assess(&svc, &mut db);
    }
    std::thread::scope(|s| {
        for t in 0..2 {
            let svc = &svc;
            s.spawn(move || {
                let mut db = open();
                for i in 0..each {
                    let c = CheckInInput {
                        pain_morning: Some(((t + i) % 3) as i64),
                        note: Some(format!("thread {t} check-in {i}")),
                        ..Default::default()
                    };
                    svc.check_in(&mut db, &c, instant()).unwrap();
                }
            });
        }
    });
    let db = open();
    let plan = svc.active_plan(&db).unwrap();
    assert_eq!(plan.history.len(), 2 * each, "every check-in stored");
    assert_eq!(plan.version, (2 * each) as i64, "each moved the state once");
    let notes: std::collections::BTreeSet<_> = plan
        .history
        .iter()
        .filter_map(|r| r.checkin.note.clone())
        .collect();
    assert_eq!(notes.len(), 2 * each);
}

#[test]
fn concurrent_checkins_lose_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    concurrent_checkins(&|| sqlite(&path, None), 10);
}

#[test]
fn concurrent_checkins_lose_nothing_on_postgres() {
    let Some(url) = postgres_url() else {
        println!("SKIPPED: concurrent check-ins on PostgreSQL (set HAMSTRIDE_TEST_POSTGRES_URL)");
        return;
    };
    // A new athlete per run keeps reruns on one server apart.
    let who = format!("conc-{}-{}", std::process::id(), instant().ms);
    concurrent_checkins(&|| postgres(&url, &who), 10);
}

#[test]
fn today_is_each_runners_own_date() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::new().unwrap();
    let mut syd = sqlite(dir.path(), Some("sydney"));
    set_zone(&mut syd, "Australia/Sydney");
    let mut la = sqlite(dir.path(), Some("los-angeles"));
    set_zone(&mut la, "America/Los_Angeles");
    assert_eq!(svc.today(&syd, instant()).unwrap(), date(2026, 12, 5));
    assert_eq!(svc.today(&la, instant()).unwrap(), date(2026, 12, 4));
    // The same instant, every use case: a diary entry, a plan start, a check-in, status.
    for (db, want) in [(&mut syd, date(2026, 12, 5)), (&mut la, date(2026, 12, 4))] {
        let pain = PainInput {
            during: Some(2),
            ..Default::default()
        };
        assert_eq!(
            svc.log_pain(db, &pain, instant())
                .unwrap()
                .record
                .entry
                .date,
            want
        );
        assess(&svc, db);
        assert_eq!(svc.active_plan(db).unwrap().state.start, want);
        let c = CheckInInput {
            pain_morning: Some(1),
            ..Default::default()
        };
        assert_eq!(svc.check_in(db, &c, instant()).unwrap().date, want);
        assert_eq!(
            svc.status(db, instant(), &mut |_, _| {}).unwrap().today,
            want
        );
        // A check-in dated "tomorrow" in the runner's zone is refused.
        let tomorrow = want.tomorrow().unwrap();
        let c = CheckInInput {
            date: Some(tomorrow),
            pain_morning: Some(1),
            ..Default::default()
        };
        assert!(svc.check_in(db, &c, instant()).is_err());
    }
}

/// A 30-minute run at 07:00 UTC on `d`, with its metrics, straight into the store.
fn add_run(dir: &Path, d: Date, n: u8) {
    let t0 = d
        .at(7, 0, 0, 0)
        .in_tz("UTC")
        .unwrap()
        .timestamp()
        .as_millisecond();
    let mut r = Records::default();
    for i in 0..1800 {
        let k = r.push_empty(t0 + i * 1000);
        r.distance_m[k] = i as f64 * 3.0;
        r.speed_mps[k] = 3.0;
    }
    let a = Activity {
        sport: "running".into(),
        start_ms: Some(t0),
        end_ms: Some(t0 + 1_800_000),
        sessions: vec![Session {
            sport: "running".into(),
            start_ms: Some(t0),
            total_timer_s: Some(1800.0),
            distance_m: Some(5400.0),
            ..Default::default()
        }],
        records: r,
        ..Default::default()
    };
    let mut s = SqliteStore::open(dir).unwrap();
    let who = s.default_athlete().unwrap();
    let mut tx = s.begin(who).unwrap();
    let (o, _) = tx
        .insert_original(&NewOriginal {
            hash: &[n; 32],
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
            original_id: o,
            part: 0,
            source_path: "run.fit",
            format: "fit",
            activity: &a,
            streams: None,
            imported_at_ms: 0,
        })
        .unwrap();
    let m = hamstride_analytics::metrics::compute(
        &a,
        &hamstride_service::training::metrics_constants().unwrap(),
    );
    tx.put_metrics(
        id,
        i64::from(hamstride_analytics::METRICS_VERSION),
        &hamstride_service::training::metrics_json(&m).unwrap(),
    )
    .unwrap();
    tx.commit().unwrap();
}

#[test]
fn status_and_report_agree_on_the_weekly_morning_pain() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::new().unwrap();
    let mut db = sqlite(dir.path(), None);
    set_zone(&mut db, "UTC");
    // Week of Monday 23 November: two entries on Tuesday (2, then 6: the diary keeps one row
    // per day, so the later 6 replaces the 2) and 6 on Thursday: a mean of 6.0, not 4.7.
    add_run(dir.path(), date(2026, 11, 24), 1);
    for (d, v) in [(24, 2), (24, 6), (26, 6)] {
        let p = PainInput {
            date: Some(date(2026, 11, d)),
            next_morning: Some(v),
            ..Default::default()
        };
        svc.log_pain(&mut db, &p, instant()).unwrap();
    }
    let st = svc.status(&mut db, instant(), &mut |_, _| {}).unwrap();
    let week = st
        .weeks
        .iter()
        .find(|w| w.start == date(2026, 11, 23))
        .unwrap();
    assert_eq!(week.morning_pain, Some(6.0));
    let tuesday = st.days.iter().find(|d| d.date == date(2026, 12, 1));
    assert!(tuesday.is_some_and(|d| d.morning_pain.is_none()));
    let html = svc.render_report(&svc.training(&db, instant()).unwrap());
    assert!(
        html.contains("<td class=\"n\">6.0</td><td class=\"n\">"),
        "the report's weekly table shows the same 6.0"
    );
    assert!(!html.contains(">4.7<"), "and not the per-entry mean");
}

#[test]
fn the_report_shows_the_level_a_check_in_raised_not_the_first_one() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Service::new().unwrap();
    let mut db = sqlite(dir.path(), None);
    set_zone(&mut db, "UTC");
    assess(&svc, &mut db);
    let first = svc
        .training(&db, instant())
        .unwrap()
        .assessment
        .unwrap()
        .triage_level;
    // A re-screen with a warning sign: the plan escalates.
    let c = CheckInInput {
        pain_morning: Some(3),
        red_flags: Some(vec!["saddle_numbness".into()]),
        ..Default::default()
    };
    let r = svc.check_in(&mut db, &c, instant()).unwrap();
    assert!(
        r.triage > first,
        "{:?} after {:?}: {:?}",
        r.triage,
        first,
        r.decision
    );
    let a = svc.training(&db, instant()).unwrap().assessment.unwrap();
    assert_eq!(a.triage_level, r.triage, "the level now");
    assert_eq!(a.triage_at_assessment, Some(first));
    let html = svc.render_report(&svc.training(&db, instant()).unwrap());
    assert!(
        html.contains("Raised by a check-in since the assessment of"),
        "the report says so"
    );
}
