//! An assessment's result as a page section, the terminal's `assess --details --sources` in
//! HTML: the banner with what to do now, the likely conditions with bars and their reasons
//! for and against, what set the level and what could change it, what to do, about the top
//! condition, the sources and the disclaimer. An emergency shows the banner, the emergency
//! numbers and its advice, and nothing before them.
//!
//! Every sentence is the knowledge base's, through the same calls the CLI's `render.rs`
//! makes (`service::explain`, `Kb::finding_says`); the only arithmetic is showing a
//! probability as a whole percentage and a bar in 5% steps, as the terminal does.

use hamstride_service::explain;
use hamstride_service::view::{lower_first, Outcome};
use hamstride_service::{Findings, Kb};
use maud::{html, Markup};

use crate::html::{banner, emergency_numbers};

/// How many reasons for and against each condition are shown (the terminal shows 3 and 2 in
/// its one-screen decision; a page has room for more).
const REASONS: usize = 5;

/// The probability as the whole percentage the terminal prints.
fn percent(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// The bar's CSS class: 21 widths (`bar-0` … `bar-20`, 5% each). A class, not an inline
/// width, because the CSP allows no inline styles.
fn bar_class(p: f64) -> String {
    format!("bar-{}", (p.clamp(0.0, 1.0) * 20.0).round() as u32)
}

pub fn render(kb: &Kb, findings: &Findings, outcome: &Outcome) -> Markup {
    let a = &outcome.assessment;
    let level = &kb.levels[usize::from(outcome.level)];
    let emergency = a.triage.level == "emergency";
    html! {
        div.result data-level=(a.triage.level) data-top=[a.differential.first().map(|d| d.condition.as_str())] {
            (banner(&a.triage.level, &level.title, &a.triage.headline))
            @if emergency {
                (emergency_numbers(kb))
                section aria-labelledby="now-h" {
                    h2 #now-h { "What to do now" }
                    ol.advice { @for adv in &a.advice { li { (adv) } } }
                }
                p.disclaimer { (a.disclaimer) }
            } @else {
                section aria-labelledby="diff-h" {
                    h2 #diff-h { "What it most likely is" }
                    ol.conditions {
                        @for d in a.differential.iter().take(3) {
                            li.condition {
                                div.cond-head {
                                    span.cond-name { (d.name) }
                                    span.pct { (percent(d.probability)) "%" }
                                }
                                div.bar aria-hidden="true" { div.fill.(bar_class(d.probability)) {} }
                                @let fits: Vec<String> = d.for_.iter().take(REASONS).map(|id| kb.finding_says(id)).collect();
                                // Who the runner is (age, sex) never counts against a
                                // condition, as in the terminal and the report.
                                @let against: Vec<String> = d.against.iter().filter(|id| !kb.finding_is_personal(id)).take(REASONS).map(|id| kb.finding_says(id)).collect();
                                @if !fits.is_empty() {
                                    p.fits { strong { "Fits: " } (fits.join("; ")) }
                                }
                                @if !against.is_empty() {
                                    p.against { strong { "Does not fit: " } (against.join("; ")) }
                                }
                            }
                        }
                    }
                }
                section aria-labelledby="why-h" {
                    h2 #why-h { "Why this level" }
                    p { (explain::set_by(kb, outcome)) }
                    @if !a.triage.reasons.is_empty() {
                        ul { @for r in a.triage.reasons.iter().take(4) { li { (r.text) } } }
                    }
                    @let changes = explain::could_change(kb, outcome);
                    @if !changes.is_empty() {
                        h3 { "Answers that could change this" }
                        ul { @for c in &changes { li { (c) } } }
                    }
                }
                section aria-labelledby="now-h" {
                    h2 #now-h { "What to do now" }
                    ol.advice { @for adv in &a.advice { li { (adv) } } }
                }
                @if let Some(c) = a.differential.first().and_then(|d| kb.condition_index(&d.condition)).map(|i| &kb.conditions[i]) {
                    section aria-labelledby="about-h" {
                        h2 #about-h { "About " (lower_first(&c.name)) }
                        p { (c.summary) }
                        // Until seen, what helps and how long it takes wait for the
                        // examination.
                        @if !outcome.until_seen() {
                            p { (c.helps) }
                            p { (c.course) }
                        }
                    }
                }
                @if !a.next_questions.is_empty() && findings.answered() < 25 {
                    @let qs: Vec<String> = a.next_questions.iter().take(3).map(|id| kb.schema.index(id).map_or_else(|| id.clone(), |i| kb.schema.fields[i].label.clone())).collect();
                    p { "Answering these would sharpen the result: " (qs.join("; ")) "." }
                }
                @let sources = explain::sources(kb, outcome);
                @if !sources.is_empty() {
                    section.sources aria-labelledby="src-h" {
                        h2 #src-h { "Sources" }
                        ul {
                            @for s in &sources {
                                li {
                                    strong { (s.short) } ": " (s.citation)
                                    // Shown, not linked: a link would leave the machine.
                                    @if let Some(u) = &s.url { " " span.url { (u) } }
                                }
                            }
                        }
                    }
                }
                p.disclaimer { (a.disclaimer) }
            }
            p.noprint { button type="button" data-print="" { "Print this result" } }
        }
    }
}
