//! "What your pain diary shows": the diary analysis's own sentences and every load–pain pairing
//! it computed, with the numbers behind it (n, Spearman's ρ and its approximate 95% range).
//! How sure it can be is stated first, because a correlation in one runner's diary is a clue
//! to discuss, not a cause; the wording comes from the analysis, not from here.

use super::fmt::{Esc, Int, F2};
use super::{empty, Ctx};
use hamstride_analytics::pain::{Certainty, Feature, Score};
use hamstride_analytics::SignalId;
use std::fmt::Write as _;

fn feature_name(f: Feature) -> &'static str {
    match f {
        Feature::Distance => "Distance",
        Feature::Duration => "Duration",
        Feature::HighSpeed => "High-speed running",
        Feature::Ascent => "Ascent",
        Feature::Load => "Training load",
    }
}

fn score_name(s: Score) -> &'static str {
    match s {
        Score::During => "During the run",
        Score::After => "Straight after",
        Score::NextMorning => "Next morning",
    }
}

pub(super) fn write(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"diary\" aria-labelledby=\"diary-h\">\
         <h2 id=\"diary-h\">What your pain diary shows</h2>\n",
    );
    let pa = ctx.m.pain_analysis;
    let _ = writeln!(
        out,
        "<p class=\"meaning\">{}</p>",
        Esc(&ctx.signal(SignalId::PainLink).meaning)
    );
    if ctx.m.pain.is_empty() && pa.days == 0 && pa.notes.is_empty() {
        empty(
            out,
            "No diary entries yet. A few weeks of entries (pain during, after and the next \
             morning) are enough to start looking for patterns.",
        );
        out.push_str("</section>\n");
        return;
    }
    let min_days = ctx.m.signals.t.pain_min_days;
    let (class, head) = match pa.certainty {
        Certainty::TooFewDays => (
            "note",
            format!(
                "Too early to say: {} diary day{} so far, at least {} needed.",
                pa.days,
                if pa.days == 1 { "" } else { "s" },
                Int(min_days)
            ),
        ),
        Certainty::NoClearLink => (
            "note",
            format!("{} diary days: no clear link with load so far.", pa.days),
        ),
        Certainty::Tentative => (
            "warn",
            format!(
                "{} diary days: at least one tentative link (a clue, not a cause).",
                pa.days
            ),
        ),
    };
    let _ = writeln!(out, "<p class=\"certainty c-{class}\">{}</p>", Esc(&head));
    if !pa.notes.is_empty() {
        out.push_str("<ul class=\"findings\">");
        for n in &pa.notes {
            let _ = write!(out, "<li>{}</li>", Esc(&crate::words::pain_note(n)));
        }
        out.push_str("</ul>\n");
    }
    if pa.links.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str(
        "<h3>Every pairing computed</h3>\n<p>Strongest first. ρ (Spearman's rank correlation) runs \
         from −1 to 1; a link counts as clear only when its approximate 95% range excludes zero.</p>\n\
         <div class=\"tw\" tabindex=\"0\"><table class=\"links\"><thead><tr><th scope=\"col\">Load</th>\
         <th scope=\"col\">Pain score</th><th scope=\"col\">Load on</th><th scope=\"col\" class=\"n\">Days (n)</th>\
         <th scope=\"col\" class=\"n\">ρ</th><th scope=\"col\" class=\"n\">95% range</th>\
         <th scope=\"col\">Clear?</th></tr></thead><tbody>",
    );
    for l in &pa.links {
        let lag = match l.lag {
            0 => "the same day".to_string(),
            1 => "1 day before".to_string(),
            n => format!("{n} days before"),
        };
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\">{}</th><td>{}</td><td>{lag}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td>{}</td></tr>",
            if l.clear { " class=\"clear\"" } else { "" },
            feature_name(l.feature),
            score_name(l.score),
            l.n,
            F2(l.rho),
            F2(l.low),
            F2(l.high),
            if l.clear { "yes" } else { "no" }
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}
