//! Static assets, embedded in the binary so kefu runs from one file.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "kefu.css",
        "text/css; charset=utf-8",
        include_str!("../static/kefu.css"),
    ),
    (
        "kefu.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/kefu.js"),
    ),
    (
        "kefu-phone.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/kefu-phone.js"),
    ),
    (
        "kefu-chat-console.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/kefu-chat-console.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../static/favicon.svg"),
    ),
];

pub async fn serve(Path(name): Path<String>) -> Result<Response, WebError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, *content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    )
        .into_response())
}
