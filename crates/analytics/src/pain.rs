//! The pain diary and what it shows against load. A diary entry is for one local day (and
//! optionally one run): site, side, pain during, straight after and the next morning (0–10),
//! how long sitting is comfortable, and notes. The analysis relates pain to the load features
//! of the same day and the days before (lags 0 to `max_lag_days`, 2): next-morning pain is the response to the
//! day's load (the Silbernagel 24-hour rule, brief 4.5), during/after pain to the same run.
//!
//! It says what it finds and how sure it can be, as typed notes ([`PainNote`]; the words are
//! `hamstride_export::words::pain_note`): below `min_days` paired days it is too early; otherwise a Spearman rank correlation with an approximate 95% range
//! (Fisher z, SE = 1.06/√(n−3) for ranks), and "no clear link" when that range spans zero or
//! the correlation is weaker than a moderate `min_rho` (0.3).
//! Correlation in one runner's diary is a clue, not a cause, and the words say so.
//!
//! The choices (lags, the weakest correlation worth a sentence, how many links are shown,
//! what counts as a steady trend) are `[constants.pain]` of `kb/signals.toml`, read from
//! [`Signals`]. What stays here is mathematics: the 1.06 factor, the 1.96 of a 95% range,
//! the 4 pairs that n − 3 > 0 needs, and the 0–10 bound of the pain scale.
//!
//! The 1.06 factor is Fieller, Hartley and Pearson's (1957) standard error for Spearman's ρ,
//! the one Bonett and Wright (2000) recommend for small samples; the range is clamped to
//! [−1, 1]. A pairing is only computed from `min_days` pairs on, and not at all when either
//! side is constant (ρ is undefined then).

use crate::form::Side;
use crate::series::Day;
use crate::signals::Signals;
use jiff::civil::Date;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One diary entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainEntry {
    pub date: Date,
    /// The run it is about, when it is about one.
    pub activity_id: Option<i64>,
    /// Where: "sit_bone", "mid_thigh", "behind_knee", "buttock", "whole_back_of_thigh".
    pub site: Option<String>,
    pub side: Option<Side>,
    pub during: Option<u8>,
    pub after: Option<u8>,
    /// The morning after `date`.
    pub next_morning: Option<u8>,
    /// Minutes of comfortable sitting.
    pub sitting_min: Option<u32>,
    pub notes: Option<String>,
}

/// A load feature related to pain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    Distance,
    Duration,
    HighSpeed,
    Ascent,
    Load,
}

/// Which pain score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    During,
    After,
    NextMorning,
}

/// One feature–score–lag pairing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub feature: Feature,
    pub score: Score,
    /// Days between the load and the day the score is about (0 = same day).
    pub lag: u8,
    pub n: usize,
    pub rho: f64,
    pub low: f64,
    pub high: f64,
    /// True when the 95% range excludes zero.
    pub clear: bool,
}

/// How sure the diary analysis can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Fewer paired days than `min_days`.
    TooFewDays,
    /// Enough days, no clear link.
    NoClearLink,
    /// At least one clear link (still a correlation in one person's diary).
    Tentative,
}

/// The diary analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainAnalysis {
    /// Diary days with at least one score.
    pub days: usize,
    pub certainty: Certainty,
    /// Every pairing computed (empty when too few days), strongest first.
    pub links: Vec<Link>,
    /// What the diary shows, most useful first.
    pub notes: Vec<PainNote>,
}

/// One finding of the diary analysis, with its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PainNote {
    /// Fewer scored diary days (`days`), or fewer of them within the imported runs
    /// (`paired`), than the `min_days` a pattern needs.
    TooFewDays {
        days: usize,
        paired: usize,
        min_days: usize,
    },
    /// A clear link (one per feature and score, the strongest few).
    Link(Link),
    /// How many pairings were looked at, so one can look linked by chance.
    ManyPairings { pairings: usize },
    /// Enough days, and no clear link.
    NoClearLink { days: usize },
    /// Mean next-morning pain in the first and the last diary week.
    MorningTrend {
        first_week: f64,
        last_week: f64,
        trend: Trend,
    },
    /// Mean comfortable sitting minutes in the first and the last diary week.
    SittingTrend {
        first_week: f64,
        last_week: f64,
        trend: Trend,
    },
}

/// Which way a diary value went, for the runner (less pain, longer sitting: better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// A change too small to tell apart.
    Steady,
    Better,
    Worse,
}

/// Relate the diary to the daily series. Entries for the same day are merged (the highest
/// score of each kind).
///
/// For a diary day D, lag L pairs D's scores with the series day D − L (next-morning pain is
/// about the morning after D, so lag 0 is the load of the day before that morning). Diary days
/// the series does not cover are left out of that pairing.
pub fn analyse(entries: &[PainEntry], days: &[Day], signals: &Signals) -> PainAnalysis {
    let diary = merged(entries);
    let scored: Vec<&PainEntry> = diary
        .iter()
        .filter(|e| Score::ALL.iter().any(|&s| score(e, s).is_some()))
        .collect();
    let t = &signals.t;
    let min_days = min_days(t.pain_min_days);
    // Whole numbers, checked at load; the clamps only keep the casts total.
    let max_lag = t.pain_max_lag_days.clamp(0.0, 255.0) as u8;
    let max_shown = t.pain_max_links_shown.clamp(0.0, 1e6) as usize;
    let mut by_date: BTreeMap<Date, &Day> = BTreeMap::new();
    for d in days {
        // A duplicated day in the series is a caller bug; the first one wins, deterministically.
        by_date.entry(d.date).or_insert(d);
    }

    let mut links = Vec::new();
    let mut paired_days = 0;
    for &sc in &Score::ALL {
        for lag in 0..=max_lag {
            for &feature in &Feature::ALL {
                let (x, y) = pairs(&scored, &by_date, feature, sc, lag);
                paired_days = paired_days.max(x.len());
                if x.len() < min_days.max(MIN_PAIRS) {
                    continue;
                }
                let Some(rho) = spearman(&x, &y) else {
                    continue;
                };
                let Some((low, high)) = range95(rho, x.len()) else {
                    continue;
                };
                links.push(Link {
                    feature,
                    score: sc,
                    lag,
                    n: x.len(),
                    rho,
                    low,
                    high,
                    // Below `min_rho` a range that excludes zero (hundreds of diary days) still
                    // says nothing a runner could act on.
                    clear: (low > 0.0 || high < 0.0) && rho.abs() >= t.pain_min_rho,
                });
            }
        }
    }
    // Stable sort over a fixed generation order (score, lag, feature): ties stay deterministic.
    links.sort_by(|a, b| b.rho.abs().total_cmp(&a.rho.abs()));

    let mut notes = Vec::new();
    let certainty = if scored.len() < min_days || paired_days < min_days {
        links.clear();
        notes.push(PainNote::TooFewDays {
            days: scored.len(),
            paired: paired_days,
            min_days,
        });
        Certainty::TooFewDays
    } else if links.iter().any(|l| l.clear) {
        let mut shown: Vec<(Feature, Score)> = Vec::new();
        for l in links.iter().filter(|l| l.clear) {
            if shown.len() >= max_shown {
                break;
            }
            if shown.contains(&(l.feature, l.score)) {
                continue;
            }
            shown.push((l.feature, l.score));
            notes.push(PainNote::Link(l.clone()));
        }
        notes.push(PainNote::ManyPairings {
            pairings: links.len(),
        });
        Certainty::Tentative
    } else {
        notes.push(PainNote::NoClearLink { days: scored.len() });
        Certainty::NoClearLink
    };
    notes.extend(trends(&diary, t));

    PainAnalysis {
        days: scored.len(),
        certainty,
        links,
        notes,
    }
}

/// Mean next-morning pain per week, keyed by the week's Monday: each day's entries merged
/// first (the day's highest score, as [`merged`] does), then the days averaged. The one
/// definition `status` and the report both show, so they cannot disagree.
pub fn weekly_morning(entries: &[PainEntry]) -> BTreeMap<Date, f64> {
    let mut sums: BTreeMap<Date, (f64, u32)> = BTreeMap::new();
    for e in merged(entries) {
        if let Some(v) = e.next_morning {
            let back = i64::from(e.date.weekday().to_monday_zero_offset());
            let monday = e.date.saturating_sub(jiff::Span::new().days(back));
            let s = sums.entry(monday).or_default();
            // Scores are 0–10; anything above is a data error, capped so charts stay in range.
            s.0 += f64::from(v.min(10));
            s.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(w, (sum, n))| (w, sum / f64::from(n)))
        .collect()
}

/// The diary with one entry per day, oldest first: the highest score of each kind, the
/// shortest comfortable sitting, and the first site, side and run given that day; notes are
/// joined.
pub fn merged(entries: &[PainEntry]) -> Vec<PainEntry> {
    let mut by_date: BTreeMap<Date, PainEntry> = BTreeMap::new();
    for e in entries {
        match by_date.get_mut(&e.date) {
            None => {
                by_date.insert(e.date, e.clone());
            }
            Some(m) => {
                m.activity_id = m.activity_id.or(e.activity_id);
                if m.site.is_none() {
                    m.site.clone_from(&e.site);
                }
                m.side = m.side.or(e.side);
                m.during = m.during.max(e.during);
                m.after = m.after.max(e.after);
                m.next_morning = m.next_morning.max(e.next_morning);
                m.sitting_min = match (m.sitting_min, e.sitting_min) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                m.notes = match (m.notes.take(), &e.notes) {
                    (Some(a), Some(b)) if !b.is_empty() && a != *b => Some(format!("{a}; {b}")),
                    (None, b) => b.clone(),
                    (a, _) => a,
                };
            }
        }
    }
    by_date.into_values().collect()
}

/// Spearman's rank correlation with average ranks for ties; `None` when the lengths differ,
/// fewer than 2 pairs, a value is not finite or either side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    let mut syy = 0.0;
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    // Ranks are multiples of 0.5, so a constant side gives exactly 0, not a rounding residue.
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// The approximate 95% range of Spearman's ρ from `n` pairs: Fisher z = atanh ρ, standard
/// error 1.06/√(n − 3), back-transformed. `None` below 4 pairs or for a non-finite ρ.
pub fn range95(rho: f64, n: usize) -> Option<(f64, f64)> {
    if n < MIN_PAIRS || !rho.is_finite() {
        return None;
    }
    // ρ = ±1 would put z at infinity and collapse the range to a point.
    let r = rho.clamp(-MAX_RHO, MAX_RHO);
    let z = r.atanh();
    // Fieller, Hartley and Pearson's factor for ranks: a formula constant, not a choice.
    let se = 1.06 / ((n - 3) as f64).sqrt();
    let low = (z - Z95 * se).tanh().clamp(-1.0, 1.0);
    let high = (z + Z95 * se).tanh().clamp(-1.0, 1.0);
    Some((low, high))
}

impl Feature {
    pub const ALL: [Feature; 5] = [
        Feature::Distance,
        Feature::Duration,
        Feature::HighSpeed,
        Feature::Ascent,
        Feature::Load,
    ];
}

impl Score {
    pub const ALL: [Score; 3] = [Score::During, Score::After, Score::NextMorning];
}

// Mathematics, not choices, so not in `[constants.pain]`:
/// The z range needs n − 3 > 0.
const MIN_PAIRS: usize = 4;
/// The two-sided 95% point of the normal distribution.
const Z95: f64 = 1.959_964;
/// Keeps atanh finite at ρ = ±1.
const MAX_RHO: f64 = 1.0 - 1e-9;

fn min_days(x: f64) -> usize {
    if x.is_finite() && x > 0.0 {
        x.ceil().min(1e9) as usize
    } else {
        0
    }
}

fn score(e: &PainEntry, s: Score) -> Option<u8> {
    match s {
        Score::During => e.during,
        Score::After => e.after,
        Score::NextMorning => e.next_morning,
    }
}

fn feature(d: &Day, f: Feature) -> f64 {
    match f {
        Feature::Distance => d.distance_m / 1000.0,
        Feature::Duration => d.duration_s / 60.0,
        Feature::HighSpeed => d.high_speed_m,
        Feature::Ascent => d.ascent_m,
        Feature::Load => d.load,
    }
}

/// (load feature, score) pairs for one pairing, oldest diary day first.
fn pairs(
    diary: &[&PainEntry],
    by_date: &BTreeMap<Date, &Day>,
    f: Feature,
    s: Score,
    lag: u8,
) -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for e in diary {
        let Some(v) = score(e, s) else {
            continue;
        };
        let Ok(load_day) = e
            .date
            .checked_sub(SignedDuration::from_secs(i64::from(lag) * 86_400))
        else {
            continue;
        };
        let Some(day) = by_date.get(&load_day) else {
            continue;
        };
        let fv = feature(day, f);
        if fv.is_finite() {
            x.push(fv);
            y.push(f64::from(v));
        }
    }
    (x, y)
}

/// Average ranks, 1-based.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        // Positions i..=j (0-based) share the mean of ranks i+1..=j+1.
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = r;
        }
        i = j + 1;
    }
    out
}

/// First-week and last-week means of a diary value (weeks of `week_days`), when its entries
/// span two such weeks or more.
fn first_last_week(
    diary: &[PainEntry],
    week_days: i64,
    value: impl Fn(&PainEntry) -> Option<f64>,
) -> Option<(f64, f64)> {
    let vals: Vec<(Date, f64)> = diary
        .iter()
        .filter_map(|e| value(e).filter(|v| v.is_finite()).map(|v| (e.date, v)))
        .collect();
    let (first, last) = (vals.first()?.0, vals.last()?.0);
    let span = first.until(last).ok()?.get_days();
    // Two whole weeks, first and last day included: 14 days apart by 13.
    if i64::from(span) < 2 * week_days - 1 {
        return None;
    }
    let mean = |keep: &dyn Fn(Date) -> bool| {
        let v: Vec<f64> = vals.iter().filter(|(d, _)| keep(*d)).map(|p| p.1).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let week = SignedDuration::from_secs(week_days * 86_400);
    let week_after_first = first.checked_add(week).ok()?;
    let week_before_last = last.checked_sub(week).ok()?;
    let a = mean(&|d| d < week_after_first)?;
    let b = mean(&|d| d > week_before_last)?;
    Some((a, b))
}

/// The first-week against last-week trends of next-morning pain and comfortable sitting.
fn trends(diary: &[PainEntry], t: &crate::signals::Thresholds) -> Vec<PainNote> {
    let mut out = Vec::new();
    // A whole number of days, checked at load; the clamp only keeps the cast total.
    let week_days = t.pain_trend_week_days.clamp(1.0, 1e6) as i64;
    if let Some((a, b)) = first_last_week(diary, week_days, |e| e.next_morning.map(f64::from)) {
        let trend = if (b - a).abs() < t.pain_morning_steady_points {
            Trend::Steady
        } else if b < a {
            Trend::Better
        } else {
            Trend::Worse
        };
        out.push(PainNote::MorningTrend {
            first_week: a,
            last_week: b,
            trend,
        });
    }
    if let Some((a, b)) = first_last_week(diary, week_days, |e| e.sitting_min.map(f64::from)) {
        let trend = if (b - a).abs() < t.pain_sitting_steady_min {
            Trend::Steady
        } else if b > a {
            Trend::Better
        } else {
            Trend::Worse
        };
        out.push(PainNote::SittingTrend {
            first_week: a,
            last_week: b,
            trend,
        });
    }
    out
}
