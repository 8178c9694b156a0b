//! Reading multipart forms: text fields as pairs, files as uploads for kefu-app to check.
//! Text is read strictly (UTF-8, no control characters; see [`crate::input`]): multer's own
//! `text()` would put U+FFFD where the bytes are not UTF-8.

use axum::body::{Body, Bytes};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use axum::response::{IntoResponse, Response};
use kefu_app::ticket::Upload;
use kefu_domain::attachment;

use crate::error::WebError;

fn multipart_error(e: MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::PayloadTooLarge
    } else {
        WebError::bad_request("bad_request", e.body_text())
    }
}

/// The text fields and the files of a multipart form. A file input left empty (no name, no
/// bytes) is not a file.
pub async fn read(mut mp: Multipart) -> Result<(Vec<(String, String)>, Vec<Upload>), WebError> {
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(filename) => {
                crate::input::check_field(&name, &filename)?;
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if filename.is_empty() && bytes.is_empty() {
                    continue;
                }
                files.push(Upload {
                    filename,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let bytes = field.bytes().await.map_err(multipart_error)?;
                let text = crate::input::field_text(&name, bytes.to_vec())?;
                pairs.push((name, text));
            }
        }
    }
    Ok((pairs, files))
}

/// A submitted form, urlencoded or multipart (with files): pages take both, so a form
/// without a file input and a script posting plain fields work alike.
pub struct FormWithFiles {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl FormWithFiles {
    /// What an import form sent: whether only to check the file (`dry_run` ticked), and
    /// the file (none when nothing was chosen).
    pub fn import_file(self) -> (bool, Option<Upload>) {
        let dry_run = self
            .pairs
            .iter()
            .find(|(k, _)| k == "dry_run")
            .is_some_and(|(_, v)| !v.is_empty());
        (dry_run, self.files.into_iter().next())
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormWithFiles {
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| WebError::bad_request("bad_request", e.body_text()))?;
            let (pairs, files) = read(mp).await?;
            Ok(FormWithFiles { pairs, files })
        } else {
            let urlencoded = req
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if !urlencoded {
                return Err(WebError::bad_request(
                    "bad_request",
                    "a form is application/x-www-form-urlencoded or multipart/form-data",
                ));
            }
            let bytes = <Bytes as axum::extract::FromRequest<S>>::from_request(req, state)
                .await
                .map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        WebError::PayloadTooLarge
                    } else {
                        WebError::bad_request("bad_request", e.body_text())
                    }
                })?;
            Ok(FormWithFiles {
                pairs: crate::input::form_pairs(&bytes)?,
                files: Vec::new(),
            })
        }
    }
}

/// Serves a stored file: inline only for types a browser shows safely, as a download
/// otherwise; never sniffed into something else.
pub fn serve(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let disposition = if attachment::shown_inline(content_type) {
        "inline"
    } else {
        "attachment"
    };
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename*=UTF-8''{encoded}")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    res
}
