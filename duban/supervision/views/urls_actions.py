"""Supervision actions: 催办, 督办单, 告诫提醒, 问责, 领导批示 on items; 通报 on plans."""

from django.urls import path

from duban.supervision.views import actions

urlpatterns = [
    path("items/<int:pk>/urge/", actions.item_urge, name="item_urge"),
    path("items/<int:pk>/notice/", actions.notice_create, name="notice_create"),
    path("items/<int:pk>/warning/", actions.warning_create, name="warning_create"),
    path("items/<int:pk>/accountability/", actions.accountability_create, name="accountability_create"),
    path("items/<int:pk>/instruction/", actions.instruction_create, name="instruction_create"),
    path("notices/", actions.notice_list, name="notice_list"),
    path("notices/<int:pk>/", actions.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/docx", actions.notice_docx, name="notice_docx"),
    path("notices/<int:pk>/answer/", actions.notice_answer, name="notice_answer"),
    path("notices/<int:pk>/close/", actions.notice_close, name="notice_close"),
    path("accountability/<int:pk>/file", actions.accountability_file, name="accountability_file"),
    path("plans/<int:plan_pk>/circulars/", actions.circular_list, name="circular_list"),
    path("plans/<int:plan_pk>/circulars/new/", actions.circular_create, name="circular_create"),
    path("circulars/<int:pk>/", actions.circular_detail, name="circular_detail"),
    path("circulars/<int:pk>/docx", actions.circular_docx, name="circular_docx"),
]
