"""No lost updates under real concurrency (PostgreSQL: SQLite's global write lock hides races).

Two people save the same item or progress report at the same moment, both from the copy they
loaded at the same version: exactly one save goes through, the other is refused as stale, and
the record holds the winner's text.
"""

import pytest

from duban.org.models import Role
from duban.supervision.models import Item, ProgressReport
from duban.supervision.services import Stale
from duban.supervision.services.items import item_save
from duban.supervision.services.reports import report_fill
from tests.concurrency import race
from tests.conftest import _person
from tests.markers import CONCURRENT

pytestmark = [
    CONCURRENT,
    pytest.mark.django_db(transaction=True),
]


def test_two_liaisons_saving_one_report_at_once(work, people, org):
    colleague = _person("liaison2", "孙联络", org.academic, [(Role.LIAISON, org.academic)])
    report = work.teaching.reports.order_by("-period_start").first()
    loaded = report.version

    def fill(person, text):
        return lambda: report_fill(
            acting_user=person, report=report, progress_text=text, percent=30, expected_version=loaded
        )

    results, errors = race(fill(people.liaison, "钱联络的进展"), fill(colleague, "孙联络的进展"))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Stale) and errors[0].current_version == loaded + 1
    saved = ProgressReport.objects.get(pk=report.pk)
    assert saved.version == loaded + 1
    assert saved.progress_text == results[0].progress_text


def test_two_clerks_saving_one_item_at_once(work, people, org):
    colleague = _person("office2", "陈督查", org.office, [(Role.OFFICE, None)])
    loaded = Item.objects.get(pk=work.teaching.pk).version

    def save(person, remarks):
        def call():
            item = Item.objects.get(pk=work.teaching.pk)
            item.remarks = remarks
            return item_save(acting_user=person, item=item, expected_version=loaded)

        return call

    results, errors = race(save(people.office, "王文书的备注"), save(colleague, "陈督查的备注"))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Stale)
    saved = Item.objects.get(pk=work.teaching.pk)
    assert (saved.version, saved.remarks) == (loaded + 1, results[0].remarks)
