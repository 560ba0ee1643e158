"""A unit assessment's rules in words and its result table, read for the page and written as
.xlsx. While the rules are published the result is computed live (duban.assessment.scoring);
once closed it is the fixed snapshot `period.result`. Nothing is recomputed from the snapshot,
so the page and the workbook always agree with what was fixed."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from duban.assessment.models import Metric, PeriodState
from duban.assessment.scoring import result_units
from duban.lib.dates import cn_date
from duban.lib.numbers import plain
from duban.lib.xlsx import HeaderColumn, header_write

# How each fact is found, from scoring.py's docstring (and the league table's rules).
FACTS = {
    Metric.ON_TIME_RATE: gettext_lazy(
        "在原定完成时限前（含当日）完成的事项数 ÷ 已到期的事项数（已完成的，或原定时限早于统计日仍未完成的）；"
        "批准延期后完成的不算按期，长期坚持事项完成即算按期。"
    ),
    Metric.REPORT_PUNCTUALITY: gettext_lazy(
        "在填报截止日前（含当日）提交（待审核或已采纳）的报告数 ÷ 截止日已到的报告数；被退回的报告不算已提交。"
    ),
    Metric.OVERDUE_ITEMS: gettext_lazy("统计日本单位牵头、处于逾期状态的事项数。"),
    Metric.MISSING_REPORTS: gettext_lazy("填报截止日加宽限天数后仍未提交的报告数。"),
    Metric.DEFERRALS: gettext_lazy("本单位牵头事项获批准的延期申请次数。"),
    Metric.MEASURES_CLOSED: gettext_lazy("考核期内本单位牵头的整改措施销号数。"),
    Metric.RELAPSES: gettext_lazy("考核期内发现的本单位整改反弹次数。"),
    Metric.LOOKBACK_FAILURES: gettext_lazy("考核期内回头看检查结论为“进展滞后”或“出现反弹”的本单位整改措施数。"),
    Metric.ACCOUNTABILITY: gettext_lazy("考核期内作出决定的本单位问责记录数。"),
    Metric.GOOD_EXAMPLES: gettext_lazy("考核期内认定的本单位正面典型数。"),
    Metric.BAD_EXAMPLES: gettext_lazy("考核期内认定的本单位反面典型数。"),
    Metric.MANUAL: gettext_lazy("评分人按评分说明打分（0 到满分），取全部评分人的平均分；无人评分的计 0 分。"),
}

# The formulas of duban.assessment.scoring, in words, for the page and the workbook.
FORMULAS = [
    gettext_lazy(
        "比率类：得分 = 分值 × 比率；本单位没有应考核的事项或报告时按满分计（标注“无应考核事项，按满分计”）。"
    ),
    gettext_lazy("计数类：得分 = 每次分值 × 次数（扣分项分值为负），累计加分或扣分不超过上限。"),
    gettext_lazy("人工评分：得分 = 各评分人所打分数的平均值；尚无评分的计 0 分。"),
    gettext_lazy("总分 = 基础分 + 各项得分之和；每项得分四舍五入到 0.01 分。"),
    gettext_lazy("等次：总分达到某一等次的最低分即评为该等次，取能达到的最高等次。"),
    gettext_lazy("排名：按总分从高到低，总分相同的名次相同。"),
    gettext_lazy(
        "统计范围：督办事项为所选计划（未选则全部计划）中各单位牵头的事项，截至考核期末（考核期未结束时截至今天）；"
        "整改、问责和典型按考核期起止日期统计。"
    ),
]


@dataclass
class RuleText:
    id: int
    title: str
    metric: str
    kind: str
    points: str
    cap: str
    description: str
    scoring: str  # how the points are earned, for this rule
    short: str  # the same, short, for a column header
    fact: str  # how the fact is found


def rule_texts(period) -> list[RuleText]:
    rows = []
    for rule in period.rules.order_by("order", "id"):
        points, cap = plain(rule.points), plain(rule.cap)
        if rule.is_rate:
            kind = _("比率类")
            scoring = _("满分 %(p)s 分，得分 = %(p)s × 比率") % {"p": points}
            short = _("满分 %(p)s") % {"p": points}
        elif rule.is_manual:
            kind = _("人工评分")
            scoring = _("0 到 %(p)s 分，取评分人平均分") % {"p": points}
            short = _("满分 %(p)s") % {"p": points}
        else:
            kind = _("计数类")
            verb = _("加") if rule.points >= 0 else _("扣")
            scoring = _("每次%(verb)s %(p)s 分") % {"verb": verb, "p": plain(abs(rule.points))}
            scoring += _("，累计不超过 %(cap)s 分") % {"cap": cap} if rule.cap is not None else _("，不设上限")
            short = _("每次 %(p)s") % {"p": points}
            if rule.cap is not None:
                short += _("，上限 %(cap)s") % {"cap": cap}
        rows.append(
            RuleText(
                id=rule.pk,
                title=rule.title,
                metric=str(rule.get_metric_display()),
                kind=kind,
                points=points,
                cap=cap,
                description=rule.description,
                scoring=scoring,
                short=short,
                fact=str(FACTS.get(rule.metric, "")),
            )
        )
    return rows


@dataclass
class Cell:
    value: str
    points: str
    note: str = ""


@dataclass
class ResultRow:
    unit_id: int
    name: str
    rank: int | None
    total: str
    band: str
    cells: list = field(default_factory=list)  # one per rule, in rule order


@dataclass
class ResultTable:
    period: object
    rules: list  # RuleText
    rows: list  # ResultRow, by rank
    fixed: bool  # the closed snapshot (else computed now)
    hidden: int = 0  # rows the viewer may not read


def result_table(period, *, visible=None, today=None) -> ResultTable:
    """The result as the viewer may read it: `visible(unit_ids)` returns the unit ids whose
    rows they may see (all when None)."""
    rules = rule_texts(period)
    fixed = period.state == PeriodState.CLOSED and period.result is not None
    units = result_units(period, today)
    allowed = set(visible([u["unit"] for u in units])) if visible else None
    rows = []
    for unit in units:
        if allowed is not None and unit["unit"] not in allowed:
            continue
        parts = {p["rule"]: p for p in unit["parts"]}
        cells = []
        for rule in rules:
            part = parts.get(rule.id)
            cells.append(Cell(part["value"], part["points"], part["note"]) if part else Cell("—", "", ""))
        rows.append(ResultRow(unit["unit"], unit["name"], unit["rank"], unit["total"], unit["band"], cells))
    rows.sort(key=lambda r: r.rank or 10**6)
    return ResultTable(period, rules, rows, fixed, hidden=len(units) - len(rows))


# --- The workbook ------------------------------------------------------------------------

WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right", vertical="top")
TITLE = Font(bold=True, size=14)


def workbook(table: ResultTable) -> Workbook:
    period = table.period
    book = Workbook()
    sheet = book.active
    sheet.title = _("考核结果")
    sheet.cell(row=1, column=1, value=period.title).font = TITLE
    state = _("结果已确定") if table.fixed else _("实时计算，结果尚未确定")
    sheet.cell(
        row=2,
        column=1,
        value=_("考核期 %(start)s 至 %(end)s · 基础分 %(base)s · %(state)s")
        % {
            "start": cn_date(period.start, full=True),
            "end": cn_date(period.end, full=True),
            "base": plain(period.base_score),
            "state": state,
        },
    )
    columns = [HeaderColumn(_("名次"), 8, True), HeaderColumn(_("单位"), 22, True)]
    for rule in table.rules:
        columns.append(HeaderColumn(_("%(t)s（情况）") % {"t": rule.title}, 20))
        columns.append(HeaderColumn(_("%(t)s（得分）") % {"t": rule.title}, 12, True))
    columns += [
        HeaderColumn(_("基础分"), 10, True),
        HeaderColumn(_("总分"), 10, True),
        HeaderColumn(_("等次"), 10, True),
        HeaderColumn(_("说明"), 30),
    ]
    header = 4
    header_write(sheet, columns, row=header)
    for offset, row in enumerate(table.rows, start=1):
        values = [row.rank, row.name]
        notes = []
        for rule, cell in zip(table.rules, row.cells, strict=True):
            values += [cell.value, _number(cell.points)]
            if cell.note:
                notes.append(f"{rule.title}：{cell.note}")
        values += [_number(period.base_score), _number(row.total), row.band, "；".join(notes)]
        for column, value in enumerate(values, start=1):
            target = sheet.cell(row=header + offset, column=column, value=value)
            if isinstance(value, Decimal):
                target.number_format = "0.00"
                target.alignment = RIGHT

    rules = book.create_sheet(_("评分规则"))
    rules.cell(row=1, column=1, value=_("评分规则和计算方法")).font = TITLE
    rule_columns = [
        HeaderColumn(_("序号"), 6, True),
        HeaderColumn(_("规则"), 20, True),
        HeaderColumn(_("考核指标"), 16, True),
        HeaderColumn(_("类型"), 10, True),
        HeaderColumn(_("分值"), 8, True),
        HeaderColumn(_("上限"), 8),
        HeaderColumn(_("计分方法"), 32, True),
        HeaderColumn(_("数据口径"), 50),
        HeaderColumn(_("评分说明"), 30),
    ]
    header_write(rules, rule_columns, row=3)
    for index, rule in enumerate(table.rules, start=1):
        values = [index, rule.title, rule.metric, rule.kind, _number(rule.points), _number(rule.cap)]
        values += [rule.scoring, rule.fact, rule.description]
        for column, value in enumerate(values, start=1):
            rules.cell(row=3 + index, column=column, value=value).alignment = WRAP
    line = 3 + len(table.rules) + 2
    rules.cell(row=line, column=1, value=_("计算方法")).font = Font(bold=True)
    for offset, text in enumerate([*FORMULAS, _("基础分：%(b)s 分。") % {"b": plain(period.base_score)}], 1):
        rules.cell(row=line + offset, column=1, value=f"{offset}. {text}")
    bands = list(period.bands.order_by("-min_score"))
    if bands:
        line += len(FORMULAS) + 3
        rules.cell(row=line, column=1, value=_("考核等次")).font = Font(bold=True)
        for offset, band in enumerate(bands, start=1):
            rules.cell(row=line + offset, column=1, value=band.label)
            rules.cell(row=line + offset, column=2, value=_("总分 ≥ %(m)s") % {"m": plain(band.min_score)})
    return book


def _number(text):
    return Decimal(str(text)) if text not in (None, "") else None
