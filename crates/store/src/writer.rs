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
//! * Case intake, the one write that comes by the thousand, does not talk to SQLite through
//!   sqlx's worker thread (a hand-over per statement, which costs more than the statement
//!   itself): [`Writer::direct`] queues it for the writer's own thread, which takes the raw
//!   connection once for everything queued and runs each job in its savepoint there, straight
//!   on SQLite. Its batch commits like any other.
//!
//! One request's failure rolls back only its savepoint. If SQLite itself abandons the whole
//! transaction (disk full, I/O error), every request of the batch is told it failed: none was
//! acknowledged yet.
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Connection, Executor, SqliteConnection};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, mpsc, oneshot};

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
    /// Jobs for the raw connection (see [`Writer::direct`]).
    jobs: mpsc::UnboundedSender<Job>,
    stop_lane: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

/// A job of [`Writer::direct`], type-erased: it runs its work in a [`Session`] and answers
/// its caller itself.
type Job = Box<dyn FnOnce(&mut Session<'_>) + Send>;

/// At most this many queued jobs share one hold of the raw connection, so that the flusher and
/// ordinary transactions waiting for the connection get their turn under a steady stream.
const JOBS_PER_HOLD: usize = 64;

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Take over `conn`, start the writer's own thread with the flusher and the job runner.
    pub(crate) fn new(conn: SqliteConnection) -> std::io::Result<Self> {
        let (lane, stop_lane) = start_lane()?;
        let (jobs, queued) = mpsc::unbounded_channel();
        let w = Self {
            conn: Arc::new(Mutex::new(Conn {
                conn,
                open: false,
                dirty: false,
                pending: Vec::new(),
            })),
            wake: Arc::new(Notify::new()),
            closed: Arc::new(AtomicBool::new(false)),
            jobs,
            stop_lane: std::sync::Mutex::new(Some(stop_lane)),
        };
        let (conn, wake, closed) = (w.conn.clone(), w.wake.clone(), w.closed.clone());
        lane.spawn(async move {
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
        lane.spawn(run_jobs(
            w.conn.clone(),
            w.wake.clone(),
            w.closed.clone(),
            queued,
        ));
        Ok(w)
    }

    /// Run `work` on the writer's thread, straight on the SQLite connection, as this request's
    /// savepoint in the open batch (opening one if needed); answers once the batch is committed
    /// and synced. If `work` fails, its savepoint is rolled back and its error returned.
    ///
    /// `work` runs to its end even if the caller stops waiting (its writes then commit with the
    /// batch, unacknowledged, as with a client that goes away after its commit).
    pub(crate) async fn direct<T: Send + 'static>(
        &self,
        work: impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |s: &mut Session<'_>| {
            let out = s.savepoint(work).map(|v| (v, s.on_commit()));
            let _ = answer.send(out);
        });
        let stopped = || StoreError::GroupCommit("the writer stopped before committing".into());
        self.jobs.send(job).map_err(|_| stopped())?;
        let (value, committed) = answered.await.map_err(|_| stopped())??;
        match committed.await {
            Ok(Ok(())) => Ok(value),
            Ok(Err(e)) => Err(StoreError::GroupCommit(e)),
            Err(_) => Err(stopped()),
        }
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
        Ok(SqliteTx {
            guard: g,
            wake: self.wake.clone(),
            done: false,
        })
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
}

impl SqliteTx {
    /// Release the savepoint into the batch and wait until the batch is committed.
    pub(crate) async fn commit(mut self) -> Result<()> {
        if let Err(e) = self.guard.conn.execute("RELEASE req").await {
            // Dropping `self` rolls the savepoint back.
            return Err(e.into());
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
        if !self.done {
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
        &mut self.guard.conn
    }
}

/// Run the queued jobs of [`Writer::direct`]: whoever comes first takes the connection (in
/// turn with everyone else) and the raw handle once, for itself and whatever queued meanwhile.
async fn run_jobs(
    conn: Arc<Mutex<Conn>>,
    wake: Arc<Notify>,
    closed: Arc<AtomicBool>,
    mut queued: mpsc::UnboundedReceiver<Job>,
) {
    while let Some(first) = queued.recv().await {
        let mut g = conn.lock().await;
        g.settle().await;
        let lost = g
            .hold_raw(closed.load(Ordering::Acquire), first, &mut queued)
            .await;
        if let Some(why) = lost {
            tracing::warn!(error = %why, "the batch transaction was lost");
            g.abandon(why).await;
        }
        drop(g);
        // The jobs' savepoints are in the batch: the flusher commits them.
        wake.notify_one();
    }
}

/// The raw connection while the writer's thread holds it, for [`Writer::direct`] jobs.
pub(crate) struct Session<'a> {
    /// The connection, or why writes cannot run.
    conn: std::result::Result<&'a rusqlite::Connection, String>,
    open: &'a mut bool,
    pending: &'a mut Vec<oneshot::Sender<Result<(), String>>>,
    /// SQLite abandoned the batch transaction: everyone in it must be told.
    lost: Option<String>,
}

impl Session<'_> {
    /// Run `work` in a savepoint of the batch (opening the batch if needed); roll it back if
    /// `work` fails.
    fn savepoint<T>(&mut self, work: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        let c = match &self.conn {
            Ok(c) => *c,
            Err(why) => return Err(StoreError::GroupCommit(why.clone())),
        };
        if !*self.open {
            c.execute_batch("BEGIN IMMEDIATE")?;
            *self.open = true;
        }
        // A failed SAVEPOINT leaves the batch as it was; the flusher ends it for the others.
        c.prepare_cached("SAVEPOINT req")?.execute([])?;
        // A panic in `work` is this request's failure like any other: its savepoint is rolled
        // back and the writer goes on (unwinding out of here would leave the savepoint to be
        // committed with the batch and stop the job runner).
        let worked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(c)))
            .unwrap_or_else(|_| {
                tracing::error!("a write job panicked; its savepoint is rolled back");
                Err(StoreError::GroupCommit(
                    "the write failed unexpectedly".into(),
                ))
            });
        let out = worked.and_then(|v| {
            c.prepare_cached("RELEASE req")?.execute([])?;
            Ok(v)
        });
        if out.is_err()
            && let Err(e) = c.execute_batch("ROLLBACK TO req; RELEASE req")
        {
            let why = format!("the write transaction was lost: {e}");
            self.conn = Err(why.clone());
            self.lost = Some(why);
        }
        out
    }

    /// Be told when the batch holding the savepoints released so far is committed.
    fn on_commit(&mut self) -> oneshot::Receiver<Result<(), String>> {
        let (tx, rx) = oneshot::channel();
        self.pending.push(tx);
        rx
    }
}

impl Conn {
    /// Take the raw connection from sqlx's worker and run `first` and the jobs queued behind
    /// it (up to [`JOBS_PER_HOLD`]). Returns why the batch was lost, if it was.
    async fn hold_raw(
        &mut self,
        closed: bool,
        first: Job,
        queued: &mut mpsc::UnboundedReceiver<Job>,
    ) -> Option<String> {
        let Conn {
            conn,
            open,
            pending,
            ..
        } = self;
        let mut handle = if closed {
            Err("the store is closed".to_owned())
        } else {
            conn.lock_handle()
                .await
                .map_err(|e| format!("the writer connection is gone: {e}"))
        };
        // SAFETY: while `handle` lives, sqlx's worker makes no call on this connection or its
        // statements (`LockedSqliteHandle`'s guarantee), so this thread is its only user. `raw`
        // does not close the connection, and it is dropped — finalizing the statements it
        // prepared — before `handle` gives the connection back.
        let raw = match &mut handle {
            #[allow(unsafe_code)]
            Ok(h) => unsafe { rusqlite::Connection::from_handle(h.as_raw_handle().as_ptr()) }
                .map_err(|e| e.to_string()),
            Err(why) => Err(why.clone()),
        };
        if let Ok(r) = &raw {
            r.set_prepared_statement_cache_capacity(32);
        }
        let mut s = Session {
            conn: raw.as_ref().map_err(Clone::clone),
            open,
            pending,
            lost: None,
        };
        first(&mut s);
        for _ in 1..JOBS_PER_HOLD {
            match queued.try_recv() {
                Ok(job) => job(&mut s),
                Err(_) => break,
            }
        }
        let lost = s.lost.take();
        drop(s);
        drop(raw);
        drop(handle);
        lost
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
