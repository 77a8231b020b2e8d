"""Gazetteer: places said in full, in short, misheard as homophones, ambiguous — and ordinary
sentences that merely contain a place name's characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.formats import read_gazetteer
from knowledge.gazetteer import Gazetteer

SHARED_KB = Path(__file__).resolve().parents[2] / "shared" / "kb"
SEED = Path(__file__).resolve().parents[1] / "configs" / "seed"


@pytest.fixture(scope="module", params=["shared", "seed"])
def gazetteer(request) -> Gazetteer:
    path = SHARED_KB / "gazetteer.json" if request.param == "shared" else SEED / "gazetteer.json"
    return Gazetteer(read_gazetteer(path))


@pytest.fixture(scope="module")
def seed() -> Gazetteer:
    return Gazetteer(read_gazetteer(SEED / "gazetteer.json"))


@pytest.mark.parametrize("text, district, street", [
    # full names
    ("问题在朝阳区望京街道", "朝阳区", "望京街道"),
    ("大兴区旧宫镇这边", "大兴区", "旧宫镇"),
    ("石景山区八角街道", "石景山区", "八角街道"),
    ("丰台区新村街道", "丰台区", "新村街道"),
    # what a recogniser writes: 区 → 期/曲/去, 街道 → 接到/阶到/结道, 望京 → 忘经
    ("朝阳期望经阶到", "朝阳区", "望京街道"),
    ("海淀区清河接到", "海淀区", "清河街道"),
    ("丰台曲新村结道", "丰台区", "新村街道"),
    ("潮阳去忘经街道", "朝阳区", "望京街道"),
    ("东城期交道口接到", "东城区", "交道口街道"),
    ("昌平区回龙关", "昌平区", "回龙观街道"),
    # short forms: no suffix, district inferred or said without 区
    ("望京", "朝阳区", "望京街道"),
    ("我在回龙观那边", "昌平区", "回龙观街道"),
    ("朝阳望京", "朝阳区", "望京街道"),
    ("房山琉璃河", "房山区", "琉璃河镇"),
    ("朝阳区的望京这块", "朝阳区", "望京街道"),
    ("顺义杨镇", "顺义区", "杨镇"),
    ("霍营地铁站旁边", "昌平区", "霍营街道"),
    # a landmark named after its area names the street office of that area (an everyday word as
    # name needs one)
    ("天坛公园北门对过儿", "东城区", "天坛街道"),
    ("就在龙潭湖北边", "东城区", "龙潭街道"),
    ("沙河水库往东那片", "昌平区", "沙河镇"),
    ("德胜门外那条街上", "西城区", "德胜街道"),
    ("回龙观街道", "昌平区", "回龙观街道"),
    # a district alone
    ("我住在海淀那边", "海淀区", None),
    ("西城区的一个老小区", "西城区", None),
    ("天通苑那边", "昌平区", None),
    # the same street name in two districts: the district said decides
    ("朝阳区八里庄街道", "朝阳区", "八里庄街道"),
    ("海淀八里庄", "海淀区", "八里庄街道"),
    ("八里庄街道", None, "八里庄街道"),
    # bare 海淀 is the district; with its suffix it is the street of that name
    ("海淀街道", "海淀区", "海淀街道"),
    # one syllable of a two-syllable street garbled but keeping its final (兵 bing for 营 ying,
    # 条 tiao for 桥 qiao) or a near initial (书 shu for 四 si), right after the district and
    # before a street suffix
    ("昌平期霍兵街道", "昌平区", "霍营街道"),
    ("东城区东书街道那边", "东城区", "东四街道"),
    ("通州区玉条接到", "通州区", "玉桥街道"),
    # the street's own suffix heard by sound (镇 as 正)
    ("通州宋状正那边", "通州区", "宋庄镇"),
    # a bare district counts as the place when one of its streets follows, even heard loosely
    ("密云果言街道西边", "密云区", "果园街道"),
    # district and street each with a syllable garbled: neither alone is trusted, the pair is
    ("在延迁区竹林街道那边", "延庆区", "儒林街道"),  # 迁 qian for 庆 qing, 竹 zhu for 儒 ru
    ("怀有区眼西正", "怀柔区", "雁栖镇"),  # 有 you for 柔 rou, 西 xi for 栖 qi, 正 for 镇
])
def test_locate(gazetteer, text, district, street):
    match = gazetteer.locate(text)
    assert match is not None, text
    assert (match.district, match.street) == (district, street), match


@pytest.mark.parametrize("text", [
    "我上地铁的时候看见的",
    "东四环边上堵车堵了一个小时",
    "从南门进去王佐拐，第二个楼门",  # 往左拐 as the recogniser may write it
    "这个新村的房子是九十年代的",
    "过街天桥的台阶坏了",
    "买了点八角和桂皮",
    "光明小区门口",
    "他们胜利了",
    "我是河北人",
    "他住的是平房",
    "永定河边上",
    "今天天气不错，我想问问怎么办居住证",
    "我家楼上漏水，天花板都发霉了",
    "我姓张，电话一三九一一二二三三四四",
    "接到电话以后我就下楼了",
    "朝阳的房间比较暖和",
    "说是延期，又延期了一回",  # an everyday word said twice that sounds like 雁栖
])
def test_ordinary_sentences_name_no_place(gazetteer, text):
    assert gazetteer.find_all(text) == [], text


def test_span_lets_the_caller_take_the_address_after_the_place(gazetteer):
    text = "地址是朝阳区望京街道阜通东大街六号院"
    match = gazetteer.locate(text)
    assert text[match.start:match.end] == "朝阳区望京街道"
    assert text[match.end:].startswith("阜通东大街")
    misheard = "海淀期清河接到安宁庄路"
    match = gazetteer.locate(misheard)
    assert misheard[match.end:] == "安宁庄路"


def test_scores_rank_full_names_over_short_and_misheard_ones(gazetteer):
    full = gazetteer.locate("朝阳区望京街道").score
    short = gazetteer.locate("望京").score
    misheard = gazetteer.locate("朝阳期忘经接到").score
    assert full == 1.0 and 0 < short < full and 0 < misheard < full


def test_find_all_lists_every_place_in_order(gazetteer):
    matches = gazetteer.find_all("我住海淀区，但是问题在朝阳区望京街道")
    assert [(m.district, m.street) for m in matches] == [("海淀区", None), ("朝阳区", "望京街道")]
    # locate prefers the complete place
    assert gazetteer.locate("我住海淀区，但是问题在朝阳区望京街道").street == "望京街道"


def test_districts_and_streets(gazetteer):
    assert len(gazetteer.districts()) == 16
    assert "望京街道" in gazetteer.streets("朝阳区")
    assert gazetteer.streets("不存在区") == []
    assert set(gazetteer.districts_of("八里庄街道")) == {"朝阳区", "海淀区"}
    assert gazetteer.locate("") is None


def test_seed_knows_places_beyond_the_sample(seed):
    for text, district, street in [("朝阳区来广营地区", "朝阳区", "来广营地区"),
                                   ("我在通州梨园", "通州区", "梨园镇"),
                                   ("海淀区北下关街道", "海淀区", "北下关街道"),
                                   ("丰台区宛平街道", "丰台区", "宛平街道")]:
        match = seed.locate(text)
        assert match is not None and (match.district, match.street) == (district, street), text


def test_a_small_custom_gazetteer():
    gazetteer = Gazetteer({"朝阳区": ["望京街道"], "海淀区": []})
    assert gazetteer.locate("海淀区望京街道") is not None  # street of another district: both reported
    assert [(m.district, m.street) for m in gazetteer.find_all("海淀区望京街道")] == [
        ("海淀区", None), ("朝阳区", "望京街道")]
    assert Gazetteer({}).find_all("朝阳区望京街道") == []


@pytest.mark.parametrize("text", [
    "顺义宝园街道",    # 宝 bao keeps no sound of 石 shi: not 石园, and the district alone is no place
    "通州多桥街道",    # 多 duo keeps none of 玉 yu
])
def test_a_syllable_that_keeps_no_sound_is_no_street(gazetteer, text):
    match = gazetteer.locate(text)
    assert match is None or match.street is None


@pytest.mark.parametrize("text", [
    "房山申请 公租房怎么办",   # words between the two: no pair
    "我想问一下公租房怎么申请",
])
def test_loose_pairs_need_the_street_right_after_the_district(gazetteer, text):
    match = gazetteer.locate(text)
    assert match is None or match.street is None


def test_a_street_two_districts_share_is_of_the_district_said_before_it_in_every_process():
    # 八里庄街道 is in 海淀 and in 朝阳; which one must not depend on the process's hash seed.
    import os
    import subprocess
    import sys

    probe = (
        "from knowledge.formats import read_gazetteer; from knowledge.gazetteer import Gazetteer; "
        f"g = Gazetteer(read_gazetteer({str(SHARED_KB / 'gazetteer.json')!r})); "
        "print(g.locate('是我妈家，海淀的八里庄街道，不是朝阳那个八里庄啊，远大路边上。').district, "
        "g.locate('朝阳那边的八里庄街道，红庙北里。').district)"
    )
    root = Path(__file__).resolve().parents[1]
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True,
                             check=True).stdout.split()
        assert out == ["海淀区", "朝阳区"], seed


@pytest.mark.parametrize("text, district, street", [
    ("在丰台序卢勾销那边", "丰台区", "卢沟桥街道"),   # 区 heard 序, 桥 qiao heard 销 xiao: no syllable of 卢沟桥 exact
    ("在通州张江湾，村口那家", "通州区", "张家湾镇"),  # 家 jia heard 江 jiang, the suffix dropped
    ("大兴星眼接到，走远小区", "大兴区", "清源街道"),  # 清源 heard 星眼: each syllable keeps half its sound
    ("延迁康床那边有个洗车场", "延庆区", "康庄镇"),    # a district heard loosely: the street nearly whole
])
def test_a_street_right_after_its_district_is_heard_by_what_its_syllables_keep(gazetteer, text, district, street):
    match = gazetteer.locate(text)
    assert match is not None and (match.district, match.street) == (district, street), match


@pytest.mark.parametrize("text", [
    "在东城区公司上班",          # 公司 keeps only half of 东四's first syllable: two syllables need more
    "在昌平一三零七五二六",      # a dictated number is no 十三陵
    "晚上十点多我在外头",        # 晚上 sounds loosely like 房山, 十点 half like 十渡: not enough after a loose district
    "在海淀区的海淀区田村路街道",  # the words after the district are a place of their own
])
def test_words_after_a_district_that_keep_little_of_a_street_are_no_street(gazetteer, text):
    streets = [match.street for match in gazetteer.find_all(text)]
    assert streets in ([], [None], [None, "田村路街道"]), streets


@pytest.mark.parametrize("text", ["就在东四八条里头，挨着个小卖部", "东四头条胡同口"])
def test_a_numbered_hutong_names_its_street(gazetteer, text):
    match = gazetteer.locate(text)
    assert match is not None and (match.district, match.street) == ("东城区", "东四街道"), match


@pytest.mark.parametrize(
    ("text", "district", "street"),
    [
        # a common-word street name that names a landmark, no district said
        ("天坛南门对面那个早点铺天天往路边倒泔水。", "东城区", "天坛街道"),
        ("我每天都从前头那个地铁站上地铁，那儿的扶梯老停。", None, None),  # 上地铁 is taking the subway
        ("上地派出所旁边那条胡同的路灯不亮了。", "海淀区", "上地街道"),
    ],
)
def test_a_landmark_carries_its_streets_name(gazetteer, text, district, street):
    match = gazetteer.locate(text)
    assert (match.district if match else None, match.street if match else None) == (district, street)


def test_a_road_named_after_a_town_of_another_district_is_no_town(gazetteer):
    # 北苑 is a town of 通州; a road by that name in the district the caller named is just a road
    match = gazetteer.locate("是朝阳区的，北苑东路那个加油站后边。")
    assert (match.district, match.street) == ("朝阳区", None)
    # said in its own district, or with no district, the town stands
    assert gazetteer.locate("通州北苑路口那儿").street == "北苑街道"


def test_a_street_heard_near_its_sound_and_said_twice_is_the_street(gazetteer):
    # 望京 heard 旺金 (jing as jin), with no district: once could be any word, twice is the place
    (first, second) = gazetteer.find_all("在旺金，我们是旺金西园三区，工地就在小区北门对过儿")
    assert first.street == second.street == "望京街道" and first.district == "朝阳区"
    assert gazetteer.find_all("在旺金那边") == []


def test_numbers_in_a_name_written_as_digits_are_read_as_said(gazetteer):
    # 六里桥 heard as 6李桥: the recogniser writes the number in the name as a digit
    (first, *_) = gazetteer.find_all("丰台6李桥，就是长途站往南一点儿")
    assert first.street == "六里桥街道" and first.district == "丰台区"


def test_chang_in_a_name_is_heard_as_beijing_says_it(gazetteer):
    # pypinyin reads 长阳 zhang yang; 常杨镇 is how the recogniser writes chang yang
    (place,) = gazetteer.find_all("我们常杨镇的社区工作人员")
    assert place.street == "长阳镇" and place.district == "房山区"
