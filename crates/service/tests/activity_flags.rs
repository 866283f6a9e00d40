//! An activity page reads only the year before its run (and its week after) to find the load
//! flags about the run and its week, so ten years of history do not make it slow. These are
//! the flags the whole history gives: checked here on three years of synthetic runs, for every
//! run the full analysis flags and every week with a week flag.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use hamstride_analytics::series::Flag;
use hamstride_core::activity::{Activity, Session};
use hamstride_service::plans::Now;
use hamstride_service::Service;
use hamstride_store::{NewActivity, NewOriginal, SqliteStore, Store};

/// Three years of synthetic runs ending `today`, written as the import would leave them
/// (summary rows and current metrics).
fn seed(dir: &std::path::Path, today: jiff::civil::Date) {
    let entries = hamstride_analytics::synthetic::history(3, 7, today);
    let mut store = SqliteStore::open(dir).unwrap();
    let who = store.default_athlete().unwrap();
    let mut tx = store.begin(who).unwrap();
    for e in &entries {
        let m = &e.metrics;
        let a = Activity {
            sport: m.sport.clone(),
            start_ms: Some(m.start_ms),
            end_ms: Some(m.start_ms + (m.duration_s * 1000.0) as i64),
            sessions: vec![Session {
                sport: m.sport.clone(),
                start_ms: Some(m.start_ms),
                total_timer_s: Some(m.duration_s),
                total_elapsed_s: Some(m.duration_s),
                distance_m: Some(m.distance_m),
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&e.id.to_le_bytes());
        let (orig, _) = tx
            .insert_original(&NewOriginal {
                hash: &hash,
                encoding: "raw",
                format: "fit",
                size: 0,
                activities: 1,
                data: b"synthetic",
                duplicate_of: None,
            })
            .unwrap();
        let id = tx
            .insert_activity(&NewActivity {
                original_id: orig,
                part: 0,
                source_path: &format!("synthetic/{}.fit", e.id),
                format: "fit",
                activity: &a,
                streams: None,
                imported_at_ms: 0,
            })
            .unwrap();
        let json = serde_json::to_string(m).unwrap();
        tx.put_metrics(id, i64::from(hamstride_analytics::METRICS_VERSION), &json)
            .unwrap();
    }
    tx.commit().unwrap();
}

/// What makes two flags the same flag; the value is compared apart, within rounding.
fn key(f: &Flag) -> String {
    format!(
        "{:?} {} {:?} {:?}",
        f.signal, f.date, f.activity_id, f.level
    )
}

#[test]
fn an_activity_page_shows_the_flags_of_the_whole_history() {
    let dir = tempfile::tempdir().unwrap();
    let now = Now::system();
    let svc = Service::new().unwrap();
    let db = hamstride_service::db::open_dir(dir.path()).unwrap();
    let today = svc.today(&db, now).unwrap();
    drop(db);
    seed(dir.path(), today);
    let mut db = hamstride_service::db::open_dir(dir.path()).unwrap();
    let whole = svc.training(&db, now).unwrap().analysis.flags;
    assert!(
        whole.iter().any(|f| f.activity_id.is_some())
            && whole.iter().any(|f| f.activity_id.is_none()),
        "the history has run flags and week flags to compare: {whole:?}"
    );
    // Runs to look at: every flagged run, every run in a week with a week flag, and every
    // 25th run besides (their pages must show no flag the history does not have).
    let rows = db.activities().unwrap();
    let flagged: BTreeSet<i64> = whole.iter().filter_map(|f| f.activity_id).collect();
    let mut looked = 0;
    for (i, r) in rows.iter().enumerate() {
        let view = svc.activity_view(&mut db, r.id, now).unwrap().unwrap();
        let in_week = view.week.is_some_and(|w| {
            whole.iter().any(|f| {
                f.activity_id.is_none()
                    && f.date >= w
                    && f.date < w.saturating_add(jiff::Span::new().days(7))
            })
        });
        if !(flagged.contains(&r.id) || in_week || i % 25 == 0) {
            continue;
        }
        looked += 1;
        let expected: Vec<&Flag> = whole
            .iter()
            .filter(|f| {
                f.activity_id == Some(r.id)
                    || (f.activity_id.is_none()
                        && view.week.is_some_and(|w| {
                            f.date >= w && f.date < w.saturating_add(jiff::Span::new().days(7))
                        }))
            })
            .collect();
        let got: Vec<String> = view.flags.iter().map(key).collect();
        let want: Vec<String> = expected.iter().map(|f| key(f)).collect();
        assert_eq!(
            got.iter().collect::<BTreeSet<_>>(),
            want.iter().collect::<BTreeSet<_>>(),
            "activity {} ({:?})",
            r.id,
            view.start_local
        );
        for (g, w) in view.flags.iter().zip(expected.iter()) {
            if key(g) == key(w) {
                assert!(
                    (g.value - w.value).abs() <= 1e-6 * w.value.abs().max(1.0),
                    "{}: {} against {}",
                    key(g),
                    g.value,
                    w.value
                );
            }
        }
    }
    assert!(looked > 20, "looked at {looked} runs");
    println!("activity flags: {looked} run pages checked against the whole history's flags");
}
