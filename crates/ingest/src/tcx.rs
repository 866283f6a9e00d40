//! TCX (Garmin Training Center Database v2) decoder: one [`Activity`] per `<Activity>`
//! element, including those inside a `<MultiSportSession>`. Laps come from `<Lap>`
//! (StartTime, TotalTimeSeconds, DistanceMeters, average/maximum heart rate, Calories), one
//! session summarises them, and the records are every `<Trackpoint>` of every `<Track>`
//! (Polar writes one track per pause) in time order.
//!
//! Running cadence is strides per minute in both places writers put it — Garmin's
//! ActivityExtension `TPX/RunCadence` and the plain `<Cadence>` used by Polar and Suunto
//! (the corpus runs average 60–90 there, at running speeds) — so for running it is doubled
//! to steps per minute; other sports keep rpm.
//!
//! Like the GPX decoder it borrows from the input, never allocates per point, recovers from
//! whitespace before `<?xml`, a byte-order mark, undeclared prefixes and a missing root
//! element, and bounds nesting depth and point count.

use hamstride_core::activity::{Device, Lap, Session};
use quick_xml::events::BytesStart;

use crate::xml::{self, Ns, Point, Scopes, MAX_POINTS};
use crate::{Activity, Error, Records, Warning, WarningCode, Warnings};

const FORMAT: &str = "TCX";

/// Most `<Activity>` or `<Lap>` elements accepted in one file.
const MAX_ITEMS: usize = 100_000;

/// Decode a TCX document: one activity per `<Activity>` element.
pub fn decode(bytes: &[u8]) -> Result<Vec<Activity>, Error> {
    let prepared = xml::prepare(FORMAT, bytes)?;
    let mut p = Parser::new(prepared.skipped, prepared.warnings);
    p.run(&prepared.bytes)?;
    p.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Skip,
    Root,
    Activities,
    MultiSport,
    SportWrap,
    Activity,
    Creator,
    Lap,
    LapAvgHr,
    LapMaxHr,
    Track,
    Trackpoint,
    Position,
    HeartRate,
    Extensions,
    Tpx,
    Value(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    CreatorName,
    ProductId,
    LapTime,
    LapDistance,
    LapAvgHr,
    LapMaxHr,
    LapCalories,
    Time,
    Lat,
    Lon,
    Altitude,
    Distance,
    Hr,
    Cadence,
    RunCadence,
    Speed,
    Watts,
}

/// An `<Activity>` being read.
#[derive(Debug, Default)]
struct Current {
    /// The `Sport` attribute read through `kb/sports.toml`, and as written.
    sport: crate::vocab::Named,
    id_ms: Option<i64>,
    device_name: Option<String>,
    product_id: Option<String>,
    laps: Vec<Lap>,
    lap_calories: Vec<Option<f64>>,
    rec: Records,
    untimed: usize,
}

#[derive(Debug)]
struct Parser {
    stack: Vec<Tag>,
    scopes: Scopes,
    text: Vec<u8>,
    cur: Option<Current>,
    lap: Lap,
    lap_cal: Option<f64>,
    point: Point,
    run_cadence: f32,
    activities: Vec<Activity>,
    activities_seen: usize,
    points_seen: usize,
    saw_root: bool,
    bad_values: usize,
    skipped: u64,
    warnings: Warnings,
}

impl Parser {
    fn new(skipped: u64, warnings: Warnings) -> Parser {
        Parser {
            stack: Vec::with_capacity(16),
            scopes: Scopes::default(),
            text: Vec::with_capacity(64),
            cur: None,
            lap: Lap::default(),
            lap_cal: None,
            point: Point::EMPTY,
            run_cadence: f32::NAN,
            activities: Vec::new(),
            activities_seen: 0,
            points_seen: 0,
            saw_root: false,
            bad_values: 0,
            skipped,
            warnings,
        }
    }

    fn run(&mut self, input: &[u8]) -> Result<(), Error> {
        xml::drive(FORMAT, input, self.skipped, self)?;
        if self.cur.is_some() {
            self.warnings.push(Warning::new(
                WarningCode::Truncated,
                "document ended inside an <Activity> (truncated file?); kept what was read",
            ));
            self.finish_activity();
        }
        Ok(())
    }

    fn on_text(&mut self, t: &[u8]) {
        if matches!(self.stack.last(), Some(Tag::Value(_))) {
            xml::append_text(&mut self.text, t);
        }
    }

    fn on_start(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<(), Error> {
        let depth = self.stack.len();
        xml::check_depth(FORMAT, depth, offset)?;
        let parent = self.stack.last().copied();
        if matches!(parent, Some(Tag::Skip | Tag::Value(_))) {
            self.stack.push(Tag::Skip);
            return Ok(());
        }
        self.scopes.declare(e, depth);
        let qname = e.name();
        let qname = qname.as_ref();
        let local = xml::local_name(qname);
        // Core TCX elements are matched by local name: the files that lose their root
        // element (and with it every namespace declaration) are still readable.
        let tag = match parent {
            None => match local {
                b"TrainingCenterDatabase" => {
                    self.saw_root = true;
                    Tag::Root
                }
                // Recovery: a file whose root element was cut off (runpandas' malformed.tcx).
                b"Activities" => {
                    self.saw_root = true;
                    self.warnings
                        .push("no <TrainingCenterDatabase> root element".to_string());
                    Tag::Activities
                }
                _ => Tag::Skip,
            },
            Some(Tag::Root) => match local {
                b"Activities" => Tag::Activities,
                _ => Tag::Skip,
            },
            Some(Tag::Activities) => match local {
                b"Activity" => self.start_activity(e, offset)?,
                b"MultiSportSession" => Tag::MultiSport,
                _ => Tag::Skip,
            },
            Some(Tag::MultiSport) => match local {
                b"FirstSport" | b"NextSport" => Tag::SportWrap,
                _ => Tag::Skip,
            },
            Some(Tag::SportWrap) => match local {
                b"Activity" => self.start_activity(e, offset)?,
                _ => Tag::Skip,
            },
            Some(Tag::Activity) => match local {
                b"Id" => Tag::Value(Field::Id),
                b"Lap" => self.start_lap(e, offset)?,
                b"Creator" => Tag::Creator,
                _ => Tag::Skip,
            },
            Some(Tag::Creator) => match local {
                b"Name" => Tag::Value(Field::CreatorName),
                b"ProductID" => Tag::Value(Field::ProductId),
                _ => Tag::Skip,
            },
            Some(Tag::Lap) => match local {
                b"TotalTimeSeconds" => Tag::Value(Field::LapTime),
                b"DistanceMeters" => Tag::Value(Field::LapDistance),
                b"AverageHeartRateBpm" => Tag::LapAvgHr,
                b"MaximumHeartRateBpm" => Tag::LapMaxHr,
                b"Calories" => Tag::Value(Field::LapCalories),
                b"Track" => Tag::Track,
                _ => Tag::Skip,
            },
            Some(Tag::LapAvgHr) if local == b"Value" => Tag::Value(Field::LapAvgHr),
            Some(Tag::LapMaxHr) if local == b"Value" => Tag::Value(Field::LapMaxHr),
            Some(Tag::Track) => match local {
                b"Trackpoint" => {
                    self.point = Point::EMPTY;
                    self.run_cadence = f32::NAN;
                    Tag::Trackpoint
                }
                _ => Tag::Skip,
            },
            Some(Tag::Trackpoint) => match local {
                b"Time" => Tag::Value(Field::Time),
                b"Position" => Tag::Position,
                b"AltitudeMeters" => Tag::Value(Field::Altitude),
                b"DistanceMeters" => Tag::Value(Field::Distance),
                b"HeartRateBpm" => Tag::HeartRate,
                b"Cadence" => Tag::Value(Field::Cadence),
                b"Extensions" => Tag::Extensions,
                _ => Tag::Skip,
            },
            Some(Tag::Position) => match local {
                b"LatitudeDegrees" => Tag::Value(Field::Lat),
                b"LongitudeDegrees" => Tag::Value(Field::Lon),
                _ => Tag::Skip,
            },
            Some(Tag::HeartRate) if local == b"Value" => Tag::Value(Field::Hr),
            Some(Tag::Extensions) => {
                // Garmin's ActivityExtension v2, by URI. TomTom declares it on an `x:`
                // prefix, Suunto as a default namespace on the element, and files that lost
                // their declarations keep `ns3:`: an undeclared or absent namespace is
                // accepted on the local name; another vendor's `TPX` is not.
                let (ns, local) = self.scopes.resolve(qname, offset);
                match ns {
                    Ns::GarminAx | Ns::Undeclared | Ns::None | Ns::Tcx if local == b"TPX" => {
                        Tag::Tpx
                    }
                    _ => Tag::Skip,
                }
            }
            // Children of TPX by local name: TomTom writes `<x:TPX><Speed>`, the child in
            // the TCX default namespace.
            Some(Tag::Tpx) => match local {
                b"Speed" => Tag::Value(Field::Speed),
                b"RunCadence" => Tag::Value(Field::RunCadence),
                b"Watts" => Tag::Value(Field::Watts),
                _ => Tag::Skip,
            },
            Some(Tag::Skip | Tag::Value(_) | Tag::LapAvgHr | Tag::LapMaxHr | Tag::HeartRate) => {
                Tag::Skip
            }
        };
        if let Tag::Value(_) = tag {
            self.text.clear();
        }
        self.stack.push(tag);
        Ok(())
    }

    fn start_activity(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<Tag, Error> {
        if self.cur.is_some() {
            // An <Activity> inside an unclosed one (broken file): close the first.
            self.finish_activity();
        }
        self.activities_seen += 1;
        if self.activities_seen > MAX_ITEMS {
            return Err(xml::limit(
                FORMAT,
                offset,
                format!("more than {MAX_ITEMS} activities"),
            ));
        }
        let label = attribute_text(e, b"Sport");
        self.cur = Some(Current {
            sport: crate::vocab::from_label(label.as_deref())?,
            ..Current::default()
        });
        Ok(Tag::Activity)
    }

    fn start_lap(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<Tag, Error> {
        if self.cur.as_ref().is_some_and(|c| c.laps.len() >= MAX_ITEMS) {
            return Err(xml::limit(
                FORMAT,
                offset,
                format!("more than {MAX_ITEMS} laps in one activity"),
            ));
        }
        self.lap = Lap {
            start_ms: attribute_text(e, b"StartTime")
                .and_then(|s| xml::parse_time_ms(s.as_bytes())),
            ..Lap::default()
        };
        self.lap_cal = None;
        Ok(Tag::Lap)
    }

    fn on_end(&mut self, offset: u64) -> Result<(), Error> {
        let Some(tag) = self.stack.pop() else {
            return Ok(());
        };
        match tag {
            Tag::Value(f) => self.finish_value(f),
            Tag::Trackpoint => self.finish_point(offset)?,
            Tag::Lap => {
                if let Some(c) = self.cur.as_mut() {
                    c.laps.push(std::mem::take(&mut self.lap));
                    c.lap_calories.push(self.lap_cal.take());
                }
            }
            Tag::Activity => self.finish_activity(),
            _ => {}
        }
        self.scopes.leave(self.stack.len());
        Ok(())
    }

    fn number(&mut self) -> Option<f64> {
        xml::number(&self.text, &mut self.bad_values)
    }

    fn finish_value(&mut self, f: Field) {
        match f {
            Field::Id => {
                let t = xml::parse_time_ms(&self.text);
                if let Some(c) = self.cur.as_mut() {
                    c.id_ms = t;
                }
            }
            Field::CreatorName => {
                let n = xml::text_to_name(&self.text);
                if let Some(c) = self.cur.as_mut() {
                    c.device_name = n;
                }
            }
            Field::ProductId => {
                let n = xml::text_to_name(&self.text);
                if let Some(c) = self.cur.as_mut() {
                    c.product_id = n;
                }
            }
            Field::LapTime => self.lap.total_timer_s = self.number(),
            Field::LapDistance => self.lap.distance_m = self.number(),
            Field::LapAvgHr => self.lap.avg_heart_rate = self.number(),
            Field::LapMaxHr => self.lap.max_heart_rate = self.number(),
            Field::LapCalories => self.lap_cal = self.number(),
            Field::Time => self.point.time_ms = xml::parse_time_ms(&self.text),
            Field::Lat => self.point.lat = self.number().unwrap_or(f64::NAN),
            Field::Lon => self.point.lon = self.number().unwrap_or(f64::NAN),
            Field::Altitude => self.point.altitude_m = xml::to_f32(self.number()),
            Field::Distance => self.point.distance_m = self.number().unwrap_or(f64::NAN),
            Field::Hr => self.point.hr = xml::to_f32(self.number()),
            Field::Cadence => self.point.cadence = xml::to_f32(self.number()),
            Field::RunCadence => self.run_cadence = xml::to_f32(self.number()),
            Field::Speed => self.point.speed_mps = xml::to_f32(self.number()),
            Field::Watts => self.point.power_w = xml::to_f32(self.number()),
        }
    }

    fn finish_point(&mut self, offset: u64) -> Result<(), Error> {
        self.points_seen += 1;
        if self.points_seen > MAX_POINTS {
            return Err(xml::limit(
                FORMAT,
                offset,
                format!("more than {MAX_POINTS} trackpoints"),
            ));
        }
        let Some(c) = self.cur.as_mut() else {
            return Ok(());
        };
        let mut p = self.point;
        // RunCadence is the explicit running cadence; prefer it over <Cadence> when both
        // are present. Both are strides/min for running (see the module comment).
        if !self.run_cadence.is_nan() {
            p.cadence = self.run_cadence;
        }
        if c.sport.sport == hamstride_core::sports::RUNNING {
            p.cadence *= 2.0;
        }
        match p.time_ms {
            Some(t) => p.push_to(t, &mut c.rec),
            None => c.untimed += 1,
        }
        Ok(())
    }

    fn finish_activity(&mut self) {
        let Some(c) = self.cur.take() else {
            return;
        };
        let mut warnings = Warnings::new();
        let Current {
            sport,
            id_ms,
            device_name,
            product_id,
            mut laps,
            lap_calories,
            mut rec,
            untimed,
        } = c;
        let crate::vocab::Named { sport, kind, label } = sport;
        if untimed > 0 {
            warnings.push(Warning::new(
                WarningCode::LeftOut,
                format!(
                    "{} without a time {} dropped",
                    xml::count(untimed, "trackpoint", "trackpoints"),
                    if untimed == 1 { "was" } else { "were" }
                ),
            ));
        }
        let moved = xml::sort_by_time(&mut rec, None);
        if moved > 0 {
            warnings.push(Warning::new(
                WarningCode::Reordered,
                format!(
                    "{} out of time order and {} sorted",
                    xml::count(moved, "trackpoint was", "trackpoints were"),
                    if moved == 1 { "was" } else { "were" }
                ),
            ));
        }
        // GPS jumps out before any distance is counted from positions (a sport the
        // rules cannot read leaves the positions as they are; the later check reports it).
        let jumps = crate::plausible::drop_position_jumps(&mut rec, &sport).unwrap_or(0);
        warnings.extend(crate::plausible::left_out(jumps, crate::plausible::JUMPS));
        xml::fill_distance(&mut rec, None);
        let first_rec = rec.time_ms.first().copied();
        let last_rec = rec.time_ms.last().copied();
        let id_ms = trust_the_points(&mut laps, id_ms, first_rec, &mut warnings);

        // Lap elapsed time: to the next lap's start (laps are contiguous), the last lap to
        // its last trackpoint; never less than its timer time.
        let starts: Vec<Option<i64>> = laps.iter().map(|l| l.start_ms).collect();
        let n = laps.len();
        for (i, lap) in laps.iter_mut().enumerate() {
            let end = if i + 1 < n { starts[i + 1] } else { last_rec };
            let span = match (lap.start_ms, end) {
                (Some(a), Some(b)) if b >= a => Some(b.saturating_sub(a) as f64 / 1000.0),
                _ => None,
            };
            lap.total_elapsed_s = match (span, lap.total_timer_s) {
                (Some(s), Some(t)) => Some(s.max(t)),
                (s, t) => s.or(t),
            };
        }

        let start_ms = laps.iter().find_map(|l| l.start_ms).or(id_ms).or(first_rec);
        let sum = |f: &dyn Fn(&Lap) -> Option<f64>| -> Option<f64> {
            let v: Vec<f64> = laps.iter().filter_map(f).collect();
            (!v.is_empty()).then(|| v.iter().sum())
        };
        let timer_s = sum(&|l| l.total_timer_s);
        // Session end: the later of the last lap's end by its own clock and the last record.
        let lap_end = laps.last().and_then(|l| {
            Some(
                l.start_ms?
                    .saturating_add((l.total_elapsed_s? * 1000.0) as i64),
            )
        });
        let end_ms = match (lap_end, last_rec) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let elapsed_s = match (start_ms, end_ms) {
            (Some(a), Some(b)) if b >= a => Some(b.saturating_sub(a) as f64 / 1000.0),
            _ => timer_s,
        };
        let elapsed_s = match (elapsed_s, timer_s) {
            (Some(e), Some(t)) => Some(e.max(t)),
            (e, t) => e.or(t),
        };
        let distance_m = sum(&|l| l.distance_m).or_else(|| xml::max_distance(&rec));
        let (rec_avg_hr, rec_max_hr) = xml::hr_stats(&rec);
        // Average heart rate weighted by lap time when every lap states one; else the mean
        // of the records.
        let lap_avg_hr = if !laps.is_empty()
            && laps
                .iter()
                .all(|l| l.avg_heart_rate.is_some() && l.total_timer_s.is_some())
        {
            let (mut s, mut w) = (0.0, 0.0);
            for l in &laps {
                let t = l.total_timer_s.unwrap_or(0.0);
                s += l.avg_heart_rate.unwrap_or(0.0) * t;
                w += t;
            }
            (w > 0.0).then(|| s / w)
        } else {
            None
        };
        let lap_max_hr = laps
            .iter()
            .filter_map(|l| l.max_heart_rate)
            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
        let calories = {
            let v: Vec<f64> = lap_calories.iter().flatten().copied().collect();
            (!v.is_empty()).then(|| v.iter().sum())
        };
        let session = Session {
            sport: sport.clone(),
            sub_sport: kind.clone(),
            start_ms,
            total_elapsed_s: elapsed_s,
            total_timer_s: timer_s,
            distance_m,
            avg_heart_rate: lap_avg_hr.or(rec_avg_hr),
            max_heart_rate: lap_max_hr.or(rec_max_hr),
            total_ascent_m: None,
            total_descent_m: None,
            calories,
        };
        if laps.is_empty() && rec.is_empty() {
            warnings.push("activity has no laps and no trackpoints".to_string());
        }
        let end = match (start_ms, elapsed_s) {
            (Some(s), Some(e)) => Some(s.saturating_add((e * 1000.0) as i64)),
            _ => last_rec,
        };
        self.activities.push(Activity {
            sport,
            sub_sport: kind,
            sport_label: label,
            device: Device {
                manufacturer: device_name,
                product: product_id,
            },
            start_ms,
            end_ms: end,
            start_was_relative: false,
            name: None,
            sessions: vec![session],
            laps,
            records: rec,
            warnings,
        });
    }

    fn finish(mut self) -> Result<Vec<Activity>, Error> {
        if !self.saw_root {
            return Err(Error::decode(
                FORMAT,
                xml::to_usize(self.skipped),
                "no <TrainingCenterDatabase> root element",
            ));
        }
        if self.activities.is_empty() {
            return Err(Error::NotActivity(
                "TCX without an <Activity> (a course, workout or empty file)".to_string(),
            ));
        }
        // File-level warnings go first in every activity's list.
        let mut late = std::mem::take(&mut self.warnings);
        if let Some(w) = self.scopes.warning() {
            late.push(w);
        }
        if self.bad_values > 0 {
            late.push(Warning::new(
                WarningCode::LeftOut,
                format!(
                    "{} not numbers and {} ignored",
                    xml::count(self.bad_values, "value was", "values were"),
                    if self.bad_values == 1 { "was" } else { "were" }
                ),
            ));
        }
        for a in &mut self.activities {
            a.warnings.prepend(&late);
        }
        Ok(self.activities)
    }
}

impl xml::Handler for Parser {
    fn start(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<(), Error> {
        self.on_start(e, offset)
    }

    fn end(&mut self, offset: u64) -> Result<(), Error> {
        self.on_end(offset)
    }

    fn text(&mut self, t: &[u8]) {
        self.on_text(t);
    }

    fn has_data(&self) -> bool {
        let partial = self
            .cur
            .as_ref()
            .is_some_and(|c| !c.rec.is_empty() || !c.laps.is_empty());
        !self.activities.is_empty() || partial
    }

    fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
}

/// Text of an attribute by local name (unescaped, trimmed).
fn attribute_text(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    for a in attrs {
        let Ok(a) = a else { break };
        if xml::local_name(a.key.as_ref()) == name {
            return xml::text_to_name(&a.value);
        }
    }
    None
}

/// A TCX states its start twice: the `<Id>` and each lap's `StartTime` (the watch's clock),
/// and every trackpoint's time (usually from GPS). When the stated start is further from
/// the first trackpoint than two outings are apart (`kb/import.toml`'s `split_gap_s`), the
/// watch's clock was wrong (one file said 2015 for a run whose points are from 2021): the
/// points' clock is used, the laps are moved by the same amount, and a warning says so.
/// Returns the `<Id>` time to use.
fn trust_the_points(
    laps: &mut [Lap],
    id_ms: Option<i64>,
    first_rec: Option<i64>,
    warnings: &mut Warnings,
) -> Option<i64> {
    let stated = laps.iter().find_map(|l| l.start_ms).or(id_ms);
    let (Some(stated), Some(first), Ok(gap)) = (stated, first_rec, crate::split::gap_ms()) else {
        return id_ms;
    };
    let shift = first.saturating_sub(stated);
    if shift.saturating_abs() <= gap {
        return id_ms;
    }
    for lap in laps.iter_mut() {
        lap.start_ms = lap.start_ms.map(|t| t.saturating_add(shift));
    }
    warnings.push(Warning::new(
        WarningCode::TimesFixed,
        format!(
            "the start time the file states is {} days away from its trackpoints; the trackpoints' times were used",
            shift.saturating_abs() / 86_400_000
        ),
    ));
    id_ms.map(|t| t.saturating_add(shift))
}
