"""The import plan: what a dry run found, row by row, and the errors to show."""

import datetime
from dataclasses import dataclass, field

from duban.org.models import Person, Unit
from duban.supervision.models import Item


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Change:
    column: str
    old: str
    new: str


class Matched:
    """An entry of a dry run matched to an existing object (`existing`, None: new) with
    the `changes` it would make; shared with the 整改台账 import."""

    @property
    def action(self) -> str:
        if self.existing is None:
            return "new"
        return "changed" if self.changes else "unchanged"


class Checked:
    """A dry run: valid when it found no row errors and no general errors."""

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.general_errors


@dataclass
class LedgerRow(Matched):
    """One valid row of the file and what it would do."""

    row: int
    number: str  # as written, "" when blank
    parent_number: int | None
    ordinal: int | None
    title: str
    lead_unit: Unit
    co_units: list[Unit] | None  # None: the cell is blank (an existing item keeps its units)
    patron: Person | None
    responsible: Person | None
    due: datetime.date | None
    nodes: list[tuple[datetime.date, str]] | None  # None: the cell is blank
    remarks: str
    existing: Item | None = None
    matched_by: str = ""  # 序号 or 事项
    changes: list[Change] = field(default_factory=list)
    nodes_added: list[tuple[datetime.date, str]] = field(default_factory=list)
    nodes_removed: list[int] = field(default_factory=list)  # ids of open nodes the file no longer lists


@dataclass
class LedgerPlan(Checked):
    rows: list[LedgerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    general_errors: list[str] = field(default_factory=list)

    def _of(self, action: str) -> list[LedgerRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def new_rows(self) -> list[LedgerRow]:
        return self._of("new")

    @property
    def changed_rows(self) -> list[LedgerRow]:
        return self._of("changed")

    @property
    def unchanged_rows(self) -> list[LedgerRow]:
        return self._of("unchanged")

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.new_rows),
            "updated": len(self.changed_rows),
            "unchanged": len(self.unchanged_rows),
        }
