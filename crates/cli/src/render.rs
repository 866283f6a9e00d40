//! Plain-language rendering of an assessment for the terminal. The decision comes first and
//! fits one screen (about 40 rows of 80 columns): the level, what to do now, the likely
//! conditions with a few words for and against, what set the level and, briefly, the answers
//! that could change it, the disclaimer, and one line saying how to see more. The full reasons,
//! the advice and the questions still open follow only with `--details`, the references only
//! with `--sources`, so the screen never ends on a list of sources. Presentation only; every
//! word of clinical content comes from the knowledge base through the core.

use std::fmt::Write;

use hamstride_service::explain;
use hamstride_service::view::{lower_first, Outcome};
use hamstride_service::{Findings, Kb};

/// Short enough that the bar, the percentage and a long condition name share 80 columns.
const BAR: usize = 10;

/// The text width: the terminal's (see `out::width`), else an 80-column terminal's.
fn width() -> usize {
    crate::out::width()
}

/// What to show after the decision, and the command that shows more (the line that ends the
/// decision when details are off).
pub struct Show {
    pub details: bool,
    pub sources: bool,
    pub more: String,
}

/// The line that ends the decision part when neither `--details` nor `--sources` is given.
/// Tests count the decision's rows up to it.
pub const MORE: &str = "More: ";

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Wrap text at `width`, indenting continuation lines.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            out.push_str(indent);
            line = indent.len();
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

/// "What set the level": the rule or must-not-miss screen, in words, with its id.
fn set_by(kb: &Kb, outcome: &Outcome) -> String {
    wrap(&explain::set_by(kb, outcome), width(), "")
}

/// The answers that could change the level, for the decision: one line per level they lead
/// to (a few named, the count of the rest), and one line per group that counts only together.
/// The whole list is `explain::could_change`, under `--details`.
fn could_change_brief(kb: &Kb, outcome: &Outcome) -> Vec<String> {
    let brief = explain::could_change_brief(kb, outcome);
    let mut out = brief.alone;
    if brief.together > 0 {
        out.push(format!(
            "{} more answers that count only together (see --details)",
            brief.together
        ));
    }
    out
}

pub fn assessment(
    kb: &Kb,
    findings: &Findings,
    outcome: &Outcome,
    color: bool,
    interrupted: bool,
    show: &Show,
) -> String {
    let a = &outcome.assessment;
    let level = &kb.levels[outcome.level as usize];
    let code = match outcome.level {
        0 => "1;41;97",
        1 => "1;31",
        2 => "1;33",
        _ => "1;32",
    };
    let mut s = String::new();
    if interrupted {
        let _ = writeln!(
            s,
            "{}\n",
            wrap(
                &format!(
                    "You stopped early: this result uses only the answers you gave ({}).",
                    findings.answered()
                ),
                width(),
                ""
            )
        );
    }
    let _ = writeln!(s, "{}", paint(color, code, &format!("  {}  ", level.title)));
    let _ = writeln!(s, "{}\n", wrap(&a.triage.headline, width(), ""));
    if a.triage.level == "emergency" {
        let numbers: Vec<String> = kb
            .emergency
            .number
            .iter()
            .map(|n| format!("{} ({})", n.number, n.area))
            .collect();
        let call = format!("Call your emergency number now: {}.", numbers.join(", "));
        let _ = writeln!(s, "{}\n", paint(color, "1", &wrap(&call, width(), "")));
    }

    // The decision: the likely conditions with a few reasons each, what set the level, and
    // what could still change it.
    let _ = writeln!(s, "{}", paint(color, "1", "What it most likely is"));
    for d in a.differential.iter().take(3) {
        let filled = ((d.probability * BAR as f64).round() as usize).min(BAR);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR - filled));
        let _ = writeln!(
            s,
            "  {} {:>3.0}%  {}",
            bar,
            d.probability * 100.0,
            wrap(&d.name, width() - 19, "                   ")
        );
        for (label, ids, n) in [("fits", &d.for_, 3), ("does not fit", &d.against, 2)] {
            // Who the runner is (age, sex) never counts against a condition, as in the report.
            let words: Vec<String> = ids
                .iter()
                .filter(|id| label == "fits" || !kb.finding_is_personal(id))
                .take(n)
                .map(|id| kb.finding_says(id))
                .collect();
            if !words.is_empty() {
                let _ = writeln!(
                    s,
                    "    {}",
                    wrap(
                        &format!("{label}: {}", words.join("; ")),
                        width() - 4,
                        "      "
                    )
                );
            }
        }
    }
    let _ = writeln!(s, "\n{}", set_by(kb, outcome));
    let brief = could_change_brief(kb, outcome);
    if !brief.is_empty() {
        let _ = writeln!(s, "{}", paint(color, "1", "Answers that could change this"));
        for line in brief {
            let _ = writeln!(s, "  • {}", wrap(&line, width() - 4, "    "));
        }
    }
    let _ = writeln!(s, "\n{}", wrap(&a.disclaimer, width(), ""));
    if !show.details && !show.sources {
        let _ = writeln!(
            s,
            "\n{}",
            wrap(&format!("{MORE}{}", show.more), width(), "  ")
        );
        return s;
    }
    if show.details {
        details(&mut s, kb, findings, outcome, color);
    }
    if show.sources {
        sources(&mut s, kb, outcome, color);
    }
    s
}

/// `--details`: the full reasons, every answer that could change the level, what the top
/// condition is and how it goes, the advice, and the questions that would sharpen the result.
fn details(s: &mut String, kb: &Kb, findings: &Findings, outcome: &Outcome, color: bool) {
    let a = &outcome.assessment;
    let _ = writeln!(s, "\n{}", paint(color, "1", "Why"));
    for r in a.triage.reasons.iter().take(4) {
        let _ = writeln!(
            s,
            "  • {}",
            wrap(
                &format!("{} [{}; sources: {}]", r.text, r.rule, r.sources.join("; ")),
                width() - 4,
                "    "
            )
        );
    }
    let changes = explain::could_change(kb, outcome);
    if !changes.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            paint(color, "1", "Every answer that could change this")
        );
        for line in changes {
            let _ = writeln!(s, "  • {}", wrap(&line, width() - 4, "    "));
        }
    }
    if let Some(top) = a
        .differential
        .first()
        .and_then(|d| kb.condition_index(&d.condition))
    {
        let c = &kb.conditions[top];
        let _ = writeln!(
            s,
            "\n{}",
            paint(color, "1", &format!("About {}", lower_first(&c.name)))
        );
        // Until seen, what helps and how long it takes wait for the examination.
        let texts = if outcome.until_seen() {
            vec![&c.summary]
        } else {
            vec![&c.summary, &c.helps, &c.course]
        };
        for t in texts {
            let _ = writeln!(s, "  {}", wrap(t, width() - 2, "  "));
        }
    }
    let _ = writeln!(s, "\n{}", paint(color, "1", "What to do now"));
    for (i, adv) in a.advice.iter().enumerate() {
        let _ = writeln!(s, "  {:>2}. {}", i + 1, wrap(adv, width() - 6, "      "));
    }
    if !a.next_questions.is_empty() && findings.answered() < 25 {
        let qs: Vec<String> = a
            .next_questions
            .iter()
            .take(3)
            .map(|id| {
                kb.schema
                    .index(id)
                    .map_or_else(|| id.clone(), |i| kb.schema.fields[i].label.clone())
            })
            .collect();
        let _ = writeln!(
            s,
            "\n{}",
            wrap(
                &format!(
                    "Answering these would sharpen the result: {}.",
                    qs.join("; ")
                ),
                width(),
                ""
            )
        );
    }
}

/// `--sources`: the sources cited by the rules that fired and the advice, in order of first use.
fn sources(s: &mut String, kb: &Kb, outcome: &Outcome, color: bool) {
    let _ = writeln!(s, "\n{}", paint(color, "1", "Sources"));
    for src in explain::sources(kb, outcome) {
        let url = src
            .url
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {}: {}",
            src.short,
            wrap(&format!("{}{url}", src.citation), width() - 4, "    ")
        );
    }
}
