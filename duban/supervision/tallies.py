"""Keeping StateTally (a plan's item states counted by unit, status, colour and week verdict)
in step with the states.

`tallies_refresh` recounts the (plan, lead unit) groups whose states changed, from the states
themselves: state.states_refresh calls it once per refresh, with the groups of every state it
wrote (before and after). `tallies_rebuild` recounts whole plans (the periodic sweep, for the
active plans, so that a tally mends itself whatever wrote the states; migration 0011).

Recounting from the states, not adding differences, keeps it exact under concurrency: on
PostgreSQL a transaction-scoped advisory lock per plan makes the recounts of one plan take turns,
and each recount (a new statement under READ COMMITTED) sees every state committed before it
got the lock. On SQLite one writer runs at a time anyway.
"""

from collections import defaultdict

from django.db import connections, router, transaction
from django.db.models import Count, Q, Sum

from duban.lib.bulk import rows_insert

TALLY_LOCK = 0x64756274  # PostgreSQL advisory-lock class of a plan's tallies ("dubt")
KEY = ("plan_id", "lead_unit_id", "status", "colour", "week_start", "week_filing")


def _models():
    from duban.supervision.models import ItemState, StateTally

    return ItemState, StateTally


def _lock(tally_model, plan_ids) -> None:
    connection = connections[router.db_for_write(tally_model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for plan_id in sorted(plan_ids):  # one order for everyone: no deadlock between recounts
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TALLY_LOCK, plan_id])


def _counted(states):
    """The tally rows of the given states, as dicts for rows_insert (one grouped query)."""
    return list(
        states.exclude(lead_unit_id=None)
        .values(*KEY)
        .annotate(
            item_count=Count("status"),
            fallen_due=Count("status", filter=Q(fallen_due=True)),
            on_time=Count("status", filter=Q(on_time=True)),
            missing_reports=Sum("missing_reports"),
            reports_due=Sum("reports_due"),
            reports_punctual=Sum("reports_punctual"),
            reports_awaiting=Sum("reports_awaiting"),
        )
        .order_by()
    )


def _recount(state_model, tally_model, **group) -> None:
    """Replace the tally rows of `group` (a plan, and maybe some of its units) by a count of
    its states; the caller holds the plan's lock."""
    tally_model.objects.filter(**group).delete()
    rows_insert(tally_model, _counted(state_model.objects.filter(**group)))


def tallies_refresh(groups, *, state_model=None, tally_model=None) -> None:
    """Recount the given (plan id, lead unit id) groups from their states."""
    by_plan = defaultdict(set)
    for plan_id, unit_id in groups:
        if plan_id is not None and unit_id is not None:
            by_plan[plan_id].add(unit_id)
    if not by_plan:
        return
    state_model, tally_model = state_model or _models()[0], tally_model or _models()[1]
    with transaction.atomic(using=router.db_for_write(tally_model)):
        _lock(tally_model, by_plan)
        for plan_id in sorted(by_plan):
            _recount(state_model, tally_model, plan_id=plan_id, lead_unit_id__in=sorted(by_plan[plan_id]))


def tallies_rebuild(plan_ids, *, state_model=None, tally_model=None) -> None:
    """Recount whole plans from their states, one plan at a time (outside a transaction, such
    as in the sweep, each plan in its own, so that no more than one plan is locked at once)."""
    state_model, tally_model = state_model or _models()[0], tally_model or _models()[1]
    for plan_id in sorted(set(plan_ids)):
        with transaction.atomic(using=router.db_for_write(tally_model)):
            _lock(tally_model, [plan_id])
            _recount(state_model, tally_model, plan_id=plan_id)


def tallies_drift(plan_id) -> list[tuple]:
    """The groups of a plan whose tally differs from its states (empty when in step): for the
    tests, and for whoever suspects a tally."""
    state_model, tally_model = _models()

    def keyed(rows):
        return {tuple(row[k] for k in KEY): {k: v for k, v in row.items() if k not in KEY} for row in rows}

    fields = [f.attname for f in tally_model._meta.concrete_fields if f.attname != "id"]
    kept = keyed(tally_model.objects.filter(plan_id=plan_id).values(*fields))
    live = keyed(_counted(state_model.objects.filter(plan_id=plan_id)))
    return sorted(
        ((key, kept.get(key), live.get(key)) for key in kept.keys() | live.keys() if kept.get(key) != live.get(key)),
        key=str,
    )
