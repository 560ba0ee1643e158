from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from duban.accounts.tasks import purge_expired_sessions


def test_purge_removes_only_expired_sessions(db):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + timedelta(minutes=10))
    purge_expired_sessions.call_local()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
