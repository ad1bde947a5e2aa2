//! A complaint handled by the book through the API: each step stops its own clock, a note or
//! a message stops none, the schedule told to the customer runs as a clock of its own, and
//! the complaint is settled by its reply, not by a resolution typed on the case.

use reqwest::StatusCode;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, clock, complaint, error_of};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

#[tokio::test]
async fn each_complaint_step_stops_its_own_clock_and_the_reply_settles_it() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    // Received now: every clock runs.
    let mut body = complaint("13800138040");
    body.as_object_mut().unwrap().remove("received_at");
    let c: Value = t
        .post(&officer, "/api/v1/cases", body)
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap().to_owned();
    let steps = format!("/api/v1/cases/{n}/steps");
    let step = |body: Value| {
        let t = &t;
        let officer = officer.clone();
        let steps = steps.clone();
        async move { t.post(&officer, &steps, body).await }
    };

    // A message written on the timeline is no response.
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/notes"),
            json!({"body": "已回电", "to_customer": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(clock(&d, "first_response")["state"], "running");

    // The contact that reached the customer is, and it says how and what was said.
    let res = step(json!({"step": "first_response_sent", "via": "phone"})).await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("response"))
    );
    let res = step(json!({"step": "first_response_sent", "via": "phone", "response": "已致电客户，说明三个工作日内核实"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "first_response")["state"], "met");
    // Every answer about the complaint says so: no plain "resolved" before the reply.
    let moves = case["allowed_moves"].as_array().unwrap();
    assert!(
        !moves.iter().any(|m| m == "resolved" || m == "closed"),
        "{moves:?}"
    );
    assert_eq!(clock(&case, "verification")["state"], "running");

    // Not answered yet: the complaint cannot be resolved by hand, nor answered unverified.
    let v = case["version"].as_i64().unwrap();
    let res = t
        .post(
            &officer,
            &format!("/api/v1/cases/{n}/transitions"),
            json!({"to": "resolved", "version": v, "resolution": "已处理"}),
        )
        .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("to"))
    );
    assert!(
        err["message"].as_str().unwrap().contains("答复客户"),
        "{err}"
    );
    let reply = json!({"step": "complaint_replied", "via": "letter", "reply": "经核实，已为您免费重新安装并致歉"});
    let (status, err) = error_of(step(reply.clone()).await).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("step"))
    );

    let res = step(json!({"step": "complaint_verified", "substantiated": true, "findings": "安装人员未按规范固定外机支架"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "verification")["state"], "met");
    assert_eq!(clock(&case, "reply")["state"], "running");

    // The schedule told to the customer: never a day already past; then a clock of its own.
    let yesterday = today().pred_opt().unwrap().to_string();
    let res = step(
        json!({"step": "schedule_promised", "promised_on": yesterday, "plan": "更换外机支架"}),
    )
    .await;
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("promised_on"))
    );
    let promised = (today() + chrono::Days::new(5)).to_string();
    let res = step(json!({"step": "schedule_promised", "promised_on": promised, "plan": "五日内上门更换外机支架"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    let schedule = clock(&case, "schedule");
    assert_eq!(schedule["state"], "running");
    assert_eq!(schedule["due_date"], promised);

    // The reply meets the reply clock and the schedule, and resolves the complaint.
    let res = step(reply).await;
    assert_eq!(res.status(), StatusCode::OK);
    let case: Value = res.json().await.unwrap();
    assert_eq!(clock(&case, "reply")["state"], "met");
    assert_eq!(clock(&case, "schedule")["state"], "met");
    assert_eq!(case["state"], "resolved");
    let d: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    let lines: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["body"].as_str())
        .collect();
    assert!(
        lines.contains(&"已初步核实：投诉属实；核实情况：安装人员未按规范固定外机支架"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("已答复：经书面函件答复客户：")),
        "{lines:?}"
    );

    // Closed with the customer not satisfied: the supervisor hears of it at once (seed 5.1)
    // and it waits on their desk to be followed up.
    t.user("zhaolei", Role::ServiceSupervisor).await;
    let v = case["version"].as_i64().unwrap();
    let res = t
        .post(&officer, &format!("/api/v1/cases/{n}/transitions"), json!({"to": "closed", "version": v, "satisfaction": "unsatisfied", "precautions": "如再出现问题请致电客服热线"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (boss, _) = t.login("zhaolei", PASSWORD).await;
    let (_, home) = t.page(&boss, "/").await;
    assert!(home.contains(&format!("/desk/{n}/acknowledge")), "{home}");
    assert!(home.contains("客户对处理结果不满意，已立即上报主管跟进"));

    // The dossier for an authority lists every entry of the timeline, oldest first.
    let (status, dossier) = t.page(&boss, &format!("/cases/{n}/dossier")).await;
    assert_eq!(status, StatusCode::OK);
    let d: Value = t
        .get(&officer, &format!("/api/v1/cases/{n}"))
        .await
        .json()
        .await
        .unwrap();
    let entries = d["timeline"].as_array().unwrap().len();
    assert_eq!(
        dossier.matches("data-testid=\"dossier-entry\"").count(),
        entries,
        "{dossier}"
    );
    let (verified, replied) = (
        dossier
            .find("核实情况：安装人员未按规范固定外机支架")
            .unwrap(),
        dossier.find("经书面函件答复客户").unwrap(),
    );
    assert!(verified < replied, "oldest first");
    assert!(dossier.contains("承诺时间表") && dossier.contains("投诉卷宗"));
    assert!(!dossier.contains("13800138040"), "the phone stays masked");
}

#[tokio::test]
async fn the_case_page_offers_the_complaint_steps_in_chinese() {
    let t = TestApp::spawn().await;
    let token = t.token("wangfang", Role::ComplaintOfficer).await;
    let (officer, _) = t.login("wangfang", PASSWORD).await;
    let c: Value = t
        .post(&token, "/api/v1/cases", complaint("13800138041"))
        .await
        .json()
        .await
        .unwrap();
    let n = c["number"].as_str().unwrap();
    let (status, html) = t.page(&officer, &format!("/cases/{n}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-step=\"first_response_sent\""), "{html}");
    assert!(html.contains("data-step=\"complaint_verified\""));
    assert!(
        !html.contains("data-step=\"complaint_replied\""),
        "answered only once verified"
    );
    assert!(html.contains("首次回应（已联系上客户）"));
    assert!(!html.contains(">resolved<"));
}
