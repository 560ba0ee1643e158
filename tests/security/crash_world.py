"""The data of the crash-recovery tests, built in a Django process of its own with the
environment of the server under test (its database, its var folder, its secret key):

    python -m tests.security.crash_world < {"ballots": 240, "subjects": 30}

It finishes the database the test copied from the migrated test database (the copy has every
table and the migration records, and no rows: the data migrations are replayed, which installs
the append-only guards, and post_migrate is emitted, as `migrate` would), collects the static
files the production settings serve, and builds what the tests drive over HTTP: an office
clerk with a logged-in session (made here as the test client's force_login makes one: the
login page is not what these tests are about, and hashing a password costs a second), a plan
to import a ledger into, and an open review session with one code per ballot.

Prints one line of JSON. Must not import pytest: the settings would switch to the test
configuration (other password hashers, immediate background jobs, unhashed static files).
"""

import json
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    import django

    django.setup()


def _data_migrations() -> None:
    """What `migrate` would have written into an empty database beyond its tables."""
    from django.apps import apps
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.operations.special import RunPython

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    if executor.migration_plan(leaves):
        raise SystemExit("the copied database is not fully migrated")
    done = []
    for leaf in leaves:
        for node in executor.loader.graph.forwards_plan(leaf):
            if node not in done:
                done.append(node)
    with connection.schema_editor() as editor:
        for node in done:
            for operation in executor.loader.graph.nodes[node].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)
    emit_post_migrate_signal(0, False, "default")


def _session_of(person) -> str:
    """The key of a session in which `person` is logged in."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.create()
    return store.session_key


def seed(spec: dict) -> dict:
    from django.core.management import call_command

    from duban.assessment.models import ReviewSession, Subject, VoterGroup
    from duban.assessment.services import sessions as svc
    from duban.assessment.services.codes import codes_generate
    from duban.org.models import Person, Role, RoleGrant, Unit, UnitKind
    from duban.supervision.models import Plan, PlanKind
    from duban.supervision.services.plans import plan_save

    _data_migrations()
    call_command("collectstatic", interactive=False, verbosity=0)

    school = Unit.objects.create(name="江城航空学院", kind=UnitKind.INSTITUTION, order=1)
    office_unit = Unit.objects.create(name="党委办公室", kind=UnitKind.DEPARTMENT, parent=school, order=10)
    units = [
        Unit.objects.create(name=name, kind=UnitKind.DEPARTMENT, parent=school, order=20 + i)
        for i, name in enumerate(["教务处", "人事处", "科技处", "财务处", "后勤处"])
    ]
    party = Unit.objects.create(name="机关党委", kind=UnitKind.PARTY_COMMITTEE, parent=school, order=40)
    office = Person.objects.create_user(
        username="office", password=None, name="王文书", unit=office_unit, must_change_password=False
    )
    RoleGrant.objects.create(person=office, role=Role.OFFICE)
    plan = plan_save(
        acting_user=office,
        plan=Plan(title="2026年重点工作", kind=PlanKind.ANNUAL, year=2026, owner_unit=office_unit),
    )

    session = svc.session_create(
        acting_user=office,
        session=ReviewSession(title="2026年述职评议", year=2026, organiser=party, top_quota_percent=30),
    )
    subjects = [
        svc.part_save(acting_user=office, obj=Subject(session=session, order=i, name=f"被测评人{i}")).pk
        for i in range(1, spec["subjects"] + 1)
    ]
    group = svc.part_save(acting_user=office, obj=VoterGroup(session=session, name="代表", ballots=spec["ballots"]))
    svc.session_open(acting_user=office, session=session)
    codes = codes_generate(acting_user=office, group=group, count=spec["ballots"])
    return {
        "office_session": _session_of(office),
        "plan": plan.pk,
        "units": [unit.name for unit in units],
        "session": session.pk,
        "subjects": subjects,
        "codes": codes,
    }


def main() -> None:
    spec = json.loads(sys.stdin.read() or "{}")
    _django()
    print(json.dumps(seed(spec), ensure_ascii=False))


if __name__ == "__main__":
    main()
