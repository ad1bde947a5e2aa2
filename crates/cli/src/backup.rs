//! `sanbao backup FILE` and `sanbao restore FILE`: one tar archive holding a consistent copy of
//! the database (taken while serving), the attachments, and the audit checkpoints up to the
//! copy's head — the audit key only when asked for, since whoever holds the key can reseal.
//!
//! Archive layout: `sanbao-backup.json` (what it holds), `database/` (SQLite: `sanbao.db`;
//! PostgreSQL: one JSON-lines file per table and `tables.txt`), `files/`,
//! `audit-checkpoints.log`, and `audit.key` with `--with-key`.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sanbao_store::backup::{self, Snapshot};
use sanbao_store::{BackendKind, Store, StoreOptions};

use crate::config::Config;

const MANIFEST: &str = "sanbao-backup.json";
const FORMAT: u32 = 1;

/// What an archive holds.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    #[serde(flatten)]
    pub snapshot: Snapshot,
    pub with_key: bool,
}

/// A scratch directory beside `near` (same file system, so moves are renames), removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(near: &Path, what: &str) -> anyhow::Result<Scratch> {
        let parent = near
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let dir = parent.join(format!(".sanbao-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Write the backup archive to `out` (first as `out.partial`, renamed when complete and on
/// disk, so a failed backup never leaves a half archive under the name).
pub async fn backup(cfg: &Config, out: &Path, with_key: bool) -> anyhow::Result<Manifest> {
    if out.exists() {
        bail!("{} 已存在 / already exists", out.display());
    }
    let store = Store::connect(
        &cfg.database_url,
        &StoreOptions {
            max_connections: 2,
            audit_key: cfg.audit_key(false)?,
        },
    )
    .await?;
    let scratch = Scratch::new(out, "backup")?;
    let db_dir = scratch.0.join("database");
    std::fs::create_dir_all(&db_dir)?;
    let snapshot = backup::snapshot(&store, &db_dir)
        .await
        .context("无法复制数据库 / cannot copy the database")?;
    store.close().await;
    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now().to_rfc3339(),
        snapshot,
        with_key,
    };
    let cfg = cfg.clone();
    let out = out.to_owned();
    let m = tokio::task::spawn_blocking(move || -> anyhow::Result<Manifest> {
        write_archive(&cfg, &db_dir, &out, &manifest)?;
        Ok(manifest)
    })
    .await??;
    drop(scratch);
    Ok(m)
}

fn write_archive(cfg: &Config, db_dir: &Path, out: &Path, m: &Manifest) -> anyhow::Result<()> {
    let partial = out.with_extension("partial");
    let file =
        File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let mut tar = tar::Builder::new(BufWriter::new(file));
    tar.follow_symlinks(false);
    add_bytes(&mut tar, MANIFEST, &serde_json::to_vec_pretty(m)?, 0o644)?;
    tar.append_dir_all("database", db_dir)?;
    // The attachments after the database: every file a copied row names was written before
    // its row committed, so it is here (a file added since is harmless).
    let files = cfg.app_config().files_dir;
    if files.is_dir() {
        tar.append_dir_all("files", &files)?;
    }
    let checkpoints = checkpoints_upto(&cfg.checkpoint_file(), m.snapshot.audit_head)?;
    add_bytes(
        &mut tar,
        "audit-checkpoints.log",
        checkpoints.as_bytes(),
        0o644,
    )?;
    if m.with_key {
        let key = cfg.audit_key(false)?;
        add_bytes(
            &mut tar,
            "audit.key",
            format!("{}\n", key.to_hex()).as_bytes(),
            0o600,
        )?;
    }
    let w = tar.into_inner()?;
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    std::fs::rename(&partial, out)?;
    Ok(())
}

fn add_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    data: &[u8],
    mode: u32,
) -> anyhow::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    h.set_cksum();
    tar.append_data(&mut h, name, data)?;
    Ok(())
}

/// The checkpoint lines that reach no further than `head` (later ones belong to entries the
/// copy does not hold).
fn checkpoints_upto(path: &Path, head: i64) -> anyhow::Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
        Err(e) => return Err(e).with_context(|| format!("{}", path.display())),
    };
    Ok(text
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<i64>().ok())
                .is_some_and(|seq| seq <= head)
        })
        .map(|l| format!("{l}\n"))
        .collect())
}

/// Restore the archive `from` into the empty data directory and database of `cfg`. Refuses,
/// writing nothing, when the target is not empty or no audit key is at hand.
pub async fn restore(cfg: &Config, from: &Path) -> anyhow::Result<Snapshot> {
    let app_cfg = cfg.app_config();
    let files_dir = app_cfg.files_dir.clone();
    let checkpoint_file = cfg.checkpoint_file();
    if dir_has_entries(&files_dir)? || checkpoint_file.exists() {
        bail!(
            "数据目录不是空的 / the data directory {} is not empty: restore only into an empty one",
            cfg.data_dir.display()
        );
    }
    let sqlite_target = backup::sqlite_file(&cfg.database_url).map(Path::to_path_buf);
    if let Some(db) = &sqlite_target
        && db.exists()
    {
        bail!(
            "数据库文件已存在 / the database file {} already exists",
            db.display()
        );
    }
    let scratch = Scratch::new(&cfg.data_dir.join("x"), "restore")?;
    let m = unpack(from, &scratch.0).await?;
    let target_kind = if sqlite_target.is_some() {
        BackendKind::Sqlite
    } else {
        BackendKind::Postgres
    };
    if m.snapshot.backend != target_kind {
        bail!(
            "备份来自 {:?}，目标是 {:?} / the backup is of {:?}, the target is {:?}",
            m.snapshot.backend,
            target_kind,
            m.snapshot.backend,
            target_kind
        );
    }
    let key = restore_key(cfg, &scratch.0)?;
    match &sqlite_target {
        Some(db) => {
            if let Some(d) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(d)?;
            }
            std::fs::rename(scratch.0.join("database").join("sanbao.db"), db)?;
        }
        None => {
            let store = Store::connect(&cfg.database_url, &StoreOptions::new(key.clone())).await?;
            backup::load_postgres(&store, &scratch.0.join("database"), &m.snapshot)
                .await
                .context("无法载入数据库 / cannot load the database")?;
            store.close().await;
        }
    }
    let unpacked_files = scratch.0.join("files");
    if unpacked_files.is_dir() {
        if let Some(p) = files_dir.parent() {
            std::fs::create_dir_all(p)?;
        }
        let _ = std::fs::remove_dir(&files_dir);
        std::fs::rename(&unpacked_files, &files_dir)?;
    }
    std::fs::rename(scratch.0.join("audit-checkpoints.log"), &checkpoint_file)?;
    let in_archive = scratch.0.join("audit.key");
    if in_archive.exists() && cfg.audit_key.trim().is_empty() && !cfg.key_file().exists() {
        std::fs::rename(&in_archive, cfg.key_file())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(cfg.key_file(), std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(m.snapshot)
}

/// Unpack the archive into `dir` and read its manifest.
async fn unpack(from: &Path, dir: &Path) -> anyhow::Result<Manifest> {
    let (archive, into) = (from.to_owned(), dir.to_owned());
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let f =
            File::open(&archive).with_context(|| format!("cannot open {}", archive.display()))?;
        // `unpack` keeps every entry inside `into` (no absolute paths, no `..`).
        tar::Archive::new(f)
            .unpack(&into)
            .context("备份文件损坏 / the archive cannot be read")
    })
    .await??;
    let mut text = String::new();
    File::open(dir.join(MANIFEST))
        .context("不是 Sanbao 备份 / not a Sanbao backup (no sanbao-backup.json)")?
        .read_to_string(&mut text)?;
    let m: Manifest = serde_json::from_str(&text).context("sanbao-backup.json")?;
    if m.format != FORMAT {
        bail!("不认识的备份格式 / unknown backup format {}", m.format);
    }
    Ok(m)
}

/// The key the restored chain verifies with: the archive's, the configuration's or the target
/// data directory's — one of them, and where there are several, the same.
fn restore_key(cfg: &Config, unpacked: &Path) -> anyhow::Result<sanbao_domain::audit::AuditKey> {
    use sanbao_domain::audit::AuditKey;
    let from_archive = match std::fs::read_to_string(unpacked.join("audit.key")) {
        Ok(t) => Some(AuditKey::from_hex(&t).context("audit.key in the archive")?),
        Err(_) => None,
    };
    let at_target = if !cfg.audit_key.trim().is_empty() || cfg.key_file().exists() {
        Some(cfg.audit_key(false)?)
    } else {
        None
    };
    match (from_archive, at_target) {
        (Some(a), Some(t)) if a != t => bail!(
            "备份中的审计密钥与目标的不同 / the archive's audit key differs from the one configured here"
        ),
        (Some(k), _) | (None, Some(k)) => Ok(k),
        (None, None) => bail!(
            "备份不含审计密钥 / the backup holds no audit key: put the original audit.key at {} \
             (or set audit_key) and restore again",
            cfg.key_file().display()
        ),
    }
}

fn dir_has_entries(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut it) => Ok(it.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("{}", dir.display())),
    }
}
