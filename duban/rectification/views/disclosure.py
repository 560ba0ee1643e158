"""Disclosure to staff (向职工公开): the staff pages, the anonymous public page and the
office's settings. The pages are built from selectors.disclosure only, which never
reads a person or an internal field."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from duban.org.access import access_for, require
from duban.rectification import access as rules
from duban.rectification.forms_disclosure import DisclosureSettingsForm, FeedbackForm, finding_rows
from duban.rectification.models import Finding, RectificationPlan
from duban.rectification.selectors.disclosure import disclosed_plans, disclosure_for, feedback_targets
from duban.rectification.services.disclosure import disclosure_save


def _require_disclosure(request):
    access = access_for(request.user)
    if not rules.can_see_disclosure(access):
        raise PermissionDenied
    return access


@require("can_browse_org")
def disclosure_index(request):
    access = _require_disclosure(request)
    context = {"plans": disclosed_plans(), "can_manage": rules.can_manage(access)}
    return render(request, "rectification/disclosure/index.html", context)


def feedback_form_for(access, data, *, bound=None, finding=None) -> FeedbackForm | None:
    """The feedback form of a disclosure page, or None when feedback is not taken.
    `finding` preselects the finding a 提意见 link of the table points at."""
    if not (rules.can_send_feedback(access) and data.flags["disclosed"] and data.flags["feedback_open"]):
        return None
    initial = {"finding": int(finding)} if finding and str(finding).isdecimal() else {}
    return FeedbackForm(
        bound,
        initial=initial,
        targets=feedback_targets(data.plan_pk),
        allow_anonymous=data.flags["feedback_anonymous"],
    )


def render_disclosure_page(request, data, form, *, status=200):
    access = access_for(request.user)
    context = {
        "d": data,
        "form": form,
        "preview": not data.flags["disclosed"],
        "can_manage": rules.can_manage(access),
    }
    return render(request, "rectification/disclosure/page.html", context, status=status)


@require("can_browse_org")
def disclosure_page(request, pk):
    access = _require_disclosure(request)
    data = disclosure_for(plan_pk=pk, paged=True, page=request.GET.get("page"))
    # An undisclosed plan does not exist for staff; the office may preview it.
    if data is None or not (data.flags["disclosed"] or rules.can_manage(access)):
        raise Http404
    form = feedback_form_for(access, data, finding=request.GET.get("finding"))
    return render_disclosure_page(request, data, form)


@never_cache
def public_page(request, token):
    """The anonymous page: no login, only when the office switched it on."""
    data = disclosure_for(token=token, paged=True, page=request.GET.get("page"))
    if data is None or not (data.flags["disclosed"] and data.flags["public_page"]):
        raise Http404
    response = render(request, "rectification/disclosure/public.html", {"d": data})
    # The token is in the URL: do not send it to other sites, or let it be indexed or framed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["X-Frame-Options"] = "DENY"
    return response


@require("can_browse_org")
def disclosure_settings(request, pk):
    access = access_for(request.user)
    if not rules.can_manage(access):
        raise PermissionDenied
    profile = get_object_or_404(RectificationPlan.objects.select_related("plan"), pk=pk)
    findings = list(Finding.objects.filter(plan_id=pk).order_by("ordinal"))
    # As saved (the form below changes `profile` while validating).
    public_url = ""
    if profile.disclosed and profile.public_page:
        public_url = request.build_absolute_uri(reverse("rectification:public_page", args=[profile.public_token]))
    form = DisclosureSettingsForm(request.POST or None, instance=profile)
    row_errors = {}
    if request.method == "POST":
        values, row_errors = finding_rows(request.POST, findings)
        # Keep what the clerk typed when the page comes back with errors.
        for finding in findings:
            finding.disclosed, finding.public_summary = values[finding.pk]
        if form.is_valid() and not row_errors:
            try:
                disclosure_save(acting_user=request.user, profile=form.save(commit=False), findings=values)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("公开设置已保存。"))
                return redirect("rectification:disclosure_settings", pk=pk)
        elif row_errors:
            form.add_error(None, _("有 %(n)d 条问题的公开摘要需要修改，见下方标红的行。") % {"n": len(row_errors)})
    for finding in findings:
        finding.row_error = row_errors.get(finding.pk, "")
    context = {
        "profile": profile,
        "plan": profile.plan,
        "form": form,
        "findings": findings,
        "public_url": public_url,
    }
    return render(request, "rectification/disclosure/settings.html", context)
