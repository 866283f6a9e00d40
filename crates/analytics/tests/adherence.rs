//! Tests of `adherence::check` on hand-built metrics: a session done as prescribed, missed,
//! longer, shorter, faster (with and without the strides allowance), hilly, a walk-jog whose
//! walks must not count as running, runs on rest days, and no easy pace to compare with. Not
//! here: how the plan picks its sessions (core's plan tests) or how metrics are computed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::adherence::{check, Adherence, DoneRun, Issue, Prescribed, SessionCheck};
use hamstride_analytics::metrics::{ActivityMetrics, METRICS_VERSION, SPEED_STEPS};
use hamstride_analytics::signals::{Signals, Thresholds};
use hamstride_export::words::{self, Units};
use jiff::civil::{date, Date};

/// The signal file's numbers, as shipped.
fn t() -> Thresholds {
    Signals::embedded().unwrap().t
}

/// A session's sentence, as the report and the terminal write it in kilometres.
fn text(s: &SessionCheck) -> String {
    words::session(s, Units::Km)
}

/// The adherence summary sentence.
fn summary(a: &Adherence) -> String {
    words::adherence_summary(a)
}

/// A run of `parts` (seconds, m/s), with its speed histogram; distance and duration summed.
fn run(parts: &[(f64, f64)]) -> ActivityMetrics {
    let mut speed_seconds = vec![0.0f32; SPEED_STEPS];
    let (mut dur, mut dist) = (0.0, 0.0);
    for &(s, v) in parts {
        speed_seconds[((v * 10.0) + 1e-6).floor() as usize] += s as f32;
        dur += s;
        dist += s * v;
    }
    ActivityMetrics {
        version: METRICS_VERSION,
        start_ms: 0,
        sport: "running".into(),
        is_run: true,
        duration_s: dur,
        distance_m: dist,
        ascent_m: 0.0,
        descent_m: 0.0,
        steep_up_s: 0.0,
        steep_down_s: 0.0,
        hr_seconds: Vec::new(),
        speed_seconds,
        best_10s_mps: None,
        bouts: Vec::new(),
        form: Vec::new(),
    }
}

fn easy(minutes: f64) -> ActivityMetrics {
    run(&[(minutes * 60.0, 3.0)])
}

fn day(n: i8) -> Date {
    // 3 Nov 2025 is a Monday.
    date(2025, 11, n)
}

fn session(d: i8, minutes: f64, strides: u32) -> Prescribed {
    Prescribed {
        date: day(d),
        stage_id: format!("easy-{minutes}"),
        stage_name: format!("Continuous easy run, {minutes} minutes"),
        running_minutes: minutes,
        strides,
    }
}

/// Three 30-minute runs at 2.9, 3.0 and 3.1 m/s before the plan: easy pace 3.0 m/s.
fn history() -> Vec<ActivityMetrics> {
    [2.9, 3.0, 3.1]
        .iter()
        .map(|&v| run(&[(1800.0, v)]))
        .collect()
}

fn done<'a>(id: i64, d: i8, m: &'a ActivityMetrics) -> DoneRun<'a> {
    DoneRun {
        id,
        date: day(d),
        metrics: m,
    }
}

fn before(h: &[ActivityMetrics]) -> Vec<DoneRun<'_>> {
    h.iter()
        .enumerate()
        .map(|(i, m)| DoneRun {
            id: 1000 + i as i64,
            date: date(2025, 10, 1 + i as i8),
            metrics: m,
        })
        .collect()
}

/// (case, prescribed session, the day's run, expected issues, text fragment)
type Case = (
    &'static str,
    Prescribed,
    Option<ActivityMetrics>,
    Vec<Issue>,
    &'static str,
);

#[test]
fn one_session_each_way() {
    let h = history();
    let hilly = {
        let mut m = easy(20.0);
        m.ascent_m = 100.0;
        m
    };
    let steep = {
        let mut m = easy(20.0);
        m.steep_up_s = 90.0;
        m.steep_down_s = 60.0;
        m
    };
    let cases: Vec<Case> = vec![
        (
            "as prescribed",
            session(3, 20.0, 0),
            Some(run(&[(1260.0, 2.9)])),
            vec![],
            "Mon 3 Nov (Continuous easy run, 20 minutes): done as prescribed (3.7 km, 21 min).",
        ),
        (
            "missed",
            session(3, 20.0, 0),
            None,
            vec![Issue::Missed],
            "Mon 3 Nov (Continuous easy run, 20 minutes): no run recorded.",
        ),
        (
            "longer",
            session(3, 20.0, 0),
            Some(easy(35.0)),
            vec![Issue::Longer],
            "ran 6.3 km where about 3.6 km was expected (6.3 km, 35 min).",
        ),
        (
            "shorter",
            session(3, 20.0, 0),
            Some(easy(10.0)),
            vec![Issue::Shorter],
            "ran 1.8 km where about 3.6 km was expected",
        ),
        (
            "faster, no strides",
            session(3, 20.0, 0),
            Some(run(&[(1080.0, 3.0), (120.0, 3.5)])),
            vec![Issue::Faster],
            "spent 2 min faster than your easy pace (",
        ),
        (
            "faster, within the strides allowance",
            session(3, 20.0, 4),
            Some(run(&[(1080.0, 3.0), (150.0, 3.5)])),
            vec![],
            "done as prescribed",
        ),
        (
            "faster, beyond the strides allowance",
            session(3, 20.0, 1),
            Some(run(&[(1080.0, 3.0), (150.0, 3.5)])),
            vec![Issue::Faster],
            "spent 2 min faster than your easy pace outside the strides (",
        ),
        (
            "fast for under a minute",
            session(3, 20.0, 0),
            Some(run(&[(1140.0, 3.0), (55.0, 4.0)])),
            vec![],
            "done as prescribed",
        ),
        (
            "hilly by ascent",
            session(3, 20.0, 0),
            Some(hilly),
            vec![Issue::Hilly],
            "climbed 100 m where flat was prescribed",
        ),
        (
            "hilly by steep minutes",
            session(3, 20.0, 0),
            Some(steep),
            vec![Issue::Hilly],
            "had 2 min on steep ground where flat was prescribed",
        ),
        (
            "longer and faster",
            session(3, 20.0, 0),
            Some(run(&[(1800.0, 3.0), (300.0, 3.6)])),
            vec![Issue::Longer, Issue::Faster],
            "ran 6.5 km where about 3.6 km was expected and spent 5 min faster than your easy pace",
        ),
    ];
    for (case, p, m, issues, fragment) in cases {
        let runs: Vec<DoneRun<'_>> = m.iter().map(|m| done(1, 3, m)).collect();
        let a = check(std::slice::from_ref(&p), &[], &runs, &before(&h), &t());
        assert_eq!(a.easy_mps, Some(3.0), "{case}");
        let s = &a.sessions[0];
        assert_eq!(s.issues, issues, "{case}: {}", text(s));
        assert!(text(s).contains(fragment), "{case}: {}", text(s));
        assert_eq!(s.expected_distance_m, Some(3600.0), "{case}");
        assert!((s.pace_ceiling_mps.unwrap() - 3.15).abs() < 1e-9, "{case}");
        assert_eq!(a.done, usize::from(m.is_some()), "{case}");
        assert_eq!(a.as_prescribed, usize::from(issues.is_empty()), "{case}");
        assert_eq!(s.activity_ids, if m.is_some() { vec![1] } else { vec![] });
    }
}

#[test]
fn walk_jog_walks_are_not_running() {
    // 6 × 1 min jogging at 2.8 m/s with 5 min warm-up, 6 × 1 min and 5 min cool-down walking:
    // 2.4 km in all, but only about 1.0 km of it running, as the 6 prescribed minutes expect.
    let h = history();
    let m = run(&[(360.0, 2.8), (960.0, 1.4)]);
    let p = Prescribed {
        date: day(4),
        stage_id: "walk-jog-1".into(),
        stage_name: "Walk-jog: 1 min jog, 1 min walk".into(),
        running_minutes: 6.0,
        strides: 0,
    };
    let a = check(&[p], &[], &[done(7, 4, &m)], &before(&h), &t());
    let s = &a.sessions[0];
    assert_eq!(s.issues, vec![], "{}", text(s));
    assert_eq!(
        text(s),
        "Tue 4 Nov (Walk-jog: 1 min jog, 1 min walk): done as prescribed (2.4 km, 22 min)."
    );
    assert_eq!(s.expected_distance_m, Some(1080.0));
}

#[test]
fn plan_so_far() {
    let h = history();
    let ok = easy(20.0);
    let long = easy(40.0);
    let walk = {
        let mut m = run(&[(1800.0, 1.4)]);
        m.sport = "walking".into();
        m.is_run = false;
        m
    };
    let rest_run = easy(15.0);
    // Given out of order: the check sorts by date.
    let plan = [
        session(7, 20.0, 0),
        session(3, 20.0, 0),
        session(5, 20.0, 0),
    ];
    let runs = [
        done(1, 3, &ok),
        done(1, 3, &ok), // the same activity twice: counted once
        done(2, 5, &long),
        done(3, 4, &rest_run),
        done(4, 6, &walk), // a walk on a rest day is fine
    ];
    let a = check(&plan, &[day(4), day(6)], &runs, &before(&h), &t());
    let dates: Vec<Date> = a.sessions.iter().map(|s| s.prescribed.date).collect();
    assert_eq!(dates, vec![day(3), day(5), day(7)]);
    assert_eq!(a.sessions[0].issues, vec![]);
    assert_eq!(a.sessions[0].activity_ids, vec![1]);
    assert!((a.sessions[0].distance_m - 3600.0).abs() < 1e-9);
    assert_eq!(a.sessions[1].issues, vec![Issue::Longer]);
    assert_eq!(a.sessions[2].issues, vec![Issue::Missed]);
    assert_eq!((a.done, a.as_prescribed), (2, 1));
    assert_eq!(a.unplanned.len(), 1);
    assert_eq!(a.unplanned[0].activity_id, 3);
    assert_eq!(a.unplanned[0].date, day(4));
    assert!((a.unplanned[0].distance_m - 2700.0).abs() < 1e-9);
    assert_eq!(
        summary(&a),
        "2 of 3 run sessions done, 1 as prescribed; 1 run on a day the plan said not to run."
    );

    // Two runs on one session day are summed.
    let half = easy(10.0);
    let a = check(
        &[session(3, 20.0, 0)],
        &[],
        &[done(1, 3, &half), done(2, 3, &half)],
        &before(&h),
        &t(),
    );
    assert_eq!(a.sessions[0].issues, vec![]);
    assert_eq!(a.sessions[0].activity_ids, vec![1, 2]);
    assert!((a.sessions[0].duration_s - 1200.0).abs() < 1e-9);
}

#[test]
fn no_easy_pace() {
    // Two runs before the plan, and a third too short to count: no easy pace.
    let h = vec![easy(30.0), easy(30.0), easy(8.0)];
    let ok = easy(22.0);
    let long = easy(40.0);
    let fast = run(&[(1200.0, 4.5)]);
    let short = easy(10.0);
    let plan = [
        session(3, 20.0, 0),
        session(5, 20.0, 0),
        session(7, 20.0, 0),
        session(9, 20.0, 0),
    ];
    let runs = [
        done(1, 3, &ok),
        done(2, 5, &long),
        done(3, 7, &fast),
        done(4, 9, &short),
    ];
    let a = check(&plan, &[], &runs, &before(&h), &t());
    assert_eq!(a.easy_mps, None);
    let issues: Vec<Vec<Issue>> = a.sessions.iter().map(|s| s.issues.clone()).collect();
    // Pace is not checked: the fast run is as prescribed by time.
    assert_eq!(
        issues,
        vec![vec![], vec![Issue::Longer], vec![], vec![Issue::Shorter]]
    );
    assert!(a.sessions.iter().all(|s| s.expected_distance_m.is_none()));
    assert!(a.sessions.iter().all(|s| s.pace_ceiling_mps.is_none()));
    assert!(
        text(&a.sessions[1]).contains("ran about 40 min where 20 min was prescribed"),
        "{}",
        text(&a.sessions[1])
    );
    assert_eq!(
        summary(&a),
        "4 of 4 run sessions done, 2 as prescribed (pace not checked: fewer than 3 runs before \
         the plan to learn your easy pace)."
    );

    // Without a speed histogram the whole run counts, with slack for the walks around it.
    let mut no_speed = easy(33.0);
    no_speed.speed_seconds.clear();
    let a = check(
        &[session(3, 20.0, 0)],
        &[],
        &[done(1, 3, &no_speed)],
        &[],
        &t(),
    );
    assert_eq!(a.sessions[0].issues, vec![]);
    let mut no_speed = easy(45.0);
    no_speed.speed_seconds.clear();
    let a = check(
        &[session(3, 20.0, 0)],
        &[],
        &[done(1, 3, &no_speed)],
        &[],
        &t(),
    );
    assert_eq!(a.sessions[0].issues, vec![Issue::Longer]);
}

#[test]
fn nothing_due() {
    let a = check(&[], &[], &[], &[], &t());
    assert_eq!(summary(&a), "No return-to-run sessions were due yet.");
    assert_eq!((a.done, a.as_prescribed), (0, 0));
    let m = easy(20.0);
    let a = check(&[], &[day(3)], &[done(1, 3, &m), done(2, 3, &m)], &[], &t());
    assert_eq!(
        summary(&a),
        "No return-to-run sessions were due yet; 2 runs on days the plan said not to run."
    );
    assert_eq!(a.unplanned.len(), 2);
}

#[test]
fn odd_values_do_not_break_the_check() {
    let mut m = easy(20.0);
    m.distance_m = f64::NAN;
    m.duration_s = f64::INFINITY;
    m.ascent_m = -5.0;
    let h = vec![m.clone(), m.clone(), m.clone()];
    let p = Prescribed {
        running_minutes: f64::NAN,
        ..session(3, 20.0, 0)
    };
    let a = check(&[p], &[day(3)], &[done(1, 3, &m)], &before(&h), &t());
    assert_eq!(a.easy_mps, None);
    assert_eq!(a.sessions.len(), 1);
    assert!(a.sessions[0].distance_m.is_finite());
    assert!(a.sessions[0].duration_s.is_finite());
    assert!(a.unplanned.is_empty(), "a planned day is never a rest day");
}
