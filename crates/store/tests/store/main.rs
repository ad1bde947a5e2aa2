//! Store suite: runs on SQLite, or on PostgreSQL when `SANBAO_TEST_POSTGRES_URL` is set, each
//! test on a fresh database.
#![allow(clippy::too_many_lines)]

use chrono::{Duration, Utc};
use sanbao_domain::audit::{AuditRecord, ChainVerifier};
use sanbao_domain::case::{CaseRecord, Channel, ClockRecord, EventKind, Kind};
use sanbao_domain::customer::CustomerKind;
use sanbao_domain::deadline::ClockState;
use sanbao_domain::{DeskId, UserId};
use sanbao_store::admin::{desks, roles, users};
use sanbao_store::auth::{sessions, throttle};
use sanbao_store::case::row as cases;
use sanbao_store::case::{CustomerWrite, EventWrite, intake};
use sanbao_store::customer;
use sanbao_store::testing::{self, TestDb};
use sanbao_store::{BackendKind, StoreError, audit};

mod queues;

fn now() -> chrono::DateTime<Utc> {
    sanbao_domain::time::now()
}

async fn add_user(db: &TestDb, name: &str) -> i64 {
    let mut tx = db.store.begin().await.unwrap();
    let id = users::insert(
        &mut tx,
        &users::NewUser {
            username: name,
            display_name: name,
            password_hash: "x",
            lang: "zh-CN",
            must_change_password: false,
            now: now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn record(i: usize) -> AuditRecord {
    AuditRecord {
        at: now(),
        actor_id: Some(1),
        actor_name: "tester".into(),
        action: "test.append".into(),
        record_type: "test".into(),
        record_id: i.to_string(),
        changes: format!(r#"{{"i":{i}}}"#),
    }
}

#[tokio::test]
async fn suite_runs_on_the_requested_backend() {
    let db = TestDb::new().await;
    assert_eq!(db.store.kind(), testing::backend());
    if std::env::var(testing::POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
        assert_eq!(db.store.kind(), BackendKind::Postgres);
    }
}

#[tokio::test]
async fn migration_trees_have_the_same_versions() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

/// Both backends end up with the same tables and columns (needs PostgreSQL; on SQLite alone
/// it checks the SQLite schema is readable).
#[tokio::test]
async fn migrated_schemas_match() {
    let db = TestDb::new().await;
    let here = testing::schema_columns(&db.store).await.unwrap();
    assert!(here.contains(&("audit_entry".into(), "hash".into())));
    if db.store.kind() == BackendKind::Postgres {
        let dir = std::env::temp_dir().join(format!("sanbao-parity-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("p.db").display());
        let lite = sanbao_store::Store::connect(
            &url,
            &sanbao_store::StoreOptions::new(sanbao_store::testing::test_audit_key()),
        )
        .await
        .unwrap();
        lite.migrate().await.unwrap();
        let there = testing::schema_columns(&lite).await.unwrap();
        lite.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(here, there, "PostgreSQL and SQLite schemas differ");
    }
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    let db = TestDb::new().await;
    db.store.migrate().await.unwrap();
    db.store.ping().await.unwrap();
}

#[tokio::test]
async fn users_round_trip_with_four_byte_characters() {
    let db = TestDb::new().await;
    let mut tx = db.store.begin().await.unwrap();
    let id = users::insert(
        &mut tx,
        &users::NewUser {
            username: "yoshinoya",
            display_name: "𠮷野家 🍜",
            password_hash: "h",
            lang: "zh-CN",
            must_change_password: true,
            now: now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let u = users::by_id(&db.store, id).await.unwrap().unwrap();
    assert_eq!(u.display_name, "𠮷野家 🍜");
    assert!(u.must_change_password);
    assert!(u.active);
    assert_eq!(u.version, 1);
    let found = users::list(
        &db.store,
        &users::UserFilter {
            q: Some("𠮷野".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn a_taken_username_is_a_unique_error_and_writes_nothing() {
    let db = TestDb::new().await;
    add_user(&db, "wangli").await;
    let mut tx = db.store.begin().await.unwrap();
    let r = users::insert(
        &mut tx,
        &users::NewUser {
            username: "wangli",
            display_name: "另一个",
            password_hash: "h",
            lang: "zh-CN",
            must_change_password: false,
            now: now(),
        },
    )
    .await;
    assert!(matches!(r, Err(StoreError::Unique)), "{r:?}");
    drop(tx);
    assert_eq!(users::count(&db.store).await.unwrap(), 1);
}

#[tokio::test]
async fn a_stale_version_is_refused() {
    let db = TestDb::new().await;
    let id = add_user(&db, "lina").await;
    let mut tx = db.store.begin().await.unwrap();
    users::update_profile(&mut tx, id, 1, "李娜", "zh-CN", true, now())
        .await
        .unwrap();
    let r = users::update_profile(&mut tx, id, 1, "李娜娜", "zh-CN", true, now()).await;
    assert!(matches!(r, Err(StoreError::Stale)), "{r:?}");
    tx.commit().await.unwrap();
    assert_eq!(
        users::by_id(&db.store, id)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "李娜"
    );
}

#[tokio::test]
async fn roles_desks_and_memberships() {
    let db = TestDb::new().await;
    let id = add_user(&db, "zhaolei").await;
    let mut tx = db.store.begin().await.unwrap();
    roles::insert_if_missing(&mut tx, "supervisor", &["case.read", "case.assign"], now())
        .await
        .unwrap();
    let desk = desks::insert(
        &mut tx,
        &desks::DeskFields {
            code: "CS-HQ",
            name: "客服中心",
            kind: "service",
            supervisor_id: Some(id),
            active: true,
            policy_name: None,
        },
        now(),
    )
    .await
    .unwrap();
    users::set_roles(&mut tx, id, &["supervisor"])
        .await
        .unwrap();
    users::set_desks(&mut tx, id, &[desk]).await.unwrap();
    tx.commit().await.unwrap();
    let g = users::grants_of(&db.store, id).await.unwrap();
    assert_eq!(g.permissions, ["case.assign", "case.read"]);
    assert_eq!(g.roles, ["supervisor"]);
    assert_eq!(g.desk_ids, [desk]);
    let d = desks::by_id(&db.store, desk).await.unwrap().unwrap();
    assert_eq!(d.supervisor_name.as_deref(), Some("zhaolei"));
    assert_eq!(d.members, 1);
    let (r, ds) = users::roles_and_desks_of(&db.store, &[id]).await.unwrap();
    assert_eq!(r, [(id, "supervisor".to_owned())]);
    assert_eq!(ds, [(id, desk, "客服中心".to_owned())]);
    // A stale permission edit is refused.
    let mut tx = db.store.begin().await.unwrap();
    let r = roles::set_permissions(&mut tx, "supervisor", 7, &["case.read"], now()).await;
    assert!(matches!(r, Err(StoreError::Stale)));
}

#[tokio::test]
async fn sessions_expire_and_end_per_user() {
    let db = TestDb::new().await;
    let id = add_user(&db, "sunli").await;
    let mut tx = db.store.begin().await.unwrap();
    for (h, age) in [("a", 0), ("b", 0), ("old", 30)] {
        sessions::insert(
            &mut tx,
            &sessions::NewSession {
                id_hash: h,
                user_id: id,
                csrf_token: "c",
                now: now() - Duration::hours(age),
                ip: "127.0.0.1",
                user_agent: "test",
            },
        )
        .await
        .unwrap();
    }
    let n = sessions::delete_expired(
        &mut tx,
        now() - Duration::hours(4),
        now() - Duration::hours(12),
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        sessions::delete_for_user(&mut tx, id, Some("a"))
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
    assert!(sessions::get(&db.store, "a").await.unwrap().is_some());
    assert!(sessions::get(&db.store, "b").await.unwrap().is_none());
}

#[tokio::test]
async fn throttle_counts_within_a_window() {
    let db = TestDb::new().await;
    let t0 = now();
    let window = t0 - Duration::minutes(15);
    let mut tx = db.store.begin().await.unwrap();
    for n in 1..=3 {
        let count = throttle::reserve(&mut tx, "user:x", 3, t0, window)
            .await
            .unwrap();
        assert_eq!(count, Some(n));
    }
    // At the limit nothing more is counted.
    assert_eq!(
        throttle::reserve(&mut tx, "user:x", 3, t0, window)
            .await
            .unwrap(),
        None
    );
    throttle::release(&mut tx, "user:x").await.unwrap();
    tx.commit().await.unwrap();
    let (count, start) = throttle::get(&db.store, "user:x").await.unwrap().unwrap();
    assert_eq!((count, start.timestamp()), (2, t0.timestamp()));
    // After the window an attempt starts a new count, even from the limit.
    let later = t0 + Duration::minutes(20);
    let mut tx = db.store.begin().await.unwrap();
    for _ in 0..2 {
        throttle::reserve(&mut tx, "user:x", 3, t0, window)
            .await
            .unwrap();
    }
    let count = throttle::reserve(&mut tx, "user:x", 3, later, later - Duration::minutes(15))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count, Some(1));
}

async fn verify(db: &TestDb) -> Result<u64, sanbao_domain::audit::ChainBreak> {
    let (seq, hash) = audit::head(&db.store).await.unwrap();
    let key = testing::test_audit_key();
    let mut v = ChainVerifier::new(&key, None);
    for row in audit::batch_after(&db.store, 0, seq, 100_000)
        .await
        .unwrap()
    {
        v.push(&row.into())?;
    }
    let beyond = audit::first_beyond_head(&db.store).await.unwrap();
    v.finish(seq, &hash, beyond)
}

#[tokio::test]
async fn the_audit_chain_survives_a_round_trip_through_the_database() {
    let db = TestDb::new().await;
    for i in 0..5 {
        let mut tx = db.store.begin().await.unwrap();
        audit::append(&mut tx, record(i)).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(verify(&db).await, Ok(5));
    let page = audit::list(
        &db.store,
        &audit::AuditFilter {
            record_type: Some("test".into()),
            record_id: Some("3".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].seq, 4);
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_audit_entry() {
    let db = TestDb::new().await;
    let mut tx = db.store.begin().await.unwrap();
    audit::append(&mut tx, record(1)).await.unwrap();
    drop(tx);
    assert_eq!(audit::head(&db.store).await.unwrap().0, 0);
    assert_eq!(verify(&db).await, Ok(0));
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let db = TestDb::new().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..5 {
                let mut tx = store.begin().await.unwrap();
                audit::append(&mut tx, record(i * 100 + j)).await.unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(verify(&db).await, Ok(80));
}

#[tokio::test]
async fn tampering_is_detected() {
    let db = TestDb::new().await;
    for i in 0..4 {
        let mut tx = db.store.begin().await.unwrap();
        audit::append(&mut tx, record(i)).await.unwrap();
        tx.commit().await.unwrap();
    }
    testing::execute_raw(
        &db.store,
        "UPDATE audit_entry SET changes = '{\"i\":99}' WHERE seq = 2",
    )
    .await
    .unwrap();
    assert_eq!(
        verify(&db).await,
        Err(sanbao_domain::audit::ChainBreak::Edited { seq: 2 })
    );
}

/// An entry forged beyond the head (where no writer puts one) is named by verify, and neither a
/// change nor a case intake fails on it: the real entry takes the forged one's place.
#[tokio::test]
async fn a_forged_entry_beyond_the_head_never_stops_writing() {
    let db = TestDb::new().await;
    let mut tx = db.store.begin().await.unwrap();
    audit::append(&mut tx, record(1)).await.unwrap();
    tx.commit().await.unwrap();
    for seq in [2, 3] {
        testing::execute_raw(
            &db.store,
            &format!(
                "INSERT INTO audit_entry (seq, at, actor_id, actor_name, action, record_type, \
                 record_id, changes, prev_hash, hash, keyed) VALUES ({seq}, \
                 '2026-12-05T00:00:00.000000Z', NULL, 'mallory', 'x', 'x', 'x', '{{}}', 'p', 'h', \
                 TRUE)"
            ),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        verify(&db).await,
        Err(sanbao_domain::audit::ChainBreak::BeyondHead { seq: 2 })
    );
    let mut tx = db.store.begin().await.unwrap();
    audit::append(&mut tx, record(2)).await.unwrap();
    tx.commit().await.unwrap();
    let created = intake::create(
        &db.store,
        case_draft("13800000001", None, None),
        case_naming,
    )
    .await
    .unwrap();
    assert!(matches!(created, intake::Created::New { .. }));
    assert_eq!(verify(&db).await, Ok(3));
}

/// Concurrent writers share commits (group commit on SQLite): every acknowledged write is
/// there afterwards, and one writer's failure or rollback takes nothing of the others with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_commit_independently() {
    let db = TestDb::new().await;
    add_user(&db, "taken").await;
    let mut tasks = Vec::new();
    for i in 0..48 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            // Every third writer collides with a taken name; every fifth gives up (drop).
            let name = if i % 3 == 0 {
                "taken".to_owned()
            } else {
                format!("user{i}")
            };
            let r = users::insert(
                &mut tx,
                &users::NewUser {
                    username: &name,
                    display_name: &name,
                    password_hash: "x",
                    lang: "zh-CN",
                    must_change_password: false,
                    now: now(),
                },
            )
            .await;
            match r {
                Err(StoreError::Unique) => {
                    drop(tx);
                    (i, false)
                }
                Err(e) => panic!("{e}"),
                Ok(_) if i % 5 == 0 => {
                    drop(tx);
                    (i, false)
                }
                Ok(_) => {
                    tx.commit().await.unwrap();
                    (i, true)
                }
            }
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        let (i, ok) = t.await.unwrap();
        if ok {
            acked.push(i);
        }
    }
    assert!(!acked.is_empty());
    for i in 0..48 {
        let found = users::by_username(&db.store, &format!("user{i}"))
            .await
            .unwrap()
            .is_some();
        assert_eq!(found, acked.contains(&i), "user{i}");
    }
    // The writer is free again: a plain write after all that commits.
    add_user(&db, "after").await;
    assert!(
        users::by_username(&db.store, "after")
            .await
            .unwrap()
            .is_some()
    );
}

/// A complaint's draft as intake writes it.
pub(crate) fn case_draft(
    phone: &str,
    desk_id: Option<i64>,
    key: Option<(i64, String)>,
) -> intake::CaseDraft {
    let at = now();
    intake::CaseDraft {
        customer: CustomerWrite {
            kind: CustomerKind::Individual,
            name: "压测客户𠮷".into(),
            phone: phone.into(),
            address: String::new(),
            credit_code: None,
            contact_name: "压测客户𠮷".into(),
            created_at: at,
        },
        case: CaseRecord {
            description: "我要退货".into(),
            desk_id: desk_id.map(DeskId),
            next_due_at: Some(at + Duration::hours(24)),
            next_check_at: Some(at + Duration::hours(24)),
            ..CaseRecord::new(
                Kind::Complaint,
                Channel::Phone,
                "屏幕漏液 😀".into(),
                ("seed", 0),
                at,
                at,
            )
        },
        year: 2026,
        events: vec![EventWrite {
            at,
            actor_id: None,
            actor_name: "系统".into(),
            kind: EventKind::Created,
            body: "经电话受理".into(),
            data: "{}".into(),
        }],
        clocks: vec![ClockRecord {
            clock: "first_response".into(),
            state: ClockState::Running,
            due_at: Some(at + Duration::hours(24)),
            due_date: None,
            soon_at: Some(at + Duration::hours(18)),
            unit: sanbao_domain::deadline::Unit::Hours,
            rule: "24h".into(),
            provisional: false,
        }],
        idempotency: key,
        unit_id: None,
    }
}

pub(crate) fn case_naming(i: &intake::Intake) -> intake::Naming {
    let number = format!("TS2026{:06}", i.seq);
    let mut r = record(0);
    r.action = "case.create".into();
    r.record_id = number.clone();
    intake::Naming {
        search_words: format!("{number} 漏液"),
        audit: r,
        number,
    }
}

/// Intakes run side by side: one that fails (its desk does not exist) leaves no customer,
/// number or audit entry behind, while those beside it in the same shared commit stay, with
/// consecutive numbers, an intact audit chain and their 4-byte characters; a repeated
/// Idempotency-Key is answered with the first case and writes nothing.
#[tokio::test]
async fn intakes_side_by_side_take_back_only_their_own_failures() {
    let db = TestDb::new().await;
    let user = add_user(&db, "agent").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let phone = format!("1390000{i:04}");
            let desk = (i % 3 == 0).then_some(999_999);
            let key = (i >= 20).then(|| (user, "same-key".to_owned()));
            let made = intake::create(&store, case_draft(&phone, desk, key), case_naming).await;
            (i, phone, made)
        }));
    }
    let (mut kept, mut by_key) = (Vec::new(), Vec::new());
    for t in tasks {
        let (i, phone, made) = t.await.unwrap();
        let found = customer::customer_id_by_phone(&db.store, &phone)
            .await
            .unwrap();
        match made {
            Err(StoreError::Dangling("desk_id")) => {
                assert_eq!(i % 3, 0);
                assert!(found.is_none(), "{phone}");
            }
            Ok(intake::Created::New { case, intake }) => {
                assert_eq!(found, Some(intake.customer_id));
                assert!(intake.customer_created);
                // The row handed back is the row stored.
                let stored = cases::by_id(&db.store, case.id).await.unwrap().unwrap();
                assert_eq!(format!("{stored:?}"), format!("{case:?}"));
                if i >= 20 {
                    by_key.push(case.id);
                }
                kept.push(case.record.number);
            }
            Ok(intake::Created::Earlier(id)) => {
                assert!(i >= 20 && found.is_none(), "{phone}");
                by_key.push(id);
            }
            Err(e) => panic!("{e}"),
        }
    }
    // 16 pass the desk check; of the four with the key 21 fails it, and one of 20, 22 and 23
    // creates the case while the other two are answered with it.
    by_key.dedup();
    assert_eq!(by_key.len(), 1, "one case for the shared key");
    kept.sort();
    let expect: Vec<String> = (1..=kept.len()).map(|s| format!("TS2026{s:06}")).collect();
    assert_eq!(
        kept, expect,
        "numbers are consecutive: failures took theirs back"
    );
    assert_eq!(kept.len(), 14);
    let case = cases::by_number(&db.store, &kept[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.customer_name, "压测客户𠮷");
    assert_eq!(case.subject, "屏幕漏液 😀");
    assert_eq!(cases::clocks(&db.store, case.id).await.unwrap().len(), 1);
    // With a desk and an assignee, their names come back too.
    let mut tx = db.store.begin().await.unwrap();
    let desk = desks::insert(
        &mut tx,
        &desks::DeskFields {
            code: "CS-HQ",
            name: "客服中心",
            kind: "service",
            supervisor_id: Some(user),
            active: true,
            policy_name: None,
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut d = case_draft("13900009999", Some(desk), None);
    d.case.assignee_id = Some(UserId(user));
    let Ok(intake::Created::New { case: made, .. }) =
        intake::create(&db.store, d, case_naming).await
    else {
        panic!("the case with a desk was not created");
    };
    assert_eq!(made.desk_name.as_deref(), Some("客服中心"));
    assert_eq!(made.assignee_name.as_deref(), Some("agent"));
    let stored = cases::by_id(&db.store, made.id).await.unwrap().unwrap();
    assert_eq!(format!("{stored:?}"), format!("{made:?}"));
    assert_eq!(verify(&db).await, Ok(15));
    // The writer is free again.
    add_user(&db, "after").await;
}

/// An intake whose naming step panics is a failed request like any other: nothing of it is
/// kept (no customer, no number), and the writer goes on with the next.
#[tokio::test]
async fn an_intake_that_panics_leaves_nothing_and_the_writer_goes_on() {
    let db = TestDb::new().await;
    let failed = tokio::spawn({
        let store = db.store.clone();
        async move {
            intake::create(&store, case_draft("13900001111", None, None), |_| {
                panic!("naming failed")
            })
            .await
        }
    })
    .await;
    // On SQLite the panic is caught on the writer's thread and answered as an error; on
    // PostgreSQL it unwinds the request's own task, whose transaction is then dropped.
    assert!(!matches!(failed, Ok(Ok(_))));
    assert!(
        customer::customer_id_by_phone(&db.store, "13900001111")
            .await
            .unwrap()
            .is_none()
    );
    let Ok(intake::Created::New { case, .. }) = intake::create(
        &db.store,
        case_draft("13900002222", None, None),
        case_naming,
    )
    .await
    else {
        panic!("the next intake was not written");
    };
    assert_eq!(
        case.number, "TS2026000001",
        "the failed intake's number was taken back"
    );
    assert_eq!(verify(&db).await, Ok(1));
}
