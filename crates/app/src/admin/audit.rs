//! Reading the audit chain: the audit log page and `sanbao audit verify`.

use chrono::{DateTime, Utc};
use sanbao_domain::UserId;
use sanbao_domain::audit::{BadCheckpoint, ChainBreak, ChainVerifier, Checkpoint};
use sanbao_domain::role::Permission;
use sanbao_store::audit::{self as repo, AuditFilter, AuditRow};

use crate::{Actor, OrFault, Result};

crate::facade!(
    /// The audit log.
    AuditLog,
    audit
);

/// One entry of the audit log.
#[derive(Debug, Clone)]
pub struct AuditItem {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    /// `case.create`, `user.update` …
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    /// JSON.
    pub changes: String,
    pub hash: String,
}

impl From<AuditRow> for AuditItem {
    fn from(r: AuditRow) -> Self {
        AuditItem {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id.map(UserId),
            actor_name: r.actor_name,
            action: r.action,
            record_type: r.record_type,
            record_id: r.record_id,
            changes: r.changes,
            hash: r.hash,
        }
    }
}

/// A page of the audit log and the cursor of the next page.
pub struct AuditPage {
    pub entries: Vec<AuditItem>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_id: Option<UserId>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_seq: Option<i64>,
}

/// The most edited rows [`AuditLog::verify_records`] names.
pub const MAX_NAMED: usize = 100;

/// What [`AuditLog::verify_records`] found.
#[derive(Debug, Clone, Default)]
pub struct RecordCheck {
    /// Rows checked.
    pub rows: u64,
    pub broken_count: u64,
    /// The first [`MAX_NAMED`] rows whose seal does not hold.
    pub broken: Vec<sanbao_store::seal::Broken>,
}

impl AuditLog<'_> {
    pub async fn list(&self, actor: &Actor, q: AuditQuery, limit: i64) -> Result<AuditPage> {
        actor.require(Permission::AuditRead)?;
        let filter = AuditFilter {
            actor_id: q.actor_id.map(|u| u.0),
            record_type: q.record_type.filter(|s| !s.is_empty()),
            record_id: q.record_id.filter(|s| !s.is_empty()),
            from: q.from,
            to: q.to,
            before_seq: q.before_seq,
            limit: limit + 1,
        };
        let mut entries = repo::list(&self.app.store, &filter).await?;
        let more = entries.len() as i64 > limit;
        entries.truncate(limit.max(0) as usize);
        let next_before = if more {
            entries.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(AuditPage {
            entries: entries.into_iter().map(AuditItem::from).collect(),
            next_before,
        })
    }

    pub async fn record_types(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require(Permission::AuditRead)?;
        Ok(repo::record_types(&self.app.store).await?)
    }

    /// Walk the whole chain up to its head, then check that nothing lies beyond the head and
    /// that the chain reaches the last checkpoint. `Ok(n)` with the number of entries when it
    /// holds, else where it first breaks.
    #[tracing::instrument(name = "audit.verify", skip_all)]
    pub async fn verify(&self, actor: &Actor) -> Result<std::result::Result<u64, ChainBreak>> {
        actor.require(Permission::AuditRead)?;
        let store = &self.app.store;
        // The checkpoint before the head: a checkpoint only ever records a committed head.
        let checkpoint = match self.last_checkpoint() {
            Ok(c) => c,
            Err(b) => return Ok(Err(b.into())),
        };
        let (head_seq, head_hash) = repo::head(store).await?;
        let mut v = ChainVerifier::new(store.audit_key(), checkpoint);
        let mut after = 0;
        loop {
            let batch = repo::batch_after(store, after, head_seq, 2000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for row in batch {
                if let Err(b) = v.push(&row.into()) {
                    return Ok(Err(b));
                }
            }
        }
        let beyond = repo::first_beyond_head(store).await?;
        Ok(v.finish(head_seq, &head_hash, beyond))
    }

    /// Check every sealed row (customers, cases, timeline entries) against its seal: the rows
    /// checked, and the ones edited outside Sanbao (at most [`MAX_NAMED`] named, all counted).
    #[tracing::instrument(name = "audit.verify_records", skip_all)]
    pub async fn verify_records(&self, actor: &Actor) -> Result<RecordCheck> {
        actor.require(Permission::AuditRead)?;
        let store = &self.app.store;
        let mut out = RecordCheck::default();
        for table in sanbao_store::seal::TABLES {
            let mut after = 0;
            loop {
                let batch = sanbao_store::seal::check_batch(store, table, after, 2000).await?;
                let Some(last) = batch.last else { break };
                out.rows += batch.read as u64;
                after = last;
                let broken = batch.broken;
                out.broken_count += broken.len() as u64;
                let room = MAX_NAMED.saturating_sub(out.broken.len());
                out.broken.extend(broken.into_iter().take(room));
            }
        }
        Ok(out)
    }

    /// The last checkpoint in the checkpoint file (`None` when there is no file yet).
    pub fn last_checkpoint(&self) -> std::result::Result<Option<Checkpoint>, BadCheckpoint> {
        let path = &self.app.config.checkpoint_file;
        match std::fs::read_to_string(path) {
            Ok(text) => Checkpoint::last_of(self.app.store.audit_key(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(_) => Err(BadCheckpoint::Unreadable { line: 0 }),
        }
    }

    /// Sign the chain's current head and append it to the checkpoint file, unless the file's
    /// last checkpoint already has it (or a later one: another process wrote meanwhile). The
    /// file is locked while it is read and appended to, so processes sharing it never write out
    /// of order. Hands the line to the configured checkpoint command, if any. Returns the
    /// checkpoint written.
    #[tracing::instrument(name = "audit.checkpoint", skip_all)]
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>> {
        let (seq, hash) = repo::head(&self.app.store).await?;
        let cp = Checkpoint {
            seq,
            hash,
            at: sanbao_domain::time::now(),
        };
        let line = cp.line(self.app.store.audit_key());
        let path = self.app.config.checkpoint_file.clone();
        let key = self.app.store.audit_key().clone();
        let written =
            tokio::task::spawn_blocking(move || append_checkpoint(&path, &key, seq, &line))
                .await
                .or_fault("writing the audit checkpoint")??;
        let Some(line) = written else {
            return Ok(None);
        };
        if let Some(cmd) = self.app.config.checkpoint_command.as_deref() {
            send_checkpoint(cmd, &line).await;
        }
        Ok(Some(cp))
    }
}

/// Append `line` (the checkpoint of `seq`) under an exclusive lock, unless the last line
/// already reaches `seq`. The line is synced to disk before the lock is let go.
fn append_checkpoint(
    path: &std::path::Path,
    key: &sanbao_domain::audit::AuditKey,
    seq: i64,
    line: &str,
) -> Result<Option<String>> {
    use std::io::{Read, Seek, Write};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).or_fault("the audit checkpoint file")?;
    }
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .or_fault("the audit checkpoint file")?;
    f.lock().or_fault("the audit checkpoint file")?;
    let mut text = String::new();
    f.seek(std::io::SeekFrom::Start(0))
        .or_fault("the audit checkpoint file")?;
    f.read_to_string(&mut text)
        .or_fault("the audit checkpoint file")?;
    // A file that does not verify is left as it is for `audit verify` to name; a new line is
    // still added after it.
    if let Ok(Some(last)) = Checkpoint::last_of(key, &text)
        && last.seq >= seq
    {
        return Ok(None);
    }
    let sep = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    f.write_all(format!("{sep}{line}\n").as_bytes())
        .or_fault("the audit checkpoint file")?;
    f.sync_data().or_fault("the audit checkpoint file")?;
    Ok(Some(line.to_owned()))
}

/// Give the checkpoint line to `sh -c cmd` on its standard input (e.g. a mail to the auditor,
/// a webhook by `curl`), for a copy the database's administrator cannot reach. A failure is
/// logged; the next checkpoint is sent anyway.
async fn send_checkpoint(cmd: &str, line: &str) {
    use tokio::io::AsyncWriteExt;
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the checkpoint command could not start");
            return;
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(format!("{line}\n").as_bytes()).await;
    }
    match tokio::time::timeout(std::time::Duration::from_secs(30), child.wait()).await {
        Ok(Ok(st)) if st.success() => {}
        Ok(Ok(st)) => tracing::warn!(status = %st, "the checkpoint command failed"),
        Ok(Err(e)) => tracing::warn!(error = %e, "the checkpoint command failed"),
        Err(_) => tracing::warn!("the checkpoint command took over 30 s and was stopped"),
    }
}
