//! How each area's refusals read at the edge: the domain's typed errors as codes, statuses
//! and message arguments.

use super::*;

pub(super) fn rule_code(e: AccountRuleError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        AccountRuleError::InvalidUsername => ("invalid_username", vec![]),
        AccountRuleError::InvalidDisplayName => ("invalid_display_name", vec![]),
        AccountRuleError::PasswordTooShort { min } => {
            ("password_too_short", vec![("min", min.to_string())])
        }
        AccountRuleError::PasswordTooLong => ("password_too_long", vec![]),
        AccountRuleError::PasswordUnchanged => ("password_unchanged", vec![]),
        AccountRuleError::NoRoles => ("no_roles", vec![]),
        AccountRuleError::InvalidEmail => ("invalid_email", vec![]),
    }
}

pub(super) fn complaint_info(e: kefu_domain::complaint::ComplaintError) -> ErrorInfo {
    use kefu_domain::complaint::ComplaintError as C;
    let (status, code, args) = match e {
        C::OutOfOrder { stage, .. } => (
            StatusCode::CONFLICT,
            "complaint_out_of_order",
            vec![("stage", format!("@complaint_stage.{}", stage.key()))],
        ),
        C::Required(field) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "complaint_required",
            vec![("field", format!("@complaint_field.{field}"))],
        ),
        C::TooLong(field) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "complaint_too_long",
            vec![("field", format!("@complaint_field.{field}"))],
        ),
        C::NegativeCost => (StatusCode::UNPROCESSABLE_ENTITY, "negative_cost", vec![]),
        C::Amount(e) => return amount_info(e),
        C::BadQuantity => (StatusCode::UNPROCESSABLE_ENTITY, "bad_quantity", vec![]),
        C::NoApprovedSolution => (StatusCode::CONFLICT, "no_approved_solution", vec![]),
        C::ProposalNotPending => (StatusCode::CONFLICT, "proposal_not_pending", vec![]),
        C::NoticeNotAnswered => (StatusCode::CONFLICT, "notice_not_answered", vec![]),
        C::NoticeOutOfOrder => (StatusCode::CONFLICT, "notice_out_of_order", vec![]),
        C::OpenRmas => (StatusCode::CONFLICT, "open_rmas", vec![]),
        C::RmaFinished => (StatusCode::CONFLICT, "rma_finished", vec![]),
        C::RmaNotCancellable => (StatusCode::CONFLICT, "rma_not_cancellable", vec![]),
        C::Closed => (StatusCode::CONFLICT, "complaint_closed", vec![]),
        C::BadDeadline { max } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_deadline",
            vec![("max", max.to_string())],
        ),
        C::InPast(field) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "complaint_in_past",
            vec![("field", format!("@complaint_field.{field}"))],
        ),
    };
    ErrorInfo {
        args,
        ..ErrorInfo::new(status, code)
    }
}

/// An amount outside `0..=MAX_AMOUNT_FEN`: 422, the ceiling named in the message.
pub(super) fn amount_info(e: AmountError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        AmountError::Negative => ErrorInfo::new(status, "negative_amount"),
        AmountError::TooLarge { max_fen } => ErrorInfo {
            args: vec![("max", kefu_domain::money::max_yuan())],
            detail: Some(format!("max_fen: {max_fen}")),
            ..ErrorInfo::new(status, "amount_too_large")
        },
    }
}

/// The business range of dates, for the messages that name it.
pub(super) fn date_bounds() -> Vec<(&'static str, String)> {
    vec![("min", MIN_DATE.to_string()), ("max", MAX_DATE.to_string())]
}

/// A date refused by `kefu_domain::dates`: malformed is a bad field (400, as for any
/// value), outside the business range 422 `date_out_of_range` naming both bounds.
pub(super) fn date_info(e: DateError) -> ErrorInfo {
    match e {
        DateError::NotADate { field, value } => ErrorInfo {
            detail: Some(format!("{field}: {value:?}")),
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "invalid_field")
        },
        DateError::OutOfRange { field } => ErrorInfo {
            args: date_bounds(),
            detail: Some(format!("{field}: {}..={}", MIN_DATE, MAX_DATE)),
            ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range")
        },
        DateError::Reversed => ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "dates_reversed"),
    }
}

/// The detail of a stale write: the current version (the `ETag` to send next), and the
/// fields changed since the version sent, where the record's history names them.
pub(super) fn stale_detail(current: i64, changed: &[String]) -> String {
    if changed.is_empty() {
        format!("current version: {current}")
    } else {
        format!(
            "current version: {current}; changed since yours: {}",
            changed.join(", ")
        )
    }
}

/// Bytes as MB with at most one decimal, rounded up, so that a size just over a limit is
/// never shown as the limit itself.
pub(super) fn mb(bytes: u64) -> String {
    let tenths = (u128::from(bytes) * 10).div_ceil(1024 * 1024);
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

pub(super) fn import_info(e: kefu_app::customer_import::ImportFileError) -> ErrorInfo {
    use kefu_app::customer_import::ImportFileError as E;
    use kefu_domain::customer_import::HeaderError as H;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let simple = |code| ErrorInfo::new(status, code);
    match e {
        E::TooLarge { tenths_mb, max_mb } => ErrorInfo {
            args: vec![
                ("size", format!("{}.{}", tenths_mb / 10, tenths_mb % 10)),
                ("mb", max_mb.to_string()),
            ],
            ..ErrorInfo::new(StatusCode::PAYLOAD_TOO_LARGE, "import_too_large")
        },
        E::TooManyRows { found, max } => ErrorInfo {
            args: vec![("found", found.to_string()), ("max", max.to_string())],
            ..simple("import_too_many_rows")
        },
        E::CellOutOfRange {
            row,
            column,
            max_rows,
            max_columns,
        } => ErrorInfo {
            args: vec![
                ("row", row.to_string()),
                ("column", column.to_string()),
                ("max_rows", max_rows.to_string()),
                ("max_columns", max_columns.to_string()),
            ],
            ..simple("import_cell_out_of_range")
        },
        E::TooManyEntries { found, max } => ErrorInfo {
            args: vec![("found", found.to_string()), ("max", max.to_string())],
            ..simple("import_xlsx_too_many_entries")
        },
        E::EntryTooLarge { entry, found, max } => ErrorInfo {
            args: vec![("size", mb(found)), ("mb", mb(max))],
            detail: Some(entry),
            ..simple("import_xlsx_entry_too_large")
        },
        E::UnpackedTooLarge { found, max } => ErrorInfo {
            args: vec![("size", mb(found)), ("mb", mb(max))],
            ..simple("import_xlsx_unpacked_too_large")
        },
        E::CompressionRatio { entry, found, max } => ErrorInfo {
            args: vec![("ratio", found.to_string()), ("max", max.to_string())],
            detail: Some(entry),
            ..simple("import_xlsx_ratio")
        },
        E::Empty => simple("import_empty"),
        E::Encoding => simple("import_encoding"),
        E::Spreadsheet(reason) => ErrorInfo {
            detail: Some(reason),
            ..simple("import_spreadsheet")
        },
        E::Csv { line, reason } => ErrorInfo {
            args: vec![("line", line.to_string())],
            detail: Some(reason),
            ..simple("import_csv")
        },
        E::Header(h) => match h {
            H::MissingName => simple("import_missing_name"),
            H::EmptyHeader(n) => ErrorInfo {
                args: vec![("column", n.to_string())],
                ..simple("import_empty_header")
            },
            H::UnknownHeader { column, header } => ErrorInfo {
                args: vec![("column", column.to_string()), ("header", header)],
                ..simple("import_unknown_header")
            },
            H::Duplicate(header) => ErrorInfo {
                args: vec![("header", header)],
                ..simple("import_duplicate_header")
            },
            H::TitleRow { row, text } => ErrorInfo {
                args: vec![("row", row.to_string()), ("text", text)],
                ..simple("import_title_row")
            },
        },
    }
}

pub(super) fn trigger_info(e: TriggerError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let simple = |code| ErrorInfo::new(status, code);
    match e {
        TriggerError::NoActions => simple("trigger_no_actions"),
        TriggerError::NoConditions => simple("trigger_no_conditions"),
        TriggerError::BadName => simple("trigger_bad_name"),
        TriggerError::ChangedOutsideUpdate => simple("trigger_changed_outside_update"),
        TriggerError::BadAction(action) => ErrorInfo {
            args: vec![("action", action.to_owned())],
            ..simple("trigger_bad_action")
        },
        TriggerError::Condition(c) => match c {
            ConditionError::BadOperator { field, .. } => ErrorInfo {
                args: vec![("field", field)],
                ..simple("condition_bad_operator")
            },
            ConditionError::BadValue { field, value } => ErrorInfo {
                args: vec![("field", field), ("value", value)],
                ..simple("condition_bad_value")
            },
            ConditionError::UnknownField(key) => ErrorInfo {
                args: vec![("field", key)],
                ..simple("unknown_field")
            },
            ConditionError::TimeOutsideTimeTrigger => simple("condition_time_outside_time"),
            ConditionError::TimeTriggerWithoutTime => simple("trigger_time_without_time"),
        },
    }
}

pub(super) fn calendar_info(e: CalendarError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        CalendarError::UnknownTimeZone(tz) => ErrorInfo {
            args: vec![("zone", tz)],
            ..ErrorInfo::new(status, "unknown_time_zone")
        },
        CalendarError::BadPeriod(p) => ErrorInfo {
            args: vec![("period", p)],
            ..ErrorInfo::new(status, "bad_period")
        },
        CalendarError::OverlappingPeriods(_) => ErrorInfo::new(status, "overlapping_periods"),
        CalendarError::NoWorkingTime => ErrorInfo::new(status, "no_working_time"),
        CalendarError::BadHolidayLine { line, reason } => ErrorInfo {
            args: vec![("line", line.to_string())],
            detail: Some(reason),
            ..ErrorInfo::new(status, "bad_holiday_line")
        },
    }
}

pub(super) fn ticket_rule_code(e: TicketRuleError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        TicketRuleError::InvalidTransition { from, to } => (
            "invalid_transition",
            vec![("from", from.key().to_owned()), ("to", to.key().to_owned())],
        ),
        TicketRuleError::BadSubject => ("bad_subject", vec![]),
        TicketRuleError::BadBody => ("bad_body", vec![]),
        TicketRuleError::BadTag(tag) => ("bad_tag", vec![("tag", tag)]),
        TicketRuleError::BadFieldValue { field, problem } => {
            let code = match problem {
                FieldProblem::TextTooLong => "field_text_too_long",
                FieldProblem::NotANumber => "field_not_a_number",
                FieldProblem::NotADate => "field_not_a_date",
                FieldProblem::DateOutOfRange => "field_date_out_of_range",
                FieldProblem::NotAChoice => "field_not_a_choice",
            };
            let mut args = vec![("field", field)];
            if problem == FieldProblem::DateOutOfRange {
                args.extend(date_bounds());
            }
            (code, args)
        }
        TicketRuleError::BadFieldKey(key) => ("bad_field_key", vec![("key", key)]),
        TicketRuleError::NoChoices => ("no_choices", vec![]),
    }
}

/// A portal address not proven, or a code not sent or taken (地址验证, 手机号登录).
pub(super) fn verify_info(e: kefu_domain::portal::VerifyError) -> ErrorInfo {
    use kefu_domain::portal::VerifyError as V;
    let (status, code, args) = match e {
        V::BadMobile => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "portal_bad_mobile",
            vec![],
        ),
        V::BadCode => (StatusCode::UNPROCESSABLE_ENTITY, "portal_bad_code", vec![]),
        V::WrongCode { left } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "portal_wrong_code",
            vec![("left", left.to_string())],
        ),
        V::CodeExpired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "portal_code_expired",
            vec![],
        ),
        V::TooManyAttempts => (StatusCode::TOO_MANY_REQUESTS, "portal_code_locked", vec![]),
        V::NoCode => (StatusCode::UNPROCESSABLE_ENTITY, "portal_no_code", vec![]),
        V::TooSoon { secs } => {
            return ErrorInfo {
                retry_after_secs: Some(secs.max(1) as u64),
                args: vec![("secs", secs.to_string())],
                ..ErrorInfo::new(StatusCode::TOO_MANY_REQUESTS, "portal_too_soon")
            };
        }
        V::TooManySends => {
            return ErrorInfo {
                retry_after_secs: Some(3600),
                ..ErrorInfo::new(StatusCode::TOO_MANY_REQUESTS, "portal_too_many_sends")
            };
        }
        V::BadLink => (StatusCode::NOT_FOUND, "portal_bad_link", vec![]),
        V::LinkExpired => (StatusCode::GONE, "portal_link_expired", vec![]),
        V::LinkUsed => (StatusCode::GONE, "portal_link_used", vec![]),
        V::NoMobile => (StatusCode::UNPROCESSABLE_ENTITY, "portal_no_mobile", vec![]),
        V::NoEmail => (StatusCode::UNPROCESSABLE_ENTITY, "portal_no_email", vec![]),
        V::AlreadyVerified => (StatusCode::CONFLICT, "portal_already_verified", vec![]),
        V::AddressTaken => (StatusCode::CONFLICT, "portal_address_taken", vec![]),
        V::AccountInactive => (StatusCode::FORBIDDEN, "portal_account_inactive", vec![]),
    };
    ErrorInfo {
        args,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn smtp_info(e: kefu_domain::channel::mail_out::SmtpSettingsError) -> ErrorInfo {
    use kefu_domain::channel::mail_out::SmtpSettingsError as E;
    let (code, args) = match e {
        E::BadHost => ("smtp_bad_host", vec![]),
        E::BadPort => ("smtp_bad_port", vec![]),
        E::BadSecurity(value) => ("smtp_bad_security", vec![("value", value)]),
        E::CleartextRemote => ("smtp_cleartext_remote", vec![]),
        E::BadUsername => ("smtp_bad_username", vec![]),
        E::PasswordWithoutUser => ("smtp_password_without_user", vec![]),
        E::BadFromName => ("smtp_bad_from_name", vec![]),
    };
    ErrorInfo {
        args,
        detail: Some(settings_field(code, "smtp_").to_owned()),
        ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, code)
    }
}

pub(super) fn imap_info(e: kefu_domain::channel::imap::ImapSettingsError) -> ErrorInfo {
    use kefu_domain::channel::imap::ImapSettingsError as E;
    let (code, args) = match e {
        E::BadHost => ("imap_bad_host", vec![]),
        E::BadPort => ("imap_bad_port", vec![]),
        E::BadSecurity(value) => ("imap_bad_security", vec![("value", value)]),
        E::CleartextRemote => ("imap_cleartext_remote", vec![]),
        E::BadUsername => ("imap_bad_username", vec![]),
        E::MissingPassword => ("imap_missing_password", vec![]),
        E::BadFolder => ("imap_bad_folder", vec![]),
        E::BadAfter(value) => ("imap_bad_after", vec![("value", value)]),
        E::BadMoveTo => ("imap_bad_move_to", vec![]),
        E::BadInterval { min, max } => (
            "imap_bad_interval",
            vec![("min", min.to_string()), ("max", max.to_string())],
        ),
        E::BadCertificate => ("imap_bad_certificate", vec![]),
    };
    ErrorInfo {
        args,
        detail: Some(settings_field(code, "imap_").to_owned()),
        ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, code)
    }
}

/// The field of an SMTP or IMAP setting a refusal `code` is about, named as the API's body
/// names it (`host`, `poll_secs`…), for the error's `detail`.
fn settings_field(code: &str, prefix: &str) -> &'static str {
    match code.strip_prefix(prefix).unwrap_or(code) {
        "bad_host" => "host",
        "bad_port" => "port",
        "bad_security" | "cleartext_remote" => "security",
        "bad_username" => "username",
        "password_without_user" | "missing_password" => "password",
        "bad_from_name" => "from_name",
        "bad_folder" => "folder",
        "bad_after" => "after",
        "bad_move_to" => "move_to",
        "bad_interval" => "poll_secs",
        "bad_certificate" => "ca_pem",
        _ => "settings",
    }
}

/// An event a telephone system posted that kefu cannot take: 422, `detail` naming the field
/// (`event: "rung" (allowed: ringing, answered, hangup)`, `call_id is missing`).
pub(super) fn call_event_info(e: kefu_domain::channel::phone::CallEventError) -> ErrorInfo {
    use kefu_domain::channel::phone::CallEventError as C;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let detail = Some(e.to_string());
    let field = e.field().to_owned();
    match e {
        C::Unknown {
            field,
            value,
            allowed,
        } => {
            let allowed = allowed.join(", ");
            ErrorInfo {
                detail: Some(format!("{field}: {value:?} (allowed: {allowed})")),
                args: vec![
                    ("field", field.to_owned()),
                    ("value", value),
                    ("allowed", allowed),
                ],
                ..ErrorInfo::new(status, "unknown_value")
            }
        }
        C::Missing(_) => ErrorInfo {
            detail,
            args: vec![("field", field)],
            ..ErrorInfo::new(status, "call_event_missing")
        },
        C::TooLong(_) => ErrorInfo {
            detail,
            args: vec![("field", field)],
            ..ErrorInfo::new(status, "call_event_too_long")
        },
        C::BadTime(_) => ErrorInfo {
            detail,
            ..ErrorInfo::new(status, "call_event_bad_time")
        },
        C::OutOfBounds(_) => ErrorInfo {
            detail,
            ..ErrorInfo::new(status, "call_event_out_of_range")
        },
        C::BadDuration => ErrorInfo {
            detail,
            ..ErrorInfo::new(status, "call_event_bad_duration")
        },
        C::BadRecordingUrl => ErrorInfo {
            detail,
            ..ErrorInfo::new(status, "call_event_bad_recording_url")
        },
    }
}

/// A message a WeChat official account posted that kefu does not take: 400 for what is not
/// WeChat's plaintext XML (a DTD or entity above all), 422 for an encrypted one, 413 over
/// the size limit.
pub(super) fn wechat_message_info(e: kefu_domain::channel::wechat::XmlError) -> ErrorInfo {
    use kefu_domain::channel::wechat::XmlError as X;
    let detail = Some(e.to_string());
    match e {
        X::TooLarge { .. } => ErrorInfo::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        X::Dtd => ErrorInfo {
            detail,
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "wechat_dtd")
        },
        X::UnknownEntity(name) => ErrorInfo {
            detail,
            args: vec![("name", name)],
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "wechat_entity")
        },
        X::Malformed(_) => ErrorInfo {
            detail,
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "wechat_malformed")
        },
        X::Missing(field) => ErrorInfo {
            detail,
            args: vec![("field", field.to_owned())],
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "wechat_missing_field")
        },
        X::Invalid(field) => ErrorInfo {
            detail,
            args: vec![("field", field.to_owned())],
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "wechat_invalid_field")
        },
        X::Encrypted => ErrorInfo {
            detail,
            ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "wechat_encrypted")
        },
    }
}

/// An official account's setting that cannot be used: 422.
pub(super) fn wechat_settings_info(
    e: kefu_domain::channel::wechat::WechatSettingsError,
) -> ErrorInfo {
    use kefu_domain::channel::wechat::WechatSettingsError as W;
    let code = match e {
        W::BadAppId => "wechat_bad_app_id",
        W::BadAppSecret => "wechat_bad_app_secret",
        W::BadToken => "wechat_bad_token",
        W::BadApiBase => "wechat_bad_api_base",
        W::CleartextRemote => "wechat_cleartext_remote",
    };
    ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, code)
}
pub(super) fn chat_info(e: kefu_domain::channel::chat::ChatError) -> ErrorInfo {
    use kefu_domain::channel::chat::ChatError as C;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let conflict = StatusCode::CONFLICT;
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        C::BadOrigin(v) => (unprocessable, "chat_bad_origin", vec![("value", v)]),
        C::TooManyOrigins { max } => (
            unprocessable,
            "chat_too_many_origins",
            vec![("max", max.to_string())],
        ),
        C::BadMaxChars { max } => (
            unprocessable,
            "chat_bad_max_chars",
            vec![("max", max.to_string())],
        ),
        C::GreetingTooLong { max } => (
            unprocessable,
            "chat_greeting_too_long",
            vec![("max", max.to_string())],
        ),
        C::BadChatLimit { max } => (
            unprocessable,
            "chat_bad_limit",
            vec![("max", max.to_string())],
        ),
        C::EmptyMessage => (unprocessable, "chat_empty", vec![]),
        C::MessageTooLong { max } => (
            unprocessable,
            "chat_too_long",
            vec![("max", max.to_string())],
        ),
        C::OriginRefused => (StatusCode::FORBIDDEN, "chat_origin_refused", vec![]),
        C::Ended => (conflict, "chat_ended", vec![]),
        C::NotWaiting => (conflict, "chat_not_waiting", vec![]),
        C::NotYours => (conflict, "chat_not_yours", vec![]),
        C::LimitReached { limit } => (
            conflict,
            "chat_limit_reached",
            vec![("limit", limit.to_string())],
        ),
        C::AgentUnavailable => (conflict, "chat_agent_unavailable", vec![]),
        C::NoTransferTarget => (unprocessable, "chat_no_transfer_target", vec![]),
        C::BadVisitorField(field) => (
            unprocessable,
            "chat_bad_visitor_field",
            vec![("field", format!("@chat.field.{field}"))],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}
