//! The small condition language used by triage rules and advice in `kb/`.
//!
//! Clinical rules live in the knowledge base as text such as
//! `(pop_or_snap or mechanism = overstretch) and walking in [limp, unable]`, so a clinician can
//! read and review them without reading Rust. This module parses that text into an [`Expr`]
//! tree (once, when the knowledge base loads) and evaluates it against a findings set and,
//! for non-red-flag rules and advice, the differential. It does not know what any field means:
//! field names and values are resolved against the findings schema at compile time so a typo
//! in `kb/` is a load error, not a rule that silently never fires.
//!
//! Logic is two-valued: an atom about a finding that was not answered is false. Rule authors
//! therefore write red-flag rules so that missing answers err towards firing (for example
//! `not onset = sudden` is true when onset is unknown).

use crate::findings::{FieldKind, Findings, Schema, Value};

/// A comparison operator on numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// A compiled expression. Field and value references are indexes into the schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Always,
    /// A yes/no finding is true.
    IsTrue(usize),
    /// A yes/no finding was answered false.
    IsFalse(usize),
    /// An enum finding has one of these values.
    EnumIn(usize, Vec<u8>),
    /// A multi-select finding contains any of these values (bit mask).
    HasAny(usize, u64),
    /// A number finding compares with a constant.
    Num(usize, Cmp, f64),
    /// The finding was answered at all.
    Known(usize),
    /// The most likely condition is one of these (condition indexes).
    TopIn(Vec<usize>),
    /// This condition has at least this probability ([`LIKELY`] unless the rule says).
    Likely(usize, f64),
    /// These conditions together have at least this probability.
    LikelyAny(Vec<usize>, f64),
    /// The final triage level is one of these (level ranks).
    LevelIn(Vec<u8>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// Probability at or above which `likely X` holds.
pub const LIKELY: f64 = 0.25;

/// What an expression may look at besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext<'a> {
    pub posterior: Option<&'a [f64]>,
    pub top: Option<usize>,
    pub level: Option<u8>,
}

impl EvalContext<'_> {
    /// For expressions that read findings only (plan rules, `ask_if`): nothing else to see.
    pub const FINDINGS_ONLY: EvalContext<'static> = EvalContext {
        posterior: None,
        top: None,
        level: None,
    };
}

impl Expr {
    pub fn eval(&self, f: &Findings, ctx: &EvalContext<'_>) -> bool {
        match self {
            Expr::Always => true,
            Expr::IsTrue(i) => matches!(f.get(*i), Some(Value::Bool(true))),
            Expr::IsFalse(i) => matches!(f.get(*i), Some(Value::Bool(false))),
            Expr::EnumIn(i, vs) => matches!(f.get(*i), Some(Value::Enum(v)) if vs.contains(v)),
            Expr::HasAny(i, mask) => matches!(f.get(*i), Some(Value::Multi(m)) if m & mask != 0),
            Expr::Num(i, cmp, k) => match f.get(*i) {
                Some(Value::Num(x)) => match cmp {
                    Cmp::Lt => *x < *k,
                    Cmp::Le => *x <= *k,
                    Cmp::Gt => *x > *k,
                    Cmp::Ge => *x >= *k,
                },
                _ => false,
            },
            Expr::Known(i) => f.get(*i).is_some(),
            Expr::TopIn(cs) => ctx.top.is_some_and(|t| cs.contains(&t)),
            Expr::Likely(c, k) => ctx
                .posterior
                .and_then(|p| p.get(*c))
                .is_some_and(|p| *p >= *k),
            Expr::LikelyAny(cs, k) => ctx
                .posterior
                .is_some_and(|p| cs.iter().filter_map(|c| p.get(*c)).sum::<f64>() >= *k),
            Expr::LevelIn(ls) => ctx.level.is_some_and(|l| ls.contains(&l)),
            Expr::Not(e) => !e.eval(f, ctx),
            Expr::And(es) => es.iter().all(|e| e.eval(f, ctx)),
            Expr::Or(es) => es.iter().any(|e| e.eval(f, ctx)),
        }
    }

    /// The finding a plain atom (yes/no, choice, list item or number test) reads.
    fn atom_field(&self) -> Option<usize> {
        match self {
            Expr::IsTrue(i)
            | Expr::IsFalse(i)
            | Expr::EnumIn(i, _)
            | Expr::HasAny(i, _)
            | Expr::Num(i, _, _) => Some(*i),
            _ => None,
        }
    }

    /// A plain atom about a finding that was not answered.
    fn unknown_atom(&self, f: &Findings) -> bool {
        self.atom_field().is_some_and(|i| f.get(i).is_none())
    }

    /// Three-valued (Kleene) evaluation: `Some(true)` or `Some(false)` when the answers given
    /// decide it, `None` when it turns on answers that are unknown. Brief 2.4a ("every
    /// condition of a rule holds except answers that are unknown") is `None` here together
    /// with [`Expr::known_support`].
    pub fn eval3(&self, f: &Findings, ctx: &EvalContext<'_>) -> Option<bool> {
        match self {
            _ if self.unknown_atom(f) => None,
            Expr::Not(e) => e.eval3(f, ctx).map(|b| !b),
            // Kleene logic: a deciding part (false in an `and`, true in an `or`) decides the
            // whole; otherwise any unknown part leaves it unknown.
            Expr::And(es) | Expr::Or(es) => {
                let decider = matches!(self, Expr::Or(_));
                let mut unknown = false;
                for e in es {
                    match e.eval3(f, ctx) {
                        Some(b) if b == decider => return Some(decider),
                        None => unknown = true,
                        Some(_) => {}
                    }
                }
                (!unknown).then_some(!decider)
            }
            _ => Some(self.eval(f, ctx)),
        }
    }

    /// Whether the expression "holds except for answers that are unknown" in the sense of
    /// brief 2.4a: some way of making it true (one branch of every `or`, every part of an
    /// `and`) is still open, and on that way at least one answer given already speaks for it
    /// (a plain atom that is true, not merely a negation that happens to hold). A rule
    /// nothing speaks for is not "nearly firing"; it is simply unasked.
    pub fn known_support(&self, f: &Findings, ctx: &EvalContext<'_>) -> bool {
        self.partial(f, ctx).1
    }

    /// (can still be true, and is supported on a way that can still be true).
    fn partial(&self, f: &Findings, ctx: &EvalContext<'_>) -> (bool, bool) {
        match self {
            Expr::IsTrue(i)
            | Expr::IsFalse(i)
            | Expr::EnumIn(i, _)
            | Expr::HasAny(i, _)
            | Expr::Num(i, _, _) => match f.get(*i) {
                None => (true, false),
                Some(_) => {
                    let v = self.eval(f, ctx);
                    (v, v)
                }
            },
            Expr::Not(e) => (e.eval3(f, ctx) != Some(true), false),
            Expr::And(es) => {
                let parts: Vec<(bool, bool)> = es.iter().map(|e| e.partial(f, ctx)).collect();
                let possible = parts.iter().all(|p| p.0);
                (possible, possible && parts.iter().any(|p| p.1))
            }
            Expr::Or(es) => {
                let parts: Vec<(bool, bool)> = es.iter().map(|e| e.partial(f, ctx)).collect();
                (parts.iter().any(|p| p.0), parts.iter().any(|p| p.0 && p.1))
            }
            _ => {
                let v = self.eval(f, ctx);
                (v, false)
            }
        }
    }

    /// Findings that make the expression true, built from its own atoms (for `or`, the first
    /// branch that can hold with the rest); `None` when it reads the differential or the level,
    /// which no answer sets directly. Tests use it to fire each triage rule from the rule
    /// itself, so a rule added later is tested without a hand-made case.
    pub fn witness(&self, schema: &Schema) -> Option<Findings> {
        let mut f = Findings::empty(schema);
        (self.witness_into(true, schema, &mut f) && self.eval(&f, &EvalContext::FINDINGS_ONLY))
            .then_some(f)
    }

    /// Make `self` evaluate to `want` by answering what it reads, keeping answers already given.
    fn witness_into(&self, want: bool, schema: &Schema, f: &mut Findings) -> bool {
        match self {
            Expr::Not(e) => e.witness_into(!want, schema, f),
            Expr::And(es) | Expr::Or(es) if want == matches!(self, Expr::And(_)) => {
                es.iter().all(|e| e.witness_into(want, schema, f))
            }
            Expr::And(es) | Expr::Or(es) => es.iter().any(|e| {
                let mut g = f.clone();
                let ok = e.witness_into(want, schema, &mut g);
                if ok {
                    *f = g;
                }
                ok
            }),
            Expr::Always => want,
            Expr::Known(i) => {
                if want && f.get(*i).is_none() {
                    f.set(*i, Some(any_value(&schema.fields[*i].kind)));
                }
                f.get(*i).is_some() == want
            }
            Expr::TopIn(_) | Expr::Likely(..) | Expr::LikelyAny(..) | Expr::LevelIn(_) => false,
            atom => {
                let Some(i) = atom.atom_field() else {
                    return false;
                };
                let mut answers = Vec::new();
                atom.answers(&Findings::empty(schema), schema, &mut answers);
                if let Some((_, towards, against)) = answers.into_iter().next() {
                    let v = if want { towards } else { against };
                    let merged = match (f.get(i), &v) {
                        (None, _) => Some(v),
                        (Some(Value::Multi(m)), Value::Multi(n)) if want => {
                            Some(Value::Multi(m | n))
                        }
                        _ => None,
                    };
                    if let Some(v) = merged {
                        f.set(i, Some(v));
                    }
                }
                atom.eval(f, &EvalContext::FINDINGS_ONLY) == want
            }
        }
    }

    /// For every unanswered finding the expression reads: an answer that would make its atom
    /// count towards firing, and one that would count against (`(field, towards, against)`).
    pub fn answers(&self, f: &Findings, schema: &Schema, out: &mut Vec<(usize, Value, Value)>) {
        self.answers_pol(f, schema, true, out);
    }

    fn answers_pol(
        &self,
        f: &Findings,
        schema: &Schema,
        positive: bool,
        out: &mut Vec<(usize, Value, Value)>,
    ) {
        let (yes, no) = match self {
            Expr::Not(e) => return e.answers_pol(f, schema, !positive, out),
            Expr::And(es) | Expr::Or(es) => {
                es.iter()
                    .for_each(|e| e.answers_pol(f, schema, positive, out));
                return;
            }
            Expr::IsTrue(i) | Expr::IsFalse(i) if f.get(*i).is_none() => {
                let t = matches!(self, Expr::IsTrue(_));
                (Value::Bool(t), Value::Bool(!t))
            }
            Expr::EnumIn(i, vs) if f.get(*i).is_none() => {
                let n = schema.fields[*i].values().len() as u8;
                let Some(other) = (0..n).find(|v| !vs.contains(v)) else {
                    return;
                };
                (Value::Enum(vs[0]), Value::Enum(other))
            }
            Expr::HasAny(i, mask) if f.get(*i).is_none() => {
                let first = mask.trailing_zeros() as u64;
                (Value::Multi(1 << first), Value::Multi(0))
            }
            Expr::Num(i, cmp, k) if f.get(*i).is_none() => {
                let (above, below) = match cmp {
                    Cmp::Lt => (k - 1.0, *k),
                    Cmp::Le => (*k, k + 1.0),
                    Cmp::Gt => (k + 1.0, *k),
                    Cmp::Ge => (*k, k - 1.0),
                };
                let below = below.max(0.0);
                (Value::Num(above), Value::Num(below))
            }
            _ => return,
        };
        let Some(i) = self.atom_field() else {
            return;
        };
        let entry = if positive { (i, yes, no) } else { (i, no, yes) };
        if !out.iter().any(|(j, _, _)| *j == i) {
            out.push(entry);
        }
    }

    /// Whether the expression looks at the differential or the final level. Red-flag rules
    /// must not: a red flag is never outvoted by probabilities.
    pub fn uses_probabilities(&self) -> bool {
        match self {
            Expr::TopIn(_) | Expr::Likely(..) | Expr::LikelyAny(..) | Expr::LevelIn(_) => true,
            Expr::Not(e) => e.uses_probabilities(),
            Expr::And(es) | Expr::Or(es) => es.iter().any(Expr::uses_probabilities),
            _ => false,
        }
    }

    pub fn uses_level(&self) -> bool {
        match self {
            Expr::LevelIn(_) => true,
            Expr::Not(e) => e.uses_level(),
            Expr::And(es) | Expr::Or(es) => es.iter().any(Expr::uses_level),
            _ => false,
        }
    }

    /// The expression with every answered atom (and everything that reads the differential)
    /// replaced by its value and folded away: what is left turns only on unknown answers.
    /// `Always` is true; `not always` is false.
    pub fn residual(&self, f: &Findings, ctx: &EvalContext<'_>) -> Expr {
        let constant = |b: bool| {
            if b {
                Expr::Always
            } else {
                Expr::Not(Box::new(Expr::Always))
            }
        };
        let is_const = |e: &Expr| match e {
            Expr::Always => Some(true),
            Expr::Not(x) if matches!(**x, Expr::Always) => Some(false),
            _ => None,
        };
        match self {
            _ if self.unknown_atom(f) => self.clone(),
            Expr::Not(e) => {
                let r = e.residual(f, ctx);
                match is_const(&r) {
                    Some(b) => constant(!b),
                    None => Expr::Not(Box::new(r)),
                }
            }
            Expr::And(es) | Expr::Or(es) => {
                let and = matches!(self, Expr::And(_));
                let mut kept = Vec::new();
                for e in es {
                    let r = e.residual(f, ctx);
                    match is_const(&r) {
                        // A false conjunct or a true disjunct decides the whole.
                        Some(b) if b != and => return constant(b),
                        Some(_) => {}
                        None => kept.push(r),
                    }
                }
                match kept.len() {
                    0 => constant(and),
                    1 => kept.remove(0),
                    _ if and => Expr::And(kept),
                    _ => Expr::Or(kept),
                }
            }
            _ => constant(self.eval(f, ctx)),
        }
    }

    /// How many atoms read each finding: `(field, count)`.
    pub fn atom_fields(&self, out: &mut Vec<(usize, usize)>) {
        match self {
            Expr::IsTrue(i)
            | Expr::IsFalse(i)
            | Expr::EnumIn(i, _)
            | Expr::HasAny(i, _)
            | Expr::Num(i, _, _)
            | Expr::Known(i) => match out.iter_mut().find(|(f, _)| f == i) {
                Some(e) => e.1 += 1,
                None => out.push((*i, 1)),
            },
            Expr::Not(e) => e.atom_fields(out),
            Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| e.atom_fields(out)),
            _ => {}
        }
    }

    /// Every probability line the expression reads: (conditions summed, threshold).
    pub fn likely_lines(&self, out: &mut Vec<(Vec<usize>, f64)>) {
        match self {
            Expr::Likely(c, k) => out.push((vec![*c], *k)),
            Expr::LikelyAny(cs, k) => out.push((cs.clone(), *k)),
            Expr::Not(e) => e.likely_lines(out),
            Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| e.likely_lines(out)),
            _ => {}
        }
    }

    /// The union of the list items this expression tests on one list finding.
    pub fn mask_of(&self, fi: usize) -> u64 {
        match self {
            Expr::HasAny(i, m) if *i == fi => *m,
            Expr::Not(e) => e.mask_of(fi),
            Expr::And(es) | Expr::Or(es) => es.iter().fold(0, |a, e| a | e.mask_of(fi)),
            _ => 0,
        }
    }

    /// Every finding the expression reads, so the interview knows which questions can fire it.
    pub fn fields(&self, out: &mut Vec<usize>) {
        let mut counts = Vec::new();
        self.atom_fields(&mut counts);
        for (i, _) in counts {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
}

/// Names the parser needs to resolve besides findings.
#[derive(Debug)]
pub struct Names<'a> {
    pub schema: &'a Schema,
    pub conditions: &'a [String],
    pub levels: &'a [&'a str],
    /// Neighbours of a list item (`kb/anatomy.toml`): `(field, item) -> items`, for `near`.
    pub near: &'a [(usize, u8, Vec<u8>)],
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Op(&'static str),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            '[' => {
                out.push(Tok::LBrack);
                i += 1
            }
            ']' => {
                out.push(Tok::RBrack);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            '<' | '>' | '=' | '!' => {
                let two = b.get(i + 1) == Some(&b'=');
                let op = match (c, two) {
                    ('<', true) => "<=",
                    ('<', false) => "<",
                    ('>', true) => ">=",
                    ('>', false) => ">",
                    ('=', _) => "=",
                    ('!', true) => "!=",
                    _ => return Err(format!("unexpected '{c}' at {i}")),
                };
                out.push(Tok::Op(op));
                i += op.len();
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                let t = &s[start..i];
                out.push(Tok::Num(
                    t.parse().map_err(|_| format!("bad number '{t}'"))?,
                ));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(Tok::Ident(s[start..i].to_string()));
            }
            _ => return Err(format!("unexpected '{c}' at {i}")),
        }
    }
    Ok(out)
}

struct Parser<'a, 'n> {
    toks: Vec<Tok>,
    pos: usize,
    names: &'a Names<'n>,
}

/// Parse and resolve an expression.
pub fn parse(src: &str, names: &Names<'_>) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        names,
    };
    let e = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected {:?}", p.toks[p.pos]));
    }
    Ok(e)
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == w)
    }
    fn expect(&mut self, t: Tok) -> Result<(), String> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            other => Err(format!("expected {t:?}, found {other:?}")),
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.and()?];
        while self.peek_word("or") {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::Or(v)
        })
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.unary()?];
        while self.peek_word("and") {
            self.pos += 1;
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::And(v)
        })
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::RParen)?;
            return Ok(e);
        }
        self.atom()
    }
    fn word(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }
    fn list(&mut self) -> Result<Vec<String>, String> {
        self.expect(Tok::LBrack)?;
        let mut v = vec![self.word()?];
        while self.peek() == Some(&Tok::Comma) {
            self.pos += 1;
            v.push(self.word()?);
        }
        self.expect(Tok::RBrack)?;
        Ok(v)
    }
    fn condition(&self, name: &str) -> Result<usize, String> {
        self.names
            .conditions
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| format!("unknown condition '{name}'"))
    }
    fn atom(&mut self) -> Result<Expr, String> {
        let w = self.word()?;
        match w.as_str() {
            "always" => return Ok(Expr::Always),
            "known" => {
                let f = self.word()?;
                return Ok(Expr::Known(self.field(&f)?));
            }
            "likely" if self.peek() == Some(&Tok::LBrack) => {
                // `likely [a, b] >= 0.5`: the conditions together.
                let cs = self
                    .list()?
                    .iter()
                    .map(|c| self.condition(c))
                    .collect::<Result<Vec<_>, _>>()?;
                self.expect(Tok::Op(">="))?;
                return match self.next() {
                    Some(Tok::Num(k)) if (0.0..=1.0).contains(&k) => Ok(Expr::LikelyAny(cs, k)),
                    other => Err(format!("expected a probability after >=, found {other:?}")),
                };
            }
            "likely" => {
                let c = self.word()?;
                let c = self.condition(&c)?;
                // `likely X >= 0.35` names its own threshold.
                if self.peek() == Some(&Tok::Op(">=")) {
                    self.pos += 1;
                    return match self.next() {
                        Some(Tok::Num(k)) if (0.0..=1.0).contains(&k) => Ok(Expr::Likely(c, k)),
                        other => Err(format!("expected a probability after >=, found {other:?}")),
                    };
                }
                return Ok(Expr::Likely(c, LIKELY));
            }
            "top" => {
                return if self.peek_word("in") {
                    self.pos += 1;
                    let l = self.list()?;
                    Ok(Expr::TopIn(
                        l.iter()
                            .map(|c| self.condition(c))
                            .collect::<Result<_, _>>()?,
                    ))
                } else {
                    self.expect(Tok::Op("="))?;
                    let c = self.word()?;
                    Ok(Expr::TopIn(vec![self.condition(&c)?]))
                };
            }
            "level" => {
                let l = if self.peek_word("in") {
                    self.pos += 1;
                    self.list()?
                } else {
                    self.expect(Tok::Op("="))?;
                    vec![self.word()?]
                };
                let ranks = l
                    .iter()
                    .map(|x| {
                        self.names
                            .levels
                            .iter()
                            .position(|y| y == x)
                            .map(|r| r as u8)
                            .ok_or_else(|| format!("unknown triage level '{x}'"))
                    })
                    .collect::<Result<_, _>>()?;
                return Ok(Expr::LevelIn(ranks));
            }
            _ => {}
        }
        let fi = self.field(&w)?;
        let field = &self.names.schema.fields[fi];
        match self.peek().cloned() {
            Some(Tok::Op("=")) | Some(Tok::Op("!=")) => {
                let negate = self.peek() == Some(&Tok::Op("!="));
                self.pos += 1;
                let v = self.word()?;
                let e = match &field.kind {
                    FieldKind::Bool => match v.as_str() {
                        "true" => Expr::IsTrue(fi),
                        "false" => Expr::IsFalse(fi),
                        _ => return Err(format!("{w} is yes/no; use true or false, not '{v}'")),
                    },
                    FieldKind::Enum(_) => Expr::EnumIn(fi, vec![field.value_index(&v)?]),
                    _ => return Err(format!("'=' needs a yes/no or choice field; {w} is not")),
                };
                Ok(if negate { Expr::Not(Box::new(e)) } else { e })
            }
            Some(Tok::Ident(op)) if op == "in" => {
                self.pos += 1;
                let l = self.list()?;
                if !matches!(field.kind, FieldKind::Enum(_)) {
                    return Err(format!("'in' needs a choice field; {w} is not"));
                }
                Ok(Expr::EnumIn(
                    fi,
                    l.iter()
                        .map(|v| field.value_index(v))
                        .collect::<Result<_, _>>()?,
                ))
            }
            Some(Tok::Ident(op)) if op == "near" => {
                // `pain_sites near sit_bone`: the item or any of its anatomical neighbours,
                // because a runner often names one place for the one next to it.
                self.pos += 1;
                let l = if self.peek() == Some(&Tok::LBrack) {
                    self.list()?
                } else {
                    vec![self.word()?]
                };
                if !matches!(field.kind, FieldKind::Multi(_)) {
                    return Err(format!("'near' needs a multi-choice field; {w} is not"));
                }
                let mut mask = 0u64;
                for v in &l {
                    let item = field.value_index(v)?;
                    mask |= 1 << item;
                    for (nf, ni, ns) in self.names.near {
                        if *nf == fi && *ni == item {
                            ns.iter().for_each(|n| mask |= 1 << n);
                        }
                    }
                }
                Ok(Expr::HasAny(fi, mask))
            }
            Some(Tok::Ident(op)) if op == "has" || op == "has_any" => {
                self.pos += 1;
                let l = if op == "has" {
                    vec![self.word()?]
                } else {
                    self.list()?
                };
                if !matches!(field.kind, FieldKind::Multi(_)) {
                    return Err(format!("'{op}' needs a multi-choice field; {w} is not"));
                }
                let mut mask = 0u64;
                for v in &l {
                    mask |= 1 << field.value_index(v)?;
                }
                Ok(Expr::HasAny(fi, mask))
            }
            Some(Tok::Op(op)) if matches!(op, "<" | "<=" | ">" | ">=") => {
                self.pos += 1;
                let k = match self.next() {
                    Some(Tok::Num(k)) => k,
                    other => return Err(format!("expected a number after {op}, found {other:?}")),
                };
                if !matches!(field.kind, FieldKind::Int { .. } | FieldKind::Number { .. }) {
                    return Err(format!("'{op}' needs a number field; {w} is not"));
                }
                let cmp = match op {
                    "<" => Cmp::Lt,
                    "<=" => Cmp::Le,
                    ">" => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                Ok(Expr::Num(fi, cmp, k))
            }
            _ => {
                if matches!(field.kind, FieldKind::Bool) {
                    Ok(Expr::IsTrue(fi))
                } else {
                    Err(format!(
                        "{w} is not a yes/no finding; compare it with =, in, has or a number"
                    ))
                }
            }
        }
    }
    fn field(&self, name: &str) -> Result<usize, String> {
        self.names
            .schema
            .index(name)
            .ok_or_else(|| format!("unknown finding '{name}'"))
    }
}

/// Some answer to a field, for `known field`.
fn any_value(kind: &FieldKind) -> Value {
    match kind {
        FieldKind::Bool => Value::Bool(false),
        FieldKind::Int { min, .. } => Value::Num(*min as f64),
        FieldKind::Number { min, .. } => Value::Num(min.max(0.0)),
        FieldKind::Enum(_) => Value::Enum(0),
        FieldKind::Multi(_) => Value::Multi(0),
    }
}
