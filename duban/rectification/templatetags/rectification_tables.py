"""The 整改台账's findings and measures, written in Python.

A page holds 50 findings and their measures (about 150 rows at a prefecture city), a dozen
cells each; in the template language rendering them was about half the page's time. This tag
writes the same markup (tests/rectification/test_ledger_rows.py compares it with the template
it replaces), escaping every text.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from duban.lib import dates
from duban.lib.choices import display
from duban.rectification.templatetags.rectification import closure_tag, origin_tag, severity_tag
from duban.workbench.templatetags.duban import id_url, item_status, tag

register = template.Library()


class _Words:
    """The words every row repeats, translated once a page."""

    def __init__(self, on_measures: bool):
        self.item_page_title = escape(gettext("事项页面：进展报告、附件"))
        self.item_page = escape(gettext("事项页面"))
        self.ongoing = escape(gettext("长期坚持"))
        self.add_measure = escape(gettext("添加措施"))
        self.no_units = escape(gettext("未指定单位"))
        self.all_closed = tag(gettext("问题已销号"), "green")
        self.no_measures = escape(gettext("没有符合筛选条件的措施。") if on_measures else gettext("还没有整改措施。"))


def _finding_row(f, words: _Words, can_manage: bool) -> str:
    reference = f'<span class="small db-muted">{escape(f.reference)}</span>' if f.reference else ""
    units = "、".join(escape(u.name) for u in f.units.all()) or words.no_units
    if f.total and f.closed == f.total:
        closed = words.all_closed
    else:
        closed = f'<span class="small">{escape(gettext("已销号 %(c)s/%(t)s") % {"c": f.closed, "t": f.total})}</span>'
    add = (
        f'<div><a class="small" href="{id_url("rectification:measure_create", f.pk)}">{words.add_measure}</a></div>'
        if can_manage
        else ""
    )
    return (
        '<tr class="rl-finding-row">'
        f'<td class="num"><strong>{escape(str(f.ordinal))}</strong></td>'
        '<td colspan="6"><div class="d-flex flex-wrap gap-2 align-items-center mb-1">'
        f"{reference}{tag(f.category, 'grey')} {severity_tag(f)} {origin_tag(f)}</div>"
        f'<a class="rl-desc" href="{id_url("rectification:finding_detail", f.pk)}">'
        f"{escape(Truncator(f.description).chars(160))}</a>"
        f'<div class="small db-muted">{units}</div></td>'
        f"<td>{closed}{add}</td>"
        f'<td class="num">{tag(f.relapses, "yellow") if f.relapses else ""}</td>'
        "</tr>"
    )


def _measure_row(f, number: int, m, words: _Words) -> str:
    item = m.item
    person = item.responsible_person.name if item.responsible_person_id else ""
    due = escape(dates.cn_date(item.due_date, full=True)) if item.due_date else words.ongoing
    approved = (
        f'<div class="small db-muted">{escape(m.approver_name)} · {escape(dates.cn_date(m.approved_at))}</div>'
        if m.closure == "closed" and getattr(m, "approver_name", None)
        else ""
    )
    relapses = tag(m.relapse_count, "yellow") if m.relapse_count else '<span class="db-muted">0</span>'
    return (
        '<tr class="rl-measure-row">'
        f'<td class="num small db-muted">{escape(str(f.ordinal))}.{number}</td>'
        f'<td><a href="{id_url("rectification:measure_detail", m.pk)}">{escape(item.title)}</a> '
        f'<a class="small db-muted" href="{id_url("supervision:item_detail", m.pk)}" '
        f'title="{words.item_page_title}"><i aria-hidden="true" class="bi bi-box-arrow-up-right"></i>'
        f'<span class="visually-hidden">{words.item_page}</span></a></td>'
        f'<td class="text-nowrap">{escape(display(m, "type"))}</td>'
        f"<td>{escape(item.lead_unit.name)}</td>"
        f'<td class="text-nowrap">{escape(person or "—")}</td>'
        f'<td class="text-nowrap">{due}</td>'
        f"<td>{item_status(getattr(item, 'state', None))}</td>"
        f"<td>{closure_tag(m)}{approved}</td>"
        f'<td class="num">{relapses}</td>'
        "</tr>"
    )


@register.simple_tag
def ledger_bodies(findings, can_manage, on_measures) -> str:
    """A <tbody> per finding: its row, then a row per measure (or a line saying there is none)."""
    words = _Words(bool(on_measures))
    out = []
    for f in findings:
        out.append('<tbody class="rl-finding">')
        out.append(_finding_row(f, words, bool(can_manage)))
        rows = [_measure_row(f, number, m, words) for number, m in enumerate(f.rows, start=1)]
        none = f'<td></td><td colspan="8" class="small db-muted">{words.no_measures}</td>'
        out.extend(rows or [f'<tr class="rl-measure-row">{none}</tr>'])
        out.append("</tbody>")
    return mark_safe("".join(out))  # noqa: S308 (texts escaped, tags built by format_html, numbers as integers)
