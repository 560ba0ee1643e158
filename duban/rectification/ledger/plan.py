"""The import plan: what a dry run found, finding by finding and measure by measure."""

import datetime
from dataclasses import dataclass, field

from duban.org.models import Person, Unit
from duban.rectification.models import Finding, Measure, MeasureType
from duban.supervision.ledger_import.plan import Change, Checked, Matched, RowError

__all__ = ["Change", "FindingEntry", "LedgerImport", "MeasureEntry", "RowError"]


@dataclass
class MeasureEntry(Matched):
    """One valid measure row and what it would do."""

    row: int
    position: int  # 1st, 2nd… measure of its finding: how it is matched
    title: str
    lead_unit: Unit
    co_units: list[Unit]
    leader: Person | None  # None: blank cell (an existing measure keeps its leader)
    person: Person | None
    measure_type: str
    due: datetime.date | None
    remarks: str
    existing: Measure | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return MeasureType(self.measure_type).label


@dataclass
class FindingEntry(Matched):
    """A finding of the file (its first row) and its measure rows."""

    row: int
    ordinal: int | None  # None: numbered on commit
    description: str
    existing: Finding | None = None
    changes: list[Change] = field(default_factory=list)
    measures: list[MeasureEntry] = field(default_factory=list)
    failed: bool = False  # the finding's own cells are wrong; its measures are still checked


@dataclass
class LedgerImport(Checked):
    findings: list[FindingEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    general_errors: list[str] = field(default_factory=list)

    @property
    def measures(self) -> list[MeasureEntry]:
        return [m for f in self.findings for m in f.measures]

    def counts(self) -> dict[str, int]:
        counts = {}
        for kind, entries in (("findings", self.findings), ("measures", self.measures)):
            for action in ("new", "changed", "unchanged"):
                counts[f"{kind}_{action}"] = sum(1 for e in entries if e.action == action)
        return counts

    @property
    def has_changes(self) -> bool:
        counts = self.counts()
        return any(counts[f"{k}_{a}"] for k in ("findings", "measures") for a in ("new", "changed"))
