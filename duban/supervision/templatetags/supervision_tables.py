"""Rows of the supervision pages' longest tables, built in Python.

The league table and the plan dashboard list every lead unit (150 at a prefecture city) with
a dozen cells each, the weekly summary a hundred rows of reports; in the template language
each row cost about a tenth of a millisecond, most of the page. These filters write the same
markup (tests/supervision/test_table_rows.py compares them with the template they replace),
escaping every text.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from duban.lib.dates import cn_date
from duban.workbench.templatetags.duban import count_cells, id_url, item_status, rate

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


# --- The weekly summary: 50 lagging rows and 50 item rows a page --------------------------


def _item_link(item) -> str:
    return f'<a href="{id_url("supervision:item_detail", item.pk)}">{escape(item.title)}</a>'


@register.filter
def weekly_lagging_rows(units) -> str:
    """The weekly summary's lagging rows, grouped by lead unit (the unit's name spans its rows):
    the item, why it lags, and the problems its report names."""
    unexplained, unfiled = "（未说明）", escape(gettext("本周未报送进展"))
    out = []
    for unit in units:
        for index, row in enumerate(unit.rows):
            head = f'<th scope="rowgroup" rowspan="{len(unit.rows)}">{escape(unit.name)}</th>' if index == 0 else ""
            report = row.filed
            problems = escape(report.problems or unexplained) if report else f'<span class="db-muted">{unfiled}</span>'
            out.append(
                f"<tr>{head}"
                f'<td><span class="db-muted">{escape(row.number)}</span> {_item_link(row.item)}</td>'
                f"<td>{''.join(f'<div>{escape(reason)}</div>' for reason in row.reasons)}</td>"
                f'<td class="db-pre">{problems}</td>'
                "</tr>"
            )
    return mark_safe("".join(out))  # noqa: S308 (texts escaped, numbers as integers)


@register.filter
def weekly_item_rows(rows) -> str:
    """The weekly summary's rows of items: number, item, unit, the week's report, progress,
    filing and status."""
    dash, awaiting = '<span class="db-muted">—</span>', escape(gettext("待审核"))
    out = []
    for row in rows:
        item, report = row.item, row.filed
        if report:
            texts = (escape(report.progress_text), escape(report.problems or "—"), escape(report.next_steps or "—"))
            percent = "—" if report.percent is None else f"{int(report.percent)}%"
            waiting = f'<div class="small db-muted">{awaiting}</div>' if report.status == "submitted" else ""
        else:
            texts, percent, waiting = (dash, dash, dash), "—", ""
        state = item.state
        out.append(
            "<tr>"
            f'<td class="num">{escape(row.number)}</td>'
            f"<td>{_item_link(item)}</td>"
            f"<td>{escape(item.lead_unit.name)}</td>"
            + "".join(f'<td class="db-pre">{text}</td>' for text in texts)
            + f'<td class="num">{percent}</td>'
            f'<td><span class="db-tag db-tag-{row.filing_colour}">{escape(row.filing_label)}</span>{waiting}</td>'
            f'<td>{item_status(state)}<div class="small db-muted">{escape(state.reason if state else "")}</div></td>'
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 (texts escaped, numbers as integers)


# --- The plan's ledger: 50 items a page ------------------------------------------------------


@register.filter
def ledger_item_rows(items) -> str:
    """The ledger's rows: number, item (under its project), lead unit, patron, responsible
    person, due date (with a tag when deferred), progress bar and status."""
    out = []
    for item in items:
        state = getattr(item, "state", None)
        progress, expected = (state.progress, state.expected) if state else ("", "")
        parent = f'<span class="db-muted small">{escape(item.parent.title)} / </span>' if item.parent_id else ""
        patron = item.patron_leader.name if item.patron_leader_id else ""
        person = item.responsible_person.name if item.responsible_person_id else ""
        deferred = (
            f' <span class="db-tag db-tag-yellow" title="原定 {escape(cn_date(item.original_due_date))}">延</span>'
            if item.is_deferred
            else ""
        )
        marker = f'<i data-left="{escape(str(expected))}"></i>' if expected is not None else ""
        out.append(
            "<tr>"
            f'<td class="num">{int(item.ordinal)}</td>'
            f"<td>{parent}{_item_link(item)}</td>"
            f"<td>{escape(item.lead_unit.name)}</td>"
            f"<td>{escape(patron or '—')}</td>"
            f"<td>{escape(person or '—')}</td>"
            f'<td class="text-nowrap">{escape(cn_date(item.due_date) or "长期")}{deferred}</td>'
            '<td><div class="d-flex align-items-center gap-2">'
            f'<div class="db-progress flex-grow-1" role="img" aria-label="已完成 {escape(str(progress))}%">'
            f'<span data-width="{escape(str(progress))}"></span>{marker}</div>'
            f'<span class="small">{escape(str(progress))}%</span></div></td>'
            f'<td>{item_status(state)}<div class="small db-muted">{escape(state.reason if state else "")}</div></td>'
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 (texts escaped, numbers as integers)
