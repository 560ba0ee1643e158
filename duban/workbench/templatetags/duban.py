"""Template helpers shared by every page."""

from django import template
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from duban.lib import dates
from duban.lib.choices import display

register = template.Library()


@register.filter
def cn_date(value):
    return dates.cn_date(value)


@register.filter
def cn_date_full(value):
    return dates.cn_date(value, full=True)


@register.filter
def cn_datetime(value):
    return dates.cn_datetime(value)


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (filters stay in the URL)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def sort_link(context, field, label):
    """A column header that sorts by `field`, toggling direction; shows an arrow."""
    request = context["request"]
    current = request.GET.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    if current == field:
        query["sort"] = "-" + field
        arrow = " ↑"
    elif current == "-" + field:
        query["sort"] = field
        arrow = " ↓"
    else:
        query["sort"] = field
        arrow = ""
    return format_html('<a class="sort" href="?{}">{}{}</a>', query.urlencode(), label, arrow)


@register.simple_tag
def tag(text, colour="grey"):
    return format_html('<span class="db-tag db-tag-{}">{}</span>', colour, text)


@register.filter
def role_labels(grants):
    """Distinct role names of a person's grants, in role order (scoped grants repeat roles)."""
    seen: dict[str, str] = {}
    for grant in grants:
        seen.setdefault(grant.role, grant.get_role_display())
    return list(seen.values())


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when missing)."""
    if mapping is None:
        return None
    return mapping.get(key)


# Cells of long tables: a tag costs a fraction of an {% include %} per row (the league table
# renders two per unit).


@register.simple_tag
def rate(value, part, whole):
    """A rate cell: "12/15 80%", or a dash when there is nothing to rate (rate None)."""
    if value is None:
        return mark_safe('<span class="db-muted">—</span>')  # noqa: S308 (a constant)
    percent = round(float(value) * 100)
    return mark_safe(f'<span class="small db-muted">{int(part)}/{int(whole)}</span> {percent}%')  # noqa: S308 (numbers)


@register.filter
def ledger_no(item):
    """An item's ledger number: "2", or "2.3" for a measure of project 2 (needs item.parent loaded)."""
    if item.parent_id:
        return f"{item.parent.ordinal}.{item.ordinal}"
    return str(item.ordinal)


@register.simple_tag
def item_status(state):
    """An item's status tag in its plan's colour, the reason as its tooltip (a dash before the
    first evaluation)."""
    if not state:
        return mark_safe('<span class="db-tag db-tag-grey">—</span>')  # noqa: S308 (a constant)
    return format_html(
        '<span class="db-tag db-tag-{}" title="{}">{}</span>', state.colour, state.reason, display(state, "status")
    )


@register.filter(name="display")
def display_filter(instance, name):
    """{{ obj|display:"field" }}: the same as {{ obj.get_field_display }}, at a fraction of the
    cost in a long table (duban.lib.choices)."""
    return display(instance, name)


@register.filter
def count_cells(counts):
    """Table cells of counts (integers), a zero greyed: one filter per row of a wide count
    table instead of a loop and a condition per cell (the dashboard has ~1,000 such cells)."""
    zero = '<td class="num"><span class="db-muted">0</span></td>'
    return mark_safe("".join(f'<td class="num">{int(n)}</td>' if n else zero for n in counts))  # noqa: S308 (integers only)


# --- Links in long tables -----------------------------------------------------------------
# {% url %} reverses a route on every call (about a quarter of the 整改台账 page's time, two
# links per row). A route that takes one integer id is reversed once per process, with a
# stand-in id, and each link is that URL with the id put in its place.
_STAND_IN = 987654321987
_ID_ROUTES: dict[tuple[str, str], tuple[str, str]] = {}


@register.simple_tag
def id_url(viewname, pk):
    """The same as {% url viewname pk %} for a route whose only argument is an integer id."""
    key = (viewname, get_script_prefix())
    parts = _ID_ROUTES.get(key)
    if parts is None:
        head, found, tail = reverse(viewname, args=[_STAND_IN]).partition(str(_STAND_IN))
        if not found or str(_STAND_IN) in tail:
            raise NoReverseMatch(f"{viewname} does not take one integer id")
        parts = _ID_ROUTES[key] = (head, tail)
    return f"{parts[0]}{int(pk)}{parts[1]}"
