//! `hamstride kb check` (`check_kb`) on a copy of the shipped knowledge base with one time
//! frame broken: a rule whose frame is wider than its tier's, a rule headline and a protocol's
//! referral note that state a time of their own. Each is refused, naming the file and entry,
//! so the one-urgency rule of `kb/meta.toml` holds for anyone editing the files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use hamstride_service::check_kb;

fn kb_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb")
}

/// `check_kb`'s error on a copy of `kb/` with `from` replaced by `to` (once) in `file`.
fn check_err(file: &str, from: &str, to: &str) -> String {
    let d = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(kb_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, d.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let text = std::fs::read_to_string(d.path().join(file)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} once in {file}");
    std::fs::write(d.path().join(file), text.replacen(from, to, 1)).unwrap();
    match check_kb(Some(d.path())) {
        Ok(_) => panic!("kb check passed with {file} edited"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_rule_frame_wider_than_its_tier_is_refused() {
    let e = check_err(
        "triage.toml",
        "id = \"R-U2\"\nframe = \"today\"",
        "id = \"R-U2\"\nframe = \"1-2-weeks\"",
    );
    assert!(
        e.contains("triage.toml") && e.contains("R-U2") && e.contains("wider"),
        "{e}"
    );
}

#[test]
fn a_headline_with_a_second_time_is_refused() {
    let e = check_err(
        "triage.toml",
        "See a doctor {when} (urgent care or your GP)",
        "See a doctor {when} (urgent care or your GP, within 24-48 hours)",
    );
    assert!(e.contains("R-U2") && e.contains("24-48"), "{e}");
}

#[test]
fn a_referral_note_with_its_own_time_is_refused() {
    let e = check_err(
        "protocols.toml",
        "See a doctor for tests (urgent care",
        "See a doctor today for tests (urgent care",
    );
    assert!(e.contains("protocols.toml") && e.contains("today"), "{e}");
}

/// The emergency numbers are links a runner taps in an emergency: each must be digits and
/// say where it answers, and the list must cite sources that exist.
#[test]
fn an_emergency_number_that_is_not_digits_or_not_sourced_is_refused() {
    let e = check_err("meta.toml", "number = \"999\"", "number = \"99 9\"");
    assert!(
        e.contains("meta.toml") && e.contains("emergency") && e.contains("99 9"),
        "{e}"
    );
    let e = check_err("meta.toml", "area = \"UK\"", "area = \" \"");
    assert!(e.contains("emergency") && e.contains("999"), "{e}");
    let e = check_err("meta.toml", "\"ext-us-911\", ", "\"ext-nowhere\", ");
    assert!(e.contains("ext-nowhere"), "{e}");
}
