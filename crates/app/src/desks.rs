//! Departments and service desks.

use std::collections::BTreeMap;

use sanbao_domain::FieldErrors;
use sanbao_domain::role::Permission;
use sanbao_domain::user::{DeskCode, parse_label};
use sanbao_store::desks::{self as repo, DeskFields, DeskRow};
use sanbao_store::{StoreError, users};
use serde_json::json;

use crate::users::diff;
use crate::{Actor, App, AppError, Result, audit};

/// What a desk does; complaint desks see complaints (DESIGN: complaints are private to the
/// complaint department).
pub const DESK_KINDS: &[(&str, &str, &str)] = &[
    ("service", "售后服务", "After-sales service"),
    ("complaint", "投诉处理", "Complaints"),
    ("field", "上门维修", "Field service"),
    ("sales", "销售", "Sales"),
    ("quality", "质量管理", "Quality"),
];

#[derive(Debug, Clone, Default)]
pub struct DeskInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub supervisor_id: Option<i64>,
    pub active: bool,
    /// For updates: the version the form was read at.
    pub version: i64,
}

struct Parsed {
    code: DeskCode,
    name: String,
    kind: &'static str,
}

fn parse(input: &DeskInput) -> Result<Parsed> {
    let mut errs = FieldErrors::default();
    let code = errs.check(DeskCode::parse(&input.code));
    let name = errs.check(parse_label(&input.name, "name", "名称", 40));
    let kind = DESK_KINDS.iter().find(|k| k.0 == input.kind).map(|k| k.0);
    if kind.is_none() {
        errs.push(sanbao_domain::FieldError::new(
            "kind",
            "unknown",
            "请选择部门类型",
        ));
    }
    errs.into_result()?;
    match (code, name, kind) {
        (Some(code), Some(name), Some(kind)) => Ok(Parsed { code, name, kind }),
        _ => Err(AppError::Fault("a parsed field is missing".into())),
    }
}

fn duplicate_code(code: &DeskCode) -> AppError {
    AppError::Duplicate(sanbao_domain::FieldError::new(
        "code",
        "taken",
        format!("代码 {} 已被其他部门使用", code.as_str()),
    ))
}

impl App {
    pub async fn list_desks(&self, actor: &Actor) -> Result<Vec<DeskRow>> {
        if !actor.can(Permission::DeskManage) && !actor.can(Permission::UserManage) {
            return Err(AppError::Forbidden(Permission::DeskManage));
        }
        Ok(repo::list(&self.store).await?)
    }

    pub async fn get_desk(&self, actor: &Actor, id: i64) -> Result<DeskRow> {
        actor.require(Permission::DeskManage)?;
        repo::by_id(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("desk"))
    }

    async fn check_supervisor(&self, id: Option<i64>) -> Result<()> {
        if let Some(id) = id {
            match users::by_id(&self.store, id).await? {
                Some(u) if u.active => {}
                _ => {
                    return Err(AppError::invalid(
                        "supervisor_id",
                        "unknown",
                        "所选主管不存在或已停用",
                    ));
                }
            }
        }
        Ok(())
    }

    pub async fn create_desk(&self, actor: &Actor, input: DeskInput) -> Result<i64> {
        actor.require(Permission::DeskManage)?;
        let p = parse(&input)?;
        self.check_supervisor(input.supervisor_id).await?;
        let mut tx = self.store.begin().await?;
        let fields = DeskFields {
            code: p.code.as_str(),
            name: &p.name,
            kind: p.kind,
            supervisor_id: input.supervisor_id,
            active: true,
        };
        let id = match repo::insert(&mut tx, &fields, sanbao_domain::time::now()).await {
            Err(StoreError::Unique) => return Err(duplicate_code(&p.code)),
            other => other?,
        };
        audit::record(
            &mut tx,
            actor,
            "desk.create",
            "desk",
            id,
            json!({"code": p.code.as_str(), "name": p.name, "kind": p.kind, "supervisor_id": input.supervisor_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_desk(&self, actor: &Actor, id: i64, input: DeskInput) -> Result<()> {
        actor.require(Permission::DeskManage)?;
        let p = parse(&input)?;
        self.check_supervisor(input.supervisor_id).await?;
        let mut tx = self.store.begin().await?;
        let before = repo::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("desk"))?;
        let fields = DeskFields {
            code: p.code.as_str(),
            name: &p.name,
            kind: p.kind,
            supervisor_id: input.supervisor_id,
            active: input.active,
        };
        match repo::update(
            &mut tx,
            id,
            input.version,
            &fields,
            sanbao_domain::time::now(),
        )
        .await
        {
            Err(StoreError::Unique) => return Err(duplicate_code(&p.code)),
            other => other?,
        }
        let mut changes = BTreeMap::new();
        diff(
            &mut changes,
            "code",
            json!(before.code),
            json!(p.code.as_str()),
        );
        diff(&mut changes, "name", json!(before.name), json!(p.name));
        diff(&mut changes, "kind", json!(before.kind), json!(p.kind));
        diff(
            &mut changes,
            "supervisor_id",
            json!(before.supervisor_id),
            json!(input.supervisor_id),
        );
        diff(
            &mut changes,
            "active",
            json!(before.active),
            json!(input.active),
        );
        audit::record(&mut tx, actor, "desk.update", "desk", id, json!(changes)).await?;
        tx.commit().await?;
        Ok(())
    }
}
