"""Forms of the paper double entry: one clerk's typing of a slip, and the office's reading
of a slip whose two typings differ. Both show the ballot as a grid: one row per subject (and
dimension), one radio per grade plus "未评" for a cell the voter left blank."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.assessment.models import cell
from duban.lib.forms import StyledFormMixin

# The radio value of a blank cell; never a grade order (orders are numbers).
BLANK = "none"


def field_name(key: str) -> str:
    """The form field of a marks cell ("12" or "12:3")."""
    return "c_" + key.replace(":", "_")


@dataclass
class GridCell:
    key: str
    dimension: str  # "" without dimensions
    bound: forms.BoundField
    differs: bool = False
    typed: list = field(default_factory=list)  # the grade labels of each typing (resolve page)


@dataclass
class GridRow:
    number: int
    subject: str
    cells: list


class GridMixin:
    """Adds one radio field per cell of the session's ballot."""

    def add_grid(self, shape, *, initial: dict | None = None, required=()):
        self.shape = shape
        initial = initial or {}
        choices = [(str(order), label) for order, label, _score, _positive in shape.grades]
        choices.append((BLANK, _("未评")))
        for sid, name in shape.subjects:
            for did in shape.dim_ids:
                key = cell(sid, did)
                needed = key in required
                self.fields[field_name(key)] = forms.ChoiceField(
                    label=name,
                    choices=choices,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    required=needed,
                    # A cell to be decided starts empty, so it cannot be saved unread.
                    initial=None if needed else str(initial.get(key, BLANK)),
                    error_messages={"required": _("请按原票选择该格的等次（原票未评的选“未评”）。")},
                )

    def raw_marks(self) -> dict:
        """The typed marks as {cell: order}, blank cells left out."""
        marks = {}
        for sid, _name in self.shape.subjects:
            for did in self.shape.dim_ids:
                key = cell(sid, did)
                value = self.cleaned_data.get(field_name(key))
                if value and value != BLANK:
                    marks[key] = value
        return marks

    def grid_rows(self, *, typings=(), differing=()) -> list[GridRow]:
        labels = {order: label for order, label, _score, _positive in self.shape.grades}
        dims = {d[0]: d[1] for d in self.shape.dimensions}
        rows = []
        for number, (sid, name) in enumerate(self.shape.subjects, start=1):
            cells = []
            for did in self.shape.dim_ids:
                key = cell(sid, did)
                typed = [labels.get(t.get(key), _("未评")) for t in typings]
                cells.append(GridCell(key, dims.get(did, ""), self[field_name(key)], key in differing, typed))
            rows.append(GridRow(number, name, cells))
        return rows

    def grid_errors(self) -> list[str]:
        """Subjects whose cells have an error (for the summary at the top)."""
        names = []
        for sid, name in self.shape.subjects:
            if any(field_name(cell(sid, d)) in self.errors for d in self.shape.dim_ids):
                names.append(name)
        return names


class PaperEntryForm(GridMixin, StyledFormMixin, forms.Form):
    group = forms.ModelChoiceField(
        label=_("测评人类别"), queryset=None, empty_label=None, error_messages={"required": _("请选择测评人类别。")}
    )
    slip_no = forms.IntegerField(
        label=_("票号"),
        min_value=1,
        help_text=_("纸质选票上的编号。"),
        error_messages={
            "required": _("请填写票号。"),
            "invalid": _("票号应为整数。"),
            "min_value": _("票号应为大于 0 的整数。"),
        },
        widget=forms.NumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, session, shape, initial_marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = session.groups.order_by("order", "id")
        self.add_grid(shape, initial=initial_marks)


class PaperResolveForm(GridMixin, StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("核对说明"),
        max_length=200,
        error_messages={"required": _("请写明核对依据，例如：已对照原票，第 5 行原票为“较好”。")},
        widget=forms.TextInput(attrs={"placeholder": _("例如：已对照原票核对，第 5 行原票为“较好”")}),
    )

    def __init__(self, *args, shape, agreed: dict, differing, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_grid(shape, initial=agreed, required=differing)
        # The note goes below the grid.
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])
