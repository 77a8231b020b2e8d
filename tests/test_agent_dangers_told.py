"""Dangers as callers tell them, and as the recogniser writes them: what is urgent now, what goes to
110 or to a person, and what only sounds like a danger (a worry, the past, a likeness, a decoy). The
sentences are written for these tests, not taken from the dev corpora."""

from __future__ import annotations

import pytest
from seat_calls import play


@pytest.mark.parametrize(
    ("text", "urgent", "police"),
    [
        # denied, a worry, the past: not now
        ("我不是说现在漏气了，就想问问，万一闻到煤气味儿该先干啥？", False, False),
        ("家里老人总忘关煤气，有什么办法防止漏气吗？", False, False),  # prevention, not a leak
        ("楼道里堆的东西太多了，上回有家冒烟，消防车都进不来。", False, False),
        # a threat holds whenever it was made
        ("前天晚上他拎着根铁棍在门口堵我，说我再敢报警就打死我。", True, True),
        # a child left in a parked car
        ("路边停了辆车，后座上有个小孩儿在哭，车门锁着，周围也没大人。", True, True),
        # an old person living alone, not seen for days
        ("对门是个独居的老爷子，这三天敲门都没人应，屋里也没动静。", True, False),
        # bare wires where people walk
        ("小区门口那个配电箱门掉了，电线都露在外面，孩子们天天从那儿过。", True, False),
        # a missing person who is not one: the contractor cannot be found
        ("包工头欠了我们三万块钱，电话不接，人也找不着了，家里老人还等着钱看病。", False, False),
        # a fight as people tell it: started, something swung, blood seen
        ("我们楼下那个大排档吵得不行，这会儿更邪乎了，两拨人干起来了，有人抡着凳子，地上都见血了。", True, True),
        # someone living alone with no sign of life, the clues spread over a long turn
        ("隔壁王奶奶一个人过，孩子都在外地。平常早上都去遛弯，今天一天没见她出来。"
         "我敲门敲了好久，里面一点动静都没有。", True, False),
        # smoke of a colour, a fire that spreads
        ("楼下车棚里有个电瓶车在充电，电池那块儿直冒黑烟，还噼里啪啦响。", True, False),
        ("有人在我们楼后边烧垃圾，火越烧越大，都快烧到旁边的柴火垛了。", True, False),
        # a manhole cover named as people name it
        ("我想反映一下我们这条街的路灯不亮的事，还有个下水道的盖子不知道被谁偷了，敞着口呢。", True, False),
        # water at the electrics, a box of live parts left open
        ("地下室进水了，水都漫到配电箱那儿了，我怕一会儿漏电。", True, False),
        ("我们家卫生间顶上往下滴水，正好滴在灯上，灯泡那块儿都进水了。", True, False),
        ("我家楼下的变压器箱子门开着，里面嗡嗡响，小孩老在边上玩。", True, False),
        # in Beijing words: a 马葫芦 cover gone, a plug strip hot and smelling of burnt rubber, a lift
        # stuck between floors with a child in it, water dripping through a ceiling lamp
        ("我们胡同口那个马葫芦盖儿让人给偷了，黑窟窿一个，晚上根本看不见。", True, False),
        ("楼道里那个插排插了好几个电瓶在充，插排都烫手了，一股胶皮味。", True, False),
        ("孩子一个人被困电梯里了，电梯不上不下的。", True, False),
        ("卫生间漏水，顺着吊灯往下滴答，灯都不敢开。", True, False),
        # no power for a machine someone breathes with
        ("我们这片停电了，我家老人在家用呼吸机。", True, False),
        # a lift that stopped with someone still in it
        ("电梯老出毛病，物业光收钱不修，刚才又停了，我闺女还在里面呢。", True, False),
        # a lift out of service, and a fire long ago: not now
        ("我们楼电梯停运一个礼拜了，老人上下楼太不方便了。", False, False),
        ("去年我们楼有户人家着火了，到现在楼道里的灭火器也没人换。", False, False),
        # a likeness, and a trapping told of the past: not now
        ("电梯坏了一个多礼拜了，我爸住十二楼下不去，就跟被困在家里一样。"
         "上回隔壁单元有人被困在里面，困了俩钟头才出来。", False, False),
    ],
)
def test_danger_as_callers_tell_it(knowledge, text, urgent, police):
    outcome = play(knowledge, text).outcome()
    assert (outcome.urgent, outcome.police) == (urgent, police)


def test_a_worry_misheard_is_still_a_worry(knowledge):
    # 万一 heard as 万以: a question about what to do, not a gas leak now
    outcome = play(knowledge, "我就是想问问，万以哪天家里有煤气味儿了，头一步该干什么？").outcome()
    assert not outcome.urgent


def test_someone_shut_in_a_lift_is_trapped(knowledge):
    outcome = play(knowledge, "我爸被关电梯里了，电梯停在半道门打不开，他心脏还不好。").outcome()
    assert outcome.urgent and outcome.category == "求助"


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("楼上的老爷子一个人主，这两天敲门都不应，也没见他出来。", True),  # 住 heard as 主
        ("路边那根电线杆子底下，线头就大拉在地上，孩子们天天从那儿过。", True),  # 耷拉 heard as 大拉
        # 养了 heard as 淹了: nothing flooded before it
        ("对门那户人家，淹了两条大狗，天天半夜叫，吵得人睡不着。", False),
        ("下了一夜雨，我们地下室全淹了。", True),
        # 我家 is home, whatever follows it
        ("我家暴雨天老是漏水，想问问找谁修。", False),
        ("我老公喝多了就家暴我，我现在躲在邻居家。", True),
    ],
)
def test_danger_as_heard(knowledge, text, urgent):
    assert play(knowledge, text).outcome().urgent == urgent


def test_call_me_on_this_number_is_no_blow(knowledge):
    seat = play(knowledge, "我们楼电梯坏了一个多礼拜了，物业说等配件。", "我姓耿，耿女士，电话就打我现在这个号。")
    assert not seat.outcome().urgent
    assert play(knowledge, "我老公喝多了又打我，我现在躲在邻居家。").outcome().police


def test_words_of_danger_written_as_homophones_are_listened_for_again(knowledge):
    # 喘气儿都费劲 decoded as 传气而都飞进: the respelling is asked to hear the audio for them
    heard = knowledge.misspellings.find("我爸现在传气而都飞进，你们快来人。")
    assert {"喘气", "费劲"} <= {m.term for m in heard}
    seat = play(knowledge, "我爸现在喘气而都费劲，你们快来人。")
    assert seat.outcome().urgent


def test_a_danger_told_of_in_a_complaint_keeps_it_a_complaint(knowledge):
    seat = play(knowledge, "你好，我们小区东门那一排路灯坏了半个多月了，晚上黑咕隆咚的。",
                 "还有个配电箱的门掉了，里面的电线都露在外面，小孩放学都从那儿过，我看着都害怕。")
    outcome = seat.outcome()
    assert outcome.category == "投诉" and outcome.urgent


def test_a_child_shut_in_a_car_goes_to_a_person(knowledge):
    seat = play(knowledge, "快来人啊，商场门口停的车里锁着个小孩，哭得脸都红了，旁边一个大人都没有，我们能砸玻璃吗？")
    outcome = seat.outcome()
    assert outcome.urgent and outcome.police
    assert (outcome.route, outcome.handoff_reason) == ("handoff", "child_in_danger")


def test_a_boss_who_has_run_off_is_no_missing_person(knowledge):
    # 老板 sounds like 老伴; only a vulnerable person named in so many words makes a search urgent.
    outcome = play(knowledge, "健身房关门了，老板也找不着了，我卡里还有三千多块钱呢，能要回来吗？").finish()
    assert not outcome.urgent and not outcome.police
    outcome = play(knowledge, "我老伴早上出去买菜，到现在都没回来，哪儿都找不着了。").finish()
    assert outcome.urgent and outcome.police


def test_a_smell_of_rotten_eggs_on_the_stairs_is_a_gas_leak(knowledge):
    outcome = play(knowledge, "你好，我们这个单元一进门就是一股子臭鸡蛋似的味儿，不知道谁家灶台没关。").finish()
    assert outcome.urgent and outcome.category == "求助"
    assert outcome.work_order is not None and outcome.work_order.topic == "燃气异味"


def test_praise_that_tells_of_a_burst_pipe_days_ago_raises_no_alarm(knowledge):
    outcome = play(
        knowledge,
        "你好，我是想表扬一下供水公司的师傅们。",
        "上礼拜三半夜，我们楼门口的水管子冻裂了，他们几个人干了一宿，早上就给修好了。",
    ).finish()
    assert outcome.category == "表扬" and not outcome.urgent


@pytest.mark.parametrize("said", [
    "楼下饭馆的电动三轮车在门口充电，刚才电瓶那儿着起来了，火苗子老高。",
    "我婆婆在卫生间滑了一跤，现在躺地上说不出话，嘴都歪了。",
    "电梯门打不开，我和孩子困在里头快半个钟头了。",
    "他们几个在楼下拿着钢管往一个小伙子身上招呼，那人都不动了。",
    # a machine someone lives on, not named, stopped by a power cut
    "我们楼断电一上午了，我妈那台机器一断电就用不了，她这会儿憋得慌，喘不匀。",
])
def test_a_danger_now_told_in_everyday_words_is_urgent(knowledge, said):
    assert play(knowledge, said).finish().urgent


@pytest.mark.parametrize("said", [
    "辅路上塌了个坑，脸盆那么大，下雨就看不见，你们给补补吧。",  # a pothole: a repair, not a rescue
    "楼下烧烤店那烟顺着楼道往上窜，熏得我们家没法开窗。",  # cooking smoke, not a fire
    "去年我们楼里有户人家厨房着过火，现在楼道里还堆满了杂物。",
])
def test_trouble_that_is_no_danger_now_raises_no_alarm(knowledge, said):
    assert not play(knowledge, said).finish().urgent


def test_an_old_man_who_forgets_and_has_gone_is_a_missing_person(knowledge):
    outcome = play(
        knowledge, "我们家老头子记性差得很，连家门都认不全了，早上一出门人就没影儿了，到现在还没回来。"
    ).finish()
    assert outcome.urgent and outcome.police and outcome.work_order.topic == "老人走失"


def test_a_child_out_on_a_window_ledge_goes_to_a_person_with_110(knowledge):
    outcome = play(knowledge, "快来人啊，对面楼五层一个小孩儿爬到窗户外边的空调架上了，家里好像没大人！").finish()
    assert outcome.urgent and outcome.police and outcome.route == "handoff"


def test_a_gang_with_iron_bars_is_a_fight_not_a_fallen_tree(knowledge):
    outcome = play(knowledge, "外头一帮人拿着铁棍追着一个人打，还在砸我们店的玻璃！").finish()
    assert outcome.urgent and outcome.police and outcome.work_order.topic == "打架斗殴"


def test_junk_burnt_on_purpose_every_evening_is_a_report_not_a_fire(knowledge):
    outcome = play(
        knowledge,
        "我举报，村口空地上有个收破烂的天天傍晚把泡沫板旧沙发堆一块儿点了，"
        "一烧就是好几个钟头，塑料味儿熏死人。",
    ).finish()
    assert not outcome.urgent and outcome.category == "举报" and outcome.work_order.topic == "露天焚烧"


@pytest.mark.parametrize("said, kind", [
    ("喂，我爸刚来电话说有个自称是检察院的人让他把存款转到安全账户，他现在正往银行去呢，我拦不住。", "fraud"),
    ("喂，对面商场楼顶上有个小伙子坐在边儿上，腿都耷拉在外头了，看着像是要往下跳，我在丰台区方庄这边。", "jumper"),
])
def test_a_danger_a_person_must_handle_now_goes_to_one_with_110(knowledge, said, kind):
    seat = play(knowledge, said)
    outcome = seat.finish()
    assert outcome.urgent and outcome.police and outcome.route == "handoff"
    assert kind in seat.safety_advice_given()


def test_a_caller_up_high_about_to_jump_gets_a_person_and_110(knowledge):
    # Said with "here", and well after where they stand; made to depend on money, still a danger now.
    for said in (
        "我在桥上呢，这日子没法过了，你们谁也别劝我，我马上就从这儿跳下去。",
        "我现在就在我们单位楼顶上，老板要是今天还不把钱结了，你信不信我从上头跳下去！",
    ):
        outcome = play(knowledge, said).finish()
        assert outcome.urgent and outcome.police and outcome.route == "handoff", said


def test_a_manhole_cover_gone_is_urgent(knowledge):
    outcome = play(knowledge, "我们胡同口那个井盖儿，叫人给偷了好几天了，晚上根本看不见。").finish()
    assert outcome.urgent


def test_whoever_owes_the_caller_money_is_no_missing_person(knowledge):
    # The child is in the story; the one who cannot be found is the business that took the money.
    outcome = play(
        knowledge, "我给孩子在一个舞蹈班交了八千块钱，现在说关门就关门了，我要退费都找不着人。"
    ).finish()
    assert not outcome.police and not outcome.urgent


def test_a_battery_smoking_now_is_a_fire_whatever_was_said_about_every_night(knowledge):
    outcome = play(
        knowledge,
        "我反映个事儿，楼里送快递的天天把电动车推楼道里充电，一充一整夜。",
        "哎哟你等会儿，楼道里一股烧塑料的味儿，三楼那辆车的电池那儿冒烟了！",
    ).finish()
    assert outcome.urgent


@pytest.mark.parametrize("said", [
    "垃圾站后头地上躺着个人，是个老头儿，我叫他他不吭声，嘴唇都发紫了。",  # someone lying there, not answering
    "那段路面往下塌了一大块，底下都掏空了，还在往外扩，刚才一辆车差点栽进去。",  # a road caving in now
    "楼上女的在喊救命，砰砰的，像是拿脑袋往墙上撞。",  # a cry for help behind a wall
])
def test_dangers_told_late_in_other_words_are_urgent(knowledge, said):
    assert play(knowledge, "我反映个事儿。", said).finish().urgent


def test_a_child_left_on_a_bus_and_shouting_passengers_raise_no_alarm(knowledge):
    outcome = play(
        knowledge,
        "我投诉公交司机，孩子刚上去我还没上，他就关门开走了，孩子一个人在车里头直哭，后来车上的乘客嚷嚷起来他才停下。",
    ).finish()
    assert not outcome.urgent and not outcome.police


def test_a_danger_word_heard_inside_a_can_i_question_is_no_danger(knowledge):
    # 拿到 heard as 拿刀: "can I get the new card that day?" tells of no knife
    outcome = play(knowledge, "社保卡丢了怎么补？", "我去银行补的话，当天能拿刀新卡吗？要不要交钱？").finish()
    assert not outcome.urgent and not outcome.police and outcome.kb_article == "kb-002"



@pytest.mark.parametrize(
    "text",
    [
        # a sentence break the recogniser wrote inside "拿着把菜刀"
        "我们那层有个邻居跟我吵了好几回，这会儿他拿着把菜。刀在楼道里堵着我家门。",
        # a threat reported, its verb misheard (弄死 as 梦死)
        "他跟我说我再敢往楼道里放东西，就梦死我。",
        "他扬言要是我再报警就整死我。",
        # the threat quoted without its verb, 再 written 在
        "楼下那人为车位的事儿冲我喊，我在敢占他的位，就农死我。",
        # shouting to kill the other one, 捅死 heard 统死 and 喊着 heard 喊这
        "公园门口俩人为了车位吵起来了，一个拎着酒瓶子，喊这要统死对方。",
    ],
)
def test_a_weapon_or_a_threat_told_in_broken_words_is_violence(knowledge, text):
    outcome = play(knowledge, text).outcome()
    assert outcome.urgent and outcome.police


@pytest.mark.parametrize(
    "text",
    [
        "楼上天天半夜剁饺子馅，我说再这么下去就烦死我了。",  # a way of speaking
        "我跟物业说再不修暖气就冻死我们了。",
        "我在这屋里待着，一到夏天就热死我了。",
        "我在家等了一上午，修理工就是不来，急死我。",
        "他拿着把钥匙把单元门打开了。",  # 把 as a preposition, no weapon
    ],
)
def test_threats_of_speech_and_keys_in_hand_are_no_violence(knowledge, text):
    outcome = play(knowledge, text).outcome()
    assert not outcome.urgent and not outcome.police


def test_a_threat_heard_files_a_fight_though_its_words_were_misheard(knowledge):
    # The fight's own words are lost (菜刀 heard as 牌。还刀, 弄死 as 梦死); the danger says what it is.
    seat = play(
        knowledge, "我要投诉我们单元一个邻居，为停车跟我吵，昨天拿着把牌。还刀在楼道里堵我，说我再停那儿就梦死我。",
        "朝阳区安贞街道，安贞里三区十三号楼。",
    )
    assert seat.outcome().topic == "打架斗殴"


def test_the_grown_up_gone_from_a_child_left_in_a_car_is_no_missing_person(knowledge):
    seat = play(
        knowledge, "小区门口违停了一辆车，后座上躺着个小孩儿，车都熄火了，外头三十多度，大人也不知道上哪儿去了。"
    )
    outcome = seat.outcome()
    assert outcome.urgent and outcome.police
    assert outcome.topic != "老人走失" and "missing" not in seat.safety_advice_given()


@pytest.mark.parametrize(
    "turns",
    [
        # "call me on this one" said every way but with 电话 after it
        ("我想表扬一下社区的李大夫，上礼拜给我们家老太太上门打针。", "电话您就打我现在这个就行。"),
        ("楼下小饭馆天天半夜炒菜，油烟全进我家了。", "名字不留了，电话打我这个就行。"),
        # a fight last night in Beijing words, over and done with; the complaint is the lamp
        ("昨儿后半夜楼底下俩醉汉干起来了，派出所来人带走了，现在早没事儿了。",
         "我要说的是我们这条胡同的路灯坏了俩礼拜了。"),
        # a worry asked about, the cue in the clause after the worry word
        ("我就想问问，要是哪天半夜回家，一开门闻见屋里有燃气味儿，头一件事该干嘛？",),
        # the harm denied with a bare 没; a corner scraped off a wall
        ("大风把胡同口那棵树刮倒了，横在道上，没砸着人，就是把院墙蹭塌了一小块儿。",),
        # a place's name the recogniser spelt as a danger word (桃园小区, 杀虎路口 …)
        ("我们小区的路灯坏了一个多月了。", "在通州区永顺镇，揍人小区六号楼前头，电话一会儿说。"),
        ("垃圾站好几天没人清了，臭得不行。", "就在砸门路口往北一百米。"),
        # a power cut that stopped a machine, and nobody short of breath
        ("我们这片儿停电了，家里的机器都停了，也没个通知，什么时候来电啊？",),
    ],
)
def test_calls_and_past_fights_and_worries_in_other_words_raise_no_alarm(knowledge, turns):
    outcome = play(knowledge, *turns).outcome()
    assert not outcome.urgent and not outcome.police


def test_a_danger_word_before_a_place_is_still_a_danger_when_it_ends_its_clause(knowledge):
    outcome = play(knowledge, "楼下有个男的喝多了在揍人，小区保安也不管，你们快来人吧。").outcome()
    assert outcome.urgent and outcome.police


def test_a_caller_hiding_from_violence_told_over_two_turns_gets_a_person(knowledge):
    seat = play(
        knowledge,
        "我把自个儿锁卧室里了，他喝多了在外头拿椅子砸门。",
        "他刚才隔着门说今天谁也别想好好出去……我好害怕。",
    )
    outcome = seat.finish()
    assert outcome.route == "handoff" and outcome.urgent and outcome.police


def test_a_blade_gripped_and_waved_is_violence(knowledge):
    outcome = play(knowledge, "那主儿这会儿手里攥着把菜刀在楼道里来回比划，嘴里还骂骂咧咧的。").outcome()
    assert outcome.urgent and outcome.police


@pytest.mark.parametrize(
    "turns",
    [
        ("我也说不清怎么回事，我们家厨房一进去脑袋就发晕，还犯恶心。",),
        ("我爸在灶台边上站了一会儿就说腿软，差点坐地上。", "灶没开啊，可出了厨房就好多了。"),
    ],
)
def test_gas_known_only_by_what_it_does_is_urgent(knowledge, turns):
    assert play(knowledge, *turns).outcome().urgent


@pytest.mark.parametrize("text", ["厨房的下水道堵了，那味儿我恶心得不行。", "感冒了头疼想吐，出去透透气就好了。"])
def test_sickness_that_is_no_fumes_raises_no_alarm(knowledge, text):
    assert not play(knowledge, text).outcome().urgent


def test_calling_someone_is_no_blow_and_a_street_named_for_a_tree_is_no_tree(knowledge):
    seat = play(
        knowledge,
        "我对门的老太太一个人住，三天没见着了，敲门没人应，打她手机在屋里响没人接。",
        "西城区椿树街道，琉璃厂西街那边的老楼。",
    )
    outcome = seat.outcome()
    assert outcome.urgent and not outcome.police
    assert outcome.topic not in ("家庭暴力", "树木倒伏")


@pytest.mark.parametrize("said", [
    # 跳 as dancing: a square-dance group that goes on till late
    "小区广场上那帮大妈天天跳舞，音箱开得老大，说是要跳到十点才散。",
    # bricks put round a hole to warn people, not swung at anyone
    "人行道上那块地砖塌了个洞，物业就拿几块砖头挡着，也没人来修。",
    # 过电 across 打过 and 电话: a call made, not a shock
    "楼道灯坏了一个月了，我给物业打过电话，他们说没配件。",
    # a fire told of on the news, and one only imagined ("if it really caught")
    "楼下那个小饭馆把煤气罐搁在门口，前阵子电视上老播饭馆爆炸的事儿，我们能不担心吗？",
    "地下车库堆满了纸箱子，真着起来，我们这些住户往哪儿跑？",
])
def test_words_that_only_look_like_a_danger_raise_no_alarm(knowledge, said):
    outcome = play(knowledge, said).finish()
    assert not outcome.urgent and not outcome.police


def test_a_blow_told_by_the_one_struck_is_violence_with_a_person_and_110(knowledge):
    outcome = play(knowledge, "我男朋友喝多了，刚才抄起遥控器就砸我，我现在锁在卧室里不敢出去。").finish()
    assert outcome.urgent and outcome.police and outcome.route == "handoff"


def test_a_smell_asked_about_and_then_smelt_now_becomes_an_urgent_order(knowledge):
    seat = play(knowledge, "想问一下，要是家里闻着有燃气味儿，头一件事该干嘛？")
    assert seat.outcome().route == "answer" and not seat.outcome().urgent
    reply = seat.turn("你这么一说，我这会儿在厨房还真闻到一股味儿，能派人来看看吗？")
    outcome = seat.outcome()
    assert outcome.urgent and outcome.category == "求助" and reply.action != "answer"


@pytest.mark.parametrize("said", [
    "我就上了一趟五环，杀了我两百块钱，扣了三分，这限行到底几点到几点？",  # 罚 heard 杀: a fine
    "隔壁工地天天半夜打桩，吵得我们全家根本睡不了，这事儿得有个了结。",  # a matter to be settled
])
def test_a_fine_or_a_matter_settled_is_no_threat_to_life(knowledge, said):
    outcome = play(knowledge, said).finish()
    assert not outcome.urgent and not outcome.police


def test_ending_ones_own_life_is_still_distress(knowledge):
    outcome = play(knowledge, "我真的撑不住了，今天晚上就想了结自己。").finish()
    assert outcome.urgent and outcome.route == "handoff"


def test_a_smell_asked_about_and_smelt_now_counts_as_the_recogniser_writes_it(knowledge):
    # 闻 heard 文 and 煤气味 heard 没气味, as Whisper base writes them on a phone line
    seat = play(knowledge, "我打听一下，要是家里头文着一股没气味儿，应该先干什么？")
    seat.turn("我这会儿文着还真有点儿，就在灶台那边，你们能派人来吗？")
    assert seat.outcome().urgent


def test_a_smell_after_a_question_about_the_gas_bill_is_no_leak(knowledge):
    seat = play(knowledge, "想问一下燃气费在哪儿交？")
    seat.turn("哦对了，我现在闻着楼道里有点儿糊味儿，应该是谁家做饭呢。")
    assert not seat.outcome().urgent


@pytest.mark.parametrize("said", [
    "我这阵子老是睡不着，孩子也不管我，我觉得活着也没啥盼头了，我现在一个人在河边上坐着。",
    "生意赔光了，老婆也走了，我就觉着这么活着真是没一点意思。",
])
def test_life_said_to_have_lost_its_point_is_distress_for_a_person(knowledge, said):
    outcome = play(knowledge, said).finish()
    assert outcome.urgent and outcome.route == "handoff"


def test_a_fire_said_to_be_really_burning_is_still_a_fire(knowledge):
    assert play(knowledge, "快来人，楼下垃圾堆真烧起来了，火苗子蹿得老高！").finish().urgent


def test_a_smell_of_rotten_eggs_is_filed_as_gas_whatever_else_was_told(knowledge):
    seat = play(knowledge, "我刚出门扔垃圾，单元门口那块儿一股子臭鸡蛋味儿，闻得我直犯恶心，你们赶紧找人来看看吧。")
    assert seat.outcome().urgent and seat.outcome().topic == "燃气异味"


def test_a_household_fighting_again_is_domestic_violence(knowledge):
    seat = play(knowledge, "隔壁他们家又打起来了，那男的喝了酒就砸，孩子哭得不行。")
    assert seat.outcome().topic == "家庭暴力" and seat.outcome().police


@pytest.mark.parametrize(("said", "urgent"), [
    ("楼上漏水漏到我们家卫生间了，反锁也冲不了，天天一股味儿。", False),  # 厕所 heard 反锁
    ("我家老人把自己反锁在屋里了，敲门一直不应。", True),
    # a fire only imagined as "this" catching, and one that has caught
    ("楼道里堆满了旧家具，这烧起来，我们往哪儿跑？", False),
    ("这着火了怎么办啊，楼道里全是烟！", True),
])
def test_a_locked_door_or_a_fire_is_a_danger_only_when_it_is_one(knowledge, said, urgent):
    assert play(knowledge, said).finish().urgent is urgent


@pytest.mark.parametrize(("said", "urgent"), [
    # 划划 heard 哗哗: a suggestion to mark out a place, no water in it
    ("我建议公园里能不能给哗哗地方，让遛狗的都去那一块儿。", False),
    ("卫生间顶上哗哗地往下淌水，接都接不过来。", True),
])
def test_water_rushing_is_a_flood_only_with_water_or_its_running(knowledge, said, urgent):
    assert play(knowledge, said).finish().urgent is urgent


def test_a_bystander_who_dare_not_step_in_reports_a_fight_for_an_order(knowledge):
    # Watching from across the street, afraid to go nearer: not the one in danger, so the order is
    # taken (urgent, with 110) rather than the caller handed to a person; named a report, it stays one.
    outcome = play(
        knowledge,
        "我举报个事儿，烧烤摊那边两伙人打起来了，有人拿着板凳砸人，我离得远，不敢过去。",
    ).finish()
    assert outcome.urgent and outcome.police
    assert (outcome.category, outcome.route) == ("举报", "ticket")


@pytest.mark.parametrize("said", [
    "你好，我想死行一下，公积金贷款要交哪些材料？",  # 想咨询一下 as the recogniser may write it
    "我孙子上大学走了，想死你们这些小家伙了。",
    "办居住证要带电啥呀？",  # 要带点儿啥
])
def test_words_that_only_sound_like_a_danger_raise_no_alarm(knowledge, said):
    outcome = play(knowledge, said).finish()
    assert not outcome.urgent and outcome.handoff_reason != "distress", said


def test_smoke_that_seems_to_come_from_a_charger_is_a_fire(knowledge):
    # 好像是 hedges what is seen; it likens nothing to it.
    outcome = play(knowledge, "楼道里停了好几辆电动车，好像是谁家的充电气冒烟了，呛得慌。").finish()
    assert outcome.urgent


@pytest.mark.parametrize("said", [
    "小区门口的便道让摆摊的占满了，我推着婴儿车根本过不去，都没人管管吗？",
    "超市门口的儿童推车坏了好几个，扔在那儿也没人管。",
])
def test_a_pram_in_the_way_is_no_child_alone(knowledge, said):
    outcome = play(knowledge, said).outcome()
    assert (outcome.urgent, outcome.police) == (False, False)


def test_a_pram_with_a_child_left_in_it_is_one(knowledge):
    outcome = play(knowledge, "商场门口有辆婴儿车，里面的宝宝哭了半天了，一个大人都没有。").outcome()
    assert outcome.urgent


def test_cooking_smoke_through_the_window_is_a_nuisance_not_a_fire(knowledge):
    outcome = play(knowledge, "对面饭馆的排烟口正对着我家卧室，一炒菜屋里全是烟，呛得孩子直咳嗽。").finish()
    assert not outcome.urgent and outcome.category == "投诉"


def test_a_kitchen_vent_on_fire_is_still_a_fire(knowledge):
    outcome = play(knowledge, "楼下饭馆的烟道着火了，火苗子都窜出来了，满楼道都是烟！").outcome()
    assert outcome.urgent


def test_someone_crying_for_help_next_door_goes_to_110_though_who_was_misheard(knowledge):
    # 那女的 heard 那你的: who cries is lost, that someone does is not
    outcome = play(knowledge, "这会儿隔壁屋里乒乒乓乓的，那你的一直哭着喊救命。").outcome()
    assert outcome.urgent and outcome.police


def test_the_caller_who_shouted_for_help_once_is_telling_the_past(knowledge):
    outcome = play(knowledge, "上礼拜我被困电梯里，我大声喊救命喊了半天才有人来，你们管不管电梯维保？").outcome()
    assert not outcome.police


def test_a_small_child_alone_told_at_length_is_a_child_alone(knowledge):
    outcome = play(knowledge, "我们对门有个小孩儿，看着也就三岁，一个人在楼道里来回跑着哭，"
                              "门还敞着，家里好像一个大人都没有。").outcome()
    assert outcome.urgent


def test_a_partner_who_lays_hands_on_the_caller_is_violence_for_110(knowledge):
    # 就跟 here says with whom, not like what; a body thrown at a wall is a blow.
    for said in (
        "我对象一喝多了就跟我动手，我现在躲到楼下邻居家了。",
        "他刚才把我摔在地上，还拽着我头发，我好不容易才跑出来。",
    ):
        outcome = play(knowledge, said).finish()
        assert outcome.urgent and outcome.police, said


def test_a_caller_who_keeps_away_from_a_threat_gets_an_order_with_110_not_a_transfer(knowledge):
    outcome = play(
        knowledge,
        "我前夫这两天老在我们单位门口转悠，还发短信说要弄死我，我现在下班都不敢回家。",
        "朝阳区望京街道，望京西园三区。我姓韩，韩女士，电话一三九一一二二三三四四。",
    ).finish()
    assert outcome.police and outcome.route == "ticket"


def test_an_illness_someone_has_is_no_emergency_of_its_own(knowledge):
    # A lift with a woman in it is urgent; her having a heart condition sends nobody to 120.
    outcome = play(
        knowledge, "我奶奶被关在电梯里了，电梯停在五楼和六楼中间，她本来就有心脏病，我们正在想办法。"
    ).finish()
    assert outcome.urgent and outcome.route != "handoff"
    assert play(knowledge, "我爸心脏病犯了，捂着胸口说不出话。").finish().route == "handoff"


def test_a_missing_cover_files_under_the_cover_not_the_road(knowledge):
    outcome = play(
        knowledge,
        "你好，我们村口那条路，路面本来就坑坑洼洼的，前天连路中间那个井盖也没了，剩个大坑，车一过就颠。"
        "昌平区回龙观镇，龙禧苑东边的路口。",
    ).finish()
    assert outcome.urgent and outcome.work_order is not None and outcome.work_order.topic == "井盖缺失"


@pytest.mark.parametrize("said", [
    "那套两居室让人给打成了六个小单间，往外租给好多人住。",  # a flat partitioned, no blow
    "我们家孩子的学生证找不着了，学校说要补办，上哪儿办去？",  # a child's card lost, not the child
    "我在工地让钢管砸伤了腿，包工头就给了两千块医药费就不管了，这个能找谁？",  # an injury seen to
    "这趟公交老不准点，害得我上班天天持刀，你们管不管？",  # 迟到 as the recogniser may write it
    "前天我们胡同口的井盖丢了，昨天市政就给盖上了，我就是想表扬一下。",  # gone then, mended since
])
def test_trouble_that_only_sounds_like_danger_raises_no_alarm(knowledge, said):
    outcome = play(knowledge, said).finish()
    assert not outcome.urgent and not outcome.police, said


def test_a_bystander_watching_a_fight_from_above_gives_the_order_with_110(knowledge):
    outcome = play(
        knowledge,
        "楼下夜市两拨人打起来了，有人抄起板凳往人身上砸，我在三楼窗户边看着，不敢下去。",
        "朝阳区望京街道，望京西园三区门口。我姓韩，电话一三九一一二二三三四四。",
    ).finish()
    assert outcome.urgent and outcome.police and outcome.route == "ticket"


def test_a_child_shocked_by_an_open_box_of_electrics_is_urgent(knowledge):
    outcome = play(
        knowledge, "我们楼道那个配电箱的门坏了好久没人修，今天我孙子路过摸了一下，给电得直哭，手都红了。"
    ).finish()
    assert outcome.urgent


def test_thanks_for_a_repair_after_a_danger_is_praise(knowledge):
    outcome = play(
        knowledge,
        "喂，我不是来告状的啊，就想谢谢热力公司。我们楼的暖气管前天夜里崩了，水冒得跟喷泉似的，地下室全泡了。",
    ).finish()
    assert outcome.category == "表扬" and not outcome.urgent
