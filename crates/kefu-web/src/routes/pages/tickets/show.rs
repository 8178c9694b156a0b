//! The ticket page: the conversation with its events, the reply box, and the side panel
//! of properties, custom fields and history.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::ticket::{Reply, TicketDetail, Visibility};
use kefu_domain::Permission;
use kefu_domain::customer::ContactValue;
use kefu_domain::ticket::FieldKind;

use super::{Choice, field, move_choices, non_empty, priority_choices, status_name, type_choices};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::render;
use crate::routes::pages::versioned::{choose, chosen, picked};
use crate::view::{Layout, local_time};

/// One entry of the conversation: a message or a field change.
pub struct Entry {
    pub is_message: bool,
    pub internal: bool,
    pub from_customer: bool,
    pub author: String,
    pub at: String,
    pub body: String,
    /// For events: the translated field name and the old → new values.
    pub field: String,
    /// The creation event, shown as one sentence.
    pub is_creation: bool,
    /// Files on this message: (id, name, size text).
    pub files: Vec<(i64, String, String)>,
    /// 隔离 — files kept but never served: (name, size text).
    pub held: Vec<(String, String)>,
    /// The history a mail quoted, shown folded; empty for none.
    pub quoted: String,
    pub old: String,
    pub new: String,
    /// A reply sent by text: the messages it took and what became of it.
    pub sms: Option<super::sms::SmsLine>,
}

/// One SLA target on the side panel.
pub struct SlaLine {
    pub label: String,
    pub due: String,
    /// `ok`, `late`, `running`, `overdue`, `paused`.
    pub state: &'static str,
    pub text: String,
}

fn sla_lines(t: Tr, tk: &kefu_store::ticket::Ticket, now: jiff::Timestamp) -> Vec<SlaLine> {
    let paused = tk.sla.paused_since.is_some();
    let lines = [
        (
            "first_response",
            tk.sla.first_response_due_at,
            tk.first_response_at,
            false,
        ),
        ("next_response", tk.sla.next_response_due_at, None, false),
        (
            "resolution",
            tk.sla.resolution_due_at,
            tk.resolved_at,
            paused,
        ),
    ];
    lines
        .into_iter()
        .filter(|(key, due, _, paused)| due.is_some() || (*paused && *key == "resolution"))
        .map(|(key, due, done, paused)| {
            let (state, text) = match (due, done) {
                (_, _) if paused && done.is_none() => ("paused", t.t("sla.paused").to_owned()),
                (Some(d), Some(at)) if at <= d => ("ok", t.t("sla.met").to_owned()),
                (Some(_), Some(_)) => ("late", t.t("sla.met_late").to_owned()),
                (Some(d), None) if d < now => ("overdue", t.t("sla.overdue").to_owned()),
                (Some(_), None) => ("running", t.t("sla.running").to_owned()),
                (None, _) => ("running", String::new()),
            };
            SlaLine {
                label: t.tk("sla", key),
                due: due.map(local_time).unwrap_or_else(|| "—".into()),
                state,
                text,
            }
        })
        .collect()
}

pub struct FieldInput {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "ticket_show.html")]
pub(super) struct TicketPage {
    t: Tr,
    layout: Layout,
    id: i64,
    /// The complaint opened from this ticket, if any.
    complaint: Option<i64>,
    /// Whether the reader may open a complaint from it.
    can_open_complaint: bool,
    /// May register an RMA (售后) for the ticket's customer.
    can_request_rma: bool,
    number: String,
    subject: String,
    status: String,
    category: &'static str,
    channel: String,
    created: String,
    first_response: String,
    customer_name: String,
    contact_name: String,
    /// Masked (`138****5678`); the form keeps the stored value when sent back unchanged.
    contact_email: String,
    contact_phone: String,
    /// Whether the reader may reveal the contact values (audited, one at a time).
    can_reveal: bool,
    /// The value just revealed: (field, clear value).
    revealed: Option<(String, String)>,
    tags: String,
    entries: Vec<Entry>,
    statuses: Vec<Choice>,
    reply_statuses: Vec<Choice>,
    types: Vec<Choice>,
    priorities: Vec<Choice>,
    assignees: Vec<Choice>,
    groups: Vec<Choice>,
    tiers: Vec<Choice>,
    sla: Vec<SlaLine>,
    /// The linked customer of the archive: (id, name).
    linked_customer: Option<(i64, String)>,
    /// Its card: tier, credit, contacts masked, what is open with it.
    customer_card: Option<super::card::CardView>,
    /// What to search the archive with when linking: the customer's or contact's name;
    /// empty when the ticket has a phone, which the archive matches without showing it.
    customer_query: String,
    /// Files attached to the ticket outside any message.
    loose_files: Vec<(i64, String, String)>,
    /// The calls the ticket was logged from: duration, recording.
    calls: Vec<crate::routes::pages::calls::CallRow>,
    /// The next public reply goes by text: the reply box counts its messages.
    sms_reply: Option<super::sms::ReplyBox>,
    /// What came by WeChat: the follower, the reply window, the link to a contact.
    wechat: Option<super::wechat::WechatPanel>,
    /// 满意度评价: what the survey says (sent, the score and comment, or why none went).
    csat: Option<CsatBox>,
    fields: Vec<FieldInput>,
    draft: String,
    pub(super) error: Option<String>,
    /// Approved reply scripts by category: (category, [(id, title)]).
    scripts: Vec<(String, Vec<(i64, String)>)>,
    /// The ticket's version the properties form is rendered from, sent back with it.
    pub(super) version: i64,
    /// What each field of the properties form sends untouched, sent back as
    /// `orig_<field>`: a form sent later writes only the fields the reader changed.
    pub(super) orig: Vec<(String, String)>,
    /// Another person's changes since the reader's form was rendered: (field, value now).
    pub(super) stale: Vec<(String, String)>,
}

/// The ticket's satisfaction survey as its page shows it.
pub(super) struct CsatBox {
    /// The score and its words, once answered.
    pub score: Option<(i64, String)>,
    pub comment: String,
    pub low: bool,
    /// Sent and not answered, or why none was sent.
    pub note: String,
    pub handled: String,
}

fn csat_box(t: Tr, s: kefu_store::satisfaction::Survey) -> CsatBox {
    CsatBox {
        score: s.score.map(|n| (n, t.tk("csat.score", &n.to_string()))),
        comment: s.comment.unwrap_or_default(),
        low: s.low,
        note: match (s.state.as_str(), s.skip_reason) {
            ("skipped", Some(r)) => format!("{}{}", t.t("csat.skipped"), t.tk("csat.skip", &r)),
            _ if s.score.is_none() => t.t("csat.not_answered").to_owned(),
            _ => String::new(),
        },
        handled: s.handling_note.unwrap_or_default(),
    }
}

/// Who did it, as stored; triggers are stored as `trigger:NAME`.
fn actor_label(t: Tr, user_id: Option<i64>, name: &str) -> String {
    match name.strip_prefix("trigger:") {
        Some(trigger) => format!("{} · {trigger}", t.t("event.by_trigger")),
        None => crate::view::actor_text(t, user_id, name),
    }
}

/// A file size as people read it.
pub(crate) fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

fn event_value(
    t: Tr,
    d: &TicketDetail,
    locale: kefu_domain::Locale,
    field: &str,
    v: &Option<String>,
) -> String {
    let Some(v) = v else { return "—".into() };
    match field {
        "status" => status_name(&d.statuses, v, locale),
        "priority" => t.tk("priority", v),
        "type" => t.tk("ticket_type", v),
        "created" => t.tk("channel", v),
        "sla_warning" | "sla_breach" => t.tk("sla", v),
        "customer_tier" => t.tk("tier", v),
        "complaint_stage" => t.tk("complaint_stage", v),
        // 满意度调查: sent, then the score (and any change of it).
        "csat" if v == "sent" => t.t("csat.event_sent").to_owned(),
        "csat" => format!("{v} · {}", t.tk("csat.score", v)),
        _ => v.clone(),
    }
}

/// A mail, SMS or WeChat event said as one sentence (邮件发送失败：550 …, 地址曾退信，未发送,
/// 邮件已发送至 …, 已通过微信发送); `None` for any other event.
fn mail_event(t: Tr, field: &str, v: &Option<String>) -> Option<String> {
    let v = v.as_deref().unwrap_or_default();
    match field {
        "mail_sent" => Some(t.f("event.mail_sent_to", &[("to", v)])),
        "mail_send_failed" => Some(t.f("event.mail_send_failed_as", &[("reason", v)])),
        "mail_not_sent" => Some(t.tk("mail_not_sent", v)),
        "sms_send_failed" => Some(t.f("event.sms_send_failed_as", &[("reason", v)])),
        "sms_not_sent" => Some(t.tk("sms_not_sent", v)),
        _ => super::wechat::event_text(t, field, v),
    }
}

pub(super) async fn page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    draft: String,
    error: Option<String>,
) -> Result<TicketPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let locale = identity.locale;
    let d = state.app.ticket_detail(&actor, id).await?;
    let users = state.app.list_users(&actor).await?;
    let groups = state.app.ticket_groups(&actor).await?;
    let tk = &d.ticket;
    let sms = state.app.ticket_sms(&actor, id).await?;

    let mut entries: Vec<(jiff::Timestamp, i64, Entry)> = Vec::new();
    for m in &d.messages {
        entries.push((
            m.created_at,
            m.id * 2,
            Entry {
                is_message: true,
                internal: m.visibility == "internal",
                from_customer: m.author_kind == "customer",
                // A customer is named as they gave their name, even one that reads "kefu".
                author: if m.author_kind == "customer" {
                    m.author_name.clone()
                } else {
                    actor_label(t, m.author_user_id, &m.author_name)
                },
                at: local_time(m.created_at),
                body: m.body.clone(),
                field: String::new(),
                is_creation: false,
                files: d
                    .attachments
                    .iter()
                    .filter(|a| a.message_id == Some(m.id) && !a.quarantined)
                    .map(|a| (a.id, a.filename.clone(), size_text(a.size)))
                    .collect(),
                held: d
                    .attachments
                    .iter()
                    .filter(|a| a.message_id == Some(m.id) && a.quarantined)
                    .map(|a| (a.filename.clone(), size_text(a.size)))
                    .collect(),
                quoted: d
                    .quoted
                    .iter()
                    .find(|(id, _)| *id == m.id)
                    .map(|(_, q)| q.clone())
                    .unwrap_or_default(),
                old: String::new(),
                new: String::new(),
                sms: sms.of_message(m.id).map(|s| super::sms::line(t, s)),
            },
        ));
    }
    for e in &d.events {
        let field_label = match e.field.strip_prefix("field:") {
            Some(key) => d
                .fields
                .iter()
                .find(|(f, _)| f.key == key)
                .map(|(f, _)| f.label.clone())
                .unwrap_or_else(|| key.to_owned()),
            None => t.tk("event", &e.field),
        };
        entries.push((
            e.at,
            e.id * 2 + 1,
            Entry {
                is_message: false,
                internal: false,
                from_customer: false,
                author: actor_label(t, e.actor_user_id, &e.actor_name),
                at: local_time(e.at),
                body: String::new(),
                old: event_value(t, &d, locale, &e.field, &e.old_value),
                new: if e.field == "created" {
                    let channel = event_value(t, &d, locale, "created", &e.new_value);
                    t.f("event.created_via", &[("channel", &channel)])
                } else if let Some(said) = mail_event(t, &e.field, &e.new_value) {
                    said
                } else {
                    event_value(t, &d, locale, &e.field, &e.new_value)
                },
                is_creation: e.field == "created"
                    || mail_event(t, &e.field, &e.new_value).is_some(),
                files: Vec::new(),
                held: Vec::new(),
                quoted: String::new(),
                field: field_label,
                sms: None,
            },
        ));
    }
    entries.sort_by_key(|(at, order, _)| (*at, *order));

    let assignees = std::iter::once(Choice {
        value: String::new(),
        label: t.t("ticket.unassigned").to_owned(),
        selected: tk.assignee_id.is_none(),
    })
    .chain(
        users
            .iter()
            .filter(|u| u.active && u.roles.allows(Permission::TicketWork))
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.display_name.clone(),
                selected: Some(u.id) == tk.assignee_id,
            }),
    )
    .collect();
    let groups = std::iter::once(Choice {
        value: String::new(),
        label: "—".into(),
        selected: tk.group_id.is_none(),
    })
    .chain(groups.iter().map(|g| Choice {
        value: g.id.to_string(),
        label: g.name.clone(),
        selected: Some(g.id) == tk.group_id,
    }))
    .collect();
    let fields = d
        .fields
        .iter()
        .map(|(f, v)| FieldInput {
            key: f.key.clone(),
            label: f.label.clone(),
            kind: match f.kind {
                FieldKind::Number => "number",
                FieldKind::Date => "date",
                FieldKind::Choice => "choice",
                FieldKind::Text => "text",
            },
            value: v.clone().unwrap_or_default(),
            options: f
                .options
                .iter()
                .map(|o| Choice {
                    value: o.clone(),
                    label: o.clone(),
                    selected: Some(o) == v.as_ref(),
                })
                .collect(),
        })
        .collect();
    let mut reply_statuses = vec![Choice {
        value: String::new(),
        label: t.t("ticket.keep_status").to_owned(),
        selected: true,
    }];
    reply_statuses.extend(
        move_choices(&d.statuses, "", tk.category, locale)
            .into_iter()
            .filter(|c| c.value != tk.status),
    );
    let sla = sla_lines(t, tk, state.app.now());
    let customer_card = match tk.customer_id {
        Some(cid) => super::card::load(state, &actor, t, cid).await,
        None => None,
    };
    let linked_customer = customer_card.as_ref().map(|c| (c.id, c.name.clone()));
    let customer_query = if tk.contact_phone.is_some() {
        String::new()
    } else {
        tk.customer_name
            .clone()
            .or(tk.contact_name.clone())
            .unwrap_or_default()
    };
    let mut scripts: Vec<(String, Vec<(i64, String)>)> = Vec::new();
    for v in state
        .app
        .scripts(&actor, kefu_domain::kb::ScriptStatus::Approved, None)
        .await?
    {
        let entry = (v.script.id, v.script.title);
        match scripts.iter_mut().find(|(c, _)| *c == v.script.category) {
            Some((_, list)) => list.push(entry),
            None => scripts.push((v.script.category, vec![entry])),
        }
    }
    let loose_files = d
        .attachments
        .iter()
        .filter(|a| a.message_id.is_none() && !a.quarantined)
        .map(|a| (a.id, a.filename.clone(), size_text(a.size)))
        .collect();
    let complaint = state
        .app
        .complaint_of_ticket(&actor, id)
        .await?
        .map(|c| c.id);
    let can_open_complaint = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(kefu_domain::Permission::ComplaintOpen));
    let mut p = TicketPage {
        calls: crate::routes::pages::calls::of_ticket(state, &actor, t, id).await?,
        sms_reply: super::sms::reply_box(&sms),
        wechat: super::wechat::panel(state, &actor, t, id).await?,
        csat: state
            .app
            .ticket_csat(&actor, id)
            .await?
            .map(|s| csat_box(t, s)),
        complaint,
        can_open_complaint,
        can_request_rma: identity
            .user
            .as_ref()
            .is_some_and(|u| u.allows(Permission::RmaRequest)),
        t,
        sla,
        linked_customer,
        customer_card,
        customer_query: crate::auth::urlencode(&customer_query),
        scripts,
        loose_files,
        tiers: super::tier_choices(t, tk.sla.customer_tier.as_deref()),
        layout: Layout::new(identity, "/tickets"),
        id: tk.id,
        number: tk.number.clone(),
        subject: tk.subject.clone(),
        status: status_name(&d.statuses, &tk.status, locale),
        category: tk.category.key(),
        channel: t.tk("channel", tk.channel.key()),
        created: local_time(tk.created_at),
        first_response: tk
            .first_response_at
            .map(local_time)
            .unwrap_or_else(|| "—".into()),
        customer_name: tk.customer_name.clone().unwrap_or_default(),
        contact_name: tk.contact_name.clone().unwrap_or_default(),
        contact_email: tk.contact_email.clone().unwrap_or_default(),
        contact_phone: tk.contact_phone.clone().unwrap_or_default(),
        can_reveal: identity
            .user
            .as_ref()
            .is_some_and(|u| u.allows(Permission::CustomerReveal)),
        revealed: None,
        tags: tk.tags.join(", "),
        entries: entries.into_iter().map(|(_, _, e)| e).collect(),
        statuses: move_choices(&d.statuses, &tk.status, tk.category, locale),
        reply_statuses,
        types: type_choices(t, Some(tk.ticket_type)),
        priorities: priority_choices(t, Some(tk.priority)),
        assignees,
        groups,
        fields,
        draft,
        error,
        version: tk.version,
        orig: Vec::new(),
        stale: Vec::new(),
    };
    p.orig = p.form_values();
    Ok(p)
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    crate::routes::pages::ok(&page(&state, &identity, id, String::new(), None).await?)
}

/// Reveals the ticket's contact phone or e-mail on its page; the reveal is audited.
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let name = field(&pairs, "field");
    let which: ContactValue = crate::input::parse_key("field", name)?;
    let value = state
        .app
        .reveal_ticket_contact(&identity.actor(), id, which)
        .await?;
    let mut p = page(&state, &identity, id, String::new(), None).await?;
    p.revealed = Some((which.key().to_owned(), value));
    crate::routes::pages::ok(&p)
}

/// The ticket page after the archive's reveal of a number on its customer card (see
/// `super::card`): the value shown on the card when the card is that customer's.
pub(crate) async fn with_card_revealed(
    state: &AppState,
    identity: &Identity,
    id: i64,
    customer: i64,
    revealed: (String, Option<i64>, String),
) -> Result<Response, WebError> {
    let mut p = page(state, identity, id, String::new(), None).await?;
    if let Some(card) = p.customer_card.as_mut().filter(|c| c.id == customer) {
        card.revealed = Some(revealed);
    }
    crate::routes::pages::ok(&p)
}

/// A text input's value, `None` when empty.
fn input_text(v: &str) -> Option<String> {
    Some(v.to_owned()).filter(|v| !v.is_empty())
}

impl TicketPage {
    /// What each field of the properties form sends when the reader touches nothing, by
    /// input name.
    fn form_values(&self) -> Vec<(String, String)> {
        let mut values: Vec<(String, String)> = [
            ("status", chosen(&self.statuses)),
            ("priority", chosen(&self.priorities)),
            ("type", chosen(&self.types)),
            ("assignee", chosen(&self.assignees)),
            ("group", chosen(&self.groups)),
            ("tags", self.tags.as_str()),
            ("customer_name", self.customer_name.as_str()),
            ("customer_tier", chosen(&self.tiers)),
            ("contact_name", self.contact_name.as_str()),
            ("contact_phone", self.contact_phone.as_str()),
            ("contact_email", self.contact_email.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for f in &self.fields {
            let value = if f.kind == "choice" {
                // The empty "—" option comes first.
                f.options
                    .iter()
                    .find(|o| o.selected)
                    .map_or("", |o| o.value.as_str())
            } else {
                f.value.as_str()
            };
            values.push((format!("cf_{}", f.key), value.to_owned()));
        }
        values
    }

    /// Shows the reader's values in place of the stored ones (their form, sent back).
    pub(super) fn keep_input(&mut self, sent: &[(String, String)]) {
        for (key, v) in sent {
            match key.as_str() {
                "status" => choose(&mut self.statuses, v),
                "priority" => choose(&mut self.priorities, v),
                "type" => choose(&mut self.types, v),
                "assignee" => choose(&mut self.assignees, v),
                "group" => choose(&mut self.groups, v),
                "customer_tier" => choose(&mut self.tiers, v),
                "tags" => self.tags = v.clone(),
                "customer_name" => self.customer_name = v.clone(),
                "contact_name" => self.contact_name = v.clone(),
                "contact_phone" => self.contact_phone = v.clone(),
                "contact_email" => self.contact_email = v.clone(),
                other => {
                    if let Some(k) = other.strip_prefix("cf_")
                        && let Some(f) = self.fields.iter_mut().find(|f| f.key == k)
                    {
                        f.value = v.clone();
                        choose(&mut f.options, v);
                    }
                }
            }
        }
    }

    /// A field of the properties form as the reader reads it: its label and the value it
    /// shows ("—" for none).
    pub(super) fn describe(&self, key: &str) -> (String, String) {
        let t = self.t;
        let (label, value) = match key {
            "status" => (t.t("ticket.status"), picked(&self.statuses)),
            "priority" => (t.t("ticket.priority"), picked(&self.priorities)),
            "type" => (t.t("ticket.type"), picked(&self.types)),
            "assignee" => (t.t("ticket.assignee"), picked(&self.assignees)),
            "group" => (t.t("ticket.group"), picked(&self.groups)),
            "customer_tier" => (t.t("ticket.customer_tier"), picked(&self.tiers)),
            "tags" => (t.t("ticket.tags"), input_text(&self.tags)),
            "customer_name" => (t.t("ticket.customer_name"), input_text(&self.customer_name)),
            "contact_name" => (t.t("ticket.contact_name"), input_text(&self.contact_name)),
            "contact_phone" => (t.t("ticket.contact_phone"), input_text(&self.contact_phone)),
            "contact_email" => (t.t("ticket.contact_email"), input_text(&self.contact_email)),
            other => {
                let custom = other
                    .strip_prefix("cf_")
                    .and_then(|k| self.fields.iter().find(|f| f.key == k));
                return match custom {
                    Some(f) => {
                        let value = if f.kind == "choice" {
                            picked(&f.options)
                        } else {
                            input_text(&f.value)
                        };
                        (f.label.clone(), value.unwrap_or_else(|| "—".into()))
                    }
                    None => (other.to_owned(), "—".into()),
                };
            }
        };
        (label.to_owned(), value.unwrap_or_else(|| "—".into()))
    }

    /// The signed-in agent's id while the ticket is not theirs, for the 分配给我 form (the
    /// `a` shortcut): it sends the assignee alone, with the version and the assignee shown,
    /// so it is weighed like the properties form.
    fn assign_me(&self) -> Option<i64> {
        let me = self.layout.user.as_ref()?.id;
        (chosen(&self.assignees).parse::<i64>().ok() != Some(me)).then_some(me)
    }

    fn shown_assignee(&self) -> &str {
        chosen(&self.assignees)
    }

    /// The clear value of `field` when the reader has just revealed it.
    fn revealed_value(&self, field: &str) -> Option<&str> {
        self.revealed
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one attachment of the ticket.
pub async fn attachment(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (name, content_type, bytes) = state
        .app
        .attachment_file(&identity.actor(), id, attachment)
        .await?;
    Ok(crate::upload::serve(&name, &content_type, bytes))
}

pub async fn reply(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    form: crate::upload::FormWithFiles,
) -> Result<Response, WebError> {
    let crate::upload::FormWithFiles { pairs, files } = form;
    let body = field(&pairs, "body").to_owned();
    let reply = Reply {
        body: body.clone(),
        visibility: if field(&pairs, "visibility") == "internal" {
            Visibility::Internal
        } else {
            Visibility::Public
        },
        status: non_empty(field(&pairs, "status")).map(str::to_owned),
    };
    match state
        .app
        .reply_with_files(&identity.actor(), id, &reply, &files)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tickets/{id}")).into_response()),
        Err(e) => {
            let (status, message) = crate::routes::pages::refusal(e, identity.tr());
            render(
                status,
                &page(&state, &identity, id, body, Some(message)).await?,
            )
        }
    }
}

/// Heartbeat of an open ticket page: records this agent's presence and returns the other
/// agents who have the ticket open, as JSON for the page's warning.
pub async fn presence(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let replying = field(&pairs, "replying") == "1";
    let others = state
        .app
        .ticket_presence(&identity.actor(), id, replying)
        .await?;
    let list: Vec<serde_json::Value> = others
        .into_iter()
        .map(|p| serde_json::json!({"name": p.name, "replying": p.replying}))
        .collect();
    Ok(axum::Json(list).into_response())
}
