//! The forms for customers and contacts: new and edit, sensitive fields kept when left
//! unchanged, and a stale form (someone saved meanwhile) shown again with their changes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::customer::{ContactForm, CustomerForm};
use kefu_domain::customer::{ContactChannel, CustomerKind, CustomerStatus, CustomerType, Tier};

use super::super::tickets::{Choice, field};
use super::super::versioned::{ATTEMPTS, Shown, chosen, picked};
use super::super::{form_key, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::input::parse_key;
use crate::view::Layout;

use super::choices;

#[derive(Template)]
#[template(path = "customer_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    id: Option<i64>,
    kinds: Vec<Choice>,
    tiers: Vec<Choice>,
    types: Vec<Choice>,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    channels: Vec<Choice>,
    /// Masked current values of the sensitive fields, as placeholders.
    masked: Vec<(String, String)>,
    values: Vec<(String, String)>,
    error: Option<String>,
    /// Editing: the customer's version the form is rendered from, sent back with it.
    version: Option<i64>,
    /// Editing: what each field sends untouched (a sensitive field: its masked value),
    /// sent back as `orig_<field>`.
    orig: Vec<(String, String)>,
    /// Another person's changes since the reader's form was rendered: (field, value now).
    stale: Vec<(String, String)>,
    /// Show what the reader typed into the sensitive inputs (their form, sent back after a
    /// clash); otherwise those inputs start empty.
    keep_typed: bool,
}

/// The fields shown masked, whose inputs start empty (empty keeps the stored value).
const SENSITIVE: [&str; 3] = ["id_number", "address", "bank_account"];

impl FormPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }

    fn m(&self, key: &str) -> &str {
        field(&self.masked, key)
    }

    /// What each field of the edit form sends when the reader touches nothing; for a
    /// sensitive field, the masked value it shows.
    fn form_values(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = [
            ("name", self.v("name")),
            ("kind", chosen(&self.kinds)),
            ("tier", chosen(&self.tiers)),
            ("customer_type", chosen(&self.types)),
            ("status", chosen(&self.statuses)),
            ("owner", chosen(&self.owners)),
            ("province", self.v("province")),
            ("city", self.v("city")),
            ("industry", self.v("industry")),
            ("tags", self.v("tags")),
            ("notes", self.v("notes")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for k in SENSITIVE {
            out.push((k.to_owned(), self.m(k).to_owned()));
        }
        out
    }

    /// A field of the edit form as the reader reads it: its label and the value it shows
    /// ("—" for none; a sensitive value masked).
    fn describe(&self, key: &str) -> (String, String) {
        let t = self.t;
        let text = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        let (label, value) = match key {
            "name" => (t.t("customer.name"), text(self.v("name"))),
            "kind" => (t.t("customer.kind"), picked(&self.kinds)),
            "tier" => (t.t("customer.tier"), picked(&self.tiers)),
            "customer_type" => (t.t("customer.type"), picked(&self.types)),
            "status" => (t.t("customer.status"), picked(&self.statuses)),
            "owner" => (t.t("customer.owner"), picked(&self.owners)),
            "province" => (t.t("customer.province"), text(self.v("province"))),
            "city" => (t.t("customer.city"), text(self.v("city"))),
            "industry" => (t.t("customer.industry"), text(self.v("industry"))),
            "tags" => (t.t("ticket.tags"), text(self.v("tags"))),
            "notes" => (t.t("customer.notes"), text(self.v("notes"))),
            "id_number" => (t.t("customer.id_number"), text(self.m("id_number"))),
            "address" => (t.t("customer.address"), text(self.m("address"))),
            "bank_account" => (t.t("customer.bank_account"), text(self.m("bank_account"))),
            other => (other, None),
        };
        (label.to_owned(), value.unwrap_or_else(|| "—".into()))
    }
}

/// What the reader sent for each field, as the form's shown values carry it: a sensitive
/// field left empty sends its masked value back (kept), "clear" sends empty.
fn sent_values(pairs: &[(String, String)], shown: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !SENSITIVE.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in SENSITIVE {
        let typed = field(pairs, k).trim();
        let v = if field(pairs, &format!("clear_{k}")) == "1" {
            ""
        } else if typed.is_empty() {
            field(shown, k)
        } else {
            typed
        };
        out.push((k.to_owned(), v.to_owned()));
    }
    out
}

/// The reader's input for the fields they changed, as form pairs (with a sensitive field's
/// "clear" box).
fn input_of(pairs: &[(String, String)], mine: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in mine {
        out.push((k.clone(), field(pairs, k).to_owned()));
        let clear = format!("clear_{k}");
        if SENSITIVE.contains(&k.as_str()) && field(pairs, &clear) == "1" {
            out.push((clear, "1".to_owned()));
        }
    }
    out
}

/// `base` with the entries of `over` in place of its own.
fn overlay(base: &[(String, String)], over: &[(String, String)]) -> Vec<(String, String)> {
    base.iter()
        .filter(|(k, _)| !over.iter().any(|(o, _)| o == k))
        .chain(over)
        .cloned()
        .collect()
}

async fn form_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    values: Option<Vec<(String, String)>>,
    error: Option<String>,
) -> Result<FormPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let mut masked = Vec::new();
    let mut version = None;
    let mut orig = Vec::new();
    let from_record = values.is_none();
    let values = match (values, id) {
        (Some(v), _) => {
            // Sent back: the version and shown values the form carried go with it again.
            if let Some(shown) = Shown::read(&v).filter(|_| id.is_some()) {
                version = Some(shown.version);
                masked = SENSITIVE
                    .iter()
                    .map(|k| ((*k).to_owned(), field(&shown.values, k).to_owned()))
                    .collect();
                orig = shown.values;
            }
            v
        }
        (None, Some(id)) => {
            let v = state.app.customer_view(&actor, id).await?;
            version = Some(v.customer.version);
            let c = v.customer;
            masked = vec![
                ("id_number".into(), c.id_number.clone().unwrap_or_default()),
                ("address".into(), c.address.clone().unwrap_or_default()),
                (
                    "bank_account".into(),
                    c.bank_account.clone().unwrap_or_default(),
                ),
            ];
            vec![
                ("kind".into(), c.kind),
                ("name".into(), c.name),
                ("tier".into(), c.tier),
                ("customer_type".into(), c.customer_type),
                ("status".into(), c.status),
                ("province".into(), c.province.unwrap_or_default()),
                ("city".into(), c.city.unwrap_or_default()),
                ("industry".into(), c.industry.unwrap_or_default()),
                (
                    "owner".into(),
                    c.owner_id.map(|o| o.to_string()).unwrap_or_default(),
                ),
                ("tags".into(), c.tags.join(", ")),
                ("notes".into(), c.notes.unwrap_or_default()),
            ]
        }
        (None, None) => vec![
            ("tier".into(), "normal".into()),
            ("status".into(), "active".into()),
            ("owner".into(), identity.user()?.id.to_string()),
        ],
    };
    let get = |k: &str| field(&values, k).to_owned();
    let owners = super::owner_choices(state, &actor, "—", &get("owner")).await?;
    let mut page = FormPage {
        t,
        layout: Layout::new(identity, "/customers"),
        id,
        kinds: choices(
            t,
            CustomerKind::ALL,
            CustomerKind::key,
            "customer_kind",
            &get("kind"),
            false,
        ),
        tiers: choices(t, Tier::ALL, Tier::key, "tier", &get("tier"), false),
        types: choices(
            t,
            CustomerType::ALL,
            CustomerType::key,
            "customer_type",
            &get("customer_type"),
            false,
        ),
        statuses: choices(
            t,
            CustomerStatus::ALL,
            CustomerStatus::key,
            "customer_status",
            &get("status"),
            false,
        ),
        owners,
        channels: choices(
            t,
            ContactChannel::ALL,
            ContactChannel::key,
            "contact_channel",
            &get("c_preferred"),
            true,
        ),
        masked,
        values,
        error,
        version,
        orig,
        stale: Vec::new(),
        keep_typed: false,
    };
    if from_record && id.is_some() {
        page.orig = page.form_values();
    }
    Ok(page)
}

/// The customer fields of a form. An empty choice keeps the form's default; an unknown
/// key is refused with the keys allowed.
fn customer_form(pairs: &[(String, String)], editing: bool) -> Result<CustomerForm, WebError> {
    let get = |k| field(pairs, k);
    // On edit, an empty sensitive input keeps the stored value; "clear" removes it.
    let sensitive = |k: &str| {
        let v = field(pairs, k).trim();
        if field(pairs, &format!("clear_{k}")) == "1" {
            Some(String::new())
        } else if v.is_empty() && editing {
            None
        } else {
            Some(v.to_owned())
        }
    };
    Ok(CustomerForm {
        kind: form_key(pairs, "kind")?.unwrap_or(CustomerKind::Company),
        name: get("name").to_owned(),
        tier: form_key(pairs, "tier")?.unwrap_or(Tier::Normal),
        customer_type: form_key(pairs, "customer_type")?.unwrap_or(CustomerType::EndCustomer),
        status: form_key(pairs, "status")?.unwrap_or(CustomerStatus::Active),
        province: get("province").to_owned(),
        city: get("city").to_owned(),
        industry: get("industry").to_owned(),
        owner_id: get("owner").parse().ok(),
        tags: get("tags").to_owned(),
        notes: get("notes").to_owned(),
        id_number: sensitive("id_number"),
        address: sensitive("address"),
        bank_account: sensitive("bank_account"),
    })
}

/// The contact fields of a form, with `prefix` (`c_` on the new-customer form). An empty
/// preferred channel is none; an unknown channel key is refused with the keys allowed.
fn contact_form(
    pairs: &[(String, String)],
    prefix: &str,
    editing: bool,
) -> Result<ContactForm, WebError> {
    let get = |k: &str| field(pairs, &format!("{prefix}{k}")).to_owned();
    let keep_or = |k: &str| {
        let v = get(k);
        if v.trim().is_empty() && editing && get(&format!("clear_{k}")) != "1" {
            None
        } else {
            Some(v)
        }
    };
    let opt_out = format!("{prefix}opt_out");
    Ok(ContactForm {
        name: get("name"),
        title: get("title"),
        mobile: keep_or("mobile"),
        phone: keep_or("phone"),
        email: get("email"),
        wechat: get("wechat"),
        preferred_channel: form_key(pairs, &format!("{prefix}preferred"))?,
        opt_outs: pairs
            .iter()
            .filter(|(k, v)| *k == opt_out && !v.is_empty())
            .map(|(_, v)| parse_key::<ContactChannel>(&opt_out, v))
            .collect::<Result<_, _>>()?,
        rest_hours: get("rest_hours"),
        is_primary: get("primary") == "1",
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    super::super::ok(&form_page(&state, &identity, None, None, None).await?)
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let forms = customer_form(&pairs, false)
        .and_then(|customer| Ok((customer, contact_form(&pairs, "c_", false)?)));
    let (customer, contact) = match forms {
        Ok(forms) => forms,
        Err(e) => {
            let (status, message) = super::super::input_refusal(e, identity.tr());
            return render(
                status,
                &form_page(&state, &identity, None, Some(pairs), Some(message)).await?,
            );
        }
    };
    let contacts = if contact.name.trim().is_empty()
        && contact.mobile.as_deref().unwrap_or("").trim().is_empty()
    {
        Vec::new()
    } else {
        vec![contact]
    };
    match state
        .app
        .create_customer(&identity.actor(), &customer, &contacts)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/customers/{id}")).into_response()),
        Err(e) => {
            let (status, message) = super::super::refusal(e, identity.tr());
            render(
                status,
                &form_page(&state, &identity, None, Some(pairs), Some(message)).await?,
            )
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::super::ok(&form_page(&state, &identity, Some(id), None, None).await?)
}

/// Saves the edit form against the version it was rendered from. When someone else
/// changed the customer meanwhile, the rule of `kefu_domain::version` decides: their
/// changes to other fields stand and the reader's changes are written onto them; a field
/// both changed sends the form back (409) naming the other person's values, with the
/// reader's input kept, and nothing is written. Masked fields keep their stored value
/// unless the reader typed a new one or ticked "clear".
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let shown = Shown::read(&pairs);
    let actor = identity.actor();
    let mut form = match customer_form(&pairs, true) {
        Ok(form) => form,
        Err(e) => {
            let (status, message) = super::super::input_refusal(e, identity.tr());
            return render(
                status,
                &form_page(&state, &identity, Some(id), Some(pairs), Some(message)).await?,
            );
        }
    };
    let mut expected = shown.as_ref().map(|s| s.version);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let e = match state.app.update_customer(&actor, id, &form, expected).await {
            Ok(()) => return Ok(Redirect::to(&format!("/customers/{id}")).into_response()),
            Err(e) => e,
        };
        let (Some(seen), AppError::StaleVersion { .. }) = (&shown, &e) else {
            let (status, message) = super::super::refusal(e, identity.tr());
            return render(
                status,
                &form_page(&state, &identity, Some(id), Some(pairs), Some(message)).await?,
            );
        };
        let now = form_page(&state, &identity, Some(id), None, None).await?;
        let r = seen.reconcile(&sent_values(&pairs, &seen.values), &now.orig);
        let mine = input_of(&pairs, &r.mine);
        if r.can_apply() && attempt < ATTEMPTS {
            // Someone else changed other fields: the reader's changes go onto theirs; the
            // masked fields the reader left alone stay as stored.
            let untouched: Vec<(String, String)> = now
                .orig
                .iter()
                .filter(|(k, _)| !SENSITIVE.contains(&k.as_str()))
                .cloned()
                .collect();
            form = customer_form(&overlay(&untouched, &mine), true)?;
            expected = now.version;
            continue;
        }
        let t = identity.tr();
        let message = if r.clashes.is_empty() {
            WebError::from(e).into_info().message(t)
        } else {
            let names: Vec<String> = r.clashes.iter().map(|k| now.describe(k).0).collect();
            t.f("stale.conflict", &[("fields", &names.join("、"))])
        };
        // The form again, from the current record, with the reader's input kept.
        let mut again: Vec<(String, String)> = overlay(&now.values, &mine);
        again.push((
            "version".to_owned(),
            now.version.unwrap_or_default().to_string(),
        ));
        again.extend(
            now.orig
                .iter()
                .map(|(k, v)| (format!("orig_{k}"), v.clone())),
        );
        let mut p = form_page(&state, &identity, Some(id), Some(again), Some(message)).await?;
        p.stale = r.theirs.iter().map(|k| now.describe(k)).collect();
        p.keep_typed = true;
        return render(StatusCode::CONFLICT, &p);
    }
}

/// Adds a contact (from the 360 page) or changes one (`contact` field set).
pub async fn save_contact(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let contact_id = field(&pairs, "contact").parse::<i64>().ok();
    let form = match contact_form(&pairs, "", contact_id.is_some()) {
        Ok(form) => form,
        Err(e) => {
            let (status, message) = super::super::input_refusal(e, identity.tr());
            return render(
                status,
                &super::show::show_page(&state, &identity, id, None, Some(message)).await?,
            );
        }
    };
    match state
        .app
        .save_contact(&identity.actor(), id, contact_id, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}")).into_response()),
        Err(e) => {
            let (status, message) = super::super::refusal(e, identity.tr());
            render(
                status,
                &super::show::show_page(&state, &identity, id, None, Some(message)).await?,
            )
        }
    }
}
