"""Two clerks edit the same item: the second save is refused and shows what the first changed,
instead of overwriting it; saving again after reading it goes through."""

import datetime

import pytest
import time_machine

from duban.org.models import Role
from duban.org.tree import UnitTree
from duban.supervision.forms import ItemForm
from duban.supervision.models import Item
from tests.conftest import _person

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


def posted(item) -> dict:
    """What the edit page's form submits unchanged."""
    form = ItemForm(instance=item, plan=item.plan, tree=UnitTree.load())
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def test_the_second_save_is_refused_and_shows_the_first(work, people, org, client_for):
    colleague = _person("office2", "陈督查", org.office, [(Role.OFFICE, None)])
    item = work.teaching
    url = f"/supervision/items/{item.pk}/edit/"
    with time_machine.travel(NOW, tick=False):
        mine = posted(item)  # 王文书 opens the edit page (version 1)
        theirs = posted(item)  # so does 陈督查
        theirs.update(due_date="2027-01-31", remarks="延至寒假后完成")
        assert client_for(colleague).post(url, theirs).status_code == 302
        mine["title"] = "本科教学质量提升工程（修订）"
        client = client_for(people.office)
        response = client.post(url, mine)
        text = response.content.decode()
        assert response.status_code == 200
        assert "您编辑期间，这条记录已被他人修改，您的修改没有保存。" in text
        assert "陈督查" in text
        assert "完成时限：2026年12月31日 → 2027年1月31日" in text
        assert "延至寒假后完成" in text
        assert 'value="本科教学质量提升工程（修订）"' in text  # the clerk's own input is kept
        item.refresh_from_db()
        assert item.title == "本科教学质量提升工程" and item.due_date == datetime.date(2027, 1, 31)
        assert item.version == 2
        # Having read it, the clerk saves again: the form now carries version 2.
        mine["version"] = "2"
        assert client.post(url, mine).status_code == 302
        item.refresh_from_db()
        assert item.title == "本科教学质量提升工程（修订）" and item.version == 3
        # The clerk's save kept what was posted, including the due date the form still had.
        assert item.due_date == datetime.date(2026, 12, 31)


def test_a_save_of_the_current_version_goes_through(work, people, client_for):
    item = work.teaching
    data = posted(item)
    data["remarks"] = "按计划推进"
    response = client_for(people.office).post(f"/supervision/items/{item.pk}/edit/", data)
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).remarks == "按计划推进"
