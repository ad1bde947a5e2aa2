//! Roles and permissions (DESIGN "Security and privacy").
//!
//! The nine roles are fixed; which permissions each holds is data an administrator edits.
//! [`Role::default_permissions`] is what a new installation starts with.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::FieldError;

macro_rules! permissions {
    ($( $variant:ident = $code:literal, $zh:literal, $en:literal; )*) => {
        /// One thing a user may do. Checked in the app layer, never in handlers or SQL.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Permission { $( $variant, )* }

        impl Permission {
            /// Every permission, in display order.
            pub const ALL: &'static [Permission] = &[ $( Permission::$variant, )* ];

            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $( Permission::$variant => $code, )* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $( Permission::$variant => $zh, )* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $( Permission::$variant => $en, )* }
            }
        }

        impl FromStr for Permission {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                match s {
                    $( $code => Ok(Permission::$variant), )*
                    _ => Err(FieldError::new("permission", "unknown", $crate::text!("role.permission_unknown", value = s))),
                }
            }
        }
    };
}

permissions! {
    UserManage = "user.manage", "管理用户", "Manage users";
    RoleManage = "role.manage", "管理角色权限", "Manage roles";
    DeskManage = "desk.manage", "管理部门与服务台", "Manage desks";
    TokenManage = "token.manage", "管理 API 令牌", "Manage API tokens";
    SettingsManage = "settings.manage", "管理日历与政策", "Manage calendar and policies";
    AuditRead = "audit.read", "查看审计日志", "Read audit log";
    CaseRead = "case.read", "查看服务单", "Read cases";
    CaseWrite = "case.write", "受理与处理服务单", "Work on cases";
    CaseAssign = "case.assign", "分派服务单", "Assign cases";
    CaseSupervise = "case.supervise", "主管督办与升级", "Supervise and escalate";
    ComplaintHandle = "complaint.handle", "处理投诉（可见投诉内容）", "Handle complaints";
    FieldService = "field.service", "上门服务与维修报告", "Field service";
    CustomerRead = "customer.read", "查看客户档案", "Read customers";
    CustomerWrite = "customer.write", "维护客户档案", "Edit customers";
    PersonalData = "pii.read", "查看完整个人信息", "See unmasked personal data";
    ProductManage = "product.manage", "维护产品", "Manage products";
    SalesWork = "sales.work", "销售记录、合同与发票", "Sales records";
    SalesManage = "sales.manage", "销售目标与业绩", "Sales targets";
    QualityManage = "quality.manage", "质量管理与召回", "Quality and recalls";
    ReportRead = "report.read", "查看报表", "Read reports";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The nine roles of DESIGN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Administrator,
    ServiceAgent,
    ComplaintOfficer,
    Technician,
    ServiceSupervisor,
    Salesperson,
    SalesManager,
    QualityManager,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Administrator,
        Role::ServiceAgent,
        Role::ComplaintOfficer,
        Role::Technician,
        Role::ServiceSupervisor,
        Role::Salesperson,
        Role::SalesManager,
        Role::QualityManager,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "admin",
            Role::ServiceAgent => "agent",
            Role::ComplaintOfficer => "complaint_officer",
            Role::Technician => "technician",
            Role::ServiceSupervisor => "supervisor",
            Role::Salesperson => "salesperson",
            Role::SalesManager => "sales_manager",
            Role::QualityManager => "quality_manager",
            Role::Auditor => "auditor",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Administrator => "系统管理员",
            Role::ServiceAgent => "客服专员",
            Role::ComplaintOfficer => "投诉专员",
            Role::Technician => "维修技术员",
            Role::ServiceSupervisor => "服务主管",
            Role::Salesperson => "销售员",
            Role::SalesManager => "销售经理",
            Role::QualityManager => "质量经理",
            Role::Auditor => "审计员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::ServiceAgent => "Service agent",
            Role::ComplaintOfficer => "Complaint officer",
            Role::Technician => "Technician",
            Role::ServiceSupervisor => "Service supervisor",
            Role::Salesperson => "Salesperson",
            Role::SalesManager => "Sales manager",
            Role::QualityManager => "Quality manager",
            Role::Auditor => "Auditor",
        }
    }

    /// The permissions a new installation gives this role.
    pub fn default_permissions(self) -> BTreeSet<Permission> {
        use Permission::*;
        let list: &[Permission] = match self {
            Role::Administrator => Permission::ALL,
            Role::ServiceAgent => &[
                CaseRead,
                CaseWrite,
                CustomerRead,
                CustomerWrite,
                PersonalData,
            ],
            Role::ComplaintOfficer => &[
                CaseRead,
                CaseWrite,
                ComplaintHandle,
                CustomerRead,
                PersonalData,
                ReportRead,
            ],
            Role::Technician => &[CaseRead, FieldService, CustomerRead, PersonalData],
            Role::ServiceSupervisor => &[
                CaseRead,
                CaseWrite,
                CaseAssign,
                CaseSupervise,
                ComplaintHandle,
                CustomerRead,
                CustomerWrite,
                PersonalData,
                ReportRead,
            ],
            Role::Salesperson => &[CustomerRead, CustomerWrite, PersonalData, SalesWork],
            Role::SalesManager => &[
                CustomerRead,
                CustomerWrite,
                PersonalData,
                SalesWork,
                SalesManage,
                ReportRead,
            ],
            Role::QualityManager => &[
                CaseRead,
                CustomerRead,
                ProductManage,
                QualityManage,
                ReportRead,
            ],
            Role::Auditor => &[AuditRead, CaseRead, CustomerRead, ReportRead],
        };
        list.iter().copied().collect()
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| {
                FieldError::new("role", "unknown", crate::text!("role.unknown", value = s))
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What one signed-in user may do: the union of their roles' permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn new(perms: impl IntoIterator<Item = Permission>) -> Self {
        Self(perms.into_iter().collect())
    }

    pub fn contains(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in Permission::ALL {
            assert_eq!(p.code().parse::<Permission>().unwrap(), *p);
        }
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>().unwrap(), r);
        }
    }

    #[test]
    fn unknown_codes_are_field_errors() {
        let e = "root".parse::<Role>().unwrap_err();
        assert_eq!(e.field, "role");
        assert!("case.delete".parse::<Permission>().is_err());
    }

    #[test]
    fn only_administrators_manage_users_by_default() {
        for r in Role::ALL {
            assert_eq!(
                r.default_permissions().contains(&Permission::UserManage),
                r == Role::Administrator,
                "{r}"
            );
        }
    }

    #[test]
    fn complaints_are_private_to_the_complaint_department_and_supervisors() {
        let handlers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| {
                r.default_permissions()
                    .contains(&Permission::ComplaintHandle)
            })
            .collect();
        assert_eq!(
            handlers,
            [
                Role::Administrator,
                Role::ComplaintOfficer,
                Role::ServiceSupervisor
            ]
        );
    }
}
