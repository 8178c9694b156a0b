//! 客户档案 — the customer pages: the list with filters and search, the 360 page with
//! reveal-on-request for masked fields, and the forms for customers and contacts.

mod form;
mod show;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::Permission;
use kefu_domain::customer::{CustomerStatus, CustomerType, Tier};
use kefu_store::customer::CustomerFilter;

use super::tickets::{Choice, field, non_empty};
use crate::AppState;
use crate::auth::{Identity, urlencode};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

/// Who may own a customer (active staff who edit the archive), after a first choice of
/// none (`first`), with `selected` (a user id) chosen.
async fn owner_choices(
    state: &AppState,
    actor: &kefu_app::Actor,
    first: &str,
    selected: &str,
) -> Result<Vec<Choice>, WebError> {
    let users = state.app.list_users(actor).await?;
    Ok(std::iter::once(Choice {
        value: String::new(),
        label: first.to_owned(),
        selected: selected.is_empty(),
    })
    .chain(
        users
            .into_iter()
            .filter(|u| u.active && u.roles.allows(Permission::CustomerEdit))
            .map(|u| Choice {
                selected: u.id.to_string() == selected,
                value: u.id.to_string(),
                label: u.display_name,
            }),
    )
    .collect())
}

fn choices<T: Copy>(
    t: Tr,
    all: &[T],
    key: fn(T) -> &'static str,
    prefix: &str,
    selected: &str,
    any: bool,
) -> Vec<Choice> {
    let mut out = Vec::new();
    if any {
        out.push(Choice {
            value: String::new(),
            label: t.t("common.any").to_owned(),
            selected: selected.is_empty(),
        });
    }
    out.extend(all.iter().map(|v| Choice {
        value: key(*v).into(),
        label: t.tk(prefix, key(*v)),
        selected: key(*v) == selected,
    }));
    out
}

/// The list's filters read from its query string; the exports read the same, so a file
/// holds what the list showed.
pub(crate) fn customer_filter(pairs: &[(String, String)], identity: &Identity) -> CustomerFilter {
    let get = |k| field(pairs, k).trim().to_owned();
    CustomerFilter {
        tier: non_empty(&get("tier")).map(str::to_owned),
        customer_type: non_empty(&get("type")).map(str::to_owned),
        status: non_empty(&get("status")).map(str::to_owned),
        // `浙江` finds the customers stored as `浙江省`, imported or entered.
        province: non_empty(&get("province")).map(kefu_domain::region::canonical_province),
        owner_id: if get("mine") == "1" {
            identity.user.as_ref().map(|u| u.id)
        } else {
            get("owner").parse().ok()
        },
        tag: non_empty(&get("tag")).map(str::to_lowercase),
        credit_grade: non_empty(&get("grade")).map(str::to_owned),
        text: non_empty(&get("q")).map(str::to_owned),
        // 久未联系: not lost, no contact for this many days (the workbench's key-account tile).
        quiet_before: get("quiet_days")
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=3650).contains(d))
            .map(|d| identity.state.app.now() - jiff::SignedDuration::from_hours(24 * d)),
    }
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub tier: String,
    pub tier_key: String,
    pub customer_type: String,
    pub status: String,
    pub region: String,
    pub owner: String,
    pub contact: String,
    pub mobile: String,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
    tiers: Vec<Choice>,
    types: Vec<Choice>,
    statuses: Vec<Choice>,
    grades: Vec<Choice>,
    owners: Vec<Choice>,
    q: String,
    province: String,
    tag: String,
    mine: bool,
    /// Linking a ticket: its id and number.
    link_ticket: Option<(i64, String)>,
    next_href: Option<String>,
    can_edit: bool,
    can_export_sensitive: bool,
    /// The filter as a query string, for the export links.
    current: String,
    /// Days without contact asked for (`quiet_days`) and that said in words.
    quiet: Option<(String, String)>,
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let get = |k| field(&pairs, k).trim().to_owned();
    let mine = get("mine") == "1";
    let filter = customer_filter(&pairs, &identity);
    let after = get("after").parse::<i64>().ok();
    // Linking a ticket with a phone and nothing typed yet: the customers with that mobile,
    // matched without showing the number to the reader.
    let page = match get("link_ticket").parse::<i64>() {
        Ok(tid) if filter.text.is_none() => {
            state.app.customers_matching_ticket(&actor, tid).await?
        }
        _ => state.app.customers(&actor, &filter, after, 51).await?,
    };
    let more = page.len() > 50;
    let rows: Vec<Row> = page
        .into_iter()
        .take(50)
        .map(|(c, contact)| Row {
            id: c.id,
            tier: t.tk("tier", &c.tier),
            tier_key: c.tier.clone(),
            customer_type: t.tk("customer_type", &c.customer_type),
            status: t.tk("customer_status", &c.status),
            region: [c.province.clone(), c.city.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            owner: c.owner_name.clone().unwrap_or_default(),
            contact: contact.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
            mobile: contact.and_then(|x| x.mobile).unwrap_or_default(),
            name: c.name,
        })
        .collect();
    let link_ticket = match get("link_ticket").parse::<i64>() {
        Ok(tid) => {
            let tk = state.app.ticket_detail(&actor, tid).await?.ticket;
            Some((tk.id, tk.number))
        }
        Err(_) => None,
    };
    let current: String = pairs
        .iter()
        .filter(|(k, v)| k != "after" && !v.is_empty())
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let next_href = if more {
        rows.last()
            .map(|r| format!("/customers?{current}&after={}", r.id))
    } else {
        None
    };
    super::ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/customers"),
        rows,
        tiers: choices(t, Tier::ALL, Tier::key, "tier", &get("tier"), true),
        types: choices(
            t,
            CustomerType::ALL,
            CustomerType::key,
            "customer_type",
            &get("type"),
            true,
        ),
        statuses: choices(
            t,
            CustomerStatus::ALL,
            CustomerStatus::key,
            "customer_status",
            &get("status"),
            true,
        ),
        grades: std::iter::once(Choice {
            value: String::new(),
            label: t.t("common.any").to_owned(),
            selected: get("grade").is_empty(),
        })
        .chain(kefu_domain::credit::Grade::ALL.iter().map(|g| Choice {
            value: g.key().to_owned(),
            label: g.key().to_owned(),
            selected: g.key() == get("grade"),
        }))
        .collect(),
        owners: owner_choices(&state, &actor, t.t("common.any"), &get("owner")).await?,
        q: get("q"),
        province: get("province"),
        tag: get("tag"),
        mine,
        link_ticket,
        next_href,
        can_edit: identity.user()?.allows(Permission::CustomerEdit),
        can_export_sensitive: identity.user()?.allows(Permission::CustomerExportSensitive),
        current,
        quiet: filter.quiet_before.map(|_| {
            let days = get("quiet_days");
            let words = t.f("customers.quiet_filter", &[("days", days.as_str())]);
            (days, words)
        }),
    })
}

pub use form::{create, edit_form, new_form, save_contact, update};
pub(crate) use show::page_with_error;
pub use show::{reveal, show};

/// Links a ticket to a customer (from the list opened from the ticket page) or unlinks it.
pub async fn link_ticket(
    State(state): State<AppState>,
    identity: Identity,
    Path(ticket): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let customer = field(&pairs, "customer").parse::<i64>().ok();
    state
        .app
        .link_ticket_customer(&identity.actor(), ticket, customer)
        .await?;
    Ok(Redirect::to(&format!("/tickets/{ticket}")).into_response())
}
