"""Read-only queries of supervision: dashboards, the league table, the battle map and
indicator series. Every function takes an Item queryset already restricted by
`duban.supervision.access.items_visible` and reads the cached ItemState, so its number
of queries does not grow with the number of items."""
