//! Inquiries (咨询): the questions customers ask, with the department's answers.

use super::*;

/// A kind of question customers ask, with the department's answers to it.
pub(in crate::demo::corpus) struct Ask {
    tag: &'static str,
    /// Asked before buying (price, installation) rather than by an owner.
    before_buying: bool,
    subjects: &'static [&'static str],
    questions: &'static [&'static str],
    /// What a call was about: "客户来电咨询{what}".
    what: &'static str,
    pub(in crate::demo::corpus) answers: &'static [&'static str],
}

pub(super) const ASKS: &[Ask] = &[
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
pub(in crate::demo::corpus) fn ask_of(topic: &Topic) -> &'static Ask {
    let h = topic_hash(topic);
    let ask = &ASKS[h % ASKS.len()];
    if ask.tag == "安装咨询" && !installed(topic.product) {
        &ASKS[(h + 1) % ASKS.len()]
    } else {
        ask
    }
}

/// Whether the product is installed by a technician (a rice cooker or a robot is not).
pub(super) fn installed(product: &Product) -> bool {
    match product.line {
        Line::Clean => false,
        Line::Kitchen => product.short != "电饭煲",
        _ => true,
    }
}

pub(super) const INQUIRY_CONTEXT_BUYING_HOME: &[&str] = &[
    "家里刚装修完，",
    "之前买过你们家的电器，用着还不错，",
    "朋友推荐了你们的{产品}，",
    "准备给父母换一台{产品}，",
    "看到你们官网上的{品名}，",
    "家里那台旧{产品}用了好多年了，",
];
pub(super) const INQUIRY_CONTEXT_BUYING_SHOP: &[&str] = &[
    "我们店准备再添一台{产品}，",
    "公司新开了一家门店，",
    "我们是做餐饮的，后厨要用{产品}，",
    "我们酒店正在做设备更新，",
    "我们单位在做明年的采购计划，",
];
pub(super) const INQUIRY_CONTEXT_OWNER: &[&str] = &[
    "{产品}买了快一年了，",
    "去年在你们这买了{产品}，",
    "家里用的是你们的{品名}，",
    "我们用的是{型号}，",
    "{产品}一直用得挺好，",
];
pub(super) const INQUIRY_CONTEXT_END: &[&str] = &[
    "想咨询一下。",
    "有几个问题想问问。",
    "想了解一下。",
    "问个问题。",
];
pub(super) const INQUIRY_CLOSINGS: &[&str] = &[
    "谢谢！",
    "麻烦尽快回复，谢谢。",
    "盼复。",
    "方便的话回个电话。",
    "先谢谢了。",
];
pub(super) const INQUIRY_SUMMARY_TAILS: &[&str] = &[
    "需核实后回电。",
    "已初步答复，客户希望书面确认。",
    "已告知客户稍后回电。",
    "客户表示考虑后再联系。",
    "已加客户企业微信，后续跟进。",
];

pub(super) fn inquiry_opening(
    rng: &mut Rng,
    channel: Channel,
    topic: &Topic,
    order: &str,
) -> Opening {
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
