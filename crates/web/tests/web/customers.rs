//! The customer archive pages: a card created with its contacts, one card per credit code, a
//! bad contact named on its row, a duplicate merged into the card kept, and intake finding an
//! organisation by name.

use reqwest::StatusCode;

use crate::support::{TestApp, location, visible_text};

const CODE: &str = "91350100M000100Y43";

fn card<'a>(kind: &'a str, name: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", kind),
        ("name", name),
        ("credit_code", code),
        ("address", "福州市鼓楼区五四路 1 号"),
        ("contact_rows", "3"),
    ]
}

#[tokio::test]
async fn a_card_is_created_edited_and_a_duplicate_merged_into_it() {
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let (status, page) = t.page(&c, "/customers/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"name="contact[1].phone""#), "{page}");

    let mut f = card("organisation", "福州仁和医院", CODE);
    f.extend([
        ("contact[1].name", "陈工"),
        ("contact[1].role", "设备科"),
        ("contact[1].phone", "0591-87654321"),
        ("contact[2].name", "林女士"),
        ("contact[2].phone", "13905910001"),
    ]);
    let res = t.post_form(&c, "/customers/new", "/customers", &f).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = location(&res).to_owned();
    let (_, html) = t.page(&c, &at).await;
    let text = visible_text(&html);
    assert!(text.contains("客户档案已建立"), "{text}");
    assert!(text.contains("陈工") && text.contains("主要联系电话") && text.contains("139****0001"));
    assert!(!html.contains("13905910001"));

    // The same organisation again is refused on its credit code, naming the card it has.
    let res = t.post_form(&c, "/customers/new", "/customers", &f).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let text = visible_text(&res.text().await.unwrap());
    assert!(text.contains("已属于客户“福州仁和医院”"), "{text}");

    // The edit form shows the whole phones (an audited reveal); a bad phone is named on its row.
    let edit = format!("{at}/edit");
    let (status, form) = t.page(&c, &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(r#"value="13905910001""#), "{form}");
    let version = form
        .split(r#"name="version" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut e = card("organisation", "福州仁和医院", CODE);
    e.extend([
        ("version", version.as_str()),
        ("contact[1].phone", "0591-87654321"),
        ("contact[2].phone", "1390591"),
    ]);
    let res = t.post_form(&c, &edit, &edit, &e).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"data-testid="err-contact-2-phone""#),
        "{html}"
    );

    // A person entered from the hospital's other phone is merged into the hospital.
    let mut p = card("individual", "仁和医院陈工", "");
    p.extend([("contact[1].phone", "0591-80000000")]);
    let res = t.post_form(&c, "/customers/new", "/customers", &p).await;
    let dup = location(&res).to_owned();
    let (_, found) = t.page(&c, &format!("{dup}/merge?q=福州仁和")).await;
    assert!(found.contains("福州仁和医院"), "{found}");
    let into = at.trim_start_matches("/customers/");
    let res = t
        .post_form(&c, &dup, &format!("{dup}/merge"), &[("into", into)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), at);
    let (_, html) = t.page(&c, &at).await;
    assert!(visible_text(&html).contains("已合并"));
    // The old link leads to the card kept.
    let res = c.get(t.url(&dup)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), at);

    // The audit log tells all of it in words, no codes.
    let (_, audit) = t.page(&c, "/settings/audit").await;
    let text = visible_text(&audit);
    for said in [
        "新建客户",
        "合并客户",
        "查看完整个人信息",
        "字段：电话、地址、联系人",
        "类型：单位",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    for code in ["customer.", "organisation", "credit_code", "contacts"] {
        assert!(!text.contains(code), "{code}: {text}");
    }

    // Intake finds the hospital by the start of its name, with its credit code.
    let (status, json) = t.page(&c, "/cases/customers?q=福州仁和").await;
    assert_eq!(status, StatusCode::OK);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows[0]["credit_code"], CODE);
    assert_eq!(rows[0]["kind"], "organisation");
}

#[tokio::test]
async fn a_customer_file_becomes_cards_with_their_contacts_or_nothing() {
    use crate::files::{BOUNDARY, multipart};
    let t = TestApp::spawn().await;
    let c = t.admin().await;
    let csrf = t.csrf(&c, "/customers/import").await;
    let post = |csv: &str| {
        let body = multipart(
            &[("_csrf", csrf.as_str())],
            Some(("客户.csv", "text/csv", csv.as_bytes())),
        );
        c.post(t.url("/customers/import"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
    };
    let head = "客户类型,客户名称,统一社会信用代码,联系人,职务/部门,电话,地址\n";
    let bad = format!(
        "{head}单位,福州仁和医院,91350100M000100Y43,陈工,设备科,0591-87654321,福州市\n个人,李娜,,,,1381234,\n"
    );
    let res = post(&bad).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("第 3 行") && html.contains("电话"), "{html}");
    let (_, list) = t.page(&c, "/customers").await;
    assert!(!list.contains("福州仁和医院"), "nothing half-imported");
    let good = format!(
        "{head}单位,福州仁和医院,91350100M000100Y43,陈工,设备科,0591-87654321,福州市\n个人,李娜,,,,13812345678,\n,福州仁和医院,91350100M000100Y43,林女士,采购部,13905910001,\n"
    );
    let res = post(&good).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("已导入 2 个客户"));
    let (_, list) = t.page(&c, "/customers?q=福州仁和").await;
    assert!(list.contains("福州仁和医院"), "{list}");
    // The same file again: every phone and the credit code are on file already.
    let res = post(&good).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("第 2 行") && html.contains("第 4 行"),
        "{html}"
    );
}
