//! Making a database ready to serve: the nine roles, the first administrator, and (on request)
//! the demo data set.

mod checklist;
pub(crate) mod demo;

pub use checklist::Step;

use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::role::Role;
use sanbao_store::admin::{roles, users};
use serde_json::json;

use crate::admin::users::CreateUser;
use crate::{Actor, AppError, Result, audit};

pub use demo::DEMO_PASSWORD;

crate::facade!(
    /// First start and demo data.
    Setup,
    setup
);

/// What `prepare` did on this start.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Set on the very first start: the administrator's one-time password.
    pub initial_admin_password: Option<String>,
    /// Set when demo data was loaded: `(username, role, password)` for each demo account.
    pub demo_accounts: Vec<(String, Role, String)>,
}

impl Setup<'_> {
    /// Make a database ready to serve: roles present; on an empty database, the first
    /// administrator (and with `demo`, the demo data). Safe to run on every start and from
    /// several processes (roles are inserted once, the first administrator once).
    pub async fn prepare(&self, demo: bool) -> Result<Prepared> {
        let system = Actor::system();
        self.ensure_roles().await?;
        crate::admin::calendar::ensure_rules(self.app).await?;
        let first_start = users::count(&self.app.store).await? == 0;

        let mut out = Prepared::default();
        if !first_start {
            return Ok(out);
        }
        if demo {
            out.demo_accounts = demo::load(self.app, &system).await?;
        } else {
            let created = self
                .app
                .users()
                .create(
                    &system,
                    CreateUser {
                        username: "admin".into(),
                        display_name: sanbao_domain::text!("setup.admin_name").to_string(),
                        password: String::new(),
                        roles: vec![Role::Administrator.code().into()],
                        must_change_password: true,
                        ..Default::default()
                    },
                )
                .await;
            match created {
                Ok(c) => out.initial_admin_password = c.generated_password,
                // Another process starting at the same time made it first.
                Err(AppError::Duplicate(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Insert any of the nine roles that is missing, with its default permissions. Every
    /// command that opens the database runs this, so roles exist before anyone is assigned one.
    pub async fn ensure_roles(&self) -> Result<()> {
        let system = Actor::system();
        let existing = roles::codes(&self.app.store).await?;
        if Role::ALL
            .iter()
            .all(|r| existing.iter().any(|c| c == r.code()))
        {
            return Ok(());
        }
        let mut tx = self.app.store.begin().await?;
        let now = sanbao_domain::time::now();
        for role in Role::ALL {
            let perms: Vec<&str> = role
                .default_permissions()
                .iter()
                .map(|p| p.code())
                .collect();
            // Another process starting at the same moment may have inserted it first.
            if roles::insert_if_missing(&mut tx, role.code(), &perms, now).await? {
                audit::record(
                    &mut tx,
                    &system,
                    Action::RoleCreate,
                    RecordType::Role,
                    role.code(),
                    json!({"permissions": perms}),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
