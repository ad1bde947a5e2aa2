//! HTTP suite: the real router on a random port against a fresh database.
#![allow(clippy::too_many_lines)]

mod cases;
mod complaints;
mod customers;
mod desk;
mod edge;
mod files;
mod matrix;
mod policies;
mod policy_form;
mod products;
mod repairs;
mod steps;
mod support;
mod surveys;

use reqwest::StatusCode;
use sanbao_app::Actor;
use sanbao_domain::role::Role;
use serde_json::{Value, json};
use support::{
    ADMIN_PASSWORD, CODES, PASSWORD, TestApp, a11y_problems, csrf_of, location, visible_text,
};

#[tokio::test]
async fn the_login_page_is_chinese_by_default_and_english_on_request() {
    let t = TestApp::spawn().await;
    let res = reqwest::get(t.url("/login")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("用户名") && html.contains("密码"));
    let html = reqwest::get(t.url("/login?lang=en"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("User name"));
}

#[tokio::test]
async fn pages_need_a_session() {
    let t = TestApp::spawn().await;
    let res = TestApp::browser()
        .get(t.url("/settings/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?next=/settings/users");
}

#[tokio::test]
async fn wrong_user_and_wrong_password_get_the_same_answer() {
    let t = TestApp::spawn().await;
    t.user("lina", Role::ServiceAgent).await;
    let (_, a) = t.login("nobody", "wrong-password-1").await;
    let (_, b) = t.login("lina", "wrong-password-1").await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert!(a.contains("用户名或密码错误"));
    let strip = |s: &str| s.replace(&csrf_of(s), "");
    assert_eq!(
        strip(&a).replace("nobody", ""),
        strip(&b).replace("lina", "")
    );
}

#[tokio::test]
async fn repeated_failures_are_rate_limited() {
    let t = TestApp::spawn().await;
    t.user("lina", Role::ServiceAgent).await;
    for _ in 0..5 {
        let (_, r) = t.login("lina", "wrong-password-1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, r) = t.login("lina", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("分钟后再试"));
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let desk = [("code", "CS-1"), ("name", "客服一组"), ("kind", "service")];
    let res = c
        .post(t.url("/settings/desks"))
        .form(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("表单已过期或来源不明"));
    let token = t.csrf(&c, "/settings/desks/new").await;
    let mut with = desk.to_vec();
    with.push(("_csrf", &token));
    let res = c
        .post(t.url("/settings/desks"))
        .header("origin", "http://evil.example")
        .form(&with)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a cross-site post is refused even with a token"
    );
    let wrong = [
        ("code", "CS-1"),
        ("name", "客服一组"),
        ("kind", "service"),
        ("_csrf", "00"),
    ];
    let res = c
        .post(t.url("/settings/desks"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        t.app
            .desks()
            .list(&Actor::system())
            .await
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
    let res = c
        .post(t.url("/settings/desks"))
        .form(&with)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(t.app.desks().list(&Actor::system()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_login_form_itself_needs_its_token() {
    let t = TestApp::spawn().await;
    let res = TestApp::browser()
        .post(t.url("/login"))
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site() {
    let t = TestApp::spawn().await;
    let (_, res) = t.login("admin", ADMIN_PASSWORD).await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("sanbao_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn an_administrator_creates_a_salesperson_who_signs_in() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let token = t.csrf(&c, "/settings/users/new").await;
    let form = [
        ("_csrf", token.as_str()),
        ("username", "SunLi"),
        ("display_name", "孙丽"),
        ("password", "sales-Start-2026"),
        ("roles", "salesperson"),
        ("lang", "zh-CN"),
    ];
    let res = c
        .post(t.url("/settings/users"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = c
        .get(t.url("/settings/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("sunli") && list.contains("孙丽") && list.contains("销售员"));
    let (s, res) = t.login("sunli", "sales-Start-2026").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let home = s.get(t.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    assert!(home.contains("孙丽") && home.contains("销售员"));
    // A salesperson has no settings: the page is refused in Chinese.
    let res = s.get(t.url("/settings/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("没有权限"));
}

#[tokio::test]
async fn a_refused_form_says_which_field_and_why() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let token = t.csrf(&c, "/settings/users/new").await;
    let form = [
        ("_csrf", token.as_str()),
        ("username", "王"),
        ("display_name", ""),
        ("password", "short"),
        ("lang", "zh-CN"),
    ];
    let res = c
        .post(t.url("/settings/users"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("用户名只能包含英文字母") || html.contains("用户名长度"),
        "{html}"
    );
    assert!(html.contains("请填写姓名"));
}

#[tokio::test]
async fn a_user_with_a_one_time_password_must_change_it_first() {
    let t = TestApp::spawn().await;
    let id = t.user("zhangwei", Role::ServiceAgent).await;
    let pw = t
        .app
        .users()
        .reset_password(&Actor::system(), id)
        .await
        .unwrap();
    let (c, res) = t.login("zhangwei", &pw).await;
    assert_eq!(location(&res), "/me/password");
    let res = c.get(t.url("/")).send().await.unwrap();
    assert_eq!(location(&res), "/me/password");
    let token = t.csrf(&c, "/me/password").await;
    let form = [
        ("_csrf", token.as_str()),
        ("current_password", pw.as_str()),
        ("password", "my-own-Secret-9"),
        ("password_confirm", "my-own-Secret-9"),
    ];
    let res = c
        .post(t.url("/me/password"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let home = c.get(t.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(
        home.text().await.unwrap().contains("密码已修改"),
        "the workbench says the password changed"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let token = t.csrf(&c, "/").await;
    let res = c
        .post(t.url("/logout"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
    assert_eq!(
        c.get(t.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_page_renders_for_every_demo_role() {
    let t = TestApp::spawn_with(true).await;
    // A repair, a case every role that reads cases may open.
    let repair = t
        .app
        .cases()
        .list(
            &Actor::system(),
            sanbao_app::case::CaseQuery {
                kind: Some("repair".into()),
                ..Default::default()
            },
            1,
        )
        .await
        .unwrap()
        .cases[0]
        .number
        .clone();
    let case_page = format!("/cases/{repair}");
    let pages = [
        case_page.as_str(),
        "/settings/jobs",
        "/",
        "/cases",
        "/customers",
        "/products",
        "/sales",
        "/reports",
        "/settings",
        "/me",
        "/me/password",
        "/settings/users",
        "/settings/users/new",
        "/settings/users/1",
        "/settings/roles",
        "/settings/roles/agent",
        "/settings/desks",
        "/settings/desks/new",
        "/settings/desks/1",
        "/settings/tokens",
        "/settings/audit",
        "/settings/audit?from=2026-01-01&to=2026-12-31&record_type=user",
        "/settings/calendar",
        "/settings/calendar?year=2027",
        "/settings/hours",
        "/settings/hours/1",
        "/settings/policies",
        "/settings/policies/seed",
        "/settings/policies/cn-medical-device",
        "/settings/policies/seed?event=complaint_received&at=2026-09-30T18:00",
        "/settings/policies/seed/diff?from=0&to=0",
        "/policy",
        "/cases",
        "/cases?queue=mine",
        "/cases?queue=breached&kind=complaint",
        "/cases?queue=escalated",
        "/cases?queue=all&desk=1&assignee=&from=2026-01-01&to=2026-12-31",
        "/cases/new",
        "/customers/1",
        "/customers/new",
        "/customers/1/edit",
        "/customers/1/merge?q=华康",
    ];
    for role in Role::ALL {
        let username = match role {
            Role::Administrator => "admin",
            Role::ServiceAgent => "zhangwei",
            Role::ComplaintOfficer => "wangfang",
            Role::Technician => "liuyang",
            Role::ServiceSupervisor => "zhaolei",
            Role::Salesperson => "sunli",
            Role::SalesManager => "wujun",
            Role::QualityManager => "zhengmin",
            Role::Auditor => "hegang",
        };
        let (c, res) = t.login(username, sanbao_app::setup::DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username}");
        for p in pages {
            let res = c.get(t.url(p)).send().await.unwrap();
            let s = res.status();
            assert!(
                s == StatusCode::OK || (s == StatusCode::FORBIDDEN && role != Role::Administrator),
                "{username} {p}: {s}"
            );
            let html = res.text().await.unwrap();
            let problems = a11y_problems(&html);
            assert!(problems.is_empty(), "{username} {p}: {problems:#?}");
            let text = visible_text(&html);
            for code in CODES {
                assert!(!text.contains(code), "{username} {p} shows the code {code}");
            }
        }
    }
    // The same pages in English show English, never a code.
    let (c, _) = t.login("admin", sanbao_app::setup::DEMO_PASSWORD).await;
    let csrf = t.csrf(&c, "/me").await;
    c.post(t.url("/me/lang"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    for p in pages {
        let html = c.get(t.url(p)).send().await.unwrap().text().await.unwrap();
        let text = visible_text(&html);
        assert!(!text.contains("[?]"), "{p}: a missing message");
        for code in CODES {
            assert!(!text.contains(code), "{p} shows the code {code} in English");
        }
    }
}

#[tokio::test]
async fn the_api_needs_credentials() {
    let t = TestApp::spawn().await;
    let res = reqwest::get(t.url("/api/v1/cases")).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    let res = reqwest::Client::new()
        .get(t.url("/api/v1/cases"))
        .bearer_auth("sbk_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let t = TestApp::spawn().await;
    let id = t.user("hegang", Role::Auditor).await;
    let tok = t
        .app
        .tokens()
        .create(&Actor::system(), id, "x")
        .await
        .unwrap();
    let c = reqwest::Client::new();
    let ok = c
        .get(t.url("/api/v1/me"))
        .bearer_auth(&tok.token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    t.app
        .tokens()
        .revoke(&Actor::system(), tok.id)
        .await
        .unwrap();
    let no = c
        .get(t.url("/api/v1/me"))
        .bearer_auth(&tok.token)
        .send()
        .await
        .unwrap();
    assert_eq!(no.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_role_without_the_permission_gets_403() {
    let t = TestApp::spawn().await;
    let sales = t.token("sunli", Role::Salesperson).await;
    let c = reqwest::Client::new();
    let res = c
        .get(t.url("/api/v1/cases"))
        .bearer_auth(&sales)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    let res = c
        .post(t.url("/api/v1/users"))
        .bearer_auth(&sales)
        .json(&json!({"username": "mallory", "display_name": "M"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let agent = t.token("lina", Role::ServiceAgent).await;
    let res = c
        .get(t.url("/api/v1/cases"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"items": [], "next_cursor": null}));
}

#[tokio::test]
async fn api_users_create_list_and_refuse_bad_input_as_json() {
    let t = TestApp::spawn().await;
    let admin = t.admin_token().await;
    let c = reqwest::Client::new();
    let res = c
        .post(t.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "yoshinoya", "display_name": "𠮷野家 🍜", "roles": ["agent"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["display_name"], "𠮷野家 🍜");
    assert!(body["generated_password"].as_str().unwrap().len() >= 16);
    let res = c
        .post(t.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "yoshinoya", "display_name": "again"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = c
        .post(t.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "x", "display_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "username");
    let res = c
        .post(t.url("/api/v1/users"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    let res = c
        .get(t.url("/api/v1/users?limit=0"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = c
        .get(t.url("/api/v1/users?limit=1"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let res = c
        .get(t.url(&format!("/api/v1/users?limit=1&cursor={cursor}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let page2: Value = res.json().await.unwrap();
    assert_ne!(page["items"][0]["id"], page2["items"][0]["id"]);
    let res = c
        .get(t.url("/api/v1/nothing-here"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let t = TestApp::spawn().await;
    let doc: Value = reqwest::get(t.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut listed: Vec<String> = Vec::new();
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            listed.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    listed.sort();
    assert_eq!(
        listed,
        [
            "GET /api/v1/cases",
            "GET /api/v1/cases/{number}",
            "GET /api/v1/cases/{number}/attachments",
            "GET /api/v1/cases/{number}/attachments/{id}",
            "GET /api/v1/cases/{number}/costs",
            "GET /api/v1/me",
            "GET /api/v1/products",
            "GET /api/v1/units/{serial}",
            "GET /api/v1/users",
            "PATCH /api/v1/cases/{number}",
            "POST /api/v1/cases",
            "POST /api/v1/cases/{number}/attachments",
            "POST /api/v1/cases/{number}/costs",
            "POST /api/v1/cases/{number}/exception",
            "POST /api/v1/cases/{number}/extended-service",
            "POST /api/v1/cases/{number}/notes",
            "POST /api/v1/cases/{number}/steps",
            "POST /api/v1/cases/{number}/transitions",
            "POST /api/v1/customers/{id}/reveal",
            "POST /api/v1/products",
            "POST /api/v1/units",
            "POST /api/v1/users",
            "PUT /api/v1/units/{serial}/maintenance-plan",
        ]
    );
    // Every documented route answers (401 without a token), so the document and router agree.
    for l in &listed {
        let (m, p) = l.split_once(' ').unwrap();
        let p = p.replace("{number}", "CP-2026-000001").replace("{id}", "1");
        let res = reqwest::Client::new()
            .request(m.parse().unwrap(), t.url(&p))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{l}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let t = TestApp::spawn().await;
    let res = reqwest::get(t.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(
        reqwest::get(t.url("/readyz")).await.unwrap().status(),
        StatusCode::OK
    );
    // No token, a wrong one: 401. The server's token: the figures.
    let res = reqwest::get(t.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = t
        .client
        .get(t.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let m = t
        .client
        .get(t.url("/metrics"))
        .bearer_auth(support::METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("http_requests_total"), "{m}");
    assert!(m.contains("route=\"/healthz\""), "{m}");
    assert!(m.contains("db_pool_connections"), "{m}");
    assert!(m.contains("http_request_duration_seconds"), "{m}");
}

#[tokio::test]
async fn unknown_pages_are_a_chinese_404() {
    let t = TestApp::spawn().await;
    let res = reqwest::get(t.url("/no/such/page")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("没有这个页面"));
}

#[tokio::test]
async fn the_audit_page_filters_by_record() {
    let t = TestApp::spawn().await;
    let id = t.user("zhangwei", Role::ServiceAgent).await;
    let c = t.admin().await;
    let html = c
        .get(t.url(&format!("/settings/audit?record_type=user&record_id={id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Actions by their names, never their codes; the changes in words.
    assert!(html.contains("新建用户"), "{html}");
    assert!(!html.contains("user.create"), "{html}");
    assert!(
        html.contains("角色：") && html.contains("客服专员"),
        "{html}"
    );
    assert!(!html.contains("新建角色"), "other records are filtered out");
}

#[tokio::test]
async fn malformed_page_requests_get_the_error_page() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let res = c.get(t.url("/settings/users/abc")).send().await.unwrap();
    assert!(res.status().is_client_error());
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.text().await.unwrap().contains("请求无效"));
}

#[tokio::test]
async fn after_login_only_local_paths_are_followed() {
    let t = TestApp::spawn().await;
    let (_, res) = t
        .login_then("admin", ADMIN_PASSWORD, "/\t/evil.example")
        .await;
    assert_eq!(location(&res), "/");
}

#[tokio::test]
async fn token_managers_cannot_mint_tokens_for_others() {
    let t = TestApp::spawn().await;
    let id = t.user("tokenist", Role::ServiceAgent).await;
    let roles = t.app.roles().list(&Actor::system()).await.unwrap();
    let agent = roles.iter().find(|r| r.role == Role::ServiceAgent).unwrap();
    let mut perms: Vec<String> = agent
        .permissions
        .iter()
        .map(|p| p.code().to_owned())
        .collect();
    perms.push("token.manage".into());
    t.app
        .roles()
        .set_permissions(&Actor::system(), "agent", agent.version, &perms)
        .await
        .unwrap();
    let (c, _) = t.login("tokenist", PASSWORD).await;
    let csrf = t.csrf(&c, "/settings/tokens").await;
    let admin_id = t
        .app
        .users()
        .find_id(&Actor::system(), "admin")
        .await
        .unwrap()
        .to_string();
    let res = c
        .post(t.url("/settings/tokens"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "steal"),
            ("user_id", admin_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let own = id.to_string();
    let res = c
        .post(t.url("/settings/tokens"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "mine"),
            ("user_id", own.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("sbk_"));
}

#[tokio::test]
async fn the_public_policy_page_needs_no_login() {
    let t = TestApp::spawn().await;
    let res = reqwest::get(t.url("/policy")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("公司售后服务规定"));
    assert!(html.contains("收到投诉后 24 小时内给予回应"));
}

#[tokio::test]
async fn a_company_holiday_moves_the_explained_deadline() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let explain = t.url("/settings/policies/seed?event=complaint_received&at=2026-09-30T18:00");
    let html = c.get(&explain).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("2026-10-10 24:00"), "{html}");
    let token = t.csrf(&c, "/settings/calendar").await;
    let res = c
        .post(t.url("/settings/calendar/override"))
        .form(&[
            ("_csrf", token.as_str()),
            ("date", "2026-10-09"),
            ("working", "off_duty"),
            ("note", "公司年会"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = c.get(&explain).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("2026-10-12 24:00"), "{html}");
    let res = c
        .post(t.url("/settings/calendar/override"))
        .form(&[
            ("_csrf", token.as_str()),
            ("date", "not-a-date"),
            ("working", "off_duty"),
            ("note", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("日期格式应为 YYYY-MM-DD")
    );
}

#[tokio::test]
async fn a_policy_edit_is_validated_and_versioned() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let token = t.csrf(&c, "/settings/policies/seed").await;
    let seed = sanbao_domain::policy::PRESETS[0].1;
    let bad = seed.replace("n = 24", "n = 0");
    let res = c
        .post(t.url("/settings/policies/seed"))
        .form(&[
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("body", bad.as_str()),
            ("note", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("clock[4].n") && html.contains("行"), "{html}");
    let good = seed.replace("n = 24", "n = 12");
    let res = c
        .post(t.url("/settings/policies/seed"))
        .form(&[
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("body", good.as_str()),
            ("note", "12 小时"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let diff = c
        .get(t.url("/settings/policies/seed/diff?from=0&to=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(diff.contains("n = 12") && diff.contains("n = 24"));
    // The public page promises what is in force now (it kept saying 24 小时).
    let public = reqwest::get(t.url("/policy"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("收到投诉后 12 小时内给予回应"), "{public}");
    assert!(!public.contains("24 小时"), "{public}");
    // A second save from the stale version is refused.
    let res = c
        .post(t.url("/settings/policies/seed"))
        .form(&[
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("body", good.as_str()),
            ("note", "again"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

/// The queue page filters by desk, assignee and received dates; a bad filter value is a clear
/// 400, not an empty list.
#[tokio::test]
async fn the_queue_page_filters_by_desk_assignee_and_dates() {
    let t = TestApp::spawn_with(true).await;
    let (c, _) = t.login("zhaolei", sanbao_app::setup::DEMO_PASSWORD).await;
    let page = |p: &'static str| {
        let c = c.clone();
        let url = t.url(p);
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, all) = page("/cases?queue=all&state=closed").await;
    assert_eq!(s, StatusCode::OK);
    assert!(all.contains("name=\"numbers\""), "rows listed");
    // Demo cases were all received within the last sixty days, none in 2020.
    let (s, old) = page("/cases?queue=all&state=closed&from=2020-01-01&to=2020-12-31").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!old.contains("name=\"numbers\""), "no rows");
    let wangfang = t
        .app
        .users()
        .find_id(&sanbao_app::Actor::system(), "wangfang")
        .await
        .unwrap();
    let url = format!("/cases?queue=all&assignee={wangfang}");
    let r = c.get(t.url(&url)).send().await.unwrap();
    let mine = r.text().await.unwrap();
    assert!(mine.contains("<td class=\"nowrap c-assignee\">王芳</td>"));
    assert!(
        !mine.contains("<td class=\"nowrap c-assignee\">张伟</td>"),
        "only the chosen assignee's cases"
    );
    let (s, body) = page("/cases?from=2026-13-01").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("日期格式应为 YYYY-MM-DD"));
    let (s, _) = page("/cases?desk=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, esc) = page("/cases?queue=escalated").await;
    assert_eq!(s, StatusCode::OK);
    assert!(esc.contains("已升级"));
}

/// A customer's phone and address are masked on every page, for every role; a role with the
/// personal-data permission may reveal them with an explicit action, from the card or the case
/// page, and each reveal is an audit entry naming who, whose, which fields and the case. The
/// auditor and the quality manager have no such action and are refused it.
#[tokio::test]
async fn personal_data_is_masked_and_revealed_only_by_an_audited_action() {
    let t = TestApp::spawn().await;
    let officer = t.token("wangfang", Role::ComplaintOfficer).await;
    let mut body = support::complaint("13800138066");
    body["customer"]["address"] = json!("上海市浦东新区张江路88号");
    body["kind"] = json!("repair");
    let c = t.open_case(&officer, body).await;
    let number = c["number"].as_str().unwrap().to_owned();
    let case = t
        .app
        .cases()
        .get(&Actor::system(), &number)
        .await
        .unwrap()
        .case;
    let customer = case.customer.id.0;
    let card = format!("/customers/{customer}");
    for (user, role, may) in [
        ("hegang", Role::Auditor, false),
        ("sunli", Role::QualityManager, false),
        ("liuyang", Role::Technician, true),
    ] {
        t.user(user, role).await;
        let (client, _) = t.login(user, PASSWORD).await;
        let html = client
            .get(t.url(&card))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("张江路88号") && !html.contains("13800138066"),
            "{user}: {html}"
        );
        assert!(
            html.contains("上海市浦东新") && html.contains("138****8066"),
            "{user}: {html}"
        );
        assert_eq!(html.contains("data-testid=\"reveal\""), may, "{user}");
        let token = support::csrf_of(&html);
        let res = client
            .post(t.url(&format!("{card}/reveal")))
            .form(&[("_csrf", token.as_str()), ("case", number.as_str())])
            .send()
            .await
            .unwrap();
        if !may {
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{user}");
            continue;
        }
        assert_eq!(res.status(), StatusCode::OK);
        let shown = res.text().await.unwrap();
        assert!(
            shown.contains("张江路88号") && shown.contains("13800138066"),
            "{shown}"
        );
        assert!(shown.contains("已记入审计日志"), "{shown}");
        // The case page offers the same action to the technician.
        let page = client
            .get(t.url(&format!("/cases/{number}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("138****8066") && page.contains("data-testid=\"reveal\""));
    }
    let entries = t
        .app
        .audit()
        .list(
            &Actor::system(),
            sanbao_app::admin::audit::AuditQuery {
                record_type: Some("customer".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(entries.len(), 1, "one reveal, by the technician");
    assert_eq!(entries[0].action, "customer.reveal");
    assert_eq!(entries[0].actor_name, "liuyang");
    let changes: Value = serde_json::from_str(&entries[0].changes).unwrap();
    assert_eq!(changes["fields"], json!(["phone", "contacts", "address"]));
    assert_eq!(changes["case"], json!(number));
    // The API: the same action, audited; a case of another customer is refused.
    let tech = t.token("liuyang2", Role::Technician).await;
    let res = t
        .post(
            &tech,
            &format!("/api/v1/customers/{customer}/reveal"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let whole: Value = res.json().await.unwrap();
    assert_eq!(whole["phone"], "13800138066");
    let auditor = t.token("hegang2", Role::Auditor).await;
    let res = t
        .post(
            &auditor,
            &format!("/api/v1/customers/{customer}/reveal"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let other = t
        .open_case(&officer, support::complaint("13800138067"))
        .await;
    let res = t
        .post(
            &tech,
            &format!(
                "/api/v1/customers/{customer}/reveal?case={}",
                other["number"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// The customer list: newest first, by the start of a name, or by phone (whole numbers only
/// for roles that see masked phones).
#[tokio::test]
async fn the_customer_list_finds_by_name_and_phone() {
    let t = TestApp::spawn_with(true).await;
    let (admin, _) = t.login("admin", sanbao_app::setup::DEMO_PASSWORD).await;
    let get = |c: reqwest::Client, p: String| {
        let url = t.url(&p);
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, all) = get(admin.clone(), "/customers".into()).await;
    assert_eq!(s, StatusCode::OK);
    let rows = all.matches("href=\"/customers/").count();
    assert!(
        all.contains("href=\"/customers/new\""),
        "a new-customer link"
    );
    // Besides the rows: the new-customer and import links.
    assert_eq!(rows - 2, 50, "a full first page");
    assert!(all.contains("before="), "a next page");
    let (_, wang) = get(admin.clone(), format!("/customers?q={}", "%E7%8E%8B")).await;
    let names: Vec<&str> = wang
        .split("href=\"/customers/")
        .skip(1)
        .filter(|s| !s.starts_with("new\"") && !s.starts_with("import\""))
        .filter_map(|s| s.split('>').nth(1))
        .filter_map(|s| s.split('<').next())
        .collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n.starts_with('王')), "{names:?}");
    // Lists show phones masked, for every role.
    assert!(all.contains("****"));
    let newest = t
        .app
        .customers()
        .list(&Actor::system(), "", None, 1)
        .await
        .unwrap()
        .customers
        .remove(0);
    let phone = t
        .app
        .customers()
        .reveal(&Actor::system(), newest.id, None)
        .await
        .unwrap()
        .phone;
    assert!(!all.contains(&phone), "no whole number in the list");
    let (_, by_phone) = get(admin.clone(), format!("/customers?q={}", &phone[..5])).await;
    assert!(
        by_phone.contains(&newest.phone_shown),
        "found by the start of the number"
    );
    // The auditor sees phones masked.
    let (agent, _) = t.login("hegang", sanbao_app::setup::DEMO_PASSWORD).await;
    let (s, masked) = get(agent.clone(), format!("/customers?q={}", &phone[..5])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(masked.contains("请输入完整的手机号"));
    assert!(!masked.contains("href=\"/customers/"));
    let (_, whole) = get(agent, format!("/customers?q={phone}")).await;
    assert_eq!(whole.matches("href=\"/customers/").count(), 1);
    assert!(
        !whole.contains(&format!("<td class=\"nowrap\">{phone}</td>")),
        "the auditor sees the phone masked"
    );
    let (s, _) = get(admin, "/customers?before=x".into()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_assets_are_cached_by_content() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let page = c.get(t.url("/cases")).send().await.unwrap();
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    let api = reqwest::get(t.url("/api/v1/cases")).await.unwrap();
    let missing = reqwest::get(t.url("/no-such-page")).await.unwrap();
    for h in [&headers, api.headers(), missing.headers()] {
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
    }
    // The page names its script and stylesheet by their content's digest.
    let href = |ext: &str| {
        html.split('"')
            .find(|s| s.starts_with("/static/app.") && s.ends_with(ext))
            .unwrap_or_else(|| panic!("no {ext} in the page"))
            .to_owned()
    };
    for (path, kind) in [(href(".css"), "text/css"), (href(".js"), "text/javascript")] {
        assert!(path.len() > "/static/app..css".len() + 8, "{path}");
        let res = reqwest::get(t.url(&path)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        let cache = res.headers()["cache-control"].to_str().unwrap();
        assert!(
            cache.contains("max-age=31536000") && cache.contains("immutable"),
            "{cache}"
        );
    }
    let stale = reqwest::get(t.url("/static/app.0000000000.css"))
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    assert!(!html.contains("javascript:"));
}

#[tokio::test]
async fn errors_are_in_the_readers_language_and_tied_to_their_fields() {
    let t = TestApp::spawn().await;
    t.user("lina", Role::ServiceAgent).await;
    let (c, _) = t.login("lina", PASSWORD).await;
    let csrf = t.csrf(&c, "/cases/new").await;
    let bad = [
        ("_csrf", csrf.as_str()),
        ("kind", "complaint"),
        ("channel", "phone"),
        ("customer_phone", "12345"),
        ("customer_name", ""),
        ("subject", "屏幕漏液"),
    ];
    let res = c.post(t.url("/cases")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("请填写客户姓名/名称"), "Chinese by default");
    assert!(html.contains(
        r#"name="customer_phone" aria-invalid="true" aria-describedby="err-customer-phone""#
    ));
    assert!(html.contains(r#"id="err-customer-phone""#));
    // The same form for someone who reads English.
    let csrf = t.csrf(&c, "/me").await;
    c.post(t.url("/me/lang"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let csrf = t.csrf(&c, "/cases/new").await;
    let mut bad = bad;
    bad[0].1 = csrf.as_str();
    let html = c
        .post(t.url("/cases"))
        .form(&bad)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Customer name is required"), "{html}");
    assert!(html.contains("Not a phone number"));
    assert!(!html.contains("请填写"));
}

#[tokio::test]
async fn a_fault_shows_the_request_id_to_quote() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    // The database goes away under the running server.
    t.app.store.close().await;
    let res = c.get(t.url("/cases")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let html = res.text().await.unwrap();
    assert!(id.len() >= 8 && html.contains(&id), "{id}: {html}");
}

/// An agent who logs a complaint (which goes to the complaint department) ends on the receipt
/// with the number and the promised deadlines, never on a 404; the case page stays private.
#[tokio::test]
async fn intake_ends_on_a_receipt_even_for_a_case_the_agent_may_not_open() {
    let t = TestApp::spawn().await;
    t.user("lina", Role::ServiceAgent).await;
    let (c, _) = t.login("lina", PASSWORD).await;
    let csrf = t.csrf(&c, "/cases/new").await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("kind", "complaint"),
        ("channel", "phone"),
        ("customer_phone", "13912345678"),
        ("customer_name", "李先生"),
        ("subject", "空调维修后仍漏水"),
    ];
    let res = c.post(t.url("/cases")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("/receipt"), "{to}");
    let number = to
        .trim_start_matches("/cases/")
        .trim_end_matches("/receipt")
        .to_owned();
    let html = c
        .get(t.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&number), "{html}");
    assert!(html.contains("您的投诉已受理"), "{html}");
    assert!(
        html.contains("前与您联系"),
        "the 24-hour first response is promised: {html}"
    );
    assert!(!html.contains("data-testid=\"receipt-open\""));
    let page = c
        .get(t.url(&format!("/cases/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    // Before logging the next one, the form warns of it: by number, without its subject.
    let open = |phone: &str, kind: &str| {
        let url = t.url(&format!("/cases/customers/open?phone={phone}&kind={kind}"));
        let c = c.clone();
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let dups = open("139 1234 5678", "complaint").await;
    assert_eq!(dups[0]["number"], number.as_str(), "{dups}");
    assert!(dups[0]["subject"].is_null(), "{dups}");
    assert_eq!(open("13912345678", "repair").await, json!([]));
    assert_eq!(
        open("139123", "complaint").await,
        json!([]),
        "a prefix finds nothing"
    );
    // Another agent gets no receipt of it.
    t.user("zhangwei", Role::ServiceAgent).await;
    let (other, _) = t.login("zhangwei", PASSWORD).await;
    let res = other.get(t.url(&to)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// The API reference is the OpenAPI document as a page: every operation and data shape, in
/// the reader's language, with no script beyond Sanbao's own.
#[tokio::test]
async fn the_api_reference_page_lists_every_operation_of_the_document() {
    let t = TestApp::spawn().await;
    let doc: Value = reqwest::get(t.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = reqwest::get(t.url("/api/docs")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("API 参考"));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let shown = format!(
                "<span class=\"method {m}\">{m}</span> <code>{path}</code>",
                m = method.to_uppercase()
            );
            assert!(html.contains(&shown), "{method} {path} is not on the page");
        }
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(html.contains(&format!("id=\"shape-{name}\"")), "{name}");
    }
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(
        scripts.iter().all(|s| s.contains("/static/")),
        "{scripts:?}"
    );
    assert!(
        a11y_problems(&html).is_empty(),
        "{:?}",
        a11y_problems(&html)
    );
    // The token page links to it.
    let c = t.admin().await;
    let tokens = c.get(t.url("/settings/tokens")).send().await.unwrap();
    assert!(tokens.text().await.unwrap().contains("href=\"/api/docs\""));
}

/// The administrator's workbench lists the first-run steps, each ticked by what exists: the
/// company name set on /settings ticks its step and shows on the public policy page.
#[tokio::test]
async fn the_first_run_checklist_ticks_itself_off() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let (_, home) = t.page(&c, "/").await;
    assert!(home.contains("data-testid=\"checklist\""), "{home}");
    let todo = |html: &str| html.matches("<li class=\"todo\"").count();
    let before = todo(&home);
    assert!(before >= 5, "a fresh database has most steps left: {home}");
    assert!(home.contains("href=\"/settings#company\""));
    // A name that is too long is refused on its field, nothing saved.
    let long = "公".repeat(61);
    let res = t
        .post_form(
            &c,
            "/settings",
            "/settings/company",
            &[("company_name", &long)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"err-company_name\"")
    );
    let name = [("company_name", "福州百盛医疗器械有限公司")];
    let res = t
        .post_form(&c, "/settings", "/settings/company", &name)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, home) = t.page(&c, "/").await;
    assert_eq!(todo(&home), before - 1, "{home}");
    assert!(!home.contains("href=\"/settings#company\""));
    let public = reqwest::get(t.url("/policy"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("福州百盛医疗器械有限公司"));
    // The demo data set has its desks, staff and customers: those steps are ticked.
    let demo = TestApp::spawn_with(true).await;
    let (c, _) = demo.login("admin", sanbao_app::setup::DEMO_PASSWORD).await;
    let home = c
        .get(demo.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(home.matches("<li class=\"done\"").count(), 3, "{home}");
}
