"""Rows of the assessment result's tables, built in Python.

A 60-subject session has 60 rows of a dozen cells and, per group shown separately, 60 more
rows of grade counts; in the template language those rows were most of the page. These
filters write the same markup as the template rows they replace (compared in
tests/assessment/test_result_rows.py), escaping every text. Counts are integers and scores
are strings already formatted by the count (exports.result_table).
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

DASH = "—"


def _text(value) -> str:
    """A cell's text as {{ value|default:"—" }} renders it."""
    return escape(str(value)) if value else DASH


@register.filter
def result_rows(rows) -> str:
    """The ranked table: rank, name, unit, way of reporting, a count per grade, ratings,
    positive rate, a score per dimension and the weighted score."""
    out = []
    for row in rows:
        counts = "".join(f'<td class="num">{escape(str(n))}</td>' for n in row.counts)
        dimensions = "".join(f'<td class="num">{_text(s)}</td>' for s in row.dimension_scores)
        positive = f"{escape(str(row.positive_rate))}%" if row.positive_rate else DASH
        out.append(
            f'<tr data-subject="{escape(str(row.subject_id))}">'
            f'<td class="num fw-semibold">{_text(row.rank)}</td>'
            f'<td class="text-nowrap">{escape(str(row.name))}</td>'
            f"<td>{_text(row.unit)}</td>"
            f'<td class="text-nowrap">{escape(str(row.mode))}</td>'
            f'{counts}<td class="num">{escape(str(row.ratings))}</td><td class="num">{positive}</td>'
            f'{dimensions}<td class="num fw-semibold rs-score">{_text(row.score)}</td>'
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped)


@register.filter
def breakdown_rows(rows) -> str:
    """The by-group table: rank, name, then each group's count per grade (the first of a
    group marked rs-group)."""
    out = []
    for row, groups in rows:
        cells = "".join(
            f'<td class="num{" rs-group" if i == 0 else ""}">{escape(str(n))}</td>'
            for counts in groups
            for i, n in enumerate(counts)
        )
        name = escape(str(row.name))
        out.append(f'<tr><td class="num">{_text(row.rank)}</td><td class="text-nowrap">{name}</td>{cells}</tr>')
    return mark_safe("".join(out))  # noqa: S308 (every value escaped)
