//! Order issues (订单问题) as customers report them.

use super::*;

/// A kind of order trouble, from the customer's first words to the agent's last.
pub(in crate::demo::corpus) struct OrderTrouble {
    tag: &'static str,
    subjects: &'static [&'static str],
    /// What happened (no "我", no end punctuation).
    facts: &'static [&'static str],
    /// What the customer asks, with its punctuation.
    wants: &'static [&'static str],
    /// What the customer asks, as an agent writes it down (after "客户要求").
    demands: &'static [&'static str],
    pub(in crate::demo::corpus) first: &'static [&'static str],
    pub(in crate::demo::corpus) progress: &'static [&'static str],
    pub(in crate::demo::corpus) solution: &'static [&'static str],
}

pub(super) const ORDER_TROUBLES: &[OrderTrouble] = &[
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
pub(in crate::demo::corpus) fn order_trouble_of(topic: &Topic) -> &'static OrderTrouble {
    &ORDER_TROUBLES[(topic_hash(topic) / 7) % ORDER_TROUBLES.len()]
}

/// The accessory an order issue about this topic names.
pub(in crate::demo::corpus) fn accessory_of(topic: &Topic) -> &'static str {
    let list = topic.product.accessories;
    if list.is_empty() {
        return "配件";
    }
    list[(topic_hash(topic) / 3) % list.len()]
}

pub(super) fn order_opening(
    rng: &mut Rng,
    channel: Channel,
    topic: &Topic,
    order: &str,
) -> Opening {
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
