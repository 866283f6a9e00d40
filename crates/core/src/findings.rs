//! Findings: what the runner told us, validated against the contract's schema.
//!
//! The schema (field names, types, ranges, choices, question text) is data in
//! `kb/findings.toml`; this module turns it into a [`Schema`] and uses it to parse untrusted
//! findings JSON into a compact [`Findings`] value. Parsing never panics: every problem is an
//! [`Error::Field`](crate::Error::Field) naming the field. An absent field (or JSON `null`)
//! means "not asked / don't know", never "no". Unknown fields are an error only in strict
//! mode; otherwise they are returned as warnings so the caller can show them.

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::Error;

/// The schema tag the contract puts on findings (the newest version, which this engine writes).
pub const FINDINGS_SCHEMA: &str = "hamstride.findings/2";

/// Every findings schema tag this engine reads, oldest first; the position + 1 is the version.
pub const FINDINGS_SCHEMAS: [&str; 2] = ["hamstride.findings/1", "hamstride.findings/2"];

/// A numeric range split into named bins (inclusive upper bound; the last bin is open).
#[derive(Debug, Clone, Deserialize)]
pub struct Bin {
    pub id: String,
    pub max: Option<f64>,
}

/// The type of a finding and what values it allows.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Bool,
    Int { min: i64, max: i64 },
    Number { min: f64, max: f64 },
    Enum(Vec<String>),
    Multi(Vec<String>),
}

/// One field of the findings contract.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub kind: FieldKind,
    pub section: String,
    pub question: String,
    /// Short human labels for choice values (falls back to the value id).
    pub labels: Vec<(String, String)>,
    pub bins: Vec<Bin>,
    /// `distance` when the number is a distance the CLI may ask in miles.
    pub unit: Option<String>,
    /// A short noun phrase for explanations ("felt a pop or snap").
    pub label: String,
    /// Condition (in the rule language) under which the interview may ask this question, so
    /// follow-ups such as "was that injury recent?" only come after the question they follow.
    pub ask_if: Option<String>,
    /// The contract version that added this field (1 or 2).
    pub since: u8,
    /// The interview asks this right after the red-flag screen (age gates the growth-plate
    /// and children's rules, so it is too important to leave to question scoring).
    pub ask_early: bool,
    /// Each answer in plain words (`says` in `findings.toml`; every answer has one).
    pub says: Says,
}

/// The plain words of a field's answers, checked complete at load: a report or a result never
/// has to show an id such as `onset=sudden`.
#[derive(Debug, Clone, PartialEq)]
pub enum Says {
    /// A bool: what yes and what no say.
    Bool { yes: String, no: String },
    /// A choice: one phrase per value, in the field's value order; a multi field also has one
    /// per value not chosen (`says_not`).
    Choice {
        chosen: Vec<String>,
        not_chosen: Vec<String>,
    },
    /// A number: a phrase with `{value}` where the number goes.
    Number(String),
}

impl Field {
    pub fn values(&self) -> &[String] {
        match &self.kind {
            FieldKind::Enum(v) | FieldKind::Multi(v) => v,
            _ => &[],
        }
    }

    pub fn value_index(&self, v: &str) -> Result<u8, String> {
        self.values()
            .iter()
            .position(|x| x == v)
            .map(|i| i as u8)
            .ok_or_else(|| {
                format!(
                    "'{v}' is not a value of {} (expected one of: {})",
                    self.id,
                    self.values().join(", ")
                )
            })
    }

    /// The human label for a choice value.
    pub fn value_label(&self, v: &str) -> String {
        self.labels
            .iter()
            .find(|(k, _)| k == v)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| v.replace('_', " "))
    }

    /// A whole number inside bin `b`, for what-if reasoning: its top, or just above the
    /// bin before it for the open last bin.
    pub fn bin_representative(&self, b: usize) -> f64 {
        match self.bins.get(b).and_then(|x| x.max) {
            Some(m) => m.floor(),
            None => {
                let below = b.checked_sub(1).and_then(|k| self.bins.get(k)?.max);
                below.map_or(0.0, |m| m.floor() + 1.0)
            }
        }
    }

    /// The bin a number falls in.
    pub fn bin_of(&self, x: f64) -> usize {
        self.bins
            .iter()
            .position(|b| b.max.is_none_or(|m| x <= m))
            .unwrap_or(self.bins.len().saturating_sub(1))
    }
}

/// All fields of the contract, in knowledge-base order.
#[derive(Debug, Clone)]
pub struct Schema {
    pub fields: Vec<Field>,
}

#[derive(Deserialize)]
struct RawFile {
    finding: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: String,
    kind: String,
    #[serde(default)]
    values: Vec<String>,
    min: Option<f64>,
    max: Option<f64>,
    section: String,
    question: String,
    #[serde(default)]
    labels: toml::Table,
    #[serde(default)]
    bins: Vec<Bin>,
    unit: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    ask_if: Option<String>,
    #[serde(default = "first_version")]
    since: u8,
    #[serde(default)]
    ask_early: bool,
    says: Option<toml::Value>,
    #[serde(default)]
    says_not: toml::Table,
}

fn first_version() -> u8 {
    1
}

impl Schema {
    pub fn from_toml(src: &str) -> Result<Schema, Error> {
        let raw: RawFile = toml::from_str(src).map_err(|e| Error::kb("findings.toml", "", e))?;
        let mut fields = Vec::with_capacity(raw.finding.len());
        for r in raw.finding {
            let bad = |m: &str| Error::kb("findings.toml", &r.id, m);
            let kind = match r.kind.as_str() {
                "bool" => FieldKind::Bool,
                "int" => FieldKind::Int {
                    min: r.min.ok_or_else(|| bad("int needs min"))? as i64,
                    max: r.max.ok_or_else(|| bad("int needs max"))? as i64,
                },
                "number" => FieldKind::Number {
                    min: r.min.unwrap_or(0.0),
                    max: r.max.unwrap_or(f64::MAX),
                },
                "enum" => FieldKind::Enum(r.values.clone()),
                "multi" => {
                    if r.values.len() > 64 {
                        return Err(bad("a multi field has at most 64 values"));
                    }
                    FieldKind::Multi(r.values.clone())
                }
                k => return Err(bad(&format!("unknown kind '{k}'"))),
            };
            if matches!(kind, FieldKind::Enum(_) | FieldKind::Multi(_)) && r.values.is_empty() {
                return Err(bad("a choice field needs values"));
            }
            let mut labels = Vec::new();
            for (k, v) in &r.labels {
                if !r.values.contains(k) {
                    return Err(bad(&format!("label for unknown value '{k}'")));
                }
                labels.push((k.clone(), v.as_str().unwrap_or_default().to_string()));
            }
            let label = r.label.clone().unwrap_or_else(|| r.id.replace('_', " "));
            let says = says_of(&r, &kind).map_err(|m| bad(&m))?;
            fields.push(Field {
                id: r.id,
                kind,
                section: r.section,
                question: r.question,
                labels,
                bins: r.bins,
                unit: r.unit,
                label,
                ask_if: r.ask_if,
                since: r.since,
                ask_early: r.ask_early,
                says,
            });
        }
        Ok(Schema { fields })
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.id == id)
    }
}

/// A field's `says` and `says_not`, checked against its kind: every answer has a phrase that is
/// not empty, and no phrase names an answer the field does not have.
fn says_of(r: &RawField, kind: &FieldKind) -> Result<Says, String> {
    let text = |t: &toml::Table, key: &str, what: &str| -> Result<String, String> {
        match t.get(key).and_then(toml::Value::as_str).map(str::trim) {
            Some(s) if !s.is_empty() => Ok(s.to_string()),
            _ => Err(format!("{what} has no plain words for '{key}'")),
        }
    };
    let table = || match &r.says {
        Some(toml::Value::Table(t)) => Ok(t.clone()),
        Some(_) => Err("says must be a table of answer = \"words\"".to_string()),
        None => Err("says is missing: every answer needs a few plain words".to_string()),
    };
    let no_extra = |t: &toml::Table, allowed: &[&str], what: &str| -> Result<(), String> {
        match t.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(format!(
                "{what} names '{k}', which is not an answer of this field"
            )),
            None => Ok(()),
        }
    };
    if !r.says_not.is_empty() && !matches!(kind, FieldKind::Multi(_)) {
        return Err("says_not is only for a multi field".to_string());
    }
    match kind {
        FieldKind::Bool => {
            let t = table()?;
            no_extra(&t, &["yes", "no"], "says")?;
            Ok(Says::Bool {
                yes: text(&t, "yes", "says")?,
                no: text(&t, "no", "says")?,
            })
        }
        FieldKind::Int { .. } | FieldKind::Number { .. } => match &r.says {
            Some(toml::Value::String(s)) if s.contains("{value}") => Ok(Says::Number(s.clone())),
            None => Err("says is missing: every answer needs a few plain words".to_string()),
            _ => Err("says must be words with {value} where the number goes".to_string()),
        },
        FieldKind::Enum(values) | FieldKind::Multi(values) => {
            let multi = matches!(kind, FieldKind::Multi(_));
            let t = table()?;
            let allowed: Vec<&str> = values.iter().map(String::as_str).collect();
            no_extra(&t, &allowed, "says")?;
            no_extra(&r.says_not, &allowed, "says_not")?;
            let chosen = values
                .iter()
                .map(|v| text(&t, v, "says"))
                .collect::<Result<Vec<_>, _>>()?;
            let not_chosen = if multi {
                values
                    .iter()
                    .map(|v| text(&r.says_not, v, "says_not"))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                Vec::new()
            };
            Ok(Says::Choice { chosen, not_chosen })
        }
    }
}

/// One answered finding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Bool(bool),
    Num(f64),
    /// Index into the field's values.
    Enum(u8),
    /// Bit set of indexes into the field's values.
    Multi(u64),
}

/// The runner's answers, indexed like the schema. `None` = not asked / don't know.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    values: Vec<Option<Value>>,
    /// The contract version the answers were written in (0 = not from a document: newest).
    version: u8,
}

/// The result of parsing: the findings, the contract version they were written in, and any
/// warnings (unknown fields when not strict).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub findings: Findings,
    pub warnings: Vec<String>,
    /// 1 or 2: the version named by the `schema` tag (the newest when there is no tag).
    pub version: u8,
}

impl Parsed {
    /// The schema tag of the version that was read.
    pub fn schema_tag(&self) -> &'static str {
        FINDINGS_SCHEMAS[usize::from(self.version.clamp(1, 2)) - 1]
    }
}

/// Two findings sets are equal when they hold the same answers in the same contract version
/// (an unset version means the newest).
impl PartialEq for Findings {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values && self.version() == other.version()
    }
}

impl Findings {
    pub fn empty(schema: &Schema) -> Findings {
        Findings {
            values: vec![None; schema.fields.len()],
            version: 0,
        }
    }

    /// The findings contract version these answers were read as (1 or 2).
    pub fn version(&self) -> u8 {
        if self.version == 0 {
            FINDINGS_SCHEMAS.len() as u8
        } else {
            self.version
        }
    }

    pub fn get(&self, i: usize) -> Option<&Value> {
        self.values.get(i).and_then(Option::as_ref)
    }

    pub fn set(&mut self, i: usize, v: Option<Value>) {
        if let Some(slot) = self.values.get_mut(i) {
            *slot = v;
        }
    }

    pub fn answered(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// Parse findings JSON text.
    pub fn from_json_str(schema: &Schema, text: &str, strict: bool) -> Result<Parsed, Error> {
        let json: Json = serde_json::from_str(text).map_err(|e| Error::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Findings::from_json(schema, &json, strict)
    }

    /// Parse an already-decoded JSON value.
    pub fn from_json(schema: &Schema, json: &Json, strict: bool) -> Result<Parsed, Error> {
        let obj = json.as_object().ok_or_else(|| Error::Field {
            field: String::from("(top level)"),
            problem: String::from("findings must be a JSON object"),
        })?;
        let version = match obj.get("schema") {
            None => FINDINGS_SCHEMAS.len() as u8,
            Some(tag) => FINDINGS_SCHEMAS
                .iter()
                .position(|s| Some(*s) == tag.as_str())
                .map(|i| i as u8 + 1)
                .ok_or_else(|| {
                    Error::field(
                        "schema",
                        format!(
                            "must be one of {}, found {tag}",
                            FINDINGS_SCHEMAS.map(|s| format!("\"{s}\"")).join(" or ")
                        ),
                    )
                })?,
        };
        let mut out = Findings::empty(schema);
        out.version = version;
        let mut warnings = Vec::new();
        for (key, val) in obj {
            if key == "schema" {
                continue;
            }
            let Some(i) = schema.index(key) else {
                if strict {
                    return Err(Error::field(
                        key,
                        "unknown field (not in the findings contract)",
                    ));
                }
                warnings.push(format!("ignored unknown field '{key}'"));
                continue;
            };
            // A version-2 field in a version-1 document: the writer meant something the tag
            // does not cover. Strict mode refuses; otherwise it is read and noted.
            if schema.fields[i].since > version {
                let tag = FINDINGS_SCHEMAS[usize::from(schema.fields[i].since) - 1];
                if strict {
                    return Err(Error::field(
                        key,
                        format!("this field needs \"schema\": \"{tag}\""),
                    ));
                }
                warnings.push(format!("read '{key}', a field of {tag}"));
            }
            if val.is_null() {
                continue;
            }
            out.values[i] = Some(parse_value(&schema.fields[i], val)?);
        }
        Ok(Parsed {
            findings: out,
            warnings,
            version,
        })
    }

    /// The contract's JSON form of these findings (with the schema tag).
    pub fn to_json(&self, schema: &Schema) -> Map<String, Json> {
        let mut m = Map::new();
        let tag = FINDINGS_SCHEMAS[usize::from(self.version()) - 1];
        m.insert("schema".into(), Json::from(tag));
        for (i, f) in schema.fields.iter().enumerate() {
            if let Some(v) = self.get(i) {
                m.insert(f.id.clone(), value_to_json(f, v));
            }
        }
        m
    }
}

pub fn value_to_json(f: &Field, v: &Value) -> Json {
    match (v, &f.kind) {
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Num(x), FieldKind::Int { .. }) => Json::from(*x as i64),
        (Value::Num(x), _) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        (Value::Enum(e), _) => Json::from(f.values()[*e as usize].clone()),
        (Value::Multi(m), _) => Json::Array(
            f.values()
                .iter()
                .enumerate()
                .filter(|(i, _)| m & (1 << i) != 0)
                .map(|(_, v)| Json::from(v.clone()))
                .collect(),
        ),
    }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "true/false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// Parse one answer to one field (untrusted JSON), with an error naming the field.
pub fn parse_answer(f: &Field, v: &Json) -> Result<Value, Error> {
    parse_value(f, v)
}

fn parse_value(f: &Field, v: &Json) -> Result<Value, Error> {
    let id = f.id.as_str();
    match &f.kind {
        FieldKind::Bool => v.as_bool().map(Value::Bool).ok_or_else(|| {
            Error::field(
                id,
                format!("expected true or false, found {}", type_name(v)),
            )
        }),
        FieldKind::Int { min, max } => {
            let n = v.as_f64().ok_or_else(|| {
                Error::field(
                    id,
                    format!("expected a whole number, found {}", type_name(v)),
                )
            })?;
            if n.fract() != 0.0 {
                return Err(Error::field(
                    id,
                    format!("expected a whole number, found {n}"),
                ));
            }
            if n < *min as f64 || n > *max as f64 {
                return Err(Error::field(
                    id,
                    format!("{n} is out of range {min}..{max}"),
                ));
            }
            Ok(Value::Num(n))
        }
        FieldKind::Number { min, max } => {
            let n = v.as_f64().ok_or_else(|| {
                Error::field(id, format!("expected a number, found {}", type_name(v)))
            })?;
            if !n.is_finite() || n < *min || n > *max {
                return Err(Error::field(
                    id,
                    format!("{n} is out of range (at least {min})"),
                ));
            }
            Ok(Value::Num(n))
        }
        FieldKind::Enum(_) => {
            let s = v.as_str().ok_or_else(|| {
                Error::field(
                    id,
                    format!("expected one of the listed values, found {}", type_name(v)),
                )
            })?;
            f.value_index(s)
                .map(Value::Enum)
                .map_err(|m| Error::field(id, m))
        }
        FieldKind::Multi(_) => {
            let arr = v.as_array().ok_or_else(|| {
                Error::field(
                    id,
                    format!("expected a list of values, found {}", type_name(v)),
                )
            })?;
            let mut mask = 0u64;
            for item in arr {
                let s = item.as_str().ok_or_else(|| {
                    Error::field(
                        id,
                        format!("list items must be text, found {}", type_name(item)),
                    )
                })?;
                let bit = 1u64 << f.value_index(s).map_err(|m| Error::field(id, m))?;
                if mask & bit != 0 {
                    return Err(Error::field(id, format!("'{s}' is listed twice")));
                }
                mask |= bit;
            }
            Ok(Value::Multi(mask))
        }
    }
}
