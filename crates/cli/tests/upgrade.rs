//! A database made by the previous release (schema 3, one runner, no athletes; see
//! `release-db/README.md`) opened by today's program: migration 0004 keeps every row, and the
//! commands print what the old release printed on the day the database was made.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hamstride_service::plans::Now;
use hamstride_service::Service;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/release-db")
}

/// A private copy of the old database (the test must never touch the fixture).
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture().join("hamstride.db"),
        dir.path().join("hamstride.db"),
    )
    .unwrap();
    dir
}

fn json_of(dir: &Path, args: &[&str]) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_hamstride"))
        .env("HAMSTRIDE_DATA_DIR", dir)
        .env_remove("HAMSTRIDE_DATABASE_URL")
        .env_remove("HAMSTRIDE_ATHLETE")
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `new` says everything `old` said, with the same values: output may gain fields (typed
/// codes beside the old sentences) but never lose or change one.
fn keeps(old: &serde_json::Value, new: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (k, v) in o {
                let here = format!("{path}.{k}");
                let Some(nv) = n.get(k) else {
                    panic!("{here} is gone")
                };
                keeps(v, nv, &here);
            }
        }
        (Value::Array(o), Value::Array(n)) => {
            assert_eq!(o.len(), n.len(), "{path}: length");
            for (i, (a, b)) in o.iter().zip(n).enumerate() {
                keeps(a, b, &format!("{path}[{i}]"));
            }
        }
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

/// Doses are knowledge-base text that a release may correct, and a corrected knowledge base
/// corrects existing plans (issue 13, item 7: easing off now shows the easier version's own
/// dose). So the old plan's item doses are taken from today's output for the same item, and
/// only when the item ids match in place: everything else, ids and order included, must still
/// be what the old release printed.
fn with_todays_doses(was: &mut serde_json::Value, now: &serde_json::Value) {
    let days = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        let mut d = vec![v["today_sessions"].clone()];
        d.extend(v["week"].as_array().cloned().unwrap_or_default());
        d
    };
    let now_days = days(now);
    let fix = |day: &mut serde_json::Value, new: &serde_json::Value| {
        let (Some(items), Some(new_items)) = (day["items"].as_array_mut(), new["items"].as_array())
        else {
            return;
        };
        for (o, n) in items.iter_mut().zip(new_items) {
            if o["id"] == n["id"] && !n["dose"].as_str().unwrap_or("").is_empty() {
                o["dose"] = n["dose"].clone();
            }
        }
    };
    fix(&mut was["today_sessions"], &now_days[0]);
    if let Some(week) = was["week"].as_array_mut() {
        for (d, n) in week.iter_mut().zip(&now_days[1..]) {
            fix(d, n);
        }
    }
}

fn old(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture().join(name)).unwrap()).unwrap()
}

#[test]
fn the_previous_release_database_keeps_its_rows_and_outputs() {
    let dir = copy();
    // Same rows, now the default athlete's.
    let acts = json_of(dir.path(), &["activities", "--format", "json"]);
    keeps(&old("activities.json"), &acts, "activities");
    let pain = json_of(dir.path(), &["pain", "list", "--format", "json"]);
    keeps(&old("pain_list.json"), &pain, "pain");
    let profile = json_of(dir.path(), &["profile", "--format", "json"]);
    keeps(&old("profile.json"), &profile, "profile");
    // The plan as it read on the day the database was made, check-ins applied.
    let plan = json_of(
        dir.path(),
        &["plan", "--date", "2026-12-04", "--format", "json"],
    );
    let mut was = old("plan.json");
    with_todays_doses(&mut was, &plan);
    // The referral note is knowledge-base text too: issue 13, item 3 took its own time frame
    // out (the plan's triage headline says when to be seen), and a corrected knowledge base
    // corrects existing plans. Whom to see (`referral.level`) must still be what it was.
    if was["referral"].is_object() {
        was["referral"]["text"] = plan["referral"]["text"].clone();
    }
    keeps(&was, &plan, "plan");

    // Status on that day, from the service (the CLI reads the clock).
    let svc = Service::new().unwrap();
    let mut db = hamstride_service::db::open_dir(dir.path()).unwrap();
    assert_eq!(db.activity_count().unwrap(), 5);
    let noon_london = jiff::civil::date(2026, 12, 4)
        .at(12, 0, 0, 0)
        .in_tz("Europe/London")
        .unwrap()
        .timestamp()
        .as_millisecond();
    let st = svc
        .status(&mut db, Now::at_ms(noon_london), &mut |_, _| {})
        .unwrap();
    let was = old("status.json");
    assert_eq!(st.today.to_string(), was["today"]);
    assert_eq!(serde_json::to_value(&st.plan).unwrap(), was["plan"]);
    let weeks: Vec<serde_json::Value> = st
        .weeks
        .iter()
        .map(|w| serde_json::json!([w.start.to_string(), w.distance_m / 1000.0]))
        .collect();
    assert_eq!(serde_json::Value::Array(weeks), was["weekly_distance"]);
    assert_eq!(
        st.days.iter().filter(|d| d.morning_pain.is_some()).count(),
        was["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| !d["morning_pain"].is_null())
            .count()
    );
    assert_eq!(
        st.pain_notes
            .iter()
            .map(hamstride_service::view::words::pain_note)
            .collect::<Vec<_>>(),
        serde_json::from_value::<Vec<String>>(was["pain_summary"].clone()).unwrap()
    );

    // A check-in on the upgraded database goes on from the third one.
    let plan = svc.active_plan(&db).unwrap();
    assert_eq!(plan.history.len(), 3);
    assert_eq!(
        plan.version, 3,
        "the version counts the check-ins made before"
    );
}

#[test]
fn the_fixture_is_at_the_previous_schema() {
    // Guards the test above: if someone re-made the fixture with today's program it would no
    // longer test an upgrade.
    let conn = rusqlite_free_version(&fixture().join("hamstride.db"));
    assert_eq!(conn, 3);
}

/// SQLite's `user_version`, read from the header (bytes 60..64, big-endian) without opening
/// the database, so the fixture is never written to.
fn rusqlite_free_version(path: &Path) -> u32 {
    let bytes = std::fs::read(path).unwrap();
    u32::from_be_bytes(bytes[60..64].try_into().unwrap())
}
