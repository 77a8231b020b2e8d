"""How callers describe the problems in the responsibility catalogue.

Each concept is one thing a caller may mention, with the ways Beijing callers say it. Catalogue
entries are described by the concepts found in their topic name and keywords, callers' words by
the concepts found in what they said; overlapping topics are told apart by the concepts only one
of them has (烧烤 + 吵 is noise, 烧烤 + 呛 is smoke; 漏水 drips for weeks, 跑水 floods now).

Concepts marked ~ are modifiers: they say how or when (晚上, 吵, 坏了, 一股味), not what, so they
only count for an entry when one of its subject concepts was said too (晚上 alone is no 施工).
Surfaces are matched as substrings, longest first, so single characters are kept rare.
Format: "name: surface surface …", continued on indented lines.
"""

from __future__ import annotations

_TABLE = """
~噪音: 噪音 噪声 吵 太吵 吵闹 吵得 吵死 声音大 声音特别大 动静大 动静 轰隆 嗡嗡 震得 睡不着觉
    睡不着 没法睡 休息不了
~扰民: 扰民 影响休息 影响生活
~夜间: 夜间 晚上 夜里 半夜 深夜 凌晨 后半夜 大半夜 通宵 十点以后 十一点 十二点 一两点 两三点
施工: 施工 工地 打桩 搅拌 挖掘机 挖机 塔吊 吊车 浇筑 混凝土 水泥罐车 机器声 施工队 建筑工地
装修: 装修 电钻 冲击钻 砸墙 电锯 敲敲打打 叮叮当当 打孔 切割 装修队 拆墙
广场舞: 广场舞 跳舞 跳操 大妈跳 舞曲 健身操
商业经营: 饭馆 饭店 餐馆 餐厅 小饭馆 酒吧 ktv 歌厅 门口摆桌 大喇叭 喇叭 叫卖 店铺 商铺 商户 超市 门店
    喝酒划拳 划拳 音响 放音乐 外放
烧烤: 烧烤 烤串 撸串 串店 烤肉 大排档 夜宵
油烟: 油烟 烟味 呛 熏 排烟 排风 烟道 油烟机 炒菜味 一股油味 油味 熏得 冒烟
交通噪音: 鸣笛 按喇叭 摩托车炸街 炸街 改装车
空调外机: 空调外机 外机 风机 冷却塔
占道: 摆摊 小摊 地摊 占道 游商 流动摊贩 早点摊 小商贩 商贩 出摊 占用人行道
~人行道: 人行道 便道 盲道
违停: 违停 乱停 乱停车 违章停车 停车 堵门口 挡道 堵路 停在路边 堵着
消防通道: 消防通道 消防车道 生命通道 安全通道 消防车进不来
违建: 违建 违章建筑 违法建设 私搭乱建 加盖 彩钢板 搭棚子 盖房子 扩建 阳光房 楼顶 盖了一层 私自搭建 圈地
小广告: 小广告 野广告 乱贴 乱涂 喷涂 牛皮癣
渣土: 渣土车 渣土 遗撒 撒了一路 拉土车
~扬尘: 扬尘 尘土 灰尘 土太大 没苫盖 没有覆盖 黄土
堆物: 楼道堆物 堆杂物 堆放杂物 楼道里堆 占用楼道
物业: 物业 物业公司 物业费 保安 保洁 楼道灯 不作为 物业不管 管家
供暖: 暖气 供暖 供热 室温 暖气片 冰凉 太冷 冻得 冻死 不热 温度低 采暖
停水: 停水 没水 断水 水压低 水压 水很小 水龙头没水
水质: 水质 水发黄 黄水 自来水 浑浊 有异味的水 水有味
停电: 停电 没电 断电 跳闸 电闸
水管: 水管 管子 暖气管 上水管 自来水管 阀门 管道 供水管
~爆裂: 爆管 爆了 爆裂 裂了 崩了 破了 炸了 裂开
跑水: 跑水 淹了 水漫 往下流水 往下流 哗哗 喷水 冒水 一地水 水流到 水都流 泡了
漏水: 漏水 渗水 滴水 洇水 漏雨 墙皮 发霉 返潮 天花板 顶棚 房顶漏 卫生间漏 楼上漏 水渍
电梯: 电梯 直梯 扶梯 轿厢
~困人: 困人 被困 困住 困在 关在里面 卡住 卡在 出不来 关里面
~停运: 停运 停用 不能用 没法用 用不了 不运行 等配件 一直没修 好几天 没修好 爬楼
~故障: 故障 坏了 出故障 毛病 不好使
燃气: 燃气 煤气 天然气 液化气 漏气 燃气味 煤气味 气罐
~异味: 异味 味道 怪味 臭鸡蛋味 闻到 气味 一股味
群租: 群租 隔断 二房东 打隔断 上下铺 床位 隔成 住了十几个人 住好多人
电动车: 电动车 电瓶车 电动自行车 电动摩托
~充电: 充电 飞线 插线板 拉线 私拉电线 电线
~楼道: 楼道 楼梯间 走廊 单元门口 楼里
拆迁: 拆迁 腾退 征地 宅基地 安置房 拆我家
~补偿: 补偿 补偿款 赔偿款
停车管理: 地锁 车位 停车费 停车场 停车位 车位费 乱收费停车
租赁: 押金 不退押金 房东 租房合同
老人: 老人 老爷子 老太太 我爸 我妈 父亲 母亲 爷爷 奶奶 姥姥 姥爷 老伴 老人家
走失: 走失 走丢 丢了 找不到 找不着 没回来 没回家 不见了 出门没回
痴呆: 痴呆 老年痴呆 糊涂 认不得路 记性不好 阿尔茨海默
家暴: 家暴 家庭暴力 打我 打老婆 打媳妇 被打 老公打 丈夫打 动手打 不敢回家 砸东西 喝多了
打架: 打架 斗殴 打起来 打群架 互殴 动刀 持刀 拿刀 拿着刀 威胁 动手了
急救: 晕倒 昏迷 叫不醒 摔倒 喘不上气 心脏病 抽搐 不省人事 流血 急救 120 不动了 突发
火情: 着火 失火 起火 冒烟了 火灾 烧起来
欠薪: 欠薪 拖欠 工资 工钱 不发工资 包工头 血汗钱 农民工 讨薪 不给钱
预付卡: 预付卡 会员卡 健身卡 储值卡 充值 办卡 美容卡 理发卡 游泳卡 卡里还有 年卡 季卡 次卡 月卡 办了卡
    办的卡 储值 预存 充了钱
~跑路: 跑路 关门 倒闭 人去楼空 联系不上老板 找不到老板 卷钱 联系不上
~退费: 退费 退钱 不退 退款 退不了
培训: 培训班 培训机构 辅导班 课时费 退课 补习班 早教 课外班 校外培训
食品: 食品 过期 变质 吃坏 拉肚子 黑作坊 熟食 不干净 苍蝇 吃出 食物中毒 不卫生 卫生条件差 卫生差
行医: 诊所 黑诊所 无证 行医 输液 打针 游医 行医资格 没资质
排污: 排污 污水 偷排 黑水 臭水 河沟 河道 直排 排到河里
焚烧: 焚烧 烧垃圾 烧东西 烧树叶 烧秸秆 黑烟 烧电线 露天烧
垃圾: 垃圾 垃圾站 垃圾桶 垃圾箱 清运 满溢 堆成山 没人清 没人收
~臭味: 臭 臭味 臭气 熏人
道路: 路面 马路 大坑 坑洼 坑坑洼洼 塌陷 破损 裂缝 路坏了 道路 沥青
路灯: 路灯 灯不亮 黑灯瞎火 不亮 太黑
井盖: 井盖 窨井 下水井 没盖 井口 掉下去 窟窿
养犬: 狗 犬 狗叫 遛狗 大狗 狗屎 不拴绳 咬人 被狗咬 烈性犬 大型犬 宠物
出租车: 出租车 的哥 打车 出租司机 计价器 绕路 拒载 多收钱 不打表
黑车: 黑车 拉活 揽客 非法营运 趴活 摩的
共享单车: 共享单车 单车 小黄车 哈啰 青桔 美团单车
公交: 公交 公交车 公车 到站不停 甩站 不停站 车长 公交司机
地铁: 地铁 地铁站 站务
医疗: 医院 医生 大夫 护士 挂号 号贩子
~服务态度: 态度 态度差 骂人 不耐烦 甩脸子
树木: 大树 树枝 树倒 树木 树干 老树 倒了 折了 断枝 歪了 砸
绿化: 修剪 挡光 挡阳光 毁绿 绿地 草坪
下水道: 下水道 下水 反水 返水 冒污水 堵了 化粪池 马桶 堵塞
积水: 积水 水淹 路面积水 雨水 排水
救助: 低保 生活困难 救助 没钱吃饭 揭不开锅 吃不上饭 活不下去 困难
公厕: 公厕 厕所 公共厕所
诈骗: 诈骗 骗子 被骗 传销 非法集资 骗钱
教育: 学校 老师 幼儿园 学费 乱收费 补课
快递: 快递 快递员 包裹 丢件
中介: 中介 黑中介 房产中介
"""


def _parse(table: str) -> tuple[dict[str, str], set[str]]:
    surfaces: dict[str, str] = {}
    modifiers: set[str] = set()
    concept = ""
    for line in table.strip().splitlines():
        if not line.startswith(" "):
            name, _, line = line.partition(":")
            concept = name.lstrip("~")
            if name.startswith("~"):
                modifiers.add(concept)
        for surface in line.lower().split():
            surfaces[surface] = concept
    return surfaces, modifiers


# surface → concept ("煤气味" → "燃气"), and the concepts that are modifiers
SURFACES, MODIFIERS = _parse(_TABLE)
