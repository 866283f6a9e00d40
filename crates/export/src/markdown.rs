//! The plan as a Markdown document a runner can read, print or hand to a physio: what it is for
//! and why, the current phase with its goals, care notes and exit criteria, the sessions of the
//! coming weeks, every exercise used in full (instructions, cues, dose, easier and harder), the
//! return-to-run ladder, the timeline, medication safety, and the sources.

use std::fmt::Write;

use hamstride_core::plan::{DayView, PlanKb, PlanState, PlanView};
use hamstride_core::Kb;

fn esc(s: &str) -> String {
    // Table cells: a pipe would end the cell.
    s.replace('|', "\\|")
}

fn weekday(d: jiff::civil::Date) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        [usize::from(d.weekday().to_monday_zero_offset().unsigned_abs())]
}

/// Render the plan. `days` are the sessions of the exported period.
pub fn plan_markdown(
    kb: &Kb,
    pkb: &PlanKb,
    st: &PlanState,
    v: &PlanView,
    days: &[DayView],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", v.protocol_name);
    let sev = v
        .severity
        .as_deref()
        .map(|x| format!(" ({x})"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "*For:* {}{sev} · *triage:* {} · *made:* {} · *exported:* {}\n",
        v.condition_name, v.triage, st.start, v.today
    );
    let _ = writeln!(s, "> {}\n", v.disclaimer);
    let _ = writeln!(s, "{}\n", v.summary);
    if let Some(r) = &v.referral {
        // The headline says when (the plan's one time frame), the note whom and what to ask.
        let _ = writeln!(s, "**Whom to see:** {} {}\n", v.triage_headline, r.text);
    }
    for r in &v.referrals {
        let _ = writeln!(s, "**Note:** {}\n", crate::words::referred(r));
    }
    if let Some(reason) = &v.severity_reason {
        let _ = writeln!(s, "*Why this severity:* {reason}\n");
    }

    let _ = writeln!(
        s,
        "## Where you are: phase {} of {}, {}\n",
        v.phase.number, v.phase.of, v.phase.name
    );
    if v.until_seen {
        // Until seen there is no exercise to guide: only what to do now.
        let _ = writeln!(s, "Running allowed: {}.\n", v.phase.running);
    } else {
        let _ = writeln!(s, "Running allowed: {}. Pain up to {}/10 during exercise is acceptable if it has settled by the next morning.\n", v.phase.running, v.pain_ceiling);
    }
    for g in &v.phase.goals {
        let _ = writeln!(s, "- Goal: {g}");
    }
    if !v.phase.care.is_empty() {
        let _ = writeln!(s);
        for c in &v.phase.care {
            let _ = writeln!(s, "- {c}");
        }
    }
    if let Some(next) = &v.phase.next {
        let _ = writeln!(s, "\n**To move on to {next}** (all of these, checked in with `hamstride checkin --met ID`):\n");
        for c in &v.phase.criteria {
            let _ = writeln!(
                s,
                "- [{}] {} (`{}`)",
                if c.met { "x" } else { " " },
                c.text,
                c.id
            );
        }
    }

    let _ = writeln!(s, "\n## All phases\n");
    if let Some(p) = pkb.protocol(&st.protocol) {
        for (i, ph) in p.phase.iter().enumerate() {
            let here = if i == v.phase.number - 1 {
                " ← you are here"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "{}. **{}** ({}){here}",
                i + 1,
                ph.name,
                ph.running.label()
            );
            for g in &ph.goals {
                let _ = writeln!(s, "   - {g}");
            }
        }
    }

    let _ = writeln!(s, "\n## Sessions\n");
    let _ = writeln!(
        s,
        "As the plan stands today; your check-ins move it on, so export again after a change.\n"
    );
    let _ = writeln!(s, "| Date | Sessions |\n|---|---|");
    for d in days {
        let what = if d.items.is_empty() {
            String::from("rest (walk as comfortable)")
        } else {
            d.items
                .iter()
                .map(|i| {
                    if i.times > 1 {
                        format!("{} ×2", i.name)
                    } else {
                        i.name.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "| {} {} | {} |", weekday(d.date), d.date, esc(&what));
    }

    let _ = writeln!(s, "\n## Exercises\n");
    let mut ids: Vec<&str> = Vec::new();
    if let Some(p) = pkb.protocol(&st.protocol) {
        let ph = &p.phase[st.phase.min(p.phase.len() - 1)];
        ids.extend(ph.exercises.iter().map(String::as_str));
    }
    if ids.is_empty() {
        let _ = writeln!(s, "None in this phase.");
    }
    for id in ids {
        let Some(x) = pkb.exercise(id) else { continue };
        let _ = writeln!(s, "### {}\n", x.name);
        let _ = writeln!(s, "{}\n", x.instructions);
        for c in &x.cues {
            let _ = writeln!(s, "- {c}");
        }
        // The dose for this plan's tissue (a strain plan never reads a tendon dose).
        let condition = pkb
            .protocol(&st.protocol)
            .map_or(st.condition.as_str(), |p| p.condition.as_str());
        let _ = writeln!(s, "\n- **Dose:** {}", pkb.dose(x, condition));
        let _ = writeln!(s, "- **Easier:** {} {}", x.easier, x.easier_dose);
        let _ = writeln!(s, "- **Harder:** {}", x.harder);
        if !x.equipment.is_empty() {
            let _ = writeln!(s, "- **Equipment:** {}", x.equipment.join(", "));
        }
        let _ = writeln!(s, "- **Not when:** {}", x.not_when);
        let shorts: Vec<&str> = x
            .sources
            .iter()
            .filter_map(|id| {
                kb.sources
                    .iter()
                    .find(|k| &k.id == id)
                    .map(|k| k.short.as_str())
            })
            .collect();
        let _ = writeln!(
            s,
            "- **Sources:** {}{}\n",
            shorts.join("; "),
            x.grade
                .as_deref()
                .map(|g| format!(" (grade {g})"))
                .unwrap_or_default()
        );
    }

    if let Some(p) = pkb.protocol(&st.protocol) {
        if let Some(l) = pkb.ladder(&p.run_ladder) {
            let _ = writeln!(s, "## Return to running: {}\n", l.name);
            let _ = writeln!(s, "Each stage repeats until a run is inside the pain rules and the next morning is no worse; then the next. The phase decides how far up the ladder you may go.\n");
            let cur = st.current_stage(pkb, p).map(|(i, _)| i);
            for (i, stage) in l.stage.iter().enumerate() {
                let here = if Some(i) == cur { " ← current" } else { "" };
                let _ = writeln!(
                    s,
                    "{}. **{}**{here}: {} (runs {} days apart)",
                    i + 1,
                    stage.name,
                    stage.text,
                    stage.spacing_days
                );
            }
            let _ = writeln!(s);
        }
    }

    let _ = writeln!(s, "## Timeline\n");
    if let Some([a, b]) = v.timeline.running {
        let _ = writeln!(s, "- First runs: typically between {a} and {b}");
    }
    if let Some([a, b]) = v.timeline.full {
        let _ = writeln!(s, "- Full training: typically between {a} and {b}");
    }
    for r in &v.timeline.reasons {
        let _ = writeln!(s, "- {}", crate::words::timeline_reason(r));
    }
    if let Some(n) = &v.timeline.note {
        let _ = writeln!(s, "\n{n}");
    }
    if !v.medication.is_empty() {
        let _ = writeln!(s, "\n## About painkillers\n");
        for m in &v.medication {
            let _ = writeln!(s, "- {m}");
        }
    }
    let _ = writeln!(s, "\n## Sources\n");
    for src in &v.sources {
        let full = kb.sources.iter().find(|k| k.id == src.id);
        let cite = full.map(|k| k.citation.as_str()).unwrap_or(&src.short);
        let url = full
            .and_then(|k| k.url.as_deref())
            .map(|u| format!(" <{u}>"))
            .unwrap_or_default();
        let _ = writeln!(s, "- {cite}{url}");
    }
    s
}
