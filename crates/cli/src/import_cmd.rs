//! `hamstride import` and `hamstride activities`: the terminal side of importing watch data.
//!
//! Draws a progress bar on a terminal (never into a pipe), prints the summary a runner reads
//! at a glance (or the JSON a script reads), and lists what is stored. All the work happens in
//! `hamstride_service::import`; this file only talks to the person.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use hamstride_service::import::{self, ImportOptions, ImportReport, ImportSource};
use hamstride_service::view::words;
use hamstride_service::DbOptions;

use crate::safe::terminal;
use crate::{exit, fail, open_db, Format, Units};

/// How many example paths the text summary shows per skip reason.
const EXAMPLES_PER_REASON: usize = 3;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub fn import(
    db: &DbOptions,
    paths: &[PathBuf],
    format: Format,
    verbose: bool,
    threads: usize,
) -> Result<ExitCode> {
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let opts = ImportOptions {
        threads,
        now_ms: now_ms(),
        ..ImportOptions::default()
    };
    let started = Instant::now();
    let mut last = Instant::now();
    let sources = paths.iter().cloned().map(ImportSource::Path).collect();
    let result = import::run(&mut store, sources, &opts, &mut |p| {
        // Redrawing per file would cost more than decoding a small file.
        if last.elapsed() >= Duration::from_millis(100) {
            last = Instant::now();
            bar.set_length(p.bytes_total);
            bar.set_position(p.bytes_done.min(p.bytes_total));
            bar.set_message(format!(
                "{} new, {} already there, {} skipped",
                p.imported, p.duplicates, p.skipped
            ));
        }
    });
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        // The service's message says what happened, what was kept and what to do.
        Err(e) => return crate::plan_cmd::service_fail(e),
    };
    let secs = started.elapsed().as_secs_f64();
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "imported": report.imported,
                "duplicates": report.duplicates,
                "skipped": report.skipped,
                "warnings": report.warnings,
                "index_rows_joined": report.index_rows_joined,
                "decoded_bytes": report.decoded_bytes,
                "seconds": (secs * 1000.0).round() / 1000.0,
                "database": store.place(),
            });
            jsonln!(&v);
        }
        Format::Text => print_summary(&report, secs, &store.place(), verbose)?,
    }
    Ok(ExitCode::from(outcome_code(&report)))
}

/// The exit code of a finished import: 0 when nothing failed (files that are simply not
/// activities, such as photos, do not count), 3 when files failed and none was imported or
/// already there, 6 ("partly done") when some failed and others went in.
fn outcome_code(r: &ImportReport) -> u8 {
    let failed = r.skipped.iter().any(|s| s.is_failure());
    match (failed, r.imported + r.duplicates) {
        (false, _) => 0,
        (true, 0) => exit::BAD_INPUT,
        (true, _) => exit::PARTLY_DONE,
    }
}

/// The summary a runner reads: plain reasons only, unless `verbose` asks for the technical
/// detail of each file too.
fn print_summary(r: &ImportReport, secs: f64, db: &str, verbose: bool) -> std::io::Result<()> {
    let mb = r.decoded_bytes as f64 / 1e6;
    outln!(
        "Imported {} new {}, {} already in your database, {} skipped  ({:.1} MB in {:.1} s)",
        r.imported,
        if r.imported == 1 {
            "activity"
        } else {
            "activities"
        },
        r.duplicates,
        r.skipped.len(),
        mb,
        secs
    );
    if r.index_rows_joined > 0 {
        outln!(
            "Names and effort joined from activities.csv for {} {}.",
            r.index_rows_joined,
            if r.index_rows_joined == 1 {
                "activity"
            } else {
                "activities"
            }
        );
    }
    if !r.warnings.is_empty() {
        let mut files: Vec<&str> = r.warnings.iter().map(|w| w.path.as_str()).collect();
        files.dedup();
        outln!(
            "\n{} {} imported with repairs (what could be read was kept):",
            files.len(),
            if files.len() == 1 { "file" } else { "files" }
        );
        // Without --verbose two warnings of one code read the same, so a file says each
        // sentence once; --verbose tells them apart by their detail.
        let mut shown: Vec<&hamstride_service::import::Warning> = Vec::new();
        for w in &r.warnings {
            let same =
                |s: &&hamstride_service::import::Warning| s.path == w.path && s.code == w.code;
            if verbose || !shown.iter().any(same) {
                shown.push(w);
            }
        }
        for w in shown.iter().take(10) {
            outln!("  {}: {}", terminal(&w.path), terminal(&w.warning));
            if verbose {
                outln!("      ({})", terminal(&w.detail));
            }
        }
        if shown.len() > 10 {
            outln!(
                "  … and {} more (--format json lists all)",
                shown.len() - 10
            );
        }
    }
    if !r.skipped.is_empty() {
        outln!("\nSkipped:");
        for (reason, files) in import::skipped_by_reason(&r.skipped) {
            outln!("  {} × {}", files.len(), terminal(&reason));
            // Verbose lists every file, each with what exactly went wrong.
            let shown = if verbose {
                files.len()
            } else {
                EXAMPLES_PER_REASON
            };
            for s in files.iter().take(shown) {
                outln!("      {}", terminal(&s.path));
                if verbose {
                    outln!("          ({})", terminal(&s.detail));
                }
            }
            if files.len() > shown {
                outln!(
                    "      … and {} more (--verbose lists all)",
                    files.len() - shown
                );
            }
        }
    }
    outln!("\nDatabase: {db}");
    Ok(())
}

/// `units` None: the profile's, else km.
pub fn activities(db: &DbOptions, format: Format, units: Option<Units>) -> Result<ExitCode> {
    let store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let profile = hamstride_service::plans::profile(&store).ok();
    let units = Units::or_profile(units, profile.as_ref().and_then(|p| p.units.as_deref()));
    let rows = match store.activities() {
        Ok(r) => r,
        Err(e) => return fail(exit::STORE, e),
    };
    if format == Format::Json {
        jsonln!(&rows);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        outln!("No activities yet. Import some with: hamstride import PATH");
        return Ok(ExitCode::SUCCESS);
    }
    let unit = units.name();
    outln!(
        "{:>6}  {:<16}  {:<10}  {:>8}  {:>8}  {:>6}  name",
        "id",
        "start (UTC)",
        "sport",
        unit,
        "time",
        "avg HR"
    );
    for r in &rows {
        let start = r
            .start_ms
            .map_or_else(|| "?".to_string(), words::utc_minute);
        let dist = r
            .distance_m
            .map_or_else(|| "-".into(), |d| format!("{:.2}", units.of_metres(d)));
        let time = r
            .timer_s
            .or(r.elapsed_s)
            .map_or_else(|| "-".into(), words::hms);
        let hr = r
            .avg_heart_rate
            .map_or_else(|| "-".into(), |h| format!("{h:.0}"));
        outln!(
            "{:>6}  {:<16}  {:<10}  {:>8}  {:>8}  {:>6}  {}",
            r.id,
            start,
            terminal(&r.sport),
            dist,
            time,
            hr,
            terminal(r.name.as_deref().unwrap_or(""))
        );
    }
    outln!(
        "{} {}",
        rows.len(),
        if rows.len() == 1 {
            "activity"
        } else {
            "activities"
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_format_correctly() {
        assert_eq!(words::utc_minute(0), "1970-01-01 00:00");
        assert_eq!(words::utc_minute(1_472_293_459_000), "2016-08-27 10:24");
        assert_eq!(words::utc_minute(951_782_400_000), "2000-02-29 00:00");
        assert_eq!(words::hms(3_725.4), "1:02:05");
    }
}
