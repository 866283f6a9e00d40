//! What the decoder keeps from each data message, before any interpretation across messages:
//! record rows go straight into the output columns (the hot path), summaries (session, lap,
//! file_id, device_info, sport, activity, timestamp_correlation) into small raw structs, and
//! cached heart rate (`hr` messages) into timed samples for the merge. Turning these into an
//! [`Activity`](crate::Activity) (relative times, merge, cadence units) is `assemble`'s job.

use super::defs::{read_num, read_u32, slot, Def, View};
use super::FIT_EPOCH_S;
use hamstride_core::activity::{Records, Warning, WarningCode, Warnings};

/// A time we could not place: the record had no timestamp and none came before it.
pub(crate) const NO_TIME: i64 = i64::MIN;

/// Upper bound on warnings kept, so a hostile file cannot grow the list without limit.
const MAX_WARNINGS: usize = 50;
/// Upper bounds on summaries kept. Real files have a handful of sessions and at most a few
/// hundred laps; a hostile file of 1-byte empty session messages would otherwise turn each
/// byte into a few hundred bytes of output.
pub(crate) const MAX_SESSIONS: usize = 1_000;
pub(crate) const MAX_LAPS: usize = 10_000;
const MAX_FILE_IDS: usize = 64;

/// A `session` message, values already scaled to SI units.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawSession {
    pub sport: Option<u8>,
    pub sub_sport: Option<u8>,
    /// Raw FIT seconds (may be relative to power-on).
    pub start: Option<u32>,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub calories: Option<f64>,
}

/// A `lap` message.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawLap {
    pub start: Option<u32>,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
}

/// Who made the file: `file_id`, or the creator's `device_info` when `file_id` is silent.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawDevice {
    pub manufacturer: Option<u16>,
    pub product: Option<u16>,
    pub product_name: Option<String>,
}

/// Cached heart rate from `hr` messages, as (FIT seconds, bpm) samples. Each message either
/// anchors the sensor's 1/1024 s event clock to a timestamp, or carries beats as deltas on
/// that clock (`event_timestamp_12`: 12-bit rolling values, accumulated).
#[derive(Debug, Default)]
pub(crate) struct HrCollector {
    pub samples: Vec<(f64, f32)>,
    /// Anchor: (FIT seconds with fraction, event clock value at that instant).
    anchor: Option<(f64, i64)>,
    /// Event clock accumulated past 32-bit and 12-bit rollovers.
    clock: i64,
    evts: Vec<Option<i64>>,
    bpms: Vec<Option<f64>>,
}

/// Rolling 12-bit distance of `compressed_speed_distance` (1/16 m), accumulated.
#[derive(Debug, Default)]
struct Accum12 {
    total: u64,
    last: u16,
}

impl Accum12 {
    fn add(&mut self, v: u16) -> u64 {
        self.total += u64::from(v.wrapping_sub(self.last) & 0x0FFF);
        self.last = v;
        self.total
    }
}

/// Rows buffered before they reach the columns: writing 14 columns row by row costs a
/// capacity check and a length update per value; a batch is appended with one copy each.
const ROW_BATCH: usize = 256;

/// A batch of record rows, column-major, in [`Records`] column order.
#[derive(Debug)]
pub(crate) struct RowBuffer {
    n: usize,
    time: [i64; ROW_BATCH],
    /// lat, lon, distance.
    f64s: [[f64; ROW_BATCH]; 3],
    /// The `f32` columns in `F32_COLUMNS` order.
    f32s: [[f32; ROW_BATCH]; 10],
}

impl Default for RowBuffer {
    fn default() -> Self {
        RowBuffer {
            n: 0,
            time: [0; ROW_BATCH],
            f64s: [[0.0; ROW_BATCH]; 3],
            f32s: [[0.0; ROW_BATCH]; 10],
        }
    }
}

/// Everything kept from the data messages of all segments.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Complete only after [`Collected::flush_rows`].
    pub records: Records,
    rows: Box<RowBuffer>,
    /// Records seen so far, buffered or not (the decoder stops at its limit).
    pub record_count: usize,
    /// Records whose time could not be placed (marked [`NO_TIME`]).
    pub missing_time: usize,
    /// Records whose time counts from device power-on.
    pub relative_time: usize,
    pub sessions: Vec<RawSession>,
    pub laps: Vec<RawLap>,
    /// `file_id.type` of each segment that names one.
    pub file_types: Vec<u8>,
    pub file_device: Option<RawDevice>,
    pub creator_device: Option<RawDevice>,
    /// Raw FIT seconds.
    pub time_created: Option<u32>,
    /// `sport` message: (sport, sub_sport).
    pub sport: Option<(Option<u8>, Option<u8>)>,
    /// UTC minus device-relative seconds, from `timestamp_correlation`.
    pub correlation: Option<i64>,
    /// Local minus device-relative seconds, from `activity.local_timestamp`.
    pub local_anchor: Option<i64>,
    pub hr: HrCollector,
    csd: Accum12,
    pub warnings: Warnings,
    pub warnings_dropped: usize,
    /// Session and lap messages beyond [`MAX_SESSIONS`] / [`MAX_LAPS`], ignored.
    pub summaries_dropped: usize,
}

impl Collected {
    /// Keep a warning (a plain text one is a generic repair), up to [`MAX_WARNINGS`].
    pub(crate) fn warn(&mut self, w: impl Into<Warning>) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else {
            self.warnings_dropped += 1;
        }
    }

    /// Keep a warning with its code.
    pub(crate) fn warn_as(&mut self, code: WarningCode, detail: String) {
        self.warn(Warning::new(code, detail));
    }

    /// Reserve the record columns once, at the first record definition, for as many rows of
    /// that size as the rest of the file could hold. Later growth (smaller definitions, other
    /// messages in between) is left to batch appends; re-reserving at every definition, as
    /// some writers redefine often, cost more in copies than it saved. Never more than
    /// `max_records`: a record can be one byte, and 60 MB of them would reserve gigabytes.
    pub(crate) fn reserve_records(
        &mut self,
        remaining_bytes: usize,
        record_size: usize,
        max_records: usize,
    ) {
        if self.records.time_ms.capacity() == 0 {
            let rows = remaining_bytes / (record_size + 1);
            self.records.reserve(rows.min(max_records));
        }
    }

    /// One `record` message: run the definition's plan into a scratch row, push the row.
    #[inline]
    pub(crate) fn record(&mut self, def: &Def, data: &[u8], time: Option<u32>) {
        self.record_count += 1;
        let mut s = [f64::NAN; slot::COUNT];
        for op in &def.ops {
            if let Some(v) = read_num(data, op.off as usize, op.num, def.be) {
                if let Some(cell) = s.get_mut(usize::from(op.slot)) {
                    *cell = v * op.mul + op.add;
                }
            }
        }
        if let Some(off) = def.csd_off {
            self.compressed_speed_distance(data, off as usize, &mut s);
        }
        let [lat, lon, dist, speed, hr, mut cad, alt, power, stance, stance_bal, vosc, step_len, vratio, frac] =
            s;
        if !frac.is_nan() && !cad.is_nan() {
            cad += frac;
        }
        let t = match time {
            Some(t) => {
                self.relative_time += usize::from(t < super::RELATIVE_LIMIT);
                (i64::from(t) + FIT_EPOCH_S) * 1000
            }
            None => {
                self.missing_time += 1;
                NO_TIME
            }
        };
        let b = &mut *self.rows;
        let i = b.n % ROW_BATCH;
        b.time[i] = t;
        b.f64s[0][i] = lat;
        b.f64s[1][i] = lon;
        b.f64s[2][i] = dist;
        let f32s = [
            speed, hr, cad, alt, power, stance, stance_bal, vosc, step_len, vratio,
        ];
        for (col, v) in b.f32s.iter_mut().zip(f32s) {
            col[i] = v as f32;
        }
        b.n = i + 1;
        if b.n == ROW_BATCH {
            self.flush_rows();
        }
    }

    /// Move buffered rows into the output columns. Must run before anything reads
    /// `records`.
    pub(crate) fn flush_rows(&mut self) {
        let b = &mut *self.rows;
        let n = b.n.min(ROW_BATCH);
        let r = &mut self.records;
        r.time_ms.extend_from_slice(&b.time[..n]);
        for (col, buf) in [&mut r.lat_deg, &mut r.lon_deg, &mut r.distance_m]
            .into_iter()
            .zip(&b.f64s)
        {
            col.extend_from_slice(&buf[..n]);
        }
        for (col, buf) in r.f32_columns_mut().into_iter().zip(&b.f32s) {
            col.extend_from_slice(&buf[..n]);
        }
        b.n = 0;
    }

    /// FR70-era records pack speed (12 bits, 1/100 m/s) and a rolling distance (12 bits,
    /// 1/16 m) into 3 bytes; the distance only means something accumulated over the file.
    /// Explicit speed or distance fields, when present, win.
    #[cold]
    fn compressed_speed_distance(&mut self, data: &[u8], off: usize, s: &mut [f64; slot::COUNT]) {
        let Some(&[b0, b1, b2]) = data.get(off..off + 3) else {
            return;
        };
        if [b0, b1, b2] == [0xFF; 3] {
            return;
        }
        let speed = u16::from(b0) | (u16::from(b1 & 0x0F) << 8);
        let dist = u16::from(b1 >> 4) | (u16::from(b2) << 4);
        let total = self.csd.add(dist);
        if let Some(cell) = s.get_mut(usize::from(slot::SPEED)).filter(|c| c.is_nan()) {
            *cell = f64::from(speed) / 100.0;
        }
        if let Some(cell) = s.get_mut(usize::from(slot::DIST)).filter(|c| c.is_nan()) {
            *cell = total as f64 / 16.0;
        }
    }

    pub(crate) fn file_id(&mut self, v: View<'_>) {
        if let Some(t) = v.enum8(0).filter(|_| self.file_types.len() < MAX_FILE_IDS) {
            self.file_types.push(t);
        }
        if self.time_created.is_none() {
            self.time_created = v.time(4);
        }
        if self.file_device.is_none() {
            let d = RawDevice {
                manufacturer: v.u16(1),
                product: v.u16(2),
                product_name: v.string(8),
            };
            if d.manufacturer.is_some() || d.product.is_some() || d.product_name.is_some() {
                self.file_device = Some(d);
            }
        }
    }

    pub(crate) fn device_info(&mut self, v: View<'_>) {
        // Device index 0 is the creator, the device that wrote the file.
        if self.creator_device.is_some() || v.uint(0) != Some(0) {
            return;
        }
        self.creator_device = Some(RawDevice {
            manufacturer: v.u16(2),
            product: v.u16(4),
            product_name: v.string(27),
        });
    }

    pub(crate) fn session(&mut self, v: View<'_>) {
        if self.sessions.len() >= MAX_SESSIONS {
            self.summaries_dropped += 1;
            return;
        }
        self.sessions.push(RawSession {
            sport: v.enum8(5),
            sub_sport: v.enum8(6),
            start: v.time(2),
            elapsed_s: v.scaled(7, 1000.0),
            timer_s: v.scaled(8, 1000.0),
            distance_m: v.scaled(9, 100.0),
            calories: v.num(11),
            avg_hr: v.num(16),
            max_hr: v.num(17),
            ascent_m: v.num(22),
            descent_m: v.num(23),
        });
    }

    pub(crate) fn lap(&mut self, v: View<'_>) {
        if self.laps.len() >= MAX_LAPS {
            self.summaries_dropped += 1;
            return;
        }
        self.laps.push(RawLap {
            start: v.time(2),
            elapsed_s: v.scaled(7, 1000.0),
            timer_s: v.scaled(8, 1000.0),
            distance_m: v.scaled(9, 100.0),
            avg_hr: v.num(15),
            max_hr: v.num(16),
        });
    }

    pub(crate) fn sport(&mut self, v: View<'_>) {
        if self.sport.is_none() {
            self.sport = Some((v.enum8(0), v.enum8(1)));
        }
    }

    pub(crate) fn activity(&mut self, v: View<'_>) {
        // Only useful when the device clock is relative: local_timestamp is then the one
        // absolute (if time-zone shifted) time in the file.
        if let (Some(ts), Some(local)) = (v.time(253), v.time(5)) {
            if ts < super::RELATIVE_LIMIT && local >= super::RELATIVE_LIMIT {
                self.local_anchor
                    .get_or_insert(i64::from(local) - i64::from(ts));
            }
        }
    }

    pub(crate) fn timestamp_correlation(&mut self, v: View<'_>) {
        if let (Some(utc), Some(system)) = (v.time(253), v.time(1)) {
            if utc >= super::RELATIVE_LIMIT {
                self.correlation
                    .get_or_insert(i64::from(utc) - i64::from(system));
            }
        }
    }

    pub(crate) fn hr(&mut self, v: View<'_>) {
        let h = &mut self.hr;
        h.evts.clear();
        if let Some(ts) = v.time(253) {
            let frac = v
                .scaled(0, 32768.0)
                .or_else(|| v.scaled(1, 256.0))
                .unwrap_or(0.0);
            let Some(first) = v.num(9).filter(|f| *f >= 0.0).map(|f| f as i64) else {
                // An anchor without its event time cannot place anything after it.
                h.anchor = None;
                return;
            };
            h.clock = first;
            h.anchor = Some((f64::from(ts) + frac, first));
        }
        let Some((anchor_t, anchor_evt)) = h.anchor else {
            return;
        };
        if let Some(packed) = v.raw(10) {
            let n = (packed.len() * 8 / 12).min(10);
            for k in 0..n {
                let bit = 12 * k;
                let lo = packed.get(bit / 8).copied().unwrap_or(0);
                let hi = packed.get(bit / 8 + 1).copied().unwrap_or(0);
                let c = ((u16::from(lo) | (u16::from(hi) << 8)) >> (bit % 8)) & 0x0FFF;
                let delta = i64::from(c.wrapping_sub(h.clock as u16) & 0x0FFF);
                h.clock += delta;
                h.evts.push(Some(h.clock));
            }
        } else if let Some(f) = v.raw(9) {
            // Direct 32-bit values: take the one nearest the running clock, which also
            // carries the clock across a 32-bit rollover.
            let be = v.be;
            for chunk in 0..f.len() / 4 {
                let e = read_u32(f, chunk * 4, be).filter(|&e| e != u32::MAX);
                if let Some(e) = e {
                    let delta = i64::from(e.wrapping_sub(h.clock as u32) as i32);
                    h.clock += delta;
                }
                h.evts.push(e.map(|_| h.clock));
            }
        }
        v.array(6, &mut h.bpms);
        for (evt, bpm) in h.evts.iter().zip(h.bpms.iter()) {
            if let (Some(evt), Some(bpm)) = (evt, bpm) {
                let t = anchor_t + (evt - anchor_evt) as f64 / 1024.0;
                h.samples.push((t, *bpm as f32));
            }
        }
    }
}
