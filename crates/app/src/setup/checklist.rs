//! The first-run checklist on the administrator's workbench: what a new company sets up before
//! its staff start, each step ticked off by what is in the database (never by hand).

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::role::Permission;
use sanbao_domain::user::parse_label;
use sanbao_store::admin::calendar as settings;
use sanbao_store::admin::{desks, policies, users};
use sanbao_store::customer;
use serde_json::json;

use super::Setup;
use crate::{Actor, Result, audit};

/// The setting that holds the company's name.
const COMPANY: &str = "company_name";

/// One step of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The company's name, shown on receipts and the public policy page.
    Company,
    /// At least one desk (service, complaints …).
    Desks,
    /// Service hours set for a desk.
    Hours,
    /// A policy chosen or edited (the seed preset is in force until then).
    Policy,
    /// Staff accounts beside the first administrator.
    Users,
    /// Customers entered or imported.
    Customers,
    /// The product catalogue entered or imported.
    Products,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Company,
        Step::Desks,
        Step::Hours,
        Step::Policy,
        Step::Users,
        Step::Customers,
        Step::Products,
    ];

    /// The message key of the step's name.
    pub fn key(self) -> &'static str {
        match self {
            Step::Company => "checklist.company",
            Step::Desks => "checklist.desks",
            Step::Hours => "checklist.hours",
            Step::Policy => "checklist.policy",
            Step::Users => "checklist.users",
            Step::Customers => "checklist.customers",
            Step::Products => "checklist.products",
        }
    }

    /// Where the step is done.
    pub fn href(self) -> &'static str {
        match self {
            Step::Company => "/settings#company",
            Step::Desks => "/settings/desks",
            Step::Hours => "/settings/hours",
            Step::Policy => "/settings/policies",
            Step::Users => "/settings/users/new",
            Step::Customers => "/customers/import",
            Step::Products => "/products/import",
        }
    }
}

impl Setup<'_> {
    /// Each step and whether it is done; for those who manage settings.
    pub async fn checklist(&self, actor: &Actor) -> Result<Vec<(Step, bool)>> {
        actor.require(Permission::SettingsManage)?;
        let store = &self.app.store;
        let (company, desks, hours, active, saved, users, customers, products) = tokio::try_join!(
            settings::setting(store, COMPANY),
            desks::list(store),
            settings::all_hours(store),
            settings::setting(store, "active_policy"),
            policies::latest_all(store),
            users::count(store),
            customer::count_customers(store),
            sanbao_store::product::count(store),
        )?;
        Ok(Step::ALL
            .into_iter()
            .map(|s| {
                let done = match s {
                    Step::Company => company.as_deref().is_some_and(|c| !c.trim().is_empty()),
                    Step::Desks => !desks.is_empty(),
                    Step::Hours => !hours.is_empty(),
                    Step::Policy => active.is_some() || !saved.is_empty(),
                    Step::Users => users > 1,
                    Step::Customers => customers > 0,
                    Step::Products => products > 0,
                };
                (s, done)
            })
            .collect())
    }

    /// The company's name, if it was set.
    pub async fn company_name(&self) -> Result<Option<String>> {
        Ok(settings::setting(&self.app.store, COMPANY)
            .await?
            .filter(|c| !c.trim().is_empty()))
    }

    /// Set the company's name (at most 60 characters, no control characters); audited.
    pub async fn set_company_name(&self, actor: &Actor, name: &str) -> Result<()> {
        actor.require(Permission::SettingsManage)?;
        let name = parse_label(
            name,
            "company_name",
            sanbao_domain::text!("label.company_name"),
            60,
        )?;
        let mut tx = self.app.store.begin().await?;
        settings::put_setting(&mut tx, COMPANY, &name, sanbao_domain::time::now()).await?;
        audit::record(
            &mut tx,
            actor,
            Action::CompanySet,
            RecordType::Setting,
            COMPANY,
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
