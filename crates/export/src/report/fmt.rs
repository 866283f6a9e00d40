//! Small formatting pieces the report is written with: HTML escaping, numbers that are always
//! finite (an SVG attribute holding `NaN` breaks the whole chart), calendar arithmetic on plain
//! day numbers, dates in the report's "Mon 3 Nov 2026" style, and distances in the runner's
//! units. All of them are `Display` wrappers so the writers can `write!` straight into the one
//! output string without building temporary strings.
//!
//! Day numbers (days since 1970-01-01) rather than `jiff` dates are used inside the charts:
//! they cannot fail, subtract in O(1) and make "which week is this day in" plain arithmetic.
//! The conversions are the analytics crate's (the series use the same numbers); names of days
//! and months come from `jiff`'s `strftime`.

use super::Units;
use jiff::civil::Date;
use std::fmt::{self, Display, Formatter, Write as _};

/// HTML-escaped text, safe in element content and in quoted attribute values.
pub struct Esc<'a>(pub &'a str);

impl Display for Esc<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut last = 0;
        for (i, c) in s.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&s[last..i])?;
            f.write_str(rep)?;
            last = i + c.len_utf8();
        }
        f.write_str(&s[last..])
    }
}

/// A number for SVG coordinates: one decimal at most ("12", "12.5"), never `NaN`, `inf` or
/// `-0`. A non-finite input is written as 0 so a bad value can misplace one mark at worst.
pub struct N(pub f64);

impl Display for N {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() { self.0 } else { 0.0 };
        // `as` saturates, so even an absurd value cannot overflow here.
        let tenths = (v * 10.0).round() as i64;
        let neg = tenths < 0;
        let a = tenths.unsigned_abs();
        if neg {
            f.write_char('-')?;
        }
        write!(f, "{}", a / 10)?;
        // Not `is_multiple_of`: the workspace's minimum Rust is 1.85.
        let frac = a % 10;
        if frac != 0 {
            write!(f, ".{frac}")?;
        }
        Ok(())
    }
}

/// A number for reading: always one decimal ("10.0"), "–" when not finite.
pub struct F1(pub f64);

impl Display for F1 {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_finite() {
            // No "-0.0" for tiny negatives; a true minus sign for the others.
            let v = if self.0.abs() < 0.05 { 0.0 } else { self.0 };
            if v < 0.0 {
                f.write_char('−')?;
            }
            write!(f, "{:.1}", v.abs())
        } else {
            f.write_str("–")
        }
    }
}

/// A number with two decimals (correlations, ratios), "–" when not finite.
pub struct F2(pub f64);

impl Display for F2 {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_finite() {
            let v = if self.0.abs() < 0.005 { 0.0 } else { self.0 };
            if v < 0.0 {
                f.write_char('−')?;
            }
            write!(f, "{:.2}", v.abs())
        } else {
            f.write_str("–")
        }
    }
}

/// A whole number, "–" when not finite.
pub struct Int(pub f64);

impl Display for Int {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_finite() {
            write!(f, "{}", self.0.round() as i64)
        } else {
            f.write_str("–")
        }
    }
}

/// A probability (0–1) as a whole percentage.
pub struct Pct(pub f64);

impl Display for Pct {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_finite() {
            write!(f, "{}%", (self.0 * 100.0).round() as i64)
        } else {
            f.write_str("–")
        }
    }
}

/// An optional value, "–" when absent.
pub struct Opt<T>(pub Option<T>);

impl<T: Display> Display for Opt<T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("–"),
        }
    }
}

/// A distance in the display unit with one decimal and no unit ("6.2"), for table cells whose
/// header names the unit.
pub struct Dist(pub f64, pub Units);

impl Display for Dist {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        F1(self.1.dist(self.0)).fmt(f)
    }
}

/// A distance with its unit ("6.2 mi"), for sentences.
pub struct DistU(pub f64, pub Units);

impl Display for DistU {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", Dist(self.0, self.1), self.1.dist_unit())
    }
}

/// Minutes from seconds, for durations in tables ("31 min").
pub struct Minutes(pub f64);

impl Display for Minutes {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", Int(self.0 / 60.0))
    }
}

pub use hamstride_analytics::series::{date_from_day_number, day_number};

/// (year, month 1–12, day 1–31) of a day number.
pub fn civil(z: i64) -> (i64, i64, i64) {
    let d = date_from_day_number(z);
    (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    )
}

/// The first day of a month as a day number (clamped to `jiff`'s years).
pub fn month_start(y: i64, m: i64) -> i64 {
    let y = i16::try_from(y.clamp(-9999, 9999)).unwrap_or(1970);
    let m = i8::try_from(m.clamp(1, 12)).unwrap_or(1);
    Date::new(y, m, 1).map_or(0, day_number)
}

/// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
pub fn weekday(dn: i64) -> i64 {
    (dn + 3).rem_euclid(7)
}

/// The Monday of the week a day is in.
pub fn week_start(dn: i64) -> i64 {
    dn - weekday(dn)
}

/// "Jan" … "Dec".
pub fn month_name(m: i64) -> String {
    date_from_day_number(month_start(2000, m))
        .strftime("%b")
        .to_string()
}

/// A day number as "Mon 3 Nov 2026".
pub struct Day(pub i64);

impl Display for Day {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            date_from_day_number(self.0).strftime("%a %-d %b %Y")
        )
    }
}

/// A day number as "3 Nov 2026" (week columns, where the weekday is always Monday).
pub struct DayNoWeekday(pub i64);

impl Display for DayNoWeekday {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", date_from_day_number(self.0).strftime("%-d %b %Y"))
    }
}

/// A day number as "3 Nov" (chart ticks).
pub struct DayShort(pub i64);

impl Display for DayShort {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", date_from_day_number(self.0).strftime("%-d %b"))
    }
}

/// A `jiff` date as "Mon 3 Nov 2026".
pub fn date(d: Date) -> Day {
    Day(day_number(d))
}

/// The first `max` characters of a note, cut at a word boundary when one is near, with an
/// ellipsis when anything was cut.
pub fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let s = s.trim();
    match s.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(s),
        Some((cut, _)) => {
            let head = &s[..cut];
            // Prefer ending on a word when the last space is not far back.
            let head = match head.rfind(char::is_whitespace) {
                Some(sp) if sp + 20 >= cut => &head[..sp],
                _ => head,
            };
            std::borrow::Cow::Owned(format!("{}…", head.trim_end()))
        }
    }
}

/// "sit_bone" as "Sit bone".
pub struct Words<'a>(pub &'a str);

impl Display for Words<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for c in self.0.chars() {
            let c = if c == '_' { ' ' } else { c };
            if first {
                for u in c.to_uppercase() {
                    write!(f, "{}", Esc(u.encode_utf8(&mut [0; 4])))?;
                }
                first = false;
            } else {
                write!(f, "{}", Esc(c.encode_utf8(&mut [0; 4])))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_always_finite_and_short() {
        assert_eq!(N(f64::NAN).to_string(), "0");
        assert_eq!(N(f64::INFINITY).to_string(), "0");
        assert_eq!(N(-0.01).to_string(), "0");
        assert_eq!(N(12.04).to_string(), "12");
        assert_eq!(N(12.06).to_string(), "12.1");
        assert_eq!(N(-3.25).to_string(), "-3.3");
        assert_eq!(F1(-0.01).to_string(), "0.0");
        assert_eq!(F1(f64::NAN).to_string(), "–");
    }

    #[test]
    fn calendar_round_trips() {
        for dn in -800_000..800_000_i64 {
            if dn % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil(dn);
            let back = Date::new(y as i16, m as i8, d as i8).map_or(i64::MIN, day_number);
            assert_eq!(back, dn);
        }
        let d = jiff::civil::Date::new(2026, 11, 2).unwrap_or_default();
        assert_eq!(date(d).to_string(), "Mon 2 Nov 2026");
        assert_eq!(weekday(day_number(d)), 0);
    }

    #[test]
    fn escaping_and_truncation() {
        assert_eq!(
            Esc("<a href=\"x\">&'").to_string(),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(truncate("short", 80), "short");
        let long = "word ".repeat(30);
        let t = truncate(&long, 80);
        assert!(t.chars().count() <= 81 && t.ends_with('…'), "{t}");
        assert_eq!(Words("sit_bone").to_string(), "Sit bone");
    }
}
