//! 回访与满意度语料 — what the demo company's customers say on a follow-up call, in a survey's
//! comment and in the relationship survey, and what its people write: the lead's follow-up
//! of a low score, the manager's visit reports, the service plans and the key accounts'
//! policies. 恒信电器 sells household appliances and commercial cold-chain equipment to
//! dealers, distributors, hotels and restaurants; `{产品}` is filled with one of its
//! products as customers call it.

use fastrand::Rng;
use kefu_domain::follow_up::visit::{Aspect, Reach, Satisfaction};
use kefu_domain::key_account::plan::Stage;
use kefu_domain::key_account::policy::PolicyKind;

use crate::demo::corpus::PRODUCTS;

use Aspect::*;

fn one<T: Copy>(rng: &mut Rng, items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| items[rng.usize(..items.len())])
}

/// `text` with `{产品}` made one of the company's products.
fn with_product(rng: &mut Rng, text: &str) -> String {
    let product = if PRODUCTS.is_empty() {
        "空调"
    } else {
        PRODUCTS[rng.usize(..PRODUCTS.len())].short
    };
    text.replace("{产品}", product)
}

/// A visit's result: what it was about, the customer's words, the next action.
type Said = (&'static [Aspect], &'static str, &'static str);

const SATISFIED: &[Said] = &[
    (
        &[Product],
        "这批{产品}装好后一直在用，运行很稳定，店里员工说操作也简单。",
        "无需跟进，按计划下期回访",
    ),
    (
        &[Delivery, Agent],
        "上次补货到得很快，你们客服跟得也紧，有事一个电话就解决了。",
        "无，保持现有补货节奏",
    ),
    (
        &[AfterSales],
        "前阵子{产品}出了点小毛病，师傅第二天就上门修好了，没耽误营业。",
        "记录客户对售后时效的认可，告知售后组",
    ),
    (
        &[Attitude],
        "你们服务态度一直很好，有问题都耐心解释，合作这么多年很放心。",
        "无",
    ),
    (
        &[Product, Price],
        "{产品}质量不错，价格在同档次里也算实在，门店卖得挺好。",
        "询问下季度备货计划，转销售跟进",
    ),
    (
        &[Agent],
        "对接的客服很专业，订单、发票、物流都帮我们盯着，省了不少心。",
        "无，保持现有对接人",
    ),
    (
        &[Delivery],
        "最近几次发货都很准时，包装也比以前结实，没再出现磕碰。",
        "无",
    ),
    (
        &[Product],
        "新款{产品}省电效果明显，顾客反馈比老款安静不少。",
        "将客户反馈转产品部参考",
    ),
    (
        &[AfterSales, Attitude],
        "安装师傅很守时，装完还把现场收拾干净了，我们老板挺满意。",
        "无",
    ),
    (
        &[Product, Delivery],
        "整体都挺满意的，就是希望旺季前能提前把货备足。",
        "提醒销售旺季前与客户确认备货量",
    ),
    (
        &[Agent, Attitude],
        "有问题找你们都能及时回复，比之前合作的厂家强多了。",
        "无",
    ),
    (
        &[Price],
        "今年的价格政策我们能接受，返利也按时到账了。",
        "无，下季度政策调整时提前告知客户",
    ),
];

const NEUTRAL: &[Said] = &[
    (
        &[Delivery],
        "产品还行，就是上次到货晚了三天，差点影响我们的促销活动。",
        "转物流部核查发货时效，下次发货前提前告知客户",
    ),
    (
        &[Price],
        "价格比去年涨了一点，我们利润空间被压缩了，希望能再谈谈。",
        "反馈给销售经理，安排价格沟通",
    ),
    (
        &[AfterSales],
        "报修后师傅来得不算慢，不过一次没修好，又跑了一趟。",
        "转售后组复盘二次上门原因",
    ),
    (
        &[Product],
        "{产品}用着还可以，但有几台噪音偏大，顾客有反映。",
        "约售后上门检测噪音问题",
    ),
    (
        &[Agent],
        "客服换了几次人，每次都要重新讲一遍情况，有点麻烦。",
        "固定对接人，并在客户档案中备注历史问题",
    ),
    (
        &[Delivery, AfterSales],
        "配件等了一个多星期才到，其他方面还行。",
        "跟进配件库存，缩短到货周期",
    ),
    (
        &[Product, Price],
        "质量中规中矩，价格也没什么优势，主要还是看你们的服务。",
        "安排客户经理拜访，了解竞品情况",
    ),
    (
        &[Attitude],
        "热线打了两次才有人接，接通后态度倒是挺好。",
        "反馈热线排班，高峰期增加人手",
    ),
];

const UNSATISFIED: &[Said] = &[
    (
        &[Delivery],
        "这个月连着两批货都晚到，还有一箱外包装破损，已经影响我们正常供货了。",
        "已转物流部处理，三天内给客户答复",
    ),
    (
        &[AfterSales, Attitude],
        "报修一个星期了还没人来，打电话只说在排队，太耽误事了。",
        "升级售后主管，今天内安排上门",
    ),
    (
        &[Product],
        "新到的{产品}有好几台开机就报故障，顾客都来退货了。",
        "登记质量问题，安排技术人员上门检测并协商换货",
    ),
    (
        &[Price],
        "听说你们给别家的价格比我们低，我们拿货量更大，这个说不过去。",
        "转销售经理核实价格政策并回电客户",
    ),
    (
        &[Agent],
        "对接的客服回复太慢，问个发票进度要等好几天。",
        "转客服主管跟进，加强对接人培训",
    ),
    (
        &[AfterSales, Product],
        "同一个问题修了三次还没好，我们要求直接换新机。",
        "提交换机申请，报质量部分析故障原因",
    ),
];

/// 回访结果 — mostly 满意, some 一般, a few 不满意, with what the customer said about it.
pub(super) fn visit_result(
    rng: &mut Rng,
) -> (Satisfaction, &'static [Aspect], String, &'static str) {
    let satisfaction = super::weighted(
        rng,
        &[
            (Satisfaction::Satisfied, 78),
            (Satisfaction::Neutral, 16),
            (Satisfaction::Unsatisfied, 6),
        ],
    )
    .unwrap_or(Satisfaction::Satisfied);
    let pool = match satisfaction {
        Satisfaction::Satisfied => SATISFIED,
        Satisfaction::Neutral => NEUTRAL,
        Satisfaction::Unsatisfied => UNSATISFIED,
    };
    let (aspects, words, next) = one(rng, pool).unwrap_or(SATISFIED[0]);
    (satisfaction, aspects, with_product(rng, words), next)
}

/// What an agent notes on an attempt that reached nobody (often nothing).
pub(super) fn unreached(rng: &mut Rng, reach: Reach) -> (&'static str, &'static str) {
    let pool: &[(&str, &str)] = match reach {
        Reach::NoAnswer => &[
            ("", ""),
            ("", ""),
            ("响铃无人接听", "稍后再拨"),
            ("无人接听，已发短信说明回访事宜", "两小时后再拨"),
        ],
        Reach::CallBack => &[
            ("客户正在开会，约好稍后回电", "按约定时间回拨"),
            ("联系人在外地出差，请明天再联系", "明天按约定时间回拨"),
            ("客户在开车，不方便接听", "按约定时间回拨"),
            ("店里正忙，老板说下午有空", "按约定时间回拨"),
        ],
        Reach::WrongNumber => &[("号码已停机", "核实联系人新号码并更新档案")],
        Reach::Refused => &[("客户表示近期太忙，暂不接受回访", "下周再尝试联系")],
        Reach::Reached => &[("", "")],
    };
    one(rng, pool).unwrap_or(("", ""))
}

const COMMENTS_5: &[&str] = &[
    "处理得很快，谢谢！",
    "客服很耐心，问题一次就解决了。",
    "师傅上门很准时，服务好。",
    "回复及时，点赞！",
    "比预期的快，满意。",
    "态度好，也很专业。",
];
const COMMENTS_4: &[&str] = &[
    "整体满意，就是等得稍微久了一点。",
    "问题解决了，希望以后响应再快些。",
    "服务不错，配件到得慢了点。",
    "还可以，客服解释得比较清楚。",
];
const COMMENTS_3: &[&str] = &[
    "问题是解决了，但来回沟通了好几次。",
    "一般吧，电话等了很久才接通。",
    "处理结果还行，过程有点拖。",
];
const COMMENTS_2: &[&str] = &[
    "等了三天才有人联系我，太慢了。",
    "维修后没两天又坏了，不太满意。",
    "说好当天回电，结果一直没有下文。",
];
const COMMENTS_1: &[&str] = &[
    "反映了好几次都没解决，非常失望。",
    "上门师傅态度很差，还多收了费用。",
    "问题到现在还没处理好，差评。",
];

/// A survey comment for `score`, or none: most good scores come without one, most low
/// ones with.
pub(super) fn csat_comment(rng: &mut Rng, score: i64) -> Option<&'static str> {
    let (chance, pool) = match score {
        5 => (25, COMMENTS_5),
        4 => (25, COMMENTS_4),
        3 => (50, COMMENTS_3),
        2 => (80, COMMENTS_2),
        _ => (80, COMMENTS_1),
    };
    (rng.u8(0..100) < chance).then(|| one(rng, pool)).flatten()
}

/// How the lead followed a low score up.
pub(super) const HANDLING_NOTES: &[&str] = &[
    "已电话联系客户致歉，安排售后主管二次上门，客户表示接受。",
    "核实为配件缺货导致延误，已加急调货，并为客户延保半年。",
    "与客户沟通后确认是对收费标准有误解，已解释清楚并退回多收的上门费。",
    "已约谈经办客服，纳入本月质检案例，客户对处理结果表示认可。",
    "客户仍不满意，已转投诉处理组立案跟进。",
];

/// 关系调查 — the company's own question after the standard four.
pub(super) const SUGGESTION_QUESTION: &str = "您对恒信今后的产品和服务还有哪些建议？";

/// What a key account writes to the suggestion question, by how likely it is to recommend
/// the company.
pub(super) fn relationship_text(rng: &mut Rng, nps: i64) -> Option<&'static str> {
    let pool: &[&str] = match nps {
        9.. => &[
            "合作多年，产品和服务都很放心，会继续推荐给同行。",
            "希望新品信息能早点同步给我们，方便提前备货。",
            "售后响应快，是我们选择恒信的主要原因。",
            "建议每年多组织几次经销商培训。",
        ],
        7..=8 => &[
            "整体不错，价格如果能更有竞争力就更好了。",
            "旺季发货偶尔会延迟，希望能改进。",
            "希望对账和开票流程能再简化一些。",
        ],
        _ => &[
            "最近几次售后都不太及时，我们也在考虑其他品牌。",
            "价格没优势，质量问题也比以前多了。",
            "对接人换得太频繁，沟通成本很高。",
        ],
    };
    one(rng, pool)
}

/// Why the manager goes.
pub(super) const VISIT_PURPOSES: &[&str] = &[
    "季度例行拜访，了解采购计划",
    "新品推介及年度合作洽谈",
    "回访近期质量投诉的处理情况",
    "商谈明年框架协议续签",
    "了解门店销售情况和售后需求",
    "年中合作回顾",
];

/// 拜访报告 — what was found, what the customer asked for, what follows.
pub(super) fn visit_report(rng: &mut Rng) -> (String, Option<&'static str>, &'static str) {
    const SUMMARIES: &[&str] = &[
        "客户今年新开了几家门店，{产品}销量同比增长约两成，对我司供货及时性总体满意。",
        "客户反映上季度有两批货到货延迟，已当面致歉并说明原因；对售后服务评价较好。",
        "与采购负责人回顾了上半年合作，客户对价格政策基本认可，关注明年返利调整。",
        "客户新接的酒店项目需批量采购{产品}，对安装周期要求较紧。",
        "客户对近期投诉的处理结果表示接受，但希望建立更快的问题升级通道。",
        "客户经营平稳，计划下季度增加{产品}备货，希望提前锁定价格。",
    ];
    const REQUESTS: &[&str] = &[
        "希望旺季前锁定价格并提前备货；发票随货寄出。",
        "要求安排一次门店店员产品培训。",
        "希望有固定的售后对接人，报修两小时内响应。",
        "希望账期从月结30天延长到月结60天。",
        "要求提供新品样机用于展厅陈列。",
    ];
    const ACTIONS: &[&str] = &[
        "销售部本周内提交备货与报价方案；客服部每月初主动核对订单。",
        "客服部下周安排培训讲师上门，时间由大客户专员协调。",
        "售后组指定专人对接，该客户工单优先派单。",
        "财务部评估账期调整，两周内答复客户。",
        "大客户专员跟进样机申请，月底前送达。",
    ];
    let summary = one(rng, SUMMARIES).unwrap_or(SUMMARIES[0]);
    let summary = with_product(rng, summary);
    let requests = (rng.u8(0..10) < 8).then(|| one(rng, REQUESTS)).flatten();
    let actions = one(rng, ACTIONS).unwrap_or(ACTIONS[0]);
    (summary, requests, actions)
}

/// What a key account says of the agent serving it: a good word, or why it wants another.
pub(super) fn rating_comment(rng: &mut Rng, low: bool) -> &'static str {
    const GOOD: &[&str] = &[
        "对接及时，专业负责。",
        "有问题都能第一时间跟进，很放心。",
        "服务态度好，就是偶尔回复慢一点。",
        "合作愉快，希望继续由他对接。",
    ];
    const LOW: &[&str] = &[
        "回复太慢，好几次问题都是我们自己追着问。",
        "对我们的业务不了解，沟通很费劲，希望换人对接。",
        "承诺的事情经常没有下文。",
    ];
    one(rng, if low { LOW } else { GOOD }).unwrap_or("")
}

/// Why a planned manager visit did not take place.
pub(super) const CANCEL_REASONS: &[&str] = &[
    "客户负责人临时出差，改期另约",
    "客户公司内部审计，暂停接待来访",
    "客户要求改为下月电话沟通",
];

/// 客户需求 — what an account needs at its stage.
pub(super) fn plan_needs(rng: &mut Rng, stage: Stage) -> String {
    let pool: &[&str] = match stage {
        Stage::Exploring => &[
            "首批试用{产品}，关注产品稳定性和售后响应速度，尚未确定长期合作。",
            "正在与两家供应商比较，需要完整的报价和同类客户案例。",
        ],
        Stage::Forming => &[
            "门店数量增加，采购量逐月上升，需要稳定的供货周期和专人对接。",
            "开始批量采购{产品}，希望统一安装标准并培训店员。",
        ],
        Stage::Stable => &[
            "长期合作客户，年采购量稳定，重点是保持供货及时和价格政策的连续性。",
            "对售后要求高，希望维修 48 小时内完成，并定期巡检设备。",
        ],
        Stage::Declining => &[
            "近两个季度采购量下滑，客户反映价格竞争力下降，存在转向竞品的风险。",
            "售后投诉增多，客户对合作信心下降，需要重建信任。",
        ],
    };
    let needs = one(rng, pool).unwrap_or("保持供货及时，售后响应快。");
    with_product(rng, needs)
}

/// 目标 and 衡量方式 fitting an account at `stage`.
pub(super) fn plan_goals(stage: Stage) -> &'static [(&'static str, &'static str)] {
    match stage {
        Stage::Exploring => &[
            ("试用期内故障率低于 1%", "售后工单统计"),
            ("首月内完成全部门店安装验收", "安装验收单"),
            ("提供同类客户案例及完整报价", "资料递交记录"),
        ],
        Stage::Forming => &[
            ("备件 48 小时到货", "到货记录"),
            ("季度采购额提升 20%", "ERP 销售报表"),
            ("完成门店店员产品培训", "培训签到表"),
        ],
        Stage::Stable => &[
            ("订单准时交付率 98% 以上", "物流签收记录"),
            ("每半年上门巡检一次", "巡检报告"),
            ("续签年度框架协议", "合同签订"),
        ],
        Stage::Declining => &[
            ("一个月内解决全部遗留投诉", "投诉闭环记录"),
            ("客服经理每月拜访一次", "拜访报告"),
            ("季度采购额恢复到去年同期水平", "ERP 销售报表"),
        ],
    }
}

/// What a plan's review found.
pub(super) fn review_findings(rng: &mut Rng, moved: bool) -> &'static str {
    const KEPT: &[&str] = &[
        "本期目标基本达成，客户对供货及时性满意，维持当前方案。",
        "售后响应仍有延迟，下期重点改进备件周转。",
        "客户采购量略有回落，需加强拜访并了解竞品动向。",
    ];
    const MOVED: &[&str] = &[
        "采购额增长明显，合作关系进入新阶段，方案目标相应调整。",
        "客户合作意愿变化明显，已按新阶段调整服务重点。",
    ];
    one(rng, if moved { MOVED } else { KEPT }).unwrap_or("维持当前方案。")
}

/// 优惠政策 — a kind, title, conditions, rate (basis points) and threshold (fen).
pub(super) type PolicyText = (
    PolicyKind,
    &'static str,
    &'static str,
    Option<i64>,
    Option<i64>,
);

pub(super) const POLICIES: &[PolicyText] = &[
    (
        PolicyKind::Discount,
        "年度采购九五折",
        "单笔订单满 5 万元享受九五折，限空调、冰箱两大品类，不与其他促销同享。",
        Some(500),
        Some(5_000_000),
    ),
    (
        PolicyKind::Rebate,
        "季度采购返利 2%",
        "季度累计采购额达到 50 万元后，按实际采购额的 2% 返利，于下季度首月冲抵货款。",
        Some(200),
        Some(50_000_000),
    ),
    (
        PolicyKind::FreeService,
        "商用冷柜免费保养",
        "合同期内每半年免费上门清洗保养一次商用冷柜，配件费用另计。",
        None,
        None,
    ),
    (
        PolicyKind::Priority,
        "报修优先响应",
        "报修工单优先派单，市区 4 小时内、郊县 24 小时内上门。",
        None,
        None,
    ),
    (
        PolicyKind::Discount,
        "新品首批进货九折",
        "新品上市三个月内首批进货享受九折，每款限 200 台。",
        Some(1_000),
        None,
    ),
    (
        PolicyKind::Rebate,
        "年度返利 3%",
        "年度累计采购额达到 300 万元，按全年采购额的 3% 返利，次年一季度结算。",
        Some(300),
        Some(300_000_000),
    ),
];

/// Why the manager turned a policy down.
pub(super) const REJECTIONS: &[&str] = &[
    "返利比例超出本年度大客户政策上限，请调整为 1.5% 后重新提交。",
    "该客户账期逾期未清，待回款后再议。",
];
