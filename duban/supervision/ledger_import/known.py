"""What an uploaded ledger is checked against, loaded once with a fixed number of
queries: the plan's items with their numbers, co-units and nodes; the units by name;
the people the file names; who holds the leader role."""

from collections import defaultdict

from duban.org.lookup import PeopleLookup, UnitLookup
from duban.supervision.ledger_import.reading import ParsedLedger
from duban.supervision.models import Item, Plan, TimeNode
from duban.supervision.summaries import ledger_numbers

PERSON_KEYS = ("patron", "responsible")


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
        self.unit_lookup = UnitLookup()
        self.units = self.unit_lookup.by_name
        self.units_by_id = self.unit_lookup.by_id
        self.people = PeopleLookup(values.get(key, "") for _number, values in parsed.rows for key in PERSON_KEYS)

    def number_of(self, item: Item | None) -> str | None:
        return self.numbers.get(item.pk) if item is not None else None
