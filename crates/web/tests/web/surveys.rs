//! The satisfaction survey: a closed case's signed link, answered once by the customer
//! without a login, refused for another case or a forged signature.

use reqwest::StatusCode;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, complaint};

/// An inquiry taken, resolved and closed; its number.
async fn closed_case(t: &TestApp, token: &str, phone: &str) -> String {
    let mut body = complaint(phone);
    body["kind"] = json!("inquiry");
    let c: Value = t
        .post(token, "/api/v1/cases", body)
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap().to_owned();
    let mut v = c["version"].as_i64().unwrap();
    for to in [
        json!({"to": "in_progress"}),
        json!({"to": "resolved", "resolution": "已说明使用方法"}),
        json!({"to": "closed", "satisfaction": "satisfied", "precautions": "避免阳光直射"}),
    ] {
        let mut body = to;
        body["version"] = json!(v);
        let res = t
            .post(token, &format!("/api/v1/cases/{n}/transitions"), body)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        v = res.json::<Value>().await.unwrap()["version"]
            .as_i64()
            .unwrap();
    }
    n
}

fn survey_link(html: &str) -> String {
    let at = html
        .find("data-testid=\"survey-link\"")
        .expect("the case shows its survey link");
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_survey_link_is_answered_once_and_opens_no_other_case() {
    let t = TestApp::spawn().await;
    let token = t.token("wangfang", Role::ComplaintOfficer).await;
    let (staff, _) = t.login("wangfang", PASSWORD).await;
    let first = closed_case(&t, &token, "13800138050").await;
    let second = closed_case(&t, &token, "13800138051").await;
    let (_, page) = t.page(&staff, &format!("/cases/{first}")).await;
    let link = survey_link(&page);
    assert!(link.starts_with(&format!("/survey/{first}/")), "{link}");

    // The customer, not signed in.
    let customer = TestApp::browser();
    let (status, html) = t.page(&customer, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("服务满意度调查") && html.contains(&first));
    // The same signature on another case, or a forged one, opens nothing.
    let sig = link.rsplit('/').next().unwrap();
    let (status, _) = t.page(&customer, &format!("/survey/{second}/{sig}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let forged = format!("/survey/{first}/{}", "0".repeat(32));
    assert_eq!(t.page(&customer, &forged).await.0, StatusCode::NOT_FOUND);

    // No rating: refused beside the field, nothing recorded.
    let csrf = t.csrf(&customer, &link).await;
    let send = |fields: Vec<(&'static str, &'static str)>| {
        let mut f = fields;
        f.push(("_csrf", csrf.as_str()));
        customer.post(t.url(&link)).form(&f).send()
    };
    let res = send(vec![("nps", "6")]).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-testid=\"err-csat\"")
    );
    let res = send(vec![
        ("csat", "2"),
        ("nps", "6"),
        ("comment", "等了很久才有人回电"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("感谢您的评价"));
    // Once only.
    let (_, again) = t.page(&customer, &link).await;
    assert!(again.contains("已经提交过") && !again.contains("survey-form"));
    let res = send(vec![("csat", "5")]).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The case page shows the answer to its staff.
    let (_, page) = t.page(&staff, &format!("/cases/{first}")).await;
    assert!(
        page.contains("客户评价：满意度 2/5，推荐意愿 6/10；等了很久才有人回电"),
        "{page}"
    );
}
