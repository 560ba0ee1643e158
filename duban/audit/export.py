"""Security events as JSON lines, the form external log systems (SIEM, syslog
collectors, Elasticsearch, Splunk) ingest. Each line carries the chain fields
(`seq`, `prev_hash`, `hash`), so a collector can check that nothing is missing
between two exports; the keyed hash itself can be checked only with the key.
"""

import json
import logging

from duban.audit.models import EventKind, SecurityEvent

logger = logging.getLogger("duban.security")
LABELS = dict(EventKind.choices)
EXPORT_FIELDS = (
    *("seq", "created_at", "kind", "actor_id", "actor_username"),
    *("target", "ip", "detail", "prev_hash", "hash"),
)


def event_record(event: SecurityEvent | dict) -> dict:
    row = event if isinstance(event, dict) else {name: getattr(event, name) for name in EXPORT_FIELDS}
    return {
        "seq": row["seq"],
        "time": row["created_at"].isoformat(timespec="microseconds"),
        "kind": row["kind"],
        "kind_label": str(LABELS.get(row["kind"], row["kind"])),
        "actor_id": row["actor_id"],
        "actor": row["actor_username"],
        "target": row["target"],
        "ip": row["ip"],
        "detail": row["detail"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
        "source": "duban",
    }


def event_line(event) -> str:
    return json.dumps(event_record(event), ensure_ascii=False, sort_keys=True, default=str)


def events_jsonl(queryset, *, oldest_first: bool = True):
    """Yield one line per event (newline included), streaming in chunks."""
    rows = queryset.order_by("seq" if oldest_first else "-seq").values(*EXPORT_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        yield event_line(row) + "\n"


def forward(event: SecurityEvent) -> None:
    """Hand one committed event to the "duban.security" logger (see SECURITY_LOG_* settings)."""
    logger.info(event_line(event))
