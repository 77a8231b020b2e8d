"""Domain vocabulary for KB retrieval: how Beijing callers name public services.

Three tables, all describing the 12345 domain rather than any particular sentence:
- USER_WORDS: service names jieba must keep whole (otherwise 养老助残卡 → 养老/助残/卡在).
- SYNONYMS: caller wording → the word the articles use (医疗保险 → 医保, 暂住证 → 居住证).
- CONCEPTS: a caller rarely names the service; they describe their situation ("parents winter in
  Hainan and need a doctor" is 异地就医). A concept fires when the text contains a word from each
  of its groups, and adds the service's own terms to the query.
"""

from __future__ import annotations

USER_WORDS = """
社保卡 医保卡 社保 医保 公积金 住房公积金 居住证 居住登记 暂住证 流动人口 限行 尾号限行 限号 单双号 进京证
外地车 外地牌 京牌 养老助残卡 北京通 老年卡 养老卡 助残卡 失业金 失业保险金 失业登记 失业保险 供暖 供热
暖气 暖气片 异地就医 就医备案 个税 个人所得税 年度汇算 专项附加扣除 落户 积分落户 户口 迁户口 摇号 小客车指标
新能源指标 购车指标 不动产 不动产登记 不动产权证 房本 二手房 过户 营业执照 个体户 个体工商户 企业开办 护照
港澳通行证 台湾通行证 出入境 签注 残疾人证 两项补贴 护理补贴 生活补贴 养老驿站 助餐 日间照料 电动自行车
电动车 电瓶车 上牌 号牌 公租房 廉租房 保障房 预付卡 会员卡 健身卡 充值卡 法律援助 燃气 煤气 天然气 液化气
漏气 生育津贴 生育保险 产假 灵活就业 身份证 补领 补办 挂失 养犬 养狗 狗证 养犬登记 犬只 低保 临时救助
最低生活保障 停水 停电 垃圾分类 厨余垃圾 可回收物 有害垃圾 其他垃圾 大件垃圾 装修垃圾 门诊 起付线 报销
新生儿 参保 城乡居民医保 职工医保 驾驶证 驾照 换证 结婚登记 离婚登记 劳动仲裁 社保转移 退休手续 违章
罚单 非京籍 幼升小 小升初 入学 学籍 住房补贴 租房补贴 提取 房租 租房 过冬 看病 就医 回访 工单 办理时限
""".split()

# Fillers and question words every caller uses; they say nothing about which service is meant.
STOP_WORDS = set("""
你好 您好 喂 请问 问 问问 想问 想 一下 那个 这个 那 这 啊 吗 呢 吧 呀 哦 嗯 哎 诶 哈 嘛 么 我 我们 你 您 你们
他 她 他们 咱 咱们 是 的 地 得 了 着 过 在 有 没 就 都 也 还 要 会 能 能不能 可以 可不可以 怎么 怎么办 怎样
怎么样 如何 什么 啥 哪 哪里 哪儿 哪个 多少 几 一个 个 给 跟 和 与 对 把 被 让 不 没有 不是 就是 然后 现在 今天
昨天 刚才 已经 因为 所以 但是 如果 的话 知道 告诉 麻烦 谢谢 帮 帮忙 帮我 一点 有点 比较 还是 或者 需要 办 去
来 到 说 看 吧 些 这边 那边 这样 那样 一直 其实 反正 就是说 然后呢 什么样 什么时候 多久 时候 情况 问题 事 事儿
一张 一些 一次 一点儿 附近 北京 本市 市里 咨询 了解 打听 一 下 上 里 呗 该 应该 得 行 好 好的
对吧 是不是 有没有 能否 吗呢
""".split())

# Caller wording → the canonical word (both are run through jieba first, so keys are tokens).
_SYNONYM_GROUPS: dict[str, str] = {
    "医保": "医疗保险 基本医疗保险 医疗保障",
    "社保卡": "医保卡 社会保障卡",
    "公积金": "住房公积金 公积",
    "养老助残卡": "养老卡 老年卡 老人卡 北京通 助残卡 敬老卡",
    "老年人": "老人 老年 老人家 老头 老太太 上岁数",
    "居住证": "暂住证",
    "供暖": "供热 暖气 暖气片 集中供暖 采暖",
    "失业金": "失业保险金 失业补助金",
    "失业": "下岗 裁员 被裁 辞退 被辞退 离职",
    "限行": "限号 单双号 尾号限行 管号 不让开",
    "小客车指标": "购车指标 车牌指标 京牌指标",
    "摇号": "摇车牌 摇京牌",
    "丢失": "丢 丢了 弄丢 丢掉 遗失 找不着 掉了",
    "补办": "补 补领 补卡 重办 补换",
    "孩子": "小孩 小孩儿 娃 孩儿 宝宝 儿子 女儿 闺女 子女",
    "入学": "上学 上小学 幼升小 一年级",
    "养犬": "养狗 犬只 狗狗 狗 泰迪 金毛 柯基 哈士奇 柴犬 比熊 博美 拉布拉多 边牧 萨摩耶 宠物狗",
    "租房": "房租 租房子 租金 租住 交房租",
    "提取": "取出来 取出 取钱 提出来",
    "个税": "个人所得税 所得税",
    "年度汇算": "汇算 汇算清缴 退税",
    "落户": "上户口 迁户口 户口迁移 入户 户籍",
    "户口": "户口本 户口簿",
    "就医": "看病 就诊 看医生 看大夫 瞧病",
    "残疾人": "残疾 残障",
    "电动自行车": "电动车 电瓶车 电驴 电驴子 小电驴 电摩",
    "上牌": "挂牌 上牌照",
    "营业执照": "执照",
    "个体工商户": "个体户 开店 开个店 小店 小卖部 早点铺 铺子",
    "出入境": "出国 出境",
    "法律援助": "律师 打官司 法律咨询 免费律师",
    "燃气": "煤气 天然气 液化气",
    "生育": "生孩子 生小孩 生娃 分娩",
    "表扬": "感谢 夸奖 锦旗 点赞",
    "建议": "意见 提议",
    "低保": "最低生活保障",
    "停水": "没水 断水",
    "停电": "没电 断电",
    "不动产权证": "房本 房产证 房本儿",
    "驾驶证": "驾照 车本 车本儿 驾驶本",
    "身份证": "二代证 身份证件",
    "过户": "改名 改名字 更名 换名字 转名",
    "二手房": "旧房子 老房子 别人的房子 二手的房",
    "新能源": "电车 纯电 电动汽车 新能源车",
    "外地车": "外地牌 外地车牌 外地牌照 外省车 外地号牌",
}
SYNONYMS: dict[str, str] = {
    variant: canonical for canonical, variants in _SYNONYM_GROUPS.items() for variant in variants.split()
}

# Concepts, one paragraph each: "[terms added]", then "any:" lines (the text must contain a word
# of every any-line) and optionally "not:" (no word of it may appear); indented lines continue the
# line above. Words are matched as substrings of the raw text, which survives jieba's segmentation.
# $NAME stands for a word list defined in _GROUPS.
_GROUPS = {
    "SENIOR": "老人 老年 退休 爸妈 父母 我爸 我妈 爷爷 奶奶 姥姥 姥爷 外公 外婆 六十 七十 岁数大 上了年纪",
    "LOST": "丢 掉了 找不到 找不着 补 坏了 消磁 挂失 换卡 换新 被偷",
    "CHILD": "孩子 小孩 宝宝 儿子 女儿 闺女 娃",
}
_RULES = """
[异地就医 备案]
any: 外地 外省 异地 老家 海南 三亚 过冬 旅居 跨省 外面住 长住 投奔 随子女 在外 儿子家 女儿家 闺女家
    住半年 住几个月 住一段
any: 看病 就医 医保 住院 结算 报销 医院 拿药 开药 能报
[养老助残卡 优待]
any: $SENIOR
any: 卡 优待 免费坐 坐公交 免票 门票 半价
not: 社保卡 医保卡 银行卡 健身卡 会员卡 充值卡
[社保卡]
any: 看病 医院 拿药 买药 就医 就诊
any: 的卡 张卡 个卡 那卡 卡丢 卡掉 卡没 卡也 卡坏 卡找
not: 健身 会员 银行 养老卡 老年卡 充值 储值 购物 加油
[补办 挂失]
any: 社保卡 医保卡
any: $LOST 偷了 没了
[公积金]
any: 工资里扣 工资扣 每月扣 每个月扣 单位交的 单位给交
any: 住房 房子 买房 租房 房租
[提取 租房]
any: 公积金
any: 房租 租房 租的 房东 租金 租住 合租 押一付三 交房租
[限行 尾号]
any: 尾号 限号 限行 单双号 管号 最后一位 最后一个数 末位 尾数 限不限 让不让开
[进京证 外地车]
any: 外地车 外地牌 外省车 外地号牌 京外 外地的车 外地车牌 老家的车 外省的车 进京
any: 进京 进北京 开进 进城 六环 五环 来北京 到北京 去北京 开车
[进京证 外地车]
any: 外地 外省 河北 天津 山东 山西 河南 内蒙 老家 京外 非京
any: 牌照 车牌 号牌 牌子的车 牌的车
not: 摇
[进京证 外地车]
any: 河北 天津 山东 山西 河南 内蒙 廊坊 保定 燕郊 涿州 唐山 张家口 承德 外地 外省 老家
any: 开车 开着车 开自己 开我家 开家里 自驾 开过来 开进 开到北京 开去北京
any: 进京 进北京 来北京 到北京 去北京 进城 城里 五环 六环 市区
not: 摇
[垃圾分类]
any: 电池 过期的药 过期药 剩饭 剩菜 吃剩 果皮 菜叶 骨头 塑料袋 外卖盒 饭盒 快递盒 旧衣服 灯管 油漆
    废电池 碎玻璃 玻璃瓶 易拉罐 纸箱 纸壳
any: 怎么扔 扔哪 哪个桶 哪个箱 什么垃圾 属于 能直接扔 扔楼下 扔到 算什么 分到 放哪
[大件垃圾 清运]
any: 旧家具 沙发 床垫 柜子 大件 装修垃圾 建筑垃圾 旧家电 旧床 衣柜 桌子
any: 扔 处理 清运 不要了 拉走 搬走 丢
[社保转移]
any: 社保 养老保险 医保 公积金
any: 转移 转过来 转到 转回 调到 换城市 外地交的 以前交的 接续 转出 转入
[投靠 落户]
any: 结婚 老公 老婆 丈夫 妻子 爱人 媳妇 配偶 父母 爸妈 子女
any: 落户 迁户口 户口迁 户口转 转户口 把户口 落成北京 落到北京 落北京 落在北京 北京户口 户口本上
not: 医保 医疗保险 参保
[失业金 失业登记]
any: 没工作 没了工作 工作没了 失业 下岗 被裁 辞退
any: 国家给 国家发 给发 发的钱 发钱 补助 救济
[失业金 失业登记]
any: 失业 没工作 被裁 裁员 辞退 下岗 离职 丢了工作 倒闭 被开除 开除 把我辞了 把我开了 炒鱿鱼 没活干 工作没了
any: 领 钱 金 补助 保险 登记 补贴
[新生儿 参保]
any: 刚出生 新生儿 宝宝 刚生 出生 满月 刚生的 生了个 生了一个 刚生完 添了个 坐月子 月子里 刚落地
any: 医保 参保 保险 看病 报销 一老一小
[城乡居民医保 参保]
any: 一老一小 居民医保 城乡居民
[生育津贴 生育保险]
any: 生孩子 生娃 产假 怀孕 生育 分娩 坐月子 生小孩
any: 津贴 钱 工资 报销 待遇 补贴 产假
[入学 小学]
any: $CHILD
any: 上小学 上学 入学 报名 小学 一年级 幼升小 上初中 学位
[小客车指标 摇号]
any: 摇号 指标 购车 买车 车牌 京牌 新能源 买辆车 买个车 买台车 弄辆车 弄个车 摇车 摇个号 电车
any: 摇号 指标 申请 车牌 京牌 牌子 摇 抽签 排队 资格 上牌
not: 外地车 进京 电动车 电瓶车 电驴 电动自行车 进京证
[户口 落户]
any: 落户 积分落户 投靠 迁户口 户口迁 户口转 转户口 把户口 落成北京 落到北京 落北京 落在北京 北京户口
    户口落 办户口 进京指标 入户 随迁 户籍迁 户口怎么 户口咋 户口能 户口可以 户口挪 户口办 户籍调 户口调
not: 医保 医疗保险 参保 我是北京户口 是北京户口的 北京户口的 不是北京户口 不是北京的户口
[出入境 护照]
any: 护照 港澳通行证 往来台湾 出国 去香港 去澳门 去台湾 签注 出境 出过国 出国门 国外 境外 出去玩
[身份证 补领]
any: 身份证 二代证
any: $LOST 过期 到期 偷了 没了
[营业执照 企业开办]
any: 开店 开个店 开公司 做生意 个体户 个体工商户 营业执照 执照 开个小 做买卖 开家 开一家 开个 开小 开间
any: 店 铺 馆 公司 超市 小卖部 摊 执照 证 买卖 生意 个体 照
[不动产登记 过户]
any: 二手房 买房 卖房 房子 房本 房产证 不动产 买了套 买了一套 卖家 买家 房主
any: 过户 更名 登记 加名 产权 房本 改名 换名字
[残疾人 补贴]
any: 残疾 残障 瘫痪 残疾人 坐轮椅 智障 脑瘫 聋哑 失明 截肢 腿坏了 烧坏了 落下残 伺候
any: 补贴 补助 钱 待遇 护理
[养老驿站]
any: 养老驿站 驿站 助餐 老年餐桌 日间照料 托老 上门照顾
[养老驿站 助餐]
any: $SENIOR
any: 管饭 管顿 午饭 送饭 吃饭的地方 洗澡 助浴 上门 服务站 服务的站 服务的地方 照料 照看 看护 托管 白天
not: 医保 看病 报销 卡
[电动自行车 上牌]
any: 电动车 电动自行车 电瓶车 电驴 电摩
any: 牌 登记 挂牌
[公租房 住房保障]
any: 公租房 廉租房 保障房 公共租赁 保障性住房
[公租房 住房保障]
any: 政府 国家 公家 便宜 低价 保障
any: 房子 房 住处
any: 租
[预付卡 退费]
any: 卡 充值 会员 课时 预付 交了钱 交的钱 办了 充了 存了 预存
any: 跑路 关门 倒闭 不退 退钱 退费 联系不上 找不到人 人去楼空 不给退 黄了 门锁了 锁门 不开了 不营业
    追回 要回来 关张
[法律援助]
any: 律师 打官司 起诉 法律援助 法律咨询 请不起
[办理时限 回访]
any: 反映 打过 投诉 打了电话 诉求 工单 提过 上次 报过 打电话说 说过 打你们
any: 多久 几天 回复 答复 回音 没人联系 没人管 联系我 进度 结果 没人找 信儿 回话 回个话 多长时间 找我
[燃气 应急]
any: 燃气 煤气 天然气 液化气 漏气
[灵活就业 缴费]
any: 没有单位 没单位 自己交 个人交 自由职业 灵活就业 辞职了 打零工 个体 自己缴 没签过单位 没签单位
    跑滴滴 跑网约车 送外卖 跑外卖 开网约车 自己干 摆摊 续上 接着交
any: 社保 养老保险 医保 保险 缴费 交
[养犬 登记]
any: 狗 犬 泰迪 金毛 柯基 哈士奇 柴犬 比熊 博美 拉布拉多 边牧 萨摩耶
any: 登记 证 办证 手续 疫苗 养 年检
[表扬 建议]
any: 表扬 感谢 锦旗 点赞 建议 提个意见 提意见
[救助 低保]
any: 生活困难 困难 低保 揭不开锅 没钱 救助 吃不上饭 看不起病 生活不下去 花光 吃饭都成问题 没饭吃
    断了收入 帮一把 拉一把 过不下去
[垃圾分类]
any: 垃圾
any: 分类 怎么扔 扔哪 哪个桶 分几类 什么垃圾 属于
[个税 年度汇算]
any: 个税 个人所得税 退税 汇算 专项附加扣除
[个税 年度汇算]
any: 税
any: 算一遍 多交 退 少算 少交 抵扣 扣除 减免 赡养 子女教育 房贷 两份工 两份工资 汇
not: 个体 营业 店 公司 房产 过户 契税
[医保]
any: 看病 医院 门诊 拿药 开药
any: 保险 那份钱 扣着 扣的
not: 生孩子 生育
[门诊 报销]
any: 医保 看病 医院 社区医院 门诊 拿药 开药
any: 门诊 报销 报多少 起付线 比例 自费 能报 报的钱 给报 报回来 退回来 自己掏 去哪儿报 怎么报
[居住证]
any: 居住证 暂住证 居住登记
[居住证]
any: 外地 外省 老家 打工 来京 来北京 河北 非京
any: 常住 长住 住了 住满 居住 暂住 租房住 住在北京 在这边住
any: 证
[供暖]
any: 暖气 供暖 供热 不热 热乎气 片子凉 屋里冷 家里冷 屋里温度 卧室温度 室温 来热 烧暖气 开始烧 提前烧
[停水 停电]
any: 停水 没水 断水 停电 没电 断电 水没了 水停了 来水 电停了 来电
"""


def _parse_rules(text: str) -> list[tuple[list[list[str]], list[str], list[str]]]:
    rules: list[tuple[list[list[str]], list[str], list[str]]] = []
    current: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        for name, words in _GROUPS.items():
            line = line.replace(f"${name}", words)
        if line.startswith("["):
            rules.append(([], line.strip("[]").split(), []))
            continue
        groups, _, blockers = rules[-1]
        if raw.startswith(" "):
            current.extend(line.split())
        elif line.startswith("any:"):
            current = line[4:].split()
            groups.append(current)
        elif line.startswith("not:"):
            current = blockers
            blockers.extend(line[4:].split())
    return rules


CONCEPTS = _parse_rules(_RULES)


# What a question asks for, when an article must speak of it to answer: a bill, a loan, a trade-in,
# a job. "用公积金贷款能贷多少" shares 公积金 with the article on drawing it for rent, and
# "燃气费在哪儿交" shares 燃气 with the one on gas leaks, but neither article answers them; a
# caller asking so is better told the KB has no answer than read the wrong one. Each line is one
# matter and the words that name it; words a caller also uses for their circumstances (a train
# ticket in "补身份证赶火车", cold weather in "天冷能提前供暖吗") are no matter.
_MATTERS = """
账单: 暖气费 供暖费 取暖费 燃气费 煤气费 水费 电费 物业费 网费 话费 电话费 有线费
贷款: 贷款 房贷 贷多少 能贷 月供 利率 公积金贷
换新: 以旧换新 换新的 折旧 鼓包
鉴定: 鉴定 评残 评级
招聘: 招人 招聘 应聘 招工 当护工 去应聘
学区: 学区 学位房
时刻: 末班车 首班车 几点发车 末班地铁
"""
MATTERS: dict[str, tuple[str, ...]] = {
    name.strip(): tuple(words.split())
    for name, _, words in (line.partition(":") for line in _MATTERS.strip().splitlines())
}


def matters_in(text: str) -> set[str]:
    """The matters (see _MATTERS) that `text` names."""
    return {name for name, words in MATTERS.items() if any(word in text for word in words)}


def concept_words() -> set[str]:
    """Every word the concepts match on or add: how callers describe situations, and the services."""
    return {word for groups, added, _ in CONCEPTS for group in [*groups, added] for word in group}


def concept_terms(text: str) -> list[str]:
    """The service terms implied by a caller's description (see _RULES).

    Two rounds: a description often names a thing only by what it is for ("工资里扣的那份住房的
    钱" is 公积金), and what the caller wants done with it ("能拿出来交房租吗") is a concept of
    the service name the first round found."""
    first = _fired(text)
    terms = [term for index in first for term in CONCEPTS[index][1]]
    if terms:
        widened = f"{text} {' '.join(terms)}"
        terms += [term for index in _fired(widened) if index not in first for term in CONCEPTS[index][1]]
    return terms


def _fired(text: str) -> list[int]:
    fired = []
    for index, (groups, _, blockers) in enumerate(CONCEPTS):
        if any(word in text for word in blockers):
            continue
        if all(any(word in text for word in group) for group in groups):
            fired.append(index)
    return fired
