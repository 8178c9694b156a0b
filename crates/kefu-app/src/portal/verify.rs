//! 地址验证 — a portal account proves the e-mail address or mobile it reads, and then sees
//! the tickets filed from it; a proven mobile also signs in (手机号登录).
//!
//! - E-mail: registering queues a link (`/portal/verify/{token}`, a day to follow it, once);
//!   the signed-in customer may ask for another. Following it proves the address for the
//!   account it was sent for, whoever's browser follows it: holding the link is the proof.
//! - Mobile: a six-digit code, ten minutes, five entries. Asked for on the sign-in page it
//!   signs in the account that proved the mobile, or opens a new account with only that
//!   mobile (no e-mail, no password) when none has — the answer before the code is entered
//!   is the same either way, so the page never tells whether a number has an account.
//!   Asked for while signed in, it proves the account's own mobile.
//!
//! Secrets are kept as hashes: a link by the hash of its token; a code by the hash of the
//! handle its form carries (so nobody can try codes against another person's request) and
//! the hash of handle and code together. The code itself exists only in the message queued
//! for the customer ([`crate::outbox`]); it is never written to the audit log or a log line.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Locale;
use kefu_domain::customer::{clean_mobile, mask_email, mask_phone};
use kefu_domain::portal::{
    self as rules, AddressKind, CODE_ATTEMPTS, CODE_LIFETIME, CodeState, LINK_LIFETIME,
    SENDS_PER_ADDRESS_PER_HOUR, SENDS_PER_IP_PER_HOUR, VerifyError, normalise_email,
};
use kefu_store::portal::verification::{self as store, NewVerification, Verification};
use kefu_store::portal::{self as accounts, PortalCustomer};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use super::{PortalSession, customer_of, identity};
use crate::audit::{self, Target, action};
use crate::outbox::{self, Outgoing};
use crate::secret;
use crate::{Actor, App, AppError, Result};

/// A code on its way: where it went (masked) and the handle its form carries.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub handle: String,
    pub masked: String,
    /// How long it may be entered.
    pub minutes: i64,
}

/// What following a verification link proved.
#[derive(Debug, Clone)]
pub struct LinkVerified {
    pub customer_id: i64,
    /// The address, masked.
    pub masked: String,
}

/// An address of the signed-in account as the portal shows it.
#[derive(Debug, Clone)]
pub struct AddressView {
    pub kind: AddressKind,
    pub masked: String,
    pub verified: bool,
    /// Whether it can be proven (a landline cannot take a text message).
    pub can_verify: bool,
}

/// Expired codes and links are forgotten a day after they ran out (until then following one
/// says "expired" rather than "not valid").
const FORGET_AFTER: SignedDuration = SignedDuration::from_hours(24);

/// The hash a code is checked against: the handle of its form and the code together, so the
/// million possible codes cannot be tried against a copied table.
fn code_hash(handle: &str, code: &str) -> String {
    secret::sha256_hex(&format!("{handle}:{code}"))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A fresh code, each of the million equally likely.
fn new_code() -> String {
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).expect("the operating system provides randomness");
        if let Some(code) = rules::code_from(u32::from_le_bytes(b)) {
            return code;
        }
    }
}

fn mobile_of(input: &str) -> Result<String> {
    clean_mobile(input).map_err(|_| VerifyError::BadMobile.into())
}

impl App {
    /// Refuses another code or link to `address` too soon after the last, past the hourly
    /// limit of the address, or past that of the client address asking.
    async fn check_send(
        &self,
        conn: &mut AnyConnection,
        kind: AddressKind,
        address: &str,
        ip: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let since = now - SignedDuration::from_hours(1);
        let (sent, last) = store::sent_to_address(conn, kind.key(), address, since).await?;
        if let Some(secs) = rules::wait_before_resend(last, now) {
            return Err(VerifyError::TooSoon { secs }.into());
        }
        if sent >= SENDS_PER_ADDRESS_PER_HOUR {
            return Err(VerifyError::TooManySends.into());
        }
        if let Some(ip) = ip
            && store::sent_for_ip(conn, ip, since).await? >= SENDS_PER_IP_PER_HOUR
        {
            return Err(VerifyError::TooManySends.into());
        }
        Ok(())
    }

    /// Queues, in the caller's transaction, a link that proves `email` for the account.
    pub(super) async fn queue_email_link(
        &self,
        conn: &mut AnyConnection,
        customer_id: i64,
        email: &str,
        ip: Option<&str>,
        locale: Locale,
        now: Timestamp,
    ) -> Result<()> {
        self.check_send(conn, AddressKind::Email, email, ip, now)
            .await?;
        store::delete_expired(conn, now - FORGET_AFTER).await?;
        let token = secret::random_hex(32);
        let lookup = secret::sha256_hex(&token);
        let expires_at = now + LINK_LIFETIME;
        store::insert(
            conn,
            &NewVerification {
                kind: AddressKind::Email.key(),
                address: email,
                customer_id: Some(customer_id),
                lookup_hash: &lookup,
                code_hash: None,
                ip,
                expires_at,
            },
            now,
        )
        .await?;
        outbox::enqueue(
            conn,
            &Outgoing {
                channel: outbox::channel::EMAIL,
                kind: outbox::kind::PORTAL_VERIFY_EMAIL,
                address: email,
                locale,
                // The path only: the channel puts the address people reach kefu at before it.
                params: json!({
                    "path": format!("/portal/verify/{token}"),
                    "expires_at": expires_at.to_string(),
                }),
                expires_at: Some(expires_at),
                send_after: None,
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// Queues, in the caller's transaction, a code to `mobile`; `customer_id` is the account
    /// it proves the mobile for, None for a sign-in code.
    #[allow(clippy::too_many_arguments)]
    async fn queue_code(
        &self,
        conn: &mut AnyConnection,
        mobile: &str,
        customer_id: Option<i64>,
        kind: &str,
        ip: Option<&str>,
        locale: Locale,
        now: Timestamp,
    ) -> Result<CodeSent> {
        self.check_send(conn, AddressKind::Mobile, mobile, ip, now)
            .await?;
        store::delete_expired(conn, now - FORGET_AFTER).await?;
        let code = new_code();
        let handle = secret::random_hex(16);
        let lookup = secret::sha256_hex(&handle);
        let hashed = code_hash(&handle, &code);
        let expires_at = now + CODE_LIFETIME;
        store::insert(
            conn,
            &NewVerification {
                kind: AddressKind::Mobile.key(),
                address: mobile,
                customer_id,
                lookup_hash: &lookup,
                code_hash: Some(hashed.as_str()),
                ip,
                expires_at,
            },
            now,
        )
        .await?;
        let minutes = CODE_LIFETIME.as_mins();
        outbox::enqueue(
            conn,
            &Outgoing {
                channel: outbox::channel::SMS,
                kind,
                address: mobile,
                locale,
                params: json!({"code": code, "minutes": minutes}),
                expires_at: Some(expires_at),
                send_after: None,
            },
            now,
        )
        .await?;
        Ok(CodeSent {
            handle,
            masked: mask_phone(mobile),
            minutes,
        })
    }

    /// Refuses code entries from a client address that got too many wrong lately, with the
    /// window and limit of failed sign-ins.
    async fn check_code_failures(&self, ip: Option<&str>) -> Result<()> {
        let Some(ip) = ip else {
            return Ok(());
        };
        let since = self.now() - self.settings.throttle_window;
        let mut conn = self.store.conn().await?;
        let failed =
            kefu_store::audit::count_for_ip(&mut conn, action::PORTAL_CODE_FAILED, ip, since)
                .await?;
        if failed >= self.settings.throttle_per_ip {
            return Err(AppError::Throttled {
                retry_after_secs: self.settings.throttle_window.as_secs(),
            });
        }
        Ok(())
    }

    /// Takes an entered code in the caller's transaction. The entry is counted whatever
    /// its outcome; a refusal comes back as `Ok(Err(..))` so the caller commits the count
    /// (and the audit of a wrong code) before answering.
    async fn enter_code(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        handle: &str,
        code: &str,
        for_customer: Option<i64>,
        now: Timestamp,
    ) -> Result<std::result::Result<Verification, VerifyError>> {
        let handle = handle.trim();
        let found = store::by_lookup(conn, &secret::sha256_hex(handle)).await?;
        let Some(v) = found else {
            return Ok(Err(VerifyError::NoCode));
        };
        let Some(expected) = v.code_hash.clone() else {
            return Ok(Err(VerifyError::NoCode));
        };
        if v.kind != AddressKind::Mobile.key() || v.customer_id != for_customer {
            return Ok(Err(VerifyError::NoCode));
        }
        let state = CodeState {
            expires_at: v.expires_at,
            attempts: v.attempts,
            used: v.used_at.is_some(),
        };
        if let Err(e) = rules::check_open(&state, now) {
            return Ok(Err(e));
        }
        let Some(entries) = store::count_entry(conn, v.id, CODE_ATTEMPTS).await? else {
            return Ok(Err(VerifyError::TooManyAttempts));
        };
        if !same(&code_hash(handle, code), &expected) {
            audit::write(
                conn,
                self,
                actor,
                action::PORTAL_CODE_FAILED,
                Some(Target {
                    kind: "portal_verification",
                    id: &v.id.to_string(),
                }),
                None,
            )
            .await?;
            return Ok(Err(rules::wrong_code(entries)));
        }
        if !store::consume(conn, v.id, now).await? {
            return Ok(Err(VerifyError::NoCode));
        }
        Ok(Ok(v))
    }

    /// Records that the account proved an address; proven before by the same account is
    /// fine, by another is refused.
    async fn prove(
        &self,
        conn: &mut AnyConnection,
        customer: &PortalCustomer,
        kind: AddressKind,
        address: &str,
        ip: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        match store::address_owner(conn, kind.key(), address).await? {
            Some(owner) if owner == customer.id => return Ok(()),
            Some(_) => return Err(VerifyError::AddressTaken.into()),
            None => {}
        }
        store::add_address(conn, kind.key(), address, customer.id, now)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => VerifyError::AddressTaken.into(),
                e => AppError::from(e),
            })?;
        let actor = Actor::customer(identity(customer), ip.map(str::to_owned));
        audit::write(
            conn,
            self,
            &actor,
            action::PORTAL_ADDRESS_VERIFIED,
            Some(Target {
                kind: "portal_customer",
                id: &customer.id.to_string(),
            }),
            Some(json!({"kind": kind.key()})),
        )
        .await?;
        changelog::record(
            conn,
            "portal_customer",
            customer.id,
            changelog::Operation::Update,
            None,
            now,
        )
        .await?;
        Ok(())
    }

    /// The signed-in account's e-mail and phone, masked, and whether each is proven.
    pub async fn customer_addresses(&self, actor: &Actor) -> Result<Vec<AddressView>> {
        let c = customer_of(actor)?;
        let mut conn = self.store.conn().await?;
        let proven = store::addresses_of(&mut conn, c.id).await?;
        let has = |kind: AddressKind, address: &str| {
            proven.iter().any(|(k, a)| k == kind.key() && a == address)
        };
        let mut out = Vec::new();
        if let Some(email) = &c.email {
            let email = normalise_email(email);
            out.push(AddressView {
                kind: AddressKind::Email,
                masked: mask_email(&email),
                verified: has(AddressKind::Email, &email),
                can_verify: true,
            });
        }
        if let Some(phone) = &c.phone {
            out.push(match clean_mobile(phone) {
                Ok(m) => AddressView {
                    kind: AddressKind::Mobile,
                    masked: mask_phone(&m),
                    verified: has(AddressKind::Mobile, &m),
                    can_verify: true,
                },
                Err(_) => AddressView {
                    kind: AddressKind::Mobile,
                    masked: mask_phone(phone),
                    verified: false,
                    can_verify: false,
                },
            });
        }
        Ok(out)
    }

    /// 重新发送验证邮件 — another link to the signed-in account's e-mail; the masked address.
    pub async fn resend_email_link(&self, actor: &Actor, locale: Locale) -> Result<String> {
        let c = customer_of(actor)?;
        let email = normalise_email(c.email.as_deref().ok_or(VerifyError::NoEmail)?);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let owner = store::address_owner(&mut tx, AddressKind::Email.key(), &email).await?;
        if owner == Some(c.id) {
            return Err(VerifyError::AlreadyVerified.into());
        }
        self.queue_email_link(&mut tx, c.id, &email, actor.ip.as_deref(), locale, now)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(mask_email(&email))
    }

    /// Follows a verification link: the e-mail is proven for the account it was sent for.
    pub async fn verify_email_link(&self, token: &str, ip: Option<&str>) -> Result<LinkVerified> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = store::by_lookup(&mut tx, &secret::sha256_hex(token.trim())).await?;
        let v = match found {
            Some(v) if v.kind == AddressKind::Email.key() && v.code_hash.is_none() => v,
            _ => return Err(VerifyError::BadLink.into()),
        };
        let Some(customer_id) = v.customer_id else {
            return Err(VerifyError::BadLink.into());
        };
        rules::check_link(v.used_at.is_some(), v.expires_at, now)?;
        if !store::consume(&mut tx, v.id, now).await? {
            return Err(VerifyError::LinkUsed.into());
        }
        let customer = accounts::by_id(&mut tx, customer_id).await?;
        if !customer.active {
            return Err(VerifyError::AccountInactive.into());
        }
        self.prove(&mut tx, &customer, AddressKind::Email, &v.address, ip, now)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(LinkVerified {
            customer_id,
            masked: mask_email(&v.address),
        })
    }

    /// 手机号登录, first step: a sign-in code to the mobile. Whether an account has the
    /// mobile does not change the answer.
    pub async fn send_sign_in_code(
        &self,
        mobile: &str,
        ip: Option<&str>,
        locale: Locale,
    ) -> Result<CodeSent> {
        let mobile = mobile_of(mobile)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let sent = self
            .queue_code(
                &mut tx,
                &mobile,
                None,
                outbox::kind::PORTAL_SIGN_IN_CODE,
                ip,
                locale,
                now,
            )
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(sent)
    }

    /// Where the code a code form waits for went (masked), to show the form again.
    pub async fn code_destination(&self, handle: &str) -> Result<String> {
        let mut conn = self.store.conn().await?;
        match store::by_lookup(&mut conn, &secret::sha256_hex(handle.trim())).await? {
            Some(v) if v.code_hash.is_some() => Ok(mask_phone(&v.address)),
            _ => Err(VerifyError::NoCode.into()),
        }
    }

    /// 手机号登录, second step: the right code signs in the account that proved the mobile,
    /// or opens one with only the mobile when none has (the code proves it for that account).
    pub async fn sign_in_with_code(
        &self,
        handle: &str,
        code: &str,
        ip: Option<&str>,
    ) -> Result<PortalSession> {
        let code = rules::clean_code(code)?;
        self.check_code_failures(ip).await?;
        let actor = Actor::anonymous(ip.map(str::to_owned));
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let v = match self
            .enter_code(&mut tx, &actor, handle, &code, None, now)
            .await?
        {
            Ok(v) => v,
            Err(refused) => {
                tx.commit().await.map_err(StoreError::from)?;
                return Err(refused.into());
            }
        };
        let owner = store::address_owner(&mut tx, AddressKind::Mobile.key(), &v.address).await?;
        let customer = match owner {
            Some(id) => accounts::by_id(&mut tx, id).await?,
            None => {
                self.open_mobile_account(&mut tx, &v.address, ip, now)
                    .await?
            }
        };
        if !customer.active {
            return Err(VerifyError::AccountInactive.into());
        }
        let session = self.open_portal_session(&mut tx, &customer, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(session)
    }

    /// An account with only a mobile, proven by the code just entered. Its name is the
    /// masked mobile (what staff and the page header show until the customer says more).
    async fn open_mobile_account(
        &self,
        conn: &mut AnyConnection,
        mobile: &str,
        ip: Option<&str>,
        now: Timestamp,
    ) -> Result<PortalCustomer> {
        let name = mask_phone(mobile);
        let id = accounts::insert(conn, None, &name, Some(mobile), None, now).await?;
        let customer = accounts::by_id(conn, id).await?;
        let actor = Actor::customer(identity(&customer), ip.map(str::to_owned));
        audit::write(
            conn,
            self,
            &actor,
            action::PORTAL_REGISTERED,
            Some(Target {
                kind: "portal_customer",
                id: &id.to_string(),
            }),
            Some(json!({"by": "mobile_code"})),
        )
        .await?;
        changelog::record(
            conn,
            "portal_customer",
            id,
            changelog::Operation::Create,
            None,
            now,
        )
        .await?;
        self.prove(conn, &customer, AddressKind::Mobile, mobile, ip, now)
            .await?;
        Ok(customer)
    }

    /// 验证手机号 — a code to the signed-in account's own mobile.
    pub async fn send_mobile_code(&self, actor: &Actor, locale: Locale) -> Result<CodeSent> {
        let c = customer_of(actor)?;
        let mobile = c
            .phone
            .as_deref()
            .and_then(|p| clean_mobile(p).ok())
            .ok_or(VerifyError::NoMobile)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let owner = store::address_owner(&mut tx, AddressKind::Mobile.key(), &mobile).await?;
        if owner == Some(c.id) {
            return Err(VerifyError::AlreadyVerified.into());
        }
        let sent = self
            .queue_code(
                &mut tx,
                &mobile,
                Some(c.id),
                outbox::kind::PORTAL_VERIFY_MOBILE,
                actor.ip.as_deref(),
                locale,
                now,
            )
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(sent)
    }

    /// The code sent to the signed-in account's mobile: the mobile is proven; the masked
    /// mobile.
    pub async fn confirm_mobile_code(
        &self,
        actor: &Actor,
        handle: &str,
        code: &str,
    ) -> Result<String> {
        let c = customer_of(actor)?.clone();
        let code = rules::clean_code(code)?;
        self.check_code_failures(actor.ip.as_deref()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let v = match self
            .enter_code(&mut tx, actor, handle, &code, Some(c.id), now)
            .await?
        {
            Ok(v) => v,
            Err(refused) => {
                tx.commit().await.map_err(StoreError::from)?;
                return Err(refused.into());
            }
        };
        let customer = accounts::by_id(&mut tx, c.id).await?;
        self.prove(
            &mut tx,
            &customer,
            AddressKind::Mobile,
            &v.address,
            actor.ip.as_deref(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(mask_phone(&v.address))
    }
}
