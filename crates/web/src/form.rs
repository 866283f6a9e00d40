//! A posted form, read by hand rather than through serde: ticked boxes arrive as repeated
//! keys, and a missing or malformed field must become a 400 that names it (the runner's
//! input, never a 5xx).

use crate::WebError;

/// The fields of one `application/x-www-form-urlencoded` body, in order.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form {
            pairs: form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// The first value of `name`, if given and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of `name`, or a 400 naming it.
    pub fn need(&self, name: &str) -> Result<&str, WebError> {
        self.get(name)
            .ok_or_else(|| WebError::input(name, "is missing"))
    }

    /// Every value of `name` (ticked boxes).
    /// The optional `date` field (`YYYY-MM-DD`), named in the error when it is not one.
    pub fn date(&self) -> Result<Option<jiff::civil::Date>, WebError> {
        self.get("date")
            .map(|d| {
                d.parse::<jiff::civil::Date>().map_err(|_| {
                    WebError::input("date", format!("\"{d}\" is not a date (YYYY-MM-DD)"))
                })
            })
            .transpose()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
