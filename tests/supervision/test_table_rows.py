# ruff: noqa: E501 (the replaced templates are kept here verbatim, long lines and all)
"""The league table's, the plan dashboard's and the weekly summary's rows built in Python
(supervision_tables): the same HTML as the template rows they replace, with every text escaped."""

import datetime
import re

from django.template import Context, Template

from duban.supervision.selectors.dashboards import UnitRow
from duban.supervision.selectors.league import LeagueRow
from duban.supervision.status import SEVERITY

# The rows as the templates wrote them before (league.html, plan_dashboard.html).
LEAGUE_TEMPLATE = """{% load i18n l10n duban %}{% localize off %}{% for r in rows %}<tr>
  <td class="num">{{ forloop.counter }}</td>
  <td>{{ r.unit }}</td>
  <td class="num">{{ r.items }}</td>
  <td class="num">{{ r.completed }}</td>
  <td class="num">{% rate r.on_time_rate r.completed_on_time r.fallen_due %}</td>
  <td class="num">{% if r.overdue %}<span class="db-tag db-tag-red">{% translate "逾期" %} {{ r.overdue }}</span>
    {% else %}0{% endif %}</td>
  <td class="num">{% if r.behind %}<span class="db-tag db-tag-yellow">{% translate "滞后" %} {{ r.behind }}</span>
    {% else %}0{% endif %}</td>
  <td class="num">{% rate r.punctuality r.reports_punctual r.reports_due %}</td>
  <td class="num">{{ r.missing_reports }}</td>
  <td class="num">{{ r.deferrals_requested }}</td>
  <td class="num">{{ r.deferrals_approved }}</td>
</tr>{% endfor %}{% endlocalize %}"""

UNITS_TEMPLATE = """{% load l10n duban %}{% localize off %}{% for u in units %}<tr>
  <td>{{ u.name }}</td>
  {{ u.cells|count_cells }}
  <td class="num fw-semibold">{{ u.total }}</td>
</tr>{% endfor %}{% endlocalize %}"""

HOSTILE = '<script>alert("x")</script> & 教务处'


def squeeze(html: str) -> str:
    """HTML without the blanks between tags (the template's line breaks)."""
    return re.sub(r">\s+<", "><", html.strip())


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def league_rows():
    return [
        LeagueRow(
            1,
            HOSTILE,
            10,
            items=12345,
            completed=7,
            fallen_due=8,
            completed_on_time=7,
            overdue=2,
            reports_due=40,
            reports_punctual=33,
            missing_reports=5,
            deferrals_requested=3,
            deferrals_approved=1,
        ),
        LeagueRow(2, "人事处", 20, items=3, behind=1),  # nothing due: rates are dashes
        LeagueRow(None, "（未指定）", 30),
    ]


def test_league_rows_are_the_templates_rows():
    rows = league_rows()
    built = render("{% load supervision_tables %}{{ rows|league_rows }}", rows=rows)
    assert squeeze(built) == squeeze(render(LEAGUE_TEMPLATE, rows=rows))
    assert "<script>" not in built and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 教务处" in built
    assert '<td class="num">12345</td>' in built  # no thousands separator
    assert (
        '<span class="db-tag db-tag-red">逾期 2</span>' in built
        and '<span class="db-tag db-tag-yellow">滞后 1</span>' in built
    )


def test_unit_status_rows_are_the_templates_rows():
    first = UnitRow(1, HOSTILE, 10)
    first.counts.update({SEVERITY[0]: 3, SEVERITY[2]: 1200})
    units = [first, UnitRow(2, "人事处", 20)]
    built = render("{% load supervision_tables %}{{ units|unit_status_rows }}", units=units)
    assert squeeze(built) == squeeze(render(UNITS_TEMPLATE, units=units))
    assert "<script>" not in built and '<td class="num fw-semibold">1203</td>' in built


# The weekly summary's rows as weekly.html wrote them before.
WEEKLY_LAGGING_TEMPLATE = """{% load i18n duban %}{% for unit in lagging %}{% for row in unit.rows %}<tr>
      {% if forloop.first %}<th scope="rowgroup" rowspan="{{ unit.rows|length }}">{{ unit.name }}</th>{% endif %}
      <td><span class="db-muted">{{ row.number }}</span> <a href="{% id_url 'supervision:item_detail' row.item.pk %}">{{ row.item.title }}</a></td>
      <td>{% for reason in row.reasons %}<div>{{ reason }}</div>{% endfor %}</td>
      <td class="db-pre">{% if row.filed %}{{ row.filed.problems|default:"（未说明）" }}{% else %}<span class="db-muted">{% translate "本周未报送进展" %}</span>{% endif %}</td>
    </tr>{% endfor %}{% endfor %}"""

WEEKLY_ITEMS_TEMPLATE = """{% load i18n duban %}{% for row in rows %}<tr>
      <td class="num">{{ row.number }}</td>
      <td><a href="{% id_url 'supervision:item_detail' row.item.pk %}">{{ row.item.title }}</a></td>
      <td>{{ row.item.lead_unit.name }}</td>
      {% with report=row.filed %}
      <td class="db-pre">{% if report %}{{ report.progress_text }}{% else %}<span class="db-muted">—</span>{% endif %}</td>
      <td class="db-pre">{% if report %}{{ report.problems|default:"—" }}{% else %}<span class="db-muted">—</span>{% endif %}</td>
      <td class="db-pre">{% if report %}{{ report.next_steps|default:"—" }}{% else %}<span class="db-muted">—</span>{% endif %}</td>
      <td class="num">{% if report and report.percent is not None %}{{ report.percent }}%{% else %}—{% endif %}</td>
      <td><span class="db-tag db-tag-{{ row.filing_colour }}">{{ row.filing_label }}</span>{% if report and report.status == "submitted" %}<div class="small db-muted">{% translate "待审核" %}</div>{% endif %}</td>
      {% endwith %}
      <td>{% item_status row.item.state %}<div class="small db-muted">{{ row.item.state.reason }}</div></td>
    </tr>{% endfor %}"""


LEDGER_TEMPLATE = """{% load duban %}<tbody>{% for item in page_obj %}<tr>
      <td class="num">{{ item.ordinal }}</td>
      <td>{% if item.parent_id %}<span class="db-muted small">{{ item.parent.title }} / </span>{% endif %}<a href="{% id_url 'supervision:item_detail' item.pk %}">{{ item.title }}</a></td>
      <td>{{ item.lead_unit.name }}</td>
      <td>{{ item.patron_leader.name|default:"—" }}</td>
      <td>{{ item.responsible_person.name|default:"—" }}</td>
      <td class="text-nowrap">{{ item.due_date|cn_date|default:"长期" }}{% if item.is_deferred %} <span class="db-tag db-tag-yellow" title="原定 {{ item.original_due_date|cn_date }}">延</span>{% endif %}</td>
      <td><div class="d-flex align-items-center gap-2"><div class="db-progress flex-grow-1" role="img" aria-label="已完成 {{ item.state.progress }}%"><span data-width="{{ item.state.progress }}"></span>{% if item.state.expected is not None %}<i data-left="{{ item.state.expected }}"></i>{% endif %}</div><span class="small">{{ item.state.progress }}%</span></div></td>
      <td>{% item_status item.state %}<div class="small db-muted">{{ item.state.reason }}</div></td>
    </tr>{% endfor %}</tbody>"""


def ledger_items():
    """Items of every kind: a measure under its project, no patron or responsible person,
    ongoing (no due date), deferred, no expected progress, no state; texts hostile."""
    from duban.org.models import Person, Unit
    from duban.supervision.models import Item, ItemState, Status

    unit, person = Unit(pk=7, name=HOSTILE), Person(pk=3, name=HOSTILE)
    project = Item(pk=1, ordinal=1, title=HOSTILE, lead_unit=unit)
    measure = Item(pk=2, ordinal=2, title=f"{HOSTILE}措施", lead_unit=unit, parent=project, patron_leader=person)
    measure.responsible_person = person
    measure.due_date, measure.original_due_date = datetime.date(2026, 12, 31), datetime.date(2026, 6, 30)
    for made, expected in ((project, 40), (measure, None)):
        made.state = ItemState(
            item=made, status=Status.BEHIND, colour="yellow", reason="滞后 <b>", progress=25, expected=expected
        )
    stateless = Item(pk=3, ordinal=3, title="无状态", lead_unit=unit)
    stateless._state.fields_cache["state"] = None  # read as "no state" (RelatedObjectDoesNotExist)
    return [project, measure, stateless]


def test_ledger_rows_are_the_templates_rows():
    items = ledger_items()
    built = render("{% load supervision_tables %}{{ items|ledger_item_rows }}", items=items)
    assert squeeze(f"<tbody>{built}</tbody>") == squeeze(render(LEDGER_TEMPLATE, page_obj=items))
    assert "<script>" not in built and "<b>" not in built
    assert "长期" in built and ">延</span>" in built and 'data-left="40"' in built


def weekly_rows():
    """Rows of every kind: filed and accepted, awaiting review with blanks, not filed, late,
    missing; texts hostile."""
    from duban.org.models import Unit
    from duban.supervision.models import Item, ItemState, ProgressReport, ReportStatus, Status
    from duban.supervision.summaries import LaggingUnit, WeekRow

    unit = Unit(pk=7, name=HOSTILE)

    def item(pk, status, colour):
        made = Item(pk=pk, title=f"{HOSTILE}{pk}", lead_unit=unit)
        made.state = ItemState(item=made, status=status, colour=colour, reason=f"已逾期 {pk} 天 <b>")
        return made

    accepted = ProgressReport(
        status=ReportStatus.ACCEPTED, progress_text=HOSTILE, problems="缺<经费>", next_steps="推进", percent=40
    )
    waiting = ProgressReport(status=ReportStatus.SUBMITTED, progress_text="进行中", problems="", next_steps="")
    rows = [
        WeekRow(item(11, Status.OVERDUE, "red"), "1", accepted, "on_time"),
        WeekRow(item(12, Status.BEHIND, "yellow"), "1.2", waiting, "late"),
        WeekRow(item(13, Status.ON_TRACK, "green"), "2", None, "missing"),
        WeekRow(item(14, Status.ON_TRACK, "green"), "3", ProgressReport(status=ReportStatus.OPEN), "pending"),
    ]
    lagging = [LaggingUnit(7, HOSTILE, 1, rows=rows[:3]), LaggingUnit(8, "人事处", 2, rows=rows[2:3])]
    return rows, lagging


def test_weekly_rows_are_the_templates_rows():
    rows, lagging = weekly_rows()
    built = render("{% load supervision_tables %}{{ rows|weekly_item_rows }}", rows=rows)
    assert squeeze(built) == squeeze(render(WEEKLY_ITEMS_TEMPLATE, rows=rows))
    assert "<script>" not in built and "<b>" not in built and "缺&lt;经费&gt;" in built
    assert '<td class="num">40%</td>' in built and "待审核" in built
    built = render("{% load supervision_tables %}{{ lagging|weekly_lagging_rows }}", lagging=lagging)
    assert squeeze(built) == squeeze(render(WEEKLY_LAGGING_TEMPLATE, lagging=lagging))
    assert 'rowspan="3"' in built and "本周未报送进展" in built and "（未说明）" in built
    assert "<script>" not in built
