"""A field's choice label, as Model.get_FOO_display() gives it, without its cost.

get_FOO_display() builds a dict of the field's choices on every call, hashing each lazy
label (a translation lookup each): on a ledger page with a few hundred status, type and
closure tags that was several milliseconds. Here the value -> label map is built once per
field and process; the labels stay lazy, so each is still translated into the language of
the request that shows it.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS: dict = {}


def display(instance, name: str) -> str:
    """The same as instance.get_<name>_display(), for a field with fixed choices (a choices
    class or a list; not a callable whose choices change while the process runs)."""
    field = instance._meta.get_field(name)
    labels = _LABELS.get(field)
    if labels is None:
        labels = _LABELS[field] = {make_hashable(value): label for value, label in field.flatchoices}
    value = getattr(instance, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)
