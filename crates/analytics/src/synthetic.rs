//! A deterministic generator of plausible training histories, for benchmarks and tests: about
//! 350 runs a year (easy runs, workouts with strides or intervals, a long run on Sundays, an
//! occasional second run, a yearly two-week break so speed and hills return), a few rides, heart rate on most runs
//! and an effort rating on some. A small linear congruential generator keeps it free of a
//! `rand` dependency and identical on every platform for a given seed.
//!
//! Not a model of any real runner: the numbers only need realistic sizes and variety so the
//! analysis does realistic work.

use crate::metrics::{
    ActivityMetrics, Bout, FormBand, FORM_BAND_MPS, HR_MIN_BPM, HR_STEPS, METRICS_VERSION,
    SPEED_STEPS, SPEED_STEP_MPS,
};
use crate::series::{day_number, RunEntry};
use jiff::civil::Date;

/// Knuth's MMIX multiplier and increment; the top 53 bits make the uniform fraction.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.next() < p
    }
}

/// What kind of session a day holds.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Easy,
    Strides,
    Intervals,
    Hills,
    Long,
}

/// `years` years of activities ending on `end` (UTC days), ids 1.., oldest first.
pub fn history(years: u32, seed: u64, end: Date) -> Vec<RunEntry> {
    let mut rng = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
    // Warm the generator so nearby seeds do not start alike.
    for _ in 0..4 {
        rng.next();
    }
    let end_dn = day_number(end);
    let n_days = i64::from(years) * 365;
    let mut out = Vec::new();
    let mut id = 0i64;
    // Each year has one two-week break (an injury, a holiday) at a random point.
    let breaks: Vec<i64> = (0..years)
        .map(|y| i64::from(y) * 365 + rng.range(30.0, 330.0) as i64)
        .collect();
    for k in 0..n_days {
        let dn = end_dn - n_days + 1 + k;
        let in_break = breaks.iter().any(|&b| k >= b && k < b + 14);
        // Fitness drifts over the year so weekly distances rise and fall.
        let season = 1.0 + 0.25 * ((k as f64) / 365.0 * std::f64::consts::TAU).sin();
        let weekday = (dn + 3).rem_euclid(7); // Monday = 0
        if !in_break && !rng.chance(0.03) {
            let kind = match weekday {
                6 => Kind::Long,
                1 if rng.chance(0.7) => Kind::Intervals,
                3 if rng.chance(0.5) => Kind::Hills,
                3 | 4 if rng.chance(0.4) => Kind::Strides,
                _ => Kind::Easy,
            };
            id += 1;
            out.push(run(&mut rng, id, dn, kind, season));
            if rng.chance(0.04) {
                id += 1;
                out.push(run(&mut rng, id, dn, Kind::Easy, 0.8));
            }
        }
        if rng.chance(0.06) {
            id += 1;
            out.push(ride(&mut rng, id, dn));
        }
    }
    out
}

fn start_ms(rng: &mut Lcg, dn: i64) -> i64 {
    let minute = rng.range(6.0 * 60.0, 19.0 * 60.0) as i64;
    dn * 86_400_000 + minute * 60_000
}

fn run(rng: &mut Lcg, id: i64, dn: i64, kind: Kind, season: f64) -> RunEntry {
    let (km, speed) = match kind {
        Kind::Easy => (rng.range(5.0, 12.0), rng.range(2.8, 3.3)),
        Kind::Strides => (rng.range(6.0, 10.0), rng.range(2.9, 3.3)),
        Kind::Intervals => (rng.range(8.0, 14.0), rng.range(3.2, 3.7)),
        Kind::Hills => (rng.range(8.0, 15.0), rng.range(2.7, 3.1)),
        Kind::Long => (rng.range(16.0, 30.0), rng.range(2.8, 3.2)),
    };
    let distance_m = (km * season).clamp(5.0, 30.0) * 1000.0;
    let duration_s = distance_m / speed;

    // Most time sits around the run's pace; workouts add time well above it.
    let mut speed_seconds = vec![0f32; SPEED_STEPS];
    let mut add_speed = |v: f64, secs: f64| {
        let i = ((v / SPEED_STEP_MPS) as usize).min(SPEED_STEPS - 1);
        speed_seconds[i] += secs as f32;
    };
    for j in 0..9 {
        let offset = (f64::from(j) - 4.0) * 0.1;
        let share = [0.02, 0.05, 0.1, 0.18, 0.3, 0.18, 0.1, 0.05, 0.02][j as usize];
        add_speed(speed + offset, duration_s * share);
    }
    let mut bouts = Vec::new();
    let mut top = speed + 0.5;
    match kind {
        Kind::Strides => {
            let n = 4 + (rng.next() * 5.0) as usize;
            for b in 0..n {
                let peak = rng.range(5.3, 6.5);
                top = top.max(peak - 0.1);
                let secs = rng.range(15.0, 25.0);
                add_speed(peak - 0.3, secs);
                bouts.push(Bout {
                    offset_s: duration_s - 600.0 + b as f64 * 90.0,
                    duration_s: secs,
                    distance_m: secs * (peak - 0.3),
                    peak_mps: peak,
                });
            }
        }
        Kind::Intervals => {
            let reps = 5 + (rng.next() * 4.0) as usize;
            let pace = rng.range(4.4, 5.2);
            top = top.max(pace + 0.3);
            for r in 0..reps {
                add_speed(pace, 180.0);
                bouts.push(Bout {
                    offset_s: 900.0 + r as f64 * 300.0,
                    duration_s: 60.0,
                    distance_m: 60.0 * pace,
                    peak_mps: pace + 0.3,
                });
            }
        }
        _ => {}
    }
    let (ascent_m, steep_up_s) = match kind {
        Kind::Hills => (
            rng.range(25.0, 45.0) * distance_m / 1000.0,
            rng.range(300.0, 900.0),
        ),
        Kind::Long if rng.chance(0.3) => (rng.range(10.0, 25.0) * distance_m / 1000.0, 200.0),
        _ => (
            rng.range(2.0, 10.0) * distance_m / 1000.0,
            rng.range(0.0, 60.0),
        ),
    };
    let hr_seconds = if rng.chance(0.9) {
        let avg = match kind {
            Kind::Intervals => rng.range(155.0, 165.0),
            Kind::Long => rng.range(145.0, 155.0),
            _ => rng.range(135.0, 150.0),
        };
        let peak = match kind {
            Kind::Intervals | Kind::Strides => rng.range(178.0, 190.0),
            _ => avg + rng.range(10.0, 20.0),
        };
        hr_histogram(avg, peak, duration_s)
    } else {
        Vec::new()
    };
    let rpe = rng.chance(0.3).then(|| match kind {
        Kind::Intervals => rng.range(7.0, 9.0).round(),
        Kind::Long => rng.range(5.0, 7.0).round(),
        _ => rng.range(2.0, 4.0).round(),
    });
    let cadence = rng.range(164.0, 176.0);
    let form = (0..3)
        .map(|b| {
            let v = speed - FORM_BAND_MPS + f64::from(b) * FORM_BAND_MPS;
            FormBand {
                band: (v / FORM_BAND_MPS) as u16,
                seconds: duration_s / 3.0,
                cadence_spm: Some(cadence + f64::from(b) * 2.0),
                step_length_mm: Some(v * 60_000.0 / (cadence + f64::from(b) * 2.0)),
                ground_contact_ms: Some(rng.range(230.0, 270.0)),
                vertical_oscillation_mm: Some(rng.range(75.0, 95.0)),
                balance_left_pct: Some(rng.range(49.0, 51.0)),
            }
        })
        .collect();
    RunEntry {
        id,
        metrics: ActivityMetrics {
            version: METRICS_VERSION,
            start_ms: start_ms(rng, dn),
            sport: "running".to_string(),
            is_run: true,
            duration_s,
            distance_m,
            ascent_m,
            descent_m: ascent_m * rng.range(0.9, 1.1),
            steep_up_s,
            steep_down_s: steep_up_s * rng.range(0.5, 1.0),
            hr_seconds,
            speed_seconds,
            best_10s_mps: Some(top),
            bouts,
            form,
        },
        rpe,
    }
}

/// Seconds per beat: a bell around `avg` and a tail up to `peak` held for about a minute.
fn hr_histogram(avg: f64, peak: f64, duration_s: f64) -> Vec<f32> {
    let mut h = vec![0f32; HR_STEPS];
    let base = f64::from(HR_MIN_BPM);
    let mut total = 0.0;
    let weights: Vec<f64> = (0..HR_STEPS)
        .map(|i| {
            let bpm = base + i as f64;
            let z = (bpm - avg) / 8.0;
            let w = if bpm <= peak {
                (-0.5 * z * z).exp()
            } else {
                0.0
            };
            total += w;
            w
        })
        .collect();
    for (slot, w) in h.iter_mut().zip(&weights) {
        *slot = (duration_s * w / total.max(f64::MIN_POSITIVE)) as f32;
    }
    let top = ((peak - base) as usize).min(HR_STEPS - 1);
    h[top] += 60.0;
    h
}

fn ride(rng: &mut Lcg, id: i64, dn: i64) -> RunEntry {
    let duration_s = rng.range(1800.0, 7200.0);
    let speed = rng.range(6.0, 9.0);
    RunEntry {
        id,
        metrics: ActivityMetrics {
            version: METRICS_VERSION,
            start_ms: start_ms(rng, dn),
            sport: "cycling".to_string(),
            is_run: false,
            duration_s,
            distance_m: duration_s * speed,
            ascent_m: rng.range(50.0, 600.0),
            descent_m: rng.range(50.0, 600.0),
            steep_up_s: 0.0,
            steep_down_s: 0.0,
            hr_seconds: Vec::new(),
            speed_seconds: Vec::new(),
            best_10s_mps: None,
            bouts: Vec::new(),
            form: Vec::new(),
        },
        rpe: None,
    }
}
