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
COLLECTIVE = {
    "各牵头部门": None,  # only the caller (the plan) knows which units lead
    "各责任部门": None,
    "各党支部": lambda n: n.endswith("党支部"),
    "各直属党支部": lambda n: n.endswith("党支部"),
    "机关各党支部": lambda n: n.endswith("党支部"),
    "机关各部门": lambda n: re.search(r"(处|部|办公室|中心)$", n) is not None and not n.endswith("党支部"),
    "各职能部门": lambda n: re.search(r"(处|部|办公室)$", n) is not None and not n.endswith("党支部"),
}


def registry_units():
    """(name, short_name) pairs from the org registry, or the built-in list (flagged False)."""
    try:
        from duban.org.models import Unit

        rows = list(Unit.objects.values_list("name", "short_name"))
    except Exception:
        rows = []
    if rows:
        return rows, True
    return [(n, "") for n in DEFAULT_UNITS], False


def match_units(text, units, collective=None, expand=True):
    """Unit names mentioned in text (longest match wins), collective references expanded."""
    names = {}
    for name, short in units:
        names[name] = name
        if short:
            names[short] = name
    found = []
    taken = [False] * len(text)
    for key in sorted(names, key=len, reverse=True):
        for m in re.finditer(re.escape(key), text):
            if any(taken[m.start() : m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append((m.start(), names[key]))
    rules = dict(COLLECTIVE)
    if collective:
        rules.update(collective)
    all_names = [n for n, _ in units]
    for ref, rule in rules.items():
        for m in re.finditer(re.escape(ref), text):
            if not expand or rule is None:
                found.append((m.start(), ref))
                continue
            members = rule if isinstance(rule, list) else [n for n in all_names if rule(n)]
            found.extend((m.start(), n) for n in members)
    out = []
    for _, n in sorted(found):
        if n not in out:
            out.append(n)
    return out
