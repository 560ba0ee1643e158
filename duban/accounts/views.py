from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.accounts import services
from duban.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from duban.accounts.models import ApiToken


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Per address, on top of axes' per-account lockout: too many failures from one address
        # stop further attempts from it for a while, whatever the usernames tried.
        if services.login_address_throttled(request):
            return render(request, "accounts/throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        services.login_address_failed(self.request)
        return super().form_invalid(form)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a username has reached the failure limit."""
    return render(request, "accounts/locked_out.html", status=429)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(request=request, person=request.user, new_password=form.cleaned_data["new_password1"])
        messages.success(request, _("密码已修改。"))
        return redirect("workbench:home")
    first = request.user.must_change_password
    return render(request, "accounts/password_change.html", {"form": form, "first": first})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, raw = services.api_token_create(person=request.user, name=form.cleaned_data["name"], request=request)
        created = raw
        form = TokenForm()
    rows = ApiToken.objects.filter(person=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": rows, "created": created})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, person=request.user)
    services.api_token_revoke(person=request.user, token_id=token.pk, request=request)
    messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("accounts:tokens")
