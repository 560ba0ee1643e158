"""duban.lib.choices.display: the same label as get_FOO_display(), for every value."""

import pytest

from duban.lib.choices import display
from duban.rectification.models import Finding, Measure
from duban.supervision.models import ItemState, Status


@pytest.mark.parametrize(
    "model, name",
    [(ItemState, "status"), (ItemState, "colour"), (Measure, "closure"), (Measure, "type"), (Finding, "severity")],
)
def test_display_is_get_display_for_every_choice(model, name):
    field = model._meta.get_field(name)
    for value in [value for value, _label in field.flatchoices] + ["no-such-value", ""]:
        instance = model(**{name: value})
        assert display(instance, name) == getattr(instance, f"get_{name}_display")(), value


def test_display_in_a_template():
    from django.template import Context, Template

    state = ItemState(status=Status.OVERDUE)
    html = Template('{% load duban %}{{ s|display:"status" }}').render(Context({"s": state}))
    assert html == str(Status.OVERDUE.label) == state.get_status_display()
