//! The `sanbao` binary as operators and scripts use it.
#![allow(clippy::too_many_lines, clippy::zombie_processes)]

use std::process::Command;

use sanbao_store::testing::{TestDb, execute_raw};

/// Run `sanbao ARGS --database URL` with a data directory of that database's own (its audit key
/// and checkpoints).
fn sanbao(url: &str, args: &[&str]) -> (bool, String, String) {
    let data_dir = data_dir_of(url);
    let out = Command::new(env!("CARGO_BIN_EXE_sanbao"))
        .args(args)
        .args(["--database", url])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("SANBAO_DATABASE_URL")
        .output()
        .expect("run sanbao");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn data_dir_of(url: &str) -> std::path::PathBuf {
    let tail: String = url
        .chars()
        .rev()
        .take(24)
        .filter(char::is_ascii_alphanumeric)
        .collect();
    std::env::temp_dir().join(format!("sanbao-cli-{tail}"))
}

/// The chain is keyed with `<data_dir>/audit.key` (made on first start, owner-only); cutting the
/// newest entries and moving the head back is caught by the checkpoint `audit checkpoint` wrote;
/// verifying with another key fails.
#[tokio::test]
async fn audit_checkpoints_catch_a_cut_chain() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    let (ok, _, err) = sanbao(&url, &["migrate"]);
    assert!(ok, "{err}");
    let key = data_dir_of(&url).join("audit.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is its owner's only");
    }
    let (ok, out, err) = sanbao(&url, &["audit", "checkpoint"]);
    assert!(ok && out.contains("checkpoint written"), "{out}{err}");
    let (ok, out, _) = sanbao(&url, &["audit", "verify"]);
    assert!(ok, "{out}");
    execute_raw(
        &db.store,
        "DELETE FROM audit_entry WHERE seq = (SELECT MAX(seq) FROM audit_entry)",
    )
    .await
    .unwrap();
    execute_raw(
        &db.store,
        "UPDATE audit_head SET seq = seq - 1, \
         hash = (SELECT hash FROM audit_entry WHERE seq = (SELECT MAX(seq) FROM audit_entry)) \
         WHERE id = 1",
    )
    .await
    .unwrap();
    let (ok, out, _) = sanbao(&url, &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(out.contains("entries were deleted from the end"), "{out}");
    std::fs::write(&key, "11".repeat(32)).unwrap();
    let (ok, out, _) = sanbao(&url, &["audit", "verify"]);
    assert!(!ok && out.contains("audit key"), "another key fails: {out}");
    let _ = std::fs::remove_dir_all(data_dir_of(&url));
}

#[tokio::test]
async fn admin_commands_and_audit_verify() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    let (ok, _, err) = sanbao(&url, &["migrate"]);
    assert!(ok, "{err}");
    let (ok, out, err) = sanbao(
        &url,
        &[
            "admin",
            "create-user",
            "--username",
            "wangli",
            "--password",
            "Service-2026-ok",
            "--role",
            "agent",
            "--name",
            "王丽",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, out, err) = sanbao(&url, &["admin", "create-token", "--username", "wangli"]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap();
    assert!(
        token.starts_with("sbk_"),
        "the token is on the last line: {out}"
    );
    let (ok, out, _) = sanbao(&url, &["admin", "list-users"]);
    assert!(ok && out.contains("wangli\t王丽\tagent\tactive"), "{out}");
    let (ok, _, err) = sanbao(
        &url,
        &[
            "admin",
            "create-user",
            "--username",
            "x",
            "--password",
            "p",
            "--role",
            "agent",
        ],
    );
    assert!(!ok, "bad input fails");
    assert!(err.contains("用户名长度"), "{err}");
    let (ok, _, err) = sanbao(
        &url,
        &[
            "admin",
            "set-roles",
            "--username",
            "wangli",
            "--role",
            "wizard",
        ],
    );
    assert!(!ok && err.contains("未知的角色"), "{err}");

    let (ok, out, _) = sanbao(&url, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");

    execute_raw(
        &db.store,
        "UPDATE audit_entry SET changes = '{}' WHERE seq = 10",
    )
    .await
    .unwrap();
    let (ok, out, _) = sanbao(&url, &["audit", "verify"]);
    assert!(!ok, "a tampered chain exits non-zero");
    assert!(out.contains("audit entry 10 was edited"), "{out}");
}

#[test]
fn config_show_hides_secrets() {
    let out = Command::new(env!("CARGO_BIN_EXE_sanbao"))
        .args(["config", "show"])
        .env(
            "SANBAO_DATABASE_URL",
            "postgres://sanbao:hunter2@db.internal/sanbao",
        )
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        s.contains("postgres://sanbao:***@db.internal/sanbao"),
        "{s}"
    );
    assert!(!s.contains("hunter2"));
    assert!(s.contains("listen = \"127.0.0.1:8080\""), "{s}");
}

fn plain(args: &[&str]) -> (bool, String, String) {
    // A data directory that does not exist: the shipped calendar and presets, nothing created.
    let dir = std::env::temp_dir().join(format!("sanbao-cli-none-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_sanbao"))
        .args(args)
        .arg("--data-dir")
        .arg(&dir)
        .env_remove("SANBAO_DATABASE_URL")
        .output()
        .expect("run sanbao");
    assert!(!dir.exists(), "read-only commands create nothing");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn calendar_add_workdays_prints_one_date() {
    let (ok, out, _) = plain(&["calendar", "add-workdays", "2026-09-30", "3"]);
    assert!(ok);
    assert_eq!(out, "2026-10-10\n");
}

#[test]
fn calendar_workdays_lists_every_working_day() {
    let (ok, out, _) = plain(&[
        "calendar",
        "workdays",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    ]);
    assert!(ok);
    let days: Vec<&str> = out.lines().collect();
    // 2026: 261 weekdays; 19 of them are holidays (元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1,
    // 中秋 1, 国庆 5) and 6 weekend days are make-up days: 248 working days.
    assert_eq!(days.len(), 248, "{out}");
    assert_eq!(days[0], "2026-01-04");
    assert!(days.contains(&"2026-10-10") && !days.contains(&"2026-10-01"));
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted);
}

#[test]
fn every_shipped_year_answers() {
    for year in 2004..=2026 {
        let (ok, out, err) = plain(&["calendar", "show", &year.to_string()]);
        assert!(ok, "{year}: {err}");
        assert!(out.contains("依据 / source: 国"), "{year}: {out}");
        assert!(out.contains('*'), "{year} has holidays");
        let (ok, out, err) = plain(&["calendar", "add-workdays", &format!("{year}-01-01"), "1"]);
        assert!(ok && err.is_empty(), "{year}: {err}");
        assert_eq!(out.len(), 11);
    }
    let (_, out, _) = plain(&["calendar", "show", "2027"]);
    assert!(out.contains("2027 is provisional"), "{out}");
    // 元旦 2027 from the law, in the grid.
    assert!(out.contains("01-01* 元旦"), "{out}");
    let (_, _, err) = plain(&["calendar", "add-workdays", "2026-12-30", "5"]);
    assert!(err.contains("2027 is provisional"), "{err}");
}

/// The contract our checks use: the date is the first word of the first line; a provisional
/// answer says so on standard error.
#[test]
fn add_workdays_across_an_unpublished_new_year_counts_the_statutory_holiday() {
    let (ok, out, err) = plain(&["calendar", "add-workdays", "2026-12-25", "10"]);
    assert!(ok);
    assert_eq!(out, "2027-01-11\n");
    assert!(err.contains("provisional") && err.contains("暂定"), "{err}");
    // 2030 from the law: 春节 02-02..05 with two days given back (02-06, 02-07).
    let (_, out, _) = plain(&[
        "calendar",
        "workdays",
        "--from",
        "2030-01-28",
        "--to",
        "2030-02-12",
    ]);
    let days: Vec<&str> = out.lines().collect();
    assert_eq!(
        days,
        [
            "2030-01-28",
            "2030-01-29",
            "2030-01-30",
            "2030-01-31",
            "2030-02-01",
            "2030-02-08",
            "2030-02-11",
            "2030-02-12"
        ]
    );
}

#[test]
fn policy_explain_json_matches_the_design_example() {
    let (ok, out, err) = plain(&[
        "policy",
        "explain",
        "--policy",
        "seed",
        "--event",
        "complaint_received",
        "--at",
        "2026-09-30T18:00:00+08:00",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["clock"], "first_response");
    assert_eq!(v[0]["unit"], "hours");
    assert_eq!(v[0]["n"], 24);
    assert_eq!(v[0]["due"], "2026-10-01T18:00:00+08:00");
    assert!(v[0]["due_date"].is_null());
    assert_eq!(v[1]["clock"], "verification");
    assert_eq!(v[1]["due"], "2026-10-11T00:00:00+08:00");
    assert_eq!(v[1]["due_date"], "2026-10-10");
    assert_eq!(v[2]["clock"], "reply");
    assert_eq!(v[2]["due_date"], "2026-10-20");
    assert!(v[2]["rule"].as_str().unwrap().contains("十个工作日"));
    assert_eq!(v[2]["provisional"], false);
    // Keys in the documented order.
    assert!(out.find("\"clock\"").unwrap() < out.find("\"unit\"").unwrap());
    assert!(out.find("\"due_date\"").unwrap() < out.find("\"rule\"").unwrap());
}

#[test]
fn policy_check_names_line_and_field() {
    let dir = std::env::temp_dir().join(format!("sanbao-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(&good, sanbao_domain::policy::PRESETS[0].1).unwrap();
    let (ok, out, _) = plain(&["policy", "check", good.to_str().unwrap()]);
    assert!(ok && out.starts_with("OK seed"), "{out}");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\ntitle = \"t\"\nsummary = \"s\"\n\n[[clock]]\nclock = \"reply\"\nevent = \"complaint_received\"\nunit = \"days\"\nn = 0\nrule = \"r\"\n",
    )
    .unwrap();
    let (ok, out, _) = plain(&["policy", "check", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("bad.toml:5: clock[1].n:"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `calendar import-notice`: shows the notice beside the law, loads only with `--yes`, and
/// names the line it cannot read.
#[tokio::test]
async fn importing_a_notice_shows_it_beside_the_law_then_loads_it() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    let dir = std::env::temp_dir().join(format!("sanbao-notice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notice.txt");
    std::fs::write(
        &file,
        "国务院办公厅关于2027年部分节假日安排的通知\n\
         一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n\
         二、春节：2月6日（周六）至12日（周五）放假调休，共7天。2月20日（周六）上班。\n",
    )
    .unwrap();
    let (ok, out, err) = sanbao(&url, &["calendar", "import-notice", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    // By the law 春节 2027 is 除夕 02-05 to 初三 02-08, its weekend given back on 02-09 and
    // 02-10; 02-20 is the notice's make-up day, unknown to the law.
    assert!(
        out.contains("2027-02-20\t周六\t休息日\t调休上班（春节）\t≠"),
        "{out}"
    );
    assert!(out.contains("not loaded: add --yes"), "{out}");
    let (_, out, err) = sanbao(&url, &["calendar", "add-workdays", "2027-02-19", "1"]);
    assert_eq!(out, "2027-02-22\n", "{err}");
    let (ok, out, err) = sanbao(
        &url,
        &["calendar", "import-notice", file.to_str().unwrap(), "--yes"],
    );
    assert!(ok && out.contains("loaded 2027"), "{out}{err}");
    let (_, out, _) = sanbao(&url, &["calendar", "add-workdays", "2027-02-19", "1"]);
    assert_eq!(out, "2027-02-20\n");
    std::fs::write(
        &file,
        "国务院办公厅关于2028年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共2天。\n",
    )
    .unwrap();
    let (ok, _, err) = sanbao(
        &url,
        &["calendar", "import-notice", file.to_str().unwrap(), "--yes"],
    );
    assert!(!ok);
    assert!(
        err.contains("第 2 行：写明共 2 天，但所列日期是 3 天"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn importing_a_year_and_company_days_change_the_answers() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    let dir = std::env::temp_dir().join(format!("sanbao-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("2027.json");
    std::fs::write(
        &file,
        r#"{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},
           {"name":"元旦","date":"2027-01-04","isOffDay":true}]}"#,
    )
    .unwrap();
    let (ok, _, err) = sanbao(&url, &["calendar", "import", file.to_str().unwrap()]);
    assert!(
        !ok && err.contains("请写明依据"),
        "a year needs its source: {err}"
    );
    let (ok, out, err) = sanbao(
        &url,
        &[
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--source",
            "国务院办公厅关于2027年部分节假日安排的通知",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, out, err) = sanbao(&url, &["calendar", "add-workdays", "2026-12-31", "1"]);
    assert!(ok);
    assert_eq!(out, "2027-01-05\n");
    assert!(err.is_empty(), "2027 is loaded now: {err}");
    let (ok, _, err) = sanbao(
        &url,
        &[
            "calendar",
            "override",
            "2026-10-09",
            "--off",
            "--note",
            "公司年会",
        ],
    );
    assert!(ok, "{err}");
    let (_, out, _) = sanbao(&url, &["calendar", "add-workdays", "2026-09-30", "3"]);
    assert_eq!(out, "2026-10-12\n");
    let (ok, _, err) = sanbao(
        &url,
        &[
            "calendar",
            "import",
            dir.join("missing.csv").to_str().unwrap(),
        ],
    );
    assert!(!ok && err.contains("cannot read"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sanbao serve` on `url` with a two-second job lease, in the background.
fn serve(url: &str, data_dir: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sanbao"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", url])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("SANBAO_DATABASE_URL")
        .env("SANBAO_JOB_LEASE_SECONDS", "2")
        .env("SANBAO_LOG_LEVEL", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start sanbao serve")
}

/// The recomputation jobs: `(id, state, attempts)`.
async fn jobs(store: &sanbao_store::Store) -> Vec<(i64, String, i64)> {
    let mut out = Vec::new();
    for state in ["queued", "running", "done", "dead"] {
        for j in sanbao_store::job::list(store, state, 1000).await.unwrap() {
            out.push((j.id, j.state, j.attempts));
        }
    }
    out.sort();
    out
}

/// A calendar change enqueues the recomputation of every open case as a durable job. The
/// server is killed (SIGKILL) while it runs the job; after a restart the lease runs out, the
/// job is taken over and finished, and every open case's clocks follow the new calendar.
#[tokio::test]
async fn a_job_killed_mid_way_is_finished_after_a_restart() {
    use sanbao_domain::case::NewCaseForm;
    use sanbao_domain::customer::CustomerForm;
    let db = TestDb::new().await;
    let app = sanbao_app::App::new(db.store.clone(), sanbao_app::AppConfig::default());
    app.setup().prepare(false).await.unwrap();
    let system = sanbao_app::Actor::system();
    // Enough open complaints that recomputing them takes the server a while.
    const CASES: usize = 1200;
    for i in 0..CASES {
        let form = NewCaseForm {
            kind: "complaint".into(),
            channel: "phone".into(),
            customer: CustomerForm {
                name: "张三".into(),
                phone: format!("139{i:08}"),
                ..Default::default()
            },
            subject: "屏幕漏液".into(),
            ..Default::default()
        };
        app.cases().open(&system, &form, None).await.unwrap();
    }
    // A company day off on the first working day the verification clock counts.
    let cal = app.calendar().current().await.unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let day_off = cal.add_workdays(today, 1).value;
    let expected = cal.add_workdays(today, 4).value;
    app.calendar()
        .set_company_day(&system, &day_off.to_string(), false, "盘点")
        .await
        .unwrap();
    assert_eq!(
        jobs(&db.store).await.len(),
        1,
        "the change enqueued one job"
    );

    let dir = std::env::temp_dir().join(format!("sanbao-jobs-{}", std::process::id()));
    let mut server = serve(&db.url, &dir);
    // Kill it while the first batch runs.
    let started = std::time::Instant::now();
    let killed = loop {
        if let Some(j) = jobs(&db.store).await.into_iter().find(|j| j.1 == "running") {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            server.kill().unwrap();
            server.wait().unwrap();
            break j.0;
        }
        assert!(started.elapsed().as_secs() < 60, "the job never started");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let after_kill = jobs(&db.store).await;
    let k = after_kill.iter().find(|j| j.0 == killed).unwrap();
    assert_eq!(
        (k.1.as_str(), k.2),
        ("running", 1),
        "killed mid-job: {after_kill:?}"
    );

    let mut server = serve(&db.url, &dir);
    let started = std::time::Instant::now();
    let done = loop {
        let all = jobs(&db.store).await;
        if !all.is_empty() && all.iter().all(|j| j.1 == "done") {
            break all;
        }
        if started.elapsed().as_secs() > 120 {
            let errors: Vec<String> = sanbao_store::job::list(&db.store, "dead", 10)
                .await
                .unwrap()
                .into_iter()
                .map(|j| j.last_error)
                .collect();
            panic!("jobs not finished: {all:?}; dead jobs' errors: {errors:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let k = done.iter().find(|j| j.0 == killed).unwrap();
    assert!(
        k.2 >= 2,
        "the killed job ran again after the restart: {done:?}"
    );
    assert!(done.len() >= CASES / 500, "one job per batch: {done:?}");
    // Every open case's verification deadline moved past the company day off.
    let mut moved = 0;
    let page = sanbao_app::case::CaseQuery::default();
    let mut query = page.clone();
    loop {
        let p = app.cases().list(&system, query.clone(), 200).await.unwrap();
        for v in &p.cases {
            let k = v.clocks.iter().find(|c| c.clock == "verification").unwrap();
            assert_eq!(k.due_date, Some(expected), "{}", v.number);
            moved += 1;
        }
        match p.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(moved, CASES);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `backup` while the database is in use, `restore` into an empty data directory and database
/// of the same backend: the cases, the attachments and the checkpoints come back, the chain and
/// the seals verify with the archive's key, new cases follow the restored ones; a second
/// restore over it is refused and changes nothing.
#[tokio::test]
async fn backup_and_restore_round_trip() {
    use sanbao_app::{Actor, App, AppConfig};
    use sanbao_domain::case::NewCaseForm;
    use sanbao_domain::customer::CustomerForm;

    let db = TestDb::new().await;
    let url = db.url.clone();
    let dir = data_dir_of(&url);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("files").join("ab")).unwrap();
    // The CLI and this test's store write with one key.
    std::fs::write(
        dir.join("audit.key"),
        sanbao_store::testing::test_audit_key().to_hex(),
    )
    .unwrap();
    std::fs::write(
        dir.join("files").join("ab").join("photo"),
        b"\xff\xd8 a photo",
    )
    .unwrap();
    let app = App::new(db.store.clone(), AppConfig::default());
    let form = |phone: &str| NewCaseForm {
        kind: "complaint".into(),
        channel: "phone".into(),
        customer: CustomerForm {
            name: "张三".into(),
            phone: phone.into(),
            ..Default::default()
        },
        subject: "屏幕漏液".into(),
        ..Default::default()
    };
    for phone in ["13800138000", "13800138001"] {
        app.cases()
            .open(&Actor::system(), &form(phone), None)
            .await
            .unwrap();
    }
    let (ok, out, err) = sanbao(&url, &["audit", "checkpoint"]);
    assert!(ok, "{out}{err}");
    let archive = std::env::temp_dir().join(format!("sanbao-backup-{}.tar", std::process::id()));
    let _ = std::fs::remove_file(&archive);
    let a = archive.to_str().unwrap();
    let (ok, out, err) = sanbao(&url, &["backup", a, "--with-key"]);
    assert!(ok && out.contains("2 cases"), "{out}{err}");
    let (ok, _, err) = sanbao(&url, &["backup", a]);
    assert!(!ok && err.contains("already exists"), "{err}");

    // An empty target of the same backend.
    let target_db;
    let target = if url.starts_with("sqlite://") {
        let d = std::env::temp_dir().join(format!("sanbao-restore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        format!("sqlite://{}", d.join("sanbao.db").display())
    } else {
        target_db = TestDb::new_unmigrated().await;
        target_db.url.clone()
    };
    let tdir = data_dir_of(&target);
    let _ = std::fs::remove_dir_all(&tdir);
    let (ok, out, err) = sanbao(&target, &["restore", a]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("audit chain intact") && out.contains("record seals intact"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(tdir.join("files").join("ab").join("photo")).unwrap(),
        b"\xff\xd8 a photo"
    );
    let (ok, out, err) = sanbao(&target, &["restore", a]);
    assert!(!ok && err.contains("not empty"), "{out}{err}");

    // New cases go on after the restored ones, and everything still verifies.
    let restored = sanbao_store::Store::connect(
        &target,
        &sanbao_store::StoreOptions::new(sanbao_store::testing::test_audit_key()),
    )
    .await
    .unwrap();
    let app = App::new(restored.clone(), AppConfig::default());
    let c = app
        .cases()
        .open(&Actor::system(), &form("13800138002"), None)
        .await
        .unwrap();
    assert!(c.record.number.ends_with("000003"), "{}", c.record.number);
    restored.close().await;
    let (ok, out, _) = sanbao(&target, &["audit", "verify"]);
    assert!(ok, "{out}");
    let _ = std::fs::remove_file(&archive);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&tdir);
}
