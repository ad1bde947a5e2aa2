//! Case API suite.

use reqwest::StatusCode;
use sanbao_app::Actor;
use sanbao_domain::CustomerId;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use super::support::{TestApp, complaint};

#[tokio::test]
async fn a_complaint_answers_with_the_three_clocks_of_the_design_example() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    let res = t
        .post(&officer, "/api/v1/cases", complaint("13800138000"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["number"], "CP-2026-000001");
    assert_eq!(c["state"], "new");
    assert_eq!(c["policy"], "seed@0");
    let clocks = c["clocks"].as_array().unwrap();
    let find = |name: &str| clocks.iter().find(|k| k["clock"] == name).unwrap().clone();
    assert_eq!(find("first_response")["due"], "2026-10-01T18:00:00+08:00");
    assert!(find("first_response")["due_date"].is_null());
    assert_eq!(find("verification")["due"], "2026-10-11T00:00:00+08:00");
    assert_eq!(find("verification")["due_date"], "2026-10-10");
    assert_eq!(find("reply")["due"], "2026-10-21T00:00:00+08:00");
    assert_eq!(find("reply")["due_date"], "2026-10-20");
    // 2026's notice is loaded: nothing provisional.
    assert_eq!(find("reply")["provisional"], false);
    // Received in 2026 (now is later): the clocks are long breached.
    assert_eq!(find("reply")["state"], "breached");
    assert_eq!(c["breached"], true);
}

#[tokio::test]
async fn numbers_count_per_kind_and_year() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let mut body = complaint("13800138001");
    body["kind"] = json!("repair");
    let a: Value = t
        .post(&agent, "/api/v1/cases", body.clone())
        .await
        .json()
        .await
        .unwrap();
    let b: Value = t
        .post(&agent, "/api/v1/cases", body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["number"], "RP-2026-000001");
    assert_eq!(b["number"], "RP-2026-000002");
    assert_eq!(a["clocks"][0]["clock"], "dispatch");
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    for (patch, field) in [
        (json!({"kind": "gossip"}), "kind"),
        (json!({"channel": "fax"}), "channel"),
        (
            json!({"customer": {"name": "张三", "phone": "12345"}}),
            "customer.phone",
        ),
        (json!({"subject": ""}), "subject"),
        (
            json!({"received_at": "2099-01-01T00:00:00Z"}),
            "received_at",
        ),
        (json!({"channel": "regulator"}), "regulator_ref"),
        (
            json!({"channel": "regulator", "regulator_ref": "12315202610090001"}),
            "regulator_accepted_on",
        ),
        (
            json!({"channel": "regulator", "regulator_ref": "12315202610090001",
                   "received_at": "2026-10-09T10:00:00+08:00", "regulator_accepted_on": "2026-10-10"}),
            "regulator_accepted_on",
        ),
        (
            json!({"customer": {"name": "某公司", "phone": "02162345678", "kind": "organisation", "credit_code": "91350100M000100Y44"}}),
            "customer.credit_code",
        ),
    ] {
        let mut body = complaint("13800138002");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = t.post(&agent, "/api/v1/cases", body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{field}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let list: Value = t.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_stale_update_is_409_and_transitions_are_checked() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    let c: Value = t
        .post(&officer, "/api/v1/cases", complaint("13800138003"))
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap();
    let v = c["version"].as_i64().unwrap();
    let res = t
        .client
        .patch(t.url(&format!("/api/v1/cases/{n}")))
        .bearer_auth(&officer)
        .json(&json!({"version": v, "priority": "high"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .client
        .patch(t.url(&format!("/api/v1/cases/{n}")))
        .bearer_auth(&officer)
        .json(&json!({"version": v, "priority": "urgent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let fresh: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fresh["priority"], "high");
    let v = fresh["version"].as_i64().unwrap();
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "closed", "version": v}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能从“新建”变为“已关闭”"),
        "{e}"
    );
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "waiting_customer", "version": v}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["state"], "waiting_customer");
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/notes"),
            json!({"body": "已致电客户，等待照片", "to_customer": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"message") && kinds.contains(&"state"),
        "{kinds:?}"
    );
    let first = d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["clock"] == "first_response")
        .unwrap()
        .clone();
    // Written on the timeline, the message reached nobody: the first response still runs
    // (its own step, the contact that reached the customer, stops it).
    assert_eq!(
        first["state"], "breached",
        "a message on the timeline is no response"
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_creates_one_case() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let mut body = complaint("13800138004");
    body["kind"] = json!("inquiry");
    let send = || {
        t.client
            .post(t.url("/api/v1/cases"))
            .bearer_auth(&agent)
            .header("Idempotency-Key", "abc-123")
            .json(&body)
            .send()
    };
    let a: Value = send().await.unwrap().json().await.unwrap();
    let b: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(a["number"], b["number"]);
    let list: Value = t.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_intake_for_one_new_phone_makes_one_customer() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let (client, url, agent) = (t.client.clone(), t.url("/api/v1/cases"), agent.clone());
        let mut body = complaint("13912345678");
        body["kind"] = json!("inquiry");
        body["customer"]["name"] = json!("𠮷野家 🍜");
        body["subject"] = json!(format!("咨询 {i} 😀"));
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(agent)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::CREATED);
    }
    let list: Value = t
        .get(&agent, "/api/v1/cases?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 32);
    let customers: std::collections::BTreeSet<i64> = items
        .iter()
        .map(|c| c["customer"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(customers.len(), 1, "one customer for one phone");
    assert_eq!(items[0]["customer"]["name"], "𠮷野家 🍜");
    assert!(items.iter().any(|c| c["subject"] == "咨询 7 😀"));
    // Thirty-two writes sharing commits left one unbroken audit chain, numbers without gaps.
    let chain = t
        .app
        .audit()
        .verify(&sanbao_app::Actor::system())
        .await
        .unwrap();
    assert!(chain.is_ok(), "{chain:?}");
    let mut numbers: Vec<&str> = items
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 32);
    assert!(numbers.last().unwrap().ends_with("000032"));
}

#[tokio::test]
async fn complaints_are_private_and_phones_masked() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    let c: Value = t
        .post(&officer, "/api/v1/cases", complaint("13800138005"))
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap();
    assert_eq!(
        c["customer"]["phone"], "138****8005",
        "masked even for its author"
    );
    let tech = t.token("liuyang", Role::Technician).await;
    assert_eq!(
        t.get(&tech, &format!("/api/v1/cases/{n}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let list: Value = t.get(&tech, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let auditor = t.token("hegang", Role::Auditor).await;
    let mut body = complaint("13800138006");
    body["kind"] = json!("repair");
    t.post(&officer, "/api/v1/cases", body).await;
    let list: Value = t.get(&auditor, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["items"][0]["customer"]["phone"], "138****8006");
    // A masked role cannot read a number digit by digit through search or lookup.
    let by_prefix: Value = t
        .get(&auditor, "/api/v1/cases?q=1380013800")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_prefix["items"].as_array().unwrap().len(), 0);
    let exact: Value = t
        .get(&auditor, "/api/v1/cases?q=13800138006")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(exact["items"].as_array().unwrap().len(), 1);
    // Without case.assign, an agent may take an unassigned case but not someone else's.
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let n2 = exact["items"][0]["number"].as_str().unwrap().to_owned();
    let v2 = exact["items"][0]["version"].as_i64().unwrap();
    let me: Value = t.get(&agent, "/api/v1/me").await.json().await.unwrap();
    let res = t
        .client
        .patch(t.url(&format!("/api/v1/cases/{n2}")))
        .bearer_auth(&agent)
        .json(&json!({"version": v2, "assignee_id": me["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v3 = res.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    let officer_id: Value = t.get(&officer, "/api/v1/me").await.json().await.unwrap();
    let res = t
        .client
        .patch(t.url(&format!("/api/v1/cases/{n2}")))
        .bearer_auth(&agent)
        .json(&json!({"version": v3, "assignee_id": officer_id["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn queues_filter_and_page_by_cursor() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    for i in 0..5 {
        let mut body = complaint(&format!("1380013801{i}"));
        body["received_at"] = json!(chrono::Utc::now().to_rfc3339());
        if i % 2 == 0 {
            body["kind"] = json!("inquiry");
        }
        assert_eq!(
            t.post(&officer, "/api/v1/cases", body).await.status(),
            StatusCode::CREATED
        );
    }
    let all: Value = t
        .get(&officer, "/api/v1/cases?limit=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let mut seen: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect();
    let mut cursor = all["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page: Value = t
            .get(&officer, &format!("/api/v1/cases?limit=2&cursor={c}"))
            .await
            .json()
            .await
            .unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["number"].as_str().unwrap().to_owned()),
        );
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 5);
    let uniq: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(uniq.len(), 5, "no case twice across pages");
    // Complaints (with clocks) come before inquiries (none), soonest first.
    assert!(seen[0].starts_with("CP-") && seen[4].starts_with("IQ-"));
    let inquiries: Value = t
        .get(&officer, "/api/v1/cases?kind=inquiry")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inquiries["items"].as_array().unwrap().len(), 3);
    let unassigned: Value = t
        .get(&officer, "/api/v1/cases?queue=unassigned")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unassigned["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        t.get(&officer, "/api/v1/cases?queue=nope").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        t.get(&officer, "/api/v1/cases?cursor=garbage")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn search_finds_chinese_words_numbers_and_phones() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    let c: Value = t
        .post(&officer, "/api/v1/cases", complaint("13800138020"))
        .await
        .json()
        .await
        .unwrap();
    let number = c["number"].as_str().unwrap().to_owned();
    let mut other = complaint("13800138021");
    other["kind"] = json!("repair");
    other["subject"] = json!("冰箱噪音大");
    other["description"] = json!("夜间压缩机噪音明显");
    t.post(&officer, "/api/v1/cases", other).await;
    assert_eq!(
        find(&t, &officer, "退货").await,
        std::slice::from_ref(&number),
        "退货 is in 我要退货，屏幕漏液"
    );
    assert_eq!(
        find(&t, &officer, "屏幕 漏液").await,
        std::slice::from_ref(&number)
    );
    assert_eq!(find(&t, &officer, "噪音").await.len(), 1);
    assert!(find(&t, &officer, "噪音").await[0].starts_with("RP-"));
    assert!(
        find(&t, &officer, "退款").await.is_empty(),
        "not in unrelated cases"
    );
    assert_eq!(
        find(&t, &officer, &number.to_lowercase()).await,
        std::slice::from_ref(&number)
    );
    assert_eq!(
        find(&t, &officer, "138 0013 8020").await,
        std::slice::from_ref(&number)
    );
    // A note is searchable too.
    t.post(
        &officer,
        &format!("/api/v1/cases/{number}/notes"),
        json!({"body": "客户同意更换主板"}),
    )
    .await;
    assert_eq!(find(&t, &officer, "主板").await, [number]);
    // FTS syntax in the query is just text.
    assert!(find(&t, &officer, "\"退货\" OR *").await.len() <= 1);
}

async fn find(t: &TestApp, token: &str, q: &str) -> Vec<String> {
    let url = format!("/api/v1/cases?q={}", urlencode(q));
    let v: Value = t.get(token, &url).await.json().await.unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn resolving_and_closing_record_the_outcome() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    // An inquiry: a complaint is settled by its reply step instead (tests/web/complaints.rs).
    let mut inquiry = complaint("13800138030");
    inquiry["kind"] = json!("inquiry");
    let c: Value = t
        .post(&officer, "/api/v1/cases", inquiry)
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap().to_owned();
    let v = c["version"].as_i64().unwrap();
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "resolved", "version": v}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["field"],
        "resolution"
    );
    let c: Value = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "resolved", "version": v, "resolution": "更换屏幕"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let v = c["version"].as_i64().unwrap();
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "closed", "version": v, "satisfaction": "satisfied"}),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["field"],
        "precautions"
    );
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "closed", "version": v, "satisfaction": "satisfied", "precautions": "避免阳光直射屏幕"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let d: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    let closed = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data"]["to"] == "closed")
        .unwrap()
        .clone();
    assert_eq!(closed["data"]["satisfaction"], "satisfied");
    assert_eq!(closed["data"]["precautions"], "避免阳光直射屏幕");
}

#[tokio::test]
async fn a_customer_page_lists_their_cases() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let mut body = complaint("13800138040");
    body["kind"] = json!("repair");
    let c: Value = t
        .post(&agent, "/api/v1/cases", body.clone())
        .await
        .json()
        .await
        .unwrap();
    body["subject"] = json!("第二次报修");
    t.post(&agent, "/api/v1/cases", body).await;
    let id = CustomerId(c["customer"]["id"].as_i64().unwrap());
    let customer = t.app.customers().card(&Actor::system(), id).await.unwrap();
    assert_eq!(customer.name, "张三");
    assert_eq!(customer.cases.len(), 2);
    assert!(matches!(
        t.app
            .customers()
            .card(&Actor::system(), CustomerId(999_999))
            .await,
        Err(sanbao_app::AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn an_agent_reports_an_exception_and_extended_service_through_the_api() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let mut body = complaint("13800138077");
    body["kind"] = json!("repair");
    let c: Value = t
        .post(&agent, "/api/v1/cases", body)
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap().to_owned();

    let bad = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/extended-service"),
            json!({"date": "2026-02-30", "start": "18:00", "end": "17:00",
                   "customer_informed": false, "reason": ""}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let e: Value = bad.json().await.unwrap();
    assert!(e.to_string().contains("date"), "{e}");

    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let not_told = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/extended-service"),
            json!({"date": yesterday.to_string(), "start": "17:30", "end": "19:00",
                   "customer_informed": false, "reason": "当天修复"}),
        )
        .await;
    assert_eq!(not_told.status(), StatusCode::BAD_REQUEST);
    let e: Value = not_told.json().await.unwrap();
    assert!(e.to_string().contains("customer_informed"), "{e}");

    let ok = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/extended-service"),
            json!({"date": yesterday.to_string(), "start": "17:30", "end": "19:00",
                   "customer_informed": true, "reason": "更换压缩机，客户要求当天修好"}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);

    let ex = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/exception"),
            json!({"reason": "客户家中无人，配件无法交付"}),
        )
        .await;
    assert_eq!(ex.status(), StatusCode::NO_CONTENT);
    let empty = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/exception"),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);

    let got: Value = t
        .get(&agent, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = got["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"extended_service"), "{kinds:?}");
    assert!(kinds.contains(&"escalation"), "{kinds:?}");
    let entry = got["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "extended_service")
        .unwrap();
    assert_eq!(entry["data"]["minutes"], 90);
    let escalated: Value = t
        .get(&agent, "/api/v1/cases?queue=escalated")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(escalated["items"][0]["number"], n.as_str());

    // Once the case is cancelled it takes no more reports (its page hides the forms: see
    // `a_cancelled_case_page_offers_no_reports`).
    let res = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "cancelled", "version": got["version"], "note": "客户撤回"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let late = t
        .post(
            &agent,
            &format!("/api/v1/cases/{n}/exception"),
            json!({"reason": "又来电"}),
        )
        .await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = late.json().await.unwrap();
    assert!(e.to_string().contains("已关闭或已取消"), "{e}");
}

#[tokio::test]
async fn a_regulator_transfer_keeps_its_12315_number_and_acceptance_date() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    let received = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339();
    let accepted = (chrono::Utc::now() - chrono::Duration::days(4))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    let mut body = complaint("13800138088");
    body["channel"] = json!("regulator");
    body["received_at"] = json!(received);
    body["regulator_ref"] = json!("12315202611230042");
    body["regulator_accepted_on"] = json!(accepted);
    let res = t.post(&officer, "/api/v1/cases", body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["regulator_ref"], "12315202611230042");
    assert_eq!(c["regulator_accepted_on"], accepted.as_str());
    let n = c["number"].as_str().unwrap();
    let got: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["regulator_accepted_on"], accepted.as_str(), "{got}");
}
