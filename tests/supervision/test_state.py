import datetime

from duban.supervision.models import ItemState, Status
from duban.supervision.state import states_refresh


def test_fixture_items_have_cached_states(work):
    states = {s.item_id: s for s in ItemState.objects.all()}
    assert len(states) == 4
    # The teaching project's node (due 10月15日) is late on 11月2日.
    assert states[work.teaching.pk].status == Status.BEHIND
    assert "完成方案论证" in states[work.teaching.pk].reason


def test_refresh_follows_the_calendar(work):
    states_refresh(type(work.labs).objects.all(), datetime.date(2027, 1, 5))
    assert ItemState.objects.get(item=work.labs).status == Status.OVERDUE
    assert ItemState.objects.get(item=work.labs).colour == "red"
