//! The catalogue — 产品与配件: the demo company's products and their parts.

/// The product line, for the wording that differs between, say, a fridge and a cooker hood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
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
    pub(super) line: Line,
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
