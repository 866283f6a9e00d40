//! Property tests of the FIT workout writer: any valid workout, however its steps are drawn,
//! decodes with the independent `fitparser` crate with the same steps in the same order; any
//! input at all either encodes to a file that decodes or is refused with an error, and never
//! panics; and breaking one step of a valid workout always makes it an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fitparser::profile::MesgNum;
use fitparser::Value;
use hamstride_export::fit::NAME_BYTES;
use hamstride_export::{workout_file, Error, Intensity, Step, StepDuration, Target, Workout};
use proptest::prelude::*;

const CREATED: i64 = 1_750_000_000;

fn intensity() -> impl Strategy<Value = Intensity> {
    prop_oneof![
        Just(Intensity::Active),
        Just(Intensity::Rest),
        Just(Intensity::Warmup),
        Just(Intensity::Cooldown),
        Just(Intensity::Recovery),
    ]
}

fn duration() -> impl Strategy<Value = StepDuration> {
    prop_oneof![
        (1u32..=36_000).prop_map(|seconds| StepDuration::Time { seconds }),
        (1u32..=100_000).prop_map(|metres| StepDuration::Distance { metres }),
        Just(StepDuration::Open),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        Just(Target::Open),
        (0.0f32..8.0, 0.01f32..4.0).prop_map(|(low, span)| Target::Speed {
            low_mps: low,
            high_mps: low + span,
        }),
        (0u8..=255, 0u8..=255).prop_filter_map("empty range", |(a, b)| {
            let (low, high) = (a.min(b), a.max(b));
            (high > 0).then_some(Target::HeartRate {
                low_bpm: low,
                high_bpm: high,
            })
        }),
    ]
}

/// Names with multi-byte characters, long enough to be truncated sometimes.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 éü×′🏃-]{0,80}"
}

fn single() -> impl Strategy<Value = Step> {
    (
        prop_oneof![Just(String::new()), name()],
        intensity(),
        duration(),
        target(),
        proptest::option::of(name()),
    )
        .prop_map(|(name, intensity, duration, target, notes)| Step::Single {
            name,
            intensity,
            duration,
            target,
            notes,
        })
}

/// A step plan: either a single step, or a repeat whose start is chosen later among the
/// starts that keep repeats nested.
#[derive(Debug, Clone)]
enum Draft {
    Single(Step),
    Repeat { pick: usize, times: u32 },
}

fn draft() -> impl Strategy<Value = Draft> {
    prop_oneof![
        3 => single().prop_map(Draft::Single),
        1 => (any::<usize>(), 1u32..=50).prop_map(|(pick, times)| Draft::Repeat { pick, times }),
    ]
}

/// Starts a repeat at `index` may use: earlier steps that do not begin inside an earlier
/// repeat block ending before `index`.
fn nested_starts(steps: &[Step], index: usize) -> Vec<usize> {
    (0..index)
        .filter(|&from| {
            steps[..index].iter().enumerate().all(|(j, s)| match s {
                Step::Repeat { from_step, .. } => j < from || usize::from(*from_step) >= from,
                Step::Single { .. } => true,
            })
        })
        .collect()
}

fn valid_workout() -> impl Strategy<Value = Workout> {
    (name(), single(), prop::collection::vec(draft(), 0..60)).prop_map(|(name, first, drafts)| {
        let mut steps = vec![first];
        for d in drafts {
            let step = match d {
                Draft::Single(s) => s,
                Draft::Repeat { pick, times } => {
                    let starts = nested_starts(&steps, steps.len());
                    let from = starts[pick % starts.len()];
                    Step::Repeat {
                        from_step: u16::try_from(from).unwrap(),
                        times,
                    }
                }
            };
            steps.push(step);
        }
        Workout { name, steps }
    })
}

/// Any f32, but plausible speeds (and the edges around them) often enough that whole
/// workouts are sometimes valid.
fn any_speed() -> impl Strategy<Value = f32> {
    prop_oneof![1 => any::<f32>(), 4 => -1.0f32..12.0, 1 => Just(0.0)]
}

/// Any u32, with small values (0 included) often.
fn any_count() -> impl Strategy<Value = u32> {
    prop_oneof![1 => any::<u32>(), 4 => 0u32..2000]
}

/// Any text (NUL and other controls included), or a plain name.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![4 => name(), 1 => ".{0,100}", 1 => Just(" ".to_string())]
}

/// Values from the whole range of each type, valid or not; small workouts and small numbers
/// are weighted so that some draws are valid and reach the encoder.
fn any_workout() -> impl Strategy<Value = Workout> {
    let any_target = prop_oneof![
        Just(Target::Open),
        (any_speed(), any_speed())
            .prop_map(|(low_mps, high_mps)| Target::Speed { low_mps, high_mps }),
        (any::<u8>(), any::<u8>())
            .prop_map(|(low_bpm, high_bpm)| Target::HeartRate { low_bpm, high_bpm }),
    ];
    let any_duration = prop_oneof![
        any_count().prop_map(|seconds| StepDuration::Time { seconds }),
        any_count().prop_map(|metres| StepDuration::Distance { metres }),
        Just(StepDuration::Open),
    ];
    let any_step = prop_oneof![
        4 => (
            any_text(),
            intensity(),
            any_duration,
            any_target,
            proptest::option::of(any_text())
        )
            .prop_map(|(name, intensity, duration, target, notes)| Step::Single {
                name,
                intensity,
                duration,
                target,
                notes
            }),
        1 => (0u16..8, any_count()).prop_map(|(from_step, times)| Step::Repeat { from_step, times }),
    ];
    (any_text(), prop::collection::vec(any_step, 0..8))
        .prop_map(|(name, steps)| Workout { name, steps })
}

fn truncated(text: &str, bytes: usize) -> &str {
    let text = text.trim();
    let mut end = text.len().min(bytes - 1);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_workouts_decode_with_fitparser(w in valid_workout(), serial in 1u32..) {
        let bytes = workout_file(&w, CREATED, serial)
            .unwrap_or_else(|e| panic!("a valid workout was refused: {e}"));
        let records = fitparser::from_bytes(&bytes)
            .unwrap_or_else(|e| panic!("fitparser rejected the file: {e}"));
        let steps: Vec<_> = records.iter().filter(|r| r.kind() == MesgNum::WorkoutStep).collect();
        prop_assert_eq!(steps.len(), w.steps.len());

        let workout = records.iter().find(|r| r.kind() == MesgNum::Workout).unwrap();
        for f in workout.fields() {
            match f.name() {
                "num_valid_steps" => prop_assert_eq!(
                    f.value(), &Value::UInt16(u16::try_from(w.steps.len()).unwrap())
                ),
                "wkt_name" => prop_assert_eq!(
                    f.value(), &Value::String(truncated(&w.name, NAME_BYTES).to_string())
                ),
                _ => {}
            }
        }
        for (i, (record, step)) in steps.iter().zip(&w.steps).enumerate() {
            let get = |name: &str| record.fields().iter().find(|f| f.name() == name).map(|f| f.value().clone());
            prop_assert_eq!(get("message_index"), Some(Value::SInt64(i64::try_from(i).unwrap())));
            match step {
                Step::Repeat { from_step, times } => {
                    prop_assert_eq!(get("duration_step"), Some(Value::UInt32(u32::from(*from_step))));
                    prop_assert_eq!(get("repeat_steps"), Some(Value::UInt32(*times)));
                }
                Step::Single { duration, .. } => match duration {
                    StepDuration::Time { seconds } => prop_assert_eq!(
                        get("duration_time"), Some(Value::Float64(f64::from(*seconds)))
                    ),
                    StepDuration::Distance { metres } => prop_assert_eq!(
                        get("duration_distance"), Some(Value::Float64(f64::from(*metres)))
                    ),
                    StepDuration::Open => prop_assert_eq!(get("duration_type"), Some(Value::String("open".into()))),
                },
            }
        }
    }

    #[test]
    fn any_input_is_encoded_or_refused_never_panics(
        w in any_workout(),
        created in prop_oneof![3 => Just(CREATED), 1 => any::<i64>()],
        serial in prop_oneof![3 => Just(1u32), 1 => any::<u32>()],
    ) {
        if let Ok(bytes) = workout_file(&w, created, serial) {
            let records = fitparser::from_bytes(&bytes)
                .unwrap_or_else(|e| panic!("an accepted workout did not decode: {e}"));
            let steps = records.iter().filter(|r| r.kind() == MesgNum::WorkoutStep).count();
            prop_assert_eq!(steps, w.steps.len());
        }
    }

    #[test]
    fn one_broken_step_is_an_error_for_that_step(
        w in valid_workout(),
        at in any::<usize>(),
        breakage in 0usize..7,
    ) {
        let mut w = w;
        let at = at % w.steps.len();
        w.steps[at] = match breakage {
            0 => Step::Repeat { from_step: u16::try_from(at).unwrap(), times: 2 },
            1 => Step::Repeat { from_step: 0, times: 0 },
            2 => with_target(Target::Speed { low_mps: f32::NAN, high_mps: 2.0 }),
            3 => with_target(Target::Speed { low_mps: -1.0, high_mps: 2.0 }),
            4 => with_target(Target::Speed { low_mps: 1.0, high_mps: f32::INFINITY }),
            5 => with_duration(StepDuration::Time { seconds: 0 }),
            _ => with_duration(StepDuration::Distance { metres: u32::MAX }),
        };
        match workout_file(&w, CREATED, 1) {
            Err(Error::WorkoutStep { step, .. }) => prop_assert_eq!(step, at),
            other => panic!("expected a step error, got {other:?}"),
        }
    }
}

fn with_target(target: Target) -> Step {
    Step::Single {
        name: "Jog".into(),
        intensity: Intensity::Active,
        duration: StepDuration::Time { seconds: 60 },
        target,
        notes: None,
    }
}

fn with_duration(duration: StepDuration) -> Step {
    Step::Single {
        name: "Jog".into(),
        intensity: Intensity::Active,
        duration,
        target: Target::Open,
        notes: None,
    }
}
