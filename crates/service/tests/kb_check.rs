//! `check_kb` on a copy of the shipped knowledge base with `signals.toml` edited: every
//! constant of `[constants.pain]` and `[constants.metrics]` is required and named when
//! missing, a constant citing a source that does not exist is named with the source, and an
//! edit of `[constants.metrics]` without a METRICS_VERSION bump is refused (stored metrics
//! would keep the old numbers under the same version).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use hamstride_service::check_kb;

fn kb_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb")
}

/// A temporary copy of `kb/`, with `signals.toml` replaced by `signals`.
fn copy_with_signals(signals: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(kb_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, d.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(d.path().join("signals.toml"), signals).unwrap();
    d
}

fn shipped() -> String {
    std::fs::read_to_string(kb_dir().join("signals.toml")).unwrap()
}

fn check_err(signals: &str) -> String {
    let d = copy_with_signals(signals);
    check_kb(Some(d.path())).unwrap_err().to_string()
}

#[test]
fn the_shipped_copy_passes() {
    let d = copy_with_signals(&shipped());
    check_kb(Some(d.path())).unwrap();
    check_kb(None).unwrap();
}

#[test]
fn a_missing_pain_or_metrics_constant_is_named() {
    for (group, key) in [
        ("pain", "max_lag_days"),
        ("pain", "min_rho"),
        ("pain", "max_links_shown"),
        ("pain", "trend_week_days"),
        ("pain", "morning_steady_points"),
        ("pain", "sitting_steady_min"),
        ("metrics", "pause_s"),
        ("metrics", "best_window_s"),
        ("metrics", "bout_min_s"),
        ("metrics", "steep_grade"),
        ("metrics", "form_metric_min_s"),
    ] {
        let text = shipped().replace(&format!("\n{key} = "), &format!("\n# {key} = "));
        assert_ne!(text, shipped(), "{key} is not in the file");
        let err = check_err(&text);
        assert!(
            err.contains("signals.toml") && err.contains(&format!("`{group}.{key}` is missing")),
            "{key}: {err}"
        );
    }
}

#[test]
fn a_bad_source_id_is_named_with_the_constant() {
    let text = shipped().replace(
        "max_lag_days = { value = 2, source = \"brief-4.5\",",
        "max_lag_days = { value = 2, source = \"ref9999\",",
    );
    assert_ne!(text, shipped());
    let err = check_err(&text);
    assert!(
        err.contains("constant pain.max_lag_days cites unknown source `ref9999`"),
        "{err}"
    );
}

#[test]
fn a_metrics_edit_without_a_version_bump_is_refused() {
    let text = shipped().replace(
        "steep_grade = { value = 0.08,",
        "steep_grade = { value = 0.1,",
    );
    assert_ne!(text, shipped());
    let err = check_err(&text);
    assert!(
        err.contains("[constants.metrics]") && err.contains("Bump METRICS_VERSION"),
        "{err}"
    );
    // A pain constant is not stored, so editing one needs no bump.
    let text = shipped().replace("min_rho = { value = 0.3,", "min_rho = { value = 0.4,");
    assert_ne!(text, shipped());
    let d = copy_with_signals(&text);
    check_kb(Some(d.path())).unwrap();
}

#[test]
fn a_bad_import_gap_is_refused_by_kb_check() {
    let d = copy_with_signals(&shipped());
    let path = d.path().join("import.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("split_gap_s = 7200", "split_gap_s = 0")).unwrap();
    let err = hamstride_service::check_kb(Some(d.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("import.toml") && err.contains("split_gap_s"),
        "{err}"
    );
}
