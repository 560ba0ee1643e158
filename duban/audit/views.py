"""The audit administrator's pages: the security-event log and the record history.

Read-only by design: there are no edit or delete views, and the only POST (the
chain check) reads the log and writes nothing.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from duban.audit import selectors
from duban.audit.models import EventKind, SecurityEvent
from duban.audit.services import security_chain_verify
from duban.lib.listing import paginate
from duban.org.access import require

PER_PAGE = 50


@require("can_read_audit")
@require_safe
def security_events(request):
    filters = selectors.EventFilters.from_query(request.GET)
    page = paginate(request, selectors.security_events(filters), per_page=PER_PAGE)
    context = {
        "page_obj": page,
        "rows": selectors.event_rows(page.object_list),
        "total": page.paginator.count,
        "filters": filters,
        "kinds": EventKind.choices,
    }
    return render(request, "audit/events.html", context)


@require("can_read_audit")
@require_POST
def chain_verify(request):
    problem = security_chain_verify()
    if problem is None:
        count = SecurityEvent.objects.count()
        messages.success(request, _("审计链完好，共 %(count)s 条记录。") % {"count": count})
    else:
        messages.error(
            request,
            _("审计链校验失败：%(message)s（序号 %(seq)s）。") % {"message": problem.message, "seq": problem.seq},
        )
    return redirect("audit:events")


@require("can_read_audit")
@require_safe
def record_history(request):
    filters = selectors.HistoryFilters.from_query(request.GET)
    page = paginate(request, selectors.history_entries(filters), per_page=PER_PAGE)
    context = {
        "page_obj": page,
        "rows": selectors.history_rows(page.object_list),
        "total": page.paginator.count,
        "filters": filters,
        "models": selectors.history_model_choices(),
        "actions": [(str(value), label) for value, label in selectors.ACTION_LABELS.items()],
    }
    return render(request, "audit/history.html", context)
