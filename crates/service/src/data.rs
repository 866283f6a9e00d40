//! "Export all my data" and "delete all my data": the runner's whole record, out as one zip
//! or gone, for every front end alike.
//!
//! [`export_all`] writes a zip with a `README.txt` that says in plain words what each file
//! is, JSON files (settings, assessments with their answers and results, plans, check-ins,
//! the pain diary, activities with their metrics), CSV files for a spreadsheet (activities,
//! pain diary, check-ins) and `originals/`, every imported file's bytes exactly as stored.
//! It writes to any seekable writer (the CLI's private temporary file, the web app's buffer)
//! and reads the original files one at a time, so years of files are never all in memory.
//! [`delete_all`] removes every row of the athlete in one transaction (the store's
//! `delete_all`) and nothing of anyone else's. Both take an [`AthleteDb`], so neither can
//! touch another runner's data. The sentences a runner reads about either (the README, what
//! a deletion removes, the word that confirms it) are here, once, for the CLI and the web app.
//!
//! Not here: where the zip goes and whether to overwrite a file (the adapter's), and asking
//! for the confirmation (each front end asks in its own way, and checks it with
//! [`confirmed`]).

use std::collections::{HashMap, HashSet};
use std::io::{Seek, Write};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::{json, Value};

pub use hamstride_store::DataCounts;

use crate::plans::{corrupt, Now};
use crate::{AthleteDb, Error};

/// The word a runner types to confirm "delete all my data" (any case, spaces around it
/// ignored). One word for the terminal and the web app.
pub const CONFIRM_WORD: &str = "delete";

/// Whether what the runner typed confirms the deletion.
pub fn confirmed(typed: &str) -> bool {
    typed.trim().eq_ignore_ascii_case(CONFIRM_WORD)
}

/// The export's file name for a day: `hamstride-export-2026-12-05.zip`.
pub fn export_file_name(today: Date) -> String {
    format!("hamstride-export-{today}.zip")
}

/// The folder of the zip that holds the imported files.
pub const ORIGINALS_DIR: &str = "originals";

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportSummary {
    /// What the runner has stored, as exported.
    pub counts: DataCounts,
    /// Files in the zip, README included.
    pub entries: u64,
    /// Bytes of the original files written under `originals/`.
    pub original_bytes: u64,
}

/// How many rows of each kind the runner has: what [`delete_all`] would remove.
pub fn counts(db: &AthleteDb) -> Result<DataCounts, Error> {
    db.data_counts()
}

/// Delete every row the runner has: activities and their streams and metrics, the imported
/// files, assessments, plans, check-ins, the pain diary and the settings, in one
/// transaction. Returns what was deleted. The database itself stays (empty of this runner),
/// so the program keeps working; other runners in the same database keep everything.
pub fn delete_all(db: &mut AthleteDb) -> Result<DataCounts, Error> {
    db.delete_all()
}

/// What a deletion removes (or removed), one plain line per kind that has any, for the
/// confirmation the front ends show. Empty when there is nothing.
pub fn what_goes(c: &DataCounts) -> Vec<String> {
    let n = |k: i64, one: &str, many: &str| {
        (k > 0).then(|| format!("{k} {}", if k == 1 { one } else { many }))
    };
    [
        n(
            c.activities,
            "activity, with its charts and numbers",
            "activities, with their charts and numbers",
        ),
        n(c.original_files, "imported file", "imported files"),
        n(
            c.assessments,
            "assessment, with your answers",
            "assessments, with your answers",
        ),
        n(c.plans, "plan", "plans"),
        n(c.checkins, "check-in", "check-ins"),
        n(
            c.pain_entries,
            "day in the pain diary",
            "days in the pain diary",
        ),
        (c.profile > 0).then(|| "your settings (units, time zone, heart rate)".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The pain diary's columns in `pain-diary.csv`, in order.
const DIARY_COLUMNS: [&str; 9] = [
    "date",
    "during",
    "after",
    "next_morning",
    "site",
    "side",
    "sitting_min",
    "activity_id",
    "notes",
];

/// Write the runner's whole record as a zip to `out`. `now` dates the README. The writer is
/// left finished (the zip's directory written); the caller makes it permanent (a rename, a
/// response).
pub fn export_all<W: Write + Seek>(
    db: &AthleteDb,
    out: W,
    now: Now,
) -> Result<ExportSummary, Error> {
    let profile = crate::plans::profile(db)?;
    // A time zone that no longer loads must not stop the runner from getting their data out:
    // the local dates of the CSV are then UTC's, and the README says which zone was used.
    let (tz, tz_name) = match crate::training::time_zone(&profile) {
        Ok(tz) => {
            let name = tz.iana_name().unwrap_or("this computer's").to_string();
            (tz, name)
        }
        Err(_) => (TimeZone::UTC, "UTC".to_string()),
    };
    let counts = db.data_counts()?;
    let mut zip = Zip::new(out, now);

    zip.text("README.txt", &readme(now, &tz_name, &counts))?;
    zip.json(
        "settings.json",
        &serde_json::to_value(&profile).map_err(json_err)?,
    )?;

    let assessments: Vec<Value> = db
        .assessments()?
        .into_iter()
        .map(|a| {
            Ok(json!({
                "id": a.id,
                "created": utc(a.created_ms),
                "knowledge_base_version": a.kb_version,
                "condition": a.condition,
                "triage": a.triage,
                "answers": stored_json("assessment answers", &a.findings)?,
                "result": stored_json("assessment result", &a.result)?,
            }))
        })
        .collect::<Result<_, Error>>()?;
    zip.json("assessments.json", &Value::Array(assessments))?;

    let mut plans = Vec::new();
    let mut checkins = Vec::new();
    let mut checkin_rows = Vec::new();
    let mut plan_rows = db.plan_rows()?;
    plan_rows.sort_by_key(|(p, _)| p.id);
    for (p, active) in plan_rows {
        plans.push(json!({
            "id": p.id,
            "assessment_id": p.assessment_id,
            "created": utc(p.created_ms),
            "active": active,
            "check_ins_applied": p.version,
            "state": stored_json("plan", &p.state)?,
        }));
        for c in db.checkins(p.id)? {
            let entry = stored_json("check-in", &c.entry)?;
            let decision = stored_json("check-in decision", &c.decision)?;
            checkin_rows.push(checkin_csv_row(&c.day, p.id, &entry, &decision));
            checkins.push(json!({
                "id": c.id,
                "plan_id": c.plan_id,
                "created": utc(c.created_ms),
                "date": c.day,
                "answers": entry,
                "decision": decision,
            }));
        }
    }
    zip.json("plans.json", &Value::Array(plans))?;
    zip.json("check-ins.json", &Value::Array(checkins))?;
    zip.csv(
        "check-ins.csv",
        &[
            "date",
            "plan_id",
            "pain_during",
            "pain_after",
            "pain_morning",
            "done",
            "criteria_met",
            "warning_signs_checked",
            "note",
            "decision",
        ],
        checkin_rows,
    )?;

    let diary = db.pain_entries()?;
    let mut diary_json = Vec::new();
    let mut diary_rows = Vec::new();
    for r in &diary {
        let entry = stored_json("pain diary entry", &r.entry)?;
        diary_rows.push(
            DIARY_COLUMNS
                .iter()
                .map(|k| match *k {
                    "date" => r.day.clone(),
                    k => cell(entry.get(k)),
                })
                .collect(),
        );
        diary_json.push(json!({
            "id": r.id,
            "date": r.day,
            "written": utc(r.created_ms),
            "activity_id": r.activity_id,
            "check_in_id": r.checkin_id,
            "entry": entry,
        }));
    }
    zip.json("pain-diary.json", &Value::Array(diary_json))?;
    zip.csv("pain-diary.csv", &DIARY_COLUMNS, diary_rows)?;

    // Original files first in memory only as names: each one's bytes are read, written and
    // dropped in turn below.
    let originals = db.originals()?;
    let mut names = Names::default();
    let mut name_of: HashMap<i64, String> = HashMap::new();
    for o in &originals {
        let name = names.unique(&original_name(o));
        name_of.insert(o.id, format!("{ORIGINALS_DIR}/{name}"));
    }

    let metrics: HashMap<i64, Value> = db
        .all_metrics()?
        .into_iter()
        .map(|m| {
            Ok((
                m.activity_id,
                json!({"version": m.version, "data": stored_json("metrics", &m.data)?}),
            ))
        })
        .collect::<Result<_, Error>>()?;
    let activities = db.activity_rows()?;
    let file_of = db.activity_originals()?;
    let mut act_json = Vec::new();
    let mut act_rows = Vec::new();
    for a in &activities {
        let file = file_of.get(&a.id).and_then(|o| name_of.get(o)).cloned();
        let local = a
            .start_ms
            .and_then(|ms| crate::training::local_date(ms, &tz));
        act_rows.push(vec![
            a.id.to_string(),
            local.map(|d| d.to_string()).unwrap_or_default(),
            a.start_ms.map(utc).unwrap_or_default(),
            a.sport.clone(),
            a.sub_sport.clone().unwrap_or_default(),
            a.name.clone().unwrap_or_default(),
            num(a.distance_m),
            num(a.timer_s),
            num(a.elapsed_s),
            num(a.avg_heart_rate),
            num(a.perceived_exertion),
            a.external_type.clone().unwrap_or_default(),
            a.format.clone(),
            a.source_path.clone(),
            file.clone().unwrap_or_default(),
        ]);
        let mut v = serde_json::to_value(a).map_err(json_err)?;
        if let Value::Object(m) = &mut v {
            m.insert("start".into(), a.start_ms.map(utc).into());
            m.insert("original_file".into(), file.into());
            m.insert(
                "metrics".into(),
                metrics.get(&a.id).cloned().unwrap_or(Value::Null),
            );
        }
        act_json.push(v);
    }
    zip.json("activities.json", &Value::Array(act_json))?;
    zip.csv(
        "activities.csv",
        &[
            "id",
            "date",
            "start_utc",
            "sport",
            "sub_sport",
            "name",
            "distance_m",
            "duration_s",
            "elapsed_s",
            "avg_heart_rate",
            "perceived_effort",
            "sport_as_recorded",
            "format",
            "imported_from",
            "original_file",
        ],
        act_rows,
    )?;

    let mut files = Vec::new();
    let mut original_bytes = 0u64;
    for o in &originals {
        let name = name_of.get(&o.id).cloned().unwrap_or_default();
        let bytes = db.original_bytes(o.id)?.ok_or_else(|| {
            corrupt(
                "original file",
                format!("file {} disappeared during the export", o.id),
            )
        })?;
        original_bytes += bytes.len() as u64;
        // Deflate what is not already compressed (GPX and TCX are text and shrink a lot).
        zip.file(&name, &bytes, o.encoding != "gzip")?;
        files.push(json!({
            "file": name,
            "format": o.format,
            "stored_as": if o.encoding == "gzip" { "gzip" } else { "as imported" },
            "size_unpacked": o.size,
            "imported_from": o.source_path,
            "copy_of_activity": o.duplicate_of,
        }));
    }
    zip.json("original-files.json", &Value::Array(files))?;
    let entries = zip.entries;
    // The writer may buffer: flushed here, so a full disk is an error and not a short zip.
    zip.finish()?.flush().map_err(io_err)?;
    Ok(ExportSummary {
        counts,
        entries,
        original_bytes,
    })
}

/// The README of the zip: what each file is, in plain words.
fn readme(now: Now, tz_name: &str, c: &DataCounts) -> String {
    let when = utc(now.ms);
    format!(
        "Your hamstride data
===================

Made on {when} (UTC). Everything hamstride kept about you is in this zip.
It holds health information: keep it somewhere private.

What is here
------------

README.txt           This file.
settings.json        Your settings: units, time zone, heart rate.
assessments.json     Each time you answered the questions ({assessments}): your answers
                     and the result you were shown.
plans.json           Your plans ({plans}), with where each one had got to.
check-ins.json       Your check-ins ({checkins}): your answers and what the plan decided.
check-ins.csv        The same check-ins as a table, one row each.
pain-diary.json      Your pain diary ({pain} days).
pain-diary.csv       The same diary as a table, one row per day. Pain is 0 to 10.
activities.json      Your runs and other activities ({activities}), with the numbers
                     hamstride worked out for each one.
activities.csv       The same activities as a table, one row each. Distances are in
                     metres (distance_m) and times in seconds (duration_s is the time
                     moving, elapsed_s the time from start to finish). The date is the
                     day in your time zone ({tz_name}); start_utc is the start in UTC.
original-files.json  A list of the files in the originals folder and where each came from.
originals/           Every file you imported ({originals}), byte for byte as hamstride
                     keeps it. Files that hamstride keeps packed (gzip) stay packed and end
                     in .gz: any unzip tool opens them. Files whose name hamstride did not
                     keep are named after their format, for example file-12.fit; a file that
                     was a second copy of a run you already had is named copy-of-activity-7.gpx
                     after the run it copies. When two files had the same name, the later
                     one has a number added, like run (2).fit.

The .json files are for programs. The .csv files open in a spreadsheet.
Times in the .json files are in UTC.
",
        assessments = c.assessments,
        plans = c.plans,
        checkins = c.checkins,
        pain = c.pain_entries,
        activities = c.activities,
        originals = c.original_files,
    )
}

/// The name an original file is exported under (before making it unique): the last part of
/// the path it was imported from, made safe, or a name from its id and format.
fn original_name(o: &hamstride_store::OriginalRow) -> String {
    let from_path = o
        .source_path
        .as_deref()
        .and_then(|p| p.rsplit(['/', '\\', '!']).next())
        .map(safe_name)
        .filter(|n| !n.is_empty());
    let ext = safe_name(&o.format);
    let mut name = from_path.unwrap_or_else(|| match o.duplicate_of {
        Some(a) => format!("copy-of-activity-{a}.{ext}"),
        None => format!("file-{}.{ext}", o.id),
    });
    if o.encoding == "gzip" && !name.to_ascii_lowercase().ends_with(".gz") {
        name.push_str(".gz");
    }
    name
}

/// A file name that is safe in any zip tool and file system: letters, digits, `.`, `-`,
/// `_`, spaces, `(` and `)` kept, anything else (slashes, `..` paths, control characters)
/// replaced by `_`, no leading dot or space, at most 100 characters.
fn safe_name(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    kept.trim_start_matches(['.', ' ']).trim_end().to_string()
}

/// Names already given in one folder of the zip; a repeat gets " (2)", " (3)" before its
/// extension (`run (2).fit.gz`). Compared without case, as Windows and macOS do.
#[derive(Default)]
struct Names {
    used: HashSet<String>,
}

impl Names {
    fn unique(&mut self, name: &str) -> String {
        let (stem, ext) = match name.find('.') {
            Some(0) | None => (name, ""),
            Some(i) => name.split_at(i),
        };
        let mut candidate = name.to_string();
        let mut n = 2;
        while !self.used.insert(candidate.to_lowercase()) {
            candidate = format!("{stem} ({n}){ext}");
            n += 1;
        }
        candidate
    }
}

/// A check-in as a CSV row: its answers and the plan's verdict.
fn checkin_csv_row(day: &str, plan_id: i64, entry: &Value, decision: &Value) -> Vec<String> {
    vec![
        day.to_string(),
        plan_id.to_string(),
        cell(entry.get("pain_during")),
        cell(entry.get("pain_after")),
        cell(entry.get("pain_morning")),
        cell(entry.get("done")),
        cell(entry.get("criteria")),
        cell(entry.get("screened")),
        cell(entry.get("note")),
        cell(decision.get("verdict")),
    ]
}

/// One CSV cell of a JSON value: empty for none, a list joined by "; ".
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| cell(Some(i)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A UTC instant as RFC 3339 (`2026-12-05T16:13:14Z`); the number itself when out of range.
fn utc(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// Stored JSON back as a value (the export shows it as JSON, not as a string of JSON).
fn stored_json(what: &str, text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| corrupt(&format!("stored {what}"), e))
}

fn json_err(e: serde_json::Error) -> Error {
    Error::Export(format!("writing JSON: {e}"))
}

/// The zip being written, counting its entries.
struct Zip<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
    entries: u64,
    /// Every entry's time: the export's (UTC; a zip stores no zone), not 1980.
    time: zip::DateTime,
}

impl<W: Write + Seek> Zip<W> {
    fn new(out: W, now: Now) -> Self {
        let time = Timestamp::from_millisecond(now.ms)
            .ok()
            .map(|t| t.to_zoned(TimeZone::UTC).datetime())
            .and_then(|d| {
                zip::DateTime::from_date_and_time(
                    u16::try_from(d.year()).ok()?,
                    u8::try_from(d.month()).ok()?,
                    u8::try_from(d.day()).ok()?,
                    u8::try_from(d.hour()).ok()?,
                    u8::try_from(d.minute()).ok()?,
                    u8::try_from(d.second()).ok()?,
                )
                .ok()
            })
            .unwrap_or_default();
        Zip {
            zip: zip::ZipWriter::new(out),
            entries: 0,
            time,
        }
    }

    fn start(&mut self, name: &str, deflate: bool) -> Result<(), Error> {
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(self.time)
            .unix_permissions(0o600);
        self.zip.start_file(name, options).map_err(zip_err)?;
        self.entries += 1;
        Ok(())
    }

    fn file(&mut self, name: &str, bytes: &[u8], deflate: bool) -> Result<(), Error> {
        self.start(name, deflate)?;
        self.zip.write_all(bytes).map_err(io_err)
    }

    fn text(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.file(name, text.as_bytes(), true)
    }

    fn json(&mut self, name: &str, v: &Value) -> Result<(), Error> {
        self.start(name, true)?;
        serde_json::to_writer_pretty(&mut self.zip, v).map_err(json_err)?;
        self.zip.write_all(b"\n").map_err(io_err)
    }

    fn csv(&mut self, name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Result<(), Error> {
        self.start(name, true)?;
        let mut w = csv::Writer::from_writer(&mut self.zip);
        w.write_record(header).map_err(csv_err)?;
        for r in rows {
            w.write_record(&r).map_err(csv_err)?;
        }
        w.flush().map_err(io_err)
    }

    fn finish(self) -> Result<W, Error> {
        self.zip.finish().map_err(zip_err)
    }
}

fn zip_err(e: zip::result::ZipError) -> Error {
    Error::Export(format!("writing the zip: {e}"))
}

fn io_err(e: std::io::Error) -> Error {
    Error::Export(format!("writing the zip: {e}"))
}

fn csv_err(e: csv::Error) -> Error {
    Error::Export(format!("writing a table: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_unique() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name(".hidden.fit"), "hidden.fit");
        assert_eq!(safe_name("a\u{0}b\nc.gpx"), "a_b_c.gpx");
        assert_eq!(safe_name("Morning Run (1).fit"), "Morning Run (1).fit");
        let mut n = Names::default();
        assert_eq!(n.unique("run.fit.gz"), "run.fit.gz");
        assert_eq!(n.unique("RUN.fit.gz"), "RUN (2).fit.gz");
        assert_eq!(n.unique("run.fit.gz"), "run (3).fit.gz");
        assert_eq!(n.unique("README"), "README");
        assert_eq!(n.unique("README"), "README (2)");
    }

    #[test]
    fn the_name_comes_from_the_last_part_of_the_path() {
        let row =
            |path: Option<&str>, encoding: &str, dup: Option<i64>| hamstride_store::OriginalRow {
                id: 12,
                encoding: encoding.into(),
                format: "fit".into(),
                size: 1,
                source_path: path.map(str::to_string),
                duplicate_of: dup,
            };
        assert_eq!(
            original_name(&row(Some("export.zip!activities/1.fit.gz"), "gzip", None)),
            "1.fit.gz"
        );
        assert_eq!(
            original_name(&row(Some("C:\\runs\\a.fit"), "raw", None)),
            "a.fit"
        );
        assert_eq!(
            original_name(&row(Some("x/.."), "raw", None)),
            "file-12.fit"
        );
        assert_eq!(
            original_name(&row(None, "raw", Some(7))),
            "copy-of-activity-7.fit"
        );
        assert_eq!(original_name(&row(None, "gzip", None)), "file-12.fit.gz");
    }

    #[test]
    fn confirmation_is_the_word_in_any_case() {
        assert!(confirmed(" DELETE "));
        assert!(confirmed("delete"));
        assert!(!confirmed("delet"));
        assert!(!confirmed(""));
        assert!(!confirmed("yes"));
    }

    #[test]
    fn what_goes_names_only_what_there_is() {
        assert!(what_goes(&DataCounts::default()).is_empty());
        let c = DataCounts {
            activities: 1,
            pain_entries: 3,
            ..DataCounts::default()
        };
        assert_eq!(
            what_goes(&c),
            [
                "1 activity, with its charts and numbers",
                "3 days in the pain diary"
            ]
        );
    }
}
