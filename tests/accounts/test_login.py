"""Login, lockout, idle expiry, forced and voluntary password changes, resets."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from duban.accounts.selectors import is_locked
from duban.audit.models import EventKind, SecurityEvent
from duban.org.models import Person
from duban.system.models import PasswordPolicy, SiteSettings
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CLASS_RULE = "密码须包含大写字母、小写字母、数字和符号中的至少三类。"
START = datetime.datetime(2030, 9, 1, 9, 0, tzinfo=timezone.get_default_timezone())


def login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def change_password(client, old, new, again=None):
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


# --- The login page ------------------------------------------------------------------------


def test_login_page_is_in_chinese(db):
    response = Client().get("/accounts/login/")
    text = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in text
    for words in ("登录名", "密码", "登录", "忘记密码请联系安全管理员重置"):
        assert words in text


def test_successful_login_goes_to_my_work(people):
    client = Client()
    response = login(client, "staff")
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "我的工作" in page.content.decode()


def test_login_respects_safe_next_only(people):
    assert login(Client(), "staff", next="/org/people/")["Location"] == "/org/people/"
    assert login(Client(), "staff", next="https://evil.example/")["Location"] == "/"


def test_wrong_password_shows_a_chinese_error(people):
    response = login(Client(), "staff", "wrong-password")
    assert response.status_code == 200
    assert "登录名或密码不正确" in response.content.decode()


def test_anonymous_pages_redirect_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Lockout (django-axes, per username) --------------------------------------------------


def test_five_failures_lock_the_username_for_thirty_minutes(people):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        for attempt in range(4):
            assert login(client, "staff", f"wrong-{attempt}").status_code == 200
        login(client, "staff", "wrong-5")
        assert is_locked("staff")
        locked = login(client, "staff")  # the right password, but locked
        assert locked.status_code == 429
        assert "账号已锁定" in locked.content.decode()
        assert not is_logged_in(client)

        # Another username (even from the same address) is not locked.
        assert not is_locked("liaison")
        assert login(Client(), "liaison")["Location"] == "/"

        traveller.shift(datetime.timedelta(minutes=29))
        assert is_locked("staff")
        traveller.shift(datetime.timedelta(minutes=2))
        assert not is_locked("staff")
        fresh = Client()
        assert login(fresh, "staff")["Location"] == "/"
        assert is_logged_in(fresh)
        assert not AccessAttempt.objects.filter(username="staff").exists()  # reset on success


def test_trying_again_while_locked_restarts_the_lockout(people):
    """django-axes counts an attempt during the lockout as another failure."""
    with time_machine.travel(START, tick=False) as traveller:
        for attempt in range(5):
            login(Client(), "staff", f"wrong-{attempt}")
        traveller.shift(datetime.timedelta(minutes=20))
        assert login(Client(), "staff").status_code == 429
        traveller.shift(datetime.timedelta(minutes=20))  # 40 minutes after the 5th failure
        assert login(Client(), "staff").status_code == 429
        traveller.shift(datetime.timedelta(minutes=31))
        assert login(Client(), "staff")["Location"] == "/"


def test_security_admin_unlocks_at_once(people, client_for):
    client = Client()
    for attempt in range(6):
        login(client, "staff", f"wrong-{attempt}")
    assert login(client, "staff").status_code == 429

    response = client_for(people.sec_admin).post(f"/org/people/{people.staff.pk}/unlock/")
    assert response.status_code == 302
    event = SecurityEvent.objects.filter(kind=EventKind.ACCOUNT_UNLOCKED).latest("seq")
    assert (event.actor_id, event.target) == (people.sec_admin.pk, "staff")

    again = Client()
    assert login(again, "staff")["Location"] == "/"
    assert is_logged_in(again)


def test_only_the_security_admin_may_unlock(people, client_for):
    for persona in (people.sys_admin, people.audit_admin, people.office):
        assert client_for(persona).post(f"/org/people/{people.staff.pk}/unlock/").status_code == 403


# --- Idle sessions ----------------------------------------------------------------------


def test_idle_session_expires_after_thirty_minutes(people):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        login(client, "staff")
        assert is_logged_in(client)
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_activity_keeps_the_session_alive(people):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        login(client, "staff")
        for _ in range(3):  # 87 minutes in all, never 30 idle
            traveller.shift(datetime.timedelta(minutes=29))
            assert is_logged_in(client)


def test_session_cookie_is_not_persistent_and_http_only(people):
    client = Client()
    response = login(client, "staff")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # ends with the browser


# --- Forced password change ---------------------------------------------------------


def test_first_login_forces_a_password_change(people):
    Person.objects.filter(pk=people.staff.pk).update(must_change_password=True)
    client = Client()
    login(client, "staff")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/?first=1"
    assert client.get("/org/people/")["Location"] == "/accounts/password/?first=1"
    page = client.get("/accounts/password/?first=1")
    assert "首次登录或密码被重置后" in page.content.decode()

    response = change_password(client, PASSWORD, "Duban-2030x")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)  # the session survived the change
    people.staff.refresh_from_db()
    assert not people.staff.must_change_password
    assert people.staff.check_password("Duban-2030x")
    assert SecurityEvent.objects.filter(kind=EventKind.PASSWORD_CHANGED, actor_id=people.staff.pk).exists()


# --- Password policy ----------------------------------------------------------------


def test_two_character_classes_are_refused(people, client_for):
    response = change_password(client_for(people.staff), PASSWORD, "abcdefgh1")
    assert response.status_code == 200
    assert CLASS_RULE in form_errors(response)
    people.staff.refresh_from_db()
    assert people.staff.check_password(PASSWORD)


def test_three_character_classes_satisfy_the_class_rule(people, client_for):
    # "Abcdefg1" passes the class rule; Django's common-password list refuses it
    # for another reason, so the class rule's message must not appear.
    response = change_password(client_for(people.staff), PASSWORD, "Abcdefg1")
    assert CLASS_RULE not in form_errors(response)
    assert change_password(client_for(people.staff), PASSWORD, "Jcah-fly7")["Location"] == "/"


def test_length_only_policy(people, client_for):
    response = client_for(people.sys_admin).post(
        "/system/",
        {"institution_name": "江城航空学院", "system_name": "督查督办平台", "password_policy": PasswordPolicy.LENGTH},
    )
    assert response.status_code == 302
    assert SiteSettings.current().password_policy == PasswordPolicy.LENGTH

    client = client_for(people.staff)
    short = change_password(client, PASSWORD, "abc123x")
    assert short.status_code == 200
    assert "密码太短，至少需要 8 个字符。" in form_errors(short)  # in Chinese, like the other rules
    assert change_password(client, PASSWORD, "abcdefgh1x")["Location"] == "/"
    people.staff.refresh_from_db()
    assert people.staff.check_password("abcdefgh1x")


def test_wrong_old_password_is_refused(people, client_for):
    response = change_password(client_for(people.staff), "not-my-password", "Duban-2030x")
    assert response.status_code == 200
    assert "当前密码不正确。" in form_errors(response)


def test_mismatched_new_passwords_are_refused(people, client_for):
    response = change_password(client_for(people.staff), PASSWORD, "Duban-2030x", "Duban-2030y")
    assert "两次输入的新密码不一致。" in form_errors(response)


def test_new_password_must_differ_from_the_old(people, client_for):
    response = change_password(client_for(people.staff), PASSWORD, PASSWORD)
    assert "新密码不能与当前密码相同。" in form_errors(response)


# --- Logout -----------------------------------------------------------------------------


def test_logout_requires_post(people):
    client = Client()
    login(client, "staff")
    assert client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not is_logged_in(client)


# --- Password reset by the security administrator -------------------------------------


def test_security_admin_resets_a_password(people, client_for):
    response = client_for(people.sec_admin).post(f"/org/people/{people.staff.pk}/reset-password/")
    assert response.status_code == 200
    temporary = response.context["password"]
    assert len(temporary) >= 12
    assert temporary in response.content.decode()  # shown once, here
    people.staff.refresh_from_db()
    assert people.staff.must_change_password
    assert not people.staff.check_password(PASSWORD)
    event = SecurityEvent.objects.filter(kind=EventKind.PASSWORD_RESET).latest("seq")
    assert (event.actor_id, event.target) == (people.sec_admin.pk, "staff")
    assert temporary not in str(event.detail)

    # Nowhere to see it again: the person's page does not show it and the reset is POST only.
    detail = client_for(people.sec_admin).get(f"/org/people/{people.staff.pk}/")
    assert temporary not in detail.content.decode()
    assert client_for(people.sec_admin).get(f"/org/people/{people.staff.pk}/reset-password/").status_code == 405

    # The person logs in with it and must change it first.
    client = Client()
    assert login(client, "staff", temporary)["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/password/?first=1"
    assert change_password(client, temporary, "Duban-2030x")["Location"] == "/"
    assert is_logged_in(client)


def test_security_admin_cannot_reset_their_own_password(people, client_for):
    client = client_for(people.sec_admin)
    response = client.post(f"/org/people/{people.sec_admin.pk}/reset-password/", follow=True)
    assert "不能重置自己的密码" in response.content.decode()
    people.sec_admin.refresh_from_db()
    assert people.sec_admin.check_password(PASSWORD)
    assert not people.sec_admin.must_change_password
    assert not SecurityEvent.objects.filter(kind=EventKind.PASSWORD_RESET).exists()


def test_only_the_security_admin_may_reset_passwords(people, client_for):
    for persona in (people.sys_admin, people.audit_admin, people.leader):
        assert client_for(persona).post(f"/org/people/{people.staff.pk}/reset-password/").status_code == 403
    people.staff.refresh_from_db()
    assert people.staff.check_password(PASSWORD)
