//! Queue filters, capped counts, search and the paths that write a case, on whichever backend
//! the suite runs.

use chrono::Duration;
use sanbao_domain::case::{Kind, State};
use sanbao_store::case::bulk::{self, BulkBatch, BulkCase, BulkCustomer};
use sanbao_store::case::queue::{self, CaseFilter};
use sanbao_store::case::{escalation, intake, search, update};
use sanbao_store::testing::{TestDb, row_as_text};

use super::{add_user, case_draft, case_naming, now};

/// Numbers unique across kinds (each kind counts from 1).
fn naming(i: &intake::Intake) -> intake::Naming {
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    let mut n = case_naming(i);
    n.number = format!(
        "{}-{}",
        n.number,
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    n
}

/// Write a case through intake; its id and number.
async fn intake_case(db: &TestDb, d: intake::CaseDraft) -> (i64, String) {
    match intake::create(&db.store, d, naming).await.unwrap() {
        intake::Created::New { case, .. } => (case.id, case.record.number),
        intake::Created::Earlier(_) => panic!("no idempotency key was given"),
    }
}

async fn ids(db: &TestDb, f: &CaseFilter) -> Vec<i64> {
    let mut ids: Vec<i64> = queue::list(&db.store, f)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    ids.sort_unstable();
    ids
}

fn open(limit: i64) -> CaseFilter {
    CaseFilter {
        open_only: true,
        limit,
        ..Default::default()
    }
}

/// Six cases of different kinds, desks, assignees, states, flags, tags and receipt times; each
/// filter of a queue finds exactly its own, the counts agree, search finds by word, and the
/// cursor pages through the queue in due order.
#[tokio::test]
async fn every_queue_filter_finds_exactly_its_cases() {
    let db = TestDb::new().await;
    let user = add_user(&db, "agent").await;
    let mut made = Vec::new();
    for i in 0..6i64 {
        let mut d = case_draft(&format!("1390000{i:04}"), None, None);
        d.case.kind = if i % 2 == 0 {
            Kind::Complaint
        } else {
            Kind::Repair
        };
        d.case.assignee_id = (i < 2).then_some(sanbao_domain::UserId(user));
        d.case.received_at = now() - Duration::days(i);
        d.case.next_due_at = Some(now() + Duration::hours(i + 1));
        // Cases 0 and 1 have entered their due-soon window.
        d.case.next_soon_at = Some(now() + Duration::minutes(i * 60 - 90));
        made.push(intake_case(&db, d).await.0);
    }
    // Case 2 resolved, case 3 breached and escalated, case 4 tagged.
    let mut tx = db.store.begin().await.unwrap();
    update::set_state(&mut tx, made[2], 1, State::Resolved, Some(now()), now())
        .await
        .unwrap();
    let breached = sanbao_domain::case::Projection {
        clocks: Vec::new(),
        next_due: Some(now() - Duration::hours(1)),
        next_check: None,
        next_soon: Some(now() - Duration::hours(2)),
        breached: true,
    };
    update::write_projection(&mut tx, made[3], &breached)
        .await
        .unwrap();
    escalation::set_escalated(&mut tx, made[3]).await.unwrap();
    update::set_tags(&mut tx, made[4], &["vip".into()])
        .await
        .unwrap();
    search::put_search_doc(&mut tx, made[4], "冰箱 噪音")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let all_open = ids(&db, &open(50)).await;
    assert_eq!(all_open, [made[0], made[1], made[3], made[4], made[5]]);
    let kinds = CaseFilter {
        kinds: vec![Kind::Repair],
        ..open(50)
    };
    assert_eq!(ids(&db, &kinds).await, [made[1], made[3], made[5]]);
    let mine = CaseFilter {
        assignee_id: Some(user),
        ..open(50)
    };
    assert_eq!(ids(&db, &mine).await, [made[0], made[1]]);
    let unassigned = CaseFilter {
        unassigned: true,
        ..open(50)
    };
    assert_eq!(ids(&db, &unassigned).await, [made[3], made[4], made[5]]);
    let breached = CaseFilter {
        breached: Some(true),
        ..open(50)
    };
    assert_eq!(ids(&db, &breached).await, [made[3]]);
    let escalated = CaseFilter {
        escalated: Some(true),
        ..open(50)
    };
    assert_eq!(ids(&db, &escalated).await, [made[3]]);
    let tagged = CaseFilter {
        tag: Some("vip".into()),
        ..open(50)
    };
    assert_eq!(ids(&db, &tagged).await, [made[4]]);
    let resolved = CaseFilter {
        states: vec![State::Resolved],
        open_only: false,
        limit: 50,
        ..Default::default()
    };
    assert_eq!(ids(&db, &resolved).await, [made[2]]);
    let recent = CaseFilter {
        received_from: Some(now() - Duration::hours(36)),
        ..open(50)
    };
    assert_eq!(ids(&db, &recent).await, [made[0], made[1]]);
    let due_soon = CaseFilter {
        due_from: Some(now()),
        soon_by: Some(now()),
        breached: Some(false),
        ..open(50)
    };
    assert_eq!(ids(&db, &due_soon).await, [made[0], made[1]]);
    // Complaints not assigned to the viewer are hidden from those who may not see them.
    let private = CaseFilter {
        complaints_only_assigned_to: Some(user),
        ..open(50)
    };
    assert_eq!(
        ids(&db, &private).await,
        [made[0], made[1], made[3], made[5]]
    );

    // Counts: capped, one per filter, in one round trip.
    let filters = [
        open(50),
        open(2),
        CaseFilter {
            breached: Some(true),
            ..open(50)
        },
    ];
    let counts = queue::counts_capped(&db.store, &filters, 3).await.unwrap();
    assert_eq!(counts, [3, 3, 1], "each count stops at the cap");

    // Search: every word must match; the words a later write indexed replace the first.
    let f = CaseFilter {
        limit: 20,
        ..Default::default()
    };
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let found = search::search(&db.store, &words(&["漏液"]), &f)
        .await
        .unwrap();
    assert_eq!(found.len(), 5, "every case but the re-indexed one");
    assert!(found.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let found = search::search(&db.store, &words(&["冰箱", "噪音"]), &f)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [made[4]]);
    assert!(
        search::search(&db.store, &words(&["冰箱", "漏液"]), &f)
            .await
            .unwrap()
            .is_empty()
    );

    // The cursor pages through the open queue in due order, each case once.
    let mut seen = Vec::new();
    let mut f = open(2);
    loop {
        let page = queue::list(&db.store, &f).await.unwrap();
        let Some(last) = page.last() else { break };
        f.after = Some((last.due_key, last.id));
        seen.extend(page.iter().map(|c| (c.due_key, c.id)));
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 5);
}

/// Intake and the bulk loader write a case through the same row description: the same case
/// written both ways is stored the same way, column by column (a new column that one path
/// forgot fails here).
#[tokio::test]
async fn intake_and_the_bulk_loader_store_the_same_row() {
    let db = TestDb::new().await;
    let d = case_draft("13911112222", None, None);
    let (first, number) = intake_case(&db, d.clone()).await;
    let mut tx = db.store.begin().await.unwrap();
    let (customer_id, case_id) = bulk::max_ids(&mut tx).await.unwrap();
    let mut customer = d.customer.clone();
    customer.phone = "13911113333".into();
    let mut row = d.case.clone();
    row.number = format!("{number}-B");
    row.customer_id = sanbao_domain::CustomerId(customer_id + 1);
    let batch = BulkBatch {
        customers: vec![BulkCustomer {
            id: customer_id + 1,
            row: customer,
        }],
        cases: vec![BulkCase {
            id: case_id + 1,
            row,
        }],
        events: d.events.iter().map(|e| (case_id + 1, e.clone())).collect(),
        clocks: d.clocks.iter().map(|k| (case_id + 1, k.clone())).collect(),
        search: vec![(case_id + 1, "漏液".into())],
        escalations: Vec::new(),
    };
    bulk::insert(&mut tx, &batch).await.unwrap();
    bulk::finish(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let a = row_as_text(&db.store, "service_case", first).await.unwrap();
    let b = row_as_text(&db.store, "service_case", case_id + 1)
        .await
        .unwrap();
    assert!(a.len() > 20, "{a:?}");
    let differ: Vec<&str> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.0.as_str())
        .collect();
    // The seal covers the number and the customer: it differs with them.
    assert_eq!(
        differ,
        ["customer_id", "id", "number", "seal"],
        "{a:?}\n{b:?}"
    );
    let a = row_as_text(
        &db.store,
        "customer",
        d_customer_id(&db, "13911112222").await,
    )
    .await;
    let b = row_as_text(&db.store, "customer", customer_id + 1).await;
    let differ: Vec<String> = a
        .unwrap()
        .iter()
        .zip(&b.unwrap())
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.0.clone())
        .collect();
    assert_eq!(differ, ["id", "phone", "seal"]);
    // After the explicit ids, intake goes on above them.
    let (next, _) = intake_case(&db, case_draft("13911114444", None, None)).await;
    assert!(next > case_id + 1);
}

async fn d_customer_id(db: &TestDb, phone: &str) -> i64 {
    sanbao_store::customer::customer_id_by_phone(&db.store, phone)
        .await
        .unwrap()
        .unwrap()
}
