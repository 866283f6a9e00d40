//! The words of an assessment's result that every front end shows: what set the level, the
//! answers that could still change it, and the sources behind the rules and advice.
//!
//! They were the terminal's own (`crates/cli/src/render.rs`); the web app shows the same
//! sentences, so they live here once. Plain strings only: wrapping, colour and markup are the
//! adapter's. Every word comes from the knowledge base through the core's outcome.

use hamstride_core::engine::{answer_text, Change, Outcome, SetBy};
use hamstride_core::kb::lower_first;
use hamstride_core::Kb;

/// "What set this level: the rule "…" [R-U2]." (one sentence, unwrapped).
pub fn set_by(kb: &Kb, outcome: &Outcome) -> String {
    let what = match outcome.decision.set_by {
        SetBy::Rule(i) => format!("the rule \"{}\"", kb.rules[i].title),
        SetBy::Presumed(i) => format!(
            "the rule \"{}\", because the answers it still needs are more likely yes than no",
            kb.rules[i].title
        ),
        SetBy::Screen(m, _) => format!(
            "the check for what must not be missed: {} cannot be ruled out",
            lower_first(&kb.must_not_miss[m].title)
        ),
    };
    let id = &outcome.assessment.triage.set_by.id;
    format!("What set this level: {what} [{id}].")
}

/// The answers that could change the level, briefly: one line per level an answer alone
/// leads to (a few named, the count of the rest), and how many more count only together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouldChangeBrief {
    pub alone: Vec<String>,
    /// Answers that change the level only together with others (listed in full by
    /// [`could_change`]).
    pub together: usize,
}

/// The brief form of [`could_change`], for the decision itself.
pub fn could_change_brief(kb: &Kb, outcome: &Outcome) -> CouldChangeBrief {
    const NAMED: usize = 4;
    let words = |c: &Change| {
        let field = &kb.schema.fields[c.field];
        let answer = answer_text(field, &c.answer, &c.other);
        match answer.as_str() {
            "true" => field.label.clone(),
            "false" => kb.describe_finding(&format!("{}=false", field.id)),
            a => kb.describe_finding(&format!("{}={a}", field.id)),
        }
    };
    let mut alone: Vec<(u8, Vec<String>)> = Vec::new();
    let mut together = 0;
    for c in &outcome.changes {
        if c.joint {
            together += 1;
            continue;
        }
        let w = words(c);
        match alone.iter_mut().find(|g| g.0 == c.level) {
            Some(g) if !g.1.contains(&w) => g.1.push(w),
            Some(_) => {}
            None => alone.push((c.level, vec![w])),
        }
    }
    let mut out = Vec::new();
    for (l, answers) in alone {
        let level = kb.levels[usize::from(l)].title.to_lowercase();
        let rest = answers.len().saturating_sub(NAMED);
        let mut named = answers
            .into_iter()
            .take(NAMED)
            .collect::<Vec<_>>()
            .join("; ");
        if rest > 0 {
            named.push_str(&format!(" and {rest} more"));
        }
        out.push(format!("{level} if yes to: {named}"));
    }
    CouldChangeBrief {
        alone: out,
        together,
    }
}

/// Every unknown answer that would change the level, in words, most urgent first: one line
/// per answer that changes it alone, one line per rule for answers it needs together (at most
/// eight lines).
pub fn could_change(kb: &Kb, outcome: &Outcome) -> Vec<String> {
    let words = |c: &Change| {
        let field = &kb.schema.fields[c.field];
        let answer = answer_text(field, &c.answer, &c.other);
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

/// One reference of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    pub short: String,
    pub citation: String,
    pub url: Option<String>,
}

/// The sources cited by the rules that fired and the advice shown, in order of first use.
pub fn sources(kb: &Kb, outcome: &Outcome) -> Vec<SourceLine> {
    let mut ids: Vec<&str> = Vec::new();
    let cited = outcome
        .fired
        .iter()
        .flat_map(|r| kb.rules[*r].sources.iter())
        .chain(
            outcome
                .advice
                .iter()
                .flat_map(|i| kb.advice[*i].sources.iter()),
        );
    for id in cited {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    ids.into_iter()
        .filter_map(|id| kb.source(id))
        .map(|s| SourceLine {
            short: s.short.clone(),
            citation: s.citation.clone(),
            url: s.url.clone(),
        })
        .collect()
}
