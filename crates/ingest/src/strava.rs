//! Strava `activities.csv` (placeholder until the parser lands).
use crate::Error;

/// One row of Strava's activities.csv.
#[derive(Debug, Clone, Default)]
pub struct StravaActivity {
    pub activity_id: String,
    pub date_ms: Option<i64>,
    pub name: Option<String>,
    pub activity_type: Option<String>,
    pub sport: String,
    pub filename: Option<String>,
    pub perceived_exertion: Option<f64>,
    pub distance_m: Option<f64>,
    pub elapsed_s: Option<f64>,
}

/// Parse activities.csv (placeholder).
pub fn parse_activities_csv(bytes: &[u8]) -> Result<Vec<StravaActivity>, Error> {
    let _ = bytes;
    Ok(Vec::new())
}
