//! The training use cases over a real (in-memory) store: plan adherence reads what a plan
//! prescribed on past days and compares it with the runs done (as prescribed, longer,
//! missed, a run on a day the plan said not to run), and metrics left stale by an older
//! version are recomputed from the stored streams.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::adherence::Issue;
use hamstride_core::activity::{Activity, Records, Session};
use hamstride_core::plan::generate::{day, start, Item};
use hamstride_core::Findings;
use hamstride_service::plans::{self, Now, Profile};
use hamstride_service::{training, AthleteDb, Service};
use hamstride_store::{NewActivity, NewOriginal, SqliteStore, Store};
use jiff::civil::{date, Date};
use jiff::Span;

const TODAY: Date = date(2026, 11, 21);

fn now() -> Now {
    let ms = TODAY
        .at(12, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond();
    Now::at_ms(ms)
}

fn days_ago(n: i64) -> Date {
    TODAY.checked_sub(Span::new().days(n)).unwrap()
}

/// A run at a steady `mps` for `minutes`, 07:00 UTC on `d`, one record a second.
fn run_on(d: Date, minutes: u32, mps: f64) -> Activity {
    let t0 = d
        .at(7, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond();
    let mut r = Records::default();
    for i in 0..i64::from(minutes) * 60 {
        let k = r.push_empty(t0 + i * 1000);
        r.distance_m[k] = i as f64 * mps;
        r.speed_mps[k] = mps as f32;
        r.altitude_m[k] = 10.0;
    }
    let secs = f64::from(minutes) * 60.0;
    Activity {
        sport: "running".into(),
        start_ms: Some(t0),
        end_ms: Some(t0 + (secs * 1000.0) as i64),
        sessions: vec![Session {
            sport: "running".into(),
            start_ms: Some(t0),
            total_timer_s: Some(secs),
            total_elapsed_s: Some(secs),
            distance_m: Some(secs * mps),
            ..Default::default()
        }],
        records: r,
        ..Default::default()
    }
}

/// A fresh database in a temporary folder, opened through the service for its one runner;
/// the folder also lets a test write rows directly through the store (`raw`).
fn fresh() -> (tempfile::TempDir, AthleteDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = hamstride_service::db::open_dir(dir.path()).unwrap();
    (dir, db)
}

/// The same database, as the store itself (for rows no use case writes directly).
fn raw(dir: &tempfile::TempDir) -> (SqliteStore, hamstride_store::Athlete) {
    let mut s = SqliteStore::open(dir.path()).unwrap();
    let who = s.default_athlete().unwrap();
    (s, who)
}

fn insert(dir: &tempfile::TempDir, n: u8, a: &Activity, with_metrics: bool) -> i64 {
    let (mut store, who) = raw(dir);
    let mut tx = store.begin(who).unwrap();
    let (orig, _) = tx
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
    let streams = hamstride_store::codec::encode(&a.records);
    let id = tx
        .insert_activity(&NewActivity {
            original_id: orig,
            part: 0,
            source_path: &format!("{n}.fit"),
            format: "fit",
            activity: a,
            streams: Some(&streams),
            imported_at_ms: 0,
        })
        .unwrap();
    if with_metrics {
        let m = hamstride_analytics::metrics::compute(a, &training::metrics_constants().unwrap());
        tx.put_metrics(
            id,
            i64::from(hamstride_analytics::METRICS_VERSION),
            &training::metrics_json(&m).unwrap(),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    id
}

fn utc_profile(store: &mut AthleteDb) {
    let p = Profile {
        timezone: Some("UTC".into()),
        ..Default::default()
    };
    plans::set_profile(store, &p, now()).unwrap();
}

/// Start `protocol` as the active plan `started` days ago.
fn start_plan(svc: &Service, dir: &tempfile::TempDir, protocol: &str, started: i64) -> Vec<Date> {
    let pkb = svc.plans();
    let p = pkb.protocol(protocol).unwrap();
    let f = Findings::empty(&svc.kb().schema);
    let st = start(
        pkb,
        p,
        &f,
        days_ago(started + 3),
        days_ago(started),
        hamstride_core::TriageLevel::SelfCare,
        "",
    );
    let (mut store, who) = raw(dir);
    store
        .start_plan(who, &serde_json::to_string(&st).unwrap(), 0)
        .unwrap();
    // The days the plan prescribes a run, as the adherence check will read them.
    (0..=started)
        .map(|k| days_ago(started - k))
        .filter(|d| {
            day(pkb, &st, *d)
                .unwrap()
                .items
                .iter()
                .any(|i| matches!(i, Item::Run { .. }))
        })
        .collect()
}

#[test]
fn adherence_compares_prescribed_runs_with_the_runs_done() {
    let svc = Service::new().unwrap();
    let (dir, mut store) = fresh();
    utc_profile(&mut store);
    // Five easy runs before the plan teach the easy pace: 3.0 m/s.
    for (k, back) in [50, 45, 40, 35, 30].iter().enumerate() {
        insert(&dir, k as u8 + 1, &run_on(days_ago(*back), 40, 3.0), true);
    }
    let run_days = start_plan(&svc, &dir, "pht", 14);
    assert!(
        run_days.len() >= 3,
        "the tendon plan runs from its first phase: {run_days:?}"
    );
    let t = svc.training(&store, now()).unwrap();
    let first = &t.adherence.as_ref().unwrap().sessions[0];
    let minutes = first.prescribed.running_minutes.round() as u32;
    // As prescribed on the first run day, twice as long on the second, nothing on the rest.
    insert(&dir, 20, &run_on(run_days[0], minutes, 3.0), true);
    insert(&dir, 21, &run_on(run_days[1], minutes * 2, 3.0), true);
    let t = svc.training(&store, now()).unwrap();
    let a = t.adherence.unwrap();
    assert_eq!(a.easy_mps.map(|v| (v * 10.0).round() / 10.0), Some(3.0));
    assert_eq!(a.sessions.len(), run_days.len());
    assert!(a.sessions[0].issues.is_empty(), "{:?}", a.sessions[0]);
    assert_eq!(
        a.sessions[1].issues,
        vec![Issue::Longer],
        "{:?}",
        a.sessions[1]
    );
    assert!(a.sessions[2..]
        .iter()
        .all(|s| s.issues == vec![Issue::Missed]));
    assert_eq!((a.done, a.as_prescribed), (2, 1));
    assert!(a.unplanned.is_empty());
    assert_eq!(t.plan.as_ref().map(|p| p.0.is_empty()), Some(false));
}

#[test]
fn a_run_while_the_plan_allows_none_is_listed() {
    let svc = Service::new().unwrap();
    let (dir, mut store) = fresh();
    utc_profile(&mut store);
    let run_days = start_plan(&svc, &dir, "strain-moderate", 5);
    assert!(run_days.is_empty(), "the first strain phase has no running");
    let id = insert(&dir, 1, &run_on(days_ago(2), 30, 3.0), true);
    let a = svc.training(&store, now()).unwrap().adherence.unwrap();
    assert_eq!(a.unplanned.len(), 1, "{a:?}");
    assert_eq!(a.unplanned[0].activity_id, id);
    let summary = hamstride_export::words::adherence_summary(&a);
    assert!(summary.contains("said not to run"), "{summary}");
}

#[test]
fn stale_metrics_are_recomputed_from_the_streams() {
    let (dir, mut store) = fresh();
    utc_profile(&mut store);
    let id = insert(&dir, 1, &run_on(days_ago(3), 30, 3.0), false);
    assert_eq!(
        {
            let (s, who) = raw(&dir);
            s.stale_metrics(who, 1).unwrap()
        },
        vec![id]
    );
    let mut seen = Vec::new();
    let n = training::refresh_metrics(&mut store, &mut |d, t| seen.push((d, t))).unwrap();
    assert_eq!((n, seen), (1, vec![(1, 1)]));
    assert!({
        let (s, who) = raw(&dir);
        s.stale_metrics(who, 1).unwrap()
    }
    .is_empty());
    let svc = Service::new().unwrap();
    let t = svc.training(&store, now()).unwrap();
    assert_eq!(t.analysis.runs.len(), 1);
    assert!((t.analysis.runs[0].distance_m - 5400.0).abs() < 1.0);
}

#[test]
fn data_findings_claim_only_what_the_data_shows() {
    let svc = Service::new().unwrap();
    let (dir, mut store) = fresh();
    utc_profile(&mut store);
    // Steady 30-minute runs for six weeks: nothing changed, so nothing is claimed.
    for (k, back) in (3..45).step_by(3).enumerate() {
        insert(&dir, k as u8 + 1, &run_on(days_ago(back), 30, 3.0), true);
    }
    let d = svc.findings_from_data(&store, now()).unwrap();
    assert!(d.recent_training_change.is_empty(), "{d:?}");
    // 9 or 10 runs of 5.4 km in the last 28 days: about 13 km a week.
    let km = d.weekly_km.unwrap();
    assert!((11.0..=14.5).contains(&km), "{km}");
    // A 70-minute run yesterday is a long-run increase, shown with its reason.
    insert(&dir, 100, &run_on(days_ago(1), 70, 3.0), true);
    let d = svc.findings_from_data(&store, now()).unwrap();
    assert_eq!(
        d.recent_training_change,
        vec!["long_run_increase".to_string()]
    );
    let mut f = Findings::empty(&svc.kb().schema);
    let shown = svc.apply_data_findings(&mut f, &d);
    assert!(
        shown.iter().any(|r| r.answer == "long_run_increase"
            && hamstride_export::words::data_reason(r, hamstride_export::words::Units::Km)
                .starts_with("a longer long run")),
        "{shown:?}"
    );
    let i = svc.kb().schema.index("recent_training_change").unwrap();
    assert!(f.get(i).is_some(), "filled in");
}
