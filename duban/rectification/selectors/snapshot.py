"""The ledger as plain data, for look-back snapshots and their comparison."""

from duban.rectification.models import ClosureState, Finding, Measure


def ledger_snapshot(plan) -> dict:
    """Every finding and measure of the plan with its closure state, keyed by id (as
    strings: the snapshot is stored as JSON)."""
    findings = {
        str(f["pk"]): {"ordinal": f["ordinal"], "closed": f["closed_on"] is not None, "category": f["category"]}
        for f in Finding.objects.filter(plan=plan).values("pk", "ordinal", "closed_on", "category")
    }
    measures = {
        str(m["pk"]): {
            "finding": m["finding_id"],
            "title": m["item__title"],
            "unit": m["item__lead_unit__name"],
            "closure": m["closure"],
            "status": m["item__state__status"],
            "relapses": m["relapse_count"],
        }
        for m in Measure.objects.filter(finding__plan=plan).values(
            "pk",
            "finding_id",
            "item__title",
            "item__lead_unit__name",
            "closure",
            "item__state__status",
            "relapse_count",
        )
    }
    return {"findings": findings, "measures": measures}


def compare(before: dict, after: dict) -> dict:
    """What changed between two snapshots: measure ids per bucket, and new finding ids."""
    old, new = before.get("measures", {}), after.get("measures", {})

    def closed(entry) -> bool:
        return entry["closure"] == ClosureState.CLOSED

    buckets = {"new": [], "reopened": [], "still_open": [], "closed_since": [], "still_closed": [], "removed": []}
    for key, entry in new.items():
        was = old.get(key)
        if was is None:
            buckets["new"].append(key)
        elif closed(was) and (not closed(entry) or entry.get("relapses", 0) > was.get("relapses", 0)):
            buckets["reopened"].append(key)
        elif closed(was):
            buckets["still_closed"].append(key)
        elif closed(entry):
            buckets["closed_since"].append(key)
        else:
            buckets["still_open"].append(key)
    buckets["removed"] = [key for key in old if key not in new]
    for values in buckets.values():
        values.sort(key=int)
    new_findings = sorted((k for k in after.get("findings", {}) if k not in before.get("findings", {})), key=int)
    return {"measures": buckets, "new_findings": new_findings}
