//! Complaints — 投诉处理闭环: the texts of a complaint's record through its stages.

use fastrand::Rng;
use kefu_domain::complaint::{Category, Cause, Remedy};

use super::Topic;
use super::fragments::BOUGHT_REPORTED;
use super::helpers::{chance, fill_with, pick, pick_str, pick_weighted};
use super::problems::problem_named;
use super::replies::WORKING_DAYS;

/// The texts of a complaint's record through its stages (投诉处理闭环).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintTexts {
    /// 投诉内容
    pub content: String,
    pub cause: Cause,
    /// 调查结果
    pub findings: String,
    pub remedy: Remedy,
    /// 处理方案说明
    pub proposal: String,
    /// What the solution costs the company, in fen; 0 for an apology.
    pub cost_fen: i64,
    /// 回访记录
    pub follow_up: String,
    pub summary: String,
    pub lessons: String,
    /// 改进措施
    pub measure: String,
    /// The polite answer when the complaint is judged not valid.
    pub invalid_reason: String,
    /// The responsible department's answer to the 投诉处理通知.
    pub notice_answer: String,
}

/// What investigations find, by complaint category.
pub(super) fn causes_for(category: Category) -> &'static [(Cause, u32)] {
    match category {
        Category::Quality => &[
            (Cause::Production, 35),
            (Cause::Inspection, 15),
            (Cause::Design, 20),
            (Cause::CustomerMisuse, 15),
            (Cause::Other, 15),
        ],
        Category::Delivery => &[
            (Cause::Logistics, 70),
            (Cause::Service, 20),
            (Cause::Other, 10),
        ],
        Category::Service => &[(Cause::Service, 85), (Cause::Other, 15)],
        Category::Billing => &[(Cause::Service, 70), (Cause::Other, 30)],
        Category::Installation => &[
            (Cause::Service, 70),
            (Cause::CustomerMisuse, 15),
            (Cause::Other, 15),
        ],
        Category::Other => &[(Cause::Other, 60), (Cause::Service, 40)],
    }
}

/// What the department offers, by category and cause.
pub(super) fn remedies_for(category: Category, cause: Cause) -> &'static [(Remedy, u32)] {
    match (category, cause) {
        (Category::Billing, _) => &[
            (Remedy::Refund, 60),
            (Remedy::Apologise, 25),
            (Remedy::Compensate, 15),
        ],
        (_, Cause::Production | Cause::Inspection | Cause::Design) => &[
            (Remedy::Repair, 35),
            (Remedy::Replace, 15),
            (Remedy::Exchange, 25),
            (Remedy::Return, 10),
            (Remedy::Compensate, 10),
            (Remedy::Refund, 5),
        ],
        (_, Cause::Logistics) => &[
            (Remedy::Replace, 35),
            (Remedy::Exchange, 30),
            (Remedy::Compensate, 25),
            (Remedy::Return, 10),
        ],
        (_, Cause::Service) => &[
            (Remedy::Apologise, 40),
            (Remedy::Compensate, 35),
            (Remedy::Repair, 25),
        ],
        (_, Cause::CustomerMisuse) => &[(Remedy::Repair, 70), (Remedy::Apologise, 30)],
        (_, Cause::Other) => &[
            (Remedy::Repair, 40),
            (Remedy::Compensate, 30),
            (Remedy::Apologise, 30),
        ],
    }
}

/// What a remedy costs the company, in fen, for a product of `price_yuan`.
fn remedy_cost(rng: &mut Rng, remedy: Remedy, cause: Cause, price_yuan: u32) -> i64 {
    let price = i64::from(price_yuan);
    let round = |yuan: i64| (yuan / 10 * 10).max(10);
    let yuan = match remedy {
        Remedy::Apologise => 0,
        Remedy::Return => price.max(1),
        Remedy::Exchange => round(price * rng.i64(55..=80) / 100),
        Remedy::Replace => round(price * rng.i64(4..=15) / 100 + 60),
        Remedy::Repair if cause == Cause::CustomerMisuse => rng.i64(3..=20) * 10,
        Remedy::Repair => round((price * rng.i64(5..=18) / 100).clamp(120, 1500)),
        Remedy::Refund => (rng.i64(5..=60) * 10).min(price.max(10)),
        Remedy::Compensate => (rng.i64(2..=16) * 50).min((price / 2 / 50 * 50).max(50)),
    };
    yuan * 100
}

const CONTENT_LEADS: &[&str] = &[
    "客户反映：",
    "客户来电投诉：",
    "客户通过公众号投诉：",
    "客户来函投诉：",
    "客户在线投诉：",
];
const CONTENT_HISTORY: &[&str] = &[
    "此前已报修两次，均未解决。",
    "联系售后后等了{数}天无人上门。",
    "上次维修更换过{部件}，不到一个月故障复现。",
    "客户多次致电400热线，未得到明确答复。",
    "客户称网点答应的回复时间已过，无人跟进。",
];

/// What complainants ask for, by category.
fn demands_for(category: Category) -> &'static [&'static str] {
    match category {
        Category::Quality => &[
            "客户要求更换新机。",
            "客户要求退货退款。",
            "客户要求彻底修好并延长保修。",
            "客户要求出具书面检测报告。",
        ],
        Category::Delivery => &[
            "客户要求尽快补发或换货。",
            "客户要求赔偿因延误造成的损失。",
            "客户要求说明延误原因。",
        ],
        Category::Service => &[
            "客户要求相关人员道歉并给出说法。",
            "客户要求更换服务网点。",
            "客户要求公司对网点进行处理。",
        ],
        Category::Billing => &[
            "客户要求退还多收的费用并出具收费明细。",
            "客户要求按公司收费标准重新结算。",
        ],
        Category::Installation => &[
            "客户要求重新安装并赔偿墙面损失。",
            "客户要求派有经验的师傅重新处理。",
        ],
        Category::Other => &["客户要求给出明确答复。", "客户要求公司负责人回电。"],
    }
}

/// 调查结果, by cause.
fn findings_for(cause: Cause) -> &'static [&'static str] {
    match cause {
        Cause::Production => &[
            "经品质部拆机检测，{部件}（{编号}）装配不到位，导致{问题}，属生产环节责任。",
            "返厂件检测发现{部件}焊点虚焊，与该批次生产记录中一次工装更换的时间吻合，判定为生产问题。",
            "{部件}内部线束被挤压破损，系总装工序操作不规范所致。",
        ],
        Cause::Inspection => &[
            "该机{部件}出厂前已存在缺陷，出厂检验未按规定全检，属质检漏检。",
            "追溯检验记录，该批次{部件}为抽检放行，抽检样本未覆盖此缺陷。",
            "来料检验时{部件}有一项参数处于临界值，未被判定为不合格。",
        ],
        Cause::Logistics => &[
            "核查物流记录，运输途中外箱有明显受压痕迹，{部件}在运输中受损。",
            "承运商中转时野蛮装卸，签收照片可见外箱破损。",
            "配件发出后在中转站滞留五天，承运商未及时派送。",
        ],
        Cause::Service => &[
            "经核实，网点师傅未按约定时间上门，也未提前告知客户，属服务责任。",
            "调取通话录音，网点人员答复客户时语气生硬，未使用服务规范用语。",
            "网点师傅收费未按公司标准执行，多收了配件费用。",
            "师傅首次上门判断有误，未更换故障的{部件}，导致客户重复报修。",
        ],
        Cause::Design => &[
            "技术分析认为{型号}的{部件}在高温高湿环境下余量不足，容易出现{问题}。",
            "同型号已累计收到多起类似反馈，系{部件}结构设计缺陷，不是个例。",
            "{部件}安装位置散热不良，长时间运行后性能衰减。",
        ],
        Cause::CustomerMisuse => &[
            "上门检查发现客户未按说明书要求使用，{部件}长期未清洁保养。",
            "现场检查发现插座接线不规范，电压波动导致{部件}损坏，不属于产品质量问题。",
            "客户自行拆装移位后未做调试，导致{问题}。",
        ],
        Cause::Other => &[
            "多次上门检测均未能复现故障，初步判断与使用环境（电压、水压）有关。",
            "经与客户沟通核实，{问题}系小区供电不稳导致，产品本身无质量问题。",
            "原因暂不明确，已将{部件}返厂做进一步分析。",
        ],
    }
}

/// 处理方案说明, by remedy (`{金额}` is the cost in yuan).
fn proposals_for(remedy: Remedy, cause: Cause, category: Category) -> &'static [&'static str] {
    match remedy {
        Remedy::Replace => &[
            "免费补发{部件}（{编号}）一件，由当地网点上门更换，配件及上门费用共计{金额}元由公司承担。",
            "为客户补寄新的{部件}，并安排师傅上门安装，相关费用{金额}元由责任部门承担。",
        ],
        Remedy::Return => &[
            "同意办理退货，物流上门取回原机，全额退款{金额}元，原路退回。",
            "按三包规定为客户办理退货，退还货款{金额}元。",
        ],
        Remedy::Exchange => &[
            "为客户更换同型号新机一台，旧机由物流上门取回，公司承担换机成本约{金额}元。",
            "为客户换新，新机到货后由网点免费安装，换机损失{金额}元由责任部门承担。",
        ],
        Remedy::Refund if category == Category::Billing => &[
            "退还客户多收的费用{金额}元，3个工作日内原路退回，并向客户出具收费明细。",
            "按公司收费标准重新结算，差额{金额}元退还客户。",
        ],
        Remedy::Refund => &["向客户退还部分货款{金额}元，作为对此次问题的补偿。"],
        Remedy::Repair if cause == Cause::CustomerMisuse => &[
            "上门维修更换{部件}，按保外标准收费，公司给予配件折让{金额}元，并现场讲解正确使用方法。",
            "安排师傅上门维修，维修费按八折收取，公司承担折让部分{金额}元。",
        ],
        Remedy::Repair => &[
            "安排高级工程师上门维修，更换{部件}，维修费用{金额}元由公司承担，并将该部件保修延长一年。",
            "由技术骨干上门彻底检修，更换{部件}及相关易损件，费用{金额}元由公司承担。",
        ],
        Remedy::Compensate => &[
            "向客户补偿{金额}元，并赠送一次免费清洗保养服务。",
            "向客户发放{金额}元的购物代金券，作为对延误和不便的补偿。",
        ],
        Remedy::Apologise => &[
            "由网点负责人电话致歉并上门说明情况，不涉及费用。",
            "由客服主管向客户书面致歉，并对相关人员进行内部处理，不涉及费用。",
        ],
    }
}

/// 回访记录, by remedy.
fn follow_ups_for(remedy: Remedy) -> &'static [&'static str] {
    match remedy {
        Remedy::Repair | Remedy::Replace => &[
            "电话回访客户，{产品}已恢复正常使用，客户对处理结果表示满意。",
            "回访时客户表示维修后运行稳定，对师傅的服务态度比较认可。",
            "回访客户，问题已解决，但客户认为处理周期偏长，希望以后响应更快。",
        ],
        Remedy::Exchange => &[
            "回访客户，新机运行良好，客户对换机处理表示满意。",
            "客户表示新机已安装使用，整体满意，对前期等待仍有些意见。",
        ],
        Remedy::Return | Remedy::Refund => &[
            "客户确认已收到退款{金额}元，对处理结果无异议。",
            "回访时客户表示退款已到账，接受处理结果。",
        ],
        Remedy::Compensate => &[
            "客户已收到补偿，表示理解并接受。",
            "回访客户，对补偿方案表示满意，愿意继续使用恒信产品。",
        ],
        Remedy::Apologise => &[
            "客户表示已接到网点负责人的道歉电话，接受处理结果。",
            "回访时客户情绪平稳，表示希望以后服务更规范。",
        ],
    }
}

fn cause_phrase(cause: Cause) -> &'static str {
    match cause {
        Cause::Production => "系{部件}生产装配问题导致",
        Cause::Inspection => "系出厂检验漏检导致",
        Cause::Logistics => "系运输环节受损或延误导致",
        Cause::Service => "系服务人员工作不到位导致",
        Cause::Design => "系{部件}设计余量不足导致",
        Cause::CustomerMisuse => "主要原因为客户使用不当",
        Cause::Other => "与使用环境等外部因素有关",
    }
}

fn remedy_phrase(remedy: Remedy) -> &'static str {
    match remedy {
        Remedy::Replace => "已免费补发{部件}",
        Remedy::Return => "已办理退货退款",
        Remedy::Exchange => "已为客户换新机",
        Remedy::Refund => "已退还相关费用",
        Remedy::Repair => "已上门维修",
        Remedy::Compensate => "已给予客户补偿",
        Remedy::Apologise => "已向客户致歉",
    }
}

/// 经验教训, by cause.
fn lessons_for(cause: Cause) -> &'static [&'static str] {
    match cause {
        Cause::Production => &[
            "{部件}装配工序缺少复检环节，问题流到了客户手上。",
            "生产异常没有及时反馈到客户服务部，导致同类投诉重复出现。",
        ],
        Cause::Inspection => &[
            "抽检比例偏低，关键部件的缺陷没能在出厂前发现。",
            "检验标准对{部件}的要求不够明确。",
        ],
        Cause::Logistics => &[
            "包装防护不足，长途运输中容易受损。",
            "对承运商的时效缺少跟踪，延误没有被及时发现。",
        ],
        Cause::Service => &[
            "网点执行服务规范不到位，首次上门没有一次解决问题。",
            "客服对网点的跟进不及时，客户反复催促才有回应。",
        ],
        Cause::Design => &[
            "{型号}在高温高湿环境下的适应性验证不足。",
            "同类问题已有多次反馈，但没有及时上升到设计层面分析。",
        ],
        Cause::CustomerMisuse => &[
            "交付时对使用注意事项讲解不够，客户不清楚正确用法。",
            "说明书中关于{部件}保养的提示不够醒目。",
        ],
        Cause::Other => &[
            "对使用环境引起的问题缺少统一的解释口径，与客户沟通耗时较长。",
            "疑难问题的判断周期偏长，影响客户体验。",
        ],
    }
}

/// 改进措施, by cause.
fn measures_for(cause: Cause) -> &'static [&'static str] {
    match cause {
        Cause::Production => &[
            "生产部在{部件}装配工序增加扭矩复检，并对相关员工重新培训。",
            "对同批次产品进行排查，已售产品由客户服务部主动回访。",
        ],
        Cause::Inspection => &[
            "品质部将{部件}纳入出厂全检项目，并修订检验规程。",
            "提高来料抽检比例，临界参数一律复检。",
        ],
        Cause::Logistics => &[
            "加强外包装，增加角部防护；对承运商进行考核，连续两次破损即更换。",
            "配件发货全程跟踪，超过三天未签收自动预警。",
        ],
        Cause::Service => &[
            "对涉事网点进行通报并纳入季度考核，组织服务规范培训。",
            "维修单增加“一次修复率”考核，复修单由主管回访。",
        ],
        Cause::Design => &[
            "设计部评估改进{部件}设计，纳入下一批次设计变更。",
            "在高温高湿地区增加{型号}的现场验证。",
        ],
        Cause::CustomerMisuse => &[
            "安装交付时由师傅当面讲解使用和保养要点，并在说明书首页加粗提示。",
            "在公众号推送{产品}的正确使用和保养方法。",
        ],
        Cause::Other => &[
            "整理使用环境类问题的标准答复，纳入话术库。",
            "疑难故障48小时内升级到技术人员会诊。",
        ],
    }
}

/// The responsible department's answer to the notice; the department answering follows the
/// category (品质部 for quality, 仓储部 for delivery, 财务部 for billing …), so it says 我部.
fn notice_answers_for(category: Category) -> &'static [&'static str] {
    match category {
        Category::Quality => &[
            "我部已收到投诉处理通知，将调取{部件}（{编号}）的批次记录并安排检测，{数}个工作日内书面反馈。",
            "已收到，已通知网点寄回故障的{部件}，检测后出具分析报告。",
            "收到。我部已安排质量工程师跟进，请客服提供故障照片和维修单号。",
        ],
        Category::Delivery => &[
            "我部已收到通知，正在核对发货记录和承运商的签收信息，明天下班前反馈。",
            "已收到，已联系承运商调取运输记录，{数}个工作日内给出调查意见。",
            "收到。我部已查到该单的出库记录，正在和物流方核实原因。",
        ],
        Category::Billing => &[
            "我部已收到通知，正在调取该单的收费明细和网点结算记录，{数}个工作日内反馈。",
            "收到。我部核对后如确属多收，将按原路退款流程办理。",
        ],
        Category::Installation => &[
            "我部已收到投诉处理通知，已安排技术人员核查{产品}的安装工艺要求和现场照片，{数}个工作日内反馈。",
            "收到。我部将会同网点对安装质量进行复查，并提交书面意见。",
        ],
        Category::Service => &[
            "我部已收到通知，已调取通话录音和网点派工记录，明天给出初步意见。",
            "收到。已约谈相关网点负责人，{数}个工作日内提交调查结果。",
        ],
        Category::Other => &[
            "我部已收到通知，正在联系经销商核实销售和交付情况，{数}个工作日内反馈。",
            "收到。我部将配合调查，请客服补充客户的购买凭证。",
        ],
    }
}

const INVALID_REASONS: &[&str] = &[
    "经上门检测，{产品}各项指标正常，客户所述情况未能复现，已向客户耐心解释并取得理解。",
    "该机已超出保修期，且{部件}损坏系外力所致，不属于质量问题，已婉转向客户说明，并告知付费维修渠道。",
    "客户反映的情况属于正常现象（如运行时轻微的气流声），已向客户说明原理，客户表示理解。",
    "经核实，该产品并非通过授权渠道购买，机身条码与销售记录不符，已向客户说明并提供付费维修渠道。",
];
const INVALID_REASONS_BILLING: &[&str] = &[
    "客户所述收费项目与公司公示标准一致，已出示收费明细并向客户解释清楚，客户表示理解。",
    "经核实，所收费用为保外配件费，网点已提供正规发票，收费合理，已向客户说明。",
];
const SUMMARY_RESULTS: &[&str] = &[
    "客户接受处理结果，投诉关闭",
    "回访客户满意，予以结案",
    "客户基本满意，予以结案",
];

/// The texts of a complaint about `topic` through every stage; the cause and the remedy fit
/// the topic's category and problem.
pub fn complaint_texts(rng: &mut Rng, topic: &Topic) -> ComplaintTexts {
    let problem = problem_named(topic.problem);
    let days = pick_str(rng, WORKING_DAYS);
    let cause = *pick_weighted(rng, causes_for(topic.category));
    let remedy = *pick_weighted(rng, remedies_for(topic.category, cause));
    let cost_fen = remedy_cost(rng, remedy, cause, topic.product.price_yuan);
    let amount = (cost_fen / 100).to_string();
    let slots = [("金额", amount.as_str()), ("数", days)];
    let f = |template: &str| fill_with(template, topic, "", &slots);

    let wording = f(pick_str(rng, problem.wordings));
    let lead = pick_str(rng, CONTENT_LEADS);
    let mut content = if problem.device {
        let (bought, _) = *pick(rng, BOUGHT_REPORTED);
        format!(
            "{lead}{bought}{}{}，{wording}。",
            topic.product.name, topic.problem
        )
    } else {
        format!("{lead}{wording}，涉及产品为{}。", topic.product.name)
    };
    if chance(rng, 0.7) {
        content.push_str(&f(pick_str(rng, CONTENT_HISTORY)));
    }
    content.push_str(pick_str(rng, demands_for(topic.category)));

    let invalid = if topic.category == Category::Billing {
        INVALID_REASONS_BILLING
    } else {
        INVALID_REASONS
    };
    ComplaintTexts {
        content,
        cause,
        findings: f(pick_str(rng, findings_for(cause))),
        remedy,
        proposal: f(pick_str(rng, proposals_for(remedy, cause, topic.category))),
        cost_fen,
        follow_up: f(pick_str(rng, follow_ups_for(remedy))),
        summary: f(format!(
            "本次投诉{}，{}，{}。",
            cause_phrase(cause),
            remedy_phrase(remedy),
            pick(rng, SUMMARY_RESULTS)
        )
        .as_str()),
        lessons: f(pick_str(rng, lessons_for(cause))),
        measure: f(pick_str(rng, measures_for(cause))),
        invalid_reason: f(pick_str(rng, invalid)),
        notice_answer: f(pick_str(rng, notice_answers_for(topic.category))),
    }
}
