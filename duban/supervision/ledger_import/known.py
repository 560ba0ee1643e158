"""What an uploaded ledger is checked against, loaded once with a fixed number of
queries: the plan's items with their numbers, co-units and nodes; the units by name;
the people the file names; who holds the leader role."""

from collections import defaultdict

from django.db.models import Q

from duban.org.models import Person, Role, RoleGrant, Unit
from duban.supervision.ledger_import.columns import PERSON_RE
from duban.supervision.ledger_import.reading import ParsedLedger
from duban.supervision.models import Item, Plan, TimeNode
from duban.supervision.summaries import ledger_numbers

CHUNK = 500  # names per IN (…) list, well under every database's parameter limit


def _chunks(values: list):
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class Known:
    def __init__(self, plan: Plan, parsed: ParsedLedger):
        self.plan = plan
        self.items = {
            item.pk: item
            for item in Item.objects.filter(plan=plan).select_related(
                "lead_unit", "patron_leader", "responsible_person"
            )
        }
        self.numbers = ledger_numbers(plan)
        self.by_number: dict[str, list[Item]] = defaultdict(list)
        self.by_title: dict[str, list[Item]] = defaultdict(list)
        for item in self.items.values():
            self.by_number[self.numbers[item.pk]].append(item)
            self.by_title[item.title].append(item)
        self.co_units: dict[int, set[int]] = defaultdict(set)
        through = Item.co_units.through.objects.filter(item__plan=plan)
        for item_id, unit_id in through.values_list("item_id", "unit_id"):
            self.co_units[item_id].add(unit_id)
        self.nodes: dict[int, list[TimeNode]] = defaultdict(list)
        for node in TimeNode.objects.filter(item__plan=plan).order_by("due_date", "order", "pk"):
            self.nodes[node.item_id].append(node)
        self.units = {unit.name: unit for unit in Unit.objects.all()}
        self.units_by_id = {unit.pk: unit for unit in self.units.values()}
        self._people_load(parsed)

    def _people_load(self, parsed: ParsedLedger) -> None:
        names, usernames = set(), set()
        for _number, values in parsed.rows:
            for key in ("patron", "responsible"):
                text = values.get(key, "")
                match = PERSON_RE.match(text)
                if match:
                    usernames.add(match["username"].strip())
                elif text:
                    names.add(text)
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        self.by_username: dict[str, Person] = {}
        condition = Q(pk__in=[])
        for part in _chunks(sorted(names)):
            condition |= Q(name__in=part)
        for part in _chunks(sorted(usernames)):
            condition |= Q(username__in=part)
        if names or usernames:
            for person in Person.objects.filter(condition, is_active=True).order_by("pk"):
                self.by_name[person.name].append(person)
                self.by_username[person.username] = person
        self.leaders = set(RoleGrant.objects.filter(role=Role.LEADER).values_list("person_id", flat=True))

    def number_of(self, item: Item | None) -> str | None:
        return self.numbers.get(item.pk) if item is not None else None
