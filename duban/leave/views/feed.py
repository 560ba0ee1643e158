"""The iCalendar feed (日历订阅): a page to create, reset or revoke the secret link, and
the feed itself, opened with the token alone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from duban.leave import access as rules
from duban.leave.ical import person_calendar
from duban.leave.models import FeedToken
from duban.leave.services import feeds as services
from duban.org.access import access_for


@login_required
def feed_page(request):
    if not rules.can_subscribe(access_for(request.user)):
        raise PermissionDenied
    created = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.feed_token_revoke(person=request.user):
                messages.success(request, "订阅链接已停用，日历软件将无法再更新。")
            return redirect("leave:feed_page")
        token = services.feed_token_reset(person=request.user)
        created = request.build_absolute_uri(reverse("ical:feed", args=[token]))
    current = FeedToken.objects.filter(person=request.user).first()
    return render(request, "leave/feed.html", {"current": current, "created": created})


def feed(request, token):
    person = services.feed_person(token)
    if person is None:
        raise Http404("订阅链接无效或已停用。")
    body = person_calendar(person, request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="duban.ics"'
    return response
