"""Rows of the supervision pages' longest tables, built in Python.

The league table and the plan dashboard list every lead unit (150 at a prefecture city) with
a dozen cells each; in the template language each row cost about a tenth of a millisecond,
most of the page. These
filters write the same markup (tests/supervision/test_table_rows.py compares them with the
template they replace), escaping every text.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from duban.workbench.templatetags.duban import count_cells, rate

register = template.Library()


def _tag_or_zero(n: int, colour: str, word: str) -> str:
    return f'<span class="db-tag db-tag-{colour}">{word} {int(n)}</span>' if n else "0"


@register.filter
def league_rows(rows) -> str:
    """The league table's body rows: rank, unit, counts, rates and tags."""
    overdue, behind = escape(gettext("逾期")), escape(gettext("滞后"))
    out = []
    for rank, r in enumerate(rows, start=1):
        out.append(
            "<tr>"
            f'<td class="num">{rank}</td>'
            f"<td>{escape(str(r.unit or ''))}</td>"
            f'<td class="num">{int(r.items)}</td>'
            f'<td class="num">{int(r.completed)}</td>'
            f'<td class="num">{rate(r.on_time_rate, r.completed_on_time, r.fallen_due)}</td>'
            f'<td class="num">{_tag_or_zero(r.overdue, "red", overdue)}</td>'
            f'<td class="num">{_tag_or_zero(r.behind, "yellow", behind)}</td>'
            f'<td class="num">{rate(r.punctuality, r.reports_punctual, r.reports_due)}</td>'
            f'<td class="num">{int(r.missing_reports)}</td>'
            f'<td class="num">{int(r.deferrals_requested)}</td>'
            f'<td class="num">{int(r.deferrals_approved)}</td>'
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 (texts escaped, numbers as integers)


@register.filter
def unit_status_rows(units) -> str:
    """The plan dashboard's lead unit × status rows: the unit, a count per status (a zero
    greyed) and the unit's total."""
    return mark_safe(  # noqa: S308 (names escaped, counts as integers)
        "".join(
            f'<tr><td>{escape(u.name)}</td>{count_cells(u.cells)}<td class="num fw-semibold">{int(u.total)}</td></tr>'
            for u in units
        )
    )
