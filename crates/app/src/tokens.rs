//! API tokens for integrations: shown once at creation, stored as a SHA-256, revocable.

use sanbao_domain::hex::sha256;
use sanbao_domain::role::{Permission, Role};
use sanbao_domain::user::parse_label;
use sanbao_store::tokens::{self as repo, TokenRow};
use sanbao_store::users;
use serde_json::json;

use crate::secret::random_hex;
use crate::{Actor, App, AppError, Result, audit};

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

impl App {
    /// Create a token that acts as `user_id` with that user's permissions.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
    ) -> Result<CreatedToken> {
        actor.require(Permission::TokenManage)?;
        let name = parse_label(name, "name", "令牌名称", 60)?;
        if actor.user_id != Some(user_id) {
            // A token acts with its user's permissions: making one for someone else is acting
            // as them.
            actor.require(Permission::UserManage)?;
            let target_roles = users::role_codes_of(&self.store, user_id).await?;
            if target_roles.iter().any(|r| r == Role::Administrator.code()) {
                actor.require(Permission::RoleManage)?;
            }
        }
        let user = users::by_id(&self.store, user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::invalid("user_id", "unknown", "所选用户不存在或已停用"))?;
        let token = format!("{TOKEN_PREFIX}{}", random_hex(24)?);
        let prefix = &token[..TOKEN_PREFIX.len() + 6];
        let mut tx = self.store.begin().await?;
        let id = repo::insert(
            &mut tx,
            &repo::NewToken {
                user_id: user.id,
                name: &name,
                prefix,
                token_hash: &sha256(token.as_bytes()),
                created_by: actor.user_id,
                now: sanbao_domain::time::now(),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "token.create",
            "api_token",
            id,
            json!({"user": user.username, "name": name, "prefix": prefix}),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedToken { id, token })
    }

    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<TokenRow>> {
        actor.require(Permission::TokenManage)?;
        Ok(repo::list(&self.store).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Permission::TokenManage)?;
        let mut tx = self.store.begin().await?;
        let t = repo::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("api_token"))?;
        if !repo::revoke(&mut tx, id, sanbao_domain::time::now()).await? {
            return Err(AppError::rule("already_revoked", "该令牌已被吊销"));
        }
        audit::record(
            &mut tx,
            actor,
            "token.revoke",
            "api_token",
            id,
            json!({"user": t.username, "name": t.name, "prefix": t.prefix}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
