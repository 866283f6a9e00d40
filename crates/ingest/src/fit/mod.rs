//! FIT decoder: untrusted bytes from a watch or bike computer in, one [`Activity`] out.
//!
//! A FIT file is a 12- or 14-byte header, a stream of definition and data messages, and a
//! CRC; files may be chained (several such segments back to back, each with its own header,
//! CRC and local definitions). This module does the framing: headers, CRCs, the message loop
//! and what to do when bytes run out or make no sense. The rest is split by job:
//! `defs` compiles definitions into per-message plans, `messages` keeps what each data message
//! says, `assemble` turns that into an [`Activity`] (relative clocks, cached heart rate,
//! running cadence units), `profile` names the enumerations and `crc` checks.
//!
//! Damage is repaired where the data allows and always reported: a bad CRC, a truncated file,
//! an undefined local message or a corrupt later segment keep everything decoded so far and
//! add a warning with the byte offset, because a training history should not lose a
//! three-hour ride to a missing checksum. Decoding never panics, whatever the input.

mod assemble;
mod defs;
mod messages;
mod profile;

use crate::{Activity, Error, WarningCode};
use defs::{read_u16, read_u32, Def, DefError, Kind, View};
use hamstride_core::fit_crc::checksum;
use messages::Collected;

/// Seconds from the Unix epoch to FIT's (1989-12-31T00:00:00Z).
pub(crate) const FIT_EPOCH_S: i64 = 631_065_600;

/// FIT `date_time` values below this are seconds since device power-on, not UTC.
pub(crate) const RELATIVE_LIMIT: u32 = 0x1000_0000;

const FORMAT: &str = "FIT";

/// Choices a caller may make about decoding. The defaults are what an import wants.
#[derive(Debug, Clone)]
pub struct Options {
    /// Fill records that have no heart rate from `hr` messages (heart rate a strap cached
    /// and the watch wrote separately, as in pool swims). On by default; off reproduces what
    /// the `record` messages alone say.
    pub merge_hr: bool,
    /// Most `record` messages accepted ([`crate::MAX_POINTS`], as for GPX and TCX); a file
    /// with more is refused. Tests lower it to stay quick.
    pub max_records: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            merge_hr: true,
            max_records: crate::MAX_POINTS,
        }
    }
}

/// Why the message loop stopped before the end of a segment.
enum Stop {
    /// The bytes stopped making sense at this offset: keep what came before, with a warning.
    Damaged(usize, String),
    /// More records than [`Options::max_records`], at this offset: the whole file is refused,
    /// as GPX and TCX refuse one with too many points.
    TooManyRecords(usize),
}

/// Whether `bytes` start with a FIT header: size byte 12 or 14 and `.FIT` at bytes 8..12.
pub fn is_fit(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(12 | 14)) && bytes.get(8..12) == Some(b".FIT".as_slice())
}

/// Decode one FIT stream (possibly chained) into an activity.
pub fn decode(bytes: &[u8]) -> Result<Activity, Error> {
    decode_with(bytes, &Options::default())
}

/// [`decode`] with explicit [`Options`].
pub fn decode_with(bytes: &[u8], options: &Options) -> Result<Activity, Error> {
    let mut d = Decoder {
        bytes,
        defs: Default::default(),
        last_ts: None,
        out: Collected::default(),
        stopped: None,
        max_records: options.max_records,
    };
    d.run()?;
    assemble::finish(d.out, d.stopped, options)
}

/// A segment's header, as read.
struct Header {
    size: usize,
    data_size: usize,
}

fn parse_header(b: &[u8]) -> Result<Header, String> {
    if b.len() < 12 {
        return Err(format!("{} bytes are too few for a FIT header", b.len()));
    }
    let size = usize::from(b.first().copied().unwrap_or(0));
    if size != 12 && size != 14 {
        return Err(format!("header size byte is {size}, not 12 or 14"));
    }
    if b.get(8..12) != Some(b".FIT".as_slice()) {
        return Err("no \".FIT\" signature in the header".to_string());
    }
    if b.len() < size {
        return Err(format!(
            "{} bytes are too few for a {size}-byte header",
            b.len()
        ));
    }
    let data_size = read_u32(b, 4, false).unwrap_or(0) as usize;
    Ok(Header { size, data_size })
}

struct Decoder<'a> {
    bytes: &'a [u8],
    defs: [Def; 16],
    /// Last full timestamp seen, the base of compressed-timestamp headers.
    last_ts: Option<u32>,
    out: Collected,
    /// Where and why decoding stopped early, if it did.
    stopped: Option<(usize, String)>,
    max_records: usize,
}

impl Decoder<'_> {
    /// Walk the segments. Fails only when the very first header is unusable: anything later
    /// becomes a warning and the segments before it are kept.
    fn run(&mut self) -> Result<(), Error> {
        let bytes = self.bytes;
        if bytes.is_empty() {
            return Err(Error::decode(FORMAT, 0, "empty input"));
        }
        let mut pos = 0usize;
        let mut segment = 0usize;
        while pos < bytes.len() {
            let rest = bytes.get(pos..).unwrap_or_default();
            let header = match parse_header(rest) {
                Ok(h) => h,
                Err(problem) if segment == 0 => return Err(Error::decode(FORMAT, pos, problem)),
                Err(problem) => {
                    self.out.warn_as(WarningCode::Damaged, format!(
                        "bytes {pos}..{} after FIT segment {segment} are not a FIT file ({problem}); ignored",
                        bytes.len()
                    ));
                    break;
                }
            };
            segment += 1;
            self.check_header_crc(rest, pos, segment, header.size);

            let data_start = pos + header.size;
            let declared_end = data_start.saturating_add(header.data_size);
            let empty_segment_crc = read_u16(bytes, data_start, false)
                == Some(checksum(bytes.get(pos..data_start).unwrap_or_default()));
            let data_end = if header.data_size == 0
                && bytes.len() > data_start + 2
                && !empty_segment_crc
            {
                // A writer that never came back to fill in the size: read to the end.
                self.out.warn_as(WarningCode::Damaged, format!(
                    "FIT segment {segment} at byte {pos} declares no data; decoded to the end of the file without a CRC check"
                ));
                bytes.len()
            } else if declared_end.saturating_add(2) > bytes.len() {
                self.out.warn_as(WarningCode::Truncated, format!(
                    "FIT segment {segment} at byte {pos} is truncated: its header declares {} data bytes plus a 2-byte CRC, the file has {} after the header",
                    header.data_size,
                    bytes.len().saturating_sub(data_start)
                ));
                declared_end.min(bytes.len())
            } else {
                self.check_file_crc(pos, declared_end, segment);
                declared_end
            };

            for def in &mut self.defs {
                def.defined = false;
            }
            self.last_ts = None;
            match self.messages(data_start, data_end) {
                Ok(()) => {}
                Err(Stop::Damaged(at, problem)) => {
                    self.out.warn_as(WarningCode::Truncated, format!(
                        "decoding stopped at byte {at} in FIT segment {segment}: {problem}; kept what came before"
                    ));
                    self.stopped = Some((at, problem));
                    break;
                }
                Err(Stop::TooManyRecords(at)) => return Err(self.too_many(at)),
            }
            if data_end == bytes.len() {
                break;
            }
            pos = data_end + 2;
        }
        Ok(())
    }

    /// The refusal for a file with more records than allowed, worded as GPX and TCX word it.
    fn too_many(&self, at: usize) -> Error {
        Error::Limit {
            path: format!("{FORMAT} at byte {at}"),
            what: format!("more than {} records", self.max_records),
        }
    }

    fn check_header_crc(&mut self, rest: &[u8], pos: usize, segment: usize, size: usize) {
        if size < 14 {
            return;
        }
        // 0x0000 means "not computed" (older Garmin devices); the file CRC still covers it.
        let stored = read_u16(rest, 12, false).unwrap_or(0);
        let computed = checksum(rest.get(..12).unwrap_or_default());
        if stored != 0 && stored != computed {
            self.out.warn_as(WarningCode::Damaged, format!(
                "header CRC mismatch in FIT segment {segment} at byte {pos} (stored {stored:#06x}, computed {computed:#06x}); header used as is"
            ));
        }
    }

    /// The file CRC covers header and data from the segment start, whatever the header CRC
    /// was: restarting after a valid header CRC would give the same value (the running CRC is
    /// 0 there), and restarting after a 0x0000 one would be wrong.
    fn check_file_crc(&mut self, start: usize, end: usize, segment: usize) {
        let covered = self.bytes.get(start..end).unwrap_or_default();
        let stored = read_u16(self.bytes, end, false).unwrap_or(0);
        let computed = checksum(covered);
        if stored != computed {
            self.out.warn_as(WarningCode::Damaged, format!(
                "file CRC mismatch in FIT segment {segment} (bytes {start}..{end}: stored {stored:#06x}, computed {computed:#06x}); data kept"
            ));
        }
    }

    /// The message loop over `start..end`. Errors carry the offset of the offending message.
    fn messages(&mut self, start: usize, end: usize) -> Result<(), Stop> {
        let buf = self.bytes.get(..end).unwrap_or_default();
        let mut pos = start;
        while let Some(&header) = buf.get(pos) {
            let at = pos;
            pos += 1;
            let (local, mut time) = if header & 0x80 != 0 {
                // Compressed timestamp: 5-bit offset from the last full timestamp.
                let offset = u32::from(header & 0x1F);
                let t = self
                    .last_ts
                    .map(|last| last.wrapping_add(offset.wrapping_sub(last) & 0x1F));
                self.last_ts = t.or(self.last_ts);
                (usize::from((header >> 5) & 0x03), t)
            } else if header & 0x40 != 0 {
                let local = usize::from(header & 0x0F);
                let body = buf.get(pos..).unwrap_or_default();
                let def = &mut self.defs[local];
                match def.parse(body, header & 0x20 != 0) {
                    Ok(n) => pos += n,
                    Err(DefError::Truncated) => {
                        def.defined = false;
                        return Err(Stop::Damaged(
                            at,
                            "the data ends inside a definition message".to_string(),
                        ));
                    }
                }
                if def.kind == Kind::Record {
                    self.out
                        .reserve_records(end.saturating_sub(pos), def.size, self.max_records);
                }
                continue;
            } else {
                (usize::from(header & 0x0F), None)
            };

            let def = &self.defs[local];
            if !def.defined {
                return Err(Stop::Damaged(
                    at,
                    format!("data message for undefined local message type {local}"),
                ));
            }
            let Some(data) = buf.get(pos..pos + def.size) else {
                return Err(Stop::Damaged(
                    at,
                    format!(
                        "the data ends inside a message ({} bytes expected, {} left)",
                        def.size + 1,
                        buf.len() - at
                    ),
                ));
            };
            pos += def.size;
            if let Some(off) = def.ts_off {
                if let Some(t) = read_u32(data, off as usize, def.be).filter(|&t| t != u32::MAX) {
                    self.last_ts = Some(t);
                    time = Some(t);
                }
            }
            let out = &mut self.out;
            if def.kind == Kind::Record {
                if out.record_count >= self.max_records {
                    return Err(Stop::TooManyRecords(at));
                }
                out.record(def, data, time);
                continue;
            }
            let view = View {
                data,
                fields: &def.fields,
                be: def.be,
            };
            match def.kind {
                Kind::Skip | Kind::Record => {}
                Kind::Session => out.session(view),
                Kind::Lap => out.lap(view),
                Kind::FileId => out.file_id(view),
                Kind::DeviceInfo => out.device_info(view),
                Kind::Sport => out.sport(view),
                Kind::Activity => out.activity(view),
                Kind::Hr => out.hr(view),
                Kind::TimestampCorrelation => out.timestamp_correlation(view),
            }
        }
        Ok(())
    }
}
