//! Suggestions (建议) customers send.

use super::*;

/// Suggestions about any product: (short title for the subject, what the customer writes).
pub(super) const SUGGEST_PRODUCT: &[(&str, &str)] = &[
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
pub(super) fn suggest_line(line: Line) -> &'static [(&'static str, &'static str)] {
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
pub(super) const SUGGEST_SERVICE: &[(&str, &str)] = &[
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

pub(super) const SUGGEST_CONTEXT_PRODUCT: &[&str] = &[
    "用了你们的{产品}大半年了，整体挺满意，",
    "{产品}质量没话说，",
    "作为恒信的老用户，",
    "家里好几样电器都是恒信的，",
    "上周刚装了{产品}，",
];
pub(super) const SUGGEST_CONTEXT_SERVICE: &[&str] = &[
    "前段时间报修过一次，",
    "上个月刚约过上门服务，",
    "作为恒信的老用户，",
    "这次售后总体还行，",
];
pub(super) const SUGGEST_CONTEXT_END: &[&str] = &[
    "提个小建议：",
    "有个想法：",
    "说一点使用感受：",
    "想提个意见：",
];
pub(super) const SUGGEST_CLOSINGS: &[&str] = &[
    "仅供参考。",
    "希望能采纳，谢谢！",
    "希望恒信越做越好。",
    "不用专门回复，就是提个意见。",
    "期待改进。",
];

pub(super) fn suggestion_opening(rng: &mut Rng, channel: Channel, topic: &Topic) -> Opening {
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
