//! Several policies in force: a sale runs under the first one in force that covers it (by the
//! product's category, the channel and the customer's kind) and keeps it; the public page
//! shows each with what it covers; a policy that covers nothing in particular can only be the
//! default. And 三包's repeated-failure rule: the same fault repaired twice inside the
//! warranty, and a new failure may be returned whatever the window.

use reqwest::StatusCode;
use sanbao_app::Actor;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, error_of, location};

fn day(days_ago: i64) -> String {
    (sanbao_domain::time::now().with_timezone(&chrono_tz::Asia::Shanghai)
        - chrono::Duration::days(days_ago))
    .date_naive()
    .to_string()
}

async fn phone_product(t: &TestApp, token: &str) {
    let res = t
        .post(token, "/api/v1/products", json!({"model": "MX-9", "name": "智能手机", "category": "移动电话机", "warranty_months": 12, "tracking": "serial"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn register(t: &TestApp, token: &str, body: Value) -> Value {
    let res = t.post(token, "/api/v1/units", body).await;
    let status = res.status();
    let out: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{out}");
    out
}

#[tokio::test]
async fn a_sale_runs_under_the_policy_in_force_that_covers_it_and_keeps_it() {
    let t = TestApp::spawn().await;
    let token = t.admin_token().await;
    let admin = t.admin().await;
    phone_product(&t, &token).await;
    // Distance sales first, then 三包 for listed goods; the seed stays the default.
    for name in ["cn-online-7day", "cn-sanbao"] {
        let path = format!("/settings/policies/{name}");
        let res = t
            .post_form(&admin, &path, &format!("{path}/in-force"), &[("on", "1")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("{path}?notice=in_force"));
    }
    // The catalogue says which policy the phone's sales run under, in store and online.
    let (_, html) = t.page(&admin, "/products").await;
    assert!(
        html.contains("门店：国家三包规定（列入目录商品）；网购：网购七日无理由退货"),
        "{html}"
    );
    // A policy that says nothing of what it covers would shadow the default.
    let res = t
        .post_form(
            &admin,
            "/settings/policies/cn-medical-device",
            "/settings/policies/cn-medical-device/in-force",
            &[("on", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("只能作为默认政策"));

    let person = |phone: &str| json!({"name": "陈晨", "phone": phone});
    let online = register(&t, &token, json!({"serial": "MX9-001", "model": "MX-9", "customer": person("13800000001"), "sold_on": day(2), "channel": "online"})).await;
    assert_eq!(online["policy"], "cn-online-7day@0");
    let shop = register(&t, &token, json!({"serial": "MX9-002", "model": "MX-9", "customer": person("13800000002"), "sold_on": day(2)})).await;
    assert_eq!(shop["policy"], "cn-sanbao@0");
    let hospital = json!({"name": "某医院", "phone": "02162345678", "kind": "organisation", "credit_code": "91350100M000100Y43", "contact": "设备科 李工"});
    let b2b = register(&t, &token, json!({"serial": "MX9-003", "model": "MX-9", "customer": hospital, "sold_on": day(2), "channel": "online"})).await;
    assert_eq!(b2b["policy"], "seed@0", "an organisation is no consumer");
    // A channel the form does not know is refused by name.
    let res = t
        .post(&token, "/api/v1/units", json!({"serial": "MX9-004", "model": "MX-9", "customer": person("13800000004"), "sold_on": day(2), "channel": "tv"}))
        .await;
    assert_eq!(error_of(res).await.1["field"], "channel");

    // Taking a policy out of force changes new sales only.
    let path = "/settings/policies/cn-online-7day";
    let res = t
        .post_form(&admin, path, &format!("{path}/in-force"), &[("on", "0")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let later = register(&t, &token, json!({"serial": "MX9-005", "model": "MX-9", "customer": person("13800000005"), "sold_on": day(1), "channel": "online"})).await;
    assert_eq!(later["policy"], "cn-sanbao@0");
    let kept: Value = t
        .get(&token, "/api/v1/units/MX9-001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept["policy"], "cn-online-7day@0");

    // The public page: each policy in force with what it covers, and the statutory rights.
    let (status, html) = t.page(&reqwest::Client::new(), "/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-policy=\"cn-sanbao\""), "{html}");
    assert!(html.contains("data-policy=\"seed\""));
    assert!(!html.contains("data-policy=\"cn-online-7day\""));
    assert!(html.contains("移动电话机"));
    assert!(html.contains("个人客户"));
    assert!(html.contains("以上政策未涵盖的其他商品和服务"));
    assert!(html.contains("七日无理由退货权利"));
}

#[tokio::test]
async fn a_company_policy_below_the_statutory_minimum_is_refused_naming_the_law() {
    let t = TestApp::spawn().await;
    let admin = t.admin().await;
    let path = "/settings/policies/seed";
    let (_, html) = t.page(&admin, path).await;
    assert!(html.contains("name=\"channels\""));
    // The seed's 3 working days for online sales: below 七日无理由.
    let seed = sanbao_domain::policy::PRESETS[0].1;
    let body = seed.replace("name = \"seed\"", "name = \"shop-online\"")
        + "\n[applies]\nchannels = [\"online\"]\n";
    let res = t
        .post_form(
            &admin,
            "/settings/policies",
            "/settings/policies",
            &[("body", body.as_str()), ("version", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("《消费者权益保护法》第二十五条"), "{html}");
    assert!(html.contains("不得少于 7 日"));
}

/// A repair of `serial` dispatched to the technician and completed with `fault`.
async fn repaired(t: &TestApp, agent: &str, tech: &str, tech_id: i64, serial: &str, fault: &str) {
    let res = t
        .post(
            agent,
            "/api/v1/cases",
            json!({"kind": "repair", "channel": "phone", "subject": "手机无法开机",
            "customer": {"name": "陈晨", "phone": "13800000009"}, "unit": {"serial": serial}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    let steps = format!("/api/v1/cases/{}/steps", case["number"].as_str().unwrap());
    let res = t
        .post(
            agent,
            &steps,
            json!({"step": "technician_dispatched", "technician_id": tech_id}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .post(tech, &steps, json!({"step": "repair_completed", "fault": fault, "cause": "主板虚焊", "process": "重新焊接", "result": "开机正常"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn twice_repaired_for_the_same_fault_a_unit_may_be_returned_outside_its_window() {
    let t = TestApp::spawn().await;
    let token = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let tech = t.token("liu", Role::Technician).await;
    let liu = t
        .app
        .users()
        .find_id(&Actor::system(), "liu")
        .await
        .unwrap()
        .0;
    phone_product(&t, &token).await;
    register(&t, &token, json!({"serial": "MX9-100", "model": "MX-9", "customer": {"name": "陈晨", "phone": "13800000009"},
        "sold_on": day(40), "delivered_on": day(40), "policy": "cn-sanbao"})).await;
    let ret = json!({"kind": "return", "channel": "phone", "subject": "要求退货",
        "customer": {"name": "陈晨", "phone": "13800000009"}, "unit": {"serial": "MX9-100"}});
    // Forty days after delivery 三包's 7-day window is long closed.
    let res = t.post(&agent, "/api/v1/cases", ret.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    repaired(&t, &agent, &tech, liu, "MX9-100", "无法开机").await;
    repaired(&t, &agent, &tech, liu, "MX9-100", "屏幕闪烁").await;
    let unit: Value = t
        .get(&agent, "/api/v1/units/MX9-100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        unit["repeated_failure"],
        Value::Null,
        "two different faults"
    );
    repaired(&t, &agent, &tech, liu, "MX9-100", "无法开机").await;
    let unit: Value = t
        .get(&agent, "/api/v1/units/MX9-100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["repair_count"], 3);
    assert_eq!(
        unit["repeated_failure"],
        json!({"fault": "无法开机", "repairs": 2})
    );
    assert_eq!(
        unit["faults"][0],
        json!({"fault": "无法开机", "repairs": 2})
    );
    // It fails again: the customer's return is taken, and the timeline says why.
    let res = t.post(&agent, "/api/v1/cases", ret).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    let number = case["number"].as_str().unwrap();
    let detail: Value = t
        .get(&agent, &format!("/api/v1/cases/{number}"))
        .await
        .json()
        .await
        .unwrap();
    let said = detail["timeline"].to_string();
    assert!(
        said.contains("同一故障“无法开机”已在三包有效期内修理 2 次"),
        "{said}"
    );
}
