# ruff: noqa: E501 (the replaced template is kept here verbatim, long lines and all)
"""The 整改台账's rows written by rectification_tables.ledger_bodies: the same HTML as the
template rows they replace, every branch and every text escaped."""

import re

import pytest
from django.template import Context, Template

from duban.org.access import access_for
from duban.rectification.selectors.ledger import LedgerFilters, ledger_for
from duban.rectification.templatetags.rectification_tables import ledger_bodies

from .test_ledger_views import close_deadline

# The rows as ledger.html wrote them before.
TEMPLATE = """{% load i18n duban rectification %}    {# Words used on every row, translated once. #}
    {% translate "事项页面：进展报告、附件" as t_item_page_title %}{% translate "事项页面" as t_item_page %}{% translate "长期坚持" as t_ongoing %}{% translate "添加措施" as t_add_measure %}
    {% for f in ledger.findings %}<tbody class="rl-finding">
      <tr class="rl-finding-row">
        <td class="num"><strong>{{ f.ordinal }}</strong></td>
        <td colspan="6">
          <div class="d-flex flex-wrap gap-2 align-items-center mb-1">
            {% if f.reference %}<span class="small db-muted">{{ f.reference }}</span>{% endif %}
            {% tag f.category "grey" %} {% severity_tag f %} {% origin_tag f %}
          </div>
          <a class="rl-desc" href="{% id_url 'rectification:finding_detail' f.pk %}">{{ f.description|truncatechars:160 }}</a>
          <div class="small db-muted">{% for u in f.units.all %}{{ u.name }}{% if not forloop.last %}、{% endif %}{% empty %}{% translate "未指定单位" %}{% endfor %}</div>
        </td>
        <td>{% if f.total and f.closed == f.total %}{% tag _("问题已销号") "green" %}{% else %}<span class="small">{% blocktranslate with c=f.closed t=f.total %}已销号 {{ c }}/{{ t }}{% endblocktranslate %}</span>{% endif %}
          {% if can_manage %}<div><a class="small" href="{% id_url 'rectification:measure_create' f.pk %}">{{ t_add_measure }}</a></div>{% endif %}</td>
        <td class="num">{% if f.relapses %}{% tag f.relapses "yellow" %}{% endif %}</td>
      </tr>
      {% for m in f.rows %}<tr class="rl-measure-row">
        <td class="num small db-muted">{{ f.ordinal }}.{{ forloop.counter }}</td>
        <td><a href="{% id_url 'rectification:measure_detail' m.pk %}">{{ m.item.title }}</a> <a class="small db-muted" href="{% id_url 'supervision:item_detail' m.pk %}" title="{{ t_item_page_title }}"><i aria-hidden="true" class="bi bi-box-arrow-up-right"></i><span class="visually-hidden">{{ t_item_page }}</span></a></td>
        <td class="text-nowrap">{{ m|display:"type" }}</td>
        <td>{{ m.item.lead_unit.name }}</td>
        <td class="text-nowrap">{{ m.item.responsible_person.name|default:"—" }}</td>
        <td class="text-nowrap">{% if m.item.due_date %}{{ m.item.due_date|cn_date_full }}{% else %}{{ t_ongoing }}{% endif %}</td>
        <td>{% item_status m.item.state %}</td>
        <td>{% closure_tag m %}{% if m.closure == "closed" and m.approver_name %}<div class="small db-muted">{{ m.approver_name }} · {{ m.approved_at|cn_date }}</div>{% endif %}</td>
        <td class="num">{% if m.relapse_count %}{% tag m.relapse_count "yellow" %}{% else %}<span class="db-muted">0</span>{% endif %}</td>
      </tr>{% empty %}<tr class="rl-measure-row"><td></td><td colspan="8" class="small db-muted">{% if filters.on_measures %}{% translate "没有符合筛选条件的措施。" %}{% else %}{% translate "还没有整改措施。" %}{% endif %}</td></tr>{% endfor %}
    </tbody>{% endfor %}
"""

HOSTILE = '<script>alert("x")</script> & 教务处'


def squeeze(html: str) -> str:
    """HTML without the blanks between tags (the template's line breaks and indentation)."""
    return re.sub(r">\s+<", "><", html.strip())


def hostile_ledger(rect, people):
    """The fixture's ledger page with hostile texts and every branch the rows have: a closed
    measure with its approver, relapses, a finding from a 回头看 round, one without measures,
    a measure without a responsible person, end date or state."""
    close_deadline(rect, people)
    ledger = ledger_for(access_for(people.office), rect.plan, LedgerFilters())
    first, second = ledger.findings[0], ledger.findings[1]
    first.reference, first.category, first.description = HOSTILE, HOSTILE, HOSTILE * 20
    first.relapses, first.origin_round_id = 3, 5
    second.origin_feedback_id = 7
    closed = next(m for m in first.rows if m.closure == "closed")
    closed.approver_name, closed.relapse_count = HOSTILE, 2
    closed.item.title = HOSTILE
    closed.item.lead_unit.name = HOSTILE
    bare = second.rows[-1]
    bare.item.responsible_person, bare.item.due_date = None, None
    bare.item._state.fields_cache["state"] = None  # read as "no state" (RelatedObjectDoesNotExist)
    empty = type(second)(
        pk=second.pk + 1000,
        plan_id=second.plan_id,
        ordinal=9,
        category="其他",
        severity=second.severity,
        description="无措施",
    )
    empty.total = empty.closed = empty.relapses = 0
    empty.rows = []
    empty._prefetched_objects_cache = {"units": type(second).units.field.related_model.objects.none()}
    return [first, second, empty]


@pytest.mark.parametrize("can_manage", [True, False])
@pytest.mark.parametrize("on_measures", [True, False])
def test_ledger_rows_are_the_templates_rows(rect, people, can_manage, on_measures):
    findings = hostile_ledger(rect, people)
    filters = {"on_measures": on_measures}
    old = Template(TEMPLATE).render(
        Context({"ledger": {"findings": findings}, "can_manage": can_manage, "filters": filters})
    )
    new = ledger_bodies(findings, can_manage, on_measures)
    assert squeeze(new) == squeeze(old)
    assert "<script>" not in new and "&lt;script&gt;" in new
    assert new.count('<tbody class="rl-finding">') == 3
    assert '<span class="db-tag db-tag-grey">—</span>' in new  # the measure without a state
