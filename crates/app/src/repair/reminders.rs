//! Reminders of appointments: the day before a repair visit or a maintenance booking (or on
//! the day, when it was booked late), its technician finds it among their notifications.

use sanbao_domain::text;
use sanbao_store::appointment as repo;

use super::Repairs;
use crate::Result;

/// Reminders sent per pass; the rest wait for the next one.
const PASS: i64 = 200;

impl Repairs<'_> {
    /// Remind each technician of their appointments today and tomorrow not yet reminded; how
    /// many. Each is reminded once, whatever the number of processes: the reminder is claimed
    /// by one conditional update in the transaction that writes it.
    #[tracing::instrument(name = "appointment.remind", skip_all)]
    pub async fn remind_appointments(&self) -> Result<usize> {
        let now = sanbao_domain::time::now();
        let today = now.with_timezone(&self.app.config.timezone).date_naive();
        let tomorrow = today.succ_opt().unwrap_or(today);
        let mut sent = 0;
        for a in repo::due(&self.app.store, today, tomorrow, PASS).await? {
            let when = if a.on_date == today {
                text!("appointment.today")
            } else {
                text!("appointment.tomorrow")
            };
            let body = text!(
                "appointment.reminder",
                when = when,
                day = a.on_date.to_string(),
                slot = a.slot.clone(),
                number = a.number.clone(),
                subject = a.subject.clone(),
                address = a.address.clone()
            )
            .to_string();
            let mut tx = self.app.store.begin().await?;
            if repo::claim_reminder(&mut tx, a.case_id, a.on_date, now).await? {
                sanbao_store::notify::notify(&mut tx, a.technician_id, Some(a.case_id), &body, now)
                    .await?;
                sent += 1;
            }
            tx.commit().await?;
        }
        Ok(sent)
    }
}
