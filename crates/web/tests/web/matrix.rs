//! The authorization matrix: every route (pages found in the source, API routes in the OpenAPI
//! document) × every role and no login, each with the answer it must get, and no whole phone
//! number of any customer in any answer. A route added without an entry here fails the test.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use sanbao_app::Actor;
use sanbao_app::setup::DEMO_PASSWORD;
use sanbao_domain::role::{Permission, Role};
use serde_json::Value;

use crate::support::{TestApp, csrf_of};

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    Signed,
    /// Signed in with any of these permissions.
    Any(&'static [Permission]),
    /// Signed in with all of these.
    All(&'static [Permission]),
    /// `/metrics`: its own token, no staff login.
    MetricsToken,
    /// `POST /login`: anyone; wrong or missing credentials are 401, a missing form token 403.
    Login,
    /// A form for customers without a login (the survey): anyone; the form's token is the
    /// double-submit cookie its page sets, so without that page first it is 403.
    PublicForm,
    /// Signed in with any of these; others are told the record does not exist (404), as for
    /// a complaint they may not see.
    Hidden(&'static [Permission]),
}

use Need::*;
use Permission as P;

/// Who reads the catalogue and the units.
const READERS: &[Permission] = &[
    P::CaseRead,
    P::ProductManage,
    P::QualityManage,
    P::SalesWork,
];
/// Who registers a sold unit.
const UNIT_WRITERS: &[Permission] = &[P::CaseWrite, P::ProductManage, P::SalesWork];

/// `(method, route, need)`; the route as registered, with its parameters in braces.
const MATRIX: &[(&str, &str, Need)] = &[
    ("GET", "/", Signed),
    ("GET", "/login", Public),
    ("POST", "/login", Login),
    ("POST", "/logout", Signed),
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", MetricsToken),
    ("GET", "/policy", Public),
    ("GET", "/api/docs", Public),
    ("GET", "/static/{name}", Public),
    ("GET", "/me", Signed),
    ("POST", "/me/lang", Signed),
    ("GET", "/me/password", Signed),
    ("POST", "/me/password", Signed),
    ("POST", "/notifications/read", Signed),
    ("GET", "/products", Any(READERS)),
    ("POST", "/products", All(&[P::ProductManage])),
    ("GET", "/products/units", Any(READERS)),
    ("POST", "/products/units", Any(UNIT_WRITERS)),
    ("GET", "/products/import", Signed),
    ("POST", "/products/import", All(&[P::ProductManage])),
    ("POST", "/products/units/import", Any(UNIT_WRITERS)),
    ("POST", "/products/units/{serial}/plan", Any(UNIT_WRITERS)),
    ("GET", "/products/import/template", Signed),
    ("GET", "/products/units/import/template", Signed),
    ("GET", "/customers/import", Signed),
    ("POST", "/customers/import", All(&[P::CustomerWrite])),
    ("GET", "/customers/import/template", Signed),
    ("GET", "/api/v1/products", Any(READERS)),
    ("POST", "/api/v1/products", All(&[P::ProductManage])),
    ("POST", "/api/v1/units", Any(UNIT_WRITERS)),
    ("GET", "/api/v1/units/{serial}", Any(READERS)),
    (
        "PUT",
        "/api/v1/units/{serial}/maintenance-plan",
        Any(UNIT_WRITERS),
    ),
    ("POST", "/api/v1/cases/{number}/steps", Any(&[P::CaseWrite])),
    ("POST", "/api/v1/cases/{number}/costs", Any(&[P::CaseWrite])),
    ("GET", "/api/v1/cases/{number}/costs", Any(&[P::CaseRead])),
    ("GET", "/sales", Signed),
    ("GET", "/reports", Signed),
    ("GET", "/cases", Any(&[P::CaseRead])),
    ("POST", "/cases", Any(&[P::CaseWrite])),
    ("GET", "/cases/new", Any(&[P::CaseWrite])),
    ("GET", "/cases/customers", Any(&[P::CustomerRead])),
    ("GET", "/cases/customers/open", Any(&[P::CaseWrite])),
    ("GET", "/cases/{number}", Any(&[P::CaseRead])),
    // The receipt is also shown to whoever logged the case, for a while, whatever their role.
    ("GET", "/cases/{number}/receipt", Hidden(&[P::CaseRead])),
    ("POST", "/cases/{number}/transition", Any(&[P::CaseWrite])),
    ("POST", "/cases/{number}/note", Any(&[P::CaseWrite])),
    // An empty step: a technician may record field steps only on a case dispatched to them.
    ("POST", "/cases/{number}/step", Any(&[P::CaseWrite])),
    ("POST", "/cases/{number}/costs", Any(&[P::CaseWrite])),
    ("GET", "/cases/{number}/repair-report", Any(&[P::CaseRead])),
    ("GET", "/cases/{number}/dossier", Any(&[P::CaseRead])),
    ("GET", "/survey/{number}/{token}", Public),
    ("POST", "/survey/{number}/{token}", PublicForm),
    ("GET", "/field", Any(&[P::FieldService])),
    ("GET", "/claims", Any(&[P::CaseSupervise])),
    ("POST", "/claims/{id}", Any(&[P::CaseSupervise])),
    ("GET", "/field/{number}", Any(&[P::CaseRead])),
    // A multipart form (the signature); who may not record a step is refused before it is read.
    (
        "POST",
        "/field/{number}/step",
        Any(&[P::FieldService, P::CaseWrite]),
    ),
    ("POST", "/cases/{number}/exception", Any(&[P::CaseWrite])),
    // An empty form moves the case to nobody: a reassignment (taking an unassigned case for
    // oneself needs case.write only; `cases.rs` tests that).
    ("POST", "/cases/{number}/assign", Any(&[P::CaseAssign])),
    ("POST", "/cases/{number}/tags", Any(&[P::CaseWrite])),
    ("POST", "/cases/bulk-assign", Any(&[P::CaseWrite])),
    // The supervisor's desk: acknowledging is theirs; reassigning in place is an assignment.
    (
        "POST",
        "/desk/{number}/acknowledge",
        Any(&[P::CaseSupervise]),
    ),
    ("POST", "/desk/{number}/reassign", Any(&[P::CaseAssign])),
    (
        "GET",
        "/cases/{number}/attachments/{id}",
        Any(&[P::CaseRead]),
    ),
    (
        "GET",
        "/cases/{number}/attachments/{id}/thumbnail",
        Any(&[P::CaseRead]),
    ),
    ("POST", "/cases/filters", Any(&[P::CaseRead])),
    ("POST", "/cases/filters/{id}/delete", Any(&[P::CaseRead])),
    ("GET", "/customers", Any(&[P::CustomerRead])),
    ("POST", "/customers", Any(&[P::CustomerWrite])),
    ("GET", "/customers/new", Any(&[P::CustomerWrite])),
    ("GET", "/customers/{id}", Any(&[P::CustomerRead])),
    (
        "GET",
        "/customers/{id}/edit",
        All(&[P::CustomerWrite, P::PersonalData]),
    ),
    (
        "POST",
        "/customers/{id}/edit",
        All(&[P::CustomerWrite, P::PersonalData]),
    ),
    (
        "GET",
        "/customers/{id}/merge",
        All(&[P::CustomerRead, P::CustomerWrite]),
    ),
    ("POST", "/customers/{id}/merge", All(&[P::CustomerWrite])),
    (
        "POST",
        "/customers/{id}/reveal",
        All(&[P::CustomerRead, P::PersonalData]),
    ),
    // Everyone signed in may read the calendar and the policies in force.
    ("GET", "/settings", Signed),
    ("GET", "/settings/users", Any(&[P::UserManage])),
    ("POST", "/settings/users", Any(&[P::UserManage])),
    ("GET", "/settings/users/new", Any(&[P::UserManage])),
    ("GET", "/settings/users/{id}", Any(&[P::UserManage])),
    ("POST", "/settings/users/{id}", Any(&[P::UserManage])),
    (
        "POST",
        "/settings/users/{id}/reset-password",
        Any(&[P::UserManage]),
    ),
    (
        "GET",
        "/settings/roles",
        Any(&[P::RoleManage, P::UserManage]),
    ),
    (
        "GET",
        "/settings/roles/{code}",
        Any(&[P::RoleManage, P::UserManage]),
    ),
    ("POST", "/settings/roles/{code}", Any(&[P::RoleManage])),
    ("GET", "/settings/desks", Any(&[P::DeskManage])),
    ("POST", "/settings/desks", Any(&[P::DeskManage])),
    ("GET", "/settings/desks/new", Any(&[P::DeskManage])),
    ("GET", "/settings/desks/{id}", Any(&[P::DeskManage])),
    ("POST", "/settings/desks/{id}", Any(&[P::DeskManage])),
    ("GET", "/settings/hours", Any(&[P::DeskManage])),
    ("GET", "/settings/hours/{desk}", Any(&[P::DeskManage])),
    ("POST", "/settings/hours/{desk}", Any(&[P::DeskManage])),
    ("GET", "/settings/tokens", Any(&[P::TokenManage])),
    ("POST", "/settings/tokens", Any(&[P::TokenManage])),
    (
        "POST",
        "/settings/tokens/{id}/revoke",
        Any(&[P::TokenManage]),
    ),
    ("GET", "/settings/audit", Any(&[P::AuditRead])),
    ("GET", "/settings/calendar", Signed),
    (
        "POST",
        "/settings/calendar/override",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/calendar/override/delete",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/calendar/import",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/calendar/notice",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/calendar/notice/load",
        Any(&[P::SettingsManage]),
    ),
    ("POST", "/settings/company", Any(&[P::SettingsManage])),
    ("GET", "/settings/policies", Signed),
    ("POST", "/settings/policies", Any(&[P::SettingsManage])),
    ("GET", "/settings/policies/{name}", Signed),
    (
        "POST",
        "/settings/policies/{name}",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/policies/{name}/form",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/policies/{name}/activate",
        Any(&[P::SettingsManage]),
    ),
    (
        "POST",
        "/settings/policies/{name}/in-force",
        Any(&[P::SettingsManage]),
    ),
    ("GET", "/settings/policies/{name}/diff", Signed),
    ("GET", "/settings/jobs", Any(&[P::SettingsManage])),
    (
        "POST",
        "/settings/jobs/{id}/retry",
        Any(&[P::SettingsManage]),
    ),
    // The API (bearer tokens).
    ("GET", "/api/v1/me", Signed),
    ("GET", "/api/v1/cases", Any(&[P::CaseRead])),
    ("POST", "/api/v1/cases", Any(&[P::CaseWrite])),
    ("GET", "/api/v1/cases/{number}", Any(&[P::CaseRead])),
    ("PATCH", "/api/v1/cases/{number}", Any(&[P::CaseWrite])),
    (
        "POST",
        "/api/v1/cases/{number}/transitions",
        Any(&[P::CaseWrite]),
    ),
    ("POST", "/api/v1/cases/{number}/notes", Any(&[P::CaseWrite])),
    (
        "POST",
        "/api/v1/cases/{number}/exception",
        Any(&[P::CaseWrite]),
    ),
    (
        "POST",
        "/api/v1/cases/{number}/extended-service",
        Any(&[P::CaseWrite]),
    ),
    (
        "GET",
        "/api/v1/cases/{number}/attachments",
        Any(&[P::CaseRead]),
    ),
    (
        "POST",
        "/api/v1/cases/{number}/attachments",
        Any(&[P::CaseWrite]),
    ),
    (
        "GET",
        "/api/v1/cases/{number}/attachments/{id}",
        Any(&[P::CaseRead]),
    ),
    (
        "POST",
        "/api/v1/customers/{id}/reveal",
        All(&[P::CustomerRead, P::PersonalData]),
    ),
    ("GET", "/api/v1/users", Any(&[P::UserManage])),
    ("POST", "/api/v1/users", Any(&[P::UserManage])),
];

/// Routes that answer 404 to a caller who may use them, because the test names no such record
/// (an attachment, a saved filter, a token, a job, a user to reset: acting on a real one would
/// change what the other rows of the matrix see).
const ABSENT: &[&str] = &[
    "/cases/{number}/attachments/{id}",
    "/cases/{number}/attachments/{id}/thumbnail",
    "/cases/filters/{id}/delete",
    "/settings/tokens/{id}/revoke",
    "/settings/jobs/{id}/retry",
    "/settings/users/{id}/reset-password",
    "/api/v1/cases/{number}/attachments/{id}",
    "/api/v1/units/{serial}",
    "/api/v1/units/{serial}/maintenance-plan",
    "/products/units/{serial}/plan",
    // The matrix names no signed survey link.
    "/survey/{number}/{token}",
    // The matrix's case is no repair with a report.
    "/cases/{number}/repair-report",
];

/// The page routes registered in the web crate's source (`.route("…", get(…).post(…))`).
fn page_routes() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for part in text.split(".route(\"").skip(1) {
                let Some((path, rest)) = part.split_once('"') else {
                    continue;
                };
                let call = rest.lines().next().unwrap_or("");
                for m in ["get", "post", "put", "patch", "delete"] {
                    if call.contains(&format!("{m}(")) {
                        out.insert((m.to_uppercase(), path.to_owned()));
                    }
                }
            }
        }
    }
    out
}

fn allowed(need: Need, perms: Option<&BTreeSet<Permission>>) -> bool {
    match (need, perms) {
        (Public | Login | PublicForm, _) => true,
        (MetricsToken, _) => false,
        (_, None) => false,
        (Signed, Some(_)) => true,
        (Any(ps) | Hidden(ps), Some(have)) => ps.iter().any(|p| have.contains(p)),
        (All(ps), Some(have)) => ps.iter().all(|p| have.contains(p)),
    }
}

/// A route with its parameters filled in.
fn concrete(route: &str, number: &str, customer: i64, asset: &str) -> String {
    route
        .replace("{number}", number)
        .replace("/customers/{id}", &format!("/customers/{customer}"))
        .replace(
            "/settings/users/{id}/reset-password",
            "/settings/users/999999/reset-password",
        )
        .replace("/settings/users/{id}", "/settings/users/1")
        .replace("{code}", "agent")
        .replace("/settings/desks/{id}", "/settings/desks/1")
        .replace("{desk}", "1")
        .replace("{name}", "seed")
        .replace("/static/seed", asset)
        .replace("{id}", "999999")
}

/// The demo's users, one per role.
const DEMO_ROLES: [(&str, Role); 9] = [
    ("admin", Role::Administrator),
    ("zhangwei", Role::ServiceAgent),
    ("wangfang", Role::ComplaintOfficer),
    ("liuyang", Role::Technician),
    ("zhaolei", Role::ServiceSupervisor),
    ("sunli", Role::Salesperson),
    ("wujun", Role::SalesManager),
    ("zhengmin", Role::QualityManager),
    ("hegang", Role::Auditor),
];

/// The links of a page's main navigation.
fn menu_links(html: &str) -> Vec<String> {
    let nav = html
        .split("<nav class=\"main\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .expect("a page with the main navigation");
    nav.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// No role is offered a menu entry that answers 403: what the menu shows, opens.
#[tokio::test]
async fn every_menu_entry_a_role_sees_opens() {
    let t = TestApp::spawn_with(true).await;
    for (user, _) in DEMO_ROLES {
        let (c, res) = t.login(user, DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{user} signs in");
        let home = c
            .get(t.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let links = menu_links(&home);
        assert!(links.contains(&"/".to_owned()), "{user}: {links:?}");
        for href in links {
            let status = c.get(t.url(&href)).send().await.unwrap().status();
            assert_eq!(status, StatusCode::OK, "{user}'s menu entry {href}");
        }
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_designed_and_no_answer_holds_a_whole_phone() {
    let t = TestApp::spawn_with(true).await;
    let system = Actor::system();
    // Every route has an entry, and every entry is a route.
    let mut routes = page_routes();
    let doc: Value = reqwest::get(t.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for m in ops.as_object().unwrap().keys() {
            routes.insert((m.to_uppercase(), path.clone()));
        }
    }
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = routes.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes without an entry in the matrix: {missing:?}"
    );
    assert!(stale.is_empty(), "entries for no route: {stale:?}");

    // A case every case reader may see (not a complaint), and its customer.
    let page = t
        .app
        .cases()
        .list(&system, Default::default(), 100)
        .await
        .unwrap();
    let case = page
        .cases
        .iter()
        .find(|c| c.record.kind != sanbao_domain::case::Kind::Complaint)
        .expect("a demo case that is not a complaint");
    let number = case.record.number.clone();
    let customer = case.customer.id.0;
    // Every customer's whole phone: none may appear in any answer.
    let mut phones = Vec::new();
    for c in t
        .app
        .customers()
        .list(&system, "", None, 500)
        .await
        .unwrap()
        .customers
    {
        let row = sanbao_store::customer::customer(&t.db.store, c.id.0)
            .await
            .unwrap()
            .unwrap();
        phones.push(row.phone);
    }

    // An asset by the content-hashed name the pages link to.
    let login = reqwest::get(t.url("/login"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let asset = login
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/static/"))
        .expect("the login page links a stylesheet")
        .to_owned();
    let roles = DEMO_ROLES;
    let mut wrong = Vec::new();
    let mut checked = 0;
    for actor in std::iter::once(None).chain(roles.iter().map(Some)) {
        let perms = actor.map(|(_, r)| r.default_permissions());
        let who = actor.map_or("(no login)", |(u, _)| u);
        let (client, token) = match actor {
            Some((user, role)) => {
                let (c, _) = t.login(user, DEMO_PASSWORD).await;
                let token = t.token(&format!("api_{user}"), *role).await;
                (c, Some(token))
            }
            None => (
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap(),
                None,
            ),
        };
        let csrf = match actor {
            Some(_) => {
                let home = client
                    .get(t.url("/me"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                csrf_of(&home)
            }
            None => String::new(),
        };
        // Logging out ends the session the other rows use: last.
        let mut rows: Vec<_> = MATRIX.iter().collect();
        rows.sort_by_key(|(_, p, _)| *p == "/logout");
        for (method, route, need) in rows {
            let path = concrete(route, &number, customer, &asset);
            let api = route.starts_with("/api/");
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = client.request(m.clone(), t.url(&path));
            if api {
                req = reqwest::Client::new().request(m, t.url(&path));
                if let Some(tok) = &token {
                    req = req.bearer_auth(tok);
                }
                if *method != "GET" {
                    req = req.json(&serde_json::json!({}));
                }
            } else if *method == "POST" {
                req = req.form(&[("_csrf", csrf.as_str())]);
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            checked += 1;
            let may = allowed(*need, perms.as_ref());
            let ok = if status.is_server_error() {
                false
            } else if matches!(need, Login | PublicForm) {
                true
            } else if may {
                !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                    && (status != StatusCode::NOT_FOUND || ABSENT.contains(route))
            } else if actor.is_none() || matches!(need, MetricsToken) {
                match (api || matches!(need, MetricsToken), *method) {
                    (true, _) => status == StatusCode::UNAUTHORIZED,
                    (false, "GET") => status == StatusCode::SEE_OTHER,
                    // A form post without a session has no CSRF token to match.
                    (false, _) => matches!(status, StatusCode::SEE_OTHER | StatusCode::FORBIDDEN),
                }
            } else {
                status == StatusCode::FORBIDDEN
                    || (matches!(need, Hidden(_)) && status == StatusCode::NOT_FOUND)
                    // No such record: the same answer as for anyone.
                    || (ABSENT.contains(route) && status == StatusCode::NOT_FOUND)
                    // An API body is read before the use case checks the role: an unreadable
                    // one is 400 for everyone (a readable one is 403).
                    || (api && *method != "GET" && status == StatusCode::BAD_REQUEST)
            };
            if !ok {
                wrong.push(format!(
                    "{who}: {method} {path} → {status} (allowed: {may})"
                ));
            }
            // Only the reveal action and the card's edit form (an audited reveal) answer with
            // the whole number.
            let reveals =
                route.ends_with("/reveal") || (route.ends_with("/edit") && *method == "GET");
            if !reveals && let Some(p) = phones.iter().find(|p| body.contains(p.as_str())) {
                wrong.push(format!("{who}: {method} {path} shows the whole phone {p}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} answers not as designed:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
