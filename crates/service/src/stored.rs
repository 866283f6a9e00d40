//! The service's stored documents, typed and versioned: what goes into the store's JSON
//! columns and how each older version is read back.
//!
//! - **Plan state** (`hamstride.plan_state/2`): the core's `PlanState` with its phase and
//!   return-to-run stage stored by id, not by index, so editing a protocol's phase list never
//!   moves a runner to another phase. Version 1 (the first releases, no `schema` field) stored
//!   the indexes; it is read as it was and written back as version 2 at the next check-in.
//! - **Assessments**: the contract's result (`hamstride.assessment/1` or `/2`) read into
//!   [`StoredResult`], the fields the service uses, with the triage level as a
//!   [`TriageLevel`]; version 1 lacks `set_by` and `could_change`, which nothing reads back.
//!
//! Metrics carry the version of the code that computed them (`METRICS_VERSION`); an older
//! row is recomputed from the stored streams (`training::refresh_metrics`), not upgraded.

use hamstride_core::plan::{PlanKb, PlanState};
use hamstride_core::TriageLevel;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::plans::corrupt;
use crate::Error;

/// The schema tag of the plan state this program writes.
pub const PLAN_STATE_SCHEMA: &str = "hamstride.plan_state/2";

/// The plan state as stored: version 2, phase and stage by id.
pub fn plan_to_json(pkb: &PlanKb, st: &PlanState) -> Result<String, Error> {
    let p = st.protocol(pkb).map_err(Error::Kb)?;
    let mut v = serde_json::to_value(st).map_err(|e| corrupt("plan", e))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| corrupt("plan", "not an object"))?;
    let phase = p.phase.get(st.phase).ok_or_else(|| {
        corrupt(
            "plan",
            format!("phase {} of {} does not exist", st.phase, p.id),
        )
    })?;
    obj.remove("phase");
    obj.insert("phase_id".into(), Value::String(phase.id.clone()));
    let stage_id = match st.run_stage {
        None => Value::Null,
        Some(i) => {
            let ladder = pkb
                .ladder(&p.run_ladder)
                .ok_or_else(|| corrupt("plan", format!("ladder {} is missing", p.run_ladder)))?;
            let stage = ladder.stage.get(i).ok_or_else(|| {
                corrupt(
                    "plan",
                    format!("run stage {i} of {} does not exist", ladder.id),
                )
            })?;
            Value::String(stage.id.clone())
        }
    };
    obj.remove("run_stage");
    obj.insert("run_stage_id".into(), stage_id);
    obj.insert("schema".into(), Value::String(PLAN_STATE_SCHEMA.into()));
    serde_json::to_string(&v).map_err(|e| corrupt("plan", e))
}

/// Read a stored plan state of any version.
pub fn plan_from_json(pkb: &PlanKb, text: &str) -> Result<PlanState, Error> {
    let mut v: Value = serde_json::from_str(text).map_err(|e| corrupt("stored plan", e))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| corrupt("stored plan", "not an object"))?;
    match obj.remove("schema").as_ref().and_then(Value::as_str) {
        // Version 1: indexes, read as they are.
        None => {}
        Some(PLAN_STATE_SCHEMA) => ids_to_indexes(pkb, obj)?,
        Some(other) => {
            return Err(corrupt(
                "stored plan",
                format!("schema {other:?} is newer than this program knows; update hamstride"),
            ))
        }
    }
    serde_json::from_value(v).map_err(|e| corrupt("stored plan", e))
}

/// Version 2 → the in-memory indexes, through the protocol and ladder the plan names.
fn ids_to_indexes(pkb: &PlanKb, obj: &mut Map<String, Value>) -> Result<(), Error> {
    let protocol = obj
        .get("protocol")
        .and_then(Value::as_str)
        .ok_or_else(|| corrupt("stored plan", "no protocol"))?
        .to_string();
    let p = pkb.protocol(&protocol).ok_or_else(|| {
        corrupt(
            "stored plan",
            format!("protocol {protocol:?} is not in this version of hamstride; assess again"),
        )
    })?;
    let phase_id = obj
        .remove("phase_id")
        .and_then(|v| v.as_str().map(str::to_string))
        .ok_or_else(|| corrupt("stored plan", "no phase_id"))?;
    let phase = p
        .phase
        .iter()
        .position(|ph| ph.id == phase_id)
        .ok_or_else(|| {
            corrupt(
                "stored plan",
                format!("phase {phase_id:?} is no longer in protocol {protocol:?}; assess again"),
            )
        })?;
    obj.insert("phase".into(), Value::from(phase));
    let stage = match obj.remove("run_stage_id") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(id)) => {
            let ladder = pkb.ladder(&p.run_ladder).ok_or_else(|| {
                corrupt("stored plan", format!("ladder {} is missing", p.run_ladder))
            })?;
            let i = ladder
                .stage
                .iter()
                .position(|s| s.id == id)
                .ok_or_else(|| {
                    corrupt(
                        "stored plan",
                        format!("run stage {id:?} is no longer in ladder {}", ladder.id),
                    )
                })?;
            Value::from(i)
        }
        Some(other) => return Err(corrupt("stored plan", format!("run_stage_id {other}"))),
    };
    obj.insert("run_stage".into(), stage);
    Ok(())
}

/// The parts of a stored assessment result the service reads back.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredResult {
    /// `hamstride.assessment/1` or `/2`.
    pub schema: String,
    pub triage: StoredTriage,
    #[serde(default)]
    pub differential: Vec<StoredDiff>,
    #[serde(default)]
    pub red_flags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredTriage {
    pub level: TriageLevel,
    #[serde(default)]
    pub headline: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredDiff {
    pub condition: String,
    pub name: String,
    pub probability: f64,
    #[serde(rename = "for", default)]
    pub for_: Vec<String>,
    #[serde(default)]
    pub against: Vec<String>,
}

/// The assessment schemas this program can read back.
const RESULT_SCHEMAS: [&str; 2] = ["hamstride.assessment/1", "hamstride.assessment/2"];

/// Read a stored assessment result of any known version.
pub fn result_from_json(text: &str) -> Result<StoredResult, Error> {
    let r: StoredResult =
        serde_json::from_str(text).map_err(|e| corrupt("stored assessment", e))?;
    if !RESULT_SCHEMAS.contains(&r.schema.as_str()) {
        return Err(corrupt(
            "stored assessment",
            format!("schema {:?} is not one this program reads", r.schema),
        ));
    }
    Ok(r)
}
