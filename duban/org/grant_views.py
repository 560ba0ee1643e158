"""Pages of the security administrator: role grants, unlocking, password resets."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.accounts import second_factor
from duban.accounts import services as account_services
from duban.lib.listing import paginate
from duban.org import services
from duban.org.access import access_for, require
from duban.org.forms import GrantForm, unit_choices
from duban.org.models import Person, Role, RoleGrant


def _next_or(request, default: str) -> str:
    """Where to go after a POST: the posted `next` when it stays on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require("can_grant_roles")
def grants(request):
    access = access_for(request.user)
    person = None
    if request.GET.get("person", "").isdecimal():
        person = Person.objects.filter(pk=request.GET["person"]).first()
    form = GrantForm(request.POST or None, tree=access.tree, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.role_grant(
                acting_user=request.user,
                person=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已授予：%(grant)s") % {"grant": grant})
            return redirect(_next_or(request, "org:grants"))
    rows = RoleGrant.objects.select_related("person", "unit", "granted_by").order_by(
        "role", "unit__order", "person__name"
    )
    role = request.GET.get("role", "")
    if role:
        rows = rows.filter(role=role)
    page = paginate(request, rows, per_page=50)
    context = {
        "form": form,
        "page_obj": page,
        "total": page.paginator.count,
        "roles": Role.choices,
        "role": role,
        "person": person,
        "unit_options": unit_choices(access.tree),
    }
    return render(request, "org/grants.html", context)


@require("can_grant_roles")
@require_POST
def grant_revoke(request, pk):
    grant = get_object_or_404(RoleGrant.objects.select_related("person", "unit"), pk=pk)
    label = str(grant)
    try:
        services.role_revoke(acting_user=request.user, grant=grant, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤销：%(grant)s") % {"grant": label})
    return redirect(_next_or(request, "org:grants"))


@require("can_grant_roles")
@require_POST
def person_unlock(request, pk):
    person = get_object_or_404(Person, pk=pk)
    account_services.account_unlock(request=request, acting_user=request.user, username=person.username)
    messages.success(request, _("账号“%(name)s”已解锁。") % {"name": person.username})
    return redirect(person)


@require("can_grant_roles")
@require_POST
def person_reset_second_factor(request, pk):
    person = get_object_or_404(Person, pk=pk)
    second_factor.reset(request=request, acting_user=request.user, person=person)
    messages.success(
        request, _("已重置“%(name)s”的两步验证，其下次登录时可重新绑定身份验证器。") % {"name": person.name}
    )
    return redirect(person)


@require("can_grant_roles")
@require_POST
def person_reset_password(request, pk):
    person = get_object_or_404(Person, pk=pk)
    try:
        password = account_services.password_reset(request=request, acting_user=request.user, person=person)
    except Exception as error:  # PermissionDenied with a message for the self-reset case
        messages.error(request, str(error))
        return redirect(person)
    return render(request, "org/person_created.html", {"person": person, "password": password, "reset": True})
