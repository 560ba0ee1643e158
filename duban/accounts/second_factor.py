"""The second factor (TOTP through django-otp): who needs it, and enrolling, checking and removing it.

The three administrators (系统管理员, 安全管理员, 审计管理员) must use it; anyone else may turn
it on. Whether the person has a device is noted in the session at login, so pages do not look it
up on every request.
"""

import base64

import segno
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.org.access import access_for
from duban.org.models import Role

HAS_DEVICE = "duban_otp_device"  # session key: the person has a confirmed device
DEVICE_NAME = "身份验证器"

ERR_CODE = "验证码不正确或已过期，请输入验证器上当前显示的 6 位数字。"
ERR_THROTTLED = "验证码错误次数过多，请 %(seconds)s 秒后再试。"
ERR_REQUIRED = "管理员账号必须使用两步验证，不能关闭。更换手机请联系安全管理员重置。"
ERR_NOT_SEC_ADMIN = "只有安全管理员可以重置两步验证。"


def is_required(person) -> bool:
    return access_for(person).is_admin


def confirmed_device(person) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=person, confirmed=True).order_by("id").first()


def note_device(request, person) -> None:
    request.session[HAS_DEVICE] = confirmed_device(person) is not None


def is_needed(request) -> bool:
    """The logged-in person must pass the second factor before going on."""
    user = request.user
    if HAS_DEVICE not in request.session:
        note_device(request, user)
    return request.session[HAS_DEVICE] or is_required(user)


def pending_device(person) -> TOTPDevice:
    """The unconfirmed device being enrolled (a new secret if there is none)."""
    device = TOTPDevice.objects.filter(user=person, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=person, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, for a phone's authenticator app."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1f2937", light="#ffffff")


def _record(request, kind) -> None:
    security_event_record(kind=kind, actor=request.user, target=request.user.get_username(), request=request)


def throttled_seconds(device: TOTPDevice) -> int:
    allowed, detail = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (detail or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


def check(request, device: TOTPDevice, code: str) -> str | None:
    """Check a code; on success the session is verified. Returns the refusal, or None."""
    code = "".join((code or "").split())
    seconds = throttled_seconds(device)
    if seconds:
        return ERR_THROTTLED % {"seconds": seconds}
    if not (code.isdigit() and device.verify_token(code)):
        _record(request, EventKind.OTP_FAILED)
        return ERR_CODE
    otp_login(request, device)
    return None


@transaction.atomic
def enroll(request, device: TOTPDevice, code: str) -> str | None:
    """Confirm the pending device with a first code; other devices of the person go."""
    refusal = check(request, device, code)
    if refusal:
        return refusal
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session[HAS_DEVICE] = True
    _record(request, EventKind.OTP_ENABLED)
    return None


@transaction.atomic
def remove(request, code: str) -> str | None:
    """Turn the second factor off (not for administrators), confirming with a current code."""
    person = request.user
    if is_required(person):
        return ERR_REQUIRED
    device = confirmed_device(person)
    if device is None:
        return None
    refusal = check(request, device, code)
    if refusal:
        return refusal
    TOTPDevice.objects.filter(user=person).delete()
    request.session[HAS_DEVICE] = False
    _record(request, EventKind.OTP_DISABLED)
    return None


@transaction.atomic
def reset(*, request, acting_user, person) -> int:
    """The security administrator removes a person's devices (a lost phone). An administrator
    enrols again at the next login; anyone else logs in with the password alone."""
    if not access_for(acting_user).has(Role.SEC_ADMIN):
        raise PermissionDenied(ERR_NOT_SEC_ADMIN)
    person = get_user_model().objects.get(pk=person.pk)
    count, _ = TOTPDevice.objects.filter(user=person).delete()
    security_event_record(
        kind=EventKind.OTP_RESET,
        actor=acting_user,
        target=person.get_username(),
        request=request,
        detail={"devices": count},
    )
    return count
