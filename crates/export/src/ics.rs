//! iCalendar (RFC 5545) export of a plan: one all-day event per planned session, so the plan
//! shows up in whatever calendar the runner already looks at. Hand-written because the subset
//! needed is small: TEXT escaping, line folding at 75 octets and CRLF line ends. Those three
//! rules are exactly where generated calendars usually break (Outlook and Google both reject
//! or garble a file that splits a UTF-8 character while folding), so each is tested.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// One all-day calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Must be stable across exports of the same session, so a re-import updates the event
    /// instead of duplicating it; make it globally unique (e.g. `…@hamstride`).
    pub uid: String,
    pub date: Date,
    pub summary: String,
    /// Plain text; newlines are kept. Left out of the event when empty.
    pub description: String,
}

/// Octets a content line may have before it must be folded (CRLF not counted).
const MAX_LINE_OCTETS: usize = 75;
/// 0001-01-01T00:00:00Z: the first instant a four-digit DATE-TIME can write. The last is
/// where jiff's range ends (9999-12-30T22:00:00Z), which is as good for a time stamp.
const FIRST_STAMP: i64 = -62_135_596_800;

/// A VCALENDAR named `name` holding `events`, each stamped (DTSTAMP) with `stamp_unix`
/// (seconds since 1970, UTC; clamped to years 1–9999). Lines end in CRLF and are folded.
pub fn calendar(name: &str, events: &[CalendarEvent], stamp_unix: i64) -> String {
    let stamp = utc_date_time(stamp_unix);
    let mut out = String::new();
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//hamstride//plan//EN");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape_text(name)));
    for event in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", ics_date(event.date)),
        );
        // DTEND is exclusive. Without it a DATE start still means one whole day (RFC 5545
        // 3.6.1), which covers 9999-12-31, the one date with no next day.
        if let Ok(next) = event.date.tomorrow() {
            push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", ics_date(next)));
        }
        push_line(
            &mut out,
            &format!("SUMMARY:{}", escape_text(&event.summary)),
        );
        let description = escape_text(&event.description);
        if !description.is_empty() {
            push_line(&mut out, &format!("DESCRIPTION:{description}"));
        }
        // A training session should not mark the runner as busy to colleagues.
        push_line(&mut out, "TRANSP:TRANSPARENT");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

/// RFC 5545 TEXT escaping. Any newline convention becomes `\n`; other control characters
/// are dropped because TEXT may not carry them (tab is allowed and kept).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Append `line` with CRLF, folded so no physical line exceeds 75 octets: a fold is CRLF
/// plus one space (which counts towards the next line), placed only between characters.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let octets = c.len_utf8();
        if used + octets > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += octets;
    }
    out.push_str("\r\n");
}

/// `YYYYMMDD`, the DATE value form.
fn ics_date(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// `YYYYMMDDTHHMMSSZ`, the UTC DATE-TIME form.
fn utc_date_time(unix: i64) -> String {
    let ts = Timestamp::from_second(unix.clamp(FIRST_STAMP, Timestamp::MAX.as_second()))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let dt = ts.to_zoned(TimeZone::UTC).datetime();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}
