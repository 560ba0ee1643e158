"""The inbox: a person's own messages. Thin: select, paginate, mark read, redirect."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duban.lib.listing import paginate
from duban.notify import selectors, services
from duban.notify.models import Message, MessageKind

PER_PAGE = 30
UNREAD = "unread"
KIND_COLOURS = {
    MessageKind.REMINDER: "yellow",
    MessageKind.URGE: "red",
    MessageKind.NOTICE: "red",
    MessageKind.WARNING: "red",
    MessageKind.INSTRUCTION: "blue",
    MessageKind.REVIEW: "green",
    MessageKind.TASK: "blue",
    MessageKind.CIRCULAR: "grey",
    MessageKind.SYSTEM: "grey",
}


def _inbox_url(show: str = "") -> str:
    url = reverse("notify:inbox")
    return f"{url}?show={UNREAD}" if show == UNREAD else url


@login_required
@require_GET
def inbox(request):
    show = UNREAD if request.GET.get("show") == UNREAD else ""
    page = paginate(request, selectors.messages_for(request.user, unread_only=bool(show)), per_page=PER_PAGE)
    for message in page:
        message.colour = KIND_COLOURS.get(message.kind, "grey")
    context = {
        "page_obj": page,
        "show": show,
        "total": selectors.messages_for(request.user).count(),
        "unread": selectors.unread_count(request.user),
    }
    return render(request, "notify/inbox.html", context)


@login_required
@require_POST
def read_all(request):
    count = services.message_mark_read(person=request.user)
    if count:
        flash.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect(_inbox_url(request.POST.get("show", "")))


@login_required
@require_GET
def message_open(request, pk):
    """Opening a message marks it read and follows its link (only the recipient may)."""
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    if message.read_at is None:
        services.message_mark_read(person=request.user, message_ids=[message.pk])
    safe = url_has_allowed_host_and_scheme(
        message.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(message.url if message.url and safe else _inbox_url())
