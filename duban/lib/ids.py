"""Ids in URLs that no row can have.

An `<int:…>` path segment accepts any number of digits, and a number beyond the database's
integer range makes the query itself fail (SQLite: OverflowError; PostgreSQL: DataError), a
server error instead of "not found". This middleware answers 404 for such ids before any view
runs, for the pages and the API alike.
"""

from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found

OBJECT_ID_MAX = 2**31 - 1


class OutOfRangeIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        values = [*view_args, *view_kwargs.values()]
        if not any(isinstance(v, int) and not isinstance(v, bool) and v > OBJECT_ID_MAX for v in values):
            return None
        if request.path.startswith("/api/"):
            from duban.api.errors import ERR_NOT_FOUND

            return JsonResponse({"detail": ERR_NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False})
        return page_not_found(request, Http404())
