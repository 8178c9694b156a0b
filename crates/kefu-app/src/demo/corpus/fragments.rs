//! Fragments of the customer's first message, and how each channel's voice words them.

use fastrand::Rng;
use kefu_domain::ticket::{Channel, TicketType};

use super::catalogue::Line;
use super::helpers::{chance, fill, pick, pick_str};
use super::problems::Problem;
use super::{Topic, job_title, person_name};

/// How a channel's messages read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Voice {
    /// Phone and walk-in: the agent's summary of what the customer said (客户来电反映……).
    Summary,
    /// WeChat, chat, SMS: short and informal.
    Casual,
    /// E-mail: a letter (您好：…… 此致 敬礼).
    Formal,
    /// Web form and portal: plain written Chinese.
    Plain,
    /// Another system through the API: labelled fields.
    Structured,
}

impl Voice {
    pub(super) fn of(channel: Channel) -> Voice {
        match channel {
            Channel::Phone | Channel::Staff => Voice::Summary,
            Channel::Chat | Channel::Wechat | Channel::Sms => Voice::Casual,
            Channel::Email => Voice::Formal,
            Channel::Api => Voice::Structured,
            Channel::WebForm | Channel::Portal => Voice::Plain,
        }
    }
}

/// How long the customer has had the machine, as far as the wording says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Age {
    New,
    Old,
    Unknown,
}

/// Whose machine it is, in a household.
const OWNERS_HOME: &[&str] = &["我家", "家里", "我们家", "我爸妈家", "我", "我家里"];
/// Whose machine it is, in a business.
const OWNERS_SHOP: &[&str] = &[
    "我们店里",
    "我们餐厅",
    "我们酒店",
    "公司食堂",
    "我们超市",
    "我们门店",
    "我们厂里",
];
/// Whose machine it is, in a letter.
const OWNERS_FORMAL: &[&str] = &["我司", "我单位", "本人", "我公司"];

/// When and where a household bought it (ends in 的).
const BOUGHT_HOME: &[(&str, Age)] = &[
    ("去年买的", Age::Unknown),
    ("前年买的", Age::Old),
    ("今年春天买的", Age::New),
    ("刚买不到两个月的", Age::New),
    ("用了三年多的", Age::Old),
    ("在你们天猫旗舰店买的", Age::Unknown),
    ("在京东买的", Age::Unknown),
    ("装修时一起买的", Age::Unknown),
    ("去年双十一买的", Age::Unknown),
    ("在苏宁门店买的", Age::Unknown),
    ("搬新家时买的", Age::Unknown),
    ("上个月刚买的", Age::New),
    ("朋友推荐买的", Age::Unknown),
];
/// When and how a business bought it (ends in 的).
const BOUGHT_SHOP: &[(&str, Age)] = &[
    ("去年采购的", Age::Unknown),
    ("开业时一起买的", Age::Unknown),
    ("通过经销商采购的", Age::Unknown),
    ("今年年初新上的", Age::New),
    ("用了好几年的", Age::Old),
    ("上个月刚换的", Age::New),
    ("从你们销售那里订的", Age::Unknown),
];
/// The same in a call summary.
pub(super) const BOUGHT_REPORTED: &[(&str, Age)] = &[
    ("去年购买的", Age::Unknown),
    ("前年购买的", Age::Old),
    ("今年年初购买的", Age::New),
    ("在电商平台购买的", Age::Unknown),
    ("通过经销商购买的", Age::Unknown),
    ("购买不到两个月的", Age::New),
    ("使用三年多的", Age::Old),
    ("在门店购买的", Age::Unknown),
];

/// When the trouble began (followed by a comma).
pub(super) const WHEN: &[&str] = &[
    "上周三开始",
    "从昨天晚上开始",
    "这两天",
    "前天下午",
    "从上个月中旬起",
    "今天早上开机时",
    "最近一周",
    "大概十天前开始",
    "国庆回来以后",
    "前几天下了场大雨之后",
    "搬家重新装好以后",
    "上周末开始",
    "最近半个月",
    "停电又来电以后",
    "这个月开始",
    "昨天下午",
    "今天一早",
    "过完年回来",
    "前两天清洗过以后",
    "大前天开始",
    "上个礼拜开始",
    "从周一开始",
    "这阵子",
    "前天晚上",
];

/// What the customer suspects (device problems).
pub(super) const SUSPECTS: &[&str] = &[
    "感觉是{部件}的问题。",
    "自己看了看，应该是{部件}那里出了毛病。",
    "之前有师傅说过{部件}可能不太好。",
    "听声音像是{部件}那块。",
    "网上查了一下，说可能是{部件}坏了。",
    "怀疑是{部件}坏了。",
];

/// What the customer already tried (device problems).
pub(super) const TRIED: &[&str] = &[
    "已经断电重启过了，没用。",
    "按说明书上的故障排除都试了一遍，还是一样。",
    "自己检查了电源和插座，都是好的。",
    "关机歇了一晚上再开，还是老样子。",
    "在网上搜了一些办法，都不管用。",
    "还没敢自己拆开看。",
    "拍了视频，需要的话可以发过来。",
    "问了小区里的维修师傅，说最好找厂家。",
];

/// What it costs them, in a household, by product line.
pub(super) fn impacts_home(line: Line) -> &'static [&'static str] {
    match line {
        Line::Air => &[
            "这几天天热，家里老人孩子都受不了。",
            "晚上热得根本睡不好。",
            "卧室就这一台，现在只能开风扇。",
        ],
        Line::Cold => &[
            "冰箱里的菜和肉都快坏了。",
            "刚囤的一冰箱东西，现在只能先放邻居家。",
            "天天要放吃的，离不了。",
        ],
        Line::Wash => &[
            "家里孩子小，每天都要洗衣服。",
            "一桶衣服泡在里面拿不出来。",
            "这几天只能手洗，太累了。",
        ],
        Line::Heat => &[
            "这么冷的天没热水洗澡，太不方便了。",
            "全家都等着洗澡呢。",
            "家里老人洗澡怕冷，现在只能烧水擦身。",
        ],
        Line::Pure => &[
            "现在只能买桶装水喝。",
            "家里孩子天天要喝水，不敢用了。",
            "做饭煮汤都用这个水，挺闹心的。",
        ],
        Line::Clean => &[
            "家里有宠物，每天都靠它。",
            "家里有人鼻炎，天天都要用。",
            "买它就是图省事，现在反而更麻烦。",
        ],
        Line::Kitchen => &[
            "每天都要做饭，厨房现在没法用。",
            "家里天天开火做饭，很不方便。",
            "一家老小吃饭都受影响。",
        ],
    }
}

/// What it costs them, in a business.
pub(super) const IMPACTS_SHOP: &[&str] = &[
    "店里每天都要用，耽误不起。",
    "已经影响到正常营业了。",
    "设备停一天损失就不小。",
    "客人已经有意见了。",
    "马上到营业高峰，急用。",
];

/// What it costs anyone.
pub(super) const IMPACTS_ANY: &[&str] = &[
    "影响正常使用。",
    "这几天只能先停用。",
    "已经影响到正常生活了。",
    "买了没多久就出这种问题，心里挺不舒服的。",
    "新买的东西就这样，有点失望。",
];

/// A complaint's history: why the customer is angry now.
pub(super) const HISTORY: &[&str] = &[
    "之前已经找过你们售后，一直没解决。",
    "这已经是第三次出这个问题了。",
    "打了好几次400，都说会有人联系，结果一直没人管。",
    "网点说要等配件，一等就是十多天。",
    "上次师傅来看过，说修好了，没两天又这样。",
    "前后报修两次，每次都要从头解释一遍。",
];

/// Mentions of the order number.
pub(super) const ORDER_MENTIONS: &[&str] = &[
    "订单号：{订单}。",
    "订单号是{订单}。",
    "购买订单{订单}，可以查到记录。",
    "订单号{订单}，麻烦核对一下。",
    "（订单{订单}）",
];

pub(super) const WARRANTY_IN: &[&str] = &[
    "还在保修期内。",
    "机器还在保修期里。",
    "保修卡和发票都在，还在保修期。",
];
pub(super) const WARRANTY_OUT: &[&str] = &[
    "已经过了保修期，修的话大概多少钱？",
    "过保了，想先问下维修怎么收费。",
    "保修期刚过，能不能通融一下？",
];

/// What the customer asks for, in plain written Chinese.
pub(super) fn requests(ticket_type: TicketType) -> &'static [&'static str] {
    match ticket_type {
        TicketType::AfterSales => &[
            "请按保修政策处理。",
            "想申请换一台新的。",
            "这种情况能退货吗？",
            "麻烦寄一个新的{部件}过来，我们自己换。",
            "希望按三包规定处理。",
            "请给个处理方案。",
        ],
        TicketType::Complaint => &[
            "要求给个说法。",
            "要求退货并赔偿损失。",
            "希望你们领导重视一下这个问题。",
            "再这样下去只能去12315投诉了。",
            "请给一个明确的处理结果和时间。",
            "要求换新机，不想再修了。",
        ],
        _ => &[
            "麻烦尽快安排师傅上门看看。",
            "请问什么时候能派人来修？",
            "能不能先远程指导一下，看看自己能不能处理？",
            "请帮忙安排维修，谢谢。",
            "麻烦派个师傅来检查一下。",
            "师傅来之前请先打电话联系。",
        ],
    }
}

/// What the customer asks for, on WeChat or chat.
pub(super) fn requests_casual(ticket_type: TicketType) -> &'static [&'static str] {
    match ticket_type {
        TicketType::AfterSales => &[
            "能换吗？",
            "保修能免费修吧？",
            "想退货，怎么操作？",
            "麻烦给寄个{部件}。",
            "这个怎么处理？",
        ],
        TicketType::Complaint => &[
            "都修两回了还这样，你们给个说法！",
            "再不解决我就投诉到12315了。",
            "能不能找个负责的人跟我联系？",
            "太耽误事了，要求换新的。",
            "到底管不管？",
        ],
        _ => &[
            "能派人来看下吗？",
            "怎么弄啊？",
            "麻烦尽快安排一下。",
            "啥时候能上门？",
            "帮忙看看是什么问题。",
            "急！",
        ],
    }
}

/// What the customer asks for, in a letter.
pub(super) fn requests_formal(ticket_type: TicketType) -> &'static [&'static str] {
    match ticket_type {
        TicketType::AfterSales => &[
            "请贵司按照保修条款予以处理。",
            "希望贵司能够为我们更换新机。",
            "请贵司核实后安排退换货事宜。",
        ],
        TicketType::Complaint => &[
            "我们对此非常不满，请贵司给出书面处理意见。",
            "此问题已多次反映未果，望贵司高度重视，尽快给予答复。",
            "请贵司在三个工作日内给出处理方案，并赔偿由此造成的损失。",
        ],
        _ => &[
            "烦请尽快安排技术人员上门检修。",
            "请贵司安排售后人员尽快处理。",
            "请安排维修人员与我们联系，确定上门时间。",
        ],
    }
}

/// What the customer asks for, as an agent writes it down.
pub(super) fn requests_reported(ticket_type: TicketType) -> &'static [&'static str] {
    match ticket_type {
        TicketType::AfterSales => &[
            "客户要求免费更换{部件}。",
            "客户申请换货。",
            "客户要求退货退款。",
            "客户要求按三包规定处理。",
        ],
        TicketType::Complaint => &[
            "客户对此前处理不满，要求给出明确处理方案。",
            "客户要求退货并赔偿损失。",
            "客户要求主管回电说明情况。",
            "客户要求更换新机，不接受再次维修。",
        ],
        _ => &[
            "客户要求尽快安排上门检修。",
            "客户希望明天上午上门。",
            "已登记报修，需派单至当地网点。",
            "客户希望先电话指导排查。",
        ],
    }
}

/// What the customer asks for, as a field of another system.
pub(super) fn requests_structured(ticket_type: TicketType) -> &'static [&'static str] {
    match ticket_type {
        TicketType::AfterSales => &["保修期内免费维修", "换货", "退货退款", "寄送{部件}"],
        TicketType::Complaint => &["要求给出处理方案", "要求退货并赔偿", "要求主管回电"],
        _ => &["上门维修", "上门检测", "远程指导"],
    }
}

pub(super) const CLOSINGS: &[&str] = &[
    "谢谢。",
    "麻烦了！",
    "盼回复。",
    "急，谢谢！",
    "辛苦了。",
    "谢谢，等你们电话。",
    "先谢谢了。",
];
pub(super) const CONTACT_HOME: &[&str] = &[
    "白天要上班，晚上七点以后家里有人。",
    "周末都在家，上门前打电话就行。",
    "电话就是注册的这个手机号。",
    "家里一直有老人在，随时可以上门。",
];
pub(super) const CONTACT_SHOP: &[&str] = &[
    "店里营业时间都有人，来之前联系店长就行。",
    "上午十点以后店里有人。",
    "来之前打前台电话。",
];

const GREETINGS_PLAIN: &[&str] = &["您好，", "你好，", "客服您好，", "您好！", "你好！"];
const GREETINGS_CASUAL: &[&str] = &[
    "你好，",
    "您好，",
    "在吗？",
    "客服你好，",
    "你好客服，",
    "hi，",
    "打扰一下，",
    "你好呀，",
];
const EMAIL_SALUTATIONS: &[&str] = &[
    "您好：",
    "恒信客服中心：",
    "尊敬的恒信客服：",
    "恒信电器售后服务部：",
    "客服部负责同志：",
];
const EMAIL_CLOSINGS: &[&str] = &[
    "盼复，谢谢！",
    "如需进一步信息，请与我联系。",
    "期待您的回复。",
    "烦请尽快处理，谢谢。",
    "感谢配合。",
];

/// Another system's name, long (for the body) and short (for the subject).
pub(super) const API_SOURCES: &[(&str, &str)] = &[
    ("经销商服务系统", "经销商"),
    ("天猫旗舰店售后工单", "天猫"),
    ("京东自营售后", "京东"),
    ("工程安装平台", "工程平台"),
    ("企业微信小程序", "小程序"),
    ("400语音导航转写", "语音转写"),
];

/// How an agent opens a call summary (followed directly by what was said).
pub(super) fn summary_lead(rng: &mut Rng, channel: Channel) -> &'static str {
    if channel == Channel::Staff {
        pick_str(
            rng,
            &[
                "客户到服务网点反映",
                "走访时客户反映",
                "经销商代客户反映",
                "客户来函反映",
                "客户到门店反映",
            ],
        )
    } else {
        pick_str(
            rng,
            &[
                "客户来电反映",
                "客户来电称",
                "客户致电400反映",
                "客户致电服务热线反映",
                "客户来电说",
            ],
        )
    }
}

/// What an agent adds at the end of a call summary.
pub(super) fn summary_tail(rng: &mut Rng, channel: Channel) -> &'static str {
    if channel == Channel::Staff {
        pick_str(
            rng,
            &[
                "已告知客户处理流程及时限。",
                "客户留了联系电话，要求尽快回复。",
                "客户语气平和，配合度高。",
            ],
        )
    } else {
        pick_str(
            rng,
            &[
                "已安抚客户情绪，承诺24小时内回电。",
                "已告知客户处理流程及时限。",
                "客户联系电话同来电号码。",
                "客户方便时间：工作日18点后。",
                "客户语气平和，配合度高。",
            ],
        )
    }
}

/// A letter's signature: a name, perhaps with a title.
fn signature(rng: &mut Rng) -> String {
    let name = person_name(rng);
    match rng.usize(..3) {
        0 => name,
        1 => format!("{name}\n{}", job_title(rng)),
        _ => format!("{name}（{}）", job_title(rng)),
    }
}

/// Paragraphs dressed for the voice: a greeting for plain and casual messages (none by SMS),
/// a letter for e-mail.
pub(super) fn dress(
    rng: &mut Rng,
    voice: Voice,
    channel: Channel,
    paragraphs: &[String],
) -> String {
    match voice {
        Voice::Formal => {
            let mut s = String::new();
            s.push_str(pick_str(rng, EMAIL_SALUTATIONS));
            s.push_str("\n\n");
            for p in paragraphs {
                s.push_str(p);
                s.push_str("\n\n");
            }
            s.push_str(pick_str(rng, EMAIL_CLOSINGS));
            s.push_str("\n\n此致\n敬礼！\n\n");
            s.push_str(&signature(rng));
            s
        }
        Voice::Casual => {
            let greet = if channel == Channel::Sms || chance(rng, 0.2) {
                ""
            } else {
                pick_str(rng, GREETINGS_CASUAL)
            };
            format!("{greet}{}", paragraphs.concat())
        }
        _ => {
            let greet = if chance(rng, 0.5) {
                pick_str(rng, GREETINGS_PLAIN)
            } else {
                ""
            };
            format!(
                "{greet}{}",
                paragraphs.join(if chance(rng, 0.3) { "\n" } else { "" })
            )
        }
    }
}

/// Letter-style wording of a purchase phrase.
fn formalize(s: &str) -> String {
    s.replace("你们", "贵司").replace("买的", "购买的")
}

/// The machine as the customer names it, and how old the wording makes it.
pub(super) fn machine_phrase(rng: &mut Rng, topic: &Topic, voice: Voice) -> (String, Age) {
    let product = topic.product;
    let formal = voice == Voice::Formal;
    let owner = if formal && chance(rng, 0.6) {
        pick_str(rng, OWNERS_FORMAL)
    } else if product.commercial {
        pick_str(rng, OWNERS_SHOP)
    } else {
        pick_str(rng, OWNERS_HOME)
    };
    if voice == Voice::Casual {
        let np = match rng.usize(..3) {
            0 => format!("{owner}{}", product.short),
            1 => format!("{owner}的{}", product.short),
            _ => format!("{owner}那台{}", product.short),
        };
        return (np, Age::Unknown);
    }
    let (bought, age) = *pick(
        rng,
        if product.commercial {
            BOUGHT_SHOP
        } else {
            BOUGHT_HOME
        },
    );
    let bought = if formal {
        formalize(bought)
    } else {
        bought.to_owned()
    };
    match rng.usize(..5) {
        0 | 1 => (format!("{owner}{bought}{}", product.name), age),
        2 | 3 => (format!("{owner}{bought}{}", product.short), age),
        _ => (
            format!("{owner}的{}（型号{}）", product.short, product.model),
            Age::Unknown,
        ),
    }
}

/// Whether the message mentions the warranty, and which way: `Some(true)` in warranty.
pub(super) fn warranty(rng: &mut Rng, age: Age) -> Option<bool> {
    if !chance(rng, 0.3) {
        return None;
    }
    Some(match age {
        Age::New => true,
        Age::Old => false,
        Age::Unknown => rng.bool(),
    })
}

/// The first sentence of a fault report: the machine, since when, how it shows.
pub(super) fn event_sentence(
    rng: &mut Rng,
    topic: &Topic,
    problem: &Problem,
    machine: &str,
) -> String {
    let wording = fill(pick_str(rng, problem.wordings), topic, "");
    if problem.device {
        let when = pick(rng, WHEN);
        match rng.usize(..6) {
            0 => format!("{machine}{when}出毛病了，{wording}。"),
            1 => format!("{machine}有个问题：{when}，{wording}。"),
            2 => format!("{machine}{when}{}了，{wording}。", topic.problem),
            _ => format!("{machine}，{when}，{wording}。"),
        }
    } else {
        match rng.usize(..4) {
            0 => format!("说一下{machine}的事，{wording}。"),
            1 => format!("关于{machine}：{wording}。"),
            _ => format!("{machine}，{wording}。"),
        }
    }
}
