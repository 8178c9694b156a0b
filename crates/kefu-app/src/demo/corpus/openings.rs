//! The customer's first message, worded per ticket type and channel.

use fastrand::Rng;
use kefu_domain::ticket::{BODY_MAX, Channel, SUBJECT_MAX, TicketType};

use super::catalogue::Line;
use super::fragments::{
    API_SOURCES, Age, BOUGHT_REPORTED, CLOSINGS, CONTACT_HOME, CONTACT_SHOP, HISTORY, IMPACTS_ANY,
    IMPACTS_SHOP, ORDER_MENTIONS, SUSPECTS, TRIED, Voice, WARRANTY_IN, WARRANTY_OUT, WHEN, dress,
    event_sentence, impacts_home, machine_phrase, requests, requests_casual, requests_formal,
    requests_reported, requests_structured, summary_lead, summary_tail, warranty,
};
use super::helpers::{
    chance, clip, fill, fill_with, keep_at_most, pick, pick_str, pick_two, topic_hash,
};
use super::problems::{Problem, problem_named};
use super::{Product, Topic};

/// The customer's first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub subject: String,
    pub body: String,
    /// 1–3 short Chinese tags, e.g. "空调", "不制冷", "保修期内".
    pub tags: Vec<&'static str>,
}

/// The customer's first message about `topic`, worded for the ticket type and the channel.
/// `order_number` ("PO-2026-00817") is mentioned in some bodies: most order issues, many
/// after-sales requests and complaints, a few others.
pub fn opening(
    rng: &mut Rng,
    ticket_type: TicketType,
    channel: Channel,
    topic: &Topic,
    order_number: &str,
) -> Opening {
    let order = match order_number.trim() {
        "" => "（未提供）",
        o => o,
    };
    let mut o = match ticket_type {
        TicketType::Inquiry => inquiry_opening(rng, channel, topic, order),
        TicketType::Suggestion => suggestion_opening(rng, channel, topic),
        TicketType::OrderIssue => order_opening(rng, channel, topic, order),
        TicketType::Complaint | TicketType::AfterSales | TicketType::FaultReport => {
            fault_opening(rng, ticket_type, channel, topic, order)
        }
    };
    o.subject = clip(o.subject.trim().to_owned(), SUBJECT_MAX);
    if o.subject.is_empty() {
        o.subject = format!("{}{}", topic.product.short, topic.problem);
    }
    o.body = clip(o.body.trim().to_owned(), BODY_MAX);
    if o.body.is_empty() {
        o.body = fill("{品名}{问题}，请处理。", topic, order);
    }
    o
}

/// A problem's name as a tag: tags are stored lower-cased, so names with Latin capitals
/// ("显示E4故障代码", "APP连不上") give a broader tag instead.
fn problem_tag(problem: &'static str) -> &'static str {
    if !problem.bytes().any(|b| b.is_ascii_uppercase()) {
        problem
    } else if problem.starts_with("显示") {
        "故障代码"
    } else {
        "联网故障"
    }
}

// --- Fault reports, after-sales requests and complaints ---------------------------------------

/// What every piece of a fault report needs to know.
struct Report<'a> {
    ticket_type: TicketType,
    channel: Channel,
    voice: Voice,
    topic: &'a Topic,
    problem: &'static Problem,
    order: &'a str,
    mention_order: bool,
}

/// A subject for a fault report.
fn fault_subjects(r: &Report<'_>) -> &'static [&'static str] {
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

fn fault_opening(
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
struct Said {
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
fn mentions(sentences: &[String], list: &[&str]) -> bool {
    sentences.iter().any(|s| list.contains(&s.as_str()))
}

/// What it costs this customer.
fn impact(rng: &mut Rng, product: &Product) -> &'static str {
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
fn fault_message(rng: &mut Rng, r: &Report<'_>) -> (String, Said) {
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

const HISTORY_REPORTED: &[&str] = &[
    "客户称此前已报修两次，问题未解决。",
    "客户表示上次维修后不到一周故障复现。",
    "客户多次致电未得到答复，情绪较激动。",
    "客户称网点承诺的上门时间已过，无人联系。",
];
const TRIED_REPORTED: &[&str] = &[
    "客户已自行断电重启，故障依旧。",
    "客户已按说明书排查，未能解决。",
    "已电话指导客户检查电源，确认供电正常。",
    "客户表示未自行拆机。",
    "已指导客户复位，无效。",
];
const IMPACT_REPORTED_HOME: &[&str] = &[
    "客户称家中有老人小孩，急需使用。",
    "客户表示影响正常生活。",
    "客户希望周末前处理好。",
];
const IMPACT_REPORTED_SHOP: &[&str] = &[
    "客户表示影响门店营业，希望加急处理。",
    "客户称设备停用造成一定经济损失。",
];
const WARRANTY_IN_REPORTED: &[&str] = &["经查询该机在保修期内。", "客户出示了发票，在保修期内。"];
const WARRANTY_OUT_REPORTED: &[&str] = &[
    "经查询该机已过保修期，已告知客户可能产生维修费用。",
    "该机已过保，客户希望给予优惠。",
];
const ORDER_REPORTED: &[&str] = &[
    "客户提供订单号{订单}。",
    "购买订单号：{订单}。",
    "订单号{订单}。",
];

/// A fault report as the agent wrote down a call or a visit.
fn fault_summary(rng: &mut Rng, r: &Report<'_>) -> (String, Said) {
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
fn fault_structured(rng: &mut Rng, r: &Report<'_>, source: &str) -> String {
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

// --- Inquiries (咨询) ---------------------------------------------------------------------------

/// A kind of question customers ask, with the department's answers to it.
pub(super) struct Ask {
    tag: &'static str,
    /// Asked before buying (price, installation) rather than by an owner.
    before_buying: bool,
    subjects: &'static [&'static str],
    questions: &'static [&'static str],
    /// What a call was about: "客户来电咨询{what}".
    what: &'static str,
    pub(super) answers: &'static [&'static str],
}

const ASKS: &[Ask] = &[
    Ask {
        tag: "价格咨询",
        before_buying: true,
        subjects: &[
            "咨询{产品}价格",
            "{型号}现在什么价？",
            "想买{产品}，问下价格",
            "{品名}有优惠吗",
            "{产品}以旧换新怎么算",
            "批量采购{产品}询价",
        ],
        questions: &[
            "{品名}现在卖多少钱，有没有活动",
            "{型号}和上一代的价格差多少",
            "如果一次买五台以上，价格能优惠多少",
            "以旧换新的话旧机能抵多少钱",
            "官网价和门店价为什么不一样",
            "企业采购能不能开专票，含税价是多少",
        ],
        what: "{品名}的价格及优惠政策",
        answers: &[
            "{品名}目前的官方指导价是{价格}元，近期官方商城有满减活动，具体以下单页面为准。",
            "企业批量采购可以享受工程价，我这边请大客户经理今天和您联系，给您出正式报价。",
            "以旧换新按旧机的品类和年限折抵，一般在100到500元之间，下单时选择“以旧换新”，师傅上门时回收旧机。",
            "官网和门店统一执行指导价{价格}元，个别门店的活动价以门店为准，发票都是一样开的。",
        ],
    },
    Ask {
        tag: "安装咨询",
        before_buying: true,
        subjects: &[
            "{产品}安装问题咨询",
            "{型号}安装要收费吗",
            "怎么预约{产品}安装",
            "{产品}安装需要准备什么",
        ],
        questions: &[
            "{产品}安装收不收费，需要另外买什么材料吗",
            "安装要提前几天预约，周末能装吗",
            "墙是空心砖，{产品}能装吗",
            "老房子电线比较细，装{产品}要不要重新布线",
            "安装的时候能不能顺便把旧机拆走",
            "在别的平台买的{产品}，能约你们的师傅上门安装吗",
        ],
        what: "{产品}的安装服务",
        answers: &[
            "{产品}购买后由当地服务网点免费安装，标准安装材料以外的费用，师傅会先出示收费标准再收取。",
            "安装可以在公众号或者官方商城订单页预约，一般提前1到2天就行，周末也可以安排。",
            "旧机拆除可以一起预约，师傅上门时一并处理，拆机费按当地网点的标准收取。",
            "安装前请确认电源和安装位置，师傅上门会先勘查，条件不具备的会提前跟您说明。",
        ],
    },
    Ask {
        tag: "保修政策",
        before_buying: false,
        subjects: &[
            "{产品}保修多久",
            "咨询{产品}保修政策",
            "{部件}坏了还保修吗",
            "{产品}延保怎么买",
            "发票丢了还能保修吗",
        ],
        questions: &[
            "{产品}整机保修几年，{部件}是不是单独保修",
            "发票丢了还能保修吗",
            "搬家以后移机还在保修范围内吗",
            "过保了换{部件}大概多少钱",
            "你们的延保服务怎么买，多少钱",
            "保修期是从购买日算还是安装日算",
        ],
        what: "{产品}的保修政策",
        answers: &[
            "{产品}整机保修三年，{部件}等主要部件的保修时间更长，具体以保修卡上的说明为准。",
            "保修期以购买发票日期为准；发票遗失的话，可以凭电子订单或者机身条码查询出厂日期办理。",
            "延保可以在购买后180天内在公众号办理，有一年和三年两种，费用按机型不同。",
            "过保后维修按公司统一价格收费，{部件}（配件编号{编号}）的价格师傅上门会先报价，您同意后再维修。",
        ],
    },
    Ask {
        tag: "使用方法",
        before_buying: false,
        subjects: &[
            "{产品}怎么用",
            "{型号}使用问题请教",
            "请教{产品}一个设置问题",
            "{产品}说明书看不懂",
            "{产品}的功能怎么设置",
        ],
        questions: &[
            "{产品}的节能模式怎么开",
            "定时功能怎么设置",
            "手机APP怎么绑定{产品}",
            "童锁怎么解除",
            "第一次用{产品}需要注意什么",
            "面板上有个灯一直在闪，是什么意思",
        ],
        what: "{产品}的使用方法",
        answers: &[
            "您可以参考说明书“使用方法”一章的步骤，我这边再给您发一个操作视频的链接。",
            "长按面板上的“设置”键三秒就可以进入菜单调整，如果还是不清楚，我可以电话一步一步指导您。",
            "APP绑定需要手机连接2.4G的WiFi，在APP里点“添加设备”，按提示长按{产品}的配网键五秒即可。",
            "面板指示灯闪烁一般是提醒清洁或保养，不影响正常使用，按说明书复位就可以了。",
        ],
    },
    Ask {
        tag: "配件购买",
        before_buying: false,
        subjects: &[
            "购买{部件}",
            "{产品}的{部件}哪里能买",
            "想买个{部件}，型号{型号}",
            "咨询{部件}价格",
        ],
        questions: &[
            "{产品}的{部件}能单独买吗，多少钱",
            "{型号}的{部件}坏了，想自己换一个，配件编号是{编号}吗",
            "{部件}有没有原厂的，网上卖的能用吗",
            "买{部件}包不包安装",
            "{部件}下单以后几天能到",
        ],
        what: "{部件}配件的购买",
        answers: &[
            "{部件}（配件编号{编号}）可以单独购买，原厂配件保修三个月，需要的话我直接帮您下单。",
            "{部件}目前有库存，下单后一般2到3天送到；需要安装的话，可以同时预约师傅上门。",
            "建议使用原厂配件，网上的非原厂件规格不一定匹配，出了问题也不在保修范围内。",
            "{型号}对应的{部件}编号是{编号}，您在官方商城搜这个编号就能找到。",
        ],
    },
    Ask {
        tag: "清洁保养",
        before_buying: false,
        subjects: &[
            "{产品}清洁保养咨询",
            "{产品}需要定期保养吗",
            "预约{产品}清洗",
            "{产品}长期不用怎么保存",
        ],
        questions: &[
            "{产品}多久需要清洗一次",
            "你们有没有上门清洗保养的服务，怎么收费",
            "长时间不用{产品}要怎么处理",
            "{部件}要不要定期更换",
            "平时怎么保养{产品}能用得久一点",
        ],
        what: "{产品}的清洁保养",
        answers: &[
            "一般建议每半年清洁保养一次，我们有上门深度清洗服务，可以在公众号预约。",
            "{部件}建议按说明书规定的周期检查，平时保持通风干燥就可以。",
            "长期不用的话，请断电并清洁干净，保持干燥，下次使用前先检查一下电源线。",
            "上门清洗保养按机型统一收费，师傅上门前会先告知价格，您确认后再开始。",
        ],
    },
];

/// What a question about this topic is about (the same for the question and its answers).
pub(super) fn ask_of(topic: &Topic) -> &'static Ask {
    let h = topic_hash(topic);
    let ask = &ASKS[h % ASKS.len()];
    if ask.tag == "安装咨询" && !installed(topic.product) {
        &ASKS[(h + 1) % ASKS.len()]
    } else {
        ask
    }
}

/// Whether the product is installed by a technician (a rice cooker or a robot is not).
fn installed(product: &Product) -> bool {
    match product.line {
        Line::Clean => false,
        Line::Kitchen => product.short != "电饭煲",
        _ => true,
    }
}

const INQUIRY_CONTEXT_BUYING_HOME: &[&str] = &[
    "家里刚装修完，",
    "之前买过你们家的电器，用着还不错，",
    "朋友推荐了你们的{产品}，",
    "准备给父母换一台{产品}，",
    "看到你们官网上的{品名}，",
    "家里那台旧{产品}用了好多年了，",
];
const INQUIRY_CONTEXT_BUYING_SHOP: &[&str] = &[
    "我们店准备再添一台{产品}，",
    "公司新开了一家门店，",
    "我们是做餐饮的，后厨要用{产品}，",
    "我们酒店正在做设备更新，",
    "我们单位在做明年的采购计划，",
];
const INQUIRY_CONTEXT_OWNER: &[&str] = &[
    "{产品}买了快一年了，",
    "去年在你们这买了{产品}，",
    "家里用的是你们的{品名}，",
    "我们用的是{型号}，",
    "{产品}一直用得挺好，",
];
const INQUIRY_CONTEXT_END: &[&str] = &[
    "想咨询一下。",
    "有几个问题想问问。",
    "想了解一下。",
    "问个问题。",
];
const INQUIRY_CLOSINGS: &[&str] = &[
    "谢谢！",
    "麻烦尽快回复，谢谢。",
    "盼复。",
    "方便的话回个电话。",
    "先谢谢了。",
];
const INQUIRY_SUMMARY_TAILS: &[&str] = &[
    "需核实后回电。",
    "已初步答复，客户希望书面确认。",
    "已告知客户稍后回电。",
    "客户表示考虑后再联系。",
    "已加客户企业微信，后续跟进。",
];

fn inquiry_opening(rng: &mut Rng, channel: Channel, topic: &Topic, order: &str) -> Opening {
    let voice = Voice::of(channel);
    let ask = ask_of(topic);
    let (q1, q2) = pick_two(rng, ask.questions);
    let q1 = fill(q1, topic, order);
    let q2 = chance(rng, 0.35).then(|| fill(q2, topic, order));
    let what = fill(ask.what, topic, order);
    let (source, source_short) = *pick(rng, API_SOURCES);
    let body = match voice {
        Voice::Summary => {
            let lead = if channel == Channel::Staff {
                pick_str(
                    rng,
                    &["客户到店咨询", "客户到服务网点咨询", "经销商代客户咨询"],
                )
            } else {
                pick_str(rng, &["客户来电咨询", "客户致电咨询", "客户来电询问"])
            };
            let mut s = format!("{lead}{what}。客户问：{q1}？");
            if let Some(q2) = &q2 {
                s.push_str(&format!("另外问到：{q2}？"));
            }
            s.push_str(pick_str(rng, INQUIRY_SUMMARY_TAILS));
            s
        }
        Voice::Structured => {
            let mut s = format!(
                "来源：{source}\n产品：{}\n咨询类型：{}\n内容：{q1}？",
                topic.product.name, ask.tag
            );
            if let Some(q2) = &q2 {
                s.push_str(&format!("{q2}？"));
            }
            s
        }
        _ => {
            let mut s = String::new();
            if chance(rng, 0.45) {
                let contexts = if !ask.before_buying {
                    INQUIRY_CONTEXT_OWNER
                } else if topic.product.commercial {
                    INQUIRY_CONTEXT_BUYING_SHOP
                } else {
                    INQUIRY_CONTEXT_BUYING_HOME
                };
                s.push_str(&fill(pick_str(rng, contexts), topic, order));
                s.push_str(pick_str(rng, INQUIRY_CONTEXT_END));
            }
            s.push_str(&q1);
            s.push('？');
            if let Some(q2) = &q2 {
                s.push_str(pick_str(rng, &["还有，", "另外，", "顺便问下，", ""]));
                s.push_str(q2);
                s.push('？');
            }
            if voice != Voice::Formal && chance(rng, 0.5) {
                s.push_str(pick_str(rng, INQUIRY_CLOSINGS));
            }
            dress(rng, voice, channel, &[s])
        }
    };
    let subject = match voice {
        Voice::Summary => format!("咨询{what}"),
        Voice::Structured => format!(
            "【{source_short}】{}",
            fill(pick_str(rng, ask.subjects), topic, order)
        ),
        _ => fill(pick_str(rng, ask.subjects), topic, order),
    };
    let mut tags = vec![topic.product.short, ask.tag];
    if topic.product.commercial && chance(rng, 0.3) {
        tags.push("商用设备");
    }
    Opening {
        subject,
        body,
        tags,
    }
}

// --- Suggestions (建议) ----------------------------------------------------------------------------

/// Suggestions about any product: (short title for the subject, what the customer writes).
const SUGGEST_PRODUCT: &[(&str, &str)] = &[
    (
        "说明书不好懂",
        "说明书写得太专业了，好多图标看不懂，建议出一个视频版的，扫码就能看",
    ),
    (
        "遥控器按键太小",
        "遥控器的按键太小，字也印得浅，家里老人看不清，建议出个大按键的老人版",
    ),
    (
        "包装太浪费",
        "包装里泡沫和塑料袋太多了，拆完一大堆垃圾，建议换成可回收的纸质包装",
    ),
    (
        "APP广告太多",
        "APP广告太多，打开要等好几秒，常用的控制功能反而藏得很深，建议简化一下",
    ),
    (
        "指示灯太亮",
        "晚上{产品}的指示灯太亮，很晃眼，建议加一个关闭显示屏的功能",
    ),
    (
        "提示音太响",
        "开关机的提示音太响了，晚上怕吵醒孩子，希望能在设置里关掉",
    ),
    (
        "电源线太短",
        "电源线太短了，插座稍远一点就够不着，建议加长到两米以上",
    ),
];

/// Suggestions about a product line.
fn suggest_line(line: Line) -> &'static [(&'static str, &'static str)] {
    match line {
        Line::Air => &[
            (
                "缺少自清洁提醒",
                "空调用久了里面很脏，希望能做一个自清洁提醒，到时间就提示一下",
            ),
            ("外机噪音偏大", "建议外机再做得静音一些，晚上邻居有意见"),
            (
                "睡眠模式太单一",
                "睡眠模式只有一种曲线，建议可以自己设定后半夜的温度",
            ),
        ],
        Line::Cold => &[
            (
                "冷藏室灯光偏暗",
                "冷藏室里面的灯有点暗，最下层的东西看不清，建议加一条灯带",
            ),
            (
                "冷冻抽屉太浅",
                "冷冻室抽屉太浅，放不下整只鸡，建议设计一个深一点的",
            ),
            (
                "温度显示不直观",
                "建议在门外直接显示里面的实际温度，不用开门也能看到",
            ),
        ],
        Line::Wash => &[
            ("童锁容易误触", "希望童锁能做成默认开启，小孩子老喜欢乱按"),
            ("预约时间太短", "预约最长只能约12小时，建议放宽到24小时"),
            (
                "程序太多用不上",
                "程序太多了，平时就用两三个，建议能把常用程序设成快捷键",
            ),
        ],
        Line::Heat => &[
            (
                "加热等待太久",
                "早上洗澡要等很久才热，建议增加APP远程预约加热",
            ),
            (
                "看不到用水量",
                "希望{产品}能显示每天的用水量和用气量，心里有个数",
            ),
        ],
        Line::Pure => &[
            (
                "滤芯价格偏高",
                "滤芯价格有点贵，建议推出滤芯套餐或者按年订阅的优惠",
            ),
            (
                "看不到用水量",
                "希望{产品}能显示每天的用水量，还有滤芯还能用多久",
            ),
        ],
        Line::Clean => &[
            (
                "地图不能手动分区",
                "希望APP里的地图能手动划分房间，现在自动分区不准",
            ),
            (
                "滤网和老款不通用",
                "希望滤网能和老款通用，不然之前囤的滤网都浪费了",
            ),
        ],
        Line::Kitchen => &[
            (
                "不能远程控制",
                "希望{产品}能接入APP，在手机上就能看到运行状态和保养提醒",
            ),
            (
                "面板容易沾油",
                "面板是亮面的，一沾油手印特别明显，建议改成磨砂的",
            ),
            (
                "清洁不方便",
                "有些地方手伸不进去，清洁起来很麻烦，建议做成可拆洗的",
            ),
        ],
    }
}

/// Suggestions about the service.
const SUGGEST_SERVICE: &[(&str, &str)] = &[
    (
        "上门前请提前联系",
        "师傅上门前最好提前半小时打个电话，上次来的时候家里没人，白跑了一趟",
    ),
    (
        "希望能在线选上门时间",
        "报修的时候能不能在小程序上直接选上门时间段，现在要等电话确认，来回沟通好几次",
    ),
    (
        "维修进度查不到",
        "希望报修以后能在公众号上看到进度，比如师傅什么时候出发、配件到哪了",
    ),
    (
        "收费标准不透明",
        "建议把配件价格和上门费标准公布在官网上，省得每次都要问",
    ),
    (
        "400热线难打通",
        "400热线高峰期等了十几分钟才接通，建议增加人工坐席或者支持回拨",
    ),
    (
        "老用户延保优惠",
        "作为老用户，希望能有会员延保，比如老用户买新品送一年延保",
    ),
    (
        "旧机回收",
        "以旧换新的时候希望旧机能一起拉走，不然还得自己找人处理",
    ),
    (
        "回访电话太多",
        "修完以后接了三个回访电话，问的都差不多，建议合并成一次",
    ),
];

const SUGGEST_CONTEXT_PRODUCT: &[&str] = &[
    "用了你们的{产品}大半年了，整体挺满意，",
    "{产品}质量没话说，",
    "作为恒信的老用户，",
    "家里好几样电器都是恒信的，",
    "上周刚装了{产品}，",
];
const SUGGEST_CONTEXT_SERVICE: &[&str] = &[
    "前段时间报修过一次，",
    "上个月刚约过上门服务，",
    "作为恒信的老用户，",
    "这次售后总体还行，",
];
const SUGGEST_CONTEXT_END: &[&str] = &[
    "提个小建议：",
    "有个想法：",
    "说一点使用感受：",
    "想提个意见：",
];
const SUGGEST_CLOSINGS: &[&str] = &[
    "仅供参考。",
    "希望能采纳，谢谢！",
    "希望恒信越做越好。",
    "不用专门回复，就是提个意见。",
    "期待改进。",
];

fn suggestion_opening(rng: &mut Rng, channel: Channel, topic: &Topic) -> Opening {
    let voice = Voice::of(channel);
    let service = chance(rng, 0.35);
    let (title, text) = if service {
        *pick(rng, SUGGEST_SERVICE)
    } else if chance(rng, 0.5) {
        *pick(rng, suggest_line(topic.product.line))
    } else {
        *pick(rng, SUGGEST_PRODUCT)
    };
    let text = fill(text, topic, "");
    let kind = if service {
        "服务建议"
    } else {
        "产品建议"
    };
    let (source, source_short) = *pick(rng, API_SOURCES);
    let body = match voice {
        Voice::Summary => {
            let lead = if channel == Channel::Staff {
                pick_str(rng, &["客户到店时提出建议：", "回访时客户建议："])
            } else {
                pick_str(
                    rng,
                    &["客户来电建议：", "客户来电提出建议：", "客户致电反馈意见："],
                )
            };
            let tail = pick_str(
                rng,
                &[
                    "客户希望得到反馈。",
                    "已感谢客户，承诺转交相关部门。",
                    "客户表示只是提个意见，无需回电。",
                    "已记录，转产品部门参考。",
                ],
            );
            if service {
                let user = if chance(rng, 0.5) {
                    format!("客户为{}用户。", topic.product.name)
                } else {
                    String::new()
                };
                format!("{lead}{text}。{user}{tail}")
            } else {
                format!("{lead}（{}）{text}。{tail}", topic.product.name)
            }
        }
        Voice::Structured => format!(
            "来源：{source}\n类型：{kind}\n产品：{}\n内容：{text}。",
            topic.product.name
        ),
        _ => {
            let mut s = String::new();
            if chance(rng, 0.6) {
                let contexts = if service {
                    SUGGEST_CONTEXT_SERVICE
                } else {
                    SUGGEST_CONTEXT_PRODUCT
                };
                s.push_str(&fill(pick_str(rng, contexts), topic, ""));
                s.push_str(pick_str(rng, SUGGEST_CONTEXT_END));
            }
            s.push_str(&text);
            s.push('。');
            if chance(rng, 0.6) {
                s.push_str(pick_str(rng, SUGGEST_CLOSINGS));
            }
            dress(rng, voice, channel, &[s])
        }
    };
    let subjects: &[&str] = if service {
        &[
            "建议：{title}",
            "意见反馈：{title}",
            "关于售后服务的建议",
            "服务建议：{title}",
            "{title}",
        ]
    } else {
        &[
            "建议：{title}",
            "关于{产品}的一点建议",
            "{产品}{title}，提个建议",
            "意见反馈：{title}",
            "对{产品}的改进建议",
            "{title}",
        ]
    };
    let mut subject = fill_with(pick_str(rng, subjects), topic, "", &[("title", title)]);
    match voice {
        Voice::Summary => subject = format!("客户建议：{title}"),
        Voice::Structured => subject = format!("【{source_short}】{subject}"),
        _ => {}
    }
    let tags = if service && chance(rng, 0.5) {
        vec![kind]
    } else {
        vec![topic.product.short, kind]
    };
    Opening {
        subject,
        body,
        tags,
    }
}

// --- Order issues (订单问题) ------------------------------------------------------------------------

/// A kind of order trouble, from the customer's first words to the agent's last.
pub(super) struct OrderTrouble {
    tag: &'static str,
    subjects: &'static [&'static str],
    /// What happened (no "我", no end punctuation).
    facts: &'static [&'static str],
    /// What the customer asks, with its punctuation.
    wants: &'static [&'static str],
    /// What the customer asks, as an agent writes it down (after "客户要求").
    demands: &'static [&'static str],
    pub(super) first: &'static [&'static str],
    pub(super) progress: &'static [&'static str],
    pub(super) solution: &'static [&'static str],
}

const ORDER_TROUBLES: &[OrderTrouble] = &[
    OrderTrouble {
        tag: "发货慢",
        subjects: &[
            "订单{订单}还没发货",
            "下单一周了还没发货",
            "催发货：{品名}",
            "{产品}什么时候能发货",
            "订单{订单}物流一直不更新",
        ],
        facts: &[
            "上周五在官方商城下单买了{品名}，订单号{订单}，到现在还显示待发货",
            "订单{订单}付款已经五天了，物流信息一直没更新",
            "{品名}下单时页面写的48小时内发货，现在都一周了还没动静",
            "订单{订单}显示已发货三天，快递单号查不到任何信息",
        ],
        wants: &[
            "麻烦帮忙催一下，这周末等着安装。",
            "如果没货请直接说，好另作安排。",
            "新房下周入住，急用。",
            "能不能给个准确的发货时间？",
        ],
        demands: &[
            "尽快发货并告知物流单号",
            "给出明确的发货时间",
            "如无库存则取消订单并退款",
        ],
        first: &[
            "我马上帮您查一下订单的发货状态，稍后回复您。",
            "已经帮您联系仓库加急处理，今天下班前给您回复具体的发货时间。",
        ],
        progress: &[
            "仓库已经安排出库，快递单号会通过短信发给您。",
            "订单已经发出，顺丰单号{单号}，预计两天内送达。",
        ],
        solution: &[
            "货已经签收了，安装师傅会在24小时内联系您预约安装时间。",
            "货已送达，让您久等了，我们为您申请了一张50元的配件优惠券，已经发到您的账户。",
        ],
    },
    OrderTrouble {
        tag: "发错货",
        subjects: &[
            "发错货了，订单{订单}",
            "收到的型号不对",
            "买的{型号}，发来的不是这个",
            "订单{订单}发错型号",
        ],
        facts: &[
            "订单{订单}买的是{型号}，今天到货拆开一看型号不对",
            "下单选的是{品名}，送来的颜色和型号都不一样",
            "收到的{产品}和订单上的不一致，外箱上的型号少了一个后缀",
            "送货的时候没注意，安装师傅来了才发现发的不是{型号}",
        ],
        wants: &[
            "请尽快安排换货，上门取件。",
            "东西还没拆封，麻烦换成下单的那款。",
            "换货的运费应该由你们承担吧？",
            "这周内必须要装上，请尽快处理。",
        ],
        demands: &["尽快换成订单上的型号", "上门取回错发的商品", "承担往返运费"],
        first: &[
            "非常抱歉给您发错了货，请您先不要拆封使用，我这边马上为您申请换货。",
            "麻烦您拍一下外箱标签和机身铭牌的照片发给我，我马上核实处理。",
        ],
        progress: &[
            "换货已经安排好，物流明天上门取回错发的机器，新机同步发出。",
            "仓库已核实是拣货出错，正确的型号今天发出，到货后师傅上门安装。",
        ],
        solution: &[
            "正确型号的{产品}已经送达并安装好，错发的机器也已取回，再次向您致歉。",
            "换货已完成，往返运费由我们承担，给您添麻烦了。",
        ],
    },
    OrderTrouble {
        tag: "少发配件",
        subjects: &[
            "{产品}少发了{附件}",
            "订单{订单}配件缺失",
            "收到的{产品}少东西",
            "开箱缺少{附件}",
        ],
        facts: &[
            "收到{品名}，开箱发现少了{附件}",
            "订单{订单}的货到了，对着装箱单核对，{附件}没有",
            "师傅来安装时发现少了{附件}，装不了",
            "包装里只有主机，{附件}不见了",
        ],
        wants: &[
            "麻烦尽快补寄一份。",
            "师傅还等着安装，请加急发过来。",
            "补发以后请告诉快递单号。",
            "能不能让安装师傅直接带过来？",
        ],
        demands: &["尽快补发缺少的{附件}", "补发后安排师傅上门安装"],
        first: &[
            "抱歉让您遇到这样的情况，麻烦拍一下开箱照片和装箱单，我马上为您安排补发。",
            "缺少的{附件}我们会免费补寄，请您确认一下收货地址。",
        ],
        progress: &[
            "补发的{附件}已经寄出，快递单号{单号}，预计两三天到。",
            "已通知当地网点，师傅上门安装时会直接带上{附件}。",
        ],
        solution: &[
            "{附件}已经补齐，师傅也已上门安装完毕，给您添麻烦了。",
            "补发的{附件}已签收，安装如果还有问题随时联系我们。",
        ],
    },
    OrderTrouble {
        tag: "发票",
        subjects: &[
            "订单{订单}开发票",
            "申请开增值税专用发票",
            "发票抬头开错了",
            "发票还没收到",
            "电子发票税号有误",
        ],
        facts: &[
            "订单{订单}已经确认收货，发票一直没收到",
            "单位报销需要增值税专用发票，订单{订单}麻烦开一下",
            "发票抬头开成了个人，需要改成公司抬头",
            "电子发票上的税号少了一位，财务退回来了",
        ],
        wants: &[
            "开票信息已经发到邮箱，请查收。",
            "麻烦尽快重开，月底前要报账。",
            "请告知需要提供哪些开票资料。",
            "纸质发票请寄到公司地址。",
        ],
        demands: &["尽快开具发票", "按公司抬头重开发票", "告知开票所需资料"],
        first: &[
            "请您提供开票抬头、税号和接收邮箱，我这边马上为您提交开票申请。",
            "发票问题我已经转给财务同事处理，两个工作日内给您答复。",
        ],
        progress: &[
            "开票申请已提交，财务正在审核，预计明天开出。",
            "原发票已作废，正在按新的抬头重新开具。",
        ],
        solution: &[
            "电子发票已经开具，发送到您留的邮箱了，请注意查收。",
            "增值税专用发票已开好，纸质发票已用顺丰寄出，单号{单号}。",
        ],
    },
    OrderTrouble {
        tag: "修改地址",
        subjects: &[
            "修改收货地址",
            "订单{订单}地址填错了",
            "能不能改送货时间",
            "申请修改配送地址",
        ],
        facts: &[
            "订单{订单}的收货地址填成了公司，想改到家里",
            "下单时门牌号写错了，还没发货的话麻烦改一下",
            "临时出差，想把送货时间改到下周",
            "订单{订单}的收货人电话填错了一位",
        ],
        wants: &[
            "新地址已经写在留言里了。",
            "麻烦帮忙改一下，谢谢。",
            "如果已经发出了，能不能联系快递改派？",
            "改好了回复一下。",
        ],
        demands: &["修改收货地址", "调整送货时间", "更正收货人电话"],
        first: &[
            "订单还没有出库，我已经帮您备注修改，请您把完整的新地址发给我确认一下。",
            "我这边先联系仓库拦截，确认后马上回复您。",
        ],
        progress: &[
            "地址已经修改成功，会按新地址配送。",
            "快递已经在途，已申请改派到新地址，预计晚一天送达。",
        ],
        solution: &[
            "已按新地址送达签收，如有问题请随时联系。",
            "送货时间已改到您方便的时候，送货前司机会电话联系您。",
        ],
    },
    OrderTrouble {
        tag: "退款",
        subjects: &[
            "退款还没到账",
            "订单{订单}退款进度",
            "退货后一直没收到退款",
            "查询退款进度",
        ],
        facts: &[
            "订单{订单}退货已经寄回去一周了，退款还没到账",
            "客服说退款三个工作日到账，现在都过去十天了",
            "仓库显示已经签收退货，退款状态一直是处理中",
            "订单{订单}只退了一部分钱，运费没退",
        ],
        wants: &[
            "麻烦帮忙查一下卡在哪个环节。",
            "请给个准确的到账时间。",
            "再不到账只能去平台投诉了。",
            "请尽快处理，谢谢。",
        ],
        demands: &["尽快退款", "告知退款进度及到账时间", "补退运费"],
        first: &[
            "我帮您查了一下，退货已经入库，退款正在财务审核中，我会帮您催办。",
            "非常抱歉退款延迟了，我已经加急处理，今天之内给您答复。",
        ],
        progress: &[
            "财务已经审核通过，退款会在1到3个工作日内原路退回。",
            "退款已经提交银行处理，到账时间以银行为准，一般不超过3个工作日。",
        ],
        solution: &[
            "退款已经原路退回，请您查收；给您带来的不便，非常抱歉。",
            "运费也已经一并退回，请注意查收。",
        ],
    },
];

/// What an order issue about this topic is (the same for the complaint and its answers).
pub(super) fn order_trouble_of(topic: &Topic) -> &'static OrderTrouble {
    &ORDER_TROUBLES[(topic_hash(topic) / 7) % ORDER_TROUBLES.len()]
}

/// The accessory an order issue about this topic names.
pub(super) fn accessory_of(topic: &Topic) -> &'static str {
    let list = topic.product.accessories;
    if list.is_empty() {
        return "配件";
    }
    list[(topic_hash(topic) / 3) % list.len()]
}

fn order_opening(rng: &mut Rng, channel: Channel, topic: &Topic, order: &str) -> Opening {
    let voice = Voice::of(channel);
    let trouble = order_trouble_of(topic);
    let extra = [("附件", accessory_of(topic))];
    let fact = fill_with(pick_str(rng, trouble.facts), topic, order, &extra);
    let names_order = fact.contains(order);
    let demand = fill_with(pick_str(rng, trouble.demands), topic, order, &extra);
    let (source, source_short) = *pick(rng, API_SOURCES);
    let body = match voice {
        Voice::Summary => {
            let lead = if channel == Channel::Staff {
                pick_str(
                    rng,
                    &["客户到店反映", "经销商代客户反映", "客户到服务网点反映"],
                )
            } else {
                pick_str(rng, &["客户来电反映", "客户来电称", "客户致电反映"])
            };
            let mut s = format!("{lead}{fact}。");
            if !names_order {
                s.push_str(&fill(pick_str(rng, ORDER_REPORTED), topic, order));
            }
            s.push_str(&format!("客户要求{demand}。"));
            if chance(rng, 0.35) {
                s.push_str(summary_tail(rng, channel));
            }
            s
        }
        Voice::Structured => format!(
            "来源：{source}\n订单号：{order}\n商品：{}\n问题类型：{}\n描述：{fact}。\n诉求：{demand}",
            topic.product.name, trouble.tag
        ),
        _ => {
            let mut s = format!("{fact}。");
            if !names_order && chance(rng, 0.7) {
                s.push_str(&fill(pick_str(rng, ORDER_MENTIONS), topic, order));
            }
            s.push_str(pick_str(rng, trouble.wants));
            if voice == Voice::Plain && chance(rng, 0.4) {
                s.push_str(pick_str(rng, CLOSINGS));
            }
            dress(rng, voice, channel, &[s])
        }
    };
    let mut subject = fill_with(pick_str(rng, trouble.subjects), topic, order, &extra);
    match voice {
        Voice::Summary if chance(rng, 0.5) => subject = format!("客户反映：{subject}"),
        Voice::Structured => subject = format!("【{source_short}】{subject}"),
        _ => {}
    }
    let mut tags = vec![trouble.tag, topic.product.short];
    if chance(rng, 0.15) {
        tags.push("加急");
    }
    Opening {
        subject,
        body,
        tags,
    }
}
