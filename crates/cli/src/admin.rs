//! `sanbao admin …`: the operator's tools for users, roles, desks and API tokens. They act as
//! the system (the operator has the machine) and every change is audited as such.

use std::process::ExitCode;

use clap::Subcommand;
use sanbao_app::admin::desks::DeskInput;
use sanbao_app::admin::users::{CreateUser, UpdateUser, UserQuery};
use sanbao_app::{Actor, App};
use sanbao_domain::DeskId;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a user with a password and one or more roles.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// Role code (repeatable): admin, agent, complaint_officer, technician, supervisor,
        /// salesperson, sales_manager, quality_manager, auditor.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Display name (default: the user name).
        #[arg(long)]
        name: Option<String>,
        /// Desk code (repeatable).
        #[arg(long = "desk")]
        desks: Vec<String>,
    },
    /// List users.
    ListUsers,
    /// Disable a user (ends their sessions).
    DisableUser {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user.
    EnableUser {
        #[arg(long)]
        username: String,
    },
    /// Set a new password; without --password a one-time password is generated and printed.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Replace a user's roles.
    SetRoles {
        #[arg(long)]
        username: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Replace a user's desks.
    SetDesks {
        #[arg(long)]
        username: String,
        #[arg(long = "desk")]
        desks: Vec<String>,
    },
    /// List roles and their permissions.
    ListRoles,
    /// Replace a role's permissions.
    SetPermissions {
        #[arg(long)]
        role: String,
        #[arg(long = "permission")]
        permissions: Vec<String>,
    },
    /// Create a desk / department.
    CreateDesk {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// service, complaint, field, sales or quality.
        #[arg(long, default_value = "service")]
        kind: String,
        /// The supervisor's user name.
        #[arg(long)]
        supervisor: Option<String>,
    },
    /// List desks.
    ListDesks,
    /// Create an API token for a user; the token is printed on the last line.
    CreateToken {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List API tokens.
    ListTokens,
    /// Revoke an API token by id.
    RevokeToken {
        #[arg(long)]
        id: i64,
    },
}

async fn desk_ids(app: &App, actor: &Actor, codes: &[String]) -> anyhow::Result<Vec<DeskId>> {
    let desks = app.desks().list(actor).await?;
    codes
        .iter()
        .map(|c| {
            desks
                .iter()
                .find(|d| d.code.eq_ignore_ascii_case(c))
                .map(|d| d.id)
                .ok_or_else(|| anyhow::anyhow!("没有代码为 {c} 的部门 / no desk with code {c}"))
        })
        .collect()
}

async fn update(
    app: &App,
    actor: &Actor,
    username: &str,
    f: impl FnOnce(&mut UpdateUser),
) -> anyhow::Result<()> {
    let id = app.users().find_id(actor, username).await?;
    let u = app.users().get(actor, id).await?;
    let mut input = UpdateUser {
        version: u.version,
        display_name: u.display_name,
        lang: u.lang.code().to_owned(),
        active: u.active,
        roles: u.roles.iter().map(|r| r.code().to_owned()).collect(),
        desk_ids: u.desks.iter().map(|d| d.0).collect(),
    };
    f(&mut input);
    app.users().update(actor, id, input).await?;
    Ok(())
}

pub async fn run(app: &App, cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    let sys = Actor::system();
    match cmd {
        AdminCommand::CreateUser {
            username,
            password,
            roles,
            name,
            desks,
        } => create_user(app, &sys, username, password, roles, name, desks).await?,
        AdminCommand::ListUsers => list_users(app, &sys).await?,
        AdminCommand::DisableUser { username } => {
            update(app, &sys, &username, |u| u.active = false).await?;
            println!("已停用 / disabled: {username}");
        }
        AdminCommand::EnableUser { username } => {
            update(app, &sys, &username, |u| u.active = true).await?;
            println!("已启用 / enabled: {username}");
        }
        AdminCommand::ResetPassword { username, password } => {
            reset_password(app, &sys, &username, password).await?;
        }
        AdminCommand::SetRoles { username, roles } => {
            update(app, &sys, &username, |u| u.roles = roles).await?;
            println!("角色已更新 / roles updated: {username}");
        }
        AdminCommand::SetDesks { username, desks } => {
            let ids = desk_ids(app, &sys, &desks).await?;
            update(app, &sys, &username, |u| u.desk_ids = ids).await?;
            println!("部门已更新 / desks updated: {username}");
        }
        AdminCommand::ListRoles => list_roles(app, &sys).await?,
        AdminCommand::SetPermissions { role, permissions } => {
            set_permissions(app, &sys, &role, &permissions).await?;
        }
        AdminCommand::CreateDesk {
            code,
            name,
            kind,
            supervisor,
        } => create_desk(app, &sys, code, name, kind, supervisor).await?,
        AdminCommand::ListDesks => list_desks(app, &sys).await?,
        AdminCommand::CreateToken { username, name } => {
            let id = app.users().find_id(&sys, &username).await?;
            let t = app.tokens().create(&sys, id, &name).await?;
            println!(
                "令牌只显示这一次 / the token is shown only once (id {}):",
                t.id
            );
            println!("{}", t.token);
        }
        AdminCommand::ListTokens => list_tokens(app, &sys).await?,
        AdminCommand::RevokeToken { id } => {
            app.tokens().revoke(&sys, id).await?;
            println!("已吊销 / revoked: {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
async fn create_user(
    app: &App,
    sys: &Actor,
    username: String,
    password: String,
    roles: Vec<String>,
    name: Option<String>,
    desks: Vec<String>,
) -> anyhow::Result<()> {
    let desk_ids = desk_ids(app, sys, &desks).await?;
    let input = CreateUser {
        display_name: name.unwrap_or_else(|| username.clone()),
        username,
        password,
        roles,
        desk_ids,
        ..Default::default()
    };
    let c = app.users().create(sys, input).await?;
    println!(
        "已创建用户 / user created: {} (id {})",
        c.user.username, c.user.id
    );
    Ok(())
}

async fn list_users(app: &App, sys: &Actor) -> anyhow::Result<()> {
    let mut after = None;
    loop {
        let query = UserQuery {
            after_id: after,
            ..Default::default()
        };
        let page = app.users().list(sys, query, 200).await?;
        for u in &page.users {
            let roles: Vec<&str> = u.roles.iter().map(|r| r.code()).collect();
            println!(
                "{}\t{}\t{}\t{}\t{}",
                u.id,
                u.username,
                u.display_name,
                roles.join(","),
                if u.active { "active" } else { "disabled" }
            );
        }
        match page.next_after {
            Some(a) => after = Some(a),
            None => return Ok(()),
        }
    }
}

async fn reset_password(
    app: &App,
    sys: &Actor,
    username: &str,
    password: Option<String>,
) -> anyhow::Result<()> {
    let id = app.users().find_id(sys, username).await?;
    match password {
        Some(p) => {
            app.users().set_password(sys, id, &p, false).await?;
            println!("密码已设置 / password set for {username}");
        }
        None => {
            let p = app.users().reset_password(sys, id).await?;
            println!("一次性密码（首次登录须修改）/ one-time password for {username}:");
            println!("{p}");
        }
    }
    Ok(())
}

async fn list_roles(app: &App, sys: &Actor) -> anyhow::Result<()> {
    for r in app.roles().list(sys).await? {
        let perms: Vec<&str> = r.permissions.iter().map(|p| p.code()).collect();
        println!(
            "{}\t{}\t{}",
            r.role.code(),
            r.role.label_zh(),
            perms.join(",")
        );
    }
    Ok(())
}

async fn set_permissions(
    app: &App,
    sys: &Actor,
    role: &str,
    permissions: &[String],
) -> anyhow::Result<()> {
    let version = app
        .roles()
        .list(sys)
        .await?
        .into_iter()
        .find(|r| r.role.code() == role)
        .map(|r| r.version)
        .ok_or_else(|| anyhow::anyhow!("未知的角色 / unknown role: {role}"))?;
    app.roles()
        .set_permissions(sys, role, version, permissions)
        .await?;
    println!("权限已更新 / permissions updated: {role}");
    Ok(())
}

async fn create_desk(
    app: &App,
    sys: &Actor,
    code: String,
    name: String,
    kind: String,
    supervisor: Option<String>,
) -> anyhow::Result<()> {
    let supervisor_id = match supervisor {
        Some(s) => Some(app.users().find_id(sys, &s).await?),
        None => None,
    };
    let input = DeskInput {
        code,
        name,
        kind,
        supervisor_id,
        active: true,
        policy: String::new(),
        version: 0,
    };
    let id = app.desks().create(sys, input).await?;
    println!("已创建部门 / desk created (id {id})");
    Ok(())
}

async fn list_desks(app: &App, sys: &Actor) -> anyhow::Result<()> {
    for d in app.desks().list(sys).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            d.id,
            d.code,
            d.name,
            d.kind,
            d.supervisor.map(|s| s.1).unwrap_or_default()
        );
    }
    Ok(())
}

async fn list_tokens(app: &App, sys: &Actor) -> anyhow::Result<()> {
    for t in app.tokens().list(sys).await? {
        println!(
            "{}\t{}\t{}…\t{}\t{}",
            t.id,
            t.name,
            t.prefix,
            t.username,
            if t.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            }
        );
    }
    Ok(())
}
