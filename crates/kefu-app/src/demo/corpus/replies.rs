//! Replies and notes: agents' replies, customers' answers and internal notes.

use fastrand::Rng;
use kefu_domain::complaint::Category;
use kefu_domain::ticket::TicketType;

use super::helpers::{chance, fill, fill_with, pick_str, pick_two, pick_weighted_str};
use super::openings::{accessory_of, ask_of, order_trouble_of};
use super::people::SURNAMES;
use super::problems::{Problem, problem_named};
use super::{Topic, person_name};

/// Where in the conversation an agent's reply falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyStage {
    /// The first answer: acknowledge, reassure, say what happens next or ask what is missing.
    First,
    /// News on the way, often with a question back to the customer.
    Progress,
    /// The outcome.
    Solution,
}

/// Days a technician may come.
const VISIT_DAYS: &[&str] = &[
    "明天上午",
    "明天下午",
    "后天上午",
    "本周六上午",
    "周日下午",
    "今天下午",
];
/// A number of working days.
pub(super) const WORKING_DAYS: &[&str] = &["两", "三", "三到五", "1到2"];

/// The department a ticket of this category is passed to, as agents name it to customers.
fn department_named(category: Category) -> &'static str {
    match category {
        Category::Quality => "品质部",
        Category::Delivery => "仓储部",
        Category::Billing => "财务部",
        Category::Installation => "售后服务网点",
        Category::Service => "客户服务部",
        Category::Other => "相关部门",
    }
}

/// A parcel tracking number.
fn tracking_number(rng: &mut Rng) -> String {
    if rng.bool() {
        format!("SF{:013}", rng.u64(..10_000_000_000_000))
    } else {
        format!("YT{:013}", rng.u64(..10_000_000_000_000))
    }
}

/// The values of the extra slots in replies and notes.
struct Extras {
    master: &'static str,
    day: &'static str,
    days: &'static str,
    tracking: String,
    amount: String,
    department: &'static str,
    accessory: &'static str,
}

impl Extras {
    fn new(rng: &mut Rng, topic: &Topic) -> Extras {
        Extras {
            master: pick_weighted_str(rng, SURNAMES),
            day: pick_str(rng, VISIT_DAYS),
            days: pick_str(rng, WORKING_DAYS),
            tracking: tracking_number(rng),
            amount: (rng.u32(2..=12) * 50).to_string(),
            department: department_named(topic.category),
            accessory: accessory_of(topic),
        }
    }

    fn fill(&self, template: &str, topic: &Topic, agent: &str) -> String {
        fill_with(
            template,
            topic,
            "",
            &[
                ("师傅", self.master),
                ("天", self.day),
                ("数", self.days),
                ("单号", self.tracking.as_str()),
                ("金额", self.amount.as_str()),
                ("部门", self.department),
                ("附件", self.accessory),
                ("客服", agent),
            ],
        )
    }
}

const HELLO_FIRST: &[&str] = &[
    "您好！",
    "您好，感谢您联系恒信客服。",
    "您好，您反映的情况已经收到。",
    "您好，",
];
const HELLO_PROGRESS: &[&str] = &[
    "您好，跟您同步一下进展：",
    "您好，感谢您的耐心等待。",
    "您好，",
    "让您久等了，",
];
const HELLO_SOLUTION: &[&str] = &[
    "您好，",
    "您好，您的问题有了处理结果：",
    "让您久等了，",
    "您好！",
];

const EMPATHY: &[&str] = &[
    "给您添麻烦了，非常抱歉。",
    "非常理解您的心情，给您带来的不便深表歉意。",
    "很抱歉{产品}出现这样的问题。",
    "您反映的情况我已经详细记录下来了。",
];

const FIRST_FAULT: &[&str] = &[
    "这种情况一般和{部件}有关，需要师傅上门检测确认。",
    "您可以先断电十分钟再重新开机试一下，如果还是{问题}，我马上为您安排上门检修。",
    "我这边马上为您登记报修，当地服务网点会在24小时内和您联系。",
    "已为您创建维修单，师傅上门前会先电话和您确认时间。",
];
const FIRST_AFTER_SALES: &[&str] = &[
    "您的售后申请已经受理，我们会按三包规定为您处理。",
    "我这边先为您核实购买记录和保修状态，稍后回复您。",
    "按照保修政策，{部件}在保修期内可以免费更换，我先为您登记。",
    "换货或维修都可以为您办理，我先安排师傅上门检测，确认故障后按政策处理。",
];
const FIRST_COMPLAINT: &[&str] = &[
    "您的投诉我已经登记，我会负责跟进到底，24小时内给您答复处理方案。",
    "这件事我已经上报主管，今天之内会有专人和您联系。",
    "请您放心，按照首问负责制，这个问题由我全程跟进，不会让您再重复说明。",
];
const FIRST_NOT_DEVICE: &[&str] = &[
    "关于您说的情况，我马上联系网点核实。",
    "我先核实一下当时的服务记录，今天之内给您回复。",
    "这个情况我已经转给{部门}核实，会尽快给您答复。",
];
const ASK_DEVICE: &[&str] = &[
    "麻烦您提供一下订单号和机身铭牌的照片。",
    "方便留一个详细地址和可以上门的时间段吗？",
    "麻烦拍一段{产品}{问题}时的视频发给我们，方便技术人员先判断。",
    "请问您方便的上门时间是哪天？",
];

const PROGRESS_FAULT: &[&str] = &[
    "已为您联系当地服务网点，师傅会在24小时内电话联系您确认上门时间。",
    "已为您预约{天}上门，师傅姓{师傅}，上门前会先给您打电话。",
    "需要更换的{部件}（配件编号{编号}）已从杭州中心仓发出，预计2到3天送到网点。",
    "您的情况已经转给技术部门分析，预计{数}个工作日内给您答复。",
    "师傅反馈需要更换{部件}，配件到了会第一时间安排上门。",
];
const PROGRESS_NOT_DEVICE: &[&str] = &[
    "已经联系网点负责人核实情况，明天给您回复。",
    "网点已经确认会重新安排师傅上门，时间定下来后通知您。",
    "{部门}正在核实当时的记录，预计{数}个工作日内给您答复。",
];
const PROGRESS_COMPLAINT: &[&str] = &[
    "您的投诉已经转交{部门}调查，我每天都会跟进进展。",
    "您的投诉已经受理，相关部门正在核实，有结论会第一时间告诉您。",
    "主管已经在审核处理方案，稍后会电话和您确认。",
    "调查还需要{数}个工作日，期间有任何情况您都可以直接找我。",
];
/// A question back to the customer, after a progress report.
const PROGRESS_ASKS: &[&str] = &[
    "麻烦您再补充一张{部件}位置的照片。",
    "请您确认一下上门地址是否有变化。",
    "方便的话请提供一下购买发票的照片。",
    "麻烦您收到消息后回复确认一下。",
    "如果这期间情况有变化，请直接回复这个工单。",
];

const SOLUTION_FAULT: &[&str] = &[
    "师傅已上门确认是{部件}故障，已经为您更换，目前{产品}运行正常。",
    "经检测{部件}损坏，已免费为您更换新件，保修期内不收取任何费用。",
    "考虑到您的情况，已为您申请更换新机，新机预计三天内送达并安装。",
    "退货申请已经审核通过，货款{价格}元会在3到5个工作日内原路退回。",
    "{部件}已经更换完毕，师傅也帮您做了全面检查，其他部件都正常。",
];
const SOLUTION_NOT_DEVICE: &[&str] = &[
    "网点负责人已经向您致歉，相关师傅也已做了处理，后续服务由网点主管直接负责。",
    "多收的费用已经退回，给您带来不好的体验，非常抱歉。",
    "已重新安排经验丰富的师傅上门，问题已经处理好了。",
    "缺的{部件}已经到货并安装完毕，让您久等了。",
];
const SOLUTION_COMPLAINT: &[&str] = &[
    "您的投诉已经处理完毕，处理方案已按和您确认的内容落实。",
    "经公司调查核实，相关处理已经完成，我们也会加强管理，避免类似情况再次发生。",
    "感谢您对我们工作的监督，这次的问题我们已经做了内部整改，处理结果也已经和您电话确认。",
    "关于{产品}的问题，处理方案已经落实，后续如有任何异常请直接联系我。",
];

const SUGGESTION_FIRST: &[&str] = &[
    "非常感谢您的宝贵建议，我已经详细记录，会转交产品部门评估。",
    "感谢您对恒信的支持，您提的建议很中肯，我们会认真研究。",
    "谢谢您花时间给我们提建议，已经登记并转给相关部门。",
];
const SUGGESTION_PROGRESS: &[&str] = &[
    "您的建议已经提交到产品部门，目前正在评估中，有结果会第一时间告诉您。",
    "相关部门已经收到您的建议，正在讨论可行性。",
];
const SUGGESTION_SOLUTION: &[&str] = &[
    "您的建议已经被采纳，会在后续批次中改进，再次感谢您的支持！",
    "您提的建议已经纳入下个季度的改进计划，作为感谢，我们为您的账户发放了一张保养优惠券。",
    "经评估，您的建议暂时无法马上实现，但已列入产品规划参考，感谢您的理解。",
];

const CLOSINGS_AGENT: &[&str] = &[
    "如果还有其他问题，随时联系我们。",
    "后续有任何问题可以直接回复这个工单。",
    "祝您生活愉快！",
    "稍后可能会有回访电话，请您留意。",
    "感谢您的理解和支持。",
];
const CLOSINGS_AGENT_PENDING: &[&str] = &[
    "有进展我会第一时间通知您。",
    "请保持电话畅通。",
    "感谢您的耐心。",
];
const SIGNATURES: &[&str] = &[
    "——客服{客服}",
    "（客服{客服}）",
    "\n客服{客服}",
    "\n恒信客服 {客服}",
];

/// An agent's reply at `stage` of a ticket about `topic`, sometimes signed with `agent_name`.
pub fn agent_reply(
    rng: &mut Rng,
    ticket_type: TicketType,
    topic: &Topic,
    agent_name: &str,
    stage: ReplyStage,
) -> String {
    let agent = agent_name.trim();
    let x = Extras::new(rng, topic);
    let problem = problem_named(topic.problem);
    let introduces = stage == ReplyStage::First && !agent.is_empty() && chance(rng, 0.3);
    let mut s = if introduces {
        format!("您好，我是恒信客服{agent}。")
    } else {
        let hellos = match stage {
            ReplyStage::First => HELLO_FIRST,
            ReplyStage::Progress => HELLO_PROGRESS,
            ReplyStage::Solution => HELLO_SOLUTION,
        };
        (pick_str(rng, hellos)).to_owned()
    };
    for sentence in reply_sentences(rng, ticket_type, topic, problem, stage) {
        s.push_str(&x.fill(sentence, topic, agent));
    }
    let closing = match stage {
        ReplyStage::Solution if chance(rng, 0.8) => Some(pick_str(rng, CLOSINGS_AGENT)),
        ReplyStage::First | ReplyStage::Progress if chance(rng, 0.3) => {
            Some(pick_str(rng, CLOSINGS_AGENT_PENDING))
        }
        _ => None,
    };
    if let Some(c) = closing {
        s.push_str(c);
    }
    if !introduces && !agent.is_empty() && chance(rng, 0.4) {
        s.push_str(&x.fill(pick_str(rng, SIGNATURES), topic, agent));
    }
    s
}

/// The middle of an agent's reply: one to three templates.
fn reply_sentences(
    rng: &mut Rng,
    ticket_type: TicketType,
    topic: &Topic,
    problem: &Problem,
    stage: ReplyStage,
) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(3);
    match (ticket_type, stage) {
        (TicketType::Inquiry, ReplyStage::First) => out.push(pick_str(rng, ask_of(topic).answers)),
        (TicketType::Inquiry, ReplyStage::Progress) => {
            out.push("您咨询的问题我已经和同事确认过了：");
            out.push(pick_str(rng, ask_of(topic).answers));
        }
        (TicketType::Inquiry, ReplyStage::Solution) => {
            let (a, b) = pick_two(rng, ask_of(topic).answers);
            out.push(*a);
            if chance(rng, 0.4) {
                out.push(*b);
            }
            out.push("如果还有其他疑问，欢迎随时咨询。");
        }
        (TicketType::Suggestion, ReplyStage::First) => out.push(pick_str(rng, SUGGESTION_FIRST)),
        (TicketType::Suggestion, ReplyStage::Progress) => {
            out.push(pick_str(rng, SUGGESTION_PROGRESS))
        }
        (TicketType::Suggestion, ReplyStage::Solution) => {
            out.push(pick_str(rng, SUGGESTION_SOLUTION))
        }
        (TicketType::OrderIssue, ReplyStage::First) => {
            out.push(pick_str(rng, order_trouble_of(topic).first))
        }
        (TicketType::OrderIssue, ReplyStage::Progress) => {
            out.push(pick_str(rng, order_trouble_of(topic).progress));
            if chance(rng, 0.4) {
                out.push(pick_str(
                    rng,
                    &[
                        "请您留意快递电话。",
                        "如有变化我会再通知您。",
                        "麻烦您收到后回复确认一下。",
                    ],
                ));
            }
        }
        (TicketType::OrderIssue, ReplyStage::Solution) => {
            out.push(pick_str(rng, order_trouble_of(topic).solution))
        }
        (TicketType::Complaint, ReplyStage::First) => {
            out.push(pick_str(rng, EMPATHY));
            out.push(pick_str(rng, FIRST_COMPLAINT));
        }
        (TicketType::Complaint, ReplyStage::Progress) => {
            out.push(pick_str(rng, PROGRESS_COMPLAINT));
            if chance(rng, 0.3) {
                out.push(pick_str(rng, PROGRESS_ASKS));
            }
        }
        (TicketType::Complaint, ReplyStage::Solution) => {
            out.push(pick_str(rng, SOLUTION_COMPLAINT))
        }
        (_, ReplyStage::First) => {
            if chance(rng, 0.6) {
                out.push(pick_str(rng, EMPATHY));
            }
            if !problem.device {
                out.push(pick_str(rng, FIRST_NOT_DEVICE));
            } else if ticket_type == TicketType::AfterSales {
                out.push(pick_str(rng, FIRST_AFTER_SALES));
            } else {
                out.push(pick_str(rng, FIRST_FAULT));
            }
            if problem.device && chance(rng, 0.5) {
                out.push(pick_str(rng, ASK_DEVICE));
            }
        }
        (_, ReplyStage::Progress) => {
            let list = if problem.device {
                PROGRESS_FAULT
            } else {
                PROGRESS_NOT_DEVICE
            };
            out.push(pick_str(rng, list));
            if chance(rng, 0.6) {
                out.push(pick_str(rng, PROGRESS_ASKS));
            }
        }
        (_, ReplyStage::Solution) => {
            let list = if problem.device {
                SOLUTION_FAULT
            } else {
                SOLUTION_NOT_DEVICE
            };
            out.push(pick_str(rng, list));
        }
    }
    out
}

const SATISFIED_DEVICE: &[&str] = &[
    "师傅今天来修好了，{产品}现在用着正常，谢谢你们。",
    "已经换好了，效果不错，给你们点个赞。",
    "问题解决了，这次来的师傅很专业。",
    "可以了，这两天没再出现{问题}的情况。",
    "{部件}换了以后一切正常，辛苦了。",
];
const SATISFIED_ANY: &[&str] = &[
    "好的，谢谢！",
    "收到，辛苦了。",
    "行，就按你们说的办，谢谢。",
    "好的，明白了，谢谢解答。",
    "收到了，处理得挺快的，谢谢。",
    "好的，没问题了。",
];
const SATISFIED_EXTRA: &[&str] = &[
    "服务态度也很好。",
    "另外想问一下，{部件}平时要怎么保养？",
    "以后有需要还找你们。",
    "下次能不能提前一点通知上门时间？",
];
const UNSATISFIED_DEVICE: &[&str] = &[
    "师傅来看过了，还是{问题}，根本没修好。",
    "换了{部件}好了两天，现在又不行了。",
    "师傅说要等配件，可是每天都要用，等不起。",
    "照片已经发了，到底什么时候能来修？",
];
const UNSATISFIED_ANY: &[&str] = &[
    "都三天了还没人联系我，到底什么时候能处理？",
    "这个处理方案我不能接受，我要求退货。",
    "你们每次都说在处理，能不能给个准确时间？",
    "我已经打了好几次电话了，每次都要从头说一遍。",
    "再解决不了，我只能去12315投诉了。",
    "明天上午在家，这次别再让我白等了。",
    "时间随便，越快越好，已经等好几天了。",
    "补偿太少了，耽误了这么多天，说不过去。",
];

/// A customer's answer later in the conversation; `satisfied` says whether things went their way.
pub fn customer_reply(rng: &mut Rng, topic: &Topic, satisfied: bool) -> String {
    let device = problem_named(topic.problem).device;
    let (own, any) = if satisfied {
        (SATISFIED_DEVICE, SATISFIED_ANY)
    } else {
        (UNSATISFIED_DEVICE, UNSATISFIED_ANY)
    };
    let first = if device && chance(rng, 0.5) {
        pick_str(rng, own)
    } else {
        pick_str(rng, any)
    };
    let mut s = fill(first, topic, "");
    if satisfied && chance(rng, 0.3) {
        s.push_str(&fill(pick_str(rng, SATISFIED_EXTRA), topic, ""));
    } else if !satisfied && chance(rng, 0.25) {
        let (a, b) = pick_two(rng, UNSATISFIED_ANY);
        let more = if *a == first { *b } else { *a };
        s.push_str(more);
    }
    s
}

const NOTES: &[&str] = &[
    "已联系当地网点，{师傅}师傅预计{天}上门。",
    "{部件}（{编号}）本地仓没有库存，已申请从杭州中心仓调拨。",
    "查了购买记录，该机在保修期内，按保内流程处理。",
    "客户情绪比较激动，建议主管回个电话安抚一下。",
    "{型号}近一个月已有好几起“{问题}”的反馈，已抄送品质部关注。",
    "客户第二次报修同一问题，按首问负责继续跟进，不要转派。",
    "已电话确认上门时间，客户要求师傅进门穿鞋套。",
    "师傅反馈现场检测{部件}正常，怀疑是电压不稳，待复查。",
    "重点客户，请优先处理。",
    "换机申请已提交，等主管审批。",
    "配件到了请通知我，我来约客户时间。",
    "客户提到在网上发过帖子，注意舆情。",
    "客户要求开具维修发票，记得提醒网点。",
    "已发短信告知客户工单号，方便后续查询。",
    "网点反馈客户{天}不在家，上门时间改期。",
    "已和仓储部确认，{附件}明天随车发出。",
    "财务确认款项已原路退回，等客户确认到账。",
];

/// An internal note between colleagues (never shown to the customer).
pub fn internal_note(rng: &mut Rng, topic: &Topic) -> String {
    let x = Extras::new(rng, topic);
    let mut s = String::new();
    if chance(rng, 0.25) {
        s.push('@');
        s.push_str(&person_name(rng));
        s.push(' ');
    }
    let (a, b) = pick_two(rng, NOTES);
    s.push_str(&x.fill(a, topic, ""));
    if chance(rng, 0.35) {
        s.push_str(&x.fill(b, topic, ""));
    }
    s
}
