"""Caller names and places as Beijing callers give them, including the recogniser's homophones."""

from pathlib import Path

import pytest
from pypinyin import lazy_pinyin

from agent.name_respelling import surname_respellings
from agent.names import extract_name
from agent.place import address_anywhere, hear_place
from agent.surnames import as_surname
from knowledge.formats import read_gazetteer
from knowledge.gazetteer import Gazetteer

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(read_gazetteer(SHARED / "kb" / "gazetteer.json"))


# ---------------------------------------------------------------- names

@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("我叫王建华，电话是幺三八", "王建华"),
        ("我的名字叫李娜。", "李娜"),
        ("你好，我是孟庆丰，住在这个小区", "孟庆丰"),
        ("我姓黄，黄女士，手机一三九", "黄女士"),
        ("免贵姓高，高先生", "高先生"),
        ("我是何先生", "何先生"),
        ("我姓欧阳，你叫我欧阳女士就行", "欧阳女士"),
        ("我姓宋，我老公一会儿也在家", "宋女士"),  # her husband: the caller is a woman
        ("我姓韩", "韩先生/女士"),
        ("我是这个小区的居民，姓葛，电话幺八八", "葛先生/女士"),
    ],
)
def test_names_as_callers_give_them(said, name):
    heard = extract_name(said)
    assert heard is not None and heard.name == name and not heard.declined


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("我性冯，冯先生", "冯先生"),      # 姓 heard as 性
        ("我信邓，邓女士", "邓女士"),      # 姓 heard as 信
        ("我姓虎，虎女士", "胡女士"),      # 胡 heard as 虎
        ("我姓照，照先生电话幺八八", "赵先生"),
        # the surname said again came out as another word; the title after it still holds
        ("我姓冷的朋你是电话幺三九", "冷女士"),
        ("我姓谷，度行生，手机幺五八", "谷先生"),
        # 姓 heard as a word no list holds: the surname twice and a title that ends the phrase
        ("我任潘，潘你是，电话幺三九", "潘女士"),
        # the title's second syllable misheard right after the surname said again
        ("我姓郑，郑女姓，电话幺三五", "郑女士"),
        # 我 lost before a misheard 姓, the surname said twice with its title, whatever follows
        ("家在丰台这边，信马，马先生一电话就不留了", "马先生"),
        # 姓 heard a sound off (线, 星), and the number straight after the title
        ("二单元六零一，我线过苏先生幺五八零一二", "苏先生"),
        ("我星邓，邓女士一八六二三", "邓女士"),
        # the title with the number it goes with: 某女士的电话
        ("我是他们对门的，孔女士的电话是幺三八", "孔女士"),
    ],
)
def test_surnames_heard_as_homophones(said, name):
    heard = extract_name(said)
    assert heard is not None and heard.name == name


@pytest.mark.parametrize(
    ("said", "name"),
    [
        # surnames too rare for the list, vouched for by their parts, a word, or a title
        ("我叫阚志远，门字里头一个敢，手机幺三九", "阚志远"),  # 阚 is listed; the frame is the same
        ("我叫瞿红，上边两个目下边一个隹，电话就打这个", "瞿红"),
        ("我姓昝，昝先生，电话幺五八", "昝先生"),
        ("我叫揭海平，揭发的揭。", "揭海平"),
        ("我叫仉立新，单人旁一个几何的几，电话等会儿说", "仉立新"),  # a radical named by its name
        ("我叫凃晓丽，两点水的那个凃。", "凃晓丽"),
        # the surname spelled out, then the whole name starting a phrase
        ("免贵姓戴，戴帽子的戴，戴文静，电话幺八六", "戴文静"),
    ],
)
def test_rare_surnames_the_caller_vouches_for(said, name):
    heard = extract_name(said)
    assert heard is not None and heard.name == name


def test_a_spelling_the_recogniser_garbled_does_not_keep_its_garbled_surname():
    # 我姓鲁，鲁迅的鲁 heard with n for l: 努姓 is no word anyone spells by, so 努 is read by sound.
    heard = extract_name("我姓努，努姓的努，你就叫我努先生吧")
    assert heard is not None and heard.name is not None
    assert lazy_pinyin(heard.name[0]) == ["lu"] and heard.name.endswith("先生")


@pytest.mark.parametrize("said", ["名字就不留了", "我不方便透露姓名", "我想匿名反映", "我不想说名字"])
def test_declining_to_give_a_name(said):
    heard = extract_name(said)
    assert heard is not None and heard.declined and heard.name is None


@pytest.mark.parametrize(
    "said",
    [
        "我是外地来北京打工的",
        "我是王府井那边的商户",
        "楼上的张先生家天天装修",   # a neighbour, not the caller
        "我先生下班回来也闻到了",   # her husband
        "物业的李经理不接电话",
        "我们楼上王女士的电话我有，你们可以问她",  # someone else's number
        "我行李丢在出租车上了，司机是个李先生",
        "我心里着急，王先生一个人说了不算",
    ],
)
def test_no_name_where_none_is_given(said):
    heard = extract_name(said)
    assert heard is None or heard.name is None and not heard.declined


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("我姓金，你是哪个部门的？", "金先生/女士"),  # 你是 asks: no title
        ("我姓丁的，我你是", "丁先生/女士"),
        ("我看好，好你是说这事儿没人管？", None),  # 你是 that goes on is no title
    ],
)
def test_a_word_like_a_title_that_goes_on_is_no_title(said, name):
    heard = extract_name(said)
    assert (heard.name if heard else None) == name


def test_surname_by_sound():
    assert as_surname("张") == "张"
    assert as_surname("前") == "钱"
    assert as_surname("前", by_sound=False) is None


# ---------------------------------------------------------------- places

def test_district_street_and_address(gazetteer):
    place = hear_place(gazetteer, "在海淀区学院路街道，志新村小区，十七号楼三单元，五零二。")
    assert place is not None
    assert (place.district, place.street) == ("海淀区", "学院路街道")
    assert place.address == "志新村小区，17号楼3单元，502"


def test_place_heard_with_homophones(gazetteer):
    # 区 heard as 期, 街道 as 接到
    place = hear_place(gazetteer, "朝阳期亚运村接到，安慧北里逸园，二十号楼")
    assert place is not None
    assert (place.district, place.street) == ("朝阳区", "亚运村街道")
    assert place.address is not None and "20号楼" in place.address


def test_address_stops_where_the_problem_starts(gazetteer):
    place = hear_place(gazetteer, "西城区月坛街道，三里河一区的自行车棚，天天有人在里面堆垃圾，味儿特别大")
    assert place is not None and place.address == "三里河1区的自行车棚"


def test_address_skips_the_caller_on_the_way(gazetteer):
    place = hear_place(gazetteer, "丰台区卢沟桥街道，小屯路东边的小区，九号楼，我已经跑到楼下了，电话一三九")
    assert place is not None and place.address == "小屯路东边的小区，9号楼"


def test_landmark_named_after_the_street(gazetteer):
    place = hear_place(gazetteer, "我每天去东城区的地坛公园锻炼，想提个建议")
    assert place is not None and place.district == "东城区"
    assert place.address is not None and place.address.startswith("地坛公园")


def test_address_without_district():
    assert address_anywhere("就在双桥东路南口，八号院二号楼，一层底商。") == "双桥东路南口，8号院2号楼，1层底商"
    assert address_anywhere("他们老是这样，没人管") is None


def test_dictated_room_number_written_with_dots(gazetteer):
    place = hear_place(gazetteer, "通州区永顺镇，新华联家园，6号楼,1.0.0.2。")
    assert place is not None and place.address is not None and place.address.endswith("1002")


def test_address_words_misheard_like_the_street_are_respelt(gazetteer):
    # the estate carries the street's name, misheard the same way; 单元 heard as 单圆
    place = hear_place(gazetteer, "朝阳期望经接到，忘经西园三区，七号楼二单圆")
    assert place is not None and place.street == "望京街道"
    assert place.address == "望京西园3区，7号楼2单元"


def test_sentence_after_the_place_continues_only_with_a_strong_marker(gazetteer):
    place = hear_place(gazetteer, "房山区长阳镇，具体哪个村我说不清。就在京石高速旁边，有个废品站。电话幺三八")
    assert place is not None and place.address == "京石高速旁边，有个废品站"


@pytest.mark.parametrize("text, respellings", [
    ("我姓姆，经女士，电话在后边", {"姆，姆", "经，经"}),   # the surname and the title heard two ways
    ("我信钱钱先生", set()),                                 # heard alike twice: nothing to judge
    ("免贵姓周，邹先生", {"周，周", "邹，邹"}),
    ("我姓王，我女士", set()),                              # 我 is no name
    ("我姓刘，电话一三九", set()),                          # no title after it
])
def test_a_surname_heard_two_ways_is_offered_both_ways(text, respellings):
    found = surname_respellings(text)
    assert {term for term, _, _ in found} == respellings
    for term, start, end in found:
        assert len(term) == end - start
