//! 附件 — what a file attached to a ticket may be: a size limit, and a type read from the
//! bytes themselves (not from the name or the browser's claim), from a list of types a
//! customer service department actually receives: photos, PDFs, office documents, text,
//! archives, call recordings and short videos. Anything else — programs, HTML, scripts —
//! is refused.

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("files of this type are not accepted")]
    ForbiddenType,
    #[error("at most {max} files at once")]
    TooMany { max: usize },
    /// A photo of a fault is a picture or a short video.
    #[error("only pictures and videos are accepted as photos")]
    NotAPhoto,
}

/// Types accepted when found in the bytes.
const ALLOWED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/heif",
    "application/pdf",
    "application/zip",
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/x-rar-compressed",
    "application/gzip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/x-ole-storage",
    "audio/mpeg",
    "audio/x-wav",
    "audio/amr",
    "audio/m4a",
    "audio/ogg",
    "video/mp4",
    "video/quicktime",
];

/// Types a browser may show in place (everything else downloads). Files are served under
/// a sandboxing policy, which browsers' PDF viewers refuse to run in ("blocked"), and a PDF
/// opened under kefu's origin is a document with scripts of its own: PDFs download, to be
/// read in the reader's own viewer.
pub fn shown_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    )
}

/// A file name safe to store and to offer back: no directories, no control characters,
/// at most 200 characters; empty names become `attachment`.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Checks a file and returns the content type it will be stored and served with.
pub fn check(filename: &str, bytes: &[u8], max: usize) -> Result<String, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > max {
        return Err(AttachmentError::TooLarge { max });
    }
    if let Some(kind) = infer::get(bytes) {
        let mime = kind.mime_type();
        return if ALLOWED.contains(&mime) {
            Ok(mime.to_owned())
        } else {
            Err(AttachmentError::ForbiddenType)
        };
    }
    // No signature: only plain text is accepted, and only under a text name.
    let text_type = match extension(filename).as_str() {
        "txt" | "log" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        _ => return Err(AttachmentError::ForbiddenType),
    };
    let is_text = std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0'));
    if is_text {
        Ok(text_type.to_owned())
    } else {
        Err(AttachmentError::ForbiddenType)
    }
}

/// What a photo of a fault (an RMA's 照片) may be: a picture, or a short video of the fault.
const PHOTO: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/heif",
    "video/mp4",
    "video/quicktime",
];

/// Checks a photo of a fault as [`check`] does any file, then that it is a picture or a
/// video; returns the content type it will be stored and served with.
pub fn check_photo(filename: &str, bytes: &[u8], max: usize) -> Result<String, AttachmentError> {
    let content_type = match check(filename, bytes, max) {
        Err(AttachmentError::ForbiddenType) => return Err(AttachmentError::NotAPhoto),
        other => other?,
    };
    if PHOTO.contains(&content_type.as_str()) {
        Ok(content_type)
    } else {
        Err(AttachmentError::NotAPhoto)
    }
}

/// What becomes of a file that came by mail. A mail cannot be refused the way an upload is
/// (the sender has gone), so nothing in it stops it from landing: a file is kept and
/// served, kept but never served, or left in the stored original mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailFile {
    /// Kept and served with this type, read from its bytes.
    Accepted(String),
    /// 隔离 — kept, flagged, never served.
    Quarantined(Quarantine),
    /// Not kept (empty, or over the size limit): the stored original mail still has it.
    Dropped(AttachmentError),
}

/// Why a file that came by mail is quarantined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quarantine {
    /// A program or script, whatever name or type the mail gave it.
    Executable,
    /// A type kefu does not serve (HTML, an unknown binary…).
    NotAccepted,
}

impl Quarantine {
    pub fn key(self) -> &'static str {
        match self {
            Quarantine::Executable => "executable",
            Quarantine::NotAccepted => "not_accepted",
        }
    }
}

/// Names that run when opened on the reader's computer, whatever their bytes.
const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "exe", "dll", "scr", "com", "pif", "cpl", "msi", "msp", "bat", "cmd", "ps1", "psm1", "vbs",
    "vbe", "js", "jse", "wsf", "wsh", "hta", "jar", "lnk", "reg", "sh", "apk", "app",
];

/// Whether a file is a program or a script: by its bytes (Windows, Linux and macOS programs,
/// Java and Android bytecode, WebAssembly, a `#!` script) or by a name that runs.
pub fn is_executable(filename: &str, bytes: &[u8]) -> bool {
    use infer::app;
    app::is_exe(bytes)
        || app::is_elf(bytes)
        || bytes.starts_with(b"\x7fELF")
        || app::is_mach(bytes)
        || app::is_java(bytes)
        || app::is_dex(bytes)
        || app::is_wasm(bytes)
        || bytes.starts_with(b"#!")
        || EXECUTABLE_EXTENSIONS.contains(&extension(filename).as_str())
}

/// Checks a file that came by mail: the size first (an empty or oversize file is dropped),
/// then programs and scripts (quarantined, whatever the mail declared), then the type read
/// from the bytes as for an upload (a type kefu does not serve is quarantined too).
pub fn check_mail_file(filename: &str, bytes: &[u8], max: usize) -> MailFile {
    if bytes.is_empty() {
        return MailFile::Dropped(AttachmentError::Empty);
    }
    if bytes.len() > max {
        return MailFile::Dropped(AttachmentError::TooLarge { max });
    }
    if is_executable(filename, bytes) {
        return MailFile::Quarantined(Quarantine::Executable);
    }
    match check(filename, bytes, max) {
        Ok(content_type) => MailFile::Accepted(content_type),
        Err(AttachmentError::ForbiddenType) => MailFile::Quarantined(Quarantine::NotAccepted),
        Err(e) => MailFile::Dropped(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";

    #[test]
    fn the_bytes_decide_the_type_not_the_name() {
        assert_eq!(check("photo.jpg", PNG, 1000).unwrap(), "image/png");
        assert_eq!(check("合同.pdf", PDF, 1000).unwrap(), "application/pdf");
        assert_eq!(
            check("记录.txt", "客户来电记录".as_bytes(), 1000).unwrap(),
            "text/plain; charset=utf-8"
        );
    }

    #[test]
    fn a_photo_is_a_picture_or_a_video() {
        assert_eq!(check_photo("故障.jpg", PNG, 1000).unwrap(), "image/png");
        assert_eq!(
            check_photo("故障.pdf", PDF, 1000),
            Err(AttachmentError::NotAPhoto)
        );
        assert_eq!(
            check_photo("说明.txt", "外壳裂了".as_bytes(), 1000),
            Err(AttachmentError::NotAPhoto)
        );
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        assert_eq!(
            check_photo("photo.jpg", exe, 1000),
            Err(AttachmentError::NotAPhoto)
        );
        assert_eq!(
            check_photo("a.png", PNG, 4),
            Err(AttachmentError::TooLarge { max: 4 })
        );
        assert_eq!(check_photo("a.png", b"", 4), Err(AttachmentError::Empty));
    }

    #[test]
    fn programs_pages_and_unknown_bytes_are_refused() {
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        assert_eq!(
            check("invoice.pdf", exe, 1000),
            Err(AttachmentError::ForbiddenType)
        );
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        assert_eq!(
            check("a.txt", elf, 1000),
            Err(AttachmentError::ForbiddenType)
        );
        assert_eq!(
            check("page.html", b"<html><script>alert(1)</script>", 1000),
            Err(AttachmentError::ForbiddenType)
        );
        assert_eq!(
            check("a.txt", b"ab\0cd", 1000),
            Err(AttachmentError::ForbiddenType)
        );
    }

    #[test]
    fn size_limits_hold() {
        assert_eq!(check("a.txt", b"", 10), Err(AttachmentError::Empty));
        assert_eq!(
            check("a.png", PNG, 10),
            Err(AttachmentError::TooLarge { max: 10 })
        );
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_filename("C:\\Users\\王\\发票.pdf"), "发票.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(clean_filename("..."), "attachment");
        assert_eq!(clean_filename("报价\"单<1>.xlsx"), "报价单1.xlsx");
    }

    #[test]
    fn a_mailed_program_is_quarantined_whatever_it_is_called() {
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        assert_eq!(
            check_mail_file("发票.pdf", exe, 1000),
            MailFile::Quarantined(Quarantine::Executable)
        );
        assert_eq!(
            check_mail_file("photo.png", b"#!/bin/sh\nrm -rf ~\n", 1000),
            MailFile::Quarantined(Quarantine::Executable)
        );
        assert_eq!(
            check_mail_file("readme.txt.js", b"WScript.Echo(1)", 1000),
            MailFile::Quarantined(Quarantine::Executable)
        );
        assert_eq!(
            check_mail_file("page.html", b"<html><body>hi</body></html>", 1000),
            MailFile::Quarantined(Quarantine::NotAccepted)
        );
        assert_eq!(
            check_mail_file("a.png", PNG, 1000),
            MailFile::Accepted("image/png".into())
        );
        assert_eq!(
            check_mail_file("a.png", PNG, 10),
            MailFile::Dropped(AttachmentError::TooLarge { max: 10 })
        );
        assert_eq!(
            check_mail_file("a.txt", b"", 10),
            MailFile::Dropped(AttachmentError::Empty)
        );
    }
}
