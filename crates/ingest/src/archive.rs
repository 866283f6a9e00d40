//! Archive walker (placeholder).
