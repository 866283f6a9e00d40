//! Definition messages and the plans compiled from them. A FIT data message is only a run of
//! bytes whose layout its local definition gives; reading it field by field through a generic
//! profile is what makes general decoders slow. Here each definition is compiled once into
//! what the decoder needs: the message size, the offset of its timestamp, and for `record`
//! messages a short list of (offset, number type, column, scale) operations covering only the
//! fields we keep. A data message is then one bounds check plus a few fixed-offset loads.
//! Rarer messages (session, lap, file_id, hr …) keep their field list and are read on demand.

/// Global message numbers the decoder reads.
pub(crate) mod mesg {
    pub const FILE_ID: u16 = 0;
    pub const SPORT: u16 = 12;
    pub const SESSION: u16 = 18;
    pub const LAP: u16 = 19;
    pub const RECORD: u16 = 20;
    pub const DEVICE_INFO: u16 = 23;
    pub const ACTIVITY: u16 = 34;
    pub const HR: u16 = 132;
    pub const TIMESTAMP_CORRELATION: u16 = 162;
}

/// The field number FIT reserves for a message's timestamp, in every message.
pub(crate) const TIMESTAMP_FIELD: u8 = 253;

/// Which handler a data message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Kind {
    #[default]
    Skip,
    Record,
    Session,
    Lap,
    FileId,
    DeviceInfo,
    Sport,
    Activity,
    Hr,
    TimestampCorrelation,
}

impl Kind {
    fn of(global: u16) -> Kind {
        match global {
            mesg::RECORD => Kind::Record,
            mesg::SESSION => Kind::Session,
            mesg::LAP => Kind::Lap,
            mesg::FILE_ID => Kind::FileId,
            mesg::DEVICE_INFO => Kind::DeviceInfo,
            mesg::SPORT => Kind::Sport,
            mesg::ACTIVITY => Kind::Activity,
            mesg::HR => Kind::Hr,
            mesg::TIMESTAMP_CORRELATION => Kind::TimestampCorrelation,
            _ => Kind::Skip,
        }
    }
}

/// How one element of a numeric field is stored: width, signedness, and which bit pattern
/// means "invalid" (all ones, the signed maximum, or zero for the `z` types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Num {
    U8,
    S8,
    U16,
    S16,
    U32,
    S32,
    U64,
    S64,
    U8z,
    U16z,
    U32z,
    U64z,
    F32,
    F64,
}

impl Num {
    /// The number type of a FIT base type byte, `None` for strings and unknown types. Only
    /// the low five bits name the type; some writers leave the endian-ability bit clear.
    pub(crate) fn of_base(base: u8) -> Option<Num> {
        Some(match base & 0x1F {
            // enum and byte are read as unsigned bytes (0xFF invalid).
            0 | 2 | 13 => Num::U8,
            1 => Num::S8,
            3 => Num::S16,
            4 => Num::U16,
            5 => Num::S32,
            6 => Num::U32,
            8 => Num::F32,
            9 => Num::F64,
            10 => Num::U8z,
            11 => Num::U16z,
            12 => Num::U32z,
            14 => Num::S64,
            15 => Num::U64,
            16 => Num::U64z,
            _ => return None,
        })
    }

    pub(crate) fn width(self) -> usize {
        match self {
            Num::U8 | Num::S8 | Num::U8z => 1,
            Num::U16 | Num::S16 | Num::U16z => 2,
            Num::U32 | Num::S32 | Num::U32z | Num::F32 => 4,
            Num::U64 | Num::S64 | Num::U64z | Num::F64 => 8,
        }
    }
}

#[inline(always)]
fn bytes<const N: usize>(data: &[u8], off: usize) -> Option<[u8; N]> {
    data.get(off..off.checked_add(N)?)?.try_into().ok()
}

/// Read a `u16` in the definition's byte order.
#[inline(always)]
pub(crate) fn read_u16(data: &[u8], off: usize, be: bool) -> Option<u16> {
    let b = bytes::<2>(data, off)?;
    Some(if be {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    })
}

/// Read a `u32` in the definition's byte order.
#[inline(always)]
pub(crate) fn read_u32(data: &[u8], off: usize, be: bool) -> Option<u32> {
    let b = bytes::<4>(data, off)?;
    Some(if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

#[inline(always)]
fn read_u64(data: &[u8], off: usize, be: bool) -> Option<u64> {
    let b = bytes::<8>(data, off)?;
    Some(if be {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    })
}

/// One element of a numeric field, `None` when absent or FIT's invalid value.
#[inline(always)]
pub(crate) fn read_num(data: &[u8], off: usize, num: Num, be: bool) -> Option<f64> {
    let v = match num {
        Num::U8 => f64::from(data.get(off).copied().filter(|&v| v != u8::MAX)?),
        Num::U8z => f64::from(data.get(off).copied().filter(|&v| v != 0)?),
        Num::S8 => f64::from(data.get(off).map(|&v| v as i8).filter(|&v| v != i8::MAX)?),
        Num::U16 => f64::from(read_u16(data, off, be).filter(|&v| v != u16::MAX)?),
        Num::U16z => f64::from(read_u16(data, off, be).filter(|&v| v != 0)?),
        Num::S16 => f64::from(
            read_u16(data, off, be)
                .map(|v| v as i16)
                .filter(|&v| v != i16::MAX)?,
        ),
        Num::U32 => f64::from(read_u32(data, off, be).filter(|&v| v != u32::MAX)?),
        Num::U32z => f64::from(read_u32(data, off, be).filter(|&v| v != 0)?),
        Num::S32 => f64::from(
            read_u32(data, off, be)
                .map(|v| v as i32)
                .filter(|&v| v != i32::MAX)?,
        ),
        Num::U64 => read_u64(data, off, be).filter(|&v| v != u64::MAX)? as f64,
        Num::U64z => read_u64(data, off, be).filter(|&v| v != 0)? as f64,
        Num::S64 => read_u64(data, off, be)
            .map(|v| v as i64)
            .filter(|&v| v != i64::MAX)? as f64,
        Num::F32 => {
            let v = f32::from_bits(read_u32(data, off, be)?);
            f64::from(v).is_finite().then_some(f64::from(v))?
        }
        Num::F64 => read_u64(data, off, be)
            .map(f64::from_bits)
            .filter(|v| v.is_finite())?,
    };
    Some(v)
}

/// One field of a definition: where its bytes are in the data message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldDef {
    pub num: u8,
    pub off: u32,
    pub size: u8,
    pub base: u8,
}

impl FieldDef {
    /// The number type of one element, when the field is a whole number of them. A field
    /// whose size is not a multiple of its base type (COROS writes uint32 fields of size 1)
    /// is unreadable as a number and treated as invalid rather than failing the file.
    pub(crate) fn num(&self) -> Option<Num> {
        let num = Num::of_base(self.base)?;
        let size = usize::from(self.size);
        (size >= num.width() && size % num.width() == 0).then_some(num)
    }
}

/// Slots of the per-record scratch row: lat, lon and distance become `f64` columns, the rest `f32`.
pub(crate) mod slot {
    pub const LAT: u8 = 0;
    pub const LON: u8 = 1;
    pub const DIST: u8 = 2;
    pub const SPEED: u8 = 3;
    pub const HR: u8 = 4;
    pub const CAD: u8 = 5;
    pub const ALT: u8 = 6;
    pub const POWER: u8 = 7;
    pub const STANCE: u8 = 8;
    pub const STANCE_BAL: u8 = 9;
    pub const VOSC: u8 = 10;
    pub const STEP_LEN: u8 = 11;
    pub const VRATIO: u8 = 12;
    /// `fractional_cadence`, folded into cadence once the row is read.
    pub const FRAC_CAD: u8 = 13;
    pub const COUNT: usize = 14;
}

/// One load of a record field into a scratch slot: `slot = raw × mul + add`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecOp {
    pub off: u32,
    pub num: Num,
    pub slot: u8,
    /// The `enhanced_` variant of a field: runs after the plain one and wins when valid.
    pub enhanced: bool,
    pub mul: f64,
    pub add: f64,
}

const SEMICIRCLE_DEG: f64 = 180.0 / 2_147_483_648.0;

/// Record fields we keep: (field number, slot, multiplier, offset, enhanced).
const RECORD_FIELDS: [(u8, u8, f64, f64, bool); 16] = [
    (0, slot::LAT, SEMICIRCLE_DEG, 0.0, false),
    (1, slot::LON, SEMICIRCLE_DEG, 0.0, false),
    (2, slot::ALT, 0.2, -500.0, false),
    (78, slot::ALT, 0.2, -500.0, true),
    (3, slot::HR, 1.0, 0.0, false),
    (4, slot::CAD, 1.0, 0.0, false),
    (53, slot::FRAC_CAD, 1.0 / 128.0, 0.0, false),
    (5, slot::DIST, 0.01, 0.0, false),
    (6, slot::SPEED, 0.001, 0.0, false),
    (73, slot::SPEED, 0.001, 0.0, true),
    (7, slot::POWER, 1.0, 0.0, false),
    (39, slot::VOSC, 0.1, 0.0, false),
    (41, slot::STANCE, 0.1, 0.0, false),
    (83, slot::VRATIO, 0.01, 0.0, false),
    (84, slot::STANCE_BAL, 0.01, 0.0, false),
    (85, slot::STEP_LEN, 0.1, 0.0, false),
];
/// `compressed_speed_distance`: 3 bytes, 12-bit speed and 12-bit rolling distance.
const COMPRESSED_SPEED_DISTANCE: u8 = 8;

/// A local message type's current definition, compiled.
#[derive(Debug, Default)]
pub(crate) struct Def {
    pub defined: bool,
    pub global: u16,
    pub be: bool,
    /// Bytes of a data message after its header, developer fields included.
    pub size: usize,
    pub kind: Kind,
    /// Offset of a 4-byte field 253, the message's timestamp.
    pub ts_off: Option<u32>,
    /// Fields of messages read on demand (not records); reused across redefinitions.
    pub fields: Vec<FieldDef>,
    /// Record plan; reused across redefinitions.
    pub ops: Vec<RecOp>,
    pub csd_off: Option<u32>,
}

/// Why a definition could not be read.
pub(crate) enum DefError {
    /// The bytes end inside the definition.
    Truncated,
}

impl Def {
    /// Parse a definition message body (`body` starts after the record header byte) into
    /// `self`, returning the bytes consumed. Allocation-free once the vectors have grown.
    pub(crate) fn parse(&mut self, body: &[u8], has_dev: bool) -> Result<usize, DefError> {
        let head = body.get(..5).ok_or(DefError::Truncated)?;
        let (arch, g0, g1, n) = match head {
            [_, arch, g0, g1, n] => (*arch, *g0, *g1, usize::from(*n)),
            _ => return Err(DefError::Truncated),
        };
        // Only 1 means big-endian; anything else is read as little-endian, as the SDKs do.
        let be = arch == 1;
        let global = if be {
            u16::from_be_bytes([g0, g1])
        } else {
            u16::from_le_bytes([g0, g1])
        };
        let field_bytes = body.get(5..5 + 3 * n).ok_or(DefError::Truncated)?;
        let mut consumed = 5 + 3 * n;
        let mut dev_size = 0usize;
        if has_dev {
            let m = usize::from(*body.get(consumed).ok_or(DefError::Truncated)?);
            let dev = body
                .get(consumed + 1..consumed + 1 + 3 * m)
                .ok_or(DefError::Truncated)?;
            // Developer fields are skipped by size: nothing we keep lives in them.
            dev_size = dev
                .chunks_exact(3)
                .map(|c| usize::from(c.get(1).copied().unwrap_or(0)))
                .sum();
            consumed += 1 + 3 * m;
        }

        self.defined = true;
        self.global = global;
        self.be = be;
        self.kind = Kind::of(global);
        self.ts_off = None;
        self.fields.clear();
        self.ops.clear();
        self.csd_off = None;
        let mut off = 0u32;
        for c in field_bytes.chunks_exact(3) {
            let [num, size, base] =
                [c.first(), c.get(1), c.get(2)].map(|b| b.copied().unwrap_or(0));
            let f = FieldDef {
                num,
                off,
                size,
                base,
            };
            off += u32::from(size);
            if num == TIMESTAMP_FIELD && size == 4 {
                self.ts_off = Some(f.off);
            }
            match self.kind {
                Kind::Skip => {}
                Kind::Record => self.plan_record_field(f),
                _ => self.fields.push(f),
            }
        }
        if self.kind == Kind::Record {
            // Plain before enhanced, so a valid enhanced value overwrites the plain one.
            self.ops.sort_unstable_by_key(|op| (op.slot, op.enhanced));
        }
        self.size = off as usize + dev_size;
        Ok(consumed)
    }

    fn plan_record_field(&mut self, f: FieldDef) {
        if f.num == COMPRESSED_SPEED_DISTANCE && f.size >= 3 {
            self.csd_off = Some(f.off);
            return;
        }
        let Some(&(_, slot, mul, add, enhanced)) = RECORD_FIELDS.iter().find(|e| e.0 == f.num)
        else {
            return;
        };
        let Some(num) = f.num() else { return };
        self.ops.push(RecOp {
            off: f.off,
            num,
            slot,
            enhanced,
            mul,
            add,
        });
    }
}

/// A data message of a non-record kind, read field by field on demand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    pub data: &'a [u8],
    pub fields: &'a [FieldDef],
    pub be: bool,
}

impl<'a> View<'a> {
    fn field(&self, num: u8) -> Option<&'a FieldDef> {
        self.fields.iter().find(|f| f.num == num)
    }

    /// The field's bytes, whatever its type.
    pub(crate) fn raw(&self, num: u8) -> Option<&'a [u8]> {
        let f = self.field(num)?;
        let start = f.off as usize;
        self.data.get(start..start + usize::from(f.size))
    }

    /// First element of a numeric field, FIT invalid values as `None`.
    pub(crate) fn num(&self, num: u8) -> Option<f64> {
        let f = self.field(num)?;
        read_num(self.data, f.off as usize, f.num()?, self.be)
    }

    /// First element scaled: `raw / scale`.
    pub(crate) fn scaled(&self, num: u8, scale: f64) -> Option<f64> {
        self.num(num).map(|v| v / scale)
    }

    /// First element as an unsigned integer (enums, counts, ids).
    pub(crate) fn uint(&self, num: u8) -> Option<u64> {
        self.num(num).filter(|v| *v >= 0.0).map(|v| v as u64)
    }

    /// A `u8` enum value.
    pub(crate) fn enum8(&self, num: u8) -> Option<u8> {
        self.uint(num).and_then(|v| u8::try_from(v).ok())
    }

    /// A `u16` value (manufacturer, product).
    pub(crate) fn u16(&self, num: u8) -> Option<u16> {
        self.uint(num).and_then(|v| u16::try_from(v).ok())
    }

    /// A `date_time` (or any 4-byte unsigned) field, raw FIT seconds.
    pub(crate) fn time(&self, num: u8) -> Option<u32> {
        let f = self.field(num)?;
        if f.size != 4 {
            return None;
        }
        read_u32(self.data, f.off as usize, self.be).filter(|&v| v != u32::MAX)
    }

    /// Every element of a numeric field, `None` for invalid elements, into `out` (cleared).
    pub(crate) fn array(&self, num: u8, out: &mut Vec<Option<f64>>) {
        out.clear();
        let Some(f) = self.field(num) else { return };
        let Some(n) = f.num() else { return };
        let w = n.width();
        let start = f.off as usize;
        for i in 0..usize::from(f.size) / w {
            out.push(read_num(self.data, start + i * w, n, self.be));
        }
    }

    /// A string field: up to the first NUL (Wahoo writes none), lossy UTF-8, trimmed.
    pub(crate) fn string(&self, num: u8) -> Option<String> {
        let raw = self.raw(num)?;
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let s = String::from_utf8_lossy(raw.get(..end)?).trim().to_string();
        (!s.is_empty()).then_some(s)
    }
}
