//! In-app notifications: what supervisors are told (escalations, reports to them).

use chrono::{DateTime, Utc};
use sanbao_store::notify as repo;

use crate::{Actor, Result};

crate::facade!(
    /// Notifications.
    Notifications,
    notifications
);

/// A notification as shown on the workbench.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    /// The case it is about, if any.
    pub case_number: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<repo::NotificationRow> for Notification {
    fn from(r: repo::NotificationRow) -> Self {
        Notification {
            id: r.id,
            case_number: r.case_number,
            body: r.body,
            created_at: r.created_at,
            read_at: r.read_at,
        }
    }
}

impl Notifications<'_> {
    /// The signed-in user's notifications, newest first, and how many are unread (capped at
    /// 100).
    pub async fn mine(&self, actor: &Actor) -> Result<(Vec<Notification>, i64)> {
        let id = actor.signed_in()?;
        let store = &self.app.store;
        let (list, unread) = tokio::join!(
            repo::notifications(store, id, 50),
            repo::unread_count(store, id)
        );
        Ok((list?.into_iter().map(Notification::from).collect(), unread?))
    }

    pub async fn mark_read(&self, actor: &Actor) -> Result<()> {
        let id = actor.signed_in()?;
        let mut tx = self.app.store.begin().await?;
        repo::mark_read(&mut tx, id, sanbao_domain::time::now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
