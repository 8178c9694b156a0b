//! The typed errors of the use cases. The web edge maps each to a status code and a
//! translated message; the CLI prints them.

use kefu_domain::attachment::AttachmentError;
use kefu_domain::calendar::CalendarError;
use kefu_domain::customer::CustomerRuleError;
use kefu_domain::kb::ScriptError;
use kefu_domain::staff::AccountRuleError;
use kefu_domain::ticket::TicketRuleError;
use kefu_domain::trigger::TriggerError;
use kefu_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("not permitted")]
    Forbidden,
    #[error("{0}")]
    Rule(#[from] AccountRuleError),
    /// A portal address that could not be proven, or a code not sent or taken.
    #[error("{0}")]
    Verify(#[from] kefu_domain::portal::VerifyError),
    #[error("too many web forms from this address; try again later")]
    WebFormThrottled,
    #[error("an account with that email address exists")]
    EmailTaken,
    #[error("that username is already taken")]
    UsernameTaken,
    #[error("unknown department")]
    UnknownDepartment,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("kefu needs at least one active administrator")]
    LastAdmin,
    #[error("you cannot deactivate your own account")]
    SelfDeactivation,
    #[error("token name must be 1–64 characters")]
    InvalidTokenName,
    #[error("{0}")]
    Ticket(#[from] TicketRuleError),
    #[error("{0}")]
    Calendar(#[from] CalendarError),
    #[error("{0}")]
    Customer(#[from] CustomerRuleError),
    #[error("{0}")]
    Credit(#[from] kefu_domain::credit::CreditError),
    #[error("{0}")]
    Complaint(#[from] kefu_domain::complaint::ComplaintError),
    #[error("{0}")]
    Report(kefu_domain::complaint_report::ReportError),
    #[error("this ticket already has complaint {id}")]
    AlreadyComplaint { id: i64 },
    #[error("search is not available on this instance")]
    SearchUnavailable,
    #[error("this notice was sent to another department")]
    NotYourDepartment,
    #[error("an amount must not be negative")]
    BadAmount,
    /// An amount outside `0..=MAX_AMOUNT_FEN` (see [`kefu_domain::money`]).
    #[error("{0}")]
    Amount(#[from] kefu_domain::money::AmountError),
    /// A date outside the business range, or a range running backwards (see
    /// [`kefu_domain::dates`]).
    #[error("{0}")]
    Date(#[from] kefu_domain::dates::DateError),
    #[error("{0}")]
    ImportFile(#[from] crate::customer_import::ImportFileError),
    /// An export that cannot be written as asked (see [`crate::export`]).
    #[error("{0}")]
    Export(#[from] crate::export::ExportError),
    #[error("{0}")]
    Script(#[from] ScriptError),
    #[error("{0}")]
    Trigger(#[from] TriggerError),
    #[error("{0}")]
    Attachment(#[from] AttachmentError),
    #[error("ticket {number}: {reason}")]
    InTicket {
        number: String,
        reason: Box<AppError>,
    },
    #[error("unknown or inactive assignee")]
    UnknownAssignee,
    #[error("unknown or inactive portal customer")]
    UnknownCustomer,
    /// A customer of the archive that does not exist (picked on a form, sent by id).
    #[error("unknown customer")]
    UnknownArchiveCustomer,
    #[error("unknown group")]
    UnknownGroup,
    #[error("unknown custom field {0:?}")]
    UnknownField(String),
    /// A status key that names none of the statuses (built-in and custom), with the keys
    /// that do, in their order.
    #[error("unknown status {key:?}")]
    UnknownStatus { key: String, allowed: Vec<String> },
    #[error("the ticket is closed; open a new one")]
    TicketClosed,
    #[error("a name and an email address or phone number are needed to reply")]
    ContactRequired,
    #[error("a value is too long")]
    TooLong,
    #[error("a name must be 1–60 characters")]
    BadName,
    #[error("that name is already taken")]
    NameTaken,
    /// A catalogue entry refused (see [`kefu_domain::aftersales::catalogue`]).
    #[error("{0}")]
    Catalogue(#[from] kefu_domain::aftersales::catalogue::CatalogueError),
    /// A product or part list whose header does not do.
    #[error("{0}")]
    CatalogueColumns(kefu_domain::aftersales::import::ColumnError),
    /// An after-sales policy version refused.
    #[error("{0}")]
    Policy(#[from] kefu_domain::aftersales::policy::PolicyError),
    /// An RMA's request or move refused (see [`kefu_domain::aftersales::rma`]).
    #[error("{0}")]
    Rma(#[from] kefu_domain::aftersales::rma::RmaError),
    /// A dispute or ruling refused (see [`kefu_domain::aftersales::dispute`]).
    #[error("{0}")]
    Dispute(#[from] kefu_domain::aftersales::dispute::DisputeError),
    /// A service point or its inspection refused.
    #[error("{0}")]
    ServicePoint(#[from] kefu_domain::aftersales::service_point::ServicePointError),
    /// A stock movement refused (never below zero; see [`kefu_domain::aftersales::stock`]).
    #[error("{0}")]
    Stock(#[from] kefu_domain::aftersales::stock::StockError),
    /// A cost, budget or report span refused (see [`kefu_domain::aftersales::cost`]).
    #[error("{0}")]
    Cost(#[from] kefu_domain::aftersales::cost::CostError),
    /// An order refused (see [`kefu_domain::order`]).
    #[error("{0}")]
    Order(#[from] kefu_domain::order::OrderError),
    /// A custom request or a step on it refused (see [`kefu_domain::order::custom`]).
    #[error("{0}")]
    Custom(#[from] kefu_domain::order::custom::CustomError),
    /// A payment or an allocation refused (see [`kefu_domain::receivable`]).
    #[error("{0}")]
    Receivable(#[from] kefu_domain::receivable::ReceivableError),
    /// A statement or a step on it refused (see
    /// [`kefu_domain::receivable::statement`]).
    #[error("{0}")]
    Statement(kefu_domain::receivable::statement::StatementError),
    /// A claim the policy cannot decide.
    #[error("{0}")]
    Claim(#[from] kefu_domain::aftersales::policy::ClaimError),
    #[error("a target must be 1–525600 minutes")]
    BadMinutes,
    #[error("unknown customer tier {0:?}")]
    UnknownTier(String),
    #[error("unknown assignment rule {0:?}")]
    UnknownAssignmentRule(String),
    #[error("unknown calendar")]
    UnknownCalendar,
    #[error("nothing selected")]
    NothingSelected,
    #[error("at most {max} at once")]
    TooMany { max: usize },
    /// An `Idempotency-Key` that is not 1–255 printable ASCII characters.
    #[error("{0}")]
    IdempotencyKey(#[from] kefu_domain::idempotency::KeyError),
    /// An `Idempotency-Key` sent again with another request (another body or path) while
    /// the first is remembered.
    #[error("this Idempotency-Key was used for another request")]
    IdempotencyKeyReused,
    /// 版本冲突 — the record moved on from the version the write was made against; nothing
    /// was written. `changed` names the fields changed since that version where the
    /// record's history says (a ticket's events); it is empty where it cannot.
    #[error("the record changed since the version sent (now version {current})")]
    StaleVersion { current: i64, changed: Vec<String> },
    /// A mail posted to a channel's webhook without a valid signature (see
    /// [`crate::channel::email`]); audited, nothing stored.
    #[error("webhook signature refused: {}", .0.key())]
    WebhookRejected(crate::channel::signature::Rejection),
    /// The channel is switched off: its webhook and imports take no mail or calls.
    #[error("this channel is switched off")]
    ChannelInactive,
    /// An SMTP setting that cannot be used (see [`kefu_domain::channel::mail_out`]).
    #[error("{0}")]
    Smtp(#[from] kefu_domain::channel::mail_out::SmtpSettingsError),
    /// A test mail through a channel without an SMTP server (or switched off).
    #[error("this channel has no SMTP server")]
    SmtpNotSet,
    /// An IMAP setting that cannot be used (see [`kefu_domain::channel::imap`]).
    #[error("{0}")]
    Imap(#[from] kefu_domain::channel::imap::ImapSettingsError),
    /// A connection test of a mailbox whose mail is not fetched by IMAP.
    #[error("this channel has no IMAP server")]
    ImapNotSet,
    /// An event a telephone system posted that kefu cannot take (see
    /// [`kefu_domain::channel::phone`]); nothing of it is stored.
    #[error("{0}")]
    FollowUpSettings(#[from] crate::follow_up::SettingsError),
    #[error("{0}")]
    FollowUpPlan(#[from] kefu_domain::follow_up::plan::PlanError),
    #[error("{0}")]
    FollowUpRule(#[from] kefu_domain::follow_up::rule::RuleError),
    #[error("{0}")]
    FollowUpWeek(#[from] kefu_domain::follow_up::week::BadWeek),
    #[error("{0}")]
    Visit(#[from] kefu_domain::follow_up::visit::VisitError),
    #[error("unknown call")]
    UnknownCall,
    /// 满意度调查 — settings, an answer or a follow-up refused.
    #[error("{0}")]
    Csat(#[from] kefu_domain::satisfaction::CsatError),
    /// 关系调查 — a survey plan refused.
    #[error("{0}")]
    SurveyPlan(#[from] kefu_domain::satisfaction::relationship::SurveyPlanError),
    /// 关系调查 — a questionnaire or the answers to it refused.
    #[error("{0}")]
    Questionnaire(#[from] kefu_domain::satisfaction::relationship::QuestionnaireError),
    /// 质检评分表 — a scorecard, or a score on it, refused.
    #[error("{0}")]
    Scorecard(#[from] kefu_domain::quality::ScorecardError),
    /// 质检 — a step of an inspection, or the quality settings, refused.
    #[error("{0}")]
    Inspection(#[from] kefu_domain::quality::InspectionError),
    /// 服务质量异常 — an anomaly, its investigation or its closing refused.
    #[error("{0}")]
    Anomaly(#[from] kefu_domain::quality::anomaly::AnomalyError),
    /// 改善措施 — a measure or one of its steps refused.
    #[error("{0}")]
    Measure(#[from] kefu_domain::quality::measure::MeasureError),
    /// 质检校准 — a calibration asked or scored refused.
    #[error("{0}")]
    Calibration(#[from] kefu_domain::quality::calibration::CalibrationError),
    /// 质量异常讨论会 — a meeting summary or record refused.
    #[error("{0}")]
    Meeting(#[from] kefu_domain::quality::meeting::MeetingError),
    /// 质量异常分析日报表 — a daily report refused (a future date, a day without one).
    #[error("{0}")]
    QualityReport(#[from] kefu_domain::quality::report::ReportError),
    /// 排班 — a roster or a change refused.
    #[error("{0}")]
    Shift(#[from] kefu_domain::staff::shift::ShiftError),
    /// 休假 — an absence refused.
    #[error("{0}")]
    Absence(#[from] kefu_domain::staff::absence::AbsenceError),
    /// 大客户 — an arrangement, report, rating or change refused.
    #[error("{0}")]
    KeyAccount(#[from] kefu_domain::key_account::KeyAccountError),
    /// 满意度报表 — the months asked for are not a report's.
    #[error("{0}")]
    ReportRange(#[from] kefu_domain::satisfaction::report::ReportRangeError),
    /// The survey's invitations went out: its questions can no longer change.
    #[error("the questions are fixed once the survey was sent")]
    QuestionsFixed,
    /// A text message to send with no SMS channel switched on.
    #[error("no SMS channel is switched on")]
    NoSmsChannel,
    #[error("{0}")]
    CallEvent(#[from] kefu_domain::channel::phone::CallEventError),
    #[error("{0}")]
    AreaCode(#[from] kefu_domain::channel::phone::AreaCodeError),
    /// 在线客服 — a chat setting or action refused (see [`kefu_domain::channel::chat`]).
    #[error("{0}")]
    Chat(#[from] kefu_domain::channel::chat::ChatError),
    /// An extension that is not 1–32 plain characters.
    #[error("an extension must be 1–32 letters, digits or *#._-/@:")]
    BadExtension,
    /// An SMS gateway setting that cannot be used (see [`kefu_domain::channel::sms`]).
    #[error("{0}")]
    SmsSettings(#[from] kefu_domain::channel::sms::SmsSettingsError),
    /// An event an SMS gateway posted that kefu cannot take; nothing of it is stored.
    #[error("{0}")]
    SmsEvent(#[from] kefu_domain::channel::sms::SmsEventError),
    /// A delivery report naming a send this gateway never made; nothing is stored.
    #[error("no text was sent with this reference")]
    SmsUnknownSend,
    /// 已退订 — the number asked for no more texts.
    #[error("this number has opted out of text messages")]
    SmsOptedOut,
    /// A number no text message can go to (not a mobile).
    #[error("not a mobile number a text message can go to")]
    SmsBadNumber,
    /// A message a WeChat official account posted that kefu cannot take (a DTD or entity,
    /// not WeChat's XML, an encrypted one; see [`kefu_domain::channel::wechat`]); nothing
    /// of it is stored.
    #[error("{0}")]
    WechatMessage(#[from] kefu_domain::channel::wechat::XmlError),
    /// An official account's setting that cannot be used (AppID, AppSecret, Token, API
    /// address).
    #[error("{0}")]
    WechatSettings(#[from] kefu_domain::channel::wechat::WechatSettingsError),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    /// A store error on writing a name that must be unique: [`AppError::NameTaken`] when the
    /// name is another's, else as any store error.
    pub(crate) fn name_taken(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => AppError::NameTaken,
            e => e.into(),
        }
    }
}
