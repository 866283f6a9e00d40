//! What a runner types to name things in a check-in, turned into the plan's ids. Runners pick
//! by the number `hamstride plan` shows or by a plain name ("heel dig hold", "sit bone"),
//! never by an internal id they would have to copy; ids still work, for scripts. Every front
//! end resolves through here, so the terminal and the web app accept the same words.

use hamstride_core::plan::{PlanView, SEEN_CLINICIAN};
use jiff::civil::Date;

use crate::plans::{input, ActivePlan, CheckInInput};
use crate::{Error, Service};

/// Lower case, every run of other characters one space: "Heel-dig hold" = "heel dig hold".
pub fn normalise(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A 1-based number within `len`, when `s` is one.
fn number(s: &str, len: usize) -> Option<usize> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=len).contains(n))
        .map(|n| n - 1)
}

/// The index of the choice `typed` names: its number, its id or its name (normalised).
fn pick(typed: &str, choices: &[(String, String)]) -> Option<usize> {
    if let Some(i) = number(typed, choices.len()) {
        return Some(i);
    }
    let t = normalise(typed);
    choices
        .iter()
        .position(|(id, name)| normalise(id) == t || normalise(name) == t)
}

/// "1 Heel dig hold, 2 Bridge hold": the choices as a message can list them.
fn listed(choices: &[(String, String)]) -> String {
    choices
        .iter()
        .enumerate()
        .map(|(i, (_, name))| format!("{} {name}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Today's sessions as choices: exercises by their id, runs and walks as "run".
fn sessions(view: &PlanView) -> Vec<(String, String)> {
    view.today_sessions
        .items
        .iter()
        .map(|it| match it.kind {
            "run" | "normal_training" => ("run".to_string(), it.name.clone()),
            _ => (it.id.clone(), it.name.clone()),
        })
        .collect()
}

impl Service {
    /// Resolve the check-in's `done`, `criteria` and `red_flags` from what the runner typed
    /// (numbers as `hamstride plan` lists them, plain names, "all", or ids) into ids. An
    /// unknown choice is an input error that lists what can be given, in words.
    pub fn resolve_checkin(
        &self,
        plan: &ActivePlan,
        today: Date,
        c: &mut CheckInInput,
    ) -> Result<(), Error> {
        let view = self.plan_view(plan, c.date.unwrap_or(today))?;
        c.done = self.resolve_done(&view, &c.done)?;
        c.criteria = resolve_criteria(&view, &c.criteria)?;
        if let Some(flags) = &c.red_flags {
            c.red_flags = Some(self.resolve_flags(flags)?);
        }
        Ok(())
    }

    fn resolve_done(&self, view: &PlanView, typed: &[String]) -> Result<Vec<String>, Error> {
        let today = sessions(view);
        let mut out: Vec<String> = Vec::new();
        for t in typed {
            let ids: Vec<String> = if normalise(t) == "all" {
                today.iter().map(|(id, _)| id.clone()).collect()
            } else if normalise(t) == "run" {
                vec!["run".to_string()]
            } else if let Some(i) = pick(t, &today) {
                vec![today[i].0.clone()]
            } else if let Some(e) =
                self.plans.exercises.iter().find(|e| {
                    normalise(&e.id) == normalise(t) || normalise(&e.name) == normalise(t)
                })
            {
                // An exercise from another day of the plan is still something done.
                vec![e.id.clone()]
            } else {
                return Err(input(
                    "done",
                    format!(
                        "'{t}' is not one of today's sessions; give their numbers or names ({}), \"run\" or \"all\"",
                        listed(&today)
                    ),
                ));
            };
            for id in ids {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    fn resolve_flags(&self, typed: &[String]) -> Result<Vec<String>, Error> {
        let kb = &self.kb;
        let signs: Vec<(String, String)> = kb
            .screens
            .iter()
            .flat_map(|s| s.items.iter())
            .map(|id| (id.clone(), kb.describe_finding(id)))
            .collect();
        typed
            .iter()
            .map(|t| {
                pick(t, &signs).map(|i| signs[i].0.clone()).ok_or_else(|| {
                    input(
                        "red_flags",
                        format!(
                            "'{t}' is not a warning sign this check knows; give \"none\" or the numbers or names of the signs you have: {}",
                            signs
                                .iter()
                                .enumerate()
                                .map(|(i, (id, words))| {
                                    let short = normalise(id);
                                    if short == normalise(words) {
                                        format!("{} {short}", i + 1)
                                    } else {
                                        format!("{} {short} ({words})", i + 1)
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    )
                })
            })
            .collect()
    }
}

fn resolve_criteria(view: &PlanView, typed: &[String]) -> Result<Vec<String>, Error> {
    let open: Vec<(String, String)> = view
        .phase
        .criteria
        .iter()
        .map(|c| (c.id.clone(), c.text.clone()))
        .collect();
    typed
        .iter()
        .map(|t| {
            if t == SEEN_CLINICIAN {
                return Ok(t.clone());
            }
            pick(t, &open).map(|i| open[i].0.clone()).ok_or_else(|| {
                input(
                    "met",
                    if open.is_empty() {
                        format!("'{t}': this phase has no criteria to mark")
                    } else {
                        format!(
                            "'{t}' is not one of this phase's criteria; give their numbers as `hamstride plan` lists them (1 to {})",
                            open.len()
                        )
                    },
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_the_punctuation_and_case() {
        assert_eq!(normalise("Heel-dig  HOLD"), "heel dig hold");
        assert_eq!(normalise("sit_bone"), "sit bone");
        let choices = vec![
            ("heel-dig".to_string(), "Heel dig hold".to_string()),
            ("run".to_string(), "Easy run".to_string()),
        ];
        assert_eq!(pick("2", &choices), Some(1));
        assert_eq!(pick("heel dig hold", &choices), Some(0));
        assert_eq!(pick("heel_dig", &choices), Some(0));
        assert_eq!(pick("3", &choices), None);
        assert_eq!(pick("0", &choices), None);
        assert_eq!(pick("nordic", &choices), None);
    }
}
