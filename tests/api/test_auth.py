"""Who may call the API: tokens, sessions, CSRF, refused accounts."""

from datetime import timedelta

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from duban.accounts.models import ApiToken
from duban.accounts.services import api_token_revoke
from tests.conftest import login_as

pytestmark = pytest.mark.django_db

ERR_401 = "未登录或令牌无效。"


def test_no_auth_is_401_in_chinese(people):
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"detail": ERR_401}


def test_token_auth(people, token_for):
    raw = token_for(people.head)
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "head"
    assert body["name"] == "赵处长"


def test_token_scheme_is_case_insensitive(people, token_for):
    raw = token_for(people.head)
    assert Client().get("/api/me", headers={"Authorization": f"bearer {raw}"}).status_code == 200


@pytest.mark.parametrize("raw", ["dbn_wrong", "wrong", "dbn_" + "x" * 43])
def test_wrong_token_is_401(people, raw):
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["detail"] == ERR_401


def test_revoked_token_is_401(people, token_for):
    raw = token_for(people.head)
    token = ApiToken.objects.get(person=people.head)
    api_token_revoke(person=people.head, token_id=token.pk)
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["detail"] == ERR_401


def test_token_of_inactive_person_is_401(people, token_for):
    raw = token_for(people.head)
    people.head.is_active = False
    people.head.save()
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_wrong_token_does_not_fall_back_to_the_session(people, client_for):
    client = client_for(people.head)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me", headers={"Authorization": "Bearer dbn_wrong"}).status_code == 401


def test_must_change_password_is_refused(people, token_for, client_for):
    raw = token_for(people.head)
    people.head.must_change_password = True
    people.head.save()
    for response in (
        Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"}),
        client_for(people.head).get("/api/me"),
    ):
        assert response.status_code == 403
        assert "修改初始密码" in response.json()["detail"]


def test_inactive_session_is_401(people, client_for):
    client = client_for(people.head)
    people.head.is_active = False
    people.head.save()
    assert client.get("/api/me").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(people, token_for, django_assert_num_queries):
    raw = token_for(people.head)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    token = ApiToken.objects.get(person=people.head)
    assert token.last_used_at is None

    client.get("/api/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    client.get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_no_write_per_request(people, token_for, django_assert_num_queries):
    raw = token_for(people.head)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get("/api/me")
    # token (with person), person, grants: no UPDATE of last_used_at the second time.
    with django_assert_num_queries(3):
        client.get("/api/me")


def _csrf_client(person):
    return login_as(Client(enforce_csrf_checks=True), person)


def test_session_get_needs_no_csrf_token(people):
    assert _csrf_client(people.head).get("/api/me").status_code == 200


def test_session_post_without_csrf_is_refused(people):
    client = _csrf_client(people.sys_admin)
    response = client.post("/api/units", {"name": "新单位", "parent_id": None}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_post_with_csrf_is_accepted(people, org):
    client = _csrf_client(people.sys_admin)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/units",
        {"name": "新单位", "parent_id": org.school.pk},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 201, response.json()


def test_token_post_needs_no_csrf(people, org, token_for):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(people.sys_admin)}"})
    response = client.post(
        "/api/units", {"name": "新单位", "parent_id": org.school.pk}, content_type="application/json"
    )
    assert response.status_code == 201


def test_anonymous_post_is_401_not_csrf(people):
    response = Client(enforce_csrf_checks=True).post("/api/units", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"] == ERR_401
