//! `hamstride plan`, `plan export`, `checkin` and `exercises`: the terminal side of the
//! runner's plan. It collects a check-in (flags, or prompts on a terminal), prints today's and
//! this week's sessions at a glance, and writes the exports. Every decision comes from the
//! core through the service; this file only talks to the person.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use hamstride_service::plans::{self, ActivePlan, CheckInInput, CheckInResult, Now};
use hamstride_service::view::{words, DayView, PlanView};
use hamstride_service::{AthleteDb, DbOptions, Error, Service};
use jiff::civil::Date;

use crate::dates::DateArg;
use crate::{exit, fail, open_db, Format};

/// The service, the open database and its active plan, or the exit (message printed).
fn load(db: &DbOptions) -> Result<(Service, AthleteDb, ActivePlan), Result<ExitCode>> {
    let service = Service::new().map_err(|e| Err(e.into()))?;
    let store = open_db(db)?;
    let plan = service.active_plan(&store).map_err(service_fail)?;
    Ok((service, store, plan))
}

/// Map a service error to its message and exit code.
pub fn service_fail(e: Error) -> Result<ExitCode> {
    match e {
        Error::Input { .. } | Error::NoAssessment | Error::Findings { .. } => {
            fail(exit::BAD_INPUT, e)
        }
        Error::Store(_) | Error::NoDataDir | Error::Busy(_) | Error::ImportStopped { .. } => {
            fail(exit::STORE, e)
        }
        Error::Kb(_) | Error::Analytics(_) => fail(exit::KB_INVALID, e),
        Error::Io { .. } | Error::Export(_) => fail(exit::INTERNAL, e),
    }
}

/// The date asked for, else the runner's today (in their time zone).
fn today_or(service: &Service, db: &AthleteDb, date: Option<DateArg>) -> Result<Date, Error> {
    match date {
        Some(DateArg::On(d)) => Ok(d),
        Some(words) => Ok(words.resolve(service.today(db, Now::system())?)),
        None => service.today(db, Now::system()),
    }
}

/// `hamstride plan [--date D]`.
pub fn show(db: &DbOptions, date: Option<DateArg>, format: Format) -> Result<ExitCode> {
    let (service, store, plan) = match load(db) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match today_or(&service, &store, date) {
        Ok(day) => print_plan(&service, &plan, day, format),
        Err(e) => service_fail(e),
    }
}

fn print_plan(
    service: &Service,
    plan: &ActivePlan,
    today: Date,
    format: Format,
) -> Result<ExitCode> {
    let view = match service.plan_view(plan, today) {
        Ok(v) => v,
        Err(e) => return service_fail(e),
    };
    if format == Format::Json {
        jsonln!(&plan_json(&view)?);
    } else {
        out!("{}", render_plan(&view));
    }
    Ok(ExitCode::SUCCESS)
}

fn render_day(out: &mut String, d: &DayView, detail: bool) {
    use std::fmt::Write;
    if d.items.is_empty() {
        let _ = writeln!(
            out,
            "  rest day (walking and daily activity as comfortable)"
        );
        return;
    }
    for (i, it) in d.items.iter().enumerate() {
        let times = if it.times > 1 { " (twice today)" } else { "" };
        if detail {
            // Numbered, as `checkin --done` takes them.
            let _ = writeln!(out, "  {}. {}{times}: {}", i + 1, it.name, it.dose);
            if let Some(e) = &it.easier {
                let _ = writeln!(out, "      easier for now: {e}");
            }
        } else {
            let _ = write!(out, "{}{times}; ", it.name);
        }
    }
}

/// The plan as a runner reads it at a glance: what it is, today, the week, how to move on.
pub fn render_plan(v: &PlanView) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{}", v.protocol_name);
    let sev = v
        .severity
        .as_deref()
        .map(|x| format!(" ({x})"))
        .unwrap_or_default();
    let _ = writeln!(s, "For: {}{sev} · triage: {}", v.condition_name, v.triage);
    if let Some(r) = &v.referral {
        // The headline says when (the plan's one time frame), the note whom and what to ask.
        let _ = writeln!(s, "\n! {}", v.triage_headline);
        let _ = writeln!(s, "  {}", r.text);
    }
    for r in &v.referrals {
        let _ = writeln!(s, "! {}", words::referred(r));
    }
    if v.running_waits_for_clinician {
        let _ = writeln!(
            s,
            "! Running waits until a clinician has seen you (then: hamstride checkin --seen-clinician)."
        );
    }
    if v.screen_due {
        let _ = writeln!(
            s,
            "! Warning-sign check due: answer it at your next check-in (hamstride checkin, or --red-flags none)."
        );
    }
    let _ = writeln!(
        s,
        "\nPhase {} of {}: {} (day {}) · running: {}",
        v.phase.number, v.phase.of, v.phase.name, v.phase.day_in_phase, v.phase.running
    );
    for g in &v.phase.goals {
        let _ = writeln!(s, "  goal: {g}");
    }
    if let Some(stage) = &v.run_stage {
        let _ = writeln!(s, "  run stage: {stage}");
    }
    if v.easing_off {
        let _ = writeln!(
            s,
            "  easing off after your last check-in: do the easier versions"
        );
    }
    let _ = writeln!(s, "\nToday, {}:", v.today_sessions.date);
    render_day(&mut s, &v.today_sessions, true);
    let _ = writeln!(s, "\nThis week:");
    for d in v.week.iter().skip(1) {
        let _ = write!(s, "  {} {}: ", weekday(d.date), d.date);
        if d.items.is_empty() {
            let _ = writeln!(s, "rest");
        } else {
            let mut line = String::new();
            render_day(&mut line, d, false);
            let _ = writeln!(s, "{}", line.trim_end_matches("; "));
        }
    }
    if !v.phase.care.is_empty() {
        let _ = writeln!(s, "\nLook after it:");
        for c in &v.phase.care {
            let _ = writeln!(s, "  • {c}");
        }
    }
    if let Some(next) = &v.phase.next {
        let _ = writeln!(
            s,
            "\nTo move on to {next} (when one is true: hamstride checkin --met and its number):"
        );
        for (i, c) in v.phase.criteria.iter().enumerate() {
            let mark = if c.met { "[x]" } else { "[ ]" };
            let _ = writeln!(s, "  {mark} {}. {}", i + 1, c.text);
        }
    }
    if !v.until_seen {
        let _ = writeln!(
            s,
            "\nPain guide: up to {}/10 during exercise is fine if it has settled by the next morning.",
            v.pain_ceiling
        );
    }
    let _ = writeln!(
        s,
        "\nTimeline{}:",
        if v.timeline.reestimated {
            " (re-estimated at day 7)"
        } else {
            ""
        }
    );
    match (&v.timeline.running, &v.timeline.full) {
        (None, None) => {
            let _ = writeln!(s, "  none yet");
        }
        (r, f) => {
            if let Some([a, b]) = r {
                let _ = writeln!(s, "  first runs: typically between {a} and {b}");
            }
            if let Some([a, b]) = f {
                let _ = writeln!(s, "  full training: typically between {a} and {b}");
            }
        }
    }
    for r in &v.timeline.reasons {
        let _ = writeln!(s, "  · {}", words::timeline_reason(r));
    }
    if let Some(n) = &v.timeline.note {
        let _ = writeln!(s, "  {n}");
    }
    if !v.medication.is_empty() {
        let _ = writeln!(s, "\nAbout painkillers:");
        for m in &v.medication {
            let _ = writeln!(s, "  • {m}");
        }
    }
    let shorts: Vec<&str> = v.sources.iter().map(|x| x.short.as_str()).collect();
    let _ = writeln!(s, "\nSources: {}", shorts.join("; "));
    let _ = writeln!(s, "\n{}", v.disclaimer);
    s
}

fn weekday(d: Date) -> &'static str {
    match d.weekday() {
        jiff::civil::Weekday::Monday => "Mon",
        jiff::civil::Weekday::Tuesday => "Tue",
        jiff::civil::Weekday::Wednesday => "Wed",
        jiff::civil::Weekday::Thursday => "Thu",
        jiff::civil::Weekday::Friday => "Fri",
        jiff::civil::Weekday::Saturday => "Sat",
        jiff::civil::Weekday::Sunday => "Sun",
    }
}

/// `hamstride plan prevention`.
pub fn prevention(db: &DbOptions, format: Format) -> Result<ExitCode> {
    let service = Service::new()?;
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let now = Now::system();
    if let Err(e) = service.start_prevention(&mut store, now) {
        return service_fail(e);
    }
    match service
        .active_plan(&store)
        .and_then(|plan| Ok((service.today(&store, now)?, plan)))
    {
        Ok((today, plan)) => print_plan(&service, &plan, today, format),
        Err(e) => service_fail(e),
    }
}

/// `hamstride plan history`.
pub fn history(db: &DbOptions, format: Format) -> Result<ExitCode> {
    let service = Service::new()?;
    let store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plans = match service.plan_history(&store) {
        Ok(p) => p,
        Err(e) => return service_fail(e),
    };
    if format == Format::Json {
        jsonln!(&plans);
        return Ok(ExitCode::SUCCESS);
    }
    if plans.is_empty() {
        outln!("No plans yet: `hamstride assess` makes one.");
        return Ok(ExitCode::SUCCESS);
    }
    for p in &plans {
        outln!(
            "{} {:>4}  {}  {}, phase \"{}\", {} check-in{}",
            if p.active { "*" } else { " " },
            p.id,
            p.made,
            p.protocol,
            p.phase,
            p.check_ins,
            if p.check_ins == 1 { "" } else { "s" }
        );
    }
    outln!("\n* your active plan. `hamstride plan restore ID` makes another one active again.");
    Ok(ExitCode::SUCCESS)
}

/// `hamstride plan restore ID`.
pub fn restore(db: &DbOptions, id: i64, format: Format) -> Result<ExitCode> {
    let service = Service::new()?;
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match service.restore_plan(&mut store, id) {
        Ok(p) if format == Format::Json => {
            jsonln!(&p);
            Ok(ExitCode::SUCCESS)
        }
        Ok(p) => {
            outln!(
                "Your plan is now plan {}: {}, phase \"{}\". The one before stays in `hamstride plan history`.",
                p.id, p.protocol, p.phase
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => service_fail(e),
    }
}

/// `hamstride plan export`.
pub fn export(db: &DbOptions, out: &Path, weeks: u32, format: Format) -> Result<ExitCode> {
    if let Err(message) = crate::files::check_out_dir(out, db) {
        return fail(exit::BAD_INPUT, message);
    }
    let (service, store, plan) = match load(db) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let now = Now::system();
    let files = match service
        .today(&store, now)
        .and_then(|today| service.export_plan(&plan, weeks.clamp(1, 26), today, now))
    {
        Ok(f) => f,
        Err(e) => return service_fail(e),
    };
    let files = match crate::files::write_export(out, &files) {
        Ok(paths) => paths,
        Err(message) => return fail(exit::BAD_INPUT, message),
    };
    if format == Format::Json {
        let list: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        outln!("{}", serde_json::json!({ "files": list }));
    } else {
        outln!("Wrote {} files to {}:", files.len(), out.display());
        for f in &files {
            outln!("  {}", f.display());
        }
        outln!(
            "\nplan.md is the plan to read or print; plan.ics imports into a calendar; copy the .fit files to your \
Garmin watch's NewFiles folder (or GARMIN/NewFiles) to get the run sessions as workouts.\n\
The calendar covers the next {} weeks as the plan stands today: export again after check-ins move you on.",
            weeks.clamp(1, 26)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `hamstride checkin`, already parsed by clap.
#[derive(Debug)]
pub struct CheckinArgs {
    pub during: Option<i64>,
    pub after: Option<i64>,
    pub morning: Option<i64>,
    pub done: Vec<String>,
    pub met: Vec<String>,
    pub red_flags: Option<String>,
    pub seen_clinician: bool,
    pub date: Option<DateArg>,
    pub note: Option<String>,
    pub format: Format,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// `hamstride checkin`.
pub fn checkin(db: &DbOptions, a: CheckinArgs) -> Result<ExitCode> {
    let (service, mut store, plan) = match load(db) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let now = Now::system();
    let today = match service.today(&store, now) {
        Ok(d) => d,
        Err(e) => return service_fail(e),
    };
    let mut input = CheckInInput {
        date: a.date.map(|d| d.resolve(today)),
        pain_during: a.during,
        pain_after: a.after,
        pain_morning: a.morning,
        done: a.done.iter().flat_map(|d| split_list(d)).collect(),
        criteria: a.met.iter().flat_map(|d| split_list(d)).collect(),
        red_flags: a.red_flags.as_deref().map(|r| {
            if r.trim() == "none" {
                Vec::new()
            } else {
                split_list(r)
            }
        }),
        seen_clinician: a.seen_clinician,
        note: a.note.clone(),
    };
    let nothing = input.pain_during.is_none()
        && input.pain_after.is_none()
        && input.pain_morning.is_none()
        && input.done.is_empty()
        && input.criteria.is_empty()
        && input.red_flags.is_none()
        && !input.seen_clinician;
    if nothing {
        if !std::io::stdin().is_terminal() {
            return fail(
                exit::BAD_INPUT,
                "nothing to record: give pain scores (--during, --after, --morning), --done, --met or --red-flags, \
or run `hamstride checkin` in a terminal to be asked",
            );
        }
        match crate::checkin_prompt::ask(&service, &plan, today, &mut input) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("hamstride: check-in cancelled, nothing was recorded");
                return Ok(ExitCode::from(exit::STOPPED));
            }
            Err(e) => return Err(e),
        }
    }
    // Numbers and plain names ("2", "heel dig hold", "all") become the plan's ids.
    if let Err(e) = service.resolve_checkin(&plan, today, &mut input) {
        return service_fail(e);
    }
    let result = match service.check_in(&mut store, &input, now) {
        Ok(r) => r,
        Err(e) => return service_fail(e),
    };
    if a.format == Format::Json {
        jsonln!(&checkin_json(&result)?);
    } else {
        out!("{}", render_checkin(&result));
    }
    Ok(ExitCode::SUCCESS)
}

/// Replace a list of codes in JSON by its sentences (as the field held before codes existed)
/// and keep the codes, with their numbers, next to it under `codes_key`.
fn words_and_codes(
    obj: Option<&mut serde_json::Value>,
    key: &str,
    codes_key: &str,
    text: Vec<String>,
) {
    if let Some(o) = obj.and_then(|o| o.as_object_mut()) {
        if let Some(codes) = o.remove(key) {
            o.insert(codes_key.to_string(), codes);
        }
        o.insert(key.to_string(), serde_json::json!(text));
    }
}

/// `plan --format json`: the view, its referrals and timeline reasons as sentences (as before)
/// and as codes (`referral_codes`, `timeline.reason_codes`).
fn plan_json(v: &PlanView) -> Result<serde_json::Value> {
    let mut j = serde_json::to_value(v)?;
    let referrals = v.referrals.iter().map(words::referred).collect();
    words_and_codes(Some(&mut j), "referrals", "referral_codes", referrals);
    let reasons = v
        .timeline
        .reasons
        .iter()
        .map(words::timeline_reason)
        .collect();
    words_and_codes(j.get_mut("timeline"), "reasons", "reason_codes", reasons);
    Ok(j)
}

/// `checkin --format json`: the decision's reasons and changes as sentences (as before) and as
/// codes (`reason_codes`, `change_codes`).
fn checkin_json(r: &CheckInResult) -> Result<serde_json::Value> {
    let mut j = serde_json::to_value(r)?;
    let reasons = r.decision.reasons.iter().map(words::plan_reason).collect();
    words_and_codes(j.get_mut("decision"), "reasons", "reason_codes", reasons);
    let changes = r.decision.changes.iter().map(words::plan_change).collect();
    words_and_codes(j.get_mut("decision"), "changes", "change_codes", changes);
    Ok(j)
}

pub fn render_checkin(r: &CheckInResult) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let word = words::verdict(r.decision.verdict).to_uppercase();
    let _ = writeln!(s, "Check-in {}: {word}", r.date);
    if let Some(level) = r.decision.referral {
        let _ = writeln!(s, "! {}", words::referral_label(level));
    }
    for x in &r.decision.reasons {
        let _ = writeln!(s, "  · {}", words::plan_reason(x));
    }
    for x in &r.decision.changes {
        let _ = writeln!(s, "  → {}", words::plan_change(x));
    }
    if r.decision.screen_due {
        let _ = writeln!(
            s,
            "  ! The warning-sign check is due: run `hamstride checkin --red-flags none` (or list the signs you have)."
        );
    }
    let _ = writeln!(
        s,
        "Now in: {} · see `hamstride plan` for today's sessions.",
        r.phase
    );
    s
}

/// `hamstride exercises [ID]`.
pub fn exercises(id: Option<&str>, format: Format) -> Result<ExitCode> {
    let service = Service::new()?;
    let lib = service.plans();
    match id {
        Some(id) => {
            let Some(x) = lib.exercise(id) else {
                return fail(
                    exit::BAD_INPUT,
                    format!("unknown exercise id '{id}' (run `hamstride exercises` for the list)"),
                );
            };
            if format == Format::Json {
                jsonln!(x);
                return Ok(ExitCode::SUCCESS);
            }
            outln!("{} ({})\n", x.name, x.id);
            outln!("{}\n", x.instructions);
            for c in &x.cues {
                outln!("  • {c}");
            }
            outln!("\nDose: {}", x.dose);
            outln!("Easier: {} Easier dose: {}", x.easier, x.easier_dose);
            outln!("Harder: {}", x.harder);
            if !x.equipment.is_empty() {
                outln!("Equipment: {}", x.equipment.join(", "));
            }
            outln!("Not when: {}", x.not_when);
            for a in &x.avoid {
                outln!(
                    "Avoid in {} ({}): {}",
                    a.phases.join(", "),
                    a.condition,
                    a.reason
                );
            }
            let kb = service.kb();
            let shorts: Vec<&str> = x
                .sources
                .iter()
                .filter_map(|s| {
                    kb.sources
                        .iter()
                        .find(|k| &k.id == s)
                        .map(|k| k.short.as_str())
                })
                .collect();
            outln!(
                "Sources: {}{}",
                shorts.join("; "),
                x.grade
                    .as_deref()
                    .map(|g| format!(" (evidence grade {g})"))
                    .unwrap_or_default()
            );
        }
        None => {
            if format == Format::Json {
                jsonln!(&lib.exercises);
                return Ok(ExitCode::SUCCESS);
            }
            for x in &lib.exercises {
                outln!("{:<32} {:<15} {}", x.id, x.category, x.name);
            }
            outln!(
                "\n{} exercises. `hamstride exercises ID` shows one in full.",
                lib.exercises.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hamstride profile [--units km|mi]`.
pub fn profile(
    db: &DbOptions,
    update: hamstride_service::training::ProfileUpdate,
    format: Format,
) -> Result<ExitCode> {
    let mut store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let changing = update.units.is_some()
        || update.timezone.is_some()
        || update.hr_rest.is_some()
        || update.hr_max.is_some()
        || update.hr_curve.is_some();
    let p = if changing {
        hamstride_service::training::update_profile(&mut store, &update, Now::system())
    } else {
        plans::profile(&store)
    };
    let p = match p {
        Ok(p) => p,
        Err(e) => return service_fail(e),
    };
    if format == Format::Json {
        jsonln!(&p);
    } else {
        let bpm = |v: Option<f64>, default: &str| {
            v.map(|x| format!("{x:.0} bpm"))
                .unwrap_or_else(|| default.to_string())
        };
        outln!("units: {}", p.units.as_deref().unwrap_or("km (default)"));
        outln!(
            "time zone: {}",
            p.timezone.as_deref().unwrap_or("this computer's (default)")
        );
        outln!(
            "resting heart rate: {}",
            bpm(p.hr_rest, "not set (60 bpm assumed)")
        );
        outln!(
            "maximum heart rate: {}",
            bpm(p.hr_max, "not set (estimated from your runs)")
        );
        outln!(
            "heart-rate load curve: {}",
            p.hr_curve.as_deref().unwrap_or("men (default)")
        );
    }
    Ok(ExitCode::SUCCESS)
}
