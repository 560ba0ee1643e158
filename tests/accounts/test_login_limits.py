"""Limits beyond the per-account lockout: failed logins per client address, and the absolute
lifetime of a login whatever the activity."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from duban.audit.models import EventKind, SecurityEvent
from tests.accounts.test_login import is_logged_in, login

pytestmark = pytest.mark.django_db

START = datetime.datetime(2030, 9, 2, 8, 0, tzinfo=timezone.get_default_timezone())
CAMPUS = "10.20.0.1"
DORM = "10.30.0.7"


@pytest.fixture
def limit(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_WINDOW = datetime.timedelta(minutes=15)


def client_at(address):
    return Client(REMOTE_ADDR=address)


# --- Failed logins per address --------------------------------------------------------------


def test_failures_from_one_address_stop_logins_from_it_whatever_the_usernames(people, limit):
    with time_machine.travel(START, tick=False):
        client = client_at(CAMPUS)
        for username in ("staff", "liaison", "head"):  # one failure each: no account is locked
            assert login(client, username, "wrong").status_code == 200
        refused = login(client, "office")  # right password, but from the same address
        assert refused.status_code == 429
        assert "错误登录次数过多" in refused.content.decode()
        assert not is_logged_in(client)
        assert login(client_at(DORM), "office").status_code == 302  # another address is not affected
    events = SecurityEvent.objects.filter(kind=EventKind.ADDRESS_THROTTLED)
    assert [(e.target, e.ip) for e in events] == [(CAMPUS, CAMPUS)]
    assert events.get().detail == {"limit": 3, "minutes": 15}


def test_the_address_may_log_in_again_after_the_window(people, limit):
    with time_machine.travel(START, tick=False) as traveller:
        client = client_at(CAMPUS)
        for _ in range(3):
            login(client, "nobody-here", "wrong")
        assert login(client, "staff").status_code == 429
        traveller.shift(datetime.timedelta(minutes=16))
        assert login(client, "staff").status_code == 302
        assert is_logged_in(client)


def test_successful_logins_do_not_count(people, limit):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            client = client_at(CAMPUS)
            assert login(client, "staff").status_code == 302


# --- The absolute lifetime of a login -------------------------------------------------------


def test_a_login_ends_after_twelve_hours_however_active(people):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        login(client, "staff")
        for _ in range(24):  # active every 29 minutes: 11 h 36 min
            traveller.shift(datetime.timedelta(minutes=29))
            assert is_logged_in(client)
        traveller.shift(datetime.timedelta(minutes=25))  # 12 h 1 min after logging in
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"])
        assert "登录已超过 12 小时，为了账号安全请重新登录。" in page.content.decode()
        assert client.get("/api/me").status_code == 401
        assert SecurityEvent.objects.filter(kind=EventKind.LOGOUT, actor_username="staff").exists()
        login(client, "staff")  # a new login starts a new 12 hours
        traveller.shift(datetime.timedelta(minutes=10))
        assert is_logged_in(client)


def test_the_lifetime_is_a_setting(people, settings):
    settings.SESSION_ABSOLUTE_HOURS = 1
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        login(client, "staff")
        traveller.shift(datetime.timedelta(minutes=29))
        assert is_logged_in(client)
        traveller.shift(datetime.timedelta(minutes=29))
        assert is_logged_in(client)
        traveller.shift(datetime.timedelta(minutes=3))
        assert not is_logged_in(client)
