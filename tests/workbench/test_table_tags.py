"""The tags that render cells of long tables (rate, ledger_no, item_status, count_cells):
the same HTML the includes they replace rendered, with text escaped."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from duban.supervision.models import ItemState, Status
from duban.workbench.templatetags import duban as tags


def render(source: str, **context) -> str:
    return Template("{% load duban %}" + source).render(Context(context))


def test_a_rate_shows_part_of_whole_and_rounded_percent():
    assert tags.rate(0.875, 7, 8) == '<span class="small db-muted">7/8</span> 88%'
    assert render("{% rate r 2 3 %}", r=2 / 3) == '<span class="small db-muted">2/3</span> 67%'


def test_nothing_to_rate_is_a_dash():
    assert render("{% rate None 0 0 %}") == '<span class="db-muted">—</span>'


def test_a_ledger_number_carries_its_project():
    project = SimpleNamespace(parent_id=None, ordinal=2)
    measure = SimpleNamespace(parent_id=7, parent=project, ordinal=3)
    assert tags.ledger_no(project) == "2"
    assert tags.ledger_no(measure) == "2.3"


def test_a_status_tag_escapes_its_reason():
    state = ItemState(status=Status.OVERDUE, colour="red", reason='<img src=x onerror="alert(1)">逾期')
    html = render("{% item_status s %}", s=state)
    title = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;逾期"
    assert html.startswith(f'<span class="db-tag db-tag-red" title="{title}">')
    assert html.endswith(f"{Status.OVERDUE.label}</span>")
    assert render("{% item_status None %}") == '<span class="db-tag db-tag-grey">—</span>'


def test_count_cells_grey_the_zeros_and_accept_only_numbers():
    assert render("{{ c|count_cells }}", c=[3, 0]) == (
        '<td class="num">3</td><td class="num"><span class="db-muted">0</span></td>'
    )
    with pytest.raises(ValueError):
        tags.count_cells(["<script>"])


@pytest.mark.parametrize(
    "route",
    [
        "supervision:item_detail",
        "rectification:measure_detail",
        "rectification:finding_detail",
        "supervision:plan_detail",
    ],
)
def test_an_id_url_is_the_reversed_route(route):
    for pk in (1, 42, 987654321):
        assert tags.id_url(route, pk) == reverse(route, args=[pk])
    assert render(f"{{% id_url '{route}' 7 %}}") == reverse(route, args=[7])


def test_an_id_url_follows_the_script_prefix():
    plain = tags.id_url("supervision:item_detail", 5)
    set_script_prefix("/duban/")
    try:
        assert (
            tags.id_url("supervision:item_detail", 5)
            == "/duban" + plain
            == reverse("supervision:item_detail", args=[5])
        )
    finally:
        set_script_prefix("/")


def test_an_id_url_refuses_a_route_without_one_id():
    with pytest.raises(NoReverseMatch):
        tags.id_url("supervision:plan_list", 1)
