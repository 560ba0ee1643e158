"""The rules of a ballot and of the count, in one place.

A `Shape` is what a ballot must fit: the subjects, the dimensions (or none), the grades, the
quota and the validity rule. `ballot_errors` checks a ballot against it (the phone page, the
server and the paper entry all ask here), and `tally` counts ballots into the result.

The weighted score of a subject: for each dimension, each voter group's mean grade score is
weighted by the group's weight (groups that rated the subject only); dimensions are then weighted
by their weights. Without dimensions, there is one implicit dimension of weight 1.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from duban.assessment.models import cell

TWO = Decimal("0.01")


def min_breakdown() -> int:
    """Results are never broken down for a group with fewer ballots than this."""
    return int(getattr(settings, "DUBAN_BALLOT_MIN_BREAKDOWN", 5))


@dataclass(frozen=True)
class Shape:
    subjects: list  # [(id, name)]
    dimensions: list  # [(id, name, weight)]; empty = one overall rating per subject
    grades: list  # [(order, label, score, positive)], best first
    top_quota_percent: int | None
    require_all: bool
    min_rated: int | None
    groups: dict = field(default_factory=dict)  # id -> (name, weight)

    @classmethod
    def of(cls, session) -> "Shape":
        return cls(
            subjects=list(session.subjects.order_by("order", "id").values_list("id", "name")),
            dimensions=[(d.id, d.name, d.weight) for d in session.dimensions.order_by("order", "id")],
            grades=[(g.order, g.label, g.score, g.positive) for g in session.grades.order_by("order")],
            top_quota_percent=session.top_quota_percent,
            require_all=session.require_all,
            min_rated=session.min_rated,
            groups={g.id: (g.name, g.weight) for g in session.groups.all()},
        )

    @property
    def dim_ids(self) -> list:
        return [d[0] for d in self.dimensions] or [None]

    @property
    def cells(self) -> list[str]:
        return [cell(s, d) for s, _ in self.subjects for d in self.dim_ids]

    @property
    def grade_orders(self) -> set:
        return {g[0] for g in self.grades}

    @property
    def top_order(self):
        return self.grades[0][0] if self.grades else None

    @property
    def top_label(self) -> str:
        return self.grades[0][1] if self.grades else ""

    def top_max(self) -> int | None:
        """How many subjects one ballot may put in the top grade (per dimension)."""
        if self.top_quota_percent is None:
            return None
        return len(self.subjects) * self.top_quota_percent // 100

    def min_required(self) -> int:
        """How many subjects a valid ballot must rate."""
        if self.require_all:
            return len(self.subjects)
        return min(self.min_rated or 1, len(self.subjects))


def clean_marks(shape: Shape, raw: dict) -> dict:
    """Keep only known cells with known grades, as {cell: order}. Unknown keys are dropped,
    never guessed; values that are not grades raise ValueError (a tampered form)."""
    cells = set(shape.cells)
    orders = shape.grade_orders
    marks = {}
    for key, value in (raw or {}).items():
        key = str(key)
        if key not in cells or value in (None, ""):
            continue
        try:
            order = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"无效的评价等次：{value}") from None
        if order not in orders:
            raise ValueError(f"无效的评价等次：{value}")
        marks[key] = order
    return marks


def ballot_errors(shape: Shape, marks: dict) -> list[str]:
    """Why this ballot is not valid; empty when it is. Messages are for the voter."""
    errors = []
    names = dict(shape.subjects)
    rated_subjects = []
    for sid, _ in shape.subjects:
        done = [d for d in shape.dim_ids if cell(sid, d) in marks]
        if done and len(done) < len(shape.dim_ids):
            errors.append(f"对{names[sid]}的评价不完整：每个测评维度都须选择等次。")
        if len(done) == len(shape.dim_ids):
            rated_subjects.append(sid)
    need = shape.min_required()
    if len(rated_subjects) < need:
        missing = [names[s] for s, _ in shape.subjects if s not in rated_subjects]
        if shape.require_all:
            shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
            errors.append(f"须对全部 {len(shape.subjects)} 人作出评价，尚有 {len(missing)} 人未评：{shown}。")
        else:
            errors.append(f"至少须评价 {need} 人，目前已评 {len(rated_subjects)} 人。")
    limit = shape.top_max()
    if limit is not None:
        for d, top in top_counts(shape, marks).items():
            if top > limit:
                where = ""
                if d is not None:
                    where = "在“" + next(x[1] for x in shape.dimensions if x[0] == d) + "”维度"
                errors.append(
                    f"{where}评为“{shape.top_label}”的有 {top} 人，超过上限 {limit} 人"
                    f"（被测评人数的 {shape.top_quota_percent}%）。"
                )
    return errors


def top_counts(shape: Shape, marks: dict) -> dict:
    """How many subjects the ballot puts in the top grade, per dimension (None: no dimensions)."""
    return {d: sum(1 for s, _ in shape.subjects if marks.get(cell(s, d)) == shape.top_order) for d in shape.dim_ids}


def rated_count(shape: Shape, marks: dict) -> int:
    return sum(1 for s, _ in shape.subjects if all(cell(s, d) in marks for d in shape.dim_ids))


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def tally(shape: Shape, ballots: list[dict]) -> dict:
    """Count valid ballots ({"group": id, "marks": {...}, "valid": bool, "source": str}).

    Returns plain data (strings for decimals) ready to be stored as the locked result."""
    scores = {g[0]: Decimal(g[2]) for g in shape.grades}
    positive = {g[0] for g in shape.grades if g[3]}
    valid = [b for b in ballots if b.get("valid", True)]
    per_group_count = {}
    for b in valid:
        per_group_count[b["group"]] = per_group_count.get(b["group"], 0) + 1
    floor = min_breakdown()
    rows = []
    for sid, name in shape.subjects:
        counts = {g[0]: 0 for g in shape.grades}
        dim_scores = []
        by_group_counts = {}
        for d in shape.dim_ids:
            key = cell(sid, d)
            sums, ns = {}, {}
            for b in valid:
                order = b["marks"].get(key)
                if order is None:
                    continue
                counts[order] += 1
                g = b["group"]
                sums[g] = sums.get(g, Decimal(0)) + scores[order]
                ns[g] = ns.get(g, 0) + 1
                group_counts = by_group_counts.setdefault(g, dict.fromkeys(counts, 0))
                group_counts[order] += 1
            weight_sum = sum((Decimal(shape.groups[g][1]) for g in sums), Decimal(0))
            if weight_sum:
                score = sum(Decimal(shape.groups[g][1]) * sums[g] / ns[g] for g in sums) / weight_sum
                dim_weight = Decimal(next((x[2] for x in shape.dimensions if x[0] == d), 1))
                dim_scores.append((d, score, dim_weight))
        total = sum(counts.values())
        dim_weight_sum = sum((w for _, _, w in dim_scores), Decimal(0))
        score = sum((s * w for _, s, w in dim_scores), Decimal(0)) / dim_weight_sum if dim_weight_sum else None
        pos = sum(n for o, n in counts.items() if o in positive)
        rows.append(
            {
                "subject": sid,
                "name": name,
                "counts": {str(o): n for o, n in counts.items()},
                "ratings": total,
                "score": str(_q(score)) if score is not None else None,
                "dimension_scores": {str(d): str(_q(s)) for d, s, _ in dim_scores if d is not None},
                "positive_rate": str(_q(Decimal(pos) * 100 / total)) if total else None,
                "by_group": {
                    str(g): {str(o): n for o, n in c.items()}
                    for g, c in by_group_counts.items()
                    if per_group_count.get(g, 0) >= floor
                },
            }
        )
    ranked = sorted((r for r in rows if r["score"] is not None), key=lambda r: Decimal(r["score"]), reverse=True)
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    for row in rows:
        row.setdefault("rank", None)
    return {
        "grades": [{"order": g[0], "label": g[1], "score": str(g[2]), "positive": g[3]} for g in shape.grades],
        "dimensions": [{"id": d[0], "name": d[1], "weight": str(d[2])} for d in shape.dimensions],
        "groups": [
            {
                "id": gid,
                "name": name,
                "weight": str(weight),
                "ballots": per_group_count.get(gid, 0),
                "broken_down": per_group_count.get(gid, 0) >= floor,
            }
            for gid, (name, weight) in shape.groups.items()
        ],
        "ballots": {
            "valid": len(valid),
            "invalid": len(ballots) - len(valid),
            "online": sum(1 for b in valid if b.get("source") == "online"),
            "paper": sum(1 for b in valid if b.get("source") == "paper"),
        },
        "min_breakdown": floor,
        "subjects": rows,
    }
