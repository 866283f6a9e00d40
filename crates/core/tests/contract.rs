//! The findings contract at the edges: malformed input is rejected with an error that names
//! the field (table-driven, one row per way a client can get it wrong); the knowledge base's
//! findings schema matches the contract text in `../shared/spec/assessment.md` field for field
//! (parsed with the same rules as `../shared/vignettes/validate.py`, skipped with a note when
//! `../shared` is absent); and the knowledge base loads, while broken copies of it fail to
//! load with an error naming the file and the entry. Output-format checks live in
//! `common::contract_problems`, used by the vignette and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{shared_dir, CONTRACT_CONDITIONS};
use hamstride_core::findings::FieldKind;
use hamstride_core::{Error, Findings, Kb, KbFiles};

// ------------------------------------------------------------------ malformed findings --

/// What a rejected input must produce.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// `Error::Field` naming this field.
    Field(&'static str),
    /// `Error::Json` at this line.
    JsonAt(usize),
}

/// (what is wrong, findings text, expected error). Every row is rejected in strict and in
/// lenient mode except where noted in `unknown_field_*` below.
const MALFORMED: &[(&str, &str, Want)] = &[
    (
        "bad enum value",
        r#"{"schema": "hamstride.findings/1", "sex": "robot"}"#,
        Want::Field("sex"),
    ),
    (
        "bad list item",
        r#"{"pain_sites": ["buttock", "elbow"]}"#,
        Want::Field("pain_sites"),
    ),
    (
        "string for bool",
        r#"{"night_pain": "yes"}"#,
        Want::Field("night_pain"),
    ),
    (
        "number for bool",
        r#"{"night_pain": 1}"#,
        Want::Field("night_pain"),
    ),
    ("number for enum", r#"{"onset": 1}"#, Want::Field("onset")),
    (
        "float for int",
        r#"{"age_years": 30.5}"#,
        Want::Field("age_years"),
    ),
    (
        "string for int",
        r#"{"age_years": "30"}"#,
        Want::Field("age_years"),
    ),
    (
        "string for list",
        r#"{"pain_sites": "buttock"}"#,
        Want::Field("pain_sites"),
    ),
    (
        "list with a duplicate",
        r#"{"pain_sites": ["buttock", "sit_bone", "buttock"]}"#,
        Want::Field("pain_sites"),
    ),
    (
        "non-string list item",
        r#"{"worse_with": ["sitting", 3]}"#,
        Want::Field("worse_with"),
    ),
    (
        "age below range",
        r#"{"age_years": 4}"#,
        Want::Field("age_years"),
    ),
    (
        "age above range",
        r#"{"age_years": 111}"#,
        Want::Field("age_years"),
    ),
    (
        "pain above 10",
        r#"{"pain_now": 11}"#,
        Want::Field("pain_now"),
    ),
    (
        "pain below 0",
        r#"{"pain_worst": -1}"#,
        Want::Field("pain_worst"),
    ),
    (
        "negative distance",
        r#"{"weekly_km": -1}"#,
        Want::Field("weekly_km"),
    ),
    (
        "wrong schema tag",
        r#"{"schema": "hamstride.findings/3", "age_years": 30}"#,
        Want::Field("schema"),
    ),
    (
        "schema tag not a string",
        r#"{"schema": 1}"#,
        Want::Field("schema"),
    ),
    (
        "an array",
        r#"[{"age_years": 30}]"#,
        Want::Field("(top level)"),
    ),
    ("a string", r#""age_years""#, Want::Field("(top level)")),
    ("null", "null", Want::Field("(top level)")),
    (
        "missing value, seen at the closing brace on line 4",
        "{\n  \"age_years\": 30,\n  \"sex\": \n}",
        Want::JsonAt(4),
    ),
    ("trailing comma", "{\"age_years\": 30,}", Want::JsonAt(1)),
    ("empty text", "", Want::JsonAt(1)),
];

#[test]
fn malformed_findings_are_rejected_naming_the_field() {
    let kb = Kb::embedded().unwrap();
    let mut wrong = Vec::new();
    for &(what, text, want) in MALFORMED {
        for strict in [true, false] {
            let got = Findings::from_json_str(&kb.schema, text, strict);
            let ok = match (&got, want) {
                (Err(e @ Error::Field { field, .. }), Want::Field(name)) => {
                    field == name && e.to_string().contains(&format!("'{name}'"))
                }
                (Err(e @ Error::Json { line, column, .. }), Want::JsonAt(l)) => {
                    *line == l
                        && e.to_string()
                            .contains(&format!("line {l}, column {column}"))
                }
                _ => false,
            };
            if !ok {
                wrong.push(format!(
                    "{what} (strict {strict}): want {want:?}, got {}",
                    match &got {
                        Ok(_) => String::from("Ok"),
                        Err(e) => format!("{e:?} / {e}"),
                    }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn unknown_field_is_an_error_when_strict() {
    let kb = Kb::embedded().unwrap();
    let text = r#"{"schema": "hamstride.findings/1", "age_years": 30, "favourite_colour": "red"}"#;
    match Findings::from_json_str(&kb.schema, text, true) {
        Err(e @ Error::Field { .. }) => {
            assert!(e.to_string().contains("'favourite_colour'"), "{e}")
        }
        other => panic!("want a field error, got {other:?}"),
    }
}

#[test]
fn unknown_field_is_a_warning_when_lenient() {
    let kb = Kb::embedded().unwrap();
    let text = r#"{"schema": "hamstride.findings/1", "age_years": 30, "favourite_colour": "red"}"#;
    let parsed = Findings::from_json_str(&kb.schema, text, false).unwrap();
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].contains("favourite_colour"));
    // The known field still counts.
    assert_eq!(parsed.findings.answered(), 1);
}

/// Absent and `null` both mean "not asked / don't know", never "no"; an explicit `false` is
/// a real answer. The schema tag is optional.
#[test]
fn null_and_absent_mean_unknown() {
    let kb = Kb::embedded().unwrap();
    let fi = kb.schema.index("night_pain").unwrap();
    let null = Findings::from_json_str(&kb.schema, r#"{"night_pain": null}"#, true).unwrap();
    let absent = Findings::from_json_str(&kb.schema, "{}", true).unwrap();
    let no = Findings::from_json_str(&kb.schema, r#"{"night_pain": false}"#, true).unwrap();
    assert_eq!(null.findings.get(fi), None);
    assert_eq!(null.findings, absent.findings);
    assert_eq!(
        no.findings.get(fi),
        Some(&hamstride_core::Value::Bool(false))
    );
}

/// The edges of every range are accepted (an off-by-one would reject real runners).
#[test]
fn range_edges_are_accepted() {
    let kb = Kb::embedded().unwrap();
    for text in [
        r#"{"age_years": 5}"#,
        r#"{"age_years": 110}"#,
        r#"{"age_years": 30.0}"#,
        r#"{"pain_now": 0, "pain_worst": 10}"#,
        r#"{"weekly_km": 0, "running_years": 0, "days_since_onset": 0}"#,
        r#"{"weekly_km": 12.5, "days_to_pain_free_walking": 0.5}"#,
        r#"{"pain_sites": []}"#,
    ] {
        let p = Findings::from_json_str(&kb.schema, text, true)
            .unwrap_or_else(|e| panic!("{text} rejected: {e}"));
        assert!(p.findings.answered() >= 1, "{text}");
    }
}

// ------------------------------------------------------- schema against contract text --

/// A field as the contract text describes it.
#[derive(Debug, Clone, PartialEq)]
enum SpecKind {
    Bool,
    Int(i64, i64),
    Num,
    Enum(BTreeSet<String>),
    List(BTreeSet<String>),
    /// Anything the contract cannot express (so it never matches).
    Other(String),
}

/// The backticked `[a-z_0-9]+` words of a table cell.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

/// `integer 5..110` at the start of a cell (validate.py: `integer\s+(-?\d+)\s*\.\.\s*(-?\d+)`).
fn int_range(cell: &str) -> Option<(i64, i64)> {
    let rest = cell.strip_prefix("integer")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (lo, hi) = rest.trim_start().split_once("..")?;
    let lo: i64 = lo.trim_end().parse().ok()?;
    let hi = hi.trim_start();
    let end = hi
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(hi.len(), |(i, _)| i);
    Some((lo, hi[..end].parse().ok()?))
}

/// A table row `| `field` | type | meaning |`: the field and the type cell.
fn row(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('|')?.trim_start().strip_prefix('`')?;
    let (name, rest) = rest.split_once('`')?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let rest = rest.trim_start().strip_prefix('|')?;
    let cell = rest.split('|').next().unwrap_or_default().trim();
    Some((name.to_string(), cell.to_string()))
}

/// The findings tables of the contract, read as validate.py reads them: the version-1
/// tables under "## Input: findings" and, when present, the "### New findings fields" table
/// of "## Version 2".
fn parse_spec(text: &str) -> Result<BTreeMap<String, SpecKind>, String> {
    let start = text
        .find("## Input: findings")
        .ok_or("no '## Input: findings' section")?;
    let end = start
        + text[start..]
            .find("## Output")
            .ok_or("no '## Output' section")?;
    let mut section = text[start..end].to_string();
    if let Some(v2) = text.find("### New findings fields") {
        let rest = &text[v2..];
        let stop = rest[4..].find("\n#").map_or(rest.len(), |i| i + 4);
        section.push('\n');
        section.push_str(&rest[..stop]);
    }
    let mut fields = BTreeMap::new();
    let mut subsection = String::new();
    for line in section.lines() {
        let line = line.trim();
        if line.starts_with("###") {
            subsection = line.to_lowercase();
            continue;
        }
        let Some((name, cell)) = row(line) else {
            continue;
        };
        let values = || backticked(&cell).into_iter().collect::<BTreeSet<_>>();
        // The self-test table has no type column: its note says "All bool".
        let kind = if subsection.contains("self-test") {
            SpecKind::Bool
        } else if cell.starts_with("array of") {
            SpecKind::List(values())
        } else if let Some((lo, hi)) = int_range(&cell) {
            SpecKind::Int(lo, hi)
        } else if !values().is_empty() {
            SpecKind::Enum(values())
        } else if cell.starts_with("bool") {
            SpecKind::Bool
        } else if cell.starts_with("number") {
            SpecKind::Num
        } else {
            return Err(format!("cannot read the type of '{name}': {cell:?}"));
        };
        fields.insert(name, kind);
    }
    if fields.len() < 20 {
        return Err(format!(
            "only {} fields parsed; the table format may have changed",
            fields.len()
        ));
    }
    Ok(fields)
}

/// The knowledge base's schema in the same terms.
fn kb_fields(kb: &Kb) -> BTreeMap<String, SpecKind> {
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    kb.schema
        .fields
        .iter()
        .map(|f| {
            let k = match &f.kind {
                FieldKind::Bool => SpecKind::Bool,
                FieldKind::Int { min, max } => SpecKind::Int(*min, *max),
                // The contract's numbers are all "≥ 0" with no upper bound.
                FieldKind::Number { min, max } if *min == 0.0 && *max == f64::MAX => SpecKind::Num,
                FieldKind::Number { min, max } => SpecKind::Other(format!("number {min}..{max}")),
                FieldKind::Enum(v) => SpecKind::Enum(set(v)),
                FieldKind::Multi(v) => SpecKind::List(set(v)),
            };
            (f.id.clone(), k)
        })
        .collect()
}

#[test]
fn spec_parser_reads_each_row_kind() {
    // A miniature contract with one row of every kind, so the parser is tested even where
    // ../shared is absent.
    let text = "\
## Input: findings (JSON object)
### Who
| field | type | meaning |
|---|---|---|
| `age_years` | integer 5..110 | age |
| `sex` | `female` `male` `other` | sex |
| `weekly_km` | number ≥ 0 | volume |
| `takes_blood_thinners` | bool | pills |
### Self-tests (each: does it reproduce the familiar pain?)
| field | meaning |
|---|---|
| `test_single_leg_hop` | hopping on the sore leg hurts |
### Nerves — red-flag screen
| `dark_urine` | bool: cola-coloured urine |
| `tingling_sites` | array of `thigh` `foot` |
## Output
| `not_a_finding` | bool | |
";
    // Below the 20-field floor: rejected as a format change.
    assert!(parse_spec(text).is_err());
    let mut padded = String::from(text);
    let pad: String = (0..15)
        .map(|i| format!("| `pad_{i}` | bool | |\n"))
        .collect();
    padded.insert_str(padded.find("## Output").unwrap(), &pad);
    let f = parse_spec(&padded).unwrap();
    assert_eq!(f["age_years"], SpecKind::Int(5, 110));
    assert_eq!(
        f["sex"],
        SpecKind::Enum(["female", "male", "other"].map(String::from).into())
    );
    assert_eq!(f["weekly_km"], SpecKind::Num);
    assert_eq!(f["takes_blood_thinners"], SpecKind::Bool);
    assert_eq!(f["test_single_leg_hop"], SpecKind::Bool);
    assert_eq!(f["dark_urine"], SpecKind::Bool);
    assert_eq!(
        f["tingling_sites"],
        SpecKind::List(["thigh", "foot"].map(String::from).into())
    );
    assert!(!f.contains_key("not_a_finding"));
    assert!(!f.contains_key("field"));
}

#[test]
fn schema_matches_the_contract_text() {
    let Some(shared) = shared_dir("contract field check") else {
        return;
    };
    let path = shared.join("spec/assessment.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let spec = parse_spec(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let kb = Kb::embedded().unwrap();
    let ours = kb_fields(&kb);
    let mut diffs = Vec::new();
    for (name, k) in &spec {
        match ours.get(name) {
            None => diffs.push(format!(
                "contract field '{name}' missing from kb/findings.toml"
            )),
            Some(o) if o != k => {
                diffs.push(format!("'{name}': contract {k:?}, kb/findings.toml {o:?}"))
            }
            Some(_) => {}
        }
    }
    for name in ours.keys().filter(|n| !spec.contains_key(*n)) {
        diffs.push(format!(
            "kb/findings.toml field '{name}' is not in the contract"
        ));
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    eprintln!(
        "kb/findings.toml matches the {} fields of {}",
        spec.len(),
        path.display()
    );
}

// ---------------------------------------------------------------------- knowledge base --

/// Rules the brief requires (meta.toml's list, restated here so dropping one from both
/// meta.toml and triage.toml still fails).
const REQUIRED_RULES: [&str; 22] = [
    "R-E1",
    "R-E2",
    "R-E3",
    "R-E4",
    "R-E5",
    "R-U1",
    "R-U2",
    "R-U3",
    "R-U4",
    "R-U5",
    "R-S1",
    "R-S2",
    "R-S3",
    "R-S4",
    "R-S4-urgent",
    "R-S5",
    "R-P1",
    "R-P2",
    "R-P3-bruise",
    "R-P3-severe",
    "R-P3-not-improving",
    "R-C1",
];

#[test]
fn embedded_kb_loads_with_the_contract_shape() {
    let kb = Kb::embedded().unwrap();
    let stats = kb.stats();
    assert_eq!(stats.conditions, 14, "{stats:?}");
    // The 69 fields of contract version 1 and the 6 that version 2 added.
    assert_eq!(stats.findings, 75, "{stats:?}");
    assert_eq!(
        kb.schema.fields.iter().filter(|f| f.since == 2).count(),
        6,
        "{stats:?}"
    );
    let have: BTreeSet<&str> = kb.condition_ids.iter().map(String::as_str).collect();
    assert_eq!(have, CONTRACT_CONDITIONS.into_iter().collect());
    let rules: BTreeSet<&str> = kb.rules.iter().map(|r| r.id.as_str()).collect();
    let missing: Vec<&str> = REQUIRED_RULES
        .into_iter()
        .filter(|r| !rules.contains(r))
        .collect();
    assert!(missing.is_empty(), "required rules missing: {missing:?}");
    // Emergency and urgent rules are red flags, shown to the runner as such.
    for r in kb.rules.iter().filter(|r| r.level <= 1) {
        assert!(r.red_flag, "{} is urgent but not a red flag", r.id);
    }
    // Every screen item is a finding some emergency/urgent/red-flag rule reads, so the
    // screen never asks a question that cannot change triage.
    for s in &kb.screens {
        for &fi in &s.item_fields {
            assert!(
                kb.red_flag_fields[fi],
                "screen {} asks '{}', which no red-flag rule reads",
                s.id, kb.schema.fields[fi].id
            );
        }
    }
    assert!(stats.sources_cited > 0 && stats.sources_cited <= stats.sources);
}

/// Every source's address, by host: none is on a host `meta.toml` refuses (a mirror, an
/// aggregator, a library proxy), so every citation leads to the publisher, PubMed/PMC, a DOI
/// or the guideline body. The listing prints with `--nocapture`, for review.
#[test]
fn every_source_link_is_on_an_allowed_host() {
    use hamstride_core::kb::{refused_host, url_host};
    let kb = Kb::embedded().unwrap();
    assert!(
        kb.refused_source_hosts.iter().any(|h| h == "scribd.com"),
        "meta.toml refused_source_hosts lost its mirrors"
    );
    let mut by_host: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut refused = Vec::new();
    for s in &kb.sources {
        let Some(url) = &s.url else { continue };
        let host = url_host(url).unwrap_or_else(|| panic!("{}: '{url}' has no host", s.id));
        if let Some(why) = refused_host(&host, &kb.refused_source_hosts) {
            refused.push(format!("{} {host} ({why})", s.id));
        }
        by_host.entry(host).or_default().push(&s.id);
    }
    for (host, ids) in &by_host {
        println!("{:3} {host}: {}", ids.len(), ids.join(" "));
    }
    assert!(
        by_host.len() > 10,
        "too few hosts: the listing read nothing"
    );
    assert!(
        refused.is_empty(),
        "sources on refused hosts: {}",
        refused.join(", ")
    );
}

/// The host rules: subdomains of a refused host are refused, look-alikes are not.
#[test]
fn refused_hosts_cover_subdomains_and_bare_addresses_only() {
    use hamstride_core::kb::{refused_host, url_host};
    let refused = vec![String::from("scribd.com")];
    let host = |u: &str| url_host(u).unwrap();
    assert_eq!(host("https://De.Scribd.com./doc?x=1"), "de.scribd.com");
    assert_eq!(host("http://user@47.251.13.51:8081/1"), "47.251.13.51");
    assert_eq!(url_host("ftp://scribd.com/x"), None);
    assert_eq!(
        refused_host("de.scribd.com", &refused).as_deref(),
        Some("scribd.com")
    );
    assert_eq!(
        refused_host("scribd.com", &refused).as_deref(),
        Some("scribd.com")
    );
    assert_eq!(refused_host("notscribd.com", &refused), None);
    assert_eq!(
        refused_host("47.251.13.51", &refused).as_deref(),
        Some("47.251.13.51")
    );
    assert_eq!(refused_host("pubmed.ncbi.nlm.nih.gov", &refused), None);
}

/// (file, text to replace, replacement, entry the error must name, words the problem must
/// contain). The text to replace must occur exactly once, so a kb edit cannot make a row
/// pass by no longer breaking anything.
const BROKEN: &[(&str, &str, &str, &str, &str)] = &[
    // A copy on a document-sharing site (a subdomain of a refused host) or at a bare IP
    // address is not the source: refused, naming the source and the host.
    (
        "sources.toml",
        r#"url = "https://pmc.ncbi.nlm.nih.gov/articles/PMC4269925""#,
        r#"url = "https://de.scribd.com/document/291619755/""#,
        "ref2",
        "de.scribd.com",
    ),
    (
        "sources.toml",
        r#"url = "https://jssm.org/mobile/fulltextmobile.php?id=jssm-18-21.xml""#,
        r#"url = "http://47.251.13.51:8081/40623829""#,
        "ref3",
        "47.251.13.51",
    ),
    (
        "triage.toml",
        r#"sources = ["ref70", "ref72", "brief-2.1"]"#,
        r#"sources = ["ref9999", "ref72", "brief-2.1"]"#,
        "R-E2",
        "ref9999",
    ),
    (
        "triage.toml",
        r#"when = "dark_urine""#,
        r#"when = "dark_urine or blue_urine""#,
        "R-E3",
        "blue_urine",
    ),
    (
        "triage.toml",
        r#"when = "pain_only_at_max_effort and (foot_cold_or_pale"#,
        r#"when = "top = doms and pain_only_at_max_effort and (foot_cold_or_pale"#,
        "R-U7",
        "probabilities",
    ),
    (
        "triage.toml",
        r#"tier = "L2"
title = "Pain only at hard effort""#,
        r#"tier = "L1"
title = "Pain only at hard effort""#,
        "R-S6",
        "tier",
    ),
    (
        "screens.toml",
        r#"class = "other_tumour""#,
        r#"class = "other_tumor""#,
        "MNM-growth",
        "other_tumor",
    ),
    (
        "screens.toml",
        r#"threshold = 0.25"#,
        r#"threshold = 0.6"#,
        "MNM-avulsion",
        "threshold",
    ),
    (
        "evidence.toml",
        r#"when = "pain_sites has low_back and low_back_pain""#,
        r#"when = "pain_sites has low_back and saddle_numbness""#,
        "low-back-said-twice",
        "warning sign",
    ),
    (
        "conditions.toml",
        r#"prior = 0.004
sources = ["brief-1.13", "ext-qld-limp"]"#,
        r#"prior = 0.005
sources = ["brief-1.13", "ext-qld-limp"]"#,
        "other",
        "add up",
    ),
    (
        "triage.toml",
        r#"id = "R-C1""#,
        r#"id = "R-C9""#,
        "R-C1",
        "missing",
    ),
    (
        "evidence.toml",
        r#"on = "walking=limp""#,
        r#"on = "walking=limping""#,
        "(walking=limping)",
        "limping",
    ),
    (
        "evidence.toml",
        r#"on = "walking=unable""#,
        r#"on = "walking=limp""#,
        "(walking=limp)",
        "duplicate",
    ),
    (
        "conditions.toml",
        r#"id = "doms""#,
        r#"id = "delayed_soreness""#,
        "doms",
        "missing",
    ),
    (
        "meta.toml",
        r#""stress_fracture", "ischiofemoral_impingement""#,
        r#""stress_fracture", "stress_fracture""#,
        "stress_fracture",
        "listed twice",
    ),
    (
        "screens.toml",
        r#"items = ["leg_swelling", "#,
        r#"items = ["leg_swollen", "#,
        "urgent-signs",
        "leg_swollen",
    ),
    (
        "findings.toml",
        r#"ask_if = "numbness_or_tingling""#,
        r#"ask_if = "numbness""#,
        "tingling_sites",
        "numbness",
    ),
];

#[test]
fn broken_kb_copies_fail_naming_file_and_entry() {
    let good = KbFiles::embedded();
    let mut wrong = Vec::new();
    for &(file, from, to, entry, words) in BROKEN {
        let original = match file {
            "triage.toml" => good.triage,
            "evidence.toml" => good.evidence,
            "conditions.toml" => good.conditions,
            "screens.toml" => good.screens,
            "findings.toml" => good.findings,
            "meta.toml" => good.meta,
            "sources.toml" => good.sources,
            other => panic!("no such kb file in the table: {other}"),
        };
        assert_eq!(
            original.matches(from).count(),
            1,
            "{file}: '{from}' must occur exactly once"
        );
        let broken = original.replacen(from, to, 1);
        let mut files = good;
        match file {
            "triage.toml" => files.triage = &broken,
            "evidence.toml" => files.evidence = &broken,
            "conditions.toml" => files.conditions = &broken,
            "screens.toml" => files.screens = &broken,
            "meta.toml" => files.meta = &broken,
            "sources.toml" => files.sources = &broken,
            _ => files.findings = &broken,
        }
        match &Kb::from_files(&files) {
            Err(e @ Error::Kb { file: f, id, .. }) => {
                let msg = e.to_string();
                if f != file || !id.contains(entry) || !msg.contains(words) {
                    wrong.push(format!("{file} {from} -> {to}: got '{msg}'"));
                }
                if !msg.contains(file) || !msg.contains(&format!("[{id}]")) {
                    wrong.push(format!("message does not name file and entry: '{msg}'"));
                }
            }
            Err(e) => wrong.push(format!("{file} {from} -> {to}: not a kb error: {e:?}")),
            Ok(_) => wrong.push(format!("{file} {from} -> {to}: loaded anyway")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A syntax error in a kb file is reported against that file.
#[test]
fn kb_toml_syntax_error_names_the_file() {
    let mut files = KbFiles::embedded();
    let broken = format!("{}\n[[advice]\n", files.advice);
    files.advice = &broken;
    let e = Kb::from_files(&files).unwrap_err();
    assert!(
        matches!(&e, Error::Kb { file, .. } if file == "advice.toml"),
        "{e:?}"
    );
}

// ------------------------------------------------------------ the output checker itself --

/// `common::contract_problems` is what the vignette and property tests rely on for output
/// conformance; each way of breaking a real output must be caught, or those checks would
/// pass vacuously.
#[test]
fn contract_checker_catches_broken_outputs() {
    use serde_json::{json, Value as Json};
    let kb = Kb::embedded().unwrap();
    let f = Findings::from_json_str(
        &kb.schema,
        r#"{"onset": "sudden", "mechanism": "sprinting", "pop_or_snap": true, "walking": "limp", "bruising": "small", "pain_now": 6}"#,
        true,
    )
    .unwrap()
    .findings;
    let good = serde_json::to_value(hamstride_core::assess(&kb, &f).assessment).unwrap();
    assert_eq!(
        common::contract_problems(&kb, &f, &good),
        Vec::<String>::new()
    );
    assert_eq!(
        good["red_flags"],
        json!(["R-U1"]),
        "the case must fire a red flag"
    );

    type Break = fn(&mut Json);
    let breaks: &[(&str, Break)] = &[
        ("extra key", |v| v["extra"] = json!(1)),
        ("missing key", |v| {
            v.as_object_mut().unwrap().remove("advice");
        }),
        ("schema tag", |v| {
            v["schema"] = json!("hamstride.assessment/1")
        }),
        ("findings schema tag", |v| {
            v["findings_schema"] = json!("hamstride.findings/9")
        }),
        ("set_by kind", |v| {
            v["triage"]["set_by"]["kind"] = json!("ranking")
        }),
        ("set_by unknown rule", |v| {
            v["triage"]["set_by"]["id"] = json!("R-NOPE")
        }),
        ("set_by rule of another level", |v| {
            v["triage"]["set_by"]["id"] = json!("R-C1")
        }),
        ("could_change answered field", |v| {
            v["triage"]["could_change"] =
                json!([{"finding": "onset", "answer": "gradual", "level": "self_care"}])
        }),
        (
            "could_change bad level",
            |v| {
                v["triage"]["could_change"] =
                    json!([{"finding": "gap_or_dent", "answer": "true", "level": "soon"}])
            },
        ),
        ("level", |v| v["triage"]["level"] = json!("soon")),
        ("empty headline", |v| v["triage"]["headline"] = json!(" ")),
        ("reason keys", |v| {
            v["triage"]["reasons"][0]["why"] = json!("")
        }),
        ("two entries", |v| {
            v["differential"].as_array_mut().unwrap().truncate(2);
        }),
        ("unsorted", |v| {
            v["differential"].as_array_mut().unwrap().swap(0, 1);
        }),
        ("sum above 1", |v| {
            v["differential"][2]["probability"] = json!(0.99)
        }),
        ("negative", |v| {
            v["differential"][2]["probability"] = json!(-0.01)
        }),
        ("unknown condition", |v| {
            v["differential"][1]["condition"] = json!("sprained_ankle")
        }),
        ("duplicate condition", |v| {
            let c = v["differential"][0]["condition"].clone();
            v["differential"][1]["condition"] = c;
        }),
        ("red flag dropped", |v| v["red_flags"] = json!([])),
        ("red flag invented", |v| {
            v["red_flags"] = json!(["R-U1", "R-E1"])
        }),
        ("level below a red flag", |v| {
            v["triage"]["level"] = json!("clinician")
        }),
        ("answered question", |v| {
            v["next_questions"] = json!(["walking"])
        }),
        ("unknown question", |v| {
            v["next_questions"] = json!(["shoe_size"])
        }),
        ("repeated question", |v| {
            v["next_questions"] = json!(["night_pain", "night_pain"])
        }),
        ("wrong version", |v| v["knowledge_version"] = json!("0")),
    ];
    let mut missed = Vec::new();
    for (what, break_it) in breaks {
        let mut bad = good.clone();
        break_it(&mut bad);
        if common::contract_problems(&kb, &f, &bad).is_empty() {
            missed.push(*what);
        }
    }
    assert!(missed.is_empty(), "not caught: {missed:?}");
}
