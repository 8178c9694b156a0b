//! Translations. Every string a person reads comes from `locales/<locale>.toml`, embedded
//! in the binary; zh-CN is the reference and every other file must have the same keys
//! (a test checks that, and that every key the templates use exists).

use std::collections::HashMap;
use std::sync::LazyLock;

use kefu_domain::Locale;

const ZH_CN: &str = include_str!("../locales/zh-CN.toml");
const EN: &str = include_str!("../locales/en.toml");

type Table = HashMap<String, String>;

static TABLES: LazyLock<HashMap<Locale, Table>> = LazyLock::new(|| {
    Locale::ALL
        .into_iter()
        .map(|l| (l, parse(source(l))))
        .collect()
});

fn source(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => ZH_CN,
        Locale::En => EN,
    }
}

/// Flattens nested TOML tables into dotted keys (`[nav] home = …` → `nav.home`).
fn parse(text: &str) -> Table {
    fn walk(prefix: &str, value: &toml::Value, out: &mut Table) {
        match value {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            toml::Value::String(s) => {
                out.insert(prefix.to_owned(), s.clone());
            }
            other => {
                out.insert(prefix.to_owned(), other.to_string());
            }
        }
    }
    let value: toml::Value = toml::from_str(text).expect("embedded translation file is valid TOML");
    let mut out = Table::new();
    walk("", &value, &mut out);
    out
}

/// Text `key` in `locale` with `{name}` placeholders filled: what kefu-app renders the
/// texts it sends outside with (see `kefu_app::Texts`).
pub fn text(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    Tr(locale).f(key, args)
}

/// The translator for one request, handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Locale);

impl Tr {
    /// The text for `key`; a missing key shows itself, so it is noticed rather than blank.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match TABLES.get(&self.0).and_then(|t| t.get(key)) {
            Some(s) => s.as_str(),
            None => TABLES
                .get(&Locale::ZhCn)
                .and_then(|t| t.get(key))
                .map_or(key, String::as_str),
        }
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn locale(&self) -> Locale {
        self.0
    }

    /// The `lang` attribute of the page.
    pub fn lang(&self) -> &'static str {
        self.0.key()
    }
}

#[cfg(test)]
pub(crate) fn keys(locale: Locale) -> Vec<String> {
    let mut k: Vec<String> = parse(source(locale)).into_keys().collect();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_the_same_keys() {
        let reference = keys(Locale::ZhCn);
        for locale in Locale::ALL {
            assert_eq!(
                keys(locale),
                reference,
                "keys of {} differ from zh-CN",
                locale.key()
            );
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let reference = keys(Locale::ZhCn);
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ];
        let mut missing = Vec::new();
        let mut files = Vec::new();
        let mut stack: Vec<std::path::PathBuf> = dirs.iter().map(Into::into).collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else {
                files.push(p);
            }
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for pat in ["t(\"", "f(\""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    let looks_like_key = key.contains('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                        });
                    if looks_like_key && !reference.iter().any(|k| k == key) {
                        missing.push(format!("{}: {key}", file.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "translation keys missing from zh-CN.toml:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr(Locale::En);
        assert!(
            tr.f("error.password_too_short", &[("min", "10")])
                .contains("10")
        );
        // Built at run time so the key scan above does not take it for a real key.
        let unknown = ["no", "such", "key"].join(".");
        assert_eq!(Tr(Locale::En).t(&unknown), unknown);
    }
}

impl Tr {
    /// The text for a key built at run time from a prefix and a stored value, such as
    /// `role.cs_manager`.
    pub fn tk(&self, prefix: &str, value: &str) -> String {
        let key = format!("{prefix}.{value}");
        match TABLES.get(&self.0).and_then(|t| t.get(&key)) {
            Some(s) => s.clone(),
            None => value.to_owned(),
        }
    }

    /// Every value of `K` as (key, its label under `prefix`), in declaration order: a list
    /// page's choice of states or kinds.
    pub fn options<K: kefu_domain::input::Keyed>(
        &self,
        prefix: &str,
    ) -> Vec<(&'static str, String)> {
        K::keys()
            .into_iter()
            .map(|k| (k, self.tk(prefix, k)))
            .collect()
    }
}

#[cfg(test)]
mod dynamic_key_tests {
    use kefu_domain::{Department, Locale, Role, StaffLevel};

    use super::keys;

    #[test]
    fn every_role_department_and_level_is_translated() {
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = Role::ALL
            .iter()
            .map(|r| format!("role.{}", r.key()))
            .collect();
        // What the workbench says to a role with nothing to show yet.
        want.extend(
            Role::ALL
                .iter()
                .map(|r| format!("workbench.nothing.{}", r.key())),
        );
        want.extend(
            Department::ALL
                .iter()
                .map(|d| format!("department.{}", d.key())),
        );
        want.extend(StaffLevel::ALL.iter().map(|l| format!("level.{}", l.key())));
        want.extend(Locale::ALL.iter().map(|l| format!("locale.{}", l.key())));
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    /// Exports write tier, type, kind and status as the domain's labels, and imports read
    /// them back: they must be the labels the pages show.
    #[test]
    fn customer_export_labels_are_the_pages_chinese_labels() {
        use kefu_domain::customer::{CustomerKind, CustomerStatus, CustomerType, Tier};
        use kefu_domain::customer_import::words;
        let zh = super::Tr(Locale::ZhCn);
        let page = |prefix: &str, key: &str| zh.tk(prefix, key);
        for v in Tier::ALL {
            assert_eq!(words::tier_label(*v), page("tier", v.key()));
        }
        for v in CustomerType::ALL {
            assert_eq!(words::type_label(*v), page("customer_type", v.key()));
        }
        for v in CustomerKind::ALL {
            assert_eq!(words::kind_label(*v), page("customer_kind", v.key()));
        }
        for v in CustomerStatus::ALL {
            assert_eq!(words::status_label(*v), page("customer_status", v.key()));
        }
    }

    #[test]
    fn every_import_reason_and_column_is_translated() {
        let have = keys(Locale::ZhCn);
        let reasons = [
            "required",
            "bad_mobile",
            "bad_phone",
            "bad_email",
            "bad_tier",
            "bad_type",
            "bad_status",
            "bad_kind",
            "bad_rest_hours",
            "too_long",
            "not_saved",
            "title_row",
            "duplicate_row_skipped",
            "duplicate_row_merged",
            "duplicate_customer_skipped",
            "duplicate_customer_merged",
        ];
        let missing: Vec<String> = reasons
            .iter()
            .map(|r| format!("import.reason.{r}"))
            .filter(|k| !have.contains(k))
            .collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn every_mail_text_and_smtp_word_is_translated() {
        use kefu_domain::channel::mail_out::SmtpSecurity;
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = [
            "mail.verify_subject",
            "mail.verify_body",
            "mail.test_subject",
            "mail.test_body",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
        want.extend(
            SmtpSecurity::ALL
                .iter()
                .map(|s| format!("channels.security.{}", s.key())),
        );
        for why in [
            "no_address",
            "no_smtp",
            "bounced",
            "no_auto_reply",
            "auto_cap",
        ] {
            want.push(format!("mail_not_sent.{why}"));
        }
        for field in ["mail_sent", "mail_send_failed", "mail_not_sent"] {
            want.push(format!("event.{field}"));
        }
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
        // The mail texts fill their placeholders.
        let body = super::text(
            Locale::ZhCn,
            "mail.verify_body",
            &[
                ("link", "https://kefu.example.com/portal/verify/ab"),
                ("expires", "2026-11-24 10:00"),
            ],
        );
        assert!(body.contains("https://kefu.example.com/portal/verify/ab") && !body.contains('{'));
    }

    #[test]
    fn every_ticket_value_shown_by_key_is_translated() {
        use kefu_app::ticket::{Queue, TIERS};
        use kefu_domain::ticket::{AssignmentRule, Channel, FieldKind, Priority, TicketType};
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = Vec::new();
        want.extend(
            TicketType::ALL
                .iter()
                .map(|v| format!("ticket_type.{}", v.key())),
        );
        want.extend(
            Priority::ALL
                .iter()
                .map(|v| format!("priority.{}", v.key())),
        );
        want.extend(Channel::ALL.iter().map(|v| format!("channel.{}", v.key())));
        want.extend(
            AssignmentRule::ALL
                .iter()
                .map(|v| format!("assignment.{}", v.key())),
        );
        want.extend(
            FieldKind::ALL
                .iter()
                .map(|v| format!("field_kind.{}", v.key())),
        );
        want.extend(Queue::ALL.iter().map(|v| format!("queue.{}", v.key())));
        want.extend(TIERS.iter().map(|v| format!("tier.{v}")));
        for target in ["first_response", "next_response", "resolution"] {
            want.push(format!("sla.{target}"));
        }
        for kind in ["sla_warning", "sla_breach", "assigned"] {
            want.push(format!("notification.{kind}"));
        }
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn every_complaint_value_shown_by_key_is_translated() {
        use kefu_domain::complaint::{
            Action, Category, Cause, FollowUpResult, NoticeStatus, ProposalStatus, Remedy,
            RmaStatus, Severity, Stage,
        };
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = Vec::new();
        let mut add = |prefix: &str, keys: Vec<&str>| {
            want.extend(keys.into_iter().map(|k| format!("{prefix}.{k}")));
        };
        add(
            "complaint_stage",
            Stage::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "complaint_severity",
            Severity::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "complaint_category",
            Category::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "complaint_cause",
            Cause::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "complaint_remedy",
            Remedy::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "proposal_status",
            ProposalStatus::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "rma_status",
            RmaStatus::ALL.iter().map(|v| v.key()).collect(),
        );
        // An RMA's record name and what "done" means for it, per remedy that opens one.
        let rma_remedies: Vec<&str> = Remedy::ALL
            .iter()
            .filter_map(|r| r.rma())
            .map(|r| r.key())
            .collect();
        add("rma_record", rma_remedies.clone());
        add("rma_done", rma_remedies);
        add(
            "follow_up_result",
            FollowUpResult::ALL.iter().map(|v| v.key()).collect(),
        );
        add(
            "notice_status",
            NoticeStatus::ALL.iter().map(|v| v.key()).collect(),
        );
        let actions = [
            Action::CompleteIntake,
            Action::JudgeInvalid,
            Action::JudgeValid,
            Action::AcceptNoticeAnswer,
            Action::RecordInvestigation,
            Action::ApproveProposal,
            Action::CustomerAccepts,
            Action::CustomerRejects,
            Action::FollowUpSettled,
            Action::FollowUpUnsatisfied,
            Action::Evaluate,
        ];
        add(
            "complaint_action",
            actions.iter().map(|a| a.key()).collect(),
        );
        // The steps that do not change the stage, as the app logs them.
        add(
            "complaint_action",
            vec![
                "open",
                "notice_sent",
                "notice_acknowledged",
                "notice_answered",
                "notice_returned",
                "notice_escalated",
                "proposed",
                "sent_back",
                "penalty",
                "customer_told",
                "warned",
                "escalated",
                "report_sent",
            ],
        );
        add(
            "complaint_action",
            RmaStatus::ALL
                .iter()
                .skip(1)
                .map(|s| match s {
                    RmaStatus::Approved => "rma_approved",
                    RmaStatus::Received => "rma_received",
                    RmaStatus::Done => "rma_done",
                    RmaStatus::Cancelled => "rma_cancelled",
                    _ => "rma_closed",
                })
                .collect(),
        );
        for kind in [
            kefu_app::notify::kind::COMPLAINT_NOTICE,
            kefu_app::notify::kind::COMPLAINT_NOTICE_RETURNED,
            kefu_app::notify::kind::COMPLAINT_ANSWERED,
            kefu_app::notify::kind::COMPLAINT_APPROVAL,
            kefu_app::notify::kind::COMPLAINT_DECIDED,
            kefu_app::notify::kind::COMPLAINT_WARNING,
            kefu_app::notify::kind::COMPLAINT_OVERDUE,
            kefu_app::notify::kind::COMPLAINT_NOTICE_OVERDUE,
            kefu_app::notify::kind::COMPLAINT_REPORT,
            kefu_app::notify::kind::COMPLAINT_NEW,
            kefu_app::notify::kind::COMPLAINT_RMA,
            kefu_app::notify::kind::COMPLAINT_MEASURE,
            kefu_app::notify::kind::COMPLAINT_FOLLOW_UP,
        ] {
            want.push(format!("notification.{kind}"));
        }
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    /// Every tile's title, and every word the tiles, the queues and the board they open
    /// show by key.
    #[test]
    fn every_workbench_word_is_translated() {
        use kefu_app::ticket::DueWindow;
        use kefu_app::workbench::{ApprovalKind, registry};
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = registry().map(|s| s.title.to_owned()).collect();
        want.extend(
            DueWindow::ALL
                .iter()
                .map(|w| format!("tickets.due.{}", w.key())),
        );
        want.extend(
            ApprovalKind::ALL
                .iter()
                .map(|k| format!("workbench.approval_kind.{}", k.key())),
        );
        for n in ["open", "overdue", "answered"] {
            want.push(format!("complaints.notice_filter.{n}"));
        }
        for s in ["failed", "retrying"] {
            want.push(format!("jobs.status.{s}"));
        }
        for (table, k) in [
            ("workbench.line", "at_risk"),
            ("workbench.line", "breached_today"),
            ("workbench.line", "overdue_all"),
            ("workbench.line", "older_than"),
            ("workbench.line", "overdue_complaints"),
            ("workbench.note", "overdue"),
            ("workbench.hint", "due_soon"),
            ("workbench.hint", "quiet"),
            ("workbench.hint", "recent_days"),
            ("workbench.hint", "jobs"),
            ("workbench.hint", "holidays"),
            ("workbench.hint", "signed_in"),
            ("workbench.import", "done"),
            ("workbench.import", "dry_run"),
            ("workbench", "holidays_missing_year"),
        ] {
            want.push(format!("{table}.{k}"));
        }
        want.push(format!(
            "notification.{}",
            kefu_app::notify::kind::SCRIPT_PROPOSED
        ));
        for a in [
            kefu_app::audit::action::SENSITIVE_REVEALED,
            kefu_app::audit::action::SENSITIVE_EXPORTED,
        ] {
            want.push(format!("audit.action.{a}"));
        }
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    /// The call pages word every direction, state and list, and the bell a missed call.
    #[test]
    fn every_call_value_shown_by_key_is_translated() {
        use kefu_domain::channel::phone::{CallStatus, Direction};
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = Vec::new();
        for d in Direction::ALL {
            want.push(format!("calls.direction.{}", d.key()));
            want.push(format!("calls.default_subject.{}", d.key()));
        }
        want.extend(
            CallStatus::ALL
                .iter()
                .map(|s| format!("calls.status.{}", s.key())),
        );
        for v in ["mine", "unlogged", "callbacks"] {
            want.push(format!("calls.view.{v}"));
            want.push(format!("calls.view_hint.{v}"));
        }
        want.push(format!(
            "notification.{}",
            kefu_app::notify::kind::MISSED_CALL
        ));
        want.push(format!(
            "audit.action.{}",
            kefu_app::audit::action::EXTENSION_MAPPED
        ));
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    /// The 360 page words every graded-handling answer, and the today view every reason.
    #[test]
    fn every_credit_answer_and_attention_reason_is_translated() {
        use kefu_domain::credit::CreditDecision;
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = CreditDecision::ALL
            .iter()
            .filter(|d| {
                !matches!(
                    d,
                    CreditDecision::RefusedByTerms | CreditDecision::TermsSuspended
                )
            })
            .map(|d| format!("credit.rule.{}", d.key()))
            .collect();
        want.extend(
            kefu_store::customer::ATTENTION_REASONS
                .iter()
                .map(|r| format!("today.reason.{r}")),
        );
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }
}

#[cfg(test)]
mod sms_key_tests {
    use kefu_domain::Locale;

    use super::keys;

    /// The texts kefu sends by SMS, the ticket page's words for texts, the refusals and the
    /// bell, the audit log and the workbench.
    #[test]
    fn every_sms_word_is_translated() {
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = [
            "sms.portal_sign_in_code",
            "sms.portal_verify_mobile",
            "sms.test",
            "sms.segments",
            "sms.counter",
            "event.sms_send_failed",
            "event.sms_not_sent",
            "workbench.tile.sms_failed",
            "workbench.hint.sms_failed",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
        for s in ["queued", "sent", "delivered", "failed"] {
            want.push(format!("sms.status.{s}"));
        }
        for why in ["no_number", "no_channel", "opted_out"] {
            want.push(format!("sms_not_sent.{why}"));
        }
        want.push(format!(
            "notification.{}",
            kefu_app::notify::kind::SMS_FAILED
        ));
        for a in [
            kefu_app::audit::action::CHANNEL_TEST_SMS,
            kefu_app::audit::action::SMS_OPTED_OUT,
        ] {
            want.push(format!("audit.action.{a}"));
        }
        for code in [
            "sms_bad_send_url",
            "sms_cleartext_remote",
            "sms_bad_sign_name",
            "sms_bad_api_key",
            "sms_event_missing",
            "sms_event_too_long",
            "sms_event_out_of_range",
            "sms_event_bad_number",
            "sms_unknown_send",
            "sms_opted_out",
            "sms_bad_number",
        ] {
            want.push(format!("error.{code}"));
        }
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
        let code = super::text(
            Locale::ZhCn,
            "sms.portal_sign_in_code",
            &[("code", "204816"), ("minutes", "10")],
        );
        assert!(code.contains("204816") && code.contains("10") && !code.contains('{'));
    }
}
