//! FIT workout files (file type 5) for Garmin watches: copy the bytes to the watch's
//! `NewFiles` (or `GARMIN/NewFiles`) folder and it appears under Workouts. The layout follows
//! the FIT SDK's own workout-encoding recipe (protocol 1.0, file_id then workout then one
//! workout_step per step, repeats as `repeat_until_steps_cmplt` markers), because that is the
//! shape watches are known to accept; anything fancier buys nothing for a walk-jog plan.
//!
//! Inputs are validated before a byte is written: a watch given a malformed workout either
//! refuses it silently or, worse, runs it wrongly, and a runner with a sore hamstring should
//! not find out mid-session that the "60 s jog" is open-ended.

use crate::Error;
use hamstride_core::fit_crc::checksum;

/// A structured running workout.
#[derive(Debug, Clone, PartialEq)]
pub struct Workout {
    /// Shown in the watch's workout list; at most [`NAME_BYTES`]` - 1` bytes are kept.
    pub name: String,
    /// Steps in order; at most [`MAX_STEPS`], repeat markers included.
    pub steps: Vec<Step>,
}

/// One step of a [`Workout`].
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Something to do for a time, a distance or until the lap button is pressed.
    Single {
        /// May be empty (the watch then shows the intensity); at most [`NAME_BYTES`]` - 1` bytes.
        name: String,
        intensity: Intensity,
        duration: StepDuration,
        target: Target,
        /// Shown with the step on watches that display notes; at most [`NOTES_BYTES`]` - 1` bytes.
        notes: Option<String>,
    },
    /// Repeat the steps from `from_step` (0-based index into `steps`, must be earlier) up to this one, `times` times in total.
    Repeat { from_step: u16, times: u32 },
}

/// How hard a step is meant to be; the watch labels and colours the step by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intensity {
    Active,
    Rest,
    Warmup,
    Cooldown,
    Recovery,
}

/// When a step ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepDuration {
    /// After this many seconds (at least 1).
    Time { seconds: u32 },
    /// After this many metres (at least 1).
    Distance { metres: u32 },
    /// When the runner presses the lap button.
    Open,
}

/// What the watch alerts on during a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// No alerts.
    Open,
    /// A speed range in metres per second; `low_mps` 0 makes it a ceiling only.
    Speed { low_mps: f32, high_mps: f32 },
    /// A heart-rate range in beats per minute.
    HeartRate { low_bpm: u8, high_bpm: u8 },
}

/// Most steps a workout may have, repeat markers included. Far more than any plan needs, and
/// small enough that a watch with a modest workout store still takes the file.
pub const MAX_STEPS: usize = 500;
/// Bytes reserved for the workout name and each step name, including the terminating NUL.
pub const NAME_BYTES: usize = 64;
/// Bytes reserved for a step's notes, including the terminating NUL.
pub const NOTES_BYTES: usize = 128;

/// 1989-12-31T00:00:00Z, where FIT time starts.
const FIT_EPOCH_UNIX: i64 = 631_065_600;
/// FIT `date_time` values below this mean "seconds since the device powered on", so a real
/// creation time must be at least this (1998-07-03).
const FIT_MIN_ABSOLUTE_TIME: u32 = 0x1000_0000;

const HEADER_SIZE: u8 = 14;
/// Protocol 1.0, as the SDK's workout recipe writes: every device that takes workouts reads
/// it, and nothing here needs 2.0's 64-bit types or developer fields.
const PROTOCOL_VERSION: u8 = 0x10;
/// Profile 21.00; informational only, the messages used here are far older.
const PROFILE_VERSION: u16 = 2100;

const FILE_TYPE_WORKOUT: u8 = 5;
const MANUFACTURER_DEVELOPMENT: u16 = 255;
/// What the SDK recipe uses with the development manufacturer; uniqueness on the watch comes
/// from the serial number.
const PRODUCT: u16 = 0;
const SPORT_RUNNING: u8 = 1;
const SUB_SPORT_GENERIC: u8 = 0;
/// Heart-rate custom targets below 100 are % of max HR; bpm are stored with this offset.
const HR_BPM_OFFSET: u32 = 100;
/// Local message type used for every message: the layout is re-defined when it changes.
const LOCAL_TYPE: u8 = 0;
const DEFINITION_FLAG: u8 = 0x40;

/// Global message numbers.
mod mesg {
    pub const FILE_ID: u16 = 0;
    pub const WORKOUT: u16 = 26;
    pub const WORKOUT_STEP: u16 = 27;
}

/// Base type bytes as they appear in definition messages (endian-capable types have bit 7).
mod base {
    pub const ENUM: u8 = 0x00;
    pub const STRING: u8 = 0x07;
    pub const UINT16: u8 = 0x84;
    pub const UINT32: u8 = 0x86;
    pub const UINT32Z: u8 = 0x8C;
}

/// `wkt_step_duration` values.
mod duration_type {
    pub const TIME: u8 = 0;
    pub const DISTANCE: u8 = 1;
    pub const OPEN: u8 = 5;
    pub const REPEAT_UNTIL_STEPS_CMPLT: u8 = 6;
}

/// `wkt_step_target` values.
mod target_type {
    pub const SPEED: u8 = 0;
    pub const HEART_RATE: u8 = 1;
    pub const OPEN: u8 = 2;
}

/// Field numbers (from the FIT profile).
mod field {
    pub const MESSAGE_INDEX: u8 = 254;

    pub const FILE_ID_TYPE: u8 = 0;
    pub const FILE_ID_MANUFACTURER: u8 = 1;
    pub const FILE_ID_PRODUCT: u8 = 2;
    pub const FILE_ID_SERIAL_NUMBER: u8 = 3;
    pub const FILE_ID_TIME_CREATED: u8 = 4;

    pub const WORKOUT_SPORT: u8 = 4;
    pub const WORKOUT_NUM_VALID_STEPS: u8 = 6;
    pub const WORKOUT_WKT_NAME: u8 = 8;
    pub const WORKOUT_SUB_SPORT: u8 = 11;

    pub const STEP_WKT_STEP_NAME: u8 = 0;
    pub const STEP_DURATION_TYPE: u8 = 1;
    pub const STEP_DURATION_VALUE: u8 = 2;
    pub const STEP_TARGET_TYPE: u8 = 3;
    pub const STEP_TARGET_VALUE: u8 = 4;
    pub const STEP_CUSTOM_TARGET_VALUE_LOW: u8 = 5;
    pub const STEP_CUSTOM_TARGET_VALUE_HIGH: u8 = 6;
    pub const STEP_INTENSITY: u8 = 7;
    pub const STEP_NOTES: u8 = 8;
}

/// Encode `w` as a FIT workout file. `time_created_unix` (seconds since 1970, UTC) and
/// `serial_number` go into file_id. The FIT SDK asks that type, manufacturer, product and
/// serial number together be unique among the workouts on a device, and manufacturer and
/// product are fixed here, so give each distinct workout its own non-zero serial.
pub fn workout_file(
    w: &Workout,
    time_created_unix: i64,
    serial_number: u32,
) -> Result<Vec<u8>, Error> {
    let name = w.name.trim();
    let workout_error = |problem: &str| Error::Workout {
        workout: w.name.clone(),
        problem: problem.to_string(),
    };
    if name.is_empty() {
        return Err(workout_error("the name is empty"));
    }
    if name.contains('\0') {
        return Err(workout_error(
            "the name contains a NUL character, which would end the FIT string early",
        ));
    }
    if w.steps.is_empty() {
        return Err(workout_error("it has no steps"));
    }
    if w.steps.len() > MAX_STEPS {
        return Err(workout_error(&format!(
            "it has {} steps; at most {MAX_STEPS} are written",
            w.steps.len()
        )));
    }
    let time_created = fit_time(time_created_unix)?;
    if serial_number == 0 {
        return Err(Error::FileId {
            problem: "serial number 0 means \"not set\" in FIT (uint32z); use a non-zero serial"
                .to_string(),
        });
    }

    let mut steps = Vec::with_capacity(w.steps.len());
    for index in 0..w.steps.len() {
        steps.push(step_message(w, index)?);
    }

    let mut enc = Encoder::default();
    enc.write(&Message {
        global: mesg::FILE_ID,
        fields: vec![
            Field::enumeration(field::FILE_ID_TYPE, FILE_TYPE_WORKOUT),
            Field::uint16(field::FILE_ID_MANUFACTURER, MANUFACTURER_DEVELOPMENT),
            Field::uint16(field::FILE_ID_PRODUCT, PRODUCT),
            Field::uint32z(field::FILE_ID_SERIAL_NUMBER, serial_number),
            Field::uint32(field::FILE_ID_TIME_CREATED, time_created),
        ],
    });
    enc.write(&Message {
        global: mesg::WORKOUT,
        fields: vec![
            Field::string(field::WORKOUT_WKT_NAME, name, NAME_BYTES),
            Field::enumeration(field::WORKOUT_SPORT, SPORT_RUNNING),
            Field::enumeration(field::WORKOUT_SUB_SPORT, SUB_SPORT_GENERIC),
            // Bounded by MAX_STEPS above.
            Field::uint16(
                field::WORKOUT_NUM_VALID_STEPS,
                u16::try_from(w.steps.len()).unwrap_or(u16::MAX),
            ),
        ],
    });
    for step in &steps {
        enc.write(step);
    }
    enc.finish()
        .ok_or_else(|| workout_error("the encoded file is too large for FIT"))
}

/// Unix seconds to a FIT `date_time`, refusing what FIT would read as a relative time or
/// cannot hold at all.
fn fit_time(unix: i64) -> Result<u32, Error> {
    unix.checked_sub(FIT_EPOCH_UNIX)
        .and_then(|t| u32::try_from(t).ok())
        .filter(|&t| (FIT_MIN_ABSOLUTE_TIME..u32::MAX).contains(&t))
        .ok_or_else(|| Error::FileId {
            problem: format!(
                "creation time {unix} (Unix seconds) is outside what a FIT date_time can hold \
                 (1998-07-03 to 2126-02-06)"
            ),
        })
}

/// Validate step `index` of `w` and build its workout_step message.
fn step_message(w: &Workout, index: usize) -> Result<Message, Error> {
    let problem = |problem: String| Error::WorkoutStep {
        workout: w.name.clone(),
        step: index,
        problem,
    };
    // Bounded by MAX_STEPS, checked by the caller.
    let message_index = u16::try_from(index).unwrap_or(u16::MAX);
    let mut fields = vec![Field::uint16(field::MESSAGE_INDEX, message_index)];
    match &w.steps[index] {
        Step::Single {
            name,
            intensity,
            duration,
            target,
            notes,
        } => {
            let name = name.trim();
            if name.contains('\0') {
                return Err(problem("the step name contains a NUL character".into()));
            }
            if !name.is_empty() {
                fields.push(Field::string(field::STEP_WKT_STEP_NAME, name, NAME_BYTES));
            }

            let (kind, value) = match *duration {
                StepDuration::Time { seconds } => {
                    let ms = seconds
                        .checked_mul(1000)
                        .filter(|_| seconds > 0)
                        .ok_or_else(|| {
                            problem(format!(
                                "a time of {seconds} s cannot be used (1 s to {} s)",
                                u32::MAX / 1000
                            ))
                        })?;
                    (duration_type::TIME, Some(ms))
                }
                StepDuration::Distance { metres } => {
                    let cm = metres
                        .checked_mul(100)
                        .filter(|_| metres > 0)
                        .ok_or_else(|| {
                            problem(format!(
                                "a distance of {metres} m cannot be used (1 m to {} m)",
                                u32::MAX / 100
                            ))
                        })?;
                    (duration_type::DISTANCE, Some(cm))
                }
                StepDuration::Open => (duration_type::OPEN, None),
            };
            fields.push(Field::enumeration(field::STEP_DURATION_TYPE, kind));
            if let Some(value) = value {
                fields.push(Field::uint32(field::STEP_DURATION_VALUE, value));
            }

            let (kind, low, high) = custom_target(*target).map_err(problem)?;
            fields.push(Field::enumeration(field::STEP_TARGET_TYPE, kind));
            // Zone 0 means "use the custom range", as the SDK recipe writes it.
            fields.push(Field::uint32(field::STEP_TARGET_VALUE, 0));
            fields.push(Field::uint32(field::STEP_CUSTOM_TARGET_VALUE_LOW, low));
            fields.push(Field::uint32(field::STEP_CUSTOM_TARGET_VALUE_HIGH, high));
            fields.push(Field::enumeration(
                field::STEP_INTENSITY,
                intensity_value(*intensity),
            ));

            if let Some(notes) = notes {
                let notes = notes.trim();
                if notes.contains('\0') {
                    return Err(problem("the notes contain a NUL character".into()));
                }
                if !notes.is_empty() {
                    fields.push(Field::string(field::STEP_NOTES, notes, NOTES_BYTES));
                }
            }
        }
        Step::Repeat { from_step, times } => {
            let from = usize::from(*from_step);
            if from >= index {
                return Err(problem(format!(
                    "a repeat must go back to an earlier step, but from_step is {from_step}"
                )));
            }
            if *times == 0 || *times == u32::MAX {
                return Err(problem(format!(
                    "a repeat must run 1 to {} times, not {times}",
                    u32::MAX - 1
                )));
            }
            // A watch runs repeats as nested loops; a block that starts inside an earlier
            // block and ends after it has no meaning there.
            for (j, earlier) in w.steps[..index].iter().enumerate() {
                if let Step::Repeat {
                    from_step: earlier_from,
                    ..
                } = earlier
                {
                    if j >= from && usize::from(*earlier_from) < from {
                        return Err(problem(format!(
                            "the repeat from step {from} cuts through the repeat at step \
                             {j} (which starts at step {earlier_from}); repeats must nest"
                        )));
                    }
                }
            }
            fields.push(Field::enumeration(
                field::STEP_DURATION_TYPE,
                duration_type::REPEAT_UNTIL_STEPS_CMPLT,
            ));
            fields.push(Field::uint32(
                field::STEP_DURATION_VALUE,
                u32::from(*from_step),
            ));
            fields.push(Field::enumeration(
                field::STEP_TARGET_TYPE,
                target_type::OPEN,
            ));
            fields.push(Field::uint32(field::STEP_TARGET_VALUE, *times));
        }
    }
    Ok(Message {
        global: mesg::WORKOUT_STEP,
        fields,
    })
}

/// (target_type, custom_target_value_low, custom_target_value_high) for a target.
fn custom_target(target: Target) -> Result<(u8, u32, u32), String> {
    match target {
        Target::Open => Ok((target_type::OPEN, 0, 0)),
        Target::Speed { low_mps, high_mps } => {
            let low = speed_mm_per_s(low_mps)?;
            let high = speed_mm_per_s(high_mps)?;
            if high == 0 {
                return Err(format!(
                    "the speed range {low_mps}–{high_mps} m/s has no upper bound above 0"
                ));
            }
            if low > high {
                return Err(format!(
                    "the speed range is reversed ({low_mps} m/s is above {high_mps} m/s)"
                ));
            }
            Ok((target_type::SPEED, low, high))
        }
        Target::HeartRate { low_bpm, high_bpm } => {
            if high_bpm == 0 || low_bpm > high_bpm {
                return Err(format!(
                    "the heart-rate range {low_bpm}–{high_bpm} bpm is empty or reversed"
                ));
            }
            Ok((
                target_type::HEART_RATE,
                u32::from(low_bpm) + HR_BPM_OFFSET,
                u32::from(high_bpm) + HR_BPM_OFFSET,
            ))
        }
    }
}

/// Metres per second to FIT's mm/s (`custom_target_speed_*`, scale 1000).
fn speed_mm_per_s(mps: f32) -> Result<u32, String> {
    if !mps.is_finite() || mps < 0.0 {
        return Err(format!(
            "a speed of {mps} m/s cannot be a target (it must be finite and not negative)"
        ));
    }
    let mm = (f64::from(mps) * 1000.0).round();
    // 0xFFFFFFFF is FIT's "invalid"; anything near it is not a running speed anyway.
    if mm >= f64::from(u32::MAX) {
        return Err(format!("a speed of {mps} m/s is too large for FIT"));
    }
    // In range and integral: checked just above.
    Ok(mm as u32)
}

fn intensity_value(intensity: Intensity) -> u8 {
    match intensity {
        Intensity::Active => 0,
        Intensity::Rest => 1,
        Intensity::Warmup => 2,
        Intensity::Cooldown => 3,
        Intensity::Recovery => 4,
    }
}

/// One field of a data message, already in its little-endian wire form.
struct Field {
    number: u8,
    base_type: u8,
    bytes: Vec<u8>,
}

impl Field {
    fn enumeration(number: u8, value: u8) -> Field {
        Field {
            number,
            base_type: base::ENUM,
            bytes: vec![value],
        }
    }

    fn uint16(number: u8, value: u16) -> Field {
        Field {
            number,
            base_type: base::UINT16,
            bytes: value.to_le_bytes().to_vec(),
        }
    }

    fn uint32(number: u8, value: u32) -> Field {
        Field {
            number,
            base_type: base::UINT32,
            bytes: value.to_le_bytes().to_vec(),
        }
    }

    fn uint32z(number: u8, value: u32) -> Field {
        Field {
            number,
            base_type: base::UINT32Z,
            bytes: value.to_le_bytes().to_vec(),
        }
    }

    /// A NUL-terminated UTF-8 string in exactly `size` bytes, cut on a character boundary so
    /// the watch never sees half a character.
    fn string(number: u8, text: &str, size: usize) -> Field {
        let mut end = text.len().min(size.saturating_sub(1));
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = Vec::with_capacity(size);
        bytes.extend_from_slice(&text.as_bytes()[..end]);
        bytes.resize(size, 0);
        Field {
            number,
            base_type: base::STRING,
            bytes,
        }
    }
}

struct Message {
    global: u16,
    fields: Vec<Field>,
}

/// Writes the data records and, at the end, the header and CRC around them.
#[derive(Default)]
struct Encoder {
    data: Vec<u8>,
    /// The body of the definition currently bound to [`LOCAL_TYPE`].
    defined: Option<Vec<u8>>,
}

impl Encoder {
    fn write(&mut self, message: &Message) {
        // Every message here has at most ten fields of at most NOTES_BYTES bytes, so the
        // counts and sizes fit the definition's single bytes.
        let mut definition = Vec::with_capacity(5 + 3 * message.fields.len());
        definition.push(0); // reserved
        definition.push(0); // architecture: little-endian
        definition.extend_from_slice(&message.global.to_le_bytes());
        definition.push(message.fields.len() as u8);
        for f in &message.fields {
            definition.extend_from_slice(&[f.number, f.bytes.len() as u8, f.base_type]);
        }
        if self.defined.as_ref() != Some(&definition) {
            self.data.push(DEFINITION_FLAG | LOCAL_TYPE);
            self.data.extend_from_slice(&definition);
            self.defined = Some(definition);
        }
        self.data.push(LOCAL_TYPE);
        for f in &message.fields {
            self.data.extend_from_slice(&f.bytes);
        }
    }

    /// Header + data + file CRC; `None` only if the data outgrew FIT's 32-bit size field.
    fn finish(self) -> Option<Vec<u8>> {
        let data_size = u32::try_from(self.data.len()).ok()?;
        let mut file = Vec::with_capacity(usize::from(HEADER_SIZE) + self.data.len() + 2);
        file.push(HEADER_SIZE);
        file.push(PROTOCOL_VERSION);
        file.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
        file.extend_from_slice(&data_size.to_le_bytes());
        file.extend_from_slice(b".FIT");
        let header_crc = checksum(&file);
        file.extend_from_slice(&header_crc.to_le_bytes());
        file.extend_from_slice(&self.data);
        let file_crc = checksum(&file);
        file.extend_from_slice(&file_crc.to_le_bytes());
        Some(file)
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, NAME_BYTES};

    #[test]
    fn strings_are_cut_on_character_boundaries() {
        let text = "é".repeat(NAME_BYTES); // two bytes each
        let f = Field::string(0, &text, NAME_BYTES);
        assert_eq!(f.bytes.len(), NAME_BYTES);
        let end = f
            .bytes
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(f.bytes.len());
        assert_eq!(end, NAME_BYTES - 2, "63 bytes would split an é");
        assert!(std::str::from_utf8(&f.bytes[..end]).is_ok());

        let f = Field::string(0, "Jog", NAME_BYTES);
        assert_eq!(&f.bytes[..4], b"Jog\0");
        assert!(f.bytes[3..].iter().all(|&b| b == 0));
    }
}
