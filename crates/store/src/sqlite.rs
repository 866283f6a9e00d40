//! The embedded backend: one SQLite file per data directory.
//!
//! The file is created with mode 0600 before SQLite opens it, in a folder made 0700 when
//! hamstride creates it (a folder the runner made keeps its mode), so health data is never
//! readable by other users, not even for an instant (the WAL and shared-memory side files take
//! the main file's mode). A folder or file that cannot be written is opened read-only when the
//! schema is current, so reading commands still work and writes fail with `Error::ReadOnly`. WAL mode lets `status` read while an import writes. The
//! bytes of imported files go to a second file beside it, `hamstride-originals.db` (also
//! 0600), in rollback-journal mode, because WAL would write them twice: that keeps an import
//! as fast as before WAL (bench/import_vs_previous.sh).
//! Migrations are numbered, embedded, applied in order under `BEGIN IMMEDIATE` (so a second
//! process starting at the same moment waits for the first and then finds nothing to do) and
//! recorded in SQLite's `user_version`. A file that is not a database is refused untouched.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hamstride_core::activity::Activity;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::{
    backend, ActivityRow, AssessmentRow, Athlete, CheckinRow, DataCounts, Error, ExternalMeta,
    Location, MetricsRow, NewActivity, NewCheckin, NewOriginal, NewPain, OriginalRow, PainRow,
    PlanRow, Store, StoredActivity, StoredCopy, Summary, WriteTx, COUNTS_SQL, DELETE_ALL_SQL,
    ORIGINALS_SQL,
};

/// The database file name inside the data directory.
pub const DB_FILE: &str = "hamstride.db";
/// The file beside it that holds the bytes of imported files (see `migrations-originals/`).
pub const ORIGINALS_FILE: &str = "hamstride-originals.db";

/// Migrations of the originals file, applied in order; version in its `user_version`.
const ORIGINALS_MIGRATIONS: &[(&str, &str)] = &[(
    "0001_original_data",
    include_str!("../migrations-originals/0001_original_data.sql"),
)];

/// Migrations, applied in order; the schema version is SQLite's `user_version`. 0001–0003 are
/// the single-runner schema of the first releases; 0004 gives every row an athlete; 0005 makes
/// the pain diary one row per day, check-in scores included.
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
    (
        "0004_athletes",
        include_str!("../migrations/0004_athletes.sql"),
    ),
    (
        "0005_one_pain_diary",
        include_str!("../migrations/0005_one_pain_diary.sql"),
    ),
    (
        "0006_duplicate_originals",
        include_str!("../migrations/0006_duplicate_originals.sql"),
    ),
];

/// How long a writer waits for another process's write (an import's batch, a migration)
/// before giving up with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

fn sql(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> Error {
    backend(context)
}

/// The SQLite backend.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// `hamstride-originals.db`: the bytes of imported files, written once (rollback journal).
    originals: Connection,
    path: PathBuf,
    /// Set when the data folder or the database could not be written and the store was opened
    /// read-only: every write then fails with `Error::ReadOnly` naming this folder.
    read_only: Option<PathBuf>,
}

impl SqliteStore {
    /// An original file's bytes: in its row for files imported before the originals file
    /// existed (`in_row`), else from the originals file by content hash. `which` names the
    /// file in errors ("of activity 7", "12").
    fn file_bytes(
        &self,
        who: Athlete,
        in_row: Option<Vec<u8>>,
        hash: &[u8],
        which: &str,
    ) -> Result<Vec<u8>, Error> {
        if let Some(data) = in_row {
            return Ok(data);
        }
        self.originals
            .query_row(
                "SELECT data FROM original_data WHERE athlete_id = ?1 AND content_hash = ?2",
                params![who.id, hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(format!("read the bytes of original file {which}")))?
            .ok_or_else(|| {
                Error::Corrupt(format!(
                    "the original file {which} is missing from {ORIGINALS_FILE}"
                ))
            })
    }

    /// Open (creating if needed) the database in `dir`, migrated to the newest schema.
    pub fn open(dir: &Path) -> Result<SqliteStore, Error> {
        Self::open_at(dir, MIGRATIONS.len())
    }

    /// Open migrated only up to schema `version` (tests of upgrades from older releases).
    /// When the folder or the file cannot be written (a read-only mount, a backup copy with
    /// its permissions), an existing database at the current schema is opened read-only, so
    /// the commands that only read still work; writes then fail with `Error::ReadOnly`.
    pub fn open_at(dir: &Path, version: usize) -> Result<SqliteStore, Error> {
        if version >= MIGRATIONS.len() && !writable(dir) {
            return Self::open_read_only(dir);
        }
        // Only a folder hamstride creates is made private: a folder the runner chose and made
        // (shared, read-only, on a mount) keeps the permissions they gave it.
        let existed = dir.is_dir();
        fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        if !existed {
            restrict_dir(dir)?;
        }
        let path = dir.join(DB_FILE);
        create_private(&path)?;
        let conn = Connection::open(&path).map_err(|e| Error::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let originals_path = dir.join(ORIGINALS_FILE);
        create_private(&originals_path)?;
        let originals = Connection::open(&originals_path).map_err(|e| Error::Open {
            path: originals_path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut store = SqliteStore {
            conn,
            originals,
            path,
            read_only: None,
        };
        store.configure(version.min(MIGRATIONS.len()))?;
        configure_originals(&mut store.originals, &originals_path)?;
        Ok(store)
    }

    /// A throwaway database in memory, for tests.
    pub fn open_in_memory() -> Result<SqliteStore, Error> {
        let conn = Connection::open_in_memory().map_err(sql("open in memory"))?;
        let originals = Connection::open_in_memory().map_err(sql("open in memory"))?;
        let mut store = SqliteStore {
            conn,
            originals,
            path: PathBuf::from(":memory:"),
            read_only: None,
        };
        store.configure(MIGRATIONS.len())?;
        configure_originals(&mut store.originals, Path::new(":memory:"))?;
        Ok(store)
    }

    /// Open an existing database that cannot be written: no migration, no switch to WAL, no
    /// chmod. Plain read-only first (it works when SQLite can still make the `-shm` file);
    /// when even that fails, `immutable=1`, which needs no side files and is safe because
    /// nothing can write a folder this process cannot.
    fn open_read_only(dir: &Path) -> Result<SqliteStore, Error> {
        let path = dir.join(DB_FILE);
        let originals_path = dir.join(ORIGINALS_FILE);
        let open_error = |p: &Path, message: String| Error::Open {
            path: p.display().to_string(),
            message,
        };
        let conn = open_ro(&path).map_err(|m| open_error(&path, m))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| open_error(&path, e.to_string()))?;
        if version != MIGRATIONS.len() as i64 {
            return Err(open_error(
                &path,
                format!(
                    "the data folder {} is read-only and the database (schema {version}) needs \
upgrading to {}; open it once where it can be written",
                    dir.display(),
                    MIGRATIONS.len()
                ),
            ));
        }
        let originals = open_ro(&originals_path).map_err(|m| open_error(&originals_path, m))?;
        for c in [&conn, &originals] {
            c.busy_timeout(BUSY_TIMEOUT)
                .map_err(|e| open_error(&path, e.to_string()))?;
        }
        Ok(SqliteStore {
            conn,
            originals,
            path,
            read_only: Some(dir.to_path_buf()),
        })
    }

    /// `Err(Error::ReadOnly)` when the store was opened read-only: called first by every write.
    fn writable(&self) -> Result<(), Error> {
        match &self.read_only {
            Some(dir) => Err(Error::ReadOnly {
                path: dir.display().to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the file is at.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql("read schema version"))
    }

    /// The newest schema version this program knows.
    pub fn newest_version() -> usize {
        MIGRATIONS.len()
    }

    fn open_error(&self, message: String) -> Error {
        Error::Open {
            path: self.path.display().to_string(),
            message,
        }
    }

    fn configure(&mut self, target: usize) -> Result<(), Error> {
        // First of all, wait rather than fail while another process holds a lock (an import's
        // batch, a migration): every statement below may meet one.
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.open_error(e.to_string()))?;
        // A file that is not SQLite fails here, on the first read, with SQLite's own words
        // ("file is not a database"); we name the file and leave it untouched.
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.open_error(format!("{e} (the file was left untouched)")))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(self.open_error(format!(
                "schema version {version} is newer than this program knows ({known}); update hamstride"
            )));
        }
        if version == 0 {
            self.large_pages()?;
        }
        self.wal()?;
        if version < target as i64 {
            self.migrate(target)?;
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|e| self.open_error(e.to_string()))?;
        Ok(())
    }

    /// A new, empty file gets 64 KiB pages (SQLite's default is 4 KiB): the streams are most of
    /// what the main file holds, and WAL writes them twice (log, then checkpoint), which costs
    /// less per byte in large pages. Measured on the benchmark zip: WAL with 4 KiB pages and
    /// the originals inside took 1.38x the previous release's import; 64 KiB pages, 1.11x;
    /// with the originals in their own file as well, 1.00x (bench/import_vs_previous.sh). The
    /// size can only be chosen before the first table exists, so older databases keep theirs.
    fn large_pages(&self) -> Result<(), Error> {
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.open_error(e.to_string()))?;
        if tables == 0 {
            self.conn
                .execute_batch("PRAGMA page_size = 65536;")
                .map_err(|e| self.open_error(e.to_string()))?;
        }
        Ok(())
    }

    /// WAL: readers (status, report) are not blocked by an import's long write. NORMAL sync
    /// is durable at every checkpoint and atomic at every commit in WAL mode. Switching a new
    /// file to WAL needs a moment alone with it, and SQLite reports "busy" for that without
    /// waiting on the busy timeout, so a second process starting at the same instant retries.
    fn wal(&self) -> Result<(), Error> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match self
                .conn
                .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            {
                Ok(()) => return Ok(()),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(self.open_error(e.to_string())),
            }
        }
    }

    /// Apply the missing migrations. Foreign keys are off while tables are rebuilt (SQLite
    /// ignores that pragma inside a transaction) and checked before the commit.
    fn migrate(&mut self, target: usize) -> Result<(), Error> {
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF;")
            .map_err(sql("migrate"))?;
        // IMMEDIATE takes the write lock first; a second process waits here (busy timeout),
        // then reads the version the first one left and has nothing to do.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin migration"))?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql("read schema version"))?;
        for (i, (name, text)) in MIGRATIONS
            .iter()
            .enumerate()
            .take(target)
            .skip(current.max(0) as usize)
        {
            tx.execute_batch(text)
                .map_err(sql(format!("migration {name}")))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql(format!("migration {name}")))?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(sql("check foreign keys after migration"))?;
        if let Some(table) = broken {
            return Err(Error::Corrupt(format!(
                "after migrating, table {table} has rows pointing nowhere; nothing was changed"
            )));
        }
        tx.commit().map_err(sql("commit migration"))
    }

    fn one_assessment<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Option<AssessmentRow>, Error> {
        self.conn
            .query_row(
                &format!(
                    "SELECT id, created_ms, kb_version, condition, triage, findings, result
                     FROM assessment WHERE athlete_id = ?1 {tail}"
                ),
                params,
                assessment_row,
            )
            .optional()
            .map_err(sql("read assessment"))
    }
}

/// Open the originals file: 64 KiB pages when new, rollback journal (new pages are written
/// once; nothing but a recomputation reads this file, so an import blocking it costs no one),
/// the same busy timeout, and its migrations under `BEGIN IMMEDIATE`.
fn configure_originals(c: &mut Connection, path: &Path) -> Result<(), Error> {
    let open = |e: rusqlite::Error| Error::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    c.busy_timeout(BUSY_TIMEOUT).map_err(open)?;
    let version: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| Error::Open {
            path: path.display().to_string(),
            message: format!("{e} (the file was left untouched)"),
        })?;
    let known = ORIGINALS_MIGRATIONS.len() as i64;
    if version > known {
        return Err(Error::Open {
            path: path.display().to_string(),
            message: format!(
                "schema version {version} is newer than this program knows ({known}); update hamstride"
            ),
        });
    }
    if version == 0 {
        c.execute_batch("PRAGMA page_size = 65536;").map_err(open)?;
    }
    c.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL;")
        .map_err(open)?;
    if version < known {
        let tx = c
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin originals migration"))?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql("read originals schema version"))?;
        for (i, (name, text)) in ORIGINALS_MIGRATIONS
            .iter()
            .enumerate()
            .skip(current.max(0) as usize)
        {
            tx.execute_batch(text)
                .map_err(sql(format!("originals migration {name}")))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql(format!("originals migration {name}")))?;
        }
        tx.commit().map_err(sql("commit originals migration"))?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn location(&self) -> Location {
        Location {
            backend: "sqlite",
            place: self.path.display().to_string(),
        }
    }

    fn athlete(&mut self, name: &str) -> Result<Athlete, Error> {
        // Read-only: the runner must already be there; the lookup below says so if not.
        if self.read_only.is_none() {
            self.conn
            .execute(
                "INSERT INTO athlete (name, created_ms) VALUES (?1, 0) ON CONFLICT(name) DO NOTHING",
                [name],
            )
            .map_err(sql(format!("add athlete {name:?}")))?;
        }
        let id = self
            .conn
            .query_row("SELECT id FROM athlete WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(sql(format!("find athlete {name:?}")))?;
        Ok(Athlete { id })
    }

    fn athletes(&self) -> Result<Vec<(Athlete, String)>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT id, name FROM athlete ORDER BY id")
            .map_err(sql("list athletes"))?;
        let rows = st
            .query_map([], |r| Ok((Athlete { id: r.get(0)? }, r.get(1)?)))
            .map_err(sql("list athletes"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("list athletes"))
    }

    fn profile(&self, who: Athlete) -> Result<Option<String>, Error> {
        self.conn
            .query_row(
                "SELECT data FROM profile WHERE athlete_id = ?1",
                [who.id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("read profile"))
    }

    fn set_profile(&mut self, who: Athlete, data: &str, now_ms: i64) -> Result<(), Error> {
        self.writable()?;
        self.conn
            .execute(
                "INSERT INTO profile (athlete_id, data, updated_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(athlete_id) DO UPDATE SET data = excluded.data, updated_ms = excluded.updated_ms",
                params![who.id, data, now_ms],
            )
            .map_err(sql("save profile"))?;
        Ok(())
    }

    fn record_assessment(
        &mut self,
        who: Athlete,
        a: &AssessmentRow,
        plan_state: Option<&str>,
        activate: bool,
    ) -> Result<(i64, Option<i64>), Error> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        tx.execute(
            "INSERT INTO assessment (athlete_id, created_ms, kb_version, condition, triage, findings, result)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![who.id, a.created_ms, a.kb_version, a.condition, a.triage, a.findings, a.result],
        )
        .map_err(sql("save assessment"))?;
        let aid = tx.last_insert_rowid();
        let mut pid = None;
        if let Some(state) = plan_state {
            pid = Some(add_plan(
                &tx,
                who,
                Some(aid),
                a.created_ms,
                state,
                activate,
            )?);
        }
        tx.commit().map_err(sql("commit assessment"))?;
        Ok((aid, pid))
    }

    fn start_plan(&mut self, who: Athlete, state: &str, now_ms: i64) -> Result<i64, Error> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        let id = add_plan(&tx, who, None, now_ms, state, true)?;
        tx.commit().map_err(sql("commit plan"))?;
        Ok(id)
    }

    fn latest_assessment(&self, who: Athlete) -> Result<Option<AssessmentRow>, Error> {
        self.one_assessment("ORDER BY id DESC LIMIT 1", [who.id])
    }

    fn assessment(&self, who: Athlete, id: i64) -> Result<Option<AssessmentRow>, Error> {
        self.one_assessment("AND id = ?2", [who.id, id])
    }

    fn assessment_count(&self, who: Athlete) -> Result<i64, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM assessment WHERE athlete_id = ?1",
                [who.id],
                |r| r.get(0),
            )
            .map_err(sql("count assessments"))
    }

    fn assessments(&self, who: Athlete) -> Result<Vec<AssessmentRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, created_ms, kb_version, condition, triage, findings, result
                 FROM assessment WHERE athlete_id = ?1 ORDER BY id",
            )
            .map_err(sql("list assessments"))?;
        let rows = st
            .query_map([who.id], assessment_row)
            .map_err(sql("list assessments"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("list assessments"))
    }

    fn active_plan(&self, who: Athlete) -> Result<Option<PlanRow>, Error> {
        self.conn
            .query_row(
                "SELECT id, assessment_id, created_ms, state, version FROM plan
                 WHERE athlete_id = ?1 AND active = 1",
                [who.id],
                |r| {
                    Ok(PlanRow {
                        id: r.get(0)?,
                        assessment_id: r.get(1)?,
                        created_ms: r.get(2)?,
                        state: r.get(3)?,
                        version: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(sql("read active plan"))
    }

    fn plans(&self, who: Athlete) -> Result<Vec<(PlanRow, bool)>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, assessment_id, created_ms, state, version, active FROM plan
                 WHERE athlete_id = ?1 ORDER BY id DESC",
            )
            .map_err(sql("list plans"))?;
        let rows = st
            .query_map([who.id], |r| {
                Ok((
                    PlanRow {
                        id: r.get(0)?,
                        assessment_id: r.get(1)?,
                        created_ms: r.get(2)?,
                        state: r.get(3)?,
                        version: r.get(4)?,
                    },
                    r.get::<_, bool>(5)?,
                ))
            })
            .map_err(sql("list plans"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("list plans"))
    }

    fn restore_plan(&mut self, who: Athlete, plan_id: i64) -> Result<(), Error> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM plan WHERE id = ?1 AND athlete_id = ?2",
                [plan_id, who.id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("find plan"))?;
        if exists.is_none() {
            return Err(Error::NotFound(format!("there is no plan {plan_id}")));
        }
        tx.execute(
            "UPDATE plan SET active = 0 WHERE athlete_id = ?1 AND active = 1",
            [who.id],
        )
        .map_err(sql("retire the current plan"))?;
        // The version moves on, so a check-in decided against the plan that was active is a
        // conflict rather than a write to the restored one.
        tx.execute(
            "UPDATE plan SET active = 1, version = version + 1 WHERE id = ?1 AND athlete_id = ?2",
            [plan_id, who.id],
        )
        .map_err(sql("restore plan"))?;
        tx.commit().map_err(sql("commit restore"))
    }

    fn checkins(&self, who: Athlete, plan_id: i64) -> Result<Vec<CheckinRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, plan_id, created_ms, day, entry, decision, state_before FROM checkin
                 WHERE athlete_id = ?1 AND plan_id = ?2 ORDER BY day, id",
            )
            .map_err(sql("read check-ins"))?;
        let rows = st
            .query_map([who.id, plan_id], |r| {
                Ok(CheckinRow {
                    id: r.get(0)?,
                    plan_id: r.get(1)?,
                    created_ms: r.get(2)?,
                    day: r.get(3)?,
                    entry: r.get(4)?,
                    decision: r.get(5)?,
                    state_before: r.get(6)?,
                })
            })
            .map_err(sql("read check-ins"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("read check-ins"))
    }

    fn record_checkin(&mut self, who: Athlete, c: &NewCheckin<'_>) -> Result<i64, Error> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        // Only from the version the check-in was decided against: a concurrent check-in that
        // got there first makes this a conflict, not a lost update. The write lock is held
        // from BEGIN IMMEDIATE, so nothing moves between this read and the update.
        let before: Option<(String, i64)> = tx
            .query_row(
                "SELECT state, version FROM plan WHERE id = ?1 AND athlete_id = ?2 AND active = 1",
                params![c.plan_id, who.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql("read plan"))?;
        let Some((state_before, version)) = before else {
            return Err(Error::plan_changed(c.plan_id));
        };
        if version != c.plan_version {
            return Err(Error::plan_changed(c.plan_id));
        }
        tx.execute(
            "UPDATE plan SET state = ?1, version = version + 1 WHERE id = ?2 AND athlete_id = ?3",
            params![c.new_state, c.plan_id, who.id],
        )
        .map_err(sql("update plan"))?;
        // The state before the update is the one that prescribed the day: kept for the
        // adherence check.
        tx.execute(
            "INSERT INTO checkin (athlete_id, plan_id, created_ms, day, entry, decision, state_before)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![who.id, c.plan_id, c.now_ms, c.day, c.entry, c.decision, state_before],
        )
        .map_err(sql("save check-in"))?;
        let id = tx.last_insert_rowid();
        if let Some(p) = &c.pain {
            put_pain_in(&tx, who, p, Some(id))?;
        }
        tx.commit().map_err(sql("commit check-in"))?;
        Ok(id)
    }

    fn put_pain(&mut self, who: Athlete, p: &NewPain<'_>) -> Result<(i64, bool), Error> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        let written = put_pain_in(&tx, who, p, None)?;
        tx.commit().map_err(sql("commit pain entry"))?;
        Ok(written)
    }

    fn pain_on(&self, who: Athlete, day: &str) -> Result<Option<PainRow>, Error> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {PAIN_COLUMNS} FROM pain_entry WHERE athlete_id = ?1 AND day = ?2"
                ),
                params![who.id, day],
                pain_row,
            )
            .optional()
            .map_err(sql(format!("read pain entry of {day}")))
    }

    fn pain_entries(&self, who: Athlete) -> Result<Vec<PainRow>, Error> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {PAIN_COLUMNS} FROM pain_entry WHERE athlete_id = ?1 ORDER BY day, id"
            ))
            .map_err(sql("read pain diary"))?;
        let rows = st
            .query_map([who.id], pain_row)
            .map_err(sql("read pain diary"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("read pain diary"))
    }

    fn delete_pain(&mut self, who: Athlete, id: i64) -> Result<bool, Error> {
        self.writable()?;
        let n = self
            .conn
            .execute(
                "DELETE FROM pain_entry WHERE id = ?1 AND athlete_id = ?2",
                [id, who.id],
            )
            .map_err(sql(format!("delete pain entry {id}")))?;
        Ok(n > 0)
    }

    fn known_originals(&self, who: Athlete) -> Result<Vec<([u8; 32], u64)>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT content_hash, activity_count FROM original_file WHERE athlete_id = ?1")
            .map_err(sql("read hashes"))?;
        let rows = st
            .query_map([who.id], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
            })
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

    fn activity_count(&self, who: Athlete) -> Result<i64, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM activity WHERE athlete_id = ?1",
                [who.id],
                |r| r.get(0),
            )
            .map_err(sql("count activities"))
    }

    fn list_activities(&self, who: Athlete) -> Result<Vec<ActivityRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, source_path, format, sport, sub_sport, start_ms, end_ms, name,
                        distance_m, timer_s, elapsed_s, avg_heart_rate, record_count,
                        perceived_exertion, external_type
                 FROM activity WHERE athlete_id = ?1 ORDER BY start_ms, id",
            )
            .map_err(sql("list activities"))?;
        let rows = st
            .query_map([who.id], |r| {
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

    fn load_activity(&self, who: Athlete, id: i64) -> Result<Option<Activity>, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT a.sport, a.sub_sport, a.start_ms, a.end_ms, a.start_was_relative, a.name,
                        a.device_manufacturer, a.device_product, a.sessions_json, a.laps_json,
                        a.warnings_json, s.data, a.external_type
                 FROM activity a
                 LEFT JOIN activity_stream s ON s.activity_id = a.id AND s.athlete_id = a.athlete_id
                 WHERE a.id = ?1 AND a.athlete_id = ?2",
                [id, who.id],
                |r| {
                    Ok(StoredActivity {
                        id,
                        sport: r.get(0)?,
                        sub_sport: r.get(1)?,
                        start_ms: r.get(2)?,
                        end_ms: r.get(3)?,
                        start_was_relative: r.get(4)?,
                        name: r.get(5)?,
                        manufacturer: r.get(6)?,
                        product: r.get(7)?,
                        sessions: r.get(8)?,
                        laps: r.get(9)?,
                        warnings: r.get(10)?,
                        streams: r.get(11)?,
                        sport_label: r.get(12)?,
                    })
                },
            )
            .optional()
            .map_err(sql(format!("load activity {id}")))?;
        row.map(StoredActivity::into_activity).transpose()
    }

    fn original_of(
        &self,
        who: Athlete,
        activity_id: i64,
    ) -> Result<Option<(String, Vec<u8>)>, Error> {
        let row: Option<(String, Option<Vec<u8>>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT o.encoding, o.data, o.content_hash FROM original_file o
                 JOIN activity a ON a.original_id = o.id
                 WHERE a.id = ?1 AND a.athlete_id = ?2 AND o.athlete_id = ?2",
                [activity_id, who.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sql(format!("original of activity {activity_id}")))?;
        let Some((encoding, data, hash)) = row else {
            return Ok(None);
        };
        let data = self.file_bytes(who, data, &hash, &format!("of activity {activity_id}"))?;
        Ok(Some((encoding, data)))
    }

    fn activity_start(&self, who: Athlete, id: i64) -> Result<Option<Option<i64>>, Error> {
        self.conn
            .query_row(
                "SELECT start_ms FROM activity WHERE id = ?1 AND athlete_id = ?2",
                [id, who.id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(format!("look up activity {id}")))
    }

    fn all_metrics(&self, who: Athlete) -> Result<Vec<MetricsRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT m.activity_id, m.version, m.data, a.perceived_exertion
                 FROM activity_metrics m JOIN activity a ON a.id = m.activity_id
                 WHERE a.athlete_id = ?1 AND m.athlete_id = ?1
                 ORDER BY a.start_ms, a.id",
            )
            .map_err(sql("read activity metrics"))?;
        let rows = st
            .query_map([who.id], metrics_row)
            .map_err(sql("read activity metrics"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("read activity metrics"))
    }

    fn metrics_between(
        &self,
        who: Athlete,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<MetricsRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT m.activity_id, m.version, m.data, a.perceived_exertion
                 FROM activity_metrics m JOIN activity a ON a.id = m.activity_id
                 WHERE a.athlete_id = ?1 AND m.athlete_id = ?1
                   AND a.start_ms >= ?2 AND a.start_ms < ?3
                 ORDER BY a.start_ms, a.id",
            )
            .map_err(sql("read activity metrics"))?;
        let rows = st
            .query_map(params![who.id, from_ms, to_ms], metrics_row)
            .map_err(sql("read activity metrics"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("read activity metrics"))
    }

    fn stale_metrics(&self, who: Athlete, version: i64) -> Result<Vec<i64>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.id FROM activity a
                 LEFT JOIN activity_metrics m ON m.activity_id = a.id AND m.athlete_id = a.athlete_id
                 WHERE a.athlete_id = ?1 AND (m.version IS NULL OR m.version <> ?2) ORDER BY a.id",
            )
            .map_err(sql("find stale metrics"))?;
        let rows = st
            .query_map([who.id, version], |r| r.get(0))
            .map_err(sql("find stale metrics"))?;
        rows.collect::<Result<Vec<i64>, _>>()
            .map_err(sql("find stale metrics"))
    }

    fn originals(&self, who: Athlete) -> Result<Vec<OriginalRow>, Error> {
        let mut st = self
            .conn
            .prepare(ORIGINALS_SQL)
            .map_err(sql("list original files"))?;
        let rows = st
            .query_map([who.id], |r| {
                Ok(OriginalRow {
                    id: r.get(0)?,
                    encoding: r.get(1)?,
                    format: r.get(2)?,
                    size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    source_path: r.get(4)?,
                    duplicate_of: r.get(5)?,
                })
            })
            .map_err(sql("list original files"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("list original files"))
    }

    fn activity_originals(&self, who: Athlete) -> Result<Vec<(i64, i64)>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT id, original_id FROM activity WHERE athlete_id = ?1 ORDER BY id")
            .map_err(sql("list activities' files"))?;
        let rows = st
            .query_map([who.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql("list activities' files"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("list activities' files"))
    }

    fn original_bytes(&self, who: Athlete, id: i64) -> Result<Option<Vec<u8>>, Error> {
        let row: Option<(Option<Vec<u8>>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT data, content_hash FROM original_file WHERE id = ?1 AND athlete_id = ?2",
                [id, who.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql(format!("read original file {id}")))?;
        let Some((data, hash)) = row else {
            return Ok(None);
        };
        Ok(Some(self.file_bytes(who, data, &hash, &format!("{id}"))?))
    }

    fn data_counts(&self, who: Athlete) -> Result<DataCounts, Error> {
        counts_in(&self.conn, who)
    }

    fn delete_all(&mut self, who: Athlete) -> Result<DataCounts, Error> {
        self.writable()?;
        // secure_delete: the freed pages are overwritten with zeros, so the deleted health
        // data cannot be read back from the file's free space. Only for this call: it costs
        // every other write a little.
        set_secure_delete(&self.conn, true)?;
        set_secure_delete(&self.originals, true)?;
        let result = self.delete_all_rows(who);
        let reset = set_secure_delete(&self.conn, false)
            .and_then(|()| set_secure_delete(&self.originals, false));
        let counts = result?;
        reset?;
        // Copy the WAL into the file and empty it, so the deleted rows' old pages do not wait
        // in hamstride.db-wal for the next checkpoint. Busy (another process reading) only
        // postpones that; the rows are gone either way.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(counts)
    }

    fn begin(&mut self, who: Athlete) -> Result<Box<dyn WriteTx + '_>, Error> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        let originals = self
            .originals
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin (originals)"))?;
        Ok(Box::new(SqliteTx { tx, originals, who }))
    }
}

impl SqliteStore {
    /// The rows of both files, each in one transaction. The main database commits first: once
    /// its rows are gone nothing points at the bytes, and if the originals' commit then fails,
    /// the error says so and running it again deletes them (it deletes by athlete, whatever
    /// is left).
    fn delete_all_rows(&mut self, who: Athlete) -> Result<DataCounts, Error> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin"))?;
        let counts = counts_in(&tx, who)?;
        for step in DELETE_ALL_SQL {
            tx.execute(step, [who.id])
                .map_err(sql("delete the athlete's data"))?;
        }
        tx.commit()
            .map_err(sql("commit deleting the athlete's data"))?;
        let tx = self
            .originals
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql("begin (originals)"))?;
        tx.execute("DELETE FROM original_data WHERE athlete_id = ?1", [who.id])
            .map_err(sql("delete the athlete's original files"))?;
        tx.commit()
            .map_err(sql("commit deleting the athlete's original files"))?;
        Ok(counts)
    }
}

/// The athlete's [`DataCounts`] as `conn` (or a transaction on it) sees them.
fn counts_in(conn: &Connection, who: Athlete) -> Result<DataCounts, Error> {
    conn.query_row(COUNTS_SQL, [who.id], |r| {
        Ok(DataCounts::from_columns([
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ]))
    })
    .map_err(sql("count the athlete's data"))
}

fn set_secure_delete(conn: &Connection, on: bool) -> Result<(), Error> {
    conn.pragma_update(None, "secure_delete", on)
        .map_err(sql("set secure_delete"))
}

/// Insert `state` as a plan of the athlete inside `tx`; with `activate`, retire the active
/// plan first and make this one active.
fn add_plan(
    tx: &rusqlite::Transaction<'_>,
    who: Athlete,
    assessment_id: Option<i64>,
    created_ms: i64,
    state: &str,
    activate: bool,
) -> Result<i64, Error> {
    if activate {
        tx.execute(
            "UPDATE plan SET active = 0 WHERE athlete_id = ?1 AND active = 1",
            [who.id],
        )
        .map_err(sql("retire the previous plan"))?;
    }
    tx.execute(
        "INSERT INTO plan (athlete_id, assessment_id, created_ms, active, state, version)
         VALUES (?1, ?2, ?3, ?5, ?4, 0)",
        params![who.id, assessment_id, created_ms, state, activate],
    )
    .map_err(sql("save plan"))?;
    Ok(tx.last_insert_rowid())
}

/// A write transaction of one athlete, over both files. The originals commit first: a row in
/// the main database never points at bytes that are not there, and a crash in between leaves
/// only bytes nothing refers to (a re-import writes them again).
struct SqliteTx<'a> {
    tx: rusqlite::Transaction<'a>,
    originals: rusqlite::Transaction<'a>,
    who: Athlete,
}

impl WriteTx for SqliteTx<'_> {
    fn insert_original(&mut self, o: &NewOriginal<'_>) -> Result<(i64, bool), Error> {
        let existing: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT id FROM original_file WHERE athlete_id = ?1 AND content_hash = ?2",
            )
            .and_then(|mut st| {
                st.query_row(params![self.who.id, &o.hash[..]], |r| r.get(0))
                    .optional()
            })
            .map_err(sql("look up original"))?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
        self.originals
            .prepare_cached(
                "INSERT INTO original_data (athlete_id, content_hash, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT(athlete_id, content_hash) DO UPDATE SET data = excluded.data",
            )
            .and_then(|mut st| st.execute(params![self.who.id, &o.hash[..], o.data]))
            .map_err(sql("store original bytes"))?;
        self.tx
            .prepare_cached(
                "INSERT INTO original_file
                    (athlete_id, content_hash, encoding, format, size_bytes, activity_count, data,
                     duplicate_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    self.who.id,
                    &o.hash[..],
                    o.encoding,
                    o.format,
                    o.size as i64,
                    o.activities as i64,
                    o.duplicate_of,
                ])
            })
            .map_err(sql("store original"))?;
        Ok((self.tx.last_insert_rowid(), true))
    }

    fn near_start(&mut self, start_ms: i64, tolerance_ms: i64) -> Result<Vec<StoredCopy>, Error> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT a.id, a.format, a.source_path, a.sport, a.sub_sport, a.start_ms, a.end_ms,
                        a.start_was_relative, a.name, a.device_manufacturer, a.device_product,
                        a.sessions_json, a.laps_json, a.warnings_json, s.data, a.external_type
                 FROM activity a
                 LEFT JOIN activity_stream s ON s.activity_id = a.id AND s.athlete_id = a.athlete_id
                 WHERE a.athlete_id = ?4 AND a.start_ms BETWEEN ?1 AND ?2
                 ORDER BY abs(a.start_ms - ?3), a.id",
            )
            .map_err(sql("look up same start"))?;
        let rows = st
            .query_map(
                params![
                    start_ms.saturating_sub(tolerance_ms),
                    start_ms.saturating_add(tolerance_ms),
                    start_ms,
                    self.who.id
                ],
                |r| {
                    Ok((
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        StoredActivity {
                            id: r.get(0)?,
                            sport: r.get(3)?,
                            sub_sport: r.get(4)?,
                            start_ms: r.get(5)?,
                            end_ms: r.get(6)?,
                            start_was_relative: r.get(7)?,
                            name: r.get(8)?,
                            manufacturer: r.get(9)?,
                            product: r.get(10)?,
                            sessions: r.get(11)?,
                            laps: r.get(12)?,
                            warnings: r.get(13)?,
                            streams: r.get(14)?,
                            sport_label: r.get(15)?,
                        },
                    ))
                },
            )
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("look up same start"))?;
        rows.into_iter()
            .map(|(format, source_path, row)| {
                let id = row.id;
                Ok(StoredCopy {
                    id,
                    format,
                    source_path,
                    activity: row.into_activity()?,
                })
            })
            .collect()
    }

    fn replace_activity(&mut self, id: i64, a: &NewActivity<'_>) -> Result<(), Error> {
        let act = a.activity;
        let s = Summary::of(a)?;
        let who = self.who.id;
        let old_original: Option<i64> = self
            .tx
            .query_row(
                "SELECT original_id FROM activity WHERE id = ?1 AND athlete_id = ?2",
                params![id, who],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("look up the activity to replace"))?;
        let Some(old_original) = old_original else {
            return Err(Error::NotFound(format!(
                "activity {id} is not this athlete's"
            )));
        };
        // The part number must stay unique per original: a replaced row takes the new file's.
        self.tx
            .execute(
                "UPDATE activity SET original_id = ?1, part = ?2, source_path = ?3, format = ?4,
                    sport = ?5, sub_sport = ?6, start_ms = ?7, end_ms = ?8,
                    start_was_relative = ?9, name = ?10, device_manufacturer = ?11,
                    device_product = ?12, distance_m = ?13, timer_s = ?14, elapsed_s = ?15,
                    avg_heart_rate = ?16, max_heart_rate = ?17, avg_cadence = ?18,
                    ascent_m = ?19, descent_m = ?20, record_count = ?21, sessions_json = ?22,
                    laps_json = ?23, warnings_json = ?24, imported_at_ms = ?25,
                    external_type = coalesce(?28, external_type)
                 WHERE id = ?26 AND athlete_id = ?27",
                &with_columns(a, &s, [&id, &who, &act.sport_label])[..],
            )
            .map_err(sql(format!("replace activity {id} from {}", a.source_path)))?;
        self.tx
            .execute(
                "DELETE FROM activity_stream WHERE activity_id = ?1 AND athlete_id = ?2",
                params![id, who],
            )
            .and_then(|_| {
                self.tx.execute(
                    "DELETE FROM activity_metrics WHERE activity_id = ?1 AND athlete_id = ?2",
                    params![id, who],
                )
            })
            .and_then(|_| {
                self.tx.execute(
                    "UPDATE original_file SET duplicate_of = ?1 WHERE id = ?2 AND athlete_id = ?3",
                    params![id, old_original, who],
                )
            })
            .map_err(sql(format!("replace activity {id}")))?;
        if !act.records.is_empty() {
            let blob = a.streams_blob();
            self.tx
                .execute(
                    "INSERT INTO activity_stream (activity_id, athlete_id, codec, data)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, who, crate::codec::CODEC_V1, blob],
                )
                .map_err(sql(format!("store streams of {}", a.source_path)))?;
        }
        Ok(())
    }

    fn insert_activity(&mut self, a: &NewActivity<'_>) -> Result<i64, Error> {
        let act = a.activity;
        let s = Summary::of(a)?;
        self.tx
            .prepare_cached(
                "INSERT INTO activity (athlete_id, original_id, part, source_path, format, sport,
                    sub_sport, start_ms, end_ms, start_was_relative, name, device_manufacturer,
                    device_product, distance_m, timer_s, elapsed_s, avg_heart_rate,
                    max_heart_rate, avg_cadence, ascent_m, descent_m, record_count,
                    sessions_json, laps_json, warnings_json, imported_at_ms, external_type)
                 SELECT ?26, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?27
                 WHERE EXISTS (SELECT 1 FROM original_file WHERE id = ?1 AND athlete_id = ?26)",
            )
            .and_then(|mut st| {
                st.execute(&with_columns(a, &s, [&self.who.id, &act.sport_label])[..])
            })
            .map_err(sql(format!("store activity from {}", a.source_path)))
            .and_then(|n| {
                if n == 1 {
                    Ok(())
                } else {
                    Err(Error::NotFound(format!(
                        "original file {} is not this athlete's",
                        a.original_id
                    )))
                }
            })?;
        let id = self.tx.last_insert_rowid();
        if !act.records.is_empty() {
            let blob = a.streams_blob();
            self.tx
                .prepare_cached(
                    "INSERT INTO activity_stream (activity_id, athlete_id, codec, data)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut st| {
                    st.execute(params![id, self.who.id, crate::codec::CODEC_V1, blob])
                })
                .map_err(sql(format!("store streams of {}", a.source_path)))?;
        }
        Ok(id)
    }

    fn apply_meta(&mut self, source_path: &str, meta: &ExternalMeta) -> Result<usize, Error> {
        self.tx
            .prepare_cached(
                "UPDATE activity SET
                    name = coalesce(?2, name),
                    external_id = coalesce(?3, external_id),
                    external_type = coalesce(?4, external_type),
                    perceived_exertion = coalesce(?5, perceived_exertion)
                 WHERE athlete_id = ?6 AND source_path = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![
                    source_path,
                    meta.name,
                    meta.external_id,
                    meta.external_type,
                    meta.perceived_exertion,
                    self.who.id
                ])
            })
            .map_err(sql(format!("join index row for {source_path}")))
    }

    fn put_metrics(&mut self, activity_id: i64, version: i64, data: &str) -> Result<(), Error> {
        let n = self
            .tx
            .prepare_cached(
                "INSERT INTO activity_metrics (activity_id, athlete_id, version, data)
                 SELECT ?1, ?2, ?3, ?4
                 WHERE EXISTS (SELECT 1 FROM activity WHERE id = ?1 AND athlete_id = ?2)
                 ON CONFLICT(activity_id) DO UPDATE SET version = excluded.version, data = excluded.data",
            )
            .and_then(|mut st| st.execute(params![activity_id, self.who.id, version, data]))
            .map_err(sql(format!("save metrics of activity {activity_id}")))?;
        if n == 0 {
            return Err(Error::NotFound(format!(
                "there is no activity {activity_id}"
            )));
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), Error> {
        let SqliteTx { tx, originals, .. } = *self;
        originals.commit().map_err(sql("commit (originals)"))?;
        tx.commit().map_err(sql("commit"))
    }
}

/// Can this process write the data folder and the database? Probed by creating (and removing)
/// a file beside it and opening the database for writing, since permissions alone do not say
/// (a read-only mount, root, ACLs). A folder that does not exist yet will be created: writable.
fn writable(dir: &Path) -> bool {
    let db = dir.join(DB_FILE);
    if !db.is_file() {
        return true;
    }
    let probe = dir.join(format!(".hamstride-write-probe-{}", std::process::id()));
    let dir_ok = match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            true
        }
        Err(e) => !read_only_error(&e),
    };
    dir_ok
        && match OpenOptions::new().append(true).open(&db) {
            Ok(_) => true,
            Err(e) => !read_only_error(&e),
        }
}

fn read_only_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

/// Open `path` read-only: plainly, else as immutable (no `-shm` needed).
fn open_ro(path: &Path) -> Result<Connection, String> {
    use rusqlite::OpenFlags;
    let plain = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(|c| {
        c.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?;
        Ok(c)
    });
    match plain {
        Ok(c) => Ok(c),
        Err(first) => {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(
                uri,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(|_| format!("{first} (opening read-only)"))
        }
    }
}

/// A path as the path part of an SQLite `file:` URI: `%`, `?` and `#` (and anything not
/// printable ASCII) percent-encoded.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{b:02X}")),
            0x21..=0x7e => out.push(char::from(*b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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

/// The columns [`pain_row`] reads, in its order.
const PAIN_COLUMNS: &str = "id, created_ms, day, activity_id, entry, checkin_id";

fn pain_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PainRow> {
    Ok(PainRow {
        id: r.get(0)?,
        created_ms: r.get(1)?,
        day: r.get(2)?,
        activity_id: r.get(3)?,
        entry: r.get(4)?,
        checkin_id: r.get(5)?,
    })
}

/// Write the day's diary row inside `tx`: replace the athlete's row of that day (keeping its id,
/// and its check-in link unless `checkin` gives a new one) or add it. Returns the id and whether
/// a row was replaced. The run must be one of the athlete's activities.
fn put_pain_in(
    tx: &rusqlite::Transaction<'_>,
    who: Athlete,
    p: &NewPain<'_>,
    checkin: Option<i64>,
) -> Result<(i64, bool), Error> {
    if let Some(run) = p.activity_id {
        let mine: Option<i64> = tx
            .query_row(
                "SELECT id FROM activity WHERE id = ?1 AND athlete_id = ?2",
                [run, who.id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql("read activity"))?;
        if mine.is_none() {
            return Err(Error::NotFound(format!("there is no activity {run}")));
        }
    }
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM pain_entry WHERE athlete_id = ?1 AND day = ?2",
            params![who.id, p.day],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql("read pain entry"))?;
    match existing {
        Some(id) => {
            tx.execute(
                "UPDATE pain_entry SET created_ms = ?1, activity_id = ?2, entry = ?3,
                        checkin_id = coalesce(?4, checkin_id)
                 WHERE id = ?5 AND athlete_id = ?6",
                params![p.now_ms, p.activity_id, p.entry, checkin, id, who.id],
            )
            .map_err(sql("update pain entry"))?;
            Ok((id, true))
        }
        None => {
            tx.execute(
                "INSERT INTO pain_entry (athlete_id, created_ms, day, activity_id, entry, checkin_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![who.id, p.now_ms, p.day, p.activity_id, p.entry, checkin],
            )
            .map_err(sql("save pain entry"))?;
            Ok((tx.last_insert_rowid(), false))
        }
    }
}

/// SQLite's result codes for a full disk, a database another connection holds, and a read or
/// write the operating system refused.
pub(crate) fn problem(e: &rusqlite::Error) -> crate::Problem {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => crate::Problem::DiskFull,
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            crate::Problem::Locked
        }
        Some(rusqlite::ErrorCode::SystemIoFailure) => crate::Problem::Io,
        _ => crate::Problem::Other,
    }
}

/// The 25 columns both `insert_activity` and `replace_activity` write, as `?1`…`?25` in this
/// order, followed by each statement's own parameters (`?26`…).
fn with_columns<'a, const N: usize>(
    a: &'a NewActivity<'_>,
    s: &'a Summary,
    rest: [&'a dyn rusqlite::ToSql; N],
) -> Vec<&'a dyn rusqlite::ToSql> {
    let act = a.activity;
    let mut p: Vec<&'a dyn rusqlite::ToSql> = vec![
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
fn assessment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AssessmentRow> {
    Ok(AssessmentRow {
        id: r.get(0)?,
        created_ms: r.get(1)?,
        kb_version: r.get(2)?,
        condition: r.get(3)?,
        triage: r.get(4)?,
        findings: r.get(5)?,
        result: r.get(6)?,
    })
}

/// A metrics row of the `SELECT m.activity_id, m.version, m.data, a.perceived_exertion` the
/// metrics queries share.
fn metrics_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MetricsRow> {
    Ok(MetricsRow {
        activity_id: r.get(0)?,
        version: r.get(1)?,
        data: r.get(2)?,
        perceived_exertion: r.get(3)?,
    })
}
