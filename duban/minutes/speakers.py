"""Speakers and their titles."""

import re

TITLES = [
    "校党委常务副书记",
    "党委常务副书记",
    "常务副书记",
    "校党委书记",
    "党委书记",
    "党委副书记",
    "机关党委副书记",
    "机关党委书记",
    "纪委副书记",
    "纪委书记",
    "副校长",
    "校长",
    "副院长",
    "院长",
    "副局长",
    "局长",
    "副厅长",
    "厅长",
    "副主任",
    "主任",
    "副处长",
    "处长",
    "副部长",
    "部长",
    "副书记",
    "书记",
    "总经理",
    "董事长",
    "主席",
]
TITLE_RX = "|".join(sorted(TITLES, key=len, reverse=True))
STOP_AFTER = set("主出指强要提作在、，。,就逐对表讲代带同等和及与的为到是先分")
NAME_FIRST_BAD = set("在对的了和与及等为作出要是主任员长记部处委会")
SPEECH = "指出|强调|要求|提出|表示|讲到|说|希望|部署|总结"
# Common surnames (a small shipped dictionary): a "name" after a title must start with one.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔汤向常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯"
    "纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪"
    "简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎"
    "甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝"
    "区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸"
    "雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣"
    "信展阴昝智幸奉植衡富尧闭由于"
)
COMPOUND_SURNAMES = set(
    "欧阳 司马 上官 诸葛 东方 皇甫 慕容 令狐 夏侯 尉迟 公孙 长孙 宇文 司徒 端木 "  # noqa: SIM905
    "独孤 南宫 西门 轩辕 呼延 申屠 澹台 公冶 太史 钟离 闻人 濮阳 淳于 赫连".split()
)
# Surnames that are also everyday words after a title (书记高度重视, 校长向大会…): such a name must
# be seen followed by speech, a comma or 主持/出席/讲话 somewhere in the text.
WEAK_SURNAMES = set("于向全时常应和由原那明来都国平成安文万海华强云信展计相门初乐南花权位满区元利干但智富居支巴井高党")
CONTEXT_AFTER = rf"(?:{SPEECH}|主持|出席|讲话|同志|[，、。])"


def _surname_len(name):
    if name[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if name[0] in SURNAMES else 0


def _plausible(name, text):
    """A person's name: known surname, not a run of words; weak surnames need a speech context."""
    n = _surname_len(name)
    if not n or len(name) <= n:
        return False
    if name[0] in WEAK_SURNAMES and n == 1:
        return re.search(re.escape(name) + CONTEXT_AFTER, text) is not None
    return True


def find_speakers(text):
    """Return {name: title} for title+name and name+title mentions."""
    found = {}
    for m in re.finditer(rf"({TITLE_RX})([\u4e00-\u9fff]{{2,4}})", text):
        name = m.group(2)
        if name[0] in NAME_FIRST_BAD:
            continue
        longest = 2 + _surname_len(name) if _surname_len(name) == 2 else 3
        name = name[:longest]
        if (
            len(name) == longest
            and name[-1] in STOP_AFTER
            and not re.search(re.escape(name) + rf"(?:{SPEECH}|主持|[，、。])", text)
        ):
            name = name[:-1]
        given = name[_surname_len(name) or 1 :]
        if re.match(TITLE_RX, name) or not given or given[0] in STOP_AFTER or not _plausible(name, text):
            continue
        found.setdefault(name, m.group(1))
    for m in re.finditer(
        rf"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{{2,4}})({TITLE_RX})(?:主持|讲到|指出|强调|要求|在)", text
    ):
        name = m.group(1)
        if name[0] not in NAME_FIRST_BAD and _plausible(name, text):
            found.setdefault(name, m.group(2))
    return found


# The meeting itself (or a notice) lays down the points: 会议要求/会议议定事项如下/现将有关事项通知如下.
COLLECTIVE_VOICE = re.compile(r"会议(?:议定|决定|要求|强调|指出|明确|认为|提出|研究|部署)|通知如下|(?:事项|意见)如下")


def speaker_before(text, pos, speakers, window=400):
    """The speaker most recently named as saying something before `pos` (None for the meeting's voice)."""
    start = max(0, pos - window)
    chunk = text[start:pos]
    best, best_at = None, -1
    for name, title in speakers.items():
        surname = name[: _surname_len(name) or 1]
        for alias in {name, surname + title[-2:], surname + title}:
            for m in re.finditer(re.escape(alias), chunk):
                if m.start() > best_at:
                    best, best_at = name, m.start()
    voice = [m.start() for m in COLLECTIVE_VOICE.finditer(chunk)]
    if voice and voice[-1] > best_at:
        return None
    if best is None:
        for m in re.finditer(rf"(?:^|[，。；\n])(他|她)({SPEECH})", chunk):
            # pronoun: the last named speaker before this window
            return speaker_before(text, start + m.start(), speakers, window)
    return best
