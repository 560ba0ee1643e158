"""The security-event chain: every entry linked to the one before by a keyed hash,
append-only in the database, and every tampering found by `verify_audit`."""

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from duban.accounts import services as account_services
from duban.audit import chain, guards
from duban.audit.models import ChainHead, EventKind, SecurityEvent
from duban.org import services as org_services
from duban.org.models import Role, RoleGrant
from tests.audit.helpers import json_param, raw, record_events, verify_fails, verify_ok
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("seq"))


# --- The chain ------------------------------------------------------------------


def test_events_are_chained_in_order():
    events = record_events(5)
    rows = list(SecurityEvent.objects.order_by("seq"))
    assert [e.seq for e in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == chain.GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in rows}) == 5
    head = ChainHead.objects.get(id=1)
    assert (head.last_seq, head.last_hash) == (5, events[-1].hash)
    assert head.head_mac == chain.head_mac(5, events[-1].hash)


def test_hash_is_keyed_and_covers_every_field():
    event = record_events(1)[0]
    fields = {
        name: getattr(event, name)
        for name in ("seq", "created_at", "kind", "actor_id", "actor_username", "target", "ip", "detail", "prev_hash")
    }
    assert chain.entry_hash(**fields) == event.hash
    # Without the key the hash cannot be recomputed.
    assert hashlib.sha256(chain.canonical(**fields)).hexdigest() != event.hash
    for name, other in (("kind", "logout"), ("target", "someone"), ("detail", {"n": 99}), ("ip", "10.0.0.1")):
        assert chain.entry_hash(**{**fields, name: other}) != event.hash


def test_verify_audit_passes_on_intact_chain():
    record_events(4)
    assert "审计链完好：共 4 条记录" in verify_ok()


def test_verify_audit_passes_on_empty_log():
    assert "共 0 条记录" in verify_ok()


# --- Tampering --------------------------------------------------------------------


def test_altered_kind_is_detected_and_named():
    record_events(5)
    raw("UPDATE audit_securityevent SET kind = %s WHERE seq = %s", ["logout", 3])
    err = verify_fails()
    assert "序号 3" in err
    assert "第 3 条记录内容被篡改" in err


def test_altered_detail_is_detected_and_named():
    record_events(5)
    raw(f"UPDATE audit_securityevent SET detail = {json_param()} WHERE seq = %s", [json.dumps({"n": 42}), 2])
    assert "序号 2" in verify_fails()


def test_altered_hash_is_detected_and_named():
    record_events(5)
    raw("UPDATE audit_securityevent SET hash = %s WHERE seq = %s", ["f" * 64, 2])
    assert "序号 2" in verify_fails()


def test_rehashing_without_the_key_is_detected():
    """Someone who rewrites a row and recomputes a plain SHA-256 still fails."""
    record_events(3)
    event = SecurityEvent.objects.get(seq=3)
    fields = {
        name: getattr(event, name)
        for name in ("seq", "created_at", "actor_id", "actor_username", "target", "ip", "detail", "prev_hash")
    }
    forged = hashlib.sha256(chain.canonical(kind="logout", **fields)).hexdigest()
    raw("UPDATE audit_securityevent SET kind = %s, hash = %s WHERE seq = %s", ["logout", forged, 3])
    assert "序号 3" in verify_fails()


def test_deleted_middle_row_is_detected_and_named():
    record_events(5)
    raw("DELETE FROM audit_securityevent WHERE seq = %s", [3])
    err = verify_fails()
    assert "序号 3" in err
    assert "缺失" in err


def test_deleted_first_row_is_detected():
    record_events(3)
    raw("DELETE FROM audit_securityevent WHERE seq = %s", [1])
    assert "序号 1" in verify_fails()


def test_deleted_last_rows_are_detected_by_the_chain_head():
    record_events(5)
    raw("DELETE FROM audit_securityevent WHERE seq >= %s", [4])
    err = verify_fails()
    assert "序号 4" in err
    assert "第 4 条及之后的记录缺失" in err


def test_deleted_everything_is_detected():
    record_events(3)
    raw("DELETE FROM audit_securityevent")
    assert "序号 1" in verify_fails()


def test_rewound_chain_head_is_detected():
    """Deleting the tail and moving the head back without the key fails too."""
    events = record_events(5)
    raw("DELETE FROM audit_securityevent WHERE seq = %s", [5])
    raw("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [4, events[3].hash])
    assert "审计链头被篡改" in verify_fails()


def test_appending_continues_after_verify():
    record_events(2)
    verify_ok()
    record_events(2)
    assert "共 4 条记录" in verify_ok()


# --- The database refuses changes -------------------------------------------------


def test_triggers_refuse_update_and_delete():
    record_events(2)
    guards.install(connection)
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("UPDATE audit_securityevent SET kind = %s WHERE seq = %s", ["logout", 1])
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("DELETE FROM audit_securityevent WHERE seq = %s", [2])
        with pytest.raises(DatabaseError), transaction.atomic():
            SecurityEvent.objects.filter(seq=1).update(target="x")
        with pytest.raises(DatabaseError), transaction.atomic():
            SecurityEvent.objects.all().delete()
        # Appending still works.
        record_events(1)
    finally:
        guards.remove(connection)
    assert SecurityEvent.objects.count() == 3
    assert SecurityEvent.objects.get(seq=1).kind == EventKind.LOGIN_SUCCESS
    verify_ok()


# --- What produces events -----------------------------------------------------------


def test_login_success_and_failure_are_recorded(people):
    client = Client()
    assert _login(client, "staff", "wrong-password").status_code == 200
    assert _login(client, "staff", PASSWORD).status_code == 302
    failure = _events(EventKind.LOGIN_FAILURE)[-1]
    assert (failure.actor_id, failure.actor_username, failure.target) == (None, "staff", "staff")
    assert failure.ip == "127.0.0.1"
    success = _events(EventKind.LOGIN_SUCCESS)[-1]
    assert (success.actor_id, success.actor_username, success.target) == (people.staff.pk, "staff", "staff")
    assert success.seq > failure.seq
    verify_ok()


def test_failed_password_is_never_recorded(people):
    _login(Client(), "staff", "Secret-Guess-123")
    assert "Secret-Guess-123" not in json.dumps(list(SecurityEvent.objects.values("detail", "target")))


def test_lockout_is_recorded(people):
    client = Client()
    for _ in range(5):
        _login(client, "liaison", "wrong-password")
    lockouts = _events(EventKind.LOCKOUT)
    assert lockouts, "reaching the failure limit records a lockout"
    assert lockouts[-1].target == "liaison"
    assert lockouts[-1].actor_username == "liaison"
    assert len(_events(EventKind.LOGIN_FAILURE)) >= 5


def test_logout_is_recorded(people, client_for):
    client = client_for(people.office)
    assert client.post("/accounts/logout/").status_code == 302
    event = _events(EventKind.LOGOUT)[-1]
    assert (event.actor_id, event.target) == (people.office.pk, "office")


def test_role_grant_and_revoke_are_recorded(org, people):
    grant = org_services.role_grant(
        acting_user=people.sec_admin, person=people.staff, role=Role.LIAISON, unit=org.academic
    )
    granted = _events(EventKind.ROLE_GRANTED)[-1]
    assert (granted.actor_id, granted.actor_username, granted.target) == (people.sec_admin.pk, "secadmin", "staff")
    assert granted.detail == {"role": "liaison", "unit": "教务处"}

    org_services.role_revoke(acting_user=people.sec_admin, grant=RoleGrant.objects.get(pk=grant.pk))
    revoked = _events(EventKind.ROLE_REVOKED)[-1]
    assert (revoked.actor_id, revoked.target) == (people.sec_admin.pk, "staff")
    assert revoked.detail == {"role": "liaison", "unit": "教务处"}
    verify_ok()


def test_settings_change_is_recorded(people, client_for):
    response = client_for(people.sys_admin).post(
        "/system/", {"institution_name": "江城航空学院", "system_name": "督查督办平台", "password_policy": "length"}
    )
    assert response.status_code == 302
    event = _events(EventKind.SETTINGS_CHANGED)[-1]
    assert (event.actor_id, event.actor_username) == (people.sys_admin.pk, "sysadmin")
    assert event.detail["password_policy"] == ["classes", "length"]
    assert event.detail["institution_name"][1] == "江城航空学院"
    assert "system_name" not in event.detail  # unchanged fields are not listed


def test_token_create_and_revoke_are_recorded(people):
    token, raw_value = account_services.api_token_create(person=people.liaison, name="教务系统")
    created = _events(EventKind.TOKEN_CREATED)[-1]
    assert (created.actor_id, created.target) == (people.liaison.pk, "liaison")
    assert created.detail == {"token": token.hint}
    assert raw_value not in json.dumps(created.detail)

    account_services.api_token_revoke(person=people.liaison, token_id=token.pk)
    revoked = _events(EventKind.TOKEN_REVOKED)[-1]
    assert (revoked.actor_id, revoked.target, revoked.detail) == (people.liaison.pk, "liaison", {"token": token.hint})
    # Revoking again records nothing new.
    account_services.api_token_revoke(person=people.liaison, token_id=token.pk)
    assert len(_events(EventKind.TOKEN_REVOKED)) == 1
