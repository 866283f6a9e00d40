//! GPX 1.0 / 1.1 decoder: one activity from every `<trk>`/`<trkseg>`/`<trkpt>` of a file,
//! merged in time order, with heart rate, cadence, power and speed from whichever extension
//! the writer used (Garmin TrackPointExtension v1/v2, ClueTrust gpxdata, Garmin
//! PowerExtension, or the plain `<heartrate>`/`<cadence>`/`<power>`/`<speed>` that Strava,
//! Wahoo, Amazfit and Apple write). Extensions are matched by namespace URI, never by prefix;
//! an undeclared prefix (two Strava exports in the corpus) falls back to its customary meaning
//! or the local name instead of failing the file.
//!
//! Segments (`<trkseg>`, also across `<trk>`s) are kept apart: no distance is counted across
//! the gap between two, and a gap longer than `kb/import.toml`'s `split_gap_s` starts another
//! activity ([`decode_all`]), so a logger's file of many days is many outings.
//!
//! Routes and waypoint files have no times and are not activities: they are rejected with
//! [`Error::NotActivity`] and a reason. The sport is the track's `<type>`, read through the
//! vocabulary of `kb/sports.toml`; a route's `<type>` is used only when no track has one (a
//! route is a plan, the track what was done). Distance is the file's own when it has one
//! (`gpxdata:distance`), else the cumulative haversine distance between points.
//!
//! Speed matters here (bulk imports of years of history): the decoder borrows from the input,
//! parses numbers and times straight from the bytes, and allocates nothing per point beyond
//! the growth of the output columns.

use hamstride_core::activity::{Device, Session};
use quick_xml::events::BytesStart;

use crate::xml::{self, Ns, Point, Scopes, MAX_POINTS};
use crate::{Activity, Error, Records, Warning, WarningCode, Warnings};

const FORMAT: &str = "GPX";

/// Decode a GPX 1.0/1.1 document into its activities: one per outing, where tracks or
/// segments further apart in time than `kb/import.toml`'s `split_gap_s` are separate outings.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<Activity>, Error> {
    let prepared = xml::prepare(FORMAT, bytes)?;
    let mut p = Parser::new(prepared.skipped, prepared.warnings);
    p.run(&prepared.bytes)?;
    let whole = p.finish()?;
    Ok(crate::split::at_gaps(whole, crate::split::gap_ms()?))
}

/// Decode a GPX document into one activity: the first of [`decode_all`] (the whole file
/// when it is one outing, as nearly every watch export is).
pub fn decode(bytes: &[u8]) -> Result<Activity, Error> {
    decode_all(bytes)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotActivity("GPX without track points".into()))
}

/// What the element on top of our stack is, in context. `Skip` covers every element whose
/// content we never read, and everything inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Skip,
    Gpx,
    Metadata,
    Trk,
    Trkseg,
    Rte,
    Point(PointKind),
    /// `<extensions>` of a point, or a container inside it (`TrackPointExtension`):
    /// its descendants may carry values.
    Extensions,
    Value(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PointKind {
    Track,
    Route,
}

/// A leaf whose text we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    MetaName,
    MetaTime,
    TrkName,
    RteName,
    /// A track's `<type>`: the sport.
    TrkType,
    /// A route's `<type>`: the sport only when no track names one.
    RteType,
    Ele,
    Time,
    Speed,
    Hr,
    /// Cadence as written (rpm, or steps/min for the sources that write that).
    Cadence,
    /// Garmin TrackPointExtension `cad`: strides/min when running (see `finish`).
    CadStrides,
    Power,
    Distance,
}

/// Points collected for one kind (`trkpt` or `rtept`).
#[derive(Debug, Default)]
struct Points {
    rec: Records,
    /// Per record: cadence came from Garmin `cad` (strides/min for running).
    strides: Vec<bool>,
    /// Per record: which `<trkseg>` (counted over every `<trk>`) it was in.
    segment: Vec<u32>,
    /// Points without a (readable) time: counted, not kept.
    untimed: usize,
}

#[derive(Debug)]
struct Parser {
    stack: Vec<Tag>,
    scopes: Scopes,
    text: Vec<u8>,
    cur: Point,
    cur_strides: bool,
    /// The segment being read: bumped at every `<trkseg>` and `<rte>`.
    segment: u32,
    track: Points,
    route: Points,
    points_seen: usize,
    waypoints: usize,
    saw_root: bool,
    creator: Option<String>,
    meta_name: Option<String>,
    trk_name: Option<String>,
    rte_name: Option<String>,
    trk_type: Option<String>,
    rte_type: Option<String>,
    meta_time: Option<i64>,
    bad_values: usize,
    bad_times: usize,
    skipped: u64,
    warnings: Warnings,
}

impl Parser {
    fn new(skipped: u64, warnings: Warnings) -> Parser {
        Parser {
            stack: Vec::with_capacity(16),
            scopes: Scopes::default(),
            text: Vec::with_capacity(64),
            cur: Point::EMPTY,
            cur_strides: false,
            segment: 0,
            track: Points::default(),
            route: Points::default(),
            points_seen: 0,
            waypoints: 0,
            saw_root: false,
            creator: None,
            meta_name: None,
            trk_name: None,
            rte_name: None,
            trk_type: None,
            rte_type: None,
            meta_time: None,
            bad_values: 0,
            bad_times: 0,
            skipped,
            warnings,
        }
    }

    fn run(&mut self, input: &[u8]) -> Result<(), Error> {
        // A rough size guess (one point per ~150 bytes) saves most regrowth of 14 columns;
        // capped so a huge non-GPX input cannot make us reserve much memory up front.
        self.track.rec.reserve((input.len() / 150).min(100_000));
        let cut_short = xml::drive(FORMAT, input, self.skipped, self)?;
        if !cut_short && !self.stack.is_empty() {
            self.warnings.push(Warning::new(
                WarningCode::Truncated,
                format!(
                    "document ended with {} elements still open (truncated file?)",
                    self.stack.len()
                ),
            ));
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
        let tag = match parent {
            None => {
                if local == b"gpx" && !self.saw_root {
                    self.saw_root = true;
                    self.creator = attribute(e, b"creator").and_then(|v| xml::text_to_name(&v));
                    Tag::Gpx
                } else {
                    Tag::Skip
                }
            }
            Some(Tag::Gpx) => match local {
                b"metadata" => Tag::Metadata,
                b"trk" => Tag::Trk,
                b"rte" => Tag::Rte,
                b"wpt" => {
                    self.waypoints += 1;
                    Tag::Skip
                }
                // GPX 1.0 keeps name and time directly under <gpx>.
                b"name" => Tag::Value(Field::MetaName),
                b"time" => Tag::Value(Field::MetaTime),
                _ => Tag::Skip,
            },
            Some(Tag::Metadata) => match local {
                b"name" => Tag::Value(Field::MetaName),
                b"time" => Tag::Value(Field::MetaTime),
                _ => Tag::Skip,
            },
            Some(Tag::Trk) => match local {
                b"name" => Tag::Value(Field::TrkName),
                b"type" => Tag::Value(Field::TrkType),
                b"trkseg" => {
                    self.segment += 1;
                    Tag::Trkseg
                }
                _ => Tag::Skip,
            },
            Some(Tag::Rte) => match local {
                b"name" => Tag::Value(Field::RteName),
                b"type" => Tag::Value(Field::RteType),
                b"rtept" => self.start_point(e, PointKind::Route),
                _ => Tag::Skip,
            },
            Some(Tag::Trkseg) => match local {
                b"trkpt" => self.start_point(e, PointKind::Track),
                _ => Tag::Skip,
            },
            Some(Tag::Point(_)) => match local {
                b"ele" => Tag::Value(Field::Ele),
                b"time" => Tag::Value(Field::Time),
                b"extensions" => Tag::Extensions,
                _ => {
                    // GPX 1.0 has <speed> in the point itself, and puts foreign-namespace
                    // extension elements directly in the point too.
                    let (ns, local) = self.scopes.resolve(qname, offset);
                    match ns {
                        Ns::Gpx | Ns::None if local == b"speed" => Tag::Value(Field::Speed),
                        Ns::Gpx | Ns::None => Tag::Skip,
                        _ => extension_field(ns, local).map_or(Tag::Extensions, Tag::Value),
                    }
                }
            },
            Some(Tag::Extensions) => {
                let (ns, local) = self.scopes.resolve(qname, offset);
                match extension_field(ns, local) {
                    Some(f) => Tag::Value(f),
                    None => Tag::Extensions,
                }
            }
            Some(Tag::Skip | Tag::Value(_)) => Tag::Skip,
        };
        if let Tag::Value(_) = tag {
            self.text.clear();
        }
        self.stack.push(tag);
        Ok(())
    }

    fn start_point(&mut self, e: &BytesStart<'_>, kind: PointKind) -> Tag {
        self.cur = Point::EMPTY;
        self.cur_strides = false;
        let mut attrs = e.attributes();
        attrs.with_checks(false);
        for a in attrs {
            let Ok(a) = a else { break };
            match xml::local_name(a.key.as_ref()) {
                b"lat" => self.cur.lat = xml::parse_f64(&a.value).unwrap_or(f64::NAN),
                b"lon" => self.cur.lon = xml::parse_f64(&a.value).unwrap_or(f64::NAN),
                _ => {}
            }
        }
        Tag::Point(kind)
    }

    fn on_end(&mut self, offset: u64) -> Result<(), Error> {
        // A stray end tag (allowed by the reader for recovery) has nothing to close.
        let Some(tag) = self.stack.pop() else {
            return Ok(());
        };
        match tag {
            Tag::Value(f) => self.finish_value(f),
            Tag::Point(kind) => self.finish_point(kind, offset)?,
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
            Field::MetaName => {
                if self.meta_name.is_none() {
                    self.meta_name = xml::text_to_name(&self.text);
                }
            }
            Field::TrkName => {
                if self.trk_name.is_none() {
                    self.trk_name = xml::text_to_name(&self.text);
                }
            }
            Field::RteName => {
                if self.rte_name.is_none() {
                    self.rte_name = xml::text_to_name(&self.text);
                }
            }
            Field::TrkType => {
                if self.trk_type.is_none() {
                    self.trk_type = xml::text_to_name(&self.text);
                }
            }
            Field::RteType => {
                if self.rte_type.is_none() {
                    self.rte_type = xml::text_to_name(&self.text);
                }
            }
            Field::MetaTime => {
                if self.meta_time.is_none() {
                    self.meta_time = xml::parse_time_ms(&self.text);
                }
            }
            Field::Time => {
                self.cur.time_ms = xml::parse_time_ms(&self.text);
                if self.cur.time_ms.is_none() && !xml::trim(&self.text).is_empty() {
                    self.bad_times += 1;
                }
            }
            Field::Ele => self.cur.altitude_m = xml::to_f32(self.number()),
            // A point may carry the same quantity twice (Amazfit writes <heartrate> and the
            // Garmin <hr>; Strava's converter writes gpxdata:cadence and <cadence>): the
            // first one wins, so it is counted once.
            Field::Speed => {
                if self.cur.speed_mps.is_nan() {
                    self.cur.speed_mps = xml::to_f32(self.number());
                }
            }
            Field::Hr => {
                if self.cur.hr.is_nan() {
                    self.cur.hr = xml::to_f32(self.number());
                }
            }
            Field::Cadence | Field::CadStrides => {
                if self.cur.cadence.is_nan() {
                    self.cur.cadence = xml::to_f32(self.number());
                    self.cur_strides = f == Field::CadStrides && !self.cur.cadence.is_nan();
                }
            }
            Field::Power => {
                if self.cur.power_w.is_nan() {
                    self.cur.power_w = xml::to_f32(self.number());
                }
            }
            Field::Distance => {
                if self.cur.distance_m.is_nan() {
                    self.cur.distance_m = self.number().unwrap_or(f64::NAN);
                }
            }
        }
    }

    fn finish_point(&mut self, kind: PointKind, offset: u64) -> Result<(), Error> {
        self.points_seen += 1;
        if self.points_seen > MAX_POINTS {
            return Err(xml::limit(
                FORMAT,
                offset,
                format!("more than {MAX_POINTS} points"),
            ));
        }
        let buf = match kind {
            PointKind::Track => &mut self.track,
            PointKind::Route => &mut self.route,
        };
        match self.cur.time_ms {
            Some(t) => {
                self.cur.push_to(t, &mut buf.rec);
                buf.strides.push(self.cur_strides);
                buf.segment.push(self.segment);
            }
            None => buf.untimed += 1,
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Activity, Error> {
        if !self.saw_root {
            return Err(Error::decode(
                FORMAT,
                xml::to_usize(self.skipped),
                "no <gpx> root element",
            ));
        }
        if let Some(w) = self.scopes.warning() {
            self.warnings.push(w);
        }
        if self.bad_values > 0 {
            self.warnings.push(Warning::new(
                WarningCode::LeftOut,
                format!(
                    "{} not numbers and {} ignored",
                    xml::count(self.bad_values, "value was", "values were"),
                    if self.bad_values == 1 { "was" } else { "were" }
                ),
            ));
        }
        if self.bad_times > 0 {
            self.warnings.push(Warning::new(
                WarningCode::LeftOut,
                format!(
                    "{} could not be read; {} dropped",
                    xml::count(self.bad_times, "point time", "point times"),
                    if self.bad_times == 1 {
                        "that point was"
                    } else {
                        "those points were"
                    }
                ),
            ));
        }
        let points = if !self.track.rec.is_empty() {
            if self.track.untimed > 0 {
                self.warnings.push(Warning::new(
                    WarningCode::LeftOut,
                    format!(
                        "{} without a time {} dropped",
                        xml::count(self.track.untimed, "track point", "track points"),
                        if self.track.untimed == 1 {
                            "was"
                        } else {
                            "were"
                        }
                    ),
                ));
            }
            std::mem::take(&mut self.track)
        } else if !self.route.rec.is_empty() {
            self.warnings
                .push("no timed track points; the timed route points were used".to_string());
            std::mem::take(&mut self.route)
        } else {
            let untimed = self.track.untimed + self.route.untimed;
            let why = if untimed > 0 {
                format!(
                    "GPX route without times ({}, none with a time)",
                    xml::count(untimed, "point", "points")
                )
            } else if self.waypoints > 0 {
                format!(
                    "GPX with {} and no track",
                    xml::count(self.waypoints, "waypoint", "waypoints")
                )
            } else {
                "GPX without track points (metadata only)".to_string()
            };
            return Err(Error::NotActivity(why));
        };
        let Points {
            mut rec,
            strides,
            mut segment,
            ..
        } = points;

        // The track says what was done; a route's type only when no track has one.
        let named =
            crate::vocab::from_label(self.trk_type.as_deref().or(self.rte_type.as_deref()))?;
        let sport = named.sport.clone();
        // Garmin's TrackPointExtension `cad` is written the way FIT stores it: strides
        // (one foot) per minute for running, rpm for cycling. Our model wants steps per
        // minute for running, so those values are doubled. Other sources (gpxdata
        // `cadence`, plain `<cadence>`) are kept as written: their unit is not documented
        // and doubling a value that is already steps/min would be worse than leaving a
        // strides/min value alone. Sports other than running keep rpm.
        if sport == "running" {
            for (c, &s) in rec.cadence.iter_mut().zip(&strides) {
                if s {
                    *c *= 2.0;
                }
            }
        }
        let moved = xml::sort_by_time(&mut rec, Some(&mut segment));
        if moved > 0 {
            self.warnings.push(Warning::new(
                WarningCode::Reordered,
                format!(
                    "{} out of time order and {} sorted",
                    xml::count(moved, "point was", "points were"),
                    if moved == 1 { "was" } else { "were" }
                ),
            ));
        }
        // GPS jumps out before any distance is counted from positions.
        let jumps = crate::plausible::drop_position_jumps(&mut rec, &sport)?;
        self.warnings
            .extend(crate::plausible::left_out(jumps, crate::plausible::JUMPS));
        // Between segments the recording was off: the straight line across adds nothing.
        xml::fill_distance(&mut rec, Some(&segment));

        let first = rec.time_ms.first().copied();
        let last = rec.time_ms.last().copied();
        let elapsed_s = match (first, last) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / 1000.0),
            _ => None,
        };
        let (avg_hr, max_hr) = xml::hr_stats(&rec);
        let session = Session {
            sport: sport.clone(),
            sub_sport: named.kind.clone(),
            start_ms: first,
            total_elapsed_s: elapsed_s,
            distance_m: xml::max_distance(&rec),
            avg_heart_rate: avg_hr,
            max_heart_rate: max_hr,
            ..Session::default()
        };
        let name = self.trk_name.or(self.meta_name).or(self.rte_name);
        Ok(Activity {
            sport,
            sub_sport: named.kind,
            sport_label: named.label,
            device: Device {
                manufacturer: self.creator,
                product: None,
            },
            start_ms: first,
            end_ms: last,
            start_was_relative: false,
            name,
            sessions: vec![session],
            laps: Vec::new(),
            records: rec,
            warnings: self.warnings,
        })
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
        !self.track.rec.is_empty() || !self.route.rec.is_empty()
    }

    fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
}

/// The value an extension element carries, by namespace URI and local name. Known
/// namespaces use their own vocabulary; anything else (the GPX namespace itself, where
/// Amazfit's `<heartrate>` and Apple's `<speed>` land, undeclared prefixes, unknown vendors)
/// is matched on a few unambiguous local names.
fn extension_field(ns: Ns, local: &[u8]) -> Option<Field> {
    match ns {
        Ns::GarminTpx => match local {
            b"hr" => Some(Field::Hr),
            b"cad" => Some(Field::CadStrides),
            b"speed" => Some(Field::Speed),
            _ => None,
        },
        Ns::ClueTrust => match local {
            b"hr" => Some(Field::Hr),
            b"cadence" => Some(Field::Cadence),
            b"speed" => Some(Field::Speed),
            b"distance" => Some(Field::Distance),
            b"power" => Some(Field::Power),
            _ => None,
        },
        Ns::GarminPower => match local {
            b"PowerInWatts" => Some(Field::Power),
            _ => None,
        },
        Ns::GarminGpxx | Ns::Tcx | Ns::GarminAx => None,
        Ns::Gpx | Ns::None | Ns::Undeclared | Ns::Other => match local {
            b"heartrate" | b"hr" | b"heartRate" => Some(Field::Hr),
            b"cadence" | b"cad" => Some(Field::Cadence),
            b"power" | b"watts" | b"PowerInWatts" => Some(Field::Power),
            b"speed" => Some(Field::Speed),
            _ => None,
        },
    }
}

/// Raw value of an attribute by local name.
fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<Vec<u8>> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    for a in attrs {
        let Ok(a) = a else { break };
        if xml::local_name(a.key.as_ref()) == name {
            return Some(a.value.into_owned());
        }
    }
    None
}
