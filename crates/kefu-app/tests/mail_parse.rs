//! Inbound mail as each client sends it, decoded field by field. The fixtures are written
//! by `tests/fixtures/mail/make.py` (run it there to make them again; the bytes do not
//! change).

use jiff::Timestamp;
use kefu_app::channel::email::{
    Bounce, InboundMail, MailAddress, MailAttachment, MailLimits, ParseError, Sender,
    SkippedAttachment, parse,
};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parsed(name: &str) -> InboundMail {
    parse(&fixture(name), &MailLimits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn addr(name: Option<&str>, address: &str) -> MailAddress {
    MailAddress {
        name: name.map(str::to_owned),
        address: address.to_owned(),
    }
}

fn at(instant: &str) -> Option<Timestamp> {
    Some(instant.parse().unwrap())
}

fn ids(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The same bytes make.py writes: `bytes((i * mul + add) % 256 for i in range(len))`.
fn pattern(prefix: &[u8], len: u32, mul: u32, add: u32) -> Vec<u8> {
    let mut bytes = prefix.to_vec();
    bytes.extend((0..len).map(|i| ((i * mul + add) % 256) as u8));
    bytes
}

fn pdf_invoice() -> Vec<u8> {
    pattern(b"%PDF-1.4\n", 1991, 37, 11)
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xf7, 0x03, 0x41, 0x43, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

fn outlook_text() -> String {
    "您好，\n\n我是王堃，订单 2026112200017 至今未发货，请尽快处理。\n收货人：李镕，电话请看上一封邮件。\n\n王堃"
        .to_owned()
}

fn outlook_quoted() -> Option<String> {
    Some(
        "-----Original Message-----\n\
         发件人: 客服中心 <support@kefu.example.cn>\n\
         发送时间: 2026年11月21日 9:00\n\
         收件人: 王堃 <wangkun@example.com>\n\
         主题: [KF20261122-0001] 我们已收到您的问题\n\
         \n\
         您好，我们已收到您的问题，工单号 KF20261122-0001。"
            .to_owned(),
    )
}

#[test]
fn outlook_zh_cn_gbk_labelled_gb2312() {
    assert_eq!(
        parsed("outlook.eml"),
        InboundMail {
            message_id: "000001db5c1a$8f2e3c40$ad8ab4c0$@example.com".into(),
            in_reply_to: ids(&["kefu.KF20261122-0001.1@kefu.example.cn"]),
            references: ids(&["kefu.KF20261122-0001.1@kefu.example.cn"]),
            from: Some(addr(Some("王堃"), "wangkun@example.com")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(Some("客服中心"), "support@kefu.example.cn")],
            cc: vec![addr(Some("李四"), "lisi@example.com")],
            subject: "回复: [KF20261122-0001] 订单发货延迟，请尽快处理（王堃）".into(),
            date: at("2026-11-22T02:31:05Z"),
            text: outlook_text(),
            quoted: outlook_quoted(),
            attachments: vec![MailAttachment {
                file_name: "发票-2026年11月.pdf".into(),
                declared_type: "application/pdf".into(),
                content_id: None,
                inline: false,
                bytes: pdf_invoice(),
            }],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
}

#[test]
fn foxmail_gbk_quoted_printable() {
    assert_eq!(
        parsed("foxmail.eml"),
        InboundMail {
            message_id: "202611221102474218853@foxmail.com".into(),
            in_reply_to: ids(&["kefu.KF20261121-0042.2@kefu.example.cn"]),
            references: ids(&[
                "kefu.KF20261121-0042.1@kefu.example.cn",
                "kefu.KF20261121-0042.2@kefu.example.cn",
            ]),
            from: Some(addr(Some("赵六"), "zhaoliu@foxmail.com")),
            reply_to: Some(addr(Some("赵六"), "zhaoliu.work@example.com")),
            return_path_empty: false,
            to: vec![addr(Some("客服中心"), "support@kefu.example.cn")],
            cc: vec![],
            subject: "回复：退货申请 电饭煲内胆有划痕".into(),
            date: at("2026-11-22T03:02:47Z"),
            text: "你好：\n\n我上周买的电饭煲（订单号 2026111500088）内胆有划痕，申请退货。照片已按要求拍好，今天下午寄出，快递单号 SF1234567890123。\n\n谢谢！\n赵六"
                .into(),
            quoted: Some(
                "在 2026-11-22 10:31:05，\"张三\" <zhangsan@example.com> 写道：\n\
                 >您好，请提供订单号和内胆照片，我们会尽快为您办理退货。\n\
                 >\n\
                 >客服 张三"
                    .into()
            ),
            attachments: vec![],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
}

#[test]
fn qq_mail_html_only_gb18030_with_rfc2231_names_and_an_inline_image() {
    assert_eq!(
        parsed("qq.eml"),
        InboundMail {
            message_id: "tencent_5F2A9C3E1B7D4A6C8E0F2B4D6A8C0E2F4A06@qq.com".into(),
            in_reply_to: ids(&["kefu.KF20261121-0042.3@kefu.example.cn"]),
            references: ids(&["kefu.KF20261121-0042.3@kefu.example.cn"]),
            from: Some(addr(Some("孙七"), "sunqi@qq.com")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(Some("客服中心"), "support@kefu.example.cn")],
            cc: vec![],
            subject: "回复：[KF20261121-0042] 关于您的投诉".into(),
            date: at("2026-11-22T06:05:33Z"),
            text: "您好，\n\n质检报告和发货单见附件，内胆划痕照片如下：\n仓库的𠮷先生说请在 3 个工作日内回复。\n\n孙七"
                .into(),
            quoted: Some(
                "------------------ 原始邮件 ------------------\n\
                 发件人: \"客服中心\"<support@kefu.example.cn>;\n\
                 发送时间: 2026年11月21日(星期六) 上午9:00\n\
                 收件人: \"孙七\"<sunqi@qq.com>;\n\
                 主题: [KF20261121-0042] 关于您的投诉\n\
                 \n\
                 您好，请提供质检报告。"
                    .into()
            ),
            attachments: vec![
                MailAttachment {
                    file_name: "image001.png".into(),
                    declared_type: "image/png".into(),
                    content_id: Some("E1B2C3D4@qq.com".into()),
                    inline: true,
                    bytes: PNG.to_vec(),
                },
                MailAttachment {
                    file_name: "质检报告（第2版）.docx".into(),
                    declared_type: "application/octet-stream".into(),
                    content_id: None,
                    inline: false,
                    bytes: pattern(b"PK\x03\x04", 600, 13, 5),
                },
                MailAttachment {
                    file_name: "发货单明细.csv".into(),
                    declared_type: "text/csv".into(),
                    content_id: None,
                    inline: false,
                    // The file as sent, in GB18030, not re-encoded.
                    bytes: encoding_rs::GB18030
                        .encode("订单号,商品,数量\r\n2026111500088,电饭煲,1\r\n")
                        .0
                        .into_owned(),
                },
            ],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
}

#[test]
fn netease_163_mixed_charset_subject_and_raw_gbk_file_name() {
    assert_eq!(
        parsed("netease163.eml"),
        InboundMail {
            message_id: "5b2c8f1e.1a2b.19a3c4d5e6f.Coremail.zhouba@163.com".into(),
            in_reply_to: vec![],
            references: vec![],
            from: Some(addr(Some("周八"), "zhouba@163.com")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(None, "support@kefu.example.cn")],
            cc: vec![],
            subject: "关于订单 2026111800123 的发票问题".into(),
            date: at("2026-11-22T07:20:11Z"),
            text: "您好：\n\n订单 2026111800123 的发票抬头开错了，应为“杭州某某科技有限公司”，税号 91330106MA2H3K5X0K。请重新开具并寄出，附件是盖章的诚信承诺书。\n\n谢谢\n周八"
                .into(),
            quoted: Some(
                "在 2026年11月22日 09:15，\"客服中心\" <support@kefu.example.cn> 写道：\n\
                 > 您好，发票已于昨日寄出，单号 YT8888888888888。"
                    .into()
            ),
            attachments: vec![MailAttachment {
                file_name: "誠信承诺书.pdf".into(),
                declared_type: "application/pdf".into(),
                content_id: None,
                inline: false,
                bytes: pattern(b"%PDF-1.7\n", 300, 11, 7),
            }],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
}

#[test]
fn big5_traditional_chinese() {
    assert_eq!(
        parsed("big5.eml"),
        InboundMail {
            message_id: "20261123090000.1234@example.com.tw".into(),
            in_reply_to: vec![],
            references: vec![],
            from: Some(addr(Some("陳大文"), "chen.dawen@example.com.tw")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(None, "support@kefu.example.cn")],
            cc: vec![],
            subject: "退貨申請：商品瑕疵".into(),
            date: at("2026-11-23T01:00:00Z"),
            text: "您好：\n\n我在貴公司購買的商品有瑕疵，請協助退貨。功能鍵無法使用。\n\n陳大文"
                .into(),
            quoted: Some(
                "On Sun, Nov 22, 2026 at 10:31 AM 客服中心 <support@kefu.example.cn>\n\
                 wrote:\n\
                 > 您好，請提供訂單編號。"
                    .into()
            ),
            attachments: vec![],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
}

#[test]
fn unknown_charsets_and_raw_gbk_headers_fall_back_to_gb18030() {
    let mail = parsed("unknown_charset.eml");
    assert!(!format!("{mail:?}").contains('\u{FFFD}'));
    assert_eq!(
        mail,
        InboundMail {
            message_id: "legacy-20261123100000@example.com".into(),
            in_reply_to: vec![],
            references: vec![],
            from: Some(addr(Some("吴九"), "wujiu@example.com")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(None, "support@kefu.example.cn")],
            cc: vec![],
            subject: "咨询发票开具进度".into(),
            date: at("2026-11-23T02:00:00Z"),
            text: "请问上周申请的发票什么时候开好？\n吴九".into(),
            quoted: None,
            attachments: vec![],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
}

/// The bytes of a DSN part as the mail has them: from after the part's headers to the line
/// break before the next boundary.
fn dsn_part(raw: &[u8], headers_end: &str) -> Vec<u8> {
    let find = |needle: &[u8], from: usize| {
        raw[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
            .unwrap()
    };
    let start = find(headers_end.as_bytes(), 0) + headers_end.len();
    let end = find(
        &b"\r\n--7F3A21C0045.1763778672/mx.kefu.example.cn"[..],
        start,
    );
    raw[start..end].to_vec()
}

#[test]
fn dsn_bounce_from_mailer_daemon() {
    let raw = fixture("dsn.eml");
    let status = dsn_part(&raw, "Content-Type: message/delivery-status\r\n\r\n");
    let original = dsn_part(&raw, "Content-Type: message/rfc822\r\n\r\n");
    assert!(original.starts_with(b"Return-Path: <support@kefu.example.cn>\r\n"));
    assert!(status.ends_with(b"local recipient table\r\n"));
    assert_eq!(
        parse(&raw, &MailLimits::default()).unwrap(),
        InboundMail {
            message_id: "20261122023112.8A1B2C3D4E5@mx.kefu.example.cn".into(),
            in_reply_to: vec![],
            references: vec![],
            from: Some(addr(
                Some("Mail Delivery System"),
                "mailer-daemon@mx.kefu.example.cn"
            )),
            reply_to: None,
            return_path_empty: true,
            to: vec![addr(None, "support@kefu.example.cn")],
            cc: vec![],
            subject: "Undelivered Mail Returned to Sender".into(),
            date: at("2026-11-22T02:31:12Z"),
            text: "This is the mail system at host mx.kefu.example.cn.\n\
                   \n\
                   I'm sorry to have to inform you that your message could not\n\
                   be delivered to one or more recipients. It's attached below.\n\
                   \n\
                   For further assistance, please send mail to postmaster.\n\
                   \n\
                   If you do so, please include this problem report. You can\n\
                   delete your own text from the attached returned message.\n\
                   \n\
                   \x20                  The mail system\n\
                   \n\
                   <wangwu@example.net>: host mx.example.net[203.0.113.25] said: 550 5.1.1\n\
                   \x20   <wangwu@example.net>: Recipient address rejected: User unknown in local\n\
                   \x20   recipient table (in reply to RCPT TO command)"
                .into(),
            quoted: None,
            attachments: vec![
                MailAttachment {
                    file_name: "附件-1.txt".into(),
                    declared_type: "message/delivery-status".into(),
                    content_id: None,
                    inline: false,
                    bytes: status,
                },
                MailAttachment {
                    file_name: "附件-2.eml".into(),
                    declared_type: "message/rfc822".into(),
                    content_id: None,
                    inline: false,
                    bytes: original,
                },
            ],
            skipped_attachments: vec![],
            sender: Sender::Bounce,
            bounce: Some(Bounce {
                original_message_id: Some("kefu.KF20261122-0001.3@kefu.example.cn".into()),
                recipient: Some("wangwu@example.net".into()),
                status: Some("5.1.1".into()),
                diagnostic: Some(
                    "550 5.1.1 <wangwu@example.net>: Recipient address rejected: User unknown in local recipient table"
                        .into()
                ),
            }),
        }
    );
}

#[test]
fn outlook_auto_reply() {
    assert_eq!(
        parsed("autoreply.eml"),
        InboundMail {
            message_id: "TYZPR06MB1234567890ABCDEF@TYZPR06MB1234.apcprd06.prod.outlook.com".into(),
            in_reply_to: ids(&["kefu.KF20261122-0001.1@kefu.example.cn"]),
            references: ids(&["kefu.KF20261122-0001.1@kefu.example.cn"]),
            from: Some(addr(Some("李明"), "liming@example.com")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(Some("客服中心"), "support@kefu.example.cn")],
            cc: vec![],
            subject: "自动回复: [KF20261122-0001] 我们已收到您的问题".into(),
            date: at("2026-11-22T02:32:00Z"),
            text: "我目前正在休假，11月30日返回。紧急事务请联系周八 zhouba@example.com。".into(),
            quoted: None,
            attachments: vec![],
            skipped_attachments: vec![],
            sender: Sender::AutoReply,
            bounce: None,
        }
    );
}

#[test]
fn mailing_list_with_raw_utf8_headers() {
    assert_eq!(
        parsed("list.eml"),
        InboundMail {
            message_id: "weekly-2026-47@lists.example.com".into(),
            in_reply_to: vec![],
            references: vec![],
            from: Some(addr(
                Some("Example 电商周刊"),
                "newsletter@lists.example.com"
            )),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(None, "support@kefu.example.cn")],
            cc: vec![],
            subject: "本周促销：满 300 减 50".into(),
            date: at("2026-11-23T08:00:00Z"),
            text: "本周促销：全场满 300 减 50。\n退订请点击邮件底部链接。".into(),
            quoted: None,
            attachments: vec![],
            skipped_attachments: vec![],
            sender: Sender::Bulk,
            bounce: None,
        }
    );
}

#[test]
fn a_mail_without_message_id_gets_a_stable_digest() {
    let raw = fixture("no_message_id.eml");
    let first = parse(&raw, &MailLimits::default()).unwrap();
    let second = parse(&raw, &MailLimits::default()).unwrap();
    assert_eq!(first, second);
    assert_eq!(
        first,
        InboundMail {
            message_id: format!("sha256:{}", hex::encode(Sha256::digest(&raw))),
            in_reply_to: vec![],
            references: vec![],
            from: Some(addr(Some("Zheng Shi"), "zhengshi@example.org")),
            reply_to: None,
            return_path_empty: false,
            to: vec![addr(None, "support@kefu.example.cn")],
            cc: vec![],
            subject: "Where is my refund?".into(),
            date: at("2026-11-24T21:45:00Z"),
            text: "Hello,\n\nI returned the rice cooker two weeks ago and have not been refunded yet.\n\nZheng Shi"
                .into(),
            quoted: None,
            attachments: vec![],
            skipped_attachments: vec![],
            sender: Sender::Human,
            bounce: None,
        }
    );
    // Another byte, another digest.
    let mut changed = raw.clone();
    changed.extend_from_slice(b"\r\n");
    assert_ne!(
        parse(&changed, &MailLimits::default()).unwrap().message_id,
        first.message_id
    );
}

#[test]
fn the_documented_limits() {
    assert_eq!(
        MailLimits::default(),
        MailLimits {
            max_mail_bytes: 25 * 1024 * 1024,
            max_part_bytes: 10 * 1024 * 1024,
            max_parts: 100,
            max_depth: 10,
        }
    );
}

#[test]
fn too_large_is_refused_before_parsing() {
    let raw = fixture("outlook.eml");
    let limits = MailLimits {
        max_mail_bytes: 1000,
        ..MailLimits::default()
    };
    assert_eq!(
        parse(&raw, &limits),
        Err(ParseError::TooLarge {
            size: raw.len(),
            limit: 1000
        })
    );
}

#[test]
fn an_attachment_over_the_part_limit_is_left_out_and_the_mail_lands() {
    let limits = MailLimits {
        max_part_bytes: 1000,
        ..MailLimits::default()
    };
    let mail = parse(&fixture("outlook.eml"), &limits).unwrap();
    assert_eq!(mail.text, outlook_text());
    assert_eq!(mail.quoted, outlook_quoted());
    assert!(mail.attachments.is_empty());
    assert_eq!(
        mail.skipped_attachments,
        vec![SkippedAttachment {
            file_name: "发票-2026年11月.pdf".into(),
            declared_type: "application/pdf".into(),
            size: 2000,
        }]
    );
}

#[test]
fn a_hundred_nested_multiparts_are_too_complex() {
    let raw = fixture("deep.eml");
    assert_eq!(
        parse(&raw, &MailLimits::default()),
        Err(ParseError::TooComplex)
    );
    // Refused for the limit, not for the parser: with room for it the mail reads.
    let roomy = MailLimits {
        max_parts: 1000,
        max_depth: 200,
        ..MailLimits::default()
    };
    assert_eq!(parse(&raw, &roomy).unwrap().text, "deep");
}

#[test]
fn too_many_parts_are_too_complex() {
    let limits = MailLimits {
        max_parts: 3,
        ..MailLimits::default()
    };
    assert_eq!(
        parse(&fixture("qq.eml"), &limits),
        Err(ParseError::TooComplex)
    );
}

#[test]
fn garbage_is_malformed_and_nothing_panics() {
    let garbage = fixture("garbage.eml");
    assert!(matches!(
        parse(&garbage, &MailLimits::default()),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(
        parse(b"", &MailLimits::default()),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(
        parse(
            b"X-Only: a header nobody needs\r\n\r\nbody",
            &MailLimits::default()
        ),
        Err(ParseError::Malformed(_))
    ));
    // A header on top of garbage: a mail, read as well as it can be.
    let mut headed = b"Subject: x\r\n\r\n".to_vec();
    headed.extend_from_slice(&garbage);
    let mail = parse(&headed, &MailLimits::default()).unwrap();
    assert_eq!(mail.subject, "x");
    assert_eq!(mail.sender, Sender::Human);
    // Every client's mail cut anywhere: an answer, never a panic.
    for name in [
        "outlook.eml",
        "foxmail.eml",
        "qq.eml",
        "netease163.eml",
        "dsn.eml",
    ] {
        let raw = fixture(name);
        for cut in (0..raw.len()).step_by(61) {
            let _ = parse(&raw[..cut], &MailLimits::default());
        }
    }
}
