//! The ticket page's properties form: only the fields the reader changed are written,
//! against the version the form showed.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::ticket::TicketChanges;
use kefu_domain::ticket::{Priority, TicketType};

use super::show::page;
use super::{custom_fields, field, non_empty};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::render;
use crate::routes::pages::versioned::{ATTEMPTS, Shown};

/// `Some(None)` for an empty value, so clearing a field in the form clears it.
fn optional(pairs: &[(String, String)], key: &str) -> Option<Option<String>> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| non_empty(v).map(str::to_owned))
}

/// The changes a properties form asks for: a field absent from `pairs` stays as it is.
fn ticket_changes(pairs: &[(String, String)]) -> Result<TicketChanges, WebError> {
    let get = |k| field(pairs, k);
    let id_of = |k: &str| -> Result<Option<Option<i64>>, WebError> {
        match optional(pairs, k) {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(v)) => v
                .parse()
                .map(|n| Some(Some(n)))
                .map_err(|_| WebError::bad_request("bad_id", k)),
        }
    };
    Ok(TicketChanges {
        status: non_empty(get("status")).map(str::to_owned),
        // Empty leaves it as it is; an unknown key is refused.
        priority: crate::routes::pages::form_key::<Priority>(pairs, "priority")?,
        ticket_type: crate::routes::pages::form_key::<TicketType>(pairs, "type")?,
        subject: non_empty(get("subject")).map(str::to_owned),
        assignee_id: id_of("assignee")?,
        group_id: id_of("group")?,
        tags: pairs
            .iter()
            .find(|(k, _)| k == "tags")
            .map(|(_, v)| v.clone()),
        add_tags: None,
        customer_name: optional(pairs, "customer_name"),
        contact_name: optional(pairs, "contact_name"),
        contact_email: optional(pairs, "contact_email"),
        contact_phone: optional(pairs, "contact_phone"),
        customer_tier: optional(pairs, "customer_tier"),
        requester_id: None,
        fields: custom_fields(pairs),
    })
}

/// Saves the properties form. Only the fields the reader changed are written (the form
/// carries what it showed), against the version the form was rendered from. When someone
/// else changed the ticket meanwhile, the rule of `kefu_domain::version` decides: changes
/// to other fields than the reader's are kept and the reader's are written onto them; a
/// field both changed sends the form back (409) naming the other person's values, with
/// the reader's input kept, and nothing is written.
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let shown = Shown::read(&pairs);
    let sent = match &shown {
        Some(s) => s.changed(&pairs),
        None => pairs.clone(),
    };
    if shown.is_some() && sent.is_empty() {
        return Ok(Redirect::to(&format!("/tickets/{id}")).into_response());
    }
    let changes = match ticket_changes(&sent) {
        Ok(changes) => changes,
        Err(e) => {
            // A bad key or id: the form comes back with the reason and nothing is written.
            let (status, message) = crate::routes::pages::input_refusal(e, identity.tr());
            let mut p = page(&state, &identity, id, String::new(), Some(message)).await?;
            p.keep_input(&sent);
            return render(status, &p);
        }
    };
    let actor = identity.actor();
    let mut expected = shown.as_ref().map(|s| s.version);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let e = match state
            .app
            .update_ticket(&actor, id, &changes, expected)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/tickets/{id}")).into_response()),
            Err(e) => e,
        };
        let (Some(seen), AppError::StaleVersion { .. }) = (&shown, &e) else {
            let message = WebError::from(e).into_info().message(identity.tr());
            let mut p = page(&state, &identity, id, String::new(), Some(message)).await?;
            p.keep_input(&sent);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
        };
        let mut p = page(&state, &identity, id, String::new(), None).await?;
        let r = seen.reconcile(&pairs, &p.orig);
        if r.can_apply() && attempt < ATTEMPTS {
            // Someone else changed other fields: the reader's changes go onto theirs.
            expected = Some(p.version);
            continue;
        }
        let t = identity.tr();
        p.stale = r.theirs.iter().map(|k| p.describe(k)).collect();
        p.error = Some(if r.clashes.is_empty() {
            WebError::from(e).into_info().message(t)
        } else {
            let names: Vec<String> = r.clashes.iter().map(|k| p.describe(k).0).collect();
            t.f("stale.conflict", &[("fields", &names.join("、"))])
        });
        let mine: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| r.mine.contains(k))
            .cloned()
            .collect();
        p.keep_input(&mine);
        return render(StatusCode::CONFLICT, &p);
    }
}
