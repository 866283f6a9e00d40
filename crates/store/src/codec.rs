//! The compact columnar codec for per-record streams (`activity_stream.data`).
//!
//! Why not JSON or raw floats: a ten-year archive holds tens of millions of records, and the
//! streams are read back for every recomputation. Each column is quantised to the precision
//! the devices record (heart rate to 1 bpm, distance to 1 cm, cadence to 1/64 step/min …),
//! delta-coded and written as zigzag varints, which takes one or two bytes per value and
//! decodes at memory speed. Missing values (`NaN`) are a presence bitmap per column, so sparse
//! columns (heart rate from a strap that dropped out) cost almost nothing.
//!
//! Layout (version 1): magic `HS1`, varint record count, u16 column mask (LE); the time
//! column (always present, ms, delta-coded); then for each column in the mask one presence
//! byte (0 = every value present, 1 = bitmap of ⌈n/8⌉ bytes follows) and the delta-coded
//! quantised values of the present entries.

use hamstride_core::activity::Records;

use crate::Error;

/// The codec id stored beside the blob, so a later codec can coexist with this one.
pub const CODEC_V1: i64 = 1;
const MAGIC: &[u8; 3] = b"HS1";

/// Quantisation steps per unit, per column, in mask-bit order: lat, lon, distance, then the
/// `f32` columns of [`Records::f32_columns`].
const SCALES: [f64; 13] = [
    1e7,    // lat_deg: 1e-7 degree ≈ 1 cm
    1e7,    // lon_deg
    100.0,  // distance_m: 1 cm (FIT's own resolution)
    1000.0, // speed_mps: 1 mm/s (FIT's own resolution)
    1.0,    // heart_rate_bpm
    64.0,   // cadence: steps/min = 2 × (strides + n/128), so multiples of 1/64 are exact
    5.0,    // altitude_m: FIT stores 1/5 m
    1.0,    // power_w
    10.0,   // stance_time_ms: FIT stores 1/10 ms
    100.0,  // stance_balance_pct: FIT stores 1/100 %
    10.0,   // vertical_oscillation_mm: FIT stores 1/10 mm
    10.0,   // step_length_mm: FIT stores 1/10 mm
    100.0,  // vertical_ratio_pct: FIT stores 1/100 %
];

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Quantise a value; `None` for missing or not finite (and for values too large to code,
/// which no real device produces). Rounds half away from zero with a truncating cast rather
/// than `f64::round`, which is a library call on baseline x86-64 and showed up at 5% of a
/// whole import's profile.
#[inline]
fn quantise(v: f64, scale: f64) -> Option<i64> {
    let x = v * scale;
    (x.is_finite() && x.abs() < 9.0e15).then(|| (x + 0.5f64.copysign(x)) as i64)
}

/// Reusable buffers for one encode.
#[derive(Default)]
struct Scratch {
    values: Vec<i64>,
    bitmap: Vec<u8>,
}

/// Write one column if it has any value; returns whether it did. One pass to quantise, then
/// the presence flag (and bitmap when some are missing), then the deltas.
fn put_column(
    out: &mut Vec<u8>,
    values: impl Iterator<Item = f64>,
    n: usize,
    scale: f64,
    s: &mut Scratch,
) -> bool {
    s.values.clear();
    s.bitmap.clear();
    s.bitmap.resize(n.div_ceil(8), 0);
    for (i, v) in values.enumerate() {
        if let Some(q) = quantise(v, scale) {
            s.values.push(q);
            if let Some(b) = s.bitmap.get_mut(i / 8) {
                *b |= 1 << (i % 8);
            }
        }
    }
    if s.values.is_empty() {
        return false;
    }
    if s.values.len() == n {
        out.push(0);
    } else {
        out.push(1);
        out.extend_from_slice(&s.bitmap);
    }
    let mut prev = 0i64;
    for &q in &s.values {
        put_varint(out, zigzag(q.wrapping_sub(prev)));
        prev = q;
    }
    true
}

/// Encode the records. Columns with no value at all are left out of the mask.
pub fn encode(r: &Records) -> Vec<u8> {
    let n = r.len();
    let mut out = Vec::with_capacity(16 + n * 6);
    out.extend_from_slice(MAGIC);
    put_varint(&mut out, n as u64);
    let mask_at = out.len();
    out.extend_from_slice(&[0, 0]);
    let mut prev = 0i64;
    for &t in &r.time_ms {
        put_varint(&mut out, zigzag(t.wrapping_sub(prev)));
        prev = t;
    }
    let mut mask = 0u16;
    let mut s = Scratch::default();
    let f64s = [&r.lat_deg, &r.lon_deg, &r.distance_m];
    for (bit, (c, scale)) in f64s.iter().zip(SCALES).enumerate() {
        if put_column(&mut out, c.iter().take(n).copied(), n, scale, &mut s) {
            mask |= 1 << bit;
        }
    }
    for (i, (c, scale)) in r.f32_columns().iter().zip(&SCALES[3..]).enumerate() {
        let values = c.iter().take(n).map(|&v| f64::from(v));
        if put_column(&mut out, values, n, *scale, &mut s) {
            mask |= 1 << (i + 3);
        }
    }
    if let Some(m) = out.get_mut(mask_at..mask_at + 2) {
        m.copy_from_slice(&mask.to_le_bytes());
    }
    out
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn err(&self, what: &str) -> Error {
        Error::Corrupt(format!("stream blob: {what} at byte {}", self.pos))
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        let mut shift = 0u32;
        loop {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| self.err("truncated varint"))?;
            self.pos += 1;
            if shift >= 64 {
                return Err(self.err("varint too long"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.err("length overflow"))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| self.err("truncated"))?;
        self.pos = end;
        Ok(s)
    }

    /// Decode one column into `f(i, value)` calls for the present entries.
    fn column(&mut self, n: usize, scale: f64, mut f: impl FnMut(usize, f64)) -> Result<(), Error> {
        let flag = self.take(1)?.first().copied().unwrap_or(0);
        let bitmap = match flag {
            0 => None,
            1 => Some(self.take(n.div_ceil(8))?.to_vec()),
            _ => return Err(self.err("bad presence flag")),
        };
        let mut prev = 0i64;
        for i in 0..n {
            let present = match &bitmap {
                None => true,
                Some(b) => b.get(i / 8).is_some_and(|byte| byte & (1 << (i % 8)) != 0),
            };
            if present {
                prev = prev.wrapping_add(unzigzag(self.varint()?));
                f(i, prev as f64 / scale);
            }
        }
        Ok(())
    }
}

/// Decode a blob written by [`encode`].
pub fn decode(buf: &[u8]) -> Result<Records, Error> {
    let mut c = Cursor { buf, pos: 0 };
    if c.take(3)? != MAGIC {
        return Err(Error::Corrupt("stream blob: bad magic".into()));
    }
    let n = usize::try_from(c.varint()?).map_err(|_| c.err("record count"))?;
    // Every record costs at least one byte of time delta, so a count beyond the blob's size
    // is corruption, and refusing it bounds the allocation below.
    if n > buf.len() {
        return Err(c.err("record count larger than the blob"));
    }
    let m = c.take(2)?;
    let mask = u16::from_le_bytes([
        m.first().copied().unwrap_or(0),
        m.get(1).copied().unwrap_or(0),
    ]);
    let mut r = Records::default();
    r.reserve(n);
    let mut prev = 0i64;
    for _ in 0..n {
        prev = prev.wrapping_add(unzigzag(c.varint()?));
        r.push_empty(prev);
    }
    let f64_cols = [&mut r.lat_deg, &mut r.lon_deg, &mut r.distance_m];
    for (bit, (col, scale)) in f64_cols.into_iter().zip(SCALES).enumerate() {
        if mask & (1 << bit) != 0 {
            c.column(n, scale, |i, v| {
                if let Some(slot) = col.get_mut(i) {
                    *slot = v;
                }
            })?;
        }
    }
    let mut cols = r.f32_columns_mut();
    for (i, col) in cols.iter_mut().enumerate() {
        let bit = i + 3;
        if mask & (1 << bit) != 0 {
            c.column(n, SCALES[bit], |j, v| {
                if let Some(slot) = col.get_mut(j) {
                    *slot = v as f32;
                }
            })?;
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_round_trips_extremes() {
        for v in [0i64, 1, -1, i64::MAX, i64::MIN, 123_456_789] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for blob in [
            &b""[..],
            b"HS1",
            b"HS1\xff\xff\xff",
            b"XYZ\x00\x00\x00",
            b"HS1\x05\x01\x00",
        ] {
            assert!(decode(blob).is_err());
        }
    }
}
