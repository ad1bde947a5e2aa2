//! What an audit entry records, and on what kind of record: closed lists, so every entry the
//! system writes has a name people read (the audit log never shows `case.transition`).

crate::code_enum! {
    /// The change an audit entry records.
    Action, "action", "操作", "action" {
        CaseCreate = "case.create", "受理服务单", "Case logged";
        CaseUpdate = "case.update", "修改服务单", "Case edited";
        CaseTransition = "case.transition", "服务单状态变更", "Case state changed";
        CaseNote = "case.note", "添加备注", "Note added";
        CaseMessage = "case.message", "给客户留言", "Message to the customer";
        CaseAttach = "case.attach", "上传附件", "File attached";
        CaseExtendedService = "case.extended_service", "汇报延长服务", "Extended service reported";
        CaseEscalate = "case.escalate", "上报主管", "Escalated to the supervisor";
        CaseAcknowledge = "case.acknowledge", "主管确认上报", "Acknowledged by the supervisor";
        CustomerReveal = "customer.reveal", "查看完整个人信息", "Personal data shown in full";
        CustomerCreate = "customer.create", "新建客户", "Customer created";
        CustomerUpdate = "customer.update", "修改客户档案", "Customer card edited";
        CustomerMerge = "customer.merge", "合并客户", "Customers merged";
        CustomerImport = "customer.import", "导入客户档案", "Customers imported";
        UserCreate = "user.create", "新建用户", "User created";
        UserUpdate = "user.update", "修改用户", "User edited";
        UserDisable = "user.disable", "停用用户", "User disabled";
        UserEnable = "user.enable", "启用用户", "User enabled";
        UserResetPassword = "user.reset_password", "重置密码", "Password reset";
        UserChangePassword = "user.change_password", "修改本人密码", "Own password changed";
        UserSetLang = "user.set_lang", "切换界面语言", "Language changed";
        RoleCreate = "role.create", "新建角色", "Role created";
        RoleSetPermissions = "role.set_permissions", "修改角色权限", "Role permissions changed";
        TokenCreate = "token.create", "创建 API 令牌", "API token created";
        TokenRevoke = "token.revoke", "吊销 API 令牌", "API token revoked";
        DeskCreate = "desk.create", "新建部门", "Desk created";
        DeskUpdate = "desk.update", "修改部门", "Desk edited";
        DeskSetHours = "desk.set_hours", "修改服务时间", "Service hours changed";
        PolicySave = "policy.save", "保存政策新版本", "Policy version saved";
        PolicyActivate = "policy.activate", "启用政策版本", "Policy version put in force";
        CalendarImport = "calendar.import", "导入年度日历", "Calendar year imported";
        CalendarImportNotice = "calendar.import_notice", "载入国务院放假通知", "State Council notice loaded";
        CalendarOverride = "calendar.override", "设置公司工作日/休息日", "Company day set";
        CalendarOverrideDelete = "calendar.override_delete", "删除公司工作日/休息日", "Company day removed";
        FilterSave = "filter.save", "保存筛选", "Filter saved";
        FilterDelete = "filter.delete", "删除筛选", "Filter deleted";
        JobRetry = "job.retry", "重试后台任务", "Background job retried";
        BenchGenerate = "bench.generate", "生成测试数据", "Test data generated";
        CompanySet = "company.set", "设置公司名称", "Company name set";
        ProductCreate = "product.create", "新增产品", "Product added";
        UnitRegister = "unit.register", "登记产品单元", "Unit registered";
        ProductImport = "product.import", "导入产品目录", "Catalogue imported";
        UnitImport = "unit.import", "导入已售产品", "Sold units imported";
        CaseStep = "case.step", "记录处理步骤", "Case step recorded";
        CaseCost = "case.cost", "记录服务费用", "Case cost recorded";
        SurveyAnswer = "survey.answer", "客户提交满意度调查", "Survey answered";
    }
}

crate::code_enum! {
    /// The kind of record an audit entry is about.
    RecordType, "record_type", "记录类型", "record type" {
        Case = "case", "服务单", "Case";
        Customer = "customer", "客户", "Customer";
        User = "user", "用户", "User";
        Role = "role", "角色", "Role";
        ApiToken = "api_token", "API 令牌", "API token";
        Desk = "desk", "部门", "Desk";
        Policy = "policy", "服务政策", "Policy";
        CalendarYear = "calendar_year", "年度日历", "Calendar year";
        CalendarOverride = "calendar_override", "公司工作日/休息日", "Company day";
        SavedFilter = "saved_filter", "保存的筛选", "Saved filter";
        Job = "job", "后台任务", "Background job";
        Setting = "setting", "系统设置", "Setting";
        Product = "product", "产品", "Product";
        Unit = "unit", "产品单元", "Unit";
    }
}

/// The label of a stored action code in the viewer's language; a code no longer written
/// reads as itself.
pub fn action_label(code: &str, english: bool) -> String {
    use crate::code::Coded;
    code.parse::<Action>()
        .map_or_else(|_| code.to_owned(), |a| a.label(english).to_owned())
}

/// The label of a stored record type code in the viewer's language.
pub fn record_type_label(code: &str, english: bool) -> String {
    use crate::code::Coded;
    code.parse::<RecordType>()
        .map_or_else(|_| code.to_owned(), |a| a.label(english).to_owned())
}
