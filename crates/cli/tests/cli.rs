//! The `sanbao` binary as operators and scripts use it.

use std::process::Command;

use sanbao_store::testing::{TestDb, execute_raw};

fn sanbao(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sanbao"))
        .args(args)
        .args(["--database", url])
        .env_remove("SANBAO_DATABASE_URL")
        .output()
        .expect("run sanbao");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
    assert!(out.contains("2027 not loaded"));
    let (_, _, err) = plain(&["calendar", "add-workdays", "2026-12-30", "5"]);
    assert!(err.contains("2027 not loaded"), "{err}");
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
