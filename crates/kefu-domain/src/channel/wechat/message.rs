//! 消息与事件 — what a message WeChat posted is to kefu: who sent it (the follower's
//! OpenID), the key that recognises it when WeChat sends it again (its MsgId; an event's
//! sender, time and name), and what it says in words a ticket can hold — a picture as
//! `[图片] <link>`, a location as `[位置] 名称 (纬度,经度)`.

use super::xml::{XmlError, read_fields};

/// Longest OpenID read (WeChat's are 28 characters).
const OPENID_MAX: usize = 64;

/// Longest MsgId read (WeChat's are 64-bit numbers).
const MSG_ID_MAX: usize = 32;

/// Longest event name read.
const EVENT_MAX: usize = 64;

/// A ticket's subject is the start of the first message, this many characters.
pub const SUBJECT_CHARS: usize = 30;

/// What kefu does with a message or event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundKind {
    /// Something the follower sent (text, a picture, a voice message, a location, a link…):
    /// it lands on a ticket.
    Message,
    /// 关注 — the follower subscribed.
    Subscribe,
    /// 取消关注 — the follower unsubscribed: nothing may be sent to them any more.
    Unsubscribe,
    /// 点击菜单 — the follower clicked a menu item.
    Click,
    /// Any other event (a menu link opened, a location reported…): recorded, nothing more.
    OtherEvent,
}

/// One message or event, as WeChat posted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatMessage {
    /// The account's original id (`gh_…`).
    pub to_user: String,
    /// The follower's OpenID (unique per official account).
    pub from_user: String,
    /// WeChat's time of the message, Unix seconds.
    pub create_time: i64,
    /// `text`, `image`, `voice`, `video`, `shortvideo`, `location`, `link`, `event`…
    pub msg_type: String,
    pub msg_id: Option<String>,
    /// The event's name as WeChat spells it (`subscribe`, `CLICK`).
    pub event: Option<String>,
    /// Every field, for the rest (`Content`, `PicUrl`, `Recognition`, `Label`…).
    pub fields: Vec<(String, String)>,
}

/// Text as a ticket keeps it: line breaks as `\n`, no control characters but tabs and line
/// breaks.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// One line: control characters become spaces, runs of white space one space.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a message WeChat posted in plaintext mode. An encrypted one (it carries
/// `Encrypt`) is refused: kefu reads only plaintext mode.
pub fn parse_message(body: &[u8]) -> Result<WechatMessage, XmlError> {
    let fields = read_fields(body)?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    if get("Encrypt").is_some() {
        return Err(XmlError::Encrypted);
    }
    let from_user = get("FromUserName").ok_or(XmlError::Missing("FromUserName"))?;
    let plain_id = |s: &str, max: usize| {
        s.len() <= max
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    if !plain_id(from_user, OPENID_MAX) {
        return Err(XmlError::Invalid("FromUserName"));
    }
    let to_user = get("ToUserName").ok_or(XmlError::Missing("ToUserName"))?;
    let create_time: i64 = get("CreateTime")
        .ok_or(XmlError::Missing("CreateTime"))?
        .parse()
        .map_err(|_| XmlError::Invalid("CreateTime"))?;
    let msg_type = get("MsgType")
        .ok_or(XmlError::Missing("MsgType"))?
        .to_ascii_lowercase();
    if !plain_id(&msg_type, EVENT_MAX) {
        return Err(XmlError::Invalid("MsgType"));
    }
    let msg_id = match get("MsgId") {
        Some(id) if id.len() <= MSG_ID_MAX && id.chars().all(|c| c.is_ascii_digit()) => {
            Some(id.to_owned())
        }
        Some(_) => return Err(XmlError::Invalid("MsgId")),
        None => None,
    };
    let event = if msg_type == "event" {
        let e = get("Event").ok_or(XmlError::Missing("Event"))?;
        if !plain_id(e, EVENT_MAX) {
            return Err(XmlError::Invalid("Event"));
        }
        Some(e.to_owned())
    } else {
        None
    };
    Ok(WechatMessage {
        to_user: one_line(to_user),
        from_user: from_user.to_owned(),
        create_time,
        msg_type,
        msg_id,
        event,
        fields,
    })
}

impl WechatMessage {
    /// Field `name`, trimmed; `None` when absent or empty.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn kind(&self) -> InboundKind {
        match self.event.as_deref() {
            None => InboundKind::Message,
            Some(e) if e.eq_ignore_ascii_case("subscribe") => InboundKind::Subscribe,
            Some(e) if e.eq_ignore_ascii_case("unsubscribe") => InboundKind::Unsubscribe,
            Some(e) if e.eq_ignore_ascii_case("click") => InboundKind::Click,
            Some(_) => InboundKind::OtherEvent,
        }
    }

    /// What recognises the message when WeChat sends it again (it retries three times
    /// when kefu is slow to answer): its MsgId; for an event, which has none, the sender,
    /// the time and the event.
    pub fn dedup_key(&self) -> String {
        match (&self.event, &self.msg_id) {
            (Some(event), _) => format!("event:{}:{}:{}", self.from_user, self.create_time, event),
            (None, Some(id)) => format!("msg:{id}"),
            (None, None) => format!(
                "msg:{}:{}:{}",
                self.from_user, self.create_time, self.msg_type
            ),
        }
    }

    /// Whether it opens the 48-hour reply window: anything the follower sends, a
    /// subscription and a menu click (WeChat's rule for the customer-service API).
    pub fn opens_window(&self) -> bool {
        matches!(
            self.kind(),
            InboundKind::Message | InboundKind::Subscribe | InboundKind::Click
        )
    }

    /// What the follower said, as a ticket's message: the text itself, or a readable line
    /// for a picture, a voice message, a location, a link. `None` for an event.
    pub fn text(&self) -> Option<String> {
        if self.kind() != InboundKind::Message {
            return None;
        }
        let f = |name: &str| self.field(name).map(clean);
        let labelled = |label: &str, rest: Option<String>| match rest {
            Some(r) if !r.is_empty() => format!("{label} {r}"),
            _ => label.to_owned(),
        };
        let text = match self.msg_type.as_str() {
            "text" => f("Content").unwrap_or_else(|| "（空消息）".to_owned()),
            "image" => labelled("[图片]", f("PicUrl")),
            "voice" => labelled("[语音]", f("Recognition")),
            "video" => labelled("[视频]", f("MediaId").map(|m| format!("MediaId {m}"))),
            "shortvideo" => labelled("[小视频]", f("MediaId").map(|m| format!("MediaId {m}"))),
            "location" => {
                let place = match (f("Location_X"), f("Location_Y")) {
                    (Some(lat), Some(lng)) => Some(format!("({lat},{lng})")),
                    _ => None,
                };
                let label = f("Label").map(|l| one_line(&l));
                let rest = [label, place]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                labelled("[位置]", Some(rest))
            }
            "link" => {
                let rest = [f("Title"), f("Description"), f("Url")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("\n");
                labelled("[链接]", Some(rest))
            }
            other => format!("[{other}]"),
        };
        Some(text)
    }
}

/// A new ticket's subject: the first line of the follower's first message, its first
/// [`SUBJECT_CHARS`] characters (… when cut).
pub fn ticket_subject(text: &str) -> String {
    let line = text
        .lines()
        .map(one_line)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.is_empty() {
        return "微信消息".to_owned();
    }
    let mut subject: String = line.chars().take(SUBJECT_CHARS).collect();
    if line.chars().count() > SUBJECT_CHARS {
        subject.push('…');
    }
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(fields: &[(&str, &str)]) -> Vec<u8> {
        let mut s = String::from("<xml>");
        for (k, v) in fields {
            s.push_str(&format!("<{k}><![CDATA[{v}]]></{k}>"));
        }
        s.push_str("</xml>");
        s.into_bytes()
    }

    fn base(msg_type: &str) -> Vec<(&'static str, String)> {
        vec![
            ("ToUserName", "gh_0123456789ab".to_owned()),
            ("FromUserName", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned()),
            ("CreateTime", "1700000000".to_owned()),
            ("MsgType", msg_type.to_owned()),
        ]
    }

    fn parse_with(msg_type: &str, extra: &[(&'static str, &str)]) -> WechatMessage {
        let mut fields = base(msg_type);
        fields.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        parse_message(&xml(&pairs)).unwrap()
    }

    #[test]
    fn a_text_message_is_read_and_keyed_by_its_msg_id() {
        let m = parse_with(
            "text",
            &[
                ("Content", "  我的订单\r\n还没发货\u{7}  "),
                ("MsgId", "1234567890123456"),
            ],
        );
        assert_eq!(m.from_user, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        assert_eq!(m.to_user, "gh_0123456789ab");
        assert_eq!(m.create_time, 1_700_000_000);
        assert_eq!(m.kind(), InboundKind::Message);
        assert_eq!(m.dedup_key(), "msg:1234567890123456");
        assert_eq!(m.text().as_deref(), Some("我的订单\n还没发货"));
        assert!(m.opens_window());
    }

    #[test]
    fn other_messages_become_readable_lines() {
        let image = parse_with(
            "image",
            &[
                ("PicUrl", "http://mmbiz.qpic.cn/abc"),
                ("MediaId", "m1"),
                ("MsgId", "1"),
            ],
        );
        assert_eq!(
            image.text().as_deref(),
            Some("[图片] http://mmbiz.qpic.cn/abc")
        );
        let voice = parse_with(
            "voice",
            &[
                ("MediaId", "m2"),
                ("Format", "amr"),
                ("Recognition", "我要退货"),
                ("MsgId", "2"),
            ],
        );
        assert_eq!(voice.text().as_deref(), Some("[语音] 我要退货"));
        let mute = parse_with("voice", &[("MediaId", "m3"), ("MsgId", "3")]);
        assert_eq!(mute.text().as_deref(), Some("[语音]"));
        let place = parse_with(
            "location",
            &[
                ("Location_X", "30.274085"),
                ("Location_Y", "120.155070"),
                ("Scale", "15"),
                ("Label", "浙江省杭州市西湖区\n文三路"),
                ("MsgId", "4"),
            ],
        );
        assert_eq!(
            place.text().as_deref(),
            Some("[位置] 浙江省杭州市西湖区 文三路 (30.274085,120.155070)")
        );
        let link = parse_with(
            "link",
            &[
                ("Title", "说明书"),
                ("Description", "第3页"),
                ("Url", "https://example.com/m"),
                ("MsgId", "5"),
            ],
        );
        assert_eq!(
            link.text().as_deref(),
            Some("[链接] 说明书\n第3页\nhttps://example.com/m")
        );
        let odd = parse_with("miniprogrampage", &[("MsgId", "6")]);
        assert_eq!(odd.text().as_deref(), Some("[miniprogrampage]"));
    }

    #[test]
    fn events_are_keyed_by_sender_time_and_event() {
        let sub = parse_with("event", &[("Event", "subscribe")]);
        assert_eq!(sub.kind(), InboundKind::Subscribe);
        assert_eq!(
            sub.dedup_key(),
            "event:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o:1700000000:subscribe"
        );
        assert_eq!(sub.text(), None);
        assert!(sub.opens_window());
        let unsub = parse_with("event", &[("Event", "unsubscribe")]);
        assert_eq!(unsub.kind(), InboundKind::Unsubscribe);
        assert!(!unsub.opens_window());
        let click = parse_with("event", &[("Event", "CLICK"), ("EventKey", "V1001_GOOD")]);
        assert_eq!(click.kind(), InboundKind::Click);
        assert_eq!(click.field("EventKey"), Some("V1001_GOOD"));
        let view = parse_with("event", &[("Event", "VIEW")]);
        assert_eq!(view.kind(), InboundKind::OtherEvent);
        assert!(!view.opens_window());
    }

    #[test]
    fn encrypted_or_incomplete_messages_are_refused() {
        let encrypted = xml(&[("ToUserName", "gh_1"), ("Encrypt", "c2VjcmV0")]);
        assert_eq!(parse_message(&encrypted), Err(XmlError::Encrypted));
        let nobody = xml(&[
            ("ToUserName", "gh_1"),
            ("CreateTime", "1"),
            ("MsgType", "text"),
        ]);
        assert_eq!(
            parse_message(&nobody),
            Err(XmlError::Missing("FromUserName"))
        );
        let forged = xml(&[
            ("ToUserName", "gh_1"),
            ("FromUserName", "o'; DROP"),
            ("CreateTime", "1"),
            ("MsgType", "text"),
        ]);
        assert_eq!(
            parse_message(&forged),
            Err(XmlError::Invalid("FromUserName"))
        );
        let late = xml(&[
            ("ToUserName", "gh_1"),
            ("FromUserName", "o1"),
            ("CreateTime", "yesterday"),
            ("MsgType", "text"),
        ]);
        assert_eq!(parse_message(&late), Err(XmlError::Invalid("CreateTime")));
        let nameless = xml(&[
            ("ToUserName", "gh_1"),
            ("FromUserName", "o1"),
            ("CreateTime", "1"),
            ("MsgType", "event"),
        ]);
        assert_eq!(parse_message(&nameless), Err(XmlError::Missing("Event")));
    }

    #[test]
    fn a_subject_is_the_start_of_the_first_line() {
        assert_eq!(
            ticket_subject("\n  你好，我想退货  \n第二行"),
            "你好，我想退货"
        );
        let long = "这台洗衣机买了不到一个月就不脱水了，请问怎么处理比较好呢？还在保修期内吗";
        let subject = ticket_subject(long);
        assert_eq!(subject.chars().count(), SUBJECT_CHARS + 1);
        assert!(subject.ends_with('…'));
        assert!(long.starts_with(subject.trim_end_matches('…')));
        assert_eq!(ticket_subject("   "), "微信消息");
    }
}
