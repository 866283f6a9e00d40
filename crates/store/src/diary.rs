//! Rows of the training-load side (migration 0003): per-activity metrics and the pain diary.
//!
//! Like the plan rows, both keep the JSON the service hands over and only the columns lookups
//! need; the store does not interpret them. Metrics carry the version of the code that
//! computed them so the service can find and recompute stale ones. Writing metrics is part of
//! the import transaction ([`Tx::put_metrics`]), so an activity never lands without them.

use rusqlite::{params, OptionalExtension};

use crate::{sql, Error, Store, Tx};

/// Stored metrics of one activity, with what the series need from the activity row.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsRow {
    pub activity_id: i64,
    pub version: i64,
    pub data: String,
    /// The runner's perceived effort (Strava's 1–10), when recorded.
    pub perceived_exertion: Option<f64>,
}

/// A stored pain-diary entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PainRow {
    pub id: i64,
    pub created_ms: i64,
    pub day: String,
    pub activity_id: Option<i64>,
    pub entry: String,
}

impl Store {
    /// Every activity's metrics (activities without metrics are left out), oldest first.
    pub fn all_metrics(&self) -> Result<Vec<MetricsRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT m.activity_id, m.version, m.data, a.perceived_exertion
                 FROM activity_metrics m JOIN activity a ON a.id = m.activity_id
                 ORDER BY a.start_ms, a.id",
            )
            .map_err(sql("read activity metrics"))?;
        let rows = st
            .query_map([], |r| {
                Ok(MetricsRow {
                    activity_id: r.get(0)?,
                    version: r.get(1)?,
                    data: r.get(2)?,
                    perceived_exertion: r.get(3)?,
                })
            })
            .map_err(sql("read activity metrics"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("read activity metrics"))
    }

    /// Ids of activities whose metrics are missing or were computed by another version.
    pub fn stale_metrics(&self, version: i64) -> Result<Vec<i64>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.id FROM activity a LEFT JOIN activity_metrics m ON m.activity_id = a.id
                 WHERE m.version IS NULL OR m.version <> ?1 ORDER BY a.id",
            )
            .map_err(sql("find stale metrics"))?;
        let rows = st
            .query_map([version], |r| r.get(0))
            .map_err(sql("find stale metrics"))?;
        rows.collect::<Result<Vec<i64>, _>>()
            .map_err(sql("find stale metrics"))
    }

    /// An activity's start (UTC ms, when known), for a diary entry about a run; `None` when
    /// there is no activity with that id.
    pub fn activity_start(&self, id: i64) -> Result<Option<Option<i64>>, Error> {
        self.conn
            .query_row("SELECT start_ms FROM activity WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql(format!("look up activity {id}")))
    }

    /// Add a diary entry; returns its id.
    pub fn add_pain(
        &self,
        day: &str,
        activity_id: Option<i64>,
        entry: &str,
        now_ms: i64,
    ) -> Result<i64, Error> {
        self.conn
            .execute(
                "INSERT INTO pain_entry (created_ms, day, activity_id, entry) VALUES (?1, ?2, ?3, ?4)",
                params![now_ms, day, activity_id, entry],
            )
            .map_err(sql("save pain entry"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every diary entry, by day then id.
    pub fn pain_entries(&self) -> Result<Vec<PainRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, created_ms, day, activity_id, entry FROM pain_entry ORDER BY day, id",
            )
            .map_err(sql("read pain diary"))?;
        let rows = st
            .query_map([], |r| {
                Ok(PainRow {
                    id: r.get(0)?,
                    created_ms: r.get(1)?,
                    day: r.get(2)?,
                    activity_id: r.get(3)?,
                    entry: r.get(4)?,
                })
            })
            .map_err(sql("read pain diary"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sql("read pain diary"))
    }

    /// Delete one diary entry; false when there was none with that id.
    pub fn delete_pain(&self, id: i64) -> Result<bool, Error> {
        let n = self
            .conn
            .execute("DELETE FROM pain_entry WHERE id = ?1", [id])
            .map_err(sql(format!("delete pain entry {id}")))?;
        Ok(n > 0)
    }
}

impl Tx<'_> {
    /// Store (or replace) an activity's metrics.
    pub fn put_metrics(&self, activity_id: i64, version: i64, data: &str) -> Result<(), Error> {
        self.tx
            .execute(
                "INSERT INTO activity_metrics (activity_id, version, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT(activity_id) DO UPDATE SET version = excluded.version, data = excluded.data",
                params![activity_id, version, data],
            )
            .map_err(sql(format!("save metrics of activity {activity_id}")))?;
        Ok(())
    }
}
