"""URLs of the ladder editor."""

from django.urls import path

from duban.supervision.views import ladder

urlpatterns = [
    path("plans/<int:plan_pk>/ladder/", ladder.ladder, name="ladder"),
    path("plans/<int:plan_pk>/ladder/add/", ladder.ladder_add, name="ladder_add"),
    path("plans/<int:plan_pk>/ladder/reset/", ladder.ladder_reset, name="ladder_reset"),
    path("rungs/<int:pk>/delete/", ladder.rung_delete, name="rung_delete"),
]
