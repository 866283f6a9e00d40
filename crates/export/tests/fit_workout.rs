//! Tests of the FIT workout writer against an independent decoder: every file is read back
//! with the `fitparser` crate (which checks both CRCs and names each field from its own copy
//! of the FIT profile), so a wrong field number, scale or enum value shows up as a wrong name
//! or value here rather than as a watch silently ignoring the file. The walk-jog example is
//! also written to `target/tmp/fit-workout-samples/` for a manual check on a real watch.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fitparser::profile::MesgNum;
// The FIT CRC, proved equal to the SDK's own loop in `hamstride-core`.
use fitparser::{FitDataRecord, Value};
use hamstride_core::fit_crc::checksum;
use hamstride_export::fit::{MAX_STEPS, NAME_BYTES, NOTES_BYTES};
use hamstride_export::{workout_file, Error, Intensity, Step, StepDuration, Target, Workout};
use std::collections::BTreeMap;

/// 2025-06-15T15:06:40Z.
const CREATED: i64 = 1_750_000_000;
const SERIAL: u32 = 0x00C0_FFEE;

fn single(
    name: &str,
    intensity: Intensity,
    duration: StepDuration,
    target: Target,
    notes: Option<&str>,
) -> Step {
    Step::Single {
        name: name.to_string(),
        intensity,
        duration,
        target,
        notes: notes.map(str::to_string),
    }
}

/// Warm-up walk 5 min, then 6 × (jog 60 s under a speed ceiling, walk 60 s), cool-down walk.
fn walk_jog() -> Workout {
    Workout {
        name: "Walk-jog 6x1'".to_string(),
        steps: vec![
            single(
                "Walk",
                Intensity::Warmup,
                StepDuration::Time { seconds: 300 },
                Target::Open,
                Some("Brisk walk. Stop if the hamstring pain goes above 3/10."),
            ),
            single(
                "Jog",
                Intensity::Active,
                StepDuration::Time { seconds: 60 },
                Target::Speed {
                    low_mps: 0.0,
                    high_mps: 2.5,
                },
                Some("Easy, short strides; no faster than the ceiling."),
            ),
            single(
                "Walk",
                Intensity::Recovery,
                StepDuration::Time { seconds: 60 },
                Target::Open,
                None,
            ),
            Step::Repeat {
                from_step: 1,
                times: 6,
            },
            single(
                "Walk",
                Intensity::Cooldown,
                StepDuration::Time { seconds: 300 },
                Target::Open,
                None,
            ),
        ],
    }
}

fn distance_run() -> Workout {
    Workout {
        name: "Easy 3 km".to_string(),
        steps: vec![
            single(
                "Warm up",
                Intensity::Warmup,
                StepDuration::Distance { metres: 500 },
                Target::HeartRate {
                    low_bpm: 100,
                    high_bpm: 130,
                },
                None,
            ),
            single(
                "Run",
                Intensity::Active,
                StepDuration::Distance { metres: 2000 },
                Target::Speed {
                    low_mps: 2.2,
                    high_mps: 2.8,
                },
                None,
            ),
            single(
                "Cool down",
                Intensity::Cooldown,
                StepDuration::Distance { metres: 500 },
                Target::Open,
                None,
            ),
        ],
    }
}

fn open_steps() -> Workout {
    Workout {
        name: "Drills".to_string(),
        steps: vec![
            single(
                "Drills",
                Intensity::Active,
                StepDuration::Open,
                Target::Open,
                Some("A-skips and leg swings; press lap when done."),
            ),
            single("", Intensity::Rest, StepDuration::Open, Target::Open, None),
        ],
    }
}

fn decode(bytes: &[u8]) -> Vec<FitDataRecord> {
    fitparser::from_bytes(bytes).unwrap_or_else(|e| panic!("fitparser rejected the file: {e}"))
}

fn fields(record: &FitDataRecord) -> BTreeMap<String, Value> {
    record
        .fields()
        .iter()
        .map(|f| (f.name().to_string(), f.value().clone()))
        .collect()
}

fn only(records: &[FitDataRecord], kind: MesgNum) -> BTreeMap<String, Value> {
    let found: Vec<_> = records.iter().filter(|r| r.kind() == kind).collect();
    assert_eq!(found.len(), 1, "exactly one {kind} message");
    fields(found[0])
}

fn steps(records: &[FitDataRecord]) -> Vec<BTreeMap<String, Value>> {
    records
        .iter()
        .filter(|r| r.kind() == MesgNum::WorkoutStep)
        .map(fields)
        .collect()
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// What fitparser reports for a step, written out field by field; `extra` are the
/// duration/target fields whose names depend on the step's types.
fn expect_step(
    index: i64,
    name: Option<&str>,
    notes: Option<&str>,
    extra: &[(&str, Value)],
) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("message_index".to_string(), Value::SInt64(index));
    if let Some(name) = name {
        m.insert("wkt_step_name".to_string(), text(name));
    }
    if let Some(notes) = notes {
        m.insert("notes".to_string(), text(notes));
    }
    for (k, v) in extra {
        m.insert((*k).to_string(), v.clone());
    }
    m
}

fn open_target() -> Vec<(&'static str, Value)> {
    vec![
        ("target_type", text("open")),
        ("target_value", Value::UInt32(0)),
        ("custom_target_value_low", Value::UInt32(0)),
        ("custom_target_value_high", Value::UInt32(0)),
    ]
}

fn time_step(
    seconds: f64,
    intensity: &str,
    target: Vec<(&'static str, Value)>,
) -> Vec<(&'static str, Value)> {
    let mut v = vec![
        ("duration_type", text("time")),
        ("duration_time", Value::Float64(seconds)),
        ("intensity", text(intensity)),
    ];
    v.extend(target);
    v
}

#[test]
fn walk_jog_decodes_field_by_field() {
    let bytes = workout_file(&walk_jog(), CREATED, SERIAL).unwrap();
    let records = decode(&bytes);

    assert_eq!(records[0].kind(), MesgNum::FileId, "file_id comes first");
    assert_eq!(records[1].kind(), MesgNum::Workout, "then workout");
    let file_id = only(&records, MesgNum::FileId);
    assert_eq!(file_id["type"], text("workout"));
    assert_eq!(file_id["manufacturer"], text("development"));
    assert_eq!(file_id["product"], Value::UInt16(0));
    assert_eq!(file_id["serial_number"], Value::UInt32z(SERIAL));
    match &file_id["time_created"] {
        Value::Timestamp(t) => assert_eq!(t.timestamp(), CREATED),
        other => panic!("time_created is {other:?}"),
    }

    let workout = only(&records, MesgNum::Workout);
    let expected: BTreeMap<String, Value> = [
        ("wkt_name", text("Walk-jog 6x1'")),
        ("sport", text("running")),
        ("sub_sport", text("generic")),
        ("num_valid_steps", Value::UInt16(5)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(workout, expected);

    let speed_ceiling = vec![
        ("target_type", text("speed")),
        ("target_speed_zone", Value::UInt32(0)),
        ("custom_target_speed_low", Value::Float64(0.0)),
        ("custom_target_speed_high", Value::Float64(2.5)),
    ];
    let expected = vec![
        expect_step(
            0,
            Some("Walk"),
            Some("Brisk walk. Stop if the hamstring pain goes above 3/10."),
            &time_step(300.0, "warmup", open_target()),
        ),
        expect_step(
            1,
            Some("Jog"),
            Some("Easy, short strides; no faster than the ceiling."),
            &time_step(60.0, "active", speed_ceiling),
        ),
        expect_step(
            2,
            Some("Walk"),
            None,
            &time_step(60.0, "recovery", open_target()),
        ),
        expect_step(
            3,
            None,
            None,
            &[
                ("duration_type", text("repeat_until_steps_cmplt")),
                ("duration_step", Value::UInt32(1)),
                ("target_type", text("open")),
                ("repeat_steps", Value::UInt32(6)),
            ],
        ),
        expect_step(
            4,
            Some("Walk"),
            None,
            &time_step(300.0, "cooldown", open_target()),
        ),
    ];
    assert_eq!(steps(&records), expected);
}

#[test]
fn distance_workout_with_heart_rate_and_speed_range() {
    let bytes = workout_file(&distance_run(), CREATED, 7).unwrap();
    let records = decode(&bytes);
    let workout = only(&records, MesgNum::Workout);
    assert_eq!(workout["wkt_name"], text("Easy 3 km"));
    assert_eq!(workout["num_valid_steps"], Value::UInt16(3));

    let expected = vec![
        expect_step(
            0,
            Some("Warm up"),
            None,
            &[
                ("duration_type", text("distance")),
                ("duration_distance", Value::Float64(500.0)),
                ("intensity", text("warmup")),
                ("target_type", text("heart_rate")),
                ("target_hr_zone", Value::UInt32(0)),
                // bpm are stored + 100 (values up to 100 mean % of max HR).
                ("custom_target_heart_rate_low", Value::SInt64(200)),
                ("custom_target_heart_rate_high", Value::SInt64(230)),
            ],
        ),
        expect_step(
            1,
            Some("Run"),
            None,
            &[
                ("duration_type", text("distance")),
                ("duration_distance", Value::Float64(2000.0)),
                ("intensity", text("active")),
                ("target_type", text("speed")),
                ("target_speed_zone", Value::UInt32(0)),
                ("custom_target_speed_low", Value::Float64(2.2)),
                ("custom_target_speed_high", Value::Float64(2.8)),
            ],
        ),
        expect_step(2, Some("Cool down"), None, &{
            let mut v = vec![
                ("duration_type", text("distance")),
                ("duration_distance", Value::Float64(500.0)),
                ("intensity", text("cooldown")),
            ];
            v.extend(open_target());
            v
        }),
    ];
    assert_eq!(steps(&records), expected);
}

#[test]
fn open_steps_have_no_duration_value_and_unnamed_steps_no_name() {
    let bytes = workout_file(&open_steps(), CREATED, 8).unwrap();
    let records = decode(&bytes);
    let mut first = vec![
        ("duration_type", text("open")),
        ("intensity", text("active")),
    ];
    first.extend(open_target());
    let mut second = vec![("duration_type", text("open")), ("intensity", text("rest"))];
    second.extend(open_target());
    let expected = vec![
        expect_step(
            0,
            Some("Drills"),
            Some("A-skips and leg swings; press lap when done."),
            &first,
        ),
        expect_step(1, None, None, &second),
    ];
    assert_eq!(steps(&records), expected);
}

#[test]
fn header_and_crcs_follow_the_protocol() {
    let bytes = workout_file(&walk_jog(), CREATED, SERIAL).unwrap();
    assert_eq!(bytes[0], 14, "header size");
    assert_eq!(bytes[1], 0x10, "protocol 1.0");
    let data_size = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(data_size, bytes.len() - 14 - 2);
    assert_eq!(&bytes[8..12], b".FIT");
    let header_crc = u16::from_le_bytes([bytes[12], bytes[13]]);
    assert_ne!(header_crc, 0, "a zero header CRC means 'not computed'");
    assert_eq!(header_crc, checksum(&bytes[..12]));
    let n = bytes.len();
    let file_crc = u16::from_le_bytes([bytes[n - 2], bytes[n - 1]]);
    assert_eq!(file_crc, checksum(&bytes[..n - 2]));
}

#[test]
fn a_damaged_file_is_rejected_by_the_decoder() {
    let bytes = workout_file(&walk_jog(), CREATED, SERIAL).unwrap();
    // Flip a bit inside the workout name: still parseable, so only the CRC can catch it.
    let at = bytes
        .windows(4)
        .position(|w| w == b"Walk")
        .expect("the name is in the file");
    let mut damaged = bytes.clone();
    damaged[at] ^= 0x01;
    assert!(fitparser::from_bytes(&damaged).is_err());
}

#[test]
fn output_is_deterministic() {
    let a = workout_file(&walk_jog(), CREATED, SERIAL).unwrap();
    let b = workout_file(&walk_jog(), CREATED, SERIAL).unwrap();
    assert_eq!(a, b);
    let c = workout_file(&walk_jog(), CREATED + 1, SERIAL).unwrap();
    assert_ne!(a, c, "the creation time is in the file");
}

#[test]
fn long_names_and_notes_are_truncated_on_character_boundaries() {
    // "ü" is two bytes and "🏃" four, so the cut points fall inside characters.
    let name = format!("x{}", "ü🏃".repeat(40));
    let notes = "🏃".repeat(100);
    let w = Workout {
        name: name.clone(),
        steps: vec![single(
            &name,
            Intensity::Active,
            StepDuration::Time { seconds: 60 },
            Target::Open,
            Some(&notes),
        )],
    };
    let records = decode(&workout_file(&w, CREATED, 1).unwrap());
    let wkt_name = match &only(&records, MesgNum::Workout)["wkt_name"] {
        Value::String(s) => s.clone(),
        other => panic!("wkt_name is {other:?}"),
    };
    assert!(wkt_name.len() < NAME_BYTES, "room for the NUL");
    assert!(
        wkt_name.len() > NAME_BYTES - 1 - 4,
        "no more than one character lost"
    );
    assert!(name.starts_with(&wkt_name));

    let step = &steps(&records)[0];
    assert_eq!(step["wkt_step_name"], text(&wkt_name));
    match &step["notes"] {
        Value::String(s) => {
            assert!(notes.starts_with(s.as_str()));
            assert_eq!(s.len(), (NOTES_BYTES - 1) / 4 * 4);
        }
        other => panic!("notes are {other:?}"),
    }
}

#[test]
fn nested_repeats_are_accepted() {
    // 2 × (warm-up strides: 3 × (jog, walk), then a long walk)
    let jog = single(
        "Jog",
        Intensity::Active,
        StepDuration::Time { seconds: 30 },
        Target::Open,
        None,
    );
    let walk = single(
        "Walk",
        Intensity::Recovery,
        StepDuration::Time { seconds: 30 },
        Target::Open,
        None,
    );
    let w = Workout {
        name: "Nested".into(),
        steps: vec![
            jog,
            walk.clone(),
            Step::Repeat {
                from_step: 0,
                times: 3,
            },
            walk,
            Step::Repeat {
                from_step: 0,
                times: 2,
            },
        ],
    };
    let records = decode(&workout_file(&w, CREATED, 1).unwrap());
    let s = steps(&records);
    assert_eq!(s[2]["repeat_steps"], Value::UInt32(3));
    assert_eq!(s[4]["duration_step"], Value::UInt32(0));
    assert_eq!(s[4]["repeat_steps"], Value::UInt32(2));
}

#[test]
fn the_step_limit_is_inclusive() {
    let step = single(
        "Jog",
        Intensity::Active,
        StepDuration::Time { seconds: 10 },
        Target::Open,
        None,
    );
    let mut w = Workout {
        name: "Long".into(),
        steps: vec![step.clone(); MAX_STEPS],
    };
    let records = decode(&workout_file(&w, CREATED, 1).unwrap());
    assert_eq!(steps(&records).len(), MAX_STEPS);
    w.steps.push(step);
    assert!(matches!(
        workout_file(&w, CREATED, 1),
        Err(Error::Workout { .. })
    ));
}

fn step_error(w: &Workout) -> usize {
    match workout_file(w, CREATED, 1) {
        Err(Error::WorkoutStep { step, .. }) => step,
        other => panic!("expected a step error, got {other:?}"),
    }
}

fn with_step(step: Step) -> Workout {
    let mut w = walk_jog();
    w.steps[1] = step;
    w
}

fn with_target(target: Target) -> Workout {
    with_step(single(
        "Jog",
        Intensity::Active,
        StepDuration::Time { seconds: 60 },
        target,
        None,
    ))
}

#[test]
fn invalid_workouts_are_refused_with_context() {
    for name in ["", "   "] {
        let mut w = walk_jog();
        w.name = name.to_string();
        let err = workout_file(&w, CREATED, 1).unwrap_err();
        assert!(matches!(err, Error::Workout { .. }), "{err}");
        assert!(err.to_string().contains("name is empty"), "{err}");
    }
    let mut w = walk_jog();
    w.name = "a\0b".into();
    assert!(matches!(
        workout_file(&w, CREATED, 1),
        Err(Error::Workout { .. })
    ));
    let mut w = walk_jog();
    w.steps.clear();
    let err = workout_file(&w, CREATED, 1).unwrap_err();
    assert!(
        err.to_string().contains("Walk-jog 6x1'"),
        "names the workout: {err}"
    );
}

#[test]
fn repeats_must_point_back_run_at_least_once_and_nest() {
    let mut w = walk_jog();
    w.steps[3] = Step::Repeat {
        from_step: 3,
        times: 6,
    };
    assert_eq!(step_error(&w), 3, "a repeat cannot start at itself");
    w.steps[3] = Step::Repeat {
        from_step: 4,
        times: 6,
    };
    assert_eq!(step_error(&w), 3, "nor later");
    w.steps[3] = Step::Repeat {
        from_step: 1,
        times: 0,
    };
    assert_eq!(step_error(&w), 3, "zero times");
    w.steps[3] = Step::Repeat {
        from_step: 1,
        times: u32::MAX,
    };
    assert_eq!(step_error(&w), 3, "0xFFFFFFFF is FIT's invalid value");

    let mut w = walk_jog();
    w.steps[0] = Step::Repeat {
        from_step: 0,
        times: 2,
    };
    assert_eq!(step_error(&w), 0, "the first step cannot be a repeat");

    // Steps 1–3 repeat; a later repeat from step 2 would start inside that block and end
    // outside it.
    let mut w = walk_jog();
    w.steps.push(Step::Repeat {
        from_step: 2,
        times: 2,
    });
    assert_eq!(step_error(&w), 5);
    // Starting at the repeat marker itself is the same mistake.
    w.steps[5] = Step::Repeat {
        from_step: 3,
        times: 2,
    };
    assert_eq!(step_error(&w), 5);
    // Wrapping the whole block is fine.
    w.steps[5] = Step::Repeat {
        from_step: 1,
        times: 2,
    };
    assert!(workout_file(&w, CREATED, 1).is_ok());
}

#[test]
fn targets_must_be_finite_non_negative_and_ordered() {
    for (low, high) in [
        (f32::NAN, 2.0),
        (0.0, f32::NAN),
        (0.0, f32::INFINITY),
        (f32::NEG_INFINITY, 2.0),
        (-0.5, 2.0),
        (1.0, -2.0),
        (3.0, 2.0),
        (0.0, 0.0),
        (0.0, 5.0e6),
    ] {
        let w = with_target(Target::Speed {
            low_mps: low,
            high_mps: high,
        });
        assert_eq!(step_error(&w), 1, "speed {low}..{high}");
    }
    for (low, high) in [(150, 140), (0, 0)] {
        let w = with_target(Target::HeartRate {
            low_bpm: low,
            high_bpm: high,
        });
        assert_eq!(step_error(&w), 1, "heart rate {low}..{high}");
    }
    let w = with_target(Target::HeartRate {
        low_bpm: 0,
        high_bpm: 255,
    });
    assert!(workout_file(&w, CREATED, 1).is_ok());
}

#[test]
fn durations_must_be_positive_and_fit() {
    for duration in [
        StepDuration::Time { seconds: 0 },
        StepDuration::Time { seconds: u32::MAX },
        StepDuration::Distance { metres: 0 },
        StepDuration::Distance {
            metres: u32::MAX / 10,
        },
    ] {
        let w = with_step(single(
            "Jog",
            Intensity::Active,
            duration,
            Target::Open,
            None,
        ));
        assert_eq!(step_error(&w), 1, "{duration:?}");
    }
    let w = with_step(single(
        "Jog\0",
        Intensity::Active,
        StepDuration::Open,
        Target::Open,
        None,
    ));
    assert_eq!(step_error(&w), 1, "NUL in a step name");
}

#[test]
fn file_id_values_are_checked() {
    let w = walk_jog();
    assert!(matches!(
        workout_file(&w, CREATED, 0),
        Err(Error::FileId { .. })
    ));
    // Before 1998-07-03 a FIT date_time reads as "seconds since power-on".
    for t in [
        0,
        631_065_600,
        631_065_600 + 0x0FFF_FFFF,
        i64::MIN,
        i64::MAX,
    ] {
        assert!(
            matches!(workout_file(&w, t, 1), Err(Error::FileId { .. })),
            "{t}"
        );
    }
    assert!(workout_file(&w, 631_065_600 + 0x1000_0000, 1).is_ok());
}

#[test]
fn write_samples_for_a_watch() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fit-workout-samples");
    std::fs::create_dir_all(&dir).unwrap();
    for (file, workout, serial) in [
        ("WALKJOG.FIT", walk_jog(), 1001),
        ("EASY3K.FIT", distance_run(), 1002),
        ("DRILLS.FIT", open_steps(), 1003),
    ] {
        let bytes = workout_file(&workout, CREATED, serial).unwrap();
        decode(&bytes);
        let path = dir.join(file);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }
}
