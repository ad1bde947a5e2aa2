//! The edge every request passes: control characters refused with the field named (before
//! login too), bodies past the limit 413, and the API's own rejections in its JSON shape.

use reqwest::StatusCode;
use sanbao_domain::role::Role;
use serde_json::json;

use crate::support::{TestApp, complaint, error_of};

#[tokio::test]
async fn a_nul_in_a_login_form_is_refused_before_anything_reads_it() {
    let t = TestApp::spawn().await;
    let res = TestApp::browser()
        .post(t.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=a%00b&password=whatever-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("控制字符"), "{html}");
    assert!(
        !html.contains("username"),
        "no internal key on a Chinese page: {html}"
    );
}

#[tokio::test]
async fn control_characters_in_api_bodies_queries_and_paths_name_the_field() {
    let t = TestApp::spawn().await;
    let token = t.token("wangfang", Role::ComplaintOfficer).await;
    let mut body = complaint("13800138000");
    body["customer"]["name"] = json!("张\u{0}三");
    let (status, e) = error_of(t.post(&token, "/api/v1/cases", body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["code"], "control_character");
    assert_eq!(e["field"], "customer.name");
    assert!(
        e["message"].as_str().unwrap().contains("customer.name"),
        "{e}"
    );
    // A line break in the description is text, not a control character.
    let mut body = complaint("13800138000");
    body["description"] = json!("第一行\r\n第二行\t完");
    assert_eq!(
        t.post(&token, "/api/v1/cases", body).await.status(),
        StatusCode::CREATED
    );
    let (status, e) = error_of(t.get(&token, "/api/v1/cases?q=%00").await).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("q"))
    );
    let (status, e) = error_of(t.get(&token, "/api/v1/cases/CP-2026-%00").await).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("path"))
    );
    // Nothing half-written: the refused case is not there.
    let list: serde_json::Value = t.get(&token, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
}

#[tokio::test]
async fn an_oversized_body_is_413_and_axum_rejections_are_json() {
    let t = TestApp::spawn().await;
    let token = t.token("wangfang", Role::ComplaintOfficer).await;
    let big = format!("{{\"subject\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let res = t
        .client
        .post(t.url("/api/v1/cases"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, e) = error_of(res).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    // A method the route does not take, and a path id that is not a number.
    let res = t
        .api(&token, reqwest::Method::DELETE, "/api/v1/cases", None)
        .await;
    assert!(res.headers().contains_key("allow"));
    let (status, e) = error_of(res).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    let c = t.open_case(&token, complaint("13800138001")).await;
    let number = c["number"].as_str().unwrap();
    let res = t
        .get(&token, &format!("/api/v1/cases/{number}/attachments/abc"))
        .await;
    let (status, e) = error_of(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["code"], "bad_request");
}
