//! The Chinese query cases: what each query must find, and must not.

use kefu_search::{Doc, Kind, SearchIndex, SearchQuery};

fn docs() -> Vec<Doc> {
    let ticket = |id: i64, title: &str, body: &str| Doc {
        kind: Some(Kind::Ticket),
        id,
        title: title.into(),
        body: body.into(),
        status: "open".into(),
        doc_type: "complaint".into(),
        link: format!("/tickets/{id}"),
        at: id * 1_000_000,
        ..Doc::default()
    };
    vec![
        ticket(
            1,
            "申请退货退款",
            "客户收到的洗衣机外壳破损，要求申请退货退款。订单号 PO-2026-00817",
        ),
        ticket(
            2,
            "空调不制冷",
            "产品存在质量问题，压缩机故障。料号 GX-3341，数量 30",
        ),
        ticket(3, "发票开错", "发票抬头写错了，需要重开。"),
        ticket(
            4,
            "扫地机器人无法回充",
            "新款追觅X40 扫地机器人无法回充，客户很着急",
        ),
        Doc {
            kind: Some(Kind::Customer),
            id: 10,
            title: "张三".into(),
            names: vec!["张三".into()],
            phones: vec!["138 1234 5678".into()],
            emails: vec!["zhang@example.cn".into()],
            tier: "vip".into(),
            link: "/customers/10".into(),
            ..Doc::default()
        },
        Doc {
            kind: Some(Kind::Customer),
            id: 11,
            title: "杭州明达贸易有限公司".into(),
            names: vec!["杭州明达贸易有限公司".into()],
            phones: vec!["0571-88881234".into()],
            tier: "key_account".into(),
            link: "/customers/11".into(),
            ..Doc::default()
        },
        Doc {
            kind: Some(Kind::Contact),
            id: 20,
            title: "李四".into(),
            subtitle: "杭州明达贸易有限公司".into(),
            names: vec!["李四".into()],
            phones: vec!["13987650000".into()],
            link: "/customers/11".into(),
            ..Doc::default()
        },
        Doc {
            kind: Some(Kind::Script),
            id: 30,
            title: "退货政策说明".into(),
            body: "您好，我们支持七天无理由退货，请保留好包装。".into(),
            status: "approved".into(),
            link: "/scripts".into(),
            ..Doc::default()
        },
    ]
}

fn index() -> SearchIndex {
    let i = SearchIndex::in_memory().unwrap();
    i.apply(&docs(), &[], 7).unwrap();
    i
}

fn find(i: &SearchIndex, text: &str, phones: bool) -> Vec<(Kind, i64)> {
    i.search(&SearchQuery {
        text: text.into(),
        kinds: Kind::ALL.to_vec(),
        phones,
        limit: 20,
        ..SearchQuery::default()
    })
    .unwrap()
    .into_iter()
    .map(|h| (h.kind, h.id))
    .collect()
}

/// (query, may search phones, the hits expected)
type Case = (&'static str, bool, &'static [(Kind, i64)]);

#[test]
fn chinese_queries_find_what_they_should() {
    let i = index();
    use Kind::*;
    let cases: &[Case] = &[
        // A dictionary word inside a longer phrase.
        ("退货", false, &[(Script, 30), (Ticket, 1)]),
        ("质量问题", false, &[(Ticket, 2)]),
        // Order and part numbers, exactly.
        ("PO-2026-00817", false, &[(Ticket, 1)]),
        ("GX-3341", false, &[(Ticket, 2)]),
        ("gx-3341", false, &[(Ticket, 2)]),
        // Brand and model names no dictionary knows.
        ("追觅", false, &[(Ticket, 4)]),
        ("X40", false, &[(Ticket, 4)]),
        // Part of a company name.
        ("明达", false, &[(Customer, 11), (Contact, 20)]),
        // Phone digits: any 4+ consecutive digits, for those who may see phones.
        ("5678", true, &[(Customer, 10)]),
        ("12345678", true, &[(Customer, 10)]),
        ("1381234", true, &[(Customer, 10)]),
        ("8888", true, &[(Customer, 11)]),
        ("5678", false, &[]),
        // Pinyin, full and initials.
        ("zhangsan", false, &[(Customer, 10)]),
        ("zs", false, &[(Customer, 10)]),
        ("lisi", false, &[(Contact, 20)]),
        ("ZHANG@example.cn", false, &[(Customer, 10)]),
        // Two words: both must be found.
        ("发票 重开", false, &[(Ticket, 3)]),
        ("发票 退货", false, &[]),
    ];
    for (q, phones, want) in cases {
        let mut got = find(&i, q, *phones);
        let mut want = want.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want, "query {q:?}");
    }
}

#[test]
fn whole_word_hits_rank_first() {
    let i = index();
    // Both the script and ticket 1 contain 退货; the script has it in its title as a word
    // and ticket 1 in its title too — either way a title match beats a body-only one.
    let hits = i
        .search(&SearchQuery {
            text: "退货".into(),
            kinds: vec![Kind::Ticket, Kind::Script],
            limit: 10,
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits[0].snippet.contains("<b>"), "{:?}", hits[0].snippet);
    // A bigram-only match ranks below a dictionary-word match.
    let a = SearchIndex::in_memory().unwrap();
    a.apply(
        &[
            Doc {
                kind: Some(Kind::Ticket),
                id: 1,
                title: "质量问题".into(),
                ..Doc::default()
            },
            Doc {
                kind: Some(Kind::Ticket),
                id: 2,
                title: "本批次质量问题待查".into(),
                body: "质量问题".into(),
                ..Doc::default()
            },
        ],
        &[],
        1,
    )
    .unwrap();
    let hits = a
        .search(&SearchQuery {
            text: "质量问题".into(),
            kinds: vec![Kind::Ticket],
            limit: 10,
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(
        hits.len(),
        2,
        "a bigram-phrase match inside a longer title is found too"
    );
    // A word found whole beats the same characters across a word boundary: 退货 is a word
    // in 申请退货, but only a bigram in 减退货架 (减退 + 货架).
    let b = SearchIndex::in_memory().unwrap();
    b.apply(
        &[
            Doc {
                kind: Some(Kind::Ticket),
                id: 1,
                title: "功能减退货架松动".into(),
                ..Doc::default()
            },
            Doc {
                kind: Some(Kind::Ticket),
                id: 2,
                title: "客户申请退货处理".into(),
                ..Doc::default()
            },
        ],
        &[],
        1,
    )
    .unwrap();
    let hits = b
        .search(&SearchQuery {
            text: "退货".into(),
            kinds: vec![Kind::Ticket],
            limit: 10,
            ..SearchQuery::default()
        })
        .unwrap();
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    assert_eq!(
        ids,
        [2, 1],
        "the whole word first, the bigram-only match after"
    );
}

#[test]
fn bad_queries_find_nothing_and_never_fail() {
    let i = index();
    for q in [
        "",
        "   ",
        "！？。，",
        "\"",
        ":",
        "(",
        "\"退货:(",
        "AND OR NOT *",
    ] {
        let got = find(&i, q, true);
        if q.contains("退货") {
            assert!(!got.is_empty(), "{q:?} still finds 退货");
        } else {
            assert!(got.is_empty(), "{q:?} found {got:?}");
        }
    }
    let long = "退货".repeat(5_000);
    let _ = find(&i, &long, true);
}

#[test]
fn filters_and_kinds_limit_the_hits() {
    let i = index();
    let q = |kinds: Vec<Kind>, tier: Option<&str>| SearchQuery {
        text: "明达".into(),
        kinds,
        tier: tier.map(str::to_owned),
        limit: 10,
        ..SearchQuery::default()
    };
    assert!(i.search(&q(vec![Kind::Ticket], None)).unwrap().is_empty());
    let kinds_of = |kinds: Vec<Kind>| -> Vec<Kind> {
        let mut found: Vec<Kind> = i
            .search(&q(kinds, None))
            .unwrap()
            .iter()
            .map(|h| h.kind)
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        kinds_of(vec![Kind::Ticket, Kind::Customer]),
        [Kind::Customer],
        "the contact is left out"
    );
    assert_eq!(kinds_of(vec![Kind::Ticket, Kind::Contact]), [Kind::Contact]);
    assert_eq!(
        kinds_of(vec![Kind::Customer, Kind::Contact]),
        [Kind::Customer, Kind::Contact]
    );
    assert_eq!(
        kinds_of(Kind::ALL.to_vec()),
        [Kind::Customer, Kind::Contact]
    );
    assert_eq!(
        i.search(&q(vec![Kind::Customer], Some("key_account")))
            .unwrap()
            .len(),
        1
    );
    assert!(
        i.search(&q(vec![Kind::Customer], Some("vip")))
            .unwrap()
            .is_empty()
    );
    assert!(
        i.search(&q(Vec::new(), None)).unwrap().is_empty(),
        "no kinds, no hits"
    );
    let dated = SearchQuery {
        text: "退货".into(),
        kinds: vec![Kind::Ticket],
        from: Some(2_000_000),
        limit: 10,
        ..SearchQuery::default()
    };
    assert!(i.search(&dated).unwrap().is_empty(), "ticket 1 is older");
}

#[test]
fn changes_replace_documents_and_the_cursor_is_kept() {
    let i = index();
    assert_eq!(i.cursor(), 7);
    let mut changed = docs()[2].clone();
    changed.title = "发票已重开".into();
    changed.body = "已寄出新发票".into();
    i.apply(&[changed], &[(Kind::Customer, 10)], 9).unwrap();
    assert_eq!(i.cursor(), 9);
    assert!(find(&i, "写错", false).is_empty(), "the old text is gone");
    assert_eq!(find(&i, "新发票", false), [(Kind::Ticket, 3)]);
    assert!(find(&i, "zhangsan", false).is_empty(), "removed");
    assert_eq!(i.len(), 7);
}

#[test]
fn a_broken_index_is_rebuilt_empty() {
    let dir = std::env::temp_dir().join(format!("kefu-search-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let (i, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(fresh);
        i.apply(&docs(), &[], 5).unwrap();
    }
    {
        let (i, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(!fresh, "a good index is kept");
        assert_eq!(i.cursor(), 5);
        assert_eq!(find(&i, "质量问题", false), [(Kind::Ticket, 2)]);
    }
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    let (i, fresh) = SearchIndex::open(&dir).unwrap();
    assert!(fresh, "a corrupt index is rebuilt");
    assert_eq!(i.cursor(), 0);
    assert!(i.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rare characters of personal and company names lie outside the Basic Multilingual Plane
/// (𪚥 U+2A6A5 and 𠀀 U+20000 in Extension B; Extensions G and H further still) and are found
/// like any other: one of them alone, two together, or with the common characters after.
#[test]
fn rare_characters_in_names_are_found() {
    let customer = |id: i64, name: &str| Doc {
        kind: Some(Kind::Customer),
        id,
        title: name.into(),
        names: vec![name.into()],
        link: format!("/customers/{id}"),
        ..Doc::default()
    };
    let complaint = |id: i64, customer_name: &str| Doc {
        kind: Some(Kind::Ticket),
        id,
        title: "设备漏水".into(),
        body: "安装后第二天漏水，要求上门检修".into(),
        names: vec![customer_name.into()],
        doc_type: "complaint".into(),
        link: format!("/tickets/{id}"),
        at: id * 1_000_000,
        ..Doc::default()
    };
    let i = index();
    i.apply(
        &[
            customer(40, "𪚥𠀀公司"),
            complaint(41, "𪚥𠀀公司"),
            // Extension G (U+30000) and H (U+31350).
            customer(42, "\u{30000}\u{31350}贸易"),
            // Compatibility ideographs (U+F900, and U+2F800 from the supplement).
            customer(43, "\u{F900}\u{2F800}工坊"),
        ],
        &[],
        8,
    )
    .unwrap();
    use Kind::*;
    let cases: &[Case] = &[
        ("𪚥", false, &[(Customer, 40), (Ticket, 41)]),
        ("𠀀", false, &[(Customer, 40), (Ticket, 41)]),
        ("𪚥𠀀", false, &[(Customer, 40), (Ticket, 41)]),
        ("𠀀公司", false, &[(Customer, 40), (Ticket, 41)]),
        ("𪚥𠀀公司", false, &[(Customer, 40), (Ticket, 41)]),
        ("\u{30000}", false, &[(Customer, 42)]),
        ("\u{31350}", false, &[(Customer, 42)]),
        ("\u{30000}\u{31350}", false, &[(Customer, 42)]),
        ("\u{31350}贸易", false, &[(Customer, 42)]),
        ("\u{F900}", false, &[(Customer, 43)]),
        ("\u{2F800}", false, &[(Customer, 43)]),
        ("\u{2F800}工坊", false, &[(Customer, 43)]),
        // A common character is looked for in titles and names the same way…
        ("漏", false, &[(Ticket, 41)]),
        ("达", false, &[(Customer, 11), (Contact, 20)]),
        // …but not in conversations, where one character is in nearly every one (破 is
        // only in ticket 1's text).
        ("破", false, &[]),
    ];
    for (q, phones, want) in cases {
        let mut got = find(&i, q, *phones);
        let mut want = want.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want, "query {q:?}");
    }
    // The customer list's box asks the index for customers only.
    for q in ["𪚥", "𪚥𠀀", "𠀀公司"] {
        let found = i.customer_ids(q, false, 10).unwrap().unwrap();
        assert_eq!(found.ids, [40], "query {q:?}");
        assert_eq!(found.cursor, 8);
    }
}

/// Three Han characters are found as one trigram, in the title or the body, folded like
/// every text; two of their bigrams apart in a text do not make them.
#[test]
fn three_characters_are_found_side_by_side_only() {
    let i = SearchIndex::in_memory().unwrap();
    let ticket = |id: i64, title: &str, body: &str| Doc {
        kind: Some(Kind::Ticket),
        id,
        title: title.into(),
        body: body.into(),
        status: "open".into(),
        link: format!("/tickets/{id}"),
        at: id * 1_000_000,
        ..Doc::default()
    };
    let company = Doc {
        kind: Some(Kind::Customer),
        id: 11,
        title: "杭州明达贸易有限公司".into(),
        names: vec!["杭州明达贸易有限公司".into()],
        link: "/customers/11".into(),
        ..Doc::default()
    };
    i.apply(
        &[
            ticket(1, "空调不制冷", "压缩机故障"),
            ticket(2, "冰箱问题", "客户反映冰箱不制冷，已派师傅上门"),
            // 不制 and 制冷 both here, never side by side.
            ticket(3, "空调制冷正常", "但是不制热，客户要求检修"),
            ticket(4, "冰箱异响", "冷藏室不製冷（客户用繁体字写的）"),
            company,
        ],
        &[],
        5,
    )
    .unwrap();
    let ids = |q: &str| {
        let mut got = find(&i, q, false);
        got.sort();
        got
    };
    use Kind::*;
    assert_eq!(
        ids("不制冷"),
        [(Ticket, 1), (Ticket, 2), (Ticket, 4)],
        "title, body and traditional characters; not the ticket with the bigrams apart"
    );
    assert_eq!(ids("不製冷"), ids("不制冷"));
    assert_eq!(
        ids("有限公"),
        [(Customer, 11)],
        "three characters of a name"
    );
    assert_eq!(
        ids("制冷 不制"),
        [(Ticket, 1), (Ticket, 2), (Ticket, 3), (Ticket, 4)]
    );
}
