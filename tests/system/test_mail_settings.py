"""The outgoing mail server set on the settings page: its password encrypted at rest,
never shown or logged, decrypted only to send; key loss and key rotation."""

import json
import socket
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from duban.audit.models import EventKind, SecurityEvent
from duban.lib.crypto import EncryptedTextField, is_unreadable
from duban.notify.mail import ERR_PASSWORD_UNREADABLE
from duban.notify.models import Channel, Delivery
from duban.notify.services import _email, message_send
from duban.system.management.commands.rotate_settings_key import ENCRYPTED
from duban.system.models import MailSettings
from tests.system.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db
PASSWORD = "Smtp-Auth-9f3k!"


@pytest.fixture
def sink():
    server = SmtpSink()
    yield server
    server.close()


@pytest.fixture
def admin(people, client_for):
    return client_for(people.sys_admin)


def _form(sink, **extra) -> dict:
    values = {
        "mail-enabled": "on",
        "mail-host": "127.0.0.1",
        "mail-port": str(sink.port),
        "mail-security": "none",
        "mail-username": "duban@example.edu.cn",
        "mail-from_email": "duban@example.edu.cn",
        "mail-new_password": PASSWORD,
    }
    values.update(extra)
    return values


def _stored_token() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM system_mailsettings WHERE id = 1")
        return cursor.fetchone()[0]


def test_the_password_is_stored_encrypted_and_read_back(admin, sink):
    response = admin.post("/system/mail/", _form(sink))
    assert response.status_code == 302
    token = _stored_token()
    assert PASSWORD not in token and token.startswith("gAAAA")  # a Fernet token
    assert MailSettings.current().password == PASSWORD


def test_the_page_never_shows_the_password(admin, sink):
    admin.post("/system/mail/", _form(sink))
    page = admin.get("/system/").content.decode()
    assert PASSWORD not in page and _stored_token() not in page
    assert "已保存口令（加密存放，不再显示）" in page


def test_a_blank_password_keeps_the_saved_one_and_clearing_removes_it(admin, sink):
    admin.post("/system/mail/", _form(sink))
    admin.post("/system/mail/", _form(sink, **{"mail-new_password": "", "mail-host": "localhost"}))
    assert MailSettings.current().password == PASSWORD
    assert MailSettings.current().host == "localhost"
    admin.post("/system/mail/", _form(sink, **{"mail-new_password": "", "mail-clear_password": "on"}))
    assert MailSettings.current().password == ""


def test_the_change_is_a_security_event_without_the_password(people, admin, sink):
    admin.post("/system/mail/", _form(sink))
    event = SecurityEvent.objects.filter(kind=EventKind.SETTINGS_CHANGED, target="邮件服务器").get()
    assert event.actor_id == people.sys_admin.pk
    assert event.detail["password"] == "已更改"
    assert event.detail["host"] == ["", "127.0.0.1"]
    everything = json.dumps(list(SecurityEvent.objects.values("detail", "target")), ensure_ascii=False)
    everything += json.dumps(list(LogEntry.objects.values("changes", "object_repr")), ensure_ascii=False)
    assert PASSWORD not in everything and _stored_token() not in everything


def test_bad_input_is_refused_in_chinese_and_nothing_saved(admin, sink):
    page = admin.post("/system/mail/", _form(sink, **{"mail-host": "", "mail-port": "70000"})).content.decode()
    assert "启用时须填写 SMTP 服务器。" in page
    assert "端口应在 1 到 65535 之间。" in page
    page = admin.post("/system/mail/", _form(sink, **{"mail-clear_password": "on"})).content.decode()
    assert "填写了新口令时不能同时清除口令。" in page
    page = admin.post("/system/mail/", _form(sink, **{"mail-new_password": "授权码"})).content.decode()
    assert "邮件服务器口令只能包含英文字母、数字和符号。" in page
    assert not MailSettings.objects.exists()


def test_reminders_go_out_through_the_configured_server(people, admin, sink, django_capture_on_commit_callbacks):
    admin.post("/system/mail/", _form(sink))
    people.liaison.email = "liaison@example.edu.cn"
    people.liaison.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        message_send(recipients=[people.liaison], title="事项即将到期", body="请及时报送进展。")
    assert sink.logins == [("duban@example.edu.cn", PASSWORD)]
    assert len(sink.messages) == 1 and "liaison@example.edu.cn" in sink.messages[0]
    assert Delivery.objects.get(channel=Channel.EMAIL).ok


def test_the_test_button_sends_and_reports_a_failure_in_chinese(admin, sink):
    admin.post("/system/mail/", _form(sink))
    response = admin.post("/system/mail/test/", {"test-to": "ana@example.edu.cn"}, follow=True)
    assert "测试邮件已发往 ana@example.edu.cn" in response.content.decode()
    assert len(sink.messages) == 1
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    admin.post("/system/mail/", _form(sink, **{"mail-port": str(free), "mail-new_password": ""}))
    response = admin.post("/system/mail/test/", {"test-to": "ana@example.edu.cn"}, follow=True)
    assert response.status_code == 200
    assert "测试邮件发送失败" in response.content.decode()


def test_a_lost_key_is_reported_and_the_stored_password_kept(people, admin, sink, settings):
    admin.post("/system/mail/", _form(sink))
    token = _stored_token()
    original = list(settings.SETTINGS_ENCRYPTION_KEYS)
    settings.SETTINGS_ENCRYPTION_KEYS = ["a-different-key"]
    mail = MailSettings.current()
    assert is_unreadable(mail.password) and mail.password == ""
    page = admin.get("/system/").content.decode()
    assert "已保存的口令无法解密" in page
    # Mail is not attempted with a wrong password; the failure is recorded for the office.
    people.liaison.email = "liaison@example.edu.cn"
    people.liaison.save(update_fields=["email"])
    message = message_send(recipients=[people.liaison], title="提醒")[0]
    _email(message.pk, people.liaison.email)
    failed = Delivery.objects.get(channel=Channel.EMAIL)
    assert not failed.ok and failed.error == ERR_PASSWORD_UNREADABLE
    assert sink.logins == []
    # Saving another field keeps the token, so putting the right key back restores it.
    admin.post("/system/mail/", _form(sink, **{"mail-new_password": "", "mail-host": "localhost"}))
    assert _stored_token() == token
    settings.SETTINGS_ENCRYPTION_KEYS = original
    assert MailSettings.current().password == PASSWORD


def test_rotating_the_key_re_encrypts_under_the_new_one(admin, sink, settings):
    settings.SETTINGS_ENCRYPTION_KEYS = ["old-key"]
    admin.post("/system/mail/", _form(sink))
    settings.SETTINGS_ENCRYPTION_KEYS = ["new-key", "old-key"]
    out = StringIO()
    call_command("rotate_settings_key", stdout=out)
    assert "重新加密 1 项" in out.getvalue()
    settings.SETTINGS_ENCRYPTION_KEYS = ["new-key"]
    assert MailSettings.current().password == PASSWORD


def test_every_encrypted_column_is_rotated():
    fields = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.fields
        if isinstance(field, EncryptedTextField)
    }
    assert fields == set(ENCRYPTED)


@pytest.mark.parametrize("name", ["office", "sec_admin", "audit_admin", "liaison"])
def test_only_the_system_admin_sets_the_mail_server(people, client_for, sink, name):
    client = client_for(getattr(people, name))
    assert client.post("/system/mail/", _form(sink)).status_code == 403
    assert client.post("/system/mail/test/", {"test-to": "a@example.edu.cn"}).status_code == 403
    assert not MailSettings.objects.exists() and sink.messages == []


def test_the_audit_log_labels_the_change_in_chinese(people, admin, client_for, sink):
    admin.post("/system/mail/", _form(sink))
    page = client_for(people.audit_admin).get("/audit/events/", {"kind": EventKind.SETTINGS_CHANGED}).content.decode()
    for label in ("SMTP 服务器：", "端口：", "加密方式：", "口令：", "发件人地址："):
        assert label in page
    assert "SSL/TLS（端口 465） → 不加密（端口 25）" in page
    assert "已更改" in page and PASSWORD not in page
