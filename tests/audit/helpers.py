"""Shared helpers for the audit tests: tampering with rows behind the application's back."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from duban.audit.models import EventKind
from duban.audit.services import security_event_record


def record_events(n: int, *, actor=None, kind=EventKind.LOGIN_SUCCESS, **extra):
    return [
        security_event_record(kind=kind, actor=actor, target=f"user{i}", detail={"n": i}, **extra) for i in range(n)
    ]


def raw(sql: str, params=()):
    """Run SQL directly, as someone with database access (not the application) would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def json_param() -> str:
    """A placeholder for a JSON value that both SQLite and PostgreSQL (jsonb) accept."""
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def verify_ok() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_fails() -> str:
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    return err.getvalue()
