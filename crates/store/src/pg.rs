//! The server backend: PostgreSQL, for a physio or coach who follows many runners.
//!
//! Built on `postgres`, the blocking client of the tokio-postgres project, because the
//! [`Store`] trait is synchronous like rusqlite: the CLI stays free of an async runtime, and a
//! web server runs store calls on its blocking pool with one `PgStore` (one connection) per
//! worker. sqlx was the other candidate; its checked queries need a live database or saved
//! query data at build time and its macros add build time, for queries this small.
//!
//! Migrations are numbered files in `migrations-postgres/`, embedded, never edited once
//! released, applied in one transaction under a transaction-scoped advisory lock: a second
//! process starting at the same moment waits on the lock, then finds nothing left to do. The
//! schema version is the highest row of `hamstride_schema`. The connection has no TLS: the
//! database is expected on the same host or a private network (say so in deployment notes).

use std::sync::Mutex;

use hamstride_core::activity::Activity;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row};

use crate::{
    backend, ActivityRow, AssessmentRow, Athlete, CheckinRow, DataCounts, Error, ExternalMeta,
    Location, MetricsRow, NewActivity, NewCheckin, NewOriginal, NewPain, OriginalRow, PainRow,
    PlanRow, Store, StoredActivity, StoredCopy, Summary, WriteTx, COUNTS_SQL, DELETE_ALL_SQL,
    ORIGINALS_SQL,
};

/// PostgreSQL migrations, applied in order.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_schema",
        include_str!("../migrations-postgres/0001_schema.sql"),
    ),
    (
        "0002_one_pain_diary",
        include_str!("../migrations-postgres/0002_one_pain_diary.sql"),
    ),
    (
        "0003_duplicate_originals",
        include_str!("../migrations-postgres/0003_duplicate_originals.sql"),
    ),
];

/// The advisory lock key migrations hold ("hamstrid" in ASCII, so it will not collide with
/// another program's lock by accident).
const MIGRATION_LOCK: i64 = 0x68616d7374726964;

fn pg(context: impl Into<String>) -> impl FnOnce(postgres::Error) -> Error {
    backend(context)
}

/// The PostgreSQL backend: one connection.
pub struct PgStore {
    /// A mutex, not a bare client, because reads take `&self` and the client needs `&mut`;
    /// there is never contention (one caller at a time per store).
    client: Mutex<Client>,
    place: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("place", &self.place)
            .finish()
    }
}

impl PgStore {
    /// Connect to `url` (`postgres://user@host/db`) and migrate to the newest schema.
    pub fn open(url: &str) -> Result<PgStore, Error> {
        Self::open_at(url, MIGRATIONS.len())
    }

    /// Connect and migrate only up to schema `version` (tests of upgrades).
    pub fn open_at(url: &str, version: usize) -> Result<PgStore, Error> {
        let config: postgres::Config = url.parse().map_err(|e| Error::Open {
            path: redact(url),
            message: format!("not a PostgreSQL address: {e}"),
        })?;
        let place = describe(&config);
        let client = config.connect(NoTls).map_err(|e| Error::Open {
            path: place.clone(),
            message: e.to_string(),
        })?;
        let mut store = PgStore {
            client: Mutex::new(client),
            place,
        };
        store.migrate(version.min(MIGRATIONS.len()))?;
        Ok(store)
    }

    /// The newest schema version this program knows.
    pub fn newest_version() -> usize {
        MIGRATIONS.len()
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64, Error> {
        let row = self
            .with(|c| {
                c.query_one(
                    "SELECT coalesce(max(version), 0) FROM hamstride_schema",
                    &[],
                )
            })
            .map_err(pg("read schema version"))?;
        Ok(row.get(0))
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, postgres::Error> {
        // A poisoned lock only means an earlier call panicked mid-query; the connection itself
        // is still usable (the server rolls back an unfinished transaction).
        let mut guard = match self.client.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        f(&mut guard)
    }

    fn client(&mut self) -> &mut Client {
        match self.client.get_mut() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        }
    }

    fn migrate(&mut self, target: usize) -> Result<(), Error> {
        let place = self.place.clone();
        let mut tx = self.client().transaction().map_err(pg("begin migration"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(pg("wait for another migration"))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS hamstride_schema (
                version    BIGINT PRIMARY KEY,
                name       TEXT   NOT NULL,
                applied_ms BIGINT NOT NULL
            )",
        )
        .map_err(pg("create the schema table"))?;
        let current: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) FROM hamstride_schema",
                &[],
            )
            .map_err(pg("read schema version"))?
            .get(0);
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(Error::Open {
                path: place,
                message: format!(
                    "schema version {current} is newer than this program knows ({known}); update hamstride"
                ),
            });
        }
        for (i, (name, text)) in MIGRATIONS
            .iter()
            .enumerate()
            .take(target)
            .skip(current.max(0) as usize)
        {
            tx.batch_execute(text)
                .map_err(pg(format!("migration {name}")))?;
            tx.execute(
                "INSERT INTO hamstride_schema (version, name, applied_ms)
                 VALUES ($1, $2, (extract(epoch FROM now()) * 1000)::bigint)",
                &[&((i + 1) as i64), name],
            )
            .map_err(pg(format!("migration {name}")))?;
        }
        tx.commit().map_err(pg("commit migration"))
    }

    fn one_assessment(
        &self,
        who: Athlete,
        id: Option<i64>,
    ) -> Result<Option<AssessmentRow>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    "SELECT id, created_ms, kb_version, condition, triage, findings, result
                     FROM assessment WHERE athlete_id = $1 AND ($2::BIGINT IS NULL OR id = $2)
                     ORDER BY id DESC LIMIT 1",
                    &[&who.id, &id],
                )
            })
            .map_err(pg("read assessment"))?;
        Ok(row.as_ref().map(assessment_row))
    }
}

/// `postgres://user:secret@host/db` without the secret, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// "host:port/dbname" (or the socket folder), never the password.
fn describe(c: &postgres::Config) -> String {
    let host = match c.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", c.get_dbname().unwrap_or("postgres"))
}

fn activity_row(r: &Row) -> ActivityRow {
    ActivityRow {
        id: r.get(0),
        source_path: r.get(1),
        format: r.get(2),
        sport: r.get(3),
        sub_sport: r.get(4),
        start_ms: r.get(5),
        end_ms: r.get(6),
        name: r.get(7),
        distance_m: r.get(8),
        timer_s: r.get(9),
        elapsed_s: r.get(10),
        avg_heart_rate: r.get(11),
        record_count: r.get(12),
        perceived_exertion: r.get(13),
        external_type: r.get(14),
    }
}

/// Insert `state` as a plan of the athlete inside `tx`; with `activate`, retire the active
/// plan first and make this one active.
fn add_plan(
    tx: &mut postgres::Transaction<'_>,
    who: Athlete,
    assessment_id: Option<i64>,
    created_ms: i64,
    state: &str,
    activate: bool,
) -> Result<i64, Error> {
    if activate {
        tx.execute(
            "UPDATE plan SET active = FALSE WHERE athlete_id = $1 AND active",
            &[&who.id],
        )
        .map_err(pg("retire the previous plan"))?;
    }
    let row = tx
        .query_one(
            "INSERT INTO plan (athlete_id, assessment_id, created_ms, active, state, version)
             VALUES ($1, $2, $3, $5, $4, 0) RETURNING id",
            &[&who.id, &assessment_id, &created_ms, &state, &activate],
        )
        .map_err(pg("save plan"))?;
    Ok(row.get(0))
}

impl Store for PgStore {
    fn location(&self) -> Location {
        Location {
            backend: "postgres",
            place: self.place.clone(),
        }
    }

    fn athlete(&mut self, name: &str) -> Result<Athlete, Error> {
        let row = self
            .client()
            .query_one(
                // The no-op update makes RETURNING give the id whether the row is new or not.
                "INSERT INTO athlete (name, created_ms) VALUES ($1, 0)
                 ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
                &[&name],
            )
            .map_err(pg(format!("add athlete {name:?}")))?;
        Ok(Athlete { id: row.get(0) })
    }

    fn athletes(&self) -> Result<Vec<(Athlete, String)>, Error> {
        let rows = self
            .with(|c| c.query("SELECT id, name FROM athlete ORDER BY id", &[]))
            .map_err(pg("list athletes"))?;
        Ok(rows
            .iter()
            .map(|r| (Athlete { id: r.get(0) }, r.get(1)))
            .collect())
    }

    fn profile(&self, who: Athlete) -> Result<Option<String>, Error> {
        let row = self
            .with(|c| c.query_opt("SELECT data FROM profile WHERE athlete_id = $1", &[&who.id]))
            .map_err(pg("read profile"))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn set_profile(&mut self, who: Athlete, data: &str, now_ms: i64) -> Result<(), Error> {
        self.client()
            .execute(
                "INSERT INTO profile (athlete_id, data, updated_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (athlete_id) DO UPDATE SET data = excluded.data, updated_ms = excluded.updated_ms",
                &[&who.id, &data, &now_ms],
            )
            .map_err(pg("save profile"))?;
        Ok(())
    }

    fn record_assessment(
        &mut self,
        who: Athlete,
        a: &AssessmentRow,
        plan_state: Option<&str>,
        activate: bool,
    ) -> Result<(i64, Option<i64>), Error> {
        let mut tx = self.client().transaction().map_err(pg("begin"))?;
        let aid: i64 = tx
            .query_one(
                "INSERT INTO assessment (athlete_id, created_ms, kb_version, condition, triage, findings, result)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&who.id, &a.created_ms, &a.kb_version, &a.condition, &a.triage, &a.findings, &a.result],
            )
            .map_err(pg("save assessment"))?
            .get(0);
        let mut pid = None;
        if let Some(state) = plan_state {
            pid = Some(add_plan(
                &mut tx,
                who,
                Some(aid),
                a.created_ms,
                state,
                activate,
            )?);
        }
        tx.commit().map_err(pg("commit assessment"))?;
        Ok((aid, pid))
    }

    fn start_plan(&mut self, who: Athlete, state: &str, now_ms: i64) -> Result<i64, Error> {
        let mut tx = self.client().transaction().map_err(pg("begin"))?;
        let id = add_plan(&mut tx, who, None, now_ms, state, true)?;
        tx.commit().map_err(pg("commit plan"))?;
        Ok(id)
    }

    fn latest_assessment(&self, who: Athlete) -> Result<Option<AssessmentRow>, Error> {
        self.one_assessment(who, None)
    }

    fn assessment(&self, who: Athlete, id: i64) -> Result<Option<AssessmentRow>, Error> {
        self.one_assessment(who, Some(id))
    }

    fn assessment_count(&self, who: Athlete) -> Result<i64, Error> {
        let row = self
            .with(|c| {
                c.query_one(
                    "SELECT count(*) FROM assessment WHERE athlete_id = $1",
                    &[&who.id],
                )
            })
            .map_err(pg("count assessments"))?;
        Ok(row.get(0))
    }

    fn assessments(&self, who: Athlete) -> Result<Vec<AssessmentRow>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT id, created_ms, kb_version, condition, triage, findings, result
                     FROM assessment WHERE athlete_id = $1 ORDER BY id",
                    &[&who.id],
                )
            })
            .map_err(pg("list assessments"))?;
        Ok(rows.iter().map(assessment_row).collect())
    }

    fn active_plan(&self, who: Athlete) -> Result<Option<PlanRow>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    "SELECT id, assessment_id, created_ms, state, version FROM plan
                     WHERE athlete_id = $1 AND active",
                    &[&who.id],
                )
            })
            .map_err(pg("read active plan"))?;
        Ok(row.map(|r| PlanRow {
            id: r.get(0),
            assessment_id: r.get(1),
            created_ms: r.get(2),
            state: r.get(3),
            version: r.get(4),
        }))
    }

    fn plans(&self, who: Athlete) -> Result<Vec<(PlanRow, bool)>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT id, assessment_id, created_ms, state, version, active FROM plan
                     WHERE athlete_id = $1 ORDER BY id DESC",
                    &[&who.id],
                )
            })
            .map_err(pg("list plans"))?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    PlanRow {
                        id: r.get(0),
                        assessment_id: r.get(1),
                        created_ms: r.get(2),
                        state: r.get(3),
                        version: r.get(4),
                    },
                    r.get(5),
                )
            })
            .collect())
    }

    fn restore_plan(&mut self, who: Athlete, plan_id: i64) -> Result<(), Error> {
        let mut tx = self.client().transaction().map_err(pg("begin"))?;
        let exists = tx
            .query_opt(
                "SELECT id FROM plan WHERE id = $1 AND athlete_id = $2 FOR UPDATE",
                &[&plan_id, &who.id],
            )
            .map_err(pg("find plan"))?;
        if exists.is_none() {
            return Err(Error::NotFound(format!("there is no plan {plan_id}")));
        }
        tx.execute(
            "UPDATE plan SET active = FALSE WHERE athlete_id = $1 AND active",
            &[&who.id],
        )
        .map_err(pg("retire the current plan"))?;
        // The version moves on, so a check-in decided against the plan that was active is a
        // conflict rather than a write to the restored one.
        tx.execute(
            "UPDATE plan SET active = TRUE, version = version + 1 WHERE id = $1 AND athlete_id = $2",
            &[&plan_id, &who.id],
        )
        .map_err(pg("restore plan"))?;
        tx.commit().map_err(pg("commit restore"))
    }

    fn checkins(&self, who: Athlete, plan_id: i64) -> Result<Vec<CheckinRow>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT id, plan_id, created_ms, day, entry, decision, state_before FROM checkin
                     WHERE athlete_id = $1 AND plan_id = $2 ORDER BY day, id",
                    &[&who.id, &plan_id],
                )
            })
            .map_err(pg("read check-ins"))?;
        Ok(rows
            .iter()
            .map(|r| CheckinRow {
                id: r.get(0),
                plan_id: r.get(1),
                created_ms: r.get(2),
                day: r.get(3),
                entry: r.get(4),
                decision: r.get(5),
                state_before: r.get(6),
            })
            .collect())
    }

    fn record_checkin(&mut self, who: Athlete, c: &NewCheckin<'_>) -> Result<i64, Error> {
        let mut tx = self.client().transaction().map_err(pg("begin"))?;
        // FOR UPDATE holds the plan row until commit: a concurrent check-in waits here, then
        // sees the new version and is refused as a conflict rather than lost.
        let before = tx
            .query_opt(
                "SELECT state, version FROM plan
                 WHERE id = $1 AND athlete_id = $2 AND active FOR UPDATE",
                &[&c.plan_id, &who.id],
            )
            .map_err(pg("read plan"))?;
        let Some(before) = before else {
            return Err(Error::plan_changed(c.plan_id));
        };
        let state_before: String = before.get(0);
        let version: i64 = before.get(1);
        if version != c.plan_version {
            return Err(Error::plan_changed(c.plan_id));
        }
        tx.execute(
            "UPDATE plan SET state = $1, version = version + 1 WHERE id = $2 AND athlete_id = $3",
            &[&c.new_state, &c.plan_id, &who.id],
        )
        .map_err(pg("update plan"))?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO checkin (athlete_id, plan_id, created_ms, day, entry, decision, state_before)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&who.id, &c.plan_id, &c.now_ms, &c.day, &c.entry, &c.decision, &state_before],
            )
            .map_err(pg("save check-in"))?
            .get(0);
        if let Some(p) = &c.pain {
            put_pain_in(&mut tx, who, p, Some(id))?;
        }
        tx.commit().map_err(pg("commit check-in"))?;
        Ok(id)
    }

    fn put_pain(&mut self, who: Athlete, p: &NewPain<'_>) -> Result<(i64, bool), Error> {
        let mut tx = self.client().transaction().map_err(pg("begin"))?;
        let written = put_pain_in(&mut tx, who, p, None)?;
        tx.commit().map_err(pg("commit pain entry"))?;
        Ok(written)
    }

    fn pain_on(&self, who: Athlete, day: &str) -> Result<Option<PainRow>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    &format!(
                        "SELECT {PAIN_COLUMNS} FROM pain_entry WHERE athlete_id = $1 AND day = $2"
                    ),
                    &[&who.id, &day],
                )
            })
            .map_err(pg(format!("read pain entry of {day}")))?;
        Ok(row.as_ref().map(pain_row))
    }

    fn pain_entries(&self, who: Athlete) -> Result<Vec<PainRow>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    &format!(
                        "SELECT {PAIN_COLUMNS} FROM pain_entry WHERE athlete_id = $1 ORDER BY day, id"
                    ),
                    &[&who.id],
                )
            })
            .map_err(pg("read pain diary"))?;
        Ok(rows.iter().map(pain_row).collect())
    }

    fn delete_pain(&mut self, who: Athlete, id: i64) -> Result<bool, Error> {
        let n = self
            .client()
            .execute(
                "DELETE FROM pain_entry WHERE id = $1 AND athlete_id = $2",
                &[&id, &who.id],
            )
            .map_err(pg(format!("delete pain entry {id}")))?;
        Ok(n > 0)
    }

    fn known_originals(&self, who: Athlete) -> Result<Vec<([u8; 32], u64)>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT content_hash, activity_count FROM original_file WHERE athlete_id = $1",
                    &[&who.id],
                )
            })
            .map_err(pg("read hashes"))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let h: Vec<u8> = r.get(0);
                let n: i64 = r.get(1);
                <[u8; 32]>::try_from(h.as_slice())
                    .ok()
                    .map(|h| (h, u64::try_from(n).unwrap_or(0)))
            })
            .collect())
    }

    fn activity_count(&self, who: Athlete) -> Result<i64, Error> {
        let row = self
            .with(|c| {
                c.query_one(
                    "SELECT count(*) FROM activity WHERE athlete_id = $1",
                    &[&who.id],
                )
            })
            .map_err(pg("count activities"))?;
        Ok(row.get(0))
    }

    fn list_activities(&self, who: Athlete) -> Result<Vec<ActivityRow>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    // NULLS FIRST: the order SQLite gives, so both backends list alike.
                    "SELECT id, source_path, format, sport, sub_sport, start_ms, end_ms, name,
                            distance_m, timer_s, elapsed_s, avg_heart_rate, record_count,
                            perceived_exertion, external_type
                     FROM activity WHERE athlete_id = $1 ORDER BY start_ms NULLS FIRST, id",
                    &[&who.id],
                )
            })
            .map_err(pg("list activities"))?;
        Ok(rows.iter().map(activity_row).collect())
    }

    fn load_activity(&self, who: Athlete, id: i64) -> Result<Option<Activity>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    "SELECT a.sport, a.sub_sport, a.start_ms, a.end_ms, a.start_was_relative, a.name,
                            a.device_manufacturer, a.device_product, a.sessions_json, a.laps_json,
                            a.warnings_json, s.data, a.external_type
                     FROM activity a
                     LEFT JOIN activity_stream s ON s.activity_id = a.id AND s.athlete_id = a.athlete_id
                     WHERE a.id = $1 AND a.athlete_id = $2",
                    &[&id, &who.id],
                )
            })
            .map_err(pg(format!("load activity {id}")))?;
        row.map(|r| {
            StoredActivity {
                id,
                sport: r.get(0),
                sub_sport: r.get(1),
                start_ms: r.get(2),
                end_ms: r.get(3),
                start_was_relative: r.get(4),
                name: r.get(5),
                manufacturer: r.get(6),
                product: r.get(7),
                sessions: r.get(8),
                laps: r.get(9),
                warnings: r.get(10),
                streams: r.get(11),
                sport_label: r.get(12),
            }
            .into_activity()
        })
        .transpose()
    }

    fn original_of(
        &self,
        who: Athlete,
        activity_id: i64,
    ) -> Result<Option<(String, Vec<u8>)>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    "SELECT o.encoding, o.data FROM original_file o
                     JOIN activity a ON a.original_id = o.id
                     WHERE a.id = $1 AND a.athlete_id = $2 AND o.athlete_id = $2",
                    &[&activity_id, &who.id],
                )
            })
            .map_err(pg(format!("original of activity {activity_id}")))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn activity_start(&self, who: Athlete, id: i64) -> Result<Option<Option<i64>>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    "SELECT start_ms FROM activity WHERE id = $1 AND athlete_id = $2",
                    &[&id, &who.id],
                )
            })
            .map_err(pg(format!("look up activity {id}")))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn all_metrics(&self, who: Athlete) -> Result<Vec<MetricsRow>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT m.activity_id, m.version, m.data, a.perceived_exertion
                     FROM activity_metrics m JOIN activity a ON a.id = m.activity_id
                     WHERE a.athlete_id = $1 AND m.athlete_id = $1
                     ORDER BY a.start_ms NULLS FIRST, a.id",
                    &[&who.id],
                )
            })
            .map_err(pg("read activity metrics"))?;
        Ok(rows.iter().map(metrics_row).collect())
    }

    fn metrics_between(
        &self,
        who: Athlete,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<MetricsRow>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT m.activity_id, m.version, m.data, a.perceived_exertion
                     FROM activity_metrics m JOIN activity a ON a.id = m.activity_id
                     WHERE a.athlete_id = $1 AND m.athlete_id = $1
                       AND a.start_ms >= $2 AND a.start_ms < $3
                     ORDER BY a.start_ms, a.id",
                    &[&who.id, &from_ms, &to_ms],
                )
            })
            .map_err(pg("read activity metrics"))?;
        Ok(rows.iter().map(metrics_row).collect())
    }

    fn stale_metrics(&self, who: Athlete, version: i64) -> Result<Vec<i64>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT a.id FROM activity a
                     LEFT JOIN activity_metrics m ON m.activity_id = a.id AND m.athlete_id = a.athlete_id
                     WHERE a.athlete_id = $1 AND (m.version IS NULL OR m.version <> $2) ORDER BY a.id",
                    &[&who.id, &version],
                )
            })
            .map_err(pg("find stale metrics"))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn originals(&self, who: Athlete) -> Result<Vec<OriginalRow>, Error> {
        let rows = self
            .with(|c| c.query(ORIGINALS_SQL, &[&who.id]))
            .map_err(pg("list original files"))?;
        Ok(rows
            .iter()
            .map(|r| OriginalRow {
                id: r.get(0),
                encoding: r.get(1),
                format: r.get(2),
                size: u64::try_from(r.get::<_, i64>(3)).unwrap_or(0),
                source_path: r.get(4),
                duplicate_of: r.get(5),
            })
            .collect())
    }

    fn activity_originals(&self, who: Athlete) -> Result<Vec<(i64, i64)>, Error> {
        let rows = self
            .with(|c| {
                c.query(
                    "SELECT id, original_id FROM activity WHERE athlete_id = $1 ORDER BY id",
                    &[&who.id],
                )
            })
            .map_err(pg("list activities' files"))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn original_bytes(&self, who: Athlete, id: i64) -> Result<Option<Vec<u8>>, Error> {
        let row = self
            .with(|c| {
                c.query_opt(
                    "SELECT data FROM original_file WHERE id = $1 AND athlete_id = $2",
                    &[&id, &who.id],
                )
            })
            .map_err(pg(format!("read original file {id}")))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn data_counts(&self, who: Athlete) -> Result<DataCounts, Error> {
        let row = self
            .with(|c| c.query_one(COUNTS_SQL, &[&who.id]))
            .map_err(pg("count the athlete's data"))?;
        Ok(counts_of(&row))
    }

    fn delete_all(&mut self, who: Athlete) -> Result<DataCounts, Error> {
        let mut tx = self.client().transaction().map_err(pg("begin"))?;
        let counts = counts_of(
            &tx.query_one(COUNTS_SQL, &[&who.id])
                .map_err(pg("count the athlete's data"))?,
        );
        for step in DELETE_ALL_SQL {
            tx.execute(*step, &[&who.id])
                .map_err(pg("delete the athlete's data"))?;
        }
        tx.commit()
            .map_err(pg("commit deleting the athlete's data"))?;
        Ok(counts)
    }

    fn begin(&mut self, who: Athlete) -> Result<Box<dyn WriteTx + '_>, Error> {
        let tx = self.client().transaction().map_err(pg("begin"))?;
        Ok(Box::new(PgTx { tx, who }))
    }
}

/// A write transaction of one athlete.
struct PgTx<'a> {
    tx: postgres::Transaction<'a>,
    who: Athlete,
}

impl WriteTx for PgTx<'_> {
    fn insert_original(&mut self, o: &NewOriginal<'_>) -> Result<(i64, bool), Error> {
        let hash = &o.hash[..];
        let existing = self
            .tx
            .query_opt(
                "SELECT id FROM original_file WHERE athlete_id = $1 AND content_hash = $2",
                &[&self.who.id, &hash],
            )
            .map_err(pg("look up original"))?;
        if let Some(r) = existing {
            return Ok((r.get(0), false));
        }
        let row = self
            .tx
            .query_one(
                "INSERT INTO original_file
                    (athlete_id, content_hash, encoding, format, size_bytes, activity_count, data,
                     duplicate_of)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &self.who.id,
                    &hash,
                    &o.encoding,
                    &o.format,
                    &(o.size as i64),
                    &(o.activities as i64),
                    &o.data,
                    &o.duplicate_of,
                ],
            )
            .map_err(pg("store original"))?;
        Ok((row.get(0), true))
    }

    fn near_start(&mut self, start_ms: i64, tolerance_ms: i64) -> Result<Vec<StoredCopy>, Error> {
        let rows = self
            .tx
            .query(
                "SELECT a.id, a.format, a.source_path, a.sport, a.sub_sport, a.start_ms, a.end_ms,
                        a.start_was_relative, a.name, a.device_manufacturer, a.device_product,
                        a.sessions_json, a.laps_json, a.warnings_json, s.data, a.external_type
                 FROM activity a
                 LEFT JOIN activity_stream s ON s.activity_id = a.id AND s.athlete_id = a.athlete_id
                 WHERE a.athlete_id = $4 AND a.start_ms BETWEEN $1 AND $2
                 ORDER BY abs(a.start_ms - $3), a.id",
                &[
                    &start_ms.saturating_sub(tolerance_ms),
                    &start_ms.saturating_add(tolerance_ms),
                    &start_ms,
                    &self.who.id,
                ],
            )
            .map_err(pg("look up same start"))?;
        rows.into_iter()
            .map(|r| {
                let id: i64 = r.get(0);
                Ok(StoredCopy {
                    id,
                    format: r.get(1),
                    source_path: r.get(2),
                    activity: StoredActivity {
                        id,
                        sport: r.get(3),
                        sub_sport: r.get(4),
                        start_ms: r.get(5),
                        end_ms: r.get(6),
                        start_was_relative: r.get(7),
                        name: r.get(8),
                        manufacturer: r.get(9),
                        product: r.get(10),
                        sessions: r.get(11),
                        laps: r.get(12),
                        warnings: r.get(13),
                        streams: r.get(14),
                        sport_label: r.get(15),
                    }
                    .into_activity()?,
                })
            })
            .collect()
    }

    fn replace_activity(&mut self, id: i64, a: &NewActivity<'_>) -> Result<(), Error> {
        let act = a.activity;
        let s = Summary::of(a)?;
        let who = self.who.id;
        let old = self
            .tx
            .query_opt(
                "SELECT original_id FROM activity WHERE id = $1 AND athlete_id = $2",
                &[&id, &who],
            )
            .map_err(pg("look up the activity to replace"))?;
        let Some(old) = old else {
            return Err(Error::NotFound(format!(
                "activity {id} is not this athlete's"
            )));
        };
        let old_original: i64 = old.get(0);
        self.tx
            .execute(
                "UPDATE activity SET original_id = $1, part = $2, source_path = $3, format = $4,
                    sport = $5, sub_sport = $6, start_ms = $7, end_ms = $8,
                    start_was_relative = $9, name = $10, device_manufacturer = $11,
                    device_product = $12, distance_m = $13, timer_s = $14, elapsed_s = $15,
                    avg_heart_rate = $16, max_heart_rate = $17, avg_cadence = $18,
                    ascent_m = $19, descent_m = $20, record_count = $21, sessions_json = $22,
                    laps_json = $23, warnings_json = $24, imported_at_ms = $25,
                    external_type = coalesce($28, external_type)
                 WHERE id = $26 AND athlete_id = $27",
                &with_columns(a, &s, [&id, &who, &act.sport_label]),
            )
            .map_err(pg(format!("replace activity {id} from {}", a.source_path)))?;
        for (sql_text, what) in [
            (
                "DELETE FROM activity_stream WHERE activity_id = $1 AND athlete_id = $2",
                "drop old streams",
            ),
            (
                "DELETE FROM activity_metrics WHERE activity_id = $1 AND athlete_id = $2",
                "drop old metrics",
            ),
        ] {
            self.tx
                .execute(sql_text, &[&id, &who])
                .map_err(pg(format!("replace activity {id}: {what}")))?;
        }
        self.tx
            .execute(
                "UPDATE original_file SET duplicate_of = $1 WHERE id = $2 AND athlete_id = $3",
                &[&id, &old_original, &who],
            )
            .map_err(pg(format!("replace activity {id}: link the old file")))?;
        if !act.records.is_empty() {
            let blob: &[u8] = &a.streams_blob();
            self.tx
                .execute(
                    "INSERT INTO activity_stream (activity_id, athlete_id, codec, data)
                     VALUES ($1, $2, $3, $4)",
                    &[&id, &who, &crate::codec::CODEC_V1, &blob],
                )
                .map_err(pg(format!("store streams of {}", a.source_path)))?;
        }
        Ok(())
    }

    fn insert_activity(&mut self, a: &NewActivity<'_>) -> Result<i64, Error> {
        let act = a.activity;
        let s = Summary::of(a)?;
        let row = self
            .tx
            .query_opt(
                "INSERT INTO activity (athlete_id, original_id, part, source_path, format, sport,
                    sub_sport, start_ms, end_ms, start_was_relative, name, device_manufacturer,
                    device_product, distance_m, timer_s, elapsed_s, avg_heart_rate,
                    max_heart_rate, avg_cadence, ascent_m, descent_m, record_count,
                    sessions_json, laps_json, warnings_json, imported_at_ms, external_type)
                 SELECT $26, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                    $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $27
                 WHERE EXISTS (SELECT 1 FROM original_file WHERE id = $1 AND athlete_id = $26)
                 RETURNING id",
                &with_columns(a, &s, [&self.who.id, &act.sport_label]),
            )
            .map_err(pg(format!("store activity from {}", a.source_path)))?;
        let Some(row) = row else {
            return Err(Error::NotFound(format!(
                "original file {} is not this athlete's",
                a.original_id
            )));
        };
        let id: i64 = row.get(0);
        if !act.records.is_empty() {
            let blob: &[u8] = &a.streams_blob();
            self.tx
                .execute(
                    "INSERT INTO activity_stream (activity_id, athlete_id, codec, data)
                     VALUES ($1, $2, $3, $4)",
                    &[&id, &self.who.id, &crate::codec::CODEC_V1, &blob],
                )
                .map_err(pg(format!("store streams of {}", a.source_path)))?;
        }
        Ok(id)
    }

    fn apply_meta(&mut self, source_path: &str, meta: &ExternalMeta) -> Result<usize, Error> {
        let n = self
            .tx
            .execute(
                "UPDATE activity SET
                    name = coalesce($2, name),
                    external_id = coalesce($3, external_id),
                    external_type = coalesce($4, external_type),
                    perceived_exertion = coalesce($5, perceived_exertion)
                 WHERE athlete_id = $6 AND source_path = $1",
                &[
                    &source_path,
                    &meta.name,
                    &meta.external_id,
                    &meta.external_type,
                    &meta.perceived_exertion,
                    &self.who.id,
                ],
            )
            .map_err(pg(format!("join index row for {source_path}")))?;
        Ok(n as usize)
    }

    fn put_metrics(&mut self, activity_id: i64, version: i64, data: &str) -> Result<(), Error> {
        let n = self
            .tx
            .execute(
                "INSERT INTO activity_metrics (activity_id, athlete_id, version, data)
                 SELECT $1, $2, $3, $4
                 WHERE EXISTS (SELECT 1 FROM activity WHERE id = $1 AND athlete_id = $2)
                 ON CONFLICT (activity_id) DO UPDATE SET version = excluded.version, data = excluded.data",
                &[&activity_id, &self.who.id, &version, &data],
            )
            .map_err(pg(format!("save metrics of activity {activity_id}")))?;
        if n == 0 {
            return Err(Error::NotFound(format!(
                "there is no activity {activity_id}"
            )));
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), Error> {
        self.tx.commit().map_err(pg("commit"))
    }
}

/// The columns [`pain_row`] reads, in its order.
const PAIN_COLUMNS: &str = "id, created_ms, day, activity_id, entry, checkin_id";

/// A [`COUNTS_SQL`] row.
fn counts_of(r: &Row) -> DataCounts {
    DataCounts::from_columns([
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
    ])
}

fn pain_row(r: &postgres::Row) -> PainRow {
    PainRow {
        id: r.get(0),
        created_ms: r.get(1),
        day: r.get(2),
        activity_id: r.get(3),
        entry: r.get(4),
        checkin_id: r.get(5),
    }
}

/// Write the day's diary row inside `tx`: replace the athlete's row of that day (keeping its id,
/// and its check-in link unless `checkin` gives a new one) or add it. Returns the id and whether
/// a row was replaced. The run must be one of the athlete's activities. The day's row is
/// locked (or, for a new day, the unique index makes a concurrent insert wait and then fail
/// rather than add a second row).
fn put_pain_in(
    tx: &mut postgres::Transaction<'_>,
    who: Athlete,
    p: &NewPain<'_>,
    checkin: Option<i64>,
) -> Result<(i64, bool), Error> {
    if let Some(run) = p.activity_id {
        let mine = tx
            .query_opt(
                "SELECT id FROM activity WHERE id = $1 AND athlete_id = $2",
                &[&run, &who.id],
            )
            .map_err(pg("read activity"))?;
        if mine.is_none() {
            return Err(Error::NotFound(format!("there is no activity {run}")));
        }
    }
    let existing = tx
        .query_opt(
            "SELECT id FROM pain_entry WHERE athlete_id = $1 AND day = $2 FOR UPDATE",
            &[&who.id, &p.day],
        )
        .map_err(pg("read pain entry"))?;
    match existing {
        Some(row) => {
            let id: i64 = row.get(0);
            tx.execute(
                "UPDATE pain_entry SET created_ms = $1, activity_id = $2, entry = $3,
                        checkin_id = coalesce($4, checkin_id)
                 WHERE id = $5 AND athlete_id = $6",
                &[&p.now_ms, &p.activity_id, &p.entry, &checkin, &id, &who.id],
            )
            .map_err(pg("update pain entry"))?;
            Ok((id, true))
        }
        None => {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO pain_entry (athlete_id, created_ms, day, activity_id, entry, checkin_id)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[&who.id, &p.now_ms, &p.day, &p.activity_id, &p.entry, &checkin],
                )
                .map_err(pg("save pain entry"))?
                .get(0);
            Ok((id, false))
        }
    }
}

/// PostgreSQL's SQLSTATEs for a full disk (53100) and for a lock
/// that could not be had (55P03, and 40P01 a deadlock).
pub(crate) fn problem(e: &postgres::Error) -> crate::Problem {
    use postgres::error::SqlState;
    match e.code() {
        Some(c) if *c == SqlState::DISK_FULL => crate::Problem::DiskFull,
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
            crate::Problem::Locked
        }
        _ => crate::Problem::Other,
    }
}

/// The 25 columns both `insert_activity` and `replace_activity` write, as `$1`…`$25` in this
/// order, followed by each statement's own parameters (`$26`…).
fn with_columns<'a, const N: usize>(
    a: &'a NewActivity<'_>,
    s: &'a Summary,
    rest: [&'a (dyn ToSql + Sync); N],
) -> Vec<&'a (dyn ToSql + Sync)> {
    let act = a.activity;
    let mut p: Vec<&'a (dyn ToSql + Sync)> = vec![
        &a.original_id,
        &a.part,
        &a.source_path,
        &a.format,
        &act.sport,
        &act.sub_sport,
        &act.start_ms,
        &act.end_ms,
        &act.start_was_relative,
        &act.name,
        &act.device.manufacturer,
        &act.device.product,
        &s.distance_m,
        &s.timer_s,
        &s.elapsed_s,
        &s.avg_hr,
        &s.max_hr,
        &s.avg_cad,
        &s.ascent,
        &s.descent,
        &s.record_count,
        &s.sessions,
        &s.laps,
        &s.warnings,
        &a.imported_at_ms,
    ];
    p.extend(rest);
    p
}

/// An assessment row of the `SELECT id, created_ms, kb_version, condition, triage, findings,
/// result` the assessment queries share.
fn assessment_row(r: &Row) -> AssessmentRow {
    AssessmentRow {
        id: r.get(0),
        created_ms: r.get(1),
        kb_version: r.get(2),
        condition: r.get(3),
        triage: r.get(4),
        findings: r.get(5),
        result: r.get(6),
    }
}

/// A metrics row of the `SELECT m.activity_id, m.version, m.data, a.perceived_exertion` the
/// metrics queries share.
fn metrics_row(r: &Row) -> MetricsRow {
    MetricsRow {
        activity_id: r.get(0),
        version: r.get(1),
        data: r.get(2),
        perceived_exertion: r.get(3),
    }
}
