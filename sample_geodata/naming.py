"""Chinese names for bodies, places and people, kept apart so the generators stay short."""

from __future__ import annotations

import numpy as np

MUNICIPAL_CORE: tuple[tuple[str, str], ...] = (
    ("中共{c}市委员会", "party"),
    ("{c}市人民政府", "government"),
    ("{c}市人大常委会", "npc"),
    ("政协{c}市委员会", "cppcc"),
    ("{c}市中级人民法院", "court"),
    ("{c}市人民检察院", "procuratorate"),
)
MUNICIPAL_BUREAUS: tuple[tuple[str, str], ...] = (
    ("{c}市发展和改革委员会", "government"),
    ("{c}市财政局", "government"),
    ("{c}市教育局", "government"),
    ("{c}市公安局", "government"),
    ("{c}市民政局", "government"),
    ("{c}市司法局", "government"),
    ("{c}市人力资源和社会保障局", "government"),
    ("{c}市规划和自然资源局", "government"),
    ("{c}市生态环境局", "government"),
    ("{c}市住房保障和房产管理局", "government"),
    ("{c}市交通运输局", "government"),
    ("{c}市卫生健康委员会", "government"),
    ("{c}市审计局", "government"),
    ("{c}市统计局", "government"),
    ("{c}市机关事务管理局", "government"),
    ("{c}市总工会", "mass_org"),
    ("共青团{c}市委员会", "mass_org"),
    ("{c}市妇女联合会", "mass_org"),
    ("{c}市档案馆", "public_institution"),
    ("{c}市公共资源交易中心", "public_institution"),
)
COUNTY_CORE: tuple[tuple[str, str], ...] = (
    ("中共{c}{d}委员会", "party"),
    ("{c}{d}人民政府", "government"),
    ("{c}{d}人大常委会", "npc"),
    ("政协{c}{d}委员会", "cppcc"),
    ("{c}{d}人民法院", "court"),
    ("{c}{d}人民检察院", "procuratorate"),
)
COUNTY_BUREAUS: tuple[tuple[str, str], ...] = (
    ("{c}{d}财政局", "government"),
    ("{c}{d}教育局", "government"),
    ("{c}{d}民政局", "government"),
    ("{c}{d}卫生健康局", "government"),
    ("{c}{d}住房和城市建设局", "government"),
    ("{c}{d}农业农村局", "government"),
    ("{c}{d}市场监督管理局", "government"),
    ("{c}{d}机关事务服务中心", "public_institution"),
    ("{c}{d}总工会", "mass_org"),
    ("{c}{d}妇女联合会", "mass_org"),
)
TOWNSHIP_BODIES: tuple[tuple[str, str], ...] = (
    ("中共{t}委员会", "party"),
    ("{t}人民政府", "government"),
    ("{t}便民服务中心", "public_institution"),
)

CITIES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    ("杭州", 120.150, 30.260, ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区")),
    ("绍兴", 120.580, 30.000, ("越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市")),
    ("嘉兴", 120.755, 30.746, ("南湖区", "秀洲区", "平湖市", "海宁市", "桐乡市")),
    ("湖州", 120.088, 30.894, ("吴兴区", "南浔区", "德清县", "长兴县", "安吉县")),
    ("金华", 119.650, 29.080, ("婺城区", "金东区", "义乌市", "东阳市", "永康市")),
    ("衢州", 118.870, 28.940, ("柯城区", "衢江区", "江山市", "龙游县", "常山县")),
    ("丽水", 119.920, 28.450, ("莲都区", "龙泉市", "青田县", "缙云县", "遂昌县")),
    ("温州", 120.700, 28.000, ("鹿城区", "龙湾区", "瓯海区", "瑞安市", "乐清市")),
    ("台州", 121.420, 28.660, ("椒江区", "黄岩区", "路桥区", "临海市", "温岭市")),
)
"""Name, centre lon/lat (CGCS2000) and districts; all inside 118.5–121.5°E."""

ROADS = (
    "文三路",
    "天目山路",
    "学院路",
    "古墩路",
    "教工路",
    "莫干山路",
    "庆春路",
    "解放路",
    "凤起路",
    "体育场路",
    "环城西路",
    "延安路",
    "中山路",
    "建国路",
    "秋涛路",
    "钱江路",
)
TOWN_SYLLABLES = "云溪桥山湖塘港源泉石梅竹兰桂松柏安宁和平丰盛新华东南西北龙凤"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌玉兰海燕慧颖晨浩宇欣怡"


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` plausible two- or three-character names, drawn in one vectorised call."""
    s = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(0, len(GIVEN) + len(GIVEN) // 2, n)
    return [
        SURNAMES[a] + GIVEN[b] + (GIVEN[c] if c < len(GIVEN) else "")
        for a, b, c in zip(s.tolist(), g1.tolist(), g2.tolist(), strict=True)
    ]


def town_name(rng: np.random.Generator) -> str:
    """A synthetic town or sub-district name such as 云溪镇 or 松桥街道."""
    a, b = rng.choice(len(TOWN_SYLLABLES), 2, replace=False)
    suffix = "镇" if rng.random() < 0.5 else "街道"
    return TOWN_SYLLABLES[a] + TOWN_SYLLABLES[b] + suffix
