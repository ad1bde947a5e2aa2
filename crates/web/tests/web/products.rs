//! Products, sold units and their warranty; a return refused outside its window; the steps
//! of a return and a repair stopping their clocks.

use reqwest::StatusCode;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, clock, error_of};

async fn product_and_unit(t: &TestApp, token: &str) {
    let res = t
        .post(token, "/api/v1/products", json!({"model": "KF-35GW", "name": "壁挂式空调", "warranty_months": 12, "tracking": "serial"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let again = t
        .post(token, "/api/v1/products", json!({"model": "KF-35GW", "name": "又一次", "warranty_months": 12, "tracking": "serial"}))
        .await;
    let (status, err) = error_of(again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["field"], "model");
    let res = t
        .post(token, "/api/v1/units", json!({"serial": "sn-0001", "model": "KF-35GW", "customer": {"name": "李娜", "phone": "13812345678"}, "sold_on": "2026-02-13", "delivered_on": "2026-02-14"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["serial"], "SN-0001");
    assert_eq!(unit["warranty_ends_on"], "2027-02-14");
    assert_eq!(unit["policy"], "seed@0");
    // The seed's window counts 3 working days from the sale: 02-14 (调休 workday), 02-24, 02-25.
    assert_eq!(unit["windows"][0]["closes_on"], "2026-02-25");
}

#[tokio::test]
async fn units_are_registered_and_found_with_their_warranty() {
    let t = TestApp::spawn().await;
    let token = t.admin_token().await;
    product_and_unit(&t, &token).await;
    let res = t.get(&token, "/api/v1/units/sn-0001").await;
    assert_eq!(res.status(), StatusCode::OK);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["in_warranty"], true);
    assert_eq!(unit["repair_count"], 0);
    assert_eq!(
        unit["customer"]["phone"], "138****5678",
        "masked, as on the card"
    );
    let (status, _) = error_of(t.get(&token, "/api/v1/units/NOPE").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad input names its field; an unknown model is named too; nothing is written.
    let bad = t
        .post(&token, "/api/v1/units", json!({"serial": "SN-2", "model": "NOPE", "customer": {"name": "李娜", "phone": "13812345678"}, "sold_on": "2026-13-01"}))
        .await;
    let (status, err) = error_of(bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["field"], "sold_on");
    let unknown = t
        .post(&token, "/api/v1/units", json!({"serial": "SN-2", "model": "NOPE", "customer": {"name": "李娜", "phone": "13812345678"}, "sold_on": "2026-02-13"}))
        .await;
    let (status, err) = error_of(unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["field"], "model");
    let twice = t
        .post(&token, "/api/v1/units", json!({"serial": "SN-0001", "model": "KF-35GW", "customer": {"name": "李娜", "phone": "13812345678"}, "sold_on": "2026-02-13"}))
        .await;
    assert_eq!(error_of(twice).await.0, StatusCode::CONFLICT);
    // The lookup page finds the unit by the customer's phone.
    let c = t.admin().await;
    let (status, html) = t.page(&c, "/products/units?q=13812345678").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("SN-0001") && html.contains("在保"), "{html}");
    let (status, html) = t.page(&c, "/products").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("KF-35GW") && html.contains("12 个月"));
}

#[tokio::test]
async fn a_return_outside_the_window_is_refused_with_its_closing_date() {
    let t = TestApp::spawn().await;
    let token = t.admin_token().await;
    product_and_unit(&t, &token).await;
    let body = |at: &str| {
        json!({"kind": "return", "channel": "phone", "subject": "空调制冷效果差，申请退货",
               "customer": {"name": "李娜", "phone": "13812345678"},
               "received_at": at, "unit": {"serial": "SN-0001"}})
    };
    let late = t
        .post(&token, "/api/v1/cases", body("2026-02-26T09:00:00+08:00"))
        .await;
    let (status, err) = error_of(late).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "return_window_closed");
    assert!(
        err["message"].as_str().unwrap().contains("2026-02-25"),
        "{err}"
    );
    let res = t
        .post(&token, "/api/v1/cases", body("2026-02-25T16:00:00+08:00"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    let number = case["number"].as_str().unwrap().to_owned();
    assert_eq!(case["policy"], "seed@0");
    // Processed before the goods are back: refused, naming the step.
    let early = t
        .post(
            &token,
            &format!("/api/v1/cases/{number}/steps"),
            json!({"step": "return_processed"}),
        )
        .await;
    let (status, err) = error_of(early).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["field"], "step");
    let res = t
        .post(
            &token,
            &format!("/api/v1/cases/{number}/steps"),
            json!({"step": "goods_received_back", "note": "原包装完好"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "processing")["unit"], "working_days");
    let res = t
        .post(
            &token,
            &format!("/api/v1/cases/{number}/steps"),
            json!({"step": "return_processed", "note": "退款 2999.00 元"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    let state = clock(&case, "processing")["state"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(state == "met" || state == "met_late", "{case}");
    // The unit lists the case.
    let unit: Value = t
        .get(&token, "/api/v1/units/SN-0001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["cases"][0]["number"], number.as_str());
}

#[tokio::test]
async fn dispatching_a_technician_stops_the_dispatch_clock() {
    let t = TestApp::spawn().await;
    let token = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    product_and_unit(&t, &token).await;
    let res = t
        .post(&agent, "/api/v1/cases", json!({"kind": "repair", "channel": "phone", "subject": "空调不制冷",
               "customer": {"name": "李娜", "phone": "13812345678"}, "unit": {"serial": "SN-0001"}}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "dispatch")["state"], "running");
    let number = case["number"].as_str().unwrap().to_owned();
    let wrong = t
        .post(
            &agent,
            &format!("/api/v1/cases/{number}/steps"),
            json!({"step": "goods_received_back"}),
        )
        .await;
    assert_eq!(error_of(wrong).await.0, StatusCode::BAD_REQUEST);
    let res = t
        .post(
            &agent,
            &format!("/api/v1/cases/{number}/steps"),
            json!({"step": "technician_dispatched", "note": "刘洋 明天 9:00-12:00 上门"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "dispatch")["state"], "met");
    let twice = t
        .post(
            &agent,
            &format!("/api/v1/cases/{number}/steps"),
            json!({"step": "technician_dispatched"}),
        )
        .await;
    assert_eq!(error_of(twice).await.0, StatusCode::BAD_REQUEST);
    // An agent may not add products.
    let res = t
        .post(
            &agent,
            "/api/v1/products",
            json!({"model": "X1", "name": "x", "warranty_months": 1, "tracking": "serial"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_import_with_a_bad_row_writes_nothing_and_names_the_row() {
    use crate::files::{BOUNDARY, multipart};
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let csrf = t.csrf(&c, "/products/import").await;
    let post = |path: &'static str, csv: String| {
        let body = multipart(
            &[("_csrf", csrf.as_str())],
            Some(("目录.csv", "text/csv", csv.as_bytes())),
        );
        c.post(t.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
    };
    let bad = "\u{feff}型号,产品名称,保修期（月）\nKF-35GW,壁挂式空调,36\nBT 1,,十二\n".to_owned();
    let res = post("/products/import", bad).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("未导入任何一行"), "{html}");
    assert!(
        html.contains("第 3 行") && html.contains("保修期（月）"),
        "{html}"
    );
    let (_, catalogue) = t.page(&c, "/products").await;
    assert!(!catalogue.contains("KF-35GW"), "nothing half-imported");
    let good = "型号,产品名称,保修期（月）,追溯方式\nKF-35GW,壁挂式空调,36,按序列号\nBT-1,血糖试纸,0,按批次\n".to_owned();
    let res = post("/products/import", good).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("已导入 2 个产品"));
    // Units: an unknown model and a serial twice are named; then the good file goes in.
    let units = "序列号,型号,客户,电话,销售日期\nSN-1,KF-35GW,李娜,13812345678,2026/2/13\nSN-2,NOPE,王芳,13912345678,2026/3/1\nSN-1,KF-35GW,王芳,13912345678,2026/3/1\n".to_owned();
    let res = post("/products/units/import", units).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("第 3 行") && html.contains("NOPE") && html.contains("第 4 行"),
        "{html}"
    );
    let token = t.admin_token().await;
    assert_eq!(
        t.get(&token, "/api/v1/units/SN-1").await.status(),
        StatusCode::NOT_FOUND
    );
    let units = "序列号,型号,客户,电话,销售日期\nSN-1,KF-35GW,李娜,13812345678,2026/2/13\nSN-2,KF-35GW,王芳,13912345678,2026/3/1\n".to_owned();
    let res = post("/products/units/import", units).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("已导入 2 件已售产品（新建客户 2 个）")
    );
    let unit: Value = t
        .get(&token, "/api/v1/units/SN-2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["sold_on"], "2026-03-01");
    // The template opens in Excel with its Chinese headers.
    let res = c
        .get(t.url("/products/units/import/template"))
        .send()
        .await
        .unwrap();
    let body = res.bytes().await.unwrap();
    assert!(
        body.starts_with("\u{feff}序列号,批号".as_bytes()),
        "{body:?}"
    );
}

#[tokio::test]
async fn a_compressor_keeps_its_own_longer_warranty() {
    let t = TestApp::spawn().await;
    let token = t.admin_token().await;
    // Both or neither, and longer than the whole unit's.
    let res = t
        .post(&token, "/api/v1/products", json!({"model": "KF-50LW", "name": "立柜式空调", "warranty_months": 12, "tracking": "serial", "main_parts": "压缩机"}))
        .await;
    assert_eq!(error_of(res).await.1["field"], "main_parts_months");
    let res = t
        .post(&token, "/api/v1/products", json!({"model": "KF-50LW", "name": "立柜式空调", "warranty_months": 12, "tracking": "serial", "main_parts": "压缩机", "main_parts_months": 12}))
        .await;
    assert_eq!(error_of(res).await.1["field"], "main_parts_months");
    let res = t
        .post(&token, "/api/v1/products", json!({"model": "KF-50LW", "name": "立柜式空调", "warranty_months": 12, "tracking": "serial", "main_parts": "压缩机", "main_parts_months": 72}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        (p["main_parts"].as_str(), p["main_parts_months"].as_i64()),
        (Some("压缩机"), Some(72))
    );
    // Installed on 2024-03-01: the unit is out of warranty, the compressor until 2030-03-01.
    let res = t
        .post(&token, "/api/v1/units", json!({"serial": "KF50-1", "model": "KF-50LW", "customer": {"name": "赵敏", "phone": "13833334444"}, "sold_on": "2024-02-27", "installed_on": "2024-03-01"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit: Value = t
        .get(&token, "/api/v1/units/KF50-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["in_warranty"], false);
    assert_eq!(unit["main_parts_warranty"]["parts"], "压缩机");
    assert_eq!(unit["main_parts_warranty"]["ends_on"], "2030-03-01");
    assert_eq!(unit["main_parts_warranty"]["in_warranty"], true);
    let admin = t.admin().await;
    let (_, html) = t.page(&admin, "/products/units?q=KF50-1").await;
    assert!(html.contains("压缩机保修至 2030-03-01"), "{html}");
}
