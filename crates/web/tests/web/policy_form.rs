//! The policy editor's form view: rows of fields saved as a new version, a bad field named
//! beside its input, and the public page following what was saved.

use reqwest::StatusCode;
use sanbao_domain::policy::Policy;

use crate::support::{TestApp, location, visible_text};

/// The form view's fields for `p`, as the page posts them (no blank rows).
fn fields_of(p: &Policy) -> Vec<(String, String)> {
    let mut f = vec![
        ("version".to_owned(), "0".to_owned()),
        ("title".to_owned(), p.title.clone()),
        ("summary".to_owned(), p.summary.clone()),
        ("basis".to_owned(), p.basis.clone()),
        ("clock_rows".to_owned(), p.clocks.len().to_string()),
        ("clause_rows".to_owned(), p.clauses.len().to_string()),
    ];
    for (i, c) in p.clocks.iter().enumerate() {
        let k = i + 1;
        let mut put = |name: &str, v: String| f.push((format!("clock[{k}].{name}"), v));
        put("clock", c.clock.clone());
        put("event", c.event.clone());
        put("unit", c.unit.code().to_owned());
        put("n", c.n.to_string());
        put("rule", c.rule.clone());
        put("public", c.public.clone().unwrap_or_default());
        for s in &c.stops_on {
            put("stops_on", s.clone());
        }
        for s in &c.pauses_in {
            put("pauses_in", s.clone());
        }
    }
    for (i, c) in p.clauses.iter().enumerate() {
        f.push((format!("clause[{}].title", i + 1), c.title.clone()));
        f.push((format!("clause[{}].text", i + 1), c.text.clone()));
    }
    f
}

fn set(f: &mut [(String, String)], key: &str, value: &str) {
    f.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.to_owned();
}

#[tokio::test]
async fn the_form_view_saves_a_version_and_names_a_bad_field_beside_it() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let page = c
        .get(t.url("/settings/policies/seed"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The form shows the clocks by their names, never their codes.
    assert!(page.contains(r#"name="clock[4].n" value="24""#), "{page}");
    let text = visible_text(&page);
    assert!(text.contains("首次响应") && !text.contains("first_response"));
    let token = crate::support::csrf_of(&page);
    let seed = Policy::preset("seed").unwrap();
    let mut f = fields_of(&seed);
    f.push(("_csrf".into(), token.clone()));
    // The fourth clock is the first response: a length that is no number is named there.
    set(&mut f, "clock[4].n", "十二");
    let res = c
        .post(t.url("/settings/policies/seed/form"))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(
            r#"name="clock[4].n" value="十二" inputmode="numeric" size="5" aria-invalid="true""#
        ),
        "{html}"
    );
    assert!(html.contains("不是整数"), "{html}");
    assert!(
        !visible_text(&html).contains("clock[4]"),
        "no field code on the page"
    );
    // 12 with the promise still saying 24: refused on the promise.
    set(&mut f, "clock[4].n", "12");
    set(&mut f, "clock[4].public", "收到投诉后 24 小时内给予回应。");
    let res = c
        .post(t.url("/settings/policies/seed/form"))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"name="clock[4].public""#) && html.contains("{n}"));
    // With the placeholder it is saved as version 1, and the public page follows.
    set(&mut f, "clock[4].public", "收到投诉后 {n} 小时内给予回应。");
    f.push(("note".into(), "首次响应改为 12 小时".into()));
    let res = c
        .post(t.url("/settings/policies/seed/form"))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/settings/policies/seed"));
    let (p, v) = t.app.policies().active().await.unwrap();
    assert_eq!(v, 1);
    let first = p.clocks.iter().find(|c| c.clock == "first_response");
    assert_eq!(first.unwrap().n, 12);
    assert_eq!(p.clocks.len(), seed.clocks.len());
    let public = reqwest::get(t.url("/policy"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("收到投诉后 12 小时内给予回应"), "{public}");
    // Removing a row, adding one: the reply clock goes, a clause comes.
    let mut f = fields_of(&p);
    f.push(("_csrf".into(), token));
    set(&mut f, "version", "1");
    f.push(("clock[6].remove".into(), "on".into()));
    let k = p.clauses.len() + 1;
    set(&mut f, "clause_rows", &k.to_string());
    f.push((format!("clause[{k}].title"), "上门服务".into()));
    f.push((format!("clause[{k}].text"), "安装调试免费上门。".into()));
    let res = c
        .post(t.url("/settings/policies/seed/form"))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (p2, v2) = t.app.policies().active().await.unwrap();
    assert_eq!(v2, 2);
    assert_eq!(p2.clocks.len(), p.clocks.len() - 1);
    assert!(!p2.clocks.iter().any(|c| c.clock == "reply"));
    assert_eq!(p2.clauses.last().unwrap().title, "上门服务");
}

#[tokio::test]
async fn only_a_settings_manager_may_save_the_form() {
    let t = TestApp::spawn_with(true).await;
    let (c, _) = t.login("zhaolei", sanbao_app::setup::DEMO_PASSWORD).await;
    let token = t.csrf(&c, "/").await;
    let res = c
        .post(t.url("/settings/policies/seed/form"))
        .form(&[("_csrf", token.as_str()), ("clock_rows", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
