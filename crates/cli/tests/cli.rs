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
