//! `sanbao calendar …` and `sanbao policy …`. Outputs are stable: scripts depend on them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::Subcommand;
use sanbao_app::{Actor, App};
use sanbao_domain::calendar::{Calendar, DayKind};
use sanbao_domain::deadline::Context;
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::policy::{self, Policy};

use crate::config::Config;
use crate::serve;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Every working day in a range, one ISO date a line, ascending.
    Workdays {
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
    },
    /// The N-th working day strictly after DATE.
    AddWorkdays { date: NaiveDate, n: u32 },
    /// A year's month grid with holidays and make-up days marked.
    Show { year: i32 },
    /// Import a year's statutory schedule: CSV `date,off|on,name` or JSON
    /// `{"year":2027,"days":[{"name":…,"date":…,"isOffDay":true}]}`.
    Import {
        file: PathBuf,
        /// The year of a CSV file (default: from the file name or its dates).
        #[arg(long)]
        year: Option<i32>,
        /// The notice it comes from (default: the CSV's first `#` line or the JSON's "source").
        #[arg(long)]
        source: Option<String>,
    },
    /// Read the State Council's notice (its text, as published), show the year beside the
    /// law's provisional year, and load it with `--yes`.
    ImportNotice {
        file: PathBuf,
        /// Load the year (without it, only show what would be loaded).
        #[arg(long)]
        yes: bool,
    },
    /// Add a company day: `--off` (extra day off) or `--on` (extra working day).
    Override {
        date: String,
        #[arg(long, conflicts_with = "on", required_unless_present = "on")]
        off: bool,
        #[arg(long)]
        on: bool,
        #[arg(long)]
        note: String,
    },
    /// Remove a company day.
    RemoveOverride { date: String },
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Every policy: name, version, active mark, title.
    List,
    /// A policy's TOML text.
    Show { name: String },
    /// Check a policy file; errors name the line and field.
    Check { file: PathBuf },
    /// Every deadline an event sets under a policy.
    Explain {
        #[arg(long)]
        policy: String,
        #[arg(long)]
        event: String,
        /// RFC 3339 time, e.g. 2026-09-30T18:00:00+08:00 (without an offset: the company's zone).
        #[arg(long)]
        at: String,
        #[arg(long)]
        json: bool,
    },
}

/// The app when the database exists (imported years, company days, saved policies count);
/// `None` for a fresh SQLite data directory, where the shipped data alone applies and nothing
/// is created.
async fn existing_app(cfg: &Config) -> anyhow::Result<Option<App>> {
    if let Some(path) = cfg.database_url.strip_prefix("sqlite://")
        && !Path::new(path.split('?').next().unwrap_or(path)).exists()
    {
        return Ok(None);
    }
    Ok(Some(serve::open(cfg).await?))
}

async fn calendar(app: Option<&App>) -> anyhow::Result<Arc<Calendar>> {
    Ok(match app {
        Some(app) => app.calendar().current().await?,
        None => Arc::new(Calendar::cn_statutory()),
    })
}

/// The note on standard error for every provisional year an answer rests on.
fn warn_provisional(years: &[i32]) {
    for y in years {
        eprintln!("{}", provisional_note(*y));
    }
}

fn provisional_note(year: i32) -> String {
    if sanbao_domain::calendar::law::holidays(year).is_some() {
        format!(
            "注意：{year} 年为暂定日历：法定节假日按《全国年节及纪念日放假办法》推算，调休安排尚未载入 / {year} is provisional: statutory holidays from the law, make-up days not yet published"
        )
    } else {
        format!("注意：{year} 年为暂定日历：仅按周末计算 / {year} is provisional: weekends only")
    }
}

pub async fn run_calendar(cfg: &Config, cmd: CalendarCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CalendarCommand::Workdays { from, to } => workdays(cfg, from, to).await?,
        CalendarCommand::AddWorkdays { date, n } => {
            let app = existing_app(cfg).await?;
            let r = calendar(app.as_ref()).await?.add_workdays(date, n);
            println!("{}", r.value);
            warn_provisional(&r.provisional_years);
        }
        CalendarCommand::Show { year } => show(cfg, year).await?,
        CalendarCommand::Import { file, year, source } => import(cfg, &file, year, source).await?,
        CalendarCommand::ImportNotice { file, yes } => {
            if !import_notice(cfg, &file, yes).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        CalendarCommand::Override {
            date,
            off: _,
            on,
            note,
        } => {
            let app = serve::open(cfg).await?;
            app.calendar()
                .set_company_day(&Actor::system(), &date, on, &note)
                .await?;
            recompute(&app).await?;
            println!(
                "已设置公司{} / company day set: {date}",
                if on { "加班日" } else { "休息日" }
            );
        }
        CalendarCommand::RemoveOverride { date } => {
            let app = serve::open(cfg).await?;
            app.calendar()
                .delete_company_day(&Actor::system(), &date)
                .await?;
            recompute(&app).await?;
            println!("已删除 / removed: {date}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Run the recomputation the change enqueued here and now (a running server would take it
/// over if this process stopped half way: it is a durable job).
async fn recompute(app: &App) -> anyhow::Result<()> {
    let mut n = 0;
    loop {
        match app.jobs().run_due().await? {
            0 => break,
            ran => n += ran,
        }
    }
    eprintln!("已重新计算未结服务单的时限（{n} 个任务）/ open cases recomputed ({n} jobs)");
    Ok(())
}

async fn workdays(cfg: &Config, from: NaiveDate, to: NaiveDate) -> anyhow::Result<()> {
    if to < from {
        bail!("--to 早于 --from / --to is before --from");
    }
    let app = existing_app(cfg).await?;
    let cal = calendar(app.as_ref()).await?;
    let mut out = String::new();
    for d in cal.workdays(from, to) {
        let _ = writeln!(out, "{d}");
    }
    print!("{out}");
    warn_provisional(
        &(from.year()..=to.year())
            .filter(|y| !cal.is_loaded(*y))
            .collect::<Vec<_>>(),
    );
    Ok(())
}

async fn show(cfg: &Config, year: i32) -> anyhow::Result<()> {
    let app = existing_app(cfg).await?;
    let cal = calendar(app.as_ref()).await?;
    let sources = match &app {
        Some(a) => a.calendar().years().await?,
        None => Vec::new(),
    };
    let source = sources
        .iter()
        .find(|y| y.year == year)
        .map(|y| y.source.clone())
        .or_else(|| {
            Calendar::shipped_schedules()
                .into_iter()
                .find(|s| s.year == year)
                .map(|s| s.source)
        });
    print!("{}", month_grid(&cal, year, source.as_deref()));
    Ok(())
}

async fn import(
    cfg: &Config,
    file: &std::path::Path,
    year: Option<i32>,
    source: Option<String>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取 / cannot read {}", file.display()))?;
    let hint = year.or_else(|| {
        file.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.get(..4))
            .and_then(|s| s.parse().ok())
    });
    let app = serve::open(cfg).await?;
    let y = app
        .calendar()
        .import_year(&Actor::system(), &text, hint, source.as_deref())
        .await?;
    recompute(&app).await?;
    println!(
        "已导入 {} 年：{} 天放假，{} 天调休上班 / imported {}",
        y.year,
        y.days.iter().filter(|d| d.off).count(),
        y.days.iter().filter(|d| !d.off).count(),
        y.year
    );
    Ok(())
}

/// Show a notice's year beside the law's, and load it with `yes`. False when the notice cannot
/// be read (each unreadable line printed with its reason).
async fn import_notice(cfg: &Config, file: &Path, yes: bool) -> anyhow::Result<bool> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取 / cannot read {}", file.display()))?;
    let y = match sanbao_domain::calendar::parse_notice(&text, None) {
        Ok(y) => y,
        Err(errors) => {
            for e in errors.0 {
                eprintln!("{}: {}", file.display(), e.message);
            }
            return Ok(false);
        }
    };
    println!("{} · {}", y.year, y.source);
    println!("日期\t星期\t法律推算\t通知\t差异");
    for r in sanbao_domain::calendar::law::compare(&y) {
        let side = |mark: sanbao_domain::calendar::law::Mark, name: &Option<String>| {
            let label = sanbao_domain::text::Text::new(mark.label_key()).to_string();
            match name {
                Some(n) => format!("{label}（{n}）"),
                None => label,
            }
        };
        println!(
            "{}\t{}\t{}\t{}\t{}",
            r.date,
            weekday_zh(r.date),
            side(r.law, &r.law_name),
            side(r.notice, &r.notice_name),
            if r.differs { "≠" } else { "" }
        );
    }
    if !yes {
        println!("未载入：确认无误后加 --yes 载入 / not loaded: add --yes to load");
        return Ok(true);
    }
    let app = serve::open(cfg).await?;
    let y = app
        .calendar()
        .import_notice(&Actor::system(), &text)
        .await?;
    recompute(&app).await?;
    println!("已载入 {} 年 / loaded {}", y.year, y.year);
    Ok(true)
}

fn weekday_zh(d: NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [d.weekday().num_days_from_monday() as usize]
}

/// `2026` as twelve month grids: `*` statutory holiday, `+` make-up working day, `!` company
/// day off, `^` company working day, `.` weekend; then the named days of each month.
pub fn month_grid(cal: &Calendar, year: i32, source: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{year} 年工作日历 / working-day calendar {year}");
    match source {
        Some(s) if cal.is_loaded(year) => {
            let _ = writeln!(out, "依据 / source: {s}");
        }
        _ => {
            let _ = writeln!(out, "{}", provisional_note(year));
        }
    }
    let _ = writeln!(
        out,
        "标记 / marks: * 法定节假日 holiday  + 调休上班 make-up day  ! 公司休息日 company day off  ^ 公司加班日 company working day  . 周末 weekend"
    );
    for month in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
            continue;
        };
        let _ = writeln!(out, "\n{year}-{month:02}");
        let _ = writeln!(out, " Mo  Tu  We  Th  Fr  Sa  Su");
        let mut line = "    ".repeat(first.weekday().num_days_from_monday() as usize);
        let mut notes = Vec::new();
        for d in first.iter_days().take_while(|d| d.month() == month) {
            let kind = cal.day_kind(d);
            let mark = match &kind {
                DayKind::StatutoryHoliday(_) => '*',
                DayKind::MakeupWorkday(_) => '+',
                DayKind::CompanyDayOff(_) => '!',
                DayKind::CompanyWorkday(_) => '^',
                DayKind::Weekend => '.',
                DayKind::Weekday => ' ',
            };
            let _ = write!(line, " {:>2}{mark}", d.day());
            match kind {
                DayKind::StatutoryHoliday(n) => notes.push(format!("{}* {n}", d.format("%m-%d"))),
                DayKind::MakeupWorkday(n) => notes.push(format!("{}+ {n}", d.format("%m-%d"))),
                DayKind::CompanyDayOff(n) => notes.push(format!("{}! {n}", d.format("%m-%d"))),
                DayKind::CompanyWorkday(n) => notes.push(format!("{}^ {n}", d.format("%m-%d"))),
                _ => {}
            }
            if d.weekday().num_days_from_monday() == 6 {
                let _ = writeln!(out, "{}", line.trim_end());
                line.clear();
            }
        }
        if !line.trim().is_empty() {
            let _ = writeln!(out, "{}", line.trim_end());
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "  {}", notes.join("  "));
        }
    }
    out
}

/// One line of `policy explain --json`, fields in the documented order.
#[derive(serde::Serialize)]
struct ExplainedJson<'a> {
    clock: &'a str,
    unit: &'static str,
    n: u32,
    due: String,
    due_date: Option<String>,
    rule: &'a str,
    /// The deadline rests on a provisional calendar year (see standard error).
    provisional: bool,
}

/// Parse `--at`: RFC 3339, or a local date-time in the company's zone.
fn parse_at(s: &str, tz: chrono_tz::Tz) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .with_context(|| {
            format!("--at {s:?} 无效：应为 RFC 3339 时间，如 2026-09-30T18:00:00+08:00")
        })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .context("该本地时间不存在 / that local time does not exist")
}

async fn policy_text(app: Option<&App>, name: &str) -> anyhow::Result<(String, i32)> {
    match app {
        Some(a) => {
            let i = a.policies().info(name).await?;
            Ok((i.body, i.version))
        }
        None => policy::PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| ((*t).to_owned(), 0))
            .ok_or_else(|| anyhow::anyhow!("没有名为 {name} 的政策 / no policy named {name}")),
    }
}

pub async fn run_policy(cfg: &Config, cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::List => list_policies(cfg).await?,
        PolicyCommand::Show { name } => {
            let app = existing_app(cfg).await?;
            print!("{}", policy_text(app.as_ref(), &name).await?.0);
        }
        PolicyCommand::Check { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取 / cannot read {}", file.display()))?;
            match Policy::parse(&text) {
                Ok(p) => println!(
                    "OK {} ({} clocks, {} clauses)",
                    p.name,
                    p.clocks.len(),
                    p.clauses.len()
                ),
                Err(e) => {
                    match e.line {
                        Some(l) => println!("{}:{l}: {}: {}", file.display(), e.field, e.message),
                        None => println!("{}: {}: {}", file.display(), e.field, e.message),
                    }
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        PolicyCommand::Explain {
            policy,
            event,
            at,
            json,
        } => explain(cfg, &policy, &event, &at, json).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list_policies(cfg: &Config) -> anyhow::Result<()> {
    match &existing_app(cfg).await? {
        Some(a) => {
            for p in a.policies().list().await? {
                println!(
                    "{}\tv{}\t{}\t{}",
                    p.name,
                    p.version,
                    if p.active { "active" } else { "-" },
                    p.title
                );
            }
        }
        None => {
            for (name, text) in policy::PRESETS {
                let title = Policy::parse(text).map(|p| p.title).unwrap_or_default();
                println!(
                    "{name}\tv0\t{}\t{title}",
                    if *name == "seed" { "active" } else { "-" }
                );
            }
        }
    }
    Ok(())
}

/// Every deadline `event` at `at` sets under `policy`, as text or JSON.
async fn explain(
    cfg: &Config,
    policy: &str,
    event: &str,
    at: &str,
    json: bool,
) -> anyhow::Result<()> {
    let app = existing_app(cfg).await?;
    let tz = cfg.tz()?;
    let at = parse_at(at, tz)?;
    let (text, _) = policy_text(app.as_ref(), policy).await?;
    let p = Policy::parse(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !policy::EVENTS.iter().any(|e| e.0 == event) {
        let known: Vec<&str> = policy::EVENTS.iter().map(|e| e.0).collect();
        bail!(
            "未知的事件 {event:?}；可用：{} / unknown event",
            known.join(", ")
        );
    }
    let cal = calendar(app.as_ref()).await?;
    let hours = ServiceHours::default();
    let ctx = Context {
        calendar: &cal,
        hours: &hours,
        tz,
    };
    let explained = policy::explain(&p, event, at, &ctx);
    if json {
        print_explained_json(&explained, tz)?;
    } else {
        print_explained(&p, event, at, tz, &explained);
    }
    let mut years: Vec<i32> = explained
        .iter()
        .flat_map(|e| e.due.provisional_years.clone())
        .collect();
    years.sort_unstable();
    years.dedup();
    warn_provisional(&years);
    Ok(())
}

fn print_explained_json(explained: &[policy::Explained], tz: chrono_tz::Tz) -> anyhow::Result<()> {
    let list: Vec<ExplainedJson> = explained
        .iter()
        .map(|e| ExplainedJson {
            clock: &e.clock,
            unit: e.unit.code(),
            n: e.n,
            due: e.due.due.with_timezone(&tz).to_rfc3339(),
            due_date: e.due.due_date.map(|d| d.to_string()),
            rule: &e.rule,
            provisional: !e.due.provisional_years.is_empty(),
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&list)?);
    Ok(())
}

fn print_explained(
    p: &Policy,
    event: &str,
    at: DateTime<Utc>,
    tz: chrono_tz::Tz,
    explained: &[policy::Explained],
) {
    println!(
        "{} · {} · {}",
        p.title,
        policy::event_label(event),
        at.with_timezone(&tz).format("%Y-%m-%d %H:%M")
    );
    if explained.is_empty() {
        println!("（该事件在此政策下不启动任何时限 / no clock starts on this event）");
    }
    for e in explained {
        let due = match e.due.due_date {
            Some(d) => format!("{d} 24:00"),
            None => e
                .due
                .due
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        };
        let mark = if e.due.provisional_years.is_empty() {
            ""
        } else {
            "（暂定 provisional）"
        };
        println!(
            "{:<16} {:<12} 截止 {due}{mark}",
            e.clock,
            e.unit.describe_zh(e.n)
        );
        println!("    {}", e.rule);
    }
}
