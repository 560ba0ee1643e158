"""Requirement lists: 一要/一是, 第一, （一）, 一、, 首先/其次/最后, 1. / 1、 / （1）."""

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
    "seq": re.compile(BEFORE + r"(首先|其次|再次|第三|最后)[，,、：:]?"),
}
SEQ_ORDER = {"首先": 1, "其次": 2, "再次": 3, "第三": 3, "最后": 99}
REPORT = re.compile(r"汇报了?|介绍了|通报了|报告了|总结了|取得了")
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
            n = SEQ_ORDER[g] if style == "seq" else cn_int(g)
            if n:
                lst.append((m.start(), m.end(), n))
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


def _points(text, chain):
    pts = []
    for k, (s, e) in enumerate(chain):
        end = chain[k + 1][0] if k + 1 < len(chain) else _para_end(text, e)
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
        if REPORT.search(lead[-40:]) and not DIRECTIVE.search(lead[-40:].replace("要", "")):
            continue
        pts = _points(text, chain)
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
