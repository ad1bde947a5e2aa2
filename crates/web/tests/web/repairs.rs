//! A repair outside the warranty: a quote the customer accepts before the work, whose repair
//! the customer then pays; inside the warranty no quote is given and the work is free.

use reqwest::StatusCode;
use sanbao_app::Actor;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, error_of};

fn day(days_ago: i64) -> String {
    (sanbao_domain::time::now().with_timezone(&chrono_tz::Asia::Shanghai)
        - chrono::Duration::days(days_ago))
    .date_naive()
    .to_string()
}

/// The air conditioner in the catalogue and a unit of it sold `days_ago` for each serial.
async fn sold(t: &TestApp, admin: &str, units: &[(&str, i64)]) {
    let res = t
        .post(admin, "/api/v1/products", json!({"model": "KF-35GW", "name": "壁挂式空调", "warranty_months": 12, "tracking": "serial"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for (serial, days_ago) in units {
        let res = t
            .post(
                admin,
                "/api/v1/units",
                json!({"serial": serial, "model": "KF-35GW",
                "customer": {"name": "陈刚", "phone": "13622223333"}, "sold_on": day(*days_ago)}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
}

/// A repair of `serial` dispatched to `tech_id`: its steps path.
async fn dispatched(t: &TestApp, agent: &str, tech_id: i64, serial: &str) -> String {
    let res = t
        .post(
            agent,
            "/api/v1/cases",
            json!({"kind": "repair", "channel": "phone", "subject": "空调不制冷",
            "customer": {"name": "陈刚", "phone": "13622223333"}, "unit": {"serial": serial},
            "fault_started_on": day(1)}),
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
    steps
}

#[tokio::test]
async fn out_of_warranty_the_customer_accepts_a_quote_before_the_repair_and_pays_it() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let tech = t.token("liu", Role::Technician).await;
    let liu = t
        .app
        .users()
        .find_id(&Actor::system(), "liu")
        .await
        .unwrap()
        .0;
    let res = t
        .post(&admin, "/api/v1/products", json!({"model": "KF-35GW", "name": "壁挂式空调", "warranty_months": 12, "tracking": "serial"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for (serial, sold) in [("KF-OLD", day(500)), ("KF-NEW", day(30))] {
        let res = t
            .post(
                &admin,
                "/api/v1/units",
                json!({"serial": serial, "model": "KF-35GW",
                "customer": {"name": "陈刚", "phone": "13622223333"}, "sold_on": sold}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    // A fault cannot start after it was reported.
    let res = t
        .post(
            &agent,
            "/api/v1/cases",
            json!({"kind": "repair", "channel": "phone", "subject": "空调不制冷",
            "customer": {"name": "陈刚", "phone": "13622223333"}, "unit": {"serial": "KF-OLD"},
            "fault_started_on": day(-3)}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "fault_started_on");

    let report = json!({"step": "repair_completed", "fault": "不制冷", "cause": "启动电容老化", "process": "更换启动电容", "result": "制冷恢复"});
    // Inside the warranty: free, no quote.
    let steps = dispatched(&t, &agent, liu, "KF-NEW").await;
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "quote_issued", "quote_fen": 35000, "parts": "启动电容、人工"}),
        )
        .await;
    let (status, e) = error_of(res).await;
    assert_eq!(
        (status, e["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("保修期内维修免费，无需报价"))
    );
    assert_eq!(
        t.post(&tech, &steps, report.clone()).await.status(),
        StatusCode::OK
    );

    // Out of warranty: the work waits for an accepted quote.
    let steps = dispatched(&t, &agent, liu, "KF-OLD").await;
    let res = t.post(&tech, &steps, report.clone()).await;
    assert_eq!(
        error_of(res).await.1["message"],
        "已过保修期：须先报价并经客户接受，才能维修"
    );
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "quote_answered", "accepted": true}),
        )
        .await;
    let (_, e) = error_of(res).await;
    assert_eq!(e["field"], "step");
    assert!(e["message"].as_str().unwrap().contains("已报价"), "{e}");
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "quote_issued", "quote_fen": 35000, "parts": "启动电容、人工"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .post(
            &tech,
            &steps,
            json!({"step": "quote_answered", "accepted": true, "note": "客户现场同意"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t.post(&tech, &steps, report).await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["state"], "resolved");
    // The accepted quote is the customer's to pay, the seed's "merchant pays" aside.
    let number = case["number"].as_str().unwrap();
    let costs = format!("/api/v1/cases/{number}/costs");
    let res = t
        .post(
            &agent,
            &costs,
            json!({"kind": "repair", "amount_fen": 35000, "payer": "customer"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let res = t
        .post(
            &agent,
            &costs,
            json!({"kind": "freight", "amount_fen": 2000, "payer": "customer"}),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "payer");
}

#[tokio::test]
async fn a_suppliers_cost_is_claimed_back_and_settled_on_the_claims_queue() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let res = t
        .post(&admin, "/api/v1/products", json!({"model": "KF-35GW", "name": "壁挂式空调", "warranty_months": 12, "tracking": "serial", "supplier_repairs": true}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let product: Value = res.json().await.unwrap();
    assert_eq!(product["supplier_repairs"], true);
    let res = t
        .post(
            &admin,
            "/api/v1/units",
            json!({"serial": "KF-1", "model": "KF-35GW",
            "customer": {"name": "陈刚", "phone": "13622223333"}, "sold_on": day(30)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = t
        .post(
            &agent,
            "/api/v1/cases",
            json!({"kind": "repair", "channel": "phone", "subject": "空调不制冷",
            "customer": {"name": "陈刚", "phone": "13622223333"}, "unit": {"serial": "KF-1"}}),
        )
        .await;
    let case: Value = res.json().await.unwrap();
    let number = case["number"].as_str().unwrap().to_owned();
    let res = t
        .post(&agent, &format!("/api/v1/cases/{number}/costs"), json!({"kind": "parts", "amount_fen": 12000, "payer": "supplier", "note": "压缩机电容"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // The agent may not work the supplier claims; the supervisor's queue holds the claim.
    let (c, _) = t.login("zhou", crate::support::PASSWORD).await;
    let (status, _) = t.page(&c, "/claims").await;
    assert_ne!(status, StatusCode::OK);
    let boss = t.admin().await;
    let (status, html) = t.page(&boss, "/claims").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&number) && html.contains("待索赔") && html.contains("¥120.00"),
        "{html}"
    );
    let id = html
        .split("data-claim=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let path = format!("/claims/{id}");
    // Sent without the supplier's number: refused beside the claim.
    let res = t
        .post_form(
            &boss,
            "/claims",
            &path,
            &[("state", "claimed"), ("reference", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("请填写供货方的索赔单号"));
    let res = t
        .post_form(
            &boss,
            "/claims",
            &path,
            &[("state", "claimed"), ("reference", "GY-2026-118")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = t
        .post_form(
            &boss,
            "/claims",
            &path,
            &[("state", "settled"), ("settled", "130")],
        )
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("结算金额不能超过索赔金额 ¥120.00")
    );
    let res = t
        .post_form(
            &boss,
            "/claims",
            &path,
            &[("state", "settled"), ("settled", "120")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Settled: off the queue, on the case's timeline and its ledger.
    let (_, html) = t.page(&boss, "/claims").await;
    assert!(!html.contains(&number));
    let detail: Value = t
        .get(&agent, &format!("/api/v1/cases/{number}"))
        .await
        .json()
        .await
        .unwrap();
    let said = detail["timeline"].to_string();
    assert!(
        said.contains("已向供货方提交索赔 ¥120.00（索赔单号 GY-2026-118）"),
        "{said}"
    );
    assert!(said.contains("供货方已结算索赔 ¥120.00"));
}

#[tokio::test]
async fn a_maintenance_plan_queues_each_visit_once_and_its_report_sets_the_next() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    let tech = t.token("liu", Role::Technician).await;
    let liu = t
        .app
        .users()
        .find_id(&Actor::system(), "liu")
        .await
        .unwrap()
        .0;
    sold(&t, &admin, &[("KF-9", 200)]).await;
    let plan = "/api/v1/units/KF-9/maintenance-plan";
    let res = t
        .api(
            &agent,
            reqwest::Method::PUT,
            plan,
            Some(json!({"every_months": 0, "first_due_on": day(3)})),
        )
        .await;
    assert_eq!(error_of(res).await.1["field"], "every_months");
    // Due in five days: its booking opened (14 days ahead).
    let res = t
        .api(
            &agent,
            reqwest::Method::PUT,
            plan,
            Some(json!({"every_months": 6, "first_due_on": day(-5)})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["maintenance_plan"]["next_due_on"], day(-5));
    assert_eq!(unit["maintenance_plan"]["queued"], false);
    // Every process's sweep books it; only one visit becomes a case.
    let repairs = t.app.repairs();
    let (a, b) = tokio::join!(repairs.book_due_plans(), repairs.book_due_plans());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(t.app.repairs().book_due_plans().await.unwrap(), 0);
    // A process stopped after opening the visit's case and before marking its plan: the next
    // pass adopts that case instead of booking the visit twice.
    sanbao_store::testing::execute_raw(
        &t.app.store,
        "UPDATE maintenance_plan SET booked_case_id = NULL, lease_until = NULL",
    )
    .await
    .unwrap();
    assert_eq!(t.app.repairs().book_due_plans().await.unwrap(), 1);
    let unit: Value = t
        .get(&agent, "/api/v1/units/KF-9")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["maintenance_plan"]["queued"], true);
    let cases = unit["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["kind"], "maintenance");
    assert!(
        cases[0]["subject"]
            .as_str()
            .unwrap()
            .contains("定期维护保养（6 个月一次）")
    );
    // The visit is booked and done; its report's next due day moves the plan on.
    let steps = format!(
        "/api/v1/cases/{}/steps",
        cases[0]["number"].as_str().unwrap()
    );
    let res = t
        .post(&agent, &steps, json!({"step": "maintenance_booked", "technician_id": liu, "appointment_on": "2026-12-09", "slot": "09:30-11:00", "address": "上海市徐汇区漕溪北路1号"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let next = day(-170);
    let res = t
        .post(&tech, &steps, json!({"step": "maintenance_done", "work": "清洗滤网、检查冷媒", "result": "运行正常", "next_due_on": next}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let unit: Value = t
        .get(&agent, "/api/v1/units/KF-9")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["maintenance_plan"]["next_due_on"], next);
    assert_eq!(unit["maintenance_plan"]["queued"], false);
    assert_eq!(
        t.app.repairs().book_due_plans().await.unwrap(),
        0,
        "not yet open"
    );
}

#[tokio::test]
async fn a_technician_is_reminded_of_tomorrows_visit_once() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let agent = t.token("zhou", Role::ServiceAgent).await;
    t.token("liu", Role::Technician).await;
    let liu = t
        .app
        .users()
        .find_id(&Actor::system(), "liu")
        .await
        .unwrap()
        .0;
    sold(&t, &admin, &[("KF-R1", 30)]).await;
    let steps = dispatched(&t, &agent, liu, "KF-R1").await;
    // Dispatched without a day: nothing to remind of.
    assert_eq!(t.app.repairs().remind_appointments().await.unwrap(), 0);
    // Sent again with tomorrow's appointment: reminded once, whatever the number of sweeps.
    let tomorrow = (chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + chrono::Days::new(1))
    .to_string();
    let res = t
        .post(&agent, &steps, json!({"step": "technician_dispatched", "technician_id": liu, "appointment_on": tomorrow, "slot": "09:00-12:00", "address": "上海市静安区南京西路1266号"}))
        .await;
    // A dispatch is recorded once; the appointment comes with it.
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = t
        .post(&agent, "/api/v1/cases", json!({"kind": "repair", "channel": "phone", "subject": "空调漏水",
            "customer": {"name": "陈刚", "phone": "13622223333"}, "unit": {"serial": "KF-R1"}, "fault_started_on": day(1)}))
        .await;
    let case: Value = res.json().await.unwrap();
    let second = case["number"].as_str().unwrap().to_owned();
    let res = t
        .post(&agent, &format!("/api/v1/cases/{second}/steps"), json!({"step": "technician_dispatched", "technician_id": liu, "appointment_on": tomorrow, "slot": "09:00-12:00", "address": "上海市静安区南京西路1266号"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(t.app.repairs().remind_appointments().await.unwrap(), 1);
    assert_eq!(t.app.repairs().remind_appointments().await.unwrap(), 0);
    let mine = sanbao_store::notify::notifications(&t.app.store, liu, 10)
        .await
        .unwrap();
    let reminder = mine
        .iter()
        .find(|n| n.case_number.as_deref() == Some(second.as_str()))
        .expect("the technician was reminded");
    assert!(
        reminder.body.starts_with(&format!(
            "预约提醒：明天（{tomorrow}）09:00-12:00 上门 {second}"
        )),
        "{}",
        reminder.body
    );
}
