//! The probabilistic half of the engine: a naive-Bayes model over the findings.
//!
//! Each answerable piece of a finding is a *variable* (a yes/no answer, a choice, a number's
//! bin, or one item of a multi-choice list seen as present/absent). For every variable the
//! knowledge base gives how common each value is in a typical case (`base`) and a likelihood
//! ratio per condition (`kb/evidence.toml`, from the brief's feature matrix). From these the
//! model builds P(value | condition) ∝ base × ratio, a proper distribution per condition, so
//! the same table serves three jobs: updating the differential, explaining it (which findings
//! argue for and against each condition) and choosing the next question by expected
//! information gain. It knows nothing of triage; red-flag rules never read it.

use crate::findings::{FieldKind, Findings, Schema, Value};

/// One model variable.
#[derive(Debug, Clone)]
pub struct Var {
    pub field: usize,
    /// For multi-choice fields: the item this variable is about.
    pub element: Option<u8>,
    pub n_values: usize,
    /// P(value | condition), laid out as `value * n_cond + cond`.
    pub p: Vec<f64>,
    pub logp: Vec<f64>,
    /// log of P(value | condition) / P(value | any other condition, prior-weighted).
    pub log_lr: Vec<f64>,
}

/// An observation of a variable, with a weight (below 1 for weak negative evidence, such as
/// an item a runner did not tick in a long list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    pub var: usize,
    pub value: usize,
    pub weight: f64,
}

/// The compiled model.
#[derive(Debug, Clone)]
pub struct Model {
    pub n_cond: usize,
    pub log_prior: Vec<f64>,
    pub vars: Vec<Var>,
    /// For each field, the variables that belong to it.
    pub field_vars: Vec<Vec<usize>>,
    /// Weight of an unticked item of an answered multi-choice list.
    pub absent_weight: f64,
    /// Softmax temperature on the whole log posterior: findings are not independent (a limp
    /// and a pop travel together), so the naive product overstates certainty; tempering prior
    /// and likelihoods alike keeps the displayed probabilities honest and can never change
    /// which condition leads.
    pub temperature: f64,
    /// The softer temperature of the triage (floor) posterior, on which must-not-miss
    /// thresholds and the "likely" rules are set: deliberately flatter than calibrated, so a
    /// rare serious condition is not ruled out by an overconfident product of correlated
    /// answers.
    pub triage_temperature: f64,
    /// P(value | class) per class, laid out `[class][var][value]`: the predictive
    /// distribution of every answer if the runner had that class, for "is the missing answer
    /// more likely than not under this condition?" (brief 2.4a).
    pub given: Vec<Vec<Vec<f64>>>,
}

/// Where a variable comes from: (field index, list item for multi-choice fields, number of values).
pub type VarSlot = (usize, Option<u8>, usize);

/// Raw numbers for one variable before normalisation: base rate and ratio per value.
#[derive(Debug, Clone)]
pub struct VarSpec {
    pub base: Vec<Option<f64>>,
    pub lr: Vec<Vec<f64>>, // [value][cond]
}

impl Model {
    /// The variables of a schema, with neutral specs. The caller fills in evidence.
    pub fn layout(schema: &Schema, n_cond: usize) -> (Vec<VarSlot>, Vec<VarSpec>) {
        let mut vars = Vec::new();
        for (fi, f) in schema.fields.iter().enumerate() {
            match &f.kind {
                FieldKind::Bool => vars.push((fi, None, 2)),
                FieldKind::Enum(v) => vars.push((fi, None, v.len())),
                FieldKind::Int { .. } | FieldKind::Number { .. } => {
                    if !f.bins.is_empty() {
                        vars.push((fi, None, f.bins.len()))
                    }
                }
                FieldKind::Multi(v) => {
                    for e in 0..v.len() {
                        vars.push((fi, Some(e as u8), 2));
                    }
                }
            }
        }
        let specs = vars
            .iter()
            .map(|&(_, _, n)| VarSpec {
                base: vec![None; n],
                lr: vec![vec![1.0; n_cond]; n],
            })
            .collect();
        (vars, specs)
    }

    pub fn build(
        schema: &Schema,
        priors: &[f64],
        layout: Vec<VarSlot>,
        specs: Vec<VarSpec>,
        absent_weight: f64,
        (temperature, triage_temperature): (f64, f64),
    ) -> Model {
        let n_cond = priors.len();
        let total: f64 = priors.iter().sum();
        let prior: Vec<f64> = priors.iter().map(|p| p / total).collect();
        let mut field_vars = vec![Vec::new(); schema.fields.len()];
        let mut vars = Vec::with_capacity(layout.len());
        for (vi, ((field, element, n), spec)) in layout.into_iter().zip(specs).enumerate() {
            field_vars[field].push(vi);
            // Default base rates: a yes/no is "yes" 20% of the time, a list item is ticked
            // 15% of the time, choices are equally likely; stated bases override.
            let default: Vec<f64> = match (element, n) {
                (Some(_), _) => vec![0.15, 0.85],
                (None, 2) if matches!(schema.fields[field].kind, FieldKind::Bool) => vec![0.2, 0.8],
                _ => vec![1.0 / n as f64; n],
            };
            let stated: f64 = spec.base.iter().flatten().sum();
            let free: f64 = default
                .iter()
                .zip(&spec.base)
                .filter(|(_, b)| b.is_none())
                .map(|(d, _)| d)
                .sum();
            let base: Vec<f64> = (0..n)
                .map(|v| match spec.base[v] {
                    Some(b) => b,
                    None if free > 0.0 => (1.0 - stated).max(0.01) * default[v] / free,
                    None => 0.01,
                })
                .collect();
            let mut p = vec![0.0; n * n_cond];
            for c in 0..n_cond {
                let z: f64 = (0..n).map(|v| base[v] * spec.lr[v][c]).sum();
                for v in 0..n {
                    p[v * n_cond + c] = base[v] * spec.lr[v][c] / z;
                }
            }
            let logp = p.iter().map(|x| x.ln()).collect();
            let mut log_lr = vec![0.0; n * n_cond];
            for v in 0..n {
                for c in 0..n_cond {
                    let rest_w: f64 = (0..n_cond).filter(|&k| k != c).map(|k| prior[k]).sum();
                    let rest: f64 = (0..n_cond)
                        .filter(|&k| k != c)
                        .map(|k| prior[k] * p[v * n_cond + k])
                        .sum::<f64>()
                        / rest_w;
                    log_lr[v * n_cond + c] = (p[v * n_cond + c] / rest).ln();
                }
            }
            vars.push(Var {
                field,
                element,
                n_values: n,
                p,
                logp,
                log_lr,
            });
        }
        let given = (0..n_cond)
            .map(|c| {
                vars.iter()
                    .map(|v| (0..v.n_values).map(|x| v.p[x * n_cond + c]).collect())
                    .collect()
            })
            .collect();
        Model {
            n_cond,
            log_prior: prior.iter().map(|p| p.ln()).collect(),
            vars,
            field_vars,
            absent_weight,
            temperature,
            triage_temperature,
            given,
        }
    }

    /// The observations a findings set makes.
    pub fn observations(&self, schema: &Schema, f: &Findings) -> Vec<Obs> {
        let mut out = Vec::new();
        for (fi, vars) in self.field_vars.iter().enumerate() {
            if let Some(v) = f.get(fi) {
                self.observe(schema, fi, vars, v, &mut out);
            }
        }
        out
    }

    fn observe(&self, schema: &Schema, fi: usize, vars: &[usize], v: &Value, out: &mut Vec<Obs>) {
        match v {
            Value::Bool(b) => out.extend(vars.iter().map(|&var| Obs {
                var,
                value: usize::from(!*b),
                weight: 1.0,
            })),
            Value::Enum(e) => out.extend(vars.iter().map(|&var| Obs {
                var,
                value: *e as usize,
                weight: 1.0,
            })),
            Value::Num(x) => {
                let bin = schema.fields[fi].bin_of(*x);
                out.extend(vars.iter().map(|&var| Obs {
                    var,
                    value: bin,
                    weight: 1.0,
                }))
            }
            Value::Multi(m) => {
                for &var in vars {
                    let e = self.vars[var].element.unwrap_or(0);
                    let present = m & (1 << e) != 0;
                    out.push(Obs {
                        var,
                        value: usize::from(!present),
                        weight: if present { 1.0 } else { self.absent_weight },
                    });
                }
            }
        }
    }

    /// The observations a findings set makes, leaving out the fields marked in `skip`.
    pub fn observations_except(&self, schema: &Schema, f: &Findings, skip: &[bool]) -> Vec<Obs> {
        let mut out = Vec::new();
        for (fi, vars) in self.field_vars.iter().enumerate() {
            if skip.get(fi).copied().unwrap_or(false) {
                continue;
            }
            if let Some(v) = f.get(fi) {
                self.observe(schema, fi, vars, v, &mut out);
            }
        }
        out
    }

    /// Observations for one field answered with `v` (used for what-if questions).
    pub fn observations_of(&self, schema: &Schema, fi: usize, v: &Value) -> Vec<Obs> {
        let mut out = Vec::new();
        self.observe(schema, fi, &self.field_vars[fi], v, &mut out);
        out
    }

    /// Unnormalised log posterior at the display temperature.
    pub fn log_posterior(&self, obs: &[Obs]) -> Vec<f64> {
        self.log_posterior_at(obs, self.temperature)
    }

    /// Unnormalised log posterior at temperature `t`.
    pub fn log_posterior_at(&self, obs: &[Obs], t: f64) -> Vec<f64> {
        let mut lp: Vec<f64> = self.log_prior.iter().map(|x| t * x).collect();
        for o in obs {
            self.add_obs_at(&mut lp, o, t);
        }
        lp
    }

    /// Add one observation to a log posterior at the display temperature.
    pub fn add_obs(&self, lp: &mut [f64], o: &Obs) {
        self.add_obs_at(lp, o, self.temperature);
    }

    /// Add one observation to a log posterior at temperature `t`.
    pub fn add_obs_at(&self, lp: &mut [f64], o: &Obs, t: f64) {
        let var = &self.vars[o.var];
        let row = &var.logp[o.value * self.n_cond..(o.value + 1) * self.n_cond];
        for (l, x) in lp.iter_mut().zip(row) {
            *l += t * o.weight * x;
        }
    }

    /// Expected reduction in entropy of the differential from asking about one field.
    /// For a multi-choice list the items are treated as separate yes/no questions and summed,
    /// which overstates the gain a little but ranks lists sensibly.
    pub fn expected_gain(&self, post: &[f64], fi: usize) -> f64 {
        let h0 = entropy(post);
        let mut gain = 0.0;
        for &vi in &self.field_vars[fi] {
            let var = &self.vars[vi];
            let mut eh = 0.0;
            for v in 0..var.n_values {
                let row = &var.p[v * self.n_cond..(v + 1) * self.n_cond];
                let pv: f64 = post.iter().zip(row).map(|(a, b)| a * b).sum();
                if pv <= 1e-12 {
                    continue;
                }
                let mut cond: Vec<f64> = post.iter().zip(row).map(|(a, b)| a * b / pv).collect();
                normalise(&mut cond);
                eh += pv * entropy(&cond);
            }
            gain += h0 - eh;
        }
        gain.max(0.0)
    }

    /// Predictive probability of each value of a variable.
    pub fn predictive(&self, post: &[f64], vi: usize) -> Vec<f64> {
        let var = &self.vars[vi];
        (0..var.n_values)
            .map(|v| {
                post.iter()
                    .zip(&var.p[v * self.n_cond..(v + 1) * self.n_cond])
                    .map(|(a, b)| a * b)
                    .sum()
            })
            .collect()
    }
}

pub fn softmax(lp: &[f64]) -> Vec<f64> {
    let m = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut p: Vec<f64> = lp.iter().map(|x| (x - m).exp()).collect();
    normalise(&mut p);
    p
}

fn normalise(p: &mut [f64]) {
    let s: f64 = p.iter().sum();
    if s > 0.0 {
        p.iter_mut().for_each(|x| *x /= s);
    }
}

pub fn entropy(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|x| **x > 1e-12)
        .map(|x| x * x.log2())
        .sum::<f64>()
}
