use sanbao_domain::role::{Permission, PermissionSet, Role};
use sanbao_domain::user::Lang;
use sanbao_domain::{DeskId, UserId};

use crate::AppError;

/// Who is acting: a signed-in user (through a session or an API token) or the system itself.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `None` for the system (first start, CLI maintenance run as the operator).
    pub user_id: Option<UserId>,
    pub username: String,
    pub display_name: String,
    pub lang: Lang,
    pub roles: Vec<Role>,
    pub permissions: PermissionSet,
    pub desk_ids: Vec<DeskId>,
}

impl Actor {
    /// The system, holding every permission: first start, demo data, the operator's CLI.
    pub fn system() -> Self {
        Actor {
            user_id: None,
            username: "system".into(),
            display_name: "系统".into(),
            lang: Lang::ZhCn,
            roles: vec![Role::Administrator],
            permissions: PermissionSet::new(Permission::ALL.iter().copied()),
            desk_ids: Vec::new(),
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(p)
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden(p))
        }
    }

    /// The user's id as the store keeps it (`None` for the system).
    pub(crate) fn id(&self) -> Option<i64> {
        self.user_id.map(|u| u.0)
    }

    /// The signed-in user's id; the system has none.
    pub(crate) fn signed_in(&self) -> Result<i64, AppError> {
        self.id().ok_or(AppError::Unauthenticated)
    }
}
