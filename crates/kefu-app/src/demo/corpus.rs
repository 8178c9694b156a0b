//! 演示语料 — the text corpus behind `kefu demo`.
//!
//! The demo company is 杭州恒信电器有限公司 (brand 恒信), a maker of household appliances and
//! commercial cold-chain equipment. This module holds its catalogue (products and their parts,
//! the problems each part can have), the people and places of its customers, the reply
//! scripts its service department has agreed, and the texts of tickets and complaints.
//!
//! Every text is composed from several independently chosen fragments — who writes, when the
//! trouble began, how it shows, what was already tried, what it costs them, what they ask for,
//! how they sign off — and worded per channel: a call summary for the phone, short informal
//! lines on WeChat and chat, a letter by e-mail, labelled fields from another system.
//!
//! The module is pure: no I/O, no clock; all randomness comes from the [`Rng`] passed in, so
//! one seed always yields the same company. Templates use `{…}` slots filled by [`fill`]:
//! `{品名}` product name, `{产品}` what customers call it, `{型号}` model, `{部件}` part,
//! `{编号}` part number, `{问题}` problem, `{订单}` order number, `{价格}` retail price, and
//! per-text extras (`{师傅}`, `{天}`, `{数}`, `{单号}`, `{金额}`, `{附件}`, `{部门}`, `{客服}`).

use fastrand::Rng;
use kefu_domain::complaint::{Category, Cause, Remedy};
use kefu_domain::ticket::{BODY_MAX, Channel, SUBJECT_MAX, TicketType};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One item of a non-empty slice, uniformly.
fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// One of a non-empty list of texts, uniformly.
fn pick_str(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    items[rng.usize(..items.len())]
}

/// One of a non-empty list of weighted texts.
fn pick_weighted_str(rng: &mut Rng, items: &[(&'static str, u32)]) -> &'static str {
    pick_weighted::<&'static str>(rng, items)
}

/// One item of a non-empty slice of `(item, weight)`, in proportion to the weights.
fn pick_weighted<'a, T>(rng: &mut Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut roll = rng.u32(..total.max(1));
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= *weight;
    }
    &items[items.len() - 1].0
}

/// Two different items of a slice of at least two (the second uniformly among the others).
fn pick_two<'a, T>(rng: &mut Rng, items: &'a [T]) -> (&'a T, &'a T) {
    let i = rng.usize(..items.len());
    if items.len() < 2 {
        return (&items[i], &items[i]);
    }
    let j = (i + 1 + rng.usize(..items.len() - 1)) % items.len();
    (&items[i], &items[j])
}

/// True with probability `p`.
fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}

/// Drops randomly chosen items until at most `max` remain, keeping the order of the rest.
fn keep_at_most(rng: &mut Rng, mut items: Vec<String>, max: usize) -> Vec<String> {
    while items.len() > max {
        let i = rng.usize(..items.len());
        items.remove(i);
    }
    items
}

/// The first `max` characters of `s`.
fn clip(mut s: String, max: usize) -> String {
    if let Some((at, _)) = s.char_indices().nth(max) {
        s.truncate(at);
    }
    s
}

/// Fills the `{…}` slots of `template` from the topic and the order number.
fn fill(template: &str, topic: &Topic, order: &str) -> String {
    fill_with(template, topic, order, &[])
}

/// Fills the `{…}` slots of `template` from the topic, the order number and `extra`
/// (`(slot, value)` pairs); an unknown slot stays as written.
fn fill_with(template: &str, topic: &Topic, order: &str, extra: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        match key {
            "品名" => out.push_str(topic.product.name),
            "产品" => out.push_str(topic.product.short),
            "型号" => out.push_str(topic.product.model),
            "部件" => out.push_str(topic.part.name),
            "编号" => out.push_str(topic.part.code),
            "问题" => out.push_str(topic.problem),
            "订单" => out.push_str(order),
            "价格" => out.push_str(&topic.product.price_yuan.to_string()),
            _ => match extra.iter().find(|pair| pair.0 == key) {
                Some(pair) => out.push_str(pair.1),
                None => {
                    out.push('{');
                    out.push_str(key);
                    out.push('}');
                }
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A stable number for a topic, so that texts written at different times about the same
/// topic (the question and its answer) agree on what was asked.
fn topic_hash(topic: &Topic) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in topic.part.code.bytes().chain(topic.problem.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 33) as usize
}

// ---------------------------------------------------------------------------------------------
// The catalogue — 产品与配件
// ---------------------------------------------------------------------------------------------

/// The product line, for the wording that differs between, say, a fridge and a cooker hood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// 空调
    Air,
    /// 冰箱、冷柜、制冰机
    Cold,
    /// 洗衣机、干衣机
    Wash,
    /// 热水器
    Heat,
    /// 净水器
    Pure,
    /// 空气净化器、扫地机器人
    Clean,
    /// 厨房电器
    Kitchen,
}

/// A product of the demo company, with its parts.
#[derive(Debug)]
pub struct Product {
    /// The full name, as on the invoice: "恒信 KFR-35GW 变频空调".
    pub name: &'static str,
    /// What customers call it: "空调".
    pub short: &'static str,
    pub model: &'static str,
    /// Retail price in yuan.
    pub price_yuan: u32,
    /// Sold to shops, restaurants and hotels rather than households.
    pub commercial: bool,
    /// What comes in the box besides the unit — what a delivery may lack.
    pub accessories: &'static [&'static str],
    pub parts: &'static [Part],
    line: Line,
}

/// A part of a product, with the problems it can have.
#[derive(Debug)]
pub struct Part {
    /// The part number, unique across the catalogue: "GX-3341".
    pub code: &'static str,
    pub name: &'static str,
    /// The problems of this part (names from the problem table). The service problems every
    /// part can have besides (维修后故障复发, 上门服务不满意, 维修收费有异议, 配件迟迟不到) are
    /// not listed.
    pub problems: &'static [&'static str],
}

/// The demo company's catalogue: 22 products, 3–6 parts each.
#[rustfmt::skip]
pub const PRODUCTS: &[Product] = &[
    Product {
        name: "恒信 KFR-35GW 变频空调",
        short: "空调",
        model: "KFR-35GW",
        price_yuan: 2899,
        commercial: false,
        accessories: &["遥控器", "安装支架", "连接管", "膨胀螺丝"],
        line: Line::Air,
        parts: &[
            Part { code: "GX-3341", name: "压缩机", problems: &["不制冷", "不制热", "噪音大", "外机不转"] },
            Part { code: "GX-3352", name: "室外风机", problems: &["外机不转", "噪音大", "频繁自动停机"] },
            Part { code: "GX-3360-B", name: "主控板", problems: &["显示E1故障代码", "开不了机", "频繁自动停机"] },
            Part { code: "GX-3318", name: "遥控器", problems: &["遥控失灵"] },
            Part { code: "GX-3377", name: "排水管", problems: &["内机漏水", "安装后漏水"] },
            Part { code: "GX-3385", name: "外机支架", problems: &["安装不规范", "噪音大"] },
        ],
    },
    Product {
        name: "恒信 KFR-72LW 立柜式空调",
        short: "柜机",
        model: "KFR-72LW",
        price_yuan: 6599,
        commercial: false,
        accessories: &["遥控器", "连接管", "排水管", "说明书和保修卡"],
        line: Line::Air,
        parts: &[
            Part { code: "GX-7201", name: "压缩机", problems: &["不制冷", "不制热", "噪音大"] },
            Part { code: "GX-7215", name: "四通阀", problems: &["不制热", "噪音大"] },
            Part { code: "GX-7230-A", name: "显示面板", problems: &["显示E1故障代码", "开不了机", "到货磕碰变形"] },
            Part { code: "GX-7244", name: "蒸发器", problems: &["不制冷", "异味", "内机漏水"] },
            Part { code: "GX-7258", name: "导风电机", problems: &["导风板不摆动", "噪音大"] },
        ],
    },
    Product {
        name: "恒信 KFR-120T 商用天花机",
        short: "天花机",
        model: "KFR-120T",
        price_yuan: 9800,
        commercial: true,
        accessories: &["线控器", "面板", "排水管", "吊装螺杆"],
        line: Line::Air,
        parts: &[
            Part { code: "GX-1201", name: "压缩机", problems: &["不制冷", "噪音大", "频繁自动停机"] },
            Part { code: "GX-1216", name: "排水泵", problems: &["内机漏水", "噪音大", "安装后漏水"] },
            Part { code: "GX-1225", name: "线控器", problems: &["显示E1故障代码", "开不了机"] },
            Part { code: "GX-1238", name: "室外主板", problems: &["外机不转", "频繁自动停机"] },
        ],
    },
    Product {
        name: "恒信 BCD-520WP 对开门冰箱",
        short: "冰箱",
        model: "BCD-520WP",
        price_yuan: 4299,
        commercial: false,
        accessories: &["搁架", "制冰盒", "蛋架", "说明书和保修卡"],
        line: Line::Cold,
        parts: &[
            Part { code: "YS-1020-B", name: "压缩机", problems: &["冷藏室不冷", "噪音大"] },
            Part { code: "YS-1035", name: "风门组件", problems: &["冷藏室不冷", "冷冻室结霜"] },
            Part { code: "YS-1047", name: "化霜加热器", problems: &["冷冻室结霜", "显示F3故障代码", "漏水"] },
            Part { code: "YS-1052", name: "门封条", problems: &["门封不严", "冷冻室结霜"] },
            Part { code: "YS-1068", name: "门体", problems: &["到货磕碰变形", "门封不严"] },
        ],
    },
    Product {
        name: "恒信 BCD-312WT 三门冰箱",
        short: "冰箱",
        model: "BCD-312WT",
        price_yuan: 2599,
        commercial: false,
        accessories: &["搁架", "果菜盒", "说明书和保修卡"],
        line: Line::Cold,
        parts: &[
            Part { code: "YS-3120", name: "压缩机", problems: &["冷藏室不冷", "噪音大"] },
            Part { code: "YS-3134", name: "温控器", problems: &["冷藏室不冷", "冷冻室结霜", "显示F3故障代码"] },
            Part { code: "YS-3141", name: "门封条", problems: &["门封不严"] },
            Part { code: "YS-3157", name: "排水管", problems: &["漏水"] },
            Part { code: "YS-3163", name: "侧板", problems: &["到货磕碰变形"] },
        ],
    },
    Product {
        name: "恒信 BC/BD-518H 卧式冷柜",
        short: "冷柜",
        model: "BC/BD-518H",
        price_yuan: 3199,
        commercial: true,
        accessories: &["吊篮", "钥匙", "说明书和保修卡"],
        line: Line::Cold,
        parts: &[
            Part { code: "LG-5180", name: "压缩机", problems: &["温度降不下来", "噪音大"] },
            Part { code: "LG-5186", name: "温控器", problems: &["温度降不下来", "显示F3故障代码"] },
            Part { code: "LG-5193", name: "门封条", problems: &["门封不严"] },
            Part { code: "LG-5197", name: "冷凝器", problems: &["温度降不下来", "噪音大"] },
            Part { code: "LG-5199-C", name: "箱体", problems: &["到货磕碰变形"] },
        ],
    },
    Product {
        name: "恒信 SC-1200 立式展示柜",
        short: "展示柜",
        model: "SC-1200",
        price_yuan: 5800,
        commercial: true,
        accessories: &["层架", "价签条", "门锁钥匙"],
        line: Line::Cold,
        parts: &[
            Part { code: "LG-1201", name: "压缩机", problems: &["温度降不下来", "噪音大"] },
            Part { code: "LG-1212", name: "风扇电机", problems: &["温度降不下来", "噪音大"] },
            Part { code: "LG-1224", name: "玻璃门", problems: &["门封不严", "到货磕碰变形"] },
            Part { code: "LG-1233", name: "照明灯板", problems: &["照明灯不亮"] },
            Part { code: "LG-1245", name: "温控器", problems: &["显示F3故障代码", "温度降不下来"] },
        ],
    },
    Product {
        name: "恒信 IM-120S 商用制冰机",
        short: "制冰机",
        model: "IM-120S",
        price_yuan: 7800,
        commercial: true,
        accessories: &["冰铲", "进水管", "排水管"],
        line: Line::Cold,
        parts: &[
            Part { code: "ZB-1201", name: "压缩机", problems: &["不出冰", "噪音大"] },
            Part { code: "ZB-1217", name: "进水阀", problems: &["不出冰", "漏水"] },
            Part { code: "ZB-1223", name: "制冰模块", problems: &["不出冰"] },
            Part { code: "ZB-1239", name: "循环水泵", problems: &["漏水", "噪音大", "不出冰"] },
            Part { code: "ZB-1240", name: "主控板", problems: &["开不了机", "频繁自动停机"] },
        ],
    },
    Product {
        name: "恒信 XQG100-B14 滚筒洗衣机",
        short: "洗衣机",
        model: "XQG100-B14",
        price_yuan: 3299,
        commercial: false,
        accessories: &["进水管", "底脚堵盖", "说明书和保修卡"],
        line: Line::Wash,
        parts: &[
            Part { code: "XY-1401", name: "驱动电机", problems: &["不脱水", "噪音大"] },
            Part { code: "XY-1415", name: "排水泵", problems: &["不排水", "显示E4故障代码"] },
            Part { code: "XY-1422", name: "门锁", problems: &["门打不开"] },
            Part { code: "XY-1436", name: "减震器", problems: &["脱水时震动大", "噪音大"] },
            Part { code: "XY-1448", name: "进水阀", problems: &["显示E4故障代码", "漏水", "安装后漏水"] },
            Part { code: "XY-1450", name: "门封圈", problems: &["漏水", "异味"] },
        ],
    },
    Product {
        name: "恒信 XQB80-M21 波轮洗衣机",
        short: "洗衣机",
        model: "XQB80-M21",
        price_yuan: 1299,
        commercial: false,
        accessories: &["进水管", "排水管", "说明书和保修卡"],
        line: Line::Wash,
        parts: &[
            Part { code: "XY-8011", name: "电机", problems: &["不脱水", "噪音大"] },
            Part { code: "XY-8027", name: "排水阀", problems: &["不排水", "漏水"] },
            Part { code: "XY-8034", name: "吊杆", problems: &["脱水时震动大"] },
            Part { code: "XY-8046", name: "电脑板", problems: &["开不了机", "显示E4故障代码"] },
        ],
    },
    Product {
        name: "恒信 GD90-H3 热泵干衣机",
        short: "干衣机",
        model: "GD90-H3",
        price_yuan: 4599,
        commercial: false,
        accessories: &["排水管", "叠放支架", "说明书和保修卡"],
        line: Line::Wash,
        parts: &[
            Part { code: "XY-9031", name: "热泵压缩机", problems: &["烘不干", "噪音大"] },
            Part { code: "XY-9045", name: "冷凝器", problems: &["烘不干", "漏水"] },
            Part { code: "XY-9052", name: "滚筒皮带", problems: &["噪音大"] },
            Part { code: "XY-9068", name: "湿度传感器", problems: &["烘不干"] },
        ],
    },
    Product {
        name: "恒信 JSQ25-13H 燃气热水器",
        short: "热水器",
        model: "JSQ25-13H",
        price_yuan: 2199,
        commercial: false,
        accessories: &["排烟管", "挂板", "燃气软管"],
        line: Line::Heat,
        parts: &[
            Part { code: "RS-1301", name: "点火器", problems: &["点不着火"] },
            Part { code: "RS-1312", name: "水流传感器", problems: &["不出热水", "水温忽冷忽热"] },
            Part { code: "RS-1325", name: "比例阀", problems: &["水温忽冷忽热", "显示E5故障代码"] },
            Part { code: "RS-1337", name: "热交换器", problems: &["漏水", "不出热水"] },
            Part { code: "RS-1349", name: "排烟管", problems: &["安装不规范", "噪音大"] },
        ],
    },
    Product {
        name: "恒信 ES60-J7 电热水器",
        short: "电热水器",
        model: "ES60-J7",
        price_yuan: 1599,
        commercial: false,
        accessories: &["安全阀", "挂架", "膨胀螺丝"],
        line: Line::Heat,
        parts: &[
            Part { code: "RS-6071", name: "加热管", problems: &["不加热", "不出热水"] },
            Part { code: "RS-6083", name: "温控器", problems: &["水温忽冷忽热", "显示E5故障代码"] },
            Part { code: "RS-6095", name: "内胆", problems: &["漏水"] },
            Part { code: "RS-6102", name: "安全阀", problems: &["漏水", "安装后漏水"] },
            Part { code: "RS-6110", name: "镁棒", problems: &["水有异味"] },
        ],
    },
    Product {
        name: "恒信 KRF-15 空气能热水器",
        short: "空气能",
        model: "KRF-15",
        price_yuan: 12800,
        commercial: true,
        accessories: &["线控器", "循环管件", "减震垫"],
        line: Line::Heat,
        parts: &[
            Part { code: "RS-1510", name: "压缩机", problems: &["不出热水", "噪音大"] },
            Part { code: "RS-1523", name: "循环水泵", problems: &["水温忽冷忽热", "噪音大", "漏水"] },
            Part { code: "RS-1536", name: "控制面板", problems: &["显示E5故障代码", "开不了机"] },
            Part { code: "RS-1544", name: "保温水箱", problems: &["漏水", "安装后漏水"] },
        ],
    },
    Product {
        name: "恒信 RO-600G 反渗透净水器",
        short: "净水器",
        model: "RO-600G",
        price_yuan: 2999,
        commercial: false,
        accessories: &["鹅颈龙头", "进水三通", "废水管"],
        line: Line::Pure,
        parts: &[
            Part { code: "JS-6001", name: "RO反渗透滤芯", problems: &["出水量小", "水有异味"] },
            Part { code: "JS-6015", name: "增压泵", problems: &["噪音大", "一直排废水"] },
            Part { code: "JS-6022", name: "进水电磁阀", problems: &["一直排废水", "漏水"] },
            Part { code: "JS-6038", name: "复合滤芯", problems: &["滤芯提示异常", "水有异味"] },
            Part { code: "JS-6040", name: "鹅颈龙头", problems: &["漏水", "出水量小", "安装后漏水"] },
        ],
    },
    Product {
        name: "恒信 KJ500F-A3 空气净化器",
        short: "净化器",
        model: "KJ500F-A3",
        price_yuan: 1899,
        commercial: false,
        accessories: &["HEPA滤网", "遥控器", "说明书和保修卡"],
        line: Line::Clean,
        parts: &[
            Part { code: "JH-5001", name: "风机", problems: &["风量小", "噪音大"] },
            Part { code: "JH-5013", name: "HEPA滤网", problems: &["风量小", "异味", "滤芯提示异常"] },
            Part { code: "JH-5028", name: "颗粒物传感器", problems: &["数值显示不准"] },
            Part { code: "JH-5034", name: "WiFi模块", problems: &["APP连不上"] },
            Part { code: "JH-5046", name: "电源板", problems: &["开不了机", "有焦糊味"] },
        ],
    },
    Product {
        name: "恒信 R7 Pro 扫地机器人",
        short: "扫地机",
        model: "R7 Pro",
        price_yuan: 2499,
        commercial: false,
        accessories: &["充电座", "备用边刷", "拖布支架"],
        line: Line::Clean,
        parts: &[
            Part { code: "SD-7011", name: "锂电池", problems: &["充不进电"] },
            Part { code: "SD-7023", name: "充电座", problems: &["充不进电", "回充失败"] },
            Part { code: "SD-7035", name: "边刷电机", problems: &["边刷不转"] },
            Part { code: "SD-7047", name: "吸尘风机", problems: &["吸力变小", "噪音大"] },
            Part { code: "SD-7059", name: "激光雷达", problems: &["回充失败", "建图错乱"] },
            Part { code: "SD-7062", name: "主板", problems: &["APP连不上", "开不了机"] },
        ],
    },
    Product {
        name: "恒信 CXW-260-T5 侧吸式油烟机",
        short: "油烟机",
        model: "CXW-260-T5",
        price_yuan: 2699,
        commercial: false,
        accessories: &["止回阀", "排烟管", "油杯"],
        line: Line::Kitchen,
        parts: &[
            Part { code: "YY-2601", name: "电机", problems: &["吸烟效果差", "噪音大"] },
            Part { code: "YY-2615", name: "叶轮", problems: &["噪音大", "吸烟效果差"] },
            Part { code: "YY-2624", name: "油杯", problems: &["漏油"] },
            Part { code: "YY-2638", name: "止回阀", problems: &["吸烟效果差", "异味", "安装不规范"] },
            Part { code: "YY-2647", name: "触控面板", problems: &["开不了机", "到货磕碰变形"] },
        ],
    },
    Product {
        name: "恒信 JZT-Q3 嵌入式燃气灶",
        short: "燃气灶",
        model: "JZT-Q3",
        price_yuan: 1399,
        commercial: false,
        accessories: &["锅支架", "燃气软管", "电池盒盖"],
        line: Line::Kitchen,
        parts: &[
            Part { code: "ZQ-3011", name: "脉冲点火器", problems: &["点不着火"] },
            Part { code: "ZQ-3024", name: "熄火保护热电偶", problems: &["自动熄火"] },
            Part { code: "ZQ-3036", name: "炉头", problems: &["火力小"] },
            Part { code: "ZQ-3045", name: "玻璃面板", problems: &["到货磕碰变形", "安装不规范"] },
            Part { code: "ZQ-3052", name: "燃气阀体", problems: &["火力小", "有燃气味"] },
        ],
    },
    Product {
        name: "恒信 WQP12-S8 嵌入式洗碗机",
        short: "洗碗机",
        model: "WQP12-S8",
        price_yuan: 4999,
        commercial: false,
        accessories: &["碗篮", "软水盐漏斗", "进水管"],
        line: Line::Kitchen,
        parts: &[
            Part { code: "XW-1201", name: "洗涤泵", problems: &["洗不干净", "噪音大"] },
            Part { code: "XW-1217", name: "喷淋臂", problems: &["洗不干净"] },
            Part { code: "XW-1226", name: "加热管", problems: &["不加热", "洗不干净"] },
            Part { code: "XW-1238", name: "排水泵", problems: &["不排水", "显示E4故障代码"] },
            Part { code: "XW-1249", name: "进水管", problems: &["漏水", "安装后漏水"] },
        ],
    },
    Product {
        name: "恒信 FB40-X2 IH电饭煲",
        short: "电饭煲",
        model: "FB40-X2",
        price_yuan: 699,
        commercial: false,
        accessories: &["量杯", "饭勺", "蒸笼"],
        line: Line::Kitchen,
        parts: &[
            Part { code: "DF-4021", name: "内胆", problems: &["内胆掉涂层", "煮饭夹生"] },
            Part { code: "DF-4035", name: "IH线圈盘", problems: &["不加热", "煮饭夹生"] },
            Part { code: "DF-4047", name: "温度传感器", problems: &["煮饭夹生"] },
            Part { code: "DF-4058", name: "上盖密封圈", problems: &["异味"] },
            Part { code: "DF-4063", name: "控制板", problems: &["开不了机", "有焦糊味"] },
        ],
    },
    Product {
        name: "恒信 ZTD-100 消毒柜",
        short: "消毒柜",
        model: "ZTD-100",
        price_yuan: 1099,
        commercial: false,
        accessories: &["碗架", "筷子筒", "说明书和保修卡"],
        line: Line::Kitchen,
        parts: &[
            Part { code: "XD-1001", name: "石英加热管", problems: &["不加热"] },
            Part { code: "XD-1015", name: "臭氧发生器", problems: &["异味"] },
            Part { code: "XD-1022", name: "门铰链", problems: &["门封不严"] },
            Part { code: "XD-1034", name: "控制板", problems: &["开不了机", "不加热"] },
        ],
    },
];

// ---------------------------------------------------------------------------------------------
// Problems — 故障与问题
// ---------------------------------------------------------------------------------------------

/// A problem a part can have, and the ways customers describe it.
struct Problem {
    name: &'static str,
    category: Category,
    /// A symptom of the machine, told after when it began ("上周三开始，…"); otherwise an
    /// account of a visit, a bill or a delivery, told as it happened.
    device: bool,
    /// How customers word it (no subject, no "我", so a call summary can quote it too).
    wordings: &'static [&'static str],
}

/// The problems every part can have: the service around it rather than the part itself.
const GENERIC_PROBLEMS: &[&str] = &[
    "维修后故障复发",
    "上门服务不满意",
    "维修收费有异议",
    "配件迟迟不到",
];

/// Used only for a problem name the table does not know (a topic built by hand).
static UNKNOWN_PROBLEM: Problem = Problem {
    name: "故障",
    category: Category::Other,
    device: true,
    wordings: &[
        "{产品}出了故障，没法正常使用",
        "{产品}用着不正常，说不清是哪里的问题",
    ],
};

const PROBLEMS: &[Problem] = &[
    // 空调
    Problem {
        name: "不制冷",
        category: Category::Quality,
        device: true,
        wordings: &[
            "开了一个多小时屋里还是不凉",
            "出风口吹出来的是常温风，一点都不冷",
            "温度调到16度，屋里还是二十八九度",
            "外机一直在转，屋里就是凉不下来",
            "刚开机那几分钟还有点凉，后面就跟电风扇一样了",
        ],
    },
    Problem {
        name: "不制热",
        category: Category::Quality,
        device: true,
        wordings: &[
            "开制热吹出来的是凉风",
            "制热开了半天屋里还是冷冰冰的",
            "设到28度制热，出风只是有点温乎",
            "一开制热模式外机就不启动",
        ],
    },
    Problem {
        name: "内机漏水",
        category: Category::Quality,
        device: true,
        wordings: &[
            "室内机往下滴水，墙面湿了一大片",
            "出风口下面一直滴水，地板上全是水",
            "开了没多久内机就开始漏水，只能拿盆接着",
        ],
    },
    Problem {
        name: "显示E1故障代码",
        category: Category::Quality,
        device: true,
        wordings: &[
            "面板上一直显示E1，开不了机",
            "开机几分钟就报E1，然后停机",
            "屏幕上闪E1，断电重启以后过一会儿又出来了",
        ],
    },
    Problem {
        name: "遥控失灵",
        category: Category::Quality,
        device: true,
        wordings: &[
            "遥控器按了没反应，换了新电池也不行",
            "遥控器只有几个按键好用，调温度没反应",
            "要走到跟前对着机器按才有反应",
        ],
    },
    Problem {
        name: "外机不转",
        category: Category::Quality,
        device: true,
        wordings: &[
            "外机风扇不转，压缩机响一会儿就停了",
            "室外机一点动静都没有，室内机倒是在吹风",
            "外机风扇转得很慢，时转时停",
        ],
    },
    Problem {
        name: "导风板不摆动",
        category: Category::Quality,
        device: true,
        wordings: &[
            "打开了上下扫风，导风板一动不动",
            "导风板摆到一半就卡住了，还咯噔咯噔响",
            "关机以后导风板合不上",
        ],
    },
    // 多个品类共有
    Problem {
        name: "噪音大",
        category: Category::Quality,
        device: true,
        wordings: &[
            "运行的时候{部件}那里嗡嗡响，声音特别大",
            "晚上声音大得根本睡不着",
            "一开机就有咔咔的异响，以前没有这个声音",
            "噪音比刚买的时候大了很多，隔着门都能听见",
            "时不时发出尖锐的啸叫声",
        ],
    },
    Problem {
        name: "漏水",
        category: Category::Quality,
        device: true,
        wordings: &[
            "{产品}底下有一摊水，擦干了过一会儿又有",
            "{产品}下面一直在渗水，木地板都泡起来了",
            "地上老是湿的，找了半天才发现是{产品}漏水",
            "{部件}那个位置一直往外渗水",
        ],
    },
    Problem {
        name: "频繁自动停机",
        category: Category::Quality,
        device: true,
        wordings: &[
            "用着用着就自己关机了",
            "每隔二三十分钟就自动停一次，要重新开机",
            "半夜会突然停机，过一会儿又自己启动",
        ],
    },
    Problem {
        name: "开不了机",
        category: Category::Quality,
        device: true,
        wordings: &[
            "插上电按开机键没有任何反应",
            "指示灯都不亮，像没通电一样",
            "前一天还好好的，突然就开不了机了",
            "屏幕闪一下就灭了，再按也开不了",
        ],
    },
    Problem {
        name: "有焦糊味",
        category: Category::Quality,
        device: true,
        wordings: &[
            "一开机就有一股烧焦的塑料味，赶紧把插头拔了",
            "{部件}附近有焦糊味，外壳摸着很烫",
            "运行一会儿就闻到焦味，不敢再用了",
        ],
    },
    Problem {
        name: "异味",
        category: Category::Quality,
        device: true,
        wordings: &[
            "一开机就有一股怪味",
            "有一股霉味，清洗过以后也没用",
            "里面总有一股说不上来的臭味",
        ],
    },
    Problem {
        name: "不加热",
        category: Category::Quality,
        device: true,
        wordings: &[
            "按了开始键不加热",
            "等了好半天，摸着还是凉的",
            "加热指示灯亮着，温度一点都不升",
        ],
    },
    Problem {
        name: "APP连不上",
        category: Category::Quality,
        device: true,
        wordings: &[
            "APP里一直显示设备离线",
            "重新配网好几次都连不上WiFi",
            "换了路由器以后就再也连不上了",
        ],
    },
    // 冰箱、冷柜、制冰机
    Problem {
        name: "冷藏室不冷",
        category: Category::Quality,
        device: true,
        wordings: &[
            "冷藏室温度降不下来，菜放两天就坏了",
            "冷藏室摸上去一点都不凉，牛奶都放酸了",
            "冷冻室正常，冷藏室基本不制冷",
            "冷藏室显示8度，调到最低也降不下去",
        ],
    },
    Problem {
        name: "冷冻室结霜",
        category: Category::Quality,
        device: true,
        wordings: &[
            "冷冻室结了厚厚一层霜，抽屉都拉不开",
            "说是风冷无霜的，隔几天就结一层冰",
            "冷冻室后壁全是冰，化完没几天又结上了",
        ],
    },
    Problem {
        name: "显示F3故障代码",
        category: Category::Quality,
        device: true,
        wordings: &[
            "显示屏上一直亮着F3，还嘀嘀报警",
            "温度显示的地方变成了F3，按什么键都没用",
            "断电重启以后好了半天，又开始报F3",
        ],
    },
    Problem {
        name: "温度降不下来",
        category: Category::Quality,
        device: true,
        wordings: &[
            "温度一直在零下五六度，降不到设定的零下十八度",
            "里面冻的东西摸着都是软的",
            "显示温度一直往上走，压缩机一直不停",
            "白天开门次数一多，温度就降不下来了",
        ],
    },
    Problem {
        name: "不出冰",
        category: Category::Quality,
        device: true,
        wordings: &[
            "机器运行正常，就是不出冰",
            "出冰特别慢，一上午才出小半桶",
            "冰块又小又薄，还有很多是空心的",
        ],
    },
    Problem {
        name: "门封不严",
        category: Category::Quality,
        device: true,
        wordings: &[
            "门关不严，密封条有一段翘起来了",
            "门关上以后还能看到一条缝",
            "门封条发硬变形，关门要使劲推才行",
        ],
    },
    Problem {
        name: "照明灯不亮",
        category: Category::Quality,
        device: true,
        wordings: &[
            "柜子里的灯全不亮了，商品看着黑乎乎的",
            "灯一闪一闪的，顾客都说晃眼",
            "上面两层的灯不亮，下面的还好",
        ],
    },
    // 洗衣机、干衣机
    Problem {
        name: "不脱水",
        category: Category::Quality,
        device: true,
        wordings: &[
            "洗完衣服还是湿哒哒的，脱水转不起来",
            "一到脱水就报错停机",
            "脱水的时候转几圈就停了",
        ],
    },
    Problem {
        name: "不排水",
        category: Category::Quality,
        device: true,
        wordings: &[
            "洗完了水排不出去，里面一直积着水",
            "排水特别慢，一个程序要两三个小时",
            "排水的时候只听见泵在响，水就是不下去",
        ],
    },
    Problem {
        name: "脱水时震动大",
        category: Category::Quality,
        device: true,
        wordings: &[
            "一脱水整台机器都在跳，都挪了位置",
            "脱水的时候晃得厉害，咣咣地撞墙",
            "震动大到隔壁房间都能感觉到",
        ],
    },
    Problem {
        name: "门打不开",
        category: Category::Quality,
        device: true,
        wordings: &[
            "洗完以后门锁着打不开，衣服拿不出来",
            "程序结束半小时了，门还是锁着的",
            "门锁指示灯一直亮着，门怎么都拉不开",
        ],
    },
    Problem {
        name: "显示E4故障代码",
        category: Category::Quality,
        device: true,
        wordings: &[
            "洗到一半停了，屏幕上显示E4",
            "每次进水一会儿就报E4",
            "开机就显示E4，什么程序都运行不了",
        ],
    },
    Problem {
        name: "烘不干",
        category: Category::Quality,
        device: true,
        wordings: &[
            "烘了三个小时衣服还是潮的",
            "烘完的衣服摸着还是湿湿的，以前两个小时就干了",
            "烘干时间越来越长，衣服还烘不透",
        ],
    },
    // 热水器
    Problem {
        name: "不出热水",
        category: Category::Quality,
        device: true,
        wordings: &[
            "打开水龙头放了半天都是凉水",
            "机器有声音，但出来的一直是冷水",
            "早上起来洗澡一点热水都没有",
        ],
    },
    Problem {
        name: "水温忽冷忽热",
        category: Category::Quality,
        device: true,
        wordings: &[
            "洗澡洗到一半水突然变凉",
            "水温一会儿烫一会儿凉，怎么调都不稳",
            "设定45度，出来的水一阵热一阵冷",
        ],
    },
    Problem {
        name: "点不着火",
        category: Category::Quality,
        device: true,
        wordings: &[
            "能听到打火的声音，就是点不着",
            "要打好几次才能点着",
            "点着几秒钟又灭了",
        ],
    },
    Problem {
        name: "显示E5故障代码",
        category: Category::Quality,
        device: true,
        wordings: &[
            "屏幕显示E5，然后就不加热了",
            "用着用着报E5，断电以后好一会儿又出现",
            "一开热水就显示E5",
        ],
    },
    Problem {
        name: "水有异味",
        category: Category::Quality,
        device: true,
        wordings: &[
            "出来的水有股怪味",
            "水里有一股塑料味，不敢给孩子喝",
            "水有点发臭，跟以前不一样",
        ],
    },
    // 净水器
    Problem {
        name: "出水量小",
        category: Category::Quality,
        device: true,
        wordings: &[
            "净水出水很小，接一杯水要一分多钟",
            "纯水龙头只有细细的一股水",
            "出水比刚装的时候小了一大半",
        ],
    },
    Problem {
        name: "滤芯提示异常",
        category: Category::Quality,
        device: true,
        wordings: &[
            "刚换的新滤芯，屏幕还是提示要更换",
            "滤芯寿命一直显示0%，复位也没用",
            "滤芯指示灯一直闪红灯",
        ],
    },
    Problem {
        name: "一直排废水",
        category: Category::Quality,
        device: true,
        wordings: &[
            "关了龙头机器还一直在响，废水一直流",
            "半夜也在不停地排废水",
            "一直在制水不停机，废水口流个不停",
        ],
    },
    // 空气净化器、扫地机器人
    Problem {
        name: "风量小",
        category: Category::Quality,
        device: true,
        wordings: &[
            "开到最高档风量也很小",
            "出风口几乎感觉不到风",
            "风量比刚买时小了很多，换了滤网也一样",
        ],
    },
    Problem {
        name: "数值显示不准",
        category: Category::Quality,
        device: true,
        wordings: &[
            "屏幕上的PM2.5数值一直不变",
            "家里刚炒完菜，显示还是优",
            "放在同一个房间，数值跟别的检测仪差很多",
        ],
    },
    Problem {
        name: "充不进电",
        category: Category::Quality,
        device: true,
        wordings: &[
            "放在充电座上不充电，指示灯也不亮",
            "充了一晚上电量还是20%",
            "充满电扫不到十分钟就没电了",
        ],
    },
    Problem {
        name: "回充失败",
        category: Category::Quality,
        device: true,
        wordings: &[
            "扫完找不到充电座，在客厅里一直转圈",
            "每次都停在半路，提示回充失败",
            "明明离充电座很近，就是对不上",
        ],
    },
    Problem {
        name: "边刷不转",
        category: Category::Quality,
        device: true,
        wordings: &[
            "左边的边刷不转了",
            "边刷转一下停一下，墙角扫不干净",
            "边刷一转就咔咔响",
        ],
    },
    Problem {
        name: "吸力变小",
        category: Category::Quality,
        device: true,
        wordings: &[
            "吸力明显变小，地上的头发都吸不起来",
            "尘盒倒干净了，吸力还是很弱",
            "只能吸点灰，稍微大点的碎屑就吸不进去",
        ],
    },
    Problem {
        name: "建图错乱",
        category: Category::Quality,
        device: true,
        wordings: &[
            "每次扫完地图都不一样，房间分不清",
            "地图上把客厅分成了好几块",
            "总是撞到家具，像看不见一样",
        ],
    },
    // 厨房电器
    Problem {
        name: "吸烟效果差",
        category: Category::Quality,
        device: true,
        wordings: &[
            "炒菜的时候烟都往外跑，厨房里全是油烟",
            "开到大档也吸不干净",
            "烟机在转，油烟却直往脸上扑",
        ],
    },
    Problem {
        name: "漏油",
        category: Category::Quality,
        device: true,
        wordings: &[
            "油杯满了以后从机器边上往下滴油",
            "油从面板缝里渗出来，滴在灶台上",
            "{部件}那里一直往下滴黄色的油",
        ],
    },
    Problem {
        name: "火力小",
        category: Category::Quality,
        device: true,
        wordings: &[
            "火苗很小，烧一锅水要半天",
            "左边灶眼的火明显比右边小",
            "火焰发黄发红，锅底都熏黑了",
        ],
    },
    Problem {
        name: "自动熄火",
        category: Category::Quality,
        device: true,
        wordings: &[
            "炒菜炒到一半火自己灭了",
            "开小火的时候特别容易熄火",
            "手一松开旋钮火就灭",
        ],
    },
    Problem {
        name: "有燃气味",
        category: Category::Quality,
        device: true,
        wordings: &[
            "关着火也能闻到一股燃气味",
            "一开阀门就闻到煤气味",
            "灶台下面有煤气味，已经关了总阀不敢用",
        ],
    },
    Problem {
        name: "洗不干净",
        category: Category::Quality,
        device: true,
        wordings: &[
            "洗完碗上还有饭粒残渣",
            "碗盘上有一层白色的水渍",
            "上层的杯子洗完还是油乎乎的",
        ],
    },
    Problem {
        name: "煮饭夹生",
        category: Category::Quality,
        device: true,
        wordings: &[
            "煮出来的饭上面是生的",
            "米饭一半软一半硬，底下还糊了",
            "按正常水量煮，饭总是夹生",
        ],
    },
    Problem {
        name: "内胆掉涂层",
        category: Category::Quality,
        device: true,
        wordings: &[
            "内胆才用三个月就开始掉涂层",
            "内胆底部起泡，还掉黑色的渣",
            "内胆涂层掉了一大片，不敢再用",
        ],
    },
    // 交付、安装与服务
    Problem {
        name: "到货磕碰变形",
        category: Category::Delivery,
        device: false,
        wordings: &[
            "收到货拆开一看，{部件}磕了一个坑",
            "送货师傅搬上楼以后才发现{部件}有裂痕",
            "外包装破了，{部件}上有明显的划痕和凹陷",
        ],
    },
    Problem {
        name: "安装不规范",
        category: Category::Installation,
        device: false,
        wordings: &[
            "安装师傅走了以后才发现机器装得不平，一开就晃",
            "管线没包好，墙上打的孔也没封堵",
            "师傅装完没试机就走了，接口根本没拧紧",
            "安装的时候把墙面和柜子磕坏了，师傅一句话都没说",
        ],
    },
    Problem {
        name: "安装后漏水",
        category: Category::Installation,
        device: false,
        wordings: &[
            "刚装好第二天接口就开始渗水",
            "师傅装完走了，{部件}接头一直在滴水",
            "安装完没两天，下面的柜子里全是水",
        ],
    },
    Problem {
        name: "维修后故障复发",
        category: Category::Installation,
        device: false,
        wordings: &[
            "上个月刚修过，现在又是老毛病",
            "换了{部件}没几天又坏了",
            "师傅来了两次都没修好，每次都说好了，用两天又不行",
        ],
    },
    Problem {
        name: "上门服务不满意",
        category: Category::Service,
        device: false,
        wordings: &[
            "上次来修的师傅态度很不好，说话很冲",
            "约好上午来修，等了一天没人来，也没人打电话说一声",
            "师傅修完以后，地上的灰和旧配件都没收拾就走了",
            "师傅到了一看就说要换{部件}，问原因也说不清楚",
        ],
    },
    Problem {
        name: "维修收费有异议",
        category: Category::Billing,
        device: false,
        wordings: &[
            "师傅换{部件}收了三百多块，可机器还在保修期内",
            "上门费加材料费比买个新的还贵，收费标准也没给看",
            "维修收了钱，既没开发票也没给收据",
        ],
    },
    Problem {
        name: "配件迟迟不到",
        category: Category::Delivery,
        device: false,
        wordings: &[
            "师傅说要换{部件}，等配件等了半个月还没到",
            "说好三天内寄{部件}过来，一个多星期了还没消息",
            "配件一直显示在途，问网点也说不清楚",
        ],
    },
];

/// The table entry of a problem name.
fn problem_named(name: &str) -> &'static Problem {
    PROBLEMS
        .iter()
        .find(|p| p.name == name)
        .unwrap_or(&UNKNOWN_PROBLEM)
}

// ---------------------------------------------------------------------------------------------
// Topics
// ---------------------------------------------------------------------------------------------

/// What one ticket is about: a product, one of its parts and a problem that fits both.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    pub product: &'static Product,
    pub part: &'static Part,
    /// Short, e.g. "不制冷", "漏水", "显示E4故障代码", "噪音大".
    pub problem: &'static str,
    pub category: Category,
}

/// A topic: any product, one of its parts, and mostly a problem of that part (sometimes one
/// of the service problems any part can have).
pub fn topic(rng: &mut Rng) -> Topic {
    let product = pick(rng, PRODUCTS);
    let part = pick(rng, product.parts);
    let problem = if part.problems.is_empty() || chance(rng, 0.15) {
        pick_str(rng, GENERIC_PROBLEMS)
    } else {
        pick_str(rng, part.problems)
    };
    Topic {
        product,
        part,
        problem,
        category: problem_named(problem).category,
    }
}

// ---------------------------------------------------------------------------------------------
// Fragments of the customer's first message
// ---------------------------------------------------------------------------------------------

/// How a channel's messages read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
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
    fn of(channel: Channel) -> Voice {
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
enum Age {
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
const BOUGHT_REPORTED: &[(&str, Age)] = &[
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
const WHEN: &[&str] = &[
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
const SUSPECTS: &[&str] = &[
    "感觉是{部件}的问题。",
    "自己看了看，应该是{部件}那里出了毛病。",
    "之前有师傅说过{部件}可能不太好。",
    "听声音像是{部件}那块。",
    "网上查了一下，说可能是{部件}坏了。",
    "怀疑是{部件}坏了。",
];

/// What the customer already tried (device problems).
const TRIED: &[&str] = &[
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
fn impacts_home(line: Line) -> &'static [&'static str] {
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
const IMPACTS_SHOP: &[&str] = &[
    "店里每天都要用，耽误不起。",
    "已经影响到正常营业了。",
    "设备停一天损失就不小。",
    "客人已经有意见了。",
    "马上到营业高峰，急用。",
];

/// What it costs anyone.
const IMPACTS_ANY: &[&str] = &[
    "影响正常使用。",
    "这几天只能先停用。",
    "已经影响到正常生活了。",
    "买了没多久就出这种问题，心里挺不舒服的。",
    "新买的东西就这样，有点失望。",
];

/// A complaint's history: why the customer is angry now.
const HISTORY: &[&str] = &[
    "之前已经找过你们售后，一直没解决。",
    "这已经是第三次出这个问题了。",
    "打了好几次400，都说会有人联系，结果一直没人管。",
    "网点说要等配件，一等就是十多天。",
    "上次师傅来看过，说修好了，没两天又这样。",
    "前后报修两次，每次都要从头解释一遍。",
];

/// Mentions of the order number.
const ORDER_MENTIONS: &[&str] = &[
    "订单号：{订单}。",
    "订单号是{订单}。",
    "购买订单{订单}，可以查到记录。",
    "订单号{订单}，麻烦核对一下。",
    "（订单{订单}）",
];

const WARRANTY_IN: &[&str] = &[
    "还在保修期内。",
    "机器还在保修期里。",
    "保修卡和发票都在，还在保修期。",
];
const WARRANTY_OUT: &[&str] = &[
    "已经过了保修期，修的话大概多少钱？",
    "过保了，想先问下维修怎么收费。",
    "保修期刚过，能不能通融一下？",
];

/// What the customer asks for, in plain written Chinese.
fn requests(ticket_type: TicketType) -> &'static [&'static str] {
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
fn requests_casual(ticket_type: TicketType) -> &'static [&'static str] {
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
fn requests_formal(ticket_type: TicketType) -> &'static [&'static str] {
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
fn requests_reported(ticket_type: TicketType) -> &'static [&'static str] {
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
fn requests_structured(ticket_type: TicketType) -> &'static [&'static str] {
    match ticket_type {
        TicketType::AfterSales => &["保修期内免费维修", "换货", "退货退款", "寄送{部件}"],
        TicketType::Complaint => &["要求给出处理方案", "要求退货并赔偿", "要求主管回电"],
        _ => &["上门维修", "上门检测", "远程指导"],
    }
}

const CLOSINGS: &[&str] = &[
    "谢谢。",
    "麻烦了！",
    "盼回复。",
    "急，谢谢！",
    "辛苦了。",
    "谢谢，等你们电话。",
    "先谢谢了。",
];
const CONTACT_HOME: &[&str] = &[
    "白天要上班，晚上七点以后家里有人。",
    "周末都在家，上门前打电话就行。",
    "电话就是注册的这个手机号。",
    "家里一直有老人在，随时可以上门。",
];
const CONTACT_SHOP: &[&str] = &[
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
const API_SOURCES: &[(&str, &str)] = &[
    ("经销商服务系统", "经销商"),
    ("天猫旗舰店售后工单", "天猫"),
    ("京东自营售后", "京东"),
    ("工程安装平台", "工程平台"),
    ("企业微信小程序", "小程序"),
    ("400语音导航转写", "语音转写"),
];

/// How an agent opens a call summary (followed directly by what was said).
fn summary_lead(rng: &mut Rng, channel: Channel) -> &'static str {
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
fn summary_tail(rng: &mut Rng, channel: Channel) -> &'static str {
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
fn dress(rng: &mut Rng, voice: Voice, channel: Channel, paragraphs: &[String]) -> String {
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
fn machine_phrase(rng: &mut Rng, topic: &Topic, voice: Voice) -> (String, Age) {
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
fn warranty(rng: &mut Rng, age: Age) -> Option<bool> {
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
fn event_sentence(rng: &mut Rng, topic: &Topic, problem: &Problem, machine: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// The customer's first message
// ---------------------------------------------------------------------------------------------

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
struct Ask {
    tag: &'static str,
    /// Asked before buying (price, installation) rather than by an owner.
    before_buying: bool,
    subjects: &'static [&'static str],
    questions: &'static [&'static str],
    /// What a call was about: "客户来电咨询{what}".
    what: &'static str,
    answers: &'static [&'static str],
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
fn ask_of(topic: &Topic) -> &'static Ask {
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
struct OrderTrouble {
    tag: &'static str,
    subjects: &'static [&'static str],
    /// What happened (no "我", no end punctuation).
    facts: &'static [&'static str],
    /// What the customer asks, with its punctuation.
    wants: &'static [&'static str],
    /// What the customer asks, as an agent writes it down (after "客户要求").
    demands: &'static [&'static str],
    first: &'static [&'static str],
    progress: &'static [&'static str],
    solution: &'static [&'static str],
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
fn order_trouble_of(topic: &Topic) -> &'static OrderTrouble {
    &ORDER_TROUBLES[(topic_hash(topic) / 7) % ORDER_TROUBLES.len()]
}

/// The accessory an order issue about this topic names.
fn accessory_of(topic: &Topic) -> &'static str {
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

// ---------------------------------------------------------------------------------------------
// Replies and notes
// ---------------------------------------------------------------------------------------------

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
const WORKING_DAYS: &[&str] = &["两", "三", "三到五", "1到2"];

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

// ---------------------------------------------------------------------------------------------
// Complaints — 投诉处理闭环
// ---------------------------------------------------------------------------------------------

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
fn causes_for(category: Category) -> &'static [(Cause, u32)] {
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
fn remedies_for(category: Category, cause: Cause) -> &'static [(Remedy, u32)] {
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

// ---------------------------------------------------------------------------------------------
// People and places — 客户资料
// ---------------------------------------------------------------------------------------------

/// Surnames with their weight (roughly per mille of the population; compound surnames rare).
#[rustfmt::skip]
const SURNAMES: &[(&str, u32)] = &[
    ("王", 72), ("李", 71), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 23), ("赵", 22),
    ("吴", 21), ("周", 21), ("徐", 15), ("孙", 15), ("马", 13), ("朱", 13), ("胡", 12), ("郭", 11),
    ("何", 11), ("高", 10), ("林", 10), ("罗", 10), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 7),
    ("唐", 7), ("许", 7), ("韩", 6), ("冯", 6), ("邓", 6), ("曹", 6), ("彭", 6), ("曾", 5),
    ("肖", 5), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2),
    ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 1), ("覃", 1), ("武", 1), ("戴", 1),
    ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("欧阳", 1), ("司马", 1), ("诸葛", 1), ("上官", 1),
];

/// Common characters of given names.
const GIVEN: &[char] = &[
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
    '超', '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '兰', '红', '建', '国', '文', '辉', '斌',
    '鹏', '宇', '浩', '凯', '晨', '婷', '雪', '琳', '慧', '颖', '倩', '佳', '欣', '怡', '萍', '燕',
    '玲', '梅', '莉', '晶', '亮', '峰', '飞', '波', '鑫', '宁', '坤', '晓', '俊', '健', '帅', '志',
    '海', '林', '永', '春', '东', '龙', '云', '成', '荣', '新', '良', '鸿', '博', '子', '梓', '涵',
    '轩', '睿', '泽', '昊', '然', '若', '思', '雨', '诗', '琪', '悦', '萱', '可', '一', '嘉', '奕',
    '铭', '瑶', '雅', '婧', '晴', '璐', '蕾', '薇', '丹', '岚', '露', '青', '鹤', '松', '柏', '杨',
    '振', '家', '宏', '德', '安', '庆', '福', '生', '祥', '金', '宝', '兴', '旭', '阳', '光', '天',
    '蓉', '立', '忠', '诚', '义', '信', '仁', '智', '勤', '俭', '秋', '冬', '夏', '月', '星', '辰',
    '航', '远', '翔', '腾', '达', '彬', '楠', '欢',
];

/// A realistic Chinese name: a weighted surname and one or two given-name characters.
pub fn person_name(rng: &mut Rng) -> String {
    let mut name = String::with_capacity(12);
    name.push_str(pick_weighted_str(rng, SURNAMES));
    name.push(*pick(rng, GIVEN));
    if chance(rng, 0.65) {
        name.push(*pick(rng, GIVEN));
    }
    name
}

/// First characters of a trade name (字号).
const TRADE_FIRST: &[&str] = &[
    "明", "华", "鑫", "盛", "宏", "永", "金", "新", "博", "瑞", "泰", "嘉", "德", "中", "天", "联",
    "丰", "兴", "荣", "汇", "正", "东", "佳", "伟", "创", "万", "宝", "富", "安", "凯", "辉", "晨",
    "诚", "润", "裕", "祥", "福", "康", "远", "弘", "立", "启", "元", "鼎", "骏", "腾", "广", "亿",
    "顺", "长", "乾", "尚", "同", "致", "卓", "银", "君", "合", "千", "百",
];
/// Second characters of a trade name (disjoint from the first, so no "华华").
const TRADE_SECOND: &[&str] = &[
    "达", "通", "源", "信", "和", "昌", "隆", "峰", "成", "发", "利", "邦", "洋", "茂", "晟", "宇",
    "航", "海", "阳", "升", "旺", "科", "力", "晖", "禾", "美", "诺", "威", "星", "光", "辰", "亚",
    "锦", "鸿", "泽", "捷", "圣", "运", "益", "展", "越", "翔", "恒", "驰", "耀", "欣", "乐", "凡",
    "贸", "居", "豪", "林", "川", "峻", "铭", "冠", "晶", "桥", "森", "岳",
];
/// Lines of business in a company name.
const COMPANY_TRADES: &[&str] = &[
    "机电设备",
    "电器销售",
    "商贸",
    "贸易",
    "酒店管理",
    "餐饮管理",
    "物业服务",
    "建筑工程",
    "装饰工程",
    "物流",
    "科技",
    "制冷设备",
    "厨房设备",
    "家电",
    "实业",
    "环境工程",
    "食品",
    "医疗器械",
    "教育科技",
    "酒店用品",
    "供应链管理",
    "超市",
    "网络科技",
    "暖通工程",
    "电子",
    "机械",
    "五金机电",
    "冷链物流",
    "餐饮",
    "物业管理",
    "房地产开发",
    "健康管理",
    "信息技术",
    "文化传媒",
    "新能源",
    "净水设备",
    "智能家居",
    "置业",
    "水产",
    "连锁",
    "空调工程",
    "电气",
    "商业管理",
    "投资",
    "酒店",
    "餐饮服务",
    "建材",
    "家具",
    "印刷",
    "包装",
];
const COMPANY_FORMS: &[(&str, u32)] = &[
    ("有限公司", 75),
    ("有限责任公司", 12),
    ("股份有限公司", 5),
    ("集团有限公司", 3),
];

/// A company customer's name in `city` (with or without 市), e.g. "苏州明达机电设备有限公司".
pub fn company_name(rng: &mut Rng, city: &str) -> String {
    let city = city.trim().trim_end_matches('市');
    let first = pick(rng, TRADE_FIRST);
    let second = pick(rng, TRADE_SECOND);
    let trade = pick(rng, COMPANY_TRADES);
    let form = pick_weighted(rng, COMPANY_FORMS);
    if city.is_empty() || rng.usize(..10) == 0 {
        format!("{first}{second}（{city}）{trade}{form}").replace("（）", "")
    } else {
        format!("{city}{first}{second}{trade}{form}")
    }
}

/// A province and one of its cities, with the city's telephone area code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Full name: "浙江省", "广西壮族自治区", "上海市" (a municipality is its own province).
    pub province: &'static str,
    /// Full name: "杭州市", "上海市".
    pub city: &'static str,
    /// "0571"
    pub area_code: &'static str,
}

const fn place(province: &'static str, city: &'static str, area_code: &'static str) -> Region {
    Region {
        province,
        city,
        area_code,
    }
}

/// Cities of the demo customers, weighted toward the company's home markets.
const REGIONS: &[(Region, u32)] = &[
    (place("浙江省", "杭州市", "0571"), 14),
    (place("浙江省", "宁波市", "0574"), 8),
    (place("浙江省", "温州市", "0577"), 7),
    (place("浙江省", "绍兴市", "0575"), 5),
    (place("浙江省", "金华市", "0579"), 5),
    (place("浙江省", "嘉兴市", "0573"), 4),
    (place("浙江省", "台州市", "0576"), 4),
    (place("浙江省", "湖州市", "0572"), 3),
    (place("浙江省", "衢州市", "0570"), 2),
    (place("浙江省", "丽水市", "0578"), 2),
    (place("浙江省", "舟山市", "0580"), 1),
    (place("江苏省", "苏州市", "0512"), 9),
    (place("江苏省", "南京市", "025"), 8),
    (place("江苏省", "无锡市", "0510"), 6),
    (place("江苏省", "常州市", "0519"), 5),
    (place("江苏省", "南通市", "0513"), 4),
    (place("江苏省", "徐州市", "0516"), 3),
    (place("江苏省", "扬州市", "0514"), 3),
    (place("江苏省", "盐城市", "0515"), 2),
    (place("江苏省", "泰州市", "0523"), 2),
    (place("江苏省", "镇江市", "0511"), 2),
    (place("广东省", "广州市", "020"), 9),
    (place("广东省", "深圳市", "0755"), 9),
    (place("广东省", "佛山市", "0757"), 5),
    (place("广东省", "东莞市", "0769"), 5),
    (place("广东省", "中山市", "0760"), 3),
    (place("广东省", "珠海市", "0756"), 2),
    (place("广东省", "惠州市", "0752"), 2),
    (place("广东省", "汕头市", "0754"), 2),
    (place("上海市", "上海市", "021"), 12),
    (place("北京市", "北京市", "010"), 10),
    (place("山东省", "青岛市", "0532"), 6),
    (place("山东省", "济南市", "0531"), 5),
    (place("山东省", "烟台市", "0535"), 3),
    (place("山东省", "潍坊市", "0536"), 3),
    (place("山东省", "临沂市", "0539"), 2),
    (place("山东省", "淄博市", "0533"), 2),
    (place("天津市", "天津市", "022"), 3),
    (place("重庆市", "重庆市", "023"), 3),
    (place("安徽省", "合肥市", "0551"), 3),
    (place("安徽省", "芜湖市", "0553"), 1),
    (place("福建省", "福州市", "0591"), 3),
    (place("福建省", "厦门市", "0592"), 3),
    (place("福建省", "泉州市", "0595"), 2),
    (place("江西省", "南昌市", "0791"), 2),
    (place("河南省", "郑州市", "0371"), 3),
    (place("河南省", "洛阳市", "0379"), 1),
    (place("湖北省", "武汉市", "027"), 4),
    (place("湖北省", "宜昌市", "0717"), 1),
    (place("湖南省", "长沙市", "0731"), 3),
    (place("河北省", "石家庄市", "0311"), 2),
    (place("河北省", "唐山市", "0315"), 1),
    (place("山西省", "太原市", "0351"), 1),
    (place("辽宁省", "沈阳市", "024"), 2),
    (place("辽宁省", "大连市", "0411"), 2),
    (place("吉林省", "长春市", "0431"), 1),
    (place("黑龙江省", "哈尔滨市", "0451"), 1),
    (place("陕西省", "西安市", "029"), 3),
    (place("四川省", "成都市", "028"), 4),
    (place("四川省", "绵阳市", "0816"), 1),
    (place("云南省", "昆明市", "0871"), 1),
    (place("贵州省", "贵阳市", "0851"), 1),
    (place("广西壮族自治区", "南宁市", "0771"), 1),
    (place("广西壮族自治区", "桂林市", "0773"), 1),
    (place("海南省", "海口市", "0898"), 1),
    (place("甘肃省", "兰州市", "0931"), 1),
    (place("青海省", "西宁市", "0971"), 1),
    (place("宁夏回族自治区", "银川市", "0951"), 1),
    (place("新疆维吾尔自治区", "乌鲁木齐市", "0991"), 1),
    (place("西藏自治区", "拉萨市", "0891"), 1),
    (place("内蒙古自治区", "呼和浩特市", "0471"), 1),
];

/// A customer's city: 71 cities in every province, weighted toward 浙江, 江苏, 广东, 上海,
/// 北京 and 山东.
pub fn region(rng: &mut Rng) -> &'static Region {
    pick_weighted(rng, REGIONS)
}

/// Mainland mobile prefixes in use.
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150",
    "151", "152", "153", "155", "156", "157", "158", "159", "166", "170", "171", "173", "175",
    "176", "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
];

/// A mainland mobile number: 11 digits on a real prefix.
pub fn mobile(rng: &mut Rng) -> String {
    format!(
        "{}{:08}",
        pick(rng, MOBILE_PREFIXES),
        rng.u32(..100_000_000)
    )
}

/// A landline in the region: "0571-88812345".
pub fn landline(rng: &mut Rng, region: &Region) -> String {
    format!(
        "{}-{}{:07}",
        region.area_code,
        rng.u8(2..=8),
        rng.u32(..10_000_000)
    )
}

const INDUSTRIES: &[&str] = &[
    "批发零售",
    "酒店餐饮",
    "物业管理",
    "制造业",
    "房地产",
    "教育",
    "医疗",
    "连锁商超",
    "建筑装饰",
    "物流仓储",
    "政府机关",
    "金融",
    "信息技术",
    "养老服务",
    "家电经销",
    "汽车服务",
    "文化体育",
    "农业食品",
];

/// A company customer's industry.
pub fn industry(rng: &mut Rng) -> &'static str {
    pick_str(rng, INDUSTRIES)
}

const JOB_TITLES: &[&str] = &[
    "采购经理",
    "店长",
    "行政主管",
    "设备科长",
    "后勤主管",
    "工程部经理",
    "总经理",
    "办公室主任",
    "物业经理",
    "厨师长",
    "采购专员",
    "设备管理员",
    "财务主管",
    "总务",
    "运营经理",
    "项目经理",
    "门店经理",
    "老板",
    "行政专员",
    "工程师",
];

/// A company contact's job title.
pub fn job_title(rng: &mut Rng) -> &'static str {
    pick_str(rng, JOB_TITLES)
}

// ---------------------------------------------------------------------------------------------
// Reply scripts — 话术库
// ---------------------------------------------------------------------------------------------

/// Reply scripts (话术库) the demo company's department has agreed: (category, title, body),
/// with the placeholders of `kefu_domain::kb::PLACEHOLDERS` written in Chinese. Titles differ
/// from the starter scripts every installation gets.
pub const SCRIPTS: &[(&str, &str, &str)] = &[
    (
        "通用",
        "首问负责说明",
        "{客户名称}您好，我是客服{客服姓名}。您的问题由我负责跟进到底，处理过程中不需要您再重复说明情况。工单号是 {工单号}，有任何进展我都会第一时间通知您。",
    ),
    (
        "通用",
        "等待致歉",
        "{客户名称}您好，让您久等了，非常抱歉。您的工单 {工单号} 我们正在加紧处理，预计 {到期时间} 前给您明确答复。",
    ),
    (
        "通用",
        "转交相关部门",
        "{客户名称}您好，您的问题需要专业同事协助处理，我已将工单 {工单号} 转交相关部门，并会继续跟进，预计在 {到期时间} 前给您答复。",
    ),
    (
        "通用",
        "非工作时间回复",
        "{客户名称}您好，感谢您的留言。现在是非工作时间，客服人员会在下一个工作日上午9点后尽快回复您。如遇燃气泄漏等紧急情况，请先关闭燃气总阀、开窗通风，再拨打400服务热线。",
    ),
    (
        "通用",
        "结案结束语",
        "{客户名称}您好，工单 {工单号} 已处理完毕。感谢您对恒信的信任与支持，稍后可能会有满意度回访短信，期待您的评价。祝您生活愉快！",
    ),
    (
        "咨询",
        "微信接待问候",
        "您好，欢迎咨询恒信客服，我是{客服姓名}，请问有什么可以帮您？如是报修，麻烦提供产品型号、购买时间和故障现象。",
    ),
    (
        "咨询",
        "安装服务说明",
        "{客户名称}您好，恒信产品购买后由当地授权网点免费安装。标准安装材料以外的费用（如加长铜管、支架、打孔）按公司公示价格收取，师傅会在施工前向您出示收费标准。",
    ),
    (
        "咨询",
        "产品使用指导",
        "{客户名称}您好，您咨询的功能可以参考说明书“使用方法”一章，我们也准备了操作视频，可在“恒信服务”公众号的“使用指南”栏目查看。如还有疑问，随时联系客服{客服姓名}。",
    ),
    (
        "售后",
        "维修预约",
        "{客户名称}您好，已为您预约上门维修，服务工程师会在上门前一小时电话联系您。请您提前准备好购买凭证，并清理机器周边的杂物，方便师傅操作。工单号：{工单号}。",
    ),
    (
        "售后",
        "远程排查指导",
        "{客户名称}您好，请您先断开电源10分钟后重新开机，并确认插座供电正常、滤网已清洁。如果故障仍然存在，请回复我们，我们会立即为您安排工程师上门。",
    ),
    (
        "售后",
        "保修政策说明",
        "{客户名称}您好，恒信产品整机保修三年，压缩机等核心部件保修十年，保修期以购买发票日期为准。保修期内非人为损坏的故障免费维修；保外维修按公司统一价格收费，师傅会先报价，经您同意后再维修。",
    ),
    (
        "售后",
        "保外维修收费说明",
        "{客户名称}您好，您的产品已超出保修期，本次维修费用包括上门费和配件费，收费标准以公司公示为准。师傅上门检测后会先向您报价，您确认后再维修，并为您开具正规发票。",
    ),
    (
        "售后",
        "配件寄送",
        "{客户名称}您好，您需要的配件已安排从杭州中心仓发出，一般2到3天送达。收到后如需师傅安装，请回复本消息或拨打400热线预约。",
    ),
    (
        "售后",
        "延保服务介绍",
        "{客户名称}您好，恒信延保服务可在购买后180天内办理，有一年、三年两种，延保期内享受与保修期相同的免费维修。办理方式：关注“恒信服务”公众号，进入“延保服务”填写产品信息即可。",
    ),
    (
        "投诉",
        "安抚道歉",
        "{客户名称}您好，非常抱歉给您带来了不好的体验，您的心情我们完全理解。您反映的问题我已经详细记录（工单号 {工单号}），由我负责跟进到底，{到期时间}前一定给您答复。",
    ),
    (
        "投诉",
        "投诉受理确认",
        "{客户名称}您好，您的投诉已正式受理。我们会在核实情况后请相关部门调查处理，并于 {到期时间} 前将处理方案告知您。处理期间如有补充，请直接回复工单 {工单号}。",
    ),
    (
        "投诉",
        "处理方案确认",
        "{客户名称}您好，针对您反映的问题，公司经研究提出了处理方案，稍后客服{客服姓名}会电话与您确认。如您对方案有不同意见，请随时告诉我们。",
    ),
    (
        "投诉",
        "投诉回访",
        "{客户名称}您好，我是恒信客服{客服姓名}，想占用您一两分钟做个回访：之前反映的问题现在解决了吗？您对我们的处理结果是否满意？您的意见对我们非常重要。",
    ),
    (
        "投诉",
        "投诉不成立答复",
        "{客户名称}您好，感谢您的反馈。经工程师上门检测核实，产品各项指标正常，您反映的情况属于正常现象，并非质量问题。给您带来的困扰我们深表歉意，如有其他疑问，欢迎随时联系我们。",
    ),
    (
        "订单",
        "退货政策说明",
        "{客户名称}您好，自签收之日起7天内，商品未安装使用且包装完好的，可以无理由退货；15天内出现性能故障的，可以选择退货、换货或维修。退货审核通过后物流会上门取件，退款在仓库签收后3到5个工作日内原路退回。",
    ),
    (
        "订单",
        "换货流程",
        "{客户名称}您好，换货流程如下：1. 请提供订单号和故障照片；2. 审核通过后安排物流上门取回原机；3. 新机发出后短信通知您物流单号；4. 到货后由网点师傅免费安装。整个流程一般5到7个工作日。",
    ),
    (
        "订单",
        "发货时间说明",
        "{客户名称}您好，现货商品一般在付款后48小时内发货，大件商品由物流直接送货上门，送货前司机会电话联系您。节假日或促销期间，发货时间可能顺延1到2天。",
    ),
    (
        "订单",
        "修改收货地址",
        "{客户名称}您好，订单未出库前可以修改收货地址，请回复完整的新地址和收货人电话；如订单已发出，我们会联系承运商尝试改派，可能会晚1到2天送达。",
    ),
    (
        "物流",
        "物流查询",
        "{客户名称}您好，已为您查询物流信息，您的商品目前在运输途中，预计1到3天送达。送货前司机会与您电话联系，请保持电话畅通。",
    ),
    (
        "物流",
        "到货破损处理",
        "{客户名称}您好，非常抱歉商品在运输中出现破损。请您先不要安装使用，拍下外箱和破损部位的照片发给我们，我们会优先为您安排换货或补发，费用由我们承担。",
    ),
    (
        "财务",
        "发票开具",
        "{客户名称}您好，请提供开票抬头、纳税人识别号和接收邮箱（专票还需提供开户行、账号、地址和电话）。电子发票一般在提交后2个工作日内发送到您的邮箱。",
    ),
    (
        "财务",
        "退款到账时间",
        "{客户名称}您好，您的退款已经审核通过，将按原支付方式退回：微信、支付宝一般1到3个工作日到账，银行卡3到5个工作日到账，具体以银行处理时间为准。",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use kefu_domain::kb::{self, PLACEHOLDERS};
    use kefu_domain::ticket::clean_tags;

    use super::*;

    const ORDER: &str = "PO-2026-00817";
    const AGENT: &str = "李敏";
    /// The categories the demo department files its scripts under.
    const SCRIPT_CATEGORIES: &[&str] = &["通用", "售后", "投诉", "订单", "物流", "财务", "咨询"];

    /// An opening as the demo draws one: any topic, type and channel.
    fn any_opening(rng: &mut Rng) -> Opening {
        let t = topic(rng);
        let ticket_type = *pick(rng, TicketType::ALL);
        let channel = *pick(rng, Channel::ALL);
        opening(rng, ticket_type, channel, &t, ORDER)
    }

    /// Every text one ticket, its conversation and its complaint would draw.
    fn conversation(rng: &mut Rng) -> Vec<String> {
        let t = topic(rng);
        let ticket_type = *pick(rng, TicketType::ALL);
        let channel = *pick(rng, Channel::ALL);
        let o = opening(rng, ticket_type, channel, &t, ORDER);
        let mut texts = vec![o.subject, o.body, o.tags.join(",")];
        for stage in [
            ReplyStage::First,
            ReplyStage::Progress,
            ReplyStage::Solution,
        ] {
            texts.push(agent_reply(rng, ticket_type, &t, AGENT, stage));
        }
        texts.push(customer_reply(rng, &t, false));
        texts.push(customer_reply(rng, &t, true));
        texts.push(internal_note(rng, &t));
        let c = complaint_texts(rng, &t);
        texts.extend([
            c.content,
            c.cause.key().to_owned(),
            c.findings,
            c.remedy.key().to_owned(),
            c.proposal,
            c.cost_fen.to_string(),
            c.follow_up,
            c.summary,
            c.lessons,
            c.measure,
            c.invalid_reason,
            c.notice_answer,
        ]);
        let place = region(rng);
        texts.push(company_name(rng, place.city));
        texts.push(person_name(rng));
        texts.push(mobile(rng));
        texts.push(landline(rng, place));
        texts
    }

    #[test]
    fn the_same_seed_gives_the_same_texts() {
        let mut a = Rng::with_seed(20_261_126);
        let mut b = Rng::with_seed(20_261_126);
        for _ in 0..500 {
            assert_eq!(conversation(&mut a), conversation(&mut b));
        }
        let mut c = Rng::with_seed(1);
        let mut d = Rng::with_seed(2);
        assert_ne!(conversation(&mut c), conversation(&mut d));
    }

    #[test]
    fn openings_vary() {
        let mut rng = Rng::with_seed(42);
        let mut bodies = HashSet::new();
        let mut subjects = HashSet::new();
        for _ in 0..10_000 {
            let o = any_opening(&mut rng);
            bodies.insert(o.body);
            subjects.insert(o.subject);
        }
        assert!(
            bodies.len() >= 9_000,
            "only {} distinct bodies",
            bodies.len()
        );
        assert!(
            subjects.len() >= 500,
            "only {} distinct subjects",
            subjects.len()
        );
    }

    #[test]
    fn openings_keep_to_the_limits() {
        let mut rng = Rng::with_seed(7);
        for _ in 0..10_000 {
            let o = any_opening(&mut rng);
            let subject_chars = o.subject.chars().count();
            assert!(
                (1..=SUBJECT_MAX).contains(&subject_chars),
                "{:?}",
                o.subject
            );
            assert!(!o.body.trim().is_empty() && o.body.chars().count() <= BODY_MAX);
            assert!(
                !o.subject.contains('{') && !o.body.contains('{'),
                "unfilled slot: {o:?}"
            );
            assert!((1..=3).contains(&o.tags.len()), "{:?}", o.tags);
            let distinct: HashSet<_> = o.tags.iter().collect();
            assert_eq!(distinct.len(), o.tags.len(), "{:?}", o.tags);
            for tag in &o.tags {
                assert_eq!(clean_tags(tag), Ok(vec![(*tag).to_owned()]), "tag {tag:?}");
            }
        }
    }

    #[test]
    fn every_ticket_type_and_channel_opens() {
        let mut rng = Rng::with_seed(3);
        let t = topic(&mut rng);
        for ticket_type in TicketType::ALL {
            for channel in Channel::ALL {
                let o = opening(&mut rng, *ticket_type, *channel, &t, ORDER);
                assert!(!o.subject.is_empty() && !o.body.is_empty());
                let o = opening(&mut rng, *ticket_type, *channel, &t, "");
                assert!(!o.subject.is_empty() && !o.body.is_empty());
            }
        }
    }

    #[test]
    fn the_catalogue_is_well_formed() {
        assert!((20..=24).contains(&PRODUCTS.len()));
        let mut codes = HashSet::new();
        for product in PRODUCTS {
            assert!((3..=6).contains(&product.parts.len()), "{}", product.name);
            assert!(
                !product.accessories.is_empty() && product.price_yuan > 0,
                "{}",
                product.name
            );
            for part in product.parts {
                assert!(
                    codes.insert(part.code),
                    "part code {} is used twice",
                    part.code
                );
                assert!(!part.problems.is_empty(), "{}", part.code);
                for name in part.problems {
                    assert!(
                        PROBLEMS.iter().any(|p| p.name == *name),
                        "unknown problem {name}"
                    );
                }
            }
        }
        let mut names = HashSet::new();
        for problem in PROBLEMS {
            assert!(
                names.insert(problem.name),
                "problem {} is listed twice",
                problem.name
            );
            assert!(problem.wordings.len() >= 3, "{}", problem.name);
            assert!(!problem.name.contains([' ', ',', '，']));
        }
        for name in GENERIC_PROBLEMS {
            assert!(names.contains(name), "unknown problem {name}");
        }
    }

    #[test]
    fn topics_fit_their_product() {
        let mut rng = Rng::with_seed(11);
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let t = topic(&mut rng);
            assert!(t.product.parts.iter().any(|p| p.code == t.part.code));
            assert!(t.part.problems.contains(&t.problem) || GENERIC_PROBLEMS.contains(&t.problem));
            assert_eq!(t.category, problem_named(t.problem).category);
            seen.insert(t.category);
        }
        assert!(seen.len() >= 5, "categories seen: {seen:?}");
    }

    #[test]
    fn replies_and_notes_are_complete() {
        let mut rng = Rng::with_seed(5);
        let mut signed = 0;
        for _ in 0..3_000 {
            let t = topic(&mut rng);
            let ticket_type = *pick(&mut rng, TicketType::ALL);
            for stage in [
                ReplyStage::First,
                ReplyStage::Progress,
                ReplyStage::Solution,
            ] {
                let reply = agent_reply(&mut rng, ticket_type, &t, AGENT, stage);
                assert!(!reply.is_empty() && !reply.contains('{'), "{reply}");
                signed += usize::from(reply.contains(AGENT));
            }
            assert!(
                !agent_reply(&mut rng, ticket_type, &t, "", ReplyStage::First).contains("{客服}")
            );
            for satisfied in [true, false] {
                let answer = customer_reply(&mut rng, &t, satisfied);
                assert!(!answer.is_empty() && !answer.contains('{'), "{answer}");
            }
            let note = internal_note(&mut rng, &t);
            assert!(!note.is_empty() && !note.contains('{'), "{note}");
        }
        assert!(signed > 500, "agents sign too rarely: {signed}");
    }

    #[test]
    fn complaint_texts_fit_the_topic() {
        let mut rng = Rng::with_seed(13);
        for _ in 0..3_000 {
            let t = topic(&mut rng);
            let c = complaint_texts(&mut rng, &t);
            assert!(
                causes_for(t.category)
                    .iter()
                    .any(|(cause, _)| *cause == c.cause)
            );
            assert!(
                remedies_for(t.category, c.cause)
                    .iter()
                    .any(|(remedy, _)| *remedy == c.remedy)
            );
            if c.remedy == Remedy::Apologise {
                assert_eq!(c.cost_fen, 0);
            } else {
                assert!(c.cost_fen > 0, "{c:?}");
            }
            assert!(c.cost_fen <= i64::from(t.product.price_yuan) * 100);
            for text in [
                &c.content,
                &c.findings,
                &c.proposal,
                &c.follow_up,
                &c.summary,
                &c.lessons,
                &c.measure,
                &c.invalid_reason,
                &c.notice_answer,
            ] {
                assert!(!text.is_empty() && !text.contains('{'), "{text}");
            }
        }
    }

    #[test]
    fn company_names_vary() {
        let mut rng = Rng::with_seed(17);
        let names: HashSet<String> = (0..10_000)
            .map(|_| company_name(&mut rng, "杭州市"))
            .collect();
        assert!(names.len() >= 9_500, "only {} distinct names", names.len());
        assert!(
            names
                .iter()
                .all(|n| n.contains("杭州") && !n.contains("杭州市"))
        );
    }

    #[test]
    fn people_and_places_look_real() {
        let mut rng = Rng::with_seed(19);
        for _ in 0..10_000 {
            let m = mobile(&mut rng);
            assert_eq!(m.len(), 11, "{m}");
            assert!(
                m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit()),
                "{m}"
            );
            assert!(MOBILE_PREFIXES.contains(&&m[..3]), "{m}");
            let place = region(&mut rng);
            let phone = landline(&mut rng, place);
            let (code, number) = phone.split_once('-').unwrap_or_default();
            assert_eq!(code, place.area_code);
            assert!(
                number.len() == 8 && number.bytes().all(|b| b.is_ascii_digit()),
                "{phone}"
            );
            let name = person_name(&mut rng);
            assert!((2..=4).contains(&name.chars().count()), "{name}");
            assert!(!industry(&mut rng).is_empty() && !job_title(&mut rng).is_empty());
        }
        let cities: HashSet<_> = REGIONS.iter().map(|(r, _)| r.city).collect();
        let provinces: HashSet<_> = REGIONS.iter().map(|(r, _)| r.province).collect();
        assert!(cities.len() >= 60 && provinces.len() >= 30);
        for (r, _) in REGIONS {
            assert!(r.area_code.starts_with('0') && (3..=4).contains(&r.area_code.len()));
        }
    }

    #[test]
    fn scripts_are_complete() {
        assert!((20..=30).contains(&SCRIPTS.len()));
        let mut titles = HashSet::new();
        for (category, title, body) in SCRIPTS {
            assert!(
                SCRIPT_CATEGORIES.contains(category),
                "unknown category {category}"
            );
            assert!(titles.insert(*title), "title {title} is used twice");
            assert!(!body.trim().is_empty());
            assert_eq!(kb::check(category, title, body), Ok(()));
            // Every slot is a known placeholder, in English or Chinese.
            let mut rest = *body;
            while let Some(start) = rest.find('{') {
                let after = &rest[start + 1..];
                let end = after.find('}').unwrap_or(after.len());
                let name = &after[..end];
                assert!(
                    PLACEHOLDERS
                        .iter()
                        .any(|(en, zh)| *en == name || *zh == name),
                    "unknown placeholder {name} in {title}"
                );
                rest = &after[end.min(after.len())..];
            }
        }
    }
}
