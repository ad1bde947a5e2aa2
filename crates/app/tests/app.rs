//! App suite: use cases against a fresh database (SQLite, or PostgreSQL when
//! `SANBAO_TEST_POSTGRES_URL` is set).
#![allow(clippy::too_many_lines)]

use sanbao_app::admin::desks::DeskInput;
use sanbao_app::admin::users::{CreateUser, UpdateUser, UserQuery};
use sanbao_app::auth::LoginFrom;
use sanbao_app::case::CaseView;
use sanbao_app::case::Closing;
use sanbao_app::{Actor, App, AppConfig, AppError};
use sanbao_domain::UserId;
use sanbao_domain::audit::{BadCheckpoint, ChainBreak};
use sanbao_domain::case::{EventKind, NewCaseForm};
use sanbao_domain::customer::CustomerForm;
use sanbao_domain::role::{Permission, Role};
use sanbao_store::testing::{self, TestDb};

struct T {
    app: App,
    db: TestDb,
}

async fn setup() -> T {
    let db = TestDb::new().await;
    let app = App::new(
        db.store.clone(),
        AppConfig {
            checkpoint_file: db.files_dir.with_extension("checkpoints"),
            ..AppConfig::default()
        },
    );
    app.setup().prepare(false).await.unwrap();
    T { app, db }
}

const FROM: LoginFrom<'static> = LoginFrom {
    ip: "10.0.0.1",
    user_agent: "test",
};

impl T {
    async fn user(&self, username: &str, role: Role) -> UserId {
        self.app
            .users()
            .create(
                &Actor::system(),
                CreateUser {
                    username: username.into(),
                    display_name: format!("{username} 测试"),
                    password: "correct-horse-42".into(),
                    roles: vec![role.code().into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .user
            .id
    }

    /// A complaint by phone from 张三, received `received_at`, logged by `by`.
    async fn complaint(
        &self,
        by: &Actor,
        channel: &str,
        subject: &str,
        received_at: chrono::DateTime<chrono::Utc>,
    ) -> CaseView {
        let form = NewCaseForm {
            kind: "complaint".into(),
            channel: channel.into(),
            customer: CustomerForm {
                name: "张三".into(),
                phone: "13800138000".into(),
                ..Default::default()
            },
            subject: subject.into(),
            received_at: Some(received_at),
            ..Default::default()
        };
        self.app.cases().open(by, &form, None).await.unwrap()
    }

    /// Run the background jobs that are due until none is left; how many ran.
    async fn run_jobs(&self) -> usize {
        let mut ran = 0;
        loop {
            match self.app.jobs().run_due().await.unwrap() {
                0 => return ran,
                n => ran += n,
            }
        }
    }

    async fn actor(&self, username: &str) -> Actor {
        let s = self
            .app
            .auth()
            .login(username, "correct-horse-42", FROM)
            .await
            .unwrap();
        self.app
            .auth()
            .session(&s.token)
            .await
            .unwrap()
            .unwrap()
            .actor
    }
}

#[tokio::test]
async fn first_start_creates_the_roles_and_one_administrator_once() {
    let t = setup().await;
    let again = t.app.setup().prepare(false).await.unwrap();
    assert!(
        again.initial_admin_password.is_none(),
        "only the first start makes an admin"
    );
    let roles = t.app.roles().list(&Actor::system()).await.unwrap();
    assert_eq!(roles.len(), 9);
    let admin = t
        .app
        .users()
        .list(&Actor::system(), UserQuery::default(), 10)
        .await
        .unwrap()
        .users;
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0].username, "admin");
    assert!(admin[0].must_change_password);
}

#[tokio::test]
async fn the_initial_password_logs_in_and_must_be_changed() {
    let db = TestDb::new().await;
    let app = App::new(db.store.clone(), AppConfig::default());
    let pw = app
        .setup()
        .prepare(false)
        .await
        .unwrap()
        .initial_admin_password
        .unwrap();
    let s = app.auth().login("admin", &pw, FROM).await.unwrap();
    assert!(s.must_change_password);
    let info = app.auth().session(&s.token).await.unwrap().unwrap();
    assert!(info.actor.can(Permission::UserManage));
    let e = app
        .auth()
        .change_password(&info.actor, &pw, "short", Some(&s.token))
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Invalid(_)), "{e:?}");
    app.auth()
        .change_password(&info.actor, &pw, "新的密码-Sanbao-2026", Some(&s.token))
        .await
        .unwrap();
    let info = app.auth().session(&s.token).await.unwrap().unwrap();
    assert!(
        !info.must_change_password,
        "the caller's own session stays and is released"
    );
    assert!(matches!(
        app.auth().login("admin", &pw, FROM).await,
        Err(AppError::BadCredentials)
    ));
}

#[tokio::test]
async fn demo_data_has_every_role() {
    let db = TestDb::new().await;
    let app = App::new(db.store.clone(), AppConfig::default());
    let p = app.setup().prepare(true).await.unwrap();
    for role in Role::ALL {
        assert!(p.demo_accounts.iter().any(|(_, r, _)| *r == role), "{role}");
    }
    assert!(p.initial_admin_password.is_none());
    let desks = app.desks().list(&Actor::system()).await.unwrap();
    assert!(
        desks.iter().any(|d| d.kind == "complaint"
            && d.supervisor.as_ref().map(|s| s.1.as_str()) == Some("赵磊"))
    );
    let s = app
        .auth()
        .login("wangfang", sanbao_app::setup::DEMO_PASSWORD, FROM)
        .await
        .unwrap();
    let a = app.auth().session(&s.token).await.unwrap().unwrap().actor;
    assert!(a.can(Permission::ComplaintHandle));
}

#[tokio::test]
async fn a_role_without_the_permission_is_refused() {
    let t = setup().await;
    t.user("sunli", Role::Salesperson).await;
    let sales = t.actor("sunli").await;
    let e = t
        .app
        .users()
        .create(
            &sales,
            CreateUser {
                username: "mallory".into(),
                display_name: "M".into(),
                password: "correct-horse-42".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Forbidden(Permission::UserManage)),
        "{e:?}"
    );
    assert!(matches!(
        t.app.tokens().list(&sales).await,
        Err(AppError::Forbidden(Permission::TokenManage))
    ));
    assert!(matches!(
        t.app.audit().list(&sales, Default::default(), 10).await,
        Err(AppError::Forbidden(Permission::AuditRead))
    ));
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let t = setup().await;
    let (head_before, _) = sanbao_store::audit::head(&t.db.store).await.unwrap();
    let e = t
        .app
        .users()
        .create(
            &Actor::system(),
            CreateUser {
                username: "王".into(),
                display_name: " ".into(),
                password: "123".into(),
                roles: vec!["root".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    let AppError::Invalid(errs) = e else {
        panic!("{e:?}")
    };
    let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_ref()).collect();
    assert_eq!(fields, ["username", "display_name", "roles"]);
    let (head_after, _) = sanbao_store::audit::head(&t.db.store).await.unwrap();
    assert_eq!(head_before, head_after);
    let e = t
        .app
        .users()
        .create(
            &Actor::system(),
            CreateUser {
                username: "okname".into(),
                display_name: "好".into(),
                password: "123".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Invalid(ref f) if f.0[0].field == "password"),
        "{e:?}"
    );
}

#[tokio::test]
async fn duplicate_usernames_are_a_conflict() {
    let t = setup().await;
    t.user("lina", Role::ServiceAgent).await;
    let e = t
        .app
        .users()
        .create(
            &Actor::system(),
            CreateUser {
                username: "LiNa".into(),
                display_name: "李娜".into(),
                password: "correct-horse-42".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Duplicate(ref f) if f.field == "username"),
        "{e:?}"
    );
}

#[tokio::test]
async fn wrong_user_and_wrong_password_get_the_same_answer_and_are_throttled() {
    let t = setup().await;
    t.user("zhangwei", Role::ServiceAgent).await;
    assert!(matches!(
        t.app.auth().login("nobody", "whatever-123", FROM).await,
        Err(AppError::BadCredentials)
    ));
    for _ in 0..4 {
        assert!(matches!(
            t.app
                .auth()
                .login("zhangwei", "wrong-password-1", FROM)
                .await,
            Err(AppError::BadCredentials)
        ));
    }
    // The fifth failure for the account locks it for the window, even with the right password.
    assert!(matches!(
        t.app
            .auth()
            .login("zhangwei", "wrong-password-1", FROM)
            .await,
        Err(AppError::BadCredentials)
    ));
    assert!(matches!(
        t.app
            .auth()
            .login("zhangwei", "correct-horse-42", FROM)
            .await,
        Err(AppError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn a_burst_of_guesses_checks_no_more_passwords_than_the_limit() {
    // 40 wrong guesses at once: every attempt is counted before its password is checked, so
    // exactly the limit (5) are checked and the rest refused with the time to wait; the right
    // password after the burst is refused too.
    let t = setup().await;
    t.user("zhangwei", Role::ServiceAgent).await;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let app = t.app.clone();
            tokio::spawn(
                async move { app.auth().login("zhangwei", "wrong-password-1", FROM).await },
            )
        })
        .collect();
    let mut checked = 0;
    for task in tasks {
        match task.await.unwrap() {
            Err(AppError::BadCredentials) => checked += 1,
            Err(AppError::RateLimited { retry_after_secs }) => assert!(retry_after_secs > 0),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(checked, 5, "passwords checked in the burst");
    assert!(matches!(
        t.app
            .auth()
            .login("zhangwei", "correct-horse-42", FROM)
            .await,
        Err(AppError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_tokens_stop_working() {
    let t = setup().await;
    let id = t.user("liuyang", Role::Technician).await;
    let s = t
        .app
        .auth()
        .login("liuyang", "correct-horse-42", FROM)
        .await
        .unwrap();
    let token = t
        .app
        .tokens()
        .create(&Actor::system(), id, "手机")
        .await
        .unwrap();
    assert!(t.app.auth().token(&token.token).await.unwrap().is_some());
    let u = t.app.users().get(&Actor::system(), id).await.unwrap();
    t.app
        .users()
        .update(
            &Actor::system(),
            id,
            UpdateUser {
                version: u.version,
                display_name: u.display_name,
                lang: "zh-CN".into(),
                active: false,
                roles: vec!["technician".into()],
                desk_ids: vec![],
            },
        )
        .await
        .unwrap();
    assert!(t.app.auth().session(&s.token).await.unwrap().is_none());
    assert!(t.app.auth().token(&token.token).await.unwrap().is_none());
    assert!(matches!(
        t.app
            .auth()
            .login("liuyang", "correct-horse-42", FROM)
            .await,
        Err(AppError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_stale_edit_is_refused() {
    let t = setup().await;
    let id = t.user("chenjing", Role::Technician).await;
    let u = t.app.users().get(&Actor::system(), id).await.unwrap();
    let edit = UpdateUser {
        version: u.version,
        display_name: "陈静".into(),
        lang: "zh-CN".into(),
        active: true,
        roles: vec!["technician".into()],
        desk_ids: vec![],
    };
    t.app
        .users()
        .update(&Actor::system(), id, edit.clone())
        .await
        .unwrap();
    let e = t
        .app
        .users()
        .update(&Actor::system(), id, edit)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Stale), "{e:?}");
}

#[tokio::test]
async fn revoked_tokens_stop_working_and_are_stored_hashed() {
    let t = setup().await;
    let id = t.user("hegang", Role::Auditor).await;
    let created = t
        .app
        .tokens()
        .create(&Actor::system(), id, "审计脚本")
        .await
        .unwrap();
    assert!(created.token.starts_with("sbk_"));
    let rows = t.app.tokens().list(&Actor::system()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(created.token.starts_with(&rows[0].prefix));
    assert!(
        rows[0].prefix.len() < created.token.len() / 2,
        "only a prefix is kept in clear"
    );
    let a = t.app.auth().token(&created.token).await.unwrap().unwrap();
    assert!(a.can(Permission::AuditRead));
    let listed = t.app.tokens().list(&Actor::system()).await.unwrap();
    assert!(listed[0].last_used_at.is_some());
    t.app
        .tokens()
        .revoke(&Actor::system(), created.id)
        .await
        .unwrap();
    assert!(t.app.auth().token(&created.token).await.unwrap().is_none());
    assert!(matches!(
        t.app.tokens().revoke(&Actor::system(), created.id).await,
        Err(AppError::Rule { .. })
    ));
}

#[tokio::test]
async fn role_permissions_are_editable_but_admins_cannot_be_locked_out() {
    let t = setup().await;
    t.user("wujun", Role::SalesManager).await;
    let roles = t.app.roles().list(&Actor::system()).await.unwrap();
    let sm = roles.iter().find(|r| r.role == Role::SalesManager).unwrap();
    t.app
        .roles()
        .set_permissions(
            &Actor::system(),
            "sales_manager",
            sm.version,
            &["sales.work".into(), "audit.read".into()],
        )
        .await
        .unwrap();
    let a = t.actor("wujun").await;
    assert!(a.can(Permission::AuditRead));
    assert!(!a.can(Permission::SalesManage));
    let admin = roles
        .iter()
        .find(|r| r.role == Role::Administrator)
        .unwrap();
    let e = t
        .app
        .roles()
        .set_permissions(
            &Actor::system(),
            "admin",
            admin.version,
            &["case.read".into()],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            AppError::Rule {
                code: "admin_lockout",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_complaint_logged_without_a_desk_goes_to_the_complaint_department() {
    let t = setup().await;
    let desk = |code: &str, kind: &str, active: bool| DeskInput {
        code: code.into(),
        name: format!("{code} 部门"),
        kind: kind.into(),
        active,
        ..Default::default()
    };
    let system = Actor::system();
    t.app
        .desks()
        .create(&system, desk("CS", "service", true))
        .await
        .unwrap();
    t.app
        .desks()
        .create(&system, desk("CP-OLD", "complaint", false))
        .await
        .unwrap();
    let cp = t
        .app
        .desks()
        .create(&system, desk("CP", "complaint", true))
        .await
        .unwrap();
    let c = t
        .complaint(&system, "phone", "安装后漏水", chrono::Utc::now())
        .await;
    assert_eq!(c.desk.map(|d| d.id), Some(cp), "the active complaint desk");
    // Other kinds stay with the desk intake names (none here).
    let form = NewCaseForm {
        kind: "inquiry".into(),
        channel: "phone".into(),
        customer: CustomerForm {
            name: "张三".into(),
            phone: "13800138000".into(),
            ..Default::default()
        },
        subject: "咨询保修期".into(),
        ..Default::default()
    };
    let q = t.app.cases().open(&system, &form, None).await.unwrap();
    assert!(q.desk.is_none());
}

#[tokio::test]
async fn without_case_assign_one_takes_only_cases_of_ones_own_desks_and_logs_only_for_oneself() {
    let t = setup().await;
    let system = Actor::system();
    let desk = |code: &str| DeskInput {
        code: code.into(),
        name: format!("{code} 部门"),
        kind: "service".into(),
        active: true,
        ..Default::default()
    };
    let mine = t.app.desks().create(&system, desk("CS-A")).await.unwrap();
    let other = t.app.desks().create(&system, desk("CS-B")).await.unwrap();
    t.app
        .users()
        .create(
            &system,
            CreateUser {
                username: "zhangwei".into(),
                display_name: "张伟".into(),
                password: "correct-horse-42".into(),
                roles: vec![Role::ServiceAgent.code().into()],
                desk_ids: vec![mine],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let colleague = t.user("lina", Role::ServiceAgent).await;
    let agent = t.actor("zhangwei").await;
    let form = |desk| NewCaseForm {
        kind: "inquiry".into(),
        channel: "phone".into(),
        customer: CustomerForm {
            name: "张三".into(),
            phone: "13800138000".into(),
            ..Default::default()
        },
        subject: "咨询保修期".into(),
        desk_id: Some(desk),
        ..Default::default()
    };
    let take = sanbao_domain::case::CaseEditForm {
        assignee_id: Some(agent.user_id),
        ..Default::default()
    };
    let theirs = t
        .app
        .cases()
        .open(&system, &form(other), None)
        .await
        .unwrap();
    let e = t
        .app
        .cases()
        .update(&agent, &theirs.number, theirs.version, &take)
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Forbidden(Permission::CaseAssign)),
        "{e:?}"
    );
    let ours = t
        .app
        .cases()
        .open(&system, &form(mine), None)
        .await
        .unwrap();
    let taken = t
        .app
        .cases()
        .update(&agent, &ours.number, ours.version, &take)
        .await
        .unwrap();
    assert_eq!(taken.assignee.map(|a| a.id), agent.user_id);
    // Logging a case for a colleague needs case.assign; for oneself it does not.
    let mut for_colleague = form(mine);
    for_colleague.assignee_id = Some(colleague);
    let e = t
        .app
        .cases()
        .open(&agent, &for_colleague, None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Forbidden(Permission::CaseAssign)),
        "{e:?}"
    );
    let mut for_me = form(mine);
    for_me.assignee_id = agent.user_id;
    assert!(t.app.cases().open(&agent, &for_me, None).await.is_ok());
}

#[tokio::test]
async fn desks_validate_and_audit() {
    let t = setup().await;
    let sup = t.user("zhaolei", Role::ServiceSupervisor).await;
    let id = t
        .app
        .desks()
        .create(
            &Actor::system(),
            DeskInput {
                code: "cs-east".into(),
                name: "华东客服".into(),
                kind: "service".into(),
                supervisor_id: Some(sup),
                active: true,
                policy: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap();
    let d = t.app.desks().get(&Actor::system(), id).await.unwrap();
    assert_eq!(d.code, "CS-EAST");
    let e = t
        .app
        .desks()
        .create(
            &Actor::system(),
            DeskInput {
                code: "CS-EAST".into(),
                name: "重复".into(),
                kind: "service".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Duplicate(ref f) if f.field == "code"),
        "{e:?}"
    );
    let e = t
        .app
        .desks()
        .create(
            &Actor::system(),
            DeskInput {
                code: "X".into(),
                name: "".into(),
                kind: "bakery".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    let AppError::Invalid(errs) = e else { panic!() };
    assert_eq!(
        errs.0.iter().map(|e| e.field.as_ref()).collect::<Vec<_>>(),
        ["code", "name", "kind"]
    );
    let page = t
        .app
        .audit()
        .list(
            &Actor::system(),
            sanbao_app::admin::audit::AuditQuery {
                record_type: Some("desk".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].action, "desk.create");
}

#[tokio::test]
async fn audit_verify_names_the_first_tampered_entry() {
    let t = setup().await;
    t.user("agent1", Role::ServiceAgent).await;
    t.user("agent2", Role::ServiceAgent).await;
    let n = t
        .app
        .audit()
        .verify(&Actor::system())
        .await
        .unwrap()
        .unwrap();
    assert!(n >= 11, "9 roles + admin + 2 users: {n}");
    testing::execute_raw(
        &t.db.store,
        "UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 10",
    )
    .await
    .unwrap();
    assert_eq!(
        t.app.audit().verify(&Actor::system()).await.unwrap(),
        Err(ChainBreak::Edited { seq: 10 })
    );
}

#[tokio::test]
async fn audit_verify_names_a_deleted_entry() {
    let t = setup().await;
    t.user("agent1", Role::ServiceAgent).await;
    testing::execute_raw(&t.db.store, "DELETE FROM audit_entry WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(
        t.app.audit().verify(&Actor::system()).await.unwrap(),
        Err(ChainBreak::Missing { seq: 3 })
    );
}

/// Deleting the newest entries and moving the head back leaves a chain that holds by itself;
/// the signed checkpoint outside the database catches it. A forged checkpoint line is named.
#[tokio::test]
async fn audit_verify_catches_entries_cut_from_the_end_by_the_checkpoint() {
    let t = setup().await;
    t.user("agent1", Role::ServiceAgent).await;
    let cp = t.app.audit().checkpoint().await.unwrap().expect("written");
    assert!(
        t.app.audit().checkpoint().await.unwrap().is_none(),
        "no move, no new line"
    );
    assert_eq!(
        t.app.audit().verify(&Actor::system()).await.unwrap(),
        Ok(cp.seq as u64)
    );
    let keep = cp.seq - 2;
    testing::execute_raw(
        &t.db.store,
        &format!("DELETE FROM audit_entry WHERE seq > {keep}"),
    )
    .await
    .unwrap();
    testing::execute_raw(
        &t.db.store,
        &format!(
            "UPDATE audit_head SET seq = {keep}, \
             hash = (SELECT hash FROM audit_entry WHERE seq = {keep}) WHERE id = 1"
        ),
    )
    .await
    .unwrap();
    assert!(matches!(
        t.app.audit().verify(&Actor::system()).await.unwrap(),
        Err(ChainBreak::Truncated { last, checkpoint, .. }) if last == keep && checkpoint == cp.seq
    ));
    let file = &t.app.config.checkpoint_file;
    let text = std::fs::read_to_string(file).unwrap();
    std::fs::write(
        file,
        text.replacen(&format!("v1 {} ", cp.seq), &format!("v1 {keep} "), 1),
    )
    .unwrap();
    assert!(matches!(
        t.app.audit().verify(&Actor::system()).await.unwrap(),
        Err(ChainBreak::Checkpoint(BadCheckpoint::Forged { line: 1 }))
    ));
}

#[tokio::test]
async fn expired_sessions_end() {
    let db = TestDb::new().await;
    let app = App::new(
        db.store.clone(),
        AppConfig {
            session_idle: std::time::Duration::from_secs(0),
            ..AppConfig::default()
        },
    );
    app.setup().prepare(false).await.unwrap();
    app.users()
        .create(
            &Actor::system(),
            CreateUser {
                username: "idle".into(),
                display_name: "Idle".into(),
                password: "correct-horse-42".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let s = app
        .auth()
        .login("idle", "correct-horse-42", FROM)
        .await
        .unwrap();
    assert!(app.auth().session(&s.token).await.unwrap().is_none());
}

#[tokio::test]
async fn suite_runs_on_the_requested_backend() {
    let t = setup().await;
    assert_eq!(t.db.store.kind(), testing::backend());
    if std::env::var(testing::POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
        assert_eq!(t.db.store.kind(), sanbao_app::BackendKind::Postgres);
    }
}

#[path = "app/customers.rs"]
mod customers;

mod calendar_and_policies {
    use super::*;
    use chrono::{DateTime, Utc};
    use sanbao_domain::hours::Preset;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[tokio::test]
    async fn a_company_holiday_moves_a_deadline_and_is_audited() {
        let t = setup().await;
        let (seed, _) = t.app.policies().active().await.unwrap();
        let before = t
            .app
            .policies()
            .explain(
                &seed,
                "complaint_received",
                at("2026-09-30T18:00:00+08:00"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(before[1].due.due_date.unwrap().to_string(), "2026-10-10");
        t.app
            .calendar()
            .set_company_day(&Actor::system(), "2026-10-09", false, "公司年会")
            .await
            .unwrap();
        let after = t
            .app
            .policies()
            .explain(
                &seed,
                "complaint_received",
                at("2026-09-30T18:00:00+08:00"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(after[1].due.due_date.unwrap().to_string(), "2026-10-12");
        let page = t
            .app
            .audit()
            .list(
                &Actor::system(),
                sanbao_app::admin::audit::AuditQuery {
                    record_type: Some("calendar_override".into()),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(page.entries[0].record_id, "2026-10-09");
        t.app
            .calendar()
            .delete_company_day(&Actor::system(), "2026-10-09")
            .await
            .unwrap();
        assert!(
            t.app
                .calendar()
                .current()
                .await
                .unwrap()
                .is_workday("2026-10-09".parse().unwrap())
        );
        let e = t
            .app
            .calendar()
            .set_company_day(&Actor::system(), "2026-02-30", true, "x")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)));
    }

    #[tokio::test]
    async fn a_second_node_sees_a_calendar_change() {
        let t = setup().await;
        let other = App::new(t.db.store.clone(), AppConfig::default());
        assert!(
            other
                .calendar()
                .current()
                .await
                .unwrap()
                .is_workday("2026-10-09".parse().unwrap())
        );
        t.app
            .calendar()
            .set_company_day(&Actor::system(), "2026-10-09", false, "盘点")
            .await
            .unwrap();
        // The other node re-reads the revision within its recheck interval.
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        assert!(
            !other
                .calendar()
                .current()
                .await
                .unwrap()
                .is_workday("2026-10-09".parse().unwrap())
        );
    }

    /// A deadline in a year whose notice is not loaded is provisional; loading the notice
    /// recomputes it, and the case's timeline keeps both dates.
    #[tokio::test]
    async fn loading_a_notice_moves_provisional_deadlines_and_says_so() {
        use chrono::Datelike;
        let t = setup().await;
        // A 60-working-day reply clock reaches well into a year not yet loaded.
        let seed = t.app.policies().info("seed").await.unwrap();
        let long = seed.body.replacen(
            "unit = \"working_days\"\nn = 10\n",
            "unit = \"working_days\"\nn = 60\n",
            1,
        );
        assert_ne!(long, seed.body);
        t.app
            .policies()
            .save(&Actor::system(), &long, 0, "长答复期")
            .await
            .unwrap();
        let c = t
            .complaint(&Actor::system(), "phone", "时限跨年", Utc::now())
            .await;
        let reply = |v: &CaseView| {
            v.clocks
                .iter()
                .find(|k| k.clock == "reply")
                .cloned()
                .unwrap()
        };
        let before = reply(&c);
        let due = before.due_date.unwrap();
        let cal = t.app.calendar().current().await.unwrap();
        assert_eq!(before.provisional, !cal.is_loaded(due.year()));
        // The notice for that year makes a Saturday before the deadline a working day.
        let start = c
            .received_at
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        let saturday = (1..=31)
            .filter_map(|d| chrono::NaiveDate::from_ymd_opt(due.year(), 1, d))
            .find(|d| d.weekday() == chrono::Weekday::Sat && *d > start && *d < due)
            .unwrap();
        let notice = format!(
            "国务院办公厅关于{y}年部分节假日安排的通知\n一、元旦：1月1日放假，共1天。{m}月{d}日（星期六）上班。",
            y = due.year(),
            m = saturday.month(),
            d = saturday.day()
        );
        let preview = t
            .app
            .calendar()
            .read_notice(&Actor::system(), &notice)
            .unwrap();
        assert!(preview.days.iter().any(|r| r.date == saturday && r.differs));
        t.app
            .calendar()
            .import_notice(&Actor::system(), &notice)
            .await
            .unwrap();
        // The case is touched before the recomputation reaches it: the move is recorded all
        // the same, and only once.
        t.app
            .cases()
            .note(&Actor::system(), &c.number, "客户来电询问进度", false)
            .await
            .unwrap();
        assert!(t.run_jobs().await >= 1);
        let d = t
            .app
            .cases()
            .get(&Actor::system(), &c.number)
            .await
            .unwrap();
        let after = reply(&d.case);
        assert!(!after.provisional);
        // Counted afresh on the loaded year (this made-up notice also drops the law's 春节).
        let loaded = t.app.calendar().current().await.unwrap();
        assert_eq!(after.due_date, Some(loaded.add_workdays(start, 60).value));
        assert!(after.due_date < Some(due));
        let moved: Vec<_> = d
            .timeline
            .iter()
            .filter(|e| e.kind == EventKind::DeadlineMoved)
            .collect();
        assert_eq!(moved.len(), 1, "one clock moved: {moved:?}");
        assert_eq!(moved[0].data["clock"], "reply");
        assert_eq!(moved[0].data["from_date"], due.to_string());
        assert_eq!(
            moved[0].data["to_date"],
            after.due_date.unwrap().to_string()
        );
        // Recomputing again moves nothing and writes nothing.
        t.app.cases().recompute_open_cases().await.unwrap();
        let again = t
            .app
            .cases()
            .get(&Actor::system(), &c.number)
            .await
            .unwrap();
        assert_eq!(again.timeline.len(), d.timeline.len());
        // A notice that cannot be read loads nothing.
        let e = t
            .app
            .calendar()
            .import_notice(
                &Actor::system(),
                "国务院办公厅关于2031年部分节假日安排的通知\n一、元旦：放假。",
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)));
        assert!(!t.app.calendar().current().await.unwrap().is_loaded(2031));
    }

    #[tokio::test]
    async fn importing_a_year_loads_it() {
        let t = setup().await;
        assert!(!t.app.calendar().current().await.unwrap().is_loaded(2027));
        let y = t
            .app
            .calendar()
            .import_year(
                &Actor::system(),
                "# 测试通知\n2027-01-01,off,元旦\n2027-02-06,on,春节调休上班\n",
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(y.year, 2027);
        let cal = t.app.calendar().current().await.unwrap();
        assert!(cal.is_loaded(2027));
        assert!(cal.is_workday("2027-02-06".parse().unwrap()));
        let years = t.app.calendar().years().await.unwrap();
        assert!(years.iter().any(|y| y.year == 2027 && y.imported));
        let e = t
            .app
            .calendar()
            .import_year(&Actor::system(), "2027-01-04,on,周一\n", None, Some("测试"))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)));
    }

    #[tokio::test]
    async fn policies_are_versioned_and_validated() {
        let t = setup().await;
        let list = t.app.policies().list().await.unwrap();
        assert_eq!(list.len(), 4);
        assert!(
            list.iter()
                .any(|p| p.name == "seed" && p.active && p.version == 0)
        );
        let seed = t.app.policies().info("seed").await.unwrap();
        let edited = seed.body.replace("n = 24", "n = 12");
        let v = t
            .app
            .policies()
            .save(&Actor::system(), &edited, 0, "缩短首次响应")
            .await
            .unwrap();
        assert_eq!(v, 1);
        assert!(matches!(
            t.app
                .policies()
                .save(&Actor::system(), &edited, 0, "again")
                .await,
            Err(AppError::Stale)
        ));
        let (p, version) = t.app.policies().active().await.unwrap();
        assert_eq!(version, 1);
        assert_eq!(
            p.clocks
                .iter()
                .find(|c| c.clock == "first_response")
                .unwrap()
                .n,
            12
        );
        let e = t
            .app
            .policies()
            .save(&Actor::system(), "name = \"x\"\n", 0, "")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)));
        assert_eq!(t.app.policies().history("seed").await.unwrap().len(), 1);
        t.app
            .policies()
            .activate(&Actor::system(), "cn-sanbao")
            .await
            .unwrap();
        assert_eq!(t.app.policies().active().await.unwrap().0.name, "cn-sanbao");
    }

    #[tokio::test]
    async fn desk_hours_round_trip_with_a_version() {
        let t = setup().await;
        let desk = t
            .app
            .desks()
            .create(
                &Actor::system(),
                DeskInput {
                    code: "CS".into(),
                    name: "客服".into(),
                    kind: "service".into(),
                    active: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let (h, v) = t.app.desks().hours(desk).await.unwrap();
        assert_eq!((h, v), (Preset::WeekdaysNineToFive.hours(), 0));
        t.app
            .desks()
            .set_hours(
                &Actor::system(),
                desk,
                Preset::SevenDaysEightHours.hours(),
                0,
            )
            .await
            .unwrap();
        let (h, v) = t.app.desks().hours(desk).await.unwrap();
        assert_eq!((h, v), (Preset::SevenDaysEightHours.hours(), 1));
        assert!(matches!(
            t.app
                .desks()
                .set_hours(
                    &Actor::system(),
                    desk,
                    Preset::WeekdaysNineToFive.hours(),
                    0
                )
                .await,
            Err(AppError::Stale)
        ));
        let closed = sanbao_domain::hours::ServiceHours {
            week: Default::default(),
            works_on_statutory_holidays: false,
        };
        assert!(matches!(
            t.app
                .desks()
                .set_hours(&Actor::system(), desk, closed, 1)
                .await,
            Err(AppError::Invalid(_))
        ));
    }
}

/// 即将超时 is each clock's own window: the last quarter of the 24-hour first response, the
/// last day of a working-day clock — not a fixed four hours before every deadline.
#[tokio::test]
async fn due_soon_follows_each_clocks_own_window() {
    use chrono::Duration;
    use sanbao_app::case::{CaseQuery, Queue};
    let t = setup().await;
    t.user("wangfang", Role::ComplaintOfficer).await;
    let officer = t.actor("wangfang").await;
    let now = chrono::Utc::now();
    let late = t
        .complaint(&officer, "phone", "快到期", now - Duration::hours(20))
        .await;
    t.complaint(&officer, "phone", "刚受理", now - Duration::hours(1))
        .await;
    let clock = |name: &str| {
        late.clocks
            .iter()
            .find(|k| k.clock == name)
            .unwrap()
            .clone()
    };
    let first = clock("first_response");
    assert_eq!(first.soon_at, first.due_at.map(|d| d - Duration::hours(6)));
    let verification = clock("verification");
    let last_day_start = verification
        .due_date
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.and_local_timezone(chrono_tz::Asia::Shanghai).single())
        .map(|d| d.to_utc());
    assert_eq!(verification.soon_at, last_day_start);
    let soon = CaseQuery {
        queue: Some(Queue::DueSoon),
        ..Default::default()
    };
    let page = t.app.cases().list(&officer, soon, 50).await.unwrap();
    let numbers: Vec<&str> = page.cases.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers, [late.number.as_str()]);
}

mod escalation {
    use super::*;
    use sanbao_app::case::{CaseQuery, Queue};
    use sanbao_domain::case::{ExtendedService, ReportKind};

    async fn late_complaint(t: &T, officer: &Actor) -> String {
        let received = chrono::Utc::now() - chrono::Duration::days(30);
        t.complaint(officer, "phone", "投诉", received)
            .await
            .record
            .number
    }

    #[tokio::test]
    async fn a_breach_is_escalated_once_even_with_two_processes() {
        let t = setup().await;
        t.user("wangfang", Role::ComplaintOfficer).await;
        let sup = t.user("zhaolei", Role::ServiceSupervisor).await;
        let officer = t.actor("wangfang").await;
        let number = late_complaint(&t, &officer).await;
        // A second app process on the same database.
        let other = App::new(t.db.store.clone(), AppConfig::default());
        let (mine, theirs) = (t.app.cases(), other.cases());
        let (a, b) = tokio::join!(mine.sweep_clocks(), theirs.sweep_clocks());
        let escalated = a.unwrap().escalated + b.unwrap().escalated;
        // First response, verification and reply are all long breached: each once.
        assert_eq!(escalated, 3);
        assert_eq!(
            t.app.cases().sweep_clocks().await.unwrap().escalated,
            0,
            "not again"
        );
        let detail = t.app.cases().get(&officer, &number).await.unwrap();
        let escalations = detail
            .timeline
            .iter()
            .filter(|e| e.kind == EventKind::Escalation);
        assert_eq!(escalations.count(), 3);
        let supervisor = t.actor("zhaolei").await;
        assert_eq!(supervisor.user_id, Some(sup));
        let (list, unread) = t.app.notifications().mine(&supervisor).await.unwrap();
        assert_eq!(unread, 3);
        assert!(list[0].body.contains(&number));
        t.app.notifications().mark_read(&supervisor).await.unwrap();
        assert_eq!(t.app.notifications().mine(&supervisor).await.unwrap().1, 0);
    }

    #[tokio::test]
    async fn an_agent_reports_an_exception_to_the_supervisor() {
        let t = setup().await;
        t.user("wangfang", Role::ComplaintOfficer).await;
        t.user("zhaolei", Role::ServiceSupervisor).await;
        let officer = t.actor("wangfang").await;
        let number = late_complaint(&t, &officer).await;
        t.app
            .cases()
            .report_exception(&officer, &number, "客户情绪激动，要求主管回电")
            .await
            .unwrap();
        let supervisor = t.actor("zhaolei").await;
        assert_eq!(t.app.notifications().mine(&supervisor).await.unwrap().1, 1);
        // The breaches are escalated on their own, each once.
        assert_eq!(t.app.cases().sweep_clocks().await.unwrap().escalated, 3);
        assert_eq!(t.app.cases().sweep_clocks().await.unwrap().escalated, 0);
        assert!(matches!(
            t.app.cases().report_exception(&officer, &number, "").await,
            Err(AppError::Invalid(_))
        ));
        // A cancelled case takes no more reports: a clear refusal, nothing written.
        let before = t.app.cases().get(&officer, &number).await.unwrap();
        let version = before.case.version;
        let closing = Closing::default();
        t.app
            .cases()
            .transition(
                &officer,
                &number,
                "cancelled",
                version,
                "客户撤回投诉",
                &closing,
            )
            .await
            .unwrap();
        let refused = t
            .app
            .cases()
            .report_exception(&officer, &number, "又来电投诉")
            .await;
        assert!(
            matches!(
                &refused,
                Err(AppError::Rule {
                    code: "case_finished",
                    ..
                })
            ),
            "{refused:?}"
        );
        let after = t.app.cases().get(&officer, &number).await.unwrap();
        assert_eq!(
            after.timeline.len(),
            before.timeline.len() + 1,
            "only the cancellation was added"
        );
        // The report and the three breaches; the refused report told nobody.
        assert_eq!(t.app.notifications().mine(&supervisor).await.unwrap().1, 4);
    }

    #[tokio::test]
    async fn the_supervisor_acknowledges_a_cases_escalations_at_once() {
        let t = setup().await;
        t.user("wangfang", Role::ComplaintOfficer).await;
        t.user("zhaolei", Role::ServiceSupervisor).await;
        let officer = t.actor("wangfang").await;
        let supervisor = t.actor("zhaolei").await;
        let number = late_complaint(&t, &officer).await;
        t.app.cases().sweep_clocks().await.unwrap();
        t.app
            .cases()
            .report_exception(&officer, &number, "客户要求主管回电")
            .await
            .unwrap();
        // One case on the desk, with its three breaches and the report, newest first.
        let desk = t.app.cases().desk(&supervisor).await.unwrap();
        assert_eq!(desk.escalated.len(), 1);
        let waiting = &desk.escalated[0];
        assert_eq!(waiting.case.number, number);
        assert_eq!(waiting.reports.len(), 4);
        assert!(waiting.reports[0].body.contains("客户要求主管回电"));
        assert!(desk.extended.is_empty());
        let escalated = CaseQuery {
            queue: Some(Queue::Escalated),
            ..Default::default()
        };
        let queue = t.app.cases().list(&supervisor, escalated.clone(), 50).await;
        assert_eq!(queue.unwrap().cases.len(), 1);
        // The officer may not acknowledge; nothing changes.
        let refused = t
            .app
            .cases()
            .acknowledge(&officer, &number, ReportKind::Escalation, None, "")
            .await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        let n = t
            .app
            .cases()
            .acknowledge(
                &supervisor,
                &number,
                ReportKind::Escalation,
                None,
                "已回电安抚",
            )
            .await
            .unwrap();
        assert_eq!(n, 4);
        // Off the desk and out of 已升级, still in 已超时; who and when are on the timeline.
        assert!(
            t.app
                .cases()
                .desk(&supervisor)
                .await
                .unwrap()
                .escalated
                .is_empty()
        );
        let queue = t.app.cases().list(&supervisor, escalated, 50).await;
        assert!(queue.unwrap().cases.is_empty());
        let breached = CaseQuery {
            queue: Some(Queue::Breached),
            ..Default::default()
        };
        let queue = t.app.cases().list(&supervisor, breached, 50).await;
        assert_eq!(queue.unwrap().cases.len(), 1);
        let detail = t.app.cases().get(&supervisor, &number).await.unwrap();
        assert!(!detail.case.escalated);
        let ack = detail
            .timeline
            .iter()
            .find(|e| e.kind == EventKind::Acknowledged)
            .expect("the acknowledgement is on the timeline");
        assert_eq!(ack.actor_name, supervisor.display_name);
        assert!(
            ack.body.contains("4 项") && ack.body.contains("已回电安抚"),
            "{}",
            ack.body
        );
        // Nothing more to acknowledge: said so, nothing written.
        let again = t
            .app
            .cases()
            .acknowledge(&supervisor, &number, ReportKind::Escalation, None, "")
            .await;
        assert!(
            matches!(
                &again,
                Err(AppError::Rule {
                    code: "nothing_waiting",
                    ..
                })
            ),
            "{again:?}"
        );
        let after = t.app.cases().get(&supervisor, &number).await.unwrap();
        assert_eq!(after.timeline.len(), detail.timeline.len());
        // A new escalation puts the case back on the desk.
        t.app
            .cases()
            .report_exception(&officer, &number, "客户再次来电")
            .await
            .unwrap();
        let desk = t.app.cases().desk(&supervisor).await.unwrap();
        assert_eq!(desk.escalated[0].reports.len(), 1);
        // The records hold after all this.
        let check = t
            .app
            .audit()
            .verify_records(&Actor::system())
            .await
            .unwrap();
        assert_eq!(check.broken_count, 0, "{:?}", check.broken);
    }

    #[tokio::test]
    async fn extended_service_waits_for_the_supervisor_one_report_at_a_time() {
        let t = setup().await;
        t.user("zhangwei", Role::ServiceAgent).await;
        t.user("zhaolei", Role::ServiceSupervisor).await;
        let agent = t.actor("zhangwei").await;
        let supervisor = t.actor("zhaolei").await;
        let form = NewCaseForm {
            kind: "repair".into(),
            channel: "phone".into(),
            customer: CustomerForm {
                name: "李四".into(),
                phone: "13800138001".into(),
                ..Default::default()
            },
            subject: "离心机异响".into(),
            ..Default::default()
        };
        let number = t
            .app
            .cases()
            .open(&agent, &form, None)
            .await
            .unwrap()
            .number
            .clone();
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
            .to_string();
        for (start, end) in [("17:00", "18:30"), ("18:30", "19:00")] {
            let report =
                ExtendedService::parse(&today, start, end, true, "客户设备急用，延时维修").unwrap();
            t.app
                .cases()
                .report_extended_service(&agent, &number, &report)
                .await
                .unwrap();
        }
        let desk = t.app.cases().desk(&supervisor).await.unwrap();
        assert!(
            desk.escalated.is_empty(),
            "extended service is no escalation"
        );
        let reports = &desk.extended[0].reports;
        assert_eq!(reports.len(), 2);
        let first = reports[1].id;
        let n = t
            .app
            .cases()
            .acknowledge(
                &supervisor,
                &number,
                ReportKind::ExtendedService,
                Some(first),
                "",
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        let desk = t.app.cases().desk(&supervisor).await.unwrap();
        assert_eq!(desk.extended[0].reports.len(), 1);
        assert_ne!(desk.extended[0].reports[0].id, first);
    }
}

#[tokio::test]
async fn a_calendar_change_moves_open_cases_clocks() {
    let t = setup().await;
    t.user("wangfang", Role::ComplaintOfficer).await;
    let officer = t.actor("wangfang").await;
    let v = t
        .complaint(&officer, "letter", "来函投诉", chrono::Utc::now())
        .await;
    let before = v
        .clocks
        .iter()
        .find(|c| c.clock == "verification")
        .unwrap()
        .due_date
        .unwrap();
    let first_counted = t
        .app
        .calendar()
        .current()
        .await
        .unwrap()
        .add_workdays(
            chrono::Utc::now()
                .with_timezone(&chrono_tz::Asia::Shanghai)
                .date_naive(),
            1,
        )
        .value;
    t.app
        .calendar()
        .set_company_day(
            &Actor::system(),
            &first_counted.to_string(),
            false,
            "公司休息日",
        )
        .await
        .unwrap();
    // The change enqueued the recomputation as a durable job; the runner does it.
    assert!(t.run_jobs().await >= 1);
    let after = t.app.cases().get(&officer, &v.number).await.unwrap().case;
    let after = after
        .clocks
        .iter()
        .find(|c| c.clock == "verification")
        .unwrap()
        .due_date
        .unwrap();
    assert!(after > before, "{before} → {after}");
}

/// Benchmark data goes through the same tables as intake: queues page through it in due
/// order, search finds it, and the sweeper has no old breach left to escalate.
#[tokio::test]
async fn bench_data_fills_queues_and_search() {
    use sanbao_app::case::{CaseQuery, Queue};
    let db = TestDb::new().await;
    let app = App::new(db.store.clone(), AppConfig::default());
    app.setup().prepare(true).await.unwrap();
    // The demo cases' own breaches first.
    app.cases().sweep_clocks().await.unwrap();
    let system = Actor::system();
    let mut seen = Vec::new();
    let r = app
        .bench()
        .generate(&system, 12_000, |n| seen.push(n))
        .await
        .unwrap();
    assert_eq!(r.cases, 12_000);
    assert_eq!(seen, vec![5_000, 10_000, 12_000]);
    assert!(r.customers > 6_000 && r.customers < 12_000);

    // Every open case, page by page, in due order, each once.
    let (mut cursor, mut keys, mut pages) = (None, Vec::new(), 0);
    loop {
        let page = app
            .cases()
            .list(
                &system,
                CaseQuery {
                    queue: Some(Queue::All),
                    cursor: cursor.clone(),
                    ..Default::default()
                },
                200,
            )
            .await
            .unwrap();
        keys.extend(
            page.cases
                .iter()
                .map(|v| (v.next_due_at.map_or(i64::MAX, |d| d.timestamp()), v.id)),
        );
        assert!(page.cases.iter().all(|v| v.state.is_open()));
        pages += 1;
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert!(pages > 1, "more than one page of open cases");
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "due order, no repeats");
    let counts = app.cases().queue_counts(&system, 100).await.unwrap();
    assert!(counts.iter().any(|(q, n)| *q == Queue::Breached && *n > 0));

    let found = app.cases().search(&system, "漏水", 20).await.unwrap();
    assert_eq!(found.len(), 20);
    assert!(
        found
            .iter()
            .all(|v| v.description.contains("漏水") || v.subject.contains("漏水"))
    );
    assert!(found.windows(2).all(|w| w[0].id > w[1].id), "newest first");

    // Breaches in the data were escalated when they happened.
    assert_eq!(app.cases().sweep_clocks().await.unwrap().escalated, 0);
}

/// Record seals: every change Sanbao makes keeps the rows' seals true; an edit made in the
/// database directly is named by `verify_records`, row and field.
mod seals {
    use super::*;
    use sanbao_domain::audit::SealBreak;
    use sanbao_domain::case::CaseEditForm;

    async fn broken(t: &T) -> Vec<(String, String, SealBreak)> {
        let r = t
            .app
            .audit()
            .verify_records(&Actor::system())
            .await
            .unwrap();
        r.broken
            .into_iter()
            .map(|b| (b.table.to_owned(), b.label, b.why))
            .collect()
    }

    #[tokio::test]
    async fn a_case_worked_to_the_end_keeps_its_seals_and_a_direct_edit_is_named() {
        let t = setup().await;
        t.user("wangfang", Role::ComplaintOfficer).await;
        t.user("zhaolei", Role::ServiceSupervisor).await;
        let officer = t.actor("wangfang").await;
        let received = chrono::Utc::now() - chrono::Duration::days(30);
        let number = t
            .complaint(&officer, "phone", "投诉", received)
            .await
            .record
            .number;
        // Breached and escalated by the sweeper, noted, edited, tagged, moved on.
        assert_eq!(t.app.cases().sweep_clocks().await.unwrap().escalated, 3);
        t.app
            .cases()
            .note(&officer, &number, "已致电客户", true)
            .await
            .unwrap();
        let v = t
            .app
            .cases()
            .get(&officer, &number)
            .await
            .unwrap()
            .case
            .version;
        let form = CaseEditForm {
            subject: Some("投诉：安装后漏水".into()),
            tags: Some(vec!["漏水".into()]),
            ..Default::default()
        };
        t.app
            .cases()
            .update(&officer, &number, v, &form)
            .await
            .unwrap();
        let v = t
            .app
            .cases()
            .get(&officer, &number)
            .await
            .unwrap()
            .case
            .version;
        t.app
            .cases()
            .transition(&officer, &number, "in_progress", v, "", &Closing::default())
            .await
            .unwrap();
        let clean = t
            .app
            .audit()
            .verify_records(&Actor::system())
            .await
            .unwrap();
        assert_eq!(clean.broken_count, 0, "{:?}", clean.broken);
        assert!(
            clean.rows >= 1 + 1 + 5,
            "customer, case, timeline: {}",
            clean.rows
        );

        // Someone with the database alone edits the case, the customer and an entry.
        let store = &t.db.store;
        testing::execute_raw(
            store,
            &format!("UPDATE service_case SET subject = '已解决', breached = FALSE WHERE number = '{number}'"),
        )
        .await
        .unwrap();
        testing::execute_raw(store, "UPDATE customer SET phone = '13900139000'")
            .await
            .unwrap();
        testing::execute_raw(
            store,
            "UPDATE case_event SET body = '客户满意' WHERE id = (SELECT MAX(id) FROM case_event)",
        )
        .await
        .unwrap();
        let found = broken(&t).await;
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .any(|(_, _, w)| *w == SealBreak::Edited(vec!["phone".into()]))
        );
        assert!(found.contains(&(
            "service_case".into(),
            number.clone(),
            SealBreak::Edited(vec!["subject".into(), "breached".into()])
        )));
        assert!(
            found.iter().any(|(table, _, w)| table == "case_event"
                && *w == SealBreak::Edited(vec!["body".into()]))
        );
    }

    #[tokio::test]
    async fn a_removed_seal_is_named_and_never_sealed_again_by_a_restart() {
        let t = setup().await;
        let number = t
            .complaint(&Actor::system(), "phone", "投诉", chrono::Utc::now())
            .await
            .record
            .number;
        let store = &t.db.store;
        testing::execute_raw(
            store,
            &format!(
                "UPDATE service_case SET seal = NULL, subject = '改' WHERE number = '{number}'"
            ),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(
            broken(&t).await,
            [("service_case".into(), number, SealBreak::Missing)]
        );
    }

    /// A database from before seals: the migration adds the column and the rows already there
    /// are sealed once, with an audit entry saying how many; the chain still verifies.
    #[tokio::test]
    async fn rows_written_before_seals_are_sealed_once_on_upgrade() {
        let t = setup().await;
        t.complaint(&Actor::system(), "phone", "投诉", chrono::Utc::now())
            .await;
        let store = &t.db.store;
        for table in ["service_case", "customer", "case_event"] {
            testing::execute_raw(store, &format!("DROP INDEX {table}_unsealed_idx"))
                .await
                .unwrap();
            testing::execute_raw(store, &format!("ALTER TABLE {table} DROP COLUMN seal"))
                .await
                .unwrap();
        }
        testing::execute_raw(store, "DELETE FROM _sqlx_migrations WHERE version = 11")
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(broken(&t).await, []);
        let page = t
            .app
            .audit()
            .list(
                &Actor::system(),
                sanbao_app::admin::audit::AuditQuery {
                    record_type: Some("database".into()),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        let last = &page.entries[0];
        assert_eq!(last.action, "records.seal_existing");
        let counts: serde_json::Value = serde_json::from_str(&last.changes).unwrap();
        assert_eq!(counts["service_case"], 1);
        assert_eq!(counts["customer"], 1);
        assert!(counts["case_event"].as_i64().unwrap() >= 1);
        assert!(
            t.app
                .audit()
                .verify(&Actor::system())
                .await
                .unwrap()
                .is_ok()
        );
    }
}
