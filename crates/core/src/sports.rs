//! The one vocabulary of sports (`kb/sports.toml`): every label a file or a service writes
//! (GPX `<type>` in any language, TCX `Sport`, FIT's sport and sub-sport names, Strava's
//! activity types) is read here as a sport and maybe a kind of it (trail running is `running`
//! of kind `trail`). Parsed and checked here, so the decoders and `hamstride kb check` read the
//! same table; pure, like the rest of the core.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::Error;

/// The file shipped in the binary.
pub const EMBEDDED: &str = include_str!("../../../kb/sports.toml");

/// The name `kb check` and error messages use.
pub const FILE_NAME: &str = "sports.toml";

/// The sport of every run, trail and treadmill runs included (they are kinds of it).
pub const RUNNING: &str = "running";
/// The sport of a file that does not say.
pub const UNKNOWN: &str = "unknown";
/// The sport of a label no synonym matches.
pub const OTHER: &str = "other";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    sport: Vec<Entry>,
    #[serde(default)]
    kind: Vec<KindEntry>,
    #[serde(default)]
    fit: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: String,
    synonyms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindEntry {
    sport: String,
    id: String,
    name: String,
    synonyms: Vec<String>,
}

/// What a label means: a sport and maybe a kind of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sport {
    /// One of the vocabulary's sports (`running`, `cycling`, … `other`, `unknown`).
    pub sport: String,
    /// A kind of that sport (`trail`, `treadmill`, `mountain` …), when the label names one.
    pub kind: Option<String>,
}

impl Sport {
    fn new(sport: &str, kind: Option<&str>) -> Sport {
        Sport {
            sport: sport.to_string(),
            kind: kind.map(str::to_string),
        }
    }
}

/// The vocabulary, with every synonym folded (see [`fold`]).
#[derive(Debug, Clone)]
pub struct Sports {
    /// Folded label → (sport, kind).
    labels: HashMap<String, Sport>,
    /// FIT "sport" or "sport/sub_sport" → (sport, kind).
    fit: HashMap<String, Sport>,
    /// (sport, kind) → plain name.
    names: HashMap<(String, Option<String>), String>,
}

impl Sports {
    /// Parse and check a `kb/sports.toml` text: every label is listed once (after folding),
    /// every kind belongs to a sport, `other` and `unknown` exist, every FIT target is known.
    pub fn from_toml(text: &str) -> Result<Sports, Error> {
        let file: File = toml::from_str(text).map_err(|e| Error::kb(FILE_NAME, "", e.message()))?;
        let mut s = Sports {
            labels: HashMap::new(),
            fit: HashMap::new(),
            names: HashMap::new(),
        };
        for e in &file.sport {
            s.add_name(&e.id, None, &e.name)?;
            s.add_synonyms(&e.synonyms, &Sport::new(&e.id, None))?;
        }
        for k in &file.kind {
            if !s.names.contains_key(&(k.sport.clone(), None)) {
                return Err(Error::kb(
                    FILE_NAME,
                    &k.id,
                    format!("no sport {:?}", k.sport),
                ));
            }
            s.add_name(&k.sport, Some(&k.id), &k.name)?;
            s.add_synonyms(&k.synonyms, &Sport::new(&k.sport, Some(&k.id)))?;
        }
        for id in [OTHER, UNKNOWN] {
            if !s.names.contains_key(&(id.to_string(), None)) {
                return Err(Error::kb(FILE_NAME, id, "this sport must be listed"));
            }
        }
        for (key, target) in &file.fit {
            let sport = s.target(target).ok_or_else(|| {
                Error::kb(
                    FILE_NAME,
                    key,
                    format!("{target:?} is not a sport or sport/kind"),
                )
            })?;
            s.fit.insert(key.clone(), sport);
        }
        Ok(s)
    }

    /// The vocabulary shipped in the binary.
    pub fn embedded() -> Result<Sports, Error> {
        Sports::from_toml(EMBEDDED)
    }

    fn add_name(&mut self, sport: &str, kind: Option<&str>, name: &str) -> Result<(), Error> {
        let id = kind.map_or_else(|| sport.to_string(), |k| format!("{sport}/{k}"));
        if name.trim().is_empty() {
            return Err(Error::kb(FILE_NAME, &id, "give it a plain name"));
        }
        let key = (sport.to_string(), kind.map(str::to_string));
        if self.names.insert(key, name.to_string()).is_some() {
            return Err(Error::kb(FILE_NAME, &id, "listed twice"));
        }
        Ok(())
    }

    fn add_synonyms(&mut self, synonyms: &[String], to: &Sport) -> Result<(), Error> {
        for raw in synonyms {
            let folded = fold(raw);
            if folded.is_empty() {
                return Err(Error::kb(FILE_NAME, &to.sport, format!("{raw:?} is empty")));
            }
            if let Some(before) = self.labels.insert(folded.clone(), to.clone()) {
                return Err(Error::kb(
                    FILE_NAME,
                    raw,
                    format!(
                        "the label {folded:?} is mapped twice: to {} and to {}",
                        describe(&before),
                        describe(to)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// "running" or "running/trail" as a known sport (and kind).
    fn target(&self, t: &str) -> Option<Sport> {
        let (sport, kind) = match t.split_once('/') {
            Some((s, k)) => (s, Some(k)),
            None => (t, None),
        };
        let key = (sport.to_string(), kind.map(str::to_string));
        self.names
            .contains_key(&key)
            .then(|| Sport::new(sport, kind))
    }

    /// What a free-text label means: its sport and kind; `other` when no synonym matches,
    /// `unknown` when there is no text.
    pub fn normalise(&self, label: &str) -> Sport {
        let folded = fold(label);
        if folded.is_empty() {
            return Sport::new(UNKNOWN, None);
        }
        self.labels
            .get(&folded)
            .cloned()
            .unwrap_or_else(|| Sport::new(OTHER, None))
    }

    /// What FIT's sport and sub-sport names (the FIT profile's, e.g. `running`, `trail`)
    /// mean: the `[fit]` table for the pair, then for the sport, then the sport's name read as
    /// a label.
    pub fn from_fit(&self, sport: &str, sub_sport: Option<&str>) -> Sport {
        if let Some(sub) = sub_sport {
            if let Some(s) = self.fit.get(&format!("{sport}/{sub}")) {
                return s.clone();
            }
        }
        match self.fit.get(sport) {
            Some(s) => s.clone(),
            None => self.normalise(sport),
        }
    }

    /// The plain name of a sport (and kind), for a runner to read: "trail running". A sport
    /// the vocabulary does not know (older rows) is shown as stored.
    pub fn name(&self, sport: &str, kind: Option<&str>) -> String {
        let key = |k: Option<&str>| (sport.to_string(), k.map(str::to_string));
        self.names
            .get(&key(kind))
            .or_else(|| self.names.get(&key(None)))
            .cloned()
            .unwrap_or_else(|| sport.to_string())
    }

    /// Whether `sport` is one of the vocabulary's sports.
    pub fn is_sport(&self, sport: &str) -> bool {
        self.names.contains_key(&(sport.to_string(), None))
    }
}

fn describe(s: &Sport) -> String {
    match &s.kind {
        Some(k) => format!("{}/{k}", s.sport),
        None => s.sport.clone(),
    }
}

/// A label as it is compared: CamelCase split (`TrailRun` → `trail run`), lower case, accents
/// off, and every run of characters that are not letters or digits one space.
pub fn fold(label: &str) -> String {
    let chars: Vec<char> = label.trim().chars().collect();
    let mut out = String::with_capacity(label.len());
    let mut space = false;
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            space = !out.is_empty();
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        if c.is_uppercase() && camel_boundary(prev, next) {
            space = !out.is_empty();
        }
        if space {
            out.push(' ');
            space = false;
        }
        for l in c.to_lowercase() {
            match unaccent(l) {
                Some(plain) => out.push_str(plain),
                None => out.push(l),
            }
        }
    }
    out
}

/// A capital starts a new word after a small letter or a digit (`trailRun`), or after a
/// capital when a small letter follows it (`EBike` → `E Bike`).
fn camel_boundary(prev: Option<char>, next: Option<char>) -> bool {
    match prev {
        Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
        Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
        _ => false,
    }
}

/// The letter without its accent, for the Latin letters of the languages the vocabulary
/// lists; `None` for every other character, which stays as it is.
fn unaccent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn folding_makes_spellings_one() {
        assert_eq!(fold("TrailRun"), "trail run");
        assert_eq!(fold("EBikeRide"), "e bike ride");
        assert_eq!(fold("Course à pied"), "course a pied");
        assert_eq!(fold("  COURSE_A_PIED "), "course a pied");
        assert_eq!(fold("MTB"), "mtb");
        assert_eq!(fold("Straßenlauf"), "strassenlauf");
        assert_eq!(fold("trail-running"), "trail running");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn the_shipped_vocabulary_loads_and_a_label_mapped_twice_is_refused() {
        assert!(Sports::embedded().is_ok());
        let twice = EMBEDDED.replace("\"tapis roulant\",", "\"tapis roulant\", \"Laufen\",");
        let err = Sports::from_toml(&twice)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("mapped twice"), "{err}");
        let bad_target = format!("{EMBEDDED}\n\"golf\" = \"golfing\"\n");
        assert!(Sports::from_toml(&bad_target).is_err());
    }
}
