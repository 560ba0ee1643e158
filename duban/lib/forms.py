"""Form helpers: Bootstrap classes on every widget, so templates stay plain."""

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


def stale_changes(form, obj, loaded_version: int | None, current_version: int) -> list:
    """After a refused save over someone else's change: what they changed since the version
    the editor loaded (for includes/stale_changes.html), and the form's version moved on, so
    that saving again, having seen it, goes through."""
    from duban.audit.selectors import changes_since_version

    data = form.data.copy()
    data["version"] = str(current_version)
    form.data = data
    return changes_since_version(obj, loaded_version) if loaded_version is not None else []
