//! Personal API tokens: created by a user (or the CLI for a user), shown once, stored only
//! as a hash, revocable from the web page. A revoked token is refused and the attempt is
//! audited.

use kefu_domain::{CurrentUser, Permission};
use kefu_store::StoreError;
use kefu_store::staff::{self as store, ApiToken};
use serde_json::json;

use crate::accounts::current_user;
use crate::audit::{self, Target, action};
use crate::secret;
use crate::{Actor, App, AppError, Result};

/// Visible start of every token, so a leaked one is easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "kefu_";

/// A newly created token: the secret (shown once) and its stored record.
#[derive(Debug)]
pub struct CreatedToken {
    pub secret: String,
    pub token: ApiToken,
}

/// What a presented bearer token turned out to be.
#[derive(Debug, Clone)]
pub enum TokenLookup {
    Valid { user: CurrentUser, token_id: i64 },
    Revoked,
    Unknown,
}

/// How often a token's "last used" time is written.
const TOKEN_TOUCH_INTERVAL: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

impl App {
    /// Creates a token for `user_id`. Users create their own; administrators and the CLI
    /// may create one for anybody.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
    ) -> Result<CreatedToken> {
        if actor.user_id() == Some(user_id) {
            actor.require(Permission::AccountSelf)?;
        } else {
            actor.require(Permission::UserManage)?;
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::InvalidTokenName);
        }
        let secret = format!("{TOKEN_PREFIX}{}", secret::random_hex(32));
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let owner = store::user_by_id(&mut tx, user_id).await?;
        let id = store::insert_token(
            &mut tx,
            user_id,
            name,
            &secret::sha256_hex(&secret),
            &prefix,
            now,
        )
        .await?;
        audit::write(
            &mut tx,
            self,
            actor,
            action::TOKEN_CREATED,
            Some(Target {
                kind: "api_token",
                id: &id.to_string(),
            }),
            Some(json!({"owner": owner.username, "name": name})),
        )
        .await?;
        let token = store::token_by_id(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(CreatedToken { secret, token })
    }

    pub async fn tokens_of(&self, actor: &Actor, user_id: i64) -> Result<Vec<ApiToken>> {
        if actor.user_id() != Some(user_id) {
            actor.require(Permission::UserManage)?;
        }
        let mut conn = self.store.conn().await?;
        Ok(store::tokens_of(&mut conn, user_id).await?)
    }

    /// Revokes a token; its owner or an administrator may. Someone else's token id answers
    /// "not found" rather than revealing that it exists.
    pub async fn revoke_token(&self, actor: &Actor, token_id: i64) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let token = store::token_by_id(&mut tx, token_id).await?;
        if actor.user_id() != Some(token.user_id) && actor.require(Permission::UserManage).is_err()
        {
            return Err(AppError::NotFound);
        }
        store::revoke_token(&mut tx, token_id, self.now()).await?;
        audit::write(
            &mut tx,
            self,
            actor,
            action::TOKEN_REVOKED,
            Some(Target {
                kind: "api_token",
                id: &token_id.to_string(),
            }),
            Some(json!({"name": token.name})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Resolves a bearer token. Use of a revoked token is audited.
    pub async fn token_user(&self, secret: &str, ip: Option<&str>) -> Result<TokenLookup> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(TokenLookup::Unknown);
        }
        let mut conn = self.store.conn().await?;
        let hash = secret::sha256_hex(secret);
        let (token, user) = match store::token_and_user_by_hash(&mut conn, &hash).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(TokenLookup::Unknown),
            Err(e) => return Err(e.into()),
        };
        if token.revoked_at.is_some() || !user.active {
            let actor = Actor::anonymous(ip.map(str::to_owned));
            let reason = if token.revoked_at.is_some() {
                "revoked"
            } else {
                "user_disabled"
            };
            audit::write(
                &mut conn,
                self,
                &actor,
                action::TOKEN_REJECTED,
                Some(Target {
                    kind: "api_token",
                    id: &token.id.to_string(),
                }),
                Some(json!({"reason": reason, "owner": user.username})),
            )
            .await?;
            return Ok(TokenLookup::Revoked);
        }
        // A write per API call would queue every read behind the writers; once a minute is
        // as informative ("last used") and leaves reads read-only.
        let now = self.now();
        let stale = token
            .last_used_at
            .is_none_or(|t| now.duration_since(t) >= TOKEN_TOUCH_INTERVAL);
        if stale {
            store::mark_token_used(&mut conn, token.id, now).await?;
        }
        Ok(TokenLookup::Valid {
            user: current_user(&user),
            token_id: token.id,
        })
    }
}
