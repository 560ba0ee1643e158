"""The league table's and the plan dashboard's rows built in Python (supervision_tables):
the same HTML as the template rows they replace, with every text escaped."""

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
