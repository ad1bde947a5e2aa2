//! Attachments, tags, saved filters and bulk assignment over HTTP.

use std::io::Cursor;

use reqwest::StatusCode;
use sanbao_domain::case::EventKind;
use sanbao_domain::role::Role;
use serde_json::{Value, json};

use super::support::{PASSWORD, TestApp, error_of};

pub(crate) const BOUNDARY: &str = "sanbao-test-boundary-7MA4YWxk";

/// A multipart body: plain fields, then one file part.
pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, mime, bytes)) = file {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 200]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

impl TestApp {
    async fn upload(&self, token: &str, number: &str, body: Vec<u8>) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(&format!("/api/v1/cases/{number}/attachments")))
            .bearer_auth(token)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn attachments_are_checked_by_their_bytes_stored_once_and_served() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let case = t.repair_case(&agent, "13800138100").await;
    let n = case["number"].as_str().unwrap();

    // A photo: stored, listed, served as itself, with a JPEG thumbnail.
    let photo = png(800, 400);
    let res = t
        .upload(
            &agent,
            n,
            multipart(
                &[],
                Some(("C:\\fakepath\\故障照片𠮷.png", "image/png", &photo)),
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["name"], "故障照片𠮷.png");
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["size"], photo.len());
    assert_eq!(a["sha256"], sanbao_domain::hex::sha256(&photo));
    let url = a["url"].as_str().unwrap();
    let got = t.api(&agent, reqwest::Method::GET, url, None).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    assert!(
        got.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E6%95%85")
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), photo.as_slice());
    let thumb = t
        .api(
            &agent,
            reqwest::Method::GET,
            a["thumbnail_url"].as_str().unwrap(),
            None,
        )
        .await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 160));

    // The same bytes again: a second record, one stored file.
    let again: Value = t
        .upload(
            &agent,
            n,
            multipart(&[], Some(("again.png", "image/png", &photo))),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["sha256"], a["sha256"]);
    let sha = a["sha256"].as_str().unwrap();
    let stored = t.db.files_dir.join(&sha[..2]);
    assert_eq!(std::fs::read_dir(&stored).unwrap().count(), 1);

    // A PDF: no thumbnail.
    let pdf = b"%PDF-1.4\n% scanned letter\n".to_vec();
    let p: Value = t
        .upload(
            &agent,
            n,
            multipart(&[], Some(("来函.pdf", "application/pdf", &pdf))),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(p["thumbnail_url"].is_null());
    let res = t
        .api(
            &agent,
            reqwest::Method::GET,
            &format!("{}?thumbnail=true", p["url"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A stray `_csrf` part (a form posted to the API) is just ignored.
    let res = t
        .upload(
            &agent,
            n,
            multipart(&[("_csrf", "x")], Some(("x.pdf", "application/pdf", &pdf))),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // Refused, each naming the field and why; nothing is recorded.
    let exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    let (status, e) = error_of(
        t.upload(
            &agent,
            n,
            multipart(&[], Some(("photo.jpg", "image/jpeg", &exe))),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str(), e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file"), Some("invalid"))
    );
    assert!(e["message"].as_str().unwrap().contains("PDF"));
    let mut broken = png(50, 50);
    broken.truncate(70);
    let (status, e) = error_of(
        t.upload(
            &agent,
            n,
            multipart(&[], Some(("broken.png", "image/png", &broken))),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().unwrap().contains("图片"), "{e}");
    let (status, e) = error_of(
        t.upload(
            &agent,
            n,
            multipart(&[], Some(("empty.pdf", "application/pdf", b""))),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file"))
    );
    let (status, e) = error_of(t.upload(&agent, n, multipart(&[("note", "x")], None)).await).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file"))
    );
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (status, e) = error_of(
        t.upload(
            &agent,
            n,
            multipart(&[], Some(("big.pdf", "application/pdf", &big))),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file"))
    );
    assert!(e["message"].as_str().unwrap().contains("10 MB"));

    let list: Value = t
        .api(
            &agent,
            reqwest::Method::GET,
            &format!("/api/v1/cases/{n}/attachments"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["故障照片𠮷.png", "again.png", "来函.pdf", "x.pdf"]);

    // The timeline names each file.
    let events = t
        .app
        .cases()
        .get(&sanbao_app::Actor::system(), n)
        .await
        .unwrap()
        .timeline;
    let attached = events.iter().filter(|e| e.kind == EventKind::Attachment);
    assert_eq!(attached.count(), 4);

    // A case keeps at most 30 files.
    for i in 4..30 {
        let doc = format!("%PDF-1.4\n% page {i}\n").into_bytes();
        let res = t
            .upload(
                &agent,
                n,
                multipart(&[], Some(("p.pdf", "application/pdf", &doc))),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let (status, e) = error_of(
        t.upload(
            &agent,
            n,
            multipart(&[], Some(("one-more.pdf", "application/pdf", &pdf))),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file"))
    );
    assert!(e["message"].as_str().unwrap().contains("30"));

    // Someone without the case's permission cannot upload.
    let auditor = t.token("hegang", Role::Auditor).await;
    let res = t
        .upload(
            &auditor,
            n,
            multipart(&[], Some(("x.pdf", "application/pdf", &pdf))),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tags_are_checked_and_filter_the_queues() {
    let t = TestApp::spawn().await;
    let agent = t.token("zhangwei", Role::ServiceAgent).await;
    let a = t.repair_case(&agent, "13800138101").await;
    let b = t.repair_case(&agent, "13800138102").await;
    let n = a["number"].as_str().unwrap();
    let res = t
        .api(
            &agent,
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{n}"),
            Some(json!({"version": a["version"], "tags": ["VIP", "批量故障", "vip"]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["tags"], json!(["vip", "批量故障"]));

    let tagged = |tag: &'static str| {
        let t = &t;
        let agent = agent.clone();
        async move {
            let list: Value = t
                .api(
                    &agent,
                    reqwest::Method::GET,
                    &format!("/api/v1/cases?tag={tag}"),
                    None,
                )
                .await
                .json()
                .await
                .unwrap();
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["number"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(tagged("VIP").await, [n]);
    assert_eq!(tagged("%E6%89%B9%E9%87%8F%E6%95%85%E9%9A%9C").await, [n]);
    assert!(tagged("other").await.is_empty());
    // Search finds a tag too.
    let found: Value = t
        .api(
            &agent,
            reqwest::Method::GET,
            "/api/v1/cases?q=%E6%89%B9%E9%87%8F%E6%95%85%E9%9A%9C",
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["number"], n);
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        1,
        "{}",
        b["number"]
    );

    // Too long, stale: refused with the field or 409.
    let (status, e) = error_of(
        t.api(&agent, reqwest::Method::PATCH, &format!("/api/v1/cases/{n}"), Some(json!({"version": after["version"], "tags": ["这个标签实在是太长了超过了十六个字的限制"]})))
            .await,
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("tags"))
    );
    let res = t
        .api(
            &agent,
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{n}"),
            Some(json!({"version": a["version"], "tags": []})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let (status, e) = error_of(
        t.api(
            &agent,
            reqwest::Method::GET,
            "/api/v1/cases?tag=a%20b",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("tag"))
    );

    // Clearing the tags is one more timeline entry.
    let res = t
        .api(
            &agent,
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{n}"),
            Some(json!({"version": after["version"], "tags": []})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(tagged("vip").await.is_empty());
    let events = t
        .app
        .cases()
        .get(&sanbao_app::Actor::system(), n)
        .await
        .unwrap()
        .timeline;
    assert_eq!(
        events.iter().filter(|e| e.kind == EventKind::Tags).count(),
        2
    );
}

#[tokio::test]
async fn the_case_page_uploads_with_its_form_token_and_queues_keep_saved_filters() {
    let t = TestApp::spawn().await;
    t.user("liuyang", Role::ServiceAgent).await;
    let token = t
        .app
        .tokens()
        .create(
            &sanbao_app::Actor::system(),
            t.app
                .users()
                .find_id(&sanbao_app::Actor::system(), "liuyang")
                .await
                .unwrap(),
            "t",
        )
        .await
        .unwrap()
        .token;
    let case = t.repair_case(&token, "13800138103").await;
    let n = case["number"].as_str().unwrap();
    let (c, res) = t.login("liuyang", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let csrf = t.csrf(&c, &format!("/cases/{n}")).await;
    let post = |body: Vec<u8>| {
        c.post(t.url(&format!("/cases/{n}/attachments")))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
    };
    let photo = png(64, 48);
    // Without the form token, or with a wrong one: refused, nothing stored.
    let res = post(multipart(&[], Some(("a.png", "image/png", &photo))))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(multipart(
        &[("_csrf", "nope")],
        Some(("a.png", "image/png", &photo)),
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        t.app
            .cases()
            .attachments(&sanbao_app::Actor::system(), n)
            .await
            .unwrap()
            .is_empty()
    );
    // A multipart body to any other page route is refused, token or not (a handler that
    // reads no body would otherwise run unchecked).
    for path in ["/logout", "/cases/filters/1/delete", "/notifications/read"] {
        let res = c
            .post(t.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(&[("_csrf", &csrf)], None))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // The header token works for an upload too (no `_csrf` part needed).
    let res = c
        .post(t.url(&format!("/cases/{n}/attachments")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("x-csrf-token", &csrf)
        .body(multipart(
            &[],
            Some(("header.pdf", "application/pdf", b"%PDF-1.4\n")),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // With it: back to the case page, which shows the thumbnail.
    let res = post(multipart(
        &[("_csrf", &csrf)],
        Some(("门店收据.png", "image/png", &photo)),
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(&c, t.url(&format!("/cases/{n}"))).await;
    assert!(page.contains("门店收据.png"));
    assert!(page.contains("/thumbnail\""));
    let thumb = c
        .get(t.url(&format!("/cases/{n}/attachments/2/thumbnail")))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    // A bad file is shown on the case page with the reason.
    let res = post(multipart(
        &[("_csrf", &csrf)],
        Some(("x.exe", "application/octet-stream", b"MZ\x90\0")),
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("只接受 JPEG"));

    // Tags from one box.
    let version = t
        .app
        .cases()
        .get(&sanbao_app::Actor::system(), n)
        .await
        .unwrap()
        .case
        .version;
    let res = c
        .post(t.url(&format!("/cases/{n}/tags")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("version", &version.to_string()),
            ("tags", "VIP，返修 返修"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(&c, t.url(&format!("/cases/{n}"))).await;
    assert!(page.contains("#vip") && page.contains("#返修"));

    // Saved filters: saved under a name, listed beside the queues, one name once, deleted.
    let save = |name: &'static str| {
        c.post(t.url("/cases/filters"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("name", name),
                ("query", "queue=all&kind=repair&tag=vip"),
            ])
            .send()
    };
    assert_eq!(
        save("维修VIP").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let list = text(&c, t.url("/cases?queue=all&kind=repair&tag=vip")).await;
    assert!(list.contains("维修VIP"));
    assert!(list.contains(n), "the tag filter shows the tagged case");
    assert_eq!(
        save("维修VIP").await.unwrap().status(),
        StatusCode::CONFLICT
    );
    let me = t.app.auth().token(&token).await.unwrap().unwrap();
    let mine = t.app.cases().saved_filters(&me).await.unwrap();
    assert_eq!(mine.len(), 1);
    let res = c
        .post(t.url(&format!("/cases/filters/{}/delete", mine[0].id)))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = text(&c, t.url("/cases")).await;
    assert!(!list.contains("维修VIP"));
}

#[tokio::test]
async fn a_supervisor_assigns_selected_cases_to_an_agent_from_the_queue() {
    let t = TestApp::spawn().await;
    let agent_id = t.user("zhangwei", Role::ServiceAgent).await;
    t.user("zhaolei", Role::ServiceSupervisor).await;
    let token = t
        .app
        .tokens()
        .create(&sanbao_app::Actor::system(), agent_id, "t")
        .await
        .unwrap()
        .token;
    let a = t.repair_case(&token, "13800138104").await;
    let b = t.repair_case(&token, "13800138105").await;
    let (c, res) = t.login("zhaolei", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let csrf = t.csrf(&c, "/cases?queue=unassigned").await;
    let page = text(&c, t.url("/cases?queue=unassigned")).await;
    assert!(
        page.contains("id=\"bulk-assign\""),
        "supervisors may assign to others"
    );
    let res = c
        .post(t.url("/cases/bulk-assign"))
        .form(&[
            ("_csrf", csrf.as_str()),
            (
                "back",
                "queue=unassigned&kind=&state=&channel=&desk=&assignee=&from=&to=&tag=",
            ),
            ("numbers", a["number"].as_str().unwrap()),
            ("numbers", b["number"].as_str().unwrap()),
            ("assignee_id", &agent_id.to_string()),
            ("to", "other"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/cases?queue=unassigned")
    );
    // The next page says what was done, once.
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    let after = text(&c, t.url(&back)).await;
    assert!(
        after.contains("已分派 2 张服务单"),
        "the queue says what bulk assign did"
    );
    let again = text(&c, t.url(&back)).await;
    assert!(!again.contains("已分派"), "a reload does not repeat it");
    for n in [&a, &b] {
        let v = t
            .app
            .cases()
            .get(&sanbao_app::Actor::system(), n["number"].as_str().unwrap())
            .await
            .unwrap()
            .case;
        assert_eq!(v.assignee.map(|a| a.id), Some(agent_id));
    }
    // A technician is offered (dispatch is assignment); a salesperson is neither offered nor
    // taken.
    let tech = t.user("liuyang", Role::Technician).await;
    let sales = t.user("wujun", Role::Salesperson).await;
    let page = text(&c, t.url("/cases?queue=all")).await;
    assert!(
        page.contains(&format!("<option value=\"{tech}\">")),
        "technicians are offered"
    );
    assert!(!page.contains(&format!("<option value=\"{sales}\">")));
    assert!(
        page.contains("data-select-all=\"numbers\""),
        "the queue can select all"
    );
    let res = c
        .post(t.url("/cases/bulk-assign"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("back", "queue=all"),
            ("numbers", a["number"].as_str().unwrap()),
            ("assignee_id", &sales.to_string()),
            ("to", "other"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("不能处理服务单"));
    // An agent's queue offers only "take".
    let (agent, _) = t.login("zhangwei", PASSWORD).await;
    let page = text(&agent, t.url("/cases?queue=all")).await;
    assert!(!page.contains("id=\"bulk-assign\""));
}

/// A page's text, as a signed-in browser gets it.
async fn text(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

/// A cancelled case's page offers no exception or extended-service report (the use cases
/// refuse them too).
#[tokio::test]
async fn a_cancelled_case_page_offers_no_reports() {
    let t = TestApp::spawn().await;
    let token = t.token("zhangwei", Role::ServiceAgent).await;
    let case = t.repair_case(&token, "13800138109").await;
    let n = case["number"].as_str().unwrap();
    let (agent, _) = t.login("zhangwei", PASSWORD).await;
    let page = text(&agent, t.url(&format!("/cases/{n}"))).await;
    assert!(page.contains("id=\"exception-form\""));
    assert!(page.contains("id=\"extended-form\""));
    let res = t
        .api(
            &token,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{n}/transitions"),
            Some(json!({"to": "cancelled", "version": case["version"], "note": "客户撤回"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(&agent, t.url(&format!("/cases/{n}"))).await;
    assert!(page.contains("id=\"note-form\""), "the page still works");
    assert!(!page.contains("id=\"exception-form\""));
    assert!(!page.contains("id=\"extended-form\""));
}
