"""What staff (and, when switched on, the public) may see of a rectification plan.

Everything here is read with `.values()` over an explicit list of allowed fields and
returned as plain data, never as model objects: a template can only show what this
module chose to read, so adding `{{ finding.description }}` or a person to a template
cannot leak anything. Never read here: people (responsible person, patron leader,
approvers, senders), finding descriptions and internal notes, measure titles and
remarks, and findings the office withheld (disclosed=False).
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q

from duban.org.models import Person
from duban.rectification.models import ClosureState, Finding, Measure, RectificationPlan, Source
from duban.supervision.selectors.palette import colour_hex

# The flags the office sets on RectificationPlan, read as they are.
FLAGS = (
    "disclosed",
    "show_counts",
    "show_percent",
    "show_findings",
    "show_units",
    "show_monthly",
    "public_page",
    "feedback_open",
    "feedback_anonymous",
)
SOURCES = dict(Source.choices)
PAGE_SIZE = 20  # findings a page


@dataclass(frozen=True)
class PublicFinding:
    pk: int
    number: int  # 1, 2, 3 … among the disclosed findings (internal ones leave no gaps)
    category: str
    summary: str  # "" when the office wrote none, or when it named a person
    closed_on: object
    measures_total: int
    measures_closed: int
    units: tuple[str, ...] = ()

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


@dataclass(frozen=True)
class Disclosure:
    plan_pk: int
    title: str
    year: int | None
    source: str
    reference: str
    flags: dict
    findings_total: int
    findings_closed: int
    measures_total: int
    measures_closed: int
    findings: list[PublicFinding] = field(default_factory=list)  # of the page
    monthly: list[dict] = field(default_factory=list)
    page: object = None  # django.core.paginator.Page of the findings

    @property
    def percent(self) -> int:
        if not self.measures_total:
            return 0
        return round(100 * self.measures_closed / self.measures_total)

    @property
    def chart(self) -> dict:
        """Data for the `unit-bars` renderer of charts.js: one bar per month."""
        return {
            "units": [m["label"] for m in self.monthly],
            "series": [
                {
                    "name": "销号措施",
                    "data": [m["count"] for m in self.monthly],
                    "colour": "green",
                    "hex": colour_hex("green"),
                }
            ],
        }


def person_names() -> list[str]:
    """Every person's name (two characters or more), longest first."""
    names = {n.strip() for n in Person.objects.values_list("name", flat=True) if n and len(n.strip()) >= 2}
    return sorted(names, key=len, reverse=True)


def names_mentioned(texts: list[str]) -> list[str]:
    """The person names (as person_names reads them) found in any of `texts`, longest
    first. The database is asked only for the texts' substrings of the lengths names have,
    along the index person_name (names are stored stripped: Person.save): a page reads a
    handful of names, not everyone."""
    texts = [t for t in texts if t]
    if not texts:
        return []
    lengths = name_lengths()
    pieces = {t[i : i + n] for t in texts for n in lengths for i in range(len(t) - n + 1)}
    names = {n.strip() for n in Person.objects.filter(name__in=pieces).values_list("name", flat=True)}
    return sorted((n for n in names if len(n) >= 2 and any(n in t for t in texts)), key=len, reverse=True)


# The distinct lengths (2 or more) of people's names, each found from the last by one probe of
# the index person_name_length (a "skip scan" written as a recursive query): a handful of steps
# however many people there are, where SELECT DISTINCT LENGTH(name) reads every one.
_LENGTHS = """
WITH RECURSIVE lengths(n) AS (
    SELECT MIN(LENGTH(name)) FROM {table} WHERE LENGTH(name) >= 2
    UNION ALL
    SELECT (SELECT MIN(LENGTH(name)) FROM {table} WHERE LENGTH(name) > lengths.n) FROM lengths WHERE n IS NOT NULL
)
SELECT n FROM lengths WHERE n IS NOT NULL
"""


def name_lengths() -> set[int]:
    """The lengths of people's names of two characters or more."""
    with connection.cursor() as cursor:
        # The table name comes from the model, quoted; there are no parameters.
        cursor.execute(_LENGTHS.format(table=connection.ops.quote_name(Person._meta.db_table)))
        return {n for (n,) in cursor.fetchall()}


def names_in(text: str, names: list[str]) -> list[str]:
    return [name for name in names if name in (text or "")]


def disclosed_plans() -> list[dict]:
    """The plans disclosed to staff, newest first, with their disclosed findings counted."""
    disclosed = Q(plan__findings__disclosed=True)
    rows = (
        RectificationPlan.objects.filter(disclosed=True)
        .annotate(
            n_findings=Count("plan__findings", filter=disclosed),
            n_closed=Count("plan__findings", filter=disclosed & Q(plan__findings__closed_on__isnull=False)),
        )
        .order_by("-plan__year", "-plan_id")
        .values(
            "plan_id", "plan__title", "plan__year", "source", "show_counts", "show_percent", "n_findings", "n_closed"
        )
    )
    measures = {
        m["finding__plan_id"]: m
        for m in Measure.objects.filter(finding__disclosed=True, finding__plan__rectification__disclosed=True)
        .values("finding__plan_id")
        .annotate(total=Count("pk"), closed=Count("pk", filter=Q(closure=ClosureState.CLOSED)))
        .order_by()
    }
    plans = []
    for row in rows:
        m = measures.get(row["plan_id"], {"total": 0, "closed": 0})
        plans.append(
            {
                "pk": row["plan_id"],
                "title": row["plan__title"],
                "year": row["plan__year"],
                "source": SOURCES.get(row["source"], ""),
                "show_counts": row["show_counts"],
                "show_percent": row["show_percent"],
                "findings_total": row["n_findings"],
                "findings_closed": row["n_closed"],
                "measures_total": m["total"],
                "measures_closed": m["closed"],
                "percent": round(100 * m["closed"] / m["total"]) if m["total"] else 0,
            }
        )
    return plans


def _profile(**lookup) -> dict | None:
    return (
        RectificationPlan.objects.filter(**lookup)
        .values("plan_id", "plan__title", "plan__year", "source", "reference", *FLAGS)
        .first()
    )


def disclosure_for(
    *, plan_pk: int | None = None, token: str | None = None, paged: bool = False, page=None
) -> Disclosure | None:
    """The disclosure of one plan (by id, or by its public token), or None if there is
    no such rectification plan. Whether the caller may see it is the view's business.
    `paged`: only page `page` of the findings (PAGE_SIZE a page), for the web pages."""
    if token is not None:
        row = _profile(public_token=token) if token else None
    else:
        row = _profile(plan_id=plan_pk)
    if row is None:
        return None
    pk = row["plan_id"]
    flags = {flag: row[flag] for flag in FLAGS}
    findings_rows = list(
        Finding.objects.filter(plan_id=pk, disclosed=True)
        .order_by("ordinal")
        .values("pk", "category", "public_summary", "closed_on")
        .annotate(
            measures_total=Count("measures"),
            measures_closed=Count("measures", filter=Q(measures__closure=ClosureState.CLOSED)),
        )
    )
    numbered = list(enumerate(findings_rows, start=1))
    # The page's findings only: the counts below cover all of them.
    page = Paginator(numbered, PAGE_SIZE if paged else max(1, len(numbered))).get_page(page)
    shown = [f for _, f in page.object_list] if flags["show_findings"] else []
    units: dict[int, list[str]] = {}
    if flags["show_units"] and shown:
        through = Finding.units.through.objects.filter(finding_id__in=[f["pk"] for f in shown])
        for link in through.order_by("unit__order", "unit_id").values("finding_id", "unit__name"):
            units.setdefault(link["finding_id"], []).append(link["unit__name"])
    names = names_mentioned([f["public_summary"] for f in shown])
    findings = [
        PublicFinding(
            pk=f["pk"],
            number=number,
            category=f["category"],
            # A summary that names a person is withheld: the category alone is shown.
            summary="" if names_in(f["public_summary"], names) else f["public_summary"],
            closed_on=f["closed_on"],
            measures_total=f["measures_total"],
            measures_closed=f["measures_closed"],
            units=tuple(units.get(f["pk"], ())),
        )
        for number, f in page.object_list
    ]
    monthly = []
    if flags["show_monthly"]:
        # Counted per day in SQL and summed per month here: SQLite truncates dates to months
        # through a Python function called once per measure (591 at a prefecture city).
        days = (
            Measure.objects.filter(finding__plan_id=pk, finding__disclosed=True, closure=ClosureState.CLOSED)
            .values_list("closed_on")
            .annotate(count=Count("pk"))
            .order_by()
        )
        months: dict[datetime.date, int] = {}
        for day, count in days:
            if day is not None:
                month = day.replace(day=1)
                months[month] = months.get(month, 0) + count
        monthly = [
            {"month": month, "label": f"{month.year}年{month.month}月", "count": count}
            for month, count in sorted(months.items())
        ]
    return Disclosure(
        plan_pk=pk,
        title=row["plan__title"],
        year=row["plan__year"],
        source=SOURCES.get(row["source"], ""),
        reference=row["reference"],
        flags=flags,
        findings_total=len(findings_rows),
        findings_closed=sum(1 for f in findings_rows if f["closed_on"] is not None),
        measures_total=sum(f["measures_total"] for f in findings_rows),
        measures_closed=sum(f["measures_closed"] for f in findings_rows),
        findings=findings if flags["show_findings"] else [],
        monthly=monthly,
        page=page if flags["show_findings"] else None,
    )


def feedback_targets(plan_pk: int) -> list[tuple[int, str]]:
    """(pk, label) of the disclosed findings staff may comment on, numbered as on the page."""
    rows = Finding.objects.filter(plan_id=plan_pk, disclosed=True).order_by("ordinal").values("pk", "category")
    return [(r["pk"], f"问题{n}（{r['category']}）") for n, r in enumerate(rows, start=1)]
