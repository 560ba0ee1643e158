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
TERMINAL = "。！？；：”」!?;:"


@dataclass
class Normalised:
    text: str
    offsets: list = field(default_factory=list)  # offsets[i] = index in original of text[i]
    original: str = ""
    published: object = None


def _is_noise(line):
    s = line.strip()
    if not s:
        return False
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
        out_lines.append(pairs)
    # join paragraphs broken inside a sentence
    paras = []
    cur = None
    for pairs in out_lines:
        if not pairs:
            if cur is not None:
                paras.append(cur)
                cur = None
            continue
        if cur is None:
            cur = list(pairs)
        elif len(cur) >= 30 and cur[-1][0] not in TERMINAL:
            cur.extend(pairs)
        else:
            paras.append(cur)
            cur = list(pairs)
    if cur:
        paras.append(cur)
    # merge paragraphs split by blank lines in mid-sentence
    merged = []
    for p in paras:
        if merged and len(merged[-1]) >= 30 and merged[-1][-1][0] not in TERMINAL:
            merged[-1].extend(p)
        else:
            merged.append(p)
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
