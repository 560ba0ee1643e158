from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.accounts import second_factor, services
from duban.accounts.forms import CodeForm, LoginForm, PasswordChangeForm, TokenForm
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


# --- The second factor ------------------------------------------------------------------------


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("workbench:home")


@login_required
def otp_verify(request):
    """After the password: the code from the person's authenticator app."""
    device = second_factor.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _next(request)})}")
    if request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = second_factor.check(request, device, form.cleaned_data["code"])
        if refusal is None:
            return redirect(_next(request))
        form.add_error("code", refusal)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_setup(request):
    """Turn the second factor on (administrators are sent here until they do), or see that it is on."""
    device = second_factor.confirmed_device(request.user)
    if device is not None and not request.user.is_verified():
        # A second enrolment must not replace a device the person has not proved they hold.
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': _next(request)})}")
    required = second_factor.is_required(request.user)
    if device is not None:
        return render(request, "accounts/otp_status.html", {"required": required, "form": CodeForm()})
    pending = second_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = second_factor.enroll(request, pending, form.cleaned_data["code"])
        if refusal is None:
            messages.success(request, _("两步验证已启用。以后登录时，输入密码后还需输入验证器上的验证码。"))
            return redirect(_next(request))
        form.add_error("code", refusal)
    context = {
        "required": required,
        "form": form,
        "qr": second_factor.qr_svg(pending),
        "secret": second_factor.secret_text(pending),
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_POST
def otp_remove(request):
    form = CodeForm(request.POST)
    refusal = second_factor.remove(request, form.cleaned_data["code"]) if form.is_valid() else _("请输入验证码。")
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, _("两步验证已关闭。"))
    return redirect("accounts:otp_setup")
