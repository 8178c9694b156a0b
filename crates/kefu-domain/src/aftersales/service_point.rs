//! 服务网点 — the service points where repairs happen (000 §(七)4–5): where each is, which
//! product categories it repairs, how many repairs it takes at once and in how many days it
//! turns one round; the routing of a repair to one; the checklist of a periodic inspection
//! and its score.

/// The most repairs one point may take at once.
pub const MAX_CAPACITY: u32 = 10_000;
/// The longest turnaround a point may promise, in days.
pub const MAX_TURNAROUND_DAYS: u32 = 90;
/// The longest name, address or note.
pub const MAX_TEXT: usize = 200;

/// Why a service point or an inspection is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServicePointError {
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{field} is at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("a capacity is 1–{max} repairs", max = MAX_CAPACITY)]
    Capacity,
    #[error("a turnaround is 1–{max} days", max = MAX_TURNAROUND_DAYS)]
    Turnaround,
    #[error("a point repairs at least one category")]
    NoCategory,
    #[error("the checklist item {0} is not checked")]
    Unchecked(String),
    #[error("a checklist has 1–30 items")]
    Checklist,
    #[error("only a repair is routed to a service point")]
    NotARepair,
}

/// 服务网点 — a point as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePoint {
    pub name: String,
    pub province: String,
    pub city: String,
    pub address: String,
    /// The product categories it repairs.
    pub categories: Vec<i64>,
    /// Repairs it takes at once.
    pub capacity: u32,
    /// Days it turns a repair round (from the goods received to repaired).
    pub turnaround_days: u32,
    pub active: bool,
}

fn text(field: &'static str, raw: &str, required: bool) -> Result<String, ServicePointError> {
    let t = raw.trim();
    if required && t.is_empty() {
        return Err(ServicePointError::Required(field));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(ServicePointError::TooLong {
            field,
            max: MAX_TEXT,
        });
    }
    Ok(t.to_owned())
}

impl ServicePoint {
    /// The point with its texts trimmed and its place in the archive's form (`浙江`,
    /// `杭州` → `浙江省`, `杭州市`), or why it is refused.
    pub fn checked(mut self) -> Result<ServicePoint, ServicePointError> {
        self.name = text("name", &self.name, true)?;
        self.address = text("address", &self.address, false)?;
        let place = crate::region::place(&self.province, &self.city);
        self.province = text("province", &place.province, true)?;
        self.city = text("city", &place.city, false)?;
        if self.capacity == 0 || self.capacity > MAX_CAPACITY {
            return Err(ServicePointError::Capacity);
        }
        if self.turnaround_days == 0 || self.turnaround_days > MAX_TURNAROUND_DAYS {
            return Err(ServicePointError::Turnaround);
        }
        self.categories.sort_unstable();
        self.categories.dedup();
        if self.categories.is_empty() {
            return Err(ServicePointError::NoCategory);
        }
        Ok(self)
    }
}

/// A point as the routing reads it: where, what, and how busy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointLoad {
    pub id: i64,
    pub province: String,
    pub city: String,
    pub categories: Vec<i64>,
    pub capacity: u32,
    /// Repairs it holds now (routed and not yet repaired or ended).
    pub open: u32,
    pub active: bool,
}

/// 派修 — the point a repair of `category` for a customer in `province`/`city` goes to: of
/// the active points repairing the category and with room, one in the customer's city, else
/// in their province; the least loaded (open ÷ capacity) of them, the lower id on a tie.
/// `None` when no point near the customer has room: the after-sales specialist chooses.
pub fn route(points: &[PointLoad], category: i64, province: &str, city: &str) -> Option<i64> {
    let fits = |p: &&PointLoad| p.active && p.categories.contains(&category) && p.open < p.capacity;
    let least = |near: &dyn Fn(&PointLoad) -> bool| {
        points
            .iter()
            .filter(fits)
            .filter(|p| near(p))
            .min_by(|a, b| {
                let la = u64::from(a.open) * u64::from(b.capacity);
                let lb = u64::from(b.open) * u64::from(a.capacity);
                la.cmp(&lb).then(a.id.cmp(&b.id))
            })
            .map(|p| p.id)
    };
    let same_city = |p: &PointLoad| !city.is_empty() && p.city == city && p.province == province;
    let same_province = |p: &PointLoad| !province.is_empty() && p.province == province;
    least(&same_city).or_else(|| least(&same_province))
}

/// 网点检查表 — the shipped checklist of a periodic inspection (000 §(七)5: 定期检查).
pub fn default_checklist() -> Vec<String> {
    [
        "服务环境整洁，标识和收费标准公示",
        "维修人员持证上岗，着装和用语规范",
        "维修记录完整，与售后单一致",
        "配件出入库有单据，账实相符",
        "不良品单独存放并按规定处置",
        "工具和检测设备完好",
        "维修周期在承诺期限内",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// A checked item: passed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub item: String,
    pub passed: bool,
}

/// The score of an inspection, 0–100: the share of items passed, rounded down. Every item
/// must be checked, and there are 1–30.
pub fn score(items: &[Checked]) -> Result<u32, ServicePointError> {
    if items.is_empty() || items.len() > 30 {
        return Err(ServicePointError::Checklist);
    }
    if let Some(blank) = items.iter().find(|i| i.item.trim().is_empty()) {
        return Err(ServicePointError::Unchecked(blank.item.clone()));
    }
    let passed = items.iter().filter(|i| i.passed).count();
    Ok(u32::try_from(passed * 100 / items.len()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(id: i64, city: &str, open: u32, capacity: u32) -> PointLoad {
        PointLoad {
            id,
            province: "浙江省".into(),
            city: city.into(),
            categories: vec![1],
            capacity,
            open,
            active: true,
        }
    }

    #[test]
    fn a_repair_goes_to_the_least_loaded_point_nearest_the_customer() {
        let points = [
            point(1, "杭州市", 8, 10),
            point(2, "杭州市", 3, 10),
            point(3, "宁波市", 0, 10),
        ];
        assert_eq!(route(&points, 1, "浙江省", "杭州市"), Some(2));
        // No point in the city: the province's least loaded.
        assert_eq!(route(&points, 1, "浙江省", "温州市"), Some(3));
        // Another category, another province: nobody near; the specialist chooses.
        assert_eq!(route(&points, 2, "浙江省", "杭州市"), None);
        assert_eq!(route(&points, 1, "江苏省", "苏州市"), None);
        // A full point takes no more: the city's other one, then the province.
        let full = [point(1, "杭州市", 10, 10), point(3, "宁波市", 9, 10)];
        assert_eq!(route(&full, 1, "浙江省", "杭州市"), Some(3));
        let mut closed = point(2, "杭州市", 0, 10);
        closed.active = false;
        assert_eq!(route(&[closed], 1, "浙江省", "杭州市"), None);
        // Load is a share of capacity: 5 of 50 is lighter than 2 of 10.
        let shares = [point(1, "杭州市", 2, 10), point(2, "杭州市", 5, 50)];
        assert_eq!(route(&shares, 1, "浙江省", "杭州市"), Some(2));
    }

    #[test]
    fn a_point_is_refused_for_what_it_gets_wrong() {
        let p = ServicePoint {
            name: " 杭州西湖服务站 ".into(),
            province: "浙江".into(),
            city: "杭州".into(),
            address: "文三路 100 号".into(),
            categories: vec![2, 1, 2],
            capacity: 20,
            turnaround_days: 5,
            active: true,
        };
        let ok = p.clone().checked().unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.province.as_str(), ok.city.as_str()),
            ("杭州西湖服务站", "浙江省", "杭州市")
        );
        assert_eq!(ok.categories, vec![1, 2]);
        let bad = |f: fn(&mut ServicePoint)| {
            let mut x = p.clone();
            f(&mut x);
            x.checked().unwrap_err()
        };
        assert_eq!(bad(|x| x.capacity = 0), ServicePointError::Capacity);
        assert_eq!(
            bad(|x| x.turnaround_days = 91),
            ServicePointError::Turnaround
        );
        assert_eq!(bad(|x| x.categories.clear()), ServicePointError::NoCategory);
        assert_eq!(
            bad(|x| x.name = " ".into()),
            ServicePointError::Required("name")
        );
    }

    #[test]
    fn an_inspection_scores_the_share_of_items_passed() {
        let items: Vec<Checked> = default_checklist()
            .into_iter()
            .enumerate()
            .map(|(i, item)| Checked {
                item,
                passed: i != 3,
            })
            .collect();
        assert_eq!(score(&items), Ok(85));
        assert_eq!(score(&[]), Err(ServicePointError::Checklist));
    }
}
