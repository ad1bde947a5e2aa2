//! `sanbao serve` and the shared start-up: logging, opening the database.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use sanbao_app::setup::DEMO_PASSWORD;
use sanbao_app::{App, Store, StoreOptions};
use tracing_subscriber::EnvFilter;

use crate::config::Config;

/// Logs go to stderr; `serve` logs at the configured level, other commands only warnings.
pub fn init_tracing(cfg: &Config, serving: bool) {
    let default = if serving {
        cfg.log_level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.with_ansi(false).init();
    }
}

/// Connect, migrate, and make sure the roles exist (a new data directory gets its audit key).
pub async fn open(cfg: &Config) -> anyhow::Result<App> {
    let app = connect_with(cfg, true).await?;
    app.store
        .migrate()
        .await
        .context("数据库迁移失败 / migration failed")?;
    app.setup()
        .ensure_roles()
        .await
        .context("初始化角色失败 / cannot set up the roles")?;
    Ok(app)
}

/// Connect only: no migration, no writes, no new audit key (for `audit verify`, which must not
/// change what it checks).
pub async fn connect(cfg: &Config) -> anyhow::Result<App> {
    connect_with(cfg, false).await
}

async fn connect_with(cfg: &Config, create_key: bool) -> anyhow::Result<App> {
    let store = Store::connect(
        &cfg.database_url,
        &StoreOptions {
            max_connections: cfg.max_connections,
            audit_key: cfg.audit_key(create_key)?,
        },
    )
    .await
    .with_context(|| {
        format!(
            "无法打开数据库 / cannot open the database {}",
            sanbao_store::redact(&cfg.database_url)
        )
    })?;
    Ok(App::new(store, cfg.app_config()))
}

pub async fn serve(cfg: Config, demo: bool) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let app = open(&cfg).await?;
    let prepared = app
        .setup()
        .prepare(demo)
        .await
        .context("初始化失败 / first-start set-up failed")?;
    // What the first requests would otherwise load while others wait behind them: the word
    // dictionary of the search index, the active policy and the calendar.
    tokio::task::spawn_blocking(sanbao_domain::search::warm_up).await?;
    if let Err(e) = app.policies().active().await {
        tracing::warn!(error = %e, "the active policy could not be loaded");
    }
    if let Err(e) = app.calendar().current().await {
        tracing::warn!(error = %e, "the calendar could not be loaded");
    }
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("无法监听 / cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let router = sanbao_web::router(
        app.clone(),
        sanbao_web::WebConfig {
            timezone: cfg.tz()?,
            secure_cookies: cfg.secure_cookies,
            trust_forwarded_for: cfg.trust_forwarded_for,
            metrics_token: Some(cfg.metrics_token.clone()).filter(|t| !t.is_empty()),
            ..Default::default()
        },
    );
    let url = format!("http://{addr}/");
    println!("三包 Sanbao 已启动 / is running: {url}");
    println!(
        "数据库 / database: {}",
        sanbao_store::redact(&cfg.database_url)
    );
    if let Some(pw) = &prepared.initial_admin_password {
        println!();
        println!(
            "首次启动：已创建管理员账号（首次登录后须修改密码）/ First start: administrator created"
        );
        println!("  用户名 / username: admin");
        println!("  初始密码 / one-time password: {pw}");
        println!();
    }
    if !prepared.demo_accounts.is_empty() {
        println!();
        println!(
            "演示数据已载入 / demo data loaded. 演示账号（密码均为 / all with password {DEMO_PASSWORD}）:"
        );
        for (user, role, _) in &prepared.demo_accounts {
            println!("  {user:<12} {}", role.label_zh());
        }
        println!();
    } else if demo {
        println!(
            "（数据目录非空，未载入演示数据 / the data directory is not new: demo data not loaded）"
        );
    }
    tracing::info!(%addr, startup_ms = started.elapsed().as_millis() as u64, "listening");
    let purger = tokio::spawn(purge_periodically(app.clone()));
    let sweeper = tokio::spawn(sweep_periodically(app.clone()));
    let jobs = tokio::spawn({
        let app = app.clone();
        async move { app.jobs().run_forever().await }
    });
    let checkpoints = tokio::spawn(checkpoint_periodically(app.clone()));
    sanbao_web::serve(listener, router, shutdown_signal()).await?;
    purger.abort();
    sweeper.abort();
    jobs.abort();
    checkpoints.abort();
    tracing::info!("shutting down");
    if let Err(e) = app.audit().checkpoint().await {
        tracing::warn!(error = %e, "the last audit checkpoint could not be written");
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Every ten minutes, delete ended sessions, stale login counters and week-old done jobs.
async fn purge_periodically(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match app.auth().purge_expired().await {
            Ok((s, t)) if s + t > 0 => tracing::info!(sessions = s, counters = t, "purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purge failed"),
        }
        if let Err(e) = app.jobs().purge_done().await {
            tracing::warn!(error = %e, "purging done jobs failed");
        }
    }
}

/// Every ten seconds, sign the audit chain's head into the checkpoint file if it moved: entries
/// cut from the end of the chain are then caught by `audit verify` unless they are younger
/// than the last checkpoint.
async fn checkpoint_periodically(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
    loop {
        every.tick().await;
        if let Err(e) = app.audit().checkpoint().await {
            tracing::warn!(error = %e, "audit checkpoint failed");
        }
    }
}

/// Every 30 seconds, notice deadlines that passed and escalate new breaches, queue the
/// planned maintenance visits due for booking, and remind technicians of tomorrow's visits.
/// Every process runs it; a breach is escalated and a visit reminded once because each is
/// claimed by one conditional update, a visit booked once under its lease.
async fn sweep_periodically(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        every.tick().await;
        match app.cases().sweep_clocks().await {
            Ok(s) if s.recomputed + s.escalated > 0 => {
                tracing::info!(
                    recomputed = s.recomputed,
                    escalated = s.escalated,
                    "clock sweep"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "clock sweep failed"),
        }
        // Planned maintenance visits whose booking opened go on the desk's queue.
        match app.repairs().book_due_plans().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(booked = n, "planned maintenance visits queued"),
            Err(e) => tracing::warn!(error = %e, "booking planned visits failed"),
        }
        // Technicians reminded of tomorrow's appointments.
        match app.repairs().remind_appointments().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "appointment reminders sent"),
            Err(e) => tracing::warn!(error = %e, "appointment reminders failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
