//! First start: the nine roles, the first administrator, and the demo data set.

use sanbao_domain::role::Role;
use sanbao_store::{roles, users};
use serde_json::json;

use crate::desks::DeskInput;
use crate::users::CreateUser;
use crate::{Actor, App, AppError, Result, audit};

/// What `prepare` did on this start.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Set on the very first start: the administrator's one-time password.
    pub initial_admin_password: Option<String>,
    /// Set when demo data was loaded: `(username, role, password)` for each demo account.
    pub demo_accounts: Vec<(String, Role, String)>,
}

/// The password every demo account shares (printed at start; demo data only).
pub const DEMO_PASSWORD: &str = "sanbao-demo-2026";

impl App {
    /// Make a database ready to serve: roles present; on an empty database, the first
    /// administrator (and with `demo`, the demo data). Safe to run on every start and from
    /// several processes (roles are inserted once, the first administrator once).
    pub async fn prepare(&self, demo: bool) -> Result<Prepared> {
        let system = Actor::system();
        self.ensure_roles().await?;
        let first_start = users::count(&self.store).await? == 0;

        let mut out = Prepared::default();
        if !first_start {
            return Ok(out);
        }
        if demo {
            out.demo_accounts = self.load_demo(&system).await?;
        } else {
            let created = self
                .create_user(
                    &system,
                    CreateUser {
                        username: "admin".into(),
                        display_name: "系统管理员".into(),
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
        let existing = roles::codes(&self.store).await?;
        if Role::ALL
            .iter()
            .all(|r| existing.iter().any(|c| c == r.code()))
        {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
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
                    "role.create",
                    "role",
                    role.code(),
                    json!({"permissions": perms}),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Desks and one or more staff of every role, with the shared demo password.
    async fn load_demo(&self, system: &Actor) -> Result<Vec<(String, Role, String)>> {
        let desks = [
            ("CS-HQ", "客服中心（总部）", "service"),
            ("CP", "投诉处理部", "complaint"),
            ("FS-EAST", "华东上门维修组", "field"),
            ("SALES-1", "销售一部", "sales"),
            ("QA", "质量管理部", "quality"),
        ];
        let mut desk_ids = Vec::new();
        for (code, name, kind) in desks {
            desk_ids.push(
                self.create_desk(
                    system,
                    DeskInput {
                        code: code.into(),
                        name: name.into(),
                        kind: kind.into(),
                        active: true,
                        ..Default::default()
                    },
                )
                .await?,
            );
        }
        let staff: [(&str, &str, Role, &[usize]); 12] = [
            ("admin", "系统管理员", Role::Administrator, &[]),
            ("zhangwei", "张伟", Role::ServiceAgent, &[0]),
            ("lina", "李娜", Role::ServiceAgent, &[0]),
            ("wangfang", "王芳", Role::ComplaintOfficer, &[1]),
            ("liuyang", "刘洋", Role::Technician, &[2]),
            ("chenjing", "陈静", Role::Technician, &[2]),
            ("zhaolei", "赵磊", Role::ServiceSupervisor, &[0, 1, 2]),
            ("sunli", "孙丽", Role::Salesperson, &[3]),
            ("zhouqiang", "周强", Role::Salesperson, &[3]),
            ("wujun", "吴军", Role::SalesManager, &[3]),
            ("zhengmin", "郑敏", Role::QualityManager, &[4]),
            ("hegang", "何刚", Role::Auditor, &[]),
        ];
        let mut accounts = Vec::new();
        for (username, name, role, desks) in staff {
            self.create_user(
                system,
                CreateUser {
                    username: username.into(),
                    display_name: name.into(),
                    password: DEMO_PASSWORD.into(),
                    roles: vec![role.code().into()],
                    desk_ids: desks.iter().map(|i| desk_ids[*i]).collect(),
                    ..Default::default()
                },
            )
            .await?;
            accounts.push((username.to_owned(), role, DEMO_PASSWORD.to_owned()));
        }
        // The supervisor heads the three service desks.
        let supervisor = self.find_user_id(system, "zhaolei").await?;
        for (i, (code, name, kind)) in desks.iter().enumerate().take(3) {
            let d = self.get_desk(system, desk_ids[i]).await?;
            self.update_desk(
                system,
                d.id,
                DeskInput {
                    code: (*code).into(),
                    name: (*name).into(),
                    kind: (*kind).into(),
                    supervisor_id: Some(supervisor),
                    active: true,
                    version: d.version,
                },
            )
            .await?;
        }
        Ok(accounts)
    }
}
