//! Text from outside (activity names and paths from imported files and Strava's
//! activities.csv, diary notes, file names in import reports) on its way to the terminal. A
//! name can carry escape sequences that move the cursor, retitle the window or hide what
//! follows, so every such text goes through `terminal` before it is
//! printed. JSON output needs none of this: serde escapes control characters.

use std::borrow::Cow;

/// The replacement shown for a control character: visible, so nothing is hidden.
const REPLACEMENT: char = '\u{FFFD}';

/// `s` with every control character (C0, DEL, C1, including tab and newline) replaced by
/// U+FFFD. Everything from outside that the terminal shows sits on one line (a table row, a
/// list item), so a newline is replaced too: it could forge a row.
pub fn terminal(s: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control();
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { REPLACEMENT } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_become_visible_replacements() {
        assert_eq!(terminal("Morning run"), "Morning run");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal("a\x1b]0;pwned\x07b"), "a\u{FFFD}]0;pwned\u{FFFD}b");
        assert_eq!(
            terminal("x\r\ny\u{9b}2J\t"),
            "x\u{FFFD}\u{FFFD}y\u{FFFD}2J\u{FFFD}"
        );
    }
}
