//! From what the messages said to an [`Activity`]: the decisions that need the whole file.
//! Summary messages may come before the records (FR255, FR70), so nothing here trusts message
//! order: the end is start + elapsed time, cadence units follow the session that covers each
//! record, cached heart rate is merged by time, and a clock relative to device power-on is
//! placed in UTC from whatever anchor the file offers.

use super::messages::{Collected, RawDevice, MAX_LAPS, MAX_SESSIONS, NO_TIME};
use super::profile::{self, SPORT_TRANSITION};
use super::{Options, FIT_EPOCH_S, FORMAT, RELATIVE_LIMIT};
use crate::vocab::Named;
use crate::{Activity, Error, Warning, WarningCode};
use hamstride_core::activity::{Device, Lap, Records, Session};

const FILE_TYPE_ACTIVITY: u8 = 4;
const EPOCH_MS: i64 = FIT_EPOCH_S * 1000;
/// Record times (Unix ms) below this came from relative FIT times.
const RELATIVE_LIMIT_MS: i64 = (RELATIVE_LIMIT as i64 + FIT_EPOCH_S) * 1000;

/// Build the activity, or say why the file is not one.
pub(crate) fn finish(
    mut c: Collected,
    stopped: Option<(usize, String)>,
    options: &Options,
) -> Result<Activity, Error> {
    c.flush_rows();
    if !c.file_types.is_empty() && !c.file_types.contains(&FILE_TYPE_ACTIVITY) {
        let names: Vec<String> = c
            .file_types
            .iter()
            .map(|&t| profile::file_type_name(t))
            .collect();
        return Err(Error::NotActivity(format!(
            "FIT file type {}",
            names.join(", ")
        )));
    }
    if c.sessions.is_empty() && c.records.is_empty() {
        return Err(match stopped {
            Some((at, problem)) => Error::decode(FORMAT, at, problem),
            None => Error::NotActivity("FIT file has no sessions and no records".to_string()),
        });
    }

    let clock = place_relative_clock(&mut c);
    let times_known = fill_missing_times(&mut c, &clock);
    // Records out of time order (a clock set back mid-run, chained segments written in the
    // wrong order) are put in order, as GPX and TCX points are: everything after this
    // (heart-rate merge, outings, metrics) reads the records as a timeline.
    let moved = crate::xml::sort_by_time(&mut c.records, None);

    let sessions: Vec<(Session, Option<u8>, Option<u8>)> = c
        .sessions
        .iter()
        .map(|s| {
            let named = named(s.sport, s.sub_sport)?;
            let session = Session {
                sport: named.sport,
                sub_sport: named.kind,
                start_ms: s.start.map(|t| clock.ms(t)),
                total_elapsed_s: s.elapsed_s,
                total_timer_s: s.timer_s,
                distance_m: s.distance_m,
                avg_heart_rate: s.avg_hr,
                max_heart_rate: s.max_hr,
                total_ascent_m: s.ascent_m,
                total_descent_m: s.descent_m,
                calories: s.calories,
            };
            Ok((session, s.sport, s.sub_sport))
        })
        .collect::<Result<_, Error>>()?;
    let laps: Vec<Lap> = c
        .laps
        .iter()
        .map(|l| Lap {
            start_ms: l.start.map(|t| clock.ms(t)),
            total_elapsed_s: l.elapsed_s,
            total_timer_s: l.timer_s,
            distance_m: l.distance_m,
            avg_heart_rate: l.avg_hr,
            max_heart_rate: l.max_hr,
        })
        .collect();

    // The headline session: the earliest that is not a multisport transition.
    let mut by_start: Vec<&(Session, Option<u8>, Option<u8>)> = sessions.iter().collect();
    by_start.sort_by_key(|(s, _, _)| s.start_ms.unwrap_or(i64::MAX));
    let main = by_start
        .iter()
        .find(|(_, sport, _)| sport.is_some_and(|s| s != SPORT_TRANSITION))
        .or_else(|| by_start.first());
    let (sport, sub_sport) = match main {
        Some((_, s, sub)) if s.is_some() => (*s, *sub),
        _ => c.sport.unwrap_or((None, None)),
    };

    if options.merge_hr && !c.hr.samples.is_empty() {
        merge_hr(&mut c.records, &mut c.hr.samples, clock.offset_s);
    }
    cadence_to_steps(
        &mut c.records,
        &sessions,
        profile::cadence_is_strides(sport, sub_sport),
    );

    // Every record has a time by now (fill_missing_times), but it means nothing when the
    // file carried none at all.
    let first_record = c.records.time_ms.first().copied().filter(|_| times_known);
    let last_record = c.records.time_ms.last().copied().filter(|_| times_known);
    let session_start = sessions.iter().filter_map(|(s, _, _)| s.start_ms).min();
    let start_ms = session_start
        .or(first_record)
        .or(c.time_created.map(|t| clock.ms(t)));
    let start_raw_relative = match (session_start, first_record) {
        (Some(_), _) => c
            .sessions
            .iter()
            .filter_map(|s| s.start)
            .any(|t| t < RELATIVE_LIMIT),
        (None, Some(_)) => clock.records_relative,
        (None, None) => c.time_created.is_some_and(|t| t < RELATIVE_LIMIT),
    };
    let session_end = sessions
        .iter()
        .filter_map(|(s, _, _)| Some(s.start_ms? + (s.total_elapsed_s? * 1000.0).round() as i64))
        .max();
    let elapsed_sum: Option<f64> = {
        let e: Vec<f64> = sessions
            .iter()
            .filter_map(|(s, _, _)| s.total_elapsed_s)
            .collect();
        (!e.is_empty()).then(|| e.iter().sum())
    };
    let end_ms = session_end
        .or_else(|| Some(start_ms? + (elapsed_sum? * 1000.0).round() as i64))
        .or(last_record);

    let device = [&c.file_device, &c.creator_device]
        .into_iter()
        .flatten()
        .find(|d| d.manufacturer.is_some())
        .or(c.file_device.as_ref())
        .or(c.creator_device.as_ref())
        .map(device_of)
        .unwrap_or_default();

    let mut warnings = std::mem::take(&mut c.warnings);
    if c.missing_time > 0 {
        warnings.push(Warning::new(
            WarningCode::TimesFixed,
            format!(
                "{} records carry no timestamp; each was given the time of the record before it (or the first known time)",
                c.missing_time
            ),
        ));
    }
    warnings.extend(
        clock
            .warning
            .map(|w| Warning::new(WarningCode::TimesFixed, w)),
    );
    match moved {
        0 => {}
        1 => warnings.push(Warning::new(
            WarningCode::Reordered,
            "1 record was out of time order and was sorted",
        )),
        n => warnings.push(Warning::new(
            WarningCode::Reordered,
            format!("{n} records were out of time order and were sorted"),
        )),
    }
    if c.summaries_dropped > 0 {
        warnings.push(format!(
            "{} session or lap messages beyond the first {MAX_SESSIONS} sessions and {MAX_LAPS} laps were ignored",
            c.summaries_dropped
        ));
    }
    if c.warnings_dropped > 0 {
        warnings.push(format!("… and {} more warnings", c.warnings_dropped));
    }

    let named = named(sport, sub_sport)?;
    Ok(Activity {
        sport: named.sport,
        sub_sport: named.kind,
        sport_label: named.label,
        device,
        start_ms,
        end_ms,
        start_was_relative: start_raw_relative,
        name: None,
        sessions: sessions.into_iter().map(|(s, _, _)| s).collect(),
        laps,
        records: c.records,
        warnings,
    })
}

/// FIT's sport and sub-sport numbers in the vocabulary of `kb/sports.toml`, with the FIT
/// profile's names as the label kept.
fn named(sport: Option<u8>, sub_sport: Option<u8>) -> Result<Named, Error> {
    let sport = sport.map(profile::sport_name);
    let sub_sport = sub_sport.map(profile::sub_sport_name);
    crate::vocab::from_fit(sport.as_deref(), sub_sport.as_deref())
}

fn device_of(d: &RawDevice) -> Device {
    Device {
        manufacturer: d.manufacturer.map(profile::manufacturer_name),
        product: d
            .product
            .map(|p| profile::product_name(d.manufacturer, p))
            .or_else(|| d.product_name.clone()),
    }
}

/// How raw FIT times become Unix milliseconds for this file.
struct Clock {
    /// Seconds added to relative (power-on) times, when an anchor was found.
    offset_s: i64,
    records_relative: bool,
    warning: Option<String>,
}

impl Clock {
    fn ms(&self, t: u32) -> i64 {
        let shift = if t < RELATIVE_LIMIT { self.offset_s } else { 0 };
        (i64::from(t) + shift + FIT_EPOCH_S) * 1000
    }
}

fn is_relative_ms(t: i64) -> bool {
    (EPOCH_MS..RELATIVE_LIMIT_MS).contains(&t)
}

/// Find when "power-on" was, for files whose clock counts from it (FR70 and other early
/// devices), and move record times there. Anchors in order of trust: a
/// `timestamp_correlation` message, an absolute `file_id.time_created` taken as the start,
/// then `activity.local_timestamp`, which is right to within the unknown time-zone offset.
fn place_relative_clock(c: &mut Collected) -> Clock {
    let session_rel = c
        .sessions
        .iter()
        .filter_map(|s| s.start)
        .filter(|&t| t < RELATIVE_LIMIT)
        .min();
    let records_relative = c.relative_time > 0;
    if session_rel.is_none() && !records_relative {
        return Clock {
            offset_s: 0,
            records_relative,
            warning: None,
        };
    }
    let first_rel = session_rel.map(i64::from).or_else(|| {
        let t = c
            .records
            .time_ms
            .iter()
            .copied()
            .find(|&t| is_relative_ms(t))?;
        Some(t / 1000 - FIT_EPOCH_S)
    });
    let created = c
        .time_created
        .filter(|&t| t >= RELATIVE_LIMIT)
        .map(i64::from);
    let anchor = c
        .correlation
        .map(|o| (o, "its timestamp_correlation message"))
        .or_else(|| Some((created? - first_rel?, "the file's creation time, taken as the start")))
        .or_else(|| {
            c.local_anchor
                .map(|o| (o, "the device's local clock (the time-zone offset is unknown, so times may be off by hours)"))
        });
    let Some((offset_s, source)) = anchor else {
        return Clock {
            offset_s: 0,
            records_relative,
            warning: Some(
                "times in this file count from device power-on and nothing in it says when that was; they are left as seconds after 1989-12-31".to_string(),
            ),
        };
    };
    for t in &mut c.records.time_ms {
        if is_relative_ms(*t) {
            *t += offset_s * 1000;
        }
    }
    Clock {
        offset_s,
        records_relative,
        warning: Some(format!(
            "times in this file count from device power-on; placed in UTC using {source}"
        )),
    }
}

/// Records with no timestamp (no field 253, no compressed header, nothing before them) take
/// the time of the record before, or the first known time for leading ones. Returns false
/// when the file carries no time at all: the records are then placed at FIT's epoch and the
/// activity's start is unknown.
fn fill_missing_times(c: &mut Collected, clock: &Clock) -> bool {
    if c.missing_time == 0 {
        return true;
    }
    let times = &mut c.records.time_ms;
    let first_known = times.iter().copied().find(|&t| t != NO_TIME);
    let fallback = first_known
        .or_else(|| {
            c.sessions
                .iter()
                .filter_map(|s| s.start)
                .map(|t| clock.ms(t))
                .min()
        })
        .or(c.time_created.map(|t| clock.ms(t)));
    let mut prev = fallback.unwrap_or(EPOCH_MS);
    for t in times.iter_mut() {
        if *t == NO_TIME {
            *t = prev;
        } else {
            prev = *t;
        }
    }
    fallback.is_some()
}

/// Fill records that lack heart rate from the `hr` samples, as the FIT SDK merges them: each
/// sample is carried forward in 250 ms steps (at most 20) towards the next, and a record takes
/// the rounded mean of the points after the previous record's time up to its own. The
/// carried points are counted, never stored, so a hostile file cannot multiply memory.
fn merge_hr(records: &mut Records, samples: &mut [(f64, f32)], offset_s: i64) {
    if !records.heart_rate_bpm.iter().any(|h| h.is_nan()) {
        return;
    }
    // FIT seconds (maybe relative) to Unix ms.
    let rel_limit = f64::from(RELATIVE_LIMIT);
    for (t, _) in samples.iter_mut() {
        let shift = if *t < rel_limit { offset_s as f64 } else { 0.0 };
        *t = (*t + shift + FIT_EPOCH_S as f64) * 1000.0;
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let series = HrSeries::new(samples);

    let (mut lo, mut hi) = (0usize, 0usize);
    let mut prev_t: Option<i64> = None;
    for (t, hr) in records
        .time_ms
        .iter()
        .zip(records.heart_rate_bpm.iter_mut())
    {
        let t = *t;
        let from = match prev_t {
            Some(p) if p < t => p,
            _ => t - 1000,
        };
        prev_t = Some(t);
        if !hr.is_nan() {
            continue;
        }
        lo = seek(&series.times, lo, from as f64);
        hi = seek(&series.times, hi, t as f64);
        let (n_hi, sum_hi) = series.up_to(hi, t as f64);
        let (n_lo, sum_lo) = series.up_to(lo, from as f64);
        if n_hi > n_lo {
            *hr = ((sum_hi - sum_lo) / (n_hi - n_lo) as f64).round() as f32;
        }
    }
}

/// Heart-rate samples with the SDK's carried-forward points described, not materialised:
/// sample `i` is followed by `carried[i]` copies of its value, 250 ms apart.
struct HrSeries {
    times: Vec<f64>,
    bpm: Vec<f64>,
    carried: Vec<u32>,
    /// Points, and their bpm sum, in all segments before sample `i`.
    before: Vec<(u64, f64)>,
}

const CARRY_STEP_MS: f64 = 250.0;
const CARRY_MAX_STEPS: u32 = 20;

impl HrSeries {
    fn new(samples: &[(f64, f32)]) -> HrSeries {
        let times: Vec<f64> = samples.iter().map(|s| s.0).collect();
        let bpm: Vec<f64> = samples.iter().map(|s| f64::from(s.1)).collect();
        let carried: Vec<u32> = times
            .iter()
            .zip(times.iter().skip(1))
            .map(|(a, b)| {
                // Steps k = 1, 2 … while 250·k < gap: the SDK's loop, counted.
                let gap = b - a;
                let steps = (gap / CARRY_STEP_MS).ceil() - 1.0;
                if steps >= 1.0 {
                    (steps as u32).min(CARRY_MAX_STEPS)
                } else {
                    0
                }
            })
            .chain(std::iter::once(0))
            .collect();
        let mut before = Vec::with_capacity(times.len());
        let (mut n, mut sum) = (0u64, 0.0f64);
        for (&b, &k) in bpm.iter().zip(&carried) {
            before.push((n, sum));
            n += 1 + u64::from(k);
            sum += b * f64::from(1 + k);
        }
        HrSeries {
            times,
            bpm,
            carried,
            before,
        }
    }

    /// Points at or before `x` and their bpm sum, given `i` = samples at or before `x`.
    fn up_to(&self, i: usize, x: f64) -> (u64, f64) {
        let Some(j) = i.checked_sub(1) else {
            return (0, 0.0);
        };
        let (Some(&t), Some(&bpm), Some(&k), Some(&(n, sum))) = (
            self.times.get(j),
            self.bpm.get(j),
            self.carried.get(j),
            self.before.get(j),
        ) else {
            return (0, 0.0);
        };
        let carried_so_far = ((x - t) / CARRY_STEP_MS).floor().clamp(0.0, f64::from(k)) as u64;
        let partial = 1 + carried_so_far;
        (n + partial, sum + bpm * partial as f64)
    }
}

/// The number of times at or before `x` (as `partition_point`), searched from a cursor:
/// records usually move forward a few samples at a time, so gallop from `from` and only fall
/// back to a full binary search when time goes backwards.
fn seek(times: &[f64], from: usize, x: f64) -> usize {
    let at_or_before = |k: usize| times.get(k).is_some_and(|&t| t <= x);
    if from > 0 && !at_or_before(from - 1) {
        return times.partition_point(|&t| t <= x);
    }
    let mut step = 1usize;
    let mut base = from;
    while at_or_before(base + step - 1) {
        base += step;
        step *= 2;
    }
    let end = (base + step).min(times.len());
    base + times
        .get(base..end)
        .map_or(0, |w| w.partition_point(|&t| t <= x))
}

/// FIT stores running, walking and hiking cadence per stride; the model wants steps. Each
/// record follows the session covering its time (a triathlon's run is doubled, its ride is
/// not); records outside every session follow the headline sport.
fn cadence_to_steps(
    records: &mut Records,
    sessions: &[(Session, Option<u8>, Option<u8>)],
    main_strides: bool,
) {
    let mut ranges: Vec<(i64, i64, bool)> = sessions
        .iter()
        .filter_map(|(s, sport, sub)| {
            let start = s.start_ms?;
            let end = start + (s.total_elapsed_s? * 1000.0).round() as i64;
            Some((start, end, profile::cadence_is_strides(*sport, *sub)))
        })
        .collect();
    if ranges.iter().all(|r| r.2 == main_strides) {
        if main_strides {
            for c in &mut records.cadence {
                *c *= 2.0;
            }
        }
        return;
    }
    ranges.sort_by_key(|r| r.0);
    for (t, c) in records.time_ms.iter().zip(records.cadence.iter_mut()) {
        let i = ranges.partition_point(|r| r.0 <= *t);
        let strides = i
            .checked_sub(1)
            .and_then(|i| ranges.get(i))
            .filter(|r| *t <= r.1)
            .map_or(main_strides, |r| r.2);
        if strides {
            *c *= 2.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{seek, HrSeries};

    #[test]
    fn seek_equals_partition_point_from_any_cursor() {
        let points = [0.0, 1.0, 1.0, 2.5, 3.0, 3.0, 3.0, 7.0, 9.5, 10.0];
        for x in [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 6.9, 7.0, 9.99, 10.0, 11.0] {
            let want = points.partition_point(|&t| t <= x);
            for cursor in 0..=points.len() {
                assert_eq!(seek(&points, cursor, x), want, "x {x} cursor {cursor}");
            }
        }
        assert_eq!(seek(&[], 0, 1.0), 0);
    }

    /// The SDK's expansion, materialised: what `HrSeries` counts without storing.
    fn expand(samples: &[(f64, f32)]) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = Vec::new();
        let mut prev: Option<(f64, f32)> = None;
        for &(t, bpm) in samples {
            if let Some((pt, pbpm)) = prev {
                let mut gap = (t - pt).abs();
                let mut step = 1;
                while gap > 250.0 && step <= 20 {
                    out.push((pt + 250.0 * f64::from(step), f64::from(pbpm)));
                    gap -= 250.0;
                    step += 1;
                }
            }
            out.push((t, f64::from(bpm)));
            prev = Some((t, bpm));
        }
        out
    }

    #[test]
    fn counted_carry_forward_equals_materialised() {
        // Times in ms on FIT's 1/1024 s grid, with gaps from 0 to 9 s.
        let mut t = 1_000_000.0;
        let mut samples = Vec::new();
        for i in 0..200u32 {
            let gap_ticks = [0u32, 1, 256, 255, 257, 512, 700, 1024, 3000, 9216][(i % 10) as usize];
            t += f64::from(gap_ticks) * 1000.0 / 1024.0;
            samples.push((t, 60.0 + (i % 37) as f32));
        }
        let points = expand(&samples);
        let series = HrSeries::new(&samples);
        let mut x = 999_000.0;
        while x < t + 6000.0 {
            let want_n = points.iter().filter(|p| p.0 <= x).count() as u64;
            let want_sum: f64 = points.iter().filter(|p| p.0 <= x).map(|p| p.1).sum();
            let i = series.times.partition_point(|&s| s <= x);
            let (n, sum) = series.up_to(i, x);
            assert_eq!(n, want_n, "count at {x}");
            assert!((sum - want_sum).abs() < 1e-6, "sum at {x}");
            x += 97.0;
        }
    }
}
