import pytest
from django.test import Client

from duban.accounts.services import api_token_create


@pytest.fixture
def token_for(db):
    """token_for(person) -> a raw personal API token."""

    def make(person, name="测试"):
        _, raw = api_token_create(person=person, name=name)
        return raw

    return make


@pytest.fixture
def api_for(token_for):
    """api_for(person) -> a client sending the person's bearer token (no session)."""

    def make(person):
        return Client(headers={"Authorization": f"Bearer {token_for(person)}"})

    return make
