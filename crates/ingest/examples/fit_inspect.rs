//! Development tool: decode FIT files and print what the decoder made of each (sport, start,
//! totals, record count, column means, warnings), to eyeball a file or a whole corpus folder
//! against another decoder. `--no-merge` skips the `hr` merge, `--hr` lists each record's
//! FIT time and heart rate. `cargo run --release -p hamstride-ingest --example fit_inspect -- FILE...`

use hamstride_ingest::fit;
use hamstride_ingest::Records;

fn main() {
    let mut raw = false;
    let mut print_hr = false;
    for arg in std::env::args().skip(1) {
        if arg == "--no-merge" {
            raw = true;
            continue;
        }
        if arg == "--hr" {
            print_hr = true;
            continue;
        }
        let bytes = match std::fs::read(&arg) {
            Ok(b) => b,
            Err(e) => {
                println!("{arg}: {e}");
                continue;
            }
        };
        let options = fit::Options {
            merge_hr: !raw,
            ..fit::Options::default()
        };
        match fit::decode_with(&bytes, &options) {
            Err(e) => println!("{arg}: ERROR {e}"),
            Ok(a) => {
                let r = &a.records;
                let mean = |c: &[f32]| {
                    Records::mean(c).map_or("-".to_string(), |(m, n)| format!("{m:.2} (n={n})"))
                };
                println!("{arg}");
                println!(
                    "  sport {} / {:?}  device {:?} / {:?}  start {:?} end {:?} relative {}",
                    a.sport,
                    a.sub_sport,
                    a.device.manufacturer,
                    a.device.product,
                    a.start_ms,
                    a.end_ms,
                    a.start_was_relative
                );
                println!(
                    "  sessions {} laps {} records {}  distance {:?} timer {:?} elapsed {:?}",
                    a.sessions.len(),
                    a.laps.len(),
                    r.len(),
                    a.distance_m(),
                    a.timer_s(),
                    a.elapsed_s()
                );
                println!(
                    "  hr {}  cad {}  speed {}  alt {}  power {}",
                    mean(&r.heart_rate_bpm),
                    mean(&r.cadence),
                    mean(&r.speed_mps),
                    mean(&r.altitude_m),
                    mean(&r.power_w)
                );
                println!(
                    "  stance {}  bal {}  vosc {}  step {}  vratio {}",
                    mean(&r.stance_time_ms),
                    mean(&r.stance_balance_pct),
                    mean(&r.vertical_oscillation_mm),
                    mean(&r.step_length_mm),
                    mean(&r.vertical_ratio_pct)
                );
                if let (Some(f), Some(l)) = (r.time_ms.first(), r.time_ms.last()) {
                    println!(
                        "  first record {f} last {l}  lat0 {:?} lon0 {:?}",
                        r.lat_deg.first(),
                        r.lon_deg.first()
                    );
                }
                if print_hr {
                    for (t, h) in r.time_ms.iter().zip(&r.heart_rate_bpm) {
                        println!("  hr {} {h}", t / 1000 - 631_065_600);
                    }
                }
                for w in &a.warnings {
                    println!("  warning: {w}");
                }
            }
        }
    }
}
