//! The demo data set (`sanbao serve --demo`): desks, staff of every role, and about three
//! hundred cases. Names and texts here are data, as customers and staff would write them.

use sanbao_domain::case::NewCaseForm;
use sanbao_domain::contact::CreditCode;
use sanbao_domain::customer::CustomerForm;
use sanbao_domain::role::Role;
use sanbao_domain::{DeskId, UserId};

use crate::admin::desks::DeskInput;
use crate::admin::users::CreateUser;
use crate::case::Closing;
use crate::{Actor, App, Result};

/// The password every demo account shares (printed at start; demo data only).
pub const DEMO_PASSWORD: &str = "sanbao-demo-2026";

// Demo and benchmark data: names, complaints and questions as customers put them.
pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛",
    "明", "超", "霞", "平", "刚",
];
pub(crate) const ORGS: &[&str] = &[
    "华康医疗器械有限公司",
    "仁和大药房连锁有限公司",
    "东方口腔诊所",
    "康宁社区卫生服务中心",
    "百盛商贸有限公司",
];
pub(crate) const SUBJECTS: &[(&str, &str, &str)] = &[
    (
        "return",
        "我要退货，屏幕漏液",
        "收到货第二天发现屏幕右下角漏液，要求退货。",
    ),
    (
        "return",
        "尺寸与描述不符，申请换货",
        "商品页面写的是 55 英寸，实际是 50 英寸。",
    ),
    (
        "return",
        "包装破损，申请退换",
        "快递送达时外箱破损，机身有划痕。",
    ),
    ("repair", "空调不制冷", "开机半小时仍然不制冷，外机有异响。"),
    ("repair", "洗衣机漏水", "洗衣时底部漏水，地面积水。"),
    (
        "repair",
        "血压计读数异常",
        "同一时间连续测量，读数相差 20 mmHg 以上。",
    ),
    ("repair", "冰箱噪音大", "夜间压缩机噪音明显，影响休息。"),
    (
        "maintenance",
        "预约年度保养",
        "希望下周二上午安排上门保养。",
    ),
    (
        "maintenance",
        "制氧机滤网更换",
        "使用满六个月，需要更换滤网。",
    ),
    (
        "complaint",
        "维修人员迟到两小时",
        "约定上午九点上门，十一点才到，也没有提前通知。",
    ),
    (
        "complaint",
        "退款迟迟未到账",
        "退货已签收十天，退款仍未到账。",
    ),
    (
        "complaint",
        "客服态度差",
        "电话咨询时客服语气生硬，多次打断。",
    ),
    (
        "complaint",
        "维修后问题依旧",
        "维修后第三天同样故障再次出现。",
    ),
    ("inquiry", "保修期多长", "请问这款净水器的保修期是多久？"),
    (
        "inquiry",
        "发票怎么开",
        "需要开具增值税专用发票，请问需要提供什么资料？",
    ),
    (
        "inquiry",
        "配件在哪里买",
        "想购买原装滤芯，请问官方渠道在哪里？",
    ),
];
pub(crate) const CHANNELS: &[&str] = &[
    "phone", "phone", "phone", "wechat", "email", "visit", "web", "letter",
];
/// Desks and one or more staff of every role, with the shared demo password.
pub(crate) async fn load(app: &App, system: &Actor) -> Result<Vec<(String, Role, String)>> {
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
            app.desks()
                .create(
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
        app.users()
            .create(
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
    let supervisor = app.users().find_id(system, "zhaolei").await?;
    for (i, (code, name, kind)) in desks.iter().enumerate().take(3) {
        let d = app.desks().get(system, desk_ids[i]).await?;
        app.desks()
            .update(
                system,
                d.id,
                DeskInput {
                    code: (*code).into(),
                    name: (*name).into(),
                    kind: (*kind).into(),
                    supervisor_id: Some(supervisor),
                    active: true,
                    policy: d.policy.clone().unwrap_or_default(),
                    version: d.version,
                },
            )
            .await?;
    }
    load_cases(app, system).await?;
    Ok(accounts)
}

/// The demo's deterministic random numbers: the same demo every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Who the demo cases go to: desks by kind, two agents, the complaint officer, a technician.
struct Staffing {
    desks: Vec<(String, DeskId)>,
    staff: [UserId; 4],
}

impl Staffing {
    fn desk(&self, kind: &str) -> Option<DeskId> {
        self.desks
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, id)| *id)
    }
}

/// Demo case `i`, received over the last sixty days.
fn demo_case(r: &mut Rng, who: &Staffing, i: u64, tz: chrono_tz::Tz) -> NewCaseForm {
    let (kind, subject, description) = SUBJECTS[r.next(SUBJECTS.len() as u64) as usize];
    let org = r.next(10) == 0;
    let name = if org {
        ORGS[r.next(ORGS.len() as u64) as usize].to_owned()
    } else {
        format!(
            "{}{}",
            SURNAMES[r.next(20) as usize],
            GIVEN[r.next(20) as usize]
        )
    };
    let phone = format!(
        "1{}{:09}",
        [3, 5, 8, 9][r.next(4) as usize],
        100_000_000 + r.next(800_000_000)
    );
    let mut channel = CHANNELS[r.next(CHANNELS.len() as u64) as usize];
    let regulator_ref = if kind == "complaint" && r.next(8) == 0 {
        channel = "regulator";
        format!("1231520261{:06}", r.next(1_000_000))
    } else {
        String::new()
    };
    let received_at =
        chrono::Utc::now() - chrono::Duration::minutes((r.next(60 * 24 * 60) + 5) as i64);
    let desk_id = match kind {
        "complaint" => who.desk("complaint"),
        "repair" | "maintenance" => who.desk("field"),
        _ => who.desk("service"),
    };
    let assignee = (r.next(3) > 0).then(|| {
        who.staff[if kind == "complaint" {
            2
        } else {
            (i % 2) as usize
        }]
    });
    // Each organisation has its own credit code; its callers become its contacts.
    let code = ORGS
        .iter()
        .position(|o| *o == name)
        .and_then(|i| CreditCode::completed(&format!("91350100MA{:07}", i + 1)));
    // (From the phone's last digit: the demo's random sequence stays as it was.)
    let last = phone.bytes().last().map_or(0, |d| usize::from(d - b'0'));
    let contact = format!("{}经理", SURNAMES[last]);
    let mut form = NewCaseForm {
        kind: kind.into(),
        channel: channel.into(),
        customer: CustomerForm {
            name,
            phone,
            contact: if org { contact } else { String::new() },
            kind: if org {
                "organisation".into()
            } else {
                String::new()
            },
            credit_code: code.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            ..Default::default()
        },
        subject: subject.into(),
        description: description.into(),
        priority: ["normal", "normal", "normal", "high", "urgent", "low"][r.next(6) as usize]
            .into(),
        received_at: Some(received_at),
        desk_id,
        assignee_id: assignee,
        ..Default::default()
    };
    if !regulator_ref.is_empty() {
        // The regulator accepted it the day before it reached us.
        form.regulator_accepted_on = (received_at - chrono::Duration::days(1))
            .with_timezone(&tz)
            .date_naive()
            .to_string();
        form.regulator_ref = regulator_ref;
    }
    form
}

/// About three hundred cases of every kind and channel, received over the last sixty days, in
/// every state (some clocks met, some breached, some paused).
async fn load_cases(app: &App, system: &Actor) -> Result<()> {
    let users = app.users();
    let who = Staffing {
        desks: app
            .desks()
            .list(system)
            .await?
            .into_iter()
            .map(|d| (d.kind, d.id))
            .collect(),
        staff: [
            users.find_id(system, "zhangwei").await?,
            users.find_id(system, "lina").await?,
            users.find_id(system, "wangfang").await?,
            users.find_id(system, "liuyang").await?,
        ],
    };
    let mut r = Rng(20_261_127);
    for i in 0..300u64 {
        let form = demo_case(&mut r, &who, i, app.config.timezone);
        let v = app.cases().open(system, &form, None).await?;
        // Walk some cases along the spine.
        let path: &[&str] = match r.next(10) {
            0..=2 => &[],
            3 => &["in_progress"],
            4 => &["in_progress", "waiting_customer"],
            5 | 6 => &["in_progress", "resolved"],
            7 | 8 => &["in_progress", "resolved", "closed"],
            _ => &["cancelled"],
        };
        let closing = Closing {
            resolution: "已按规定处理并向客户说明结果".into(),
            satisfaction: ["satisfied", "satisfied", "fair", "unsatisfied"][r.next(4) as usize]
                .into(),
            precautions: "请按说明书使用，如再出现问题请致电客服热线".into(),
        };
        let mut version = v.version;
        for to in path {
            // A complaint is resolved by its reply, after its verification.
            if *to == "resolved" && v.kind == sanbao_domain::case::Kind::Complaint {
                version = answer_complaint(app, system, &v.number).await?;
                continue;
            }
            version = app
                .cases()
                .transition(system, &v.number, to, version, "", &closing)
                .await?
                .version;
        }
    }
    Ok(())
}

/// Verify a demo complaint and answer the customer (which resolves it); its new version.
async fn answer_complaint(app: &App, system: &Actor, number: &str) -> Result<i64> {
    let verified = sanbao_domain::case::StepForm {
        step: "complaint_verified".into(),
        substantiated: "yes".into(),
        findings: "经调取服务记录核实，情况属实".into(),
        ..Default::default()
    };
    app.cases().step(system, number, &verified, None).await?;
    let replied = sanbao_domain::case::StepForm {
        step: "complaint_replied".into(),
        via: "phone".into(),
        reply: "已按规定处理并向客户说明结果".into(),
        ..Default::default()
    };
    Ok(app
        .cases()
        .step(system, number, &replied, None)
        .await?
        .version)
}
