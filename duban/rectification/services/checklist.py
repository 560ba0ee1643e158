"""The office configures the evidence checklist per measure type (销号材料要求)."""

from django.db import transaction

from duban.rectification.models import EvidenceKind, EvidenceRequirement, MeasureType
from duban.rectification.services import Refused
from duban.rectification.services.findings import require_office

ERR_TYPE = "未知的措施类型。"
ERR_LABEL = "第 {n} 条要求的内容不能为空，且不超过 100 字。"
ERR_KIND = "第 {n} 条要求的形式无效。"
ERR_DUPLICATE = "要求“{label}”重复了。"
ERR_TOO_MANY = "每种措施类型最多 20 条要求。"


@transaction.atomic
def checklist_save(*, acting_user, measure_type: str, lines: list[dict]) -> list[EvidenceRequirement]:
    """Replace the checklist of a measure type with `lines` (dicts with label, kind,
    required and optionally key, in display order). An empty list goes back to the
    defaults. A line keeps its key when it has one, so past evidence stays matched."""
    require_office(acting_user)
    if measure_type not in MeasureType.values:
        raise Refused(ERR_TYPE)
    if len(lines) > 20:
        raise Refused(ERR_TOO_MANY)
    clean, labels, keys = [], set(), set()
    for n, line in enumerate(lines, start=1):
        label = (line.get("label") or "").strip()
        if not label or len(label) > 100:
            raise Refused(ERR_LABEL.format(n=n))
        if line.get("kind") not in EvidenceKind.values:
            raise Refused(ERR_KIND.format(n=n))
        if label in labels:
            raise Refused(ERR_DUPLICATE.format(label=label))
        labels.add(label)
        key = (line.get("key") or "").strip()[:40]
        if not key or key in keys:
            key = ""
        keys.add(key)
        clean.append({"key": key, "label": label, "kind": line["kind"], "required": bool(line.get("required"))})
    taken = {c["key"] for c in clean if c["key"]}
    counter = 1
    for c in clean:
        if not c["key"]:
            while f"line{counter}" in taken:
                counter += 1
            c["key"] = f"line{counter}"
            taken.add(c["key"])
    EvidenceRequirement.objects.filter(measure_type=measure_type).delete()
    return [
        EvidenceRequirement.objects.create(measure_type=measure_type, order=order, **c)
        for order, c in enumerate(clean, start=1)
    ]
