"""The API fuzzed from its own OpenAPI schema (issue 9, 等保 2.0 三级): schemathesis generates
requests for every operation of /api/openapi.json and sends them, with a personal token, as two
people of different standing — 王文书 of the office, who may see and do almost everything, and
钱联络, a liaison of 教务处 — into the world of tests/security/world.py (an object of every kind),
to which the fixture adds 人事处's own leave request and message.

Every response must not be a server error, must use a status code and a content type the schema
documents, and must match the schema of that status; nothing the liaison receives may name an
object of another unit that only that unit (or the office) may see. Generated path ids rarely name
a real object, so a third of the cases use the world's real ids, and two targeted tests ask for
the other unit's objects by id and read every GET operation for them.

Schemathesis runs as a library (its pytest plugin's lazy fixture loading does not run under
pytest 9): the schema is read through the WSGI application with the token, as a client reads it,
inside the test (so from the test database), and each operation gets a small derandomised
hypothesis run. Each request runs inside a savepoint that is rolled back, so what one generated
POST changes never reaches the next request; the world's files are put back after every unsafe
request (deleting an attachment removes its file).
"""

import contextlib
import json
import shutil

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from duban.accounts.services import api_token_create
from duban.notify.services import message_send
from tests.leave.chain_helpers import ask
from tests.security.routes import api_params
from tests.security.world import FROZEN, build_world

PERSONAS = ("office", "liaison")
FOREIGN_LEAVE_REASON = "赴外地处理家中私事"
FOREIGN_MESSAGE = "只发给郑外单位的消息"


def foreign_texts(w) -> list[str]:
    """What the liaison of 教务处 must never receive: 人事处's item and measure (the finding itself
    is shared: one of its measures is 教务处's), and 郑外单位's leave request and message."""
    return [w.work.talent.title, w.rect.at_once.item.title, FOREIGN_LEAVE_REASON, FOREIGN_MESSAGE]


FUZZ = settings(
    # A fixed budget per operation (about 140 operations), kept small for CI's time limit.
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def leaked(w, response) -> list[str]:
    """The foreign texts in a response's body (JSON is read, so escaped Chinese counts too)."""
    text = response.content.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return [secret for secret in foreign_texts(w) if secret in text]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    w = build_world()
    with time_machine.travel(FROZEN, tick=False):
        # Objects only 人事处 (or the office) may see, whose text must never reach the liaison.
        w.foreign_leave, _ = ask(w.people.outsider, reason=FOREIGN_LEAVE_REASON)
        w.foreign_message = message_send(recipients=[w.people.outsider], title=FOREIGN_MESSAGE)[0]
    w.media, w.pristine = settings.MEDIA_ROOT, tmp_path / "pristine"
    shutil.copytree(w.media, w.pristine)
    return w


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, called in this thread on the test's database connection. Like
    django.test.Client, it must not close that connection at the start or end of a request (it
    holds the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz_operation(operation, path_ids: dict, send) -> None:
    """Run the operation's generated cases (valid ones, invalid ones, and valid ones naming the
    world's real objects) through `send`; the first failure (shrunk by hypothesis) is raised."""
    names = {parameter.name for parameter in operation.path_parameters}
    real = {name: path_ids[name] for name in names if path_ids.get(name) is not None}
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if names and len(real) == len(names):
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real))

    @FUZZ
    @given(case=st.one_of(strategies))
    def run(case):
        send(case)

    run()


@pytest.mark.django_db
class TestAsTheOffice:
    """One class per persona: `make test` distributes by class (--dist loadscope)."""

    def test_every_operation_answers_within_its_schema(self, world, wsgi_app):
        if connection.vendor == "postgresql":
            # CI's time budget: the SQLite pass fuzzes as both; PostgreSQL as the liaison, who
            # also checks that nothing of another unit leaks.
            pytest.skip("PostgreSQL 一轮只以联络员身份做模糊测试；SQLite 一轮两个身份都做")
        fuzz_as("office", world, wsgi_app)


@pytest.mark.django_db
class TestAsTheLiaison:
    def test_every_operation_answers_within_its_schema(self, world, wsgi_app):
        fuzz_as("liaison", world, wsgi_app)


def fuzz_as(persona, world, wsgi_app):
    assert persona in PERSONAS
    _, token = api_token_create(person=getattr(world.people, persona), name="模糊测试")
    headers = {"Authorization": f"Bearer {token}"}
    # The schema as the API serves it, read with the token like any client.
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, headers=headers)

    def send(case):
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
        finally:
            if case.method.upper() != "GET":
                shutil.copytree(world.pristine, world.media, dirs_exist_ok=True)
        case.validate_response(response, checks=CHECKS, headers=headers)
        if persona == "liaison" and response.status_code < 300:
            assert not leaked(world, response), (
                f"{case.method} {case.formatted_path} showed the liaison {leaked(world, response)}"
            )

    failures = []
    with time_machine.travel(FROZEN, tick=False):
        for result in schema.get_all_operations():
            operation = result.ok()
            try:
                fuzz_operation(operation, api_params(world, operation.path), send)
            # Schemathesis reports its findings as an exception group; every operation's is kept.
            except (Exception, BaseExceptionGroup) as error:
                failures.append(f"{operation.label}: {error}")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


def get_operations(w) -> list[tuple[str, str]]:
    """(path template, path with the world's ids) of every GET operation of the schema."""
    from duban.api.api import api

    operations = []
    for template, methods in api.get_openapi_schema()["paths"].items():
        if "get" not in methods:
            continue
        ids, path = api_params(w, template), template
        for name in [part[1:-1] for part in template.split("/") if part.startswith("{")]:
            path = path.replace("{" + name + "}", str(ids[name]))
        operations.append((template, path))
    return operations


def token_client(person) -> Client:
    _, raw = api_token_create(person=person, name="模糊测试")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_liaison_reaches_nothing_of_other_units(world):
    """人事处's objects by their real ids: refused to the liaison, open to those who may see them
    (so the refusal is about the liaison, not a wrong address)."""
    w, people = world, world.people
    item, measure = w.work.talent.pk, w.rect.at_once.pk
    owned = {
        f"/api/items/{item}": people.office,
        f"/api/items/{item}/reports": people.office,
        f"/api/items/{item}/deferrals": people.office,
        f"/api/items/{item}/records": people.office,
        f"/api/items/{item}/indicators": people.office,
        f"/api/rectification/measures/{measure}": people.office,
        f"/api/leave/requests/{w.foreign_leave.pk}": people.outsider,
        f"/api/inbox/{w.foreign_message.pk}": people.outsider,
    }
    liaison = token_client(people.liaison)
    with time_machine.travel(FROZEN, tick=False):
        for path, owner in owned.items():
            assert token_client(owner).get(path).status_code == 200, path
            response = liaison.get(path)
            assert response.status_code in (403, 404), f"{path}: {response.status_code}"
            assert not leaked(w, response), path


@pytest.mark.django_db
def test_no_get_operation_shows_the_liaison_objects_of_other_units(world):
    """Every GET operation, with the world's ids (lists, dashboards, calendars, summaries): what
    the liaison receives never names 人事处's own objects."""
    liaison = token_client(world.people.liaison)
    answered = []
    with time_machine.travel(FROZEN, tick=False):
        for template, path in get_operations(world):
            response = liaison.get(path)
            assert response.status_code < 500, f"{path}: {response.status_code}"
            assert not leaked(world, response), f"{template} showed the liaison {leaked(world, response)}"
            answered.append(response.status_code == 200)
    assert sum(answered) > 20  # the liaison does see a good part of the API: the check read real answers
