//! The steps of loading the knowledge base (`Kb::from_files`), one function each, in the
//! order they run: parse every file, check the sources, the conditions and the levels, compile
//! the rules, the red-flag screens, the advice and the follow-up questions, and check the
//! number bins. Each step returns an error naming the file and the entry, so a broken
//! knowledge base says exactly what to fix. The probability model's steps live in
//! `kb_model.rs`.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::expr::{self, Expr, Names};
use crate::findings::{FieldKind, Schema};
use crate::kb::LevelInfo;
use crate::kb::{
    parse_toml, refused_host, url_host, Advice, Condition, KbFiles, RawAdvice, RawMeta, RawRule,
    Rule, Screen, Source, LEVELS,
};
use crate::kb_model::{self, Cite, Near};
use crate::urgency::{self, Frame, Stated, WHEN};
use crate::Error;

/// Every file of the knowledge base, parsed but not yet checked.
pub(crate) struct RawKb {
    pub meta: RawMeta,
    pub schema: Schema,
    pub conditions: Vec<Condition>,
    pub subtypes: Vec<kb_model::RawSubtype>,
    pub rules: Vec<RawRule>,
    pub screens: Vec<Screen>,
    pub screen_wording: ScreenWording,
    pub must_not_miss: Vec<kb_model::RawMustNotMiss>,
    pub advice: Vec<RawAdvice>,
    pub sources: Vec<Source>,
    pub evidence: kb_model::RawEvidenceFile,
    pub near: Vec<Near>,
}

impl RawKb {
    /// Parse every file, naming the file in any syntax error.
    pub fn parse(files: &KbFiles<'_>) -> Result<RawKb, Error> {
        #[derive(Deserialize)]
        struct Conds {
            condition: Vec<Condition>,
            #[serde(default)]
            subtype: Vec<kb_model::RawSubtype>,
        }
        #[derive(Deserialize)]
        struct Rules {
            rule: Vec<RawRule>,
        }
        #[derive(Deserialize)]
        struct Screens {
            wording: ScreenWording,
            screen: Vec<Screen>,
            #[serde(default)]
            must_not_miss: Vec<kb_model::RawMustNotMiss>,
        }
        #[derive(Deserialize)]
        struct Advices {
            advice: Vec<RawAdvice>,
        }
        #[derive(Deserialize)]
        struct Sources {
            source: Vec<Source>,
        }
        let meta: RawMeta = parse_toml("meta.toml", files.meta)?;
        let schema = Schema::from_toml(files.findings)?;
        let conds = parse_toml::<Conds>("conditions.toml", files.conditions)?;
        let rules = parse_toml::<Rules>("triage.toml", files.triage)?.rule;
        let screens = parse_toml::<Screens>("screens.toml", files.screens)?;
        let advice = parse_toml::<Advices>("advice.toml", files.advice)?.advice;
        let sources = parse_toml::<Sources>("sources.toml", files.sources)?.source;
        let evidence = parse_toml("evidence.toml", files.evidence)?;
        let near = kb_model::load_near(&schema, files.findings)?;
        Ok(RawKb {
            meta,
            schema,
            conditions: conds.condition,
            subtypes: conds.subtype,
            rules,
            screens: screens.screen,
            screen_wording: check_wording(screens.wording)?,
            must_not_miss: screens.must_not_miss,
            advice,
            sources,
            evidence,
            near,
        })
    }
}

/// What a result says about the warning signs (screens.toml `[wording]`): the "all clear"
/// only when every item was answered no, else which were not checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenWording {
    pub all_clear: String,
    /// Must contain `{unchecked}`, where the unchecked items are listed.
    pub unchecked: String,
    /// Said when the interview stops because every answer was "don't know".
    pub all_unknown: String,
}

fn check_wording(w: ScreenWording) -> Result<ScreenWording, Error> {
    for (key, text) in [("all_clear", &w.all_clear), ("all_unknown", &w.all_unknown)] {
        if text.trim().is_empty() {
            return Err(Error::kb(
                "screens.toml",
                &format!("wording.{key}"),
                "empty",
            ));
        }
    }
    if !w.unchecked.contains("{unchecked}") {
        return Err(Error::kb(
            "screens.toml",
            "wording.unchecked",
            "must contain {unchecked}, where the warning signs not checked are listed",
        ));
    }
    Ok(w)
}

/// Source ids, each once: every citation in the other files must resolve to one.
pub(crate) fn source_ids(sources: &[Source]) -> Result<BTreeSet<&str>, Error> {
    let mut ids = BTreeSet::new();
    for s in sources {
        if !ids.insert(s.id.as_str()) {
            return Err(Error::kb("sources.toml", &s.id, "duplicate source id"));
        }
    }
    Ok(ids)
}

/// Every source's address is a web address whose host `meta.toml` does not refuse: a copy on a
/// document-sharing site, an aggregator or a news page is not the source, and such copies move
/// or vanish. The error names the source and the host, and says what to link instead.
pub(crate) fn check_source_hosts(sources: &[Source], refused: &[String]) -> Result<(), Error> {
    for s in sources {
        let Some(url) = &s.url else { continue };
        let Some(host) = url_host(url) else {
            return Err(Error::kb(
                "sources.toml",
                &s.id,
                format!("address '{url}' is not an http(s) address with a host"),
            ));
        };
        if let Some(why) = refused_host(&host, refused) {
            return Err(Error::kb(
                "sources.toml",
                &s.id,
                format!(
                    "address host {host} is refused (meta.toml refused_source_hosts: {why}); \
                     link the publisher, PubMed/PMC, a DOI or the guideline body"
                ),
            ));
        }
    }
    Ok(())
}

/// Exactly the contract's conditions (meta.toml's `conditions`), each with sources, a valid
/// level, a prior and text.
pub(crate) fn check_conditions(
    conditions: &[Condition],
    contract: &[String],
    cite: Cite<'_>,
) -> Result<Vec<String>, Error> {
    let mut listed = BTreeSet::new();
    for want in contract {
        if !listed.insert(want.as_str()) {
            return Err(Error::kb(
                "meta.toml",
                want,
                "contract condition listed twice in `conditions`",
            ));
        }
    }
    let ids: Vec<String> = conditions.iter().map(|c| c.id.clone()).collect();
    for want in contract {
        if !ids.iter().any(|c| c == want) {
            return Err(Error::kb(
                "conditions.toml",
                want,
                "contract condition missing",
            ));
        }
    }
    if let Some(extra) = ids.iter().find(|c| !listed.contains(c.as_str())) {
        return Err(Error::kb(
            "conditions.toml",
            extra,
            format!(
                "not one of the {} contract conditions listed in meta.toml",
                contract.len()
            ),
        ));
    }
    if ids.len() != contract.len() {
        return Err(Error::kb(
            "conditions.toml",
            "",
            format!(
                "expected the {} contract conditions, found {}",
                contract.len(),
                ids.len()
            ),
        ));
    }
    for c in conditions {
        check_condition(c, cite)?;
    }
    Ok(ids)
}

fn check_condition(c: &Condition, cite: Cite<'_>) -> Result<(), Error> {
    cite("conditions.toml", &c.id, &c.sources)?;
    let bad = |m: String| Err(Error::kb("conditions.toml", &c.id, m));
    if !LEVELS.contains(&c.default_triage.as_str()) {
        return bad(format!("unknown default_triage '{}'", c.default_triage));
    }
    if !(c.prior > 0.0 && c.prior < 1.0) {
        return bad("prior must be between 0 and 1".into());
    }
    for (what, text) in [
        ("name", &c.name),
        ("summary", &c.summary),
        ("story", &c.story),
        ("helps", &c.helps),
        ("course", &c.course),
    ] {
        if text.trim().is_empty() {
            return bad(format!("{what} is empty"));
        }
    }
    Ok(())
}

/// The contract's levels, in order, and the default sources.
pub(crate) fn check_levels(meta: &RawMeta, cite: Cite<'_>) -> Result<(), Error> {
    for (i, l) in LEVELS.iter().enumerate() {
        if meta.level.get(i).map(|x| x.id.as_str()) != Some(*l) {
            return Err(Error::kb(
                "meta.toml",
                l,
                "levels must be listed in contract order",
            ));
        }
    }
    cite("meta.toml", "default_sources", &meta.default_sources)?;
    check_emergency(&meta.emergency)?;
    cite("meta.toml", "emergency", &meta.emergency.sources)
}

/// At least one number, each only digits (it becomes a `tel:` link) and with its area.
fn check_emergency(e: &crate::kb::Emergency) -> Result<(), Error> {
    if e.number.is_empty() {
        return Err(Error::kb("meta.toml", "emergency", "lists no number"));
    }
    for n in &e.number {
        if n.number.is_empty() || !n.number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::kb(
                "meta.toml",
                "emergency",
                format!("{:?} is not a phone number of digits", n.number),
            ));
        }
        if n.area.trim().is_empty() {
            return Err(Error::kb(
                "meta.toml",
                "emergency",
                format!("{} says not where it answers", n.number),
            ));
        }
    }
    Ok(())
}

/// The time frames of `meta.toml`, checked: unique ids, each level's and tier's frame known,
/// a tier's no wider than its level's, and each level's texts with `{when}` filled and
/// stating no other frame.
pub(crate) struct Frames {
    pub frames: Vec<Frame>,
    /// The levels with `{when}` filled.
    pub levels: Vec<LevelInfo>,
    /// By level rank: the level's frame and its presumed headline's.
    pub level: Vec<Option<usize>>,
    pub presumed: Vec<Option<usize>>,
    /// By tier, L0-L4.
    pub tier: [Option<usize>; 5],
}

pub(crate) fn frames(meta: &RawMeta) -> Result<Frames, Error> {
    let list = &meta.frame;
    let mut ids = BTreeSet::new();
    for f in list {
        if !ids.insert(f.id.as_str()) || f.text.trim().is_empty() {
            return Err(Error::kb("meta.toml", &f.id, "frame id twice, or no text"));
        }
    }
    let find = |entry: &str, id: &str| {
        list.iter()
            .position(|f| f.id == id)
            .ok_or_else(|| Error::kb("meta.toml", entry, format!("unknown frame '{id}'")))
    };
    let mut level = Vec::new();
    let mut presumed = Vec::new();
    let mut levels = Vec::new();
    for l in &meta.level {
        let own = l.frame.as_deref().map(|f| find(&l.id, f)).transpose()?;
        let pre = match l.presumed_frame.as_deref() {
            Some(f) => Some(find(&l.id, f)?),
            None => own,
        };
        if wider(list, pre, own) {
            return Err(Error::kb(
                "meta.toml",
                &l.id,
                "presumed_frame is wider than the level's frame",
            ));
        }
        let fill = |what: &str, text: &str, f: Option<usize>| {
            framed_text(list, "meta.toml", &format!("{}.{what}", l.id), text, f)
        };
        levels.push(LevelInfo {
            title: fill("title", &l.title, own)?,
            meaning: fill("meaning", &l.meaning, own)?,
            presumed_headline: fill("presumed_headline", &l.presumed_headline, pre)?,
            ..l.clone()
        });
        level.push(own);
        presumed.push(pre);
    }
    let mut tier = [None; 5];
    for (t, f) in &meta.tier_frame {
        let n = tier_rank(t).filter(|n| *n < 4).ok_or_else(|| {
            Error::kb(
                "meta.toml",
                t,
                "tier_frame keys are L0-L3 (self-care has no frame)",
            )
        })?;
        let fi = find(t, f)?;
        if wider(
            list,
            Some(fi),
            level[usize::from(TIER_LEVEL[usize::from(n)])],
        ) {
            return Err(Error::kb(
                "meta.toml",
                t,
                format!("frame '{f}' is wider than its level's"),
            ));
        }
        tier[usize::from(n)] = Some(fi);
    }
    if let Some(n) = (0..4).find(|&n| tier[n].is_none()) {
        return Err(Error::kb(
            "meta.toml",
            &format!("L{n}"),
            "tier has no frame",
        ));
    }
    Ok(Frames {
        frames: meta.frame.clone(),
        levels,
        level,
        presumed,
        tier,
    })
}

/// The level of each of the brief's tiers: L2 and L3 both map to `clinician`.
const TIER_LEVEL: [u8; 5] = [0, 1, 2, 2, 3];

fn tier_rank(t: &str) -> Option<u8> {
    ["L0", "L1", "L2", "L3", "L4"]
        .iter()
        .position(|x| *x == t)
        .map(|n| n as u8)
}

/// Whether frame `a` allows a later time than `b` (no frame allows any time).
fn wider(frames: &[Frame], a: Option<usize>, b: Option<usize>) -> bool {
    match (a, b) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(a), Some(b)) => frames[a].hours > frames[b].hours,
    }
}

/// `text` with `{when}` filled by frame `f`; an error when it has `{when}` and there is no
/// frame, or when it states any frame other than `f` in words of its own.
pub(crate) fn framed_text(
    frames: &[Frame],
    file: &str,
    entry: &str,
    text: &str,
    f: Option<usize>,
) -> Result<String, Error> {
    let filled = match f {
        Some(i) => text.replace(WHEN, &frames[i].text),
        None if text.contains(WHEN) => {
            return Err(Error::kb(file, entry, "says {when} but has no time frame"))
        }
        None => text.to_string(),
    };
    let own = f.map(Stated::Known);
    if let Some(other) = urgency::stated(&filled, frames)
        .into_iter()
        .find(|s| Some(s) != own.as_ref())
    {
        let governing = f.map_or("none".to_string(), |i| format!("\"{}\"", frames[i].text));
        return Err(Error::kb(
            file,
            entry,
            format!(
                "states the time frame {} but its frame is {governing}: say when to be seen only as {{when}}",
                urgency::describe(&other, frames)
            ),
        ));
    }
    Ok(filled)
}

/// Texts that must state no time frame of their own, since they are shown beside a result's:
/// the conditions, the disclaimer and the warning-sign wording. A condition that needs care
/// soon says so by its rules' headlines, not in its description.
pub(crate) fn check_unframed_texts(
    meta: &RawMeta,
    conditions: &[Condition],
    wording: &ScreenWording,
    frames: &[Frame],
) -> Result<(), Error> {
    let none = |file: &str, entry: &str, text: &str| -> Result<(), Error> {
        framed_text(frames, file, entry, text, None).map(|_| ())
    };
    none("meta.toml", "disclaimer", &meta.disclaimer)?;
    for c in conditions {
        for (what, t) in [
            ("summary", &c.summary),
            ("story", &c.story),
            ("helps", &c.helps),
            ("course", &c.course),
        ] {
            none("conditions.toml", &format!("{}.{what}", c.id), t)?;
        }
    }
    for (what, t) in [
        ("all_clear", &wording.all_clear),
        ("unchecked", &wording.unchecked),
        ("all_unknown", &wording.all_unknown),
    ] {
        none("screens.toml", &format!("wording.{what}"), t)?;
    }
    Ok(())
}

/// Compile every rule; check ids, tiers, that red-flag and urgent rules never read
/// probabilities, that the brief's required rules exist and that every level has a rule.
/// Also returns the findings red-flag rules read.
pub(crate) fn compile_rules(
    raw: Vec<RawRule>,
    meta: &RawMeta,
    names: &Names<'_>,
    cite: Cite<'_>,
    frames: &Frames,
) -> Result<(Vec<Rule>, Vec<bool>), Error> {
    let mut rules = Vec::with_capacity(raw.len());
    let mut ids = BTreeSet::new();
    let mut red_flag_fields = vec![false; names.schema.fields.len()];
    for r in raw {
        if !ids.insert(r.id.clone()) {
            return Err(Error::kb("triage.toml", &r.id, "duplicate rule id"));
        }
        cite("triage.toml", &r.id, &r.sources)?;
        let rule = compile_rule(r, names, frames)?;
        if rule.red_flag || rule.level <= 1 {
            rule.fields.iter().for_each(|&f| red_flag_fields[f] = true);
        }
        rules.push(rule);
    }
    for req in &meta.required_rules {
        if !ids.contains(req) {
            return Err(Error::kb(
                "triage.toml",
                req,
                "required rule from the brief is missing",
            ));
        }
    }
    for l in 0..LEVELS.len() as u8 {
        if !rules.iter().any(|r| r.level == l) {
            return Err(Error::kb(
                "triage.toml",
                LEVELS[l as usize],
                "no rule at this level",
            ));
        }
    }
    Ok((rules, red_flag_fields))
}

/// One rule: its level and the brief's tier (which must agree), and its compiled condition.
fn compile_rule(r: RawRule, names: &Names<'_>, frames: &Frames) -> Result<Rule, Error> {
    let bad = |m: String| Error::kb("triage.toml", &r.id, m);
    let level = LEVELS
        .iter()
        .position(|l| *l == r.level)
        .ok_or_else(|| bad(format!("unknown level '{}'", r.level)))? as u8;
    let tier =
        tier_rank(&r.tier).ok_or_else(|| bad(format!("unknown tier '{}' (L0-L4)", r.tier)))?;
    // The brief's L2 and L3 both map to `clinician`; the rest map one to one.
    if level != TIER_LEVEL[usize::from(tier)] {
        return Err(bad(format!(
            "tier {} does not match level {}",
            r.tier, r.level
        )));
    }
    let when = expr::parse(&r.when, names).map_err(|m| bad(format!("in `when`: {m}")))?;
    if when.uses_level() {
        return Err(bad("a rule cannot depend on the final level".into()));
    }
    if (r.red_flag || level <= 1) && when.uses_probabilities() {
        return Err(bad(
            "a red-flag or urgent rule must not depend on probabilities (top/likely)".into(),
        ));
    }
    let mut fields = Vec::new();
    when.fields(&mut fields);
    let frame = rule_frame(&r, tier, frames)?;
    let headline = framed_text(&frames.frames, "triage.toml", &r.id, &r.headline, frame)?;
    // A reason is listed beside other rules' reasons, and a title is named in other results'
    // "could change" lines, so neither says a time frame at all.
    let text = framed_text(&frames.frames, "triage.toml", &r.id, &r.text, None)?;
    framed_text(&frames.frames, "triage.toml", &r.id, &r.title, None)?;
    Ok(Rule {
        id: r.id,
        level,
        red_flag: r.red_flag,
        tier,
        title: r.title,
        when,
        when_src: r.when,
        headline,
        text,
        sources: r.sources,
        grade: r.grade,
        fields,
        frame,
    })
}

/// A rule's frame: its own, which may only narrow its tier's, or its tier's.
fn rule_frame(r: &RawRule, tier: u8, frames: &Frames) -> Result<Option<usize>, Error> {
    let tier_frame = frames.tier[usize::from(tier)];
    let Some(id) = &r.frame else {
        return Ok(tier_frame);
    };
    let fi = frames
        .frames
        .iter()
        .position(|f| &f.id == id)
        .ok_or_else(|| Error::kb("triage.toml", &r.id, format!("unknown frame '{id}'")))?;
    if wider(&frames.frames, Some(fi), tier_frame) {
        return Err(Error::kb(
            "triage.toml",
            &r.id,
            format!(
                "frame '{id}' is wider than its tier {}'s: a rule may only narrow it",
                r.tier
            ),
        ));
    }
    Ok(Some(fi))
}

/// Red-flag screen groups: every item a yes/no finding.
pub(crate) fn compile_screens(
    mut screens: Vec<Screen>,
    schema: &Schema,
) -> Result<Vec<Screen>, Error> {
    for s in &mut screens {
        for item in &s.items {
            let fi = schema.index(item).ok_or_else(|| {
                Error::kb("screens.toml", &s.id, format!("unknown finding '{item}'"))
            })?;
            if schema.fields[fi].kind != FieldKind::Bool {
                return Err(Error::kb(
                    "screens.toml",
                    &s.id,
                    format!("'{item}' is not a yes/no finding"),
                ));
            }
            s.item_fields.push(fi);
        }
    }
    Ok(screens)
}

/// Advice entries: unique ids, sources, compiled conditions.
pub(crate) fn compile_advice(
    raw: Vec<RawAdvice>,
    names: &Names<'_>,
    cite: Cite<'_>,
    frames: &[Frame],
) -> Result<Vec<Advice>, Error> {
    let mut advice = Vec::with_capacity(raw.len());
    let mut ids = BTreeSet::new();
    for a in raw {
        if !ids.insert(a.id.clone()) {
            return Err(Error::kb("advice.toml", &a.id, "duplicate advice id"));
        }
        cite("advice.toml", &a.id, &a.sources)?;
        let when = expr::parse(&a.when, names)
            .map_err(|m| Error::kb("advice.toml", &a.id, format!("in `when`: {m}")))?;
        // The result's frame fills `{when}` at assessment time; a frame in words is refused.
        framed_text(
            frames,
            "advice.toml",
            &a.id,
            &a.text.replace(WHEN, ""),
            None,
        )?;
        advice.push(Advice {
            id: a.id,
            when,
            text: a.text,
            sources: a.sources,
            grade: a.grade,
            until_seen: a.until_seen,
        });
    }
    Ok(advice)
}

/// Warning signs: the red-flag screen items. They act on triage only through rules (the
/// floor posterior leaves them out), which is why answering one "yes" can never lower the
/// level.
pub(crate) fn warning_signs(screens: &[Screen], schema: &Schema) -> Vec<bool> {
    let mut out = vec![false; schema.fields.len()];
    for s in screens {
        s.item_fields.iter().for_each(|&fi| out[fi] = true);
    }
    out
}

/// Each question's `ask_if`, compiled (follow-ups wait for the question they follow).
pub(crate) fn compile_ask_if(
    schema: &Schema,
    names: &Names<'_>,
) -> Result<Vec<Option<Expr>>, Error> {
    let mut ask_if = Vec::with_capacity(schema.fields.len());
    for f in &schema.fields {
        ask_if.push(match &f.ask_if {
            Some(src) => Some(
                expr::parse(src, names)
                    .map_err(|m| Error::kb("findings.toml", &f.id, format!("in `ask_if`: {m}")))?,
            ),
            None => None,
        });
    }
    Ok(ask_if)
}

/// Bins must cover every binned number field and increase; only the last may be open.
pub(crate) fn check_bins(schema: &Schema) -> Result<(), Error> {
    for f in &schema.fields {
        let mut last = f64::NEG_INFINITY;
        for (i, b) in f.bins.iter().enumerate() {
            match b.max {
                Some(m) if m > last => last = m,
                None if i + 1 == f.bins.len() => {}
                _ => {
                    return Err(Error::kb(
                        "findings.toml",
                        &f.id,
                        "bins must increase and only the last may be open",
                    ))
                }
            }
        }
    }
    Ok(())
}

/// For each finding, the questions whose `ask_if` reads it (its follow-ups).
pub(crate) fn followers(ask_if: &[Option<Expr>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); ask_if.len()];
    for (fj, gate) in ask_if.iter().enumerate() {
        let mut reads = Vec::new();
        if let Some(g) = gate {
            g.fields(&mut reads);
        }
        for fi in reads {
            if fi != fj {
                out[fi].push(fj);
            }
        }
    }
    out
}
