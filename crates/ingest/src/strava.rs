//! Strava's bulk-export `activities.csv`: one row per activity, telling which file under
//! `activities/` holds it, its name, Strava type and perceived exertion. The decoders read
//! the files themselves; this table adds what only Strava knows and links rows to files.
//!
//! The real file (99 columns) repeats five column names (`Elapsed Time`, `Distance`,
//! `Max Heart Rate`, `Relative Effort`, `Commute`), so columns are addressed by
//! (name, occurrence), never through a name → value map. The first `Distance` is display-
//! formatted (km for runs and rides, metres for swims); the second is always metres, so only
//! the second is used. Descriptions contain newlines inside quotes, hence the `csv` crate.
//!
//! Row policy: a row without an Activity ID is skipped (it cannot be linked to anything) and
//! every other row is kept, with unreadable values as `None`. Only a missing `Activity ID`
//! header, a CSV-level read error or the row limit fail the whole file, each naming the
//! line or byte.

use crate::Error;

/// Most rows accepted (a very keen athlete logs a few thousand).
const MAX_ROWS: usize = 1_000_000;

/// One row of `activities.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StravaActivity {
    pub activity_id: String,
    /// "Activity Date" as UTC milliseconds, when it could be read.
    pub date_ms: Option<i64>,
    pub name: Option<String>,
    /// Strava's own label ("Run", "Ride", "Workout" …).
    pub activity_type: Option<String>,
    /// The type read through `kb/sports.toml` ("unknown" when absent).
    pub sport: String,
    /// The kind of that sport the type names (`trail` for "TrailRun"), if any.
    pub sub_sport: Option<String>,
    /// Path inside the export, e.g. "activities/123.fit.gz"; `None` for manual entries.
    pub filename: Option<String>,
    pub perceived_exertion: Option<f64>,
    /// Metres, from the second `Distance` column.
    pub distance_m: Option<f64>,
    /// Seconds, from the second `Elapsed Time` column (the first when there is only one).
    pub elapsed_s: Option<f64>,
}

/// Column positions, found by (name, occurrence) in the header.
#[derive(Debug)]
struct Columns {
    id: usize,
    date: Option<usize>,
    name: Option<usize>,
    kind: Option<usize>,
    filename: Option<usize>,
    exertion: Option<usize>,
    distance: Option<usize>,
    elapsed: Option<usize>,
}

/// Index of the `occurrence`-th (0-based) column called `name` (case and surrounding
/// spaces ignored).
fn find(header: &[String], name: &str, occurrence: usize) -> Option<usize> {
    header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.eq_ignore_ascii_case(name))
        .nth(occurrence)
        .map(|(i, _)| i)
}

/// Parse `activities.csv`.
pub fn parse_activities_csv(bytes: &[u8]) -> Result<Vec<StravaActivity>, Error> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header: Vec<String> = match records.next() {
        None => return Err(Error::decode("CSV", 0, "empty file: no header row")),
        Some(Err(e)) => return Err(csv_error(&e)),
        Some(Ok(h)) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect(),
    };
    let Some(id) = find(&header, "Activity ID", 0) else {
        return Err(Error::decode(
            "CSV",
            0,
            "header has no \"Activity ID\" column (not Strava's activities.csv?)",
        ));
    };
    let cols = Columns {
        id,
        date: find(&header, "Activity Date", 0),
        name: find(&header, "Activity Name", 0),
        kind: find(&header, "Activity Type", 0),
        filename: find(&header, "Filename", 0),
        exertion: find(&header, "Perceived Exertion", 0),
        // Only the second Distance has a fixed unit (metres); with one column there is no
        // telling km from m, so no distance rather than a wrong one.
        distance: find(&header, "Distance", 1),
        // Both Elapsed Time columns are seconds (integer, then float): prefer the second.
        elapsed: find(&header, "Elapsed Time", 1).or_else(|| find(&header, "Elapsed Time", 0)),
    };

    let mut out = Vec::new();
    for (n, rec) in records.enumerate() {
        let rec = rec.map_err(|e| csv_error(&e))?;
        if n >= MAX_ROWS {
            return Err(Error::Limit {
                path: "activities.csv".to_string(),
                what: format!("more than {MAX_ROWS} rows"),
            });
        }
        let field = |i: Option<usize>| -> Option<String> {
            let raw = rec.get(i?)?;
            let s = String::from_utf8_lossy(raw);
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        let number = |i: Option<usize>| -> Option<f64> {
            field(i)?.parse::<f64>().ok().filter(|v| v.is_finite())
        };
        let Some(activity_id) = field(Some(cols.id)) else {
            continue;
        };
        let activity_type = field(cols.kind);
        let named = crate::vocab::from_label(activity_type.as_deref())?;
        out.push(StravaActivity {
            activity_id,
            date_ms: field(cols.date).and_then(|d| parse_activity_date(&d)),
            name: field(cols.name),
            sport: named.sport,
            sub_sport: named.kind,
            activity_type,
            filename: field(cols.filename),
            perceived_exertion: number(cols.exertion),
            distance_m: number(cols.distance),
            elapsed_s: number(cols.elapsed),
        });
    }
    Ok(out)
}

fn csv_error(e: &csv::Error) -> Error {
    let (line, byte) = e.position().map_or((0, 0), |p| (p.line(), p.byte()));
    Error::decode(
        "CSV",
        usize::try_from(byte).unwrap_or(usize::MAX),
        format!("line {line}: {e}"),
    )
}

/// A token of a free-form date.
#[derive(Debug)]
enum Token {
    Num { value: u32, digits: usize },
    Word(String),
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Read Strava's "Activity Date", which is UTC. The observed form is
/// `Jun 4, 2024, 4:39:40 PM`; the format may follow the account's locale, so this accepts
/// any order of an English month name, a day, a four-digit year and an `h:mm[:ss]` time with
/// an optional AM/PM (so `4 Jun 2024, 16:39:40` works too), and ISO 8601
/// (`2024-06-04 16:39:40`, `2024-06-04T16:39:40Z`). Anything ambiguous (`06/04/2024`) or
/// not understood gives `None`: callers should prefer the activity file's own timestamps.
pub fn parse_activity_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if let Some(ms) = crate::xml::parse_time_ms(s.as_bytes()) {
        return Some(ms);
    }
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let read_num = |mut i: usize| -> (u32, usize, usize) {
        let start = i;
        let mut v: u32 = 0;
        while i < n && chars[i].is_ascii_digit() {
            v = v
                .saturating_mul(10)
                .saturating_add(chars[i].to_digit(10).unwrap_or(0));
            i += 1;
        }
        (v, i - start, i)
    };
    let mut tokens = Vec::new();
    let mut time: Option<(u32, u32, u32)> = None;
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c.is_ascii_digit() {
            let (v, digits, j) = read_num(i);
            if time.is_none() && j + 1 < n && chars[j] == ':' && chars[j + 1].is_ascii_digit() {
                let (m, _, mut k) = read_num(j + 1);
                let mut sec = 0;
                if k + 1 < n && chars[k] == ':' && chars[k + 1].is_ascii_digit() {
                    let (s, _, k2) = read_num(k + 1);
                    sec = s;
                    k = k2;
                    // Fractional seconds, if any, are dropped.
                    if k < n && chars[k] == '.' {
                        k = read_num(k + 1).2;
                    }
                }
                time = Some((v, m, sec));
                i = k;
                continue;
            }
            tokens.push(Token::Num { value: v, digits });
            i = j;
        } else if c.is_alphabetic() {
            let start = i;
            while i < n && chars[i].is_alphabetic() {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect::<String>().to_lowercase();
            tokens.push(Token::Word(w));
        } else {
            i += 1;
        }
    }

    let mut month = None;
    let mut pm = None;
    let mut nums = Vec::new();
    for t in &tokens {
        match t {
            Token::Word(w) => {
                if w == "am" {
                    pm = Some(false);
                } else if w == "pm" {
                    pm = Some(true);
                } else if month.is_none() && w.len() >= 3 {
                    month = MONTHS
                        .iter()
                        .position(|m| w.starts_with(m))
                        .map(|p| p as u32 + 1);
                }
            }
            Token::Num { value, digits } => nums.push((*value, *digits)),
        }
    }
    let (year, month, day) = match (month, nums.as_slice()) {
        (Some(m), [(a, 4), (b, 1..=2)]) => (*a, m, *b),
        (Some(m), [(a, 1..=2), (b, 4)]) => (*b, m, *a),
        (None, [(y, 4), (m, 1..=2), (d, 1..=2)]) => (*y, *m, *d),
        _ => return None,
    };
    let (mut h, mi, sec) = time.unwrap_or((0, 0, 0));
    match pm {
        Some(true) if (1..=12).contains(&h) => h = h % 12 + 12,
        Some(false) if (1..=12).contains(&h) => h %= 12,
        Some(_) => return None,
        None => {}
    }
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let t = jiff::civil::Time::new(
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(sec.min(59)).ok()?,
        0,
    )
    .ok()?;
    let ts = date
        .to_datetime(t)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    Some(ts.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::parse_activity_date;

    #[test]
    fn dates() {
        let want = Some(1_717_519_180_000); // 2024-06-04T16:39:40Z
        assert_eq!(parse_activity_date("Jun 4, 2024, 4:39:40 PM"), want);
        assert_eq!(parse_activity_date("Jun 4, 2024, 4:39:40\u{202f}PM"), want);
        assert_eq!(parse_activity_date("4 Jun 2024, 16:39:40"), want);
        assert_eq!(parse_activity_date("2024-06-04 16:39:40"), want);
        assert_eq!(parse_activity_date("2024-06-04T16:39:40Z"), want);
        assert_eq!(
            parse_activity_date("Jan 1, 2024, 12:05:00 AM"),
            Some(1_704_067_500_000)
        );
        assert_eq!(parse_activity_date("06/04/2024 16:39:40"), None);
        assert_eq!(parse_activity_date("Feb 30, 2024, 1:00:00 PM"), None);
        assert_eq!(parse_activity_date("13:00:00 PM Jun 4, 2024"), None);
        assert_eq!(parse_activity_date(""), None);
    }
}
