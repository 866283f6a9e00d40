//! Format detection (placeholder).
