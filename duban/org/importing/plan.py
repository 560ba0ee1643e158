"""The import plan: what a dry run found, row by row, and the errors to show."""

from dataclasses import dataclass, field

from duban.org.models import Person, Unit


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class UnitRow:
    row: int
    name: str
    short_name: str
    code: str
    kind: str
    parent: str  # a unit name, "" when blank
    order: int | None
    covered: list[str] | None  # None when the cell is blank
    existing: Unit | None = None
    changes: list[str] = field(default_factory=list)
    covered_change: bool = False


@dataclass
class PersonRow:
    row: int
    name: str
    username: str
    unit: str
    rank: str
    position: str
    phone: str
    email: str
    existing: Person | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    general_errors: list[str] = field(default_factory=list)
    depth: dict[str, int] = field(default_factory=dict)  # file unit name -> depth in the final tree

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.general_errors

    @property
    def units_create(self) -> int:
        return sum(1 for u in self.units if u.existing is None)

    @property
    def units_update(self) -> int:
        return sum(1 for u in self.units if u.existing is not None and (u.changes or u.covered_change))

    @property
    def units_unchanged(self) -> int:
        return len(self.units) - self.units_create - self.units_update

    @property
    def people_create(self) -> int:
        return sum(1 for p in self.people if p.existing is None)

    @property
    def people_update(self) -> int:
        return sum(1 for p in self.people if p.existing is not None and p.changes)

    @property
    def people_unchanged(self) -> int:
        return len(self.people) - self.people_create - self.people_update

    def counts(self) -> dict[str, int]:
        return {
            "units_created": self.units_create,
            "units_updated": self.units_update,
            "units_unchanged": self.units_unchanged,
            "people_created": self.people_create,
            "people_updated": self.people_update,
            "people_unchanged": self.people_unchanged,
        }
