//! Fault reports, after-sales requests and complaints (故障报修、售后、投诉) as customers
//! and the systems they write through word them.

use super::*;

/// What every piece of a fault report needs to know.
pub(super) struct Report<'a> {
    ticket_type: TicketType,
    channel: Channel,
    voice: Voice,
    topic: &'a Topic,
    problem: &'static Problem,
    order: &'a str,
    mention_order: bool,
}

/// A subject for a fault report.
pub(super) fn fault_subjects(r: &Report<'_>) -> &'static [&'static str] {
    let phone = r.channel == Channel::Phone;
    match (r.voice, r.ticket_type, r.problem.device) {
        (Voice::Summary, TicketType::Complaint, _) => &[
            "客户投诉{产品}{问题}",
            "投诉：{产品}{问题}",
            "客户投诉：{品名}{问题}",
        ],
        (Voice::Summary, _, _) if phone => &[
            "客户反映{产品}{问题}",
            "{产品}{问题}（来电）",
            "来电：{产品}{问题}",
        ],
        (Voice::Summary, _, _) => &[
            "客户反映{产品}{问题}",
            "{产品}{问题}（网点代录）",
            "走访记录：{产品}{问题}",
        ],
        (_, TicketType::Complaint, true) => &[
            "投诉：{产品}{问题}",
            "{产品}{问题}，已报修两次",
            "{产品}{问题}一直没解决",
            "{产品}修了又坏，要求退货",
            "{产品}{问题}，售后太慢",
            "{型号}{问题}，要求换新机",
        ],
        (_, TicketType::Complaint, false) => &[
            "投诉：{产品}{问题}",
            "对{产品}售后处理不满意",
            "投诉{问题}",
            "{问题}，要求给说法",
            "{产品}{问题}，要求处理",
        ],
        (_, TicketType::AfterSales, true) => &[
            "{产品}{问题}，申请保修",
            "{产品}{问题}，能换货吗",
            "{产品}{问题}，想退货",
            "售后申请：{产品}{问题}",
            "{型号}{问题}，申请售后",
            "{产品}{问题}，要求更换{部件}",
            "{产品}{问题}，保修怎么处理",
        ],
        (_, _, true) => &[
            "{产品}{问题}，麻烦派人看看",
            "报修：{产品}{问题}",
            "{型号}{问题}",
            "{产品}{问题}怎么办",
            "{产品}{问题}，请尽快安排维修",
            "{品名}{问题}",
            "【报修】{产品}{问题}",
            "{产品}突然{问题}",
            "{产品}{问题}，急",
            "{产品}{问题}了",
        ],
        (_, _, false) => &[
            "{产品}{问题}",
            "关于{产品}{问题}",
            "反映：{产品}{问题}",
            "{品名}{问题}，请处理",
            "{产品}{问题}，请核实",
        ],
    }
}

pub(super) fn fault_opening(
    rng: &mut Rng,
    ticket_type: TicketType,
    channel: Channel,
    topic: &Topic,
    order: &str,
) -> Opening {
    let p_order = match ticket_type {
        TicketType::AfterSales => 0.6,
        TicketType::Complaint => 0.5,
        _ => 0.2,
    };
    let r = Report {
        ticket_type,
        channel,
        voice: Voice::of(channel),
        topic,
        problem: problem_named(topic.problem),
        order,
        mention_order: chance(rng, p_order),
    };
    let (source, source_short) = *pick(rng, API_SOURCES);
    let (body, said) = match r.voice {
        Voice::Summary => fault_summary(rng, &r),
        Voice::Structured => (fault_structured(rng, &r, source), Said::default()),
        _ => fault_message(rng, &r),
    };
    let mut subject =
        if ticket_type == TicketType::AfterSales && r.mention_order && chance(rng, 0.25) {
            fill("订单{订单}售后：{产品}{问题}", topic, order)
        } else {
            fill(pick_str(rng, fault_subjects(&r)), topic, order)
        };
    if r.voice == Voice::Structured && chance(rng, 0.5) {
        subject = format!("【{source_short}】{subject}");
    }
    let mut tags = vec![topic.product.short, problem_tag(topic.problem)];
    match (said.warranty, said.history) {
        (Some(true), _) => tags.push("保修期内"),
        (Some(false), _) => tags.push("保修期外"),
        (None, true) => tags.push("重复报修"),
        (None, false) if topic.product.commercial && chance(rng, 0.4) => tags.push("商用设备"),
        _ => {}
    }
    Opening {
        subject,
        body,
        tags,
    }
}

/// What a message ended up saying, for the tags.
#[derive(Default)]
pub(super) struct Said {
    /// `Some(true)`: said to be in warranty.
    warranty: Option<bool>,
    /// Said it was reported before.
    history: bool,
}

impl Said {
    /// What `sentences` say, given the lists the history and warranty sentences came from.
    fn of(
        sentences: &[String],
        history: &[&str],
        in_warranty: &[&str],
        out_of_warranty: &[&str],
    ) -> Said {
        Said {
            warranty: if mentions(sentences, in_warranty) {
                Some(true)
            } else if mentions(sentences, out_of_warranty) {
                Some(false)
            } else {
                None
            },
            history: mentions(sentences, history),
        }
    }
}

/// Whether any of `sentences` is one of `list`.
pub(super) fn mentions(sentences: &[String], list: &[&str]) -> bool {
    sentences.iter().any(|s| list.contains(&s.as_str()))
}

/// What it costs this customer.
pub(super) fn impact(rng: &mut Rng, product: &Product) -> &'static str {
    if product.commercial {
        if chance(rng, 0.75) {
            pick_str(rng, IMPACTS_SHOP)
        } else {
            pick_str(rng, IMPACTS_ANY)
        }
    } else if chance(rng, 0.6) {
        pick_str(rng, impacts_home(product.line))
    } else {
        pick_str(rng, IMPACTS_ANY)
    }
}

/// A fault report in the customer's own words (web form, portal, chat, WeChat, SMS, e-mail).
pub(super) fn fault_message(rng: &mut Rng, r: &Report<'_>) -> (String, Said) {
    let t = r.topic;
    let (machine, age) = machine_phrase(rng, t, r.voice);
    let event = event_sentence(rng, t, r.problem, &machine);
    let mut extras: Vec<String> = Vec::new();
    if r.ticket_type == TicketType::Complaint && chance(rng, 0.75) {
        extras.push((pick_str(rng, HISTORY)).to_owned());
    }
    if r.mention_order {
        extras.push(fill(pick_str(rng, ORDER_MENTIONS), t, r.order));
    }
    if let Some(in_warranty) = warranty(rng, age) {
        let list = if in_warranty {
            WARRANTY_IN
        } else {
            WARRANTY_OUT
        };
        extras.push((pick_str(rng, list)).to_owned());
    }
    if r.problem.device {
        if chance(rng, 0.35) {
            extras.push(fill(pick_str(rng, SUSPECTS), t, r.order));
        }
        if chance(rng, 0.45) {
            extras.push((pick_str(rng, TRIED)).to_owned());
        }
    }
    if chance(rng, 0.4) {
        extras.push(impact(rng, t.product).to_owned());
    }
    let extras = keep_at_most(rng, extras, if r.voice == Voice::Casual { 1 } else { 3 });
    let said = Said::of(&extras, HISTORY, WARRANTY_IN, WARRANTY_OUT);

    let pool = match r.voice {
        Voice::Casual => requests_casual(r.ticket_type),
        Voice::Formal => requests_formal(r.ticket_type),
        _ => requests(r.ticket_type),
    };
    let mut ask = fill(pick_str(rng, pool), t, r.order);
    if r.voice != Voice::Casual && chance(rng, 0.25) {
        ask.push_str(pick_str(
            rng,
            if t.product.commercial {
                CONTACT_SHOP
            } else {
                CONTACT_HOME
            },
        ));
    }
    if r.voice == Voice::Plain && chance(rng, 0.45) {
        ask.push_str(pick_str(rng, CLOSINGS));
    }
    let story = format!("{event}{}", extras.concat());
    (dress(rng, r.voice, r.channel, &[story, ask]), said)
}

pub(super) const HISTORY_REPORTED: &[&str] = &[
    "客户称此前已报修两次，问题未解决。",
    "客户表示上次维修后不到一周故障复现。",
    "客户多次致电未得到答复，情绪较激动。",
    "客户称网点承诺的上门时间已过，无人联系。",
];
pub(super) const TRIED_REPORTED: &[&str] = &[
    "客户已自行断电重启，故障依旧。",
    "客户已按说明书排查，未能解决。",
    "已电话指导客户检查电源，确认供电正常。",
    "客户表示未自行拆机。",
    "已指导客户复位，无效。",
];
pub(super) const IMPACT_REPORTED_HOME: &[&str] = &[
    "客户称家中有老人小孩，急需使用。",
    "客户表示影响正常生活。",
    "客户希望周末前处理好。",
];
pub(super) const IMPACT_REPORTED_SHOP: &[&str] = &[
    "客户表示影响门店营业，希望加急处理。",
    "客户称设备停用造成一定经济损失。",
];
pub(super) const WARRANTY_IN_REPORTED: &[&str] =
    &["经查询该机在保修期内。", "客户出示了发票，在保修期内。"];
pub(super) const WARRANTY_OUT_REPORTED: &[&str] = &[
    "经查询该机已过保修期，已告知客户可能产生维修费用。",
    "该机已过保，客户希望给予优惠。",
];
pub(super) const ORDER_REPORTED: &[&str] = &[
    "客户提供订单号{订单}。",
    "购买订单号：{订单}。",
    "订单号{订单}。",
];

/// A fault report as the agent wrote down a call or a visit.
pub(super) fn fault_summary(rng: &mut Rng, r: &Report<'_>) -> (String, Said) {
    let t = r.topic;
    let lead = summary_lead(rng, r.channel);
    let wording = fill(pick_str(rng, r.problem.wordings), t, r.order);
    let (first, age) = if r.problem.device {
        let owner = if t.product.commercial {
            pick_str(rng, &["店内", "其门店", "其单位"])
        } else {
            pick_str(rng, &["家中", "其家中", "家里"])
        };
        let (bought, age) = *pick(rng, BOUGHT_REPORTED);
        let when = pick(rng, WHEN);
        match rng.usize(..3) {
            0 => (
                format!(
                    "{lead}{owner}{bought}{}{}，具体表现为：{wording}。",
                    t.product.name, t.problem
                ),
                age,
            ),
            1 => (
                format!(
                    "{lead}{owner}{bought}{}{when}出现{}的情况，{wording}。",
                    t.product.short, t.problem
                ),
                age,
            ),
            _ => (
                format!(
                    "{lead}{owner}的{}（{}）{when}，{wording}。",
                    t.product.short, t.product.model
                ),
                Age::Unknown,
            ),
        }
    } else {
        (
            format!("{lead}：{wording}。涉及产品：{}。", t.product.name),
            Age::Unknown,
        )
    };
    let mut extras: Vec<String> = Vec::new();
    if r.ticket_type == TicketType::Complaint && chance(rng, 0.8) {
        extras.push((pick_str(rng, HISTORY_REPORTED)).to_owned());
    }
    if r.mention_order {
        extras.push(fill(pick_str(rng, ORDER_REPORTED), t, r.order));
    }
    if let Some(in_warranty) = warranty(rng, age) {
        let list = if in_warranty {
            WARRANTY_IN_REPORTED
        } else {
            WARRANTY_OUT_REPORTED
        };
        extras.push((pick_str(rng, list)).to_owned());
    }
    if r.problem.device && chance(rng, 0.4) {
        extras.push((pick_str(rng, TRIED_REPORTED)).to_owned());
    }
    if chance(rng, 0.3) {
        let list = if t.product.commercial {
            IMPACT_REPORTED_SHOP
        } else {
            IMPACT_REPORTED_HOME
        };
        extras.push((pick_str(rng, list)).to_owned());
    }
    let extras = keep_at_most(rng, extras, 3);
    let said = Said::of(
        &extras,
        HISTORY_REPORTED,
        WARRANTY_IN_REPORTED,
        WARRANTY_OUT_REPORTED,
    );
    let mut body = format!("{first}{}", extras.concat());
    body.push_str(&fill(
        pick_str(rng, requests_reported(r.ticket_type)),
        t,
        r.order,
    ));
    if chance(rng, 0.35) {
        body.push_str(summary_tail(rng, r.channel));
    }
    (body, said)
}

/// A fault report as another system sends it: labelled fields.
pub(super) fn fault_structured(rng: &mut Rng, r: &Report<'_>, source: &str) -> String {
    let t = r.topic;
    let wording = fill(pick_str(rng, r.problem.wordings), t, r.order);
    let description = if r.problem.device {
        format!("{}，{wording}。", pick(rng, WHEN))
    } else {
        format!("{wording}。")
    };
    let want = fill(
        pick_str(rng, requests_structured(r.ticket_type)),
        t,
        r.order,
    );
    let mut s = format!(
        "来源：{source}\n产品：{}\n型号：{}\n相关部件：{}（{}）\n问题描述：{description}\n客户诉求：{want}",
        t.product.name, t.product.model, t.part.name, t.part.code
    );
    if r.mention_order {
        s.push_str("\n订单号：");
        s.push_str(r.order);
    }
    s
}
