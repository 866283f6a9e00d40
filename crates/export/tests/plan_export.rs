//! The whole export of every protocol's plan, checked from the outside: each return-to-run
//! workout decodes with the independent `fitparser` decoder (CRC checked) with the stage's
//! steps and durations, the calendar has one event per session day with CRLF lines of at most
//! 75 octets, and the Markdown names every exercise of the phase.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fitparser::profile::MesgNum;
use hamstride_core::plan::{self, PlanKb};
use hamstride_core::{Findings, Kb};
use hamstride_export::plan_files;
use jiff::civil::date;

#[test]
fn every_protocol_exports_files_an_independent_decoder_reads() {
    let kb = Kb::embedded().unwrap();
    let pkb = PlanKb::embedded(&kb).unwrap();
    let today = date(2026, 3, 2);
    let empty = Findings::empty(&kb.schema);
    let mut workouts = 0;
    for p in &pkb.protocols {
        let mut st = plan::start(
            &pkb,
            p,
            &empty,
            today,
            today,
            hamstride_core::TriageLevel::SelfCare,
            "test",
        );
        // The phase with the most running, so run days appear in the calendar.
        st.phase = p
            .phase
            .iter()
            .enumerate()
            .max_by_key(|(_, ph)| ph.running)
            .map(|(i, _)| i)
            .unwrap();
        let files = plan_files(&kb, &pkb, &st, 7, today, 2, 1_772_000_000).unwrap();
        let md =
            String::from_utf8(files.iter().find(|f| f.0 == "plan.md").unwrap().1.clone()).unwrap();
        for id in &p.phase[st.phase].exercises {
            let name = &pkb.exercise(id).unwrap().name;
            assert!(md.contains(name.as_str()), "{}: plan.md lacks {name}", p.id);
        }
        let ics =
            String::from_utf8(files.iter().find(|f| f.0 == "plan.ics").unwrap().1.clone()).unwrap();
        let session_days = plan::days(&pkb, &st, today, 14)
            .unwrap()
            .iter()
            .filter(|d| !d.is_rest())
            .count();
        assert_eq!(
            ics.matches("BEGIN:VEVENT").count(),
            session_days,
            "{}",
            p.id
        );
        assert!(
            ics.split("\r\n").all(|l| l.len() <= 75),
            "{}: a calendar line is too long",
            p.id
        );
        let fit: Vec<_> = files.iter().filter(|f| f.0.ends_with(".fit")).collect();
        let ladder = pkb.ladder(&p.run_ladder);
        if p.referral >= plan::Referral::Urgent || ladder.is_none() {
            assert!(
                fit.is_empty(),
                "{}: no workouts for a plan without running",
                p.id
            );
            continue;
        }
        let ladder = ladder.unwrap();
        assert_eq!(fit.len(), ladder.stage.len(), "{}", p.id);
        for ((name, bytes), stage) in fit.iter().zip(&ladder.stage) {
            let recs =
                fitparser::from_bytes(bytes).unwrap_or_else(|e| panic!("{}: {name}: {e}", p.id));
            let steps: Vec<_> = recs
                .iter()
                .filter(|r| r.kind() == MesgNum::WorkoutStep)
                .collect();
            let wkt = recs.iter().find(|r| r.kind() == MesgNum::Workout).unwrap();
            let n = wkt
                .fields()
                .iter()
                .find(|f| f.name() == "num_valid_steps")
                .unwrap()
                .value()
                .to_string();
            assert_eq!(n, steps.len().to_string(), "{name}");
            // The running time in the file matches the stage: sum of jog or run step durations
            // times their repeats.
            let secs: Vec<f64> = steps
                .iter()
                .filter(|s| {
                    s.fields().iter().any(|f| {
                        f.name() == "wkt_step_name"
                            && matches!(f.value().to_string().as_str(), "Jog" | "Easy run")
                    })
                })
                .filter_map(|s| {
                    s.fields()
                        .iter()
                        .find(|f| f.name() == "duration_time")
                        .map(|f| f.value().to_string().parse::<f64>().unwrap())
                })
                .collect();
            let reps = f64::from(stage.reps.unwrap_or(1));
            let run = secs.iter().sum::<f64>()
                * if stage.run_seconds.is_some() {
                    reps
                } else {
                    1.0
                };
            assert!(
                (run / 60.0 - stage.running_minutes()).abs() < 0.01,
                "{name}: {run} s of running, stage says {} min",
                stage.running_minutes()
            );
            workouts += 1;
        }
    }
    assert!(
        workouts >= 10,
        "expected workouts from the strain and tendon ladders, got {workouts}"
    );
}
