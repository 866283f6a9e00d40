//! Write the benchmark's synthetic 10-year history into a real hamstride database, so the
//! end-to-end `hamstride status` and `hamstride report` can be timed (bench/training.sh):
//! `cargo run --release -p hamstride-bench --example seed_history -- DIR`. Activities get
//! summary rows and stored metrics (no streams: the report never reads them), the pain diary
//! its entries. The history ends today, so the commands' clock sees it as current.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark tooling")]

use hamstride_core::activity::{Activity, Session};
use hamstride_store::{NewActivity, NewOriginal, SqliteStore, Store};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: seed_history DIR");
    let today = jiff::Zoned::now().date();
    let entries = hamstride_analytics::synthetic::history(10, 1, today);
    let pain = hamstride_bench::training::pain_diary(&entries, today, 730);
    let mut store = SqliteStore::open(std::path::Path::new(&dir)).unwrap();
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
                total_ascent_m: Some(m.ascent_m),
                total_descent_m: Some(m.descent_m),
                ..Default::default()
            }],
            ..Default::default()
        };
        // A distinct content key per activity: the store dedupes originals by hash.
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
    for p in &pain {
        let json = serde_json::to_string(p).unwrap();
        let day = p.date.to_string();
        store
            .put_pain(
                who,
                &hamstride_store::NewPain {
                    day: &day,
                    activity_id: None,
                    entry: &json,
                    now_ms: 0,
                },
            )
            .unwrap();
    }
    println!(
        "seeded {dir}: {} activities, {} pain entries, ending {today}",
        entries.len(),
        pain.len()
    );
}
