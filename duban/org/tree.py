"""The unit tree in memory: one query, then descendants and paths without more queries.

An institution has at most a few hundred units, so the whole tree is loaded once per
request (cached on the request's user) rather than walked row by row.
"""

from dataclasses import dataclass, field

from duban.org.models import Unit, UnitKind


@dataclass
class UnitNode:
    id: int
    name: str
    kind: str
    parent_id: int | None
    order: int
    is_active: bool
    children: list["UnitNode"] = field(default_factory=list)
    covered: list[int] = field(default_factory=list)


class UnitTree:
    def __init__(self, rows, coverage):
        self.nodes: dict[int, UnitNode] = {}
        for row in rows:
            self.nodes[row["id"]] = UnitNode(
                id=row["id"],
                name=row["name"],
                kind=row["kind"],
                parent_id=row["parent_id"],
                order=row["order"],
                is_active=row["is_active"],
            )
        for group_id, unit_id in coverage:
            if group_id in self.nodes:
                self.nodes[group_id].covered.append(unit_id)
        self.roots: list[UnitNode] = []
        for node in self.nodes.values():
            parent = self.nodes.get(node.parent_id) if node.parent_id else None
            (parent.children if parent else self.roots).append(node)
        for node in self.nodes.values():
            node.children.sort(key=lambda n: (n.order, n.id))
        self.roots.sort(key=lambda n: (n.order, n.id))

    @classmethod
    def load(cls) -> "UnitTree":
        rows = Unit.objects.values("id", "name", "kind", "parent_id", "order", "is_active")
        coverage = Unit.covered_units.through.objects.values_list("from_unit_id", "to_unit_id")
        return cls(list(rows), list(coverage))

    def subtree_ids(self, unit_id: int) -> set[int]:
        """The unit and every unit below it."""
        result: set[int] = set()
        stack = [unit_id]
        while stack:
            current = stack.pop()
            if current in result or current not in self.nodes:
                continue
            result.add(current)
            stack.extend(child.id for child in self.nodes[current].children)
        return result

    def scope_ids(self, unit_id: int) -> set[int]:
        """What a role granted on this unit covers: its sub-tree, and for a grid
        group also the sub-trees of the units it covers."""
        result = self.subtree_ids(unit_id)
        node = self.nodes.get(unit_id)
        if node and node.kind == UnitKind.GRID_GROUP:
            for covered_id in node.covered:
                result |= self.subtree_ids(covered_id)
        return result

    def ancestors(self, unit_id: int) -> list[UnitNode]:
        """From the root down to the unit's parent."""
        chain: list[UnitNode] = []
        seen: set[int] = set()
        node = self.nodes.get(unit_id)
        while node and node.parent_id and node.parent_id not in seen:
            seen.add(node.parent_id)
            node = self.nodes.get(node.parent_id)
            if node:
                chain.append(node)
        return list(reversed(chain))

    def path_name(self, unit_id: int) -> str:
        names = [n.name for n in self.ancestors(unit_id)]
        if unit_id in self.nodes:
            names.append(self.nodes[unit_id].name)
        return " / ".join(names)

    def walk(self):
        """Depth-first (node, depth) pairs in display order."""
        stack = [(node, 0) for node in reversed(self.roots)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((child, depth + 1) for child in reversed(node.children))
