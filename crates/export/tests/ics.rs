//! Tests of the iCalendar writer: TEXT escaping, CRLF line ends, folding at 75 octets without
//! splitting a UTF-8 character (checked on the bytes, with 2-, 3- and 4-byte characters at
//! every offset), and a parse-back that unfolds the output, splits it into events and
//! properties, unescapes the text and compares it with what went in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_export::ics::escape_text;
use hamstride_export::{calendar, CalendarEvent};
use jiff::civil::{date, Date};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// 2025-06-15T15:06:40Z.
const STAMP: i64 = 1_750_000_000;

fn event(uid: &str, date: Date, summary: &str, description: &str) -> CalendarEvent {
    CalendarEvent {
        uid: uid.to_string(),
        date,
        summary: summary.to_string(),
        description: description.to_string(),
    }
}

fn sample_events() -> Vec<CalendarEvent> {
    vec![
        event(
            "2025-06-16-walk-jog@hamstride",
            date(2025, 6, 16),
            "Walk-jog 6×1′",
            "Warm up: walk 5 min.\nThen 6 × (jog 60 s, walk 60 s); stop if pain > 3/10, \
             and note it; C:\\notes stays a path.",
        ),
        event(
            "2025-06-18-bridges@hamstride",
            date(2025, 6, 18),
            "Isometric bridges; 5 × 30 s, rest 60 s",
            "",
        ),
        event(
            "2025-06-30-month-end@hamstride",
            date(2025, 6, 30),
            "Easy run, ça va 🏃",
            "Line one\r\nLine two\rLine three",
        ),
    ]
}

/// Undo folding: a CRLF followed by one space or tab joins the lines (RFC 5545 3.1).
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\r\n\t", "")
}

/// Undo TEXT escaping.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("dangling backslash in {value:?}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Property name (with parameters) → raw value, one map per VEVENT; also the calendar's own
/// properties.
type Props = BTreeMap<String, String>;

fn parse(ics: &str) -> (Props, Vec<Props>) {
    let unfolded = unfold(ics);
    let mut lines = unfolded.split("\r\n").collect::<Vec<_>>();
    assert_eq!(lines.pop(), Some(""), "the output ends with CRLF");
    assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
    assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
    let mut calendar = Props::new();
    let mut events = Vec::new();
    let mut current: Option<Props> = None;
    for line in &lines[1..lines.len() - 1] {
        match *line {
            "BEGIN:VEVENT" => {
                assert!(current.is_none(), "VEVENTs do not nest");
                current = Some(Props::new());
            }
            "END:VEVENT" => events.push(current.take().expect("END without BEGIN")),
            _ => {
                let (name, value) = line.split_once(':').expect("NAME:value");
                let props = current.as_mut().unwrap_or(&mut calendar);
                assert!(
                    props.insert(name.to_string(), value.to_string()).is_none(),
                    "{name} appears once"
                );
            }
        }
    }
    assert!(current.is_none(), "every VEVENT is closed");
    (calendar, events)
}

/// Physical lines as bytes, so a split character would show up as invalid UTF-8.
fn physical_lines(ics: &str) -> Vec<&[u8]> {
    let bytes = ics.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\r' && bytes[i + 1] == b'\n' {
            lines.push(&bytes[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    assert_eq!(start, bytes.len(), "the output ends with CRLF");
    lines
}

fn assert_well_formed(ics: &str) {
    for (i, b) in ics.bytes().enumerate() {
        if b == b'\n' {
            assert!(
                i > 0 && ics.as_bytes()[i - 1] == b'\r',
                "bare LF at byte {i}"
            );
        }
        if b == b'\r' {
            assert_eq!(
                ics.as_bytes().get(i + 1),
                Some(&b'\n'),
                "bare CR at byte {i}"
            );
        }
    }
    for line in physical_lines(ics) {
        assert!(
            line.len() <= 75,
            "{} octets: {:?}",
            line.len(),
            String::from_utf8_lossy(line)
        );
        assert!(
            std::str::from_utf8(line).is_ok(),
            "a fold split a character"
        );
        assert!(!line.is_empty(), "no empty lines");
    }
}

#[test]
fn escaping_covers_backslash_semicolon_comma_and_newlines() {
    assert_eq!(
        escape_text("a\\b;c,d\ne\r\nf\rg"),
        "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    );
    assert_eq!(
        escape_text("tab\there"),
        "tab\there",
        "HTAB is allowed in TEXT"
    );
    assert_eq!(
        escape_text("bell\u{7}\u{0}!"),
        "bell!",
        "other controls are dropped"
    );
    assert_eq!(escape_text("colon: \"quotes\" ok"), "colon: \"quotes\" ok");
    assert_eq!(unescape(&escape_text("x\\;,\n\\n")), "x\\;,\n\\n");
}

#[test]
fn calendar_header_and_events_are_in_order() {
    let ics = calendar("Hamstring plan; weeks 1–4", &sample_events(), STAMP);
    assert_well_formed(&ics);
    let (cal, events) = parse(&ics);
    let lines: Vec<_> = ics.split("\r\n").take(5).collect();
    assert_eq!(
        lines,
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//hamstride//plan//EN",
            "CALSCALE:GREGORIAN",
            "X-WR-CALNAME:Hamstring plan\\; weeks 1–4",
        ]
    );
    assert_eq!(cal.len(), 4);
    assert_eq!(events.len(), 3);
    assert_eq!(ics.matches("BEGIN:VEVENT\r\n").count(), 3);
    assert_eq!(ics.matches("END:VEVENT\r\n").count(), 3);
}

#[test]
fn events_parse_back_to_what_went_in() {
    let input = sample_events();
    let ics = calendar("Plan", &input, STAMP);
    let (_, events) = parse(&ics);
    assert_eq!(events.len(), input.len());
    let next_day = ["20250617", "20250619", "20250701"];
    for ((e, props), end) in input.iter().zip(&events).zip(next_day) {
        assert_eq!(unescape(&props["UID"]), e.uid);
        assert_eq!(props["DTSTAMP"], "20250615T150640Z");
        assert_eq!(
            props["DTSTART;VALUE=DATE"],
            e.date.strftime("%Y%m%d").to_string()
        );
        assert_eq!(
            props["DTEND;VALUE=DATE"], end,
            "the day after (exclusive end)"
        );
        assert_eq!(unescape(&props["SUMMARY"]), e.summary);
        let expected_description = e.description.replace("\r\n", "\n").replace('\r', "\n");
        if expected_description.is_empty() {
            assert!(!props.contains_key("DESCRIPTION"));
        } else {
            assert_eq!(unescape(&props["DESCRIPTION"]), expected_description);
        }
        assert_eq!(props["TRANSP"], "TRANSPARENT");
    }
}

#[test]
fn long_multibyte_lines_fold_at_75_octets_between_characters() {
    // Every combination of 1-, 2-, 3- and 4-byte characters lands on the 75-octet boundary
    // at some offset.
    for prefix in 0..8 {
        let summary = format!("{}{}", "a".repeat(prefix), "é€🏃x".repeat(30));
        let ics = calendar("Plan", &[event("u@h", date(2025, 1, 1), &summary, "")], 0);
        assert_well_formed(&ics);
        let (_, events) = parse(&ics);
        assert_eq!(unescape(&events[0]["SUMMARY"]), summary);
        let folded = physical_lines(&ics)
            .iter()
            .filter(|l| l.first() == Some(&b' '))
            .count();
        assert!(
            folded >= 4,
            "a {}-byte summary needs several folds",
            summary.len()
        );
    }
}

#[test]
fn a_75_octet_line_is_not_folded_and_76_is() {
    let exact = "x".repeat(75 - "SUMMARY:".len());
    let ics = calendar("P", &[event("u", date(2025, 1, 1), &exact, "")], 0);
    assert!(ics.contains(&format!("\r\nSUMMARY:{exact}\r\n")));
    let longer = format!("{exact}y");
    let ics = calendar("P", &[event("u", date(2025, 1, 1), &longer, "")], 0);
    assert!(ics.contains(&format!("\r\nSUMMARY:{exact}\r\n y\r\n")));
}

#[test]
fn stamps_and_edge_dates() {
    let ics = calendar("P", &[event("u", date(9999, 12, 31), "Last", "")], 0);
    let (_, events) = parse(&ics);
    assert_eq!(events[0]["DTSTAMP"], "19700101T000000Z");
    assert_eq!(events[0]["DTSTART;VALUE=DATE"], "99991231");
    assert!(
        !events[0].contains_key("DTEND;VALUE=DATE"),
        "no next day: a DATE start alone means one day"
    );

    let ics = calendar("P", &[event("u", date(2024, 2, 28), "Leap", "")], i64::MAX);
    let (_, events) = parse(&ics);
    assert_eq!(events[0]["DTEND;VALUE=DATE"], "20240229");
    assert_eq!(
        events[0]["DTSTAMP"], "99991230T220000Z",
        "clamped to jiff's range"
    );

    let ics = calendar("P", &[event("u", date(2024, 1, 1), "x", "")], i64::MIN);
    assert!(ics.contains("DTSTAMP:00010101T000000Z\r\n"));
}

#[test]
fn an_empty_calendar_is_still_valid() {
    let ics = calendar("", &[], STAMP);
    assert_well_formed(&ics);
    let (cal, events) = parse(&ics);
    assert!(events.is_empty());
    assert_eq!(cal["X-WR-CALNAME"], "");
}

proptest! {
    #[test]
    fn any_text_survives_escaping_and_folding(
        summary in "\\PC{0,200}",
        description in ".{0,300}",
        name in "(\\PC|\n){0,120}",
    ) {
        let ics = calendar(&name, &[event("id@h", date(2025, 3, 1), &summary, &description)], STAMP);
        assert_well_formed(&ics);
        let (cal, events) = parse(&ics);
        prop_assert_eq!(events.len(), 1);
        let keep = |s: &str| -> String {
            s.replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
                .collect()
        };
        prop_assert_eq!(unescape(&cal["X-WR-CALNAME"]), keep(&name));
        prop_assert_eq!(unescape(&events[0]["SUMMARY"]), keep(&summary));
        let description_kept = keep(&description);
        prop_assert_eq!(
            events[0].get("DESCRIPTION").map(|d| unescape(d)),
            (!description_kept.is_empty()).then_some(description_kept)
        );
    }
}
