//! Plans: the exercise library and protocols (as data), plan generation, scheduling and the
//! pain-guided progression of check-ins. Pure like the rest of the core: "today" is an argument.

pub mod codes;
pub mod generate;
pub mod library;
pub mod progress;
pub mod view;

pub use codes::{Change, Reason, ReferralKind, Referred, TimelineReason};
pub use generate::{
    day, days, generate, prevention, start, Day, Item, PlanState, Timeline, SEEN_CLINICIAN,
};
pub use library::{
    Exercise, Frequency, Ladder, Phase, PlanFiles, PlanKb, PlanStats, Protocol, Referral, RunLevel,
    Stage, PLAN_FILE_NAMES,
};
pub use progress::{check_in, screen_due, CheckIn, Decision, Record, Verdict};
pub use view::{view, DayView, ItemView, PlanView};
