//! From a plan to the files of `hamstride plan export`: `plan.md`, `plan.ics` with one all-day
//! event per session day of the exported weeks, and `workouts/NN-stage.fit`, one FIT workout per
//! stage of the plan's return-to-run ladder (so the watch holds every stage the runner may reach
//! between exports). Referral plans get no workouts: they schedule no running.

use hamstride_core::plan::{self, view, PlanKb, PlanState, Referral, Stage};
use hamstride_core::Kb;
use jiff::civil::Date;

use crate::fit::{workout_file, Intensity, Step, StepDuration, Target, Workout};
use crate::ics::{calendar, CalendarEvent};
use crate::markdown::plan_markdown;
use crate::Error;

fn plan_error(e: hamstride_core::Error) -> Error {
    Error::Plan(e.to_string())
}

/// The FIT workout of one ladder stage.
pub fn stage_workout(number: usize, s: &Stage) -> Workout {
    let mut steps = Vec::new();
    let effort = format!("about {}% effort", s.effort_pct);
    if let Some(m) = s.warmup_walk_minutes {
        steps.push(Step::Single {
            name: String::from("Walk"),
            intensity: Intensity::Warmup,
            duration: StepDuration::Time { seconds: m * 60 },
            target: Target::Open,
            notes: Some(String::from("Brisk walk to warm up")),
        });
    }
    match (s.reps, s.run_seconds, s.run_minutes) {
        (Some(reps), Some(run), _) => {
            let from = steps.len() as u16;
            steps.push(Step::Single {
                name: String::from("Jog"),
                intensity: Intensity::Active,
                duration: StepDuration::Time { seconds: run },
                target: Target::Open,
                notes: Some(format!("Easy jog, {effort}, flat ground")),
            });
            if let Some(w) = s.walk_seconds {
                steps.push(Step::Single {
                    name: String::from("Walk"),
                    intensity: Intensity::Recovery,
                    duration: StepDuration::Time { seconds: w },
                    target: Target::Open,
                    notes: None,
                });
            }
            if reps > 1 {
                steps.push(Step::Repeat {
                    from_step: from,
                    times: reps,
                });
            }
        }
        (_, _, Some(m)) => {
            steps.push(Step::Single {
                name: String::from("Easy run"),
                intensity: Intensity::Active,
                duration: StepDuration::Time { seconds: m * 60 },
                target: Target::Open,
                notes: Some(format!(
                    "Continuous, {}",
                    if s.strides.is_some() {
                        "easy"
                    } else {
                        effort.as_str()
                    }
                )),
            });
            if let (Some(n), Some(metres)) = (s.strides, s.stride_metres) {
                let from = steps.len() as u16;
                steps.push(Step::Single {
                    name: String::from("Stride"),
                    intensity: Intensity::Active,
                    duration: StepDuration::Distance { metres },
                    target: Target::Open,
                    notes: Some(format!("Build smoothly to {effort}")),
                });
                steps.push(Step::Single {
                    name: String::from("Walk back"),
                    intensity: Intensity::Recovery,
                    duration: StepDuration::Open,
                    target: Target::Open,
                    notes: Some(String::from(
                        "Full recovery; press lap to start the next stride",
                    )),
                });
                if n > 1 {
                    steps.push(Step::Repeat {
                        from_step: from,
                        times: n,
                    });
                }
            }
        }
        _ => {}
    }
    if let Some(m) = s.cooldown_walk_minutes {
        steps.push(Step::Single {
            name: String::from("Walk"),
            intensity: Intensity::Cooldown,
            duration: StepDuration::Time { seconds: m * 60 },
            target: Target::Open,
            notes: None,
        });
    }
    Workout {
        name: format!("RTR {number} {}", s.name),
        steps,
    }
}

/// Every file of the export, as (relative path, bytes).
pub fn plan_files(
    kb: &Kb,
    pkb: &PlanKb,
    st: &PlanState,
    plan_id: i64,
    today: Date,
    weeks: u32,
    stamp_unix: i64,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let v = view(kb, pkb, st, today).map_err(plan_error)?;
    let days = plan::days(pkb, st, today, weeks * 7).map_err(plan_error)?;
    let day_views: Vec<_> = days
        .iter()
        .map(|d| plan::view::day_view(pkb, st, d))
        .collect();
    let mut files = Vec::new();
    files.push((
        String::from("plan.md"),
        plan_markdown(kb, pkb, st, &v, &day_views).into_bytes(),
    ));
    let events: Vec<CalendarEvent> = day_views
        .iter()
        .filter(|d| !d.items.is_empty())
        .map(|d| {
            let has_run = d.items.iter().any(|i| i.kind != "exercise");
            let summary = if has_run {
                format!("hamstride: run + rehab ({})", v.phase.name)
            } else {
                format!("hamstride: rehab ({})", v.phase.name)
            };
            let description = d
                .items
                .iter()
                .map(|i| {
                    let times = if i.times > 1 { " (twice)" } else { "" };
                    format!("- {}{times}: {}", i.name, i.dose)
                })
                .collect::<Vec<_>>()
                .join("\n");
            CalendarEvent {
                uid: format!("plan{plan_id}-{}@hamstride", d.date),
                date: d.date,
                summary,
                description: format!(
                    "{description}\n\nPain up to {}/10 during is fine if settled by next morning. Check in afterwards: hamstride checkin",
                    v.pain_ceiling
                ),
            }
        })
        .collect();
    files.push((
        String::from("plan.ics"),
        calendar(
            &format!("hamstride: {}", v.protocol_name),
            &events,
            stamp_unix,
        )
        .into_bytes(),
    ));
    let p = st.protocol(pkb).map_err(plan_error)?;
    if p.referral < Referral::Urgent {
        if let Some(l) = pkb.ladder(&p.run_ladder) {
            for (i, s) in l.stage.iter().enumerate() {
                let w = stage_workout(i + 1, s);
                let bytes = workout_file(&w, stamp_unix, 0x4853_0000 + i as u32)?;
                files.push((format!("workouts/{:02}-{}.fit", i + 1, s.id), bytes));
            }
        }
    }
    Ok(files)
}
