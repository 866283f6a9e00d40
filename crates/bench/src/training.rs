//! The training-load benchmark fixture: a synthetic 10-year history from
//! `hamstride_analytics::synthetic`, a pain diary for its last two years, and the same
//! pipeline `hamstride status` and `hamstride report` run (series and flags, form, pain
//! analysis, the assessment pre-fill, the HTML report). Also writes the history into a real
//! database for the end-to-end timing (`examples/seed_history.rs`).

use hamstride_analytics::form;
use hamstride_analytics::pain::PainEntry;
use hamstride_analytics::series::{HrCurve, RunEntry, Settings};
use hamstride_service::training::{self, DataFindings, PainRecord, Picture, Training};
use hamstride_service::Service;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Span;

/// The fixed "today" of the benchmark history.
pub const TODAY: Date = jiff::civil::date(2026, 11, 21);

/// Everything the benchmarks share.
#[derive(Debug)]
pub struct Fixture {
    pub entries: Vec<RunEntry>,
    pub pain: Vec<PainEntry>,
    pub service: Service,
    pub settings: Settings,
    pub today: Date,
}

/// A pain diary: one entry every day for the last `days` days, scores that rise after long
/// and fast days, from the same small generator idea as the history (no `rand`).
pub fn pain_diary(entries: &[RunEntry], today: Date, days: i64) -> Vec<PainEntry> {
    let mut out = Vec::with_capacity(days as usize);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for k in (0..days).rev() {
        let date = today.saturating_sub(Span::new().days(k));
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let noise = (state >> 61) as u8; // 0..=7
        let km: f64 = entries
            .iter()
            .rev()
            .take(40)
            .filter(|e| {
                jiff::Timestamp::from_millisecond(e.metrics.start_ms)
                    .map(|t| t.to_zoned(TimeZone::UTC).date() == date)
                    .unwrap_or(false)
            })
            .map(|e| e.metrics.distance_m / 1000.0)
            .sum();
        let base = (km / 8.0).min(5.0) as u8;
        out.push(PainEntry {
            date,
            activity_id: None,
            site: Some("sit_bone".into()),
            side: Some(form::Side::Left),
            during: Some((base + noise / 3).min(10)),
            after: Some((base + noise / 2).min(10)),
            next_morning: Some((base + noise / 4).min(10)),
            sitting_min: Some(20 + u32::from(noise) * 5),
            notes: (noise == 7).then(|| "stiff after sitting at work".to_string()),
        });
    }
    out
}

impl Fixture {
    /// Ten years ending on [`TODAY`], seed 1.
    pub fn new() -> Fixture {
        let entries = hamstride_analytics::synthetic::history(10, 1, TODAY);
        let pain = pain_diary(&entries, TODAY, 730);
        Fixture {
            entries,
            pain,
            service: Service::new().expect("the built-in knowledge base loads"),
            settings: Settings {
                tz: TimeZone::UTC,
                hr_rest: None,
                hr_max: None,
                hr_curve: HrCurve::Men,
            },
            today: TODAY,
        }
    }

    /// Everything `status` computes: the service's own pure pipeline, plus the pre-fill.
    pub fn analyse(&self) -> (Picture, DataFindings) {
        let reference = self.service.default_form_reference(self.today);
        let p = self.service.picture(
            &self.entries,
            &self.settings,
            self.today,
            reference,
            Some(form::Side::Left),
            &self.pain,
        );
        let d = training::data_findings(&p.analysis, self.today, self.service.prefill());
        (p, d)
    }

    /// The training picture as the service hands it to the report.
    pub fn training(&self) -> Training {
        let (p, _) = self.analyse();
        Training {
            today: self.today,
            time_zone: "UTC".into(),
            units: "km".into(),
            analysis: p.analysis,
            form: p.form,
            pain: self
                .pain
                .iter()
                .enumerate()
                .map(|(i, e)| PainRecord {
                    id: i as i64 + 1,
                    entry: e.clone(),
                })
                .collect(),
            pain_analysis: p.pain,
            plan: None,
            plan_now: None,
            assessments: Vec::new(),
            checkins: Vec::new(),
            adherence: None,
            assessment: None,
            undated: 0,
        }
    }

    /// The finished HTML.
    pub fn report(&self) -> String {
        self.service.render_report(&self.training())
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}
