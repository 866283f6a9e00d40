//! Tests of the HTML report: structure (balanced tags, every chart with a title, a description
//! and a data table, unique ids, headings in order), safety (strict CSP, no script, nothing
//! loaded from anywhere, every piece of user text escaped), numbers (never `NaN` or `inf` in
//! the SVG, even from bad input; km and mi), the empty model's friendly sentences, and a
//! ten-year history for size and speed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod report_fixture;

use hamstride_analytics::series::Flag;
use hamstride_export::report::{render, Units};
use report_fixture as fx;
use std::collections::BTreeSet;
use std::time::Instant;

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The substrings between each `open` and the next `close` (inclusive).
fn blocks<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let tail = &rest[i..];
        let j = tail[open.len()..].find(close).expect("unclosed block") + open.len() + close.len();
        out.push(&tail[..j]);
        rest = &tail[j..];
    }
    out
}

/// Everything every rendered report must satisfy.
fn check_invariants(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">"
    ));
    for (open, close) in [
        ("<svg", "</svg>"),
        ("<figure", "</figure>"),
        ("<table", "</table>"),
        ("<details", "</details>"),
        ("<section", "</section>"),
        ("<div", "</div>"),
        ("<ul", "</ul>"),
        ("<ol", "</ol>"),
        ("<li", "</li>"),
        ("<tr", "</tr>"),
        ("<thead", "</thead>"),
        ("<tbody", "</tbody>"),
        ("<h2", "</h2>"),
        ("<h3", "</h3>"),
        ("<title", "</title>"),
        ("<desc", "</desc>"),
        ("<text", "</text>"),
    ] {
        assert_eq!(count(html, open), count(html, close), "{open} vs {close}");
    }
    assert!(html.trim_end().ends_with("</html>"));

    // Nothing runs, nothing is fetched.
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a script tag");
    assert!(!lower.contains("javascript:"));
    for tag in blocks(&lower, "<", ">") {
        assert!(!tag.contains(" on"), "an event handler attribute: {tag}");
        assert!(!tag.contains("src="), "a src attribute: {tag}");
    }
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "a URL"
    );
    assert!(!lower.contains("url("), "a CSS url()");
    assert!(!lower.contains("@import"));
    for link in blocks(html, "href=\"", "\"") {
        assert!(
            link.starts_with("href=\"#"),
            "a link out of the page: {link}"
        );
    }

    // Never a non-number in the output.
    assert!(!html.contains("NaN"), "NaN in the report");
    for svg in blocks(html, "<svg", "</svg>") {
        for bad in ["NaN", "inf", "e+", "e-"] {
            // Words in titles may contain these letters; numbers are in attributes.
            for attr in blocks(svg, "=\"", "\"") {
                assert!(!attr.contains(bad), "{bad} in an SVG attribute: {attr}");
            }
        }
    }

    // Every chart is named, described and has a data table.
    let svgs = blocks(html, "<svg", "</svg>");
    for svg in &svgs {
        assert!(svg.contains("role=\"img\""), "{}", &svg[..80]);
        let head_end = svg.find('>').unwrap();
        let after = &svg[head_end + 1..];
        assert!(
            after.starts_with("<title id=\""),
            "title first: {}",
            &svg[..120]
        );
        assert!(svg.contains("<desc id=\""), "desc: {}", &svg[..120]);
        let desc = blocks(svg, "<desc", "</desc>")[0];
        assert!(desc.len() > 40, "a real description: {desc}");
        assert!(
            desc.chars().any(|c| c.is_ascii_digit()),
            "numbers in: {desc}"
        );
    }
    let figures = blocks(html, "<figure", "</figure>");
    assert_eq!(figures.len(), svgs.len(), "one chart per figure");
    for fig in &figures {
        assert_eq!(count(fig, "<svg"), 1);
        assert!(
            fig.contains("<details><summary>Data table</summary>") && fig.contains("<table"),
            "figure without a data table"
        );
    }

    // ids are unique and aria-labelledby points at them.
    let ids: Vec<&str> = blocks(html, " id=\"", "\"")
        .into_iter()
        .map(|b| &b[5..b.len() - 1])
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for l in blocks(html, "aria-labelledby=\"", "\"") {
        for id in l["aria-labelledby=\"".len()..l.len() - 1].split(' ') {
            assert!(
                unique.contains(id),
                "aria-labelledby points at a missing id {id}"
            );
        }
    }

    // Headings: one h1, then no level skipped on the way down.
    assert_eq!(count(html, "<h1"), 1);
    let mut last = 1;
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        let c = rest.as_bytes().get(i + 2).copied().unwrap_or(b'x');
        if c.is_ascii_digit() {
            let level = usize::from(c - b'0');
            assert!(level <= last + 1, "heading h{level} after h{last}");
            last = level;
        }
        rest = &rest[i + 2..];
    }

    // Tables have header cells with a scope.
    for t in blocks(html, "<table", "</table>") {
        assert!(
            t.contains("<th scope=\"col\""),
            "a table without column headers"
        );
    }
}

#[test]
fn the_realistic_report_is_complete_and_safe() {
    let f = fx::realistic();
    let html = render(&f.model(Units::Km));
    check_invariants(&html);

    assert!(html.contains("hamstride training and pain report"));
    assert!(html.contains("Report for Wed 4 Nov 2026"));
    assert!(html.contains("not a diagnosis"));
    assert!(html.contains("For your physio or doctor"));
    // The assessment, red flags boxed.
    assert!(html.contains("Proximal hamstring tendinopathy</strong> (46%)"));
    assert!(html.contains("<div class=\"redflags\">"));
    assert!(html.contains("Night pain that wakes you"));
    assert!(html.contains("<li>Lumbar radiculopathy (12%)</li>"));
    assert!(html.contains("tri-urgent"));
    // The level now, and what it was at the assessment before a check-in raised it.
    assert!(html.contains(
        "Raised by a check-in since the assessment of Mon 26 Oct 2026 (then: See a clinician)"
    ),);
    // The plan as it stands, and its last decision.
    assert!(html.contains(
        "<strong>Proximal hamstring tendinopathy: return to running</strong> · Phase 2 of 4: \
         Loading and walk-jog (day 5 of the phase) · day 23 since the pain began"
    ));
    assert!(html.contains(
        "<p class=\"plan\"><strong>Running now waits until a doctor or physiotherapist has seen \
         you.</strong></p>"
    ));
    assert!(html.contains(
        "Last check-in</span> Tue 3 Nov 2026: <span class=\"vd vd-hold\">Hold</span> Add this \
         morning"
    ));
    assert!(html.contains("<a href=\"#record\">2 assessments, 5 check-ins</a>"));
    // Every section is there.
    for h in [
        "<h3>Now</h3>",
        "Assessments and check-ins",
        "Pain at each check-in, and the decision",
        "Load, last 8 weeks",
        "Pain diary, last 14 entries",
        "Plan adherence",
        "Flags, last 8 weeks",
        "Weekly load and pain",
        "Last 12 weeks, day by day",
        "Load context",
        "Acute:chronic load ratio",
        "Form trends",
        "What your pain diary shows",
        "Signals explained",
        "References",
    ] {
        assert!(html.contains(h), "missing {h}");
    }
    // The summary's diary shows exactly the last 14 entries.
    let diary = blocks(&html, "<table class=\"compact diary\"", "</table>")[0];
    assert_eq!(count(diary, "<tr><th scope=\"row\">"), 14);
    assert!(diary.contains("Wed 4 Nov 2026"), "the newest entry");
    // The last 8 weeks' load table.
    let load = blocks(&html, "<table class=\"compact\"", "</table>")[0];
    assert_eq!(count(load, "<tr><th scope=\"row\">"), 8);
    assert!(load.contains(">so far<"), "the week in progress is marked");
    assert!(
        load.contains("<th scope=\"row\">2 Nov <span"),
        "short week dates"
    );
    // The Strong spike is flagged in the summary and marked in the weekly chart with its text.
    assert!(html.contains("lvl-strong\">Strong</span> Run longer than your recent longest"));
    assert!(html.contains("<path class=\"mk mk-strong\""));
    let marker = blocks(&html, "<path class=\"mk mk-strong\"", "</path>")[0];
    assert!(
        marker.contains("<title>") && marker.contains(": 24.0 km, "),
        "{marker}"
    );
    // The contested ratio carries its meaning and says display only.
    assert!(html.contains("Contested evidence, display only."));
    assert!(html.contains("It is contested"));
    // Form: one chart per metric with points, the drift badged, the empty metric explained.
    assert!(html.contains("Cadence <span class=\"lvl lvl-warn\">changed</span>"));
    assert!(html.contains("Not enough runs yet to compare: 2 baseline runs with ground contact"));
    assert!(html.contains("class=\"basel\""), "baseline line");
    assert!(html.contains("class=\"refl\""), "reference line");
    // Pain links table.
    assert!(html.contains("<table class=\"links\">"));
    assert!(html.contains("0.19 to 0.74"));
    // Adherence.
    assert!(html.contains("Walk-jog 3"));
    assert!(html.contains("Runs on days the plan allowed no running"));
    // Signals resolved to short names, linked in-page to the numbered references.
    assert!(html.contains("<a href=\"#ref-ref127\">Frandsen 2025</a>"));
    assert!(html.contains("<li id=\"ref-ref127\"><strong>Frandsen 2025</strong>."));
    assert!(html.contains("Shown only, never flags"));
    // Print rules.
    assert!(html.contains("@media print"));
    assert!(html.contains("size:A4"));
    assert!(html.contains("break-after:page"));
    println!("realistic report: {} bytes", html.len());
}

#[test]
fn user_text_is_escaped() {
    let mut f = fx::realistic();
    f.pain.last_mut().unwrap().notes = Some("<script>alert(1)</script>".to_string());
    f.pain.last_mut().unwrap().site = Some("<b>bold</b>".to_string());
    let plan = f.plan.as_mut().unwrap();
    plan.protocol = "Plan \"A\" & <i>B</i>".to_string();
    plan.phase = "<img src=x>".to_string();
    f.assessments[0].condition = "<u>strain</u>".to_string();
    f.checkins[0].decision.reasons[0] = hamstride_core::plan::Reason::Kb {
        text: "<em>flare</em>".to_string(),
    };
    f.adherence
        .as_mut()
        .unwrap()
        .sessions
        .last_mut()
        .unwrap()
        .prescribed
        .stage_name = "spike <svg onload=alert(1)>".to_string();
    f.assessment.as_mut().unwrap().red_flags = vec!["</div><script>x</script>".to_string()];
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Plan &quot;A&quot; &amp; &lt;i&gt;B&lt;/i&gt;"));
    assert!(html.contains("&lt;img src=x&gt;"));
    assert!(html.contains("spike &lt;svg onload=alert(1)&gt;"));
    assert!(html.contains("&lt;/div&gt;&lt;script&gt;x&lt;/script&gt;"));
    assert!(html.contains("&lt;u&gt;strain&lt;/u&gt;"));
    assert!(html.contains("&lt;em&gt;flare&lt;/em&gt;"));
    assert!(!html.contains("<b>bold</b>"));
}

#[test]
fn distances_follow_the_units() {
    let f = fx::one_run();
    let km = render(&f.model(Units::Km));
    let mi = render(&f.model(Units::Mi));
    check_invariants(&km);
    check_invariants(&mi);
    assert!(km.contains("longest run 10.0 km"), "km");
    assert!(mi.contains("longest run 6.2 mi"), "mi");
    assert!(km.contains("Distance (km)") && mi.contains("Distance (mi)"));
    assert!(mi.contains("Ascent <span class=\"hu\">(ft)</span>"));
    assert!(km.contains("Ascent <span class=\"hu\">(m)</span>"));
    // The chart axis and the description use the unit too.
    assert!(
        mi.contains("from 6.2 to 6.2 mi"),
        "chart description in miles"
    );
    assert!(!mi.contains(" km"), "no kilometres in a miles report");
}

#[test]
fn the_empty_model_renders_friendly_sentences() {
    let f = fx::empty();
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    for s in [
        "No assessment recorded.",
        "No runs recorded yet",
        "No pain diary entries yet.",
        "No active plan.",
        "No flags in the last 8 weeks.",
        "No runs or diary entries in the last 12 weeks.",
        "No running-form metrics yet",
        "No diary entries yet.",
    ] {
        assert!(html.contains(s), "missing {s:?}");
    }
    assert_eq!(count(&html, "<svg"), 0, "no empty charts");
    if let Some(dir) = std::env::var_os("HAMSTRIDE_REPORT_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join("empty.html"), &html).unwrap();
    }
    // The signals and references are still explained.
    assert!(html.contains("Signals explained") && html.contains("<ol class=\"refs\">"));
}

#[test]
fn bad_numbers_never_reach_the_svg() {
    let mut f = fx::realistic();
    let n = f.analysis.weeks.len();
    f.analysis.weeks[n - 2].distance_m = f64::NAN;
    f.analysis.weeks[n - 3].distance_m = f64::INFINITY;
    f.analysis.weeks[n - 4].monotony = Some(f64::NAN);
    f.analysis.weeks[n - 5].strain = Some(f64::INFINITY);
    let d = f.analysis.days.len();
    f.analysis.days[d - 3].distance_m = f64::NEG_INFINITY;
    f.analysis.days[d - 3].runs = 1;
    for p in f.analysis.acwr.iter_mut().rev().take(20) {
        p.uncoupled = Some(f64::INFINITY);
        p.ewma = Some(f64::NAN);
    }
    f.pain[0].next_morning = Some(255);
    f.form.metrics[0].points[0].value = f64::NAN;
    f.form.metrics[0].baseline = Some(f64::INFINITY);
    f.pain_analysis.links[0].rho = f64::NAN;
    f.assessment.as_mut().unwrap().probability = f64::NAN;
    let html = render(&f.model(Units::Mi));
    check_invariants(&html);
}

#[test]
fn flags_on_one_day_share_one_marker_and_list_their_texts() {
    let mut f = fx::realistic();
    let last = f.analysis.flags.last().unwrap().clone();
    for i in 0..12 {
        f.analysis.flags.push(Flag {
            value: f64::from(i),
            ..last.clone()
        });
    }
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    assert!(html.contains("… and 9 more"), "tooltips are capped");
    assert!(html.contains("all are marked in the charts)"));
}

#[test]
fn ten_years_render_fast_and_small() {
    let f = fx::ten_years();
    assert!(f.analysis.runs.len() > 3_000, "{}", f.analysis.runs.len());
    assert!(f.analysis.weeks.len() >= 520);
    let model = f.model(Units::Km);
    let _ = render(&model); // warm-up
    let runs = 5;
    let t = Instant::now();
    let mut html = String::new();
    for _ in 0..runs {
        html = render(&model);
    }
    let per = t.elapsed() / runs;
    println!(
        "ten-year report: {} days, {} weeks, {} runs, {} flags, {} diary entries -> {} bytes ({:.1} KiB) in {:?} per render",
        f.analysis.days.len(),
        f.analysis.weeks.len(),
        f.analysis.runs.len(),
        f.analysis.flags.len(),
        f.pain.len(),
        html.len(),
        html.len() as f64 / 1024.0,
        per
    );
    check_invariants(&html);
    // To look at it: HAMSTRIDE_REPORT_DUMP=<dir> cargo test -p hamstride-export --test report
    if let Some(dir) = std::env::var_os("HAMSTRIDE_REPORT_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join("ten-years.html"), &html).unwrap();
    }
    assert!(html.len() < 5 * 1024 * 1024, "{} bytes", html.len());
    // Debug builds on a shared machine: generous; release renders in a few milliseconds.
    assert!(per.as_millis() < 1_000, "{per:?}");
    // The long history keeps readable year ticks and a limited data table.
    assert!(html.contains(">2020</text>") && html.contains(">2025</text>"));
    assert!(html.contains("Showing the last 52 of"));
    assert!(html.contains(&format!(
        "Weekly distance over {} weeks",
        f.analysis.weeks.len()
    )));
}

#[test]
fn the_record_lists_every_assessment_and_check_in() {
    let f = fx::realistic();
    let html = render(&f.model(Units::Km));
    let record = blocks(&html, "<section id=\"record\"", "</section>")[0];
    // Assessments newest first, the one being followed marked.
    let table = blocks(record, "<table class=\"record\">", "</table>")[0];
    assert_eq!(count(table, "<tr><th scope=\"row\">"), 2);
    let newest = table.find("Mon 26 Oct 2026").unwrap();
    let oldest = table.find("Mon 12 Oct 2026").unwrap();
    assert!(newest < oldest, "newest first");
    assert!(table.contains("Proximal hamstring tendinopathy (46%)</td><td><strong>being followed"));
    assert!(table.contains("tri-self\">Self-care</span>"));
    // The timeline: every check-in, newest first, with the decision's words and what changed.
    let timeline = blocks(record, "<table class=\"record timeline\">", "</table>")[0];
    assert_eq!(count(timeline, "<tr><th scope=\"row\">"), 5);
    assert!(timeline.find("Tue 3 Nov 2026").unwrap() < timeline.find("Tue 27 Oct 2026").unwrap());
    for s in [
        "vd-step\">Step back</span>",
        "vd-doctor\">See a doctor</span>",
        "vd-progress\">Progress</span>",
        "Pain during the session was 5/10, above this plan&#39;s ceiling of 3/10. Do the easier \
         version",
        "Running now waits until a doctor or physiotherapist has seen you.",
        "Next run: Walk-jog 2.",
    ] {
        assert!(timeline.contains(s), "missing {s:?}");
    }
    // A check-in without a score shows a dash, and the chart breaks its line there.
    assert!(timeline.contains("<td class=\"n\">3</td><td class=\"n\">–</td>"));
    // The chart: one decision mark per check-in, described in words with the counts.
    let svg = blocks(record, "<svg", "</svg>")[0];
    assert_eq!(count(svg, "<circle class=\"vd-"), 5);
    assert!(svg.contains(
        "5 check-ins from Tue 27 Oct 2026 to Tue 3 Nov 2026: 1 progress, 2 hold, 1 step back, \
         1 see a doctor; next-morning pain from 1 to 4 out of 10, 2 at the last."
    ));
}

#[test]
fn a_plan_from_an_older_assessment_is_said_so() {
    let mut f = fx::realistic();
    let a = f.assessment.as_mut().unwrap();
    a.plan_assessed = Some(jiff::civil::date(2026, 10, 12));
    a.triage_at_assessment = Some("self_care".to_string());
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    assert!(html.contains(
        "The plan being followed was made from the assessment of Mon 12 Oct 2026; the plan \
         from the latest one (Mon 26 Oct 2026, then: Self-care) waits in the plan history."
    ));
    assert!(!html.contains("Raised by a check-in"));
}

#[test]
fn the_crowded_case_keeps_every_invariant() {
    let f = fx::crowded();
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    let timeline = blocks(&html, "<table class=\"record timeline\">", "</table>")[0];
    assert_eq!(count(timeline, "<tr><th scope=\"row\">"), 42);
    if let Some(dir) = std::env::var_os("HAMSTRIDE_REPORT_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join("crowded.html"), &html).unwrap();
    }
}

#[test]
fn two_check_ins_on_one_day_are_drawn_side_by_side() {
    let mut f = fx::realistic();
    let mut second = f.checkins.last().unwrap().clone();
    second.decision = fx::decision(
        hamstride_core::plan::Verdict::StepBack,
        hamstride_core::plan::Reason::NoScores,
        vec![],
    );
    f.checkins.push(second);
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    let record = blocks(&html, "<section id=\"record\"", "</section>")[0];
    let svg = blocks(record, "<svg", "</svg>")[0];
    let marks: Vec<&str> = blocks(svg, "<circle class=\"vd-", "</circle>");
    assert_eq!(marks.len(), 6);
    let cx = |m: &str| blocks(m, "cx=\"", "\"")[0].to_string();
    assert_ne!(cx(marks[4]), cx(marks[5]), "the same day's two marks apart");
}

#[test]
fn a_plan_without_an_assessment_still_shows_where_it_stands() {
    // The prevention programme: a plan, no assessment.
    let full = fx::realistic();
    let mut f = fx::empty();
    f.plan = full.plan.clone();
    f.checkins = full.checkins.clone();
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    let summary = blocks(&html, "<section id=\"summary\"", "</section>")[0];
    assert!(summary.contains("Phase 2 of 4: Loading and walk-jog"));
    assert!(summary.contains("Last check-in</span> Tue 3 Nov 2026"));
    assert!(summary.contains("No assessment recorded."));
    assert!(
        !summary.contains("class=\"tri "),
        "no level without an assessment"
    );
}

#[test]
fn a_level_this_report_does_not_know_is_escaped_once() {
    let mut f = fx::realistic();
    f.assessment.as_mut().unwrap().triage_level = "new_<level>".to_string();
    f.assessments[0].level = "odd_&_level".to_string();
    let html = render(&f.model(Units::Km));
    check_invariants(&html);
    assert!(html.contains("tri-other\">new &lt;level&gt;</span>"));
    assert!(html.contains("tri-other\">odd &amp; level</span>"));
    assert!(!html.contains("&amp;lt;") && !html.contains("&amp;amp;"));
}
