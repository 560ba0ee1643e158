"""Units named as responsible, matched against a list of unit names."""

import re

DEFAULT_UNITS = [
    "党委办公室",
    "校长办公室",
    "党政办公室",
    "办公室",
    "组织部",
    "宣传部",
    "统战部",
    "纪委",
    "纪委办公室",
    "监察处",
    "纪监处",
    "机关党委",
    "人事处",
    "人事部门",
    "人事教育处",
    "教务处",
    "科技处",
    "科研处",
    "财务处",
    "审计处",
    "国有资产管理处",
    "资产管理处",
    "后勤管理处",
    "基建处",
    "保卫处",
    "学生工作处",
    "研究生院",
    "国际交流处",
    "发展规划处",
    "招生就业处",
    "图书馆",
    "图文信息中心",
    "网络信息中心",
    "团委",
    "工会",
    "政工部",
    "督查办",
]
# Collective references and what they expand to. Each maps to (unit kinds, name-ending rule): the
# kinds (duban.org.models.UnitKind values) are used when the registry carries them; the name endings
# when it does not (the built-in list, or callers that pass plain (name, short_name) pairs).
# None: only the caller (the plan) knows which units are meant; the reference is kept as it is.
PARTY_BRANCH, DEPARTMENT, ACADEMIC, AFFILIATED, PARTY_COMMITTEE = (
    "party_branch",
    "department",
    "academic",
    "affiliated",
    "party_committee",
)


def _ends(pattern, exclude=None):
    rx = re.compile(f"(?:{pattern})$")
    return lambda n: rx.search(n) is not None and not (exclude and n.endswith(exclude))


_BRANCH = ({PARTY_BRANCH}, _ends("党支部"))
_DEPT = ({DEPARTMENT}, _ends("处|部|办公室|中心", exclude="党支部"))
_ACADEMIC = ({ACADEMIC}, _ends("学院|系|研究院"))
_AFFILIATED = ({AFFILIATED}, _ends("图书馆|档案馆|博物馆|医院|出版社|中心"))
_COMMITTEE = ({PARTY_COMMITTEE}, _ends("党委|党总支"))
COLLECTIVE = {
    "各牵头部门": None,
    "各责任部门": None,
    "各党支部": _BRANCH,
    "各直属党支部": _BRANCH,
    "机关各党支部": _BRANCH,
    "各基层党支部": _BRANCH,
    "机关各部门": _DEPT,
    "各职能部门": _DEPT,
    "各机关部门": _DEPT,
    "各职能处室": _DEPT,
    "各教学单位": _ACADEMIC,
    "各学院": _ACADEMIC,
    "各二级学院": _ACADEMIC,
    "各院系": _ACADEMIC,
    "各直属单位": _AFFILIATED,
    "各直属附属单位": _AFFILIATED,
    "各二级党委": _COMMITTEE,
    "各党总支": _COMMITTEE,
    "各二级党组织": _COMMITTEE,
}


class RegistryUnit(tuple):
    """A (name, short_name) pair that also carries the unit's kind.

    A tuple of two so that callers unpacking `for name, short in units` keep working; `kind` is an
    extra attribute read by match_units to expand collective references by kind.
    """

    def __new__(cls, name, short_name="", kind=""):
        obj = super().__new__(cls, (name, short_name or ""))
        obj.kind = kind or ""
        return obj

    @property
    def name(self):
        return self[0]


def registry_unit_rows():
    """Active units of the org registry as RegistryUnit (name, short_name, .kind); [] if none."""
    try:
        from duban.org.models import Unit

        rows = list(Unit.objects.filter(is_active=True).values_list("name", "short_name", "kind"))
    except Exception:  # no database (e.g. the evaluator run outside Django's test setup)
        rows = []
    return [RegistryUnit(n, s, k) for n, s, k in rows]


def registry_units():
    """(units, from_registry): the registry's units (with kinds), or the built-in list flagged False."""
    rows = registry_unit_rows()
    if rows:
        return rows, True
    return [(n, "") for n in DEFAULT_UNITS], False


def _members(rule, units):
    """Names a collective rule stands for: by kind when the units carry kinds, else by name ending."""
    kinds, by_name = rule
    kinded = [u for u in units if getattr(u, "kind", "")]
    if kinded:
        return [u[0] for u in kinded if u.kind in kinds]
    return [u[0] for u in units if by_name(u[0])]


def match_units(text, units, collective=None, expand=True):
    """Unit names mentioned in text (longest match wins), collective references expanded.

    `units`: (name, short_name) pairs or RegistryUnit rows. `collective`: extra references, each
    mapped to a list of unit names, a (kinds, name rule) pair, or None (kept unexpanded).
    """
    names = {}
    for name, short in units:
        names[name] = name
        if short:
            names[short] = name
    rules = dict(COLLECTIVE)
    if collective:
        rules.update(collective)
    found = []
    taken = [False] * len(text)
    # collective references first, longest first, so 各直属党支部 is not also read as 各党支部 or a unit
    for ref in sorted(rules, key=len, reverse=True):
        for m in re.finditer(re.escape(ref), text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            rule = rules[ref]
            if not expand or rule is None:
                found.append((m.start(), ref))
            elif isinstance(rule, list):
                found.extend((m.start(), n) for n in rule)
            else:
                # nothing in the registry answers to it: keep the reference for the clerk to resolve
                members = _members(rule, units) or [ref]
                found.extend((m.start(), n) for n in members)
    for key in sorted(names, key=len, reverse=True):
        for m in re.finditer(re.escape(key), text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), names[key]))
    out = []
    for _, n in sorted(found, key=lambda f: f[0]):
        if n not in out:
            out.append(n)
    return out
