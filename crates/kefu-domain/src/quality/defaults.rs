//! The scorecard kefu ships: the seeds' service norms, each item naming where it comes
//! from, weights summing to 100. Every word is the department's to edit.

use super::scorecard::{Item, Scorecard, Section};

fn item(key: &str, name: &str, weight: u8, levels: u8, critical: bool, guide: &str) -> Item {
    Item {
        key: key.to_owned(),
        name: name.to_owned(),
        weight,
        levels,
        critical,
        channels: Vec::new(),
        guide: guide.to_owned(),
    }
}

/// 服务质量标准评分表 — 001 篇6 (三声服务, answers per the knowledge base, accurate
/// records), 002 §四4 (不争论、不恶言、不动怒; 不轻易承诺; 不推卸责任; 不提高说话音调;
/// 杜绝"不行、不知道、不可以"; 不怀疑顾客的诚实品格; 尊重顾客、用心倾听), 000 §二(三)2–4 and
/// 002 管理制度 (文明用语). Three items are critical; 80 passes.
pub fn default_scorecard() -> Scorecard {
    let mut voice = item(
        "b2",
        "不提高说话音调",
        5,
        2,
        false,
        "语气平和，音量、语速适中，不因客户情绪提高音调。（002 §四4）",
    );
    voice.channels = vec!["phone".to_owned()];
    Scorecard {
        pass_mark: 80,
        sections: vec![
            Section {
                name: "服务礼仪".into(),
                items: vec![
                    item(
                        "a1",
                        "问声：主动问候、自报身份",
                        5,
                        2,
                        false,
                        "开头主动问候（您好），报出公司与本人。（001 篇6 三声服务）",
                    ),
                    item(
                        "a2",
                        "应声：及时回应客户",
                        5,
                        3,
                        false,
                        "对客户的每个问题及时回应、确认，不冷场、不漏答。（001 篇6 三声服务）",
                    ),
                    item(
                        "a3",
                        "送声：礼貌结束",
                        5,
                        2,
                        false,
                        "结束时致谢或祝福，询问是否还有其他需要。（001 篇6 三声服务）",
                    ),
                    item(
                        "a4",
                        "文明用语、不恶言",
                        5,
                        2,
                        true,
                        "全程使用文明用语，无粗话、讽刺、指责。（002 管理制度；002 §四4）",
                    ),
                ],
            },
            Section {
                name: "沟通态度".into(),
                items: vec![
                    item(
                        "b1",
                        "不争论、不动怒",
                        10,
                        3,
                        true,
                        "不与客户争辩，不发生冲突，控制情绪。（002 §四4；000 §二(三)3）",
                    ),
                    voice,
                    item(
                        "b3",
                        "尊重顾客、用心倾听",
                        10,
                        3,
                        false,
                        "专心倾听，不打断，不怀疑顾客的诚实品格，从顾客角度分析问题。（002 §四4）",
                    ),
                    item(
                        "b4",
                        "杜绝“不行、不知道、不可以”",
                        5,
                        2,
                        false,
                        "不直接说“不行、不知道、不可以”等，给出可行的办法或转交途径。（002 §四4）",
                    ),
                ],
            },
            Section {
                name: "问题处理".into(),
                items: vec![
                    item(
                        "c1",
                        "了解真正原因和客户期望",
                        10,
                        3,
                        false,
                        "弄清客户投诉或咨询的真正原因，以及客户想要的解决结果。（000 §二(三)3）",
                    ),
                    item(
                        "c2",
                        "细致、明确地答复",
                        10,
                        3,
                        false,
                        "依据规章制度，对客户的疑问做细致、明确的回答。（000 §二(三)4）",
                    ),
                    item(
                        "c3",
                        "按知识库准确答复",
                        10,
                        3,
                        false,
                        "按照知识库及时准确地回答客户。（001 篇6）",
                    ),
                    item(
                        "c4",
                        "不推卸责任",
                        5,
                        2,
                        false,
                        "主动承担，不说“不归我管”，需要转交时说明去向并跟进。（002 §四4）",
                    ),
                ],
            },
            Section {
                name: "承诺合规".into(),
                items: vec![item(
                    "d1",
                    "不轻易承诺、不夸大、不施压",
                    10,
                    2,
                    true,
                    "不做超出政策的承诺，不夸大其词，不借权威机构的名义向客户施压。（002 §四4；000 §二(三)2）",
                )],
            },
            Section {
                name: "记录".into(),
                items: vec![item(
                    "e1",
                    "准确完整地记录",
                    5,
                    3,
                    false,
                    "工单字段、问题经过记录准确完整，投诉及时转交投诉组。（001 篇6；000 §二(三)7）",
                )],
            },
        ],
    }
}
