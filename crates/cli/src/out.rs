//! Standard output with checked writes, wrapped to the terminal. `println!` panics when the
//! reader has gone away (`hamstride plan | head -1`), which ends in exit code 101 and, worse,
//! after `pain` has saved, looks like a failure a script would retry. `outln!`/`out!` return
//! the write error instead; `main` ends quietly with exit 0 when it is a closed pipe (what was
//! asked is done; the reader simply stopped reading). `unsafe` is forbidden here, so SIGPIPE is
//! not reset.
//!
//! This is also the one place where text meets the terminal's width: on a terminal every line
//! longer than the window is wrapped at word boundaries, its continuation indented under the
//! text of a bullet or number, so no renderer needs to know the width (the assessment's
//! one-screen layout asks [`width`] to pick its own line length). Output to a pipe or a file is
//! left as it is, one line per paragraph, which is what `grep` and scripts want. JSON goes
//! through [`json`] and is never wrapped.

use std::io::{self, IsTerminal, Write};

/// Widest line worth reading, even on a very wide terminal.
const MAX_WIDTH: usize = 100;

/// The narrowest width wrapping still helps at; below it words would stand one per line.
const MIN_WIDTH: usize = 30;

/// The width the assessment is laid out for when the output is not a terminal: an 80-column
/// terminal, less a column so a full line never wraps.
pub const DEFAULT_WIDTH: usize = 78;

/// The terminal's width in columns when standard output is one, less a column (a line that
/// fills the last column makes some terminals add a blank line).
fn terminal_width() -> Option<usize> {
    width_of(&io::stdout())
}

fn width_of<T: IsTerminal + std::os::fd::AsFd>(stream: &T) -> Option<usize> {
    if !stream.is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(stream).map(|(w, _)| {
        usize::from(w.0)
            .saturating_sub(1)
            .clamp(MIN_WIDTH, MAX_WIDTH)
    })
}

/// A message on standard error, wrapped like standard output when it is a terminal. A
/// failed write to standard error has nowhere to be reported, so it is ignored.
pub fn message(text: &str) {
    let text = match width_of(&io::stderr()) {
        Some(w) => wrap_lines(text, w),
        None => text.to_string(),
    };
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// The line length to lay text out for: the terminal's, else [`DEFAULT_WIDTH`].
pub fn width() -> usize {
    terminal_width().unwrap_or(DEFAULT_WIDTH)
}

/// How far a line's continuation is indented: under the text after its leading spaces and a
/// bullet ("• ", "- ", "* "), a number ("1. ", "12) "), a check box ("[ ] ") or a label that
/// ends in ": " within the first few words ("goal: ").
fn hanging_indent(line: &str) -> usize {
    let lead = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[lead..];
    for bullet in ["• ", "- ", "* ", "[ ] ", "[x] "] {
        if rest.starts_with(bullet) {
            return lead + textwrap::core::display_width(bullet);
        }
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && (rest[digits..].starts_with(". ") || rest[digits..].starts_with(") ")) {
        return lead + digits + 2;
    }
    lead
}

/// Wrap every line of `text` that is wider than `width`, keeping line breaks already there.
pub fn wrap_lines(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if textwrap::core::display_width(line) <= width {
            out.push_str(line);
        } else {
            let indent = " ".repeat(hanging_indent(line));
            let opts = textwrap::Options::new(width)
                .subsequent_indent(&indent)
                .break_words(false)
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .word_splitter(textwrap::WordSplitter::NoHyphenation);
            out.push_str(&textwrap::fill(line, opts));
        }
        if lines.peek().is_some() {
            out.push('\n');
        }
    }
    out
}

/// Write formatted text to standard output, wrapped on a terminal; the error is the caller's
/// to pass up with `?`.
pub fn write_fmt(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    match terminal_width() {
        Some(w) => write_all(wrap_lines(&args.to_string(), w).as_bytes()),
        None => io::stdout().lock().write_fmt(args),
    }
}

/// Write bytes to standard output and flush them (a report or saved answers given `-`).
pub fn write_all(bytes: &[u8]) -> io::Result<()> {
    let mut o = io::stdout().lock();
    o.write_all(bytes)?;
    o.flush()
}

/// Write a value as pretty JSON and a newline, never wrapped (a wrapped string is not JSON).
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    write_all(text.as_bytes())
}

/// Is this error (anywhere in its chain) standard output closed by its reader?
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Like `println!`, but returns from the enclosing function with the write error (`?`).
macro_rules! outln {
    () => {
        $crate::out::write_fmt(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        $crate::out::write_fmt(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// Like `print!`, but returns from the enclosing function with the write error (`?`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::write_fmt(format_args!($($arg)*))?
    };
}

/// A value as pretty JSON on standard output, unwrapped; returns with the error (`?`).
macro_rules! jsonln {
    ($value:expr) => {
        $crate::out::json($value)?
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_bullet_and_short_ones_stay() {
        let text = "Title\n  • one two three four five six seven eight nine ten\nend";
        let got = wrap_lines(text, 24);
        assert_eq!(
            got,
            "Title\n  • one two three four\n    five six seven eight\n    nine ten\nend"
        );
        for line in got.lines() {
            assert!(line.chars().count() <= 24, "{line:?}");
        }
    }

    #[test]
    fn numbers_and_check_boxes_hang_too() {
        assert_eq!(hanging_indent("  12. text"), 6);
        assert_eq!(hanging_indent("  [ ] text"), 6);
        assert_eq!(hanging_indent("plain text"), 0);
        assert_eq!(hanging_indent("    indented"), 4);
    }

    #[test]
    fn a_trailing_newline_and_a_long_word_survive() {
        let url = "https://pubmed.ncbi.nlm.nih.gov/12345678/";
        let got = wrap_lines(&format!("see {url} now\n"), 20);
        assert!(got.ends_with('\n'));
        assert!(got.contains(url), "{got}");
    }
}
