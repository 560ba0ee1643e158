"""List pages: sorting from the URL and pagination, the same way on every page."""

from django.core.paginator import Paginator


def sort_queryset(queryset, sort_param: str, allowed: dict[str, tuple[str, ...]], default: str):
    """Order by the column named in `sort_param` ("name" or "-name") when allowed."""
    key = sort_param.lstrip("-") if sort_param else ""
    if key not in allowed:
        key, sort_param = default.lstrip("-"), default
    descending = sort_param.startswith("-")
    fields = [("-" + f if descending else f) for f in allowed[key]]
    return queryset.order_by(*fields, "pk"), sort_param


def paginate(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
