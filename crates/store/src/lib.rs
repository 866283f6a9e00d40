//! hamstride-store: the only crate that speaks SQL.
//!
//! One SQLite file in the runner's data directory (`hamstride.db`, mode 0600 in a 0700
//! folder), opened with the embedded, numbered migrations of `migrations/` applied in order
//! and never edited. It keeps what the import yields: one summary row per activity, the
//! per-record streams in the compact codec of [`codec`], and the original file bytes once per
//! distinct content so everything can be recomputed; and the runner's own record ([`plans`]):
//! profile, assessments, plans and check-ins, and the training-load side ([`diary`]):
//! per-activity metrics and the pain diary. Writes happen in explicit transactions
//! ([`Store::transaction`]), so a killed import leaves whole activities or none.
//!
//! It does not decide anything (deduplication policy, what to import): the service does.

pub mod codec;
mod diary;
mod plans;

pub use diary::{MetricsRow, PainRow};
pub use plans::{AssessmentRow, CheckinRow, PlanRow};

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use hamstride_core::activity::{Activity, Lap, Session};
use rusqlite::{params, Connection, OptionalExtension};

/// The database file name inside the data directory.
pub const DB_FILE: &str = "hamstride.db";

/// Migrations, applied in order; the schema version is SQLite's `user_version`.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_activities",
        include_str!("../migrations/0001_activities.sql"),
    ),
    ("0002_plans", include_str!("../migrations/0002_plans.sql")),
    (
        "0003_load_and_pain",
        include_str!("../migrations/0003_load_and_pain.sql"),
    ),
];

/// What went wrong in the store. Each variant says which file or which row.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database {path}: {message}")]
    Open { path: String, message: String },
    #[error("database: {context}: {source}")]
    Sql {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database holds corrupt data: {0}")]
    Corrupt(String),
}

fn sql(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> Error {
    let context = context.into();
    move |source| Error::Sql { context, source }
}

/// The open database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A new activity for [`Tx::insert_activity`]: the decoded activity plus where it came from.
#[derive(Debug)]
pub struct NewActivity<'a> {
    pub original_id: i64,
    /// Index of this activity within its file (a TCX may hold several).
    pub part: i64,
    pub source_path: &'a str,
    pub format: &'a str,
    pub activity: &'a Activity,
    /// The streams already encoded with [`codec::encode`] (import workers do this off the
    /// writer thread); `None` encodes here.
    pub streams: Option<&'a [u8]>,
    pub imported_at_ms: i64,
}

/// Extra facts from an export's index (Strava's activities.csv) joined onto an activity.
#[derive(Debug, Clone, Default)]
pub struct ExternalMeta {
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub external_type: Option<String>,
    pub perceived_exertion: Option<f64>,
}

/// One activity's summary row, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub source_path: String,
    pub format: String,
    pub sport: String,
    pub sub_sport: Option<String>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub name: Option<String>,
    pub distance_m: Option<f64>,
    pub timer_s: Option<f64>,
    pub elapsed_s: Option<f64>,
    pub avg_heart_rate: Option<f64>,
    pub record_count: i64,
    pub perceived_exertion: Option<f64>,
    pub external_type: Option<String>,
}

impl Store {
    /// Open (creating if needed) the database in `dir`. The folder is created with mode 0700
    /// and the file with 0600 before SQLite touches it, so health data is never readable by
    /// other users, not even for an instant.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        restrict_dir(dir)?;
        let path = dir.join(DB_FILE);
        create_private(&path)?;
        let conn = Connection::open(&path).map_err(|e| Error::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut store = Store { conn, path };
        store.configure()?;
        Ok(store)
    }

    /// A throwaway database in memory, for tests.
    pub fn open_in_memory() -> Result<Store, Error> {
        let conn = Connection::open_in_memory().map_err(sql("open in memory"))?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
        };
        store.configure()?;
        Ok(store)
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self) -> Result<(), Error> {
        let path = self.path.display().to_string();
        // A file that is not SQLite fails here, on the first read, with SQLite's own words
        // ("file is not a database"); we name the file and leave it untouched.
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| Error::Open {
                path: path.clone(),
                message: format!("{e} (the file was left untouched)"),
            })?;
        self.conn
            .execute_batch(
                // Rollback journal, not WAL: an import appends hundreds of megabytes of new
                // pages, which a rollback journal does not copy but WAL writes twice (log,
                // then checkpoint): measured 1.4x slower for the whole import. Commits stay
                // atomic and durable either way.
                "PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(|e| Error::Open {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(Error::Open {
                path,
                message: format!(
                    "schema version {version} is newer than this program knows ({known}); update hamstride"
                ),
            });
        }
        for (i, (name, text)) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .transaction()
                .map_err(sql(format!("migration {name}")))?;
            tx.execute_batch(text)
                .map_err(sql(format!("migration {name}")))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql(format!("migration {name}")))?;
            tx.commit().map_err(sql(format!("migration {name}")))?;
        }
        Ok(())
    }

    /// Start a transaction: everything written through it lands together or not at all.
    pub fn transaction(&mut self) -> Result<Tx<'_>, Error> {
        let tx = self.conn.transaction().map_err(sql("begin"))?;
        Ok(Tx { tx })
    }

    /// Every stored content hash with the number of activities its file decoded to, so an
    /// import can recognise known files before decoding them.
    pub fn known_originals(&self) -> Result<Vec<([u8; 32], u64)>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT content_hash, activity_count FROM original_file")
            .map_err(sql("read hashes"))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))
            .map_err(sql("read hashes"))?;
        let mut out = Vec::new();
        for row in rows {
            let (h, n) = row.map_err(sql("read hashes"))?;
            if let Ok(h) = <[u8; 32]>::try_from(h.as_slice()) {
                out.push((h, u64::try_from(n).unwrap_or(0)));
            }
        }
        Ok(out)
    }

    /// Every stored content hash.
    pub fn content_hashes(&self) -> Result<Vec<[u8; 32]>, Error> {
        Ok(self
            .known_originals()?
            .into_iter()
            .map(|(h, _)| h)
            .collect())
    }

    /// Number of stored activities.
    pub fn activity_count(&self) -> Result<i64, Error> {
        self.conn
            .query_row("SELECT count(*) FROM activity", [], |r| r.get(0))
            .map_err(sql("count activities"))
    }

    /// Summary rows, oldest first.
    pub fn list_activities(&self) -> Result<Vec<ActivityRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, source_path, format, sport, sub_sport, start_ms, end_ms, name,
                        distance_m, timer_s, elapsed_s, avg_heart_rate, record_count,
                        perceived_exertion, external_type
                 FROM activity ORDER BY start_ms, id",
            )
            .map_err(sql("list activities"))?;
        let rows = st
            .query_map([], |r| {
                Ok(ActivityRow {
                    id: r.get(0)?,
                    source_path: r.get(1)?,
                    format: r.get(2)?,
                    sport: r.get(3)?,
                    sub_sport: r.get(4)?,
                    start_ms: r.get(5)?,
                    end_ms: r.get(6)?,
                    name: r.get(7)?,
                    distance_m: r.get(8)?,
                    timer_s: r.get(9)?,
                    elapsed_s: r.get(10)?,
                    avg_heart_rate: r.get(11)?,
                    record_count: r.get(12)?,
                    perceived_exertion: r.get(13)?,
                    external_type: r.get(14)?,
                })
            })
            .map_err(sql("list activities"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("list activities"))
    }

    /// Load one activity back, streams included.
    pub fn load_activity(&self, id: i64) -> Result<Option<Activity>, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT a.sport, a.sub_sport, a.start_ms, a.end_ms, a.start_was_relative, a.name,
                        a.device_manufacturer, a.device_product, a.sessions_json, a.laps_json,
                        a.warnings_json, s.data
                 FROM activity a LEFT JOIN activity_stream s ON s.activity_id = a.id
                 WHERE a.id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, Option<Vec<u8>>>(11)?,
                    ))
                },
            )
            .optional()
            .map_err(sql(format!("load activity {id}")))?;
        let Some((sport, sub, start, end, rel, name, man, prod, sj, lj, wj, blob)) = row else {
            return Ok(None);
        };
        let corrupt = |what: &str, e: serde_json::Error| {
            Error::Corrupt(format!("activity {id}: {what}: {e}"))
        };
        let sessions: Vec<Session> =
            serde_json::from_str(&sj).map_err(|e| corrupt("sessions", e))?;
        let laps: Vec<Lap> = serde_json::from_str(&lj).map_err(|e| corrupt("laps", e))?;
        let warnings: Vec<String> =
            serde_json::from_str(&wj).map_err(|e| corrupt("warnings", e))?;
        let records = match blob {
            Some(b) => codec::decode(&b)?,
            None => Default::default(),
        };
        Ok(Some(Activity {
            sport,
            sub_sport: sub,
            device: hamstride_core::activity::Device {
                manufacturer: man,
                product: prod,
            },
            start_ms: start,
            end_ms: end,
            start_was_relative: rel,
            name,
            sessions,
            laps,
            records,
            warnings,
        }))
    }

    /// The original bytes of an activity's source file, with their encoding ("raw"/"gzip").
    pub fn original_of(&self, activity_id: i64) -> Result<Option<(String, Vec<u8>)>, Error> {
        self.conn
            .query_row(
                "SELECT o.encoding, o.data FROM original_file o
                 JOIN activity a ON a.original_id = o.id WHERE a.id = ?1",
                [activity_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql(format!("original of activity {activity_id}")))
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Tx<'_> {
    /// Store an original file once (`activities`: how many it decoded to); returns its id
    /// and whether it was new.
    pub fn insert_original(
        &self,
        hash: &[u8; 32],
        encoding: &str,
        format: &str,
        size: u64,
        activities: u64,
        data: &[u8],
    ) -> Result<(i64, bool), Error> {
        let existing: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM original_file WHERE content_hash = ?1")
            .and_then(|mut st| st.query_row([&hash[..]], |r| r.get(0)).optional())
            .map_err(sql("look up original"))?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
        self.tx
            .prepare_cached(
                "INSERT INTO original_file
                    (content_hash, encoding, format, size_bytes, activity_count, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    &hash[..],
                    encoding,
                    format,
                    size as i64,
                    activities as i64,
                    data
                ])
            })
            .map_err(sql("store original"))?;
        Ok((self.tx.last_insert_rowid(), true))
    }

    /// An activity already stored that starts within `tolerance_ms` of `start_ms` with a
    /// compatible sport (equal, or either side unknown/generic): the same session recorded
    /// in another format. Returns its id and format.
    pub fn find_same_start(
        &self,
        start_ms: i64,
        sport: &str,
        tolerance_ms: i64,
    ) -> Result<Option<(i64, String)>, Error> {
        self.tx
            .prepare_cached(
                "SELECT id, format FROM activity
                 WHERE start_ms BETWEEN ?1 AND ?2
                   AND (sport = ?3 OR sport IN ('unknown', 'generic') OR ?3 IN ('unknown', 'generic'))
                 ORDER BY abs(start_ms - ?4) LIMIT 1",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        start_ms.saturating_sub(tolerance_ms),
                        start_ms.saturating_add(tolerance_ms),
                        sport,
                        start_ms
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
            })
            .map_err(sql("look up same start"))
    }

    /// Store one activity (summary row and streams); returns its id.
    pub fn insert_activity(&self, a: &NewActivity<'_>) -> Result<i64, Error> {
        let act = a.activity;
        let json = |v: Result<String, serde_json::Error>| {
            v.map_err(|e| Error::Corrupt(format!("encode {}: {e}", a.source_path)))
        };
        let sessions = json(serde_json::to_string(&act.sessions))?;
        let laps = json(serde_json::to_string(&act.laps))?;
        let warnings = json(serde_json::to_string(&act.warnings))?;
        let first = act.sessions.first();
        let avg_hr = hamstride_core::activity::Records::mean(&act.records.heart_rate_bpm)
            .map(|m| m.0)
            .or_else(|| first.and_then(|s| s.avg_heart_rate));
        let max_hr = act
            .sessions
            .iter()
            .filter_map(|s| s.max_heart_rate)
            .reduce(f64::max);
        let avg_cad = hamstride_core::activity::Records::mean(&act.records.cadence).map(|m| m.0);
        let sum = |f: fn(&Session) -> Option<f64>| {
            let v: Vec<f64> = act.sessions.iter().filter_map(f).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>())
        };
        self.tx
            .prepare_cached(
                "INSERT INTO activity (original_id, part, source_path, format, sport, sub_sport,
                    start_ms, end_ms, start_was_relative, name, device_manufacturer,
                    device_product, distance_m, timer_s, elapsed_s, avg_heart_rate,
                    max_heart_rate, avg_cadence, ascent_m, descent_m, record_count,
                    sessions_json, laps_json, warnings_json, imported_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    a.original_id,
                    a.part,
                    a.source_path,
                    a.format,
                    act.sport,
                    act.sub_sport,
                    act.start_ms,
                    act.end_ms,
                    act.start_was_relative,
                    act.name,
                    act.device.manufacturer,
                    act.device.product,
                    act.distance_m(),
                    act.timer_s(),
                    act.elapsed_s(),
                    avg_hr,
                    max_hr,
                    avg_cad,
                    sum(|s| s.total_ascent_m),
                    sum(|s| s.total_descent_m),
                    act.records.len() as i64,
                    sessions,
                    laps,
                    warnings,
                    a.imported_at_ms,
                ])
            })
            .map_err(sql(format!("store activity from {}", a.source_path)))?;
        let id = self.tx.last_insert_rowid();
        if !act.records.is_empty() {
            let owned;
            let blob = match a.streams {
                Some(b) => b,
                None => {
                    owned = codec::encode(&act.records);
                    &owned
                }
            };
            self.tx
                .prepare_cached(
                    "INSERT INTO activity_stream (activity_id, codec, data) VALUES (?1, ?2, ?3)",
                )
                .and_then(|mut st| st.execute(params![id, codec::CODEC_V1, blob]))
                .map_err(sql(format!("store streams of {}", a.source_path)))?;
        }
        Ok(id)
    }

    /// Join an export index row onto the activities read from `source_suffix` (the member
    /// path the index names, e.g. `activities/123.fit.gz`). Returns how many rows changed.
    /// Keeps a name already in the file when the index has none.
    pub fn apply_meta(&self, source_path: &str, meta: &ExternalMeta) -> Result<usize, Error> {
        self.tx
            .prepare_cached(
                "UPDATE activity SET
                    name = coalesce(?2, name),
                    external_id = coalesce(?3, external_id),
                    external_type = coalesce(?4, external_type),
                    perceived_exertion = coalesce(?5, perceived_exertion)
                 WHERE source_path = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![
                    source_path,
                    meta.name,
                    meta.external_id,
                    meta.external_type,
                    meta.perceived_exertion
                ])
            })
            .map_err(sql(format!("join index row for {source_path}")))
    }

    /// Make everything written so far permanent.
    pub fn commit(self) -> Result<(), Error> {
        self.tx.commit().map_err(sql("commit"))
    }
}

#[cfg(unix)]
fn restrict_dir(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|source| Error::Io {
        path: dir.display().to_string(),
        source,
    })
}

#[cfg(not(unix))]
fn restrict_dir(_dir: &Path) -> Result<(), Error> {
    Ok(())
}

/// Create the database file with mode 0600 if it does not exist (SQLite would use 0644), and
/// tighten it if an older copy is looser. The WAL and SHM side files inherit the main file's
/// mode from SQLite.
fn create_private(path: &Path) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        opts.open(path).map_err(io)?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    #[cfg(not(unix))]
    {
        opts.open(path).map_err(io)?;
    }
    Ok(())
}
