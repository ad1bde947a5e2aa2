//! Each role's workbench: the counts and next cases of those who work on cases, the
//! supervisor's desk (acknowledge and reassign in place), and a role without case work.

use reqwest::StatusCode;
use sanbao_domain::role::Role;

use super::support::{PASSWORD, TestApp, complaint, location, visible_text};

async fn page(c: &reqwest::Client, t: &TestApp, path: &str) -> String {
    let res = c.get(t.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn the_supervisor_acknowledges_an_escalated_case_from_the_workbench() {
    let t = TestApp::spawn().await;
    t.user("zhaolei", Role::ServiceSupervisor).await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    // A complaint received 2026-09-30: all three of its clocks are long past.
    let case = t.open_case(&officer, complaint("13800138201")).await;
    let number = case["number"].as_str().unwrap().to_owned();
    assert_eq!(t.app.cases().sweep_clocks().await.unwrap().escalated, 3);

    let (c, _) = t.login("zhaolei", PASSWORD).await;
    let home = page(&c, &t, "/").await;
    let text = visible_text(&home);
    assert!(text.contains("待确认的升级"), "{text}");
    assert_eq!(
        home.matches("data-testid=\"desk-case\"").count(),
        1,
        "grouped by case"
    );
    assert!(home.contains(&format!("/desk/{number}/acknowledge")));
    assert!(text.contains("已自动上报主管"));
    assert!(home.contains("data-testid=\"count-escalated\""));
    assert!(
        !home.contains("id=\"notifications\""),
        "the desk replaces the flat wall"
    );

    let csrf = t.csrf(&c, "/").await;
    let res = c
        .post(t.url(&format!("/desk/{number}/acknowledge")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "escalation"),
            ("comment", "已致电客户"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    let home = page(&c, &t, "/").await;
    assert!(
        home.contains("已确认 3 项上报"),
        "the desk says what was done"
    );
    assert!(home.contains("data-testid=\"desk-empty\""));
    let detail = visible_text(&page(&c, &t, &format!("/cases/{number}")).await);
    assert!(
        detail.contains("主管已确认升级（3 项）：已致电客户"),
        "{detail}"
    );
    let escalated = page(&c, &t, "/cases?queue=escalated").await;
    assert!(
        !escalated.contains(&number),
        "acknowledged cases leave 已升级"
    );
    let breached = page(&c, &t, "/cases?queue=breached").await;
    assert!(breached.contains(&number), "and stay 已超时");

    // Acknowledged twice: a clear refusal.
    let res = c
        .post(t.url(&format!("/desk/{number}/acknowledge")))
        .form(&[("_csrf", csrf.as_str()), ("kind", "escalation")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("没有待确认的上报"));
    // A kind that is not one is bad input, not a 500.
    let res = c
        .post(t.url(&format!("/desk/{number}/acknowledge")))
        .form(&[("_csrf", csrf.as_str()), ("kind", "nonsense")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The officer has no desk and may not acknowledge.
    let (oc, _) = t.login("wangfang", PASSWORD).await;
    let home = page(&oc, &t, "/").await;
    assert!(!home.contains("data-testid=\"desk-escalated\""));
    let ocsrf = t.csrf(&oc, "/").await;
    let res = oc
        .post(t.url(&format!("/desk/{number}/acknowledge")))
        .form(&[("_csrf", ocsrf.as_str()), ("kind", "escalation")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_role_sees_its_own_work_first() {
    let t = TestApp::spawn().await;
    t.user("sunli", Role::Salesperson).await;
    let token = t.token("zhangwei", Role::ServiceAgent).await;
    let case = t.repair_case(&token, "13800138202").await;
    let number = case["number"].as_str().unwrap();
    let (c, _) = t.login("zhangwei", PASSWORD).await;
    let version = t
        .app
        .cases()
        .get(&sanbao_app::Actor::system(), number)
        .await
        .unwrap()
        .case
        .version;
    let csrf = t.csrf(&c, &format!("/cases/{number}")).await;
    let res = c
        .post(t.url(&format!("/cases/{number}/assign")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("take", "1"),
            ("version", &version.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = page(&c, &t, &format!("/cases/{number}")).await;
    assert!(shown.contains("已领取 1 张服务单"), "taking says so");

    let home = page(&c, &t, "/").await;
    for q in ["mine", "due_soon", "breached"] {
        assert!(home.contains(&format!("data-testid=\"count-{q}\"")), "{q}");
    }
    assert!(
        !home.contains("data-testid=\"count-unassigned\""),
        "an agent assigns nobody"
    );
    assert!(home.contains("data-testid=\"my-next\"") && home.contains(number));
    assert!(!home.contains("data-testid=\"desk-escalated\""));

    // A salesperson's workbench has no case counts, and says where their work will be.
    let (s, _) = t.login("sunli", PASSWORD).await;
    let home = page(&s, &t, "/").await;
    assert!(!home.contains("data-testid=\"count-mine\""));
    assert!(
        !home.contains("/cases?queue="),
        "no link that leads to a 403"
    );
    assert!(visible_text(&home).contains("本角色的工作区将在后续版本开放"));
}
