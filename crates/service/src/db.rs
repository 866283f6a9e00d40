//! One athlete's view of a database: the handle every use case that touches stored data takes.
//!
//! [`AthleteDb`] pairs an open store (SQLite or PostgreSQL, behind `hamstride_store::Store`)
//! with the [`Athlete`] whose rows it may read and write. The service's code asks the handle,
//! never the store, so the athlete is passed on every call without anyone having to remember
//! it. A local install opens the default athlete; a server opens one handle per request for
//! the signed-in runner (or, for a physio, per runner they follow).

use std::path::{Path, PathBuf};

use hamstride_store::{
    ActivityRow, AssessmentRow, Athlete, CheckinRow, DataCounts, MetricsRow, NewCheckin, NewPain,
    OriginalRow, PainRow, PgStore, PlanRow, SqliteStore, Store, WriteTx,
};

use crate::Error;

/// The environment variable that chooses PostgreSQL (`postgres://user@host/db`).
pub const DATABASE_URL_ENV: &str = "HAMSTRIDE_DATABASE_URL";

/// Where the data is and whose it is, as the adapter was told.
#[derive(Debug, Clone, Default)]
pub struct DbOptions {
    /// `--database`: a `postgres://` address; None = `HAMSTRIDE_DATABASE_URL`, else SQLite.
    pub url: Option<String>,
    /// `--data-dir`: the SQLite folder; None = `HAMSTRIDE_DATA_DIR`, else the platform's.
    pub data_dir: Option<PathBuf>,
    /// `--athlete`: whose data; None = the local install's one runner.
    pub athlete: Option<String>,
}

impl DbOptions {
    /// The PostgreSQL address chosen, if any (the option, then the environment).
    fn postgres_url(&self) -> Option<String> {
        self.url
            .clone()
            .or_else(|| std::env::var(DATABASE_URL_ENV).ok())
            .filter(|u| !u.trim().is_empty())
    }

    /// True when an SQLite database already exists where these options point (no file is
    /// created): lets the assessment offer data pre-fill only to runners who imported runs.
    pub fn has_local_database(&self) -> bool {
        if self.postgres_url().is_some() {
            return true;
        }
        crate::data_dir(self.data_dir.as_deref())
            .map(|d| d.join(hamstride_store::DB_FILE).exists())
            .unwrap_or(false)
    }
}

/// One imported activity as a list shows it (distances in metres, times in seconds, UTC ms):
/// the store's summary row, which is already plain data, under the service's name.
pub use hamstride_store::ActivityRow as ActivitySummary;

/// An open database and the athlete whose data the calls are about.
#[derive(Debug)]
pub struct AthleteDb {
    store: Box<dyn Store>,
    who: Athlete,
}

/// Open the database the options name (creating and migrating it if needed) for their
/// athlete.
pub fn open(opts: &DbOptions) -> Result<AthleteDb, Error> {
    let mut store: Box<dyn Store> = match opts.postgres_url() {
        Some(url) => {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(Error::Input {
                    field: "--database".into(),
                    problem: format!(
                        "{url:?} is not a PostgreSQL address (postgres://user@host/db); leave it out to use the local file"
                    ),
                });
            }
            Box::new(PgStore::open(&url)?)
        }
        None => Box::new(SqliteStore::open(&crate::data_dir(
            opts.data_dir.as_deref(),
        )?)?),
    };
    let who = match &opts.athlete {
        Some(name) => {
            check_athlete_name(name)?;
            store.athlete(name)?
        }
        None => store.default_athlete()?,
    };
    Ok(AthleteDb { store, who })
}

/// Open the SQLite database in `dir` for its default athlete (tests, tools).
pub fn open_dir(dir: &Path) -> Result<AthleteDb, Error> {
    open(&DbOptions {
        data_dir: Some(dir.to_path_buf()),
        ..DbOptions::default()
    })
}

/// A throwaway database in memory for its default athlete (tests, one-off tools).
pub fn open_in_memory() -> Result<AthleteDb, Error> {
    let mut store: Box<dyn Store> = Box::new(SqliteStore::open_in_memory()?);
    let who = store.default_athlete()?;
    Ok(AthleteDb { store, who })
}

/// An athlete's name is a label, not data: short, printable, no surrounding spaces.
fn check_athlete_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.trim() == name
        && name.chars().all(|c| !c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::Input {
            field: "--athlete".into(),
            problem: "a name of 1 to 64 printable characters, without spaces at either end".into(),
        })
    }
}

impl AthleteDb {
    /// Wrap an open store for one of its athletes (a server's per-request handle).
    pub fn new(store: Box<dyn Store>, who: Athlete) -> AthleteDb {
        AthleteDb { store, who }
    }

    /// The same database for another athlete (a physio following several runners).
    pub fn switch(self, name: &str) -> Result<AthleteDb, Error> {
        check_athlete_name(name)?;
        let mut store = self.store;
        let who = store.athlete(name)?;
        Ok(AthleteDb { store, who })
    }

    /// The names of every athlete in this database (a physio's list of runners).
    pub fn athlete_names(&self) -> Result<Vec<String>, Error> {
        Ok(self.store.athletes()?.into_iter().map(|(_, n)| n).collect())
    }

    /// Give the store back (to a pool).
    pub fn into_store(self) -> Box<dyn Store> {
        self.store
    }

    /// Whose data this is.
    pub fn athlete(&self) -> Athlete {
        self.who
    }

    /// "sqlite /path/hamstride.db" or "postgres host:port/db", for messages.
    pub fn location(&self) -> String {
        self.store.location().to_string()
    }

    /// Where the data is, without the backend's name: a file path or a server address.
    pub fn place(&self) -> String {
        self.store.location().place
    }

    /// The athlete's activities, oldest first.
    pub fn activities(&self) -> Result<Vec<ActivitySummary>, Error> {
        self.activity_rows()
    }

    /// How many activities the athlete has.
    pub fn activity_count(&self) -> Result<i64, Error> {
        Ok(self.store.activity_count(self.who)?)
    }

    // The store's calls with the athlete filled in. Crate-private: adapters use the use
    // cases, not rows.
    pub(crate) fn profile_json(&self) -> Result<Option<String>, Error> {
        Ok(self.store.profile(self.who)?)
    }
    pub(crate) fn set_profile_json(&mut self, data: &str, now_ms: i64) -> Result<(), Error> {
        Ok(self.store.set_profile(self.who, data, now_ms)?)
    }
    pub(crate) fn record_assessment(
        &mut self,
        a: &AssessmentRow,
        plan_state: Option<&str>,
        activate: bool,
    ) -> Result<(i64, Option<i64>), Error> {
        Ok(self
            .store
            .record_assessment(self.who, a, plan_state, activate)?)
    }
    pub(crate) fn plan_rows(&self) -> Result<Vec<(PlanRow, bool)>, Error> {
        Ok(self.store.plans(self.who)?)
    }
    pub(crate) fn restore_plan(&mut self, plan_id: i64) -> Result<(), Error> {
        Ok(self.store.restore_plan(self.who, plan_id)?)
    }
    pub(crate) fn start_plan(&mut self, state: &str, now_ms: i64) -> Result<i64, Error> {
        Ok(self.store.start_plan(self.who, state, now_ms)?)
    }
    pub(crate) fn latest_assessment(&self) -> Result<Option<AssessmentRow>, Error> {
        Ok(self.store.latest_assessment(self.who)?)
    }
    pub(crate) fn assessment(&self, id: i64) -> Result<Option<AssessmentRow>, Error> {
        Ok(self.store.assessment(self.who, id)?)
    }
    pub(crate) fn active_plan_row(&self) -> Result<Option<PlanRow>, Error> {
        Ok(self.store.active_plan(self.who)?)
    }
    pub(crate) fn checkins(&self, plan_id: i64) -> Result<Vec<CheckinRow>, Error> {
        Ok(self.store.checkins(self.who, plan_id)?)
    }
    pub(crate) fn record_checkin(&mut self, c: &NewCheckin<'_>) -> Result<i64, Error> {
        Ok(self.store.record_checkin(self.who, c)?)
    }
    pub(crate) fn put_pain(&mut self, p: &NewPain<'_>) -> Result<(i64, bool), Error> {
        Ok(self.store.put_pain(self.who, p)?)
    }
    pub(crate) fn pain_on(&self, day: &str) -> Result<Option<PainRow>, Error> {
        Ok(self.store.pain_on(self.who, day)?)
    }
    pub(crate) fn pain_entries(&self) -> Result<Vec<PainRow>, Error> {
        Ok(self.store.pain_entries(self.who)?)
    }
    pub(crate) fn delete_pain(&mut self, id: i64) -> Result<bool, Error> {
        Ok(self.store.delete_pain(self.who, id)?)
    }
    pub(crate) fn known_originals(&self) -> Result<Vec<([u8; 32], u64)>, Error> {
        Ok(self.store.known_originals(self.who)?)
    }
    pub(crate) fn activity_rows(&self) -> Result<Vec<ActivityRow>, Error> {
        Ok(self.store.list_activities(self.who)?)
    }
    pub(crate) fn load_activity(
        &self,
        id: i64,
    ) -> Result<Option<hamstride_core::activity::Activity>, Error> {
        Ok(self.store.load_activity(self.who, id)?)
    }
    pub(crate) fn activity_start(&self, id: i64) -> Result<Option<Option<i64>>, Error> {
        Ok(self.store.activity_start(self.who, id)?)
    }
    pub(crate) fn all_metrics(&self) -> Result<Vec<MetricsRow>, Error> {
        Ok(self.store.all_metrics(self.who)?)
    }

    pub(crate) fn metrics_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<MetricsRow>, Error> {
        Ok(self.store.metrics_between(self.who, from_ms, to_ms)?)
    }
    pub(crate) fn stale_metrics(&self, version: i64) -> Result<Vec<i64>, Error> {
        Ok(self.store.stale_metrics(self.who, version)?)
    }
    pub(crate) fn assessments(&self) -> Result<Vec<AssessmentRow>, Error> {
        Ok(self.store.assessments(self.who)?)
    }
    pub(crate) fn originals(&self) -> Result<Vec<OriginalRow>, Error> {
        Ok(self.store.originals(self.who)?)
    }
    pub(crate) fn original_bytes(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.store.original_bytes(self.who, id)?)
    }
    /// Activity id → the id of the original file it is stored from.
    pub(crate) fn activity_originals(&self) -> Result<std::collections::HashMap<i64, i64>, Error> {
        Ok(self
            .store
            .activity_originals(self.who)?
            .into_iter()
            .collect())
    }
    pub(crate) fn data_counts(&self) -> Result<DataCounts, Error> {
        Ok(self.store.data_counts(self.who)?)
    }
    pub(crate) fn delete_all(&mut self) -> Result<DataCounts, Error> {
        Ok(self.store.delete_all(self.who)?)
    }
    pub(crate) fn begin(&mut self) -> Result<Box<dyn WriteTx + '_>, Error> {
        Ok(self.store.begin(self.who)?)
    }
}
