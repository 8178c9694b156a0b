//! `Idempotency-Key` at the API's edge: [`KeyedJson`] reads the header with the JSON body
//! (the key's fingerprint covers method, path and body) and [`answer`] marks an answer given
//! again with `Idempotent-Replayed: true`. What a key does — remembered per API token for
//! 24 hours with what its request created, claimed in the creating transaction — is
//! kefu-app's (`kefu_app::idempotency`).

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_app::idempotency::IdempotencyKey;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{json_bytes, parse_json};
use crate::auth::Identity;
use crate::error::WebError;

/// The request header naming a create call, so that sending it again is safe.
pub const KEY_HEADER: &str = "idempotency-key";

/// The answer's header when it is an earlier request's answer, given again.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// What the OpenAPI document says of the header.
pub const KEY_DESCRIPTION: &str = "1–255 printable ASCII characters naming this request \
    (a UUID, say). Sent again with the same body within 24 hours, by the same API token, the \
    first answer is given again with `Idempotent-Replayed: true` and nothing new is created, \
    also when both arrive at once; with another body it is refused (422 \
    `idempotency_key_reused`). A request that was refused may be sent again with its key.";

/// A JSON body ([`super::ApiJson`]'s checks) with the request's `Idempotency-Key`, checked
/// and fingerprinted, when it has one: a key that is not 1–255 printable ASCII characters
/// is refused (400 `invalid_idempotency_key`).
pub struct KeyedJson<T> {
    pub key: Option<IdempotencyKey>,
    pub body: T,
}

impl<S, T> FromRequest<S> for KeyedJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let raw = req.headers().get(KEY_HEADER).map(|v| v.as_bytes().to_vec());
        // A key is scoped to the API token that sent it; every API route that creates
        // requires a user, and on `/api/` only a bearer token names one (`auth::identify`).
        let token_id = req.extensions().get::<Identity>().and_then(|i| i.token_id);
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        let bytes = json_bytes(req, state).await?;
        let key = match (raw, token_id) {
            (Some(raw), Some(token_id)) => {
                Some(IdempotencyKey::new(token_id, &raw, &method, &path, &bytes)?)
            }
            _ => None,
        };
        let body = parse_json(&bytes)?;
        Ok(KeyedJson { key, body })
    }
}

/// A create's answer: `status` with the body, and `Idempotent-Replayed: true` when it is an
/// earlier request's answer given again.
pub fn answer<T: Serialize>(status: StatusCode, replayed: bool, body: T) -> Response {
    let mut res = (status, Json(body)).into_response();
    if replayed {
        res.headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    res
}
