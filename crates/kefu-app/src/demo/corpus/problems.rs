//! Problems — 故障与问题: what can go wrong with a part, and how customers word it.

use kefu_domain::complaint::Category;

/// A problem a part can have, and the ways customers describe it.
pub(super) struct Problem {
    pub(super) name: &'static str,
    pub(super) category: Category,
    /// A symptom of the machine, told after when it began ("上周三开始，…"); otherwise an
    /// account of a visit, a bill or a delivery, told as it happened.
    pub(super) device: bool,
    /// How customers word it (no subject, no "我", so a call summary can quote it too).
    pub(super) wordings: &'static [&'static str],
}

/// The problems every part can have: the service around it rather than the part itself.
pub(super) const GENERIC_PROBLEMS: &[&str] = &[
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

pub(super) const PROBLEMS: &[Problem] = &[
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
pub(super) fn problem_named(name: &str) -> &'static Problem {
    PROBLEMS
        .iter()
        .find(|p| p.name == name)
        .unwrap_or(&UNKNOWN_PROBLEM)
}
