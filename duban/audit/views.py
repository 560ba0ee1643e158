"""The audit administrator's pages: the security-event log and the record history.

Read-only by design: there are no edit or delete views; the only POST (the chain
check) reads the log. The audit administrator's own reading is recorded too, as
security events (查阅审计记录, 校验审计链, 导出数据), so that it can be audited.
"""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from duban.audit import selectors
from duban.audit.export import events_jsonl
from duban.audit.models import EventKind, SecurityEvent
from duban.audit.services import security_chain_verify, security_event_record
from duban.lib.listing import paginate
from duban.org.access import require

PER_PAGE = 50
EVENTS = "安全审计日志"
HISTORY = "记录历史"


def _record_reading(request, *, kind=EventKind.AUDIT_VIEWED, target: str, **detail) -> None:
    query = request.GET.urlencode()
    if query:
        detail["query"] = query[:500]
    security_event_record(kind=kind, actor=request.user, target=target, request=request, detail=detail)


@require("can_read_audit")
@require_safe
def security_events(request):
    filters = selectors.EventFilters.from_query(request.GET)
    page = paginate(request, selectors.security_events(filters), per_page=PER_PAGE)
    rows = selectors.event_rows(page.object_list)
    # Recorded after the page is read, so the list shows it from the next reading on.
    _record_reading(request, target=EVENTS)
    context = {
        "page_obj": page,
        "rows": rows,
        "total": page.paginator.count,
        "filters": filters,
        "kinds": EventKind.choices,
        "export_query": request.GET.urlencode(),
        "retention": selectors.retention_summary(),
    }
    return render(request, "audit/events.html", context)


@require("can_read_audit")
@require_safe
def events_export(request):
    """The filtered events, oldest first, as JSON lines for an external log system."""
    filters = selectors.EventFilters.from_query(request.GET)
    newest = SecurityEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    # Bounded before the export itself is recorded, so the file holds what was asked for.
    rows = selectors.security_events(filters).filter(seq__lte=newest)
    _record_reading(request, kind=EventKind.EXPORT, target=EVENTS, count=rows.count())
    response = StreamingHttpResponse(events_jsonl(rows), content_type="application/x-ndjson; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="security-events-{stamp}.jsonl"'
    return response


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
    result = "完好" if problem is None else f"失败：{problem.message}（序号 {problem.seq}）"
    security_event_record(
        kind=EventKind.AUDIT_VERIFIED, actor=request.user, target=EVENTS, request=request, detail={"result": result}
    )
    return redirect("audit:events")


@require("can_read_audit")
@require_safe
def record_history(request):
    filters = selectors.HistoryFilters.from_query(request.GET)
    page = paginate(request, selectors.history_entries(filters), per_page=PER_PAGE)
    rows = selectors.history_rows(page.object_list)
    _record_reading(request, target=HISTORY)
    context = {
        "page_obj": page,
        "rows": rows,
        "total": page.paginator.count,
        "filters": filters,
        "models": selectors.history_model_choices(),
        "actions": [(str(value), label) for value, label in selectors.ACTION_LABELS.items()],
    }
    return render(request, "audit/history.html", context)
