//! The customer side: the public web form (no account needed) and the customer portal,
//! where a signed-in customer files tickets and follows and answers their own. Proving an
//! e-mail or mobile and signing in with a mobile code are in [`verify`].

pub mod relationship;
pub mod rma;
pub mod statement;
pub mod survey;
pub mod verify;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::portal::{AddressView, PortalIdentity, Registration};
use kefu_app::ticket::Intake;
use kefu_domain::portal::AddressKind;
use kefu_domain::ticket::{Channel, StatusCategory, TicketType};

use super::pages::tickets::{Choice, field, non_empty};
use super::pages::{ok, render};
use crate::AppState;
use crate::auth::{Identity, PORTAL_COOKIE, safe_next, set_cookie};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::upload::FormWithFiles;
use crate::view::local_time;

/// What every portal page shares.
pub struct PortalLayout {
    pub t: Tr,
    pub customer: Option<PortalIdentity>,
    pub csrf: String,
}

impl PortalLayout {
    fn new(identity: &Identity) -> PortalLayout {
        PortalLayout {
            t: identity.tr(),
            customer: identity.customer.clone(),
            csrf: identity.csrf.clone(),
        }
    }
}

/// The status as a customer reads it: fewer, plainer words than the staff's.
fn customer_status(t: Tr, c: StatusCategory) -> String {
    t.tk("portal.status", c.key())
}

fn type_choices(t: Tr, selected: &str) -> Vec<Choice> {
    // A customer does not file "order issue" or "fault report" differently from staff, but
    // complaint and suggestion matter to them; every type is offered.
    TicketType::ALL
        .iter()
        .map(|v| Choice {
            value: v.key().into(),
            label: t.tk("ticket_type", v.key()),
            selected: v.key() == selected,
        })
        .collect()
}

fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(hex::encode(bytes))
}

// ---- The public web form ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage {
    t: Tr,
    layout: PortalLayout,
    types: Vec<Choice>,
    values: Vec<(String, String)>,
    error: Option<String>,
    /// The number of the ticket just filed.
    done: Option<String>,
}

impl SupportPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

fn support_page(
    identity: &Identity,
    values: Vec<(String, String)>,
    error: Option<String>,
    done: Option<String>,
) -> Result<SupportPage, WebError> {
    let t = identity.tr();
    let mut values = values;
    if field(&values, "form_token").is_empty() {
        values.push(("form_token".into(), random_token()?));
    }
    Ok(SupportPage {
        t,
        layout: PortalLayout::new(identity),
        types: type_choices(t, field(&values, "type")),
        values,
        error,
        done,
    })
}

pub async fn support_form(identity: Identity) -> Result<Response, WebError> {
    ok(&support_page(&identity, Vec::new(), None, None)?)
}

/// Files a web-form request. The hidden form token makes a double submit one ticket.
pub async fn support_submit(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let FormWithFiles { pairs, files } = form;
    // Empty is an inquiry; an unknown type is refused with the types there are.
    let ticket_type = match super::pages::form_key::<TicketType>(&pairs, "type") {
        Ok(ty) => ty.unwrap_or(TicketType::Inquiry),
        Err(e) => {
            let (status, message) = super::pages::input_refusal(e, identity.tr());
            return render(
                status,
                &support_page(&identity, pairs, Some(message), None)?,
            );
        }
    };
    let get = |k| field(&pairs, k);
    let mut intake = Intake::new(Channel::WebForm, get("subject"), get("body"));
    intake.ticket_type = ticket_type;
    intake.contact_name = non_empty(get("name")).map(str::to_owned);
    intake.contact_email = non_empty(get("email")).map(str::to_owned);
    intake.contact_phone = non_empty(get("phone")).map(str::to_owned);
    intake.customer_name = non_empty(get("company")).map(str::to_owned);
    intake.external_id = non_empty(get("form_token")).map(|t| format!("form:{t}"));
    let actor = kefu_app::Actor::anonymous(identity.ip.clone());
    match state.app.intake_with_files(&actor, &intake, &files).await {
        Ok(out) => {
            let text = identity
                .tr()
                .f("portal.thanks_number", &[("number", &out.ticket.number)]);
            ok(&support_page(&identity, Vec::new(), None, Some(text))?)
        }
        Err(e) => {
            let (status, message) = super::pages::refusal(e, identity.tr());
            render(
                status,
                &support_page(&identity, pairs, Some(message), None)?,
            )
        }
    }
}

// ---- Signing in and registering ---------------------------------------------------------

#[derive(Template)]
#[template(path = "portal_login.html")]
struct LoginPage {
    t: Tr,
    layout: PortalLayout,
    register: bool,
    values: Vec<(String, String)>,
    next: String,
    error: Option<String>,
    /// A refusal of the mobile sign-in (手机号登录) form.
    mobile_error: Option<String>,
}

impl LoginPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    identity: Identity,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    ok(&LoginPage {
        t: identity.tr(),
        layout: PortalLayout::new(&identity),
        register: false,
        values: Vec::new(),
        next: safe_next(q.next.as_deref()).to_owned(),
        error: None,
        mobile_error: None,
    })
}

pub async fn register_form(identity: Identity) -> Result<Response, WebError> {
    ok(&LoginPage {
        t: identity.tr(),
        layout: PortalLayout::new(&identity),
        register: true,
        values: Vec::new(),
        next: "/portal".into(),
        error: None,
        mobile_error: None,
    })
}

fn signed_in(identity: &Identity, token: &str, next: &str) -> Response {
    let next = if next.starts_with("/portal") {
        next
    } else {
        "/portal"
    };
    let mut res = Redirect::to(next).into_response();
    let max_age = 7 * 24 * 3600;
    res.headers_mut().append(
        SET_COOKIE,
        set_cookie(PORTAL_COOKIE, token, Some(max_age), identity.secure),
    );
    res
}

pub async fn login(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let next = safe_next(non_empty(field(&pairs, "next"))).to_owned();
    match state
        .app
        .customer_login(
            field(&pairs, "email"),
            field(&pairs, "password"),
            identity.ip.as_deref(),
        )
        .await
    {
        Ok(session) => Ok(signed_in(&identity, &session.token, &next)),
        Err(e) => {
            let (status, message) = super::pages::refusal(e, identity.tr());
            let values = pairs.into_iter().filter(|(k, _)| k != "password").collect();
            render(
                status,
                &LoginPage {
                    t: identity.tr(),
                    layout: PortalLayout::new(&identity),
                    register: false,
                    values,
                    next,
                    error: Some(message),
                    mobile_error: None,
                },
            )
        }
    }
}

pub async fn register(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = Registration {
        email: field(&pairs, "email").to_owned(),
        name: field(&pairs, "name").to_owned(),
        phone: non_empty(field(&pairs, "phone")).map(str::to_owned),
        password: field(&pairs, "password").to_owned(),
        locale: identity.locale,
    };
    match state
        .app
        .register_customer(identity.ip.as_deref(), &r)
        .await
    {
        Ok(session) => Ok(signed_in(&identity, &session.token, "/portal")),
        Err(e) => {
            let (status, message) = super::pages::refusal(e, identity.tr());
            let values = pairs.into_iter().filter(|(k, _)| k != "password").collect();
            render(
                status,
                &LoginPage {
                    t: identity.tr(),
                    layout: PortalLayout::new(&identity),
                    register: true,
                    values,
                    next: "/portal".into(),
                    error: Some(message),
                    mobile_error: None,
                },
            )
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    if let Some(token) = &identity.portal_token {
        state.app.customer_logout(token).await?;
    }
    let mut res = Redirect::to("/portal/login").into_response();
    res.headers_mut().append(
        SET_COOKIE,
        set_cookie(PORTAL_COOKIE, "", Some(0), identity.secure),
    );
    Ok(res)
}

// ---- The customer's tickets -------------------------------------------------------------

pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub status: String,
    pub category: &'static str,
    pub updated: String,
}

/// An address of the account as the home page lists it.
pub struct AddressRow {
    /// `email` or `mobile`: which form proves it.
    pub kind: &'static str,
    pub label: String,
    pub masked: String,
    pub verified: bool,
    pub can_verify: bool,
}

fn address_row(t: Tr, a: AddressView) -> AddressRow {
    AddressRow {
        kind: a.kind.key(),
        label: t
            .t(match a.kind {
                AddressKind::Email => "portal.email",
                AddressKind::Mobile => "portal.mobile",
            })
            .to_owned(),
        masked: a.masked,
        verified: a.verified,
        can_verify: a.can_verify,
    }
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    t: Tr,
    layout: PortalLayout,
    tickets: Vec<TicketRow>,
    addresses: Vec<AddressRow>,
    /// What the last action did (a link sent, a mobile proven).
    notice: Option<String>,
    error: Option<String>,
}

impl HomePage {
    /// Whether an address is still to be proven (the hint says what proving brings).
    fn unproven(&self) -> bool {
        self.addresses.iter().any(|a| !a.verified && a.can_verify)
    }
}

#[derive(serde::Deserialize)]
pub struct HomeQuery {
    notice: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<HomeQuery>,
) -> Result<Response, WebError> {
    // Only the notices the portal itself sends here are shown.
    let notice = match q.notice.as_deref() {
        Some("link_sent") => Some(identity.tr().t("portal.notice_link_sent").to_owned()),
        Some("mobile_verified") => {
            Some(identity.tr().t("portal.notice_mobile_verified").to_owned())
        }
        _ => None,
    };
    ok(&home_page(&state, &identity, notice, None).await?)
}

/// The home page: the addresses to prove and the tickets the account sees.
async fn home_page(
    state: &AppState,
    identity: &Identity,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HomePage, WebError> {
    let t = identity.tr();
    let actor = identity.customer_actor()?;
    let addresses = state
        .app
        .customer_addresses(&actor)
        .await?
        .into_iter()
        .map(|a| address_row(t, a))
        .collect();
    let tickets = state
        .app
        .customer_tickets(&actor)
        .await?
        .into_iter()
        .map(|tk| TicketRow {
            id: tk.id,
            number: tk.number,
            subject: tk.subject,
            status: customer_status(t, tk.category),
            category: tk.category.key(),
            updated: local_time(tk.updated_at),
        })
        .collect();
    Ok(HomePage {
        t,
        layout: PortalLayout::new(identity),
        tickets,
        addresses,
        notice,
        error,
    })
}

#[derive(Template)]
#[template(path = "portal_new.html")]
struct NewPage {
    t: Tr,
    layout: PortalLayout,
    types: Vec<Choice>,
    values: Vec<(String, String)>,
    error: Option<String>,
}

impl NewPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

fn new_page(
    identity: &Identity,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<NewPage, WebError> {
    let t = identity.tr();
    let mut values = values;
    if field(&values, "form_token").is_empty() {
        values.push(("form_token".into(), random_token()?));
    }
    Ok(NewPage {
        t,
        layout: PortalLayout::new(identity),
        types: type_choices(t, field(&values, "type")),
        values,
        error,
    })
}

pub async fn new_form(identity: Identity) -> Result<Response, WebError> {
    ok(&new_page(&identity, Vec::new(), None)?)
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let FormWithFiles { pairs, files } = form;
    // Empty is an inquiry; an unknown type is refused with the types there are.
    let ticket_type = match super::pages::form_key::<TicketType>(&pairs, "type") {
        Ok(ty) => ty.unwrap_or(TicketType::Inquiry),
        Err(e) => {
            let (status, message) = super::pages::input_refusal(e, identity.tr());
            return render(status, &new_page(&identity, pairs, Some(message))?);
        }
    };
    let get = |k| field(&pairs, k);
    let mut intake = Intake::new(Channel::Portal, get("subject"), get("body"));
    intake.ticket_type = ticket_type;
    intake.external_id = non_empty(get("form_token")).map(|t| format!("portal:{t}"));
    match state
        .app
        .intake_with_files(&identity.customer_actor()?, &intake, &files)
        .await
    {
        Ok(out) => Ok(Redirect::to(&format!("/portal/tickets/{}", out.ticket.id)).into_response()),
        Err(e) => {
            let (status, message) = super::pages::refusal(e, identity.tr());
            render(status, &new_page(&identity, pairs, Some(message))?)
        }
    }
}

pub struct MessageView {
    pub mine: bool,
    pub author: String,
    pub at: String,
    pub body: String,
    pub files: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "portal_ticket.html")]
pub(super) struct TicketPage {
    t: Tr,
    layout: PortalLayout,
    id: i64,
    number: String,
    subject: String,
    status: String,
    category: &'static str,
    waiting_for_you: bool,
    messages: Vec<MessageView>,
    /// 售后进度 — the RMAs registered on the ticket.
    rmas: Vec<PortalRmaView>,
    /// 申请售后 — the shipped lines an RMA may be asked on (empty: no form), the kinds,
    /// and what the form holds.
    rma_lines: Vec<(i64, String)>,
    rma_kinds: Vec<(&'static str, String)>,
    rma_form: rma::RmaForm,
    draft: String,
    error: Option<String>,
}

/// An RMA's progress as the portal shows it.
pub struct PortalRmaView {
    pub number: String,
    pub title: String,
    pub state: &'static str,
    pub state_text: String,
    /// A paid repair's quote waiting for the customer's answer.
    pub quote: Option<String>,
    pub refund: Option<String>,
    /// How many photos of the fault it holds, in words (empty: none).
    pub photos: String,
    pub steps: Vec<(String, String)>,
}

async fn ticket_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    draft: String,
    error: Option<String>,
) -> Result<TicketPage, WebError> {
    ticket_page_with(state, identity, id, draft, rma::RmaForm::default(), error).await
}

/// The ticket's page with the RMA form holding `rma_form` (kept after a refusal).
pub(super) async fn ticket_page_with(
    state: &AppState,
    identity: &Identity,
    id: i64,
    draft: String,
    rma_form: rma::RmaForm,
    error: Option<String>,
) -> Result<TicketPage, WebError> {
    let t = identity.tr();
    let kefu_app::portal::CustomerTicketPage {
        ticket: ct,
        rmas,
        rma_lines,
    } = state
        .app
        .customer_ticket_page(&identity.customer_actor()?, id)
        .await?;
    let messages = ct
        .messages
        .iter()
        .map(|m| MessageView {
            mine: m.author_kind == "customer",
            // Staff appear as the service team with their name, as a customer expects.
            author: match m.author_kind.as_str() {
                "customer" => m.author_name.clone(),
                "system" => t.t("portal.team").to_owned(),
                _ => t.f("portal.staff_name", &[("name", &m.author_name)]),
            },
            at: local_time(m.created_at),
            body: m.body.clone(),
            files: ct
                .attachments
                .iter()
                .filter(|a| a.message_id == Some(m.id))
                .map(|a| (a.id, a.filename.clone()))
                .collect(),
        })
        .collect();
    let rmas = rmas
        .into_iter()
        .map(|r| PortalRmaView {
            title: format!(
                "{} · {} {}",
                t.t(&format!("policy.kind.{}", r.kind.key())),
                r.sku,
                r.product
            ),
            state: r.state.key(),
            state_text: t.t(&format!("rma.state.{}", r.state.key())).to_owned(),
            quote: (r.state == kefu_domain::aftersales::rma::RmaState::Quoted)
                .then(|| r.quote_fen.map(crate::view::yuan))
                .flatten(),
            refund: r.refund_fen.map(crate::view::yuan),
            photos: match r.photos {
                0 => String::new(),
                n => t.f("portal.rma_photos", &[("count", &n.to_string())]),
            },
            steps: r
                .steps
                .iter()
                .map(|(action, _, at)| {
                    (
                        t.t(&format!("rma.move.{action}")).to_owned(),
                        local_time(*at),
                    )
                })
                .collect(),
            number: r.number,
        })
        .collect();
    let rma_lines = rma_lines
        .into_iter()
        .map(|l| {
            let label = t.f(
                "portal.rma_line",
                &[
                    ("order", l.order_number.as_str()),
                    ("product", &format!("{} {}", l.sku, l.product)),
                    ("shipped", &l.shipped.to_string()),
                    ("price", &crate::view::yuan(l.unit_price_fen)),
                ],
            );
            (l.line_id, label)
        })
        .collect();
    Ok(TicketPage {
        t,
        layout: PortalLayout::new(identity),
        id,
        rmas,
        rma_lines,
        rma_kinds: t.options::<kefu_domain::aftersales::policy::RmaKind>("policy.kind"),
        rma_form,
        number: ct.ticket.number.clone(),
        subject: ct.ticket.subject.clone(),
        status: customer_status(t, ct.ticket.category),
        category: ct.ticket.category.key(),
        waiting_for_you: ct.ticket.category == StatusCategory::PendingCustomer,
        messages,
        draft,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&ticket_page(&state, &identity, id, String::new(), None).await?)
}

pub async fn reply(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let FormWithFiles { pairs, files } = form;
    let body = field(&pairs, "body").to_owned();
    match state
        .app
        .customer_reply(&identity.customer_actor()?, id, &body, &files)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/portal/tickets/{id}")).into_response()),
        Err(e) => {
            let (status, message) = super::pages::refusal(e, identity.tr());
            render(
                status,
                &ticket_page(&state, &identity, id, body, Some(message)).await?,
            )
        }
    }
}

pub async fn attachment(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (name, content_type, bytes) = state
        .app
        .customer_attachment(&identity.customer_actor()?, id, attachment)
        .await?;
    Ok(crate::upload::serve(&name, &content_type, bytes))
}
