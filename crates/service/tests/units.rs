//! A report in miles shows miles everywhere, and one in kilometres never says miles: the HTML
//! report is rendered for a synthetic two-year history (every flag kind, form, a pain diary
//! and a plan's adherence) in both units, and its visible text is searched for the other
//! unit as a whole word. Not here: the numbers themselves (the analytics and export tests).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hamstride_analytics::adherence::{self, DoneRun, Prescribed};
use hamstride_analytics::form::Side;
use hamstride_analytics::pain::PainEntry;
use hamstride_analytics::series::{HrCurve, Settings};
use hamstride_analytics::synthetic;
use hamstride_service::training::{PainRecord, Training};
use hamstride_service::Service;
use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::Span;

const TODAY: Date = date(2026, 11, 21);

/// The report's visible text: no `<style>` block, no tags, entities as spaces.
fn visible(html: &str) -> String {
    let mut s = html.to_string();
    while let (Some(a), Some(b)) = (s.find("<style>"), s.find("</style>")) {
        s.replace_range(a..b + "</style>".len(), " ");
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
}

/// Whole-word, case-insensitive occurrences of `word`, with a little context each. A hyphen
/// before it joins it to the word before: "5-km time trial" is the title of a cited study in
/// the references, an event's name, not a distance shown to the runner.
fn words(text: &str, word: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let bytes = lower.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut hits = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(word) {
        let at = from + i;
        let end = at + word.len();
        let before = at == 0 || !(is_word(bytes[at - 1]) || bytes[at - 1] == b'-');
        let after = end >= bytes.len() || !is_word(bytes[end]);
        if before && after {
            let lo = lower.floor_char_boundary(at.saturating_sub(40));
            let hi = lower.ceil_char_boundary((end + 40).min(lower.len()));
            hits.push(lower[lo..hi].to_string());
        }
        from = end;
    }
    hits
}

fn training(svc: &Service, units: &str) -> Training {
    let entries = synthetic::history(2, 7, TODAY);
    let settings = Settings {
        tz: TimeZone::UTC,
        hr_rest: None,
        hr_max: None,
        hr_curve: HrCurve::Men,
    };
    // A diary for the last 60 days, so the diary section has links or trends to show.
    let pain: Vec<PainEntry> = (0..60)
        .map(|k| PainEntry {
            date: TODAY.saturating_sub(Span::new().days(k)),
            activity_id: None,
            site: Some("sit_bone".into()),
            side: Some(Side::Left),
            during: Some((k % 5) as u8),
            after: Some((k % 4) as u8),
            next_morning: Some((k % 3) as u8),
            sitting_min: Some(20 + (k % 6) as u32 * 5),
            notes: None,
        })
        .collect();
    let p = svc.picture(
        &entries,
        &settings,
        TODAY,
        svc.default_form_reference(TODAY),
        Some(Side::Left),
        &pain,
    );
    // A plan of the last 6 weeks: a 20-minute session every run day, to get every issue.
    let plan_start = TODAY.saturating_sub(Span::new().days(42));
    let done: Vec<DoneRun<'_>> = entries
        .iter()
        .filter_map(|e| {
            let d = jiff::Timestamp::from_millisecond(e.metrics.start_ms)
                .ok()?
                .to_zoned(TimeZone::UTC)
                .date();
            Some(DoneRun {
                id: e.id,
                date: d,
                metrics: &e.metrics,
            })
        })
        .collect();
    let (before, during): (Vec<DoneRun<'_>>, Vec<DoneRun<'_>>) =
        done.iter().partition(|r| r.date < plan_start);
    let prescribed: Vec<Prescribed> = (0..42)
        .step_by(2)
        .map(|k| Prescribed {
            date: plan_start.saturating_add(Span::new().days(k)),
            stage_id: "easy-20".into(),
            stage_name: "Continuous easy run, 20 minutes".into(),
            running_minutes: 20.0,
            strides: 2,
        })
        .collect();
    let rest: Vec<Date> = (1..42)
        .step_by(2)
        .map(|k| plan_start.saturating_add(Span::new().days(k)))
        .collect();
    let recent_before: Vec<DoneRun<'_>> = before
        .into_iter()
        .filter(|r| r.date >= plan_start.saturating_sub(Span::new().days(56)))
        .collect();
    let ad = adherence::check(
        &prescribed,
        &rest,
        &during,
        &recent_before,
        &svc.signals().t,
    );
    assert!(!ad.sessions.is_empty() && !ad.unplanned.is_empty());
    Training {
        today: TODAY,
        time_zone: "UTC".into(),
        units: units.into(),
        analysis: p.analysis,
        form: p.form,
        pain: pain
            .into_iter()
            .enumerate()
            .map(|(i, entry)| PainRecord {
                id: i as i64 + 1,
                entry,
            })
            .collect(),
        pain_analysis: p.pain,
        plan: Some(("Return to running".into(), "Phase 3".into())),
        plan_now: None,
        assessments: Vec::new(),
        checkins: Vec::new(),
        adherence: Some(ad),
        assessment: None,
        undated: 0,
    }
}

#[test]
fn a_report_in_miles_never_says_km_and_one_in_km_never_says_mi() {
    let svc = Service::new().unwrap();
    let mi = training(&svc, "mi");
    // Every flag kind the synthetic history raises is in the report, so each sentence is
    // checked in both units.
    assert!(mi.analysis.flags.len() >= 3, "{:?}", mi.analysis.flags);
    let html_mi = visible(&svc.render_report(&mi));
    assert!(!words(&html_mi, "mi").is_empty(), "miles are shown");
    let km_in_mi = words(&html_mi, "km");
    assert!(km_in_mi.is_empty(), "km in a miles report: {km_in_mi:#?}");
    assert!(words(&html_mi, "kilometres").is_empty());

    let km = training(&svc, "km");
    let html_km = visible(&svc.render_report(&km));
    assert!(!words(&html_km, "km").is_empty(), "kilometres are shown");
    let mi_in_km = words(&html_km, "mi");
    assert!(mi_in_km.is_empty(), "mi in a km report: {mi_in_km:#?}");
    assert!(words(&html_km, "miles").is_empty());
}
