"""The evidence checklist per measure type: what the office configured, or the defaults.

A 建章立制 measure always needs its document, whatever the office configured: the
rule that it cannot close without one is not a setting.
"""

from dataclasses import dataclass

from duban.rectification.models import EvidenceKind, EvidenceRequirement, MeasureType


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    kind: str
    required: bool = True


DEFAULTS: dict[str, list[Requirement]] = {
    MeasureType.IMMEDIATE: [
        Requirement("statement", "整改完成情况说明", EvidenceKind.TEXT),
        Requirement("proof", "佐证材料（照片、记录等）", EvidenceKind.FILE, required=False),
    ],
    MeasureType.DEADLINE: [
        Requirement("statement", "整改完成情况说明", EvidenceKind.TEXT),
        Requirement("proof", "佐证材料（会议记录、文件、照片等）", EvidenceKind.FILE),
    ],
    MeasureType.ONGOING: [
        Requirement("mechanism", "长效机制及执行情况说明", EvidenceKind.TEXT),
        Requirement("proof", "阶段性佐证材料", EvidenceKind.FILE),
    ],
    MeasureType.INSTITUTION: [
        Requirement("document", "制度文件（标题、文号、印发日期、文件）", EvidenceKind.DOCUMENT),
        Requirement("execution", "制度宣传和执行情况说明", EvidenceKind.TEXT),
    ],
}

DOCUMENT_RULE = Requirement("document", "制度文件（标题、文号、印发日期、文件）", EvidenceKind.DOCUMENT)


def checklist_for(measure_type: str, configured: list[EvidenceRequirement] | None = None) -> list[Requirement]:
    """The checklist for a type: the office's rows if any, else the defaults; a
    建章立制 checklist always includes the document."""
    if configured is None:
        configured = list(EvidenceRequirement.objects.filter(measure_type=measure_type).order_by("order", "id"))
    if configured:
        result = [Requirement(r.key, r.label, r.kind, r.required) for r in configured]
    else:
        result = list(DEFAULTS.get(measure_type, []))
    if measure_type == MeasureType.INSTITUTION and not any(
        r.kind == EvidenceKind.DOCUMENT and r.required for r in result
    ):
        result = [r for r in result if r.kind != EvidenceKind.DOCUMENT]
        result.insert(0, DOCUMENT_RULE)
    return result
