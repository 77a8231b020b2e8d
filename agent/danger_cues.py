"""The words of danger callers use, kind by kind: what agent.safety looks for in every turn.

Phrases are matched by characters and by sound (agent.cues), patterns by characters only. Whether a
hit is a danger now (not denied, not a worry, not past, not a likeness) is agent.safety's call.
"""

from __future__ import annotations

from agent.cues import Cue, patterns, phrases

# Each label is one kind of danger; the seat gives advice per kind.
GAS, FIRE, TRAPPED, FLOOD, MANHOLE, MISSING, VIOLENCE, MEDICAL, DISTRESS, DANGER, ELECTRIC, ALONE, FRAUD = (
    "gas", "fire", "trapped", "flood", "manhole", "missing", "violence", "medical", "distress", "danger",
    "electric", "alone", "fraud",
)
# Someone else about to take their life (on a roof's edge, on a bridge rail): 110 and a person now.
JUMPER = "jumper"

# Where gas or a water heater's fumes gather, and what they do to people.
_GAS_ROOMS = r"(?:厨房|灶台|灶眼|卫生间|浴室|洗澡间|热水器)"
_FUME_SYMPTOMS = (
    r"(?:头晕|头疼|头痛|脑袋(?:就)?(?:发)?(?:沉|晕|疼)|犯恶心|恶心(?![得死])|想吐|腿(?:就)?(?:发)?软|浑身没劲|站不住)"
)

_ELECTRICS = (
    r"(?:电闸|电箱|电表|电表箱|配电箱|配电柜|配电室|电路|插座|插排|插线板|开关|电线|灯泡|灯口|灯座|灯罩|灯管|吊灯|变压器)"
)

DANGER_CUES: tuple[Cue, ...] = (
    phrases(GAS, 1, "煤气味 燃气味 天然气味 液化气味 漏气 煤气泄漏 燃气泄漏 泄漏 跑气 一股煤气 一股燃气")
    + patterns(
        GAS, 1, r"(?:煤气|燃气|天然气|液化气)[^，。,.]{0,6}(?:味|漏|泄)",
        # Gas is odorised to smell of rotten eggs; a stove left on fills a stairwell with it.
        r"臭鸡蛋[^，。,.]{0,3}味", r"(?:灶|炉子|燃气阀|煤气阀)[^，。,.]{0,4}没关",
        r"闻(?:到|着|见)[^，。,.]{0,6}(?:煤气|燃气|天然气)",
        r"漏(?:了)?(?:煤气|燃气|天然气|液化气)", r"臭鸡蛋味",
    )
    # Gas (or fumes) known only by what it does: a head gone heavy, sick and weak-legged in one
    # room, better out of it.
    + patterns(
        GAS, 1,
        rf"(?:一进|进了?|在)?{_GAS_ROOMS}(?:一进去|一进|进去|那儿|里)?[^，,。.]{{0,12}}{_FUME_SYMPTOMS}",
        rf"{_FUME_SYMPTOMS}[^？?]{{0,80}}(?:出了|离开|一出)(?:厨房|屋|房间|卫生间|浴室)[^。.]{{0,4}}(?:就)?(?:好|缓)",
    )
    + phrases(FIRE, 1, "着火 起火 失火 冒烟 火苗 烧起来 焦糊味 糊味 烧焦 冒火星 火灾 浓烟 爆炸")
    # Smoke of any colour, a socket or cable burnt black, a fire that grows or spreads.
    + phrases(FIRE, 1, "烧黑了 烧化了 着起来 燃起来 越烧越大 火越来越大 火星子 冒火")
    # A burning smell as Beijing callers name it, a plug strip or charger scorching.
    + phrases(FIRE, 1, "胶皮味 烧胶皮 烧塑料 塑料味 烧线的味 电线味 烧焦的味 冒着烟 直冒烟 一股烟")
    + patterns(
        FIRE, 1,
        r"(?:插排|插线板|接线板|拖线板|插座|充电器|电瓶|电池|充电宝)[^。.]{0,10}(?:烫手|发烫|烧了|烧坏|化了|冒烟|着了|冒火)",
    )
    + patterns(
        FIRE, 1, r"冒(?:着)?(?:黑|白|青|浓)烟", r"(?:快|都|要)?烧到(?:旁边|边上|房子|楼|屋|树|柴|车|那边)",
        r"火(?:烧)?得?(?:挺|很|特别|老|这么|那么|越来越|可)大",
    )
    + phrases(TRAPPED, 1, "被困 困在 困住 关在里面 出不来 卡在 卡住了 困人")
    + patterns(
        TRAPPED, 1, r"(?:关|困|锁|卡)在[^，。,.]{0,6}里",
        # a door locked on someone (反锁 alone is also the recogniser's 厕所: 厕所也冲不了)
        r"被反锁|反锁(?:在|着|了门|上了)|(?:门|屋|家|里头|里面)[^，。,.]{0,4}反锁",
        r"被(?:关|困|锁|卡)(?:在)?[^，。,.]{0,6}里",
        r"困了(?:人|[一两三四五六七八九几]个)",
        r"电梯[^。.]{0,12}(?:停|卡)在[^，。,.]{0,8}中间", r"电梯里[^，。,.]{0,4}(?:有人|还有)",
        r"(?:关|困|卡|锁)(?:在)?电梯(?:里|里头|里面|里边)", r"电梯[^。.]{0,10}(?:不上不下|坏在半道|停在半道|停半截)",
        # A lift that stopped with someone still in it ("刚才又停了，我闺女还在里面呢").
        r"电梯[^。.]{0,24}(?:停|坏|卡|不动|不走)[^。.]{0,16}(?:还|正)?在(?:里面|里头|里边)",
    )
    + phrases(FLOOD, 1, "跑水 爆管 水管爆 管子爆 被淹 水淹 水漫 灌进 往下灌 喷水")
    # 哗哗 is water rushing when water or its running is told with it (能不能给划划地方 is heard
    # 给哗哗地方)
    + patterns(FLOOD, 1, r"水[^。.！!？?]{0,8}哗哗|哗哗(?:的|地)?(?:往|流|淌|冒|漏|喷|涌|灌|直)")
    # 淹了 has something flooded before it in its clause ("楼下也淹了"); at a clause's start it is
    # more often another word misheard (养了 as 淹了) than a flood with nothing flooded.
    + patterns(FLOOD, 1, r"(?<=[^，。,.！!？?；;\s])淹了")
    + patterns(
        FLOOD, 1, r"(?:水管|暖气管|管道|管子|水龙头)[^，。,.]{0,4}(?:爆|裂|崩)", r"水[^，。,.]{0,4}往下(?:流|冲|灌)",
    )
    + phrases(MANHOLE, 1, "没有井盖 没井盖 井盖没了 井盖丢了 井盖不见 井盖被偷 井盖缺失 井盖坏了 井盖碎了")
    # 马葫芦 is Beijing for a manhole; a grate or cover gone, a hole left open in the road.
    + patterns(
        MANHOLE, 1, r"(?:马葫芦|井盖儿|雨箅子|箅子|窨井)[^，。,.]{0,8}(?:没|丢|偷|缺|碎|塌|掉|敞|开着|翻)",
        r"(?:没|丢了|少了)[^，。,.]{0,3}(?:井盖|马葫芦盖|箅子)", r"(?:黑|大)窟窿",
    )
    # (a pause after the cover, 井盖儿，丢了…, as callers draw breath)
    + patterns(MANHOLE, 1, r"井盖儿?[，,]?[^，。,.]{0,6}(?:没|丢|偷|缺|碎|塌|掉)")
    # The cover named as people name it (下水道的盖子), or the shaft left open.
    + patterns(
        MANHOLE, 1,
        r"(?:下水道|下水井|窨井|雨水井|污水井|检查井|井口)(?:的)?盖(?:子|板)?[^，。,.]{0,8}(?:没|丢|偷|缺|碎|塌|掉|敞|开着)",
        r"(?:下水道|下水井|窨井|井口)[^，。,.]{0,4}(?:敞着|露着|没盖)",
    )
    + phrases(MISSING, 1, "走丢 走失 跑丢 找不着 不见了 没回来 一直没回 找不到他 找不到她 找不到了 找遍了")
    + phrases(
        VIOLENCE, 1,
        "打人 动手 拿刀 持刀 动刀 砍人 捅人 威胁 打架 斗殴 群殴 抢劫 砸东西 掐我 掐脖子 扬言",
    )
    # A fight as people tell it: started (打起来了), with something swung (抡着酒瓶), blood seen.
    + phrases(VIOLENCE, 1, "打起来 干起来 动起手 打成一团 见血 头破血流 满脸是血 一地血")
    # Someone crying for help inside, a head knocked against a wall.
    + patterns(
        VIOLENCE, 1, r"(?:女的|她|孩子|老人|有人)[^。.，,]{0,6}(?:喊|叫|嚷)救命",
        # whoever it is (the recogniser may lose who: 那女的 heard 那你的), as long as it is not the caller
        r"(?<![我咱])(?:哭着|大声|一直|拼命|使劲)(?:喊|叫|嚷)(?:着)?救命",
        r"(?:拿|把)(?:脑袋|头)(?:往|朝)(?:墙|地)上?(?:撞|磕)",
    )
    + patterns(VIOLENCE, 1, r"抡(?:着|起|起来)")
    # Someone thrown against a wall or to the floor (把我推到墙上, 把她摔在地上).
    + phrases(VIOLENCE, 1, "推搡 推推搡搡")
    + patterns(
        VIOLENCE, 1,
        r"(?:把|将)(?:我|她|他|孩子|老人|人)(?:给)?(?:推|搡|摔|掼|按|摁|撞)(?:到|倒|在)?(?:了)?(?:墙|地|床|门|桌)",
    )
    # 我家 is home: 我家暴… is 我家 and a word of 暴 (暴雨, 暴露), not 家暴.
    + patterns(VIOLENCE, 1, r"(?<![我咱俺])家暴")
    # 打我 is a blow, except when it is a call ("电话就打我现在这个号", "打我手机", "电话您就打我现在
    # 这个就行").
    + patterns(
        VIOLENCE, 1,
        r"(?<!电话)(?<!手机)(?<!电话就)(?<!电话您就)(?<!电话你就)(?<!号码就)(?<!回电就)"
        r"打我(?![^，。,.]{0,5}(?:电话|手机|号|座机))(?!现在|这个|这儿|这里|家里座机)",
    )
    + phrases(
        MEDICAL, 1,
        "摔倒 晕倒 昏迷 叫不醒 不省人事 喘不上气 呼吸困难 胸口疼 心脏病 抽搐 中风 脑梗 吐血 大出血 "
        "没意识 没有意识 没反应 没气了 休克 扶不起来 倒在地上 起不来 心梗",
    )
    + patterns(
        MEDICAL, 1, r"叫(?:他|她|也)?[^，。,.]{0,4}不(?:怎么)?(?:答应|应|醒|理)",
        r"喘(?:气|不)[^，。,.]{0,4}(?:费劲|困难|不上|不过来|不动)", r"(?:上不来|倒不上)气",
    )
    # A weapon in someone's hand, a threat to someone's life.
    + patterns(
        # (not bricks or sticks put round a hole or against a door: 拿俩破砖头围着)
        VIOLENCE, 1,
        r"(?:拿|持|举|抄|拎|提|攥|握|挥|抡|端)(?:着)?(?:一?把|根|块)?[^，。,.]{0,3}(?:刀|棍|棒|斧|砖|锤)"
        r"(?![头子]?(?:围|挡|垫|压|堵|盖|砌|搭|摆|拦))",
        # (not a sum taken off someone: 罚了我一百块 heard 杀了我一百块)
        r"(?:弄死|打死|杀了|砍死|捅死|废了|整死)(?:你|我|他|她|你们|我们)(?![一二三四五六七八九十两几\d百千块钱])",
        # Blows as the one struck tells them (砸我, not 砸我家的玻璃 or 砸我们楼的墙), and things thrown.
        r"(?:砸|踹|揍|扇|抽|踢)(?:了)?我(?![家们的])", r"拿[^，。,.]{0,4}(?:砸|扔|摔)(?:了)?(?:我|他|她|人|孩子)",
        # 把 as a measure word wants its noun: a break the recogniser writes after it ("拿着把菜。刀")
        # is inside the phrase.
        r"(?:拿|持|举|抄|拎|提|攥|握|挥|端)(?:着)?(?:一)?把[^，,？?！!]{0,4}(?:刀|斧)",
        # A threat as reported: "他说我再敢…就弄死我", the verb misheard or left out, or the saying
        # itself (…，我再敢往那儿停就弄死我) with 再 written 在 as often. 气死/冻死我们了 are ways of
        # speaking: a state come about (了), or a word of feeling or weather.
        r"(?:(?:说|扬言|放话|撂下话)[^。.？?]{0,4})?(?:再|在|要是|敢)[^。.？?]{0,14}就(?:要|给)?"
        r"(?!(?:吓|气|烦|累|笑|热|冷|冻|晒|闷|渴|困|饿|急|愁|疼|馋|吵|闹|臭|熏|憋|挤|美|乐|折腾|麻烦)死)"
        r"[^\W\d_]?死(?:我|你|他|她)(?!们?了)",
        # shouting to kill the other one, the verb however it was heard (喊着要捅死对方, 要统死对方)
        r"(?:喊|嚷|叫|骂|说)(?:着|这)?(?:要|非要)(?!(?:吓|气|烦|累|笑|热|冷|冻|晒|闷|渴|困|饿|急|愁|疼|痛|馋|吵|闹|臭|熏|憋)死)"
        r"[^\W\d_]死(?:对方|你|他|她|人家|那人)(?!们?了)",
    )
    + phrases(DISTRESS, 1, "不想活 活不下去 自杀 跳楼 轻生 寻死 一了百了")
    # Not "想死你们了" (missing someone), nor 想咨询一下 as the recogniser may write it (想死行一下):
    # one does X一下 to an action, never to dying.
    + patterns(DISTRESS, 1, r"想死(?![\u4e00-\u9fff]{0,2}(?:一下|依下|以下)|你|您)")
    # 了结 alone is also a matter settled (or 睡不了觉 misheard): one's own life must be what ends.
    + patterns(DISTRESS, 1, r"了结(?:了)?(?:自己|我自己|这条命|生命|此生)")
    + patterns(
        JUMPER, 1,
        # (跳 is also dancing and skipping: 还要跳到九点, 要跳广场舞)
        r"(?:要|想|准备|像是要|像要|打算)(?:往下|从楼上|从桥上)?跳(?:楼|河|桥|下去)?(?![舞绳操到])(?!广场)",
        r"(?:楼顶|天台|房顶|桥上|桥栏杆|窗台|楼顶边|护栏外)[^。.！!？?]{0,16}(?:坐|站|蹲|爬)(?:在)?[^。.]{0,6}(?:边|沿|外头|外边|外面)",
    )
    # A swindle under way: someone posing as the police moving a relative's savings to a "safe
    # account" can still be stopped at the bank.
    + phrases(FRAUD, 1, "安全账户 涉嫌洗钱 冒充公安 冒充警察 冒充民警")
    + patterns(
        FRAUD, 1, r"自称(?:是)?(?:公安|警察|民警|检察院|法院|公检法)",
        r"(?:正在|正往|正要|要去|赶着去|去了)[^。.]{0,6}(?:银行|转账|汇款|取钱)[^。.]{0,20}(?:骗|不听|劝不住|拦)",
        r"(?:骗子|被骗)[^。.]{0,16}(?:正在|还在|马上|这会儿)",
    )
    # A child or a frail person left alone where harm can come to them: locked in a car, alone at
    # home, an old person living alone who has not been seen or answered for days.
    + patterns(
        ALONE, 1,
        r"(?:孩子|小孩|婴儿|宝宝)[^。.！!？?]{0,16}(?:车里|车内|后座|锁在|关在|一个人在家|自己在家|没人管)",
        r"(?:车里|车内|后座)[^。.！!？?]{0,8}(?:孩子|小孩|婴儿|宝宝)",
        r"(?:一个人(?:住|主|注)|独居|孤寡|自己住)[^。.]{0,40}(?:没人应|不应|没动静|没见|没人拿|不接|联系不上)",
        # A small child out over a drop: a window ledge, an air-conditioner bracket, a balcony rail.
        r"(?:孩子|小孩|婴儿|宝宝)[^。.！!？?]{0,24}(?:窗户外|窗外|窗台上|窗台外|空调架|空调外机上|阳台外|护栏外|栏杆外"
        r"|楼顶边|房檐上)",
    )
    + patterns(
        DANGER, 1, r"(?:制氧机|呼吸机|透析机|氧气机)[^。.]{0,12}(?:停|没电|断电|用不了)",
        r"(?:停电|没电|断电)[^。.]{0,20}(?:制氧机|呼吸机|透析机|氧气机)",
        # The machine not named (or not heard), but what it kept going is: the power cut stopped it
        # and someone now struggles for breath.
        r"(?:停电|没电|断电)[^。.]{0,12}(?:机器|设备|仪器)[^。.]{0,6}(?:停|不转|不动|用不了)"
        r"(?=.{0,30}(?:喘|呼吸|吸氧|透析|憋得))",
    )
    + phrases(DANGER, 1, "有危险 救命 救救 快不行了 出人命 砸到人 砸伤 伤着人")
    + phrases(ELECTRIC, 1, "漏电 电线掉 电线断 电线耷拉 电着人 触电 电线杆倒 露着铜丝 露出铜丝 铜丝露 裸露的电线")
    + phrases(ELECTRIC, 1, "麻手 电人 电了一下")
    # A box of electrics touched and someone shocked (手扶了一下那箱子，一下子给麻得嗷嗷叫), its wires
    # left bare (里头的线就那么露着).
    + patterns(
        ELECTRIC, 1,
        rf"{_ELECTRICS}[^。.]{{0,40}}(?:麻得|麻了一下|给麻了|电得|电了一下|给电了|打了一下手)",
        r"(?:里头|里面|里边)的线[^，。,.]{0,6}(?:露|裸|耷拉)",
    )
    # (耷拉 heard as 大拉/搭拉, 露在外 as 路在外)
    + patterns(ELECTRIC, 1, r"(?:电线|线头|电缆)[^，。,.]{0,6}(?:露|路在外|耷拉|大拉|搭拉|垂|掉|裸|搭在地)")
    # Water getting at electrics, sparks, a box of live parts left open.
    + patterns(
        ELECTRIC, 1,
        rf"{_ELECTRICS}[^。.]{{0,10}}(?:进水|泡水|泡在水|淹了|滴水|漏水|渗水|湿了|冒火花|打火|火花|往下滴|往下流|往下淌|滴答|里有水|里全是水)",
        rf"(?:顺着|沿着|流进|渗进|滴进|灌进){_ELECTRICS}",
        rf"(?:进水|漏水|滴水|渗水|水|流)[^。.]{{0,12}}(?:流|漫|滴|渗|灌)(?:到|进|在)[^。.]{{0,6}}{_ELECTRICS}",
        rf"{_ELECTRICS}[^。.]{{0,6}}(?:门)?(?:开着|敞着|没锁|没关)", r"滋滋(?:冒|响)|冒火花|打火花",
    )
    + phrases(GAS, 1, "煤气中毒 一氧化碳")
    + patterns(
        GAS, 1,
        r"(?:一股子?|有股子?|好大的|挺大的|好大一股)[^，。,.]{0,3}味儿?[^。.不没]{0,14}(?:煤气|燃气|天然气|液化气)",
        r"(?:煤气|燃气|天然气|液化气|气罐|灶)[^。.]{0,10}(?:嘶嘶|呲呲|哧哧|丝丝|刺刺)",
        r"(?:嘶嘶|呲呲|哧哧|刺刺)[^。.]{0,10}(?:煤气|燃气|天然气|液化气|气罐)",
        r"(?:燃气|煤气|天然气|液化气)[^。.]{0,12}(?:阀门?|开关|总阀)[^，。,.]{0,4}(?:关不上|关不住|关不严|拧不动)",
        r"(?:燃气|煤气|天然气)(?:的)?(?:管道?|管子|管线)[^，。,.]{0,6}(?:打穿|钻穿|钻破|挖断|挖破|弄破|破了|断了"
        r"|裂了|折了)",
        r"(?:气罐|液化气罐|煤气罐)子?[^，。,.]{0,6}(?:往外冒|冒气|出气)",
        r"(?:火(?:灭|没)了|没火)[^。.]{0,10}(?:出气|冒气|跑气|有气)",
    )
    + phrases(FIRE, 1, "焦味 焦味儿 有火光 火光冲天 有明火 蹿火 窜火 火蹿")
    + patterns(
        FIRE, 1,
        r"(?:电线|线路|电闸|电箱|电表箱|配电箱|电动车|电瓶车|电动自行车|三轮车|汽车|车子|热水器|空调|冰箱)"
        r"[^，。,.]{0,6}(?:烧了|烧起来|(?<![不打点])着了|自燃|着火)",
        r"(?:看见|看到|冒|一片|有)火光",
        r"烟(?:感|雾报警器?|雾报警)[^，。,.]{0,4}(?:响|叫)",
        r"(?:楼道|屋|屋子|屋里|走廊|楼梯|楼梯间|厨房|车库|地下室)[^，。,.]{0,4}(?:都是|全是|好多|好大的?)烟(?!"
        r"[头味民酒花盒灰囱草])",
        r"火(?:着|苗|烧)(?:得|的)(?:挺|很|特别|老|这么|那么|越来越|可|好)?(?:大|高|旺|猛)",
    )
    + phrases(TRAPPED, 1, "困电梯 困里头 困里面 困里边 关里头 压在底下 溜梯")
    + patterns(
        TRAPPED, 1,
        r"(?:我|我们|人|孩子|老人)(?:现在|还)?(?:在|困)电梯里[^。.]{0,12}(?:不动|停|卡|开不开|打不开|出不去|出不来)",
        r"电梯[^。.]{0,10}(?:不动|停了|卡住|坏了)[^。.]{0,10}门(?:也)?(?:开不开|打不开|扒不开)",
        r"电梯[^，。,.]{0,6}(?:往下掉|掉下去|掉下来|蹲底|冲顶|下坠)",
        r"(?:我|人|孩子|老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?|她|他)(?:被"
        r"|把自己)?(?:反)?锁(?:在)?(?:屋|家|房间|厕所|卫生间|阳台)(?:里|里头|里面|里边)(?!的)",
        r"(?:人|我|我们|孩子|老人|他|她)[^，。,.车]{0,6}(?:里面|里头|里边|屋里|楼里)[^，。,.车]{0,2}出不去",
        r"(?:门|锁)[^，。,.]{0,4}(?:打不开|开不开)[^。.]{0,10}(?:人|孩子|老人|我)[^，。,.]{0,4}(?:在里|出不去|出不来)",
    )
    + phrases(FLOOD, 1, "倒灌 返水 冒水 漫进来 灌进来")
    + patterns(
        FLOOD, 1,
        r"水[^，。,.]{0,4}(?:没过|漫过|淹到|淹过|都到|已经到)了?(?:脚脖子|脚面|脚踝|膝盖|大腿|腰|小腿|床)",
        r"(?:屋里|家里|地下室|车库|一楼|楼道|屋子)(?:里|都|全)?(?:进水了|全是水|都是水|灌水了|灌满了)",
        r"(?:水管|管子|暖气|暖气片|水龙头|总阀|水阀|总水阀|上水)[^，。,.]{0,4}(?:崩了|爆了|裂了|呲水|滋水|喷水|冒水"
        r"|往外冒|往外喷|关不上|关不住)",
        r"水[^，。,.]{0,4}(?:往下淌|往外涌)|水[^，。,.]{0,6}往(?:屋|家|楼|车库|地下室)里?(?:灌|涌|漫|流)",
        r"(?:车|人)[^，。,.]{0,4}(?:泡|困|陷)(?:在)?水里",
    )
    + phrases(MANHOLE, 1, "井盖翻了 井盖塌了 井盖歪了 井盖裂了")
    # A road caving in now (hollow underneath, still spreading), not a pothole to be filled.
    + patterns(
        MANHOLE, 1, r"(?:底下|下面|路基)(?:都|全)?(?:掏空|空了|被掏空)",
        r"(?:塌|陷)[^。.]{0,12}(?:还在|越来越)(?:往外|往下)?(?:扩|大|塌|陷)",
    )
    + patterns(
        MANHOLE, 1,
        r"井盖儿?(?![周旁边附四])[^，。,.]{0,3}(?:翻|翘|歪|裂|陷|错位)|井盖[^。.]{0,10}(?:翘起来|翻起来|翻过来"
        r"|立起来)",
        r"(?:人|孩子|小孩|老人|老太太|老爷子|大爷|大妈|一个|有人|腿|脚)[^，。,.]{0,4}(?:掉|摔|跌|栽|踩)(?:进|到|下)?"
        r"(?:了)?(?:井|下水道|窨井|马葫芦|井口)里",
    )
    + phrases(MISSING, 1, "没影了 没影儿了 迷路了 走迷了 满世界找 没到家")
    + patterns(
        MISSING, 1,
        r"(?:老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?|孩子|小孩儿?|宝宝|婴儿)"
        r"(?:给|让人|被人)?(?:弄|抱|拐)?丢了(?=[，。,.！!？?；;\s啊呀呢吧]|$)",
        r"(?:让人|被人)(?:给)?(?:抱走|拐走|拐跑|领走)了?",
        r"(?:老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?|孩子|小孩儿?|宝宝|婴儿"
        r"|人就|人也|人一直)[^，。,.]{0,8}(?:联系不上|找不见|下落不明|不知去向)",
        r"(?:到现在|一宿|一夜|一天|好几个小时)(?:都|也|还)?联系不上",
        r"不知道(?:跑|上|去)哪(?:儿)?(?:去)?了",
        r"(?:到现在|一宿|一夜|一晚上|一整天|两天|好几天|至今|到这会儿)(?:都|也|还)?(?:没|没有)(?:回家|到家|回来)",
    )
    + phrases(VIOLENCE, 1, "动刀子 往死里打 追着打 追着砍 拳打脚踢 扇了我 扇我 踹我 踹了我 揍我 揍人 踹门 砸门 抢包")
    + phrases(VIOLENCE, 1, "跟踪我 行凶")
    + patterns(
        VIOLENCE, 1,
        r"被(?:一帮|一群|几个|好几个)?人?围着(?:打|揍|踹|砍)",
        r"(?:拿|抄|抡|举|拎)(?:着|起)?(?:个|一个)?(?:酒瓶|啤酒瓶|瓶子|椅子|板凳|凳子|铁锹|钢管|扳手)[^，。,.]{0,6}"
        r"(?:砸|打|抡|追|冲|往)",
        r"堵(?:着|在)?(?:我家|家)?门口?[^，。,.]{0,6}(?:骂|要打|砸|踹|闹事|威胁|要钱)",
        r"要(?:砍|杀|捅|弄死|打死|揍)(?:我|人|他|她)",
        r"(?:被|让|叫)(?:人|他|她|他们|一帮人|几个人|好几个人|那男的|那个男的|老公|男人|邻居)?(?:给)?(?:打|揍|砍|捅"
        r"|踹|扎)(?:了|伤|破|得|成)(?![^，。,.]{0,3}(?:针|卡|回|折|印|电话|包|分))"
        # (a flat 打成 rooms is partitioned: 叫人给打成了十来个小隔间)
        r"(?![^，。,.]{0,8}(?:隔间|隔断|单间|小间|格子|间房))",
    )
    + phrases(MEDICAL, 1, "倒地不起 口吐白沫 嘴歪眼斜 嘴歪了 不喘气 没呼吸 没心跳 背过气 血止不住 止不住血 流了好多血")
    + phrases(MEDICAL, 1, "血流不止 站不起来 噎住了 噎着了 摔断了 撞人了 半边身子 心口疼 高烧不退")
    + patterns(
        MEDICAL, 1,
        r"(?:人|他|她|老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?|孩子|小孩儿?"
        r"|宝宝|婴儿|男的|女的|师傅|邻居|婆婆|公公|老公|媳妇|丈夫|妻子)[^，。,.把]{0,6}(?:倒|躺|栽|摔|瘫)(?:在)?地上",
        r"嘴(?:都|也)?歪了|(?:躺|倒|瘫)(?:在)?地上[^。.]{0,4}(?:说不出话|叫不醒|起不来|不能动|动不了)",
        r"(?<![快要都])(?:晕|昏|抽|背)过(?:去|气)了?",
        r"(?:突然|一下子|忽然)[^，。,.]{0,4}(?:说不出话|说不了话|不会说话|说话不清|说不清)",
        r"(?:人|他|她|老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?|孩子|小孩儿?"
        r"|宝宝|婴儿|男的|女的|师傅|邻居)[^，。,.]{0,4}(?:没气儿?了|没呼吸了|不喘气了)",
        r"(?:憋|噎|呛|喘不上气)[^，。,.]{0,4}(?:脸|嘴唇)(?:都|发)?(?:紫|青)",
        r"(?:脸|嘴唇)(?:都|也)?(?:发)?(?:紫|青)了?[^。.]{0,8}(?:喘|噎|抽|叫不|没反应|不动)",
        # Someone found lying on the ground who does not answer.
        r"(?:地上|路边|门口|后头|楼道里?)[^。.]{0,6}躺着(?:个|一个)人",
        r"叫(?:他|她)[^，。,.]{0,3}不(?:吭声|吱声|言语|答应|动弹)",
        r"(?:被|让|叫)(?:车|汽车|电动车|三轮|车子|出租车)(?:给)?(?:撞|剐|轧|碾)",
        r"(?:腿|胳膊|骨头|腰)(?:给|都)?(?:摔|砸|撞|压)断了",
        r"(?:安眠药|药)[^，。,.]{0,4}吃多了|吃了一(?:整)?瓶",
    )
    + phrases(DISTRESS, 1, "活着没意思 一了百了 死了算了 不活了 活够了 跳河 割腕 喝农药 不如死了 活着没劲")
    + patterns(
        DISTRESS, 1,
        # Life said to have lost its point, with words between ("活着真没什么意思了", "活着也没啥盼头").
        r"活(?:着|下去)[^，。,.？?]{0,3}没(?:什么|啥|多大|一点)?(?:意思|意义|劲|盼头|奔头|指望)",
        # (没法活了 is also a noise complaint's way of speaking; no face left to live is not)
        r"没脸(?:再)?活",
        r"上吊(?![柜顶灯])",
        r"(?:桥|楼顶|楼上|天台|窗户|阳台|房顶)[^。.]{0,30}(?:往下跳|跳下去|要跳|想跳)(?![绳舞远高])",
        # Where they stand said as "here" ("我就从这儿跳下去"): the caller is up there now.
        r"从(?:这儿|这里|这|楼上|楼顶|上面|上头|桥上|窗户|阳台|天台)(?:往下)?跳(?:下去|下来)(?![绳舞远高])",
        r"我(?:真的|实在|是)?(?:撑|熬|扛)不下去",
    )
    + phrases(DANGER, 1, "冰溜子 摇摇欲坠 快救人 来救人 砸着人")
    + patterns(
        DANGER, 1,
        r"(?:空调外机|外机|广告牌|牌匾|招牌|玻璃|花盆|冰溜子|吊顶|天花板|脚手架|窗户|窗框)[^。.]{0,8}(?:要掉|快掉"
        r"|晃悠|晃荡|晃得|(?:往下掉|掉下来|砸下来)(?![渣灰皮]))",
        r"(?:大树|树|电线杆|塔吊|围挡|房顶|屋顶|顶棚|阳台|棚子)[^。.]{0,8}(?:要倒|快倒|要塌|塌了|塌下来|晃悠|晃荡"
        r"|晃得)",
        # (a corner scraped off a wall is no wall coming down: 蹭塌了一小块儿)
        r"(?:围墙|院墙|墙)(?![皮面上])[^，。,.]{0,3}(?:塌(?!了?一?(?:小块|点|角|个角|块皮))|倒了|要倒|歪了)",
        r"(?:要|快|就要)砸(?:到|着|在)",
        r"(?:人|孩子|小孩|老人|有人|一个)[^，。,.]{0,6}(?:掉|落|栽|摔)(?:进|到)?(?:河|湖|水|冰窟窿)里",
    )
    + phrases(ELECTRIC, 1, "被电打 电打了 过电 露着铜线 露出铜线 麻酥酥")
    # Not 要带点儿啥 as the recogniser may write it (要带电啥): something live is said to be so.
    + patterns(ELECTRIC, 1, r"(?<![要得该需多])带电(?![啥什吗么儿的])")
    + patterns(
        ELECTRIC, 1,
        r"(?:一摸|一碰|摸着|碰着|摸了|碰了)[^，。,.]{0,6}(?:麻(?!烦)|电一下|过电|电手|电人)",
        r"(?:门|把手|水龙头|栏杆|铁门|护栏|防盗门|热水器|洗衣机|冰箱|路灯杆|灯杆|外壳)[^，。,.]{0,4}(?:带电|有电(?!"
        r"[动梯视脑话费瓶车源线箱表])|电人|电手|麻手)",
        r"高压线[^，。,.]{0,6}(?:断|掉|耷拉|垂|落地|刮)",
        r"(?:电线|电缆|线头|高压线|电源线)[^，。,.]{0,6}(?:泡|浸|在水)",
        r"水里(?:好像|可能)?(?:有电|带电|电人)",
        r"电线(?:的)?皮[^，。,.]{0,3}(?:破|烂|掉|没了|裂)|铜线露",
        r"电(?:了|着)我",
    )
    + patterns(
        ALONE, 1,
        r"(?:孩子|小孩儿?|宝宝|婴儿)[^。.把]{0,10}(?:反锁|锁)(?:在)?(?:家|屋|房间)里",
        r"(?:老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?)[^。.]{0,10}(?:好几天"
        r"|几天|两天|三天|一整天|一天|一宿)[^。.]{0,8}(?:没动静|没露面|没出门|没下楼|没见人|没开门|没人应|联系不上"
        r"|电话不接|不接电话)",
        r"(?:大人|家长|父母)[^。.]{0,6}(?:不在家|没在家|出去了|都走了)[^。.]{0,10}(?:孩子|小孩儿?|宝宝|婴儿)",
        r"(?:孩子|小孩儿?|宝宝|婴儿)[^。.]{0,12}(?:没大人|一个大人都没有|大人不在|没人看着)",
        # told at length in one sentence: the child, what it is doing, then that no grown-up is there
        r"(?:孩子|小孩儿?|宝宝|婴儿)[^。.]{0,40}(?:一个大人都没有|一个大人也没有|家里没大人|大人都不在)",
        r"(?:老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?)(?:一个人|自己)在家"
        r"[^。.]{0,12}(?:不接|打不通|联系不上|没动静|没人应)",
        r"(?:孩子|小孩儿?|宝宝|婴儿)[^。.]{0,8}(?:爬|站|趴|坐)(?:到|在)?(?:窗台外|窗户外|阳台外|护栏外|窗外)",
        r"(?:老人|老太太|老爷子|老头儿?|老太|大爷|大妈|我妈|我爸|奶奶|爷爷|姥姥|姥爷|老伴儿?)[^。.]{0,8}(?:瘫|躺|卧)"
        r"[^。.]{0,12}(?:没人管|没人照顾|没人理)",
    )
    + phrases(FRAUD, 1, "不让挂电话 屏幕共享 共享屏幕 逮捕令 通缉令")
    + patterns(
        FRAUD, 1,
        r"(?:说是|自称|冒充|假装|装成)[^。.]{0,10}(?:公安|警察|民警|派出所|检察|法院|银行|客服|医保|社保|领导|理赔"
        r"|退款)[^。.]{0,30}(?:转账|转钱|打钱|汇款|取钱|验证码|冻结|解冻|屏幕|下载|存款)",
        r"(?:说是|自称|冒充|假装|电话里说|打电话说)[^。.]{0,4}(?:孙子|孙女|儿子|闺女|女儿|外孙)[^。.]{0,12}(?:交钱"
        r"|打钱|转钱|汇款|转账|保证金|赔钱)",
        r"(?:拦不住|劝不住|不听劝|怎么劝都)[^。.]{0,10}(?:转账|转钱|打钱|汇款|取钱)",
        r"不让(?:她|他|我)?告诉(?:家里|家人|别人|子女|孩子)",
        r"(?:让|叫)(?:他|她|我|老人|我妈|我爸)?(?:报|说|念|告诉)[^，。,.]{0,3}验证码",
    )
)
# What the patterns above look for, as words the recogniser is asked to listen for on the audio
# (voice/asr/respelling.py): a danger written as homophones (传气而都飞进 for 喘气儿都费劲) is
# only found once the audio has been heard again for it.
_DANGER_WORDS = (
    "喘气 费劲 制氧机 呼吸机 透析机 氧气机 煤气 燃气 天然气 液化气 电线 线头 电缆 耷拉 井盖 水管 暖气管 "
    "菜刀 铁棍 孩子 小孩 宝宝 独居 没人应"
)


def danger_words() -> set[str]:
    """Every word of danger this module looks for, to listen for on the audio."""
    return {cue.phrase for cue in DANGER_CUES if cue.phrase} | set(_DANGER_WORDS.split())


# Each kind of danger told in the words a responsibility catalogue files it under, and how much
# that weighs beside the caller's account (a clear account is 1). A danger the seat heard says what
# the order is about even where the problem's own words were misheard (拿着把菜刀 heard as 拿着把牌。
# 还刀 is still a fight); the caller's other words (老公, 老人) choose among the kind's topics. A
# fight or a missing person is what the police unit is sent for, whatever it grew out of (a parking
# quarrel); a fall or a gas smell may be part of another problem (a lift, a kitchen).
KIND_AS_TOPIC = {
    VIOLENCE: ("动手打人，持刀威胁", 1.0),
    MISSING: ("有人走失，找不到了", 1.0),
    GAS: ("燃气泄漏", 0.5),
    MEDICAL: ("有人倒地不起", 0.5),
    FIRE: ("着火了", 0.5),
    # A cover gone is what the order is about, whatever the road round it looks like.
    MANHOLE: ("井盖丢了", 1.5),
}
