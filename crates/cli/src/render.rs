//! Plain-language rendering of an assessment for the terminal: the triage banner with what to
//! do now and why, the likely conditions with a bar each and the reasons for and against, the
//! advice, the sources and the disclaimer. Presentation only; every word of clinical content
//! comes from the knowledge base through the core.

use std::fmt::Write;

use hamstride_service::view::Outcome;
use hamstride_service::{Findings, Kb};

const BAR: usize = 20;

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
    use hamstride_service::view::SetBy;
    let what = match outcome.decision.set_by {
        SetBy::Rule(i) => format!("the rule \"{}\"", kb.rules[i].title),
        SetBy::Presumed(i) => format!(
            "the rule \"{}\", because the answers it still needs are more likely yes than no",
            kb.rules[i].title
        ),
        SetBy::Screen(m, _) => format!(
            "the check for what must not be missed: {} cannot be ruled out",
            kb.must_not_miss[m].title.to_lowercase()
        ),
    };
    let id = &outcome.assessment.triage.set_by.id;
    wrap(&format!("What set this level: {what} [{id}]."), 88, "")
}

/// The unknown answers that would change the level, in words, most urgent first: one line
/// per answer that changes it alone, one line per rule for answers it needs together.
fn could_change(kb: &Kb, outcome: &Outcome) -> Vec<String> {
    let words = |c: &hamstride_service::view::Change| {
        let field = &kb.schema.fields[c.field];
        let answer = hamstride_service::view::answer_text(field, &c.answer, &c.other);
        match answer.as_str() {
            "true" => kb.describe_finding(&field.id),
            "false" => kb.describe_finding(&format!("{}=false", field.id)),
            a => kb.describe_finding(&format!("{}={a}", field.id)),
        }
    };
    let level = |l: u8| kb.levels[usize::from(l)].title.to_lowercase();
    let mut out: Vec<String> = Vec::new();
    let mut groups: Vec<(usize, u8, Vec<String>)> = Vec::new();
    for c in &outcome.changes {
        if !c.joint {
            out.push(format!("if {}: {}", words(c), level(c.level)));
        } else if let Some(g) = groups.iter_mut().find(|g| g.0 == c.rule && g.1 == c.level) {
            g.2.push(words(c));
        } else {
            groups.push((c.rule, c.level, vec![words(c)]));
        }
    }
    for (rule, l, answers) in groups {
        out.push(if l > outcome.level {
            format!(
                "if all of these turn out as shown ({}): {}",
                answers.join("; "),
                level(l)
            )
        } else {
            let joined = answers.join("; ");
            format!(
                "\"{}\" needs more answers ({joined}): {}",
                kb.rules[rule].title,
                level(l)
            )
        });
    }
    out.truncate(8);
    out
}

pub fn assessment(
    kb: &Kb,
    findings: &Findings,
    outcome: &Outcome,
    color: bool,
    interrupted: bool,
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
            "You stopped early: this result uses only the answers you gave ({}).\n",
            findings.answered()
        );
    }
    let _ = writeln!(s, "{}", paint(color, code, &format!("  {}  ", level.title)));
    let _ = writeln!(s, "{}\n", wrap(&a.triage.headline, 88, ""));
    let _ = writeln!(s, "{}", paint(color, "1", "Why"));
    for r in a.triage.reasons.iter().take(4) {
        let _ = writeln!(
            s,
            "  • {}",
            wrap(
                &format!("{} [{}; sources: {}]", r.text, r.rule, r.sources.join("; ")),
                84,
                "    "
            )
        );
    }
    let _ = writeln!(s, "\n{}", set_by(kb, outcome));
    let changes = could_change(kb, outcome);
    if !changes.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            paint(color, "1", "Answers that could change this")
        );
        for line in changes {
            let _ = writeln!(s, "  • {}", wrap(&line, 84, "    "));
        }
    }
    let _ = writeln!(s, "\n{}", paint(color, "1", "What it most likely is"));
    for d in a.differential.iter().take(3) {
        let filled = ((d.probability * BAR as f64).round() as usize).min(BAR);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR - filled));
        let _ = writeln!(s, "  {} {:>3.0}%  {}", bar, d.probability * 100.0, d.name);
        for (label, ids, n) in [("fits", &d.for_, 4), ("does not fit", &d.against, 3)] {
            if !ids.is_empty() {
                let words: Vec<String> = ids
                    .iter()
                    .take(n)
                    .map(|id| kb.describe_finding(id))
                    .collect();
                let _ = writeln!(
                    s,
                    "      {}",
                    wrap(&format!("{label}: {}", words.join("; ")), 82, "        ")
                );
            }
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
            paint(color, "1", &format!("About {}", c.name.to_lowercase()))
        );
        for t in [&c.summary, &c.helps, &c.course] {
            let _ = writeln!(s, "  {}", wrap(t, 86, "  "));
        }
    }
    let _ = writeln!(s, "\n{}", paint(color, "1", "What to do now"));
    for (i, adv) in a.advice.iter().enumerate() {
        let _ = writeln!(s, "  {:>2}. {}", i + 1, wrap(adv, 82, "      "));
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
                88,
                ""
            )
        );
    }
    // Sources actually cited above, in order of first use.
    let mut ids: Vec<&str> = Vec::new();
    for r in &outcome.fired {
        for id in &kb.rules[*r].sources {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
    }
    for i in &outcome.advice {
        for id in &kb.advice[*i].sources {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
    }
    let _ = writeln!(s, "\n{}", paint(color, "1", "Sources"));
    for id in ids {
        if let Some(src) = kb.source(id) {
            let url = src
                .url
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {}: {}{}",
                src.short,
                wrap(&src.citation, 80, "    "),
                url
            );
        }
    }
    let _ = writeln!(s, "\n{}", wrap(&a.disclaimer, 88, ""));
    s
}
