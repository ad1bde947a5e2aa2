//! The steps of a return and of a repair through the API, with who may record each: the
//! supervisor's approval, an inspection that refuses with its reason, an exchange that gives
//! the customer a new unit whose warranty starts again; a dispatch that hands the case to the
//! technician, who records the field steps of that case and of no other.

use reqwest::StatusCode;
use sanbao_app::Actor;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, clock, error_of};

fn today() -> chrono::NaiveDate {
    sanbao_domain::time::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// A product at ¥2999.50 and a unit of it sold today (inside the seed's return window).
async fn sold_today(t: &TestApp, token: &str, serial: &str) {
    let res = t
        .post(token, "/api/v1/products", json!({"model": "JS-400G", "name": "家用净水器", "warranty_months": 12, "tracking": "serial", "price_fen": 299_950}))
        .await;
    assert!(
        [StatusCode::CREATED, StatusCode::CONFLICT].contains(&res.status()),
        "{}",
        res.status()
    );
    let res = t
        .post(token, "/api/v1/units", json!({"serial": serial, "model": "JS-400G", "customer": {"name": "周敏", "phone": "13911112222"}, "sold_on": today().to_string(), "invoice_no": "04400190011"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn open(t: &TestApp, token: &str, kind: &str, serial: &str) -> String {
    let res = t
        .post(
            token,
            "/api/v1/cases",
            json!({"kind": kind, "channel": "phone", "subject": "净水器出水有异味",
               "customer": {"name": "周敏", "phone": "13911112222"}, "unit": {"serial": serial}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    case["number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_return_is_approved_inspected_and_exchanged_for_a_new_unit() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let boss = t.token("zhao", Role::ServiceSupervisor).await;
    sold_today(&t, &admin, "JS-0001").await;
    sold_today(&t, &admin, "JS-0002").await;
    let number = open(&t, &agent, "return", "JS-0001").await;
    let steps = format!("/api/v1/cases/{number}/steps");
    // The approval is a supervisor's.
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "return_approved", "decision": "approved"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = t
        .post(&boss, &steps, json!({"step": "return_approved"}))
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("decision"))
    );
    let res = t
        .post(
            &boss,
            &steps,
            json!({"step": "return_approved", "decision": "approved"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Inspected before the goods are back: refused, naming what comes first.
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "goods_inspected", "inspection": "accepted"}),
        )
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("step"))
    );
    assert_eq!(err["message"], "须先记录“已收到退回商品”");
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "goods_received_back", "packaging_intact": true}),
        )
        .await;
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "processing")["state"], "running");
    // A refusal needs its reason.
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "goods_inspected", "inspection": "misuse"}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "note");
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "goods_inspected", "inspection": "accepted"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The replacement's serial may not be one already sold; a refund may not exceed the price.
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "return_processed", "outcome": "exchange", "new_serial": "JS-0002"}),
        )
        .await;
    assert_eq!(error_of(res).await.0, StatusCode::CONFLICT);
    let res = t
        .post(&agent, &steps, json!({"step": "return_processed", "outcome": "refund", "refund_fen": 300_000, "method": "cash"}))
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("refund"))
    );
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "return_processed", "outcome": "exchange", "new_serial": "js-0099"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "processing")["state"], "met");
    assert_eq!(case["state"], "resolved", "the exchange settles the return");
    // The new unit: same customer and policy, its warranty from today.
    let res = t.get(&agent, "/api/v1/units/JS-0099").await;
    assert_eq!(res.status(), StatusCode::OK);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["warranty_starts_on"], today().to_string());
    assert_eq!(unit["policy"], "seed@0");
    assert_eq!(unit["customer"]["name"], "周敏");
}

#[tokio::test]
async fn a_technician_records_the_field_steps_of_their_own_dispatch_only() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let tech = t.token("liu", Role::Technician).await;
    let liu = t
        .app
        .users()
        .find_id(&Actor::system(), "liu")
        .await
        .unwrap();
    sold_today(&t, &admin, "JS-0001").await;
    let number = open(&t, &agent, "repair", "JS-0001").await;
    let other = open(&t, &agent, "repair", "JS-0001").await;
    let steps = format!("/api/v1/cases/{number}/steps");
    // Not yet dispatched to them.
    let res = t.post(&tech, &steps, json!({"step": "arrived"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Only a technician is dispatched; a window must end after it starts.
    let agent_id = t
        .app
        .users()
        .find_id(&Actor::system(), "zhou")
        .await
        .unwrap();
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "technician_dispatched", "technician_id": agent_id.0}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "technician_id");
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "technician_dispatched", "technician_id": liu.0, "slot": "12:00-09:00"}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "slot");
    let res = t
        .post(&agent, &steps, json!({"step": "technician_dispatched", "technician_id": liu.0,
               "appointment_on": today().to_string(), "slot": "14:00-17:00", "address": "上海市浦东新区世纪大道100号"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "dispatch")["state"], "met");
    assert_eq!(case["assignee_id"], liu.0);
    // The technician's field steps on their case; a report names cause, process and result.
    let res = t.post(&tech, &steps, json!({"step": "arrived"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "repair_completed", "process": "更换启动电容"}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "fault");
    let res = t
        .post(&tech, &steps, json!({"step": "repair_completed", "fault": "不出水", "cause": "启动电容老化", "process": "更换启动电容", "result": "恢复正常", "labour_minutes": 60}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "unrepairable", "choice": "refund", "note": "x"}),
        )
        .await;
    assert_eq!(error_of(res).await.1["message"], "本次维修已结束");
    // Nothing on a case that is not theirs, and no desk step at all.
    let res = t
        .post(
            &tech,
            &format!("/api/v1/cases/{other}/steps"),
            json!({"step": "arrived"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = t
        .post(&tech, &steps, json!({"step": "technician_dispatched"}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The unit now counts the completed repair.
    let unit: Value = t
        .get(&agent, "/api/v1/units/JS-0001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["repair_count"], 1);
    assert_eq!(unit["faults"], json!([{"fault": "不出水", "repairs": 1}]));
    assert_eq!(
        unit["repeated_failure"],
        Value::Null,
        "the seed has no such rule"
    );
}

#[tokio::test]
async fn a_maintenance_visit_is_booked_in_service_hours_and_reported() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let tech = t.token("liu", Role::Technician).await;
    let liu = t
        .app
        .users()
        .find_id(&Actor::system(), "liu")
        .await
        .unwrap();
    sold_today(&t, &admin, "JS-0001").await;
    let number = open(&t, &agent, "maintenance", "JS-0001").await;
    let steps = format!("/api/v1/cases/{number}/steps");
    // A Saturday is outside the seed's hours (Monday to Friday, 9:00–17:00); so is 16:00–18:00.
    let book = |day: &str, slot: &str| json!({"step": "maintenance_booked", "technician_id": liu.0, "appointment_on": day, "slot": slot, "address": "上海市徐汇区漕溪北路1号"});
    let res = t
        .post(&agent, &steps, book("2026-12-12", "09:00-10:00"))
        .await;
    assert_eq!(error_of(res).await.1["field"], "appointment_on");
    let res = t
        .post(&agent, &steps, book("2026-12-09", "16:00-18:00"))
        .await;
    let (_, err) = error_of(res).await;
    assert_eq!(err["field"], "slot");
    assert_eq!(
        err["message"],
        "预约时段须在服务时间内（2026-12-09：09:00-17:00）"
    );
    let res = t
        .post(&agent, &steps, book("2026-12-09", "09:30-11:00"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["assignee_id"], liu.0);
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "maintenance_done", "work": "清洗滤芯"}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "result");
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "maintenance_done", "work": "清洗滤芯、检查水压", "result": "出水正常",
               "next_due_on": "2027-06-09", "questions": "客户问滤芯多久更换一次：建议每六个月"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["state"], "resolved");
}

#[tokio::test]
async fn a_late_return_needs_a_supervisors_reason_unless_its_repair_failed() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let boss = t.token("zhao", Role::ServiceSupervisor).await;
    let res = t
        .post(&admin, "/api/v1/products", json!({"model": "JS-400G", "name": "家用净水器", "warranty_months": 12, "tracking": "serial"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for serial in ["OLD-1", "OLD-2"] {
        let res = t
            .post(&admin, "/api/v1/units", json!({"serial": serial, "model": "JS-400G", "customer": {"name": "周敏", "phone": "13911112222"}, "sold_on": "2026-02-13"}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let late = |serial: &str, reason: Option<&str>| {
        json!({"kind": "return", "channel": "phone", "subject": "要求退货",
        "customer": {"name": "周敏", "phone": "13911112222"}, "unit": {"serial": serial}, "window_override": reason})
    };
    let res = t.post(&agent, "/api/v1/cases", late("OLD-1", None)).await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["code"], "return_window_closed");
    // Only a supervisor accepts it late, with the reason on the timeline.
    let res = t
        .post(&agent, "/api/v1/cases", late("OLD-1", Some("客户出差")))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = t
        .post(
            &boss,
            "/api/v1/cases",
            late("OLD-1", Some("客户出差，期内已电话申请")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    let detail: Value = t
        .get(
            &boss,
            &format!("/api/v1/cases/{}", case["number"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    let said = detail["timeline"].to_string();
    assert!(
        said.contains(
            "退换货申请期限已于2026-02-25届满；经 zhao 同意超期受理：客户出差，期内已电话申请"
        ),
        "{said}"
    );
    // A repair that found the unit unrepairable opens the return whatever the window.
    let number = open(&t, &agent, "repair", "OLD-2").await;
    let steps = format!("/api/v1/cases/{number}/steps");
    let res = t
        .post(&agent, &steps, json!({"step": "technician_dispatched"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .post(
            &agent,
            &steps,
            json!({"step": "unrepairable", "choice": "refund", "note": "主板停产，无配件"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t.post(&agent, "/api/v1/cases", late("OLD-2", None)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_cost_ledger_keeps_the_seeds_company_costs_off_the_customer() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    sold_today(&t, &admin, "JS-0001").await;
    let number = open(&t, &agent, "return", "JS-0001").await;
    let costs = format!("/api/v1/cases/{number}/costs");
    let res = t
        .post(
            &agent,
            &costs,
            json!({"kind": "freight", "amount_fen": 2500, "payer": "customer"}),
        )
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("payer"))
    );
    assert_eq!(
        err["message"],
        "按“公司售后服务规定”，运费由本公司承担，不能向客户收取"
    );
    // The purifier has no supplier repair terms: nothing is claimed from its supplier.
    let res = t
        .post(
            &agent,
            &costs,
            json!({"kind": "parts", "amount_fen": 8050, "payer": "supplier"}),
        )
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("payer"))
    );
    for body in [
        json!({"kind": "freight", "amount_fen": 2500, "payer": "company", "note": "顺丰到付"}),
        json!({"kind": "parts", "amount_fen": 8050, "payer": "customer"}),
    ] {
        let res = t.post(&agent, &costs, body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let ledger: Value = t.get(&agent, &costs).await.json().await.unwrap();
    assert_eq!(ledger["costs"].as_array().unwrap().len(), 2);
    assert_eq!(ledger["totals"], json!({"company": 2500, "customer": 8050}));
}
