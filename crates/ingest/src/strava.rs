//! Strava `activities.csv` (placeholder).
