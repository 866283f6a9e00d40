//! `--date` as a runner types it: `today`, `yesterday`, a weekday name (`monday`, `mon`) or an
//! ISO date (`2026-12-01`). The words are parsed here into a `DateArg` and resolved by the
//! command against the runner's today (their profile's time zone, `Service::today`), because
//! the CLI has only the clock. A weekday means the most recent such day, today included:
//! on a Monday, `monday` is today, so the words never name a future day.

use jiff::civil::{Date, Weekday};

/// What `--date` said, before it is resolved against the runner's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateArg {
    Today,
    Yesterday,
    /// The most recent such day, today included.
    Last(Weekday),
    On(Date),
}

/// The forms the error message names.
const FORMS: &str =
    "a date as YYYY-MM-DD, \"today\", \"yesterday\" or a weekday name (monday ... sunday, or mon ... sun)";

impl std::str::FromStr for DateArg {
    type Err = String;

    fn from_str(s: &str) -> Result<DateArg, String> {
        let w = s.trim().to_ascii_lowercase();
        let day = match w.as_str() {
            "today" => return Ok(DateArg::Today),
            "yesterday" => return Ok(DateArg::Yesterday),
            "monday" | "mon" => Weekday::Monday,
            "tuesday" | "tue" | "tues" => Weekday::Tuesday,
            "wednesday" | "wed" => Weekday::Wednesday,
            "thursday" | "thu" | "thurs" => Weekday::Thursday,
            "friday" | "fri" => Weekday::Friday,
            "saturday" | "sat" => Weekday::Saturday,
            "sunday" | "sun" => Weekday::Sunday,
            _ => {
                return w
                    .parse::<Date>()
                    .map(DateArg::On)
                    .map_err(|_| format!("'{s}' is not a date: give {FORMS}"))
            }
        };
        Ok(DateArg::Last(day))
    }
}

impl DateArg {
    /// The calendar day meant, given the runner's today.
    pub fn resolve(self, today: Date) -> Date {
        match self {
            DateArg::Today => today,
            DateArg::Yesterday => today.yesterday().unwrap_or(today),
            DateArg::Last(w) => {
                let back = i64::from(today.weekday().since(w));
                today
                    .checked_sub(jiff::Span::new().days(back))
                    .unwrap_or(today)
            }
            DateArg::On(d) => d,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn words_resolve_against_the_runners_today() {
        // 2026-12-04 is a Friday.
        let today = date(2026, 12, 4);
        let r = |s: &str| s.parse::<DateArg>().unwrap().resolve(today);
        assert_eq!(r("today"), today);
        assert_eq!(r("Yesterday"), date(2026, 12, 3));
        assert_eq!(r("friday"), today, "today's weekday is today");
        assert_eq!(r("thu"), date(2026, 12, 3));
        assert_eq!(r("saturday"), date(2026, 11, 28), "never a future day");
        assert_eq!(r("MONDAY"), date(2026, 11, 30));
        assert_eq!(r("2026-01-05"), date(2026, 1, 5));
        let e = "tomorrow".parse::<DateArg>().unwrap_err();
        assert!(e.contains("YYYY-MM-DD") && e.contains("yesterday"), "{e}");
        assert!("2026-02-30".parse::<DateArg>().is_err());
    }
}
