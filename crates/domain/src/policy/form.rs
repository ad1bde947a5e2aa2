//! A policy as form fields (the editor's form view): clocks and clauses as rows of typed text,
//! turned into the same TOML text the expert view edits, so that both are checked alike.

use super::{Applies, Clause, ClockRule, Policy, PolicyError};
use crate::deadline::Unit;
use crate::text;

/// One clock row as typed. Numbers stay text until [`PolicyForm::to_text`] reads them, so a
/// refused form shows back exactly what was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClockFields {
    pub clock: String,
    pub event: String,
    pub unit: String,
    pub n: String,
    /// Empty: the clock's own due-soon window.
    pub soon: String,
    pub stops_on: Vec<String>,
    pub pauses_in: Vec<String>,
    pub rule: String,
    pub public: String,
}

/// One clause row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClauseFields {
    pub title: String,
    pub text: String,
}

/// A whole policy as typed in the form view. Rows left blank are not part of the policy (the
/// form offers one blank row of each to add one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyForm {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub basis: String,
    pub clocks: Vec<ClockFields>,
    pub clauses: Vec<ClauseFields>,
    /// The cost codes the company bears (checkboxes).
    pub merchant_pays: Vec<String>,
    /// Empty: no repeated-failure rule.
    pub exchange_after_repairs: String,
    pub no_reason_returns: bool,
    /// The categories it covers, separated by 、 , ，or new lines.
    pub categories: String,
    /// Sales channel and customer kind codes (checkboxes).
    pub channels: Vec<String>,
    pub customers: Vec<String>,
}

impl ClockFields {
    /// A row left empty (the form's row for adding a clock).
    pub fn is_blank(&self) -> bool {
        self.clock.trim().is_empty() && self.n.trim().is_empty() && self.rule.trim().is_empty()
    }
}

impl ClauseFields {
    /// A row left empty (the form's row for adding a clause).
    pub fn is_blank(&self) -> bool {
        self.title.trim().is_empty() && self.text.trim().is_empty()
    }
}

impl PolicyForm {
    /// The fields of a policy as stored.
    pub fn of(p: &Policy) -> PolicyForm {
        PolicyForm {
            merchant_pays: p.merchant_pays.clone(),
            exchange_after_repairs: p
                .exchange_after_repairs
                .map(|n| n.to_string())
                .unwrap_or_default(),
            no_reason_returns: p.no_reason_returns,
            categories: p.applies.categories.join("、"),
            channels: p
                .applies
                .channels
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            customers: p
                .applies
                .customers
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            name: p.name.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            basis: p.basis.clone(),
            clocks: p
                .clocks
                .iter()
                .map(|c| ClockFields {
                    clock: c.clock.clone(),
                    event: c.event.clone(),
                    unit: c.unit.code().to_owned(),
                    n: c.n.to_string(),
                    soon: c.soon.map(|s| s.to_string()).unwrap_or_default(),
                    stops_on: c.stops_on.clone(),
                    pauses_in: c.pauses_in.clone(),
                    rule: c.rule.clone(),
                    public: c.public.clone().unwrap_or_default(),
                })
                .collect(),
            clauses: p
                .clauses
                .iter()
                .map(|c| ClauseFields {
                    title: c.title.clone(),
                    text: c.text.clone(),
                })
                .collect(),
        }
    }

    /// The policy text these fields make, checked as a new version is (every rule of
    /// [`Policy::parse`] and the promises); an error names the form field (`clock[2].n`, rows
    /// counted as the form shows them) and carries no line, as the form has none.
    pub fn to_text(&self) -> Result<String, PolicyError> {
        let at = |field: String, message| PolicyError {
            line: None,
            field,
            message,
        };
        let mut clocks = Vec::new();
        let mut rows = Vec::new();
        for (i, c) in self.clocks.iter().enumerate() {
            if c.is_blank() {
                continue;
            }
            let field = |f: &str| format!("clock[{}].{f}", i + 1);
            let whole = |typed: &str, name: &str| {
                typed
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| at(field(name), text!("policy.not_a_number", value = typed)))
            };
            let unit = c
                .unit
                .parse::<Unit>()
                .map_err(|e| at(field("unit"), e.message))?;
            let n = whole(&c.n, "n")?;
            let soon = match c.soon.trim() {
                "" => None,
                s => Some(whole(s, "soon")?),
            };
            let public = c.public.trim();
            clocks.push(ClockRule {
                clock: c.clock.trim().to_owned(),
                event: c.event.trim().to_owned(),
                unit,
                n,
                stops_on: c.stops_on.clone(),
                pauses_in: c.pauses_in.clone(),
                rule: c.rule.trim().to_owned(),
                public: (!public.is_empty()).then(|| public.to_owned()),
                soon,
            });
            rows.push(i + 1);
        }
        let (exchange_after_repairs, applies) = self.rules()?;
        let policy = Policy {
            no_reason_returns: self.no_reason_returns,
            exchange_after_repairs,
            applies,
            name: self.name.trim().to_owned(),
            title: self.title.trim().to_owned(),
            summary: self.summary.trim().replace("\r\n", "\n"),
            basis: self.basis.trim().to_owned(),
            clocks,
            clauses: self.clauses(),
            merchant_pays: self.merchant_pays.clone(),
        };
        let text = toml::to_string(&policy).map_err(|e| {
            at(
                "body".into(),
                text!("policy.toml_invalid", error = e.to_string()),
            )
        })?;
        // The checks count the clocks kept; the form counts its rows, blank ones included.
        let by_row = |mut e: PolicyError| {
            if let Some(rest) = e.field.strip_prefix("clock[")
                && let Some((k, tail)) = rest.split_once(']')
                && let Some(row) = k.parse::<usize>().ok().and_then(|k| rows.get(k - 1))
            {
                e.field = format!("clock[{row}]{tail}");
            }
            e.line = None;
            e
        };
        let parsed = Policy::parse(&text).map_err(by_row)?;
        parsed.check_promises(&text).map_err(by_row)?;
        Ok(text)
    }
    /// The clause rows that are not blank.
    fn clauses(&self) -> Vec<Clause> {
        self.clauses
            .iter()
            .filter(|c| !c.is_blank())
            .map(|c| Clause {
                title: c.title.trim().to_owned(),
                text: c.text.trim().to_owned(),
            })
            .collect()
    }

    /// The repeated-failure rule and what the policy covers, as typed.
    fn rules(&self) -> Result<(Option<u32>, Applies), PolicyError> {
        fn coded<T: std::str::FromStr<Err = crate::FieldError>>(
            codes: &[String],
        ) -> Result<Vec<T>, crate::FieldError> {
            codes.iter().map(|c| c.parse()).collect()
        }
        let at = |field: &str, message| PolicyError {
            line: None,
            field: field.to_owned(),
            message,
        };
        let exchange_after_repairs = match self.exchange_after_repairs.trim() {
            "" => None,
            n => Some(n.parse::<u32>().map_err(|_| {
                at(
                    "exchange_after_repairs",
                    text!("policy.not_a_number", value = n),
                )
            })?),
        };
        let applies = Applies {
            categories: self
                .categories
                .split(['、', ',', '，', '\n'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            channels: coded(&self.channels).map_err(|e| at("channels", e.message))?,
            customers: coded(&self.customers).map_err(|e| at("customers", e.message))?,
        };
        Ok((exchange_after_repairs, applies))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_form() -> PolicyForm {
        PolicyForm::of(&Policy::preset("seed").unwrap())
    }

    #[test]
    fn the_fields_of_a_preset_make_the_same_policy() {
        for (name, _) in super::super::PRESETS {
            let p = Policy::preset(name).unwrap();
            let text = PolicyForm::of(&p).to_text().unwrap();
            assert_eq!(Policy::parse(&text).unwrap(), p, "{name}");
        }
    }

    #[test]
    fn a_blank_row_is_no_clock_and_errors_name_the_row_as_shown() {
        let mut f = seed_form();
        f.clocks.insert(1, ClockFields::default());
        f.clocks.push(ClockFields::default());
        let text = f.to_text().unwrap();
        assert_eq!(Policy::parse(&text).unwrap().clocks.len(), 6);
        // Row 5 on the form (the first response, after the inserted blank row).
        f.clocks[4].n = "十二".into();
        let e = f.to_text().unwrap_err();
        assert_eq!((e.field.as_str(), e.line), ("clock[5].n", None));
        f.clocks[4].n = "0".into();
        assert_eq!(f.to_text().unwrap_err().field, "clock[5].n");
        f.clocks[4].n = "12".into();
        // The promise still says 24: refused on the promise's own field.
        f.clocks[4].public = "收到投诉后 24 小时内给予回应。".into();
        assert_eq!(f.to_text().unwrap_err().field, "clock[5].public");
        f.clocks[4].public = "收到投诉后 {n} 小时内给予回应。".into();
        let p = Policy::parse(&f.to_text().unwrap()).unwrap();
        let first = p
            .clocks
            .iter()
            .find(|c| c.clock == "first_response")
            .unwrap();
        assert_eq!(first.n, 12);
        assert_eq!(
            first.public_text().as_deref(),
            Some("收到投诉后 12 小时内给予回应。")
        );
    }

    #[test]
    fn an_unknown_unit_or_soon_out_of_range_names_its_field() {
        let mut f = seed_form();
        f.clocks[0].unit = "weeks".into();
        assert_eq!(f.to_text().unwrap_err().field, "clock[1].unit");
        let mut f = seed_form();
        f.clocks[0].soon = "9".into();
        assert_eq!(f.to_text().unwrap_err().field, "clock[1].soon");
        let mut f = seed_form();
        f.clauses.push(ClauseFields::default());
        f.clauses[0].title = String::new();
        assert!(f.to_text().is_err());
    }
}
