//! Signing in and out, sessions, API tokens on requests, changing one's own password.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::hex::sha256;
use sanbao_domain::role::{Permission, PermissionSet};
use sanbao_domain::user::{Lang, NewPassword, Username};
use sanbao_domain::{DeskId, UserId, text};
use sanbao_store::admin::{tokens, users};
use sanbao_store::auth::{sessions, throttle};
use serde_json::json;

use crate::secret::{DUMMY_HASH, hash_password, random_hex, verify_password};
use crate::{Actor, AppError, Result, audit, chrono_duration};

crate::facade!(
    /// Signing in and out, sessions, API tokens on requests, one's own password and language.
    Auth,
    auth
);

/// A new session: the cookie value (shown to the browser only) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub must_change_password: bool,
    pub lang: Lang,
}

/// A signed-in request's session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
    pub must_change_password: bool,
}

/// Where a login attempt comes from.
pub struct LoginFrom<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
}

impl Auth<'_> {
    /// Check a user name and password; on success open a session.
    ///
    /// A wrong user name, a wrong password and a disabled account all answer
    /// [`AppError::BadCredentials`] after the same argon2 work.
    #[tracing::instrument(name = "auth.login", skip_all)]
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        from: LoginFrom<'_>,
    ) -> Result<NewSession> {
        let now = sanbao_domain::time::now();
        // Control characters never reach a key (the web edge refuses them; this is the floor).
        let name: String = username
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase();
        let account_key = format!("user:{name}");
        let ip_key = format!("ip:{}", from.ip);
        self.reserve_attempt(&account_key, &ip_key, now).await?;

        let user = match Username::parse(&name) {
            Ok(u) => users::by_username(&self.app.store, u.as_str()).await?,
            Err(_) => None,
        };
        let hash = user
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let ok = verify_password(password.to_owned(), hash).await?;
        let user = match user {
            Some(u) if ok && u.active => u,
            _ => {
                // The attempt was counted before its check: a failure needs no more writing.
                tracing::info!(username = %name, ip = from.ip, "login failed");
                return Err(AppError::BadCredentials);
            }
        };

        let token = random_hex(32)?;
        let csrf_token = random_hex(16)?;
        let mut tx = self.app.store.begin().await?;
        throttle::clear(&mut tx, &account_key).await?;
        throttle::release(&mut tx, &ip_key).await?;
        sessions::insert(
            &mut tx,
            &sessions::NewSession {
                id_hash: &sha256(token.as_bytes()),
                user_id: user.id,
                csrf_token: &csrf_token,
                now,
                ip: from.ip,
                user_agent: truncate(from.user_agent, 200),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = user.id, "login");
        Ok(NewSession {
            token,
            csrf_token,
            must_change_password: user.must_change_password,
            lang: user.lang.parse().unwrap_or_default(),
        })
    }

    /// Count this attempt for the account and for the address before any password is checked,
    /// and refuse it (429 with the time left) if either is at its limit: however many attempts
    /// arrive at once, no more than the limit are ever checked in a window. A refused attempt
    /// counts for neither key (its transaction is dropped).
    async fn reserve_attempt(
        &self,
        account_key: &str,
        ip_key: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let window = chrono_duration(self.app.config.login_window);
        let cfg = &self.app.config;
        let mut tx = self.app.store.begin().await?;
        for (key, max) in [
            (account_key, cfg.login_max_failures_per_account),
            (ip_key, cfg.login_max_failures_per_ip),
        ] {
            if throttle::reserve(&mut tx, key, max, now, now - window)
                .await?
                .is_none()
            {
                drop(tx);
                let start = throttle::get(&self.app.store, key)
                    .await?
                    .map_or(now, |(_, start)| start);
                return Err(AppError::RateLimited {
                    retry_after_secs: (start + window - now).num_seconds().max(1) as u64,
                });
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// End the session with this cookie value (no error if it is already gone).
    pub async fn logout(&self, token: &str) -> Result<()> {
        let mut tx = self.app.store.begin().await?;
        sessions::delete(&mut tx, &sha256(token.as_bytes())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session behind a cookie value, if it is live: not idle too long, not too old, its
    /// user active. Refreshes its last-seen time at most once a minute.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let id_hash = sha256(token.as_bytes());
        let Some(s) = sessions::get(&self.app.store, &id_hash).await? else {
            return Ok(None);
        };
        let now = sanbao_domain::time::now();
        let idle_expired = s.last_seen_at + chrono_duration(self.app.config.session_idle) <= now;
        let too_old = s.created_at + chrono_duration(self.app.config.session_absolute) <= now;
        if idle_expired || too_old || !s.active {
            let mut tx = self.app.store.begin().await?;
            sessions::delete(&mut tx, &id_hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        if now - s.last_seen_at > chrono::Duration::seconds(60) {
            let mut tx = self.app.store.begin().await?;
            sessions::touch(&mut tx, &id_hash, now).await?;
            tx.commit().await?;
        }
        let actor = actor_for(
            s.grants.grants(),
            s.user_id,
            s.username,
            s.display_name,
            &s.lang,
        );
        Ok(Some(SessionInfo {
            actor,
            csrf_token: s.csrf_token,
            must_change_password: s.must_change_password,
        }))
    }

    /// The user behind an `Authorization: Bearer` token, if the token is live.
    pub async fn token(&self, token: &str) -> Result<Option<Actor>> {
        let Some(t) = tokens::authenticate(&self.app.store, &sha256(token.as_bytes())).await?
        else {
            return Ok(None);
        };
        if !t.active {
            return Ok(None);
        }
        let now = sanbao_domain::time::now();
        if t.last_used_at
            .is_none_or(|at| now - at > chrono::Duration::seconds(60))
        {
            let mut tx = self.app.store.begin().await?;
            tokens::touch(&mut tx, t.id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(actor_for(
            t.grants.grants(),
            t.user_id,
            t.username,
            t.display_name,
            &t.lang,
        )))
    }

    /// Change one's own password, proving the current one. The user's other sessions end;
    /// `keep_session` (the caller's cookie value) stays signed in.
    #[tracing::instrument(name = "auth.change_password", skip_all)]
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let id = actor.signed_in()?;
        let user = users::by_id(&self.app.store, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        if !verify_password(current.to_owned(), user.password_hash.clone()).await? {
            return Err(AppError::invalid(
                "current_password",
                "wrong",
                text!("user.current_password_wrong"),
            ));
        }
        let username = Username::parse(&user.username)?;
        let new = NewPassword::parse(new, &username)?;
        if verify_password(new.expose().to_owned(), user.password_hash).await? {
            return Err(AppError::invalid(
                "password",
                "unchanged",
                text!("user.password_unchanged"),
            ));
        }
        let hash = hash_password(new.expose().to_owned()).await?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        users::set_password(&mut tx, id, &hash, false, now).await?;
        let keep = keep_session.map(|t| sha256(t.as_bytes()));
        sessions::delete_for_user(&mut tx, id, keep.as_deref()).await?;
        audit::record(
            &mut tx,
            actor,
            Action::UserChangePassword,
            RecordType::User,
            id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Delete ended sessions and login counters whose window is over. Idempotent, so every
    /// process may run it on its own timer. Returns `(sessions, counters)` removed.
    pub async fn purge_expired(&self) -> Result<(u64, u64)> {
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        let s = sessions::delete_expired(
            &mut tx,
            now - chrono_duration(self.app.config.session_idle),
            now - chrono_duration(self.app.config.session_absolute),
        )
        .await?;
        let t =
            throttle::delete_older(&mut tx, now - chrono_duration(self.app.config.login_window))
                .await?;
        tx.commit().await?;
        Ok((s, t))
    }

    /// Switch one's own UI language.
    pub async fn set_lang(&self, actor: &Actor, lang: &str) -> Result<()> {
        let id = actor.signed_in()?;
        let lang: Lang = lang.parse()?;
        let mut tx = self.app.store.begin().await?;
        users::set_lang(&mut tx, id, lang.code(), sanbao_domain::time::now()).await?;
        audit::record(
            &mut tx,
            actor,
            Action::UserSetLang,
            RecordType::User,
            id,
            json!({"lang": lang.code()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The actor a session or token stands for.
fn actor_for(
    grants: users::Grants,
    user_id: i64,
    username: String,
    display_name: String,
    lang: &str,
) -> Actor {
    let users::Grants {
        permissions: perms,
        roles,
        desk_ids,
    } = grants;
    Actor {
        user_id: Some(UserId(user_id)),
        username,
        display_name,
        lang: lang.parse().unwrap_or_default(),
        roles: roles.iter().filter_map(|r| r.parse().ok()).collect(),
        permissions: PermissionSet::new(perms.iter().filter_map(|p| p.parse::<Permission>().ok())),
        desk_ids: desk_ids.into_iter().map(DeskId).collect(),
    }
}
