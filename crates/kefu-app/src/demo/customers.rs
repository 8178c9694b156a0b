//! The demo company's customers: companies and private buyers of every tier and type, with
//! their contacts, across the provinces.

use fastrand::Rng;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::customer::name_key;
use kefu_store::bulk::Batch;
use kefu_store::customer::{Contact, Customer};

use super::corpus;
use super::staff::Cast;

/// What a ticket needs to know of its customer.
pub(super) struct CustomerRef {
    pub id: i64,
    pub name: String,
    pub tier: &'static str,
    pub contacts: Vec<ContactRef>,
    /// A key account nobody has been in touch with since this time: it opens no ticket
    /// after it, so its last contact stays as old as the today view says.
    pub quiet_since: Option<Timestamp>,
}

pub(super) struct ContactRef {
    pub name: String,
    pub mobile: String,
    pub email: Option<String>,
}

const STREETS: [&str; 12] = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "文三路",
    "长江路",
    "和平路",
    "新华路",
    "滨江大道",
    "科技园路",
    "工业大道",
    "环城北路",
];

fn address(rng: &mut Rng, r: &corpus::Region) -> String {
    let street = STREETS[rng.usize(..STREETS.len())];
    // 上海市上海市… reads wrong: a municipality is named once.
    let province = if r.province == r.city { "" } else { r.province };
    format!(
        "{province}{}{street}{}号{}",
        r.city,
        rng.u32(1..999),
        if rng.bool() {
            format!("{}栋{}室", rng.u32(1..20), rng.u32(101..2_801))
        } else {
            String::new()
        }
    )
}

/// A plausible 18-character resident ID (region, birth date, sequence, check character).
fn id_number(rng: &mut Rng) -> String {
    let body = format!(
        "{:06}{}{:02}{:02}{:03}",
        rng.u32(110_000..660_000),
        rng.u32(1960..2004),
        rng.u32(1..13),
        rng.u32(1..29),
        rng.u32(0..1000)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!("{body}{}", CHECK[(sum % 11) as usize])
}

fn email(rng: &mut Rng, mobile: &str) -> String {
    match rng.u8(0..4) {
        0 => format!("{}@qq.com", rng.u64(10_000_000..3_000_000_000)),
        1 => format!("{mobile}@163.com"),
        2 => format!("hx{}@126.com", rng.u32(1_000..999_999)),
        _ => format!("{mobile}@139.com"),
    }
}

fn contact(
    rng: &mut Rng,
    customer_id: i64,
    name: String,
    office: Option<&corpus::Region>,
    primary: bool,
) -> Contact {
    let mobile = corpus::mobile(rng);
    let title = office.map(|_| corpus::job_title(rng));
    let preferred = ["phone", "wechat", "wechat", "sms", "email"][rng.usize(..5)];
    Contact {
        id: 0,
        customer_id,
        name,
        title: title.map(str::to_owned),
        email: (rng.u8(0..10) < 6).then(|| email(rng, &mobile)),
        wechat: (rng.u8(0..10) < 7).then(|| format!("wxid_{}", rng.u64(100_000_000..999_999_999))),
        // Company contacts often give the office landline too.
        phone: office
            .filter(|_| rng.bool())
            .map(|r| corpus::landline(rng, r)),
        mobile: Some(mobile),
        preferred_channel: Some(preferred.to_owned()),
        opt_outs: if rng.u8(0..10) == 0 {
            vec!["sms".to_owned()]
        } else {
            Vec::new()
        },
        rest_hours: match rng.u8(0..10) {
            0 => "12:00-13:30, 22:00-08:00".to_owned(),
            1 => "21:30-08:30".to_owned(),
            _ => String::new(),
        },
        is_primary: primary,
    }
}

/// Customer `id` (from 1): its row and contacts go into `batch`; returns what tickets need.
pub(super) fn customer(
    rng: &mut Rng,
    id: i64,
    cast: &Cast,
    now: Timestamp,
    days: i64,
    batch: &mut Batch,
) -> CustomerRef {
    let region = corpus::region(rng);
    let company = rng.u8(0..10) < 7;
    let tier = match rng.u8(0..100) {
        0..5 => "key_account",
        5..20 => "vip",
        _ => "normal",
    };
    let customer_type = if company {
        ["end_customer", "end_customer", "distributor", "dealer"][rng.usize(..4)]
    } else {
        "end_customer"
    };
    let person = corpus::person_name(rng);
    let name = if company {
        corpus::company_name(rng, region.city)
    } else {
        person.clone()
    };
    let owner = match tier {
        "key_account" => pick(rng, &cast.key_account_owners).map(|p| p.id),
        _ if rng.u8(0..10) < 3 => pick(rng, &cast.agents).map(|p| p.id),
        _ => None,
    };
    // Customers joined over the period and before it.
    let created_at = now - SignedDuration::from_hours(rng.i64(24..(days * 2 + 1) * 24));
    let quiet = tier == "key_account" && rng.u8(0..10) < 2;
    // Raised after the tickets are written to the customer's latest ticket, if later.
    let last_contact_at = if quiet {
        // A key account nobody has called for a while: the today view lists these.
        now - SignedDuration::from_hours(rng.i64(35 * 24..90 * 24))
    } else {
        now - SignedDuration::from_hours(rng.i64(1..(days * 24).max(2)))
    };
    let graded = company && rng.u8(0..10) < 6;
    let grade = graded.then(|| ["A", "A", "B", "B", "B", "C", "D"][rng.usize(..7)].to_owned());
    let mut tags = Vec::new();
    if tier == "key_account" {
        tags.push("重点客户".to_owned());
    }
    if rng.u8(0..10) < 3 {
        tags.push(
            ["老客户", "批量采购", "工程项目", "新开户", "价格敏感"][rng.usize(..5)].to_owned(),
        );
    }
    batch.customer(&Customer {
        id,
        kind: if company { "company" } else { "person" }.to_owned(),
        name_key: name_key(&name),
        name: name.clone(),
        tier: tier.to_owned(),
        customer_type: customer_type.to_owned(),
        status: [
            "active", "active", "active", "active", "active", "dormant", "prospect", "lost",
        ][rng.usize(..8)]
        .to_owned(),
        province: Some(region.province.to_owned()),
        city: Some(region.city.to_owned()),
        industry: company.then(|| corpus::industry(rng).to_owned()),
        owner_id: owner,
        owner_name: None,
        tags,
        notes: (rng.u8(0..10) == 0).then(|| "每月初集中下单，发票需随货寄出。".to_owned()),
        id_number: (!company).then(|| id_number(rng)),
        address: Some(address(rng, region)),
        bank_account: company.then(|| {
            format!(
                "6222 {:04} {:04} {:04}",
                rng.u32(0..10_000),
                rng.u32(0..10_000),
                rng.u32(0..10_000)
            )
        }),
        last_contact_at: Some(last_contact_at),
        credit_grade: grade.clone(),
        credit_limit_fen: match grade.as_deref() {
            Some("A") => rng.i64(50..500) * 1_000_000,
            Some("B") => rng.i64(10..100) * 1_000_000,
            Some("C") => rng.i64(1..10) * 1_000_000,
            _ => 0,
        },
        payment_terms: grade
            .as_deref()
            .filter(|g| *g != "D")
            .map(|_| ["月结30天", "月结60天", "款到发货", "货到付款"][rng.usize(..4)].to_owned()),
        credit_updated_at: graded.then_some(created_at),
        created_at,
        updated_at: last_contact_at.max(created_at),
        version: 1,
    });
    let mut contacts = Vec::new();
    let count = if company { 1 + rng.usize(..3) } else { 1 };
    for i in 0..count {
        let (name, office) = if company {
            (corpus::person_name(rng), Some(region))
        } else {
            (person.clone(), None)
        };
        let c = contact(rng, id, name, office, i == 0);
        batch.contact(&c, created_at);
        contacts.push(ContactRef {
            name: c.name,
            mobile: c.mobile.unwrap_or_default(),
            email: c.email,
        });
    }
    CustomerRef {
        id,
        name,
        tier,
        contacts,
        quiet_since: quiet.then_some(last_contact_at),
    }
}

pub(super) fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.usize(..items.len())])
}
