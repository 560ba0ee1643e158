"""Form helpers: Bootstrap classes on every widget, so templates stay plain."""

import dataclasses

from django import forms


def _style_options(widget, css: str) -> None:
    """Put the class on each radio/checkbox of a multiple-input widget. Django renders a
    widget's own class on the wrapper around the choices too, which would style the
    whole list as one tiny box."""
    if getattr(widget, "_duban_styled", False):
        return
    original = widget.create_option

    def create_option(*args, **kwargs):
        option = original(*args, **kwargs)
        classes = option["attrs"].get("class", "")
        if css not in classes.split():
            option["attrs"]["class"] = (classes + " " + css).strip()
        return option

    widget.create_option = create_option
    widget._duban_styled = True


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):  # also CheckboxSelectMultiple in Django 5
                _style_options(widget, "form-check-input")
                css = ""
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_invalid_classes(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self.add_invalid_classes()


@dataclasses.dataclass
class StaleNotice:
    """What includes/stale_changes.html shows after a refused save: the shared message and
    the record history since the version the editor loaded (possibly empty: a save that
    changed nothing visible still moved the version on). Always true in a template's `if`."""

    message: str
    rows: list = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return True


def stale_changes(form, error) -> StaleNotice:
    """After a refused save (`error`: duban.lib.refusals.Stale): what others changed since the
    version the editor loaded, and the form's version moved on, so that saving again, having
    seen it, goes through. The rest of the form keeps what the editor typed."""
    from duban.audit.selectors import changes_since_version

    data = form.data.copy()
    data["version"] = str(error.current_version)
    form.data = data
    rows = []
    if error.record is not None and error.loaded_version is not None:
        rows = changes_since_version(error.record, error.loaded_version)
    return StaleNotice(message=error.message, rows=rows)


def posted_version(data) -> int | None:
    """The version a plain form (no Form class) posted back; None when absent or not a number,
    which checks nothing, as for a client that does not send one."""
    raw = (data.get("version") or "").strip()
    return int(raw) if raw.isdecimal() and len(raw) <= 10 else None
