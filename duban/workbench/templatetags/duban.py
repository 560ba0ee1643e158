"""Template helpers shared by every page."""

from django import template
from django.utils.html import format_html

from duban.lib import dates

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
