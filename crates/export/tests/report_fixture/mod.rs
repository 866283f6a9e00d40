//! Report fixtures shared by `tests/report.rs` and `tests/report_browser.rs`: a realistic
//! 16-week model (a Strong long-run spike, a weekly jump, pain that rises after it, a form
//! drift, an assessment with a red flag, a plan with adherence, two assessments and a week of
//! check-ins), an empty model, a ten-year synthetic history for size and speed, and a crowded
//! case with every list long and long texts everywhere, for the layout.
//!
//! The analytics functions are being written elsewhere, so the fixtures build their *output*
//! types directly with a little arithmetic of their own (days, Monday weeks, monotony, a
//! simple acute:chronic ratio, spike flags). The numbers only need to be plausible: the report
//! renders whatever the analysis says.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::adherence::{
    Adherence, Issue, LengthBasis, Prescribed, SessionCheck, UnplannedRun,
};
use hamstride_analytics::form::{
    FormMetric, FormPoint, FormReport, FormStatus, MetricReport, Side,
};
use hamstride_analytics::pain::{
    Certainty, Feature, Link, PainAnalysis, PainEntry, PainNote, Score, Trend,
};
use hamstride_analytics::series::{
    AcwrPoint, Analysis, Day, Flag, FlagDetail, Level, LoadBasis, RunSummary, Since, Week,
};
use hamstride_analytics::{SignalId, Signals};
use hamstride_core::plan::{Change, Decision, Reason, Referral, Verdict};
use hamstride_export::report::{
    AssessmentSummary, CheckinPoint, PastAssessment, PlanNow, ReportModel, SourceRef, Units,
};
use jiff::civil::{date, Date};
use jiff::ToSpan;

/// Everything a `ReportModel` borrows.
pub struct Fixture {
    pub today: Date,
    pub analysis: Analysis,
    pub form: FormReport,
    pub pain: Vec<PainEntry>,
    pub pain_analysis: PainAnalysis,
    pub assessment: Option<AssessmentSummary>,
    pub plan: Option<PlanNow>,
    pub assessments: Vec<PastAssessment>,
    pub checkins: Vec<CheckinPoint>,
    pub adherence: Option<Adherence>,
    pub signals: Signals,
    pub sources: Vec<SourceRef>,
    pub disclaimer: String,
}

impl Fixture {
    pub fn model(&self, units: Units) -> ReportModel<'_> {
        ReportModel {
            today: self.today,
            units,
            analysis: &self.analysis,
            form: &self.form,
            pain: &self.pain,
            pain_analysis: &self.pain_analysis,
            assessment: self.assessment.as_ref(),
            plan: self.plan.as_ref(),
            assessments: &self.assessments,
            checkins: &self.checkins,
            adherence: self.adherence.as_ref(),
            signals: &self.signals,
            sources: &self.sources,
            disclaimer: &self.disclaimer,
        }
    }
}

/// The project's own source list, so the references read like the real thing.
pub fn sources() -> Vec<SourceRef> {
    let text = include_str!("../../../../kb/sources.toml");
    let table: toml::Table = toml::from_str(text).unwrap();
    table["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| SourceRef {
            id: s["id"].as_str().unwrap().to_string(),
            short: s["short"].as_str().unwrap().to_string(),
            citation: s["citation"].as_str().unwrap().to_string(),
        })
        .collect()
}

pub const DISCLAIMER: &str = "hamstride gives educational information to help you decide what \
to do next. It is not a diagnosis and does not replace an examination by a doctor or \
physiotherapist. If things get worse or new symptoms appear, seek care.";

/// A deterministic pseudo-random stream (no dependency, same numbers on every machine).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }
    /// Uniform in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One planned run of a synthetic history: day index (0 = first day) and distance.
#[derive(Debug, Clone, Copy)]
pub struct PlannedRun {
    pub day: usize,
    pub distance_m: f64,
    pub strides: u32,
    pub ascent_m: f64,
}

/// Days, Monday weeks, runs, a simple acute:chronic ratio and spike/weekly flags from a list
/// of runs over `n_days` days ending `today`. Load is running minutes.
pub fn series(today: Date, n_days: usize, runs_in: &[PlannedRun]) -> Analysis {
    let first = today.checked_sub((n_days as i64 - 1).days()).unwrap();
    let mut days: Vec<Day> = (0..n_days)
        .map(|i| Day {
            date: first.checked_add((i as i64).days()).unwrap(),
            runs: 0,
            distance_m: 0.0,
            duration_s: 0.0,
            ascent_m: 0.0,
            descent_m: 0.0,
            steep_s: 0.0,
            hr_load: 0.0,
            srpe_load: 0.0,
            high_speed_s: 0.0,
            high_speed_m: 0.0,
            strides: 0,
            other_minutes: 0.0,
            load: 0.0,
        })
        .collect();
    let mut runs = Vec::new();
    let mut flags = Vec::new();
    for (id, r) in runs_in.iter().enumerate() {
        let d = &mut days[r.day];
        let duration = r.distance_m / 2.9;
        let hs = f64::from(r.strides) * 80.0;
        d.runs += 1;
        d.distance_m += r.distance_m;
        d.duration_s += duration;
        d.ascent_m += r.ascent_m;
        d.descent_m += r.ascent_m;
        d.high_speed_m += hs;
        d.high_speed_s += hs / 6.5;
        d.strides += r.strides;
        d.load += duration / 60.0;
        // Longest run in the 30 days before (runs are in day order).
        let longest = runs_in[..id]
            .iter()
            .rev()
            .take_while(|p| p.day + 30 > r.day)
            .filter(|p| p.day < r.day)
            .map(|p| p.distance_m)
            .fold(0.0, f64::max);
        let covered = r.day >= 30;
        let spike = (covered && longest > 0.0).then(|| r.distance_m / longest - 1.0);
        if let Some(s) = spike.filter(|s| *s > 0.10) {
            flags.push(Flag {
                signal: SignalId::LongRunSpike,
                date: d.date,
                activity_id: Some(id as i64),
                level: if s > 1.0 { Level::Strong } else { Level::Warn },
                value: s,
                grade: "B".to_string(),
                detail: FlagDetail::LongRunSpike {
                    distance_m: r.distance_m,
                    longest_prev_30d_m: longest,
                    spike: s,
                },
            });
        }
        runs.push(RunSummary {
            id: id as i64,
            date: d.date,
            start_ms: 0,
            distance_m: r.distance_m,
            duration_s: duration,
            ascent_m: r.ascent_m,
            hr_load: None,
            srpe_load: None,
            high_speed_threshold_mps: Some(5.2),
            high_speed_s: hs / 6.5,
            high_speed_m: hs,
            strides: r.strides,
            longest_prev_30d_m: covered.then_some(longest),
            spike,
        });
    }
    // Monday weeks covering the days.
    let offset = i64::from(first.weekday().to_monday_zero_offset());
    let week0 = first.checked_sub(offset.days()).unwrap();
    let mut weeks: Vec<Week> = Vec::new();
    let mut start = week0;
    while start <= today {
        let mut w = Week {
            start,
            runs: 0,
            distance_m: 0.0,
            duration_s: 0.0,
            ascent_m: 0.0,
            high_speed_m: 0.0,
            strides: 0,
            load: 0.0,
            monotony: None,
            strain: None,
            distance_change: None,
            distance_change_2wk: None,
            complete: start >= first && start.checked_add(6.days()).unwrap() < today,
        };
        let mut loads = Vec::new();
        for k in 0..7_i64 {
            let idx = weeks.len() as i64 * 7 + k - offset;
            match usize::try_from(idx).ok().and_then(|i| days.get(i)) {
                Some(d) => {
                    w.runs += d.runs;
                    w.distance_m += d.distance_m;
                    w.duration_s += d.duration_s;
                    w.ascent_m += d.ascent_m;
                    w.high_speed_m += d.high_speed_m;
                    w.strides += d.strides;
                    w.load += d.load;
                    loads.push(d.load);
                }
                None => loads.push(0.0),
            }
        }
        let mean = w.load / 7.0;
        let sd = (loads.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 7.0).sqrt();
        if sd > 0.0 {
            w.monotony = Some(mean / sd);
            w.strain = Some(w.load * mean / sd);
        }
        if let Some(prev) = weeks.last() {
            if prev.runs > 0 {
                w.distance_change = Some(w.distance_m / prev.distance_m - 1.0);
            }
        }
        if let (Some(c), true, Some(prev)) = (w.distance_change, w.complete, weeks.last()) {
            if c > 0.30 && prev.distance_m >= 5000.0 {
                flags.push(Flag {
                    signal: SignalId::WeeklyDistanceChange,
                    date: start.checked_add(6.days()).unwrap(),
                    activity_id: None,
                    level: Level::Warn,
                    value: c,
                    grade: "C".to_string(),
                    detail: FlagDetail::WeeklyDistanceChange {
                        distance_m: w.distance_m,
                        previous_m: prev.distance_m,
                        change: c,
                    },
                });
            }
        }
        weeks.push(w);
        start = start.checked_add(7.days()).unwrap();
    }
    flags.sort_by_key(|f| f.date);
    // Uncoupled ratio and EWMA on minutes, hidden for the first 35 / 28 days.
    let mut acwr = Vec::with_capacity(n_days);
    let (mut a7, mut c28) = (0.0_f64, 0.0_f64);
    let (la, lc) = (2.0 / 8.0, 2.0 / 29.0);
    for i in 0..n_days {
        let l = days[i].load;
        a7 = la * l + (1.0 - la) * a7;
        c28 = lc * l + (1.0 - lc) * c28;
        let acute: f64 = days[i.saturating_sub(6)..=i].iter().map(|d| d.load).sum();
        let chronic: f64 = if i >= 34 {
            days[i - 34..i - 6].iter().map(|d| d.load).sum::<f64>() / 4.0
        } else {
            0.0
        };
        let covered = i >= 34 && chronic > 0.0;
        acwr.push(AcwrPoint {
            date: days[i].date,
            uncoupled: covered.then(|| acute / chronic),
            ewma: (i >= 27 && c28 > 0.0).then(|| a7 / c28),
            covered,
        });
    }
    Analysis {
        today,
        first_day: (!runs.is_empty()).then_some(first),
        basis: LoadBasis::Minutes,
        hr: None,
        days,
        weeks,
        runs,
        acwr,
        flags,
    }
}

/// A 16-week history: steady running, a 24 km long run in week 13 (a Strong spike after
/// 10–12 km long runs), then pain and a return-to-run plan.
pub fn realistic() -> Fixture {
    let today = date(2026, 11, 4);
    let n_days = 16 * 7;
    let mut rng = Lcg::new(7);
    let mut plan = Vec::new();
    let first = today.checked_sub((n_days as i64 - 1).days()).unwrap();
    let mut spike_day = today;
    for day in 0..n_days {
        let d = first.checked_add((day as i64).days()).unwrap();
        let wd = d.weekday().to_monday_zero_offset();
        let week = day / 7;
        let injured = day >= 91;
        let distance = match (wd, injured) {
            (_, true) => {
                // Walk-jog return: short runs every other day.
                if day % 2 == 0 && day >= 98 {
                    2000.0 + rng.next() * 1500.0
                } else {
                    continue;
                }
            }
            (1, _) => 6000.0 + rng.next() * 2500.0,
            (3, _) => 7000.0 + rng.next() * 2000.0,
            (5, _) => 5000.0 + rng.next() * 1500.0,
            (6, _) if week == 12 => {
                spike_day = d;
                24_000.0
            }
            (6, _) => 10_000.0 + (week as f64 * 100.0).min(1000.0) + rng.next() * 200.0,
            _ => continue,
        };
        plan.push(PlannedRun {
            day,
            distance_m: distance,
            strides: if wd == 3 && week > 8 && !injured {
                6
            } else {
                0
            },
            ascent_m: distance * (0.004 + rng.next() * 0.01),
        });
    }
    let mut analysis = series(today, n_days, &plan);
    // A speed note from the analysis, to show a Note-level flag too.
    if let Some(r) = analysis.runs.iter().find(|r| r.strides > 0) {
        analysis.flags.push(Flag {
            signal: SignalId::SpeedReintroduced,
            date: r.date,
            activity_id: Some(r.id),
            level: Level::Note,
            value: 21.0,
            grade: "D".to_string(),
            detail: FlagDetail::SpeedReintroduced {
                high_speed_s: 0.0,
                strides: r.strides,
                since: Since {
                    days: 21,
                    history_start: false,
                },
            },
        });
        analysis.flags.sort_by_key(|f| f.date);
    }

    let mut pain = Vec::new();
    for k in 0..34 {
        let day = today.checked_sub((33 - k).days()).unwrap();
        let after_spike = day >= spike_day;
        let base: u8 = if after_spike { 5 } else { 1 };
        let decay = if after_spike {
            (day - spike_day).get_days().clamp(0, 12) as u8 / 4
        } else {
            0
        };
        pain.push(PainEntry {
            date: day,
            activity_id: None,
            site: Some(if k % 5 == 0 { "buttock" } else { "sit_bone" }.to_string()),
            side: Some(Side::Left),
            during: Some(base.saturating_sub(decay) + (k % 2) as u8),
            after: Some(base.saturating_sub(decay) + 1),
            next_morning: Some(base.saturating_sub(decay) + (k % 3) as u8),
            sitting_min: Some(if after_spike { 20 } else { 60 }),
            notes: match k {
                12 => Some(
                    "Felt it at the sit bone after the long run <script>alert(1)</script>"
                        .to_string(),
                ),
                20 => Some(
                    "Sitting through a long meeting made it ache; easier after a short walk, \
                     stiff again in the car on the way home, then fine by the evening"
                        .to_string(),
                ),
                30 => Some("Walk-jog felt OK & no pain next morning".to_string()),
                _ => None,
            },
        });
    }

    let reference = today.checked_sub(21.days()).unwrap();
    let form_points = |base: f64, recent: f64, spread: f64, rng: &mut Lcg| -> Vec<FormPoint> {
        analysis
            .runs
            .iter()
            .filter(|r| r.date >= today.checked_sub(90.days()).unwrap())
            .map(|r| FormPoint {
                date: r.date,
                activity_id: r.id,
                value: if r.date >= reference { recent } else { base }
                    + (rng.next() - 0.5) * 2.0 * spread,
            })
            .collect()
    };
    let cadence = form_points(172.0, 165.5, 1.5, &mut rng);
    let contact = form_points(248.0, 251.0, 4.0, &mut rng);
    let form = FormReport {
        reference,
        metrics: vec![
            MetricReport {
                metric: FormMetric::Cadence,
                baseline_runs: cadence.iter().filter(|p| p.date < reference).count(),
                recent_runs: cadence.iter().filter(|p| p.date >= reference).count(),
                baseline: Some(172.0),
                change: Some(-6.5),
                drift: true,
                recent: Some(165.5),
                threshold: 3.0,
                status: FormStatus::Changed,
                points: cadence,
            },
            MetricReport {
                metric: FormMetric::GroundContact,
                baseline_runs: 30,
                recent_runs: 6,
                baseline: Some(248.0),
                change: Some(3.0),
                drift: false,
                recent: Some(251.0),
                threshold: 10.0,
                status: FormStatus::WithinUsualRange,
                points: contact,
            },
            MetricReport {
                metric: FormMetric::Balance,
                baseline_runs: 2,
                recent_runs: 0,
                baseline: None,
                change: None,
                drift: false,
                recent: None,
                threshold: 1.5,
                status: FormStatus::NotEnoughRuns,
                points: Vec::new(),
            },
        ],
        injured_side: Some(Side::Left),
        min_baseline_runs: 5,
        min_recent_runs: 2,
        min_band_runs: 3,
    };

    let pain_analysis = PainAnalysis {
        days: 34,
        certainty: Certainty::Tentative,
        links: vec![
            Link {
                feature: Feature::Distance,
                score: Score::NextMorning,
                lag: 0,
                n: 30,
                rho: 0.52,
                low: 0.19,
                high: 0.74,
                clear: true,
            },
            Link {
                feature: Feature::HighSpeed,
                score: Score::After,
                lag: 0,
                n: 18,
                rho: 0.38,
                low: -0.12,
                high: 0.73,
                clear: false,
            },
            Link {
                feature: Feature::Ascent,
                score: Score::NextMorning,
                lag: 1,
                n: 29,
                rho: 0.11,
                low: -0.27,
                high: 0.46,
                clear: false,
            },
            Link {
                feature: Feature::Load,
                score: Score::During,
                lag: 2,
                n: 27,
                rho: -0.05,
                low: -0.42,
                high: 0.34,
                clear: false,
            },
        ],
        notes: vec![
            PainNote::Link(Link {
                feature: Feature::Distance,
                score: Score::NextMorning,
                lag: 0,
                n: 30,
                rho: 0.52,
                low: 0.19,
                high: 0.74,
                clear: true,
            }),
            PainNote::ManyPairings { pairings: 45 },
            PainNote::MorningTrend {
                first_week: 3.4,
                last_week: 2.6,
                trend: Trend::Better,
            },
        ],
    };

    let assessment = AssessmentSummary {
        date: today.checked_sub(9.days()).unwrap(),
        condition: "Proximal hamstring tendinopathy".to_string(),
        probability: 0.46,
        triage_level: "urgent".to_string(),
        triage_headline: "See a doctor within 24–48 hours; do not run until then.".to_string(),
        // Raised by a check-in since the assessment (the report must show the level now).
        triage_at_assessment: Some("clinician".to_string()),
        plan_assessed: None,
        positives: vec![
            "Deep pain at the sit bone, worse when sitting".to_string(),
            "Came on gradually over weeks".to_string(),
            "Worse with hills and speed".to_string(),
        ],
        negatives: vec![
            "No sudden pop or bruising".to_string(),
            "No pain or tingling below the knee".to_string(),
        ],
        red_flags: vec![
            "Night pain that wakes you and is not eased by changing position".to_string(),
        ],
        others: vec![
            ("Acute hamstring strain".to_string(), 0.21),
            ("Lumbar radiculopathy".to_string(), 0.12),
            ("Sciatic nerve entrapment".to_string(), 0.08),
        ],
    };

    // The sessions' numbers; their sentences are the export's own (`words::session`).
    let session = |days_ago: i64, stage: &str, minutes: f64, issues: Vec<Issue>| {
        let d = today.checked_sub(days_ago.days()).unwrap();
        let missed = issues.contains(&Issue::Missed);
        let longer = if issues.contains(&Issue::Longer) {
            4.0 / 3.0
        } else {
            1.0
        };
        let running_m = if missed {
            0.0
        } else {
            minutes * 60.0 * 2.6 * longer
        };
        SessionCheck {
            prescribed: Prescribed {
                date: d,
                stage_id: stage.to_lowercase().replace(' ', "_"),
                stage_name: stage.to_string(),
                running_minutes: minutes,
                strides: 0,
            },
            activity_ids: if missed { vec![] } else { vec![1] },
            distance_m: running_m,
            duration_s: if missed { 0.0 } else { minutes * 60.0 * longer },
            expected_distance_m: Some(minutes * 60.0 * 2.6),
            pace_ceiling_mps: Some(2.73),
            fast_s: if issues.contains(&Issue::Faster) {
                120.0
            } else {
                0.0
            },
            running_m,
            running_s: if missed { 0.0 } else { minutes * 60.0 * longer },
            length_basis: (!missed).then_some(LengthBasis::Distance),
            ascent_m: if issues.contains(&Issue::Hilly) {
                60.0
            } else {
                0.0
            },
            steep_s: 0.0,
            issues,
        }
    };
    let adherence = Adherence {
        easy_mps: Some(2.6),
        sessions: vec![
            session(14, "Walk-jog 1", 10.0, vec![]),
            session(12, "Walk-jog 1", 10.0, vec![]),
            session(10, "Walk-jog 2", 12.0, vec![Issue::Longer]),
            session(8, "Walk-jog 2", 12.0, vec![]),
            session(6, "Walk-jog 2", 12.0, vec![Issue::Faster, Issue::Hilly]),
            session(4, "Walk-jog 3", 15.0, vec![Issue::Missed]),
            session(2, "Walk-jog 3", 15.0, vec![]),
        ],
        unplanned: vec![UnplannedRun {
            date: today.checked_sub(5.days()).unwrap(),
            activity_id: 99,
            distance_m: 5200.0,
            duration_s: 1900.0,
        }],
        done: 6,
        as_prescribed: 4,
        easy_min_runs: 3,
    };

    Fixture {
        today,
        analysis,
        form,
        pain,
        pain_analysis,
        assessment: Some(assessment),
        plan: Some(PlanNow {
            protocol: "Proximal hamstring tendinopathy: return to running".to_string(),
            phase: "Loading and walk-jog".to_string(),
            phase_number: 2,
            phases: 4,
            day_in_phase: 5,
            days_since_onset: 23,
            running_waits: true,
        }),
        assessments: vec![
            PastAssessment {
                date: today.checked_sub(23.days()).unwrap(),
                level: "self_care".to_string(),
                condition: "Acute hamstring strain".to_string(),
                probability: 0.38,
                active: false,
            },
            PastAssessment {
                date: today.checked_sub(9.days()).unwrap(),
                level: "clinician".to_string(),
                condition: "Proximal hamstring tendinopathy".to_string(),
                probability: 0.46,
                active: true,
            },
        ],
        checkins: week_of_checkins(today),
        adherence: Some(adherence),
        signals: Signals::embedded().unwrap(),
        sources: sources(),
        disclaimer: DISCLAIMER.to_string(),
    }
}

/// A decision with one reason and the given changes.
pub fn decision(verdict: Verdict, reason: Reason, changes: Vec<Change>) -> Decision {
    Decision {
        verdict,
        reasons: vec![reason],
        changes,
        referral: (verdict == Verdict::Escalate).then_some(Referral::DoctorSoon),
        screen_due: false,
    }
}

/// A check-in `days_ago` with three scores.
pub fn checkin(today: Date, days_ago: i64, pain: [u8; 3], d: Decision) -> CheckinPoint {
    CheckinPoint {
        date: today.checked_sub(days_ago.days()).unwrap(),
        pain_during: Some(pain[0]),
        pain_after: Some(pain[1]),
        pain_morning: Some(pain[2]),
        this_plan: true,
        decision: d,
    }
}

/// Eight days of check-ins after the assessment: settled, a flare and a step back, a red flag
/// at the re-screen (running waits for a clinician), then holds.
fn week_of_checkins(today: Date) -> Vec<CheckinPoint> {
    let hold = || decision(Verdict::Hold, Reason::AddMorningScore, vec![]);
    vec![
        checkin(today, 8, [2, 2, 2], hold()),
        checkin(
            today,
            7,
            [2, 2, 1],
            decision(
                Verdict::Progress,
                Reason::Maintenance,
                vec![Change::NextRun {
                    stage: "Walk-jog 2".to_string(),
                }],
            ),
        ),
        checkin(
            today,
            5,
            [5, 5, 4],
            decision(
                Verdict::StepBack,
                Reason::PainDuringAboveCeiling {
                    during: 5,
                    ceiling: 3,
                },
                vec![Change::EasierExercises, Change::RunStageBack],
            ),
        ),
        CheckinPoint {
            pain_after: None,
            ..checkin(
                today,
                3,
                [3, 0, 3],
                decision(
                    Verdict::Escalate,
                    Reason::Kb {
                        text: "Night pain that wakes you: see a doctor soon.".to_string(),
                    },
                    vec![Change::RunningWaits],
                ),
            )
        },
        checkin(today, 1, [2, 2, 2], hold()),
    ]
}

/// No runs, no diary, no form, no assessment, no plan.
pub fn empty() -> Fixture {
    let today = date(2026, 11, 4);
    Fixture {
        today,
        analysis: Analysis {
            today,
            first_day: None,
            basis: LoadBasis::Minutes,
            hr: None,
            days: Vec::new(),
            weeks: Vec::new(),
            runs: Vec::new(),
            acwr: Vec::new(),
            flags: Vec::new(),
        },
        form: FormReport {
            reference: today,
            metrics: Vec::new(),
            injured_side: None,
            min_baseline_runs: 5,
            min_recent_runs: 2,
            min_band_runs: 3,
        },
        pain: Vec::new(),
        pain_analysis: PainAnalysis {
            days: 0,
            certainty: Certainty::TooFewDays,
            links: Vec::new(),
            notes: Vec::new(),
        },
        assessment: None,
        plan: None,
        assessments: Vec::new(),
        checkins: Vec::new(),
        adherence: None,
        signals: Signals::embedded().unwrap(),
        sources: sources(),
        disclaimer: DISCLAIMER.to_string(),
    }
}

/// One 10 km run today and nothing else (for the units check).
pub fn one_run() -> Fixture {
    let mut f = empty();
    f.analysis = series(
        f.today,
        1,
        &[PlannedRun {
            day: 0,
            distance_m: 10_000.0,
            strides: 0,
            ascent_m: 100.0,
        }],
    );
    f
}

/// Ten years, nearly a run a day (≈3,500 runs, ≈520 weeks), with a diary entry every ten days
/// and cadence points for the last 90 days.
pub fn ten_years() -> Fixture {
    let mut f = realistic();
    let today = f.today;
    let n_days = 3650;
    let mut rng = Lcg::new(42);
    let mut plan = Vec::new();
    for day in 0..n_days {
        // Rest roughly one day in twenty; seasons and a long run on Sundays.
        if rng.next() < 0.04 {
            continue;
        }
        let season = 1.0 + 0.35 * ((day as f64) / 365.0 * std::f64::consts::TAU).sin();
        let long = day % 7 == 6;
        let distance = if long {
            14_000.0 + rng.next() * 10_000.0
        } else {
            5_000.0 + rng.next() * 7_000.0
        } * season;
        plan.push(PlannedRun {
            day,
            distance_m: distance,
            strides: if day % 7 == 2 { 8 } else { 0 },
            ascent_m: distance * 0.01 * rng.next(),
        });
    }
    f.analysis = series(today, n_days, &plan);
    f.pain = (0..n_days / 10)
        .map(|k| PainEntry {
            date: today.checked_sub(((k * 10) as i64).days()).unwrap(),
            activity_id: None,
            site: Some("mid_thigh".to_string()),
            side: Some(Side::Right),
            during: Some((k % 4) as u8),
            after: Some((k % 5) as u8),
            next_morning: Some((k % 6) as u8),
            sitting_min: Some(45),
            notes: (k % 3 == 0).then(|| format!("Entry {k}: tight after the long run.")),
        })
        .collect();
    f
}

/// A long word with no place to break, like the finding id that once ran into the next
/// column: the layout must wrap it inside its own box.
pub const LONG_WORD: &str = "recent_training_change=new_strength_or_eccentric_and_downhill";

/// The realistic history with every list of the summary page at or past its cap: two red
/// flags, six findings for and six against (the engine's most), long condition names, a
/// long unbreakable word, 14 diary entries with long notes, 15 recent flags, 12 sessions, 3
/// runs on rest days, six assessments and 42 check-ins with long reasons. The summary must
/// still print as one page, and no text may run into another's box.
pub fn crowded() -> Fixture {
    let mut f = realistic();
    let a = f.assessment.as_mut().unwrap();
    a.red_flags
        .push("Numbness or tingling in the saddle area, or new trouble passing urine".to_string());
    a.condition = "Hamstring tear or avulsion: a tear of the tendon from the sit bone".to_string();
    a.positives.extend([
        "tender on the sit bone".to_string(),
        "stiff first thing in the morning".to_string(),
        format!("worse when sitting {LONG_WORD}"),
    ]);
    a.negatives.extend([
        "no low back pain".to_string(),
        "straight-leg raise not painful".to_string(),
        "no numbness or pins and needles".to_string(),
        LONG_WORD.to_string(),
    ]);
    a.others.extend([
        (
            "Other: referred pain from the hip joint or the sacroiliac joint".to_string(),
            0.05,
        ),
        (LONG_WORD.to_string(), 0.02),
    ]);
    let plan = f.plan.as_mut().unwrap();
    plan.protocol = format!("{} after a tear, with a long name", plan.protocol);
    plan.phase = "Loading, isometrics and walk-jog: the long middle phase".to_string();
    let today = f.today;
    f.assessments = (0..6)
        .map(|k| PastAssessment {
            date: today.checked_sub((60 - k * 10).days()).unwrap(),
            level: ["self_care", "clinician", "urgent"][k as usize % 3].to_string(),
            condition: if k % 2 == 0 {
                "Hamstring tear or avulsion: a tear of the tendon from the sit bone".to_string()
            } else {
                LONG_WORD.to_string()
            },
            probability: 0.3 + k as f64 / 20.0,
            active: k == 5,
        })
        .collect();
    f.checkins = (0..42)
        .map(|k| {
            let d = match k % 4 {
                0 => decision(
                    Verdict::Hold,
                    Reason::MarkCriteriaMet {
                        holds: 3,
                        open: vec![hamstride_core::plan::library::Criterion {
                            id: "single_leg_bridge_20_reps_without_pain".to_string(),
                            text: "Twenty single-leg bridges on the sore side without pain"
                                .to_string(),
                        }],
                    },
                    vec![],
                ),
                1 => decision(
                    Verdict::Progress,
                    Reason::Maintenance,
                    vec![Change::MovedOn {
                        number: 3,
                        name: "Heavy slow loading and the return-to-run ladder".to_string(),
                    }],
                ),
                2 => decision(
                    Verdict::StepBack,
                    Reason::MorningWorse {
                        morning: 6,
                        before: 3,
                    },
                    vec![Change::EasierExercises, Change::RunStageBack],
                ),
                _ => decision(
                    Verdict::Escalate,
                    Reason::Kb {
                        text: format!("Night pain that wakes you: see a doctor soon {LONG_WORD}"),
                    },
                    vec![Change::RunningWaits],
                ),
            };
            let p = (k % 7) as u8;
            checkin(today, 41 - k, [p, (p + 2).min(10), (p + 1) % 11], d)
        })
        .collect();
    for (i, e) in f.pain.iter_mut().enumerate() {
        e.notes = Some(format!(
            "Entry {i}: ached after sitting in the car for an hour, eased with a short walk and \
             the bridge exercises from the plan, then stiff again by the evening"
        ));
    }
    let template = f.analysis.flags.last().unwrap().clone();
    for k in 0..15 {
        f.analysis.flags.push(Flag {
            date: f.today.checked_sub((k * 3).days()).unwrap(),
            value: 0.96 + k as f64 / 100.0,
            ..template.clone()
        });
    }
    f.analysis.flags.sort_by_key(|fl| fl.date);
    let ad = f.adherence.as_mut().unwrap();
    let s = ad.sessions[4].clone();
    while ad.sessions.len() < 12 {
        ad.sessions.insert(0, s.clone());
    }
    let u = ad.unplanned[0].clone();
    ad.unplanned.extend([u.clone(), u]);
    f
}
