"""Who may do what: every permission rule of the organisation lives here.

Views, the API and later capabilities ask these functions; none re-implements them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from duban.org.models import ADMIN_ROLES, Role
from duban.org.tree import UnitTree

ALL = "all"


class Access:
    """A person's grants, resolved once and cached on the person object."""

    def __init__(self, person):
        self.person = person
        if person is None or not person.is_authenticated or not person.is_active:
            self.grants = []
        else:
            self.grants = list(person.grants.all())
        self._tree: UnitTree | None = None

    @property
    def tree(self) -> UnitTree:
        if self._tree is None:
            self._tree = UnitTree.load()
        return self._tree

    @property
    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has(self, *roles: str) -> bool:
        return any(grant.role in roles for grant in self.grants)

    def scope(self, *roles: str):
        """Unit ids covered by any of the roles, or ALL for an institution-wide grant."""
        ids: set[int] = set()
        for grant in self.grants:
            if grant.role not in roles:
                continue
            if grant.unit_id is None:
                return ALL
            ids |= self.tree.scope_ids(grant.unit_id)
        return ids

    def covers(self, unit_id: int | None, *roles: str) -> bool:
        scope = self.scope(*roles)
        return scope == ALL or (unit_id is not None and unit_id in scope)

    # --- The rules ------------------------------------------------------------
    def can_browse_org(self) -> bool:
        return bool(self.grants)

    def can_edit_org(self) -> bool:
        return self.has(Role.SYS_ADMIN)

    def can_grant_roles(self) -> bool:
        return self.has(Role.SEC_ADMIN)

    def can_read_audit(self) -> bool:
        return self.has(Role.AUDIT_ADMIN)

    def can_configure(self) -> bool:
        return self.has(Role.SYS_ADMIN)

    def can_see_contact(self, person) -> bool:
        """Phone and e-mail: colleagues of the same unit, the office, leaders and the
        administrators who manage accounts."""
        if person.pk == self.person.pk:
            return True
        if self.has(Role.OFFICE, Role.LEADER, Role.SYS_ADMIN, Role.SEC_ADMIN):
            return True
        return self.person.unit_id is not None and self.person.unit_id == person.unit_id

    @property
    def is_admin(self) -> bool:
        return self.has(*ADMIN_ROLES)


def access_for(person) -> Access:
    cached = getattr(person, "_duban_access", None)
    if cached is None:
        cached = Access(person)
        if person is not None:
            person._duban_access = cached
    return cached


def require(rule: str):
    """View decorator: the request's user must satisfy `Access.<rule>()`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not getattr(access_for(request.user), rule)():
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
