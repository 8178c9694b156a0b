//! Signing in and out, sessions, and a user's own account (password, language).
//!
//! Failed sign-ins are counted from the audit log, which every instance shares, so the
//! throttle holds behind a load balancer too.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::staff::{self, AccountRuleError};
use kefu_domain::{CurrentUser, Locale, Permission, Role, RoleSet};
use kefu_store::staff::{self as store, User};
use kefu_store::{StoreError, changelog};
use serde_json::json;

use crate::audit::{self, Target, action};
use crate::secret::{self, DUMMY_HASH};
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileItem, TileSpec};
use crate::{Actor, App, AppError, Result};

/// A new sign-in: the cookie value to hand to the browser, and who signed in.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub user: CurrentUser,
}

/// What a session cookie turned out to be.
#[derive(Debug, Clone)]
pub enum SessionLookup {
    Valid(CurrentUser),
    /// It was a real session, but it ran out; the person should be told so.
    Expired,
    Unknown,
}

/// Requests within this long of the last recorded one do not write to the session row.
const SESSION_TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

pub(crate) fn current_user(u: &User) -> CurrentUser {
    CurrentUser {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        roles: u.roles.clone(),
        grants: u.grants.clone(),
        locale: u.locale,
        must_change_password: u.must_change_password,
    }
}

impl App {
    /// On the very first start, creates the `admin` account with a one-time password and
    /// returns that password; returns `None` when any account exists already.
    pub async fn bootstrap_admin(&self) -> Result<Option<String>> {
        let mut tx = self.store.begin_seeding().await?;
        if store::count_users(&mut tx).await? > 0 {
            return Ok(None);
        }
        let password = secret::generate_password();
        let hash = secret::hash_password(&password).await?;
        let now = self.now();
        let new = store::NewUser {
            username: "admin",
            display_name: "系统管理员",
            email: None,
            password_hash: &hash,
            department_id: None,
            level: None,
            locale: Locale::ZhCn,
            must_change_password: true,
        };
        let id = match store::insert_user(&mut tx, &new, now).await {
            Ok(id) => id,
            // Another instance bootstrapped at the same moment.
            Err(StoreError::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        store::set_roles(&mut tx, id, &RoleSet::new([Role::Admin])).await?;
        changelog::record(&mut tx, "user", id, changelog::Operation::Create, None, now).await?;
        let actor = Actor::system();
        audit::write(
            &mut tx,
            self,
            &actor,
            action::USER_CREATED,
            Some(Target {
                kind: "user",
                id: &id.to_string(),
            }),
            Some(json!({"username": "admin", "roles": ["admin"], "bootstrap": true})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Some(password))
    }

    /// Checks the credentials and opens a session. Unknown users, wrong passwords and
    /// disabled accounts all answer the same, and all are audited.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<NewSession> {
        let actor = Actor::anonymous(ip.map(str::to_owned));
        let username = username.trim().to_lowercase();
        let target = || {
            Some(Target {
                kind: "user",
                id: &username,
            })
        };
        let now = self.now();
        let since = now - self.settings.throttle_window;
        let mut conn = self.store.conn().await?;

        let per_account =
            kefu_store::audit::count_for_target(&mut conn, action::LOGIN_FAILED, &username, since)
                .await?;
        let per_ip = match ip {
            Some(ip) => {
                kefu_store::audit::count_for_ip(&mut conn, action::LOGIN_FAILED, ip, since).await?
            }
            None => 0,
        };
        if per_account >= self.settings.throttle_per_account
            || per_ip >= self.settings.throttle_per_ip
        {
            audit::write(
                &mut conn,
                self,
                &actor,
                action::LOGIN_THROTTLED,
                target(),
                None,
            )
            .await?;
            return Err(AppError::Throttled {
                retry_after_secs: self.settings.throttle_window.as_secs(),
            });
        }

        let user = match store::user_by_username(&mut conn, &username).await {
            Ok(u) => Some(u),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let hash = user
            .as_ref()
            .map_or(DUMMY_HASH, |u| u.password_hash.as_str());
        let matches = secret::verify_password(password, hash).await?;
        let user = match user {
            Some(u) if matches && u.active => u,
            other => {
                let reason = match other {
                    None => "unknown_user",
                    Some(u) if !u.active => "disabled",
                    Some(_) => "wrong_password",
                };
                audit::write(
                    &mut conn,
                    self,
                    &actor,
                    action::LOGIN_FAILED,
                    target(),
                    Some(json!({"reason": reason})),
                )
                .await?;
                return Err(AppError::InvalidCredentials);
            }
        };

        let token = secret::random_hex(32);
        let mut tx = self.store.begin().await?;
        store::insert_session(
            &mut tx,
            &secret::sha256_hex(&token),
            user.id,
            now,
            now + self.settings.session_idle,
            ip,
            user_agent
                .map(|ua| ua.chars().take(256).collect::<String>())
                .as_deref(),
        )
        .await?;
        let actor = Actor::user(current_user(&user), actor.ip);
        audit::write(
            &mut tx,
            self,
            &actor,
            action::LOGIN_SUCCEEDED,
            Some(Target {
                kind: "user",
                id: &user.username,
            }),
            None,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSession {
            token,
            user: current_user(&user),
        })
    }

    /// Resolves a session cookie; extends the session while it is in use.
    pub async fn session_user(&self, token: &str) -> Result<SessionLookup> {
        let hash = secret::sha256_hex(token);
        let mut conn = self.store.conn().await?;
        let session = match store::session(&mut conn, &hash).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Ok(SessionLookup::Unknown),
            Err(e) => return Err(e.into()),
        };
        let now = self.now();
        if session.expires_at <= now {
            store::delete_session(&mut conn, &hash).await?;
            return Ok(SessionLookup::Expired);
        }
        let user = store::user_by_id(&mut conn, session.user_id).await?;
        if !user.active {
            store::delete_session(&mut conn, &hash).await?;
            return Ok(SessionLookup::Unknown);
        }
        if now.duration_since(session.last_seen_at) >= SESSION_TOUCH_INTERVAL {
            store::touch_session(&mut conn, &hash, now, now + self.settings.session_idle).await?;
        }
        Ok(SessionLookup::Valid(current_user(&user)))
    }

    /// A new session for the signed-in user whose own change (of their roles) just ended
    /// every session they had: they carry on under a new id, never under one issued before
    /// the change. The account must still be active.
    pub async fn reissue_session(
        &self,
        actor: &Actor,
        user_agent: Option<&str>,
    ) -> Result<NewSession> {
        let user_id = actor.user_id().ok_or(AppError::Forbidden)?;
        let token = secret::random_hex(32);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = store::user_by_id(&mut tx, user_id).await?;
        if !user.active {
            return Err(AppError::Forbidden);
        }
        store::insert_session(
            &mut tx,
            &secret::sha256_hex(&token),
            user.id,
            now,
            now + self.settings.session_idle,
            actor.ip.as_deref(),
            user_agent
                .map(|ua| ua.chars().take(256).collect::<String>())
                .as_deref(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSession {
            token,
            user: current_user(&user),
        })
    }

    /// Ends the session behind `token`.
    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        store::delete_session(&mut tx, &secret::sha256_hex(token)).await?;
        let target = Some(Target {
            kind: "user",
            id: actor.name(),
        });
        audit::write(&mut tx, self, actor, action::LOGOUT, target, None).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// A user changes their own password; every other session of theirs ends.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session_token: Option<&str>,
    ) -> Result<()> {
        actor.require(Permission::AccountSelf)?;
        let user_id = actor.user_id().ok_or(AppError::Forbidden)?;
        staff::check_password(new)?;
        if current == new {
            return Err(AccountRuleError::PasswordUnchanged.into());
        }
        let mut conn = self.store.conn().await?;
        let user = store::user_by_id(&mut conn, user_id).await?;
        drop(conn);
        if !secret::verify_password(current, &user.password_hash).await? {
            return Err(AppError::WrongCurrentPassword);
        }
        let hash = secret::hash_password(new).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::set_password(&mut tx, user_id, &hash, false, now).await?;
        let keep = keep_session_token.map(secret::sha256_hex);
        store::delete_sessions_of(&mut tx, user_id, keep.as_deref()).await?;
        changelog::record(
            &mut tx,
            "user",
            user_id,
            changelog::Operation::Update,
            Some(user_id),
            now,
        )
        .await?;
        let id = user_id.to_string();
        audit::write(
            &mut tx,
            self,
            actor,
            action::PASSWORD_CHANGED,
            Some(Target {
                kind: "user",
                id: &id,
            }),
            None,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// A user picks the language kefu speaks to them.
    pub async fn set_own_locale(&self, actor: &Actor, locale: Locale) -> Result<()> {
        actor.require(Permission::AccountSelf)?;
        let user_id = actor.user_id().ok_or(AppError::Forbidden)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::set_locale(&mut tx, user_id, locale, now).await?;
        changelog::record(
            &mut tx,
            "user",
            user_id,
            changelog::Operation::Update,
            Some(user_id),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 客服名片 — the user's own desk phone and work mobile.
    pub async fn own_work_contact(&self, actor: &Actor) -> Result<store::WorkContact> {
        actor.require(Permission::AccountSelf)?;
        let user_id = actor.user_id().ok_or(AppError::Forbidden)?;
        let mut conn = self.store.conn().await?;
        Ok(store::work_contact(&mut conn, user_id).await?)
    }

    /// Sets the user's own desk phone ({客服电话} in the follow-up scripts) and work mobile
    /// (the one the first visit's text message gives); blank clears one.
    pub async fn set_own_work_contact(
        &self,
        actor: &Actor,
        phone: &str,
        mobile: &str,
    ) -> Result<()> {
        actor.require(Permission::AccountSelf)?;
        let user_id = actor.user_id().ok_or(AppError::Forbidden)?;
        let blank = |s: &str| s.trim().is_empty();
        let contact = store::WorkContact {
            phone: (!blank(phone))
                .then(|| kefu_domain::customer::clean_phone(phone))
                .transpose()?,
            mobile: (!blank(mobile))
                .then(|| kefu_domain::customer::clean_mobile(mobile))
                .transpose()?,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::set_work_contact(&mut tx, user_id, &contact, now).await?;
        changelog::record(
            &mut tx,
            "user",
            user_id,
            changelog::Operation::Update,
            Some(user_id),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The key that signs CSRF tokens (hex): made at first use and kept in the database,
    /// so every instance signs and checks tokens alike. The web layer reads it once.
    pub async fn csrf_key(&self) -> Result<String> {
        let candidate = secret::random_hex(32);
        let mut tx = self.store.begin().await?;
        let key = store::server_secret(&mut tx, "csrf", &candidate, self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(key)
    }

    /// Removes sessions that ran out; run by the jobs worker.
    pub async fn purge_expired_sessions(&self, at: Timestamp) -> Result<u64> {
        let mut conn = self.store.conn().await?;
        let staff = store::delete_expired_sessions(&mut conn, at).await?;
        let customers = kefu_store::portal::delete_expired_sessions(&mut conn, at).await?;
        drop(conn);
        self.purge_presence().await?;
        Ok(staff + customers)
    }
}

/// "Signed in now": a sign-in seen within this long (a session is seen again at most once
/// a minute while its user works).
pub const SIGNED_IN_WITHIN: SignedDuration = SignedDuration::from_mins(15);

/// The most colleagues the tile names.
const SIGNED_IN_SHOWN: i64 = 200;

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "staff.signed_in",
    title: "workbench.tile.signed_in",
    roles: &[Role::CsManager],
    permission: Permission::DirectoryView,
    fill: signed_in,
}];

/// 当前在线 — the colleagues signed in and at work in the last quarter hour, by name.
fn signed_in<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let people = {
            let mut conn = app.store.conn().await?;
            store::signed_in_since(&mut conn, r.now - SIGNED_IN_WITHIN, r.now, SIGNED_IN_SHOWN)
                .await?
        };
        let total = Count::capped(people.len() as i64, SIGNED_IN_SHOWN);
        let items = people
            .into_iter()
            .map(|(_, name)| TileItem {
                label: Label::Text(name),
                detail: None,
                at: None,
                link: None,
                alert: false,
            })
            .collect();
        Ok(Some(Filled {
            link: None,
            body: TileBody::Items { items, total },
            hint: Some(Label::Format(
                "workbench.hint.signed_in",
                vec![("minutes", SIGNED_IN_WITHIN.as_mins().to_string())],
            )),
        }))
    })
}
