"""Matching the names people type (in an Excel import) to units and people.

Loaded once with a fixed number of queries; the callers say which messages to show,
so each import keeps its own wording. A name that does not match raises `NoMatch`
with the message to show.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from duban.org.models import Person, Role, RoleGrant, Unit

# 王伟（wangwei） or 王伟(wangwei): a name with its login name.
PERSON_RE = re.compile(r"^(?P<name>[^（(]+?)\s*[（(]\s*(?P<username>[^）)]+?)\s*[）)]$")
CHUNK = 500  # names per IN (…) list, well under every database's parameter limit


class NoMatch(Exception):
    """The text names no unit or person, or several; the message says which."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PersonMessages:
    unknown: str  # {name}
    mismatch: str  # {username} {actual} {name}
    not_leader: str  # {name}
    ambiguous: str  # {count} {name} {example}


class UnitLookup:
    """Every unit, by id, full name and short name."""

    def __init__(self):
        units = list(Unit.objects.all())
        self.by_id = {unit.pk: unit for unit in units}
        self.by_name = {unit.name: unit for unit in units}
        self.by_short: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:
            if unit.short_name:
                self.by_short[unit.short_name].append(unit)

    def match(self, name: str, *, unknown: str, ambiguous: str) -> Unit:
        """The unit a full name or an unambiguous short name names."""
        unit = self.by_name.get(name)
        if unit is not None:
            return unit
        candidates = self.by_short.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise NoMatch(ambiguous.format(name=name, count=len(candidates)))
        raise NoMatch(unknown.format(name=name))


def _chunks(values: list):
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class PeopleLookup:
    """The active people some cells name (“王伟” or “王伟（wangwei）”), and who holds the
    leader role."""

    def __init__(self, texts: Iterable[str]):
        names, usernames = set(), set()
        for text in texts:
            match = PERSON_RE.match(text)
            if match:
                usernames.add(match["username"].strip())
            elif text:
                names.add(text)
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        self.by_username: dict[str, Person] = {}
        if names or usernames:
            condition = Q(pk__in=[])
            for part in _chunks(sorted(names)):
                condition |= Q(name__in=part)
            for part in _chunks(sorted(usernames)):
                condition |= Q(username__in=part)
            for person in Person.objects.filter(condition, is_active=True).order_by("pk"):
                self.by_name[person.name].append(person)
                self.by_username[person.username] = person
        self.leaders = set(RoleGrant.objects.filter(role=Role.LEADER).values_list("person_id", flat=True))

    def match(self, text: str, messages: PersonMessages, *, leader: bool, unit_ids=frozenset()) -> Person | None:
        """The person a cell names, None for a blank cell. “王伟（wangwei）” must name that
        login; among namesakes of “王伟” a leader (for a leader's cell) or the one person
        in `unit_ids` is chosen. Raises NoMatch."""
        if not text:
            return None
        match = PERSON_RE.match(text)
        if match:
            name, username = match["name"].strip(), match["username"].strip()
            person = self.by_username.get(username)
            if person is None:
                raise NoMatch(messages.unknown.format(name=text))
            if person.name != name:
                raise NoMatch(messages.mismatch.format(username=username, actual=person.name, name=name))
            if leader and person.pk not in self.leaders:
                raise NoMatch(messages.not_leader.format(name=text))
            return person
        candidates = self.by_name.get(text, [])
        if not candidates:
            raise NoMatch(messages.unknown.format(name=text))
        if leader:
            candidates = [p for p in candidates if p.pk in self.leaders]
            if not candidates:
                raise NoMatch(messages.not_leader.format(name=text))
        elif len(candidates) > 1:
            in_units = [p for p in candidates if p.unit_id in unit_ids]
            candidates = in_units if len(in_units) == 1 else candidates
        if len(candidates) > 1:
            example = f"{text}（{candidates[0].username}）"
            raise NoMatch(messages.ambiguous.format(count=len(candidates), name=text, example=example))
        return candidates[0]
