"""What services raise when a rule refuses an action, shared by every app.

`Refused` is a rule saying no (the message is for the user, in Chinese). `Stale` is the
optimistic-locking refusal: the record was saved by someone else after the editor loaded it,
so saving the editor's copy would silently undo that change. Records that are edited in forms
carry a `version` counter; the form (or API client) sends back the version it loaded and the
service calls `version_lock` in its transaction.
"""

from django.core.exceptions import ValidationError

ERR_STALE = "您编辑期间，这条记录已被他人修改，您的修改没有保存。"


class Refused(ValidationError):
    """A rule refused the action; the message is for the user, in Chinese."""


class Stale(Refused):
    """Someone saved the record after the editor loaded it (its version moved on).

    Carries the record and the version the editor loaded, so that a page or the API can
    show what changed since (duban.audit.selectors.changes_since_version)."""

    def __init__(self, current_version: int, *, record=None, loaded_version: int | None = None):
        self.current_version = current_version
        self.record = record
        self.loaded_version = loaded_version
        super().__init__(ERR_STALE)


def version_lock(record, expected_version: int | None) -> int:
    """Lock the record's row until the end of the transaction and return its current
    version; raise Stale when the editor loaded another one (None: the caller did not say,
    nothing is checked). The lock makes two saves of the same version wait for each other,
    so exactly one of them passes, also under PostgreSQL's real concurrency."""
    manager = type(record)._default_manager
    current = manager.select_for_update().values_list("version", flat=True).get(pk=record.pk)
    if expected_version is not None and expected_version != current:
        raise Stale(current, record=record, loaded_version=expected_version)
    return current
