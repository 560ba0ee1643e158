"""The second factor: required of the three administrators, optional for everyone else."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from duban.accounts.services import api_token_create
from duban.audit.models import EventKind, SecurityEvent
from tests.accounts.test_login import login

pytestmark = pytest.mark.django_db

START = datetime.datetime(2030, 9, 2, 8, 0, tzinfo=timezone.get_default_timezone())


def code(device, shift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + shift * device.step
    return f"{totp.token():06d}"


def wrong(device) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def pending(username) -> TOTPDevice:
    return TOTPDevice.objects.filter(user__username=username).order_by("-id").first()


def events(kind) -> list[str]:
    return list(SecurityEvent.objects.filter(kind=kind).values_list("target", flat=True))


def enrolled(client, username):
    """Log in with the password and enrol an authenticator (an administrator's first login)."""
    login(client, username)
    client.get("/accounts/otp/setup/")
    device = pending(username)
    response = client.post("/accounts/otp/setup/", {"code": code(device), "next": "/"})
    assert response.status_code == 302, response.content.decode()
    return device


# --- Administrators must ---------------------------------------------------------------------


def test_an_administrator_without_an_authenticator_is_sent_to_enrol(people):
    with time_machine.travel(START, tick=False):
        client = Client()
        response = login(client, "sysadmin")
        assert response.status_code == 302
        page = client.get("/org/units/")
        assert page.status_code == 302
        assert page["Location"] == "/accounts/otp/setup/?next=%2Forg%2Funits%2F"
        setup = client.get(page["Location"])
        text = setup.content.decode()
        assert setup.status_code == 200
        assert "您是管理员，按等级保护要求" in text and "<svg" in text
        secret = re.search(r'aria-label="密钥">([A-Z2-7 ]+)<', text).group(1)
        assert len(secret.replace(" ", "")) == 32
        assert client.get("/api/me").status_code == 401  # the API sees no one until the code is given


def test_enrolment_needs_a_right_code_then_opens_everything(people):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        login(client, "sysadmin")
        client.get("/accounts/otp/setup/")
        device = pending("sysadmin")
        refused = client.post("/accounts/otp/setup/", {"code": wrong(device)})
        assert refused.status_code == 200
        assert "验证码不正确或已过期" in refused.content.decode()
        assert not TOTPDevice.objects.get(pk=device.pk).confirmed
        assert events(EventKind.OTP_FAILED) == ["sysadmin"]
        traveller.shift(datetime.timedelta(seconds=2))  # a failure holds the next try back a second
        right = client.post("/accounts/otp/setup/", {"code": code(device), "next": "/org/units/"})
        assert right.status_code == 302 and right["Location"] == "/org/units/"
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert client.get("/org/units/").status_code == 200
        assert client.get("/api/me").status_code == 200
        assert events(EventKind.OTP_ENABLED) == ["sysadmin"]


def test_the_next_login_asks_for_the_code(people):
    with time_machine.travel(START, tick=False) as traveller:
        device = enrolled(Client(), "auditadmin")
        traveller.shift(datetime.timedelta(minutes=1))
        client = Client()
        login(client, "auditadmin")
        page = client.get("/audit/events/")
        assert page["Location"] == "/accounts/otp/?next=%2Faudit%2Fevents%2F"
        # Enrolling again would replace the authenticator without proving it is at hand: refused.
        assert client.get("/accounts/otp/setup/")["Location"].startswith("/accounts/otp/?")
        verify = client.get(page["Location"])
        assert "请打开手机上的身份验证器" in verify.content.decode()
        device.refresh_from_db()
        response = client.post("/accounts/otp/", {"code": code(device), "next": "/audit/events/"})
        assert response["Location"] == "/audit/events/"
        assert client.get("/audit/events/").status_code == 200


def test_a_code_is_good_once_and_guessing_is_slowed(people):
    with time_machine.travel(START, tick=False) as traveller:
        device = enrolled(Client(), "secadmin")  # the enrolment used the current code
        client = Client()
        login(client, "secadmin")
        device.refresh_from_db()
        replay = client.post("/accounts/otp/", {"code": code(device)})
        assert "验证码不正确或已过期" in replay.content.decode()  # a code is good only once
        for _ in range(3):
            client.post("/accounts/otp/", {"code": wrong(device)})
        throttled = client.post("/accounts/otp/", {"code": code(device, shift=1)})
        assert "验证码错误次数过多" in throttled.content.decode()
        traveller.shift(datetime.timedelta(minutes=5))
        device.refresh_from_db()
        assert client.post("/accounts/otp/", {"code": code(device)}).status_code == 302


def test_an_administrator_cannot_turn_it_off(people):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        device = enrolled(client, "sysadmin")
        traveller.shift(datetime.timedelta(minutes=1))
        device.refresh_from_db()
        client.post("/accounts/otp/remove/", {"code": code(device)})
        assert TOTPDevice.objects.filter(user=people.sys_admin, confirmed=True).exists()
        page = client.get("/accounts/otp/setup/")
        assert "管理员账号必须使用两步验证，不能关闭" in page.content.decode()


def test_personal_tokens_are_not_affected(people):
    _token, raw = api_token_create(person=people.audit_admin, name="日志对接")
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


# --- Everyone else may ---------------------------------------------------------------------


def test_staff_log_in_with_the_password_alone_until_they_turn_it_on(people):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        login(client, "staff")
        assert client.get("/").status_code == 200
        page = client.get("/accounts/otp/setup/")
        assert "启用后，登录时除密码外" in page.content.decode()
        device = pending("staff")
        client.post("/accounts/otp/setup/", {"code": code(device)})
        status = client.get("/accounts/otp/setup/").content.decode()
        assert "已启用" in status and "关闭两步验证" in status
        # From now on the password alone is not enough.
        other = Client()
        login(other, "staff")
        assert other.get("/")["Location"].startswith("/accounts/otp/")
        # Turning it off takes a current code.
        traveller.shift(datetime.timedelta(minutes=1))
        device.refresh_from_db()
        client.post("/accounts/otp/remove/", {"code": wrong(device)})
        assert TOTPDevice.objects.filter(user=people.staff).exists()
        traveller.shift(datetime.timedelta(seconds=2))
        client.post("/accounts/otp/remove/", {"code": code(device)})
        assert not TOTPDevice.objects.filter(user=people.staff).exists()
        assert events(EventKind.OTP_DISABLED) == ["staff"]
        third = Client()
        login(third, "staff")
        assert third.get("/").status_code == 200


# --- A lost phone ----------------------------------------------------------------------------


def test_the_security_administrator_resets_a_lost_authenticator(people, client_for):
    with time_machine.travel(START, tick=False):
        enrolled(Client(), "sysadmin")
        page = client_for(people.sec_admin).get(f"/org/people/{people.sys_admin.pk}/")
        assert "重置两步验证" in page.content.decode()
        assert client_for(people.office).post(f"/org/people/{people.sys_admin.pk}/reset-otp/").status_code == 403
        assert TOTPDevice.objects.filter(user=people.sys_admin).exists()
        response = client_for(people.sec_admin).post(f"/org/people/{people.sys_admin.pk}/reset-otp/")
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=people.sys_admin).exists()
        assert events(EventKind.OTP_RESET) == ["sysadmin"]
        client = Client()
        login(client, "sysadmin")
        assert client.get("/")["Location"].startswith("/accounts/otp/setup/")
