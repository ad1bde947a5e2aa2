//! The nine roles and the permissions each holds (editable by administrators).

use sanbao_domain::audit::{Action, RecordType};
use std::collections::BTreeSet;

use sanbao_domain::role::{Permission, Role};
use sanbao_domain::text;
use sanbao_store::admin::roles as repo;
use serde_json::json;

use crate::{Actor, AppError, Result, audit};

crate::facade!(
    /// Roles and their permissions.
    Roles,
    roles
);

#[derive(Debug, Clone)]
pub struct RoleView {
    pub role: Role,
    pub permissions: BTreeSet<Permission>,
    pub active_members: i64,
    pub version: i64,
}

impl Roles<'_> {
    pub async fn list(&self, actor: &Actor) -> Result<Vec<RoleView>> {
        if !actor.can(Permission::RoleManage) && !actor.can(Permission::UserManage) {
            return Err(AppError::Forbidden(Permission::RoleManage));
        }
        let rows = repo::list(&self.app.store).await?;
        let perms = repo::all_permissions(&self.app.store).await?;
        let counts = repo::member_counts(&self.app.store).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let role: Role = r.code.parse().ok()?;
                Some(RoleView {
                    role,
                    permissions: perms
                        .iter()
                        .filter(|(c, _)| *c == r.code)
                        .filter_map(|(_, p)| p.parse().ok())
                        .collect(),
                    active_members: counts
                        .iter()
                        .find(|(c, _)| *c == r.code)
                        .map_or(0, |(_, n)| *n),
                    version: r.version,
                })
            })
            .collect())
    }

    /// Replace a role's permission set. The administrator role keeps user and role management,
    /// so that nobody can lock every administrator out.
    #[tracing::instrument(name = "role.set_permissions", skip_all, fields(role = %role))]
    pub async fn set_permissions(
        &self,
        actor: &Actor,
        role: &str,
        version: i64,
        permissions: &[String],
    ) -> Result<()> {
        actor.require(Permission::RoleManage)?;
        let role: Role = role.parse()?;
        let perms: BTreeSet<Permission> = permissions
            .iter()
            .map(|p| p.parse::<Permission>())
            .collect::<Result<_, _>>()?;
        if role == Role::Administrator
            && !(perms.contains(&Permission::UserManage) && perms.contains(&Permission::RoleManage))
        {
            return Err(AppError::rule("admin_lockout", text!("role.admin_lockout")));
        }
        let codes: Vec<&str> = perms.iter().map(|p| p.code()).collect();
        let mut tx = self.app.store.begin().await?;
        let before = repo::permissions_tx(&mut tx, role.code()).await?;
        repo::set_permissions(
            &mut tx,
            role.code(),
            version,
            &codes,
            sanbao_domain::time::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Action::RoleSetPermissions,
            RecordType::Role,
            role.code(),
            json!({"permissions": {"from": before, "to": codes}}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
