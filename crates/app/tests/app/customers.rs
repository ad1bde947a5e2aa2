//! One customer per company: contacts, the archive card, merges, and the upgrade that folds
//! organisations entered once per phone into one.

use super::*;
use sanbao_domain::CustomerId;
use sanbao_domain::customer::archive::{ArchiveForm, ContactFields};

const CODE: &str = "91350100M000100Y43";

fn contact(name: &str, phone: &str) -> ContactFields {
    ContactFields {
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    }
}

fn hospital(contacts: Vec<ContactFields>) -> ArchiveForm {
    ArchiveForm {
        kind: "organisation".into(),
        name: "福州仁和医院".into(),
        address: "福州市鼓楼区五四路 1 号".into(),
        credit_code: CODE.into(),
        contacts,
    }
}

/// A repair logged for an organisation by phone `phone` (with its credit code) or, without
/// one, for a person.
async fn repair_from(t: &T, phone: &str, code: &str, contact: &str) -> CaseView {
    let kind = if code.is_empty() {
        "individual"
    } else {
        "organisation"
    };
    let form = NewCaseForm {
        kind: "repair".into(),
        channel: "phone".into(),
        customer: CustomerForm {
            name: "福州仁和医院".into(),
            phone: phone.into(),
            kind: kind.into(),
            credit_code: code.into(),
            contact: contact.into(),
            ..Default::default()
        },
        subject: "监护仪黑屏".into(),
        ..Default::default()
    };
    t.app
        .cases()
        .open(&Actor::system(), &form, None)
        .await
        .unwrap()
}

fn fields(e: AppError) -> Vec<(String, &'static str)> {
    match e {
        AppError::Invalid(errs) => errs
            .0
            .into_iter()
            .map(|e| (e.field.into_owned(), e.code))
            .collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn broken_seals(t: &T) -> u64 {
    t.app
        .audit()
        .verify_records(&Actor::system())
        .await
        .unwrap()
        .broken_count
}

#[tokio::test]
async fn a_second_caller_from_a_known_company_becomes_its_contact() {
    let t = setup().await;
    let first = repair_from(&t, "0591-87654321", CODE, "设备科 陈工").await;
    let second = repair_from(&t, "13905910001", CODE, "采购 林女士").await;
    assert_eq!(first.record.customer_id, second.record.customer_id);
    // The new phone now finds the organisation, even typed as a person's.
    let third = repair_from(&t, "13905910001", "", "").await;
    assert_eq!(third.record.customer_id, first.record.customer_id);
    let card = t
        .app
        .customers()
        .card(&Actor::system(), first.record.customer_id)
        .await
        .unwrap();
    let names: Vec<&str> = card.contacts.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["设备科 陈工", "采购 林女士"]);
    assert_eq!(card.cases.len(), 3);
    // Intake finds it by the start of its name, its credit code (either case) or any phone.
    let c = t.app.customers();
    for typed in ["福州仁和", CODE.to_lowercase().as_str(), "13905910001"] {
        let found = c.for_intake(&Actor::system(), typed).await.unwrap();
        assert_eq!(found.len(), 1, "{typed}");
        assert_eq!(found[0].id, first.record.customer_id);
        assert_eq!(found[0].credit_code.as_deref(), Some(CODE));
    }
    let by_phone = c.for_intake(&Actor::system(), "13905910001").await.unwrap();
    assert!(by_phone[0].exact);
    assert_eq!(by_phone[0].contact_name, "采购 林女士");
    assert_eq!(by_phone[0].phone, "139****0001");
    assert_eq!(broken_seals(&t).await, 0);
}

#[tokio::test]
async fn the_card_is_created_and_edited_with_its_contacts_one_card_per_credit_code() {
    let t = setup().await;
    t.user("agent1", Role::ServiceAgent).await;
    t.user("tech1", Role::Technician).await;
    let agent = t.actor("agent1").await;
    let c = t.app.customers();
    let form = hospital(vec![
        contact("陈工", "0591-87654321"),
        contact("林女士", "13905910001"),
        ContactFields::default(),
    ]);
    // A technician reads customers but keeps no archive.
    let tech = t.actor("tech1").await;
    assert!(matches!(
        c.create(&tech, &form).await,
        Err(AppError::Forbidden(Permission::CustomerWrite))
    ));
    let id = c.create(&agent, &form).await.unwrap();
    // The same organisation again, or a phone that is already someone's: refused by field.
    let mut again = hospital(vec![contact("", "13800000001"), contact("", "13905910001")]);
    assert_eq!(
        fields(c.create(&agent, &again).await.unwrap_err()),
        [
            ("credit_code".to_owned(), "taken"),
            ("contact[2].phone".to_owned(), "taken")
        ]
    );
    again.credit_code = String::new();
    again.kind = "individual".into();
    again.contacts.remove(1);
    let person = c.create(&agent, &again).await.unwrap();
    assert_ne!(person, id);

    // Edit: the second contact becomes the main one, the first goes, one is added.
    let editing = c.editing(&agent, id).await.unwrap();
    let mut f = editing.form;
    assert_eq!(f.contacts.len(), 2);
    f.contacts.swap(0, 1);
    f.contacts[1].remove = true;
    f.contacts.push(contact("王主任", "0591-88880000"));
    f.address = "福州市鼓楼区五四路 2 号".into();
    c.update(&agent, id, editing.version, &f).await.unwrap();
    let card = c.card(&agent, id).await.unwrap();
    let names: Vec<&str> = card.contacts.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["林女士", "王主任"]);
    assert_eq!(card.phone_shown, "139****0001");
    // The form read before that edit is stale; a phone of another customer is refused.
    assert!(matches!(
        c.update(&agent, id, editing.version, &f).await,
        Err(AppError::Stale)
    ));
    let mut f = c.editing(&agent, id).await.unwrap();
    f.form.contacts.push(contact("", "13800000001"));
    assert_eq!(
        fields(c.update(&agent, id, f.version, &f.form).await.unwrap_err()),
        [("contact[3].phone".to_owned(), "taken")]
    );
    assert_eq!(broken_seals(&t).await, 0);
}

#[tokio::test]
async fn a_merge_moves_the_cases_and_contacts_and_old_links_lead_to_the_one_kept() {
    let t = setup().await;
    let org = repair_from(&t, "0591-87654321", CODE, "陈工").await;
    // The same hospital entered as a person from another phone.
    let dup = repair_from(&t, "13905910001", "", "").await;
    let (keep, gone) = (org.record.customer_id, dup.record.customer_id);
    assert_ne!(keep, gone);
    let c = t.app.customers();
    let sys = Actor::system();
    assert!(matches!(
        c.merge(&sys, gone, gone).await,
        Err(AppError::Invalid(_))
    ));
    let done = c.merge(&sys, gone, keep).await.unwrap();
    assert_eq!((done.cases, done.contacts), (1, 1));
    let card = c.card(&sys, keep).await.unwrap();
    assert_eq!(card.cases.len(), 2);
    assert_eq!(card.contacts.len(), 2);
    assert!(matches!(
        c.card(&sys, gone).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(c.merged_into(&sys, gone).await.unwrap(), Some(keep));
    // The moved case is found by the kept name, and its phone now finds the hospital.
    let again = repair_from(&t, "13905910001", "", "").await;
    assert_eq!(again.record.customer_id, keep);
    assert_eq!(broken_seals(&t).await, 0);
    // Two organisations with different credit codes are two organisations.
    let other = repair_from(&t, "0591-80000000", "91110000802100433B", "").await;
    assert!(matches!(
        c.merge(&sys, other.record.customer_id, keep).await,
        Err(AppError::Rule {
            code: "customer.merge_codes_differ",
            ..
        })
    ));
}

/// A database from before contacts, where one hospital was entered once per caller's phone:
/// the upgrade makes it one customer with both phones as contacts, moves the case, keeps the
/// old id's links, and seals what it wrote with an audit entry saying so.
#[tokio::test]
async fn the_upgrade_folds_an_organisation_entered_per_phone_into_one() {
    let t = setup().await;
    let a = repair_from(&t, "0591-87654321", CODE, "").await;
    let b = repair_from(&t, "13905910001", "", "").await;
    let store = &t.db.store;
    let (keep, gone) = (a.record.customer_id.0, b.record.customer_id.0);
    for sql in [
        "DROP INDEX customer_credit_code_idx".to_owned(),
        format!(
            "UPDATE customer SET kind = 'organisation', credit_code = '{CODE}' WHERE id = {gone}"
        ),
        "DROP TABLE customer_contact".to_owned(),
        "DROP TABLE customer_merge".to_owned(),
        "DELETE FROM _sqlx_migrations WHERE version = 14".to_owned(),
    ] {
        testing::execute_raw(store, &sql).await.unwrap();
    }
    store.migrate().await.unwrap();
    let c = t.app.customers();
    let sys = Actor::system();
    let card = c.card(&sys, CustomerId(keep)).await.unwrap();
    assert_eq!(card.cases.len(), 2);
    assert_eq!(card.contacts.len(), 2);
    assert_eq!(
        c.merged_into(&sys, CustomerId(gone)).await.unwrap(),
        Some(CustomerId(keep))
    );
    assert_eq!(broken_seals(&t).await, 0);
    let page = t
        .app
        .audit()
        .list(
            &sys,
            sanbao_app::admin::audit::AuditQuery {
                record_type: Some("database".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    let counts: serde_json::Value = serde_json::from_str(&page.entries[0].changes).unwrap();
    assert_eq!(counts["customer_contact"], 2);
    assert_eq!(counts["service_case"], 1);
    assert!(t.app.audit().verify(&sys).await.unwrap().is_ok());
}
