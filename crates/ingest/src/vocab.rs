//! The sports vocabulary (`kb/sports.toml`) as the decoders use it: the label a file wrote in,
//! the sport, its kind and that label out. Parsed once, like the import rules; a vocabulary that
//! does not load (a build that should never ship) is an error per file, not a panic.

use std::sync::LazyLock;

use hamstride_core::sports::{Sport, Sports};

use crate::Error;

static SPORTS: LazyLock<Result<Sports, String>> =
    LazyLock::new(|| Sports::embedded().map_err(|e| e.to_string()));

/// The shipped vocabulary.
pub fn sports() -> Result<&'static Sports, Error> {
    SPORTS.as_ref().map_err(|e| Error::Rules(e.clone()))
}

/// A sport as an activity keeps it: the vocabulary's sport and kind, and the label as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    pub sport: String,
    pub kind: Option<String>,
    pub label: Option<String>,
}

impl Named {
    fn new(s: Sport, label: Option<String>) -> Named {
        Named {
            sport: s.sport,
            kind: s.kind,
            label,
        }
    }
}

/// A free-text label (GPX `<type>`, TCX `Sport`, Strava's type); `None` or blank: unknown.
pub fn from_label(label: Option<&str>) -> Result<Named, Error> {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    let sport = sports()?.normalise(label.unwrap_or(""));
    Ok(Named::new(sport, label.map(str::to_string)))
}

/// FIT's sport and sub-sport, as the FIT profile names them; the label kept is
/// `sport/sub_sport` (or the sport alone), as the file said it.
pub fn from_fit(sport: Option<&str>, sub_sport: Option<&str>) -> Result<Named, Error> {
    let Some(sport) = sport else {
        return Ok(Named::new(sports()?.normalise(""), None));
    };
    let label = match sub_sport {
        Some(sub) => format!("{sport}/{sub}"),
        None => sport.to_string(),
    };
    Ok(Named::new(
        sports()?.from_fit(sport, sub_sport),
        Some(label),
    ))
}
