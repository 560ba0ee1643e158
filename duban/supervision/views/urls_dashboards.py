"""Dashboards, the leader view, the league table, the battle map and indicator charts."""

from django.urls import path

from duban.supervision.views import dashboards

urlpatterns = [
    path("plans/<int:pk>/dashboard/", dashboards.plan_dashboard, name="plan_dashboard"),
    path("plans/<int:pk>/league/", dashboards.league_table, name="league_table"),
    path("plans/<int:pk>/league.xlsx", dashboards.league_table_export, name="league_table_export"),
    path("plans/<int:pk>/battle-map/", dashboards.battle_map, name="battle_map"),
    path("plans/<int:pk>/battle-map.json", dashboards.battle_map_data, name="battle_map_data"),
    path("items/<int:pk>/indicators/", dashboards.item_indicators, name="item_indicators"),
    path("leader/", dashboards.leader_view, name="leader_view"),
    path("league/", dashboards.league_all, name="league_all"),
    path("league.xlsx", dashboards.league_all_export, name="league_all_export"),
]
