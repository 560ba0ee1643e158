"""The result page's rows built in Python (result_tables): the same HTML as the template
rows they replace, with every text escaped."""

import re

from django.template import Context, Template

from duban.assessment.exports import ResultRow

# The rows as result.html wrote them before.
RESULT_TEMPLATE = """{% for row in rows %}<tr data-subject="{{ row.subject_id }}">
  <td class="num fw-semibold">{{ row.rank|default:"—" }}</td><td class="text-nowrap">{{ row.name }}</td>
  <td>{{ row.unit|default:"—" }}</td>
  <td class="text-nowrap">{{ row.mode }}</td>
  {% for n in row.counts %}<td class="num">{{ n }}</td>{% endfor %}
  <td class="num">{{ row.ratings }}</td>
  <td class="num">{% if row.positive_rate %}{{ row.positive_rate }}%{% else %}—{% endif %}</td>
  {% for s in row.dimension_scores %}<td class="num">{{ s|default:"—" }}</td>{% endfor %}
  <td class="num fw-semibold rs-score">{{ row.score|default:"—" }}</td>
</tr>{% endfor %}"""

BREAKDOWN_TEMPLATE = """{% for row, groups in rows %}<tr><td class="num">{{ row.rank|default:"—" }}</td>
  <td class="text-nowrap">{{ row.name }}</td>
  {% for counts in groups %}{% for n in counts %}<td class="num{% if forloop.first %} rs-group{% endif %}">{{ n }}</td>
  {% endfor %}{% endfor %}</tr>{% endfor %}"""


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def rows():
    return [
        ResultRow(
            7,
            1,
            '<b>"欧阳" & 明</b>',
            "教务处",
            "现场述职",
            [12, 3, 0, 1],
            1234,
            "93.8",
            "91.25",
            ["90.5", None],
            {3: [5, 1, 0, 0]},
        ),
        ResultRow(8, None, "司马光", "", "书面述职", [0, 0, 0, 0], 0, None, None, [None, None], {}),
    ]


def test_result_rows_are_the_templates_rows():
    built = render("{% load result_tables %}{{ rows|result_rows }}", rows=rows())
    assert squeeze(built) == squeeze(render(RESULT_TEMPLATE, rows=rows()))
    assert "<b>" not in built and "&lt;b&gt;&quot;欧阳&quot; &amp; 明&lt;/b&gt;" in built
    assert '<td class="num">1234</td>' in built and "93.8%" in built


def test_breakdown_rows_are_the_templates_rows():
    pairs = [(row, [[5, 1, 0, 0], [2, 2, 1, 0]]) for row in rows()]
    built = render("{% load result_tables %}{{ pairs|breakdown_rows }}", pairs=pairs)
    assert squeeze(built) == squeeze(render(BREAKDOWN_TEMPLATE, rows=pairs))
    assert built.count("rs-group") == 4  # the first count of each group, in each row
