//! Search that forgives how people type: traditional or simplified characters, full-width
//! digits and letters, phone numbers in groups or with China's country code, codes without
//! their dash, pinyin with a space; and the order of what is found.

use kefu_search::{Doc, INDEX_VERSION, Kind, SearchIndex, SearchQuery};

const DAY: i64 = 86_400_000_000;

fn ticket(id: i64, title: &str, body: &str) -> Doc {
    Doc {
        kind: Some(Kind::Ticket),
        id,
        title: title.into(),
        body: body.into(),
        status: "open".into(),
        link: format!("/tickets/{id}"),
        at: id * DAY,
        ..Doc::default()
    }
}

fn docs() -> Vec<Doc> {
    vec![
        Doc {
            names: vec!["张三".into()],
            phones: vec!["13812345678".into()],
            ..ticket(
                1,
                "产品存在质量问题",
                "客户要求退货，料号 GX-3341 的轴承开裂",
            )
        },
        // Written in traditional characters and full-width forms, as a customer from Hong
        // Kong or Taiwan, or an input method, would.
        Doc {
            names: vec!["陳大文".into()],
            phones: vec!["１３９８７６５００００".into()],
            ..ticket(
                2,
                "申請換貨",
                "收到的洗衣機外殼破損，訂單號 ＰＯ－２０２６－００８１７",
            )
        },
        Doc {
            kind: Some(Kind::Customer),
            id: 11,
            title: "杭州明达贸易有限公司".into(),
            names: vec!["杭州明达贸易有限公司".into(), "李四".into()],
            phones: vec!["0571-88881234".into()],
            link: "/customers/11".into(),
            ..Doc::default()
        },
    ]
}

fn index() -> SearchIndex {
    let i = SearchIndex::in_memory().unwrap();
    i.apply(&docs(), &[], 3).unwrap();
    i
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        kinds: Kind::ALL.to_vec(),
        phones: true,
        limit: 20,
        ..SearchQuery::default()
    }
}

fn find(i: &SearchIndex, text: &str) -> Vec<(Kind, i64)> {
    let mut found: Vec<(Kind, i64)> = i
        .search(&query(text))
        .unwrap()
        .into_iter()
        .map(|h| (h.kind, h.id))
        .collect();
    found.sort();
    found
}

fn finds(text: &str, want: &[(Kind, i64)]) {
    assert_eq!(find(&index(), text), want, "query {text:?}");
}

#[test]
fn a_traditional_query_finds_simplified_text() {
    finds("退貨", &[(Kind::Ticket, 1)]);
    finds("質量問題", &[(Kind::Ticket, 1)]);
}

#[test]
fn a_simplified_query_finds_traditional_text() {
    finds("换货", &[(Kind::Ticket, 2)]);
    finds("洗衣机外壳", &[(Kind::Ticket, 2)]);
    finds("陈大文", &[(Kind::Ticket, 2)]);
    finds("chendawen", &[(Kind::Ticket, 2)]);
}

#[test]
fn the_snippet_marks_the_text_as_it_was_written() {
    let hits = index().search(&query("洗衣机")).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].snippet.contains("<b>洗衣機</b>"),
        "{}",
        hits[0].snippet
    );
}

#[test]
fn full_width_digits_and_letters_are_the_ascii_ones() {
    finds("１３８１２３４５６７８", &[(Kind::Ticket, 1)]);
    finds("ＧＸ－３３４１", &[(Kind::Ticket, 1)]);
    // Stored full-width, asked half-width.
    finds("13987650000", &[(Kind::Ticket, 2)]);
    finds("PO-2026-00817", &[(Kind::Ticket, 2)]);
}

#[test]
fn a_phone_number_is_found_as_people_type_it() {
    for q in [
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "0086 138 1234 5678",
    ] {
        finds(q, &[(Kind::Ticket, 1)]);
    }
    for q in [
        "(0571) 8888-1234",
        "0571 8888 1234",
        "（０５７１）８８８８－１２３４",
        "+86 571 8888 1234",
    ] {
        finds(q, &[(Kind::Customer, 11)]);
    }
}

#[test]
fn phone_digits_stay_hidden_from_those_who_may_not_see_them() {
    let i = index();
    for q in ["138 1234 5678", "+86 138 1234 5678"] {
        let hits = i
            .search(&SearchQuery {
                phones: false,
                ..query(q)
            })
            .unwrap();
        assert!(hits.is_empty(), "{q}: {hits:?}");
    }
}

#[test]
fn a_code_is_found_with_or_without_its_dash() {
    finds("GX3341", &[(Kind::Ticket, 1)]);
    finds("gx-3341", &[(Kind::Ticket, 1)]);
    finds("GX–3341", &[(Kind::Ticket, 1)]);
    finds("PO202600817", &[(Kind::Ticket, 2)]);
    // Part of a code is still found by its bigrams.
    finds("3341", &[(Kind::Ticket, 1)]);
}

#[test]
fn pinyin_is_found_with_a_space() {
    finds("zhang san", &[(Kind::Ticket, 1)]);
    finds("zhangsan", &[(Kind::Ticket, 1)]);
    finds("li si", &[(Kind::Customer, 11)]);
    // The words beside it still count.
    finds("zhang san 退货", &[(Kind::Ticket, 1)]);
    finds("zhang san 换货", &[]);
}

#[test]
fn equal_matches_put_the_newer_first() {
    let i = SearchIndex::in_memory().unwrap();
    // The same words; the ids run against the times, so the order is the time's.
    let same = |id: i64, at: i64| Doc {
        at,
        ..ticket(id, "申请退货", "外壳破损，要求退货")
    };
    i.apply(
        &[same(1, 30 * DAY), same(2, 20 * DAY), same(3, 10 * DAY)],
        &[],
        1,
    )
    .unwrap();
    for now in [None, Some(31 * DAY)] {
        let hits = i
            .search(&SearchQuery {
                now,
                ..query("退货")
            })
            .unwrap();
        let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
        assert_eq!(ids, [1, 2, 3], "now {now:?}");
    }
    // Applied in another order, into separate segments: the same.
    let j = SearchIndex::in_memory().unwrap();
    for (n, d) in [same(3, 10 * DAY), same(1, 30 * DAY), same(2, 20 * DAY)]
        .into_iter()
        .enumerate()
    {
        j.apply(&[d], &[], n as i64 + 1).unwrap();
    }
    let ids: Vec<i64> = j
        .search(&query("退货"))
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[test]
fn a_much_better_match_still_beats_a_newer_one() {
    let i = SearchIndex::in_memory().unwrap();
    i.apply(
        &[
            // Old, with the words in its title.
            ticket(1, "申请退货", "外壳破损"),
            // New, the words only deep in a long conversation.
            Doc {
                at: 400 * DAY,
                ..ticket(
                    2,
                    "洗衣机异响",
                    &format!(
                        "{}顺便问一下退货流程",
                        "客户反映洗衣机脱水时声音很大，".repeat(20)
                    ),
                )
            },
        ],
        &[],
        1,
    )
    .unwrap();
    let ids: Vec<i64> = i
        .search(&SearchQuery {
            now: Some(400 * DAY),
            ..query("退货")
        })
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(ids, [1, 2]);
}

#[test]
fn reply_scripts_do_not_push_tickets_off_the_first_page() {
    let i = SearchIndex::in_memory().unwrap();
    let script = |id: i64| Doc {
        kind: Some(Kind::Script),
        id,
        title: "退货".into(),
        body: "退货".into(),
        status: "approved".into(),
        ..Doc::default()
    };
    let mut all: Vec<Doc> = (100..110).map(script).collect();
    all.extend((1..=10).map(|id| ticket(id, "客户来电", "要求退货，外壳破损，已拍照留证")));
    i.apply(&all, &[], 1).unwrap();
    let hits = i
        .search(&SearchQuery {
            limit: 10,
            ..query("退货")
        })
        .unwrap();
    let scripts = hits.iter().filter(|h| h.kind == Kind::Script).count();
    assert_eq!(hits.len(), 10);
    assert_eq!(scripts, 3, "{hits:?}");
    // Asked for alone, scripts fill the page.
    let hits = i
        .search(&SearchQuery {
            kinds: vec![Kind::Script],
            limit: 10,
            ..query("退货")
        })
        .unwrap();
    assert_eq!(hits.len(), 10);
}

/// An index written before the text was folded holds tokens the queries no longer make: it
/// is rebuilt, as an unreadable one is.
#[test]
fn an_index_of_an_older_version_is_rebuilt() {
    const { assert!(INDEX_VERSION >= 2) };
    let dir = std::env::temp_dir().join(format!("kefu-search-version-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let (i, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(fresh);
        i.apply(&docs(), &[], 5).unwrap();
    }
    {
        let (i, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(!fresh, "the same version is kept");
        assert_eq!(i.cursor(), 5);
    }
    // What version 1 wrote: the bare cursor.
    let meta = dir.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let old = text.replace(&format!("\"v{INDEX_VERSION}:5\""), "\"5\"");
    assert_ne!(old, text, "the payload is in meta.json: {text}");
    std::fs::write(&meta, old).unwrap();
    let (i, fresh) = SearchIndex::open(&dir).unwrap();
    assert!(fresh, "an older version is rebuilt");
    assert_eq!(i.cursor(), 0);
    assert!(i.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
