"""The three data tiers of `make bench` (issue 8)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    name: str
    units: int
    people: int
    items: int  # items of the three-year key-work plan (the ledger measured)
    findings: int  # rectification findings (each with 2–4 measures, which are items too)
    meetings: int
    voters: int  # ballots of the review session
    subjects: int
    leave_requests: int


TIERS = {
    "S": Tier(
        "S", units=20, people=150, items=300, findings=12, meetings=30, voters=30, subjects=22, leave_requests=300
    ),
    "M": Tier(
        "M", units=60, people=2500, items=3000, findings=60, meetings=80, voters=200, subjects=40, leave_requests=3000
    ),
    "L": Tier(
        "L",
        units=150,
        people=10000,
        items=30000,
        findings=300,
        meetings=150,
        voters=1000,
        subjects=60,
        leave_requests=12000,
    ),
}
