//! Shared helpers for the GPX and TCX decoders: getting real-world XML ready for quick-xml
//! (byte-order marks, UTF-16, whitespace before `<?xml`), a small namespace tracker that
//! matches extensions by URI rather than by prefix (and survives undeclared prefixes), number
//! and RFC 3339 time parsing straight from borrowed bytes, and the record post-processing both
//! formats share (time ordering, which FIT uses too; haversine distance, heart-rate
//! summary).
//!
//! Both decoders drive quick-xml's borrowing `Reader` over one in-memory slice, keep their own
//! small stack of "what element am I in" tags, and never allocate per track point: that is
//! what keeps GPX decoding well above 100 MB/s on one core.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::{Error, Records, Warning, WarningCode, Warnings};

/// Deepest element nesting accepted. Real files stay under 12 levels; the cap stops a
/// hostile file from growing our tag stack without bound.
pub(crate) const MAX_DEPTH: usize = 256;

/// Most track points accepted in one file: the crate-wide limit, shared with FIT.
pub(crate) use crate::MAX_POINTS;

/// Longest text captured for a name or a value. Longer text is cut, not rejected: a name is
/// never worth failing a file for, and a number that long is not a number.
pub(crate) const MAX_TEXT: usize = 4096;

/// A safety-limit error that says which format, where, and what.
pub(crate) fn limit(format: &'static str, offset: u64, what: impl Into<String>) -> Error {
    Error::Limit {
        path: format!("{format} at byte {offset}"),
        what: what.into(),
    }
}

/// A reader offset as the `usize` that [`Error::decode`] takes.
pub(crate) fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Input ready for quick-xml, and how many bytes were dropped from the front, so offsets in
/// errors still point into the caller's bytes.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub bytes: Cow<'a, [u8]>,
    /// Bytes skipped at the start (BOM and leading whitespace); add to reader offsets.
    pub skipped: u64,
    /// What was repaired, for `Activity::warnings`.
    pub warnings: Warnings,
}

/// Strip a UTF-8 byte-order mark and whitespace before the first `<` (one corpus TCX has
/// whitespace before `<?xml`, which strict parsers reject), and transcode UTF-16 (rare, but
/// some Windows tools write it) to UTF-8. Anything that does not then start with `<` is not
/// XML, and saying so at once beats a confusing error deep in the parser.
pub(crate) fn prepare<'a>(format: &'static str, bytes: &'a [u8]) -> Result<Prepared<'a>, Error> {
    let mut warnings = Warnings::new();
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units = bytes[2..].chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let text: String = char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        warnings.push(
            "file is UTF-16; transcoded to UTF-8, so byte offsets refer to the transcoded text"
                .to_string(),
        );
        let trimmed = text.trim_start();
        if !trimmed.starts_with('<') {
            return Err(Error::decode(format, 2, "not XML: no '<' at the start"));
        }
        return Ok(Prepared {
            bytes: Cow::Owned(trimmed.as_bytes().to_vec()),
            skipped: 0,
            warnings,
        });
    }
    let mut start = 0usize;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        start = 3;
    }
    let ws = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    if ws > 0 {
        warnings.push(format!(
            "{ws} bytes of whitespace before the XML declaration ignored"
        ));
    }
    start += ws;
    match bytes.get(start) {
        Some(b'<') => {}
        Some(_) => {
            return Err(Error::decode(
                format,
                start,
                "not XML: the first non-blank byte is not '<'",
            ))
        }
        None => return Err(Error::decode(format, start, "empty file")),
    }
    Ok(Prepared {
        bytes: Cow::Borrowed(&bytes[start..]),
        skipped: start as u64,
        warnings,
    })
}

/// A quick-xml reader configured for recovery rather than validation: end-tag names are not
/// checked and stray end tags are allowed (our own tag stack decides what an element means),
/// empty elements stay `Empty` (no allocation), text is not trimmed (we trim numbers
/// ourselves; trimming every event would cost time for nothing).
pub(crate) fn reader(bytes: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(bytes);
    let c = r.config_mut();
    c.check_end_names = false;
    c.allow_unmatched_ends = true;
    c.expand_empty_elements = false;
    c.trim_text(false);
    c.check_comments = false;
    r
}

/// The XML namespaces the decoders care about, recognised by URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No prefix and no default namespace in scope.
    None,
    /// A prefix with no declaration in scope (non-well-formed files); matched by local name.
    Undeclared,
    /// `http://www.topografix.com/GPX/1/0` or `/1/1`.
    Gpx,
    /// Garmin TrackPointExtension v1/v2 (`hr`, `cad`, `atemp`, `speed`).
    GarminTpx,
    /// Garmin GpxExtensions v3 (display colours, temperature): nothing we read.
    GarminGpxx,
    /// Garmin PowerExtension (`PowerInWatts`).
    GarminPower,
    /// ClueTrust gpxdata (`hr`, `cadence`, `distance`, `speed`; Suunto, COROS).
    ClueTrust,
    /// Garmin TrainingCenterDatabase v1/v2.
    Tcx,
    /// Garmin ActivityExtension v2 (`TPX/Speed`, `TPX/RunCadence`, `TPX/Watts`).
    GarminAx,
    /// Any other declared namespace.
    Other,
}

/// Classify a namespace URI. Matched on a distinctive part rather than the exact string
/// because writers vary it: HealthFit declares the Garmin extension as
/// `http://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd`.
pub(crate) fn classify_uri(uri: &[u8]) -> Ns {
    if uri.is_empty() {
        Ns::None
    } else if contains(uri, b"topografix.com/GPX") {
        Ns::Gpx
    } else if contains(uri, b"TrackPointExtension") {
        Ns::GarminTpx
    } else if contains(uri, b"PowerExtension") {
        Ns::GarminPower
    } else if contains(uri, b"GPXDATA") || contains(uri, b"gpxdata") {
        Ns::ClueTrust
    } else if contains(uri, b"GpxExtensions") {
        Ns::GarminGpxx
    } else if contains(uri, b"ActivityExtension") {
        Ns::GarminAx
    } else if contains(uri, b"TrainingCenterDatabase") {
        Ns::Tcx
    } else {
        Ns::Other
    }
}

/// For an undeclared prefix, the namespace its conventional name stands for. Strava's
/// exports use `gpxdata:` and `gpxx:` without declaring them; guessing from the customary
/// prefix keeps their meaning. Anything else stays [`Ns::Undeclared`].
fn conventional_prefix(prefix: &[u8]) -> Ns {
    match prefix {
        b"gpxtpx" => Ns::GarminTpx,
        b"gpxdata" => Ns::ClueTrust,
        b"gpxx" => Ns::GarminGpxx,
        b"gpxpx" => Ns::GarminPower,
        _ => Ns::Undeclared,
    }
}

/// What a format's parser does with the events of [`drive`]. GPX and TCX differ only in
/// what an element means, not in how the document is walked or how damage is handled.
pub(crate) trait Handler {
    fn start(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<(), Error>;
    fn end(&mut self, offset: u64) -> Result<(), Error>;
    fn text(&mut self, t: &[u8]);
    /// Whether anything worth keeping has been read, so an XML error ends the document
    /// instead of failing it.
    fn has_data(&self) -> bool;
    fn warn(&mut self, warning: Warning);
}

/// Walk `input` (already [`prepare`]d; `skipped` bytes were cut from its front) and hand every
/// event to `h`. An XML error after data was read keeps what came before, with a warning (a
/// long ride should not be lost to a broken tail), and returns `Ok(true)`; before any data
/// it is an error naming the byte.
pub(crate) fn drive(
    format: &'static str,
    input: &[u8],
    skipped: u64,
    h: &mut impl Handler,
) -> Result<bool, Error> {
    let mut reader = reader(input);
    loop {
        let event = reader.read_event();
        let offset = skipped + reader.buffer_position();
        match event {
            Ok(Event::Start(e)) => h.start(&e, offset)?,
            Ok(Event::Empty(e)) => {
                h.start(&e, offset)?;
                h.end(offset)?;
            }
            Ok(Event::End(_)) => h.end(offset)?,
            Ok(Event::Text(t)) => h.text(&t),
            Ok(Event::CData(t)) => h.text(&t),
            Ok(Event::Eof) => return Ok(false),
            Ok(_) => {}
            Err(e) => {
                let at = skipped + reader.error_position();
                if !h.has_data() {
                    return Err(Error::decode(
                        format,
                        to_usize(at),
                        format!("XML error: {e}"),
                    ));
                }
                h.warn(Warning::new(
                    WarningCode::Truncated,
                    format!("XML error at byte {at}: {e}; the rest of the file was ignored"),
                ));
                return Ok(true);
            }
        }
    }
}

/// Refuse nesting beyond [`MAX_DEPTH`] before pushing another tag.
pub(crate) fn check_depth(format: &'static str, depth: usize, offset: u64) -> Result<(), Error> {
    if depth >= MAX_DEPTH {
        return Err(limit(
            format,
            offset,
            format!("elements nested deeper than {MAX_DEPTH}"),
        ));
    }
    Ok(())
}

/// Append element text to the value being captured, cut at [`MAX_TEXT`].
pub(crate) fn append_text(buf: &mut Vec<u8>, t: &[u8]) {
    let room = MAX_TEXT.saturating_sub(buf.len());
    buf.extend_from_slice(t.get(..t.len().min(room)).unwrap_or(t));
}

/// The captured text as a number; text that is present but not a number is counted in
/// `bad_values` (reported once per file, not per point).
pub(crate) fn number(text: &[u8], bad_values: &mut usize) -> Option<f64> {
    let v = parse_f64(text);
    if v.is_none() && !trim(text).is_empty() {
        *bad_values += 1;
    }
    v
}

/// Naive substring search: the haystacks are attribute lists and URIs of a few dozen bytes.
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Namespace prefixes in scope. Bindings are rare (usually all on the root element; Movescount
/// redeclares one on every point), so a flat list searched from the end is fastest. Prefix
/// bytes live in one reused arena, so a declaration on every point allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    arena: Vec<u8>,
    bindings: Vec<Binding>,
    /// First undeclared prefix met, and where: reported once as a warning.
    pub undeclared: Option<(String, u64)>,
}

#[derive(Debug, Clone, Copy)]
struct Binding {
    start: usize,
    end: usize,
    ns: Ns,
    depth: usize,
}

impl Scopes {
    /// Record the `xmlns` / `xmlns:p` attributes of an element at `depth` (the depth the
    /// element itself occupies). Cheap when the element has no such attribute.
    pub fn declare(&mut self, e: &BytesStart<'_>, depth: usize) {
        let raw = e.attributes_raw();
        if raw.len() < 6 || !contains(raw, b"xmlns") {
            return;
        }
        let mut attrs = e.attributes();
        attrs.with_checks(false);
        for a in attrs {
            let Ok(a) = a else { break };
            let key = a.key.as_ref();
            let prefix: &[u8] = if key == b"xmlns" {
                b""
            } else if let Some(p) = key.strip_prefix(b"xmlns:") {
                p
            } else {
                continue;
            };
            let start = self.arena.len();
            self.arena.extend_from_slice(prefix);
            self.bindings.push(Binding {
                start,
                end: self.arena.len(),
                ns: classify_uri(a.value.as_ref()),
                depth,
            });
        }
    }

    /// Forget the bindings made at `depth` or deeper (call when leaving that element).
    pub fn leave(&mut self, depth: usize) {
        while let Some(b) = self.bindings.last() {
            if b.depth < depth {
                break;
            }
            self.arena.truncate(b.start);
            self.bindings.pop();
        }
    }

    /// Namespace and local name of a qualified name (`prefix:local` or `local`).
    pub fn resolve<'n>(&mut self, qname: &'n [u8], offset: u64) -> (Ns, &'n [u8]) {
        let (prefix, local) = match qname.iter().position(|&b| b == b':') {
            Some(i) => (&qname[..i], &qname[i + 1..]),
            None => (&qname[..0], qname),
        };
        for b in self.bindings.iter().rev() {
            if &self.arena[b.start..b.end] == prefix {
                return (b.ns, local);
            }
        }
        if prefix.is_empty() {
            return (Ns::None, local);
        }
        if self.undeclared.is_none() {
            self.undeclared = Some((String::from_utf8_lossy(prefix).into_owned(), offset));
        }
        (conventional_prefix(prefix), local)
    }

    /// The warning for an undeclared prefix, if one was met.
    pub fn warning(&self) -> Option<String> {
        self.undeclared.as_ref().map(|(p, off)| {
            format!(
                "namespace prefix '{p}' used without a declaration (first at byte {off}); \
                 matched by its usual meaning or by local name"
            )
        })
    }
}

/// Local name of a qualified name, without namespace resolution.
pub(crate) fn local_name(qname: &[u8]) -> &[u8] {
    match qname.iter().rposition(|&b| b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// Trim ASCII whitespace from both ends.
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &b[start..end.max(start)]
}

/// A finite number from text, or `None`. `NaN`/`inf` spellings are rejected: a recorded
/// value is never infinite, and `NaN` already means "missing" in [`Records`].
pub(crate) fn parse_f64(b: &[u8]) -> Option<f64> {
    let t = trim(b);
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    let s = std::str::from_utf8(t).ok()?;
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Two ASCII digits as a number.
fn d2(b: &[u8], i: usize) -> Option<i64> {
    let hi = b.get(i)?.wrapping_sub(b'0');
    let lo = b.get(i + 1)?.wrapping_sub(b'0');
    (hi < 10 && lo < 10).then(|| i64::from(hi) * 10 + i64::from(lo))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Fast path for the one shape nearly every file uses:
/// `YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM|±HHMM|±HH]`, no zone meaning UTC. Sub-millisecond
/// digits are truncated. `None` for anything else (the caller then asks jiff).
fn parse_time_fast(b: &[u8]) -> Option<i64> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' {
        return None;
    }
    let year = d2(b, 0)? * 100 + d2(b, 2)?;
    let (mon, day) = (d2(b, 5)?, d2(b, 8)?);
    let (h, mi, mut s) = (d2(b, 11)?, d2(b, 14)?, d2(b, 17)?);
    if !(1..=12).contains(&mon) || day < 1 || day > days_in_month(year, mon) {
        return None;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    if s == 60 {
        // A leap second: treated as :59, as jiff does.
        s = 59;
    }
    let mut i = 19;
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for k in 0..3 {
            let d = if k < digits {
                i64::from(b[i + k] - b'0')
            } else {
                0
            };
            ms = ms * 10 + d;
        }
        i += digits;
    }
    let offset_s = match b.get(i) {
        None => 0,
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[i + 1..];
            let (oh, om) = match rest.len() {
                2 => (d2(rest, 0)?, 0),
                4 => (d2(rest, 0)?, d2(rest, 2)?),
                5 if rest[2] == b':' => (d2(rest, 0)?, d2(rest, 3)?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, mon, day);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset_s;
    Some(secs * 1000 + ms)
}

/// UTC milliseconds from an RFC 3339 / ISO 8601 time. Tries the fast path, then jiff for
/// anything unusual (space separator, lower-case `t`/`z`, odd offsets). A time without a
/// zone is taken as UTC: GPX requires UTC and the files that omit the `Z` (GPX 1.0
/// metadata) mean it.
pub(crate) fn parse_time_ms(b: &[u8]) -> Option<i64> {
    let t = trim(b);
    if let Some(v) = parse_time_fast(t) {
        return Some(v);
    }
    if t.len() > 64 {
        return None;
    }
    let s = std::str::from_utf8(t).ok()?;
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let dt: jiff::civil::DateTime = s.parse().ok()?;
    let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(ts.as_millisecond())
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two positions in degrees.
pub(crate) fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A position is usable when both coordinates are in range and it is not exactly (0, 0),
/// which several devices write for "no fix" and which would add a jump of thousands of
/// kilometres to the distance.
pub(crate) fn valid_position(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && !(lat == 0.0 && lon == 0.0)
}

/// One point being filled while its element is open. `NaN` means not given.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    pub time_ms: Option<i64>,
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
    pub altitude_m: f32,
    pub speed_mps: f32,
    pub hr: f32,
    pub cadence: f32,
    pub power_w: f32,
}

impl Point {
    pub const EMPTY: Point = Point {
        time_ms: None,
        lat: f64::NAN,
        lon: f64::NAN,
        distance_m: f64::NAN,
        altitude_m: f32::NAN,
        speed_mps: f32::NAN,
        hr: f32::NAN,
        cadence: f32::NAN,
        power_w: f32::NAN,
    };

    /// Append to `rec` (the caller has checked there is a time). Columns we never fill
    /// from XML get `NaN` so every column keeps `time_ms.len()` entries.
    pub fn push_to(&self, time_ms: i64, rec: &mut Records) {
        let pos = valid_position(self.lat, self.lon);
        rec.time_ms.push(time_ms);
        rec.lat_deg.push(if pos { self.lat } else { f64::NAN });
        rec.lon_deg.push(if pos { self.lon } else { f64::NAN });
        rec.distance_m.push(self.distance_m);
        rec.speed_mps.push(self.speed_mps);
        rec.heart_rate_bpm.push(self.hr);
        rec.cadence.push(self.cadence);
        rec.altitude_m.push(self.altitude_m);
        rec.power_w.push(self.power_w);
        rec.stance_time_ms.push(f32::NAN);
        rec.stance_balance_pct.push(f32::NAN);
        rec.vertical_oscillation_mm.push(f32::NAN);
        rec.step_length_mm.push(f32::NAN);
        rec.vertical_ratio_pct.push(f32::NAN);
    }
}

/// Finite `f64` to `f32`, `NaN` when missing or out of `f32` range.
pub(crate) fn to_f32(v: Option<f64>) -> f32 {
    match v {
        Some(v) if v.abs() <= f64::from(f32::MAX) => v as f32,
        _ => f32::NAN,
    }
}

/// Put records in time order (stable, so equal times keep file order): the one rule for
/// GPX, TCX and FIT alike, which keeps every point. With `extra` (a
/// per-record column of the caller's, such as segment numbers) moved alike. Returns how many
/// records were out of order, for a warning; 0 means nothing moved and nothing was
/// allocated.
pub(crate) fn sort_by_time(rec: &mut Records, extra: Option<&mut Vec<u32>>) -> usize {
    let t = &rec.time_ms;
    let out_of_order = t.windows(2).filter(|w| w[1] < w[0]).count();
    if out_of_order == 0 {
        return 0;
    }
    let mut idx: Vec<usize> = (0..t.len()).collect();
    idx.sort_by_key(|&i| t[i]);
    fn permute<T: Copy>(v: &mut Vec<T>, idx: &[usize]) {
        if v.len() == idx.len() {
            *v = idx.iter().map(|&i| v[i]).collect();
        }
    }
    permute(&mut rec.time_ms, &idx);
    permute(&mut rec.lat_deg, &idx);
    permute(&mut rec.lon_deg, &idx);
    permute(&mut rec.distance_m, &idx);
    for c in rec.f32_columns_mut() {
        permute(c, &idx);
    }
    if let Some(x) = extra {
        permute(x, &idx);
    }
    out_of_order
}

/// When no record carries a distance, fill the column with the cumulative haversine
/// distance between successive positions (records before the first position stay `NaN`;
/// records without a position carry the distance so far). With `segment`, a step from one
/// segment into another adds nothing (the recording was off in between). Returns whether it
/// filled.
pub(crate) fn fill_distance(rec: &mut Records, segment: Option<&[u32]>) -> bool {
    if rec.distance_m.iter().any(|d| !d.is_nan()) {
        return false;
    }
    let mut total = 0.0;
    let mut last: Option<(f64, f64, u32)> = None;
    let n = rec.time_ms.len();
    for i in 0..n {
        let (lat, lon) = (rec.lat_deg[i], rec.lon_deg[i]);
        let seg = segment.and_then(|s| s.get(i).copied()).unwrap_or(0);
        if !lat.is_nan() && !lon.is_nan() {
            if let Some((a, b, last_seg)) = last {
                if last_seg == seg {
                    total += haversine_m(a, b, lat, lon);
                }
            }
            last = Some((lat, lon, seg));
        }
        if last.is_some() {
            rec.distance_m[i] = total;
        }
    }
    last.is_some()
}

/// Mean and maximum heart rate over recorded values above zero (0 is what several
/// devices write when no strap is connected, not a heart rate).
pub(crate) fn hr_stats(rec: &Records) -> (Option<f64>, Option<f64>) {
    let mut sum = 0.0;
    let mut n = 0usize;
    let mut max = f32::NEG_INFINITY;
    for &h in &rec.heart_rate_bpm {
        if h > 0.0 {
            sum += f64::from(h);
            n += 1;
            max = max.max(h);
        }
    }
    if n == 0 {
        (None, None)
    } else {
        (Some(sum / n as f64), Some(f64::from(max)))
    }
}

/// Largest recorded distance, if any.
pub(crate) fn max_distance(rec: &Records) -> Option<f64> {
    rec.distance_m
        .iter()
        .copied()
        .filter(|d| !d.is_nan())
        .fold(None, |acc: Option<f64>, d| {
            Some(acc.map_or(d, |a| a.max(d)))
        })
}

/// Text of a name element: unescaped, control characters dropped, trimmed, capped.
/// `None` when empty. Allocates, but only once or twice per file.
pub(crate) fn text_to_name(raw: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(trim(raw));
    let s = match quick_xml::escape::unescape(&s) {
        Ok(u) => u.into_owned(),
        Err(_) => s.into_owned(),
    };
    let s: String = s.chars().filter(|c| !c.is_control()).take(512).collect();
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// "1 point" or "3 points": a count with the word that fits it.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_time_matches_jiff() {
        for s in [
            "2019-06-15T09:42:23.000Z",
            "2015-12-11T15:43:13.994+01:00",
            "2021-07-04T11:23:19.418000Z",
            "2016-05-27T10:08:47.8Z",
            "2020-02-29T23:59:59-0530",
            "1969-12-31T23:59:59Z",
        ] {
            let fast = parse_time_fast(s.as_bytes());
            let slow = s
                .parse::<jiff::Timestamp>()
                .ok()
                .map(|t| t.as_millisecond());
            assert_eq!(fast, slow, "{s}");
        }
        assert_eq!(parse_time_fast(b"2019-02-29T00:00:00Z"), None);
        assert_eq!(
            parse_time_ms(b"2013-01-01T12:00:00"),
            Some(1_357_041_600_000)
        );
        assert_eq!(
            parse_time_ms(b" 2013-01-01 12:00:00Z "),
            Some(1_357_041_600_000)
        );
    }

    #[test]
    fn haversine_one_degree_of_latitude() {
        let d = haversine_m(0.0, 10.0, 1.0, 10.0);
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
    }
}
