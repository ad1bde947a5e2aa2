//! `sanbao`: serve, migrate, administer, verify. Thin: parse the command line, load the
//! configuration, call the library crates.
#![forbid(unsafe_code)]

mod admin;
mod backup;
mod calendar_cmd;
mod config;
mod import_cmd;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Flags};

#[derive(Parser)]
#[command(
    name = "sanbao",
    version,
    about = "三包 Sanbao — 销售与售后服务管理 / sales and after-sales service management"
)]
struct Cli {
    /// Configuration file (default: ./sanbao.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (default ./sanbao-data). Env: SANBAO_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://… Env: SANBAO_DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (creates and migrates the database on first start).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080). Env: SANBAO_LISTEN.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Fill a new, empty data directory with demo data.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Users, roles, desks and API tokens.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// The working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: calendar_cmd::CalendarCommand,
    },
    /// After-sales policies.
    Policy {
        #[command(subcommand)]
        command: calendar_cmd::PolicyCommand,
    },
    /// Write a consistent backup archive while Sanbao serves: the database, the attachments
    /// and the audit checkpoints (the audit key only with --with-key; keep it apart).
    Backup {
        /// The archive to write (a tar file; refused if it exists).
        file: PathBuf,
        /// Put the audit key in the archive too.
        #[arg(long)]
        with_key: bool,
    },
    /// Restore a backup archive into an empty data directory and database, then verify the
    /// audit chain and the record seals.
    Restore {
        /// The archive `sanbao backup` wrote.
        file: PathBuf,
    },
    /// Import the product catalogue or sold units from a CSV file.
    Import {
        #[command(subcommand)]
        command: import_cmd::ImportCommand,
    },
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Generate benchmark data: the demo desks and staff (on a new database) and a year of
    /// cases, e.g. `--cases 1000000` (built with `--features bench-data`).
    #[cfg(feature = "bench-data")]
    BenchData {
        /// How many cases to add.
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration, secrets hidden.
    Show,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole chain against the audit key and the last checkpoint; exit 1 and name
    /// the first edited, deleted or forged entry if it breaks.
    Verify,
    /// Sign the chain's head into the checkpoint file now (`serve` does so every ten seconds).
    Checkpoint,
    /// Seal the rows that have no seal, with an audit entry naming how many: only for an
    /// upgrade interrupted between adding the seal columns and sealing the rows already there
    /// (`migrate` does both). Run `audit verify` first: it names every unsealed row.
    SealExisting,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let flags = Flags {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database.clone(),
        listen,
    };
    let cfg = match Config::load(cli.config.as_deref(), &flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sanbao: {e:#}");
            return ExitCode::from(2);
        }
    };
    serve::init_tracing(&cfg, matches!(cli.command, Command::Serve { .. }));
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sanbao: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sanbao: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(cfg: &Config) -> anyhow::Result<ExitCode> {
    let app = serve::open(cfg).await?;
    println!(
        "数据库已是最新 / database is up to date: {}",
        sanbao_store::redact(&cfg.database_url)
    );
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn run(command: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { demo, .. } => serve::serve(cfg, demo).await,
        Command::Migrate => migrate(&cfg).await,
        Command::Config {
            command: ConfigCommand::Show,
        } => {
            print!("{}", cfg.show()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command } => {
            let app = serve::open(&cfg).await?;
            let r = admin::run(&app, command).await;
            app.store.close().await;
            r
        }
        Command::Calendar { command } => calendar_cmd::run_calendar(&cfg, command).await,
        Command::Policy { command } => calendar_cmd::run_policy(&cfg, command).await,
        #[cfg(feature = "bench-data")]
        Command::BenchData { cases } => {
            let app = serve::open(&cfg).await?;
            app.setup().prepare(true).await?;
            let started = std::time::Instant::now();
            let r = app
                .bench()
                .generate(&sanbao_app::Actor::system(), cases, |n| {
                    if n % 100_000 == 0 || n == cases {
                        eprintln!("{n} / {cases}  ({:.0} s)", started.elapsed().as_secs_f64());
                    }
                })
                .await;
            app.store.close().await;
            let r = r?;
            println!(
                "已生成 {} 个服务单、{} 个客户 / generated {} cases, {} customers in {:.1} s",
                r.cases,
                r.customers,
                r.cases,
                r.customers,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command } => audit(command, &cfg).await,
        Command::Import { command } => import_cmd::run(&cfg, command).await,
        Command::Backup { file, with_key } => {
            let m = backup::backup(&cfg, &file, with_key).await?;
            println!(
                "已备份 / backup written: {} ({} cases, audit entry {}{})",
                file.display(),
                m.snapshot.cases,
                m.snapshot.audit_head,
                if m.with_key {
                    ", with the audit key"
                } else {
                    "; the audit key is not in it"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let snap = backup::restore(&cfg, &file).await?;
            println!(
                "已恢复 / restored: {} cases, audit entry {}",
                snap.cases, snap.audit_head
            );
            let app = serve::open(&cfg).await?;
            let code = verify(&app).await;
            app.store.close().await;
            Ok(code?)
        }
    }
}

/// `audit verify`: the chain against the last checkpoint, then every sealed row.
async fn verify(app: &sanbao_app::App) -> sanbao_app::Result<ExitCode> {
    let actor = sanbao_app::Actor::system();
    let mut ok = true;
    match app.audit().verify(&actor).await? {
        Ok(n) => println!("审计链完整 / audit chain intact: {n} entries"),
        Err(b) => {
            ok = false;
            println!("审计链已被破坏 / audit chain broken: {b}");
        }
    }
    let records = app.audit().verify_records(&actor).await?;
    if records.broken_count == 0 {
        println!("记录封签完整 / record seals intact: {} rows", records.rows);
    } else {
        ok = false;
        println!(
            "记录被改动 / records edited outside Sanbao: {} of {} rows",
            records.broken_count, records.rows
        );
        for b in &records.broken {
            println!("  {} {}: {}", b.table, b.label, b.why);
        }
        if records.broken_count > records.broken.len() as u64 {
            println!("  …");
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn audit(command: AuditCommand, cfg: &Config) -> anyhow::Result<ExitCode> {
    let app = serve::connect(cfg).await?;
    let outcome = match command {
        AuditCommand::Checkpoint => app.audit().checkpoint().await.map(|cp| {
            match cp {
                Some(cp) => println!(
                    "已写入检查点 / checkpoint written: entry {} → {}",
                    cp.seq,
                    cfg.checkpoint_file().display()
                ),
                None => println!("检查点已是最新 / the last checkpoint already has the head"),
            }
            ExitCode::SUCCESS
        }),
        AuditCommand::Verify => verify(&app).await,
        AuditCommand::SealExisting => sanbao_store::seal::seal_existing(&app.store)
            .await
            .map(|n| {
                println!("已加封签 / sealed: {n} rows");
                ExitCode::SUCCESS
            })
            .map_err(Into::into),
    };
    app.store.close().await;
    Ok(outcome?)
}
