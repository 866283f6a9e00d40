//! Rows of the runner's own record: profile, assessments, plans and check-ins (migration 0002).
//!
//! The store keeps the JSON the service hands it and the few columns needed to find rows; it
//! does not interpret clinical content. Every write that changes more than one row (a new plan
//! replacing the old one, a check-in and the plan state it moves) is one transaction, so an
//! interrupted command leaves the record as it was.

use rusqlite::{params, OptionalExtension};

use crate::{sql, Error, Store};

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

/// A stored plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub id: i64,
    pub assessment_id: Option<i64>,
    pub created_ms: i64,
    pub state: String,
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
    /// The plan state the check-in was made against (none before migration 0003).
    pub state_before: Option<String>,
}

impl Store {
    /// The profile JSON, if one was saved.
    pub fn profile(&self) -> Result<Option<String>, Error> {
        self.conn
            .query_row("SELECT data FROM profile WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(sql("read profile"))
    }

    pub fn set_profile(&self, data: &str, now_ms: i64) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO profile (id, data, updated_ms) VALUES (1, ?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_ms = excluded.updated_ms",
                params![data, now_ms],
            )
            .map_err(sql("save profile"))?;
        Ok(())
    }

    /// Record an assessment and make `plan_state` the active plan for it, in one transaction.
    /// `plan_state` None records the assessment only.
    pub fn record_assessment(
        &mut self,
        a: &AssessmentRow,
        plan_state: Option<&str>,
    ) -> Result<(i64, Option<i64>), Error> {
        let tx = self.conn.transaction().map_err(sql("begin"))?;
        tx.execute(
            "INSERT INTO assessment (created_ms, kb_version, condition, triage, findings, result)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                a.created_ms,
                a.kb_version,
                a.condition,
                a.triage,
                a.findings,
                a.result
            ],
        )
        .map_err(sql("save assessment"))?;
        let aid = tx.last_insert_rowid();
        let mut pid = None;
        if let Some(state) = plan_state {
            pid = Some(activate_plan(&tx, Some(aid), a.created_ms, state)?);
        }
        tx.commit().map_err(sql("commit assessment"))?;
        Ok((aid, pid))
    }

    /// Make `state` the active plan without an assessment (the prevention programme).
    pub fn start_plan(&mut self, state: &str, now_ms: i64) -> Result<i64, Error> {
        let tx = self.conn.transaction().map_err(sql("begin"))?;
        let id = activate_plan(&tx, None, now_ms, state)?;
        tx.commit().map_err(sql("commit plan"))?;
        Ok(id)
    }

    pub fn latest_assessment(&self) -> Result<Option<AssessmentRow>, Error> {
        self.one_assessment("ORDER BY id DESC LIMIT 1", [])
    }

    pub fn assessment(&self, id: i64) -> Result<Option<AssessmentRow>, Error> {
        self.one_assessment("WHERE id = ?1", [id])
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
                     FROM assessment {tail}"
                ),
                params,
                |r| {
                    Ok(AssessmentRow {
                        id: r.get(0)?,
                        created_ms: r.get(1)?,
                        kb_version: r.get(2)?,
                        condition: r.get(3)?,
                        triage: r.get(4)?,
                        findings: r.get(5)?,
                        result: r.get(6)?,
                    })
                },
            )
            .optional()
            .map_err(sql("read assessment"))
    }

    pub fn assessment_count(&self) -> Result<i64, Error> {
        self.conn
            .query_row("SELECT count(*) FROM assessment", [], |r| r.get(0))
            .map_err(sql("count assessments"))
    }

    pub fn active_plan(&self) -> Result<Option<PlanRow>, Error> {
        self.conn
            .query_row(
                "SELECT id, assessment_id, created_ms, state FROM plan WHERE active = 1",
                [],
                |r| {
                    Ok(PlanRow {
                        id: r.get(0)?,
                        assessment_id: r.get(1)?,
                        created_ms: r.get(2)?,
                        state: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(sql("read active plan"))
    }

    /// The plan's check-ins in date order (then entry order).
    pub fn checkins(&self, plan_id: i64) -> Result<Vec<CheckinRow>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, plan_id, created_ms, day, entry, decision, state_before FROM checkin
                 WHERE plan_id = ?1 ORDER BY day, id",
            )
            .map_err(sql("read check-ins"))?;
        let rows = st
            .query_map([plan_id], |r| {
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

    /// Record a check-in and the plan state it leads to, together.
    pub fn record_checkin(
        &mut self,
        plan_id: i64,
        now_ms: i64,
        day: &str,
        entry: &str,
        decision: &str,
        new_state: &str,
    ) -> Result<i64, Error> {
        let tx = self.conn.transaction().map_err(sql("begin"))?;
        tx.execute(
            // The state before the update is the one that prescribed the day: kept for the
            // adherence check.
            "INSERT INTO checkin (plan_id, created_ms, day, entry, decision, state_before)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT state FROM plan WHERE id = ?1))",
            params![plan_id, now_ms, day, entry, decision],
        )
        .map_err(sql("save check-in"))?;
        let id = tx.last_insert_rowid();
        let n = tx
            .execute(
                "UPDATE plan SET state = ?1 WHERE id = ?2 AND active = 1",
                params![new_state, plan_id],
            )
            .map_err(sql("update plan"))?;
        if n != 1 {
            return Err(Error::Corrupt(format!(
                "plan {plan_id} is no longer the active plan; nothing was saved"
            )));
        }
        tx.commit().map_err(sql("commit check-in"))?;
        Ok(id)
    }
}

/// Retire the active plan and insert `state` as the new active one, inside `tx`.
fn activate_plan(
    tx: &rusqlite::Transaction<'_>,
    assessment_id: Option<i64>,
    created_ms: i64,
    state: &str,
) -> Result<i64, Error> {
    tx.execute("UPDATE plan SET active = 0 WHERE active = 1", [])
        .map_err(sql("retire the previous plan"))?;
    tx.execute(
        "INSERT INTO plan (assessment_id, created_ms, active, state) VALUES (?1, ?2, 1, ?3)",
        params![assessment_id, created_ms, state],
    )
    .map_err(sql("save plan"))?;
    Ok(tx.last_insert_rowid())
}
