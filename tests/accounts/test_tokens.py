"""Personal API tokens: shown once, stored as a digest, revocable by their owner only."""

import hashlib

import pytest

from duban.accounts.models import ApiToken
from duban.audit.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db


def test_tokens_page_requires_login(client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_shows_the_token_once_and_stores_only_a_digest(people, client_for):
    client = client_for(people.liaison)
    response = client.post("/accounts/tokens/", {"name": "教务系统对接"})
    assert response.status_code == 200
    raw = response.context["created"]
    assert raw.startswith("dbn_")
    assert raw in response.content.decode()
    assert "它只显示这一次" in response.content.decode()

    token = ApiToken.objects.get(person=people.liaison)
    assert token.name == "教务系统对接"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.hint == raw[:10]
    stored = [str(v) for v in ApiToken.objects.values_list("name", "digest", "hint").get()]
    assert all(raw not in value for value in stored)

    again = client.get("/accounts/tokens/")
    assert raw not in again.content.decode()
    assert token.hint in again.content.decode()
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_CREATED, actor_id=people.liaison.pk).count() == 1


def test_token_needs_a_name(people, client_for):
    response = client_for(people.liaison).post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 200
    assert response.context["created"] is None
    assert not ApiToken.objects.exists()


def test_revoke(people, client_for):
    client = client_for(people.liaison)
    client.post("/accounts/tokens/", {"name": "对接"})
    token = ApiToken.objects.get()
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/tokens/"
    assert "已吊销" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_REVOKED, actor_id=people.liaison.pk).count() == 1


def test_cannot_revoke_someone_elses_token(people, client_for):
    client_for(people.liaison).post("/accounts/tokens/", {"name": "对接"})
    token = ApiToken.objects.get()
    response = client_for(people.staff).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active
    assert not SecurityEvent.objects.filter(kind=EventKind.TOKEN_REVOKED).exists()


def test_tokens_page_lists_only_my_tokens(people, client_for):
    client_for(people.liaison).post("/accounts/tokens/", {"name": "钱的令牌"})
    client_for(people.staff).post("/accounts/tokens/", {"name": "吴的令牌"})
    text = client_for(people.staff).get("/accounts/tokens/").content.decode()
    assert "吴的令牌" in text
    assert "钱的令牌" not in text
