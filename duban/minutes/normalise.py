"""Noise removal and normalisation, keeping a map back to the original offsets."""

import re
from dataclasses import dataclass, field

try:  # opencc-python-reimplemented ships its dictionaries
    from opencc import OpenCC

    _T2S = OpenCC("t2s")
except Exception:  # pragma: no cover
    _T2S = None

NAV_WORDS = (
    "当前位置",
    "首页",
    "网站地图",
    "学院首页",
    "联系我们",
    "返回顶部",
    "上一篇",
    "下一篇",
    "打印本页",
    "关闭窗口",
)
NOISE_LINE = [
    re.compile(r"^(作者|时间|发布日期|发布时间|日期|来源|点击数|点击|浏览量?|阅读)[:：]"),
    re.compile(r"(点击数|浏览量?|阅读量|浏览次数)[:：]?\s*\d*\s*$"),
    re.compile(r"(ICP备|地址[:：]|联系电话|版权所有|Copyright|邮编[:：])", re.I),
    re.compile(r"^[（(]?\s*(文|图|文图|文/图|摄影|编辑|审核|审稿|责任编辑|通讯员|特约通讯员|供稿)\s*[/:：]"),
    re.compile(r"^(图为|图片|摄影)[:：]?"),
]
CREDIT_TAIL = re.compile(r"[（(]\s*(?:文|图|文图|摄影|编辑|审核|供稿|通讯员|特约通讯员)\s*[/:：][^（）()]*[）)]\s*$")
PINYIN = re.compile(r"[（(]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7})[）)]")
TERMINAL = "。！？；：!?;:"
CLOSE_QUOTES = "”」』’"


def _ends_sentence(pairs):
    """A closing quote ends a sentence only after 。！？ inside it (“…。”), not after a quoted word."""
    chars = [c for c, _ in pairs[-2:]]
    if chars[-1] in CLOSE_QUOTES:
        return len(chars) == 2 and chars[0] in TERMINAL
    return chars[-1] in TERMINAL


# A line opening with an enumeration marker starts a point; it never continues the line before.
MARKER_START = re.compile(
    r"[一二三四五六七八九十]+(?:、|是|要)|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、）)]|第[一二三四五六七八九十]+|首先|其次|最后|[①-⑳]"
)

INLINE_MARKER = re.compile(r"[一二三四五六七八九十]+(?:是|要)|第[一二三四五六七八九十]+[，,]")


def _drop_pinyin(pairs):
    line = "".join(c for c, _ in pairs)
    if not PINYIN.search(line):
        return pairs
    keep = [True] * len(pairs)
    for m in PINYIN.finditer(line):
        keep[m.start() : m.end()] = [False] * (m.end() - m.start())
    return [pair for pair, k in zip(pairs, keep, strict=True) if k]


def _wrap_width(lengths):
    """The width of a hard-wrapped text (most lines exactly that long), or None."""
    long = [n for n in lengths if n >= 12]
    if len(long) < 4:
        return None
    counts = {}
    for n in long:
        counts[n] = counts.get(n, 0) + 1
    width, seen = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return width if seen >= 4 and seen * 10 >= len(long) * 4 else None


@dataclass
class Normalised:
    text: str
    offsets: list = field(default_factory=list)  # offsets[i] = index in original of text[i]
    original: str = ""
    published: object = None


def _is_noise(line):
    s = to_simplified(line.strip())
    if not s:
        return False
    if re.match(r"(上一篇|下一篇|上一条|下一条)", s):
        return True
    if any(p.search(s) for p in NOISE_LINE):
        return True
    # navigation: short line made mostly of navigation words and separators
    if len(s) <= 40 and any(w in s for w in NAV_WORDS):
        rest = s
        for w in NAV_WORDS:
            rest = rest.replace(w, "")
        rest = re.sub(r"[\s\-—>»›|/:：·]", "", rest)
        if len(rest) <= 12:
            return True
    return False


def to_simplified(s):
    if _T2S is None:
        return s
    return _T2S.convert(s)


def fix_dates(s):
    """829日 → 8月29日 only where one split gives a valid month/day."""

    def repl(m):
        d = m.group(1)
        cands = []
        for i in range(1, len(d)):
            mo, da = int(d[:i]), int(d[i:])
            if (
                1 <= mo <= 12
                and 1 <= da <= 31
                and not d[i:].startswith("0")
                or (1 <= mo <= 12 and d[i:] in {"01", "02", "03", "04", "05", "06", "07", "08", "09"})
            ):
                cands.append((d[:i], d[i:]))
        if len(cands) == 1:
            return f"{int(cands[0][0])}月{int(cands[0][1])}日"
        return m.group(0)

    return re.sub(r"(?<![\d年月./\-])(\d{3,4})日", repl, s)


def normalise(original):
    """Return Normalised text: noise lines dropped, paragraphs rejoined, t2s, pinyin gone."""
    pos = 0
    lines = original.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # offsets are against the \n-normalised text; close enough for CRLF inputs
    kept = []
    for line in lines:
        start = pos
        pos += len(line) + 1
        if _is_noise(line):
            kept.append(None)
            continue
        kept.append((line, start))
    out_lines = []
    for item in kept:
        if item is None:
            continue
        line, start = item
        # pinyin removal with offsets
        pairs = []
        i = 0
        for m in PINYIN.finditer(line):
            pairs.extend((c, start + j) for j, c in enumerate(line[i : m.start()], start=i))
            i = m.end()
        pairs.extend((c, start + j) for j, c in enumerate(line[i:], start=i))
        seg = "".join(c for c, _ in pairs)
        simp = to_simplified(seg)
        if len(simp) == len(seg):
            pairs = [(simp[k], pairs[k][1]) for k in range(len(seg))]
        else:
            base = pairs[0][1] if pairs else start
            pairs = [(c, base) for c in simp]
        m = CREDIT_TAIL.search("".join(c for c, _ in pairs))
        if m:
            pairs = pairs[: m.start()]
        # strip spaces
        pairs = [(c, o) for c, o in pairs if c not in " \t\u3000\xa0"]
        out_lines.append((pairs, len(line.rstrip())))
    width = _wrap_width([n for _, n in out_lines])

    def soft_break(cur, last, nxt):
        """The line break after `cur` (whose last line is `last`: its pairs, its length in the
        original) falls in mid-sentence, so `nxt` continues it."""
        if not cur or _ends_sentence(cur):
            return False
        if cur[-1][0] in "，、,":
            return True  # a heading never ends with a comma
        if MARKER_START.match("".join(c for c, _ in nxt[:4])):
            return False  # the next line opens a (sub-)point
        line, raw_len = last
        if INLINE_MARKER.match("".join(c for c, _ in line[:4])):
            return True  # 一要…/一是… open a sentence, never a heading
        return len(cur) >= 30 or (width is not None and abs(raw_len - width) <= 1)

    # join paragraphs broken inside a sentence
    paras = []
    cur, last = None, None
    for line in out_lines:
        pairs = line[0]
        if not pairs:
            if cur is not None:
                paras.append((cur, last))
                cur = None
            continue
        if cur is not None and soft_break(cur, last, pairs):
            cur.extend(pairs)
        else:
            if cur is not None:
                paras.append((cur, last))
            cur = list(pairs)
        last = line
    if cur:
        paras.append((cur, last))
    # merge paragraphs split by blank lines in mid-sentence
    merged, last = [], None
    for p, p_last in paras:
        if merged and soft_break(merged[-1], last, p):
            merged[-1].extend(p)
        else:
            merged.append(p)
        last = p_last
    # pinyin annotations that a line break had split, e.g. 强(qi / áng)化
    merged = [_drop_pinyin(p) for p in merged]
    text_parts, offsets = [], []
    for k, p in enumerate(merged):
        if k:
            text_parts.append("\n")
            offsets.append(p[0][1] if p else 0)
        text_parts.append("".join(c for c, _ in p))
        offsets.extend(o for _, o in p)
    text = "".join(text_parts)
    # half-width punctuation to full width where used as Chinese punctuation
    text = re.sub(r"(?<=[\u4e00-\u9fff”）)]),", "，", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]):", "：", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]);", "；", text)
    text = text.replace("(", "（").replace(")", "）")
    fixed = fix_dates(text)
    if len(fixed) != len(text):
        # rebuild offsets: inserted 月 maps to the preceding char's offset
        new_off, j = [], 0
        for c in fixed:
            if j < len(text) and c == text[j]:
                new_off.append(offsets[j])
                j += 1
            else:
                new_off.append(offsets[j - 1] if j else 0)
        offsets = new_off
    return Normalised(text=fixed, offsets=offsets, original=original)
