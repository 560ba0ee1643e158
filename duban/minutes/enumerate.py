"""Requirement lists: 一要/一是, 第一, （一）, 一、, 首先/其次/最后, 1. / 1、 / 1） / （1）, ①, ⑴,
and runs of sentences that each open with 要 after a speaker's 强调/要求 (no numbering at all)."""

import re
from dataclasses import dataclass

from .dates import cn_int

CN = "一二三四五六七八九十"
BEFORE = r"(?:(?<=^)|(?<=[\n。；：！？，:;]))"
STYLES = {
    "yao": re.compile(BEFORE + rf"([{CN}]{{1,2}})(?:是要|要|是)"),
    "di": re.compile(BEFORE + rf"第([{CN}]{{1,2}})(?:[，、,：:]|条|点|项)"),
    "paren": re.compile(rf"[（(]([{CN}]{{1,2}})[）)]"),
    "dun": re.compile(BEFORE + rf"([{CN}]{{1,2}})、"),
    "num": re.compile(BEFORE + r"(\d{1,2})[.．、](?!\d)"),
    "pnum": re.compile(r"[（(](\d{1,2})[）)]"),
    "rnum": re.compile(BEFORE + r"(\d{1,2})[）)]"),
    "circ": re.compile(r"([\u2460-\u2473])"),  # ①…⑳
    "pcirc": re.compile(r"([\u2474-\u2487])"),  # ⑴…⒇
    "seq": re.compile(BEFORE + r"(首先|其次|再次|第三|最后)[，,、：:]?"),
}
CIRCLED_BASE = {"circ": 0x2460, "pcirc": 0x2474}
SEQ_ORDER = {"首先": 1, "其次": 2, "再次": 3, "第三": 3, "最后": 99}
REPORT = re.compile(r"汇报了?|介绍了|通报了|报告了|总结了|取得了|认为|成效|成绩|亮点|进展情况")
# An item that states what was achieved (figures, 已/累计/同比) rather than what must be done.
ACHIEVED = re.compile(
    r"\d+(?:\.\d+)?(?:项|篇|次|个|人|名|家|门|场|万元|亿元|%|个百分点)|已|累计|同比|首次|取得了|实现了|完成了"
)
OBLIGATION = re.compile(r"要|必须|务必|确保|应当|需|不得|严禁")
# Paragraphs that close a speech or a notice, or sign it: a heading list's last item ends before them.
SPEAKS = re.compile(r"(?:强调|指出|要求|提出|部署|表示)[，,：:]")
CLOSING = re.compile(r"^(?:同志们|特此通知|希望|让我们|以上|附件|会上|会议|出席|列席|记录|抄送|主送)")
DIRECTIVE = re.compile(r"要求|强调|提出|意见|措施|部署|指出|希望|如下|以下|讲到|做到|必须|要")


@dataclass
class Point:
    start: int  # marker start
    body: int  # after the marker
    end: int
    headline: str
    text: str
    lead: str = ""
    chain: int = 0


def _markers(text):
    out = {}
    for style, rx in STYLES.items():
        lst = []
        for m in rx.finditer(text):
            g = m.group(1)
            if style == "seq":
                n = SEQ_ORDER[g]
            elif style in CIRCLED_BASE:
                n = ord(g) - CIRCLED_BASE[style] + 1
            else:
                n = cn_int(g)
            if not n:
                continue
            end = m.end()
            if style == "yao":
                # 一要… / 一是要…: the modal 要 belongs to the requirement's clause, not to the marker
                end = m.end(1) + (1 if text[m.end(1)] == "是" else 0)
            lst.append((m.start(), end, n))
        out[style] = lst
    return out


def _chains(markers, text):
    chains = []
    for style, lst in markers.items():
        used = set()
        for i, (s, e, n) in enumerate(lst):
            if n != 1 or i in used:
                continue
            chain = [(s, e)]
            expect = 2
            last = s
            for j in range(i + 1, len(lst)):
                s2, e2, n2 = lst[j]
                if s2 - last > 2500:
                    break
                if n2 == 1 and style != "seq":
                    break  # a new list of the same style starts: this one has ended
                if n2 == expect or (style == "seq" and n2 == 99 and expect >= 2):
                    chain.append((s2, e2))
                    used.add(j)
                    last = s2
                    if n2 == 99:
                        break
                    expect += 1
            if len(chain) >= 2:
                chains.append((style, chain))
    return chains


def _para_end(text, pos):
    k = text.find("\n", pos)
    return len(text) if k < 0 else k


def _headline(body):
    m = re.search(r"[。；;！？\n]", body)
    h = body[: m.start()] if m else body
    return h.strip("，,：: ")


def _last_end(text, chain):
    """Where the last item of a chain ends.

    Inside a paragraph: at the paragraph's end. When the earlier items are headings followed by
    paragraphs of their own, the last one also takes the paragraphs after its heading, as many as
    the longest earlier item, stopping at a closing formula or a signature line.
    """
    end = _para_end(text, chain[-1][1])
    spans = [text[a:b].strip().count("\n") for (a, _), (b, _) in zip(chain, chain[1:], strict=False)]
    extra = max(spans, default=0)
    while extra > 0 and end < len(text):
        nxt = _para_end(text, end + 1)
        para = text[end + 1 : nxt]
        if not para or CLOSING.match(para) or para[-1] not in "。！？；”" or SPEAKS.search(para):
            break  # a closing, a signature, or someone else speaking
        end, extra = nxt, extra - 1
    return end


def _is_report(lead, pts):
    """A list of achievements or someone's progress report, not of requirements."""
    if REPORT.search(lead[-40:]) and not DIRECTIVE.search(lead[-40:].replace("要", "")):
        return True
    achieved = sum(1 for p in pts if ACHIEVED.search(p.text))
    return achieved * 2 >= len(pts) and not any(OBLIGATION.search(p.text) for p in pts)


def _points(text, chain):
    pts = []
    last_end = _last_end(text, chain)
    for k, (s, e) in enumerate(chain):
        end = chain[k + 1][0] if k + 1 < len(chain) else last_end
        body = text[e:end].strip()
        body = re.sub(r"[；;]$", "。", body)
        pts.append(Point(s, e, end, _headline(body), body))
    return pts


def find_requirements(text):
    """Top-level requirement points, in order of appearance."""
    chains = []
    for _style, chain in _chains(_markers(text), text):
        lead = text[max(0, chain[0][0] - 80) : chain[0][0]]
        lead = lead.split("\n")[-1] if "\n" in lead and len(lead.split("\n")[-1]) > 6 else lead
        pts = _points(text, chain)
        if _is_report(lead, pts):
            continue
        for p in pts:
            p.chain = chain[0][0]
        chains.append(pts)
    # drop chains nested inside an item of another chain
    top = []
    for c in chains:
        nested = any(o is not c and any(p.body <= c[0].start and c[-1].start < p.end for p in o) for o in chains)
        if not nested:
            top.append(c)
    top = _group_lead_paragraphs(text, top)
    pts = sorted((p for c in top for p in c), key=lambda p: p.start)
    # drop overlapping duplicates (two styles on the same spot)
    out = []
    for p in pts:
        if out and p.start < out[-1].end and p.start >= out[-1].start:
            continue
        out.append(p)
    # Unnumbered runs only when nothing is numbered: after a numbered list they are its elaboration.
    return out or _implicit_lists(text)


SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")


def _implicit_lists(text):
    """Unnumbered lists: 'X强调，A要…。要…。要…。' — sentences opening with 要, at least three in a row
    counting the one right after the speaker's verb (when it says 要 too). Used only for texts with
    no numbered list: after one, such sentences elaborate on its points."""
    out = []
    pos = 0
    for para in text.split("\n"):
        base, pos = pos, pos + len(para) + 1
        verb = SPEAKS.search(para)
        if not verb:
            continue
        sentences = [(base + m.start(), base + m.end()) for m in SENTENCE.finditer(para, verb.end())]
        run = []
        for k, (a, b) in enumerate(sentences):
            sent = text[a:b]
            opens = sent.startswith("要") or (k == 0 and "要" in sent)
            if opens:
                run.append((a, b))
                continue
            if len(run) >= 3:
                break
            run = []
        if len(run) < 3:
            continue
        for a, b in run:
            body = text[a:b].strip()
            body = re.sub(r"[；;]$", "。", body)
            out.append(Point(a, a, b, _headline(body), body, chain=run[0][0]))
    return out


LEAD = re.compile(r"^([\u4e00-\u9fff]{2,4})(强调|指出|要求|提出)[，,：:]([^。！\n]{4,40})[。！：:]")


def _group_lead_paragraphs(text, chains):
    """Paragraphs 'X强调，<point>。一要…二要…' in a row: each paragraph is one top-level point."""
    paras = []
    pos = 0
    for line in text.split("\n"):
        paras.append((pos, pos + len(line), line))
        pos += len(line) + 1
    leads = []
    for s, e, line in paras:
        m = LEAD.match(line)
        if m and any(s <= c[0].start < e for c in chains):
            leads.append((s, e, m))
    if len(leads) < 2:
        return chains
    kept = [c for c in chains if not any(s <= c[0].start < e for s, e, _ in leads)]
    for s, e, m in leads:
        body = text[s + m.end(2) + 1 : e]
        kept.append([Point(s, s + m.end(2) + 1, e, m.group(3), body, lead=m.group(1))])
    return kept
