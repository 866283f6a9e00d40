//! The pain diary against load, with hand-computed expectations: Spearman's ρ on small
//! hand-ranked examples (ties get average ranks), the Fisher-z 95% range for a given n, the
//! "too few days" message, lag alignment (a load on D − 1 pairs with D's next-morning pain at
//! lag 1), merging of same-day entries, constant series skipped, the weekly trend lines, and
//! no panic on odd input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hamstride_analytics::form::Side;
use hamstride_analytics::pain::{
    analyse, merged, range95, spearman, Certainty, Feature, PainAnalysis, PainEntry, Score,
};
use hamstride_analytics::series::Day;
use hamstride_analytics::signals::Signals;
use hamstride_export::words;
use jiff::civil::{date, Date};
use jiff::Span;

/// The analysis's notes as the report and the terminal write them.
fn summary(a: &PainAnalysis) -> Vec<String> {
    a.notes.iter().map(words::pain_note).collect()
}

const START: Date = date(2025, 3, 3);

fn day_n(n: i64) -> Date {
    START.checked_add(Span::new().days(n)).unwrap()
}

fn signals() -> Signals {
    Signals::embedded().unwrap()
}

fn signals_min_days(min: f64) -> Signals {
    let mut s = signals();
    s.t.pain_min_days = min;
    s
}

fn day(date: Date, distance_km: f64) -> Day {
    Day {
        date,
        runs: u32::from(distance_km > 0.0),
        distance_m: distance_km * 1000.0,
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
    }
}

fn entry(date: Date) -> PainEntry {
    PainEntry {
        date,
        activity_id: None,
        site: None,
        side: None,
        during: None,
        after: None,
        next_morning: None,
        sitting_min: None,
        notes: None,
    }
}

fn morning(date: Date, score: u8) -> PainEntry {
    PainEntry {
        next_morning: Some(score),
        ..entry(date)
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() < tol
}

#[test]
fn spearman_by_hand() {
    // (x, y, ρ)
    let rows: [(&[f64], &[f64], Option<f64>); 6] = [
        // No ties: d = rank x − rank y = −1, 1, −1, 1, 0; Σd² = 4;
        // ρ = 1 − 6 × 4 / (5 × (25 − 1)) = 1 − 24/120 = 0.8.
        (
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[2.0, 1.0, 4.0, 3.0, 5.0],
            Some(0.8),
        ),
        // A tie in x: ranks x = 1, 2.5, 2.5, 4; y = 1, 2, 3, 4; both mean 2.5.
        // Σ dx·dy = 2.25 + 0 + 0 + 2.25 = 4.5; Σ dx² = 4.5; Σ dy² = 2.25 + 0.25 + 0.25 + 2.25
        // = 5; ρ = 4.5 / √(4.5 × 5) = 4.5 / √22.5 = √0.9 = 0.948683.
        (
            &[1.0, 2.0, 2.0, 3.0],
            &[1.0, 2.0, 3.0, 4.0],
            Some(0.948_683),
        ),
        // Ties on both sides: ranks x = 1.5, 1.5, 3, 4.5, 4.5; y = 1, 2.5, 2.5, 4, 5; means 3.
        // dx = −1.5, −1.5, 0, 1.5, 1.5; dy = −2, −0.5, −0.5, 1, 2.
        // Σ dx·dy = 3 + 0.75 + 0 + 1.5 + 3 = 8.25; Σ dx² = 9; Σ dy² = 4 + 0.25 + 0.25 + 1 + 4
        // = 9.5; ρ = 8.25 / √85.5 = 0.892218.
        (
            &[1.0, 1.0, 2.0, 3.0, 3.0],
            &[1.0, 2.0, 2.0, 3.0, 4.0],
            Some(0.892_218),
        ),
        // Reversed order: ρ = −1.
        (&[1.0, 2.0, 3.0], &[30.0, 20.0, 10.0], Some(-1.0)),
        // One side constant: ρ undefined.
        (&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0], None),
        // Not finite: refused.
        (&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0], None),
    ];
    for (x, y, want) in rows {
        let got = spearman(x, y);
        match (got, want) {
            (Some(g), Some(w)) => assert!(close(g, w, 1e-6), "{x:?} {y:?}: {g} != {w}"),
            (g, w) => assert_eq!(g, w, "{x:?} {y:?}"),
        }
    }
    assert_eq!(spearman(&[1.0, 2.0], &[1.0]), None);
    assert_eq!(spearman(&[], &[]), None);
}

#[test]
fn range_by_hand() {
    // (ρ, n, low, high): z = atanh ρ, SE = 1.06 / √(n − 3), range tanh(z ± 1.96 SE).
    let rows = [
        // atanh 0.8 = 1.098612; SE = 1.06 / 3 = 0.353333; 1.96 × SE = 0.692521;
        // tanh(0.406091) = 0.385149, tanh(1.791134) = 0.945880.
        (0.8, 12, 0.385_149, 0.945_880),
        // n = 5: SE = 1.06 / √2 = 0.749533; 1.96 × SE = 1.469055;
        // tanh(−0.370443) = −0.354382, tanh(2.567667) = 0.988299. Spans 0: not clear.
        (0.8, 5, -0.354_382, 0.988_299),
        // Symmetric for a negative ρ.
        (-0.8, 12, -0.945_880, -0.385_149),
        // ρ = 0: z = 0; n = 28 → SE = 1.06 / 5 = 0.212; tanh(±0.415512) = ±0.393137.
        (0.0, 28, -0.393_137, 0.393_137),
    ];
    for (rho, n, low, high) in rows {
        let (l, h) = range95(rho, n).unwrap();
        assert!(close(l, low, 1e-5), "{rho} {n}: low {l}");
        assert!(close(h, high, 1e-5), "{rho} {n}: high {h}");
    }
    assert_eq!(range95(0.5, 3), None, "n − 3 must be positive");
    assert_eq!(range95(f64::NAN, 10), None);
    let (l, h) = range95(1.0, 10).unwrap();
    assert!(l.is_finite() && h <= 1.0 && l <= h);
}

#[test]
fn tiny_example_through_the_analysis() {
    // Five consecutive diary days with next-morning pain 2, 1, 4, 3, 5 after 1..5 km on the
    // same days: ρ = 0.8 (as above), n = 5, range −0.354 to 0.988 → not clear. Lags 1 and 2
    // have only 4 and 3 pairs (the series starts on the first diary day): below min_days 5.
    let days: Vec<Day> = (0..5).map(|i| day(day_n(i), (i + 1) as f64)).collect();
    let diary: Vec<PainEntry> = [2, 1, 4, 3, 5]
        .iter()
        .enumerate()
        .map(|(i, &s)| morning(day_n(i as i64), s))
        .collect();
    let a = analyse(&diary, &days, &signals_min_days(5.0));
    assert_eq!(a.days, 5);
    assert_eq!(a.certainty, Certainty::NoClearLink);
    assert_eq!(a.links.len(), 1, "{:#?}", a.links);
    let l = &a.links[0];
    assert_eq!(
        (l.feature, l.score, l.lag, l.n),
        (Feature::Distance, Score::NextMorning, 0, 5)
    );
    assert!(close(l.rho, 0.8, 1e-12));
    assert!(close(l.low, -0.354_382, 1e-5) && close(l.high, 0.988_299, 1e-5));
    assert!(!l.clear);
    assert_eq!(
        summary(&a),
        vec![
            "Across 5 diary days, no clear link between your pain and the load of the same or \
             previous two days."
                .to_string()
        ]
    );
}

#[test]
fn too_few_days_says_so() {
    let days: Vec<Day> = (0..10).map(|i| day(day_n(i), i as f64)).collect();
    // Six scored days; a seventh entry only has sitting time and does not count.
    let mut diary: Vec<PainEntry> = (0..6).map(|i| morning(day_n(i), (i % 3) as u8)).collect();
    diary.push(PainEntry {
        sitting_min: Some(30),
        ..entry(day_n(7))
    });
    let a = analyse(&diary, &days, &signals());
    assert_eq!(a.days, 6);
    assert_eq!(a.certainty, Certainty::TooFewDays);
    assert!(a.links.is_empty());
    assert_eq!(
        summary(&a)[0],
        "6 diary days so far: too few to see a pattern. About 10 days with scores are needed, \
         more is better; keep logging pain the morning after runs."
    );

    // Ten scored days, but the series (the imported history) covers only 3 of them.
    let diary: Vec<PainEntry> = (0..10).map(|i| morning(day_n(i), i as u8)).collect();
    let a = analyse(&diary, &days[7..], &signals());
    assert_eq!(a.certainty, Certainty::TooFewDays);
    assert_eq!(
        summary(&a)[0],
        "10 diary days so far, but only 3 fall within your imported runs: too few to see a \
         pattern. About 10 days with scores are needed, more is better; keep logging pain the \
         morning after runs."
    );
}

#[test]
fn a_load_the_day_before_pairs_at_lag_1() {
    // Diary days every third day (D = day 3, 6, ..., 36); distance only on D − 1 (1..12 km),
    // none on D and D − 2. Next-morning pain 1..10, 12, 11: one swapped pair, so
    // Σd² = 1 + 1 = 2 and ρ = 1 − 6 × 2 / (12 × 143) = 1 − 12/1716 = 0.993007.
    // Range: atanh = 2.826245, SE = 1.06/3, tanh(2.826245 ∓ 0.692521) = 0.972353 … 0.998245.
    // Lags 0 and 2 see zero distance every time: constant, skipped.
    let pain = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 11];
    let mut days: Vec<Day> = (0..40).map(|i| day(day_n(i), 0.0)).collect();
    let mut diary = Vec::new();
    for (i, &p) in pain.iter().enumerate() {
        let d = 3 * (i as i64 + 1);
        days[(d - 1) as usize].distance_m = (i as f64 + 1.0) * 1000.0;
        diary.push(morning(day_n(d), p));
    }
    let a = analyse(&diary, &days, &signals());
    assert_eq!(a.certainty, Certainty::Tentative);
    assert_eq!(a.links.len(), 1, "{:#?}", a.links);
    let l = &a.links[0];
    assert_eq!(
        (l.feature, l.score, l.lag, l.n),
        (Feature::Distance, Score::NextMorning, 1, 12)
    );
    assert!(close(l.rho, 0.993_007, 1e-6));
    assert!(close(l.low, 0.972_353, 1e-5) && close(l.high, 0.998_245, 1e-5));
    assert!(l.clear);
    assert_eq!(
        summary(&a)[0],
        "Next-morning pain tended to be higher two mornings after days with more distance \
         (ρ = 0.99, likely between 0.97 and 1.00, 12 days). This is a pattern in your diary, not \
         proof that distance causes the pain."
    );
}

#[test]
fn strongest_lag_per_feature_and_score_is_shown_once() {
    // Distance rises on every day (1..30 km) and next-morning pain rises with it, so lags 0,
    // 1 and 2 are all clear for distance; only the strongest gets a sentence.
    let days: Vec<Day> = (0..30).map(|i| day(day_n(i), (i + 1) as f64)).collect();
    let diary: Vec<PainEntry> = (2..30).map(|i| morning(day_n(i), (i / 3) as u8)).collect();
    let a = analyse(&diary, &days, &signals());
    assert_eq!(a.certainty, Certainty::Tentative);
    let distance_lags: Vec<u8> = a
        .links
        .iter()
        .filter(|l| l.feature == Feature::Distance)
        .map(|l| l.lag)
        .collect();
    assert_eq!(distance_lags.len(), 3);
    let mentions = summary(&a)
        .iter()
        .filter(|s| s.contains("distance"))
        .count();
    assert_eq!(mentions, 1, "{:#?}", summary(&a));
    // Sorted strongest first.
    for w in a.links.windows(2) {
        assert!(w[0].rho.abs() >= w[1].rho.abs());
    }
}

#[test]
fn same_day_entries_merge() {
    let d1 = day_n(1);
    let d2 = day_n(2);
    let entries = vec![
        PainEntry {
            during: Some(2),
            next_morning: Some(3),
            sitting_min: Some(30),
            site: Some("sit_bone".into()),
            notes: Some("hill reps".into()),
            ..entry(d2)
        },
        morning(d1, 1),
        PainEntry {
            after: Some(4),
            next_morning: Some(5),
            sitting_min: Some(20),
            side: Some(Side::Left),
            activity_id: Some(7),
            notes: Some("sore on the drive".into()),
            ..entry(d2)
        },
    ];
    let m = merged(&entries);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].date, d1);
    let e = &m[1];
    // Highest of each score, shortest comfortable sitting, the first site/side/run given.
    assert_eq!(
        (e.during, e.after, e.next_morning, e.sitting_min),
        (Some(2), Some(4), Some(5), Some(20))
    );
    assert_eq!(e.site.as_deref(), Some("sit_bone"));
    assert_eq!((e.side, e.activity_id), (Some(Side::Left), Some(7)));
    assert_eq!(e.notes.as_deref(), Some("hill reps; sore on the drive"));

    // The analysis counts days, not entries.
    let a = analyse(&entries, &[], &signals());
    assert_eq!(a.days, 2);
}

#[test]
fn constant_series_are_skipped() {
    // Pain 3 every morning: ρ undefined for every pairing; nothing to show, not an error.
    let days: Vec<Day> = (0..15).map(|i| day(day_n(i), i as f64)).collect();
    let diary: Vec<PainEntry> = (0..12).map(|i| morning(day_n(i), 3)).collect();
    let a = analyse(&diary, &days, &signals());
    assert!(a.links.is_empty());
    assert_eq!(a.certainty, Certainty::NoClearLink);
    assert_eq!(
        summary(&a)[0],
        "Across 12 diary days, no clear link between your pain and the load of the same or \
         previous two days."
    );
}

#[test]
fn weekly_trend_lines() {
    // Next-morning pain on days 0, 2, 4, 6 (first week: before day 7) = 4, 4, 3, 3 → 3.5;
    // days 14, 16, 18, 20 (last week: after day 13) = 2, 2, 1, 1 → 1.5: easing.
    // Sitting 20, 20, 30, 30 → 25 min, then 40, 50, 50, 60 → 50 min: improving.
    let scores = [(0, 4, 20), (2, 4, 20), (4, 3, 30), (6, 3, 30)];
    let later = [(14, 2, 40), (16, 2, 50), (18, 1, 50), (20, 1, 60)];
    let diary: Vec<PainEntry> = scores
        .iter()
        .chain(&later)
        .map(|&(d, p, s)| PainEntry {
            sitting_min: Some(s),
            ..morning(day_n(d), p)
        })
        .collect();
    let a = analyse(&diary, &[], &signals());
    assert_eq!(a.certainty, Certainty::TooFewDays);
    assert_eq!(
        summary(&a)[1..],
        [
            "Next-morning pain averaged 3.5 in your first diary week and 1.5 in the last: easing."
                .to_string(),
            "Comfortable sitting averaged 25 min in your first diary week and 50 min in the \
             last: improving."
                .to_string(),
        ]
    );

    // Under two weeks of entries: no trend line.
    let short: Vec<PainEntry> = (0..10).map(|i| morning(day_n(i), 2)).collect();
    let a = analyse(&short, &[], &signals());
    assert_eq!(summary(&a).len(), 1);
}

#[test]
fn odd_input_never_panics() {
    let s = signals();
    let _ = analyse(&[], &[], &s);
    let mut nan_day = day(day_n(0), f64::NAN);
    nan_day.load = f64::INFINITY;
    let days = vec![
        nan_day.clone(),
        nan_day,
        day(day_n(1), 3.0),
        day(Date::MIN, 1.0),
    ];
    let diary = vec![
        morning(Date::MIN, 255),
        morning(Date::MAX, 0),
        morning(day_n(0), 10),
        morning(day_n(0), 10),
    ];
    let a = analyse(&diary, &days, &s);
    assert_eq!(a.days, 3);
    let mut zero = signals();
    zero.t.pain_min_days = 0.0;
    let _ = analyse(&diary, &days, &zero);
}

#[test]
fn a_negligible_correlation_is_no_clear_link_however_many_days() {
    // 400 days where pain follows distance only faintly: 1 in 12 days has pain 3 after a
    // long day, the rest pain 1 whatever the distance. ρ is small but its range excludes 0.
    let d0 = jiff::civil::date(2025, 1, 1);
    let mut days = Vec::new();
    let mut entries = Vec::new();
    for k in 0..400i64 {
        let date = d0.checked_add(jiff::Span::new().days(k)).unwrap();
        let km = if k % 2 == 0 { 12.0 } else { 6.0 };
        days.push(day(date, km));
        let pain = if k % 24 == 0 { 3 } else { 1 };
        entries.push(morning(date, pain));
    }
    let a = analyse(&entries, &days, &signals());
    assert!(
        a.links
            .iter()
            .all(|l| !l.clear || l.rho.abs() >= signals().t.pain_min_rho),
        "{:?}",
        a.links.first()
    );
    assert_eq!(a.certainty, Certainty::NoClearLink, "{:?}", summary(&a));
}
