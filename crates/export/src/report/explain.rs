//! "Signals explained" and the references: every signal of `kb/signals.toml` with its label,
//! evidence grade, whether it may raise a flag, its plain-words meaning and its sources, then
//! the numbered list of the sources cited, in order of first citation. Sources are shown as
//! citations only (no URLs, no remote links: see the module comment in `mod.rs`); a source id
//! the list does not know is shown as the id itself rather than dropped.

use super::fmt::Esc;
use super::{Ctx, SourceRef};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The grade as a CSS class suffix.
fn grade_class(g: &str) -> &'static str {
    match g {
        "A" => "a",
        "B" => "b",
        "C" => "c",
        "D" => "d",
        _ => "x",
    }
}

pub(super) fn write(out: &mut String, ctx: &Ctx<'_>) {
    out.push_str(
        "<section id=\"signals\" aria-labelledby=\"signals-h\">\
         <h2 id=\"signals-h\">Signals explained</h2>\n\
         <p>What each signal in this report means, how strong the evidence behind it is, and \
         whether it can raise a flag. Evidence grades: <strong>A</strong> meta-analysis or several \
         concordant trials; <strong>B</strong> a single trial or a large prospective cohort; \
         <strong>C</strong> small cohort, case series or consensus; <strong>D</strong> expert \
         opinion, laboratory data or case reports; <strong>contested</strong>: the studies \
         disagree.</p>\n",
    );
    let by_id: BTreeMap<&str, &SourceRef> =
        ctx.m.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    // Reference numbers in order of first citation.
    let mut order: Vec<&str> = Vec::new();
    let mut number: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &ctx.m.signals.signals {
        for src in &s.sources {
            if !number.contains_key(src.as_str()) {
                order.push(src);
                number.insert(src, order.len());
            }
        }
    }
    out.push_str("<div class=\"signals\">");
    for s in &ctx.m.signals.signals {
        let _ = write!(
            out,
            "<div class=\"signal\"><h3>{}</h3><p class=\"tags\"><span class=\"grade g-{}\">{}{}</span> {}</p><p>{}</p>",
            Esc(&s.label),
            grade_class(&s.grade),
            // "Grade B", but "Contested" rather than "Grade contested".
            if s.grade.chars().count() == 1 { "Grade " } else { "" },
            super::fmt::Words(&s.grade),
            if s.alert {
                "<span class=\"tag t-alert\">Can raise a flag</span>"
            } else {
                "<span class=\"tag\">Shown only, never flags</span>"
            },
            Esc(&s.meaning)
        );
        if !s.sources.is_empty() {
            out.push_str("<p class=\"src\">Sources: ");
            for (i, src) in s.sources.iter().enumerate() {
                let n = number.get(src.as_str()).copied().unwrap_or(0);
                let short = by_id
                    .get(src.as_str())
                    .map_or(src.as_str(), |r| r.short.as_str());
                let _ = write!(
                    out,
                    "{}<a href=\"#ref-{}\">{}</a>&nbsp;[{n}]",
                    if i == 0 { "" } else { ", " },
                    Esc(src),
                    Esc(short)
                );
            }
            out.push_str("</p>");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    if order.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<h3>References</h3>\n<ol class=\"refs\">");
    for id in order {
        let _ = write!(out, "<li id=\"ref-{}\">", Esc(id));
        match by_id.get(id) {
            Some(r) => {
                let _ = write!(
                    out,
                    "<strong>{}</strong>. {}",
                    Esc(&r.short),
                    Esc(&r.citation)
                );
            }
            None => {
                let _ = write!(out, "<strong>{}</strong> (not in the source list)", Esc(id));
            }
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>\n</section>\n");
}
