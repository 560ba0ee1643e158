"""No one reaches what is not theirs: every page and API operation, requested by every persona,
must give what tests/security/authz_matrix.txt says.

The routes come from the URL configuration and the API schema, so a new view or endpoint fails
here until the matrix has its row (record with DUBAN_RECORD_AUTHZ=1, then review the diff). Each
request runs inside a savepoint that is rolled back, so one route's POST cannot change what the
next route sees. The rules the matrix must obey whatever is recorded are in test_authz_rules.py.
"""

import json
import os
import shutil
import traceback

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client

from tests.conftest import login_as
from tests.security import matrix
from tests.security.routes import api_routes, api_schema, page_routes
from tests.security.world import FROZEN, build_world

pytestmark = pytest.mark.django_db

RECORDING = os.environ.get("DUBAN_RECORD_AUTHZ") == "1"

# On PostgreSQL the matrix runs for these personas only (anonymous and the head of an
# uninvolved unit, the column that guards against IDOR): who may do what is decided in Python, the
# same on both databases, and the SQLite run checks all fourteen; the PostgreSQL run is there
# for what differs by database (queries, locks, types). It keeps CI within its time budget.
POSTGRES_PERSONAS = {"a", "y"}


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    w = build_world()
    # Deleting an attachment removes its file, which no savepoint brings back: every unsafe
    # request is followed by putting the world's files back.
    w.media, w.pristine = settings.MEDIA_ROOT, tmp_path / "pristine"
    shutil.copytree(w.media, w.pristine)
    return w


def send(client: Client, route):
    if route.method == "GET":
        return client.get(route.path)
    if route.is_api and not route.form:
        body = json.dumps(route.body) if route.body is not None else ""
        return client.generic(route.method, route.path, body, content_type="application/json")
    if route.method == "POST":
        return client.post(route.path, route.body or {})
    return client.generic(route.method, route.path, "", content_type="application/x-www-form-urlencoded")


def observe(w, person, routes) -> tuple[dict, list[str]]:
    observed, errors = {}, []
    client = None
    for route in routes:
        if client is None:  # one logged-in client for the routes, again after logging out
            client = Client()
            if person is not None:
                login_as(client, person)
        client_after = None if route.key == "accounts:logout" else client
        client.cookies.pop("messages", None)  # a message left by one route must not colour the next
        try:
            with transaction.atomic():
                response = send(client, route)
                transaction.set_rollback(True)
        except Exception:  # noqa: BLE001 - a crash is a finding, reported with its traceback
            observed[(route.key, route.method)] = "E"
            errors.append(f"{route.method} {route.path}: {traceback.format_exc(limit=-3)}")
            continue
        finally:
            client = client_after
            if route.method != "GET":
                shutil.copytree(w.pristine, w.media, dirs_exist_ok=True)
        cell = matrix.outcome(response)
        if cell == "E":
            errors.append(f"{route.method} {route.path}: {response.status_code}")
        observed[(route.key, route.method)] = cell
    return observed, errors


def _personas(half: int):
    """Half of the personas: `make test` distributes by class (--dist loadscope), so two
    classes let the two workers share the matrix instead of one worker taking it all."""
    rows = [(code, attr) for code, attr, _label in matrix.PERSONAS][half::2]
    return pytest.mark.parametrize("code,attr", rows, ids=[code for code, _attr in rows])


class TestPersonasOne:
    @_personas(0)
    def test_every_route_gives_each_persona_what_the_matrix_says(self, code, attr, world):
        check(code, attr, world)


class TestPersonasTwo:
    @_personas(1)
    def test_every_route_gives_each_persona_what_the_matrix_says(self, code, attr, world):
        check(code, attr, world)


def check(code, attr, world):
    if connection.vendor == "postgresql" and code not in POSTGRES_PERSONAS and not RECORDING:
        pytest.skip("on PostgreSQL the matrix is checked for two personas; SQLite checks all fourteen")
    person = getattr(world.people, attr) if attr else None
    with time_machine.travel(FROZEN, tick=False):
        routes = page_routes(world) + api_routes(world, api_schema())
        observed, errors = observe(world, person, routes)
    assert not errors, "server errors:\n" + "\n".join(errors)
    if RECORDING:
        matrix.record_column(code, observed)
        return
    expected = matrix.read()
    missing = sorted(f"{key} {method}" for key, method in observed if (key, method) not in expected)
    assert not missing, (
        "routes without a row in tests/security/authz_matrix.txt (record with DUBAN_RECORD_AUTHZ=1 and review):\n"
        + "\n".join(missing)
    )
    stale = sorted(f"{key} {method}" for key, method in expected if (key, method) not in observed)
    assert not stale, "rows of routes that no longer exist:\n" + "\n".join(stale)
    wrong = [
        f"{key} {method}: expected {expected[(key, method)][code]}, got {cell}"
        for (key, method), cell in sorted(observed.items())
        if expected[(key, method)][code] != cell
    ]
    assert not wrong, f"persona {code} ({attr or 'anonymous'}):\n" + "\n".join(wrong)
