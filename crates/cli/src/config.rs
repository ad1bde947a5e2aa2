//! Configuration: defaults → `sanbao.toml` → `SANBAO_*` environment → command-line flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use sanbao_app::domain::audit::AuditKey;
use serde::{Deserialize, Serialize};

/// The effective configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database and attachments live.
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…`; empty means `sqlite://<data_dir>/sanbao.db`.
    pub database_url: String,
    /// The company's time zone (IANA name); every deadline and page uses it.
    pub timezone: String,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `sanbao=debug,info`.
    pub log_level: String,
    /// Mark cookies `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a load balancer).
    pub trust_forwarded_for: bool,
    pub session_idle_minutes: u64,
    pub session_absolute_hours: u64,
    pub login_max_failures_per_account: i64,
    pub login_max_failures_per_ip: i64,
    pub login_window_minutes: u64,
    /// Database connections per process.
    pub max_connections: u32,
    /// Seconds a process holds a background job before another may take it over (a process
    /// that died mid-job leaves it that long).
    pub job_lease_seconds: u64,
    /// The bearer token `/metrics` asks for; empty (the default) leaves `/metrics` off.
    pub metrics_token: String,
    /// The audit key as 64 hex digits. Empty (the default): the key is the file
    /// `<data_dir>/audit.key`, made on first start. Every process writing one database must
    /// use the same key; keep a copy with the backups, away from the database.
    pub audit_key: String,
    /// A shell command given each new audit checkpoint on its standard input (e.g. a mail to the
    /// auditor or a `curl` to a receiver), for a copy out of the database administrator's reach.
    pub audit_checkpoint_command: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./sanbao-data"),
            listen: "127.0.0.1:8080".into(),
            database_url: String::new(),
            timezone: "Asia/Shanghai".into(),
            log_format: "text".into(),
            log_level: "info".into(),
            secure_cookies: false,
            trust_forwarded_for: false,
            session_idle_minutes: 240,
            session_absolute_hours: 12,
            login_max_failures_per_account: 5,
            login_max_failures_per_ip: 30,
            login_window_minutes: 15,
            max_connections: 8,
            job_lease_seconds: 60,
            metrics_token: String::new(),
            audit_key: String::new(),
            audit_checkpoint_command: String::new(),
        }
    }
}

/// Values given on the command line (only those present override).
#[derive(Debug, Default, Serialize)]
pub struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

const ENV_KEYS: &[&str] = &[
    "data_dir",
    "listen",
    "database_url",
    "timezone",
    "log_format",
    "log_level",
    "secure_cookies",
    "trust_forwarded_for",
    "session_idle_minutes",
    "session_absolute_hours",
    "login_max_failures_per_account",
    "login_max_failures_per_ip",
    "login_window_minutes",
    "max_connections",
    "job_lease_seconds",
    "metrics_token",
    "audit_key",
    "audit_checkpoint_command",
];

impl Config {
    /// Load the layers. `file`: an explicit `--config` (must exist); otherwise `./sanbao.toml`
    /// when present.
    pub fn load(file: Option<&Path>, flags: &Flags) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                if !f.exists() {
                    bail!("配置文件不存在 / config file not found: {}", f.display());
                }
                fig = fig.merge(Toml::file_exact(f));
            }
            None if Path::new("sanbao.toml").exists() => {
                fig = fig.merge(Toml::file_exact("sanbao.toml"));
            }
            None => {}
        }
        fig = fig
            .merge(Env::prefixed("SANBAO_").only(ENV_KEYS))
            .merge(Serialized::globals(flags));
        let mut cfg: Config = fig.extract().context("配置无效 / invalid configuration")?;
        if cfg.database_url.is_empty() {
            cfg.database_url = format!("sqlite://{}", cfg.data_dir.join("sanbao.db").display());
        }
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.tz()?;
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format 应为 text 或 json / log_format must be text or json");
        }
        if !(1..=7 * 24 * 60).contains(&self.session_idle_minutes)
            || !(1..=30 * 24).contains(&self.session_absolute_hours)
        {
            bail!(
                "会话时长超出范围：session_idle_minutes 1–10080，session_absolute_hours 1–720 / \
                 session durations out of range"
            );
        }
        if !(1..=24 * 60).contains(&self.login_window_minutes)
            || self.login_max_failures_per_account < 1
            || self.login_max_failures_per_ip < 1
        {
            bail!("登录限流配置无效 / login throttling settings out of range");
        }
        if !(1..=1000).contains(&self.max_connections) {
            bail!("max_connections 应在 1–1000 之间 / max_connections must be 1–1000");
        }
        Ok(())
    }

    pub fn tz(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.timezone
            .parse()
            .map_err(|_| anyhow::anyhow!("未知的时区 / unknown time zone: {}", self.timezone))
    }

    pub fn app_config(&self) -> sanbao_app::AppConfig {
        sanbao_app::AppConfig {
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            session_absolute: Duration::from_secs(self.session_absolute_hours * 3600),
            login_max_failures_per_account: self.login_max_failures_per_account,
            login_max_failures_per_ip: self.login_max_failures_per_ip,
            login_window: Duration::from_secs(self.login_window_minutes * 60),
            // Checked by `validate` when the configuration was loaded.
            timezone: self.tz().unwrap_or(chrono_tz::Asia::Shanghai),
            files_dir: self.data_dir.join("files"),
            job_lease: Duration::from_secs(self.job_lease_seconds.max(1)),
            checkpoint_file: self.checkpoint_file(),
            checkpoint_command: Some(self.audit_checkpoint_command.clone())
                .filter(|c| !c.trim().is_empty()),
        }
    }

    /// The signed audit checkpoints, outside the database.
    pub fn checkpoint_file(&self) -> PathBuf {
        self.data_dir.join("audit-checkpoints.log")
    }

    pub(crate) fn key_file(&self) -> PathBuf {
        self.data_dir.join("audit.key")
    }

    /// The audit key: from the configuration, else from `<data_dir>/audit.key`, which is made
    /// (readable by its owner only) when `create` and missing.
    pub fn audit_key(&self, create: bool) -> anyhow::Result<AuditKey> {
        if !self.audit_key.trim().is_empty() {
            return AuditKey::from_hex(&self.audit_key).context("audit_key");
        }
        let path = self.key_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => AuditKey::from_hex(&text).with_context(|| format!("{}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes)
                    .map_err(|e| anyhow::anyhow!("no random numbers for the audit key: {e}"))?;
                let key = AuditKey::from_bytes(bytes);
                write_private(&path, &key.to_hex())?;
                Ok(key)
            }
            Err(e) => Err(e).with_context(|| {
                format!(
                    "无法读取审计密钥 / cannot read the audit key {}",
                    path.display()
                )
            }),
        }
    }

    /// The configuration as TOML with secrets hidden (`sanbao config show`).
    pub fn show(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database_url = sanbao_store::redact(&shown.database_url);
        if !shown.metrics_token.is_empty() {
            shown.metrics_token = "***".into();
        }
        if !shown.audit_key.is_empty() {
            shown.audit_key = "***".into();
        }
        Ok(toml::to_string(&shown)?)
    }
}

/// Write a new file only its owner can read (never over an existing one).
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn defaults_give_the_embedded_database() {
        let c = Config::load(Some(Path::new("/nonexistent.toml")), &Flags::default());
        assert!(c.is_err(), "an explicit missing file is an error");
        assert_eq!(Config::default().listen, "127.0.0.1:8080");
    }

    #[test]
    fn layers_apply_in_order_and_secrets_are_hidden() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sanbao.toml",
                "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://u:pw@db/sanbao\"\n",
            )?;
            jail.set_env("SANBAO_LISTEN", "127.0.0.1:9100");
            let c = Config::load(None, &Flags::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "127.0.0.1:9100", "env beats file");
            let c = Config::load(
                None,
                &Flags {
                    listen: Some("127.0.0.1:9200".into()),
                    ..Default::default()
                },
            )
            .map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "127.0.0.1:9200", "flag beats env");
            let shown = c.show().map_err(|e| e.to_string())?;
            assert!(shown.contains("postgres://u:***@db/sanbao"), "{shown}");
            assert!(!shown.contains("pw"), "{shown}");
            Ok(())
        });
    }

    #[test]
    fn a_typo_in_the_file_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("sanbao.toml", "listn = \"0.0.0.0:9000\"\n")?;
            assert!(Config::load(None, &Flags::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn default_database_lives_in_the_data_dir() {
        figment::Jail::expect_with(|_| {
            let c = Config::load(
                None,
                &Flags {
                    data_dir: Some("/srv/sanbao".into()),
                    ..Default::default()
                },
            )
            .map_err(|e| e.to_string())?;
            assert_eq!(c.database_url, "sqlite:///srv/sanbao/sanbao.db");
            Ok(())
        });
    }
}
