//! hamstride-store: the only crate that speaks SQL, behind one trait with two backends.
//!
//! [`Store`] is everything the service may ask of a database, and every call names the
//! [`Athlete`] whose rows it reads or writes: a handle only a store can make, so no query can
//! forget whose data it is. Two backends implement it and pass the same conformance suite
//! (`tests/conformance.rs`): [`SqliteStore`], the embedded default (one file, `hamstride.db`,
//! mode 0600 in a 0700 folder, WAL so readers are not blocked by an import), and
//! [`PgStore`], PostgreSQL for a server where a physio or coach follows many runners. Each has
//! its own embedded, numbered migrations, never edited once released, and both survive two
//! processes migrating at once (one waits, neither fails).
//!
//! The store keeps what the import yields (summary rows, streams in the compact [`codec`],
//! original file bytes once per distinct content per athlete) and the runner's own record
//! (profile, assessments, plans, check-ins, metrics, pain diary) as the JSON the service hands
//! it. It never interprets clinical content and decides no policy (what is a duplicate, what
//! to import): the service does. Multi-row writes are transactions ([`WriteTx`] for imports,
//! one call each for an assessment with its plan and a check-in with its plan state), so an
//! interrupted command leaves whole rows or none. Plan state is versioned: a check-in made
//! against an old version is refused with [`Error::Conflict`], so two check-ins at once cannot
//! lose one.

pub mod codec;
mod pg;
mod sqlite;

pub use pg::PgStore;
pub use sqlite::{SqliteStore, DB_FILE};

use hamstride_core::activity::Activity;

/// Whose rows a call is about. Only a store makes one (from [`Store::athlete`]), so every
/// service call and every query carries one and none can be forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Athlete {
    id: i64,
}

impl Athlete {
    /// The athlete's row id (for logs and URLs; it carries no health data).
    pub fn id(self) -> i64 {
        self.id
    }
}

/// The name of the athlete a local, single-runner install uses.
pub const DEFAULT_ATHLETE: &str = "default";

/// What went wrong in the store. Each variant says which file, which row or which step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder of the store could not be created or written (all uses are writes).
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database {path}: {message}")]
    Open { path: String, message: String },
    /// The store was opened read-only (its folder or file cannot be written) and a write was
    /// asked for. Nothing was written.
    #[error("cannot write: the data folder is read-only ({path}); nothing was saved")]
    ReadOnly { path: String },
    /// The database refused a statement (full disk, lost connection, a constraint).
    #[error("database: {context}: {source}")]
    Backend {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("database holds corrupt data: {0}")]
    Corrupt(String),
    /// A row the call names does not exist for this athlete (or belongs to another).
    #[error("{0}")]
    NotFound(String),
    /// Someone else changed the row since it was read (optimistic versioning): read again and
    /// retry. Nothing was written.
    #[error("{0}")]
    Conflict(String),
}

/// What kind of database failure an error is, for a message a runner can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The disk (or the server's) is full.
    DiskFull,
    /// Another program held the database for longer than we wait.
    Locked,
    /// The operating system refused a read or write (a failing disk, a size limit).
    Io,
    /// Anything else.
    Other,
}

impl Error {
    /// Classify a backend failure: the backends' own codes, never the message text.
    pub fn problem(&self) -> Problem {
        let Error::Backend { source, .. } = self else {
            return Problem::Other;
        };
        if let Some(e) = source.downcast_ref::<rusqlite::Error>() {
            return sqlite::problem(e);
        }
        if let Some(e) = source.downcast_ref::<postgres::Error>() {
            return pg::problem(e);
        }
        Problem::Other
    }

    /// The plan a check-in was decided against is no longer the active plan at that version.
    pub(crate) fn plan_changed(plan_id: i64) -> Error {
        Error::Conflict(format!(
            "plan {plan_id} changed since it was read (another check-in, or a new plan); nothing was saved"
        ))
    }
}

/// Which backend and where, for messages ("sqlite /home/…/hamstride.db", "postgres host/db").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub backend: &'static str,
    pub place: String,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.backend, self.place)
    }
}

/// A new activity for [`WriteTx::insert_activity`]: the decoded activity plus where it came
/// from.
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

/// A new original file for [`WriteTx::insert_original`].
#[derive(Debug, Clone, Copy)]
pub struct NewOriginal<'a> {
    /// BLAKE3 of the decoded (gunzipped) bytes.
    pub hash: &'a [u8; 32],
    /// "raw" or "gzip".
    pub encoding: &'a str,
    pub format: &'a str,
    pub size: u64,
    /// How many activities the file decoded to.
    pub activities: u64,
    pub data: &'a [u8],
    /// The stored activity this file is a lesser copy of (kept so nothing is lost, and so a
    /// re-import knows the file), or `None` for a file whose activities are stored from it.
    pub duplicate_of: Option<i64>,
}

/// An activity already stored that starts near a new one: what deduplication compares.
#[derive(Debug, Clone)]
pub struct StoredCopy {
    pub id: i64,
    pub format: String,
    pub source_path: String,
    pub activity: Activity,
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

/// A stored assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRow {
    pub id: i64,
    pub created_ms: i64,
    pub kb_version: String,
    pub condition: String,
    pub triage: String,
    pub findings: String,
    pub result: String,
}

/// A stored plan. `version` counts the check-ins applied to its state; a check-in names the
/// version it was decided against.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub id: i64,
    pub assessment_id: Option<i64>,
    pub created_ms: i64,
    pub state: String,
    pub version: i64,
}

/// A stored check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckinRow {
    pub id: i64,
    pub plan_id: i64,
    pub created_ms: i64,
    pub day: String,
    pub entry: String,
    pub decision: String,
    /// The plan state the check-in was made against (none before SQLite migration 0003).
    pub state_before: Option<String>,
}

/// A check-in to record with the plan state it leads to.
#[derive(Debug, Clone, Copy)]
pub struct NewCheckin<'a> {
    pub plan_id: i64,
    /// The plan version the decision was made against; a newer stored version is a
    /// [`Error::Conflict`].
    pub plan_version: i64,
    pub now_ms: i64,
    pub day: &'a str,
    pub entry: &'a str,
    pub decision: &'a str,
    pub new_state: &'a str,
    /// The diary row the check-in's pain scores make (the whole merged row of its day, as
    /// [`Store::put_pain`] writes it), linked to the check-in; `None` when it gave no score.
    pub pain: Option<NewPain<'a>>,
}

/// A pain-diary row to write: the one row of its day for the athlete. Writing a day that
/// already has a row replaces that row (same id), so a day never has two.
#[derive(Debug, Clone, Copy)]
pub struct NewPain<'a> {
    pub day: &'a str,
    pub activity_id: Option<i64>,
    pub entry: &'a str,
    pub now_ms: i64,
}

/// Stored metrics of one activity, with what the series need from the activity row.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsRow {
    pub activity_id: i64,
    pub version: i64,
    pub data: String,
    /// The runner's perceived effort (Strava's 1–10), when recorded.
    pub perceived_exertion: Option<f64>,
}

/// A stored pain-diary entry: the one row of its day.
#[derive(Debug, Clone, PartialEq)]
pub struct PainRow {
    pub id: i64,
    /// When the row was last written.
    pub created_ms: i64,
    pub day: String,
    pub activity_id: Option<i64>,
    pub entry: String,
    /// The check-in whose scores the row holds, when one wrote them (SQLite migration 0005,
    /// PostgreSQL 0002); a later diary edit of the row keeps the link.
    pub checkin_id: Option<i64>,
}

/// One stored original file, without its bytes ([`Store::original_bytes`] reads those one
/// file at a time, so an export of years of files never holds them all in memory).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OriginalRow {
    pub id: i64,
    /// "raw" or "gzip": how the bytes are stored.
    pub encoding: String,
    pub format: String,
    /// Size of the decoded (gunzipped) file, bytes.
    pub size: u64,
    /// The path the file was imported from (as its activities record it); `None` for a file
    /// none of whose activities is stored from it (a lesser copy, or one replaced by a better
    /// copy): the store keeps no name for those.
    pub source_path: Option<String>,
    /// The stored activity this file is a lesser copy of.
    pub duplicate_of: Option<i64>,
}

/// How many rows of each kind an athlete has: what "delete all my data" will remove (from
/// [`Store::data_counts`]) or removed (from [`Store::delete_all`]). The streams of each
/// activity go with it and are not counted apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DataCounts {
    pub activities: i64,
    pub original_files: i64,
    pub metrics: i64,
    pub assessments: i64,
    pub plans: i64,
    pub checkins: i64,
    pub pain_entries: i64,
    /// 1 when the athlete saved settings, else 0.
    pub profile: i64,
}

impl DataCounts {
    /// True when the athlete has nothing stored.
    pub fn is_empty(&self) -> bool {
        *self == DataCounts::default()
    }

    /// The counts in [`COUNTS_SQL`]'s column order.
    pub(crate) fn from_columns(c: [i64; 8]) -> DataCounts {
        let [activities, original_files, metrics, assessments, plans, checkins, pain_entries, profile] =
            c;
        DataCounts {
            activities,
            original_files,
            metrics,
            assessments,
            plans,
            checkins,
            pain_entries,
            profile,
        }
    }
}

/// The counts of [`DataCounts`], in its field order, for athlete `$1`. `$1` is a parameter
/// name in SQLite as in PostgreSQL (SQLite binds every `$1` to the first parameter), so both
/// backends run this text.
pub(crate) const COUNTS_SQL: &str = "SELECT
    (SELECT count(*) FROM activity WHERE athlete_id = $1),
    (SELECT count(*) FROM original_file WHERE athlete_id = $1),
    (SELECT count(*) FROM activity_metrics WHERE athlete_id = $1),
    (SELECT count(*) FROM assessment WHERE athlete_id = $1),
    (SELECT count(*) FROM plan WHERE athlete_id = $1),
    (SELECT count(*) FROM checkin WHERE athlete_id = $1),
    (SELECT count(*) FROM pain_entry WHERE athlete_id = $1),
    (SELECT count(*) FROM profile WHERE athlete_id = $1)";

/// Every row of athlete `$1` in the main database, children before the rows they point at
/// (both backends check foreign keys). The athlete's own row stays: the handle a running
/// program holds keeps working, on an empty record. A file's `duplicate_of` link is cut first
/// so the activity it names can go.
pub(crate) const DELETE_ALL_SQL: &[&str] = &[
    "DELETE FROM pain_entry WHERE athlete_id = $1",
    "DELETE FROM checkin WHERE athlete_id = $1",
    "DELETE FROM plan WHERE athlete_id = $1",
    "DELETE FROM assessment WHERE athlete_id = $1",
    "UPDATE original_file SET duplicate_of = NULL WHERE athlete_id = $1",
    "DELETE FROM activity_metrics WHERE athlete_id = $1",
    "DELETE FROM activity_stream WHERE athlete_id = $1",
    "DELETE FROM activity WHERE athlete_id = $1",
    "DELETE FROM original_file WHERE athlete_id = $1",
    "DELETE FROM profile WHERE athlete_id = $1",
];

/// Every original file of athlete `$1` by id, with the path of its first stored activity.
pub(crate) const ORIGINALS_SQL: &str = "SELECT o.id, o.encoding, o.format, o.size_bytes,
        (SELECT a.source_path FROM activity a
         WHERE a.original_id = o.id AND a.athlete_id = o.athlete_id
         ORDER BY a.part, a.id LIMIT 1),
        o.duplicate_of
    FROM original_file o WHERE o.athlete_id = $1 ORDER BY o.id";

/// Everything the service may ask of a database. Every call names its athlete; ids of rows
/// (activities, plans, diary entries) are looked up only among that athlete's rows, so
/// another athlete's id reads as "not there".
pub trait Store: Send + std::fmt::Debug {
    /// Which backend and where.
    fn location(&self) -> Location;

    // Athletes.
    /// The athlete called `name`, created on first use.
    fn athlete(&mut self, name: &str) -> Result<Athlete, Error>;
    /// The one athlete of a local install.
    fn default_athlete(&mut self) -> Result<Athlete, Error> {
        self.athlete(DEFAULT_ATHLETE)
    }
    /// Every athlete with their name, by id.
    fn athletes(&self) -> Result<Vec<(Athlete, String)>, Error>;

    // Profile: one JSON document per athlete.
    fn profile(&self, who: Athlete) -> Result<Option<String>, Error>;
    fn set_profile(&mut self, who: Athlete, data: &str, now_ms: i64) -> Result<(), Error>;

    // Assessments and plans.
    /// Record an assessment with the plan made from it, together. With `activate` the plan
    /// becomes the athlete's active plan (the current one stays in the history); without, it
    /// is kept in the history only, for the runner to switch to later.
    fn record_assessment(
        &mut self,
        who: Athlete,
        a: &AssessmentRow,
        plan_state: Option<&str>,
        activate: bool,
    ) -> Result<(i64, Option<i64>), Error>;
    /// Make `state` the active plan without an assessment (the prevention programme).
    fn start_plan(&mut self, who: Athlete, state: &str, now_ms: i64) -> Result<i64, Error>;
    fn latest_assessment(&self, who: Athlete) -> Result<Option<AssessmentRow>, Error>;
    fn assessment(&self, who: Athlete, id: i64) -> Result<Option<AssessmentRow>, Error>;
    fn assessment_count(&self, who: Athlete) -> Result<i64, Error>;
    /// Every assessment of the athlete, oldest first.
    fn assessments(&self, who: Athlete) -> Result<Vec<AssessmentRow>, Error>;
    fn active_plan(&self, who: Athlete) -> Result<Option<PlanRow>, Error>;
    /// Every plan of the athlete, newest first, with whether it is the active one.
    fn plans(&self, who: Athlete) -> Result<Vec<(PlanRow, bool)>, Error>;
    /// Make an earlier plan the active one again (the current one stays in the history).
    /// [`Error::NotFound`] when the athlete has no plan with that id.
    fn restore_plan(&mut self, who: Athlete, plan_id: i64) -> Result<(), Error>;
    /// The plan's check-ins by day, then entry order.
    fn checkins(&self, who: Athlete, plan_id: i64) -> Result<Vec<CheckinRow>, Error>;
    /// Record a check-in and the plan state it leads to, together, if the plan is still
    /// active and still at `c.plan_version`; else [`Error::Conflict`] and nothing written.
    /// With `c.pain`, the day's diary row is written in the same transaction (as
    /// [`Store::put_pain`] does) and linked to the new check-in.
    fn record_checkin(&mut self, who: Athlete, c: &NewCheckin<'_>) -> Result<i64, Error>;

    // Pain diary: one row per athlete and day.
    /// Write the day's row: a new row, or the day's existing row replaced (its id and any
    /// check-in link kept). Returns the row's id and whether it replaced one.
    /// [`Error::NotFound`] when `activity_id` is not one of the athlete's activities.
    fn put_pain(&mut self, who: Athlete, p: &NewPain<'_>) -> Result<(i64, bool), Error>;
    /// The row of one day, if there is one.
    fn pain_on(&self, who: Athlete, day: &str) -> Result<Option<PainRow>, Error>;
    /// Every entry, by day then id.
    fn pain_entries(&self, who: Athlete) -> Result<Vec<PainRow>, Error>;
    /// Delete one entry; false when the athlete has none with that id.
    fn delete_pain(&mut self, who: Athlete, id: i64) -> Result<bool, Error>;

    // Activities.
    /// Every stored content hash with how many activities its file decoded to.
    fn known_originals(&self, who: Athlete) -> Result<Vec<([u8; 32], u64)>, Error>;
    fn activity_count(&self, who: Athlete) -> Result<i64, Error>;
    /// Summary rows, oldest first.
    fn list_activities(&self, who: Athlete) -> Result<Vec<ActivityRow>, Error>;
    /// One activity back, streams included.
    fn load_activity(&self, who: Athlete, id: i64) -> Result<Option<Activity>, Error>;
    /// The original bytes of an activity's file, with their encoding ("raw"/"gzip").
    fn original_of(
        &self,
        who: Athlete,
        activity_id: i64,
    ) -> Result<Option<(String, Vec<u8>)>, Error>;
    /// An activity's start (UTC ms, when known); `None` when the athlete has no such activity.
    fn activity_start(&self, who: Athlete, id: i64) -> Result<Option<Option<i64>>, Error>;
    /// Every activity's metrics (activities without are left out), oldest first.
    fn all_metrics(&self, who: Athlete) -> Result<Vec<MetricsRow>, Error>;
    /// The metrics of the activities that start in `[from_ms, to_ms)` (UTC ms), oldest
    /// first: a page about a few weeks reads those weeks, not years of rows.
    fn metrics_between(
        &self,
        who: Athlete,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<MetricsRow>, Error>;
    /// Ids of activities whose metrics are missing or from another version.
    fn stale_metrics(&self, who: Athlete, version: i64) -> Result<Vec<i64>, Error>;

    /// Every original file the athlete imported, by id, without the bytes.
    fn originals(&self, who: Athlete) -> Result<Vec<OriginalRow>, Error>;
    /// Every activity's id with the id of the original file it is stored from.
    fn activity_originals(&self, who: Athlete) -> Result<Vec<(i64, i64)>, Error>;
    /// The stored bytes of one original file (as stored: see [`OriginalRow::encoding`]);
    /// `None` when the athlete has no file with that id.
    fn original_bytes(&self, who: Athlete, id: i64) -> Result<Option<Vec<u8>>, Error>;

    // Everything.
    /// How many rows of each kind the athlete has.
    fn data_counts(&self, who: Athlete) -> Result<DataCounts, Error>;
    /// Delete every row of the athlete (activities, streams, metrics, original files and their
    /// bytes, assessments, plans, check-ins, the pain diary, the profile) in one transaction,
    /// and nothing of anyone else's; returns what was deleted. The athlete stays, with nothing.
    fn delete_all(&mut self, who: Athlete) -> Result<DataCounts, Error>;

    /// Start a write transaction for the athlete: all of it lands, or none.
    fn begin(&mut self, who: Athlete) -> Result<Box<dyn WriteTx + '_>, Error>;
}

/// A write transaction of one athlete. Dropped without [`WriteTx::commit`], it rolls back.
pub trait WriteTx {
    /// Store an original file once per athlete; returns its id and whether it was new.
    fn insert_original(&mut self, o: &NewOriginal<'_>) -> Result<(i64, bool), Error>;
    /// This athlete's activities starting within `tolerance_ms` of `start_ms`, whatever their
    /// sport, streams included, nearest start first (then by id): the candidates for "the same
    /// activity recorded twice", which the caller decides.
    fn near_start(&mut self, start_ms: i64, tolerance_ms: i64) -> Result<Vec<StoredCopy>, Error>;
    /// Replace a stored activity by a better copy of it, keeping its id (diary entries name
    /// it): the summary row, the streams and the source; its metrics are dropped for the
    /// caller to store again, and the file it came from becomes a duplicate of it.
    fn replace_activity(&mut self, id: i64, a: &NewActivity<'_>) -> Result<(), Error>;
    /// Store one activity (summary row and streams); returns its id.
    fn insert_activity(&mut self, a: &NewActivity<'_>) -> Result<i64, Error>;
    /// Join an export index row onto the activities read from `source_path`; returns how many
    /// rows changed. Keeps a name already in the file when the index has none.
    fn apply_meta(&mut self, source_path: &str, meta: &ExternalMeta) -> Result<usize, Error>;
    /// Store (or replace) an activity's metrics.
    fn put_metrics(&mut self, activity_id: i64, version: i64, data: &str) -> Result<(), Error>;
    /// Make everything written so far permanent.
    fn commit(self: Box<Self>) -> Result<(), Error>;
}

/// The summary numbers an activity row keeps beside its JSON (both backends store the same).
pub(crate) struct Summary {
    pub sessions: String,
    pub laps: String,
    pub warnings: String,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
    pub avg_cad: Option<f64>,
    pub ascent: Option<f64>,
    pub descent: Option<f64>,
    pub distance_m: Option<f64>,
    pub timer_s: Option<f64>,
    pub elapsed_s: Option<f64>,
    pub record_count: i64,
}

impl Summary {
    pub(crate) fn of(a: &NewActivity<'_>) -> Result<Summary, Error> {
        use hamstride_core::activity::{Records, Session};
        let act = a.activity;
        let json = |v: Result<String, serde_json::Error>| {
            v.map_err(|e| Error::Corrupt(format!("encode {}: {e}", a.source_path)))
        };
        let first = act.sessions.first();
        let sum = |f: fn(&Session) -> Option<f64>| {
            let v: Vec<f64> = act.sessions.iter().filter_map(f).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>())
        };
        Ok(Summary {
            sessions: json(serde_json::to_string(&act.sessions))?,
            laps: json(serde_json::to_string(&act.laps))?,
            warnings: json(serde_json::to_string(&act.warnings))?,
            avg_hr: Records::mean(&act.records.heart_rate_bpm)
                .map(|m| m.0)
                .or_else(|| first.and_then(|s| s.avg_heart_rate)),
            max_hr: act
                .sessions
                .iter()
                .filter_map(|s| s.max_heart_rate)
                .reduce(f64::max),
            avg_cad: Records::mean(&act.records.cadence).map(|m| m.0),
            ascent: sum(|s| s.total_ascent_m),
            descent: sum(|s| s.total_descent_m),
            distance_m: act.distance_m(),
            timer_s: act.timer_s(),
            elapsed_s: act.elapsed_s(),
            record_count: act.records.len() as i64,
        })
    }
}

impl NewActivity<'_> {
    /// The encoded streams: as the import worker encoded them, or encoded now.
    pub(crate) fn streams_blob(&self) -> std::borrow::Cow<'_, [u8]> {
        match self.streams {
            Some(b) => std::borrow::Cow::Borrowed(b),
            None => std::borrow::Cow::Owned(crate::codec::encode(&self.activity.records)),
        }
    }
}

/// The stored columns of an activity, turned back into an [`Activity`] (both backends).
pub(crate) struct StoredActivity {
    pub id: i64,
    pub sport: String,
    pub sub_sport: Option<String>,
    /// The `external_type` column: the sport as the file or the export's index wrote it.
    pub sport_label: Option<String>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub start_was_relative: bool,
    pub name: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub sessions: String,
    pub laps: String,
    pub warnings: String,
    pub streams: Option<Vec<u8>>,
}

impl StoredActivity {
    pub(crate) fn into_activity(self) -> Result<Activity, Error> {
        let id = self.id;
        let corrupt = |what: &str, e: serde_json::Error| {
            Error::Corrupt(format!("activity {id}: {what}: {e}"))
        };
        let records = match self.streams {
            Some(b) => codec::decode(&b)?,
            None => Default::default(),
        };
        Ok(Activity {
            sport: self.sport,
            sub_sport: self.sub_sport,
            sport_label: self.sport_label,
            device: hamstride_core::activity::Device {
                manufacturer: self.manufacturer,
                product: self.product,
            },
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            start_was_relative: self.start_was_relative,
            name: self.name,
            sessions: serde_json::from_str(&self.sessions).map_err(|e| corrupt("sessions", e))?,
            laps: serde_json::from_str(&self.laps).map_err(|e| corrupt("laps", e))?,
            records,
            warnings: serde_json::from_str(&self.warnings).map_err(|e| corrupt("warnings", e))?,
        })
    }
}

/// Box a backend error with the step it failed in.
pub(crate) fn backend<E: std::error::Error + Send + Sync + 'static>(
    context: impl Into<String>,
) -> impl FnOnce(E) -> Error {
    let context = context.into();
    move |e| Error::Backend {
        context,
        source: Box::new(e),
    }
}
