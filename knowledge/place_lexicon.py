"""How callers say Beijing place names: suffixes, short forms, and names that are ordinary words."""

from __future__ import annotations

# Official suffixes of township-level names, longest first ("街道办事处" before "街道").
# Callers use them loosely (望京地区 for 望京街道), so any of them confirms a street name.
STREET_SUFFIXES = ("街道办事处", "地区办事处", "街道办", "街道", "地区", "满族乡", "回族乡", "民族乡", "乡", "镇")
DISTRICT_SUFFIXES = ("区",)

# Two-character street/town names that are also everyday words or generic place words
# (光明, 胜利, 河北 the province, 平房 a bungalow, 东四 in 东四环 …). Said bare they are far more
# often the word than the place, so they count only with a suffix or right after their district.
COMMON_WORD_NAMES = frozenset("""
胜利 古城 安定 光明 东风 城北 城南 老山 清水 八角 温泉 向阳 渤海 南口 新华 天桥 天竺 曙光 龙泉 前门 新村
天坛 沙河 四海 果园 迎风 龙山 鼓楼 城关 永宁 宝山 荣华 永定 椿树 石城 城子 东四 上地 河北 平房 东湖 金盏
高岭 北庄 星城 新镇 空港 百善 仁和 梨园 永顺 杨庄 黄村 礼贤 北房 滨河 儒林 康庄 上庄 东升 德胜 大台 中仓
花乡 文景 通运 长沟 旧县 井庄 石楼 龙潭 香山 王平 广宁 和义 双丰 旺泉 兴谷 百泉 观音寺 苹果园
""".split())

# Landmarks that carry the name of the street they stand in: a common-word name right before one
# is that street, its district unsaid (上地地铁站 → 上地街道, 天坛东门 → 天坛街道, 龙潭湖 → 龙潭街道,
# 八角游乐园 → 八角街道, 德胜门外大街 → 德胜街道): Beijing names its parks, lakes, markets and main
# roads after the area they stand in, as it names the street office. Not estates: 光明小区 or
# 胜利家园 is a name given anywhere.
LANDMARKS_AFTER = (
    "地铁站", "公交站", "站", "公园", "游乐园", "湖", "水库", "广场", "东门", "西门", "南门", "北门", "门外", "门内",
    "派出所", "医院", "桥", "商场", "市场", "大街",
)

# A bare name followed by one of these is part of another name: 东四环, 北五环 are ring roads; or
# is a direction heard as a name: 往左拐 heard 王佐拐 (王佐镇), a turn is no place.
NOT_A_PLACE_AFTER = ("环", "拐")

# Words around a bare district name that show it is meant as a place ("在朝阳", "朝阳那边").
PLACE_CUES_BEFORE = ("在", "住", "到", "去", "来", "是", "回", "位于", "属于")
PLACE_CUES_AFTER = ("那边", "这边", "那块", "这块", "一带", "附近", "那儿", "这儿", "那里", "这里", "地界",
                    "那片", "这片", "周边", "境内")

# How far (in characters) a street may follow its district and still be read as one place
# ("朝阳区的望京", "朝阳，望京街道").
DISTRICT_STREET_GAP = 3
