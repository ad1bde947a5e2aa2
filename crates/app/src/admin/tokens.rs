//! API tokens for integrations: shown once at creation, stored as a SHA-256, revocable.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::hex::sha256;
use sanbao_domain::role::{Permission, Role};
use sanbao_domain::user::parse_label;
use sanbao_domain::{UserId, text};
use sanbao_store::admin::tokens::{self as repo, TokenRow};
use sanbao_store::admin::users;
use serde_json::json;

use crate::secret::random_hex;
use crate::{Actor, AppError, Result, audit};

crate::facade!(
    /// API tokens.
    Tokens,
    tokens
);

/// A token as listed (never the secret).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: i64,
    pub user_id: UserId,
    pub username: String,
    pub name: String,
    /// The first characters, to recognise it by.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for Token {
    fn from(r: TokenRow) -> Self {
        Token {
            id: r.id,
            user_id: UserId(r.user_id),
            username: r.username,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// Every token starts with this, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "sbk_";

/// A new token: its record and the secret, which is never shown again.
pub struct CreatedToken {
    pub id: i64,
    pub token: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("id", &self.id)
            .field("token", &"***")
            .finish()
    }
}

impl Tokens<'_> {
    /// Create a token that acts as `user_id` with that user's permissions.
    #[tracing::instrument(name = "token.create", skip_all)]
    pub async fn create(&self, actor: &Actor, user_id: UserId, name: &str) -> Result<CreatedToken> {
        actor.require(Permission::TokenManage)?;
        let name = parse_label(name, "name", text!("label.token_name"), 60)?;
        if actor.user_id != Some(user_id) {
            // A token acts with its user's permissions: making one for someone else is acting
            // as them.
            actor.require(Permission::UserManage)?;
            let target_roles = users::role_codes_of(&self.app.store, user_id.0).await?;
            if target_roles.iter().any(|r| r == Role::Administrator.code()) {
                actor.require(Permission::RoleManage)?;
            }
        }
        let user = users::by_id(&self.app.store, user_id.0)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::invalid("user_id", "unknown", text!("token.user_unknown")))?;
        let token = format!("{TOKEN_PREFIX}{}", random_hex(24)?);
        let prefix = &token[..TOKEN_PREFIX.len() + 6];
        let mut tx = self.app.store.begin().await?;
        let id = repo::insert(
            &mut tx,
            &repo::NewToken {
                user_id: user.id,
                name: &name,
                prefix,
                token_hash: &sha256(token.as_bytes()),
                created_by: actor.id(),
                now: sanbao_domain::time::now(),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Action::TokenCreate,
            RecordType::ApiToken,
            id,
            json!({"user": user.username, "name": name, "prefix": prefix}),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedToken { id, token })
    }

    pub async fn list(&self, actor: &Actor) -> Result<Vec<Token>> {
        actor.require(Permission::TokenManage)?;
        let rows = repo::list(&self.app.store).await?;
        Ok(rows.into_iter().map(Token::from).collect())
    }

    #[tracing::instrument(name = "token.revoke", skip_all, fields(token = id))]
    pub async fn revoke(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Permission::TokenManage)?;
        let mut tx = self.app.store.begin().await?;
        let t = repo::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("api_token"))?;
        if !repo::revoke(&mut tx, id, sanbao_domain::time::now()).await? {
            return Err(AppError::rule(
                "already_revoked",
                text!("token.already_revoked"),
            ));
        }
        audit::record(
            &mut tx,
            actor,
            Action::TokenRevoke,
            RecordType::ApiToken,
            id,
            json!({"user": t.username, "name": t.name, "prefix": t.prefix}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
