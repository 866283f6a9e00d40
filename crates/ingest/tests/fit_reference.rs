//! Cross-check of the FIT decoder against an independent one. `../shared/corpus/reference/`
//! holds, for every corpus FIT file, what fitdecode 0.11 (Python) made of it: start, sport,
//! totals, record count, and the means of heart rate, cadence and the running-dynamics
//! fields. Each file is decoded here and compared within the tolerances below; the test
//! prints a table (run with `--nocapture`) and fails on any difference not explained in
//! [`ALLOWLIST`]. Files the reference could not decode must be decoded at least as far, or
//! rejected with a reason. Without `../shared` the test says it skipped and passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_ingest::fit::{self, Options};
use hamstride_ingest::{Activity, Error, Records};
use serde_json::Value;
use std::io::Read;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Session distances come from the same raw field, so any difference is a bug; half a
/// percent (or 1 m for short files) only absorbs rounding in the reference's JSON.
const DISTANCE_REL_TOL: f64 = 0.005;
const DISTANCE_ABS_TOL_M: f64 = 1.0;
/// Timer time is also one raw field (ms resolution).
const TIMER_TOL_S: f64 = 1.0;
/// Means of per-record values: the reference rounds to 6 decimals; ours are `f32` columns.
const MEAN_REL_TOL: f64 = 0.005;
const MEAN_ABS_TOL: f64 = 0.01;

/// Files allowed to differ, each with the reason found by looking at the bytes. Keep small.
const ALLOWLIST: &[(&str, &str)] = &[];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn read_fit(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut out)?;
        return Ok(out);
    }
    Ok(raw)
}

/// Running, walking and hiking cadence is stored doubled (steps/min); the reference is in
/// FIT's strides/min. Undo our conversion with the decoder's own rule: the session covering
/// the record decides, else the activity's sport. Sports are in the vocabulary of
/// `kb/sports.toml`, where a FIT treadmill (fitness equipment) is running.
fn is_strides(sport: &str, _sub_sport: Option<&str>) -> bool {
    matches!(sport, "running" | "walking" | "hiking")
}

/// The sport as FIT names it: the label the decoder kept ("running/street" → "running").
fn fit_sport(a: &Activity) -> &str {
    a.sport_label
        .as_deref()
        .and_then(|l| l.split('/').next())
        .unwrap_or("unknown")
}

fn cadence_rpm(a: &Activity) -> Vec<f64> {
    let main = is_strides(&a.sport, a.sub_sport.as_deref());
    let mut ranges: Vec<(i64, i64, bool)> = a
        .sessions
        .iter()
        .filter_map(|s| {
            let start = s.start_ms?;
            let end = start + (s.total_elapsed_s? * 1000.0).round() as i64;
            Some((start, end, is_strides(&s.sport, s.sub_sport.as_deref())))
        })
        .collect();
    ranges.sort_by_key(|r| r.0);
    a.records
        .time_ms
        .iter()
        .zip(&a.records.cadence)
        .filter(|(_, c)| !c.is_nan())
        .map(|(t, c)| {
            let i = ranges.partition_point(|r| r.0 <= *t);
            let strides = i
                .checked_sub(1)
                .and_then(|i| ranges.get(i))
                .filter(|r| *t <= r.1)
                .map_or(main, |r| r.2);
            f64::from(*c) / if strides { 2.0 } else { 1.0 }
        })
        .collect()
}

fn close(ours: f64, theirs: f64, rel: f64, abs: f64) -> bool {
    (ours - theirs).abs() <= (theirs.abs() * rel).max(abs)
}

/// Compare one per-record statistic: count exactly, mean within tolerance.
fn compare_stat(
    name: &str,
    reference: &Value,
    mean_key: &str,
    ours: Option<(f64, usize)>,
    diffs: &mut Vec<String>,
) {
    let (ref_n, ref_mean) = match reference {
        Value::Null => (0, None),
        v => (v["n"].as_u64().unwrap_or(0) as usize, v[mean_key].as_f64()),
    };
    let (our_n, our_mean) = ours.map_or((0, None), |(m, n)| (n, Some(m)));
    if ref_n != our_n {
        diffs.push(format!("{name} n {our_n} vs {ref_n}"));
    }
    match (our_mean, ref_mean) {
        (Some(o), Some(r)) if !close(o, r, MEAN_REL_TOL, MEAN_ABS_TOL) => {
            diffs.push(format!("{name} mean {o:.3} vs {r:.3}"));
        }
        (Some(_), None) | (None, Some(_)) => {
            diffs.push(format!("{name} mean {our_mean:?} vs {ref_mean:?}"));
        }
        _ => {}
    }
}

fn mean_of(v: &[f64]) -> Option<(f64, usize)> {
    (!v.is_empty()).then(|| (v.iter().sum::<f64>() / v.len() as f64, v.len()))
}

enum Outcome {
    Agree(String),
    Differ(Vec<String>),
    Fail(String),
}

fn check(reference: &Value, bytes: &[u8]) -> Outcome {
    let ref_ok = reference["decode_ok"].as_bool().unwrap_or(false);
    let ref_records = reference["record_count"].as_u64().unwrap_or(0) as usize;
    let ref_type = reference["file_type"].as_str();
    let decoded = fit::decode_with(
        bytes,
        &Options {
            merge_hr: false,
            ..Options::default()
        },
    );
    let a = match decoded {
        Err(Error::NotActivity(why)) if matches!(ref_type, Some(t) if t != "activity") => {
            return Outcome::Agree(format!("rejected as not an activity ({why})"));
        }
        Err(e)
            if ref_records == 0
                && reference["sessions"]
                    .as_array()
                    .is_none_or(|s| s.is_empty()) =>
        {
            return Outcome::Agree(format!("nothing to decode in either; rejected: {e}"));
        }
        Err(e) => return Outcome::Fail(format!("decode error: {e}")),
        Ok(a) => a,
    };
    let mut diffs = Vec::new();

    if let Some(t) = ref_type.filter(|t| *t != "activity") {
        diffs.push(format!("decoded, but the reference says file type {t}"));
    }
    let n = a.records.len();
    if ref_ok && n != ref_records {
        diffs.push(format!("records {n} vs {ref_records}"));
    }
    if !ref_ok && n < ref_records {
        diffs.push(format!(
            "records {n} < {ref_records} though the reference failed"
        ));
    }
    if !ref_ok && a.warnings.is_empty() {
        diffs.push("the reference failed on this file but we gave no warning".to_string());
    }

    let stats_comparable = ref_ok || n == ref_records;
    match &reference["start_time"] {
        // The reference stopped before it found anything to start from.
        _ if !stats_comparable && ref_records == 0 => {}
        Value::String(s) => match s.parse::<jiff::Timestamp>() {
            Ok(ts) => {
                let ours = a.start_ms.map(|ms| ms.div_euclid(1000));
                if ours != Some(ts.as_second()) {
                    diffs.push(format!("start {ours:?} vs {}", ts.as_second()));
                }
            }
            Err(e) => diffs.push(format!("reference start {s:?} unreadable: {e}")),
        },
        Value::Number(_) if reference["start_time_is_relative"].as_bool() == Some(true) => {
            if !a.start_was_relative {
                diffs.push(
                    "reference start is relative to power-on; ours is not flagged".to_string(),
                );
            }
        }
        // No session start in the reference (broken-dates.fit has a session without one):
        // we fall back to the first record, then the creation time; so check against the
        // reference's own values for those.
        Value::Null => {
            let fallback = [&reference["first_record_time"], &reference["time_created"]]
                .into_iter()
                .find_map(|v| v.as_str()?.parse::<jiff::Timestamp>().ok());
            let ours = a.start_ms.map(|ms| ms.div_euclid(1000));
            if ours != fallback.map(|t| t.as_second()) {
                diffs.push(format!(
                    "start {ours:?} vs the reference's first record/creation time {fallback:?}"
                ));
            }
        }
        other => diffs.push(format!("reference start {other} not understood")),
    }

    let mut notes = Vec::new();
    let ref_sessions = reference["sessions"].as_array().map_or(0, Vec::len);
    match reference["sport"].as_str() {
        // The reference takes the sport from sessions only; with none, ours may come from the
        // file's `sport` message (nick.fit: truncated before its session, sport = cycling).
        None if ref_sessions == 0 && a.sessions.is_empty() && a.sport != "unknown" => {
            notes.push(format!(
                "sport {} from the sport message (reference: sessions only)",
                a.sport
            ));
        }
        ref_sport => {
            let ref_sport = ref_sport.unwrap_or("unknown");
            if fit_sport(&a) != ref_sport {
                diffs.push(format!("sport {} vs {ref_sport}", fit_sport(&a)));
            }
        }
    }

    let ours_dist: Vec<f64> = a.sessions.iter().filter_map(|s| s.distance_m).collect();
    let ours_dist = (!ours_dist.is_empty()).then(|| ours_dist.iter().sum::<f64>());
    match (ours_dist, reference["total_distance_m"].as_f64()) {
        (Some(o), Some(r)) if !close(o, r, DISTANCE_REL_TOL, DISTANCE_ABS_TOL_M) => {
            diffs.push(format!("distance {o:.2} vs {r:.2}"));
        }
        (Some(_), None) | (None, Some(_)) => {
            diffs.push(format!(
                "distance {ours_dist:?} vs {}",
                reference["total_distance_m"]
            ));
        }
        _ => {}
    }
    match (a.timer_s(), reference["total_timer_time_s"].as_f64()) {
        (Some(o), Some(r)) if (o - r).abs() > TIMER_TOL_S => {
            diffs.push(format!("timer {o:.3} vs {r:.3}"));
        }
        (Some(_), None) | (None, Some(_)) => {
            diffs.push(format!(
                "timer {:?} vs {}",
                a.timer_s(),
                reference["total_timer_time_s"]
            ));
        }
        _ => {}
    }

    let r = &a.records;
    // Where the reference stopped early and we went further, its per-record statistics cover
    // a prefix of ours (or nothing): counts and means cannot be compared.
    if !stats_comparable {
        notes.push(
            "per-record statistics not compared: the reference decoded fewer records".to_string(),
        );
    }
    if stats_comparable {
        compare_stat(
            "heart_rate",
            &reference["heart_rate"],
            "mean",
            Records::mean(&r.heart_rate_bpm),
            &mut diffs,
        );
        compare_stat(
            "cadence",
            &reference["cadence"],
            "mean_rpm",
            mean_of(&cadence_rpm(&a)),
            &mut diffs,
        );
        compare_stat(
            "stance_time",
            &reference["stance_time"],
            "mean",
            Records::mean(&r.stance_time_ms),
            &mut diffs,
        );
        compare_stat(
            "vertical_oscillation",
            &reference["vertical_oscillation"],
            "mean",
            Records::mean(&r.vertical_oscillation_mm),
            &mut diffs,
        );
        compare_stat(
            "step_length",
            &reference["step_length"],
            "mean",
            Records::mean(&r.step_length_mm),
            &mut diffs,
        );
        compare_stat(
            "stance_time_balance",
            &reference["stance_time_balance"],
            "mean",
            Records::mean(&r.stance_balance_pct),
            &mut diffs,
        );
        compare_stat(
            "vertical_ratio",
            &reference["vertical_ratio"],
            "mean",
            Records::mean(&r.vertical_ratio_pct),
            &mut diffs,
        );
    }

    if !diffs.is_empty() {
        return Outcome::Differ(diffs);
    }
    let mut note = notes;
    if !ref_ok {
        note.push(format!(
            "reference failed ({}); we kept {n} records (reference {ref_records}) with a warning",
            reference["error"].as_str().unwrap_or("?")
        ));
    }
    // What the default decode adds from `hr` messages (the reference does not merge).
    if let Ok(merged) = fit::decode(bytes) {
        let before = Records::mean(&r.heart_rate_bpm).map_or(0, |m| m.1);
        let after = Records::mean(&merged.records.heart_rate_bpm).map_or(0, |m| m.1);
        if after > before {
            note.push(format!("hr merge fills {before} -> {after} records"));
        }
    }
    Outcome::Agree(note.join("; "))
}

#[test]
fn fit_decoder_agrees_with_reference_decoder() {
    let corpus = corpus();
    let Ok(entries) = std::fs::read_dir(corpus.join("reference")) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: ../shared/corpus not found ({}); the FIT reference cross-check not run",
            corpus.display()
        );
        return;
    };
    let mut refs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.to_string_lossy().ends_with(".fit.json")
                || p.to_string_lossy().ends_with(".fit.gz.json")
        })
        .collect();
    refs.sort();
    let _ = writeln!(
        std::io::stderr(),
        "ran with ../shared: the FIT reference cross-check ({} files)",
        refs.len()
    );

    let (mut agree, mut differ, mut fail, mut allowed) = (0, 0, 0, 0);
    let mut unexplained = Vec::new();
    println!("{:<70} {:<7} why", "file", "result");
    for path in &refs {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let Ok(reference) = serde_json::from_str::<Value>(&text) else {
            println!("{:<70} FAIL    reference JSON unreadable", path.display());
            fail += 1;
            unexplained.push(path.display().to_string());
            continue;
        };
        let rel = reference["file"].as_str().unwrap_or_default();
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let outcome = match read_fit(&corpus.join(rel)) {
            Ok(bytes) => check(&reference, &bytes),
            Err(e) => Outcome::Fail(format!("cannot read {rel}: {e}")),
        };
        let allow = ALLOWLIST
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, why)| *why);
        match outcome {
            Outcome::Agree(note) => {
                agree += 1;
                println!("{name:<70} agree   {note}");
            }
            Outcome::Differ(diffs) => {
                differ += 1;
                match allow {
                    Some(why) => {
                        allowed += 1;
                        println!("{name:<70} differ  {} [allowed: {why}]", diffs.join("; "));
                    }
                    None => {
                        println!("{name:<70} DIFFER  {}", diffs.join("; "));
                        unexplained.push(name.to_string());
                    }
                }
            }
            Outcome::Fail(why) => {
                fail += 1;
                println!("{name:<70} FAIL    {why}");
                if allow.is_none() {
                    unexplained.push(name.to_string());
                }
            }
        }
    }
    println!(
        "\ntotals: {} files, {agree} agree, {differ} differ ({allowed} allowlisted), {fail} fail",
        refs.len()
    );
    assert!(
        !refs.is_empty(),
        "no reference files in {}",
        corpus.display()
    );
    assert!(
        unexplained.is_empty(),
        "unexplained differences: {unexplained:?}"
    );
}
