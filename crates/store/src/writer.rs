//! Group commit for SQLite.
//!
//! SQLite has one writer, and with `synchronous = FULL` every COMMIT waits for the disk. One
//! commit per request would bound intake by the disk's sync rate, so writes share commits:
//!
//! * The single writer connection sits behind a fair (FIFO) mutex. [`Writer::begin`] takes it,
//!   opens the batch's `BEGIN IMMEDIATE` transaction if none is open, and a `SAVEPOINT` for
//!   this request's work. The caller uses the connection like any transaction.
//! * [`SqliteTx::commit`] releases the savepoint, registers to be told the batch's outcome,
//!   wakes the flusher and lets the connection go to the next request in line. It returns only
//!   once the batch has been committed and synced — an acknowledged write is durable.
//! * The flusher task queues for the connection like everyone else; when its turn comes it
//!   COMMITs every savepoint released before it and tells each waiting request. Requests that
//!   queued while it waited form the next batch.
//! * A transaction dropped without commit marks its savepoint for rollback (a drop cannot run
//!   SQL); whoever takes the connection next rolls it back first, and the flusher is woken so a
//!   batch never stays open with nobody to end it.
//!
//! One request's failure rolls back only its savepoint. If SQLite itself abandons the whole
//! transaction (disk full, I/O error), every request of the batch is told it failed: none was
//! acknowledged yet.
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Connection, Executor, SqliteConnection};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

use crate::{Result, StoreError};

/// The writer connection and the state of the open batch.
#[doc(hidden)]
pub struct Conn {
    conn: SqliteConnection,
    /// A `BEGIN IMMEDIATE` batch transaction is open.
    open: bool,
    /// A dropped transaction's savepoint still needs rolling back.
    dirty: bool,
    /// Requests whose savepoints were released into the open batch, waiting for its COMMIT.
    pending: Vec<oneshot::Sender<Result<(), String>>>,
}

#[doc(hidden)]
pub struct Writer {
    conn: Arc<Mutex<Conn>>,
    wake: Arc<Notify>,
    closed: Arc<AtomicBool>,
    /// A thread of its own for work done while holding the connection (see [`Writer::run`]).
    lane: tokio::runtime::Handle,
    stop_lane: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Take over `conn`, start the writer's own thread and the flusher task on it.
    pub(crate) fn new(conn: SqliteConnection) -> std::io::Result<Self> {
        let (lane, stop_lane) = start_lane()?;
        let w = Self {
            conn: Arc::new(Mutex::new(Conn {
                conn,
                open: false,
                dirty: false,
                pending: Vec::new(),
            })),
            wake: Arc::new(Notify::new()),
            closed: Arc::new(AtomicBool::new(false)),
            lane,
            stop_lane: std::sync::Mutex::new(Some(stop_lane)),
        };
        let (conn, wake, closed) = (w.conn.clone(), w.wake.clone(), w.closed.clone());
        w.lane.spawn(async move {
            loop {
                wake.notified().await;
                let mut c = conn.lock().await;
                c.settle().await;
                c.flush().await;
                drop(c);
                if closed.load(Ordering::Acquire) {
                    break;
                }
            }
        });
        Ok(w)
    }

    /// Run `work` on the writer's own thread and wait for its result.
    ///
    /// A request holding the writer waits for each statement's answer; on the shared runtime
    /// its task is then queued behind every other request's parsing and rendering before it can
    /// send the next statement, and the whole batch waits with it. On this thread, which does
    /// nothing else, it continues as soon as the answer is there. `work` runs to its end even
    /// if the caller stops waiting.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
    ) -> Result<T> {
        self.lane
            .spawn(work)
            .await
            .map_err(|e| StoreError::GroupCommit(format!("the writer's task failed: {e}")))
    }

    /// Take the connection (in turn) with any dropped request's savepoint rolled back.
    async fn take(&self) -> Result<OwnedMutexGuard<Conn>> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        let mut g = self.conn.clone().lock_owned().await;
        g.settle().await;
        Ok(g)
    }

    fn tx(&self, guard: OwnedMutexGuard<Conn>, savepoint: Savepoint) -> SqliteTx {
        SqliteTx {
            guard,
            wake: self.wake.clone(),
            done: false,
            savepoint,
        }
    }

    /// Open this request's savepoint in the current batch (opening the batch if needed).
    pub(crate) async fn begin(&self) -> Result<SqliteTx> {
        let mut g = self.take().await?;
        if !g.open {
            g.conn.execute("BEGIN IMMEDIATE").await?;
            g.open = true;
        }
        if let Err(e) = g.conn.execute("SAVEPOINT req").await {
            // Leave the batch as it was; the flusher ends it for the others.
            self.wake.notify_one();
            return Err(e.into());
        }
        Ok(self.tx(g, Savepoint::Open))
    }

    /// Take the connection for a request whose own scripts open and release its savepoint
    /// (see [`SqliteTx::script_prelude`]): the statements that would otherwise be round trips
    /// of their own ride along with the request's first and last script. Nothing is sent here.
    pub(crate) async fn begin_scripted(&self) -> Result<SqliteTx> {
        let g = self.take().await?;
        Ok(self.tx(g, Savepoint::NotYet))
    }

    /// Run `f` on the connection outside any batch (migrations, tests tampering with data):
    /// the open batch is committed first.
    pub(crate) async fn exclusive<T>(
        &self,
        f: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T>,
    ) -> Result<T> {
        let mut g = self.conn.lock().await;
        g.settle().await;
        g.flush().await;
        f(&mut g.conn).await
    }

    /// Commit what is pending, checkpoint the WAL and refuse further writes.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let mut g = self.conn.lock().await;
        g.settle().await;
        g.flush().await;
        if let Err(e) = g.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await {
            tracing::warn!(error = %e, "WAL checkpoint on close failed");
        }
        drop(g);
        self.wake.notify_one();
        self.stop_lane();
    }

    fn stop_lane(&self) {
        if let Some(stop) = self.stop_lane.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
    }

    /// Is the connection free right now? (`/metrics`)
    pub(crate) fn idle(&self) -> bool {
        self.conn.try_lock().is_ok()
    }
}

impl Conn {
    /// Roll back a dropped request's savepoint. If SQLite already abandoned the whole
    /// transaction, the batch is gone: fail everyone waiting on it.
    async fn settle(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let rolled = async {
            self.conn.execute("ROLLBACK TO req").await?;
            self.conn.execute("RELEASE req").await
        }
        .await;
        if let Err(e) = rolled {
            tracing::warn!(error = %e, "the batch transaction was lost");
            self.abandon(format!("the write transaction was lost: {e}"))
                .await;
        }
    }

    /// COMMIT the open batch and tell every request in it how it went.
    async fn flush(&mut self) {
        if !self.open {
            return;
        }
        self.open = false;
        let outcome = self
            .conn
            .execute("COMMIT")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string());
        if let Err(e) = &outcome {
            tracing::error!(error = %e, "group commit failed");
            // Make sure no half-open transaction lingers.
            let _ = self.conn.execute("ROLLBACK").await;
        }
        for p in self.pending.drain(..) {
            // A request that gave up waiting no longer listens; nothing to tell.
            let _ = p.send(outcome.clone());
        }
    }

    async fn abandon(&mut self, why: String) {
        if self.open {
            let _ = self.conn.execute("ROLLBACK").await;
        }
        self.open = false;
        for p in self.pending.drain(..) {
            let _ = p.send(Err(why.clone()));
        }
    }
}

/// One request's write transaction on SQLite: a savepoint inside the current batch. Derefs to
/// the connection; commit with [`SqliteTx::commit`], drop to roll back.
pub struct SqliteTx {
    guard: OwnedMutexGuard<Conn>,
    wake: Arc<Notify>,
    done: bool,
    savepoint: Savepoint,
}

/// Where a request's savepoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// Not opened: the request's first script opens it.
    NotYet,
    /// Open: a drop rolls it back, a commit releases it.
    Open,
    /// Released by the request's last script: its work is part of the batch.
    Released,
}

impl SqliteTx {
    /// The text a scripted request's first script starts with: it opens the batch if none is
    /// open and the request's savepoint. Every statement of the script after it is undone with
    /// the savepoint if the request fails. Empty once taken (or for an ordinary transaction).
    pub(crate) fn script_prelude(&mut self) -> &'static str {
        if self.savepoint != Savepoint::NotYet {
            return "";
        }
        self.savepoint = Savepoint::Open;
        if self.guard.open {
            "SAVEPOINT req; "
        } else {
            // If this fails the batch state is unknown: `abandon` (via the drop's rollback,
            // which then fails) ends it for everyone, none of whom was acknowledged yet.
            self.guard.open = true;
            "BEGIN IMMEDIATE; SAVEPOINT req; "
        }
    }

    /// The statement a request's last script ends with; once that script succeeded, call
    /// [`SqliteTx::released`].
    pub(crate) const SCRIPT_RELEASE: &'static str = "RELEASE req";

    /// The request's last script released its savepoint into the batch.
    pub(crate) fn released(&mut self) {
        if self.savepoint == Savepoint::Open {
            self.savepoint = Savepoint::Released;
        }
    }

    /// Release the savepoint into the batch and wait until the batch is committed.
    pub(crate) async fn commit(mut self) -> Result<()> {
        if self.savepoint == Savepoint::Open
            && let Err(e) = self.guard.conn.execute("RELEASE req").await
        {
            // Dropping `self` rolls the savepoint back.
            return Err(e.into());
        }
        if self.savepoint == Savepoint::NotYet {
            // Nothing was written.
            self.done = true;
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        self.guard.pending.push(tx);
        self.done = true;
        let wake = self.wake.clone();
        drop(self);
        wake.notify_one();
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::GroupCommit(e)),
            Err(_) => Err(StoreError::GroupCommit(
                "the writer stopped before committing".into(),
            )),
        }
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        // A released savepoint cannot be taken back on its own: its work commits with the
        // batch, unacknowledged (as when a client goes away after its commit) — the flusher
        // is woken so the batch does not wait for the next write.
        if !self.done && self.savepoint == Savepoint::Released {
            self.wake.notify_one();
        }
        if !self.done && self.savepoint == Savepoint::Open {
            self.guard.dirty = true;
            self.wake.notify_one();
        }
    }
}

impl Deref for SqliteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.guard.conn
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        debug_assert!(
            self.savepoint == Savepoint::Open,
            "a scripted transaction runs its prelude script first and nothing after its release"
        );
        &mut self.guard.conn
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop_lane();
    }
}

/// A single-threaded runtime on a thread of its own, running until told to stop.
fn start_lane() -> std::io::Result<(tokio::runtime::Handle, oneshot::Sender<()>)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let handle = rt.handle().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("sanbao-writer".into())
        .spawn(move || {
            rt.block_on(async {
                let _ = stopped.await;
            });
        })?;
    Ok((handle, stop))
}

/// Open the writer connection, and a second connection that checkpoints the WAL.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold, so one
/// batch in a thousand pages would wait for the whole copy-back and its syncs. Here the
/// writer never checkpoints; a background connection runs passive checkpoints, which copy
/// committed pages into the database file alongside the writer without blocking it.
pub(crate) async fn connect(opts: &sqlx::sqlite::SqliteConnectOptions) -> Result<Writer> {
    let conn =
        SqliteConnection::connect_with(&opts.clone().pragma("wal_autocheckpoint", "0")).await?;
    let mut checkpointer = SqliteConnection::connect_with(opts).await?;
    let w = Writer::new(conn)?;
    let closed = w.closed.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !closed.load(Ordering::Acquire) {
            tick.tick().await;
            if let Err(e) = checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
        let _ = checkpointer.close().await;
    });
    Ok(w)
}

/// How often committed WAL pages are copied into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
