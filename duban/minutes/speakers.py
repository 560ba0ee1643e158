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


def find_speakers(text):
    """Return {name: title} for title+name and name+title mentions."""
    found = {}
    for m in re.finditer(rf"({TITLE_RX})([\u4e00-\u9fff]{{2,3}})", text):
        name = m.group(2)
        if name[0] in NAME_FIRST_BAD:
            continue
        if (
            len(name) == 3
            and name[2] in STOP_AFTER
            and not re.search(re.escape(name) + rf"(?:{SPEECH}|主持|[，、。])", text)
        ):
            name = name[:2]
        if re.match(TITLE_RX, name) or name[1] in STOP_AFTER:
            continue
        found.setdefault(name, m.group(1))
    for m in re.finditer(
        rf"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{{2,3}})({TITLE_RX})(?:主持|讲到|指出|强调|要求|在)", text
    ):
        name = m.group(1)
        if name[0] not in NAME_FIRST_BAD:
            found.setdefault(name, m.group(2))
    return found


def speaker_before(text, pos, speakers, window=400):
    """The speaker most recently named as saying something before `pos`."""
    start = max(0, pos - window)
    chunk = text[start:pos]
    best, best_at = None, -1
    for name, title in speakers.items():
        for alias in {name, name[0] + title[-2:], name[0] + title}:
            for m in re.finditer(re.escape(alias), chunk):
                if m.start() > best_at:
                    best, best_at = name, m.start()
    if best is None:
        for m in re.finditer(rf"(?:^|[，。；\n])(他|她)({SPEECH})", chunk):
            # pronoun: the last named speaker before this window
            return speaker_before(text, start + m.start(), speakers, window)
    return best
