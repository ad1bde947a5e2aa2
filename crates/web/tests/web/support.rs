//! The suite's one test server: the real router on a random port against a fresh database,
//! with typed helpers for the browser (session, CSRF token) and the API (bearer token).

use std::net::SocketAddr;

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use sanbao_app::admin::users::CreateUser;
use sanbao_app::{Actor, App, AppConfig};
use sanbao_domain::UserId;
use sanbao_domain::role::Role;
use sanbao_store::testing::TestDb;
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "root-Passw0rd-2026";
pub const PASSWORD: &str = "correct-horse-42";

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub db: TestDb,
    /// A plain client for API calls.
    pub client: reqwest::Client,
}

/// The bearer token the test server's `/metrics` asks for.
pub const METRICS_TOKEN: &str = "metrics-test-token";

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(false).await
    }

    pub async fn spawn_with(demo: bool) -> TestApp {
        let db = TestDb::new().await;
        let app = App::new(
            db.store.clone(),
            AppConfig {
                files_dir: db.files_dir.clone(),
                ..AppConfig::default()
            },
        );
        app.setup().prepare(demo).await.unwrap();
        if !demo {
            let id = app
                .users()
                .find_id(&Actor::system(), "admin")
                .await
                .unwrap();
            app.users()
                .set_password(&Actor::system(), id, ADMIN_PASSWORD, false)
                .await
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let router = sanbao_web::router(
            app.clone(),
            sanbao_web::WebConfig {
                metrics_token: Some(METRICS_TOKEN.into()),
                ..Default::default()
            },
        );
        tokio::spawn(sanbao_web::serve(listener, router, std::future::pending()));
        TestApp {
            base: format!("http://{addr}"),
            app,
            db,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub async fn user(&self, username: &str, role: Role) -> UserId {
        self.app
            .users()
            .create(
                &Actor::system(),
                CreateUser {
                    username: username.into(),
                    display_name: username.to_string(),
                    password: PASSWORD.into(),
                    roles: vec![role.code().into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .user
            .id
    }

    pub async fn token(&self, username: &str, role: Role) -> String {
        let id = self.user(username, role).await;
        self.mint(id, "test").await
    }

    pub async fn admin_token(&self) -> String {
        let id = self
            .app
            .users()
            .find_id(&Actor::system(), "admin")
            .await
            .unwrap();
        self.mint(id, "admin").await
    }

    async fn mint(&self, id: UserId, label: &str) -> String {
        self.app
            .tokens()
            .create(&Actor::system(), id, label)
            .await
            .unwrap()
            .token
    }

    /// Sign in through the login form; returns the client (with the session cookie) and the
    /// answer to the POST.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> (reqwest::Client, reqwest::Response) {
        self.login_then(username, password, "/").await
    }

    /// Sign in through the login form, asking to go to `next` afterwards.
    pub async fn login_then(
        &self,
        username: &str,
        password: &str,
        next: &str,
    ) -> (reqwest::Client, reqwest::Response) {
        let c = Self::browser();
        let csrf = self.csrf(&c, "/login").await;
        let res = c
            .post(self.url("/login"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        (c, res)
    }

    pub async fn admin(&self) -> reqwest::Client {
        let (c, res) = self.login("admin", ADMIN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        c
    }

    /// GET a page and return its CSRF token.
    pub async fn csrf(&self, c: &reqwest::Client, path: &str) -> String {
        let page = c
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_of(&page)
    }

    /// GET a page: its status and HTML.
    pub async fn page(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let res = c.get(self.url(path)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// POST a form with the CSRF token of the page `from` added to `fields`.
    pub async fn post_form(
        &self,
        c: &reqwest::Client,
        from: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(c, from).await;
        let mut f: Vec<(&str, &str)> = fields.to_vec();
        f.push(("_csrf", &token));
        c.post(self.url(path)).form(&f).send().await.unwrap()
    }
}

pub fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"_csrf\" value=\"")
        .expect("page has a CSRF field")
        + 20;
    html[i..].split('"').next().unwrap().to_owned()
}

pub fn location(res: &reqwest::Response) -> &str {
    res.headers().get("location").unwrap().to_str().unwrap()
}

/// The API side: requests with a bearer token, and the case helpers every API test uses.
impl TestApp {
    pub async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.api(token, reqwest::Method::POST, path, Some(body))
            .await
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.api(token, reqwest::Method::GET, path, None).await
    }

    pub async fn api(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    /// Open a case through the API; it must be created.
    pub async fn open_case(&self, token: &str, body: Value) -> Value {
        let res = self.post(token, "/api/v1/cases", body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    /// A repair reported at a service centre on 2026-11-20.
    pub async fn repair_case(&self, token: &str, phone: &str) -> Value {
        self.open_case(
            token,
            json!({
                "kind": "repair",
                "channel": "visit",
                "customer": {"name": "李四", "phone": phone},
                "subject": "血压计不开机",
                "description": "按电源键无反应",
                "received_at": "2026-11-20T10:00:00+08:00",
            }),
        )
        .await
    }
}

/// A phone complaint received 2026-09-30 18:00 (the design's worked example).
pub fn complaint(phone: &str) -> Value {
    json!({
        "kind": "complaint",
        "channel": "phone",
        "customer": {"name": "张三", "phone": phone},
        "subject": "屏幕漏液",
        "description": "我要退货，屏幕漏液",
        "received_at": "2026-09-30T18:00:00+08:00",
    })
}

/// The status and the `error` object of an API error answer.
/// The clock `name` of a case as the API answers it.
pub fn clock<'a>(case: &'a Value, name: &str) -> &'a Value {
    case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == name)
        .unwrap_or_else(|| panic!("no clock {name} in {case}"))
}

pub async fn error_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (status, body["error"].clone())
}

/// What a page gets wrong for people using a screen reader or the keyboard: a form control
/// without a label (an enclosing `<label>`, a `<label for>`, `aria-label` or `title`), a table
/// header without `scope`, a field marked invalid that does not say where its message is, a
/// `javascript:` link, an inline script.
pub fn a11y_problems(html: &str) -> Vec<String> {
    let tags: Vec<&str> = html
        .split('<')
        .skip(1)
        .filter_map(|t| t.split('>').next())
        .collect();
    let labelled_ids: Vec<String> = tags
        .iter()
        .filter(|t| t.starts_with("label "))
        .filter_map(|t| attr(t, "for"))
        .collect();
    let mut problems = Vec::new();
    let mut in_label = 0i32;
    for t in &tags {
        let name = t.split([' ', '\n', '/']).next().unwrap_or("");
        match name {
            "label" => in_label += 1,
            "" if t.starts_with("/label") => in_label -= 1,
            "input" | "select" | "textarea" => {
                let kind = attr(t, "type").unwrap_or_default();
                if ["hidden", "submit", "button", "reset", "image"].contains(&kind.as_str()) {
                    continue;
                }
                let named = in_label > 0
                    || attr(t, "aria-label").is_some()
                    || attr(t, "aria-labelledby").is_some()
                    || attr(t, "title").is_some()
                    || attr(t, "id").is_some_and(|id| labelled_ids.contains(&id));
                if !named {
                    problems.push(format!("unlabelled <{t}>"));
                }
                if attr(t, "aria-invalid").is_some() && attr(t, "aria-describedby").is_none() {
                    problems.push(format!("invalid field without its message <{t}>"));
                }
            }
            "th" if attr(t, "scope").is_none() => problems.push(format!("<{t}> without scope")),
            "a" if attr(t, "href").is_some_and(|h| h.starts_with("javascript:")) => {
                problems.push(format!("javascript: link <{t}>"));
            }
            "script" if attr(t, "src").is_none() => problems.push("inline script".to_owned()),
            _ => {}
        }
    }
    problems
}

/// The value of attribute `name` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let i = tag.find(&needle)? + needle.len();
    tag[i..].split('"').next().map(str::to_owned)
}

/// A page's text as people read it: tags and their attributes removed, and what is there as
/// data rather than words (a text area's content, `<code>`) left out.
pub fn visible_text(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut skipping: Option<&str> = None;
    for part in body.split('<') {
        let Some((tag, text)) = part.split_once('>') else {
            continue;
        };
        let name = tag.split([' ', '/']).next().unwrap_or("");
        match skipping {
            Some(end) if tag.starts_with('/') && &tag[1..] == end => skipping = None,
            Some(_) => continue,
            None if name == "textarea" || name == "code" => {
                skipping = Some(name);
                continue;
            }
            None => {}
        }
        if skipping.is_none() {
            out.push_str(text);
            out.push(' ');
        }
    }
    out
}

/// Codes people never read on a page: states, queue names, timeline kinds.
pub const CODES: &[&str] = &[
    "due_soon",
    "case.create",
    "user.create",
    "role.create",
    "policy.save",
    "calendar_override",
    "in_progress",
    "waiting_customer",
    "met_late",
    "policy_event",
    "complaint_received",
    "fault_reported",
    "extended_service",
    "case.acknowledge",
    "first_response",
    "request_window",
    "published",
    "amended by",
];
