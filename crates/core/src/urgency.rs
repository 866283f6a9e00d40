//! When to be seen: the time frames of `kb/meta.toml` (`[[frame]]`, `[tier_frame]` and each
//! level's `frame`), and the reader that finds a time frame stated in a text.
//!
//! A runner must read one "when" in one result: a suspected clot once said "within 24-48
//! hours" in its headline and "today" on the next line. So every level and every tier of the
//! brief has one frame, a rule may narrow its tier's frame (a clot: "today" is inside "within
//! 24-48 hours") but never widen it, and texts say when to be seen only through `{when}`,
//! filled from the one table. [`stated`] is how `kb check` refuses a text that states a frame
//! of its own, and how the tests read every rendered output for a second frame.

use serde::Deserialize;

/// Where a text says when to be seen; filled with the frame that governs it.
pub const WHEN: &str = "{when}";

/// One time frame of `meta.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    pub id: String,
    /// The words that fill `{when}`: "today", "within 24-48 hours".
    pub text: String,
    /// The latest it allows, in hours from now: a narrower frame has fewer.
    pub hours: u32,
    /// Other ways a text could say the same frame ("the same day"), recognised by [`stated`].
    #[serde(default)]
    pub also: Vec<String>,
}

/// A frame found in a text: a frame of the table by index, or words that state a time the
/// table does not know (which can never agree with the frame that governs the text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stated {
    Known(usize),
    Unknown(String),
}

/// Word starts that make a clause a "when to be seen" clause. A time in any other clause is about
/// healing or dosing ("some discomfort is fine if it has settled within 24 hours") and is not
/// an urgency frame.
const CARE_WORDS: [&str; 13] = [
    "doctor",
    "physio",
    "gp",
    "emergency",
    "seen",
    "checked",
    "examined",
    "book",
    "clinician",
    "physician",
    "urgent care",
    "assessed",
    "a&e",
];

/// Units after "within" that make a time frame the table may not know ("within 3 days").
const UNITS: [&str; 8] = [
    "hour", "hours", "day", "days", "week", "weeks", "month", "months",
];

/// The frames a text states, each once, in the order of the table then of the text. "Now" is
/// not looked for: it is said everywhere as "at this moment" ("start the steps now"), and an
/// emergency is told by its level, so any frame found in an emergency text is one too many.
pub fn stated(text: &str, frames: &[Frame]) -> Vec<Stated> {
    let lower = text.to_lowercase();
    let mut phrases: Vec<(&str, usize)> = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        if f.hours == 0 {
            continue;
        }
        phrases.push((f.text.as_str(), i));
        phrases.extend(f.also.iter().map(|a| (a.as_str(), i)));
    }
    // Longest first, so "the same day or the next" is one frame, not "same day" as well.
    phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let mut out = Vec::new();
    for clause in lower.split(['.', ';', ':', '\n']) {
        if !CARE_WORDS.iter().any(|w| has_word(clause, w)) {
            continue;
        }
        let mut used = vec![false; clause.len()];
        for (p, i) in &phrases {
            for (at, _) in clause.match_indices(p) {
                let end = at + p.len();
                if used[at..end].iter().any(|u| *u) || !bounded(clause, at, end) {
                    continue;
                }
                used[at..end].iter_mut().for_each(|u| *u = true);
                push_once(&mut out, Stated::Known(*i));
            }
        }
        for (at, _) in clause.match_indices("within ") {
            if used[at] || !bounded(clause, at, at + 6) {
                continue;
            }
            if let Some(phrase) = within_phrase(&clause[at..]) {
                push_once(&mut out, Stated::Unknown(phrase));
            }
        }
    }
    out.sort();
    out
}

/// "within" and up to four words ending in a unit of time, if it is one.
fn within_phrase(s: &str) -> Option<String> {
    let words: Vec<&str> = s
        .split_whitespace()
        .take(5)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .collect();
    let end = words.iter().skip(1).position(|w| UNITS.contains(w))?;
    Some(words[..end + 2].join(" "))
}

fn push_once(out: &mut Vec<Stated>, s: Stated) {
    if !out.contains(&s) {
        out.push(s);
    }
}

/// Whether `clause[at..end]` stands as words (not inside "holiday" or "todays").
fn bounded(clause: &str, at: usize, end: usize) -> bool {
    let before = clause[..at].chars().next_back();
    let mut rest = clause[end..].chars();
    let after = rest.next();
    // "today's sessions" names a day, not a time to be seen.
    let possessive = matches!(after, Some('\'' | '’')) && rest.next() == Some('s');
    !before.is_some_and(char::is_alphanumeric)
        && !after.is_some_and(char::is_alphanumeric)
        && !possessive
}

/// Whether a word starts with `w` ("physio" in "physiotherapist", "doctor" in "doctor's").
fn has_word(clause: &str, w: &str) -> bool {
    clause.match_indices(w).any(|(at, _)| {
        !clause[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    })
}

/// A frame's words, for error messages.
pub fn describe(s: &Stated, frames: &[Frame]) -> String {
    match s {
        Stated::Known(i) => format!("\"{}\"", frames[*i].text),
        Stated::Unknown(p) => format!("\"{p}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> Vec<Frame> {
        let f = |id: &str, text: &str, hours, also: &[&str]| Frame {
            id: id.into(),
            text: text.into(),
            hours,
            also: also.iter().map(|s| s.to_string()).collect(),
        };
        vec![
            f("now", "now", 0, &[]),
            f("today", "today", 24, &["same day"]),
            f(
                "24-48h",
                "within 24-48 hours",
                48,
                &["same day or the next"],
            ),
            f("1-2-weeks", "within 1-2 weeks", 336, &[]),
        ]
    }

    #[test]
    fn finds_frames_only_in_clauses_about_being_seen() {
        let fr = frames();
        assert_eq!(
            stated(
                "See a doctor within 24-48 hours. Some pain is fine if it settled within 24 hours.",
                &fr
            ),
            vec![Stated::Known(2)]
        );
        assert_eq!(
            stated("See a doctor today (your GP the same day).", &fr),
            vec![Stated::Known(1)]
        );
        assert_eq!(
            stated("See a doctor the same day or the next.", &fr),
            vec![Stated::Known(2)]
        );
        assert_eq!(
            stated("Book a physio within 3 weeks; see a doctor today.", &fr),
            vec![Stated::Known(1), Stated::Unknown("within 3 weeks".into())]
        );
        assert!(stated("Go to emergency care now.", &fr).is_empty());
        assert!(stated("Start the holds today.", &fr).is_empty());
        assert!(stated("Until you are seen: see today's sessions.", &fr).is_empty());
    }
}
