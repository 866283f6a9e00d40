//! The one voice of hamstride's training texts: every sentence about a load flag or a plan
//! session is written here, from the typed values the analysis returns (codes and numbers in
//! SI units), in the runner's units. The HTML report and the terminal both call these
//! functions, so a flag reads the same in both and a report in miles never says "km".
//!
//! The plan's check-in decisions, reasons and changes, standing referrals and timeline reasons
//! are worded here too (`verdict`, `plan_reason`, `plan_change`, `referred`,
//! `timeline_reason`), for the terminal, the plan's JSON, the Markdown export and the report.
//!
//! One function per code, one template each. Wording rules: association language ("linked
//! with", never "will cause"), the evidence grade at the end of every flag, plain words. Not
//! here: escaping (the report escapes what it writes) or layout.

use hamstride_analytics::adherence::{Adherence, Issue, LengthBasis, SessionCheck};
use hamstride_analytics::form::{FormMetric, FormReport, FormStatus, MetricReport, Side};
use hamstride_analytics::pain::{Feature, Link, PainNote, Score, Trend};
use hamstride_analytics::series::{Flag, FlagDetail, Level, Since};
use hamstride_core::plan::library::Criterion;
use hamstride_core::plan::{Change, Reason, Referral, Referred, TimelineReason};
use jiff::civil::Date;
use serde::Serialize;

/// Distance unit for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Km,
    Mi,
}

impl Units {
    /// The distance unit's symbol.
    pub fn dist_unit(self) -> &'static str {
        match self {
            Units::Km => "km",
            Units::Mi => "mi",
        }
    }

    /// Metres in the display unit (the international mile, 1609.344 m).
    pub fn dist(self, m: f64) -> f64 {
        match self {
            Units::Km => m / 1000.0,
            Units::Mi => m / 1609.344,
        }
    }

    /// The elevation unit's symbol: feet go with miles, as on the runners' own watches.
    pub fn elev_unit(self) -> &'static str {
        match self {
            Units::Km => "m",
            Units::Mi => "ft",
        }
    }

    pub fn elev(self, m: f64) -> f64 {
        match self {
            Units::Km => m,
            Units::Mi => m / 0.3048,
        }
    }

    /// A distance typed in the display unit, in metres (a filter's "at least 5 mi").
    pub fn metres(self, x: f64) -> f64 {
        match self {
            Units::Km => x * 1000.0,
            Units::Mi => x * 1609.344,
        }
    }

    /// The pace unit: minutes per kilometre or per mile.
    pub fn pace_unit(self) -> &'static str {
        match self {
            Units::Km => "min/km",
            Units::Mi => "min/mi",
        }
    }

    /// The speed unit: kilometres or miles per hour.
    pub fn speed_unit(self) -> &'static str {
        match self {
            Units::Km => "km/h",
            Units::Mi => "mph",
        }
    }

    /// A speed (m/s) in kilometres or miles per hour.
    pub fn speed(self, mps: f64) -> f64 {
        self.dist(mps * 3600.0)
    }

    /// A speed (m/s) as seconds per kilometre or mile; `NaN` for no speed (a standstill has
    /// no pace).
    pub fn pace_s(self, mps: f64) -> f64 {
        if mps.is_finite() && mps > 0.0 {
            self.metres(1.0) / mps
        } else {
            f64::NAN
        }
    }
}

/// "Sat 8 Nov": the day label every flag and session sentence starts with.
pub fn day_label(d: Date) -> String {
    d.strftime("%a %-d %b").to_string()
}

/// A distance with one decimal and its unit ("7.2 km", "4.5 mi").
fn dist(m: f64, u: Units) -> String {
    format!("{:.1} {}", u.dist(m), u.dist_unit())
}

/// Fast running is often a few hundred metres, so two decimals.
fn dist2(m: f64, u: Units) -> String {
    format!("{:.2} {}", u.dist(m), u.dist_unit())
}

/// A climb with its unit ("120 m", "394 ft").
fn elev(m: f64, u: Units) -> String {
    format!("{:.0} {}", u.elev(m), u.elev_unit())
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn minutes(s: f64) -> String {
    format!("{:.0}", s / 60.0)
}

/// "in 21 days", or "in the 21 days of your history" when there was none before.
fn since(s: Since) -> String {
    if s.history_start {
        format!("in the {} days of your history", s.days)
    } else {
        format!("in {} days", s.days)
    }
}

/// One load flag as a sentence: the day, the numbers, the association and the grade.
pub fn flag(f: &Flag, u: Units) -> String {
    let week = matches!(
        f.detail,
        FlagDetail::WeeklyDistanceChange { .. } | FlagDetail::HighSpeedWeek { .. }
    );
    format!(
        "{}{}: {}. {} (grade {}).",
        if week { "Week of " } else { "" },
        day_label(f.date),
        flag_numbers(f, u),
        flag_link(f),
        f.grade
    )
}

/// What a flag measured, in the runner's units ("24.0 km, 33% longer than your longest run of
/// the previous 30 days (18.0 km)"): [`flag`] without the day, the association and the grade,
/// for tables whose other columns show those.
pub fn flag_numbers(f: &Flag, u: Units) -> String {
    match &f.detail {
        FlagDetail::LongRunSpike {
            distance_m,
            longest_prev_30d_m,
            spike,
        } => format!(
            "{}, {} longer than your longest run of the previous 30 days ({}){}",
            dist(*distance_m, u),
            pct(*spike),
            dist(*longest_prev_30d_m, u),
            if f.level == Level::Strong {
                ", more than twice as long"
            } else {
                ""
            }
        ),
        FlagDetail::WeeklyDistanceChange {
            distance_m,
            previous_m,
            change,
        } => format!(
            "{}, {} more than the week before ({})",
            dist(*distance_m, u),
            pct(*change),
            dist(*previous_m, u),
        ),
        FlagDetail::HighSpeedWeek {
            high_speed_m,
            mean_m,
            ratio,
            weeks,
        } => format!(
            "{} of fast running, {ratio:.1} times your mean of the previous {weeks} weeks ({})",
            dist2(*high_speed_m, u),
            dist2(*mean_m, u),
        ),
        FlagDetail::SpeedReintroduced {
            high_speed_s,
            strides,
            since: s,
        } => format!(
            "{high_speed_s:.0} s of fast running and {strides} stride{}, the first {}",
            if *strides == 1 { "" } else { "s" },
            since(*s),
        ),
        FlagDetail::HillsReintroduced {
            ascent_m,
            distance_m,
            steep_s,
            since: s,
        } => format!(
            "{} of climbing over {} and {:.0} steep minutes, the first hilly run {}",
            elev(*ascent_m, u),
            dist(*distance_m, u),
            steep_s / 60.0,
            since(*s),
        ),
    }
}

/// What studies link a flag's pattern with, in association language.
pub fn flag_link(f: &Flag) -> &'static str {
    match f.detail {
        FlagDetail::LongRunSpike { .. } => "Runs like this are linked with more overuse injuries",
        FlagDetail::WeeklyDistanceChange { .. } => {
            "Large weekly increases have been linked with more running injuries in some studies \
             but not in others, and there is no safe universal percentage"
        }
        FlagDetail::HighSpeedWeek { .. } => {
            "In team sport, more high-speed running than usual in a week has been linked with \
             hamstring strains"
        }
        FlagDetail::SpeedReintroduced { .. } => {
            "A return to fast running after weeks without it is linked with hamstring strains in \
             team sport; for runners this is an extrapolation"
        }
        FlagDetail::HillsReintroduced { .. } => {
            "Uphill running has been linked with flare-ups of a sore high hamstring tendon and \
             steep downhills with muscle soreness"
        }
    }
}

/// One prescribed session against the day's runs: "Sat 8 Nov (Walk-jog 3): ran 4.1 km where
/// about 3.0 km was expected (4.6 km, 33 min)."
pub fn session(s: &SessionCheck, u: Units) -> String {
    format!(
        "{} ({}): {}.",
        day_label(s.prescribed.date),
        s.prescribed.stage_name,
        session_detail(s, u)
    )
}

/// What [`session`] says after the day and the stage ("no run recorded", "done as prescribed
/// (3.7 km, 21 min)"), for lists that show the day and the stage already.
pub fn session_detail(s: &SessionCheck, u: Units) -> String {
    if s.issues.contains(&Issue::Missed) {
        return "no run recorded".to_string();
    }
    let mut phrases = Vec::new();
    if s.issues.contains(&Issue::Longer) || s.issues.contains(&Issue::Shorter) {
        match (s.length_basis, s.expected_distance_m) {
            (Some(LengthBasis::Distance), Some(e)) => phrases.push(format!(
                "ran {} where about {} was expected",
                dist(s.running_m, u),
                dist(e, u)
            )),
            _ => phrases.push(format!(
                "ran about {} min where {} min was prescribed",
                minutes(s.running_s),
                minutes(finite_or_zero(s.prescribed.running_minutes) * 60.0)
            )),
        }
    }
    if s.issues.contains(&Issue::Faster) {
        phrases.push(format!(
            "spent {} min faster than your easy pace{}",
            minutes(s.fast_s),
            if s.prescribed.strides > 0 {
                " outside the strides"
            } else {
                ""
            }
        ));
    }
    if s.issues.contains(&Issue::Hilly) {
        let climbed = (s.ascent_m >= 1.0).then(|| format!("climbed {}", elev(s.ascent_m, u)));
        let steep =
            (s.steep_s >= 30.0).then(|| format!("had {} min on steep ground", minutes(s.steep_s)));
        let mut what: Vec<String> = climbed.into_iter().chain(steep).collect();
        if what.is_empty() {
            what.push("ran on hilly ground".to_string());
        }
        phrases.push(format!("{} where flat was prescribed", join_and(&what)));
    }
    let totals = format!("{}, {} min", dist(s.distance_m, u), minutes(s.duration_s));
    if phrases.is_empty() {
        format!("done as prescribed ({totals})")
    } else {
        format!("{} ({totals})", join_and(&phrases))
    }
}

/// The adherence check in one sentence: sessions done, as prescribed, and runs on rest days.
pub fn adherence_summary(a: &Adherence) -> String {
    let sessions = a.sessions.len();
    let unplanned_text = match a.unplanned.len() {
        0 => String::new(),
        1 => "; 1 run on a day the plan said not to run".to_string(),
        n => format!("; {n} runs on days the plan said not to run"),
    };
    if sessions == 0 {
        return format!("No return-to-run sessions were due yet{unplanned_text}.");
    }
    let pace = if a.easy_mps.is_none() && a.done > 0 {
        format!(
            " (pace not checked: fewer than {} runs before the plan to learn your easy pace)",
            a.easy_min_runs
        )
    } else {
        String::new()
    };
    let noun = if sessions == 1 { "session" } else { "sessions" };
    format!(
        "{} of {sessions} run {noun} done, {} as prescribed{pace}{unplanned_text}.",
        a.done, a.as_prescribed
    )
}

/// One answer the assessment filled in from the runner's data, with the evidence for it.
/// The service builds these (`hamstride_service::training::data_findings`); they live here so
/// the one renderer, [`data_reason`], can read them without the export depending on the
/// service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataReason {
    /// The answer it supports: a value of `recent_training_change`, or `weekly_km`.
    pub answer: String,
    /// What the change is called (`kb/prefill.toml`; `{units}` stands for the distance unit's
    /// plural word); empty for the weekly distance.
    pub label: String,
    /// The length of the windows compared, in weeks (`kb/prefill.toml`).
    pub weeks: i64,
    pub evidence: DataEvidence,
}

/// The numbers behind a data-filled answer, in SI units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DataEvidence {
    /// Distance of the last 4 weeks against the 4 before.
    MoreDistance { recent_m: f64, previous_m: f64 },
    /// Descent of the last 4 weeks against the 4 before.
    MoreDescent { recent_m: f64, previous_m: f64 },
    /// A load flag of the last 4 weeks.
    Flag(Flag),
    /// The first run of the last 4 weeks came after `days` without running.
    Break { days: i64, back_on: Date },
    /// Mean weekly distance over the last 4 weeks, and the runs in them.
    WeeklyDistance { mean_m: f64, runs: usize },
}

/// A "from your data" line: what was filled in and why.
pub fn data_reason(r: &DataReason, u: Units) -> String {
    let unit_words = match u {
        Units::Km => "kilometres",
        Units::Mi => "miles",
    };
    let label = r.label.replace("{units}", unit_words);
    let w = r.weeks;
    let d0 = |m: f64| format!("{:.0} {}", u.dist(m), u.dist_unit());
    match &r.evidence {
        DataEvidence::MoreDistance {
            recent_m,
            previous_m,
        } => format!(
            "{label}: {} in the last {w} weeks against {} in the {w} before",
            d0(*recent_m),
            d0(*previous_m)
        ),
        DataEvidence::MoreDescent {
            recent_m,
            previous_m,
        } => format!(
            "{label}: {} of descent in the last {w} weeks against {} in the {w} before",
            elev(*recent_m, u),
            elev(*previous_m, u)
        ),
        DataEvidence::Flag(f) => format!("{label}: {}", flag(f, u)),
        DataEvidence::Break { days, back_on } => {
            format!("{label}: {days} days without running before {back_on}")
        }
        DataEvidence::WeeklyDistance { mean_m, runs } => format!(
            "weekly distance: {} on average over the last {w} weeks ({runs} runs)",
            dist(*mean_m, u)
        ),
    }
}

/// A form metric's unit for chart axes and tables ("spm", "mm", "ms", "%").
pub fn form_unit(metric: FormMetric) -> &'static str {
    match metric {
        FormMetric::Cadence => "spm",
        FormMetric::StepLength | FormMetric::VerticalOscillation => "mm",
        FormMetric::GroundContact => "ms",
        FormMetric::Balance => "%",
    }
}

/// A form metric's name ("Ground contact time").
pub fn form_label(metric: FormMetric) -> &'static str {
    match metric {
        FormMetric::Cadence => "Cadence",
        FormMetric::StepLength => "Step length",
        FormMetric::GroundContact => "Ground contact time",
        FormMetric::VerticalOscillation => "Vertical oscillation",
        FormMetric::Balance => "Ground contact balance",
    }
}

/// One form metric against the baseline: what changed, that it is within the usual range,
/// or why nothing can be said yet.
pub fn form_metric(m: &MetricReport, r: &FormReport) -> String {
    let metric = m.metric;
    match (m.status, m.baseline, m.change, m.recent) {
        (FormStatus::Changed, Some(b), Some(c), Some(now)) => {
            form_drift(metric, b, c, now, r.injured_side)
        }
        (FormStatus::WithinUsualRange, ..) => format!(
            "{} is within your usual range at the same paces (±{}).",
            form_label(metric),
            form_size(metric, m.threshold)
        ),
        _ => form_not_enough(m, r),
    }
}

/// Decimals worth showing: whole steps, millimetres and milliseconds; tenths of a balance point.
fn form_decimals(metric: FormMetric) -> usize {
    match metric {
        FormMetric::Balance => 1,
        _ => 0,
    }
}

/// A change's size with its unit, as the texts show it.
fn form_size(metric: FormMetric, x: f64) -> String {
    let n = num(x, form_decimals(metric));
    match metric {
        FormMetric::Cadence => format!("{n} steps/min"),
        FormMetric::StepLength => format!("{n}%"),
        FormMetric::GroundContact => format!("{n} ms"),
        FormMetric::VerticalOscillation => format!("{n} mm"),
        FormMetric::Balance => format!("{n} points"),
    }
}

/// A rounded number; one more decimal when rounding would show a non-zero value as 0, and
/// never "-0".
fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "?".to_string();
    }
    let mut d = decimals;
    let scale = |d: usize| 10f64.powi(i32::try_from(d).unwrap_or(0));
    if x != 0.0 && (x * scale(d)).round() == 0.0 {
        d += 1;
    }
    let r = (x * scale(d)).round() / scale(d);
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r:.d$}")
}

fn form_drift(
    metric: FormMetric,
    baseline: f64,
    change: f64,
    now: f64,
    injured_side: Option<Side>,
) -> String {
    let dec = form_decimals(metric);
    let size = form_size(metric, change.abs());
    let up = change > 0.0;
    let (from, to) = (num(baseline, dec), num(now, dec));
    match metric {
        FormMetric::Balance => form_balance(&size, &from, &to, up, injured_side),
        _ => {
            let dir = match (metric, up) {
                (FormMetric::StepLength | FormMetric::GroundContact, true) => "longer",
                (FormMetric::StepLength | FormMetric::GroundContact, false) => "shorter",
                (_, true) => "higher",
                (_, false) => "lower",
            };
            let unit = match metric {
                FormMetric::Cadence => "",
                FormMetric::StepLength | FormMetric::VerticalOscillation => " mm",
                _ => " ms",
            };
            format!(
                "{} at the same paces is {size} {dir} than your baseline ({from} → {to}{unit}), \
                 a clear change.",
                form_label(metric)
            )
        }
    }
}

fn form_balance(
    size: &str,
    from: &str,
    to: &str,
    toward_left: bool,
    injured: Option<Side>,
) -> String {
    let toward = if toward_left { "left" } else { "right" };
    let numbers = format!("({from}% → {to}% left)");
    const NULL_RESULT: &str =
        "Asymmetry on its own did not predict injury in a study of 836 runners.";
    // Either direction can be guarding: less time on a painful leg, or a changed push-off.
    let guarding = "possibly a way of protecting the leg; worth mentioning to your physio.";
    match injured {
        Some(side @ (Side::Left | Side::Right)) => {
            let injured_name = if side == Side::Left { "left" } else { "right" };
            let whose = if injured_name == toward {
                format!("toward your {toward} (injured) side")
            } else {
                format!("toward your {toward} side, away from the injured {injured_name} leg,")
            };
            format!(
                "Ground contact balance has shifted {size} {whose} since the injury {numbers} — \
                 {guarding} {NULL_RESULT}"
            )
        }
        _ => format!(
            "Ground contact balance has shifted {size} toward your {toward} side compared with \
             your baseline {numbers}. {NULL_RESULT}"
        ),
    }
}

fn form_not_enough(m: &MetricReport, r: &FormReport) -> String {
    let name = form_label(m.metric).to_lowercase();
    let runs = |n: usize| if n == 1 { "run" } else { "runs" };
    let (base, recent) = (m.baseline_runs, m.recent_runs);
    let mut parts = Vec::new();
    if base < r.min_baseline_runs {
        parts.push(format!(
            "{base} baseline {} with {name} at comparable paces ({} needed)",
            runs(base),
            r.min_baseline_runs
        ));
    }
    if recent < r.min_recent_runs {
        parts.push(format!(
            "{recent} recent {} with {name} at comparable paces ({} needed)",
            runs(recent),
            r.min_recent_runs
        ));
    }
    if parts.is_empty() {
        // The gates passed but no band had enough baseline runs at the recent runs' paces.
        return format!(
            "Not enough runs yet to compare: no recent run with {name} at a pace you ran at least \
             {} times in the baseline.",
            r.min_band_runs
        );
    }
    format!("Not enough runs yet to compare: {}.", parts.join(" and "))
}

/// One finding of the pain diary analysis as a sentence.
pub fn pain_note(n: &PainNote) -> String {
    match n {
        PainNote::TooFewDays {
            days,
            paired,
            min_days,
        } => {
            let plural = |n: usize| if n == 1 { "day" } else { "days" };
            let head = if days >= min_days {
                format!(
                    "{days} diary {} so far, but only {paired} fall within your imported runs: \
                     too few to see a pattern.",
                    plural(*days)
                )
            } else {
                format!(
                    "{days} diary {} so far: too few to see a pattern.",
                    plural(*days)
                )
            };
            format!(
                "{head} About {min_days} days with scores are needed, more is better; keep \
                 logging pain the morning after runs."
            )
        }
        PainNote::Link(l) => pain_link(l),
        PainNote::ManyPairings { pairings } => format!(
            "{pairings} pairings of load and pain were looked at, so one of them can look linked \
             by chance; treat this as a question for your physio, not an answer."
        ),
        PainNote::NoClearLink { days } => format!(
            "Across {days} diary days, no clear link between your pain and the load of the same \
             or previous two days."
        ),
        PainNote::MorningTrend {
            first_week,
            last_week,
            trend,
        } => {
            let verdict = match trend {
                Trend::Steady => "about the same",
                Trend::Better => "easing",
                Trend::Worse => {
                    "rising; morning pain that worsens from week to week is the usual sign to \
                     ease back the load"
                }
            };
            format!(
                "Next-morning pain averaged {first_week:.1} in your first diary week and \
                 {last_week:.1} in the last: {verdict}."
            )
        }
        PainNote::SittingTrend {
            first_week,
            last_week,
            trend,
        } => {
            let verdict = match trend {
                Trend::Steady => "about the same",
                Trend::Better => "improving",
                Trend::Worse => "getting shorter",
            };
            format!(
                "Comfortable sitting averaged {first_week:.0} min in your first diary week and \
                 {last_week:.0} min in the last: {verdict}."
            )
        }
    }
}

/// A clear link between a load feature and a pain score, with its caveat.
fn pain_link(l: &Link) -> String {
    let who = match l.score {
        Score::During => "Pain during runs",
        Score::After => "Pain straight after runs",
        Score::NextMorning => "Next-morning pain",
    };
    let dir = if l.rho > 0.0 { "higher" } else { "lower" };
    let what = match l.feature {
        Feature::Distance => "distance",
        Feature::Duration => "running time",
        Feature::HighSpeed => "fast running",
        Feature::Ascent => "climbing",
        Feature::Load => "training load",
    };
    let when = match (l.score, l.lag) {
        (Score::NextMorning, 0) => "after days with",
        (Score::NextMorning, 1) => "two mornings after days with",
        (Score::NextMorning, _) => "three mornings after days with",
        (_, 0) => "on days with",
        (_, 1) => "the day after days with",
        (_, _) => "two days after days with",
    };
    let caveat = if l.rho > 0.0 {
        format!("not proof that {what} causes the pain")
    } else {
        "not proof of cause and effect".to_string()
    };
    format!(
        "{who} tended to be {dir} {when} more {what} (ρ = {:.2}, likely between {:.2} and {:.2}, \
         {} days). This is a pattern in your diary, {caveat}.",
        l.rho, l.low, l.high, l.n
    )
}

/// A check-in's decision in a word or two ("Hold", "Step back"); the terminal shows it in
/// capitals.
pub fn verdict(v: hamstride_core::plan::Verdict) -> &'static str {
    use hamstride_core::plan::Verdict;
    match v {
        Verdict::Progress => "Progress",
        Verdict::Hold => "Hold",
        Verdict::StepBack => "Step back",
        Verdict::Escalate => "See a doctor",
        // Only the warning-sign check: recorded, the plan stays where it is.
        Verdict::ScreenOnly => "Recorded",
    }
}

/// Why a check-in decided what it did.
pub fn plan_reason(r: &Reason) -> String {
    match r {
        Reason::Kb { text } | Reason::Recorded { text } => text.clone(),
        Reason::SeenAssessAgain => "You have been seen: assess again with what the doctor found \
             (`hamstride assess`) to get a rehabilitation plan that fits it."
            .to_string(),
        Reason::NotSettling {
            days,
            morning_mean,
            baseline,
        } => not_settling(*days, *morning_mean, *baseline),
        Reason::PainDuringAboveCeiling { during, ceiling } => format!(
            "Pain during the session was {during}/10, above this plan's ceiling of {ceiling}/10."
        ),
        Reason::MorningWorse { morning, before } => format!(
            "This morning's pain ({morning}/10) is clearly worse than the morning before \
             ({before}/10): the load did not settle within 24 hours."
        ),
        Reason::WeeklyRise {
            this_week,
            last_week,
        } => format!(
            "Morning pain is rising week on week (average {this_week:.1}/10 this week against \
             {last_week:.1}/10 the week before)."
        ),
        Reason::TwoWeeksTooMuch => two_weeks(),
        Reason::ScreenOnly => "Warning-sign check recorded; no pain scores, so the plan stays \
             where it is."
            .to_string(),
        Reason::NoScores => {
            "No pain scores given, so the plan cannot judge how you responded: it holds."
                .to_string()
        }
        Reason::PainAfterAboveCeiling { ceiling } => format!(
            "Pain straight after was above {ceiling}/10: hold, and see whether it settles by \
             tomorrow morning."
        ),
        Reason::ScreenDue => {
            "The red-flag check is due today: answer it before the plan moves on.".to_string()
        }
        Reason::AddMorningScore => "Add this morning's pain score to move your running on: the \
             24-hour response decides it."
            .to_string(),
        Reason::Maintenance => {
            "Inside the pain rules. Keep to the maintenance programme.".to_string()
        }
        Reason::StillToDo {
            next_phase,
            missing,
        } => {
            let missing: Vec<&str> = missing.iter().map(|m| m.trim_end_matches('.')).collect();
            format!(
                "Inside the pain rules. To move on to {next_phase}, still to do: {}.",
                missing.join("; ")
            )
        }
        Reason::PhaseMinDays { min_days, day } => {
            format!("Criteria met, but this phase lasts at least {min_days} days (day {day} now).")
        }
        Reason::OneMoreCheckin { next_phase } => format!(
            "Criteria met: one more check-in inside the pain rules and you move on to \
             {next_phase}."
        ),
        Reason::RunningWaitsForClinician => "Criteria met, but running waits until a clinician \
             has seen you (check in with --seen-clinician)."
            .to_string(),
        Reason::MarkCriteriaMet { holds, open } => mark_criteria_met(*holds, open),
    }
}

/// The hint after several holds: each open check by its id, and the command that marks one.
fn mark_criteria_met(holds: u32, open: &[Criterion]) -> String {
    let list: Vec<String> = open
        .iter()
        .map(|c| format!("{} ({})", c.id, c.text.trim_end_matches('.')))
        .collect();
    let example = open.first().map_or("<id>", |c| c.id.as_str());
    format!(
        "The plan has held {holds} times in a row. If any of these checks is true for you now, \
         mark it when you check in, for example `hamstride checkin --met {example}`: {}.",
        list.join("; ")
    )
}

fn not_settling(days: i64, morning_mean: f64, baseline: u8) -> String {
    format!(
        "Not settling: {days} days on, your morning pain this week (average {morning_mean:.1}/10) \
         is no better than at the start ({baseline}/10), so a doctor should look for other \
         causes."
    )
}

fn two_weeks() -> String {
    "Two weeks in a row the load has been too much: book a physiotherapist to look at your plan \
     with you."
        .to_string()
}

/// Whom a plan or a check-in sends the runner to, in a few words. It names no time: when to
/// be seen is the plan's triage headline, said once (one frame from `kb/meta.toml`).
pub fn referral_label(r: Referral) -> &'static str {
    match r {
        Referral::None => "",
        Referral::Physio => "Book a physiotherapist",
        Referral::DoctorSoon => "See a doctor",
        Referral::Urgent => "See a doctor urgently",
        Referral::Emergency => "Emergency: call your local emergency number now",
    }
}

/// What a check-in changed in the plan.
pub fn plan_change(c: &Change) -> String {
    match c {
        Change::ReferralPlan { plan } => {
            format!("Plan changed to: {plan}. No running or training until you have been seen.")
        }
        Change::SeenClinician => "Recorded that a clinician has seen you: running can start when \
             the phase allows it."
            .to_string(),
        Change::RunningWaits => {
            "Running now waits until a doctor or physiotherapist has seen you.".to_string()
        }
        Change::EasierExercises => "Do the easier version of each exercise until a check-in is \
             back inside the pain rules."
            .to_string(),
        Change::RunStageBack => "Running goes back one stage.".to_string(),
        Change::PhaseBack { phase } => format!("Back to the phase before: {phase}."),
        Change::NextRun { stage } => format!("Next run: {stage}."),
        Change::LadderComplete => {
            "Return-to-run ladder complete: back to normal training.".to_string()
        }
        Change::MovedOn { number, name } => format!("Moved on to phase {number}: {name}."),
        Change::TimelineReestimated => "Timeline re-estimated at the day-7 check-in.".to_string(),
        Change::Recorded { text } => text.clone(),
    }
}

/// A standing referral the plan's check-ins added.
pub fn referred(r: &Referred) -> String {
    match r {
        Referred::NotSettling {
            days,
            morning_mean,
            baseline,
        } => not_settling(*days, *morning_mean, *baseline),
        Referred::TwoWeeksTooMuch => two_weeks(),
        Referred::Recorded { text, .. } => text.clone(),
    }
}

/// Why the timeline is longer or shorter than typical.
pub fn timeline_reason(r: &TimelineReason) -> String {
    match r {
        TimelineReason::Kb { text } | TimelineReason::Recorded { text } => text.clone(),
        TimelineReason::NoTimelineUntilSeen => {
            "No timeline until a doctor has assessed you.".to_string()
        }
        TimelineReason::StillFirstPhase => {
            "Day-7 check: still in the first phase, so the estimate is longer.".to_string()
        }
        TimelineReason::PastEarlyPhases => {
            "Day-7 check: already past the early phases, so the estimate is shorter.".to_string()
        }
        TimelineReason::MorningPainStillHigh { at_least } => {
            format!("Day-7 check: morning pain is still {at_least}/10 or more.")
        }
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Invalid or negative numbers count as nothing, as in the analysis.
fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

/// A duration as `h:mm:ss`, as the activity lists of the terminal and the web app show it.
pub fn hms(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// An instant as `YYYY-MM-DD HH:MM` in UTC (`?` when out of range), as the activity lists
/// show a start.
pub fn utc_minute(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(
        |_| "?".to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
    )
}
