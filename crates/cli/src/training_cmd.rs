//! `hamstride pain`, `status` and `report`: the pain diary, this week at a glance in the
//! terminal, and the HTML report for the runner and their physio. Thin: the service gathers
//! and computes, this file only asks, prints and picks exit codes. Metrics of activities
//! imported before they existed (or by an older version) are recomputed first, with a
//! progress bar when there are many.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use hamstride_service::plans::Now;
use hamstride_service::training::{self, PainInput, Training};
use hamstride_service::view::{words, Level};
use hamstride_service::{AthleteDb, DbOptions, Service};
use inquire::error::InquireError;
use inquire::{Select, Text};
use jiff::civil::Date;
use serde::Serialize;

use crate::checkin_prompt::{number_or_skip, pain};
use crate::plan_cmd::service_fail;
use crate::{open_db, Format, Units};

/// A bar for recomputing training metrics, shown on a terminal when it takes a while, and
/// cleared when dropped.
#[derive(Default)]
struct MetricsBar {
    bar: Option<indicatif::ProgressBar>,
}

impl MetricsBar {
    fn tick(&mut self, done: usize, total: usize) {
        if total < 50 || !std::io::stderr().is_terminal() {
            return;
        }
        let b = self.bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "computing training metrics {bar:30} {pos}/{len} activities",
            ) {
                b.set_style(style);
            }
            b
        });
        b.set_position(done as u64);
    }
}

impl Drop for MetricsBar {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Recompute stale metrics, showing a bar on a terminal when it takes a while.
fn refresh(store: &mut AthleteDb) -> Result<(), hamstride_service::Error> {
    let mut bar = MetricsBar::default();
    training::refresh_metrics(store, &mut |done, total| bar.tick(done, total))?;
    Ok(())
}

/// Open the store, bring metrics up to date and gather the training picture.
fn gather(db: &DbOptions, now: Now) -> std::result::Result<(Service, Training), Result<ExitCode>> {
    let service = Service::new().map_err(service_fail)?;
    let mut store = open_db(db)?;
    refresh(&mut store).map_err(service_fail)?;
    let t = service.training(&store, now).map_err(service_fail)?;
    Ok((service, t))
}

/// Arguments of `hamstride pain`.
#[derive(Debug)]
pub struct PainArgs {
    pub input: PainInput,
    /// "last" or an activity id.
    pub run: Option<String>,
    /// `--date`, resolved against the runner's today once the store is open.
    pub date: Option<crate::dates::DateArg>,
    pub format: Format,
}

/// `hamstride pain ...`: log one entry (asking on a terminal when no score was given).
pub fn log(db: &DbOptions, mut args: PainArgs) -> Result<ExitCode> {
    let service = match Service::new() {
        Ok(s) => s,
        Err(e) => return service_fail(e),
    };
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(d) = args.date {
        args.input.date = Some(match service.today(&store, Now::system()) {
            Ok(today) => d.resolve(today),
            Err(e) => return service_fail(e),
        });
    }
    if let Some(run) = &args.run {
        args.input.activity_id = match run.as_str() {
            "last" => match training::last_run(&store) {
                Ok(Some(id)) => Some(id),
                Ok(None) => {
                    return crate::fail(
                        crate::exit::BAD_INPUT,
                        "run: there are no runs yet (import them with `hamstride import`)",
                    )
                }
                Err(e) => return service_fail(e),
            },
            other => match other.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    return crate::fail(
                        crate::exit::BAD_INPUT,
                        format!("run: '{other}' is not an activity id or \"last\""),
                    )
                }
            },
        };
    }
    let i = &args.input;
    let nothing = i.during.is_none()
        && i.after.is_none()
        && i.next_morning.is_none()
        && i.sitting_min.is_none();
    if nothing && std::io::stdin().is_terminal() {
        match ask(&service, &mut args.input) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("hamstride: cancelled, nothing recorded");
                return Ok(ExitCode::from(crate::exit::STOPPED));
            }
            Err(e) => return Err(e),
        }
    }
    match service.log_pain(&mut store, &args.input, Now::system()) {
        Ok(logged) => {
            if args.format == Format::Json {
                jsonln!(&logged);
            } else {
                let (rec, e) = (&logged.record, &logged.record.entry);
                let mut parts = Vec::new();
                if let Some(v) = e.during {
                    parts.push(format!("during {v}/10"));
                }
                if let Some(v) = e.after {
                    parts.push(format!("after {v}/10"));
                }
                if let Some(v) = e.next_morning {
                    parts.push(format!("next morning {v}/10"));
                }
                if let Some(v) = e.sitting_min {
                    parts.push(format!("sitting {v} min"));
                }
                let day = e.date.strftime("%a %-d %b %Y");
                // One row per day: say so when this filled in a row the day already had.
                if logged.updated {
                    outln!(
                        "Updated pain entry {} for {day} (one entry per day): now {}.",
                        rec.id,
                        parts.join(", ")
                    );
                } else {
                    outln!(
                        "Recorded pain entry {} for {day}: {}.",
                        rec.id,
                        parts.join(", ")
                    );
                }
                outln!("See how it relates to your training with `hamstride status` or `hamstride report`.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => service_fail(e),
    }
}

fn ask(service: &Service, i: &mut PainInput) -> Result<bool> {
    match ask_inner(service, i) {
        Ok(()) => Ok(true),
        Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn ask_inner(service: &Service, i: &mut PainInput) -> Result<(), InquireError> {
    outln!(
        "Pain diary (one entry per day: a day you already logged is updated). Enter skips a \
         question; Esc cancels and records nothing.\n"
    );
    i.during = pain("Pain during running or activity today (0-10)?")?;
    i.after = pain("Pain straight after (0-10)?")?;
    i.next_morning = pain("Pain the next morning (0-10)? (for an entry about yesterday)")?;
    i.sitting_min = number_or_skip(
        "How long can you sit comfortably, in minutes?",
        0,
        1440,
        "0 to 1440 minutes, or Enter to skip; Esc cancels",
    )?;
    let choose = "arrows to choose, Enter to pick; Esc cancels";
    let mut sites = vec!["(skip)".to_string()];
    sites.extend(training::pain_sites(service));
    let s = Select::new("Where is the pain?", sites)
        .with_help_message(choose)
        .prompt()?;
    if s != "(skip)" {
        i.site = Some(s);
    }
    let sides = vec!["(skip)", "left", "right", "both"];
    let s = Select::new("Which side?", sides)
        .with_help_message(choose)
        .prompt()?;
    if s != "(skip)" {
        i.side = Some(s.to_string());
    }
    let notes = Text::new("Notes?")
        .with_help_message("any text, or Enter to skip; Esc cancels")
        .prompt()?;
    i.notes = Some(notes).filter(|n| !n.trim().is_empty());
    Ok(())
}

/// `hamstride pain list`.
pub fn list(db: &DbOptions, format: Format) -> Result<ExitCode> {
    let store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let diary = match training::pain_diary(&store) {
        Ok(d) => d,
        Err(e) => return service_fail(e),
    };
    if format == Format::Json {
        jsonln!(&diary);
        return Ok(ExitCode::SUCCESS);
    }
    if diary.is_empty() {
        outln!(
            "No pain entries yet. Log one with `hamstride pain --during 2 --after 1` (see --help)."
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{:>4}  {:<15} {:>6} {:>5} {:>7} {:>7}  {:<17} notes",
        "id",
        "day",
        "during",
        "after",
        "morning",
        "sitting",
        "where"
    );
    let n = |v: Option<u8>| v.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
    for r in &diary {
        let e = &r.entry;
        let place = match (&e.site, e.side) {
            (Some(s), Some(side)) => format!("{s} ({})", side.as_str()),
            (Some(s), None) => s.clone(),
            (None, Some(side)) => side.as_str().to_string(),
            (None, None) => "-".into(),
        };
        outln!(
            "{:>4}  {:<15} {:>6} {:>5} {:>7} {:>7}  {:<17} {}",
            r.id,
            e.date.strftime("%a %-d %b %Y").to_string(),
            n(e.during),
            n(e.after),
            n(e.next_morning),
            e.sitting_min
                .map(|m| format!("{m} min"))
                .unwrap_or_else(|| "-".into()),
            crate::safe::terminal(&place),
            crate::safe::terminal(e.notes.as_deref().unwrap_or(""))
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `hamstride pain delete ID`.
pub fn delete(db: &DbOptions, id: i64) -> Result<ExitCode> {
    let service = match Service::new() {
        Ok(s) => s,
        Err(e) => return service_fail(e),
    };
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match service.delete_pain(&mut store, id) {
        Ok(()) => {
            outln!("Deleted pain entry {id}.");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => service_fail(e),
    }
}

/// Units for display: the flag, else the profile's.
fn pick_units(flag: Option<Units>, t: &Training) -> Units {
    Units::or_profile(flag, Some(&t.units))
}

fn dist(m: f64, u: Units) -> f64 {
    u.of_metres(m)
}

/// Eight-level bars for a series, on a 0..`max` scale (pain 0-10), or scaled to the largest
/// value when `max` is None. Missing (NaN) values and an all-zero series are blanks.
pub fn sparkline(values: &[f64], max: Option<f64>) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = max.unwrap_or_else(|| {
        values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
    });
    values
        .iter()
        .map(|&v| {
            if !v.is_finite() || max <= 0.0 {
                ' '
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

/// What `status --format json` prints.
#[derive(Debug, Serialize)]
struct StatusJson<'a> {
    today: Date,
    units: &'static str,
    week: WeekJson,
    days: Vec<DayJson>,
    weekly_distance: Vec<(Date, f64)>,
    weekly_morning_pain: Vec<(Date, Option<f64>)>,
    flags: Vec<FlagJson<'a>>,
    acwr: Option<&'a hamstride_service::view::AcwrPoint>,
    form_changes: Vec<String>,
    plan: Option<&'a (String, String)>,
    /// The adherence summary sentence, as before, and the typed check behind it.
    adherence: Option<String>,
    adherence_check: Option<&'a hamstride_service::view::Adherence>,
    /// The diary's findings as sentences, as before, and typed (code and numbers).
    pain_summary: Vec<String>,
    pain_notes: &'a [hamstride_service::view::PainNote],
}

/// A flag in JSON: its code, grade and numbers (SI units), plus the sentence the terminal
/// shows, in the chosen units.
#[derive(Debug, Serialize)]
struct FlagJson<'a> {
    #[serde(flatten)]
    flag: &'a hamstride_service::view::Flag,
    text: String,
}

#[derive(Debug, Serialize)]
struct WeekJson {
    start: Date,
    runs: u32,
    distance: f64,
    longest: f64,
    high_speed_distance: f64,
    strides: u32,
    ascent_m: f64,
}

#[derive(Debug, Serialize)]
struct DayJson {
    date: Date,
    distance: f64,
    runs: u32,
    morning_pain: Option<u8>,
}

/// `hamstride status`: this week at a glance. The numbers come from the service
/// (`Service::status`); this only converts units and lays them out.
pub fn status(db: &DbOptions, units: Option<Units>, format: Format) -> Result<ExitCode> {
    let service = match Service::new() {
        Ok(s) => s,
        Err(e) => return service_fail(e),
    };
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut bar = MetricsBar::default();
    let st = match service.status(&mut store, Now::system(), &mut |d, t| bar.tick(d, t)) {
        Ok(s) => s,
        Err(e) => return service_fail(e),
    };
    drop(bar);
    let u = Units::or_profile(units, Some(st.units.as_str()));
    let days: Vec<DayJson> = st
        .days
        .iter()
        .map(|d| DayJson {
            date: d.date,
            distance: round1(dist(d.distance_m, u)),
            runs: d.runs,
            morning_pain: d.morning_pain,
        })
        .collect();
    let w = &st.week;
    let week = WeekJson {
        start: w.start,
        runs: w.runs,
        distance: round1(dist(w.distance_m, u)),
        longest: round1(dist(w.longest_m, u)),
        high_speed_distance: round1(dist(w.high_speed_m, u)),
        strides: w.strides,
        ascent_m: w.ascent_m.round(),
    };
    let weekly_distance: Vec<(Date, f64)> = st
        .weeks
        .iter()
        .map(|w| (w.start, round1(dist(w.distance_m, u))))
        .collect();
    let weekly_pain: Vec<(Date, Option<f64>)> = st
        .weeks
        .iter()
        .map(|w| (w.start, w.morning_pain.map(round1)))
        .collect();
    let form_changes: Vec<String> = st
        .form_changes
        .iter()
        .map(|m| words::form_metric(m, &st.form))
        .collect();
    if format == Format::Json {
        let s = StatusJson {
            today: st.today,
            units: u.name(),
            week,
            days,
            weekly_distance,
            weekly_morning_pain: weekly_pain,
            flags: st
                .flags
                .iter()
                .map(|f| FlagJson {
                    flag: f,
                    text: words::flag(f, u.words()),
                })
                .collect(),
            acwr: st.acwr.as_ref(),
            form_changes,
            plan: st.plan.as_ref(),
            adherence: st.adherence.as_ref().map(words::adherence_summary),
            adherence_check: st.adherence.as_ref(),
            pain_summary: st.pain_notes.iter().map(words::pain_note).collect(),
            pain_notes: &st.pain_notes,
        };
        jsonln!(&s);
        return Ok(ExitCode::SUCCESS);
    }
    let un = u.name();
    outln!(
        "This week (from {}), today {}",
        w.start.strftime("%a %-d %b"),
        st.today.strftime("%a %-d %b %Y")
    );
    let mut head = String::from("             ");
    let mut km = format!("  {un:<10} ");
    let mut pain = String::from("  pain (am)  ");
    for d in &days {
        head.push_str(&format!("{:>6}", d.date.strftime("%a").to_string()));
        km.push_str(&if d.runs > 0 {
            format!("{:>6.1}", d.distance)
        } else if d.date > st.today {
            format!("{:>6}", "")
        } else {
            format!("{:>6}", "·")
        });
        pain.push_str(&match d.morning_pain {
            Some(p) => format!("{p:>6}"),
            None => format!("{:>6}", ""),
        });
    }
    outln!("{head}\n{km}");
    if days.iter().any(|d| d.morning_pain.is_some()) {
        outln!("{pain}");
    }
    outln!(
        "  {} run{}, {:.1} {un}, longest {:.1} {un}; fast running {:.1} {un}, {} stride{}; {:.0} {} climbed",
        week.runs,
        if week.runs == 1 { "" } else { "s" },
        week.distance,
        week.longest,
        week.high_speed_distance,
        week.strides,
        if week.strides == 1 { "" } else { "s" },
        u.words().elev(week.ascent_m),
        u.words().elev_unit()
    );
    let recent_runs = weekly_distance.iter().any(|x| x.1 > 0.0);
    if let (false, Some((date, metres))) = (recent_runs, st.latest_run) {
        outln!(
            "\nNo runs in the last 12 weeks; your latest was on {} ({:.1} {un}).",
            date.strftime("%a %-d %b %Y"),
            dist(metres, u)
        );
    } else if !weekly_distance.is_empty() {
        let v: Vec<f64> = weekly_distance.iter().map(|x| x.1).collect();
        outln!(
            "\nLast {} weeks, {un}   {}   ({:.0} → {:.0})",
            v.len(),
            sparkline(&v, None),
            v.first().copied().unwrap_or(0.0),
            v.last().copied().unwrap_or(0.0)
        );
        if weekly_pain.iter().any(|x| x.1.is_some()) {
            let p: Vec<f64> = weekly_pain
                .iter()
                .map(|x| x.1.unwrap_or(f64::NAN))
                .collect();
            outln!("Morning pain, 0-10   {}", sparkline(&p, Some(10.0)));
        }
    } else {
        outln!("\nNo runs imported yet: `hamstride import PATH` brings in your watch data.");
    }
    if let Some(p) = st.acwr.as_ref().filter(|p| p.covered) {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into());
        outln!(
            "Acute:chronic load {} (uncoupled), {} (EWMA): shown for context only; it is contested and never an alert.",
            f(p.uncoupled),
            f(p.ewma)
        );
    }
    if st.flags.is_empty() {
        if st.latest_run.is_some() {
            outln!("\nNo load flags in the last 14 days.");
        }
    } else {
        outln!("\nFlags, last 14 days (links seen in studies, not forecasts):");
        for f in &st.flags {
            let mark = match f.level {
                Level::Strong => "!!",
                Level::Warn => "! ",
                Level::Note => "· ",
            };
            outln!("  {mark} {}", words::flag(f, u.words()));
        }
    }
    for c in &form_changes {
        outln!("  form: {c}");
    }
    if let Some((name, phase)) = &st.plan {
        outln!("\nPlan: {name}, phase \"{phase}\".");
        if let Some(ad) = &st.adherence {
            outln!("  {}", words::adherence_summary(ad));
        }
    }
    if let Some(first) = st.pain_notes.first() {
        outln!("\nPain diary: {}", words::pain_note(first));
    }
    if st.undated > 0 {
        outln!(
            "\n{} activit{} dated before 2000 (a watch clock that was never set) left out.",
            st.undated,
            if st.undated == 1 { "y is" } else { "ies are" }
        );
    }
    outln!("\nThe full picture, printable for your physio: `hamstride report`.");
    Ok(ExitCode::SUCCESS)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `hamstride report`.
pub fn report(
    db: &DbOptions,
    out: &Path,
    units: Option<Units>,
    format: Format,
) -> Result<ExitCode> {
    // Checked before the database is opened, so a refused path changes nothing.
    if let Err(message) = crate::files::check_out_file(out, db) {
        return crate::fail(crate::exit::BAD_INPUT, message);
    }
    let (service, mut t) = match gather(db, Now::system()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    t.units = pick_units(units, &t).name().to_string();
    let html = service.render_report(&t);
    let bytes = html.len();
    if crate::files::is_stdout(out) {
        crate::out::write_all(html.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Err(e) = crate::files::write_private(out, html.as_bytes()) {
        return crate::fail(
            crate::exit::BAD_INPUT,
            format!("cannot write {}: {e}", out.display()),
        );
    }
    if format == Format::Json {
        outln!(
            "{}",
            serde_json::json!({ "path": out.display().to_string(), "bytes": bytes })
        );
    } else {
        outln!(
            "Wrote {} ({} kB): open it in a browser; it prints with a one-page summary for your physio or doctor.",
            out.display(),
            bytes.div_ceil(1024)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_largest_value() {
        assert_eq!(sparkline(&[0.0, 5.0, 10.0], None), "▁▅█");
        assert_eq!(sparkline(&[], None), "");
        assert_eq!(
            sparkline(&[0.0, 0.0], None),
            "  ",
            "no data: blanks, no division by zero"
        );
        assert_eq!(sparkline(&[0.0, f64::NAN, 10.0], Some(10.0)), "▁ █");
    }
}
