//! Past assessments, for a front end that lists them and shows one again (the web app's
//! "past assessments"). Each assessment is stored with the plan made from it, so the list is
//! read through the plans, newest first. Showing one again re-assesses its stored findings
//! with the knowledge base of this program, so the page has every part a fresh result has
//! (what set the level, the advice, the sources); when the stored result was made with
//! another knowledge-base version the view says so (`same_kb`), and an adapter tells the
//! runner. Nothing here writes.

use hamstride_core::engine::Outcome;
use hamstride_core::{Findings, TriageLevel};
use jiff::civil::Date;

use crate::db::AthleteDb;
use crate::plans::{corrupt, input, profile};
use crate::{Error, Service};

/// One past assessment in a line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PastAssessment {
    pub id: i64,
    /// The runner's date it was made (in their profile's time zone).
    pub date: Date,
    /// The level stored with it.
    pub triage: TriageLevel,
    /// The most likely condition then, and how likely (0–1), as stored.
    pub condition: String,
    pub probability: f64,
    /// The plan made from it, and whether that plan is the one followed now.
    pub plan_id: i64,
    pub plan_active: bool,
}

/// A past assessment shown again in full.
#[derive(Debug, Clone)]
pub struct StoredAssessment {
    pub summary: PastAssessment,
    pub findings: Findings,
    /// Its findings assessed with this program's knowledge base.
    pub outcome: Outcome,
    /// Whether it was stored by this knowledge-base version (else the outcome may differ
    /// from what the runner saw then).
    pub same_kb: bool,
    pub kb_version: String,
}

impl Service {
    /// Every stored assessment, newest first.
    pub fn past_assessments(&self, db: &AthleteDb) -> Result<Vec<PastAssessment>, Error> {
        let tz = crate::training::time_zone(&profile(db)?)?;
        let mut out = Vec::new();
        for (plan, active) in db.plan_rows()? {
            let Some(aid) = plan.assessment_id else {
                continue; // the prevention programme has no assessment
            };
            let row = db
                .assessment(aid)?
                .ok_or_else(|| corrupt("plan", "its assessment is missing"))?;
            let result = crate::stored::result_from_json(&row.result)?;
            let top = result.differential.first();
            out.push(PastAssessment {
                id: row.id,
                date: crate::training::local_date(row.created_ms, &tz).unwrap_or(Date::ZERO),
                triage: result.triage.level,
                condition: top.map_or(row.condition.clone(), |d| d.name.clone()),
                probability: top.map_or(0.0, |d| d.probability),
                plan_id: plan.id,
                plan_active: active,
            });
        }
        out.sort_by_key(|a| std::cmp::Reverse(a.id));
        Ok(out)
    }

    /// One stored assessment, assessed again; an id the runner has not got is an input error
    /// naming `assessment`.
    pub fn stored_assessment(&self, db: &AthleteDb, id: i64) -> Result<StoredAssessment, Error> {
        let summary = self
            .past_assessments(db)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| input("assessment", format!("there is no assessment {id}")))?;
        let row = db
            .assessment(id)?
            .ok_or_else(|| input("assessment", format!("there is no assessment {id}")))?;
        let findings =
            hamstride_core::Findings::from_json_str(&self.kb.schema, &row.findings, false)
                .map_err(|e| corrupt("stored findings", e))?
                .findings;
        let outcome = self.assess(&findings);
        Ok(StoredAssessment {
            summary,
            same_kb: row.kb_version == self.kb.version,
            kb_version: row.kb_version,
            findings,
            outcome,
        })
    }
}
